//! The resource registry: every kind the sandbox serves (group, version, kind, plural,
//! scope, short names, status subresource), built-in types plus the kinds that
//! CustomResourceDefinitions add at run time. Discovery documents are generated from it,
//! so the URL router, the store and discovery can never disagree about what exists.

use serde_json::{Value, json};

/// One served resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    /// API group; empty for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    /// Whether `/status` is served as a subresource.
    pub status: bool,
    /// Name of the CRD that defined this type, if any.
    pub crd: Option<String>,
}

impl ResourceType {
    /// `apiVersion` as written in objects: `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Storage key prefix, independent of version: `group/plural`.
    pub fn storage_key(&self) -> String {
        format!("{}/{}", self.group, self.plural)
    }

    /// Discovery categories: the kinds `kubectl get all` shows.
    fn categories(&self) -> Value {
        let all = matches!(
            (self.group.as_str(), self.kind.as_str()),
            ("", "Pod" | "Service")
                | (
                    "apps",
                    "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
                )
                | ("batch", "Job" | "CronJob")
                | ("autoscaling", "HorizontalPodAutoscaler")
        );
        if all { json!(["all"]) } else { json!([]) }
    }

    fn verbs() -> Value {
        json!([
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ])
    }

    /// Entry in a legacy `APIResourceList`.
    fn legacy_entries(&self) -> Vec<Value> {
        let mut out = vec![json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": Self::verbs(),
            "shortNames": self.short_names,
            "categories": self.categories(),
            "storageVersionHash": "",
        })];
        if self.status {
            out.push(json!({
                "name": format!("{}/status", self.plural),
                "singularName": "",
                "namespaced": self.namespaced,
                "kind": self.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
        if self.is_pod() {
            out.push(
                json!({"name": "pods/log", "singularName": "", "namespaced": true,
                "kind": "Pod", "verbs": ["get"]}),
            );
        }
        out
    }

    fn is_pod(&self) -> bool {
        self.group.is_empty() && self.kind == "Pod"
    }

    /// Entry in an aggregated `APIGroupDiscovery` version.
    fn aggregated_entry(&self) -> Value {
        let mut entry = json!({
            "resource": self.plural,
            "responseKind": {"group": self.group, "version": self.version, "kind": self.kind},
            "scope": if self.namespaced { "Namespaced" } else { "Cluster" },
            "singularResource": self.singular,
            "verbs": Self::verbs(),
            "categories": self.categories(),
        });
        if !self.short_names.is_empty() {
            entry["shortNames"] = json!(self.short_names);
        }
        if self.status {
            entry["subresources"] = json!([{
                "subresource": "status",
                "responseKind": {"group": self.group, "version": self.version, "kind": self.kind},
                "verbs": ["get", "patch", "update"],
            }]);
        }
        if self.is_pod()
            && let Some(subs) = entry["subresources"].as_array_mut()
        {
            subs.push(json!({"subresource": "log",
                "responseKind": {"group": "", "version": "v1", "kind": "Pod"}, "verbs": ["get"]}));
        }
        entry
    }
}

/// One built-in kind: (group, version, kind, plural, namespaced, short names, status).
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    bool,
);

/// The built-in kinds.
const BUILTIN: &[Builtin] = &[
    ("", "v1", "Namespace", "namespaces", false, &["ns"], true),
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"], false),
    ("", "v1", "Secret", "secrets", true, &[], false),
    ("", "v1", "Service", "services", true, &["svc"], true),
    (
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        &["sa"],
        false,
    ),
    ("", "v1", "Pod", "pods", true, &["po"], true),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
        true,
    ),
    (
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        &["pv"],
        true,
    ),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"], false),
    ("", "v1", "Event", "events", true, &["ev"], false),
    (
        "apps",
        "v1",
        "Deployment",
        "deployments",
        true,
        &["deploy"],
        true,
    ),
    (
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        true,
        &["sts"],
        true,
    ),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"], true),
    (
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        true,
        &["rs"],
        true,
    ),
    ("batch", "v1", "Job", "jobs", true, &[], true),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"], true),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
        true,
    ),
    (
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        false,
        &[],
        false,
    ),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &["netpol"],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        &[],
        false,
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        &["pdb"],
        true,
    ),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
        true,
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
        &["sc"],
        false,
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
        true,
    ),
    (
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        true,
        &[],
        false,
    ),
];

/// All served types, in discovery order.
#[derive(Debug, Clone)]
pub struct Registry {
    types: Vec<ResourceType>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    pub fn new() -> Self {
        let types = BUILTIN
            .iter()
            .map(|(g, v, k, p, ns, short, status)| ResourceType {
                group: (*g).to_string(),
                version: (*v).to_string(),
                kind: (*k).to_string(),
                plural: (*p).to_string(),
                singular: k.to_lowercase(),
                namespaced: *ns,
                short_names: short.iter().map(|s| (*s).to_string()).collect(),
                status: *status,
                crd: None,
            })
            .collect();
        Registry { types }
    }

    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }

    /// Finds the type served at `group/version/plural`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// Finds a type by `apiVersion` and `kind`.
    pub fn find_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceType> {
        let (group, version) = split_api_version(api_version);
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
    }

    /// Replaces the kinds defined by CRD `crd_name` with `types`.
    pub fn set_crd_types(&mut self, crd_name: &str, types: Vec<ResourceType>) {
        self.types.retain(|t| t.crd.as_deref() != Some(crd_name));
        self.types.extend(types);
    }

    /// Groups in discovery order, each with its versions in order.
    fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in &self.types {
            if t.group.is_empty() {
                continue;
            }
            match out.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, versions)) => {
                    if !versions.contains(&t.version) {
                        versions.push(t.version.clone());
                    }
                }
                None => out.push((t.group.clone(), vec![t.version.clone()])),
            }
        }
        out
    }

    /// `GET /api`.
    pub fn api_versions(&self) -> Value {
        json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
        })
    }

    /// `GET /apis`.
    pub fn api_group_list(&self) -> Value {
        let groups: Vec<Value> = self
            .groups()
            .into_iter()
            .map(|(g, versions)| {
                let vs: Vec<Value> = versions
                    .iter()
                    .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                    .collect();
                let preferred = vs.first().cloned().unwrap_or(Value::Null);
                json!({"name": g, "versions": vs, "preferredVersion": preferred})
            })
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    /// `GET /apis/<group>`.
    pub fn api_group(&self, group: &str) -> Option<Value> {
        let (g, versions) = self.groups().into_iter().find(|(g, _)| g == group)?;
        let vs: Vec<Value> = versions
            .iter()
            .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
            .collect();
        let preferred = vs.first().cloned().unwrap_or(Value::Null);
        Some(
            json!({"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": vs, "preferredVersion": preferred}),
        )
    }

    /// `GET /api/v1` or `GET /apis/<group>/<version>`.
    pub fn resource_list(&self, group: &str, version: &str) -> Option<Value> {
        let resources: Vec<Value> = self
            .types
            .iter()
            .filter(|t| t.group == group && t.version == version)
            .flat_map(|t| t.legacy_entries())
            .collect();
        if resources.is_empty() {
            return None;
        }
        let gv = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        Some(
            json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
        )
    }

    /// Aggregated discovery (`apidiscovery.k8s.io/v2`) for `/api` (`core`) or `/apis`.
    pub fn aggregated(&self, core: bool) -> Value {
        let groups: Vec<(String, Vec<String>)> = if core {
            vec![(String::new(), vec!["v1".to_string()])]
        } else {
            self.groups()
        };
        let items: Vec<Value> = groups
            .into_iter()
            .map(|(g, versions)| {
                let vs: Vec<Value> = versions
                    .iter()
                    .map(|v| {
                        let resources: Vec<Value> = self
                            .types
                            .iter()
                            .filter(|t| t.group == g && &t.version == v)
                            .map(|t| t.aggregated_entry())
                            .collect();
                        json!({"version": v, "resources": resources, "freshness": "Current"})
                    })
                    .collect();
                json!({"metadata": {"name": g, "creationTimestamp": null}, "versions": vs})
            })
            .collect();
        json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        })
    }
}

impl Registry {
    /// `GET /openapi/v3`: one entry per group version.
    pub fn openapi_v3_root(&self) -> Value {
        let mut paths = serde_json::Map::new();
        let mut gvs: Vec<(String, String)> = Vec::new();
        for t in &self.types {
            let gv = (t.group.clone(), t.version.clone());
            if !gvs.contains(&gv) {
                gvs.push(gv);
            }
        }
        for (g, v) in gvs {
            let key = if g.is_empty() {
                format!("api/{v}")
            } else {
                format!("apis/{g}/{v}")
            };
            let url = format!("/openapi/v3/{key}?hash={}", self.hash());
            paths.insert(key, json!({"serverRelativeURL": url}));
        }
        json!({"paths": paths})
    }

    /// A fingerprint of the served types, used as the `hash` of OpenAPI v3 URLs.
    fn hash(&self) -> String {
        use sha2::Digest;
        let names: Vec<String> = self
            .types
            .iter()
            .map(|t| format!("{}/{}/{}", t.group, t.version, t.plural))
            .collect();
        hex::encode(sha2::Sha256::digest(names.join(",").as_bytes()))
    }

    /// `GET /openapi/v3/<gv path>`: the operations of a group version (kubectl reads
    /// them to learn that `fieldValidation` is supported) and, for built-in kinds, their
    /// schemas from [`crate::sandbox::schema`] (for `kubectl explain` and kubectl's
    /// patch computation). Custom resources get no schema here.
    pub fn openapi_v3_gv(&self, group: &str, version: &str) -> Option<Value> {
        let types: Vec<&ResourceType> = self
            .types
            .iter()
            .filter(|t| t.group == group && t.version == version)
            .collect();
        if types.is_empty() {
            return None;
        }
        let builtin: Vec<(&str, &str, &str)> = types
            .iter()
            .filter(|t| t.crd.is_none())
            .map(|t| (t.group.as_str(), t.version.as_str(), t.kind.as_str()))
            .collect();
        let schemas = crate::sandbox::schema::openapi_components(&builtin);
        let mut paths = serde_json::Map::new();
        let param = |n: &str| json!({"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
        for t in types {
            let prefix = if group.is_empty() {
                format!("/api/{version}")
            } else {
                format!("/apis/{group}/{version}")
            };
            let base = if t.namespaced {
                format!("{prefix}/namespaces/{{namespace}}/{}", t.plural)
            } else {
                format!("{prefix}/{}", t.plural)
            };
            let gvk = json!({"group": t.group, "version": t.version, "kind": t.kind});
            let op = |action: &str| {
                json!({"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk,
                    "parameters": [param("dryRun"), param("fieldManager"), param("fieldValidation")],
                    "responses": {"200": {"description": "OK"}}})
            };
            paths.insert(
                format!("{base}/{{name}}"),
                json!({
                "get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete")}),
            );
            paths.insert(base, json!({"get": op("list"), "post": op("post")}));
        }
        Some(json!({
            "openapi": "3.0.0",
            "info": {"title": "charter-sandbox", "version": "v1.33.0"},
            "paths": paths,
            "components": {"schemas": schemas},
        }))
    }
}

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// The types a CRD object defines (one per served version).
pub fn crd_types(crd: &Value) -> Result<Vec<ResourceType>, String> {
    let name = crd["metadata"]["name"].as_str().unwrap_or_default();
    let spec = &crd["spec"];
    let group = spec["group"]
        .as_str()
        .ok_or("spec.group: Required value")?
        .to_string();
    let names = &spec["names"];
    let plural = names["plural"]
        .as_str()
        .ok_or("spec.names.plural: Required value")?
        .to_string();
    let kind = names["kind"]
        .as_str()
        .ok_or("spec.names.kind: Required value")?
        .to_string();
    if name != format!("{plural}.{group}") {
        return Err(format!(
            "metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"
        ));
    }
    let singular = names["singular"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_lowercase());
    let short_names: Vec<String> = names["shortNames"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let namespaced = spec["scope"].as_str() != Some("Cluster");
    let versions = spec["versions"]
        .as_array()
        .ok_or("spec.versions: Required value")?;
    let mut out = Vec::new();
    for v in versions {
        if v["served"].as_bool() == Some(false) {
            continue;
        }
        let version = v["name"]
            .as_str()
            .ok_or("spec.versions[].name: Required value")?;
        out.push(ResourceType {
            group: group.clone(),
            version: version.to_string(),
            kind: kind.clone(),
            plural: plural.clone(),
            singular: singular.clone(),
            namespaced,
            short_names: short_names.clone(),
            status: v["subresources"]["status"].is_object(),
            crd: Some(name.to_string()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_builtin_types() {
        let r = Registry::new();
        let d = r.find("apps", "v1", "deployments").map(|t| t.kind.as_str());
        assert_eq!(d, Some("Deployment"));
        assert!(r.find_kind("v1", "Secret").is_some_and(|t| t.namespaced));
        assert!(
            r.find_kind("v1", "Namespace")
                .is_some_and(|t| !t.namespaced)
        );
    }

    #[test]
    fn crd_adds_types() {
        let crd = json!({"metadata": {"name": "widgets.example.com"}, "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true}]}});
        let mut r = Registry::new();
        let types = crd_types(&crd).expect("valid crd");
        r.set_crd_types("widgets.example.com", types);
        assert!(r.find("example.com", "v1", "widgets").is_some());
        let list = r.api_group_list();
        assert!(list.to_string().contains("example.com/v1"));
        r.set_crd_types("widgets.example.com", vec![]);
        assert!(r.find("example.com", "v1", "widgets").is_none());
    }

    #[test]
    fn crd_name_must_match() {
        let crd = json!({"metadata": {"name": "bad"}, "spec": {"group": "e.com",
            "names": {"plural": "ws", "kind": "W"}, "versions": []}});
        assert!(crd_types(&crd).is_err());
    }
}
