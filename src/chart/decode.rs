//! Decoding YAML into Helm's typed chart structs the way `sigs.k8s.io/yaml.Unmarshal`
//! does it: go-yaml v2 reads the document, scalars bound for a Go `string` field
//! become their text (`version: 1.10` is "1.1", a float printed at float32
//! precision), and `encoding/json` fills the struct, matching keys to fields
//! exactly or else case-insensitively, and reporting the first type mismatch in
//! Go's words (`json: cannot unmarshal string into Go struct field
//! Metadata.keywords of type []string`). Hand-written because the wording and the
//! coercions are Go's, not serde's.

use crate::gotmpl::{Map, Value};

/// A type mismatch, worded as `encoding/json` words it (without sigs.k8s.io/yaml's
/// `error unmarshaling JSON: while decoding JSON: ` prefix).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeError(pub String);

/// Where a value sits: the Go struct that holds the field and the JSON path.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub strukt: &'a str,
    pub path: &'a str,
}

/// JSON's name for the kind of a value (`string`, `number`, `object`, ...).
pub fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

pub fn mismatch(v: &Value, at: At<'_>, go_type: &str) -> TypeError {
    TypeError(format!(
        "json: cannot unmarshal {} into Go struct field {}.{} of type {go_type}",
        json_kind(v),
        at.strukt,
        at.path
    ))
}

/// The fields of a JSON object as `encoding/json` assigns them to a struct whose
/// JSON names are `names`: keys in sorted order (sigs.k8s.io/yaml marshals a Go
/// map), an exact name first, else a case-insensitive one; a later key for the
/// same field wins. Unknown keys are dropped.
pub fn fields<'a>(m: &'a Map, names: &[&str]) -> Vec<Option<&'a Value>> {
    let mut out = vec![None; names.len()];
    for (k, v) in m.iter() {
        let idx = names
            .iter()
            .position(|n| *n == k)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(k)));
        if let Some(i) = idx {
            out[i] = Some(v);
        }
    }
    out
}

/// A Go `string` field. `None` when the key is absent or null (Go leaves the field
/// as it was).
pub fn string(v: Option<&Value>, at: At<'_>) -> Result<Option<String>, TypeError> {
    match v {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.to_string())),
        Some(other) => match crate::yaml::go_string_field(other) {
            Some(s) => Ok(Some(s)),
            None => Err(mismatch(other, at, "string")),
        },
    }
}

/// A Go `[]string` field (`Some(empty)` for an explicit null: Go sets the slice to nil).
pub fn strings(v: Option<&Value>, at: At<'_>) -> Result<Option<Vec<String>>, TypeError> {
    match v {
        None => Ok(None),
        Some(Value::Nil) => Ok(Some(Vec::new())),
        Some(Value::List(l)) => l
            .iter()
            .map(|x| Ok(string(Some(x), at)?.unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(mismatch(other, at, "[]string")),
    }
}

/// A Go `bool` field.
pub fn boolean(v: Option<&Value>, at: At<'_>) -> Result<Option<bool>, TypeError> {
    match v {
        None | Some(Value::Nil) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(mismatch(other, at, "bool")),
    }
}

/// A value bound for an `interface{}`: after the JSON round trip every number is a
/// float64.
pub fn untyped(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(l) => Value::list(l.iter().map(untyped).collect()),
        Value::Map(m) => Value::map(m.iter().map(|(k, x)| (k.clone(), untyped(x))).collect()),
        other => other.clone(),
    }
}

/// Helm's `sanitizeString`: white space becomes a plain space, other characters
/// Go's `unicode.IsPrint` rejects are dropped.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if is_print(c) {
                Some(c)
            } else {
                None
            }
        })
        .collect()
}

/// [`sanitize`] without a copy when there is nothing to change (printable ASCII).
pub fn sanitize_cow(s: std::borrow::Cow<'_, str>) -> std::borrow::Cow<'_, str> {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s
    } else {
        std::borrow::Cow::Owned(sanitize(&s))
    }
}

/// Go's `unicode.IsPrint` for non-space characters: controls, format characters,
/// private use and unassigned noncharacters are not printable. (The format
/// characters listed are Unicode's `Cf` set that real text meets.)
fn is_print(c: char) -> bool {
    let u = c as u32;
    !(c.is_control()
        || u == 0xAD
        || (0x600..=0x605).contains(&u)
        || u == 0x61C
        || u == 0x6DD
        || u == 0x70F
        || u == 0x180E
        || (0x200B..=0x200F).contains(&u)
        || (0x202A..=0x202E).contains(&u)
        || (0x2060..=0x206F).contains(&u)
        || u == 0xFEFF
        || (0xFFF9..=0xFFFB).contains(&u)
        || (0xE000..=0xF8FF).contains(&u)
        || (0xF0000..=0x10FFFF).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_fields_exact_first() {
        let m = crate::yaml::parse_value_typed("NAME: a\nVersion: 2\n")
            .unwrap()
            .as_map()
            .cloned()
            .unwrap();
        let f = fields(&m, &["name", "version"]);
        let at = At {
            strukt: "Metadata",
            path: "name",
        };
        assert_eq!(string(f[0], at).unwrap().as_deref(), Some("a"));
        assert_eq!(string(f[1], at).unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn go_string_coercion_and_errors() {
        let v = crate::yaml::parse_value_typed("a: 1.10\nb: [1]\nc: true\n").unwrap();
        let m = v.as_map().unwrap();
        let at = At {
            strukt: "Metadata",
            path: "version",
        };
        assert_eq!(string(m.get("a"), at).unwrap().as_deref(), Some("1.1"));
        assert_eq!(string(m.get("c"), at).unwrap().as_deref(), Some("true"));
        assert_eq!(
            string(m.get("b"), at).unwrap_err().0,
            "json: cannot unmarshal array into Go struct field Metadata.version of type string"
        );
    }

    #[test]
    fn sanitizing() {
        assert_eq!(sanitize("a\tb\nc\u{200b}d\u{7}"), "a b cd");
    }
}
