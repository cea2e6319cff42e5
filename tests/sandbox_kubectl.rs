//! kubectl 1.33 against charter-sandbox: apply (client-side and server-side), get,
//! patch (strategic merge on containers, ports, env, volumes and Service ports, driven
//! by the schemas), replace with a stale resourceVersion, SSA ownership and conflicts
//! (associative lists keyed per the schemas), schema validation (`--validate`
//! strict/warn/false, wrong types, required fields), wait, delete, namespaces, CRDs
//! and custom resources checked against their CRD schema.

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

/// DEPLOY with `replicas` set to `replicas` and `spec_extra` added under `spec:`.
fn deploy_with(spec_extra: &str, replicas: &str) -> String {
    DEPLOY.replace(
        "  replicas: 2\n",
        &format!("  replicas: {replicas}\n{spec_extra}"),
    )
}

#[test]
fn schema_validation_strict_warn_and_types() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    let unknown = deploy_with("  foo: 1\n", "2");
    // kubectl's default, --validate=strict, asks the server for Strict field validation.
    let err = sb.fails(
        &k,
        &["apply", "--validate=strict", "-f", "-"],
        Some(&unknown),
    );
    assert!(
        err.contains(
            "Error from server (BadRequest): error when creating \"STDIN\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.foo\""
        ),
        "{err}"
    );
    sb.fails(&k, &["get", "deploy", "web"], None);
    // Warn: the object is created without the field, and kubectl prints the warning.
    let out = sb.run(&k, &["apply", "--validate=warn", "-f", "-"], Some(&unknown));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("Warning: unknown field \"spec.foo\""),
        "{stderr}"
    );
    let spec = sb.ok(
        &k,
        &["get", "deploy", "web", "-o", "jsonpath={.spec}"],
        None,
    );
    assert!(!spec.contains("foo"), "unknown fields are pruned: {spec}");
    // Ignore: nothing printed.
    let nested = DEPLOY.replace("image: busybox:1", "image: busybox:1\n        bogus: true");
    let out = sb.run(&k, &["apply", "--validate=false", "-f", "-"], Some(&nested));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("Warning"), "{stderr}");
    // Strict on an existing object: client-side apply sends a strategic merge patch.
    let err = sb.fails(
        &k,
        &["apply", "--validate=strict", "-f", "-"],
        Some(&nested),
    );
    assert!(
        err.contains(
            "strict decoding error: unknown field \"spec.template.spec.containers[1].bogus\""
        ),
        "{err}"
    );
    // A wrong type is refused whatever the validation mode.
    let typed = deploy_with("", "three").replace("name: web\n  labels", "name: typed\n  labels");
    for mode in ["--validate=strict", "--validate=false"] {
        let err = sb.fails(&k, &["apply", mode, "-f", "-"], Some(&typed));
        assert!(
            err.contains(
                "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
            ),
            "{err}"
        );
    }
    // Server-side apply reports schema errors from its typed conversion.
    let err = sb.fails(&k, &["apply", "--server-side", "-f", "-"], Some(&unknown));
    assert!(
        err.contains(
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema"
        ),
        "{err}"
    );
    let err = sb.fails(&k, &["apply", "--server-side", "-f", "-"], Some(&typed));
    assert!(
        err.contains(".spec.replicas: expected numeric (int or float), got string"),
        "{err}"
    );
    // The OpenAPI v3 documents carry the schemas: kubectl explain reads them.
    let explain = sb.ok(&k, &["explain", "deployment.spec.strategy"], None);
    assert!(
        explain.contains("FIELD: strategy <DeploymentStrategy>")
            && explain.contains("rollingUpdate\t<RollingUpdateDeployment>"),
        "{explain}"
    );
    // Required fields are validated.
    let no_name = DEPLOY.replace("      - name: side\n        image", "      - image");
    let err = sb.fails(
        &k,
        &["apply", "-f", "-"],
        Some(&no_name.replace("name: web\n  labels", "name: other\n  labels")),
    );
    assert!(
        err.contains("The Deployment \"other\" is invalid: spec.template.spec.containers[1].name: Required value"),
        "{err}"
    );
}

#[test]
fn strategic_merge_follows_schema_keys() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    let with_volumes = DEPLOY.replace(
        "      - name: side\n",
        "        volumeMounts: [{name: data, mountPath: /data}]\n      - name: side\n",
    ) + "      volumes: [{name: data, emptyDir: {}}, {name: cache, emptyDir: {}}]\n";
    sb.ok(&k, &["apply", "-f", "-"], Some(&with_volumes));
    // Volumes merge by name, volumeMounts by mountPath, ports by containerPort.
    let patch = r#"{"spec":{"template":{"spec":{
        "volumes":[{"name":"cache","$patch":"delete"},{"name":"conf","configMap":{"name":"c"}}],
        "containers":[{"name":"web","volumeMounts":[{"name":"conf","mountPath":"/etc/conf"}],
          "ports":[{"containerPort":80,"name":"http"}]}]}}}}"#;
    sb.ok(&k, &["patch", "deploy", "web", "-p", patch], None);
    let spec: serde_json::Value = serde_json::from_str(&sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec}",
        ],
        None,
    ))
    .expect("pod spec json");
    let names: Vec<&str> = spec["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names, ["data", "conf"]);
    assert_eq!(
        spec["containers"][0]["volumeMounts"],
        serde_json::json!([{"name": "data", "mountPath": "/data"}, {"name": "conf", "mountPath": "/etc/conf"}])
    );
    assert_eq!(
        spec["containers"][0]["ports"],
        serde_json::json!([{"containerPort": 80, "name": "http"}])
    );
    // `$patch: replace` replaces a merged list; args (no merge strategy) are replaced.
    let patch = r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"Z","value":"9"},{"$patch":"replace"}],"args":["b"]}]}}}}"#;
    sb.ok(&k, &["patch", "deploy", "web", "-p", patch], None);
    let env = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].env}",
        ],
        None,
    );
    assert_eq!(env, r#"[{"name":"Z","value":"9"}]"#);
    // Service ports merge on port.
    let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, name: http}, {port: 443, name: https}]\n";
    sb.ok(&k, &["apply", "-f", "-"], Some(svc));
    sb.ok(
        &k,
        &[
            "patch",
            "svc",
            "s",
            "-p",
            r#"{"spec":{"ports":[{"port":443,"targetPort":8443}]}}"#,
        ],
        None,
    );
    let ports = sb.ok(
        &k,
        &[
            "get",
            "svc",
            "s",
            "-o",
            "jsonpath={.spec.ports[*].name}/{.spec.ports[1].targetPort}",
        ],
        None,
    );
    assert_eq!(ports, "http https/8443");
}

#[test]
fn server_side_apply_merges_associative_lists() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    let ssa = |manager: &str, yaml: &str| {
        sb.ok(
            &k,
            &[
                "apply",
                "--server-side",
                "--field-manager",
                manager,
                "-f",
                "-",
            ],
            Some(yaml),
        )
    };
    let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n";
    ssa(
        "alice",
        &format!(
            "{base}      - name: a\n        image: a:1\n        ports: [{{containerPort: 80}}]\n"
        ),
    );
    // bob adds his own container: the containers list merges by name, no conflict.
    ssa(
        "bob",
        &format!("{base}      - name: b\n        image: b:1\n"),
    );
    let names = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "d",
            "-o",
            "jsonpath={.spec.template.spec.containers[*].name}",
        ],
        None,
    );
    assert_eq!(names, "a b");
    let mf = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "d",
            "-o",
            "jsonpath={.metadata.managedFields}",
            "--show-managed-fields",
        ],
        None,
    );
    assert!(
        mf.contains(r#"k:{\"containerPort\":80,\"protocol\":\"TCP\"}"#),
        "{mf}"
    );
    assert!(mf.contains(r#"k:{\"name\":\"b\"}"#), "{mf}");
    // Changing alice's image as bob conflicts, naming the keyed path.
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
        Some(&format!("{base}      - name: a\n        image: a:2\n")),
    );
    assert!(
        err.contains(r#"conflict with "alice": .spec.template.spec.containers[name="a"].image"#),
        "{err}"
    );
    // alice stops applying her container: it goes, bob's stays.
    ssa(
        "alice",
        &format!("{base}      - name: b\n        image: b:1\n"),
    );
    let names = sb.ok(
        &k,
        &[
            "get",
            "deploy",
            "d",
            "-o",
            "jsonpath={.spec.template.spec.containers[*].name}",
        ],
        None,
    );
    assert_eq!(names, "b");
}

#[test]
fn custom_resources_use_their_crd_schema() {
    let sb = Sandbox::start();
    let k = tool("kubectl");
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              parts:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items: {type: object, properties: {name: {type: string}, count: {type: integer}}}
              tags: {type: array, items: {type: string}}
"#;
    sb.ok(&k, &["apply", "-f", "-"], Some(crd));
    let cr = |body: &str| {
        format!("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {{name: g}}\nspec:\n{body}")
    };
    let err = sb.fails(
        &k,
        &["apply", "--validate=strict", "-f", "-"],
        Some(&cr("  size: 1\n  colour: red\n")),
    );
    assert!(
        err.contains("Gadget in version \"v1\" cannot be handled as a Gadget: strict decoding error: unknown field \"spec.colour\""),
        "{err}"
    );
    let err = sb.fails(&k, &["apply", "-f", "-"], Some(&cr("  size: big\n")));
    assert!(
        err.contains("The Gadget \"g\" is invalid: spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\""),
        "{err}"
    );
    let ssa = |manager: &str, body: &str| {
        sb.ok(
            &k,
            &[
                "apply",
                "--server-side",
                "--field-manager",
                manager,
                "-f",
                "-",
            ],
            Some(&cr(body)),
        )
    };
    ssa("one", "  parts: [{name: px, count: 1}]\n  tags: [a]\n");
    ssa("two", "  parts: [{name: py, count: 2}]\n");
    let parts = sb.ok(
        &k,
        &["get", "gadget", "g", "-o", "jsonpath={.spec.parts[*].name}"],
        None,
    );
    assert_eq!(parts, "px py", "a list-map list merges by its keys");
    sb.ok(
        &k,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "two",
            "--force-conflicts",
            "-f",
            "-",
        ],
        Some(&cr("  parts: [{name: py, count: 2}]\n  tags: [b]\n")),
    );
    let tags = sb.ok(
        &k,
        &["get", "gadget", "g", "-o", "jsonpath={.spec.tags}"],
        None,
    );
    assert_eq!(tags, r#"["b"]"#, "a list without a list type is atomic");
}
