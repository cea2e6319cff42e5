//! Differential tests: `charter template` against the real Helm 3.17.3 on the same
//! chart and flags. Both must succeed with byte-identical stdout, or both must fail
//! with charter's error containing Helm's message.
//!
//! Charts: the bundled ones in `charts/`, and every test chart of Helm's own suite
//! (`../shared/peer/helm-testdata/pkg/cmd/testdata/testcharts`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn helm() -> PathBuf {
    let out = Command::new(root().join("../shared/tools/get-helm"))
        .arg("3")
        .output()
        .expect("run ../shared/tools/get-helm 3");
    assert!(out.status.success(), "get-helm failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn run(bin: &Path, args: &[&str], home: &Path) -> Output {
    Command::new(bin)
        .args(args)
        .current_dir(root())
        .env("HOME", home)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("missing-kubeconfig"))
        .env_remove("HELM_NAMESPACE")
        .output()
        .expect("run")
}

/// Helm's error message without its `Error: ` prefix (first line).
fn helm_error(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .find_map(|l| l.strip_prefix("Error: "))
        .unwrap_or_default()
        .to_string()
}

fn compare(cases: &[Vec<String>]) {
    let helm = helm();
    let charter = PathBuf::from(env!("CARGO_BIN_EXE_charter"));
    let home = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let h = run(&helm, &args, home.path());
        let c = run(&charter, &args, home.path());
        let label = args.join(" ");
        if h.status.success() {
            if !c.status.success() {
                failures.push(format!(
                    "{label}: helm succeeded, charter failed: {}",
                    String::from_utf8_lossy(&c.stderr)
                ));
            } else if h.stdout != c.stdout {
                failures.push(format!(
                    "{label}: output differs\n--- helm\n{}\n--- charter\n{}",
                    String::from_utf8_lossy(&h.stdout),
                    String::from_utf8_lossy(&c.stdout)
                ));
            }
        } else {
            let want = helm_error(&h);
            let got = String::from_utf8_lossy(&c.stderr);
            if c.status.success() {
                failures.push(format!("{label}: helm failed ({want}), charter succeeded"));
            } else if !got.contains(&want) {
                failures.push(format!(
                    "{label}: errors differ\n  helm:    {want}\n  charter: {got}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Helm:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

fn case(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn bundled_charts_render_like_helm() {
    compare(&[
        case(&["template", "demo", "charts/nginx-demo"]),
        case(&[
            "template",
            "charts/nginx-demo",
            "-n",
            "web",
            "--set",
            "replicaCount=3,service.type=LoadBalancer",
        ]),
        case(&["template", "demo", "charts/nginx-demo", "--skip-tests"]),
        case(&[
            "template",
            "demo",
            "charts/nginx-demo",
            "-s",
            "templates/deployment.yaml",
        ]),
        case(&[
            "template",
            "demo",
            "charts/nginx-demo",
            "-s",
            "templates/nope.yaml",
        ]),
        case(&[
            "template",
            "demo",
            "charts/nginx-demo",
            "--set",
            "podAnnotations.a\\.b/c=d",
            "--set-string",
            "podLabels.v=0123",
        ]),
        case(&["template", "gb", "charts/guestbook"]),
        case(&[
            "template",
            "gb",
            "charts/guestbook",
            "--set",
            "database.enabled=false",
            "--set",
            "backend.databaseHost=db.example.com",
        ]),
        case(&[
            "template",
            "gb",
            "charts/guestbook",
            "--set",
            "tags.storage=false",
            "--is-upgrade",
            "--kube-version",
            "1.29",
        ]),
        case(&[
            "template",
            "gb",
            "charts/guestbook",
            "--set",
            "frontend.ingress.tls=true",
            "--set-json",
            "frontend.ingress.annotations={\"a\":\"b\"}",
        ]),
        case(&[
            "template",
            "gb",
            "charts/guestbook",
            "--set",
            "backend.auth.apiToken=",
        ]),
        case(&["template", "gb", "charts/guestbook", "--no-hooks"]),
        case(&["template", "gb", "charts/guestbook", "--set", "image[=x"]),
        case(&["template", "gb", "./charts/does-not-exist"]),
    ]);
}

#[test]
fn helm_test_charts_render_like_helm() {
    let dir = root().join("../shared/peer/helm-testdata/pkg/cmd/testdata/testcharts");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("helm testcharts")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".tar.gz") || n.starts_with("compressedchart"))
        .collect();
    names.sort();
    let mut cases = Vec::new();
    for n in &names {
        let path = dir.join(n).to_string_lossy().into_owned();
        cases.push(case(&["template", "x", &path]));
        cases.push(case(&[
            "template",
            "x",
            &path,
            "--include-crds",
            "--skip-tests",
        ]));
    }
    compare(&cases);
}

/// Runs the same command through Helm and charter and requires identical stdout,
/// stderr's `Error:` line and exit status.
fn compare_exact(cases: &[Vec<String>]) {
    let helm = helm();
    let charter = PathBuf::from(env!("CARGO_BIN_EXE_charter"));
    let home = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let h = run(&helm, &args, home.path());
        let c = run(&charter, &args, home.path());
        let label = args.join(" ");
        if h.status.success() != c.status.success()
            || h.stdout != c.stdout
            || helm_error(&h) != helm_error(&c)
        {
            failures.push(format!(
                "{label}\n--- helm ({})\n{}{}\n--- charter ({})\n{}{}",
                h.status,
                String::from_utf8_lossy(&h.stdout),
                String::from_utf8_lossy(&h.stderr),
                c.status,
                String::from_utf8_lossy(&c.stdout),
                String::from_utf8_lossy(&c.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn lint_and_show_match_helm() {
    let testcharts = "../shared/peer/helm-testdata/pkg/cmd/testdata/testcharts";
    let mut cases = Vec::new();
    for chart in [
        "charts/nginx-demo".to_string(),
        "charts/guestbook".to_string(),
        format!("{testcharts}/alpine"),
        format!("{testcharts}/chart-bad-requirements"),
        format!("{testcharts}/chart-bad-type"),
        format!("{testcharts}/chart-with-bad-subcharts"),
        format!("{testcharts}/chart-with-deprecated-api"),
        format!("{testcharts}/chart-with-template-with-invalid-yaml"),
        format!("{testcharts}/compressedchart-0.1.0.tgz"),
        "../shared/corpus/charts/stable/redis".to_string(),
        "../shared/corpus/charts/bitnami/apache".to_string(),
    ] {
        cases.push(case(&["lint", &chart]));
        for what in ["chart", "values", "readme", "crds", "all"] {
            cases.push(case(&["show", what, &chart]));
        }
    }
    // Several CRDs, large ones (read on first use), in a subchart.
    let crds = "../shared/corpus/charts/bitnami/kube-prometheus";
    cases.push(case(&["show", "crds", crds]));
    cases.push(case(&["show", "all", crds]));
    cases.push(case(&["lint", "charts/guestbook", "--with-subcharts"]));
    cases.push(case(&["lint", "charts/nginx-demo", "--strict", "--quiet"]));
    cases.push(case(&[
        "lint",
        "charts/nginx-demo",
        "--set",
        "image.repository=x",
    ]));
    compare_exact(&cases);
}

/// Documents whose head (`apiVersion`, `kind`, `metadata.name`, annotations) Helm
/// reads with sigs.k8s.io/yaml's coercions, or which are invalid YAML in ways a
/// quick reader could miss: each is one chart's only template, rendered by both.
const HEAD_DOCUMENTS: &[&str] = &[
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 1e6\n  annotations:\n    a: 0.1\n    b: 12345678901\n    c: yes\n    d: ~\n",
    "apiVersion: v1\nKind: Secret\nkind: ConfigMap\nMETADATA:\n  name: x\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a]\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: [1]\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations: foo\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: foo\n",
    "- a\n- b\n",
    "just text\n",
    "# only a comment\n",
    "apiVersion: v1\nkind: Job\nmetadata:\n  name: hook\n  annotations:\n    \"helm.sh/hook\": post-install,pre-upgrade\n    'helm.sh/hook-weight': 5\n    helm.sh/hook-delete-policy: before-hook-creation\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  script: |\n    echo a: b\n    # not a comment\n\n  other: >-\n    folded\n    text\n  list:\n  - a\n  - b: c\n    d: e\n  flow: [a, \"b\", {c: d}]\n  empty: {}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b: c\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"unterminated\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data:\n  a: b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 'it''s'\n  b: \"tab\\tand \\u00e9\"\n  c: plain # comment\n  d: value#hash\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: @reserved\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n x\ndata:\n  a: *n\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: |\n    text\n  b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n  - c\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [b, c\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"bad \\q escape\"\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n    continued\n",
];

#[test]
fn manifest_heads_read_like_helm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases = Vec::new();
    for (i, doc) in HEAD_DOCUMENTS.iter().enumerate() {
        let chart = dir.path().join(format!("head{i}"));
        std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
        std::fs::write(
            chart.join("Chart.yaml"),
            format!("apiVersion: v2\nname: head{i}\nversion: 1.0.0\n"),
        )
        .expect("write");
        std::fs::write(chart.join("templates/doc.yaml"), doc).expect("write");
        cases.push(case(&[
            "template",
            "r",
            chart.to_str().expect("utf-8 path"),
        ]));
    }
    compare(&cases);
}

/// Charts large enough that charter executes their templates on two threads,
/// whose templates change what later ones see (the values, `.Release`, the
/// chart's scope `$`) or fail: the output, or the error, must still be Helm's,
/// which executes them one after the other.
#[test]
fn templates_on_two_threads_render_like_helm() {
    // (chart, the template that makes a change, the change it makes before
    // printing). Files execute from t15 down to t00: t14 is the second, nearly
    // always on the thread that started first, and t07 one in the middle, on
    // either thread.
    let charts = [
        ("par-pure", 7, ""),
        (
            "par-values",
            7,
            r#"{{- $_ := set .Values "touched" "by t07" }}"#,
        ),
        ("par-dollar", 7, r#"{{- $_ := set $ "touched" "by t07" }}"#),
        (
            "par-release",
            7,
            r#"{{- $_ := set .Release "Name" "renamed-by-t07" }}"#,
        ),
        (
            "par-release-early",
            14,
            r#"{{- $_ := set .Release "Name" "renamed-by-t14" }}"#,
        ),
        (
            "par-values-early",
            14,
            r#"{{- $_ := set .Values "touched" "by t14" }}"#,
        ),
        (
            "par-merge",
            7,
            r#"{{- $_ := merge .Values.sub (dict "touched" "by t07") }}"#,
        ),
        ("par-unset", 7, r#"{{- $_ := unset .Values.sub "a" }}"#),
        ("par-fail", 7, r#"{{- fail "t07 fails" }}"#),
    ];
    // More than 64 KiB of template text, so the render takes two threads.
    let pad = format!(
        "{{{{- define \"pad\" }}}}{{{{/* {} */}}}}{{{{- end }}}}\n",
        "padding ".repeat(9000)
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cases = Vec::new();
    for (name, changer, change) in charts {
        let chart = dir.path().join(name);
        std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
        let write = |file: &str, text: &str| std::fs::write(chart.join(file), text).expect("write");
        write(
            "Chart.yaml",
            &format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n"),
        );
        write("values.yaml", "sub:\n  a: 1\nitems: [x, y, z]\n");
        write("templates/_pad.tpl", &pad);
        for i in 0..16 {
            let before = if i == changer { change } else { "" };
            let fail = if name == "par-fail" && i == 3 {
                r#"{{- fail "t03 fails" }}"#
            } else {
                ""
            };
            write(
                &format!("templates/t{i:02}.yaml"),
                &format!(
                    "{before}{fail}{{{{ include \"pad\" . }}}}apiVersion: v1\nkind: ConfigMap\n\
                     metadata:\n  name: {{{{ .Release.Name }}}}-t{i:02}\ndata:\n  \
                     template: {{{{ .Template.Name }}}}\n  \
                     values: {{{{ .Values.touched | default \"untouched\" }}}}\n  \
                     dollar: {{{{ $.touched | default \"untouched\" }}}}\n  \
                     sub: {{{{ .Values.sub | toJson | quote }}}}\n  \
                     items: {{{{ range .Values.items }}}}{{{{ . }}}}{{{{ end }}}}\n"
                ),
            );
        }
        cases.push(case(&[
            "template",
            "r",
            chart.to_str().expect("utf-8 path"),
        ]));
    }
    compare(&cases);
}
