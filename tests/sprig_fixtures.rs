//! Sprig's functions against the real Helm: every `testdata/sprig/cases/*.txt`
//! (values YAML, `---`, a template, `---`, Helm 3.17.3's output or `ERROR: ` and
//! its error line; recorded by `testdata/sprig/record.py`) is rendered by the
//! charter binary in the same throwaway chart, and must match.
//!
//! `SPRIG_CASES=regex,url cargo test --test sprig_fixtures` runs a subset.
//!
//! Cases named in `testdata/sprig/gaps.txt` (`NAME: reason`) are known
//! differences; the test fails if one of them starts to match, so the list stays
//! honest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;

struct Case {
    name: String,
    values: String,
    template: String,
    expect: String,
}

fn parse_case(name: &str, text: &str) -> Case {
    let (values, rest) = match text.strip_prefix("---\n") {
        Some(rest) => ("", rest),
        None => text
            .split_once("\n---\n")
            .unwrap_or_else(|| panic!("{name}: no values separator")),
    };
    let (template, expect) = rest
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("{name}: no template separator"));
    Case {
        name: name.to_string(),
        values: if values.is_empty() {
            String::new()
        } else {
            format!("{values}\n")
        },
        template: template.to_string(),
        expect: expect.to_string(),
    }
}

fn render(case: &Case, dir: &Path) -> String {
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
    let out = Command::new(env!("CARGO_BIN_EXE_charter"))
        .arg("template")
        .arg("t")
        .arg(&chart)
        .env("HOME", dir)
        .env("TZ", "UTC")
        .env("KUBECONFIG", dir.join("none"))
        .env_remove("HELM_NAMESPACE")
        .output()
        .expect("run charter");
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or_default();
        return format!("ERROR: {}", first.strip_prefix("Error: ").unwrap_or(first));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("out:"))
        .unwrap_or_default();
    match base64::engine::general_purpose::STANDARD.decode(line.trim()) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("bad base64 from charter: {e}"),
    }
}

#[test]
fn sprig_cases_match_helm() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/sprig");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(root.join("cases")).expect("cases dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_string();
            let text = std::fs::read_to_string(&path).expect("read case");
            cases.push(parse_case(&name, &text));
        }
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(cases.len() >= 400, "too few cases: {}", cases.len());
    // `SPRIG_CASES=regex,url` runs only the cases whose names start with those.
    if let Ok(filter) = std::env::var("SPRIG_CASES") {
        let prefixes: Vec<&str> = filter.split(',').collect();
        cases.retain(|c| prefixes.iter().any(|p| c.name.starts_with(p)));
    }
    let gaps: BTreeMap<String, String> = std::fs::read_to_string(root.join("gaps.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(": "))
        .map(|(n, r)| (n.to_string(), r.to_string()))
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for case in &cases {
        let got = render(case, dir.path());
        match gaps.get(&case.name) {
            Some(reason) if got == case.expect => failures.push(format!(
                "{}: listed in gaps.txt ({reason}) but now matches Helm: remove it",
                case.name
            )),
            Some(_) => {}
            None if got != case.expect => failures.push(format!(
                "{}\n  template: {}\n  helm:    {:?}\n  charter: {:?}",
                case.name, case.template, case.expect, got
            )),
            None => {}
        }
    }
    eprintln!(
        "{} Sprig cases, {} known gaps, {} failures",
        cases.len(),
        gaps.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
