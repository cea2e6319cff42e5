//! kubectl 1.33 against charter-sandbox: apply (client-side and server-side), get,
//! patch (strategic merge on containers, ports and env), replace with a stale
//! resourceVersion, SSA ownership and conflicts, wait, delete, namespaces, CRDs.

#[path = "common/sandbox.rs"]
mod sandbox_helper;

use sandbox_helper::{Sandbox, tool};

const DEPLOY: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1
        ports: [{containerPort: 80}]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
      - name: side
        image: busybox:1
"#;

#[test]
fn kubectl_apply_get_wait_delete() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    let out = sb.ok(&k, &["apply", "-f", "-"], Some(DEPLOY));
    assert!(out.contains("deployment.apps/web created"), "{out}");
    let yaml = sb.ok(&k, &["get", "deploy", "web", "-o", "yaml"], None);
    for want in [
        "uid:",
        "resourceVersion:",
        "creationTimestamp:",
        "generation: 1",
        "last-applied-configuration",
    ] {
        assert!(yaml.contains(want), "missing {want} in\n{yaml}");
    }
    sb.ok(
        &k,
        &[
            "wait",
            "--for=condition=Available",
            "deploy/web",
            "--timeout=20s",
        ],
        None,
    );
    let ready = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.status.readyReplicas}/{.status.observedGeneration}",
        ],
        None,
    );
    assert_eq!(ready, "2/1");
    // Server-side Tables give kubectl the columns a real cluster shows.
    let table = sb.ok(&k, &["get", "all"], None);
    assert!(table.contains("READY   UP-TO-DATE   AVAILABLE"), "{table}");
    assert!(table.contains("deployment.apps/web   2/2"), "{table}");
    assert!(table.contains("replicaset.apps/web-"), "{table}");
    // Client-side apply of a change goes through strategic merge patch.
    let changed = DEPLOY.replace("nginx:1", "nginx:2");
    let out = sb.ok(&k, &["apply", "-f", "-"], Some(&changed));
    assert!(out.contains("configured"), "{out}");
    let got = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}",
        ],
        None,
    );
    assert_eq!(got, "nginx:2 2");
    let out = sb.ok(&k, &["delete", "deploy", "web"], None);
    assert!(out.contains("deleted"), "{out}");
    let err = sb.fails(&k, &["get", "deploy", "web"], None);
    assert!(
        err.contains("NotFound") && err.contains("deployments.apps \"web\" not found"),
        "{err}"
    );
    // The ReplicaSet the simulated controller made went with its owner.
    let rs = sb.ok(&k, &["get", "rs", "-o", "name"], None);
    assert_eq!(rs.trim(), "");
}

#[test]
fn strategic_merge_patch_on_containers_ports_env() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    sb.ok(&k, &["apply", "-f", "-"], Some(DEPLOY));
    let patch = r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":443}],"env":[{"name":"B","value":"3"},{"name":"A","$patch":"delete"}]}]}}}}"#;
    sb.ok(
        &k,
        &["patch", "deploy", "web", "--type", "strategic", "-p", patch],
        None,
    );
    let c = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers}",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&c).expect("containers json");
    assert_eq!(
        v[0]["ports"],
        serde_json::json!([{"containerPort": 80}, {"containerPort": 443}])
    );
    assert_eq!(
        v[0]["env"],
        serde_json::json!([{"name": "B", "value": "3"}])
    );
    assert_eq!(v[1]["name"], "side", "untouched container kept");
    // A merge patch replaces the whole list.
    sb.ok(
        &k,
        &[
            "patch",
            "deploy",
            "web",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"}]}}}}"#,
        ],
        None,
    );
    let names = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[*].name}",
        ],
        None,
    );
    assert_eq!(names, "only");
    // JSON patch.
    sb.ok(
        &k,
        &[
            "patch",
            "deploy",
            "web",
            "--type",
            "json",
            "-p",
            r#"[{"op":"replace","path":"/spec/replicas","value":5}]"#,
        ],
        None,
    );
    let r = sb.ok(
        &k,
        &["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"],
        None,
    );
    assert_eq!(r, "5");
}

#[test]
fn stale_update_is_a_conflict() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    sb.ok(
        &k,
        &["create", "configmap", "c", "--from-literal=a=1"],
        None,
    );
    let mut obj: serde_json::Value =
        serde_json::from_str(&sb.ok(&k, &["get", "cm", "c", "-o", "json"], None)).expect("json");
    sb.ok(
        &k,
        &["patch", "cm", "c", "-p", r#"{"data":{"a":"2"}}"#],
        None,
    );
    obj["data"]["a"] = serde_json::json!("3");
    let err = sb.fails(&k, &["replace", "-f", "-"], Some(&obj.to_string()));
    assert!(err.contains("the object has been modified"), "{err}");
    let a = sb.ok(&k, &["get", "cm", "c", "-o", "jsonpath={.data.a}"], None);
    assert_eq!(a, "2");
}

#[test]
fn server_side_apply_ownership_and_conflicts() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    let cm = |v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"{v}\"\n  b: x\n"
        )
    };
    let out = sb.ok(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "alice",
            "-f",
            "-",
        ],
        Some(&cm("1")),
    );
    assert!(out.contains("serverside-applied"), "{out}");
    let mf = sb.ok(
        &k,
        &[
            "get",
            "cm",
            "c",
            "-o",
            "jsonpath={.metadata.managedFields[*].manager}/{.metadata.managedFields[*].operation}",
            "--show-managed-fields",
        ],
        None,
    );
    assert_eq!(mf, "alice/Apply");
    let err = sb.fails(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "bob",
            "-f",
            "-",
        ],
        Some(&cm("2")),
    );
    assert!(
        err.contains("conflict with \"alice\"") && err.contains(".data.a"),
        "{err}"
    );
    sb.ok(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "bob",
            "--force-conflicts",
            "-f",
            "-",
        ],
        Some(&cm("2")),
    );
    let a = sb.ok(&k, &["get", "cm", "c", "-o", "jsonpath={.data.a}"], None);
    assert_eq!(a, "2");
    // alice drops field b (still hers alone): it is removed.
    let only_a = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"2\"\n";
    sb.ok(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "alice",
            "-f",
            "-",
        ],
        Some(only_a),
    );
    let data = sb.ok(&k, &["get", "cm", "c", "-o", "jsonpath={.data}"], None);
    assert_eq!(
        data, r#"{"a":"2","b":"x"}"#,
        "b is co-owned by bob after his forced apply"
    );
    // Fields written by client-side apply belong to an Update manager.
    let d = |v: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  a: \"{v}\"\n")
    };
    sb.ok(&k, &["apply", "-f", "-"], Some(&d("1")));
    let err = sb.fails(&k, &["apply", "--server-side", "-f", "-"], Some(&d("2")));
    assert!(
        err.contains("conflict with \"kubectl-client-side-apply\" using v1: .data.a"),
        "{err}"
    );
    let out = sb.ok(&k, &["apply", "--server-side", "-f", "-"], Some(&d("1")));
    assert!(
        out.contains("serverside-applied"),
        "same value: shared ownership, no conflict"
    );
}

#[test]
fn namespaces_labels_and_crds() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    sb.ok(&k, &["create", "namespace", "team"], None);
    sb.ok(
        &k,
        &[
            "-n",
            "team",
            "create",
            "configmap",
            "one",
            "--from-literal=x=1",
        ],
        None,
    );
    sb.ok(
        &k,
        &["-n", "team", "label", "configmap", "one", "tier=web"],
        None,
    );
    sb.ok(&k, &["-n", "team", "create", "configmap", "two"], None);
    let sel = sb.ok(
        &k,
        &[
            "-n",
            "team",
            "get",
            "cm",
            "-l",
            "tier in (web,db)",
            "-o",
            "name",
        ],
        None,
    );
    assert_eq!(sel.trim(), "configmap/one");
    sb.ok(&k, &["delete", "namespace", "team"], None);
    let err = sb.fails(&k, &["-n", "team", "get", "cm", "one"], None);
    assert!(err.contains("not found"), "{err}");
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;
    sb.ok(&k, &["apply", "-f", "-"], Some(crd));
    let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w1\nspec:\n  size: 3\n";
    sb.ok(&k, &["apply", "-f", "-"], Some(cr));
    let size = sb.ok(
        &k,
        &["get", "wd", "w1", "-o", "jsonpath={.spec.size}"],
        None,
    );
    assert_eq!(size, "3");
}

#[test]
fn faults_switch_per_test_over_https() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    sb.faults(r#"{"conflictRate": 1.0, "budget": 1}"#);
    let err = sb.fails(&k, &["create", "configmap", "f"], None);
    assert!(err.contains("conflict injected"), "{err}");
    sb.ok(&k, &["create", "configmap", "f"], None);
    sb.faults(r#"{"latencyMs": 200}"#);
    let t = std::time::Instant::now();
    sb.ok(&k, &["get", "configmap", "f"], None);
    assert!(t.elapsed() >= std::time::Duration::from_millis(200));
    let state = sb.ok(&k, &["get", "--raw", "/sandbox/faults"], None);
    assert!(state.contains("\"latencyMs\":200"), "{state}");
    sb.faults("{}");
}
