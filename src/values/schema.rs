//! `values.schema.json` checking, as Helm 3.17.3's `ValidateAgainstSchema` does it:
//! each chart's schema against that chart's coalesced values (subcharts against
//! the table under their name), failures gathered into one report
//! `values don't meet the specifications of the schema(s) in the following
//! chart(s):\n<chart>:\n- <field>: <message>\n...`.
//!
//! Validation runs on the `jsonschema` crate (no remote references); Helm uses
//! xeipuuv/gojsonschema, so each error is reworded here into gojsonschema's English
//! messages (`lastname is required`, `Invalid type. Expected: integer, given:
//! string`, `Must be greater than or equal to 0`, ...) with its field naming
//! (`(root)`, `a.0.b`). gojsonschema reports errors in its walk order over the schema's
//! document order; here they are put in that order (see `order_key`).

use crate::chart::Chart;
use crate::gotmpl::{Map, Value};
use jsonschema::error::{TypeKind, ValidationErrorKind};

use super::{ValuesError, verr};

/// Values as the JSON that gojsonschema sees (integral numbers are integers).
fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            serde_json::Value::from(*f as i64)
        }
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Bytes(b) => serde_json::Value::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => {
            serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Value::Object(o) => to_json(&o.to_data()),
    }
}

/// gojsonschema's name for a value's type (`integer` for integral numbers).
fn given_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) => {
            if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                "integer"
            } else {
                "number"
            }
        }
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A JSON pointer (`/a/0/b`) as gojsonschema names a field (`a.0.b`, `(root)`).
fn field_name(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(root)".to_string();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `- field: message` lines gojsonschema would print for one error.
fn messages(e: &jsonschema::ValidationError<'_>) -> Vec<String> {
    let field = field_name(&e.instance_path().to_string());
    let line = |msg: String| format!("- {field}: {msg}\n");
    let one = |msg: String| vec![line(msg)];
    match e.kind() {
        ValidationErrorKind::Required { property } => {
            one(format!("{} is required", json_text(property)))
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            one(format!(
                "Invalid type. Expected: {expected}, given: {}",
                given_type(e.instance())
            ))
        }
        ValidationErrorKind::Minimum { limit } => {
            one(format!("Must be greater than or equal to {limit}"))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            one(format!("Must be greater than {limit}"))
        }
        ValidationErrorKind::Maximum { limit } => {
            one(format!("Must be less than or equal to {limit}"))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            one(format!("Must be less than {limit}"))
        }
        ValidationErrorKind::Enum { options } => {
            let allowed = match &**options {
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            one(format!("{field} must be one of the following: {allowed}"))
        }
        ValidationErrorKind::Constant { expected_value } => {
            one(format!("{field} does not match: {expected_value}"))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|p| line(format!("Additional property {p} is not allowed")))
            .collect(),
        ValidationErrorKind::Pattern { pattern } => {
            one(format!("Does not match pattern '{pattern}'"))
        }
        ValidationErrorKind::MinLength { limit } => one(format!(
            "String length must be greater than or equal to {limit}"
        )),
        ValidationErrorKind::MaxLength { limit } => one(format!(
            "String length must be less than or equal to {limit}"
        )),
        ValidationErrorKind::MinItems { limit } => {
            one(format!("Array must have at least {limit} items"))
        }
        ValidationErrorKind::MaxItems { limit } => {
            one(format!("Array must have at most {limit} items"))
        }
        ValidationErrorKind::MinProperties { limit } => {
            one(format!("Must have at least {limit} properties"))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            one(format!("Must have at most {limit} properties"))
        }
        ValidationErrorKind::MultipleOf { multiple_of, .. } => {
            one(format!("Must be a multiple of {multiple_of}"))
        }
        ValidationErrorKind::Format { format } => one(format!("Does not match format '{format}'")),
        ValidationErrorKind::AnyOf { .. } => {
            one("Must validate at least one schema (anyOf)".into())
        }
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => {
            one("Must validate one and only one schema (oneOf)".into())
        }
        ValidationErrorKind::Not { .. } => one("Must not validate the schema (not)".into()),
        ValidationErrorKind::FalseSchema => one("False always fails validation".into()),
        ValidationErrorKind::UniqueItems => one("array items must be unique".into()),
        _ => one(e.to_string()),
    }
}

/// A sort key for report lines (see [`order_key`]).
type OrderKey = Vec<(u8, usize)>;

/// Where gojsonschema would report an error: it walks the schema depth first,
/// properties in the order the schema declares them, and at each value reports
/// type, combinator, enum/const, size, `required` and `additionalProperties`
/// errors before descending. The key is one `(1, index)` per step of the path and
/// a final `(0, rank)`, so a value's own errors sort before its children's.
fn order_key(schema: &serde_json::Value, e: &jsonschema::ValidationError<'_>) -> OrderKey {
    let rank = match e.kind() {
        ValidationErrorKind::Type { .. } => 0,
        ValidationErrorKind::AnyOf { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
        | ValidationErrorKind::Not { .. } => 1,
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => 2,
        ValidationErrorKind::MinProperties { .. } | ValidationErrorKind::MaxProperties { .. } => 3,
        ValidationErrorKind::Required { .. } => 4,
        ValidationErrorKind::AdditionalProperties { .. } => 5,
        _ => 6,
    };
    let pointer = e.instance_path().to_string();
    let mut key = Vec::new();
    let mut node = Some(schema);
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let props = node
            .and_then(|n| n.get("properties"))
            .and_then(|p| p.as_object());
        let idx = match props.and_then(|p| p.keys().position(|k| *k == seg)) {
            Some(i) => i,
            None => seg.parse::<usize>().unwrap_or(usize::MAX / 2),
        };
        key.push((1, idx));
        node = match props.and_then(|p| p.get(&seg)) {
            Some(child) => Some(child),
            None => node.and_then(|n| n.get("items")),
        };
    }
    key.push((0, rank));
    key
}

/// Helm's `ValidateAgainstSingleSchema`: the report lines for one chart, or `None`.
fn check_one(schema: &[u8], values: &Map) -> Option<String> {
    let schema: serde_json::Value = match serde_json::from_slice(schema) {
        Ok(s) => s,
        Err(e) => return Some(e.to_string()),
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return Some(e.to_string()),
    };
    let instance = to_json(&Value::map(values.clone()));
    let mut errors: Vec<(OrderKey, Vec<String>)> = validator
        .iter_errors(&instance)
        .map(|e| (order_key(&schema, &e), messages(&e)))
        .collect();
    if errors.is_empty() {
        return None;
    }
    errors.sort_by(|a, b| a.0.cmp(&b.0));
    Some(errors.into_iter().flat_map(|(_, m)| m).collect())
}

/// Helm's `ValidateAgainstSchema` over a chart and its (enabled) subcharts, with
/// the message `helm template`/`install` print.
pub fn validate_schemas(chart: &Chart, values: &Map) -> Result<(), ValuesError> {
    let mut report = String::new();
    collect(chart, values, &mut report, 0);
    if report.is_empty() {
        return Ok(());
    }
    Err(verr(format!(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
    )))
}

fn collect(chart: &Chart, values: &Map, out: &mut String, depth: usize) {
    if depth > crate::yaml::MAX_DEPTH {
        return;
    }
    if let Some(schema) = &chart.schema
        && let Some(errors) = check_one(schema, values)
    {
        out.push_str(&format!("{}:\n{errors}", chart.name()));
    }
    for sub in &chart.dependencies {
        let empty = Map::new();
        let sv = match values.get(sub.name()) {
            Some(Value::Map(m)) => &**m,
            _ => &empty,
        };
        collect(sub, sv, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(schema: &str, values: &str) -> Option<String> {
        let v = crate::yaml::unmarshal_map(values).unwrap();
        check_one(schema.as_bytes(), &v)
    }

    #[test]
    fn gojsonschema_wording() {
        let schema = r#"{"type":"object","required":["a"],"additionalProperties":false,
            "properties":{"num":{"type":"integer","minimum":0},"str":{"type":"string","pattern":"^x"},
            "en":{"enum":["A","B"]},"a":{}}}"#;
        assert_eq!(
            report(schema, "num: -1\nstr: why\nen: C\nzz: 1\n").unwrap(),
            // Recorded from Helm 3.17.3.
            "- (root): a is required\n- (root): Additional property zz is not allowed\n- num: Must be greater than or equal to 0\n- str: Does not match pattern '^x'\n- en: en must be one of the following: \"A\", \"B\"\n"
        );
        assert_eq!(
            report(schema, "a: 1\nnum: foo\n").unwrap(),
            "- num: Invalid type. Expected: integer, given: string\n"
        );
        assert_eq!(report(schema, "a: 1\nnum: 3\n"), None);
    }
}
