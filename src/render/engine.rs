//! Helm's rendering engine: every template of a chart and its subcharts parsed into
//! one template set, then each non-partial file executed with its chart's scope.
//!
//! The order is Helm's (deepest paths parsed first, so a parent's `define` wins over
//! a subchart's), the scope is Helm's (a subchart sees `.Values.<its name>` of its
//! parent, its own `.Chart` and `.Files`), and errors are rewritten as Helm rewrites
//! them (`execution error at (file:line:col): msg` for `required`/`fail`).
//!
//! Large charts execute their files on two threads, with the in-order result
//! guaranteed as [`execute_on_two_threads`] describes. Templates can be parsed
//! before the render, while the chart loads ([`ParseAhead`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use regex_lite::Regex;

use crate::chart::Chart;
use crate::gotmpl::value::{MapCell, MapWatch};
use crate::gotmpl::{self, Map, MissingKey, Template, Value};
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
    /// Templates parsed ahead of the render, if the caller started that.
    pub parsed_ahead: Option<&'a ParseAhead>,
}

/// Go templates parsed on another thread while the chart loads and its values
/// merge: [`ParseAhead::run`] parses each template the loader reports
/// ([`crate::chart::load_observed`]), and the render takes what is done by then
/// and parses the rest itself. A file is taken only if its path and text are the
/// ones the render parses (an alias renames a subchart's files, for one), so the
/// result is the same as parsing it in the render.
pub struct ParseAhead {
    set: Template,
    /// Results by path, with the bytes they were parsed from.
    done: std::sync::Mutex<HashMap<String, (bytes::Bytes, gotmpl::Parsed)>>,
    stop: AtomicBool,
}

impl ParseAhead {
    pub fn new(opts: &FuncOptions) -> ParseAhead {
        ParseAhead {
            set: template_set(opts),
            done: Default::default(),
            stop: AtomicBool::new(false),
        }
    }

    /// Parses the `(path, file content)` pairs as they come, until the sender is
    /// dropped or [`ParseAhead::stop`] is called.
    pub fn run(&self, files: impl IntoIterator<Item = (String, bytes::Bytes)>) {
        // Files parsed so far by length: a file with the same bytes as an
        // earlier one takes a renamed copy of its result.
        let mut by_len: HashMap<usize, Vec<(bytes::Bytes, String)>> = HashMap::new();
        for (path, data) in files {
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            let same = by_len.entry(data.len()).or_default();
            let earlier = same.iter().find(|(d, _)| same_bytes(d, &data));
            // The loader reports a folder's templates twice (see
            // `chart::load_observed`): the same file again is done already.
            if earlier.is_some_and(|(_, p)| *p == path) {
                continue;
            }
            let copy = earlier.and_then(|(_, earlier)| {
                let done = self.done.lock().unwrap_or_else(|e| e.into_inner());
                done.get(earlier)?.1.renamed(&path)
            });
            let parsed = match copy {
                Some(copy) => copy,
                None => {
                    same.push((data.clone(), path.clone()));
                    self.set.parse_ahead(&path, &crate::chart::lossy(&data))
                }
            };
            let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
            if self.stop.load(Ordering::Relaxed) {
                return;
            }
            done.insert(path, (data, parsed));
        }
    }

    /// Ends [`ParseAhead::run`] after the file it is on (whose result is dropped).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Stops the parsing and takes what is done.
    fn take(&self) -> HashMap<String, (bytes::Bytes, gotmpl::Parsed)> {
        self.stop();
        std::mem::take(&mut *self.done.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Whether two files' bytes are equal, without comparing them when they are
/// the same bytes (the loader reports a file and keeps it in one buffer).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// Whether `text` is what a file of bytes `data` was parsed as (its text as the
/// chart gives it, see [`crate::chart::lossy`]).
fn parsed_from(data: &[u8], text: &str) -> bool {
    same_bytes(data, text.as_bytes()) || crate::chart::lossy(data) == text
}

/// The empty template set a render parses into: Sprig's and Helm's functions.
fn template_set(opts: &FuncOptions) -> Template {
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
    t
}

/// A render failure, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

struct Renderable<'c> {
    text: Cow<'c, str>,
    scope: Arc<MapCell>,
    base_path: String,
}

/// Below this much template text, or with fewer templates to execute than
/// [`PARALLEL_EXEC_TEMPLATES`], templates execute on one thread: the second
/// thread's copy of the values and its start cost more than it saves. From this
/// much on, parsing goes on two threads too, and a caller may get ready for the
/// helper threads.
pub const PARALLEL_EXEC_BYTES: usize = 64 * 1024;
const PARALLEL_EXEC_TEMPLATES: usize = 4;

/// Whether a render of `chart` executes its Go templates on two threads (the
/// rule [`render_observed`] follows): from the template text of the chart and
/// its subcharts (the files [`collect`] gathers) and how many files execute.
pub fn executes_on_two_threads(chart: &Chart) -> bool {
    fn tally(chart: &Chart, bytes: &mut usize, executed: &mut usize) {
        for child in &chart.dependencies {
            tally(child, bytes, executed);
        }
        if chart.metadata.engine.as_deref() == Some("jinja") {
            return;
        }
        let library = chart.is_library();
        for t in &chart.templates {
            let partial = t
                .name
                .rsplit('/')
                .next()
                .unwrap_or(&t.name)
                .starts_with('_');
            if library && !partial {
                continue;
            }
            *bytes += t.data.len();
            *executed += usize::from(!partial);
        }
    }
    let (mut bytes, mut executed) = (0, 0);
    tally(chart, &mut bytes, &mut executed);
    bytes >= PARALLEL_EXEC_BYTES && executed >= PARALLEL_EXEC_TEMPLATES
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
/// rendered, so a caller can start on the output while the rest render. A
/// path may be given more than once (the later output replaces the earlier,
/// see [`execute_on_two_threads`]), and paths come in no set order.
pub fn render_observed(
    input: &RenderInput<'_>,
    opts: &FuncOptions,
    on_rendered: &(dyn Fn(&str, &str) + Sync),
) -> Result<BTreeMap<String, String>, RenderError> {
    let mut jinja: Vec<JinjaUnit> = Vec::new();
    let data = Data::copied(input);
    let tpls = prepare_over(input, &data, &mut jinja);

    let mut t = template_set(opts);
    let keys = sorted_keys(&tpls);
    let sources: Vec<(&str, &str)> = keys
        .iter()
        .map(|name| (name.as_str(), &*tpls[name.as_str()].text))
        .collect();
    let mut ahead = input.parsed_ahead.map(ParseAhead::take).unwrap_or_default();
    let ahead = sources
        .iter()
        .map(|(name, text)| match ahead.remove(*name) {
            Some((data, parsed)) if parsed_from(&data, text) => Some(parsed),
            _ => None,
        })
        .collect::<Vec<_>>();
    t.parse_all_with(&sources, ahead)
        .map_err(|(i, e)| cleanup_parse_error(sources[i].0, &e.to_string()))?;

    // Helm executes every file but the partials (`_*`), in the parse order.
    let executed: Vec<&str> = keys
        .iter()
        .map(String::as_str)
        .filter(|name| !name.rsplit('/').next().unwrap_or(name).starts_with('_'))
        .collect();
    let two_threads = executes_on_two_threads(input.chart);
    let on_two_threads = if two_threads {
        execute_on_two_threads(&t, input, &data, &tpls, &executed, on_rendered)
    } else {
        None
    };
    let mut rendered = on_two_threads.unwrap_or_else(|| {
        // In order on one thread: the usual way, and the way again when a
        // template on two threads tried to change the data they share (the
        // change was refused, so the data is as it was, and that template runs
        // again, on fresh scopes: the old ones hold the `.Template` of files
        // executed out of order).
        let fresh;
        let tpls = if two_threads {
            fresh = prepare_over(input, &data, &mut Vec::new());
            &fresh
        } else {
            &tpls
        };
        let mut rendered = BTreeMap::new();
        for name in &executed {
            let out = execute_one(&t, name, &tpls[*name])?;
            on_rendered(name, &out);
            rendered.insert(name.to_string(), out);
        }
        Ok(rendered)
    })?;
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

/// The values and `.Release` that every chart's scope is built over.
struct Data {
    release: Value,
    values: Value,
}

impl Data {
    /// Copies of the input's values and `.Release`, for one render to change.
    fn copied(input: &RenderInput<'_>) -> Data {
        Data {
            release: input.release.deep_copy(),
            values: Value::Map(Arc::new(MapCell::named(input.values.clone(), VALUES_TYPE)))
                .deep_copy(),
        }
    }
}

/// Every template of the chart and its subcharts with its chart's scope (a map
/// of its own, for `.Template`), over `data`.
fn prepare_over<'c>(
    input: &RenderInput<'c>,
    data: &Data,
    jinja: &mut Vec<JinjaUnit>,
) -> BTreeMap<String, Renderable<'c>> {
    let capabilities = Value::Object(input.capabilities.clone());
    let shared = Shared {
        release: &data.release,
        capabilities: &capabilities,
    };
    let mut tpls = BTreeMap::new();
    collect(
        input.chart,
        input.chart.name(),
        true,
        data.values.clone(),
        &shared,
        &mut tpls,
        jinja,
    );
    tpls
}

/// Executes one template with its chart's scope, `.Template` set in it as Helm
/// sets it: Helm passes every file of a chart the same scope map, so a file that
/// changes `$` (`set $ "x" 1`) changes it for the files executed after it.
fn execute_one(t: &Template, name: &str, r: &Renderable<'_>) -> Result<String, RenderError> {
    let mut tmpl = Map::new();
    tmpl.insert("Name".into(), Value::str(name));
    tmpl.insert("BasePath".into(), Value::str(&r.base_path));
    // SAFETY: no template is executing on this thread, so nothing borrows the
    // map, and no other thread uses this copy of the scopes (see `prepare`).
    unsafe { r.scope.mutate_unwatched() }.insert("Template".into(), Value::map(tmpl));
    let out = t
        .execute(name, &Value::Map(r.scope.clone()))
        .map_err(|e| cleanup_exec_error(name, &e))?;
    Ok(if out.contains("<no value>") {
        out.replace("<no value>", "")
    } else {
        out
    })
}

/// Executes the templates on this thread and a second one, each taking the next
/// template in order. Both read the same values and `.Release` (`data`); each
/// has chart scopes of its own (for `.Template`). The outputs are the ones
/// executing in order gives, because templates only affect each other by
/// changing the data they share in place (Sprig's `set`, `unset`, `merge` on the
/// values, `.Release` or a chart's scope `$`): a [`MapWatch`] on each thread
/// refuses the first such change (the template fails, and no thread ever sees
/// a map change under it), and then the answer is `None`, so the caller
/// executes them all again in order (outputs already given to `on_rendered` are
/// given again). Otherwise the error is the first template's in order, as in
/// Helm.
fn execute_on_two_threads(
    t: &Template,
    input: &RenderInput<'_>,
    data: &Data,
    tpls: &BTreeMap<String, Renderable<'_>>,
    executed: &[&str],
    on_rendered: &(dyn Fn(&str, &str) + Sync),
) -> Option<Result<BTreeMap<String, String>, RenderError>> {
    let next = AtomicUsize::new(0);
    // No template after a failed one needs executing.
    let limit = AtomicUsize::new(usize::MAX);
    let changed = AtomicBool::new(false);
    let work = |tpls: &BTreeMap<String, Renderable<'_>>| {
        // Every map the templates can reach exists by now: the shared data and
        // this thread's scopes.
        let watch = MapWatch::start();
        let mut done: Vec<(usize, Result<String, RenderError>)> = Vec::new();
        while !changed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= executed.len() || i > limit.load(Ordering::Relaxed) {
                break;
            }
            let name = executed[i];
            let result = execute_one(t, name, &tpls[name]);
            if watch.changed() {
                changed.store(true, Ordering::Relaxed);
                break;
            }
            match &result {
                Ok(out) => on_rendered(name, out),
                Err(_) => {
                    limit.fetch_min(i, Ordering::Relaxed);
                }
            }
            done.push((i, result));
        }
        done
    };
    let mut done = std::thread::scope(|s| {
        let helper = crate::threads::beside(s, || {
            crate::heap::advise_this_threads_heap();
            let tpls = prepare_over(input, data, &mut Vec::new());
            let done = work(&tpls);
            if input.process_exits_after {
                std::mem::forget(tpls);
            }
            done
        });
        // Without a second thread (the system refused one), this one does all.
        let mut done = work(tpls);
        if helper.started() {
            done.extend(helper.result()?);
        }
        Some(done)
    })?;
    if changed.load(Ordering::Relaxed) {
        return None;
    }
    done.sort_by_key(|(i, _)| *i);
    let mut rendered = BTreeMap::new();
    for (i, result) in done {
        match result {
            Ok(out) => rendered.insert(executed[i].to_string(), out),
            Err(e) => return Some(Err(e)),
        };
    }
    Some(Ok(rendered))
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
fn collect<'c>(
    chart: &'c Chart,
    full_path: &str,
    is_root: bool,
    values: Value,
    shared: &Shared<'_>,
    out: &mut BTreeMap<String, Renderable<'c>>,
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
                text: t.text(),
                scope: scope.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    Value::Map(scope)
}

/// Helm's parse order: paths with more `/` first; equal depth in reverse byte order.
fn sorted_keys(tpls: &BTreeMap<String, Renderable<'_>>) -> Vec<String> {
    // Each path's depth is counted once, not at every comparison.
    let mut keys: Vec<(usize, &String)> = tpls
        .keys()
        .map(|k| (k.bytes().filter(|&b| b == b'/').count(), k))
        .collect();
    keys.sort_by(|(da, a), (db, b)| db.cmp(da).then_with(|| b.cmp(a)));
    keys.into_iter().map(|(_, k)| k.clone()).collect()
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
                    text: Cow::Borrowed(""),
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

    fn write_file(dir: &std::path::Path, file: &str, text: &str) {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    /// A render on two threads leaves its input as it was (the threads share a
    /// copy, which neither may change), and its outputs are the ones of
    /// executing in order, where a change to `.Release` or the values (directly,
    /// or through a map nested in another one) reaches exactly the files after it.
    #[test]
    fn two_threads_change_neither_the_input_nor_the_files_before_a_change() {
        let changes = [
            (
                r#"{{- $_ := set .Release "Name" "renamed" }}{{- $_ := set .Values "touched" "yes" }}"#,
                "name: renamed\ntouched: yes\nnested: false\n",
            ),
            (
                r#"{{- $_ := mergeOverwrite (dict "n" .Values.nested) (dict "n" (dict "touched" "yes")) }}"#,
                "name: r\ntouched: false\nnested: yes\n",
            ),
        ];
        for (change, changed) in changes {
            two_threads_render_in_order(change, changed);
        }
    }

    /// [`two_threads_change_neither_the_input_nor_the_files_before_a_change`]
    /// for one change, made by the file executed second, whose outputs
    /// (and the first file's) are then `changed`.
    fn two_threads_render_in_order(change: &str, changed: &str) {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |file: &str, text: &str| write_file(dir.path(), file, text);
        write("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
        write("values.yaml", "touched: no\nnested:\n  touched: no\n");
        let pad = "padding ".repeat(9000);
        write("templates/_pad.tpl", &format!("{{{{/* {pad} */}}}}"));
        for i in 0..16 {
            let change = if i == 14 { change } else { "" };
            write(
                &format!("templates/t{i:02}.yaml"),
                &format!(
                    "{change}name: {{{{ .Release.Name }}}}\ntouched: {{{{ .Values.touched }}}}\nnested: {{{{ .Values.nested.touched }}}}\n"
                ),
            );
        }
        let chart = crate::chart::load(dir.path()).expect("chart");
        let values = crate::values::coalesce_values(&chart, &Map::new()).expect("values");
        let mut release = Map::new();
        release.insert("Name".into(), Value::str("r"));
        let release = Value::map(release);
        let input = RenderInput {
            chart: &chart,
            values: &values,
            release: release.clone(),
            capabilities: Arc::new(crate::render::context::Capabilities::new(None, &[])),
            process_exits_after: false,
            parsed_ahead: None,
        };
        for _ in 0..20 {
            let out = render(&input, &FuncOptions::default()).expect("render");
            assert_eq!(input.release, release);
            assert_eq!(input.values, &values);
            // Files execute from t15 down: t15 sees nothing of t14's change.
            for i in 0..16 {
                let want = match i {
                    15 => "name: r\ntouched: false\nnested: false\n",
                    _ => changed,
                };
                assert_eq!(out[&format!("c/templates/t{i:02}.yaml")], want, "t{i:02}");
            }
        }
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

    /// A file parsed ahead is taken only for the path and text the render parses:
    /// a stale text (or a failed parse of one) under the same path is not.
    /// A render of `chart` with empty `.Release` and default capabilities.
    fn input<'a>(
        chart: &'a Chart,
        values: &'a Map,
        parsed_ahead: Option<&'a ParseAhead>,
    ) -> RenderInput<'a> {
        RenderInput {
            chart,
            values,
            release: Value::map(Map::new()),
            capabilities: Arc::new(crate::render::context::Capabilities::new(None, &[])),
            process_exits_after: false,
            parsed_ahead,
        }
    }

    #[test]
    fn parsed_ahead_is_taken_only_for_the_same_path_and_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |file: &str, text: &str| write_file(dir.path(), file, text);
        write("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
        write("values.yaml", "x: 1\n");
        write("templates/a.yaml", "a: {{ .Values.x }}");
        write("templates/b.yaml", "b: {{ .Values.x }}");
        write("templates/c.yaml", "c: {{ .Values.x }}");
        let chart = crate::chart::load(dir.path()).expect("chart");
        let values = crate::values::coalesce_values(&chart, &Map::new()).expect("values");
        let ahead = ParseAhead::new(&FuncOptions::default());
        let (tx, rx) = std::sync::mpsc::channel();
        for (path, text) in [
            ("c/templates/a.yaml", "a: stale {{ .Values.x }}"),
            ("c/templates/b.yaml", "b: {{ if }}"),
            ("c/templates/c.yaml", "c: {{ .Values.x }}"),
            ("elsewhere/templates/a.yaml", "a: elsewhere"),
        ] {
            tx.send((path.to_string(), bytes::Bytes::from(text)))
                .expect("send");
        }
        drop(tx);
        ahead.run(rx);
        let out = render(
            &input(&chart, &values, Some(&ahead)),
            &FuncOptions::default(),
        )
        .expect("render");
        assert_eq!(out["c/templates/a.yaml"], "a: 1");
        assert_eq!(out["c/templates/b.yaml"], "b: 1");
        assert_eq!(out["c/templates/c.yaml"], "c: 1");
    }

    /// Two subcharts with the same library file: the one parsed ahead second is
    /// a renamed copy of the first's parse, and errors name the file that defines
    /// last (the copy, in Helm's parse order), as a render without parsing ahead
    /// names it.
    #[test]
    fn a_file_parsed_ahead_twice_is_a_renamed_copy() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |file: &str, text: &str| write_file(dir.path(), file, text);
        let lib = "{{ define \"lib\" }}{{ index .Values.a 1 }}{{ end }}";
        write("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n");
        for sub in ["one", "two"] {
            write(
                &format!("charts/{sub}/Chart.yaml"),
                &format!("apiVersion: v2\nname: {sub}\nversion: 1.0.0\n"),
            );
            write(&format!("charts/{sub}/values.yaml"), "a: []\n");
            write(&format!("charts/{sub}/templates/_lib.tpl"), lib);
        }
        write("charts/one/templates/x.yaml", "{{ include \"lib\" . }}");
        let chart = crate::chart::load(dir.path()).expect("chart");
        let values = crate::values::coalesce_values(&chart, &Map::new()).expect("values");
        let render_with = |ahead: Option<&ParseAhead>| {
            render(&input(&chart, &values, ahead), &FuncOptions::default())
                .expect_err("index out of range")
                .0
        };
        let ahead = ParseAhead::new(&FuncOptions::default());
        let paths = [
            "top/charts/two/templates/_lib.tpl",
            "top/charts/one/templates/_lib.tpl",
        ];
        ahead.run(paths.map(|p| (p.to_string(), bytes::Bytes::from(lib))));
        let done = ahead.done.lock().expect("lock").len();
        assert_eq!(done, 2);
        let want = render_with(None);
        assert!(
            want.contains("top/charts/one/templates/_lib.tpl:1:"),
            "{want}"
        );
        assert_eq!(render_with(Some(&ahead)), want);
    }
}
