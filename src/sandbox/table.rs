//! Server-side `Table` rendering (`meta.k8s.io/v1`), which `kubectl get` asks for so it
//! can print the same columns a real cluster shows (`READY`, `STATUS`, `AGE`, ...).
//! Columns for the common kinds follow the API server's printers; every other kind gets
//! `NAME` and `AGE`.

use serde_json::{Value, json};

/// Whether an `Accept` header asks for a Table.
pub fn wanted(accept: &str) -> bool {
    accept.contains("as=Table")
}

/// Age as kubectl prints it (`45s`, `3m12s`, `5h`, `2d3h`).
pub fn age(created: &str) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(created) else {
        return "<unknown>".into();
    };
    let s = (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
        .num_seconds()
        .max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        }
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        }
    } else if h < 48 {
        format!("{h}h")
    } else if d < 8 {
        match h % 24 {
            0 => format!("{d}d"),
            r => format!("{d}d{r}h"),
        }
    } else {
        format!("{d}d")
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn count(v: &Value) -> usize {
    v.as_object().map(|m| m.len()).unwrap_or(0)
}

/// (column names, cells) for one object of `kind`.
fn columns(group: &str, kind: &str, o: &Value) -> (Vec<&'static str>, Vec<Value>) {
    let spec = &o["spec"];
    let st = &o["status"];
    match (group, kind) {
        ("apps", "Deployment") => (
            vec!["Ready", "Up-to-date", "Available"],
            vec![
                json!(format!(
                    "{}/{}",
                    int(&st["readyReplicas"]),
                    int(&spec["replicas"])
                )),
                json!(int(&st["updatedReplicas"])),
                json!(int(&st["availableReplicas"])),
            ],
        ),
        ("apps", "StatefulSet") => (
            vec!["Ready"],
            vec![json!(format!(
                "{}/{}",
                int(&st["readyReplicas"]),
                int(&spec["replicas"])
            ))],
        ),
        ("apps", "ReplicaSet") => (
            vec!["Desired", "Current", "Ready"],
            vec![
                json!(int(&spec["replicas"])),
                json!(int(&st["replicas"])),
                json!(int(&st["readyReplicas"])),
            ],
        ),
        ("apps", "DaemonSet") => (
            vec!["Desired", "Current", "Ready", "Up-to-date", "Available"],
            vec![
                json!(int(&st["desiredNumberScheduled"])),
                json!(int(&st["currentNumberScheduled"])),
                json!(int(&st["numberReady"])),
                json!(int(&st["updatedNumberScheduled"])),
                json!(int(&st["numberAvailable"])),
            ],
        ),
        ("", "Pod") => {
            let total = spec["containers"].as_array().map(Vec::len).unwrap_or(0);
            let ready = if st["phase"] == "Running" { total } else { 0 };
            (
                vec!["Ready", "Status", "Restarts"],
                vec![
                    json!(format!("{ready}/{total}")),
                    json!(match st["phase"].as_str().unwrap_or("Pending") {
                        "Succeeded" => "Completed",
                        "Failed" => "Error",
                        other => other,
                    }),
                    json!(0),
                ],
            )
        }
        ("", "Service") => {
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    format!(
                        "{}/{}",
                        int(&p["port"]),
                        p["protocol"].as_str().unwrap_or("TCP")
                    )
                })
                .collect();
            let external = st["loadBalancer"]["ingress"][0]["ip"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if spec["type"] == "LoadBalancer" {
                        "<pending>"
                    } else {
                        "<none>"
                    }
                    .to_string()
                });
            (
                vec!["Type", "Cluster-IP", "External-IP", "Port(s)"],
                vec![
                    json!(spec["type"].as_str().unwrap_or("ClusterIP")),
                    json!(spec["clusterIP"].as_str().unwrap_or("<none>")),
                    json!(external),
                    json!(if ports.is_empty() {
                        "<none>".to_string()
                    } else {
                        ports.join(",")
                    }),
                ],
            )
        }
        ("", "ConfigMap") => (
            vec!["Data"],
            vec![json!(count(&o["data"]) + count(&o["binaryData"]))],
        ),
        ("", "Secret") => (
            vec!["Type", "Data"],
            vec![
                json!(o["type"].as_str().unwrap_or("Opaque")),
                json!(count(&o["data"])),
            ],
        ),
        ("", "Namespace") => (
            vec!["Status"],
            vec![json!(st["phase"].as_str().unwrap_or("Active"))],
        ),
        ("", "PersistentVolumeClaim") => (
            vec!["Status", "Volume", "Capacity"],
            vec![
                json!(st["phase"].as_str().unwrap_or("Pending")),
                json!(spec["volumeName"].as_str().unwrap_or("")),
                json!(st["capacity"]["storage"].as_str().unwrap_or("")),
            ],
        ),
        ("batch", "Job") => {
            let done = st["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| {
                    c["status"] == "True" && (c["type"] == "Complete" || c["type"] == "Failed")
                })
                .and_then(|c| c["type"].as_str())
                .unwrap_or("Running");
            (
                vec!["Status", "Completions"],
                vec![
                    json!(done),
                    json!(format!(
                        "{}/{}",
                        int(&st["succeeded"]),
                        spec["completions"].as_i64().unwrap_or(1)
                    )),
                ],
            )
        }
        _ => (vec![], vec![]),
    }
}

/// Renders `objects` (all of one kind) as a Table.
pub fn render(group: &str, kind: &str, objects: &[Value], resource_version: &str) -> Value {
    let probe = objects.first().cloned().unwrap_or(Value::Null);
    let (names, _) = columns(group, kind, &probe);
    let mut defs = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "Name of the object", "priority": 0}),
    ];
    for n in &names {
        defs.push(
            json!({"name": n, "type": "string", "format": "", "description": n, "priority": 0}),
        );
    }
    defs.push(json!({"name": "Age", "type": "string", "format": "", "description": "Time since creation", "priority": 0}));
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut cells = vec![o["metadata"]["name"].clone()];
            let (_, extra) = columns(group, kind, o);
            cells.extend(extra);
            cells.push(json!(age(o["metadata"]["creationTimestamp"].as_str().unwrap_or_default())));
            let mut meta = o["metadata"].clone();
            if let Some(m) = meta.as_object_mut() {
                m.remove("managedFields");
            }
            json!({"cells": cells, "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": defs, "rows": rows})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_like_kubectl() {
        let ago = |s: i64| (chrono::Utc::now() - chrono::Duration::seconds(s)).to_rfc3339();
        assert_eq!(age(&ago(5)), "5s");
        assert_eq!(age(&ago(192)), "3m12s");
        assert_eq!(age(&ago(3600 * 5)), "5h");
        assert_eq!(age(&ago(86400 * 2 + 3600 * 3)), "2d3h");
        assert_eq!(age("junk"), "<unknown>");
    }

    #[test]
    fn deployment_columns() {
        let d = json!({"metadata": {"name": "web", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"replicas": 2}, "status": {"readyReplicas": 1, "updatedReplicas": 2, "availableReplicas": 1}});
        let t = render("apps", "Deployment", &[d], "7");
        assert_eq!(t["rows"][0]["cells"][0], "web");
        assert_eq!(t["rows"][0]["cells"][1], "1/2");
        assert_eq!(t["columnDefinitions"].as_array().map(Vec::len), Some(5));
    }
}
