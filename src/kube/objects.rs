//! Objects by their manifest: resolving a manifest's `apiVersion` and `kind` to
//! the API's resource (through discovery of that one group version, cached),
//! then creating, reading, deleting and waiting on it, as Helm's kube client does
//! (`pkg/kube/client.go`, `wait.go`).

use std::time::{Duration, Instant};

use kube::api::{Api, DeleteParams, DynamicObject, PostParams, PropagationPolicy};
use kube::core::GroupVersionKind;
use kube::discovery::{ApiResource, Scope, pinned_kind};

use super::{Cluster, KubeError};

/// One object of a manifest: what identifies it, and its whole body.
#[derive(Debug, Clone)]
pub struct Resource {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// `metadata.namespace`, when the manifest sets one.
    pub namespace: Option<String>,
    pub body: serde_json::Value,
}

impl Resource {
    /// Reads the identifying fields of an object's JSON.
    pub fn from_json(body: serde_json::Value) -> Result<Resource, String> {
        let text =
            |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).unwrap_or("").to_string();
        let meta = body.get("metadata");
        let r = Resource {
            api_version: text(body.get("apiVersion")),
            kind: text(body.get("kind")),
            name: text(meta.and_then(|m| m.get("name"))),
            namespace: meta
                .and_then(|m| m.get("namespace"))
                .and_then(|n| n.as_str())
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            body,
        };
        if r.kind.is_empty() || r.api_version.is_empty() {
            return Err("object has no apiVersion or kind".into());
        }
        if r.name.is_empty() {
            return Err(format!("{} has no metadata.name", r.kind));
        }
        Ok(r)
    }

    /// `Kind/name`, for messages.
    pub fn describe(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// How deleting an object treats what it owns (`--cascade`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cascade {
    Background,
    Foreground,
    Orphan,
}

impl Cluster {
    /// The API for an object's kind, in `default_namespace` unless the manifest
    /// names one (cluster-scoped kinds ignore both).
    fn api_for(
        &self,
        r: &Resource,
        default_namespace: &str,
    ) -> Result<Api<DynamicObject>, KubeError> {
        let (ar, namespaced) = self.resolve(&r.api_version, &r.kind)?;
        Ok(if namespaced {
            let ns = r.namespace.as_deref().unwrap_or(default_namespace);
            Api::namespaced_with(self.client.clone(), ns, &ar)
        } else {
            Api::all_with(self.client.clone(), &ar)
        })
    }

    /// The resource serving `kind` in `api_version`, and whether it is namespaced.
    pub fn resolve(&self, api_version: &str, kind: &str) -> Result<(ApiResource, bool), KubeError> {
        let key = format!("{api_version}/{kind}");
        if let Some(found) = self.kinds.lock().expect("kinds cache").get(&key) {
            return Ok(found.clone());
        }
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (ar, caps) = self.block_on(pinned_kind(&self.client, &gvk)).map_err(|e| match &e {
            kube::Error::Discovery(_) | kube::Error::Api(_) => KubeError::Api(format!(
                "resource mapping not found for kind \"{kind}\" in version \"{api_version}\": ensure CRDs are installed first"
            )),
            _ => self.error(&e),
        })?;
        let found = (ar, caps.scope == Scope::Namespaced);
        self.kinds
            .lock()
            .expect("kinds cache")
            .insert(key, found.clone());
        Ok(found)
    }

    /// Creates an object (Helm's `Create`, used for hooks).
    pub fn create(&self, r: &Resource, default_namespace: &str) -> Result<(), KubeError> {
        let api = self.api_for(r, default_namespace)?;
        let obj: DynamicObject = serde_json::from_value(r.body.clone())
            .map_err(|e| KubeError::Api(format!("{}: {e}", r.describe())))?;
        self.block_on(api.create(&PostParams::default(), &obj))
            .map(|_| ())
            .map_err(|e| self.op_error("create", r, &e))
    }

    /// Merges `r`'s body into the existing object (a JSON merge patch), for an
    /// object a release adopts.
    pub fn merge(&self, r: &Resource, default_namespace: &str) -> Result<(), KubeError> {
        let api = self.api_for(r, default_namespace)?;
        let patch = kube::api::Patch::Merge(&r.body);
        self.block_on(api.patch(&r.name, &kube::api::PatchParams::default(), &patch))
            .map(|_| ())
            .map_err(|e| self.op_error("update", r, &e))
    }

    /// Applies a JSON merge patch to an object.
    pub fn merge_patch(
        &self,
        r: &Resource,
        default_namespace: &str,
        patch: &serde_json::Value,
    ) -> Result<(), KubeError> {
        let api = self.api_for(r, default_namespace)?;
        self.block_on(api.patch(
            &r.name,
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(patch),
        ))
        .map(|_| ())
        .map_err(|e| self.op_error("patch", r, &e))
    }

    /// Objects of a kind (`lookup` with no name): the server's List object,
    /// in one namespace or all (`namespace` empty).
    pub fn list_json(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
    ) -> Result<serde_json::Value, KubeError> {
        let (ar, namespaced) = self.resolve(api_version, kind)?;
        let api: Api<DynamicObject> = if namespaced && !namespace.is_empty() {
            Api::namespaced_with(self.client.clone(), namespace, &ar)
        } else {
            Api::all_with(self.client.clone(), &ar)
        };
        let list = self
            .block_on(api.list(&Default::default()))
            .map_err(|e| self.error(&e))?;
        let items: Vec<serde_json::Value> = list
            .items
            .into_iter()
            .map(|o| {
                let mut v = serde_json::to_value(o).unwrap_or_default();
                if let Some(m) = v.as_object_mut() {
                    m.insert("apiVersion".into(), api_version.into());
                    m.insert("kind".into(), kind.into());
                }
                v
            })
            .collect();
        Ok(serde_json::json!({
            "apiVersion": api_version,
            "kind": format!("{kind}List"),
            "metadata": {"resourceVersion": list.metadata.resource_version.unwrap_or_default()},
            "items": items,
        }))
    }

    /// The object as the server has it, `None` when it does not exist.
    pub fn get(
        &self,
        r: &Resource,
        default_namespace: &str,
    ) -> Result<Option<serde_json::Value>, KubeError> {
        let api = self.api_for(r, default_namespace)?;
        let got = self
            .block_on(api.get_opt(&r.name))
            .map_err(|e| self.op_error("get", r, &e))?;
        Ok(got.map(|o| serde_json::to_value(o).unwrap_or_default()))
    }

    /// Deletes an object; `false` when it was already gone.
    pub fn delete(
        &self,
        r: &Resource,
        default_namespace: &str,
        cascade: Cascade,
    ) -> Result<bool, KubeError> {
        let api = self.api_for(r, default_namespace)?;
        let params = DeleteParams {
            propagation_policy: Some(match cascade {
                Cascade::Background => PropagationPolicy::Background,
                Cascade::Foreground => PropagationPolicy::Foreground,
                Cascade::Orphan => PropagationPolicy::Orphan,
            }),
            ..DeleteParams::default()
        };
        match self.block_on(api.delete(&r.name, &params)) {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
            Err(e) => Err(self.op_error("delete", r, &e)),
        }
    }

    /// Waits until every object is gone (Helm's `WaitForDelete`).
    pub fn wait_deleted(
        &self,
        rs: &[Resource],
        default_namespace: &str,
        timeout: Duration,
    ) -> Result<(), KubeError> {
        let deadline = Instant::now() + timeout;
        for r in rs {
            loop {
                if self.get(r, default_namespace)?.is_none() {
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(KubeError::Api(format!(
                        "timed out waiting for {} to be deleted",
                        r.describe()
                    )));
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Ok(())
    }

    /// Waits until a hook's object has done its work (Helm's `WatchUntilReady`):
    /// a Job until it completes, a Pod until it succeeds; either failing is an
    /// error. Other kinds are ready once created.
    pub fn wait_hook(
        &self,
        r: &Resource,
        default_namespace: &str,
        timeout: Duration,
    ) -> Result<(), KubeError> {
        if r.kind != "Job" && r.kind != "Pod" {
            return Ok(());
        }
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(obj) = self.get(r, default_namespace)? {
                let status = obj.get("status");
                if r.kind == "Job" {
                    let conditions = status
                        .and_then(|s| s.get("conditions"))
                        .and_then(|c| c.as_array())
                        .cloned()
                        .unwrap_or_default();
                    for c in conditions {
                        let is = |t: &str| {
                            c.get("type").and_then(|v| v.as_str()) == Some(t)
                                && c.get("status").and_then(|v| v.as_str()) == Some("True")
                        };
                        if is("Complete") {
                            return Ok(());
                        }
                        if is("Failed") {
                            let reason = c.get("reason").and_then(|v| v.as_str()).unwrap_or("");
                            return Err(KubeError::Api(format!("job {} failed: {reason}", r.name)));
                        }
                    }
                } else {
                    match status.and_then(|s| s.get("phase")).and_then(|p| p.as_str()) {
                        Some("Succeeded") => return Ok(()),
                        Some("Failed") => {
                            return Err(KubeError::Api(format!("pod {} failed", r.name)));
                        }
                        _ => {}
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(KubeError::Api(format!(
                    "timed out waiting for the condition: {} not done after {}s",
                    r.describe(),
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A pod's log (`helm test --logs`).
    pub fn pod_logs(&self, namespace: &str, name: &str) -> Result<String, KubeError> {
        let api: Api<k8s_openapi::api::core::v1::Pod> =
            Api::namespaced(self.client.clone(), namespace);
        self.block_on(api.logs(name, &Default::default()))
            .map_err(|e| match &e {
                kube::Error::Api(s) => {
                    KubeError::Api(format!("unable to get pod logs for {name}: {}", s.message))
                }
                _ => self.error(&e),
            })
    }

    fn op_error(&self, verb: &str, r: &Resource, e: &kube::Error) -> KubeError {
        match e {
            kube::Error::Api(s) => {
                KubeError::Api(format!("cannot {verb} {}: {}", r.describe(), s.message))
            }
            other => self.error(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_read_from_json_and_checked() {
        let r = Resource::from_json(serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "x"}})).unwrap();
        assert_eq!(
            (r.describe(), r.namespace.as_deref()),
            ("Pod/p".to_string(), Some("x"))
        );
        assert!(Resource::from_json(serde_json::json!({"kind": "Pod"})).is_err());
        assert!(
            Resource::from_json(serde_json::json!({"apiVersion": "v1", "kind": "Pod"}))
                .unwrap_err()
                .contains("metadata.name")
        );
    }
}
