//! Helm's `lookup` template function against the cluster (`install`,
//! `upgrade`): one object by name, or the List of a kind, as a map; a missing
//! object is an empty map, as in Helm (`pkg/engine/lookup_func.go`).

use std::sync::Arc;

use crate::gotmpl::Value;
use crate::kube::{Cluster, Resource};
use crate::render::funcs::Lookup;

/// `lookup` answered by the cluster.
pub struct ClusterLookup(pub Arc<Cluster>);

impl Lookup for ClusterLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        let json = if name.is_empty() {
            self.0
                .list_json(api_version, kind, namespace)
                .map_err(|e| e.to_string())?
        } else {
            let r = Resource {
                api_version: api_version.to_string(),
                kind: kind.to_string(),
                name: name.to_string(),
                namespace: (!namespace.is_empty()).then(|| namespace.to_string()),
                body: serde_json::Value::Null,
            };
            match self.0.get(&r, namespace).map_err(|e| e.to_string())? {
                Some(v) => v,
                None => return Ok(Value::map(Default::default())),
            }
        };
        crate::yaml::from_json(&json.to_string())
    }
}
