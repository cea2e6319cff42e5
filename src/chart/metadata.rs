//! Chart.yaml, typed as Helm's `chart.Metadata` (and `Chart.lock` as `chart.Lock`):
//! read with sigs.k8s.io/yaml's rules (see [`super::decode`]: a number or boolean
//! where a string belongs becomes its text, `appVersion: 3.10` is "3.1"; keys match
//! fields case-insensitively), sanitized and validated with Helm's messages, and
//! shown to templates as the Go struct `.Chart` is (Go field names, Go printing,
//! JSON tags for `toYaml`).

use std::any::Any;
use std::collections::BTreeMap;

use super::decode::{self, At, TypeError};
use crate::gotmpl::{Map, Object, Value};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

/// One entry of Chart.yaml's (or requirements.yaml's) `dependencies`, or of a lock file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// Each item a string (`exports.<name>`) or a `{child, parent}` map.
    pub import_values: Vec<Value>,
    pub alias: String,
}

/// Chart.yaml.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub home: String,
    pub sources: Vec<String>,
    pub version: String,
    pub description: String,
    pub keywords: Vec<String>,
    pub maintainers: Vec<Maintainer>,
    pub icon: String,
    pub api_version: String,
    pub condition: String,
    pub tags: String,
    pub app_version: String,
    pub deprecated: bool,
    pub annotations: BTreeMap<String, String>,
    pub kube_version: Option<String>,
    pub dependencies: Vec<Dependency>,
    pub chart_type: Option<String>,
    /// Helm 2's `engine` field (gone from Helm 3's struct, so templates never see
    /// it); charter renders `engine: jinja` charts with minijinja.
    pub engine: Option<String>,
    /// A `null` item in `maintainers` (Helm refuses it at validation).
    pub null_maintainer: bool,
    /// A `null` item in `dependencies` (Helm refuses it at validation).
    pub null_dependency: bool,
}

/// Chart.lock / requirements.lock (`chart.Lock`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lock {
    /// The `generated` time, as written.
    pub generated: String,
    pub digest: String,
    pub dependencies: Vec<Dependency>,
}

const PREFIX: &str = "error unmarshaling JSON: while decoding JSON: ";

/// Reads YAML text as sigs.k8s.io/yaml does before decoding into a struct; the
/// error is the full text after `cannot load <file>: `.
fn read_typed(text: &str) -> Result<Value, String> {
    crate::yaml::parse_value_typed(text).map_err(|e| format!("error converting YAML to JSON: {e}"))
}

fn top_map<'a>(v: &'a Value, go_type: &str) -> Result<Option<&'a Map>, String> {
    match v {
        Value::Nil => Ok(None),
        Value::Map(m) => Ok(Some(m)),
        other => Err(format!(
            "{PREFIX}json: cannot unmarshal {} into Go value of type {go_type}",
            decode::json_kind(other)
        )),
    }
}

fn set_string(slot: &mut String, v: Option<&Value>, at: At<'_>) -> Result<(), TypeError> {
    if let Some(s) = decode::string(v, at)? {
        *slot = s;
    }
    Ok(())
}

fn set_opt(slot: &mut Option<String>, v: Option<&Value>, at: At<'_>) -> Result<(), TypeError> {
    if let Some(s) = decode::string(v, at)? {
        *slot = Some(s).filter(|s| !s.is_empty());
    }
    Ok(())
}

fn set_strings(slot: &mut Vec<String>, v: Option<&Value>, at: At<'_>) -> Result<(), TypeError> {
    if let Some(l) = decode::strings(v, at)? {
        *slot = l;
    }
    Ok(())
}

fn at<'a>(strukt: &'a str, path: &'a str) -> At<'a> {
    At { strukt, path }
}

fn maintainer_from(m: &Map) -> Result<Maintainer, TypeError> {
    let f = decode::fields(m, &["name", "email", "url"]);
    let mut x = Maintainer::default();
    set_string(&mut x.name, f[0], at("Maintainer", "maintainers.name"))?;
    set_string(&mut x.email, f[1], at("Maintainer", "maintainers.email"))?;
    set_string(&mut x.url, f[2], at("Maintainer", "maintainers.url"))?;
    Ok(x)
}

fn dependency_from(m: &Map) -> Result<Dependency, TypeError> {
    let names = [
        "name",
        "version",
        "repository",
        "condition",
        "tags",
        "enabled",
        "import-values",
        "alias",
    ];
    let f = decode::fields(m, &names);
    let a = |field: &'static str| at("Dependency", field);
    let mut d = Dependency::default();
    set_string(&mut d.name, f[0], a("dependencies.name"))?;
    set_string(&mut d.version, f[1], a("dependencies.version"))?;
    set_string(&mut d.repository, f[2], a("dependencies.repository"))?;
    set_string(&mut d.condition, f[3], a("dependencies.condition"))?;
    set_strings(&mut d.tags, f[4], a("dependencies.tags"))?;
    if let Some(b) = decode::boolean(f[5], a("dependencies.enabled"))? {
        d.enabled = b;
    }
    match f[6] {
        None | Some(Value::Nil) => {}
        Some(Value::List(l)) => d.import_values = l.iter().map(decode::untyped).collect(),
        Some(other) => {
            return Err(decode::mismatch(
                other,
                a("dependencies.import-values"),
                "[]interface {}",
            ));
        }
    }
    set_string(&mut d.alias, f[7], a("dependencies.alias"))?;
    Ok(d)
}

/// A `dependencies` list; `None` items are YAML nulls (Go's nil pointers).
fn dependencies_from(v: &Value, strukt: &str) -> Result<Vec<Option<Dependency>>, TypeError> {
    let l = match v {
        Value::Nil => return Ok(Vec::new()),
        Value::List(l) => l,
        other => {
            return Err(decode::mismatch(
                other,
                at(strukt, "dependencies"),
                "[]*chart.Dependency",
            ));
        }
    };
    l.iter()
        .map(|x| match x {
            Value::Nil => Ok(None),
            Value::Map(m) => dependency_from(m).map(Some),
            other => Err(decode::mismatch(
                other,
                at(strukt, "dependencies"),
                "chart.Dependency",
            )),
        })
        .collect()
}

/// Chart.yaml's fields in the order of Helm's `chart.Metadata` struct (Go's
/// JSON writes them in this order; charter's `engine` last).
pub const FIELDS: [&str; 18] = [
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
    "engine",
];

impl Metadata {
    /// Reads Chart.yaml (or requirements.yaml, which Helm decodes into the same
    /// struct) over `self`: fields present in the document replace the current
    /// ones. The error is the text after `cannot load Chart.yaml: `.
    pub fn read_into(&mut self, text: &str) -> Result<(), String> {
        let v = read_typed(text)?;
        let Some(m) = top_map(&v, "chart.Metadata")? else {
            return Ok(());
        };
        self.decode(m).map_err(|e| format!("{PREFIX}{}", e.0))
    }

    /// Reads an already parsed Chart.yaml document (e.g. an index entry).
    pub fn from_value(v: &Value) -> Result<Metadata, String> {
        let mut md = Metadata::default();
        match v {
            Value::Map(m) => md.decode(m).map_err(|e| format!("{PREFIX}{}", e.0))?,
            Value::Nil => {}
            _ => {
                return Err(format!(
                    "{PREFIX}json: cannot unmarshal non-object into Go value of type chart.Metadata"
                ));
            }
        }
        Ok(md)
    }

    /// Reads a Chart.yaml text into a fresh `Metadata`.
    pub fn parse(text: &str) -> Result<Metadata, String> {
        let mut md = Metadata::default();
        md.read_into(text)?;
        Ok(md)
    }

    fn decode(&mut self, m: &Map) -> Result<(), TypeError> {
        const NAMES: [&str; 18] = FIELDS;
        let f = decode::fields(m, &NAMES);
        let a = |field: &'static str| at("Metadata", field);
        set_string(&mut self.name, f[0], a("name"))?;
        set_string(&mut self.home, f[1], a("home"))?;
        set_strings(&mut self.sources, f[2], a("sources"))?;
        set_string(&mut self.version, f[3], a("version"))?;
        set_string(&mut self.description, f[4], a("description"))?;
        set_strings(&mut self.keywords, f[5], a("keywords"))?;
        match f[6] {
            None => {}
            Some(Value::Nil) => self.maintainers.clear(),
            Some(Value::List(l)) => {
                self.maintainers.clear();
                for x in l.iter() {
                    match x {
                        Value::Nil => self.null_maintainer = true,
                        Value::Map(mm) => self.maintainers.push(maintainer_from(mm)?),
                        other => {
                            return Err(decode::mismatch(
                                other,
                                a("maintainers"),
                                "chart.Maintainer",
                            ));
                        }
                    }
                }
            }
            Some(other) => {
                return Err(decode::mismatch(
                    other,
                    a("maintainers"),
                    "[]*chart.Maintainer",
                ));
            }
        }
        set_string(&mut self.icon, f[7], a("icon"))?;
        set_string(&mut self.api_version, f[8], a("apiVersion"))?;
        set_string(&mut self.condition, f[9], a("condition"))?;
        set_string(&mut self.tags, f[10], a("tags"))?;
        set_string(&mut self.app_version, f[11], a("appVersion"))?;
        if let Some(b) = decode::boolean(f[12], a("deprecated"))? {
            self.deprecated = b;
        }
        match f[13] {
            None => {}
            Some(Value::Nil) => self.annotations.clear(),
            Some(Value::Map(am)) => {
                for (k, v) in am.iter() {
                    let s = decode::string(Some(v), a("annotations"))?.unwrap_or_default();
                    self.annotations.insert(k.clone(), s);
                }
            }
            Some(other) => {
                return Err(decode::mismatch(
                    other,
                    a("annotations"),
                    "map[string]string",
                ));
            }
        }
        set_opt(&mut self.kube_version, f[14], a("kubeVersion"))?;
        if let Some(v) = f[15] {
            let deps = dependencies_from(v, "Metadata")?;
            self.null_dependency = deps.iter().any(Option::is_none);
            self.dependencies = deps.into_iter().flatten().collect();
        }
        set_opt(&mut self.chart_type, f[16], a("type"))?;
        set_opt(&mut self.engine, f[17], a("engine"))?;
        Ok(())
    }

    /// Helm's `sanitizeString` over the fields its `Validate` cleans.
    pub fn sanitize(&mut self) {
        use decode::sanitize as s;
        for field in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
        ] {
            *field = s(field);
        }
        if let Some(k) = &mut self.kube_version {
            *k = s(k);
        }
        for x in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *x = s(x);
        }
        for m in &mut self.maintainers {
            m.name = s(&m.name);
            m.email = s(&m.email);
            m.url = s(&m.url);
        }
        for d in &mut self.dependencies {
            d.name = s(&d.name);
            d.version = s(&d.version);
            d.repository = s(&d.repository);
            d.condition = s(&d.condition);
            for t in &mut d.tags {
                *t = s(t);
            }
        }
    }

    /// Helm's `Metadata.Validate` (the message without the `validation: ` prefix),
    /// after [`Metadata::sanitize`].
    pub fn validate(&self) -> Result<(), String> {
        validate_identity(
            &self.api_version,
            &self.name,
            &self.version,
            self.chart_type.as_deref(),
        )?;
        if self.null_maintainer {
            return Err("maintainers must not contain empty or null nodes".into());
        }
        let mut seen = std::collections::HashSet::new();
        for (i, d) in self.dependencies.iter().enumerate() {
            if self.null_dependency && i == 0 {
                return Err("dependencies must not contain empty or null nodes".into());
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                &d.name
            } else {
                &d.alias
            };
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
        }
        if self.null_dependency {
            return Err("dependencies must not contain empty or null nodes".into());
        }
        Ok(())
    }

    /// What templates see as `.Chart` (without `IsRoot`).
    pub fn to_value(&self) -> Value {
        Value::object(ChartMeta {
            name: Value::str(&self.name),
            version: Value::str(&self.version),
            app_version: Value::str(&self.app_version),
            m: self.clone(),
        })
    }

    /// The JSON form (Go's struct tags, empty fields omitted).
    pub fn to_data(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                m.insert(k.to_string(), Value::str(v));
            }
        };
        put("name", &self.name);
        put("home", &self.home);
        put("version", &self.version);
        put("description", &self.description);
        put("icon", &self.icon);
        put("apiVersion", &self.api_version);
        put("condition", &self.condition);
        put("tags", &self.tags);
        put("appVersion", &self.app_version);
        put("kubeVersion", self.kube_version.as_deref().unwrap_or(""));
        put("type", self.chart_type.as_deref().unwrap_or(""));
        let strs = |l: &[String]| Value::list(l.iter().map(|s| Value::str(s)).collect());
        if !self.sources.is_empty() {
            m.insert("sources".into(), strs(&self.sources));
        }
        if !self.keywords.is_empty() {
            m.insert("keywords".into(), strs(&self.keywords));
        }
        if self.deprecated {
            m.insert("deprecated".into(), Value::Bool(true));
        }
        if !self.annotations.is_empty() {
            m.insert(
                "annotations".into(),
                Value::map(
                    self.annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::str(v)))
                        .collect(),
                ),
            );
        }
        if !self.maintainers.is_empty() {
            m.insert(
                "maintainers".into(),
                Value::list(self.maintainers.iter().map(maintainer_data).collect()),
            );
        }
        if !self.dependencies.is_empty() {
            m.insert(
                "dependencies".into(),
                Value::list(self.dependencies.iter().map(dependency_data).collect()),
            );
        }
        Value::map(m)
    }
}

fn maintainer_data(x: &Maintainer) -> Value {
    let mut m = Map::new();
    if !x.name.is_empty() {
        m.insert("name".into(), Value::str(&x.name));
    }
    if !x.email.is_empty() {
        m.insert("email".into(), Value::str(&x.email));
    }
    if !x.url.is_empty() {
        m.insert("url".into(), Value::str(&x.url));
    }
    Value::map(m)
}

fn dependency_data(d: &Dependency) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), Value::str(&d.name));
    if !d.version.is_empty() {
        m.insert("version".into(), Value::str(&d.version));
    }
    m.insert("repository".into(), Value::str(&d.repository));
    if !d.condition.is_empty() {
        m.insert("condition".into(), Value::str(&d.condition));
    }
    if !d.tags.is_empty() {
        m.insert(
            "tags".into(),
            Value::list(d.tags.iter().map(|t| Value::str(t)).collect()),
        );
    }
    if d.enabled {
        m.insert("enabled".into(), Value::Bool(true));
    }
    if !d.import_values.is_empty() {
        m.insert("import-values".into(), Value::list(d.import_values.clone()));
    }
    if !d.alias.is_empty() {
        m.insert("alias".into(), Value::str(&d.alias));
    }
    Value::map(m)
}

/// `*chart.Metadata` for templates, with the fields templates read most (for
/// names and labels, in nearly every file) made once.
struct ChartMeta {
    m: Metadata,
    name: Value,
    version: Value,
    app_version: Value,
}

impl Object for ChartMeta {
    fn type_name(&self) -> &str {
        "*chart.Metadata"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.m;
        let strs = |l: &[String]| Value::list(l.iter().map(|s| Value::str(s)).collect());
        Some(match name {
            "Name" => self.name.clone(),
            "Home" => Value::str(&m.home),
            "Sources" => strs(&m.sources),
            "Version" => self.version.clone(),
            "Description" => Value::str(&m.description),
            "Keywords" => strs(&m.keywords),
            "Maintainers" => Value::list(
                m.maintainers
                    .iter()
                    .map(|x| Value::object(MaintainerObj(x.clone())))
                    .collect(),
            ),
            "Icon" => Value::str(&m.icon),
            "APIVersion" => Value::str(&m.api_version),
            "Condition" => Value::str(&m.condition),
            "Tags" => Value::str(&m.tags),
            "AppVersion" => self.app_version.clone(),
            "Deprecated" => Value::Bool(m.deprecated),
            "Annotations" => Value::map(
                m.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v)))
                    .collect(),
            ),
            "KubeVersion" => Value::str(m.kube_version.as_deref().unwrap_or("")),
            "Dependencies" => Value::list(
                m.dependencies
                    .iter()
                    .map(|d| Value::object(DependencyObj(d.clone())))
                    .collect(),
            ),
            "Type" => Value::str(m.chart_type.as_deref().unwrap_or("")),
            _ => return None,
        })
    }
    fn format(&self) -> String {
        let m = &self.m;
        let fields = [
            "Name",
            "Home",
            "Sources",
            "Version",
            "Description",
            "Keywords",
            "Maintainers",
            "Icon",
            "APIVersion",
            "Condition",
            "Tags",
            "AppVersion",
            "Deprecated",
            "Annotations",
            "KubeVersion",
            "Dependencies",
            "Type",
        ];
        let _ = m;
        let parts: Vec<String> = fields
            .iter()
            .map(|f| self.field(f).map(|v| v.to_string()).unwrap_or_default())
            .collect();
        format!("&{{{}}}", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        self.m.to_data()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct MaintainerObj(Maintainer);

impl Object for MaintainerObj {
    fn type_name(&self) -> &str {
        "*chart.Maintainer"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Name" => Value::str(&self.0.name),
            "Email" => Value::str(&self.0.email),
            "URL" => Value::str(&self.0.url),
            _ => return None,
        })
    }
    fn format(&self) -> String {
        format!("&{{{} {} {}}}", self.0.name, self.0.email, self.0.url)
    }
    fn to_data(&self) -> Value {
        maintainer_data(&self.0)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `*chart.Dependency` for templates (`.Chart.Dependencies`).
struct DependencyObj(Dependency);

impl Object for DependencyObj {
    fn type_name(&self) -> &str {
        "*chart.Dependency"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let d = &self.0;
        Some(match name {
            "Name" => Value::str(&d.name),
            "Version" => Value::str(&d.version),
            "Repository" => Value::str(&d.repository),
            "Condition" => Value::str(&d.condition),
            "Tags" => Value::list(d.tags.iter().map(|t| Value::str(t)).collect()),
            "Enabled" => Value::Bool(d.enabled),
            "ImportValues" => Value::list(d.import_values.clone()),
            "Alias" => Value::str(&d.alias),
            _ => return None,
        })
    }
    fn format(&self) -> String {
        let d = &self.0;
        let tags = Value::list(d.tags.iter().map(|t| Value::str(t)).collect());
        let iv = Value::list(d.import_values.clone());
        format!(
            "&{{{} {} {} {} {} {} {} {}}}",
            d.name, d.version, d.repository, d.condition, tags, d.enabled, iv, d.alias
        )
    }
    fn to_data(&self) -> Value {
        dependency_data(&self.0)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The checks of Helm's `Metadata.Validate` on the scalar fields, in its order:
/// apiVersion, name, version and type (maintainers and dependencies follow in
/// [`Metadata::validate`]). Shared with the fast index reader in `repo::scan`.
pub fn validate_identity(
    api_version: &str,
    name: &str,
    version: &str,
    chart_type: Option<&str>,
) -> Result<(), String> {
    if api_version.is_empty() {
        return Err("chart.metadata.apiVersion is required".into());
    }
    if name.is_empty() {
        return Err("chart.metadata.name is required".into());
    }
    if name != go_base(name) {
        return Err(format!("chart.metadata.name {name:?} is invalid"));
    }
    if version.is_empty() {
        return Err("chart.metadata.version is required".into());
    }
    if super::constraint::parse_version(version).is_err() {
        return Err(format!("chart.metadata.version {version:?} is invalid"));
    }
    if let Some(t) = chart_type
        && t != "application"
        && t != "library"
    {
        return Err("chart.metadata.type must be application or library".into());
    }
    Ok(())
}

/// Go's `filepath.Base` on a `/`-separated path.
fn go_base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

impl Lock {
    /// The JSON form Helm marshals (`generated`, `digest`, `dependencies`).
    pub fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("generated".into(), Value::str(&self.generated));
        m.insert("digest".into(), Value::str(&self.digest));
        m.insert(
            "dependencies".into(),
            Value::list(self.dependencies.iter().map(dependency_data).collect()),
        );
        Value::map(m)
    }

    /// Reads Chart.lock or requirements.lock; the error is the text after
    /// `cannot load Chart.lock: `.
    pub fn parse(text: &str) -> Result<Lock, String> {
        let v = read_typed(text)?;
        let mut lock = Lock::default();
        let Some(m) = top_map(&v, "chart.Lock")? else {
            return Ok(lock);
        };
        let f = decode::fields(m, &["generated", "digest", "dependencies"]);
        let wrap = |e: TypeError| format!("{PREFIX}{}", e.0);
        if let Some(g) = f[0] {
            match g {
                Value::String(s) => lock.generated = s.to_string(),
                Value::Nil => {}
                other => {
                    return Err(format!(
                        "{PREFIX}json: cannot unmarshal {} into Go struct field Lock.generated of type time.Time",
                        decode::json_kind(other)
                    ));
                }
            }
        }
        set_string(&mut lock.digest, f[1], at("Lock", "digest")).map_err(wrap)?;
        if let Some(d) = f[2] {
            lock.dependencies = dependencies_from(d, "Lock")
                .map_err(wrap)?
                .into_iter()
                .flatten()
                .collect();
        }
        Ok(lock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Metadata, String> {
        let mut md = Metadata::parse(text)?;
        md.sanitize();
        md.validate()?;
        Ok(md)
    }

    /// Chart.yaml texts and what Helm 3.17.3 said (`helm template`), without the
    /// `cannot load Chart.yaml: ` / `validation: ` prefixes the loader adds.
    #[test]
    fn helm_recorded_chart_yaml_errors() {
        let cases = [
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\nkeywords: foo\n",
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.keywords of type []string",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\nmaintainers: [foo]\n",
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.maintainers of type chart.Maintainer",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\nmaintainers:\n- name: [a]\n",
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field Maintainer.maintainers.name of type string",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\ndeprecated: \"yes\"\n",
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.deprecated of type bool",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\nannotations: {a: {b: 1}}\n",
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field Metadata.annotations of type string",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\ndependencies:\n- name: x\n  tags: x\n",
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Dependency.dependencies.tags of type []string",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\ndependencies:\n- null\n",
                "dependencies must not contain empty or null nodes",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\nmaintainers:\n- null\n",
                "maintainers must not contain empty or null nodes",
            ),
            (
                "apiVersion: v2\nname: a/b\nversion: 0.1.0\n",
                "chart.metadata.name \"a/b\" is invalid",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\ntype: Library\n",
                "chart.metadata.type must be application or library",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\ndependencies:\n- name: x\n  alias: a.b\n",
                "dependency \"x\" has disallowed characters in the alias",
            ),
            (
                "apiVersion: v2\nname: t\nversion: 0.1.0\ndependencies:\n- name: x\n- name: x\n",
                "more than one dependency with name or alias \"x\"",
            ),
            (
                "apiVersion: v2\nversion: 0.1.0\n",
                "chart.metadata.name is required",
            ),
            (
                "apiVersion: v2\nname: t\n",
                "chart.metadata.version is required",
            ),
            (
                "apiVersion: v2\nname: t\nversion: one\n",
                "chart.metadata.version \"one\" is invalid",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(load(text).unwrap_err(), want, "{text}");
        }
    }

    /// Documents Helm accepts, with what `.Chart` then holds.
    #[test]
    fn helm_recorded_accepted() {
        let md = load(
            "apiVersion: v2\nname: t\nversion: 1.10\nappVersion: 1.0\ndescription: 123456789\n",
        )
        .unwrap();
        assert_eq!(md.version, "1.1");
        assert_eq!(md.app_version, "1");
        assert_eq!(md.description, "123456789");
        let md = load("apiVersion: v2\nName: t\nVERSION: 0.1.0\n").unwrap();
        assert_eq!((md.name.as_str(), md.version.as_str()), ("t", "0.1.0"));
        assert!(load("apiVersion: v2\nname: ..\nversion: 0.1.0\n").is_ok());
        assert!(load("apiVersion: v2\nname: t\nversion: 01.0.0\n").is_ok());
        let md = load("apiVersion: v2\nname: \"t\\tx\"\nversion: 0.1.0\n").unwrap();
        assert_eq!(md.name, "t x");
    }

    #[test]
    fn chart_object_fields() {
        let md = load(
            "apiVersion: v2\nname: t\nversion: 0.1.0\ndependencies:\n- name: d\n  repository: r\n",
        )
        .unwrap();
        let v = md.to_value();
        let Value::Object(o) = &v else { panic!() };
        assert_eq!(o.field("Name").unwrap().to_string(), "t");
        assert!(o.field("Engine").is_none());
        let deps = o.field("Dependencies").unwrap();
        let Value::Object(d) = &deps.as_list().unwrap()[0] else {
            panic!()
        };
        assert_eq!(d.field("Repository").unwrap().to_string(), "r");
        let data = md.to_data();
        assert_eq!(
            crate::yaml::to_json(&data, crate::yaml::JsonOpts::RAW).unwrap(),
            r#"{"apiVersion":"v2","dependencies":[{"name":"d","repository":"r"}],"name":"t","version":"0.1.0"}"#
        );
    }

    #[test]
    fn lock_files() {
        let l = Lock::parse("dependencies:\n- name: a\n  repository: r\n  version: 1.0.0\ndigest: sha256:x\ngenerated: \"2024-01-01T00:00:00Z\"\n").unwrap();
        assert_eq!(l.dependencies[0].version, "1.0.0");
        assert_eq!(l.digest, "sha256:x");
        assert!(Lock::parse("- a\n").is_err());
    }
}
