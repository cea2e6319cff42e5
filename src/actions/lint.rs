//! `lint`: Helm's chart checks with Helm's messages and severities: Chart.yaml
//! (name, apiVersion, version, maintainers, sources, icon, v1/v2 rules), values
//! (file present, parses, meets the schema with the overrides), templates (render
//! in lint mode, where `required` and `fail` only log; allowed extensions;
//! removed features; each YAML document parses; resource names; deprecated APIs).

use std::path::{Path, PathBuf};

use crate::chart::{self, constraint};
use crate::gotmpl::{Map, Value};
use crate::render::context::{Capabilities, KubeVersion, ReleaseInfo};
use crate::render::engine::{self, RenderInput};
use crate::render::funcs::FuncOptions;
use crate::values;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: `[SEVERITY] path: message`.
#[derive(Debug, Clone)]
pub struct Message {
    pub severity: Severity,
    pub path: String,
    pub text: String,
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.severity.label(),
            self.path,
            self.text
        )
    }
}

/// The result of linting one chart.
#[derive(Debug, Default)]
pub struct LintResult {
    pub messages: Vec<Message>,
    /// A failure that stopped linting before any rule ran.
    pub fatal: Option<String>,
}

impl LintResult {
    pub fn highest(&self) -> Option<Severity> {
        self.messages.iter().map(|m| m.severity).max()
    }

    /// Whether the chart fails (errors, or warnings with `--strict`).
    pub fn failed(&self, strict: bool) -> bool {
        self.fatal.is_some()
            || self
                .highest()
                .is_some_and(|s| s == Severity::Error || (strict && s == Severity::Warning))
    }

    fn add(&mut self, severity: Severity, path: &str, text: impl Into<String>) {
        self.messages.push(Message {
            severity,
            path: path.to_string(),
            text: text.into(),
        });
    }
}

pub struct LintOptions {
    pub namespace: String,
    pub kube_version: Option<KubeVersion>,
    pub user_values: Map,
    pub skip_schema_validation: bool,
}

/// Kubernetes API deprecations as Helm's lint reports them: group/version, kind,
/// the minor version that deprecated it, the one that removed it, the replacement.
const DEPRECATIONS: &[(&str, &str, u32, u32, &str)] = &[
    (
        "extensions/v1beta1",
        "Ingress",
        14,
        22,
        "networking.k8s.io/v1 Ingress",
    ),
    (
        "extensions/v1beta1",
        "Deployment",
        8,
        16,
        "apps/v1 Deployment",
    ),
    (
        "extensions/v1beta1",
        "DaemonSet",
        8,
        16,
        "apps/v1 DaemonSet",
    ),
    (
        "extensions/v1beta1",
        "ReplicaSet",
        8,
        16,
        "apps/v1 ReplicaSet",
    ),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        9,
        16,
        "networking.k8s.io/v1 NetworkPolicy",
    ),
    (
        "extensions/v1beta1",
        "PodSecurityPolicy",
        10,
        16,
        "policy/v1beta1 PodSecurityPolicy",
    ),
    ("apps/v1beta1", "Deployment", 9, 16, "apps/v1 Deployment"),
    ("apps/v1beta1", "StatefulSet", 9, 16, "apps/v1 StatefulSet"),
    ("apps/v1beta2", "Deployment", 9, 16, "apps/v1 Deployment"),
    ("apps/v1beta2", "StatefulSet", 9, 16, "apps/v1 StatefulSet"),
    ("apps/v1beta2", "DaemonSet", 9, 16, "apps/v1 DaemonSet"),
    ("apps/v1beta2", "ReplicaSet", 9, 16, "apps/v1 ReplicaSet"),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        19,
        22,
        "networking.k8s.io/v1 Ingress",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        19,
        22,
        "networking.k8s.io/v1 IngressClassList",
    ),
    (
        "policy/v1beta1",
        "PodDisruptionBudget",
        21,
        25,
        "policy/v1 PodDisruptionBudget",
    ),
    ("policy/v1beta1", "PodSecurityPolicy", 21, 25, ""),
    ("batch/v1beta1", "CronJob", 21, 25, "batch/v1 CronJob"),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        22,
        25,
        "autoscaling/v2 HorizontalPodAutoscaler",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        23,
        26,
        "autoscaling/v2 HorizontalPodAutoscaler",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        17,
        22,
        "rbac.authorization.k8s.io/v1 ClusterRole",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        17,
        22,
        "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        17,
        22,
        "rbac.authorization.k8s.io/v1 Role",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        17,
        22,
        "rbac.authorization.k8s.io/v1 RoleBinding",
    ),
    (
        "apiextensions.k8s.io/v1beta1",
        "CustomResourceDefinition",
        16,
        22,
        "apiextensions.k8s.io/v1 CustomResourceDefinition",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        16,
        22,
        "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        16,
        22,
        "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    ),
    (
        "storage.k8s.io/v1beta1",
        "StorageClass",
        19,
        22,
        "storage.k8s.io/v1 StorageClass",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        14,
        22,
        "scheduling.k8s.io/v1 PriorityClass",
    ),
    (
        "coordination.k8s.io/v1beta1",
        "Lease",
        19,
        22,
        "coordination.k8s.io/v1 Lease",
    ),
    (
        "discovery.k8s.io/v1beta1",
        "EndpointSlice",
        21,
        25,
        "discovery.k8s.io/v1 EndpointSlice",
    ),
    (
        "events.k8s.io/v1beta1",
        "Event",
        22,
        25,
        "events.k8s.io/v1 Event",
    ),
    (
        "node.k8s.io/v1beta1",
        "RuntimeClass",
        22,
        25,
        "node.k8s.io/v1 RuntimeClass",
    ),
];

/// Lints one chart directory or archive.
pub fn lint(path: &Path, opts: &LintOptions) -> LintResult {
    let mut r = LintResult::default();
    let (_tmp, dir) = match unpack_if_archive(path) {
        Ok(x) => x,
        Err(e) => {
            r.fatal = Some(e);
            return r;
        }
    };
    let chart_yaml = dir.join("Chart.yaml");
    if let Err(e) = std::fs::metadata(&chart_yaml) {
        r.fatal = Some(format!(
            "unable to check Chart.yaml file in chart: stat {}: {}",
            chart_yaml.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".into()
            } else {
                e.to_string()
            }
        ));
        return r;
    }
    chart_file_rules(&dir, &mut r);
    values_rules(&dir, opts, &mut r);
    template_rules(&dir, opts, &mut r);
    dependency_rules(&dir, &mut r);
    r
}

fn unpack_if_archive(path: &Path) -> Result<(Option<tempfile::TempDir>, PathBuf), String> {
    if path.is_dir() {
        return Ok((None, path.to_path_buf()));
    }
    let data = std::fs::read(path).map_err(|e| format!("unable to open tarball: {e}"))?;
    let files =
        chart::archive_files(&data).map_err(|e| format!("unable to extract tarball: {e}"))?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    for f in files {
        let p = tmp.path().join(&f.name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::write(&p, &f.data).map_err(|e| e.to_string())?;
    }
    let dir = tmp.path().to_path_buf();
    Ok((Some(tmp), dir))
}

fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    !scheme.is_empty() && scheme.bytes().all(|b| b.is_ascii_alphabetic()) && !rest.is_empty()
}

fn chart_file_rules(dir: &Path, r: &mut LintResult) {
    const F: &str = "Chart.yaml";
    let path = dir.join(F);
    if path.is_dir() {
        r.add(Severity::Error, F, "should be a file, not a directory");
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let doc = match crate::yaml::parse_value(&text) {
        Ok(v) => v,
        Err(e) => {
            r.add(
                Severity::Error,
                F,
                format!("unable to parse YAML\n\terror converting YAML to JSON: {e}"),
            );
            return;
        }
    };
    let meta = match chart::Metadata::parse(&text) {
        Ok(m) => m,
        Err(e) => {
            r.add(Severity::Error, F, format!("unable to parse YAML\n\t{e}"));
            return;
        }
    };
    let raw = doc.as_map().cloned().unwrap_or_default();
    if meta.name.is_empty() {
        r.add(Severity::Error, F, "name is required");
    } else if meta.name.contains('/') || meta.name == "." || meta.name == ".." {
        r.add(
            Severity::Error,
            F,
            format!("chart name {:?} is invalid", meta.name),
        );
    }
    match meta.api_version.as_str() {
        "" => r.add(
            Severity::Error,
            F,
            "apiVersion is required. The value must be either \"v1\" or \"v2\"",
        ),
        "v1" | "v2" => {}
        other => r.add(
            Severity::Error,
            F,
            format!("apiVersion '{other}' is not valid. The value must be either \"v1\" or \"v2\""),
        ),
    }
    for key in ["version", "appVersion"] {
        if let Some(v) = raw.get(key)
            && !matches!(v, Value::String(_) | Value::Nil)
        {
            let ty = match v {
                Value::Float(f) if f.fract() == 0.0 => "int",
                Value::Float(_) => "float64",
                Value::Bool(_) => "bool",
                _ => "map",
            };
            r.add(
                Severity::Error,
                F,
                format!("{key} should be of type string but it's of type {ty}"),
            );
        }
    }
    if meta.version.is_empty() {
        r.add(Severity::Error, F, "version is required");
    } else if constraint::parse_version(&meta.version).is_err() {
        r.add(
            Severity::Error,
            F,
            format!("version '{}' is not a valid SemVer", meta.version),
        );
    }
    for m in &meta.maintainers {
        if m.name.is_empty() {
            r.add(Severity::Error, F, "each maintainer requires a name");
        } else if !m.email.is_empty() && !m.email.contains('@') {
            r.add(
                Severity::Error,
                F,
                format!("invalid email '{}' for maintainer '{}'", m.email, m.name),
            );
        } else if !m.url.is_empty() && !is_url(&m.url) {
            r.add(
                Severity::Error,
                F,
                format!("invalid url '{}' for maintainer '{}'", m.url, m.name),
            );
        }
    }
    for s in &meta.sources {
        if !is_url(s) {
            r.add(Severity::Error, F, format!("invalid source URL '{s}'"));
        }
    }
    if meta.icon.is_empty() {
        r.add(Severity::Info, F, "icon is recommended");
    } else if !is_url(&meta.icon) {
        r.add(
            Severity::Error,
            F,
            format!("invalid icon URL '{}'", meta.icon),
        );
    }
    if meta.api_version == "v1" {
        if raw.contains_key("dependencies") {
            r.add(
                Severity::Error,
                F,
                "dependencies are not valid in the Chart file with apiVersion 'v1'. They are valid in apiVersion 'v2'",
            );
        }
        if raw.contains_key("type") {
            r.add(
                Severity::Error,
                F,
                "chart type is not valid in apiVersion 'v1'. It is valid in apiVersion 'v2'",
            );
        }
    }
}

fn values_rules(dir: &Path, opts: &LintOptions, r: &mut LintResult) {
    const F: &str = "values.yaml";
    let path = dir.join(F);
    let Ok(text) = std::fs::read_to_string(&path) else {
        r.add(Severity::Info, F, "file does not exist");
        return;
    };
    let values = match crate::yaml::unmarshal_map(&text) {
        Ok(v) => v,
        Err(e) => {
            r.add(Severity::Error, F, format!("unable to parse YAML: {e}"));
            return;
        }
    };
    if opts.skip_schema_validation {
        return;
    }
    let Ok(schema) = std::fs::read(dir.join("values.schema.json")) else {
        return;
    };
    let mut merged = opts.user_values.clone();
    values::coalesce_tables(&mut merged, &values, false);
    let probe = chart::Chart {
        schema: Some(schema.into()),
        ..chart::Chart::default()
    };
    if let Err(e) = values::validate_schemas(&probe, &merged) {
        let text =
            e.0.lines()
                .filter(|l| l.starts_with("- "))
                .map(|l| l[2..].to_string())
                .collect::<Vec<_>>()
                .join("\n");
        r.add(Severity::Error, F, text);
    }
}

fn template_rules(dir: &Path, opts: &LintOptions, r: &mut LintResult) {
    const F: &str = "templates/";
    let templates = dir.join("templates");
    if templates.exists() && !templates.is_dir() {
        r.add(Severity::Warning, F, "not a directory");
        return;
    }
    let mut chart = match chart::load(dir) {
        Ok(c) => c,
        Err(e) => {
            r.add(Severity::Error, F, e.0);
            return;
        }
    };
    if values::process_dependencies(&mut chart, &opts.user_values).is_err() {
        return;
    }
    let Ok(cvals) = values::coalesce_values(&chart, &opts.user_values) else {
        return;
    };
    let vals = match values::coalesce_values(&chart, &cvals) {
        Ok(v) => v,
        Err(e) => {
            r.add(Severity::Error, F, e.0);
            return;
        }
    };
    if !opts.skip_schema_validation
        && let Err(e) = values::validate_schemas(&chart, &vals)
    {
        r.add(Severity::Error, F, e.0);
        return;
    }
    let caps = std::sync::Arc::new(Capabilities::new(opts.kube_version.clone(), &[]));
    let release = ReleaseInfo {
        name: "test-release".into(),
        namespace: opts.namespace.clone(),
        revision: 1,
        is_install: false,
        is_upgrade: false,
    };
    let input = RenderInput {
        chart: &chart,
        values: &vals,
        release: release.to_value(),
        capabilities: caps.clone(),
        process_exits_after: false,
        parsed_ahead: None,
    };
    let funcs = FuncOptions {
        lint_mode: true,
        ..FuncOptions::default()
    };
    let rendered = match engine::render(&input, &funcs) {
        Ok(m) => m,
        Err(e) => {
            r.add(Severity::Error, F, e.0);
            return;
        }
    };
    let minor: u32 = caps
        .kube_version
        .minor
        .trim_end_matches('+')
        .parse()
        .unwrap_or(0);
    for t in &chart.templates {
        let name = &t.name;
        let data = String::from_utf8_lossy(&t.data);
        let ext = Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("");
        // A Jinja chart's partials are `.j2` files (docs/jinja.md).
        let jinja = chart.metadata.engine.as_deref() == Some("jinja");
        let valid = matches!(ext, "yaml" | "yml" | "tpl" | "txt") || (jinja && ext == "j2");
        if !valid {
            r.add(
                Severity::Error,
                name,
                format!("file extension '{}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt", if ext.is_empty() { String::new() } else { format!(".{ext}") }),
            );
        }
        if data.contains("crd-install") {
            r.add(Severity::Warning, name, "manifest is a crd-install hook. This hook is no longer supported in v3 and all CRDs should also exist the crds/ directory at the top level of the chart");
        }
        if data.contains(".Release.Time") {
            r.add(Severity::Error, name, ".Release.Time has been removed in v3, please replace with the `now` function in your templates");
        }
        if ext != "yaml" {
            continue;
        }
        let Some(content) = rendered.get(&format!("{}/{name}", chart.name())) else {
            continue;
        };
        if crate::render::manifest::trim_space(content).is_empty() {
            continue;
        }
        if let Some(line) = content.lines().find(|l| {
            l.starts_with(' ') && !l.trim().is_empty() && !l.trim_start().starts_with('#')
        }) && content
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            == Some(line)
        {
            r.add(Severity::Warning, name, format!("document starts with an illegal indent: {line:?}, which may cause parsing problems"));
        }
        let docs = match crate::yaml::parse_documents(content) {
            Ok(d) => d,
            Err(e) => {
                r.add(
                    Severity::Error,
                    name,
                    format!("unable to parse YAML: error converting YAML to JSON: {e}"),
                );
                return;
            }
        };
        for doc in docs {
            let Some(m) = doc.as_map() else { continue };
            let api = m.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("");
            let kind = m.get("kind").and_then(|v| v.as_str()).unwrap_or("");
            let meta_name = m
                .get("metadata")
                .and_then(|v| v.as_map())
                .and_then(|mm| mm.get("name"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            if !meta_name.is_empty() && !valid_k8s_name(meta_name) {
                r.add(
                    Severity::Warning,
                    name,
                    format!("object name does not conform to Kubernetes naming requirements: {meta_name:?}: metadata.name: Invalid value: {meta_name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                );
            }
            if let Some((_, _, deprecated, removed, replacement)) = DEPRECATIONS
                .iter()
                .find(|(a, k, ..)| *a == api && *k == kind)
                && minor >= *deprecated
            {
                let mut msg = format!(
                    "{api} {kind} is deprecated in v1.{deprecated}+, unavailable in v1.{removed}+"
                );
                if !replacement.is_empty() {
                    msg.push_str(&format!("; use {replacement}"));
                }
                r.add(Severity::Warning, name, msg);
            }
        }
    }
}

/// Helm's dependencies rule: the chart loads, and every dependency it declares is
/// present in charts/.
fn dependency_rules(dir: &Path, r: &mut LintResult) {
    let chart = match chart::load(dir) {
        Ok(c) => c,
        Err(e) => {
            r.add(
                Severity::Error,
                "",
                format!("unable to load chart\n\t{}", e.0),
            );
            return;
        }
    };
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if !missing.is_empty() {
        r.add(
            Severity::Error,
            "",
            format!(
                "chart directory is missing these dependencies: {}",
                missing.join(",")
            ),
        );
    }
}

fn valid_k8s_name(n: &str) -> bool {
    n.len() <= 253
        && n.split('.').all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !p.starts_with('-')
                && !p.ends_with('-')
        })
}
