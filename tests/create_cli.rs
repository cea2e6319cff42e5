//! `create` through the binary: charter's scaffold lints clean and renders the
//! same with charter and real Helm; the Jinja scaffold renders the same objects;
//! Helm starters (`--starter`) scaffold as `helm create --starter` does.

#[path = "common/repo.rs"]
mod repo_helper;

use std::path::Path;

use repo_helper::*;

/// Value sets that switch on every optional part of the scaffold.
const VALUE_SETS: &[&str] = &[
    "",
    "ingress.enabled=true,ingress.className=nginx,ingress.tls[0].secretName=s,ingress.tls[0].hosts[0]=chart-example.local,autoscaling.enabled=true,autoscaling.targetMemoryUtilizationPercentage=60",
    "service.type=NodePort,serviceAccount.create=false,podLabels.tier=web,podAnnotations.a=b,resources.limits.cpu=100m,volumes[0].name=cache,volumes[0].emptyDir.medium=Memory,volumeMounts[0].name=cache,volumeMounts[0].mountPath=/cache,nodeSelector.disk=ssd,fullnameOverride=web",
];

fn template(env: &Env, bin: &str, chart: &Path, set: &str) -> String {
    let mut args = vec!["template", "rel", chart.to_str().unwrap()];
    if !set.is_empty() {
        args.extend(["--set", set]);
    }
    ok(&env.cmd(bin).args(&args).output().unwrap())
}

#[test]
fn scaffold_lints_and_renders_like_helm() {
    let env = Env::new();
    let out = ok(&env.charter(&["create", "web-app"]));
    assert_eq!(out, "Creating web-app\n");
    let chart = env.root.join("web-app");
    for f in [
        "Chart.yaml",
        "values.yaml",
        ".helmignore",
        "templates/_helpers.tpl",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/serviceaccount.yaml",
        "templates/ingress.yaml",
        "templates/hpa.yaml",
        "templates/NOTES.txt",
        "templates/tests/test-connection.yaml",
    ] {
        assert!(chart.join(f).is_file(), "{f} missing");
    }
    assert!(chart.join("charts").is_dir());
    let lint = ok(&env.charter(&["lint", "web-app"]));
    assert!(
        lint.contains("1 chart(s) linted, 0 chart(s) failed"),
        "{lint}"
    );
    assert!(
        !lint.contains("[WARNING]") && !lint.contains("[ERROR]"),
        "{lint}"
    );
    let charter = env!("CARGO_BIN_EXE_charter");
    let rendered = template(&env, charter, &chart, "");
    assert!(rendered.contains("kind: Deployment") && rendered.contains("helm.sh/hook\": test"));
    // Packaging and rendering the archive gives the same output.
    ok(&env.charter(&["package", "web-app"]));
    let archived = template(&env, charter, &env.root.join("web-app-0.1.0.tgz"), "");
    assert_eq!(archived, rendered);

    let Some(helm) = helm() else {
        eprintln!("skipped the Helm comparison: no Helm binary (set CHARTER_TEST_HELM)");
        return;
    };
    let hlint = ok(&env.cmd(&helm).args(["lint", "web-app"]).output().unwrap());
    assert!(hlint.contains("0 chart(s) failed"), "{hlint}");
    assert!(
        !hlint.contains("[WARNING]") && !hlint.contains("[ERROR]"),
        "{hlint}"
    );
    for set in VALUE_SETS {
        assert_eq!(
            template(&env, charter, &chart, set),
            template(&env, &helm, &chart, set),
            "--set {set}"
        );
    }
}

#[test]
fn jinja_scaffold_renders_the_same_objects() {
    let env = Env::new();
    ok(&env.charter(&["create", "go/app"]));
    ok(&env.charter(&["create", "jinja/app", "--engine", "jinja"]));
    let jinja = env.root.join("jinja/app");
    assert!(
        std::fs::read_to_string(jinja.join("Chart.yaml"))
            .unwrap()
            .contains("\nengine: jinja\n")
    );
    let lint = ok(&env.charter(&["lint", jinja.to_str().unwrap()]));
    assert!(lint.contains("0 chart(s) failed"), "{lint}");
    let charter = env!("CARGO_BIN_EXE_charter");
    for set in VALUE_SETS {
        let strip = |s: String| -> String {
            s.lines()
                .filter(|l| !l.starts_with("# Source: "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            strip(template(&env, charter, &jinja, set)),
            strip(template(&env, charter, &env.root.join("go/app"), set)),
            "--set {set}"
        );
    }
}

#[test]
fn helm_starters_and_errors() {
    let env = Env::new();
    let starter = env.root.join("data/starters/mystarter");
    std::fs::create_dir_all(starter.join("templates")).unwrap();
    std::fs::write(
        starter.join("Chart.yaml"),
        "apiVersion: v2\nname: mystarter\nversion: 9.9.9\ndescription: a starter\n",
    )
    .unwrap();
    std::fs::write(
        starter.join("values.yaml"),
        "# values for <CHARTNAME>\nname: <CHARTNAME>\n",
    )
    .unwrap();
    std::fs::write(
        starter.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: <CHARTNAME>-{{ .Release.Name }}\ndata:\n  v: {{ .Values.name }}\n",
    )
    .unwrap();
    std::fs::write(starter.join("README.md"), "About <CHARTNAME>\n").unwrap();

    ok(&env.charter(&["create", "mine", "--starter", "mystarter"]));
    let mine = env.root.join("mine");
    assert_eq!(
        std::fs::read_to_string(mine.join("Chart.yaml")).unwrap(),
        "apiVersion: v2\nappVersion: 0.1.0\ndescription: A Helm chart for Kubernetes\nname: mine\ntype: application\nversion: 0.1.0\n"
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("values.yaml")).unwrap(),
        "# values for mine\nname: mine\n"
    );
    // Only templates and values.yaml are rewritten, as Helm does.
    assert_eq!(
        std::fs::read_to_string(mine.join("README.md")).unwrap(),
        "About <CHARTNAME>\n"
    );
    let out = template(&env, env!("CARGO_BIN_EXE_charter"), &mine, "");
    assert!(out.contains("name: mine-rel\ndata:\n  v: mine\n"), "{out}");

    // An absolute starter path works too.
    ok(&env.charter(&["create", "abs", "-p", starter.to_str().unwrap()]));
    assert!(env.root.join("abs/templates/cm.yaml").is_file());

    if let Some(helm) = helm() {
        ok(&env
            .cmd(&helm)
            .args(["create", "by-helm", "--starter", "mystarter"])
            .output()
            .unwrap());
        for f in [
            "Chart.yaml",
            "values.yaml",
            "templates/cm.yaml",
            "README.md",
        ] {
            let ours = std::fs::read_to_string(mine.join(f)).unwrap();
            let theirs = std::fs::read_to_string(env.root.join("by-helm").join(f))
                .unwrap()
                .replace("by-helm", "mine");
            assert_eq!(ours, theirs, "{f}");
        }
    }

    // Errors name the problem and exit non-zero.
    let o = env.charter(&["create", "bad name!"]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("chart name must match the regular expression"),
        "{}",
        text(&o.stderr)
    );
    std::fs::write(env.root.join("afile"), "x").unwrap();
    let o = env.charter(&["create", "afile"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("already exists and is not a directory"));
    let o = env.charter(&["create", "x", "--starter", "nope"]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("could not load"),
        "{}",
        text(&o.stderr)
    );

    // Creating over an existing chart overwrites its files and says so.
    ok(&env.charter(&["create", "again"]));
    let out = ok(&env.charter(&["create", "again"]));
    assert!(out.contains("WARNING: File \""), "{out}");
    assert!(
        out.contains("again/Chart.yaml\" already exists. Overwriting.\n"),
        "{out}"
    );
}
