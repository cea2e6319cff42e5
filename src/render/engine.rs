//! Helm's rendering engine: every template of a chart and its subcharts parsed into
//! one template set, then each non-partial file executed with its chart's scope.
//!
//! The order is Helm's (deepest paths parsed first, so a parent's `define` wins over
//! a subchart's), the scope is Helm's (a subchart sees `.Values.<its name>` of its
//! parent, its own `.Chart` and `.Files`), and errors are rewritten as Helm rewrites
//! them (`execution error at (file:line:col): msg` for `required`/`fail`).

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use regex_lite::Regex;

use crate::chart::Chart;
use crate::gotmpl::{self, Map, MissingKey, Template, Value, value::MapCell};
use crate::render::context::{Capabilities, ChartObject, Files};
use crate::render::funcs::{self, FuncOptions, WARN_END, WARN_START};
use crate::render::jinja::{self, JinjaChart};

/// Helm's type for values maps and template data (`typeOf .Values`).
const VALUES_TYPE: &str = "chartutil.Values";

/// The name Helm gives its root template (`tpl` errors mention it).
pub const ROOT_TEMPLATE: &str = "gotpl";

/// What every template of a render shares.
pub struct RenderInput<'a> {
    pub chart: &'a Chart,
    /// The coalesced values of the root chart (subcharts nested under their names).
    pub values: &'a Map,
    /// `.Release` (a map, as Helm passes it).
    pub release: Value,
    pub capabilities: Arc<Capabilities>,
    /// The process ends soon after this render (a CLI command): the parsed
    /// templates are left for the exit to reclaim instead of freed node by node,
    /// which costs a large chart several milliseconds.
    pub process_exits_after: bool,
}

/// A render failure, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

struct Renderable {
    text: String,
    scope: Arc<MapCell>,
    base_path: String,
}

/// Renders every template of `input.chart`; the result maps template paths
/// (`chart/templates/x.yaml`, `chart/charts/sub/templates/y.yaml`) to their output.
pub fn render(
    input: &RenderInput<'_>,
    opts: &FuncOptions,
) -> Result<BTreeMap<String, String>, RenderError> {
    render_observed(input, opts, &|_, _| {})
}

/// [`render`], calling `on_rendered(path, output)` as each Go template is
/// rendered, so a caller can start on the output while the rest render.
pub fn render_observed(
    input: &RenderInput<'_>,
    opts: &FuncOptions,
    on_rendered: &dyn Fn(&str, &str),
) -> Result<BTreeMap<String, String>, RenderError> {
    let mut tpls: BTreeMap<String, Renderable> = BTreeMap::new();
    let mut jinja: Vec<JinjaUnit> = Vec::new();
    let capabilities = Value::Object(input.capabilities.clone());
    // The render owns its values: in-place map changes (`set`) stay in it.
    let root_values =
        Value::Map(Arc::new(MapCell::named(input.values.clone(), VALUES_TYPE))).deep_copy();
    let shared = Shared {
        release: &input.release,
        capabilities: &capabilities,
    };
    collect(
        input.chart,
        input.chart.name(),
        true,
        root_values,
        &shared,
        &mut tpls,
        &mut jinja,
    );

    let mut t = Template::new(ROOT_TEMPLATE);
    t.set_missing_key(MissingKey::Zero);
    t.add_funcs(
        crate::render::sprig::functions()
            .into_iter()
            .map(|(n, f)| (n.to_string(), f)),
    );
    // Helm answers getHostByName only with --enable-dns; otherwise it is "".
    t.add_funcs([(
        "getHostByName".to_string(),
        crate::render::sprig::get_host_by_name(opts.enable_dns),
    )]);
    t.add_funcs(funcs::helm_functions(opts));

    let keys = sorted_keys(&tpls);
    let sources: Vec<(&str, &str)> = keys
        .iter()
        .map(|name| (name.as_str(), tpls[name.as_str()].text.as_str()))
        .collect();
    t.parse_all(&sources)
        .map_err(|(i, e)| cleanup_parse_error(sources[i].0, &e.to_string()))?;

    let mut rendered = BTreeMap::new();
    for name in &keys {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let r = &tpls[name.as_str()];
        let mut data: Map = (**r.scope).clone();
        let mut tmpl = Map::new();
        tmpl.insert("Name".into(), Value::str(name));
        tmpl.insert("BasePath".into(), Value::str(&r.base_path));
        data.insert("Template".into(), Value::map(tmpl));
        let out = t
            .execute(
                name,
                &Value::Map(Arc::new(MapCell::named(data, VALUES_TYPE))),
            )
            .map_err(|e| cleanup_exec_error(name, &e))?;
        let out = out.replace("<no value>", "");
        on_rendered(name, &out);
        rendered.insert(name.clone(), out);
    }
    for unit in &jinja {
        let chart = JinjaChart {
            templates: unit.templates.clone(),
            full_path: &unit.full_path,
            scope: &unit.scope,
            files: unit.files.clone(),
        };
        jinja::render(&chart, &mut rendered).map_err(RenderError)?;
    }
    if input.process_exits_after {
        std::mem::forget(t);
        std::mem::forget(tpls);
    }
    Ok(rendered)
}

/// What every chart's scope shares.
struct Shared<'a> {
    release: &'a Value,
    capabilities: &'a Value,
}

/// A chart whose templates render with the Jinja engine.
struct JinjaUnit {
    full_path: String,
    templates: Vec<(String, String)>,
    scope: Arc<MapCell>,
    files: Files,
}

/// The template engines a chart may name in Chart.yaml (`engine:`).
pub fn check_engine(chart: &Chart) -> Result<(), RenderError> {
    match chart.metadata.engine.as_deref().unwrap_or("") {
        "" | "gotpl" | "jinja" => {}
        other => {
            return Err(RenderError(format!(
                "chart {:?} names an unknown template engine {other:?} in Chart.yaml (charter supports \"gotpl\" and \"jinja\")",
                chart.name()
            )));
        }
    }
    chart.dependencies.iter().try_for_each(check_engine)
}

/// Helm's `recAllTpls`: the scope of each chart, and its templates keyed by path.
fn collect(
    chart: &Chart,
    full_path: &str,
    is_root: bool,
    values: Value,
    shared: &Shared<'_>,
    out: &mut BTreeMap<String, Renderable>,
    jinja: &mut Vec<JinjaUnit>,
) -> Value {
    let mut subcharts = Map::new();
    for child in &chart.dependencies {
        let child_values = match values.as_map().and_then(|m| m.get(child.name())) {
            // Helm's `Values.Table`: the same map (shared, so changes are seen by both).
            Some(v @ Value::Map(_)) => v.clone(),

            _ => Value::map(Map::new()),
        };
        let child_path = format!("{full_path}/charts/{}", child.name());
        let scope = collect(child, &child_path, false, child_values, shared, out, jinja);
        subcharts.insert(child.name().to_string(), scope);
    }
    let mut next = Map::new();
    next.insert(
        "Chart".into(),
        Value::object(ChartObject {
            metadata: chart.metadata.to_value(),
            is_root,
        }),
    );
    let files = Files::new(chart.files.iter().map(|f| (f.name.clone(), f.data.clone())));
    next.insert("Files".into(), Value::object(files.clone()));
    next.insert("Release".into(), shared.release.clone());
    next.insert("Capabilities".into(), shared.capabilities.clone());
    next.insert("Values".into(), values);
    next.insert("Subcharts".into(), Value::map(subcharts));
    let scope = Arc::new(MapCell::named(next, VALUES_TYPE));
    let library = chart.is_library();
    if chart.metadata.engine.as_deref() == Some("jinja") {
        jinja.push(JinjaUnit {
            full_path: full_path.to_string(),
            templates: chart
                .templates
                .iter()
                .filter(|t| {
                    let base = t.name.rsplit('/').next().unwrap_or(&t.name);
                    !library || base.starts_with('_')
                })
                .map(|t| (t.name.clone(), t.text().into_owned()))
                .collect(),
            scope: scope.clone(),
            files,
        });
        return Value::Map(scope);
    }
    for t in &chart.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text: t.text().into_owned(),
                scope: scope.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    Value::Map(scope)
}

/// Helm's parse order: paths with more `/` first; equal depth in reverse byte order.
fn sorted_keys(tpls: &BTreeMap<String, Renderable>) -> Vec<String> {
    let mut keys: Vec<String> = tpls.keys().cloned().collect();
    keys.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    keys
}

static WARN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("{WARN_START}((?s).*){WARN_END}")).expect("static regex"));

/// Helm's `cleanupParseError`.
fn cleanup_parse_error(filename: &str, msg: &str) -> RenderError {
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return RenderError(format!("parse error in ({filename}): {msg}"));
    }
    RenderError(format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    ))
}

/// Helm's `cleanupExecError`: messages from `required`/`fail` become
/// `execution error at (location): msg`; other errors keep Go's text.
fn cleanup_exec_error(filename: &str, err: &gotmpl::Error) -> RenderError {
    let msg = err.to_string();
    if !err.is_exec() {
        return RenderError(msg);
    }
    let tokens: Vec<&str> = msg.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return RenderError(format!("execution error in ({filename}): {msg}"));
    }
    if let Some(c) = WARN.captures(tokens[2]) {
        return RenderError(format!("execution error at ({}): {}", tokens[1], &c[1]));
    }
    RenderError(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_order_is_deepest_first_then_reverse_lexical() {
        let mut tpls = BTreeMap::new();
        for k in [
            "a/templates/x.yaml",
            "a/templates/_h.tpl",
            "a/charts/b/templates/y.yaml",
            "a/templates/z.yaml",
        ] {
            tpls.insert(
                k.to_string(),
                Renderable {
                    text: String::new(),
                    scope: Arc::new(MapCell::new(Map::new())),
                    base_path: String::new(),
                },
            );
        }
        assert_eq!(
            sorted_keys(&tpls),
            vec![
                "a/charts/b/templates/y.yaml",
                "a/templates/z.yaml",
                "a/templates/x.yaml",
                "a/templates/_h.tpl",
            ]
        );
    }

    #[test]
    fn parse_errors_are_shortened() {
        let e = cleanup_parse_error(
            "c/templates/x.yaml",
            "template: c/templates/x.yaml:3: function \"nope\" not defined",
        );
        assert_eq!(
            e.0,
            "parse error at (c/templates/x.yaml:3): function \"nope\" not defined"
        );
    }
}
