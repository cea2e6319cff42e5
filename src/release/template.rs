//! A release as Go's text/template sees Helm's `*release.Release` (for
//! `get all --template`): structs with their Go field names, so that a field
//! that does not exist is an error naming the type, as in Helm.

use std::any::Any;

use chrono::{DateTime, FixedOffset};

use crate::chart::Metadata;
use crate::gotmpl::{Map, Object, Value};

use super::Release;

/// A Go struct pointer: its type name and fields, in declaration order.
struct GoStruct {
    type_name: &'static str,
    fields: Vec<(&'static str, Value)>,
}

impl Object for GoStruct {
    fn type_name(&self) -> &str {
        self.type_name
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }
    fn format(&self) -> String {
        let parts: Vec<String> = self.fields.iter().map(|(_, v)| v.to_string()).collect();
        // The template printer shows a struct pointer without its `&`.
        format!("{{{}}}", parts.join(" "))
    }
    fn to_data(&self) -> Value {
        let m: Map = self
            .fields
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect();
        Value::map(m)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn object(type_name: &'static str, fields: Vec<(&'static str, Value)>) -> Value {
    Value::object(GoStruct { type_name, fields })
}

/// A time as Go's template prints a `time.Time` (its `String()`).
fn time(
    t: &Option<DateTime<FixedOffset>>,
    print: &dyn Fn(&DateTime<FixedOffset>) -> String,
) -> Value {
    Value::string(match t {
        Some(t) => print(t),
        None => "0001-01-01 00:00:00 +0000 UTC".into(),
    })
}

fn strings(l: &[String]) -> Value {
    Value::list(l.iter().map(|s| Value::str(s)).collect())
}

/// The release as a template value. `json` turns a stored JSON part into a value
/// as Go's `json.Unmarshal` would; `print_time` prints a time as Go's `String()`.
pub fn release_value(
    r: &Release,
    json: &dyn Fn(&serde_json::Value) -> Result<Value, String>,
    print_time: &dyn Fn(&DateTime<FixedOffset>) -> String,
) -> Result<Value, String> {
    let info = object(
        "*release.Info",
        vec![
            ("FirstDeployed", time(&r.info.first_deployed, print_time)),
            ("LastDeployed", time(&r.info.last_deployed, print_time)),
            ("Deleted", time(&r.info.deleted, print_time)),
            ("Description", Value::str(&r.info.description)),
            ("Status", Value::str(&r.info.status)),
            ("Notes", Value::str(&r.info.notes)),
            ("Resources", Value::map(Map::new())),
        ],
    );
    let chart = r.raw_field("chart");
    let chart = if chart.is_null() {
        Value::Nil
    } else {
        let meta = match chart.get("metadata") {
            Some(m) => Metadata::from_value(&json(m)?)?.to_value(),
            None => Value::Nil,
        };
        let files = |key: &str| -> Result<Value, String> {
            let list = chart.get(key).and_then(|f| f.as_array());
            Ok(Value::list(
                list.into_iter()
                    .flatten()
                    .map(|f| {
                        let text = |k: &str| f.get(k).and_then(|v| v.as_str()).unwrap_or("");
                        object(
                            "*chart.File",
                            vec![
                                ("Name", Value::str(text("name"))),
                                ("Data", Value::str(text("data"))),
                            ],
                        )
                    })
                    .collect(),
            ))
        };
        let part = |key: &str| -> Result<Value, String> {
            match chart.get(key) {
                Some(v) => json(v),
                None => Ok(Value::Nil),
            }
        };
        object(
            "*chart.Chart",
            vec![
                ("Raw", Value::list(Vec::new())),
                ("Metadata", meta),
                ("Lock", part("lock")?),
                ("Templates", files("templates")?),
                ("Values", part("values")?),
                ("Schema", part("schema")?),
                ("Files", files("files")?),
            ],
        )
    };
    let hooks = r
        .hooks
        .iter()
        .map(|h| {
            let run = object(
                "release.HookExecution",
                vec![
                    ("StartedAt", time(&h.last_run.started_at, print_time)),
                    ("CompletedAt", time(&h.last_run.completed_at, print_time)),
                    ("Phase", Value::str(&h.last_run.phase)),
                ],
            );
            object(
                "*release.Hook",
                vec![
                    ("Name", Value::str(&h.name)),
                    ("Kind", Value::str(&h.kind)),
                    ("Path", Value::str(&h.path)),
                    ("Manifest", Value::str(&h.manifest)),
                    ("Events", strings(&h.events)),
                    ("LastRun", run),
                    ("Weight", Value::Int(h.weight)),
                    ("DeletePolicies", strings(&h.delete_policies)),
                ],
            )
        })
        .collect();
    let labels: Map = r
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), Value::str(v)))
        .collect();
    Ok(object(
        "*release.Release",
        vec![
            ("Name", Value::str(&r.name)),
            ("Info", info),
            ("Chart", chart),
            ("Config", json(r.raw_field("config"))?),
            ("Manifest", Value::str(&r.manifest)),
            ("Hooks", Value::list(hooks)),
            ("Version", Value::Int(r.version)),
            ("Namespace", Value::str(&r.namespace)),
            ("Labels", Value::map(labels)),
        ],
    ))
}
