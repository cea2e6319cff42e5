//! Releases as Helm stores them: the record (`pkg/release` in Helm 3), its codec
//! (JSON, gzip, base64: [`codec`]) and the stores that keep one record per
//! revision (Secrets by default, ConfigMaps with `HELM_DRIVER=configmap`:
//! [`store`]). Helm and charter read each other's records, so the record keeps the
//! JSON it was read from ([`Release::raw`]) and the typed fields are read from it.

pub mod codec;
pub mod store;
pub mod template;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

pub use store::{Driver, ReleaseStore, StoreError};

/// A release's status, as Helm names it (`pkg/release/status.go`).
pub const STATUSES: &[&str] = &[
    "unknown",
    "deployed",
    "uninstalled",
    "superseded",
    "failed",
    "uninstalling",
    "pending-install",
    "pending-upgrade",
    "pending-rollback",
];

/// One revision of a release.
#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    /// The revision.
    pub version: i64,
    pub info: Info,
    /// `None` when the record has no chart (Helm prints `MISSING`).
    pub chart: Option<ChartMeta>,
    pub manifest: String,
    pub hooks: Vec<Hook>,
    /// The stored object's labels: the user's (`install --labels`), and in
    /// listings and histories also the store's own (`name`, `owner`, `status`,
    /// `version`, `createdAt`, `modifiedAt`), as Helm's drivers give them.
    pub labels: BTreeMap<String, String>,
    /// The record as stored, in its own key order: what `-o json` prints and
    /// where `config`, the chart's values and files are read from.
    pub raw: serde_json::Value,
}

/// `info`: when, what happened, the notes.
#[derive(Debug, Clone, Default)]
pub struct Info {
    pub first_deployed: Option<DateTime<FixedOffset>>,
    pub last_deployed: Option<DateTime<FixedOffset>>,
    pub deleted: Option<DateTime<FixedOffset>>,
    pub description: String,
    pub status: String,
    pub notes: String,
}

/// The parts of `chart.metadata` that listings print.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChartMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub version: String,
    #[serde(default, rename = "appVersion")]
    pub app_version: String,
}

/// A hook of the release (`pkg/release/hook.go`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Hook {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub manifest: String,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub last_run: HookRun,
    #[serde(default)]
    pub weight: i64,
    #[serde(default)]
    pub delete_policies: Vec<String>,
}

/// When a hook last ran and how it ended.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct HookRun {
    #[serde(default, deserialize_with = "go_time")]
    pub started_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "go_time")]
    pub completed_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub phase: String,
}

/// A hook's last run as the record writes it: times as Go's JSON writes them
/// (`""` for none) and the phase (`Running`, `Succeeded`, `Failed`, `Unknown`).
#[derive(Debug, Clone, Default)]
pub struct HookRunText {
    pub started_at: String,
    pub completed_at: String,
    pub phase: String,
}

impl Release {
    /// Reads a record's JSON (what [`codec::decode`] unpacks).
    pub fn from_json(json: &[u8]) -> Result<Release, String> {
        let raw: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| format!("invalid release JSON: {e}"))?;
        let obj = raw
            .as_object()
            .ok_or_else(|| "invalid release JSON: not an object".to_string())?;
        let text = |o: &serde_json::Map<String, serde_json::Value>, k: &str| {
            o.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let info = match obj.get("info").and_then(|v| v.as_object()) {
            Some(i) => Info {
                first_deployed: time_field(i, "first_deployed")?,
                last_deployed: time_field(i, "last_deployed")?,
                deleted: time_field(i, "deleted")?,
                description: text(i, "description"),
                status: text(i, "status"),
                notes: text(i, "notes"),
            },
            None => Info::default(),
        };
        let chart = match obj
            .get("chart")
            .and_then(|c| c.get("metadata"))
            .filter(|m| m.is_object())
        {
            Some(m) => Some(
                ChartMeta::deserialize(m)
                    .map_err(|e| format!("invalid release JSON: chart.metadata: {e}"))?,
            ),
            None => None,
        };
        let hooks = match obj.get("hooks") {
            Some(serde_json::Value::Array(list)) => list
                .iter()
                .filter(|h| !h.is_null())
                .map(|h| {
                    Hook::deserialize(h).map_err(|e| format!("invalid release JSON: hooks: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            _ => Vec::new(),
        };
        Ok(Release {
            name: text(obj, "name"),
            namespace: text(obj, "namespace"),
            version: obj.get("version").and_then(|v| v.as_i64()).unwrap_or(0),
            info,
            chart,
            manifest: text(obj, "manifest"),
            hooks,
            labels: BTreeMap::new(),
            raw,
        })
    }

    /// `chart-version` as listings print it, `MISSING` without a chart.
    pub fn chart_label(&self) -> String {
        match &self.chart {
            Some(c) => format!("{}-{}", c.name, c.version),
            None => "MISSING".into(),
        }
    }

    /// The chart's app version, `MISSING` without a chart.
    pub fn app_version(&self) -> String {
        match &self.chart {
            Some(c) => c.app_version.clone(),
            None => "MISSING".into(),
        }
    }

    /// The record's JSON as Go's encoder writes it (the stored field order).
    pub fn to_json(&self) -> String {
        crate::yaml::json::go_json_ordered(&self.raw)
    }

    /// Sets `info.status`, `info.description` and, when given, `info.deleted`
    /// (a time as Go writes it), in the record and its typed view.
    pub fn set_info(
        &mut self,
        status: &str,
        description: &str,
        deleted: Option<(DateTime<FixedOffset>, String)>,
    ) {
        self.info.status = status.to_string();
        self.info.description = description.to_string();
        if let Some(obj) = self.raw.as_object_mut() {
            let info = obj
                .entry("info")
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if let Some(info) = info.as_object_mut() {
                info.insert("status".into(), status.into());
                info.insert("description".into(), description.into());
                if let Some((t, text)) = deleted {
                    self.info.deleted = Some(t);
                    info.insert("deleted".into(), text.into());
                }
            }
        }
    }

    /// Sets the revision, in the record and its typed view.
    pub fn set_version(&mut self, version: i64) {
        self.version = version;
        if let Some(o) = self.raw.as_object_mut() {
            o.insert("version".into(), version.into());
        }
    }

    /// Records a hook's last run (and the delete policies it ran with) in the
    /// record, by the hook's position in `hooks`.
    pub fn set_hook_run(&mut self, index: usize, run: &HookRunText, policies: &[String]) {
        let Some(hook) = self
            .raw
            .get_mut("hooks")
            .and_then(|h| h.as_array_mut())
            .and_then(|h| h.get_mut(index))
            .and_then(|h| h.as_object_mut())
        else {
            return;
        };
        let mut last = serde_json::Map::new();
        last.insert("started_at".into(), run.started_at.clone().into());
        last.insert("completed_at".into(), run.completed_at.clone().into());
        last.insert("phase".into(), run.phase.clone().into());
        hook.insert("last_run".into(), serde_json::Value::Object(last));
        hook.insert("delete_policies".into(), policies.to_vec().into());
        if let Some(h) = self.hooks.get_mut(index) {
            h.last_run.phase = run.phase.clone();
            h.last_run.started_at = parse_go_time(&run.started_at).ok().flatten();
            h.last_run.completed_at = parse_go_time(&run.completed_at).ok().flatten();
            h.delete_policies = policies.to_vec();
        }
    }

    /// Puts the hooks in a new order (`order[i]` is the old position of the
    /// hook that goes to position `i`), in the record and its typed view.
    pub fn reorder_hooks(&mut self, order: &[usize]) {
        if let Some(list) = self.raw.get_mut("hooks").and_then(|h| h.as_array_mut())
            && list.len() == order.len()
        {
            let old = std::mem::take(list);
            *list = order.iter().map(|&i| old[i].clone()).collect();
        }
        if self.hooks.len() == order.len() {
            let old = std::mem::take(&mut self.hooks);
            self.hooks = order.iter().map(|&i| old[i].clone()).collect();
        }
    }

    /// The user's values (`config`) as Helm reads them back (Go's JSON
    /// decoding: numbers are float64); empty when there are none.
    pub fn config_map(&self) -> Result<crate::gotmpl::Map, String> {
        json_map(self.raw_field("config"))
    }

    /// The stored chart's own values (`chart.values`); empty when absent.
    pub fn chart_values_map(&self) -> Result<crate::gotmpl::Map, String> {
        json_map(
            self.raw_field("chart")
                .get("values")
                .unwrap_or(&serde_json::Value::Null),
        )
    }

    /// The computed values (Helm's `CoalesceValues(chart, config)`): the stored
    /// chart's values beneath the user's, a user `null` deleting a default.
    pub fn computed_values(&self) -> Result<crate::gotmpl::Map, String> {
        let mut computed = self.config_map()?;
        crate::values::coalesce_tables(&mut computed, &self.chart_values_map()?, false);
        Ok(computed)
    }

    /// A part of the stored record (`config`, `chart`), `null` when absent.
    pub fn raw_field(&self, key: &str) -> &serde_json::Value {
        self.raw.get(key).unwrap_or(&serde_json::Value::Null)
    }
}

/// A stored JSON object as a template map (Go's `json.Unmarshal` rules).
fn json_map(v: &serde_json::Value) -> Result<crate::gotmpl::Map, String> {
    if v.is_null() {
        return Ok(Default::default());
    }
    let value =
        crate::yaml::from_json(&v.to_string()).map_err(|e| format!("invalid release JSON: {e}"))?;
    Ok(value.as_map().cloned().unwrap_or_default())
}

/// A time field; Go's zero time (`0001-01-01T00:00:00Z`) and absence are `None`.
fn time_field(
    o: &serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<Option<DateTime<FixedOffset>>, String> {
    match o.get(key) {
        Some(serde_json::Value::String(s)) => {
            parse_go_time(s).map_err(|e| format!("invalid release JSON: info.{key}: {e}"))
        }
        _ => Ok(None),
    }
}

fn go_time<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s {
        Some(s) => parse_go_time(&s).map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}

/// A time as Go's `encoding/json` writes it (RFC 3339 with nanoseconds);
/// the zero time and "" are `None`.
pub fn parse_go_time(s: &str) -> Result<Option<DateTime<FixedOffset>>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let t = DateTime::parse_from_rfc3339(s).map_err(|e| format!("{s:?}: {e}"))?;
    Ok(if is_zero(&t) { None } else { Some(t) })
}

fn is_zero(t: &DateTime<FixedOffset>) -> bool {
    t.naive_utc()
        == chrono::NaiveDate::from_ymd_opt(1, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helm_record_is_read() {
        let json = br#"{"name":"web","info":{"first_deployed":"2026-12-04T10:00:00.123456789+01:00","last_deployed":"2026-12-04T10:05:00Z","deleted":"0001-01-01T00:00:00Z","description":"Install complete","status":"deployed","notes":"hi"},"chart":{"metadata":{"name":"nginx","version":"1.2.3","appVersion":"1.25"},"values":{"a":1}},"config":{"b":2},"manifest":"---\n","hooks":[{"name":"t","kind":"Pod","path":"p","manifest":"m","events":["test"],"last_run":{"started_at":"","completed_at":"","phase":""},"weight":-5}],"version":3,"namespace":"apps"}"#;
        let r = Release::from_json(json).unwrap();
        assert_eq!(
            (r.name.as_str(), r.namespace.as_str(), r.version),
            ("web", "apps", 3)
        );
        assert_eq!(r.info.status, "deployed");
        assert!(r.info.deleted.is_none());
        assert_eq!(
            r.info.first_deployed.unwrap().timestamp_subsec_nanos(),
            123_456_789
        );
        assert_eq!(r.chart_label(), "nginx-1.2.3");
        assert_eq!(r.app_version(), "1.25");
        assert_eq!(r.hooks[0].weight, -5);
        assert!(r.hooks[0].last_run.started_at.is_none());
        assert_eq!(r.raw_field("config")["b"], 2);
        // Key order is kept for `-o json`.
        let keys: Vec<_> = r.raw.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys[0], "name");
        assert_eq!(keys[1], "info");
    }

    #[test]
    fn a_record_without_chart_or_info_is_read() {
        let r = Release::from_json(br#"{"name":"x","version":1}"#).unwrap();
        assert_eq!(r.chart_label(), "MISSING");
        assert_eq!(r.app_version(), "MISSING");
        assert_eq!(r.info.status, "");
    }

    #[test]
    fn broken_records_are_errors() {
        assert!(Release::from_json(b"[1]").is_err());
        assert!(Release::from_json(b"{").is_err());
        let e = Release::from_json(br#"{"info":{"last_deployed":"yesterday"}}"#).unwrap_err();
        assert!(e.contains("info.last_deployed"), "{e}");
    }
}
