//! The sandbox's API surface over plain HTTP with raw requests: discovery, errors as
//! `Status` objects, list paging and selectors, watch from a resourceVersion, dry run,
//! field validation (Strict, Warn with `Warning` headers, Ignore; decoding errors of
//! patches and of server-side apply), fault injection and persistence across restarts.

#[path = "common/sandbox.rs"]
mod sandbox_helper;

use sandbox_helper::{Sandbox, tool};
use serde_json::json;

const JSON: &str = "application/json";

fn cm(name: &str, labels: serde_json::Value) -> String {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels}, "data": {"k": "v"}}).to_string()
}

#[test]
fn discovery_documents() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let (code, v) = sb.json("GET", "/version", JSON, "");
    assert_eq!((code, v["major"].as_str()), (200, Some("1")));
    let (_, v) = sb.json("GET", "/api", JSON, "");
    assert_eq!(v["versions"], json!(["v1"]));
    let (_, v) = sb.json("GET", "/apis", JSON, "");
    let groups: Vec<&str> = v["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g["name"].as_str())
        .collect();
    for g in [
        "apps",
        "batch",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "policy",
        "autoscaling",
        "storage.k8s.io",
        "apiextensions.k8s.io",
        "coordination.k8s.io",
    ] {
        assert!(groups.contains(&g), "{g} missing from {groups:?}");
    }
    let (_, v) = sb.json("GET", "/apis/apps/v1", JSON, "");
    assert!(v["resources"].to_string().contains("deployments/status"));
    let (code, head, _) = sb.http("GET", "/apis", JSON, "");
    assert_eq!(code, 200);
    assert!(head.contains("application/json"), "{head}");
    // Aggregated discovery answers in its own media type.
    let (code, head, body) = aggregated(&sb, "/apis");
    assert_eq!(code, 200);
    assert!(head.contains("as=APIGroupDiscoveryList"), "{head}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(v["kind"], "APIGroupDiscoveryList");
    assert!(body.contains("\"resource\":\"deployments\""));
    let (code, _, _) = sb.http("GET", "/openapi/v2", JSON, "");
    assert_eq!(code, 404, "OpenAPI v2 answered as a server without it");
    let (code, v) = sb.json("GET", "/openapi/v3", JSON, "");
    assert_eq!(code, 200);
    assert!(v["paths"]["apis/apps/v1"]["serverRelativeURL"].is_string());
    // Each group version's document carries its kinds' schemas.
    let (code, v) = sb.json("GET", "/openapi/v3/apis/apps/v1", JSON, "");
    assert_eq!(code, 200);
    let schemas = &v["components"]["schemas"];
    let d = &schemas["io.k8s.api.apps.v1.Deployment"];
    assert_eq!(
        d["x-kubernetes-group-version-kind"][0]["kind"],
        "Deployment"
    );
    let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
    assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
    assert!(schemas.get("io.k8s.api.core.v1.Service").is_none());
}

fn aggregated(sb: &Sandbox, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let host = sb.server.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&host).expect("connects");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nAccept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json\r\nConnection: close\r\n\r\n",
        sb.token
    );
    s.write_all(req.as_bytes()).expect("written");
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, head.to_string(), body.to_string())
}

#[test]
fn errors_are_status_objects() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let (code, v) = sb.json_unauth();
    assert_eq!((code, v["reason"].as_str()), (401, Some("Unauthorized")));
    let (code, v) = sb.json(
        "GET",
        "/api/v1/namespaces/default/configmaps/nope",
        JSON,
        "",
    );
    assert_eq!(code, 404);
    assert_eq!(v["kind"], "Status");
    assert_eq!(v["reason"], "NotFound");
    assert_eq!(v["message"], "configmaps \"nope\" not found");
    let (code, _) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        JSON,
        &cm("a", json!({})),
    );
    assert_eq!(code, 201);
    let (code, v) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        JSON,
        &cm("a", json!({})),
    );
    assert_eq!((code, v["reason"].as_str()), (409, Some("AlreadyExists")));
    let (code, v) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        JSON,
        &cm("Bad_Name", json!({})),
    );
    assert_eq!((code, v["reason"].as_str()), (422, Some("Invalid")));
    assert_eq!(v["details"]["causes"][0]["field"], "metadata.name");
    let (code, v) = sb.json(
        "POST",
        "/api/v1/namespaces/missing/configmaps",
        JSON,
        &cm("a", json!({})),
    );
    assert_eq!(
        (code, v["message"].as_str()),
        (404, Some("namespaces \"missing\" not found"))
    );
    let bad_secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64!"}});
    let (code, v) = sb.json(
        "POST",
        "/api/v1/namespaces/default/secrets",
        JSON,
        &bad_secret.to_string(),
    );
    assert_eq!(
        (code, v["details"]["causes"][0]["field"].as_str()),
        (422, Some("data[k]"))
    );
    let (code, v) = sb.json("DELETE", "/api/v1/namespaces/default", JSON, "");
    assert_eq!((code, v["reason"].as_str()), (403, Some("Forbidden")));
    // Stale resourceVersion on update.
    let stale = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "resourceVersion": "1"}, "data": {}}).to_string();
    let (code, v) = sb.json(
        "PUT",
        "/api/v1/namespaces/default/configmaps/a",
        JSON,
        &stale,
    );
    assert_eq!((code, v["reason"].as_str()), (409, Some("Conflict")));
}

#[test]
fn list_paging_selectors_and_metadata() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    for i in 0..5 {
        let tier = if i % 2 == 0 { "web" } else { "db" };
        let (code, v) = sb.json(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            JSON,
            &cm(&format!("c{i}"), json!({"tier": tier})),
        );
        assert_eq!(code, 201);
        assert!(v["metadata"]["uid"].is_string());
        assert!(v["metadata"]["resourceVersion"].is_string());
        assert!(v["metadata"]["creationTimestamp"].is_string());
        assert!(v["metadata"]["managedFields"].is_array());
    }
    let (_, v) = sb.json(
        "GET",
        "/api/v1/namespaces/default/configmaps?labelSelector=tier%3Dweb",
        JSON,
        "",
    );
    assert_eq!(v["items"].as_array().map(Vec::len), Some(3));
    let (_, v) = sb.json(
        "GET",
        "/api/v1/configmaps?fieldSelector=metadata.name%3Dc1",
        JSON,
        "",
    );
    assert_eq!(v["items"].as_array().map(Vec::len), Some(1));
    let mut names = Vec::new();
    let mut cont = String::new();
    for _ in 0..10 {
        let (_, v) = sb.json(
            "GET",
            &format!("/api/v1/namespaces/default/configmaps?limit=2&continue={cont}"),
            JSON,
            "",
        );
        names.extend(
            v["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|i| i["metadata"]["name"].as_str().map(str::to_string)),
        );
        match v["metadata"]["continue"].as_str() {
            Some(c) => cont = c.replace('=', "%3D"),
            None => break,
        }
    }
    assert_eq!(names, ["c0", "c1", "c2", "c3", "c4"]);
}

#[test]
fn watch_from_resource_version() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let (_, v) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        JSON,
        &cm("w1", json!({})),
    );
    let rv = v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    sb.json(
        "PATCH",
        "/api/v1/namespaces/default/configmaps/w1",
        "application/merge-patch+json",
        r#"{"data":{"k":"2"}}"#,
    );
    sb.json(
        "DELETE",
        "/api/v1/namespaces/default/configmaps/w1",
        JSON,
        "",
    );
    let (code, _, body) = sb.http(
        "GET",
        &format!(
            "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=1"
        ),
        JSON,
        "",
    );
    assert_eq!(code, 200);
    let kinds: Vec<String> = body
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|e| e["type"].as_str().map(str::to_string))
        .collect();
    assert_eq!(kinds, ["MODIFIED", "DELETED"]);
}

#[test]
fn dry_run_and_strict_validation() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let (code, _) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps?dryRun=All",
        JSON,
        &cm("d", json!({})),
    );
    assert_eq!(code, 201);
    let (code, _) = sb.json("GET", "/api/v1/namespaces/default/configmaps/d", JSON, "");
    assert_eq!(code, 404, "dry run stores nothing");
    let bad =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "dta": {}})
            .to_string();
    let (code, v) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
        JSON,
        &bad,
    );
    assert_eq!(code, 400);
    assert!(
        v["message"]
            .as_str()
            .unwrap_or_default()
            .contains("unknown field \"dta\""),
        "{v}"
    );
}

#[test]
fn fault_injection_is_bounded() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let (code, _) = sb.json(
        "PUT",
        "/sandbox/faults",
        JSON,
        r#"{"errorRate": 1.0, "budget": 2}"#,
    );
    assert_eq!(code, 200);
    let codes: Vec<u16> = (0..3)
        .map(|_| sb.json("GET", "/api/v1/namespaces", JSON, "").0)
        .collect();
    assert_eq!(codes, [500, 500, 200]);
    sb.json(
        "PUT",
        "/sandbox/faults",
        JSON,
        r#"{"conflictRate": 1.0, "budget": 1}"#,
    );
    assert_eq!(
        sb.json(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            JSON,
            &cm("f", json!({}))
        )
        .0,
        409
    );
    assert_eq!(
        sb.json(
            "POST",
            "/api/v1/namespaces/default/configmaps",
            JSON,
            &cm("f", json!({}))
        )
        .0,
        201
    );
    sb.json(
        "PUT",
        "/sandbox/faults",
        JSON,
        r#"{"dropRate": 1.0, "budget": 1}"#,
    );
    let (code, _, _) = sb.http("GET", "/api/v1/namespaces", JSON, "");
    assert_eq!(code, 0, "connection dropped without an answer");
    assert_eq!(sb.json("GET", "/api/v1/namespaces", JSON, "").0, 200);
    sb.json("PUT", "/sandbox/faults", JSON, r#"{"latencyMs": 300}"#);
    let t = std::time::Instant::now();
    sb.json("GET", "/api/v1/namespaces", JSON, "");
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
}

#[test]
fn data_dir_persists_across_restarts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data_s = data.display().to_string();
    let sb = Sandbox::start_in(dir, &["--plain-http", "--data-dir", &data_s]);
    let k = tool("kubectl");
    sb.ok(
        &k,
        &["create", "configmap", "keep", "--from-literal=a=1"],
        None,
    );
    let dir = sb.stop();
    let sb = Sandbox::start_in(dir, &["--plain-http", "--data-dir", &data_s]);
    let a = sb.ok(&k, &["get", "cm", "keep", "-o", "jsonpath={.data.a}"], None);
    assert_eq!(a, "1");
}

#[test]
fn controllers_bind_and_address() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let k = tool("kubectl");
    let objs = r#"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: std
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: sandbox
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  ports: [{port: 80}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
"#;
    sb.ok(&k, &["apply", "-f", "-"], Some(objs));
    sb.ok(
        &k,
        &[
            "wait",
            "--for=jsonpath={.status.phase}=Bound",
            "pvc/data",
            "--timeout=20s",
        ],
        None,
    );
    sb.ok(
        &k,
        &["wait", "--for=condition=Complete", "job/j", "--timeout=20s"],
        None,
    );
    sb.ok(
        &k,
        &[
            "wait",
            "--for=jsonpath={.status.loadBalancer.ingress[0].ip}=127.0.0.1",
            "svc/lb",
            "--timeout=20s",
        ],
        None,
    );
}

#[test]
fn status_subresource_and_generation() {
    let sb = Sandbox::start_with(&["--plain-http", "--never-ready"]);
    let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
        "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
    let base = "/apis/apps/v1/namespaces/default/deployments";
    let (code, v) = sb.json("POST", base, JSON, &dep.to_string());
    assert_eq!((code, v["metadata"]["generation"].as_i64()), (201, Some(1)));
    // Status written through the main resource is ignored ...
    let (_, v) = sb.json(
        "PATCH",
        &format!("{base}/d"),
        "application/merge-patch+json",
        r#"{"status":{"replicas":7}}"#,
    );
    assert_ne!(v["status"]["replicas"], 7);
    assert_eq!(v["metadata"]["generation"], 1);
    // ... and through /status it sticks, without bumping generation.
    let (code, v) = sb.json(
        "PATCH",
        &format!("{base}/d/status"),
        "application/merge-patch+json",
        r#"{"status":{"replicas":7}}"#,
    );
    assert_eq!((code, v["status"]["replicas"].as_i64()), (200, Some(7)));
    assert_eq!(v["metadata"]["generation"], 1);
    let (_, v) = sb.json(
        "PATCH",
        &format!("{base}/d"),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":4}}"#,
    );
    assert_eq!(v["metadata"]["generation"], 2);
    // Patching a missing object is NotFound.
    let (code, _) = sb.json(
        "PATCH",
        &format!("{base}/nope"),
        "application/strategic-merge-patch+json",
        "{}",
    );
    assert_eq!(code, 404);
}

#[test]
fn garbage_collection_by_owner_references() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let ns = "/api/v1/namespaces/default/configmaps";
    let (_, owner) = sb.json("POST", ns, JSON, &cm("owner", json!({})));
    let uid = owner["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for name in ["child1", "child2"] {
        let child = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name,
            "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}});
        assert_eq!(sb.json("POST", ns, JSON, &child.to_string()).0, 201);
    }
    let orphan_owner =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner2"}});
    let (_, o2) = sb.json("POST", ns, JSON, &orphan_owner.to_string());
    let uid2 = o2["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kept = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept",
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner2", "uid": uid2}]}});
    sb.json("POST", ns, JSON, &kept.to_string());
    assert_eq!(sb.json("DELETE", &format!("{ns}/owner"), JSON, "").0, 200);
    assert_eq!(sb.json("GET", &format!("{ns}/child1"), JSON, "").0, 404);
    assert_eq!(sb.json("GET", &format!("{ns}/child2"), JSON, "").0, 404);
    let (code, _) = sb.json(
        "DELETE",
        &format!("{ns}/owner2"),
        JSON,
        r#"{"propagationPolicy":"Orphan"}"#,
    );
    assert_eq!(code, 200);
    let (code, v) = sb.json("GET", &format!("{ns}/kept"), JSON, "");
    assert_eq!(code, 200);
    assert!(
        v["metadata"]["ownerReferences"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
}

#[test]
fn unknown_fields_warn_and_patches_are_decoded() {
    let sb = Sandbox::start_with(&["--plain-http"]);
    let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "w", "bogus": 1}, "data": {"k": "v"}, "dta": {}})
    .to_string();
    // No fieldValidation: Warn, one Warning header per unknown field; the fields go.
    let (code, head, text) = sb.http("POST", "/api/v1/namespaces/default/configmaps", JSON, &body);
    assert_eq!(code, 201, "{text}");
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains(r#"warning: 299 - "unknown field \"dta\"""#)
            && head.contains(r#"warning: 299 - "unknown field \"metadata.bogus\"""#),
        "{head}"
    );
    let stored: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert!(stored.get("dta").is_none() && stored["metadata"].get("bogus").is_none());
    // Fields set twice: the last wins, and Strict refuses them.
    let twice = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t"},
        "data": {"k": "1", "k": "2"}}"#;
    let (code, v) = sb.json(
        "POST",
        "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
        JSON,
        twice,
    );
    assert_eq!(code, 400, "{v}");
    assert_eq!(
        v["message"],
        r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.k""#
    );
    let (code, head, text) = sb.http("POST", "/api/v1/namespaces/default/configmaps", JSON, twice);
    assert_eq!(code, 201, "{text}");
    assert!(
        head.to_ascii_lowercase()
            .contains(r#"warning: 299 - "duplicate field \"data.k\"""#),
        "{head}"
    );
    // Ignore: no warning.
    let (code, head, _) = sb.http(
        "PUT",
        "/api/v1/namespaces/default/configmaps/w?fieldValidation=Ignore",
        JSON,
        &body,
    );
    assert_eq!(code, 200);
    assert!(!head.to_ascii_lowercase().contains("warning:"), "{head}");
    // Strict strategic merge patch: 422 naming the patch, as the API server words it.
    let (code, v) = sb.json(
        "PATCH",
        "/api/v1/namespaces/default/configmaps/w?fieldValidation=Strict",
        "application/strategic-merge-patch+json",
        r#"{"dta":{"a":"b"}}"#,
    );
    assert_eq!((code, v["reason"].as_str()), (422, Some("Invalid")), "{v}");
    assert_eq!(
        v["message"],
        r#" "" is invalid: patch: Invalid value: "map[dta:map[a:b]]": strict decoding error: unknown field "dta""#
    );
    assert_eq!(v["details"]["causes"][0]["field"], "patch");
    // A merge patch giving a field the wrong type.
    let (code, v) = sb.json(
        "PATCH",
        "/api/v1/namespaces/default/configmaps/w",
        "application/merge-patch+json",
        r#"{"data":{"k":5}}"#,
    );
    assert_eq!(code, 422, "{v}");
    assert!(
        v["message"].as_str().unwrap_or_default().ends_with(
            "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
        ),
        "{v}"
    );
    // Server-side apply: schema errors are a bare 500, as the API server answers them.
    let (code, v) = sb.json(
        "PATCH",
        "/api/v1/namespaces/default/configmaps/w?fieldManager=t",
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: w}\ndta: {}\n",
    );
    assert_eq!(code, 500, "{v}");
    assert!(v.get("reason").is_none(), "{v}");
    assert_eq!(
        v["message"],
        "failed to create typed patch object (default/w; /v1, Kind=ConfigMap): .dta: field not declared in schema"
    );
    // An associative list element without its key.
    let (code, v) = sb.json(
        "PATCH",
        "/api/v1/namespaces/default/services/s?fieldManager=t",
        "application/apply-patch+yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{name: http}]\n",
    );
    assert_eq!(code, 500, "{v}");
    assert!(
        v["message"].as_str().unwrap_or_default().ends_with(
            r#".spec.ports: element 0: associative list with keys has an element that omits key field "port" (and doesn't have default value)"#
        ),
        "{v}"
    );
}
