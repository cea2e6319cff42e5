//! A new release record in Helm 3's JSON (`pkg/release/release.go` and the
//! chart's `pkg/chart/chart.go`), its fields in Go's struct order so that
//! `-o json` prints them as Helm prints its own: what `install` (and later
//! `upgrade`) store.

use anyhow::{Result, anyhow};
use base64::Engine;
use serde_json::{Map as JsonMap, Value as Json};

use crate::chart::Chart;
use crate::gotmpl::{Map, Value};
use crate::render::manifest::Hook;

/// Go's JSON of a template value (numbers as float64 text, maps sorted).
fn json_of(v: &Value) -> Result<Json> {
    let text = crate::yaml::to_json(v, crate::yaml::JsonOpts::RAW).map_err(|e| anyhow!(e))?;
    serde_json::from_str(&text).map_err(|e| anyhow!("{e}"))
}

/// An object with its keys put in `order` (keys not named keep their place after).
fn ordered(v: Json, order: &[&str]) -> Json {
    let Json::Object(mut m) = v else { return v };
    let mut out = JsonMap::new();
    for k in order {
        if let Some(x) = m.shift_remove(*k) {
            out.insert((*k).to_string(), x);
        }
    }
    out.extend(m);
    Json::Object(out)
}

fn ordered_list(v: Option<Json>, order: &[&str]) -> Option<Json> {
    match v {
        Some(Json::Array(items)) => Some(Json::Array(
            items.into_iter().map(|i| ordered(i, order)).collect(),
        )),
        other => other,
    }
}

const DEPENDENCY_ORDER: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// `chart.metadata` as Go marshals `*chart.Metadata`.
fn metadata_json(chart: &Chart) -> Result<Json> {
    let v = json_of(&chart.metadata.to_data())?;
    let mut v = ordered(v, &crate::chart::METADATA_FIELDS);
    if let Some(m) = v.as_object_mut() {
        if let Some(x) = ordered_list(m.get("maintainers").cloned(), &["name", "email", "url"]) {
            m.insert("maintainers".into(), x);
        }
        if let Some(x) = ordered_list(m.get("dependencies").cloned(), DEPENDENCY_ORDER) {
            m.insert("dependencies".into(), x);
        }
    }
    Ok(v)
}

fn files_json(files: &[crate::chart::ChartFile]) -> Json {
    let b64 = base64::engine::general_purpose::STANDARD;
    Json::Array(
        files
            .iter()
            .map(|f| {
                let mut m = JsonMap::new();
                m.insert("name".into(), f.name.clone().into());
                m.insert("data".into(), b64.encode(f.data.to_bytes()).into());
                Json::Object(m)
            })
            .collect(),
    )
}

/// `chart` as Go marshals `*chart.Chart` (subcharts are not part of it).
fn chart_json(chart: &Chart) -> Result<Json> {
    let mut m = JsonMap::new();
    m.insert("metadata".into(), metadata_json(chart)?);
    let lock = match &chart.lock {
        Some(l) => ordered(
            json_of(&l.to_data())?,
            &["generated", "digest", "dependencies"],
        ),
        None => Json::Null,
    };
    let lock = match lock {
        Json::Object(mut l) => {
            if let Some(x) = ordered_list(l.get("dependencies").cloned(), DEPENDENCY_ORDER) {
                l.insert("dependencies".into(), x);
            }
            Json::Object(l)
        }
        other => other,
    };
    m.insert("lock".into(), lock);
    m.insert("templates".into(), files_json(&chart.templates));
    m.insert("values".into(), json_of(&Value::map(chart.values.clone()))?);
    m.insert(
        "schema".into(),
        match &chart.schema {
            Some(s) => base64::engine::general_purpose::STANDARD.encode(s).into(),
            None => Json::Null,
        },
    );
    m.insert(
        "files".into(),
        if chart.files.is_empty() {
            Json::Null
        } else {
            files_json(&chart.files)
        },
    );
    Ok(Json::Object(m))
}

/// A hook as Go marshals `*release.Hook` (never run yet).
fn hook_json(h: &Hook) -> Json {
    let mut m = JsonMap::new();
    let mut put = |k: &str, v: Json| {
        m.insert(k.to_string(), v);
    };
    if !h.name.is_empty() {
        put("name", h.name.clone().into());
    }
    if !h.kind.is_empty() {
        put("kind", h.kind.clone().into());
    }
    if !h.path.is_empty() {
        put("path", h.path.clone().into());
    }
    if !h.manifest.is_empty() {
        put("manifest", h.manifest.clone().into());
    }
    if !h.events.is_empty() {
        put("events", h.events.clone().into());
    }
    put(
        "last_run",
        serde_json::json!({"started_at": "", "completed_at": "", "phase": ""}),
    );
    if h.weight != 0 {
        put("weight", h.weight.into());
    }
    if !h.delete_policies.is_empty() {
        put("delete_policies", h.delete_policies.clone().into());
    }
    Json::Object(m)
}

/// What a new record holds.
pub struct NewRecord<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub version: i64,
    pub chart: &'a Chart,
    /// The user's values (`config`).
    pub config: &'a Map,
    pub manifest: &'a str,
    pub hooks: &'a [Hook],
    pub notes: &'a str,
    pub status: &'a str,
    pub description: &'a str,
    /// `last_deployed` (and `first_deployed` unless given), as Go's JSON
    /// writes a time.
    pub deployed: &'a str,
    /// `first_deployed` when it is not this revision's (an upgrade keeps the
    /// release's first).
    pub first_deployed: Option<&'a str>,
}

/// The record's JSON, in Helm's field order.
pub fn new_record(r: &NewRecord) -> Result<Json> {
    let mut info = JsonMap::new();
    info.insert(
        "first_deployed".into(),
        r.first_deployed.unwrap_or(r.deployed).into(),
    );
    info.insert("last_deployed".into(), r.deployed.into());
    info.insert("deleted".into(), "".into());
    if !r.description.is_empty() {
        info.insert("description".into(), r.description.into());
    }
    if !r.status.is_empty() {
        info.insert("status".into(), r.status.into());
    }
    if !r.notes.is_empty() {
        info.insert("notes".into(), r.notes.into());
    }
    let mut m = JsonMap::new();
    m.insert("name".into(), r.name.into());
    m.insert("info".into(), Json::Object(info));
    m.insert("chart".into(), chart_json(r.chart)?);
    if !r.config.is_empty() {
        m.insert("config".into(), json_of(&Value::map(r.config.clone()))?);
    }
    if !r.manifest.is_empty() {
        m.insert("manifest".into(), r.manifest.into());
    }
    if !r.hooks.is_empty() {
        m.insert(
            "hooks".into(),
            Json::Array(r.hooks.iter().map(hook_json).collect()),
        );
    }
    if r.version != 0 {
        m.insert("version".into(), r.version.into());
    }
    if !r.namespace.is_empty() {
        m.insert("namespace".into(), r.namespace.into());
    }
    Ok(Json::Object(m))
}
