//! Simulated controllers, so that waiting means something: after a configurable delay
//! workloads report ready replicas and `observedGeneration`, Deployments get a
//! ReplicaSet, Jobs complete, Pods run (or succeed when they never restart, like test
//! hooks), PVCs bind, LoadBalancer Services and Ingresses get an address.
//!
//! Annotations steer them per object: `sandbox.charter.dev/fail: "true"` makes Jobs and
//! Pods fail; `sandbox.charter.dev/never-ready: "true"` (or the `--never-ready` flag)
//! keeps a workload from ever becoming ready. Status is written straight to the store
//! (as a controller's status update would be), which never re-triggers a controller.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::sandbox::Server;
use crate::sandbox::registry::ResourceType;

pub const FAIL: &str = "sandbox.charter.dev/fail";
pub const NEVER_READY: &str = "sandbox.charter.dev/never-ready";

/// A request to reconcile one object.
#[derive(Debug, Clone)]
pub struct Kick {
    pub rt: ResourceType,
    pub namespace: String,
    pub name: String,
}

/// Queues a reconcile of `obj` if its kind has a simulated controller.
pub fn schedule(server: &Server, rt: &ResourceType, obj: &Value) {
    let handled = matches!(
        (rt.group.as_str(), rt.kind.as_str()),
        ("apps", _)
            | ("batch", "Job")
            | ("", "Pod" | "PersistentVolumeClaim" | "Service")
            | ("networking.k8s.io", "Ingress")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
    );
    if !handled {
        return;
    }
    if let Ok(guard) = server.kick.lock()
        && let Some(tx) = guard.as_ref()
    {
        let _ = tx.send(Kick {
            rt: rt.clone(),
            namespace: obj["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            name: obj["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        });
    }
}

/// Runs the controller loop until the server goes away.
pub async fn run(
    server: std::sync::Weak<Server>,
    mut rx: mpsc::UnboundedReceiver<Kick>,
    delay: std::time::Duration,
) {
    while let Some(kick) = rx.recv().await {
        let weak = server.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(server) = weak.upgrade() {
                reconcile(&server, &kick);
            }
        });
    }
}

fn annotated(obj: &Value, key: &str) -> bool {
    obj["metadata"]["annotations"][key].as_str() == Some("true")
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn condition(kind: &str, status: &str, reason: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": reason,
           "lastTransitionTime": now(), "lastUpdateTime": now()})
}

/// Writes the simulated status of one object (and any child it owns).
pub fn reconcile(server: &Arc<Server>, kick: &Kick) {
    let key = kick.rt.storage_key();
    let Ok(mut store) = server.store.lock() else {
        return;
    };
    let Some(obj) = store.get(&key, &kick.namespace, &kick.name).cloned() else {
        return;
    };
    if !obj["metadata"]["deletionTimestamp"].is_null() {
        return;
    }
    let never = server.config.never_ready || annotated(&obj, NEVER_READY);
    let fail = annotated(&obj, FAIL);
    let generation = obj["metadata"]["generation"].clone();
    let replicas = obj["spec"]["replicas"].as_i64().unwrap_or(1);
    let ready = if never { 0 } else { replicas };
    let mut children: Vec<(String, Value)> = Vec::new();
    let status = match (kick.rt.group.as_str(), kick.rt.kind.as_str()) {
        ("apps", "Deployment") => {
            if let Some(rs) = replica_set_for(&obj) {
                let name = rs["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if store
                    .get("apps/replicasets", &kick.namespace, &name)
                    .is_none()
                {
                    children.push(("apps/replicasets".into(), rs));
                } else if let Some(mut existing) = store
                    .get("apps/replicasets", &kick.namespace, &name)
                    .cloned()
                {
                    let mut status = json!({"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready,
                        "fullyLabeledReplicas": replicas, "observedGeneration": existing["metadata"]["generation"]});
                    if ready == 0
                        && let Some(m) = status.as_object_mut()
                    {
                        m.remove("readyReplicas");
                        m.remove("availableReplicas");
                    }
                    if existing["status"] != status {
                        existing["status"] = status;
                        children.push(("apps/replicasets".into(), existing));
                    }
                }
            }
            let mut s = json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
                "readyReplicas": ready, "availableReplicas": ready, "unavailableReplicas": replicas - ready});
            let progressing = if never {
                condition("Progressing", "True", "ReplicaSetUpdated")
            } else {
                condition("Progressing", "True", "NewReplicaSetAvailable")
            };
            let available = if ready >= replicas {
                condition("Available", "True", "MinimumReplicasAvailable")
            } else {
                condition("Available", "False", "MinimumReplicasUnavailable")
            };
            s["conditions"] = json!([available, progressing]);
            s
        }
        ("apps", "ReplicaSet") => json!({"observedGeneration": generation, "replicas": replicas,
            "readyReplicas": ready, "availableReplicas": ready, "fullyLabeledReplicas": replicas}),
        ("apps", "StatefulSet") => {
            let rev = format!("{}-{}", kick.name, short_hash(&obj["spec"]["template"]));
            json!({"observedGeneration": generation, "replicas": replicas, "readyReplicas": ready,
                "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": ready,
                "currentRevision": rev, "updateRevision": rev, "collisionCount": 0})
        }
        ("apps", "DaemonSet") => {
            let r = if never { 0 } else { 1 };
            json!({"observedGeneration": generation, "currentNumberScheduled": 1, "desiredNumberScheduled": 1,
                "numberMisscheduled": 0, "numberReady": r, "numberAvailable": r, "updatedNumberScheduled": 1})
        }
        ("batch", "Job") => {
            let start = obj["status"]["startTime"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(now);
            if never {
                json!({"startTime": start, "active": 1})
            } else if fail {
                json!({"startTime": start, "failed": 1, "conditions": [
                    condition("FailureTarget", "True", "BackoffLimitExceeded"),
                    condition("Failed", "True", "BackoffLimitExceeded")]})
            } else {
                json!({"startTime": start, "completionTime": now(), "succeeded": 1, "ready": 0, "conditions": [
                    condition("SuccessCriteriaMet", "True", "CompletionsReached"),
                    condition("Complete", "True", "CompletionsReached")]})
            }
        }
        ("", "Pod") => {
            let restart = obj["spec"]["restartPolicy"].as_str().unwrap_or("Always");
            let phase = if fail {
                "Failed"
            } else if never {
                "Pending"
            } else if restart == "Always" {
                "Running"
            } else {
                "Succeeded"
            };
            let ready = if phase == "Running" { "True" } else { "False" };
            json!({"phase": phase, "podIP": "10.244.0.10", "hostIP": "127.0.0.1", "startTime": now(),
                "conditions": [condition("PodScheduled", "True", ""), condition("Initialized", "True", ""),
                    condition("ContainersReady", ready, ""), condition("Ready", ready, "")]})
        }
        ("", "PersistentVolumeClaim") => {
            let has_default = store
                .objects
                .get("storage.k8s.io/storageclasses")
                .is_some_and(|b| {
                    b.values().any(|sc| {
                        sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"]
                            == "true"
                    })
                });
            let bound = !never
                && (obj["spec"]["volumeName"].is_string()
                    || obj["spec"]["storageClassName"].is_string()
                    || has_default);
            if bound {
                json!({"phase": "Bound", "accessModes": obj["spec"]["accessModes"],
                    "capacity": {"storage": obj["spec"]["resources"]["requests"]["storage"]}})
            } else {
                json!({"phase": "Pending"})
            }
        }
        ("", "Service") => {
            if obj["spec"]["type"] == "LoadBalancer" && !never {
                json!({"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}})
            } else {
                json!({"loadBalancer": {}})
            }
        }
        ("networking.k8s.io", "Ingress") => {
            if never {
                json!({"loadBalancer": {}})
            } else {
                json!({"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}})
            }
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            let versions: Vec<Value> = obj["spec"]["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|v| v["storage"].as_bool() == Some(true))
                .map(|v| v["name"].clone())
                .collect();
            json!({"acceptedNames": obj["spec"]["names"], "storedVersions": versions, "conditions": [
                condition("NamesAccepted", "True", "NoConflicts"),
                condition("Established", "True", "InitialNamesAccepted")]})
        }
        _ => return,
    };
    let mut changes = Vec::new();
    if !same_status(&obj["status"], &status) {
        let mut next = obj.clone();
        next["status"] = status;
        let rv = store.bump();
        next["metadata"]["resourceVersion"] = json!(rv.to_string());
        changes.push(store.put(&key, next, "MODIFIED"));
    }
    let mut child_kicks = Vec::new();
    for (ckey, mut child) in children {
        let fresh = child["metadata"]["uid"].is_null();
        if fresh {
            child["metadata"]["uid"] = json!(uuid::Uuid::new_v4().to_string());
            child["metadata"]["creationTimestamp"] = json!(now());
            child["metadata"]["generation"] = json!(1);
        }
        let rv = store.bump();
        child["metadata"]["resourceVersion"] = json!(rv.to_string());
        changes.push(store.put(&ckey, child, if fresh { "ADDED" } else { "MODIFIED" }));
        if fresh {
            child_kicks.push(kick.clone());
        }
    }
    let _ = store.save();
    drop(store);
    for c in changes {
        let _ = server.events.send(c);
    }
    for k in child_kicks {
        schedule(
            server,
            &k.rt,
            &json!({"metadata": {"namespace": k.namespace, "name": k.name}}),
        );
    }
}

/// Status equality ignoring condition timestamps, so converged objects are left alone.
fn same_status(a: &Value, b: &Value) -> bool {
    fn strip(v: &Value) -> Value {
        let mut v = v.clone();
        if let Some(conds) = v["conditions"].as_array_mut() {
            for c in conds {
                if let Some(m) = c.as_object_mut() {
                    m.remove("lastTransitionTime");
                    m.remove("lastUpdateTime");
                }
            }
        }
        if let Some(m) = v.as_object_mut() {
            m.remove("completionTime");
            m.remove("startTime");
        }
        v
    }
    strip(a) == strip(b)
}

fn short_hash(v: &Value) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(v.to_string().as_bytes());
    hex::encode(&digest[..5])
}

/// The ReplicaSet a Deployment's current template calls for.
fn replica_set_for(dep: &Value) -> Option<Value> {
    let name = dep["metadata"]["name"].as_str()?;
    let hash = short_hash(&dep["spec"]["template"]);
    let mut template = dep["spec"]["template"].clone();
    template["metadata"]["labels"]["pod-template-hash"] = json!(hash);
    let mut selector = dep["spec"]["selector"].clone();
    selector["matchLabels"]["pod-template-hash"] = json!(hash);
    let mut labels = dep["spec"]["template"]["metadata"]["labels"].clone();
    labels["pod-template-hash"] = json!(hash);
    Some(json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("{name}-{hash}"), "namespace": dep["metadata"]["namespace"],
            "labels": labels,
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name,
                "uid": dep["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"replicas": dep["spec"]["replicas"], "selector": selector, "template": template},
    }))
}
