//! The commands that change a release (`uninstall`, `test`) against real Helm 3
//! on charter-sandbox: Helm installs pairs of identical releases, charter acts on
//! one and Helm on the other, and everything that is left must match (output,
//! objects kept and deleted, hook runs and records), with release names and
//! times normalized. Helm then manages what charter left.

#[path = "common/sandbox.rs"]
mod sandbox_helper;

use std::path::Path;

use sandbox_helper::{Sandbox, chart, tool};

const CHARTER: &str = env!("CARGO_BIN_EXE_charter");

/// Output with the release name and every time made neutral.
fn neutral(text: &str, name: &str) -> String {
    let times = regex::Regex::new(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}|\b\d{10}\b",
    )
    .unwrap();
    let named = regex::Regex::new(&format!(r"\b{name}\b")).unwrap();
    named
        .replace_all(&times.replace_all(text, "TIME"), "REL")
        .into_owned()
}

struct Pair<'a> {
    sb: &'a Sandbox,
    helm: &'a Path,
}

impl Pair<'_> {
    /// Runs `args` (with `{}` for the release) through charter on `ours` and
    /// Helm on `theirs`; both outcomes, normalized.
    fn both(&self, args: &[&str], ours: &str, theirs: &str) -> [(bool, String, String); 2] {
        let run = |bin: &Path, name: &str| {
            let args: Vec<String> = args.iter().map(|a| a.replace("{}", name)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = self.sb.run(bin, &args, None);
            (
                o.status.success(),
                neutral(&String::from_utf8_lossy(&o.stdout), name),
                neutral(&String::from_utf8_lossy(&o.stderr), name),
            )
        };
        [run(Path::new(CHARTER), ours), run(self.helm, theirs)]
    }

    fn same(&self, args: &[&str], ours: &str, theirs: &str) -> String {
        let [c, h] = self.both(args, ours, theirs);
        assert_eq!(c, h, "{args:?}: charter on {ours}, Helm on {theirs}");
        c.1
    }

    /// What Helm and kubectl see of a release: its history, its status as
    /// JSON (hook runs included), and the objects named after it.
    fn view(&self, name: &str) -> String {
        let k = tool("kubectl");
        let history = self.sb.run(self.helm, &["history", name], None);
        let status = self
            .sb
            .run(self.helm, &["status", name, "-o", "json"], None);
        let objects = self.sb.ok(
            &k,
            &["get", "configmaps,deployments,jobs", "-o", "name"],
            None,
        );
        let mine: Vec<&str> = objects
            .lines()
            .filter(|l| l.contains(&format!("/{name}-")))
            .collect();
        neutral(
            &format!(
                "{}{}{}\n{}",
                String::from_utf8_lossy(&history.stdout),
                String::from_utf8_lossy(&history.stderr),
                String::from_utf8_lossy(&status.stdout),
                mine.join("\n")
            ),
            name,
        )
    }
}

#[test]
fn uninstall_does_what_helm_does() {
    let sb = Sandbox::start();
    let helm = tool("3");
    let p = Pair {
        sb: &sb,
        helm: &helm,
    };
    let cleanup = chart("cleanup");
    let install = |name: &str, extra: &[&str]| {
        let mut args = vec!["install", name, cleanup.as_str()];
        args.extend_from_slice(extra);
        sb.ok(&helm, &args, None);
    };

    // Plain uninstall: hooks run, the kept ConfigMap named, records removed.
    install("a1", &[]);
    install("a2", &[]);
    let out = p.same(&["uninstall", "{}"], "a1", "a2");
    assert!(out.contains("[ConfigMap] REL-kept"), "{out}");
    assert_eq!(p.view("a1"), p.view("a2"));
    assert!(p.view("a1").contains("configmap/REL-kept"));

    // --keep-history, --description, --wait: the record stays, marked
    // uninstalled, with each hook's run; Helm can then purge it.
    install("b1", &[]);
    install("b2", &[]);
    p.same(
        &[
            "uninstall",
            "{}",
            "--keep-history",
            "--description",
            "bye now",
            "--wait",
        ],
        "b1",
        "b2",
    );
    let view = p.view("b1");
    assert_eq!(view, p.view("b2"));
    assert!(
        view.contains("uninstalled") && view.contains("bye now"),
        "{view}"
    );
    assert!(view.contains(r#""phase":"Succeeded""#), "{view}");
    p.same(&["uninstall", "{}", "--keep-history"], "b1", "b2");
    p.same(&["list", "--uninstalled", "-q"], "b1", "b1");
    sb.ok(&helm, &["uninstall", "b1"], None);
    let left = sb.ok(&helm, &["list", "-a", "-q"], None);
    assert!(!left.contains("b1") && left.contains("b2"), "{left}");

    // A failing pre-delete hook stops the uninstall, leaving the release
    // `uninstalling`; as in Helm, the record shows the hook as it started
    // (`Running`): the failure is not written back.
    install("c1", &["--set", "preDeleteFails=true"]);
    install("c2", &["--set", "preDeleteFails=true"]);
    let [c, h] = p.both(&["uninstall", "{}", "--timeout", "30s"], "c1", "c2");
    assert!(!c.0 && !h.0, "{c:?} {h:?}");
    // Helm wraps the one error in a list ("1 error occurred: * ..."); charter
    // says it plainly.
    assert_eq!(c.2, "Error: job REL-predel failed: BackoffLimitExceeded\n");
    assert!(
        h.2.contains("job REL-predel failed: BackoffLimitExceeded"),
        "{}",
        h.2
    );
    let view = p.view("c1");
    assert_eq!(view, p.view("c2"));
    assert!(
        view.contains("uninstalling") && view.contains(r#""phase":"Running""#),
        "{view}"
    );

    // --no-hooks, --dry-run, --ignore-not-found, several names, errors.
    install("d1", &[]);
    install("d2", &[]);
    p.same(&["uninstall", "{}", "--dry-run"], "d1", "d2");
    assert_eq!(p.view("d1"), p.view("d2"));
    assert!(p.view("d1").contains("deployed"));
    p.same(&["uninstall", "{}", "--no-hooks"], "d1", "d2");
    assert_eq!(p.view("d1"), p.view("d2"));
    p.same(&["uninstall", "{}"], "nope", "nope");
    p.same(&["uninstall", "{}", "--ignore-not-found"], "nope", "nope");
    p.same(&["delete", "{}", "--cascade", "sideways"], "nope", "nope");
    install("e1", &[]);
    install("e2", &[]);
    p.same(&["un", "{}", "nope"], "e1", "e2");
    assert_eq!(p.view("e1"), p.view("e2"));
}

#[test]
fn test_runs_a_releases_tests_as_helm_does() {
    let sb = Sandbox::start();
    let helm = tool("3");
    let p = Pair {
        sb: &sb,
        helm: &helm,
    };
    let app = chart("app");
    for name in ["t1", "t2"] {
        sb.ok(&helm, &["install", name, &app], None);
    }
    for name in ["f1", "f2"] {
        sb.ok(
            &helm,
            &["install", name, &app, "--set", "testFails=true"],
            None,
        );
    }
    for args in [
        &["test", "{}"][..],
        &["test", "{}", "--logs"],
        &["test", "{}", "--hide-notes", "--filter", "name={}-test"],
        &["test", "{}", "--filter", "!name={}-test", "--logs"],
        &[
            "test",
            "{}",
            "--filter",
            "name=nothing,name={}-test",
            "--timeout",
            "30s",
        ],
    ] {
        let out = p.same(args, "t1", "t2");
        assert!(out.contains("NAME: REL"), "{out}");
        assert_eq!(p.view("t1"), p.view("t2"), "{args:?}");
    }
    assert!(p.view("t1").contains(r#""phase":"Succeeded""#));
    // A failing test: the status is printed, the failure recorded, exit 1.
    let [c, h] = p.both(&["test", "{}"], "f1", "f2");
    assert!(!c.0 && !h.0);
    assert_eq!(c.1, h.1);
    assert!(c.1.contains("Phase:          Failed"), "{}", c.1);
    // Helm wraps the one error in a list; charter says it plainly.
    assert_eq!(c.2, "Error: pod REL-test failed\n");
    assert!(h.2.contains("pod REL-test failed"), "{}", h.2);
    assert_eq!(p.view("f1"), p.view("f2"));
    p.same(&["test", "{}"], "nope", "nope");
    // Helm reads what charter recorded.
    let status = sb.ok(&helm, &["status", "t1"], None);
    assert!(status.contains("TEST SUITE:     t1-test"), "{status}");
}
