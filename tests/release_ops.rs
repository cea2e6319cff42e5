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
    // Helm wraps a hook's one error in a list; charter records it plainly
    // (docs/releases.md). Both forms become the plain one, in JSON text too.
    let wrapped =
        regex::Regex::new(r"1 error occurred:(?:\n\t|\\n\\t)\* ([^\n\\]*)(?:\n\n|\\n\\n)").unwrap();
    let text = wrapped.replace_all(text, "$1");
    named
        .replace_all(&times.replace_all(&text, "TIME"), "REL")
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
        if c != h {
            let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
            let (a, b) = (
                lines(&format!("{}{}", c.1, c.2)),
                lines(&format!("{}{}", h.1, h.2)),
            );
            let first = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i));
            if let Ok(dir) = std::env::var("CHARTER_TEST_DIFF_DIR") {
                let _ = std::fs::write(format!("{dir}/charter.out"), a.join("\n"));
                let _ = std::fs::write(format!("{dir}/helm.out"), b.join("\n"));
            }
            panic!(
                "{args:?}: charter on {ours} (ok: {}), Helm on {theirs} (ok: {}); first difference at line {first:?}:\ncharter: {:?}\nHelm:    {:?}",
                c.0,
                h.0,
                first.and_then(|i| a.get(i)),
                first.and_then(|i| b.get(i)),
            );
        }
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

/// A release's stored record as JSON text (the Secret's data unpacked as Helm
/// packs it), the release name and times made neutral.
fn record(sb: &Sandbox, name: &str, revision: u32) -> String {
    use base64::Engine;
    use std::io::Read;
    let k = tool("kubectl");
    let data = sb.ok(
        &k,
        &[
            "get",
            "secret",
            &format!("sh.helm.release.v1.{name}.v{revision}"),
            "-o",
            "jsonpath={.data.release}",
        ],
        None,
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let packed = b64.decode(data.trim()).unwrap();
    let gz = b64.decode(packed).unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut json)
        .unwrap();
    // Template files are base64: compare them decoded, so that the name
    // cannot match inside their text by chance.
    let mut v: serde_json::Value = serde_json::from_str(&json).unwrap();
    if let Some(list) = v["chart"]["templates"].as_array_mut() {
        for t in list {
            let text = b64.decode(t["data"].as_str().unwrap_or("")).unwrap();
            t["data"] = String::from_utf8_lossy(&text).into_owned().into();
        }
    }
    neutral(&v.to_string(), name)
}

#[test]
fn install_does_what_helm_does() {
    let sb = Sandbox::start();
    let helm = tool("3");
    let p = Pair {
        sb: &sb,
        helm: &helm,
    };
    let app = chart("app");
    let app = app.as_str();

    // The same output, the same record (chart, values, manifest, hooks and
    // their runs), the same objects.
    for (args, ours, theirs) in [
        (
            vec!["install", "{}", app, "--set", "message=hi"],
            "a1",
            "a2",
        ),
        (
            vec![
                "install",
                "{}",
                app,
                "-l",
                "team=web,tier=front",
                "-o",
                "json",
            ],
            "b1",
            "b2",
        ),
        (
            vec![
                "install",
                "{}",
                app,
                "-n",
                "fresh",
                "--create-namespace",
                "--wait",
                "--timeout",
                "60s",
                "-o",
                "yaml",
            ],
            "c1",
            "c2",
        ),
        (
            vec![
                "install",
                "{}",
                &chart("workloads"),
                "--wait",
                "--wait-for-jobs",
                "--timeout",
                "60s",
            ],
            "d1",
            "d2",
        ),
        (vec!["install", "{}", &chart("crd")], "e1", "e2"),
    ] {
        let out = p.same(&args, ours, theirs);
        assert!(out.contains("REL"), "{out}");
        let ns = if args.contains(&"fresh") {
            "fresh"
        } else {
            "default"
        };
        let view = |n: &str| {
            let o = sb.run(&helm, &["status", n, "-n", ns, "-o", "json"], None);
            neutral(&String::from_utf8_lossy(&o.stdout), n)
        };
        assert_eq!(view(ours), view(theirs), "{args:?}");
        if ns == "default" {
            assert_eq!(record(&sb, ours, 1), record(&sb, theirs, 1), "{args:?}");
            assert_eq!(p.view(ours), p.view(theirs), "{args:?}");
        }
    }

    // --verify: a signed archive (Helm's test chart and key) installs; a
    // wrong keyring stops the install before anything changes.
    let testdata =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/helm-testdata/pkg/cmd/testdata");
    let signed = testdata.join("testcharts/signtest-0.1.0.tgz");
    let ring = testdata.join("helm-test-key.pub");
    let (signed, ring) = (signed.to_str().unwrap(), ring.to_str().unwrap());
    // (Its Pod has a fixed name: the two tools compare on a dry run, then
    // charter installs it for real.)
    p.same(
        &[
            "install",
            "{}",
            signed,
            "--verify",
            "--keyring",
            ring,
            "--dry-run=server",
        ],
        "s1",
        "s2",
    );
    sb.ok(
        Path::new(CHARTER),
        &["install", "s1", signed, "--verify", "--keyring", ring],
        None,
    );
    let [c, h] = p.both(
        &["install", "{}", signed, "--verify", "--keyring", app],
        "s3",
        "s4",
    );
    assert!(!c.0 && !h.0, "{c:?} {h:?}");
    let listed = sb.ok(&helm, &["list", "-q", "-f", "^s"], None);
    assert_eq!(listed, "s1\n");

    // Dry runs print the would-be release and change nothing.
    p.same(&["install", "{}", app, "--dry-run"], "f1", "f2");
    p.same(
        &[
            "install",
            "{}",
            app,
            "--dry-run=server",
            "--set",
            "replicas=3",
        ],
        "f1",
        "f2",
    );
    p.same(&["list", "-a", "-q", "-f", "^f"], "x", "x");

    // A failing post-install hook fails the release, recorded as Helm
    // records it; --replace then reuses the name with the next revision.
    let [c, h] = p.both(
        &["install", "{}", app, "--set", "hookFails=true"],
        "g1",
        "g2",
    );
    assert!(!c.0 && !h.0);
    assert_eq!(
        c.2,
        "Error: INSTALLATION FAILED: failed post-install: job REL-migrate failed: BackoffLimitExceeded\n"
    );
    assert!(
        h.2.contains("job REL-migrate failed: BackoffLimitExceeded"),
        "{}",
        h.2
    );
    let status = |n: &str| neutral(&sb.ok(&helm, &["status", n], None), n);
    assert_eq!(status("g1"), status("g2"));
    assert!(status("g1").contains("STATUS: failed"));
    p.same(&["install", "{}", app], "g1", "g2");
    p.same(&["install", "{}", app, "--replace"], "g1", "g2");
    // (The failed revision's description is worded differently, see above.)
    assert_eq!(status("g1"), status("g2"));
    assert_eq!(record(&sb, "g1", 2), record(&sb, "g2", 2));
    let history = sb.ok(&helm, &["history", "g1"], None);
    assert!(
        history.contains("failed") && history.contains("Install complete"),
        "{history}"
    );

    // --atomic uninstalls what failed.
    let [c, h] = p.both(
        &[
            "install",
            "{}",
            app,
            "--set",
            "hookFails=true",
            "--atomic",
            "--timeout",
            "30s",
        ],
        "h1",
        "h2",
    );
    assert!(!c.0 && !h.0);
    assert!(
        c.2.contains("has been uninstalled due to atomic being set"),
        "{}",
        c.2
    );
    assert_eq!(p.view("h1"), p.view("h2"));

    // Refusals: a name in use, an object owned by nobody, bad flags.
    p.same(&["install", "{}", app], "a1", "a2");
    let k = tool("kubectl");
    sb.ok(&k, &["create", "configmap", "taken1-config"], None);
    sb.ok(&k, &["create", "configmap", "taken2-config"], None);
    p.same(&["install", "{}", app], "taken1", "taken2");
    p.same(
        &["install", "{}", app, "--take-ownership"],
        "taken1",
        "taken2",
    );
    assert_eq!(p.view("taken1"), p.view("taken2"));
    p.same(&["install", app], "x", "x");
    p.same(&["install", "{}", app, "-g"], "x", "x");
    p.same(&["install", "{}", app, "-l", "owner=me"], "x", "x");
    p.same(&["install", "{}", app, "--set", "a[="], "x", "x");

    // Helm takes over what charter installed: upgrade, history, uninstall.
    sb.ok(
        &helm,
        &["upgrade", "a1", app, "--set", "message=again"],
        None,
    );
    let history = sb.ok(&helm, &["history", "a1"], None);
    assert!(
        history.contains("superseded") && history.contains("Upgrade complete"),
        "{history}"
    );
    sb.ok(&helm, &["uninstall", "a1"], None);

    // Helm 2's form: `install --name NAME CHART`.
    let out = sb.ok(Path::new(CHARTER), &["install", "--name", "old", app], None);
    assert!(out.starts_with("NAME: old\n"), "{out}");
    let out = sb.ok(
        Path::new(CHARTER),
        &["install", app, "--generate-name"],
        None,
    );
    assert!(
        regex::Regex::new(r"^NAME: app-\d{10}\n")
            .unwrap()
            .is_match(&out),
        "{out}"
    );
}

#[test]
fn upgrade_and_rollback_do_what_helm_does() {
    let sb = Sandbox::start();
    let helm = tool("3");
    let p = Pair {
        sb: &sb,
        helm: &helm,
    };
    let app = chart("app");
    let app = app.as_str();
    for name in ["u1", "u2"] {
        sb.ok(&helm, &["install", name, app, "--set", "message=one"], None);
    }
    // Each step on both releases, then both compared whole: output, history,
    // values, records and objects.
    let steps: Vec<Vec<&str>> = vec![
        vec!["upgrade", "{}", app, "--set", "replicas=3"],
        vec!["upgrade", "{}", app],
        vec!["upgrade", "{}", app, "--reuse-values", "--set", "port=81"],
        vec![
            "upgrade",
            "{}",
            app,
            "--reset-then-reuse-values",
            "--set",
            "message=two",
        ],
        vec!["upgrade", "{}", app, "--reset-values", "-o", "json"],
        vec!["rollback", "{}"],
        vec!["rollback", "{}", "2", "--wait"],
        vec![
            "upgrade",
            "{}",
            app,
            "--set",
            "replicas=2",
            "--wait",
            "--history-max",
            "4",
            "-l",
            "team=web",
        ],
        vec!["upgrade", "{}", app, "--dry-run", "--set", "replicas=5"],
    ];
    for step in &steps {
        p.same(step, "u1", "u2");
        assert_eq!(p.view("u1"), p.view("u2"), "after {step:?}");
        for what in [
            &["get", "values", "{}", "-a"][..],
            &["history", "{}", "-o", "json"],
        ] {
            p.same(what, "u1", "u2");
        }
    }
    let k = tool("kubectl");
    let replicas = sb.ok(
        &k,
        &[
            "get",
            "deployment",
            "u1-web",
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].ports[0].containerPort}",
        ],
        None,
    );
    assert_eq!(replicas, "2 80");
    let records = sb.ok(&k, &["get", "secrets", "-l", "name=u1", "-o", "name"], None);
    assert_eq!(records.lines().count(), 4, "{records}");

    // Failures: recorded, and with --atomic rolled back.
    let [c, h] = p.both(
        &["upgrade", "{}", app, "--set", "hookFails=true"],
        "u1",
        "u2",
    );
    assert!(!c.0 && !h.0);
    assert!(
        c.2.contains("UPGRADE FAILED: post-upgrade hooks failed: job REL-migrate failed"),
        "{}",
        c.2
    );
    assert!(h.2.contains("job REL-migrate failed"), "{}", h.2);
    p.same(&["status", "{}", "-o", "json"], "u1", "u2");
    let [c, h] = p.both(
        &[
            "upgrade",
            "{}",
            app,
            "--set",
            "hookFails=true",
            "--atomic",
            "--timeout",
            "30s",
        ],
        "u1",
        "u2",
    );
    assert!(!c.0 && !h.0);
    assert!(
        c.2.contains("has been rolled back due to atomic being set"),
        "{}",
        c.2
    );
    p.same(&["status", "{}"], "u1", "u2");
    p.same(&["rollback", "{}", "99"], "u1", "u2");
    p.same(&["upgrade", "{}", app], "nope", "nope");

    // upgrade --install installs what is missing.
    p.same(
        &["upgrade", "--install", "{}", app, "--set", "message=new"],
        "ui1",
        "ui2",
    );
    assert_eq!(p.view("ui1"), p.view("ui2"));
    assert_eq!(record(&sb, "ui1", 1), record(&sb, "ui2", 1));

    // Helm carries on from what charter did.
    sb.ok(
        Path::new(CHARTER),
        &["upgrade", "ui1", app, "--set", "message=by-charter"],
        None,
    );
    sb.ok(&helm, &["rollback", "ui1", "1"], None);
    let values = sb.ok(&helm, &["get", "values", "ui1"], None);
    assert!(values.contains("message: new"), "{values}");
}
