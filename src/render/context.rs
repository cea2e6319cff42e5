//! What a template sees besides `.Values`: `.Capabilities`, `.Files`, `.Chart`,
//! `.Release` and `.Template`, shaped as Helm shapes them.
//!
//! Helm passes Go structs with methods (`.Capabilities.APIVersions.Has`,
//! `.Files.Glob`), so these are [`Object`]s whose fields, methods, `%v` printing and
//! JSON form match the Go types, down to the type names `typeOf` prints.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::chart::Content;
use base64::Engine as _;

use crate::gotmpl::{FuncError, Map, Object, Value};

/// Helm 3.17.3's build info, as `.Capabilities.HelmVersion` shows it.
pub const HELM_VERSION: &str = "v3.17.3";
const HELM_GIT_COMMIT: &str = "e4da49785aa6e6ee2b86efd5dd9e43400318262b";
const HELM_GO_VERSION: &str = "go1.23.7";

/// The Kubernetes version `template` assumes without `--kube-version` (Helm 3.17.3).
pub const DEFAULT_KUBE_VERSION: &str = "v1.32.0";

/// Helm 3.17.3's default `.Capabilities.APIVersions`, in its order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

fn s(v: &str) -> Value {
    Value::str(v)
}

/// `.Capabilities.KubeVersion` (`chartutil.KubeVersion`).
#[derive(Debug, Clone, PartialEq)]
pub struct KubeVersion {
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl KubeVersion {
    /// Helm's `ParseKubeVersion`: a SemVer (a leading `v` and missing minor/patch
    /// allowed, as Masterminds' parser allows), normalized to `vX.Y.Z`.
    pub fn parse(text: &str) -> Result<KubeVersion, String> {
        let v = crate::chart::constraint::parse_version(text)?;
        Ok(KubeVersion {
            version: format!("v{v}"),
            major: v.major.to_string(),
            minor: v.minor.to_string(),
        })
    }

    pub fn default_version() -> KubeVersion {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.into(),
            major: "1".into(),
            minor: "32".into(),
        }
    }

    fn data(&self) -> Value {
        let mut m = Map::new();
        m.insert("Version".into(), s(&self.version));
        m.insert("Major".into(), s(&self.major));
        m.insert("Minor".into(), s(&self.minor));
        Value::map(m)
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "String" | "GitVersion" => Some(s(&self.version)),
            "Major" => Some(s(&self.major)),
            "Minor" => Some(s(&self.minor)),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(name, "String" | "GitVersion")
    }
    fn format(&self) -> String {
        format!("{{{} {} {}}}", self.version, self.major, self.minor)
    }
    fn stringer(&self) -> Option<String> {
        Some(self.version.clone())
    }

    fn to_data(&self) -> Value {
        self.data()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.APIVersions` (`chartutil.VersionSet`).
#[derive(Debug, Clone, PartialEq)]
pub struct VersionSet(pub Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn kind(&self) -> &str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        if name != "Has" {
            return None;
        }
        Some(match args {
            [Value::String(v)] => Ok(Value::Bool(self.0.iter().any(|x| x.as_str() == &**v))),
            [other] => Err(FuncError::WrongType {
                expected: "string".into(),
                got: other.type_name().into(),
            }),
            _ => Err(FuncError::Arity {
                want: "1".into(),
                got: args.len(),
            }),
        })
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn format(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn to_data(&self) -> Value {
        Value::list(self.0.iter().map(|v| s(v)).collect())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities.HelmVersion` (`version.BuildInfo`).
#[derive(Debug, Clone, PartialEq)]
pub struct BuildInfo;

impl Object for BuildInfo {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(s(HELM_VERSION)),
            "GitCommit" => Some(s(HELM_GIT_COMMIT)),
            "GitTreeState" => Some(s("clean")),
            "GoVersion" => Some(s(HELM_GO_VERSION)),
            _ => None,
        }
    }
    fn format(&self) -> String {
        format!("{{{HELM_VERSION} {HELM_GIT_COMMIT} clean {HELM_GO_VERSION}}}")
    }
    fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("version".into(), s(HELM_VERSION));
        m.insert("git_commit".into(), s(HELM_GIT_COMMIT));
        m.insert("git_tree_state".into(), s("clean"));
        m.insert("go_version".into(), s(HELM_GO_VERSION));
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities` (`*chartutil.Capabilities`).
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    /// Shared, so that `.Capabilities.KubeVersion` and `.APIVersions` give a
    /// template the same object each time instead of a copy (the list holds
    /// Helm's hundred-odd default versions).
    pub kube_version: Arc<KubeVersion>,
    pub api_versions: Arc<VersionSet>,
}

impl Capabilities {
    /// Helm's defaults for `template`, with `--kube-version` and `-a` applied.
    pub fn new(kube_version: Option<KubeVersion>, extra_api_versions: &[String]) -> Capabilities {
        let mut versions: Vec<String> =
            DEFAULT_API_VERSIONS.iter().map(|v| v.to_string()).collect();
        versions.extend(extra_api_versions.iter().cloned());
        Capabilities {
            kube_version: Arc::new(kube_version.unwrap_or_else(KubeVersion::default_version)),
            api_versions: Arc::new(VersionSet(versions)),
        }
    }
}

impl Capabilities {
    /// A cluster's own: its version and exactly the API versions its discovery
    /// lists (what `install` and `upgrade` render with; Helm's defaults are
    /// not added).
    pub fn of_cluster(kube_version: KubeVersion, api_versions: Vec<String>) -> Capabilities {
        Capabilities {
            kube_version: Arc::new(kube_version),
            api_versions: Arc::new(VersionSet(api_versions)),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube_version.clone())),
            "APIVersions" => Some(Value::Object(self.api_versions.clone())),
            "HelmVersion" => Some(Value::object(BuildInfo)),
            _ => None,
        }
    }
    fn format(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.kube_version.format(),
            self.api_versions.format(),
            BuildInfo.format()
        )
    }
    fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("KubeVersion".into(), self.kube_version.data());
        m.insert("APIVersions".into(), self.api_versions.to_data());
        m.insert("HelmVersion".into(), BuildInfo.to_data());
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Files` (`engine.files`): the chart's non-template files by path.
#[derive(Debug, Clone, Default)]
/// The contents are shared with the loaded chart, not copied.
pub struct Files(pub Arc<BTreeMap<String, Content>>);

impl Files {
    pub fn new(files: impl IntoIterator<Item = (String, Content)>) -> Files {
        Files(Arc::new(files.into_iter().collect()))
    }

    fn get_bytes(&self, name: &str) -> Arc<[u8]> {
        Arc::from(self.0.get(name).map_or(&[][..], |b| &b[..]))
    }

    fn glob(&self, pattern: &str) -> Files {
        let matcher = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .or_else(|_| globset::Glob::new("**"))
            .map(|g| g.compile_matcher());
        let Ok(matcher) = matcher else {
            return Files::default();
        };
        Files(Arc::new(
            self.0
                .iter()
                .filter(|(k, _)| matcher.is_match(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    }

    /// A map of base name to content, as Helm's `AsConfig`/`AsSecrets` build it.
    fn by_base_name(&self, encode: bool) -> Value {
        let mut m = Map::new();
        for (k, v) in self.0.iter() {
            let base = k.rsplit('/').next().unwrap_or(k);
            let text = if encode {
                base64::engine::general_purpose::STANDARD.encode(v)
            } else {
                crate::chart::lossy(v).into_owned()
            };
            m.insert(base.to_string(), Value::string(text));
        }
        Value::map(m)
    }

    fn lines(&self, path: &str) -> Value {
        let Some(data) = self.0.get(path) else {
            return Value::list(Vec::new());
        };
        let text = crate::chart::lossy(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        Value::list(text.split('\n').map(s).collect())
    }
}

fn one_string(args: &[Value]) -> Result<&str, FuncError> {
    match args {
        [Value::String(v)] => Ok(v),
        [other] => Err(FuncError::WrongType {
            expected: "string".into(),
            got: other.type_name().into(),
        }),
        _ => Err(FuncError::Arity {
            want: "1".into(),
            got: args.len(),
        }),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind(&self) -> &str {
        "map"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "AsConfig" => Some(Value::string(super::funcs::to_yaml_trimmed(
                &self.by_base_name(false),
            ))),
            "AsSecrets" => Some(Value::string(super::funcs::to_yaml_trimmed(
                &self.by_base_name(true),
            ))),
            _ => self.0.get(name).map(|v| Value::Bytes(Arc::from(&v[..]))),
        }
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        let result = match name {
            "Get" => one_string(args)
                .map(|n| Value::string(crate::chart::lossy(&self.get_bytes(n)).into_owned())),
            "GetBytes" => one_string(args).map(|n| Value::Bytes(self.get_bytes(n))),
            "Glob" => one_string(args).map(|p| Value::object(self.glob(p))),
            "Lines" => one_string(args).map(|p| self.lines(p)),
            "AsConfig" | "AsSecrets" => {
                return Some(
                    self.field(name)
                        .ok_or_else(|| FuncError::failed("unreachable")),
                );
            }
            _ => return None,
        };
        Some(result)
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
        )
    }
    fn format(&self) -> String {
        let mut out = String::new();
        self.push_format(&mut out);
        out
    }
    fn push_format(&self, out: &mut String) {
        out.push_str("map[");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(k);
            out.push(':');
            crate::gotmpl::push_byte_list(out, v);
        }
        out.push(']');
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn to_data(&self) -> Value {
        Value::map(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::Bytes(Arc::from(&v[..]))))
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Chart`: Helm passes `struct { chart.Metadata; IsRoot bool }`, so the chart's
/// fields plus `IsRoot`.
pub struct ChartObject {
    pub metadata: Value,
    pub is_root: bool,
}

impl Object for ChartObject {
    fn type_name(&self) -> &str {
        "struct { chart.Metadata; IsRoot bool }"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "IsRoot" => Some(Value::Bool(self.is_root)),
            "Metadata" => Some(self.metadata.clone()),
            _ => match &self.metadata {
                Value::Object(o) => o.field(name),
                _ => None,
            },
        }
    }
    fn format(&self) -> String {
        let inner = self.metadata.to_string();
        let inner = inner.strip_prefix('&').unwrap_or(&inner).to_string();
        format!("{{{inner} {}}}", self.is_root)
    }
    fn to_data(&self) -> Value {
        let mut m = match &self.metadata {
            Value::Object(o) => match o.to_data() {
                Value::Map(m) => (**m).clone(),
                _ => Map::new(),
            },
            _ => Map::new(),
        };
        m.insert("IsRoot".into(), Value::Bool(self.is_root));
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Release` for a render: Helm passes a plain map.
#[derive(Debug, Clone)]
pub struct ReleaseInfo {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_install: bool,
    pub is_upgrade: bool,
}

impl ReleaseInfo {
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), s(&self.name));
        m.insert("Namespace".into(), s(&self.namespace));
        m.insert("IsUpgrade".into(), Value::Bool(self.is_upgrade));
        m.insert("IsInstall".into(), Value::Bool(self.is_install));
        m.insert("Revision".into(), Value::Int(self.revision));
        m.insert("Service".into(), s("Helm"));
        Value::map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_print_like_helm() {
        let caps = Capabilities::new(None, &[]);
        assert_eq!(caps.kube_version.format(), "{v1.32.0 1 32}");
        assert!(
            caps.format()
                .starts_with("&{{v1.32.0 1 32} [v1 admissionregistration.k8s.io/v1 ")
        );
        assert_eq!(
            BuildInfo.format(),
            "{v3.17.3 e4da49785aa6e6ee2b86efd5dd9e43400318262b clean go1.23.7}"
        );
        let has = caps
            .api_versions
            .call_method("Has", &[Value::str("apps/v1")])
            .and_then(Result::ok);
        assert_eq!(has, Some(Value::Bool(true)));
    }

    #[test]
    fn files_glob_and_lines() {
        let files = Files::new([
            ("files/a.txt".to_string(), b"one\ntwo\n".to_vec().into()),
            ("files/sub/b.txt".to_string(), b"x".to_vec().into()),
            ("other.txt".to_string(), b"y".to_vec().into()),
        ]);
        let g = files.glob("files/*");
        assert_eq!(g.0.len(), 1);
        let g = files.glob("files/**");
        assert_eq!(g.0.len(), 2);
        assert_eq!(files.lines("files/a.txt").to_string(), "[one two]");
        assert_eq!(files.lines("missing").to_string(), "[]");
    }
}
