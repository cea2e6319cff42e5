//! When an object is ready, by Helm 3's rules for `--wait` (`pkg/kube/ready.go`):
//! Pods ready; Deployments with all but their allowed unavailable replicas ready
//! at the current generation; StatefulSets and DaemonSets fully rolled out;
//! ReplicaSets ready; PersistentVolumeClaims bound; Services with a cluster IP
//! (and an ingress point when they are load balancers); CRDs established; Jobs
//! complete with `--wait-for-jobs`. Every other kind is ready once it exists.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Cluster, KubeError, Resource};

fn int(v: &Value, path: &[&str]) -> Option<i64> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_i64()
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str()
}

fn condition(v: &Value, kind: &str) -> Option<String> {
    v.get("status")?
        .get("conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
        .and_then(|c| c.get("status").and_then(Value::as_str))
        .map(str::to_string)
}

/// An int-or-percent field of `total`, rounded down (`round_up`: up), as
/// Kubernetes' `GetScaledValueFromIntOrPercent`.
fn scaled(v: Option<&Value>, total: i64, default_percent: i64, round_up: bool) -> i64 {
    let percent = |p: i64| {
        if round_up {
            (p * total + 99) / 100
        } else {
            p * total / 100
        }
    };
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(s)) => s
            .strip_suffix('%')
            .and_then(|p| p.parse::<i64>().ok())
            .map(percent)
            .unwrap_or(0),
        _ => percent(default_percent),
    }
}

/// Whether `obj` (as the server returns it) is ready; an error when it never
/// will be (a failed Job).
pub fn is_ready(obj: &Value, wait_for_jobs: bool) -> Result<bool, String> {
    let kind = text(obj, &["kind"]).unwrap_or("");
    let generation = int(obj, &["metadata", "generation"]).unwrap_or(0);
    let observed = int(obj, &["status", "observedGeneration"]).unwrap_or(0);
    let replicas = int(obj, &["spec", "replicas"]).unwrap_or(1);
    let status = |k: &str| int(obj, &["status", k]).unwrap_or(0);
    Ok(match kind {
        "Pod" => condition(obj, "Ready").as_deref() == Some("True"),
        "Job" if wait_for_jobs => {
            let backoff = int(obj, &["spec", "backoffLimit"]).unwrap_or(6);
            if status("failed") > backoff || condition(obj, "Failed").as_deref() == Some("True") {
                return Err(format!(
                    "job {} is failed",
                    text(obj, &["metadata", "name"]).unwrap_or("")
                ));
            }
            let completions = int(obj, &["spec", "completions"]).unwrap_or(1);
            status("succeeded") >= completions
        }
        "Deployment" => {
            if obj
                .get("spec")
                .and_then(|s| s.get("paused"))
                .and_then(Value::as_bool)
                == Some(true)
            {
                return Ok(true);
            }
            let rolling = text(obj, &["spec", "strategy", "type"]).unwrap_or("RollingUpdate")
                == "RollingUpdate";
            let unavailable = if rolling && replicas > 0 {
                let ru = obj
                    .get("spec")
                    .and_then(|s| s.get("strategy"))
                    .and_then(|s| s.get("rollingUpdate"));
                let surge = scaled(ru.and_then(|r| r.get("maxSurge")), replicas, 25, true);
                let unavailable = scaled(
                    ru.and_then(|r| r.get("maxUnavailable")),
                    replicas,
                    25,
                    false,
                );
                if surge == 0 && unavailable == 0 {
                    1
                } else {
                    unavailable
                }
            } else {
                0
            };
            observed >= generation
                && status("updatedReplicas") >= replicas
                && status("readyReplicas") >= replicas - unavailable
        }
        "StatefulSet" => {
            let partition = int(
                obj,
                &["spec", "updateStrategy", "rollingUpdate", "partition"],
            )
            .unwrap_or(0);
            observed >= generation
                && status("updatedReplicas") >= replicas - partition
                && status("readyReplicas") >= replicas
        }
        "DaemonSet" => {
            let desired = status("desiredNumberScheduled");
            let unavailable = scaled(
                obj.get("spec")
                    .and_then(|s| s.get("updateStrategy"))
                    .and_then(|s| s.get("rollingUpdate"))
                    .and_then(|r| r.get("maxUnavailable")),
                desired,
                0,
                false,
            )
            .max(if desired > 0 { 1 } else { 0 });
            observed >= generation
                && status("updatedNumberScheduled") >= desired
                && status("numberReady") >= desired - unavailable
        }
        "ReplicaSet" | "ReplicationController" => {
            observed >= generation && status("readyReplicas") >= replicas
        }
        "PersistentVolumeClaim" => text(obj, &["status", "phase"]) == Some("Bound"),
        "Service" => match text(obj, &["spec", "type"]).unwrap_or("ClusterIP") {
            "ExternalName" => true,
            t => {
                let ip = text(obj, &["spec", "clusterIP"]).unwrap_or("");
                let has_ip = !ip.is_empty();
                if t == "LoadBalancer" {
                    let external = obj
                        .get("spec")
                        .and_then(|s| s.get("externalIPs"))
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty());
                    let ingress = obj
                        .get("status")
                        .and_then(|s| s.get("loadBalancer"))
                        .and_then(|l| l.get("ingress"))
                        .and_then(Value::as_array)
                        .is_some_and(|a| !a.is_empty());
                    has_ip && (external || ingress)
                } else {
                    has_ip
                }
            }
        },
        "CustomResourceDefinition" => condition(obj, "Established").as_deref() == Some("True"),
        _ => true,
    })
}

impl Cluster {
    /// Waits until every object is ready (`--wait`), polling at most until
    /// `timeout`; the error names the first object still not ready.
    pub fn wait_ready(
        &self,
        rs: &[Resource],
        default_namespace: &str,
        timeout: Duration,
        wait_for_jobs: bool,
    ) -> Result<(), KubeError> {
        let deadline = Instant::now() + timeout;
        for r in rs {
            loop {
                let ready = match self.get(r, default_namespace)? {
                    Some(obj) => is_ready(&obj, wait_for_jobs).map_err(KubeError::Api)?,
                    None => false,
                };
                if ready {
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(KubeError::Api(format!(
                        "timed out waiting for the condition: {} is not ready after {}s",
                        r.describe(),
                        timeout.as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployments_allow_their_unavailable_replicas() {
        let d = |ready: i64, updated: i64| {
            json!({"kind": "Deployment", "metadata": {"generation": 2},
                   "spec": {"replicas": 4},
                   "status": {"observedGeneration": 2, "updatedReplicas": updated, "readyReplicas": ready}})
        };
        // 25% of 4 may be unavailable.
        assert!(is_ready(&d(3, 4), false).unwrap());
        assert!(!is_ready(&d(2, 4), false).unwrap());
        assert!(!is_ready(&d(4, 3), false).unwrap());
        let old = json!({"kind": "Deployment", "metadata": {"generation": 3}, "spec": {"replicas": 1},
                         "status": {"observedGeneration": 2, "updatedReplicas": 1, "readyReplicas": 1}});
        assert!(!is_ready(&old, false).unwrap());
    }

    #[test]
    fn jobs_wait_only_when_asked_and_failures_are_errors() {
        let job = json!({"kind": "Job", "metadata": {"name": "j"}, "spec": {"backoffLimit": 0}, "status": {"failed": 1}});
        assert!(is_ready(&job, false).unwrap());
        assert_eq!(is_ready(&job, true).unwrap_err(), "job j is failed");
        let done = json!({"kind": "Job", "spec": {}, "status": {"succeeded": 1}});
        assert!(is_ready(&done, true).unwrap());
    }

    #[test]
    fn services_claims_and_pods() {
        assert!(
            is_ready(
                &json!({"kind": "Service", "spec": {"clusterIP": "10.0.0.1"}}),
                false
            )
            .unwrap()
        );
        assert!(!is_ready(&json!({"kind": "Service", "spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.1"}}), false).unwrap());
        assert!(
            is_ready(
                &json!({"kind": "Service", "spec": {"type": "ExternalName"}}),
                false
            )
            .unwrap()
        );
        assert!(
            !is_ready(
                &json!({"kind": "PersistentVolumeClaim", "status": {"phase": "Pending"}}),
                false
            )
            .unwrap()
        );
        assert!(is_ready(&json!({"kind": "Pod", "status": {"conditions": [{"type": "Ready", "status": "True"}]}}), false).unwrap());
        assert!(is_ready(&json!({"kind": "ConfigMap"}), false).unwrap());
    }
}
