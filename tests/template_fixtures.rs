//! The template engine and function library against the real Helm: every case in
//! `testdata/templates/cases.txt` (written by `cases.py`, expectations recorded
//! from Helm 3.17.3 by `record.py`) is rendered by the charter binary in the same
//! throwaway chart, and the output (or the error) must be identical.

use std::path::PathBuf;
use std::process::Command;

use base64::Engine as _;

struct Case {
    name: String,
    values: String,
    helpers: String,
    template: String,
    expect: Result<String, String>,
    /// A known, documented difference from Helm.
    gap: Option<String>,
}

fn parse_cases(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("#### case ").skip(1) {
        let (name, rest) = block.split_once('\n').expect("case name line");
        let mut sections: Vec<(String, String)> = Vec::new();
        for part in rest.split("#### ").filter(|p| !p.is_empty()) {
            let (head, body) = part.split_once('\n').unwrap_or((part, ""));
            sections.push((head.to_string(), body.to_string()));
        }
        let get = |k: &str| {
            sections
                .iter()
                .find(|(h, _)| h == k)
                .map(|(_, b)| b.clone())
        };
        let strip = |s: String| s.strip_suffix('\n').map(str::to_string).unwrap_or(s);
        let expect = match (get("expect"), get("error")) {
            (Some(e), _) => Ok(strip(e)),
            (_, Some(e)) => Err(strip(e)),
            _ => panic!("case {name} has no expectation"),
        };
        cases.push(Case {
            name: name.to_string(),
            values: get("values").unwrap_or_default(),
            helpers: get("helpers").map(strip).unwrap_or_default(),
            template: strip(get("template").unwrap_or_default()),
            expect,
            gap: get("gap").map(strip),
        });
    }
    cases
}

fn render(case: &Case, dir: &std::path::Path) -> Result<String, String> {
    let chart = dir.join(&case.name);
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: t\nversion: 0.1.0\nappVersion: \"1.2.3\"\n",
    )
    .expect("write");
    std::fs::write(chart.join("values.yaml"), &case.values).expect("write");
    std::fs::write(
        chart.join("templates/x.yaml"),
        format!(
            "{{{{ define \"case\" }}}}{}{{{{ end }}}}\nout: {{{{ include \"case\" . | b64enc }}}}\n",
            case.template
        ),
    )
    .expect("write");
    if !case.helpers.is_empty() {
        std::fs::write(chart.join("templates/_helpers.tpl"), &case.helpers).expect("write");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_charter"))
        .arg("template")
        .arg("t")
        .arg(&chart)
        .env("HOME", dir)
        .env("KUBECONFIG", dir.join("none"))
        .env_remove("HELM_NAMESPACE")
        .output()
        .expect("run charter");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or_default();
        return Err(first.strip_prefix("Error: ").unwrap_or(first).to_string());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("out: "))
        .unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line)
        .map_err(|e| format!("bad base64 from charter: {e}"))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[test]
fn template_cases_match_helm() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/templates/cases.txt");
    let cases = parse_cases(&std::fs::read_to_string(&path).expect("cases.txt"));
    assert!(cases.len() > 100, "too few cases: {}", cases.len());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut gaps = 0;
    for case in &cases {
        let got = render(case, dir.path());
        if let Some(reason) = &case.gap {
            gaps += 1;
            if got == case.expect {
                failures.push(format!(
                    "{}: listed as a known gap ({reason}) but now matches Helm: remove it from GAPS",
                    case.name
                ));
            }
            continue;
        }
        if got != case.expect {
            failures.push(format!(
                "{}\n  template: {}\n  helm:    {:?}\n  charter: {:?}",
                case.name, case.template, case.expect, got
            ));
        }
    }
    eprintln!(
        "{} cases match Helm, {gaps} known gaps",
        cases.len() - gaps - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
