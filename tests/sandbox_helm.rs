//! Helm 3.17 and Helm 4.1 against charter-sandbox: install --wait, list, status,
//! upgrade, history, test, rollback, uninstall, hooks, and what they leave in the
//! server (release Secrets with Helm's labels, applied objects).

#[path = "common/sandbox.rs"]
mod sandbox_helper;

use std::path::Path;

use sandbox_helper::{Sandbox, chart, tool};

fn lifecycle(helm_major: &str) {
    let sb = Sandbox::start();
    let h = tool(helm_major);
    let k = tool("kubectl");
    let h = h.as_path();
    let app = chart("app");
    let out = sb.ok(
        h,
        &["install", "r1", &app, "--wait", "--timeout", "60s"],
        None,
    );
    assert!(out.contains("STATUS: deployed"), "{out}");
    let list = sb.ok(h, &["list"], None);
    assert!(
        list.contains("r1") && list.contains("deployed") && list.contains("app-0.1.0"),
        "{list}"
    );
    let status = sb.ok(h, &["status", "r1"], None);
    assert!(status.contains("REVISION: 1"), "{status}");
    // What a real cluster would hold: the release Secret and the applied objects.
    let secrets = sb.ok(&k, &["get", "secrets", "-l", "owner=helm,name=r1", "-o", "jsonpath={range .items[*]}{.metadata.name} {.type} {.metadata.labels.status}{\"\\n\"}{end}"], None);
    assert_eq!(
        secrets.trim(),
        "sh.helm.release.v1.r1.v1 helm.sh/release.v1 deployed"
    );
    let ready = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "r1-web",
            "-o",
            "jsonpath={.status.readyReplicas}",
        ],
        None,
    );
    assert_eq!(ready, "2");
    let job = sb.ok(
        &k,
        &[
            "get",
            "job",
            "r1-migrate",
            "-o",
            "jsonpath={.status.succeeded}",
        ],
        None,
    );
    assert_eq!(job, "1", "post-install hook Job ran to completion");

    let out = sb.ok(
        h,
        &[
            "upgrade",
            "r1",
            &app,
            "--set",
            "message=bye",
            "--set",
            "image=nginx:1.28",
            "--wait",
            "--timeout",
            "60s",
        ],
        None,
    );
    assert!(out.contains("has been upgraded"), "{out}");
    let msg = sb.ok(
        &k,
        &["get", "cm", "r1-config", "-o", "jsonpath={.data.message}"],
        None,
    );
    assert_eq!(msg, "bye");
    let c = sb.ok(&k, &["get", "deploy", "r1-web", "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].value} {.metadata.generation}"], None);
    assert_eq!(c, "nginx:1.28 bye 2");

    let test = sb.ok(h, &["test", "r1", "--logs"], None);
    assert!(test.contains("Phase:          Succeeded"), "{test}");
    assert!(test.contains("POD LOGS: r1-test"), "{test}");

    sb.ok(
        h,
        &["rollback", "r1", "1", "--wait", "--timeout", "60s"],
        None,
    );
    let msg = sb.ok(
        &k,
        &["get", "cm", "r1-config", "-o", "jsonpath={.data.message}"],
        None,
    );
    assert_eq!(msg, "hello");
    let history = sb.ok(h, &["history", "r1"], None);
    for want in ["Install complete", "Upgrade complete", "Rollback to 1"] {
        assert!(history.contains(want), "{history}");
    }
    let statuses = sb.ok(
        &k,
        &[
            "get",
            "secrets",
            "-l",
            "owner=helm",
            "-o",
            "jsonpath={.items[*].metadata.labels.status}",
        ],
        None,
    );
    assert_eq!(statuses, "superseded superseded deployed");

    // A forced upgrade replaces objects (PUT); the Service keeps its cluster IP.
    let ip = sb.ok(
        &k,
        &["get", "svc", "r1-web", "-o", "jsonpath={.spec.clusterIP}"],
        None,
    );
    let force: &[&str] = if helm_major == "3" {
        &["--force"]
    } else {
        &["--force-replace", "--server-side=false"]
    };
    let mut args = vec![
        "upgrade",
        "r1",
        app.as_str(),
        "--set",
        "message=forced",
        "--wait",
        "--timeout",
        "60s",
    ];
    args.extend_from_slice(force);
    sb.ok(h, &args, None);
    let msg = sb.ok(
        &k,
        &["get", "cm", "r1-config", "-o", "jsonpath={.data.message}"],
        None,
    );
    assert_eq!(msg, "forced");
    assert_eq!(
        sb.ok(
            &k,
            &["get", "svc", "r1-web", "-o", "jsonpath={.spec.clusterIP}"],
            None
        ),
        ip
    );

    let out = sb.ok(h, &["uninstall", "r1"], None);
    assert!(out.contains("uninstalled"), "{out}");
    let left = sb.ok(&k, &["get", "deploy,svc,cm,secrets", "-o", "name"], None);
    assert!(
        !left.contains("r1-") && !left.contains("sh.helm.release"),
        "{left}"
    );
    assert!(sb.ok(h, &["list", "-q"], None).trim().is_empty());
}

#[test]
fn helm3_lifecycle() {
    lifecycle("3");
}

#[test]
fn helm4_lifecycle() {
    lifecycle("4");
}

fn failures(helm_major: &str) {
    let sb = Sandbox::start();
    let h = tool(helm_major);
    let h: &Path = h.as_path();
    let app = chart("app");
    let err = sb.fails(
        h,
        &[
            "install",
            "slow",
            &app,
            "--set",
            "neverReady=true",
            "--wait",
            "--timeout",
            "3s",
        ],
        None,
    );
    assert!(!err.is_empty());
    let list = sb.ok(h, &["list", "--failed"], None);
    assert!(list.contains("slow") && list.contains("failed"), "{list}");
    sb.ok(
        h,
        &[
            "install",
            "t",
            &app,
            "--set",
            "testFails=true",
            "--wait",
            "--timeout",
            "60s",
        ],
        None,
    );
    let err = sb.fails(h, &["test", "t"], None);
    assert!(err.to_lowercase().contains("fail"), "{err}");
    let err = sb.fails(
        h,
        &[
            "install",
            "hook",
            &app,
            "--set",
            "hookFails=true",
            "--wait",
            "--timeout",
            "60s",
        ],
        None,
    );
    assert!(err.contains("hook") || err.contains("failed"), "{err}");
    // An upgrade that never becomes ready rolls back with --atomic (Helm 4: --rollback-on-failure).
    let atomic = if helm_major == "3" {
        "--atomic"
    } else {
        "--rollback-on-failure"
    };
    sb.fails(
        h,
        &[
            "upgrade",
            "t",
            &app,
            "--set",
            "neverReady=true",
            "--set",
            "message=new",
            atomic,
            "--wait",
            "--timeout",
            "3s",
        ],
        None,
    );
    let k = tool("kubectl");
    let msg = sb.ok(
        &k,
        &["get", "cm", "t-config", "-o", "jsonpath={.data.message}"],
        None,
    );
    assert_eq!(msg, "hello", "rolled back to the first release");
    let history = sb.ok(h, &["history", "t"], None);
    assert!(history.contains("Rollback to 1"), "{history}");
}

#[test]
fn helm3_reports_failures() {
    failures("3");
}

#[test]
fn helm4_reports_failures() {
    failures("4");
}

fn workloads(helm_major: &str) {
    let sb = Sandbox::start();
    let h = tool(helm_major);
    let k = tool("kubectl");
    let h: &Path = h.as_path();
    let chart = chart("workloads");
    sb.ok(
        h,
        &["install", "w", &chart, "--wait", "--timeout", "60s"],
        None,
    );
    let got = sb.ok(&k, &["get", "sts/w-db", "ds/w-agent", "pvc/w-data", "svc/w-lb", "job/w-once", "-o",
        "jsonpath={range .items[*]}{.kind}={.status.readyReplicas}{.status.numberReady}{.status.phase}{.status.loadBalancer.ingress[0].ip}{.status.succeeded}{\"\\n\"}{end}"], None);
    assert_eq!(
        got,
        "StatefulSet=2\nDaemonSet=1\nPersistentVolumeClaim=Bound\nService=127.0.0.1\nJob=1\n"
    );
    sb.ok(
        h,
        &[
            "upgrade",
            "w",
            &chart,
            "--set",
            "replicas=3",
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
            "sts/w-db",
            "-o",
            "jsonpath={.status.readyReplicas}/{.status.observedGeneration}",
        ],
        None,
    );
    assert_eq!(ready, "3/2");
    sb.ok(h, &["uninstall", "w", "--wait"], None);
    let left = sb.ok(
        &k,
        &[
            "get",
            "sts,ds,pvc,svc,job,sa,role,rolebinding,pdb,hpa,ingress",
            "-o",
            "name",
        ],
        None,
    );
    assert!(!left.contains("w-"), "{left}");
}

#[test]
fn helm3_waits_on_every_workload_kind() {
    workloads("3");
}

#[test]
fn helm4_waits_on_every_workload_kind() {
    workloads("4");
}

#[test]
fn never_ready_flag_times_out_waits() {
    let sb = Sandbox::start_with(&["--never-ready"]);
    for major in ["3", "4"] {
        let h = tool(major);
        let name = format!("w{major}");
        let err = sb.fails(
            &h,
            &[
                "install",
                &name,
                &chart("workloads"),
                "--wait",
                "--timeout",
                "3s",
            ],
            None,
        );
        assert!(err.contains("INSTALLATION FAILED"), "{err}");
        sb.ok(&h, &["uninstall", &name], None);
    }
}

fn custom_resources(helm_major: &str) {
    let sb = Sandbox::start();
    let h = tool(helm_major);
    let k = tool("kubectl");
    let h: &Path = h.as_path();
    let chart = chart("crd");
    sb.ok(
        h,
        &["install", "c", &chart, "--wait", "--timeout", "60s"],
        None,
    );
    sb.ok(
        &k,
        &[
            "wait",
            "--for=condition=Established",
            "crd/widgets.example.com",
            "--timeout=20s",
        ],
        None,
    );
    let size = |sb: &Sandbox| {
        sb.ok(
            &k,
            &["get", "widget", "c-widget", "-o", "jsonpath={.spec.size}"],
            None,
        )
    };
    assert_eq!(size(&sb), "1");
    sb.ok(
        h,
        &[
            "upgrade",
            "c",
            &chart,
            "--set",
            "size=3",
            "--wait",
            "--timeout",
            "60s",
        ],
        None,
    );
    assert_eq!(size(&sb), "3");
    sb.ok(h, &["rollback", "c", "1"], None);
    assert_eq!(size(&sb), "1");
    sb.ok(h, &["uninstall", "c"], None);
    let err = sb.fails(&k, &["get", "widget", "c-widget"], None);
    assert!(err.contains("not found"), "{err}");
    // Helm keeps CRDs on uninstall, as on a real cluster.
    sb.ok(&k, &["get", "crd", "widgets.example.com"], None);
}

#[test]
fn helm3_installs_crds_and_custom_resources() {
    custom_resources("3");
}

#[test]
fn helm4_installs_crds_and_custom_resources() {
    custom_resources("4");
}
