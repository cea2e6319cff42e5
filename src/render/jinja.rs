//! The Jinja engine: charts whose Chart.yaml says `engine: jinja` render their
//! templates with minijinja instead of Go templates.
//!
//! The context has the same names a Go chart sees (`Values`, `Release`, `Chart`,
//! `Capabilities`, `Files`, `Template`), Helm's helpers are filters and functions
//! (`toYaml`, `toJson`, `indent`, `nindent`, `quote`, `b64enc`, `required`,
//! `include`, `tpl`, `default`), and `templates/_*.j2` files are partials for
//! `{% import %}`/`{% include %}`/`include()`. The output goes through the same
//! manifest assembly as Go charts. A subchart renders with its own engine.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use minijinja::value::{Object, Value as JValue, ValueKind};
use minijinja::{Environment, Error as JError, ErrorKind, State, UndefinedBehavior};

use crate::gotmpl::{Map, Value};
use crate::render::context::{BuildInfo, Capabilities, ChartObject, Files, KubeVersion};

/// The fields of `.Chart`, by their Go names.
const CHART_FIELDS: &[&str] = &[
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
    "IsRoot",
];
use crate::yaml;

/// One Jinja chart's templates, ready to render.
pub struct JinjaChart<'a> {
    /// Template paths relative to the chart (`templates/x.yaml`) and their text.
    pub templates: Vec<(String, String)>,
    /// The full path prefix of this chart (`parent/charts/sub`).
    pub full_path: &'a str,
    /// The chart's scope as the Go engine builds it (Values, Release, Chart, ...).
    pub scope: &'a Map,
    pub files: Files,
}

/// Converts a template value into a minijinja value.
pub fn to_jinja(v: &Value) -> JValue {
    match v {
        Value::Nil => JValue::from(()),
        Value::Bool(b) => JValue::from(*b),
        Value::Int(i) => JValue::from(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                JValue::from(*f as i64)
            } else {
                JValue::from(*f)
            }
        }
        Value::String(s) => JValue::from(&**s),
        Value::Bytes(b) => JValue::from_bytes(b.to_vec()),
        Value::List(l) => JValue::from(l.iter().map(to_jinja).collect::<Vec<_>>()),
        Value::Map(m) => JValue::from(
            m.iter()
                .map(|(k, v)| (k.clone(), to_jinja(v)))
                .collect::<BTreeMap<String, JValue>>(),
        ),
        Value::Object(o) => {
            if let Some(files) = o.as_any().downcast_ref::<Files>() {
                return JValue::from_object(JinjaFiles(files.clone()));
            }
            // Structs keep their Go field names, as Go templates see them.
            let names: &[&str] = if o.as_any().is::<ChartObject>() {
                CHART_FIELDS
            } else if o.as_any().is::<Capabilities>() {
                &["KubeVersion", "APIVersions", "HelmVersion"]
            } else if o.as_any().is::<KubeVersion>() {
                &["Version", "Major", "Minor"]
            } else if o.as_any().is::<BuildInfo>() {
                &["Version", "GitCommit", "GitTreeState", "GoVersion"]
            } else {
                return to_jinja(&o.to_data());
            };
            JValue::from(
                names
                    .iter()
                    .filter_map(|n| o.field(n).map(|v| (n.to_string(), to_jinja(&v))))
                    .collect::<BTreeMap<String, JValue>>(),
            )
        }
    }
}

/// Converts a minijinja value back (for `toYaml`, `toJson`).
pub fn from_jinja(v: &JValue) -> Value {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => Value::Nil,
        ValueKind::Bool => Value::Bool(v.is_true()),
        ValueKind::Number => match v.as_i64() {
            Some(i) if v.is_integer() => Value::Int(i),
            _ => Value::Float(f64::try_from(v.clone()).unwrap_or(0.0)),
        },
        ValueKind::String => Value::str(v.as_str().unwrap_or_default()),
        ValueKind::Bytes => Value::Bytes(Arc::from(v.as_bytes().unwrap_or_default())),
        ValueKind::Seq | ValueKind::Iterable => Value::list(
            v.try_iter()
                .map(|it| it.map(|x| from_jinja(&x)).collect())
                .unwrap_or_default(),
        ),
        ValueKind::Map => {
            let mut m = Map::new();
            if let Ok(keys) = v.try_iter() {
                for k in keys {
                    let item = v.get_item(&k).unwrap_or_default();
                    m.insert(k.to_string(), from_jinja(&item));
                }
            }
            Value::map(m)
        }
        _ => Value::string(v.to_string()),
    }
}

/// `.Files` for Jinja: `Files.get(path)`, `Files.glob(pattern)`, `Files.lines(path)`.
#[derive(Debug)]
struct JinjaFiles(Files);

impl Object for JinjaFiles {
    fn call_method(
        self: &Arc<Self>,
        _state: &State<'_, '_>,
        method: &str,
        args: &[JValue],
    ) -> Result<JValue, JError> {
        use crate::gotmpl::Object as _;
        let go_name = match method {
            "get" | "Get" => "Get",
            "glob" | "Glob" => "Glob",
            "lines" | "Lines" => "Lines",
            "getBytes" | "GetBytes" => "GetBytes",
            "asConfig" | "AsConfig" => "AsConfig",
            "asSecrets" | "AsSecrets" => "AsSecrets",
            _ => return Err(JError::from(ErrorKind::UnknownMethod)),
        };
        let args: Vec<Value> = args.iter().map(from_jinja).collect();
        match self.0.call_method(go_name, &args) {
            Some(Ok(v)) => Ok(to_jinja(&v)),
            Some(Err(e)) => Err(JError::new(ErrorKind::InvalidOperation, e.to_string())),
            None => match self.0.field(go_name) {
                Some(v) => Ok(to_jinja(&v)),
                None => Err(JError::from(ErrorKind::UnknownMethod)),
            },
        }
    }
}

fn indent_text(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(text.len() + pad.len());
    out.push_str(&pad);
    out.push_str(&text.replace('\n', &format!("\n{pad}")));
    out
}

fn is_empty(v: &JValue) -> bool {
    v.is_undefined() || v.is_none() || !v.is_true()
}

/// Builds the environment for one chart: its templates and the Helm helpers.
fn environment(chart: &JinjaChart<'_>) -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_keep_trailing_newline(true);
    // Manifests are YAML text, not HTML or JSON: no automatic escaping.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);

    for (name, text) in &chart.templates {
        let short = name.strip_prefix("templates/").unwrap_or(name);
        env.add_template_owned(short.to_string(), text.clone())
            .map_err(|e| format!("parse error in ({}/{name}): {e}", chart.full_path))?;
    }
    env.add_filter("toYaml", |v: JValue| {
        let text = yaml::to_yaml(&from_jinja(&v));
        text.strip_suffix('\n').unwrap_or(&text).to_string()
    });
    env.add_filter("toJson", |v: JValue| {
        yaml::to_json(&from_jinja(&v), yaml::JsonOpts::COMPACT).unwrap_or_default()
    });
    env.add_filter("indent", |v: String, n: usize| indent_text(&v, n));
    env.add_filter("nindent", |v: String, n: usize| {
        format!("\n{}", indent_text(&v, n))
    });
    env.add_filter("quote", |v: JValue| {
        if v.is_undefined() || v.is_none() {
            return String::new();
        }
        crate::gotmpl::go_quote(&v.to_string())
    });
    env.add_filter("b64enc", |v: String| {
        base64::engine::general_purpose::STANDARD.encode(v.as_bytes())
    });
    env.add_filter("b64dec", |v: String| -> Result<String, JError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v.as_bytes())
            .map_err(|e| JError::new(ErrorKind::InvalidOperation, e.to_string()))?;
        Ok(crate::chart::lossy(&bytes).into_owned())
    });
    env.add_filter(
        "default",
        |v: JValue, d: JValue| if is_empty(&v) { d } else { v },
    );
    env.add_filter(
        "required",
        |v: JValue, msg: String| -> Result<JValue, JError> {
            if is_empty(&v) && !matches!(v.kind(), ValueKind::Bool | ValueKind::Number) {
                return Err(JError::new(ErrorKind::InvalidOperation, msg));
            }
            Ok(v)
        },
    );
    env.add_function(
        "required",
        |msg: String, v: JValue| -> Result<JValue, JError> {
            if v.is_undefined() || v.is_none() || v.as_str() == Some("") {
                return Err(JError::new(ErrorKind::InvalidOperation, msg));
            }
            Ok(v)
        },
    );
    env.add_function(
        "include",
        |state: &State<'_, '_>, name: String, ctx: JValue| -> Result<String, JError> {
            let tmpl = state.env().get_template(&name)?;
            tmpl.render(ctx)
        },
    );
    env.add_function(
        "tpl",
        |state: &State<'_, '_>, text: String, ctx: JValue| -> Result<String, JError> {
            state.env().render_str(&text, ctx)
        },
    );
    Ok(env)
}

/// Renders every non-partial template of a Jinja chart into `out`, keyed by its
/// full path, exactly as the Go engine keys its output.
pub fn render(chart: &JinjaChart<'_>, out: &mut BTreeMap<String, String>) -> Result<(), String> {
    let env = environment(chart)?;
    for (name, _) in &chart.templates {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let full = format!("{}/{name}", chart.full_path);
        let mut scope = chart.scope.clone();
        let mut tmpl = Map::new();
        tmpl.insert("Name".into(), Value::str(&full));
        tmpl.insert(
            "BasePath".into(),
            Value::string(format!("{}/templates", chart.full_path)),
        );
        scope.insert("Template".into(), Value::map(tmpl));
        let mut ctx: BTreeMap<String, JValue> = scope
            .iter()
            .map(|(k, v)| (k.clone(), to_jinja(v)))
            .collect();
        ctx.insert(
            "Files".into(),
            JValue::from_object(JinjaFiles(chart.files.clone())),
        );
        let short = name.strip_prefix("templates/").unwrap_or(name);
        let text = env
            .get_template(short)
            .and_then(|t| t.render(JValue::from(ctx)))
            .map_err(|e| jinja_error(&full, &e))?;
        out.insert(full, text);
    }
    Ok(())
}

/// A Jinja error in Helm's shape: where, then why.
fn jinja_error(path: &str, e: &JError) -> String {
    let mut msg = match e.line() {
        Some(line) => format!(
            "execution error at ({path}:{line}): {}",
            e.detail().unwrap_or(&e.kind().to_string())
        ),
        None => format!("execution error in ({path}): {e}"),
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_jinja() {
        let mut m = Map::new();
        m.insert("a".into(), Value::Float(3.0));
        m.insert(
            "b".into(),
            Value::list(vec![Value::str("x"), Value::Bool(true)]),
        );
        let back = from_jinja(&to_jinja(&Value::map(m)));
        assert_eq!(back.to_string(), "map[a:3 b:[x true]]");
    }

    #[test]
    fn renders_with_helpers_and_partials() {
        let mut scope = Map::new();
        let mut values = Map::new();
        values.insert("name".into(), Value::str("web"));
        values.insert("labels".into(), {
            let mut l = Map::new();
            l.insert("tier".into(), Value::str("front"));
            Value::map(l)
        });
        scope.insert("Values".into(), Value::map(values));
        let chart = JinjaChart {
            templates: vec![
                ("templates/_helpers.j2".into(), "{% macro name(v) %}{{ v.name }}-app{% endmacro %}".into()),
                (
                    "templates/cm.yaml".into(),
                    "{% import \"_helpers.j2\" as h %}name: {{ h.name(Values) }}\nlabels:{{ Values.labels | toYaml | nindent(2) }}\nq: {{ Values.name | quote }}\nd: {{ Values.missing | default(\"x\") }}\n".into(),
                ),
            ],
            full_path: "c",
            scope: &scope,
            files: Files::default(),
        };
        let mut out = BTreeMap::new();
        render(&chart, &mut out).unwrap();
        assert_eq!(
            out["c/templates/cm.yaml"],
            "name: web-app\nlabels:\n  tier: front\nq: \"web\"\nd: x\n"
        );
    }
}
