//! Chart.yaml, typed as Helm's `chart.Metadata`: read with sigs.k8s.io/yaml's rules
//! (a number or boolean where a string belongs becomes its text: `appVersion: 3.10`
//! is "3.1"), validated with Helm's messages, and shown to templates as the Go
//! struct `.Chart` is (Go field names, Go printing, JSON tags for `toYaml`).

use std::any::Any;
use std::collections::BTreeMap;

use crate::gotmpl::{Map, Object, Value};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Maintainer {
    pub name: String,
    pub email: String,
    pub url: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependency {
    pub name: String,
    pub version: String,
    pub repository: String,
    pub condition: String,
    pub tags: Vec<String>,
    pub enabled: bool,
    pub import_values: Vec<Value>,
    pub alias: String,
}

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
    /// Helm 2's `engine` field; charter renders `jinja` charts with minijinja.
    pub engine: Option<String>,
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

fn type_err(v: &Value, strukt: &str, field: &str, go_type: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {strukt}.{field} of type {go_type}",
        json_kind(v)
    )
}

/// A scalar as sigs.k8s.io/yaml turns it into a string field.
fn string_field(v: Option<&Value>, strukt: &str, field: &str) -> Result<String, String> {
    match v {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Int(i)) => Ok(i.to_string()),
        Some(Value::Float(f)) => Ok(crate::gotmpl::value::format_float(*f)),
        Some(other) => Err(type_err(other, strukt, field, "string")),
    }
}

fn string_list(v: Option<&Value>, strukt: &str, field: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Nil) => Ok(Vec::new()),
        Some(Value::List(l)) => l
            .iter()
            .map(|x| string_field(Some(x), strukt, field))
            .collect(),
        Some(other) => Err(type_err(other, strukt, field, "[]string")),
    }
}

fn bool_field(v: Option<&Value>, strukt: &str, field: &str) -> Result<bool, String> {
    match v {
        None | Some(Value::Nil) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(type_err(other, strukt, field, "bool")),
    }
}

/// The `dependencies` list of Chart.yaml or requirements.yaml.
pub fn dependencies_from(v: &Value) -> Result<Vec<Dependency>, String> {
    let list = match v {
        Value::Nil => return Ok(Vec::new()),
        Value::List(l) => l,
        other => {
            return Err(type_err(
                other,
                "Metadata",
                "dependencies",
                "[]*chart.Dependency",
            ));
        }
    };
    let mut out = Vec::new();
    for d in list.iter() {
        let m = match d {
            Value::Map(m) => m,
            Value::Nil => continue,
            other => {
                return Err(type_err(
                    other,
                    "Metadata",
                    "dependencies",
                    "chart.Dependency",
                ));
            }
        };
        let s = |k: &str| string_field(m.get(k), "Dependency", k);
        out.push(Dependency {
            name: s("name")?,
            version: s("version")?,
            repository: s("repository")?,
            condition: s("condition")?,
            tags: string_list(m.get("tags"), "Dependency", "tags")?,
            enabled: bool_field(m.get("enabled"), "Dependency", "enabled")?,
            import_values: match m.get("import-values") {
                None | Some(Value::Nil) => Vec::new(),
                Some(Value::List(l)) => l.to_vec(),
                Some(other) => {
                    return Err(type_err(
                        other,
                        "Dependency",
                        "import-values",
                        "[]interface {}",
                    ));
                }
            },
            alias: s("alias")?,
        });
    }
    Ok(out)
}

impl Metadata {
    /// Reads Chart.yaml's parsed document.
    pub fn from_value(v: &Value) -> Result<Metadata, String> {
        let empty = Map::new();
        let m = match v {
            Value::Map(m) => m,
            Value::Nil => &empty,
            other => {
                return Err(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                    json_kind(other)
                ));
            }
        };
        let s = |k: &str| string_field(m.get(k), "Metadata", k);
        let opt = |k: &str| -> Result<Option<String>, String> {
            Ok(Some(s(k)?).filter(|x| !x.is_empty()))
        };
        let maintainers = match m.get("maintainers") {
            None | Some(Value::Nil) => Vec::new(),
            Some(Value::List(l)) => l
                .iter()
                .map(|x| match x {
                    Value::Map(mm) => Ok(Maintainer {
                        name: string_field(mm.get("name"), "Maintainer", "name")?,
                        email: string_field(mm.get("email"), "Maintainer", "email")?,
                        url: string_field(mm.get("url"), "Maintainer", "url")?,
                    }),
                    Value::Nil => Ok(Maintainer::default()),
                    other => Err(type_err(
                        other,
                        "Metadata",
                        "maintainers",
                        "chart.Maintainer",
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(type_err(
                    other,
                    "Metadata",
                    "maintainers",
                    "[]*chart.Maintainer",
                ));
            }
        };
        let annotations = match m.get("annotations") {
            None | Some(Value::Nil) => BTreeMap::new(),
            Some(Value::Map(a)) => a
                .iter()
                .map(|(k, v)| Ok((k.clone(), string_field(Some(v), "Metadata", "annotations")?)))
                .collect::<Result<_, String>>()?,
            Some(other) => {
                return Err(type_err(
                    other,
                    "Metadata",
                    "annotations",
                    "map[string]string",
                ));
            }
        };
        Ok(Metadata {
            name: s("name")?,
            home: s("home")?,
            sources: string_list(m.get("sources"), "Metadata", "sources")?,
            version: s("version")?,
            description: s("description")?,
            keywords: string_list(m.get("keywords"), "Metadata", "keywords")?,
            maintainers,
            icon: s("icon")?,
            api_version: s("apiVersion")?,
            condition: s("condition")?,
            tags: s("tags")?,
            app_version: s("appVersion")?,
            deprecated: bool_field(m.get("deprecated"), "Metadata", "deprecated")?,
            annotations,
            kube_version: opt("kubeVersion")?,
            dependencies: dependencies_from(m.get("dependencies").unwrap_or(&Value::Nil))?,
            chart_type: opt("type")?,
            engine: opt("engine")?,
        })
    }

    /// Helm's `Metadata.Validate` (the message without the `validation: ` prefix).
    pub fn validate(&self) -> Result<(), String> {
        if self.api_version.is_empty() {
            return Err("chart.metadata.apiVersion is required".into());
        }
        if self.name.is_empty() {
            return Err("chart.metadata.name is required".into());
        }
        if self.name.contains('/') || self.name == "." || self.name == ".." {
            return Err(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return Err("chart.metadata.version is required".into());
        }
        if super::constraint::parse_version(&self.version).is_err() {
            return Err(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if let Some(t) = &self.chart_type
            && t != "application"
            && t != "library"
        {
            return Err("chart.metadata.type must be application or library".into());
        }
        let mut seen = std::collections::HashSet::new();
        for d in &self.dependencies {
            if d.name.is_empty() {
                return Err("dependencies must have a name".into());
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
        Ok(())
    }

    /// What templates see as `.Chart` (without `IsRoot`).
    pub fn to_value(&self) -> Value {
        Value::object(ChartMeta(self.clone()))
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
    m.insert("name".into(), Value::str(&x.name));
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
    m.insert("version".into(), Value::str(&d.version));
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

/// `*chart.Metadata` for templates.
struct ChartMeta(Metadata);

impl Object for ChartMeta {
    fn type_name(&self) -> &str {
        "*chart.Metadata"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.0;
        let strs = |l: &[String]| Value::list(l.iter().map(|s| Value::str(s)).collect());
        Some(match name {
            "Name" => Value::str(&m.name),
            "Home" => Value::str(&m.home),
            "Sources" => strs(&m.sources),
            "Version" => Value::str(&m.version),
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
            "AppVersion" => Value::str(&m.app_version),
            "Deprecated" => Value::Bool(m.deprecated),
            "Annotations" => Value::map(
                m.annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v)))
                    .collect(),
            ),
            "KubeVersion" => Value::str(m.kube_version.as_deref().unwrap_or("")),
            "Dependencies" => Value::list(m.dependencies.iter().map(dependency_data).collect()),
            "Type" => Value::str(m.chart_type.as_deref().unwrap_or("")),
            _ => return None,
        })
    }
    fn format(&self) -> String {
        let m = &self.0;
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
        self.0.to_data()
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
