//! Moving a release's objects from one manifest to another (`upgrade`,
//! `rollback`), as Helm 3's `KubeClient.Update` does: each object of the new
//! manifest created when missing, else patched with a three-way merge of the
//! old manifest's object, the new one and the live one; each object only the
//! old manifest had deleted, unless its `helm.sh/resource-policy` says keep.
//!
//! The patch is a JSON merge patch (RFC 7386), which Helm uses for custom
//! resources; for built-in kinds Helm sends a strategic merge patch, which
//! merges lists such as containers by name where a merge patch replaces the
//! list whole. The result is the same object except when something other than
//! the chart added items to such a list (docs/releases.md).

use anyhow::{Result, anyhow};
use serde_json::{Map, Value};

use crate::kube::{Cascade, Cluster, Resource};

fn key(r: &Resource, namespace: &str) -> (String, String, String, String) {
    let group = r.api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
    (
        group.to_string(),
        r.kind.clone(),
        r.namespace.clone().unwrap_or_else(|| namespace.to_string()),
        r.name.clone(),
    )
}

/// The three-way merge patch taking `live` to `modified`: what changed from
/// `original` to `modified` (removals as `null`), and where `live` differs from
/// `modified`, `modified`'s value; fields only `live` has are left alone.
pub fn three_way_patch(original: &Value, modified: &Value, live: &Value) -> Value {
    let empty = Map::new();
    let o = original.as_object().unwrap_or(&empty);
    let m = modified.as_object().unwrap_or(&empty);
    let l = live.as_object().unwrap_or(&empty);
    let mut patch = Map::new();
    for (k, mv) in m {
        let lv = l.get(k);
        match (mv, lv) {
            (Value::Object(_), Some(Value::Object(_))) => {
                let sub = three_way_patch(
                    o.get(k).unwrap_or(&Value::Null),
                    mv,
                    lv.unwrap_or(&Value::Null),
                );
                if sub.as_object().is_some_and(|s| !s.is_empty()) {
                    patch.insert(k.clone(), sub);
                }
            }
            _ => {
                if lv != Some(mv) {
                    patch.insert(k.clone(), mv.clone());
                }
            }
        }
    }
    for k in o.keys() {
        if !m.contains_key(k) && l.contains_key(k) {
            patch.insert(k.clone(), Value::Null);
        }
    }
    Value::Object(patch)
}

/// Applies `target` over `current` (both with ownership metadata already set).
/// Returns the objects it created.
pub fn update(
    cluster: &Cluster,
    current: &[Resource],
    target: &[Resource],
    namespace: &str,
    force: bool,
) -> Result<Vec<Resource>> {
    let mut created = Vec::new();
    for t in target {
        let original = current
            .iter()
            .find(|c| key(c, namespace) == key(t, namespace));
        match cluster.get(t, namespace)? {
            None => {
                cluster
                    .create(t, namespace)
                    .map_err(|e| anyhow!("failed to create resource: {e}"))?;
                created.push(t.clone());
            }
            Some(_) if force => {
                cluster.delete(t, namespace, Cascade::Background)?;
                cluster.wait_deleted(
                    std::slice::from_ref(t),
                    namespace,
                    std::time::Duration::from_secs(60),
                )?;
                cluster
                    .create(t, namespace)
                    .map_err(|e| anyhow!("failed to replace object: {e}"))?;
            }
            Some(live) => {
                let base = original.map(|o| o.body.clone()).unwrap_or(Value::Null);
                let patch = three_way_patch(&base, &t.body, &live);
                if patch.as_object().is_some_and(|p| !p.is_empty()) {
                    cluster.merge_patch(t, namespace, &patch).map_err(|e| {
                        anyhow!("cannot patch {:?} with kind {}: {e}", t.name, t.kind)
                    })?;
                }
            }
        }
    }
    let mut errors = Vec::new();
    for c in current {
        if target
            .iter()
            .any(|t| key(t, namespace) == key(c, namespace))
        {
            continue;
        }
        let keep = match cluster.get(c, namespace) {
            Ok(Some(live)) => live
                .pointer("/metadata/annotations/helm.sh~1resource-policy")
                .and_then(Value::as_str)
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("keep")),
            Ok(None) => continue,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        if keep {
            continue;
        }
        if let Err(e) = cluster.delete(c, namespace, Cascade::Background) {
            errors.push(e.to_string());
        }
    }
    if !errors.is_empty() {
        return Err(anyhow!("failed to delete resources: {}", errors.join("; ")));
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_change_what_the_chart_changed_and_keep_the_rest() {
        let original = json!({"spec": {"replicas": 1, "paused": false}, "data": {"a": "1"}});
        let modified = json!({"spec": {"replicas": 3}, "data": {"a": "1"}});
        let live = json!({"spec": {"replicas": 1, "paused": false, "progressDeadlineSeconds": 600}, "data": {"a": "1"}, "status": {}});
        assert_eq!(
            three_way_patch(&original, &modified, &live),
            json!({"spec": {"replicas": 3, "paused": null}})
        );
        // Someone changed a field the chart sets: it is set back.
        let live = json!({"spec": {"replicas": 5}, "data": {"a": "2"}});
        assert_eq!(
            three_way_patch(&modified, &modified, &live),
            json!({"spec": {"replicas": 3}, "data": {"a": "1"}})
        );
        // Nothing to do.
        assert_eq!(three_way_patch(&modified, &modified, &modified), json!({}));
    }
}
