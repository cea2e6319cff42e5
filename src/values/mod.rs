//! Values, as Helm computes them: the user's `-f`/`--set*` values merged in Helm's
//! order ([`ValueOptions::merge_values`]), dependencies enabled or pruned by
//! `condition`/`tags`, aliases applied and `import-values` copied up
//! ([`process_dependencies`]), chart defaults coalesced under them with `global`
//! flowing down and `null` deleting a default ([`coalesce_values`]), and each
//! chart's `values.schema.json` checked ([`validate_schemas`]). The rules follow
//! Helm's `pkg/chartutil` and `pkg/cli/values` step for step, because the exact
//! merged tree decides what every template prints.
//!
//! | file | owns |
//! |---|---|
//! | [`strvals`] | the `--set` family's parser (`pkg/strvals`), errors in Helm's words |
//! | [`coalesce`] | `CoalesceValues`/`MergeValues` on a model of Go's shared maps |
//! | [`schema`] | JSON Schema checks with gojsonschema's wording and order |
//! | here | `MergeValues` of the CLI flags, dependency processing |

pub mod coalesce;
pub mod schema;
pub mod strvals;

pub use schema::validate_schemas;

use crate::chart::{Chart, constraint};
use crate::gotmpl::{Map, Value};

/// A values failure, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ValuesError(pub String);

fn verr(msg: impl Into<String>) -> ValuesError {
    ValuesError(msg.into())
}

/// The user's values flags, in the order Helm applies them.
#[derive(Debug, Clone, Default)]
pub struct ValueOptions {
    pub value_files: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_json: Vec<String>,
    pub set_literal: Vec<String>,
}

/// Reads `-f`/`--set-file` input: a path, `-` for stdin, or an http(s) URL
/// (fetched as Helm's HTTP getter fetches it, with charter's bounded retries of
/// transient failures).
fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path.trim() == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| e.to_string())?;
        return Ok(buf);
    }
    if path.starts_with("http://") || path.starts_with("https://") {
        let fetcher = crate::repo::http::Fetcher::new(&crate::repo::http::HttpOptions::default())
            .map_err(|e| e.to_string())?;
        return fetcher.get(path).map_err(|e| e.to_string());
    }
    std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("open {path}: {reason}")
    })
}

/// Helm's `mergeMaps`: maps merge recursively, anything else replaces.
pub fn merge_maps(a: Map, b: Map) -> Map {
    let mut out = a;
    for (k, v) in b {
        if let Value::Map(vm) = &v
            && let Some(Value::Map(existing)) = out.get(&k)
        {
            let merged = merge_maps((***existing).clone(), (***vm).clone());
            out.insert(k, Value::map(merged));
            continue;
        }
        out.insert(k, v);
    }
    out
}

impl ValueOptions {
    /// Helm's `MergeValues`: files, then `--set-json`, `--set`, `--set-string`,
    /// `--set-file`, `--set-literal`.
    pub fn merge_values(&self) -> Result<Map, ValuesError> {
        let mut base = Map::new();
        for f in &self.value_files {
            let bytes = read_input(f).map_err(verr)?;
            let text = String::from_utf8_lossy(&bytes);
            let current = crate::yaml::unmarshal_map(&text)
                .map_err(|e| verr(format!("failed to parse {f}: {e}")))?;
            base = merge_maps(base, current);
        }
        for v in &self.set_json {
            // Helm drops the parser's reason here.
            strvals::parse_into(v, &mut base, strvals::Reader::Json)
                .map_err(|_| verr(format!("failed parsing --set-json data {v}")))?;
        }
        for v in &self.set {
            strvals::parse_into(v, &mut base, strvals::Reader::Typed)
                .map_err(|e| verr(format!("failed parsing --set data: {e}")))?;
        }
        for v in &self.set_string {
            strvals::parse_into(v, &mut base, strvals::Reader::String)
                .map_err(|e| verr(format!("failed parsing --set-string data: {e}")))?;
        }
        for v in &self.set_file {
            let reader = |p: &str| read_input(p).map(|b| String::from_utf8_lossy(&b).into_owned());
            strvals::parse_into(v, &mut base, strvals::Reader::File(&reader))
                .map_err(|e| verr(format!("failed parsing --set-file data: {e}")))?;
        }
        for v in &self.set_literal {
            strvals::parse_literal_into(v, &mut base)
                .map_err(|e| verr(format!("failed parsing --set-literal data: {e}")))?;
        }
        Ok(base)
    }
}

/// Helm's `CoalesceValues`: the chart's defaults (and its subcharts', under their
/// names) beneath the user's values; a user `null` deletes a default. Helm's
/// warnings are dropped; see [`coalesce::coalesce_with_warnings`].
pub fn coalesce_values(chart: &Chart, user: &Map) -> Result<Map, ValuesError> {
    coalesce::coalesce_with_warnings(chart, user, false).map(|(m, _)| m)
}

/// chartutil's `MergeValues`: like coalescing, but nulls are kept.
pub fn merge_chart_values(chart: &Chart, user: &Map) -> Result<Map, ValuesError> {
    coalesce::coalesce_with_warnings(chart, user, true).map(|(m, _)| m)
}

/// Helm's `MergeTables` (`merge`) / `CoalesceTables`: `src` fills what `dst` lacks.
pub fn coalesce_tables(dst: &mut Map, src: &Map, merge: bool) {
    // Nothing to fill in (a chart without import-values, most often): `dst`
    // stays as it is, without the round trip through the Go-map model.
    if src.is_empty() {
        return;
    }
    let d = coalesce::to_g(dst);
    let s = coalesce::to_g(src);
    coalesce::Run::new().coalesce_tables(&d, &s, "", merge, true);
    *dst = coalesce::from_g(&d);
}

/// Helm's `Values.Table`: the map at a dotted path.
fn table<'a>(v: &'a Map, path: &str) -> Option<&'a Map> {
    let mut cur = v;
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return None,
        }
    }
    Some(cur)
}

/// Helm's `Values.PathValue`: a non-table value at a dotted path.
fn path_value<'a>(v: &'a Map, path: &str) -> Option<&'a Value> {
    let (head, key) = match path.rsplit_once('.') {
        Some((h, k)) => (Some(h), k),
        None => (None, path),
    };
    let t = match head {
        Some(h) => table(v, h)?,
        None => v,
    };
    match t.get(key) {
        Some(Value::Map(_)) | None => None,
        Some(x) => Some(x),
    }
}

/// Helm's `ProcessDependenciesWithMerge`: aliases, `condition`/`tags` pruning,
/// then `import-values`.
pub fn process_dependencies(chart: &mut Chart, user: &Map) -> Result<(), ValuesError> {
    process_enabled(chart, user, "")?;
    process_import_values(chart)
}

fn process_enabled(c: &mut Chart, v: &Map, path: &str) -> Result<(), ValuesError> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let matches = |e: &Chart, r: &crate::chart::Dependency| {
        e.name() == r.name && constraint::is_compatible_range(&r.version, &e.metadata.version)
    };
    let mut existing: Vec<Option<Chart>> = std::mem::take(&mut c.dependencies)
        .into_iter()
        .map(Some)
        .collect();
    // Charts no requirement names come first, as they were.
    let mut deps: Vec<Chart> = Vec::new();
    for slot in existing.iter_mut() {
        if slot
            .as_ref()
            .is_some_and(|e| !c.metadata.dependencies.iter().any(|r| matches(e, r)))
            && let Some(e) = slot.take()
        {
            deps.push(e);
        }
    }
    // Each requirement takes the first chart it matches: a copy when a later
    // requirement (another alias) takes the same chart, else the chart itself.
    let picks: Vec<Option<usize>> = c
        .metadata
        .dependencies
        .iter()
        .map(|r| {
            existing
                .iter()
                .position(|e| e.as_ref().is_some_and(|e| matches(e, r)))
        })
        .collect();
    for (i, req) in c.metadata.dependencies.iter_mut().enumerate() {
        if let Some(at) = picks[i] {
            let used_again = picks[i + 1..].contains(&Some(at));
            let found = if used_again {
                existing[at].clone()
            } else {
                existing[at].take()
            };
            if let Some(mut copy) = found {
                if !req.alias.is_empty() {
                    copy.metadata.name = req.alias.clone();
                }
                deps.push(copy);
            }
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = deps;
    for r in c.metadata.dependencies.iter_mut() {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v)?;
    // Tags: disabled only when no listed tag is true and at least one is false.
    if let Some(tags) = table(&cvals, "tags") {
        for r in c.metadata.dependencies.iter_mut() {
            let (mut has_true, mut has_false) = (false, false);
            for t in &r.tags {
                if let Some(Value::Bool(b)) = tags.get(t) {
                    if *b {
                        has_true = true;
                    } else {
                        has_false = true;
                    }
                }
            }
            r.enabled = has_true || !has_false;
        }
    }
    // Conditions: the first path that resolves to a bool decides.
    for r in c.metadata.dependencies.iter_mut() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Some(Value::Bool(b)) = path_value(&cvals, &format!("{path}{cond}")) {
                r.enabled = *b;
                break;
            }
        }
    }
    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|r| !removed.contains(&r.name));
    for t in c.dependencies.iter_mut() {
        let sub = format!("{path}{}.", t.name());
        process_enabled(t, &cvals, &sub)?;
    }
    Ok(())
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), Value::map(cur));
        cur = m;
    }
    cur
}

fn process_import_values(c: &mut Chart) -> Result<(), ValuesError> {
    for d in c.dependencies.iter_mut() {
        process_import_values(d)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_chart_values(c, &Map::new())?;
    let mut b = Map::new();
    for r in c.metadata.dependencies.iter_mut() {
        let mut normalized = Vec::new();
        for iv in &r.import_values {
            match iv {
                Value::Map(m) => {
                    let child = m
                        .get("child")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    let parent = m
                        .get("parent")
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    let mut n = Map::new();
                    n.insert("child".into(), Value::str(&child));
                    n.insert("parent".into(), Value::str(&parent));
                    normalized.push(Value::map(n));
                    if let Some(vv) = table(&cvals, &format!("{}.{child}", r.name)) {
                        coalesce_tables(&mut b, &path_to_map(&parent, vv.clone()), true);
                    }
                }
                Value::String(s) => {
                    let child = format!("exports.{s}");
                    let mut n = Map::new();
                    n.insert("child".into(), Value::str(&child));
                    n.insert("parent".into(), Value::str("."));
                    normalized.push(Value::map(n));
                    if let Some(vm) = table(&cvals, &format!("{}.{child}", r.name)) {
                        coalesce_tables(&mut b, vm, true);
                    }
                }
                _ => {}
            }
        }
        r.import_values = normalized;
    }
    let mut vals = cvals;
    // The chart's own values win over imported ones.
    coalesce_tables(&mut vals, &b, true);
    c.values = vals;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Map {
        crate::yaml::unmarshal_map(text).unwrap()
    }

    #[test]
    fn user_null_deletes_a_default_and_maps_merge() {
        let chart = Chart {
            values: m("a: 1\nb:\n  c: 2\n  d: 3\n"),
            ..Chart::default()
        };
        let out = coalesce_values(&chart, &m("a: null\nb:\n  d: 4\nz: null\n")).unwrap();
        assert_eq!(Value::map(out).to_string(), "map[b:map[c:2 d:4] z:<nil>]");
    }

    /// Go shares the tables under `global` two levels down between a parent and
    /// its subcharts: a subchart's default there shows in the parent's values
    /// and in the siblings coalesced after it (values are thawed into the model
    /// before they are shared, so this holds though they are not copied).
    #[test]
    fn nested_global_tables_are_shared_as_in_go() {
        let chart = |name: &str, values: &str, deps: Vec<Chart>| {
            let mut c = Chart {
                values: m(values),
                dependencies: deps,
                ..Chart::default()
            };
            c.metadata.name = name.into();
            c
        };
        let parent = chart(
            "parent",
            "global:\n  a:\n    b:\n      x: 1\n",
            vec![
                chart("one", "global:\n  a:\n    b:\n      c: one\n", vec![]),
                chart("two", "k: v\n", vec![]),
            ],
        );
        let out = coalesce_values(&parent, &Map::new()).unwrap();
        assert_eq!(
            Value::map(out).to_string(),
            "map[global:map[a:map[b:map[c:one x:1]]] \
             one:map[global:map[a:map[b:map[c:one x:1]]]] \
             two:map[global:map[a:map[b:map[c:one x:1]]] k:v]]"
        );
    }

    #[test]
    fn globals_flow_down() {
        let mut sub = Chart::default();
        sub.metadata.name = "sub".into();
        sub.values = m("global:\n  x: child\n  yy: keep\nk: v\n");
        let parent = Chart {
            values: m("global:\n  x: parent\n"),
            dependencies: vec![sub],
            ..Chart::default()
        };
        let out = coalesce_values(&parent, &Map::new()).unwrap();
        assert_eq!(
            Value::map(out).to_string(),
            "map[global:map[x:parent] sub:map[global:map[x:parent yy:keep] k:v]]"
        );
    }
}
