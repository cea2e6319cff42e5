//! Helm 3.17 and Helm 4.1 against charter-sandbox with the project's own charts
//! (`charts/nginx-demo`, `charts/guestbook`) and three large public corpus charts:
//! install --wait, list, status, history, upgrade, test, rollback, uninstall, and
//! the release Secrets Helm leaves behind.

#[path = "common/sandbox.rs"]
mod sandbox_helper;

use std::path::PathBuf;

use sandbox_helper::{Sandbox, tool};

fn repo_path(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// A default StorageClass, as every real cluster has, so PVCs bind.
const STORAGE_CLASS: &str = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: standard\n  annotations:\n    storageclass.kubernetes.io/is-default-class: \"true\"\nprovisioner: sandbox.local/hostpath\n";

fn bundled_lifecycle(helm_major: &str) {
    let sb = Sandbox::start();
    let h = tool(helm_major);
    let k = tool("kubectl");
    let h = h.as_path();
    sb.ok(&k, &["apply", "-f", "-"], Some(STORAGE_CLASS));

    let demo = repo_path("charts/nginx-demo");
    let out = sb.ok(
        h,
        &["install", "demo", &demo, "--wait", "--timeout", "60s"],
        None,
    );
    assert!(out.contains("STATUS: deployed"), "{out}");
    let out = sb.ok(h, &["test", "demo"], None);
    assert!(out.contains("Succeeded"), "{out}");
    sb.ok(
        h,
        &[
            "upgrade",
            "demo",
            &demo,
            "--set",
            "replicaCount=2",
            "--wait",
            "--timeout",
            "60s",
        ],
        None,
    );
    let ready = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "demo-nginx-demo",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ],
        None,
    );
    assert_eq!(ready, "2");
    sb.ok(
        h,
        &["rollback", "demo", "1", "--wait", "--timeout", "60s"],
        None,
    );
    let history = sb.ok(h, &["history", "demo"], None);
    assert!(history.lines().count() >= 4, "{history}");

    let gb = repo_path("charts/guestbook");
    sb.ok(
        h,
        &["install", "gb", &gb, "--wait", "--timeout", "60s"],
        None,
    );
    let status = sb.ok(h, &["status", "gb"], None);
    assert!(status.contains("STATUS: deployed"), "{status}");
    let pvc = sb.ok(
        &k,
        &[
            "get",
            "pvc",
            "gb-database-data",
            "-o",
            "jsonpath={.metadata.name}",
        ],
        None,
    );
    assert_eq!(pvc, "gb-database-data");
    let out = sb.ok(h, &["test", "gb"], None);
    assert!(out.contains("Succeeded"), "{out}");
    let list = sb.ok(h, &["list"], None);
    assert!(list.contains("demo") && list.contains("gb"), "{list}");
    let secrets = sb.ok(
        &k,
        &["get", "secrets", "-l", "owner=helm", "-o", "name"],
        None,
    );
    assert!(secrets.contains("sh.helm.release.v1.gb.v1"), "{secrets}");

    sb.ok(h, &["uninstall", "demo"], None);
    sb.ok(h, &["uninstall", "gb"], None);
    // The PVC carries helm.sh/resource-policy: keep, so it stays, as in a cluster.
    let pvc = sb.ok(&k, &["get", "pvc", "-o", "name"], None);
    assert!(pvc.contains("gb-database-data"), "{pvc}");
    let deploys = sb.ok(&k, &["get", "deploy", "-o", "name"], None);
    assert!(deploys.trim().is_empty(), "{deploys}");
}

#[test]
fn helm3_bundled_charts() {
    bundled_lifecycle("3");
}

#[test]
fn helm4_bundled_charts() {
    bundled_lifecycle("4");
}

/// Large public charts: many kinds, RBAC, CRDs, through a whole release life.
fn corpus_lifecycle(helm_major: &str) {
    let sb = Sandbox::start();
    let h = tool(helm_major);
    let h = h.as_path();
    let k = tool("kubectl");
    sb.ok(&k, &["apply", "-f", "-"], Some(STORAGE_CLASS));
    for (name, chart) in [
        ("apache", "../shared/corpus/charts/bitnami/apache"),
        ("memcached", "../shared/corpus/charts/bitnami/memcached"),
        (
            "kube-state-metrics",
            "../shared/corpus/charts/bitnami/kube-state-metrics",
        ),
    ] {
        let path = repo_path(chart);
        let out = sb.ok(
            h,
            &["install", name, &path, "--wait", "--timeout", "90s"],
            None,
        );
        assert!(out.contains("STATUS: deployed"), "{name}: {out}");
        sb.ok(
            h,
            &[
                "upgrade",
                name,
                &path,
                "--reuse-values",
                "--wait",
                "--timeout",
                "90s",
            ],
            None,
        );
        sb.ok(
            h,
            &["rollback", name, "1", "--wait", "--timeout", "90s"],
            None,
        );
        let history = sb.ok(h, &["history", name], None);
        for rev in ["1", "2", "3"] {
            assert!(
                history.lines().any(|l| l.trim_start().starts_with(rev)),
                "{name}: revision {rev} missing from history:\n{history}"
            );
        }
        assert!(history.contains("Rollback to 1"), "{name}: {history}");
        let status = sb.ok(h, &["status", name], None);
        assert!(status.contains("REVISION: 3"), "{name}: {status}");
        let list = sb.ok(h, &["list"], None);
        assert!(list.contains(name), "{name}: {list}");
        // These charts ship no test hooks: `helm test` runs none and passes.
        let test = sb.ok(h, &["test", name, "--timeout", "60s"], None);
        assert!(test.contains(&format!("NAME: {name}")), "{name}: {test}");
        // What Helm leaves in the server: one Secret per revision, of Helm's type.
        let secrets = sb.ok(
            &k,
            &[
                "get",
                "secrets",
                "-l",
                &format!("owner=helm,name={name}"),
                "-o",
                "jsonpath={range .items[*]}{.type} {.metadata.name}{\"\\n\"}{end}",
            ],
            None,
        );
        for rev in 1..=3 {
            let want = format!("helm.sh/release.v1 sh.helm.release.v1.{name}.v{rev}");
            assert!(secrets.contains(&want), "{name}: {want} not in\n{secrets}");
        }
        sb.ok(h, &["uninstall", name], None);
        let left = sb.ok(
            &k,
            &[
                "get",
                "deployments,statefulsets,services,secrets",
                "-l",
                &format!("app.kubernetes.io/instance={name}"),
                "-o",
                "name",
            ],
            None,
        );
        assert!(left.trim().is_empty(), "{name}: left behind:\n{left}");
    }
}

#[test]
fn helm3_large_corpus_charts() {
    corpus_lifecycle("3");
}

#[test]
fn helm4_large_corpus_charts() {
    corpus_lifecycle("4");
}
