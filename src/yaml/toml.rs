//! TOML for Helm's `toToml` and `fromToml` (BurntSushi/toml v1.4.0).
//!
//! The `toml` crate writes a different layout (no indentation of sub-tables, other
//! float spellings), so the encoder is written here after BurntSushi's rules: plain
//! keys first, then tables (`[a]`, indented two spaces per level, a blank line before
//! top-level ones) and arrays of tables (`[[a]]`), floats in `%f` form with `.0`
//! added, nil map entries skipped. Reading uses the `toml` crate and converts to
//! [`Value`]; datetimes become the text Go's JSON gives a `time.Time`, and error
//! texts are the crate's, not BurntSushi's.

use std::fmt::Write as _;

use crate::gotmpl::value::{Map, Value};

/// Nesting beyond this is refused.
const MAX_DEPTH: usize = super::MAX_DEPTH;

/// Encodes `v` as BurntSushi's `toml.NewEncoder(w).Encode(v)`. Helm's `toToml` prints
/// the error text in place of the document when this fails.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let mut enc = Encoder {
        out: String::new(),
        written: false,
    };
    enc.encode(&[], &data(v), 0)?;
    Ok(enc.out)
}

/// Decodes TOML text into a map as Helm's `fromToml` does (integers are `Int`,
/// floats `Float`, dates and times their TOML text).
pub fn from_toml(text: &str) -> Result<Value, String> {
    let table: ::toml::Table = text
        .parse()
        .map_err(|e: ::toml::de::Error| format!("toml: {}", e.message()))?;
    Ok(convert_toml(&::toml::Value::Table(table)))
}

fn convert_toml(v: &::toml::Value) -> Value {
    match v {
        ::toml::Value::String(s) => Value::str(s),
        ::toml::Value::Integer(i) => Value::Int(*i),
        ::toml::Value::Float(f) => Value::Float(*f),
        ::toml::Value::Boolean(b) => Value::Bool(*b),
        ::toml::Value::Datetime(d) => Value::string(go_time_json(d)),
        ::toml::Value::Array(items) => Value::list(items.iter().map(convert_toml).collect()),
        ::toml::Value::Table(t) => Value::map(
            t.iter()
                .map(|(k, v)| (k.clone(), convert_toml(v)))
                .collect::<Map>(),
        ),
    }
}

/// BurntSushi/toml decodes datetimes to Go's `time.Time`; charter keeps the text Go's
/// JSON encoding of that time gives (RFC 3339 with nanoseconds, `Z` for UTC, local
/// dates at midnight UTC, local times on 0000-01-01).
fn go_time_json(d: &::toml::value::Datetime) -> String {
    let (y, mo, da) = d.date.map_or((0, 1, 1), |x| (x.year, x.month, x.day));
    let (h, mi, se, ns) = d
        .time
        .map_or((0, 0, 0, 0), |t| (t.hour, t.minute, t.second, t.nanosecond));
    let mut out = format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{se:02}");
    if ns > 0 {
        let frac = format!("{ns:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    match d.offset {
        Some(::toml::value::Offset::Custom { minutes }) if minutes != 0 => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", m / 60, m % 60);
        }
        _ => out.push('Z'),
    }
    out
}

/// Objects encode as their data.
fn data(v: &Value) -> Value {
    match v {
        Value::Object(o) => o.to_data(),
        other => other.clone(),
    }
}

#[derive(PartialEq)]
enum Kind {
    Nil,
    Table,
    TableArray,
    Other,
}

fn kind(v: &Value) -> Result<Kind, String> {
    Ok(match v {
        Value::Nil => Kind::Nil,
        Value::Map(_) => Kind::Table,
        Value::Object(o) => return kind(&o.to_data()),
        Value::List(items) => {
            if items.is_empty() {
                return Ok(Kind::Other);
            }
            let mut all_tables = true;
            for i in items.iter() {
                match kind(i)? {
                    Kind::Nil => {
                        return Err("toml: cannot encode array with nil element".to_string());
                    }
                    Kind::Table => {}
                    _ => all_tables = false,
                }
            }
            if all_tables {
                Kind::TableArray
            } else {
                Kind::Other
            }
        }
        _ => Kind::Other,
    })
}

struct Encoder {
    out: String,
    written: bool,
}

fn bare(k: &str) -> bool {
    k.chars()
        .all(|r| r.is_ascii_alphanumeric() || r == '_' || r == '-')
}

fn quote_key(k: &str) -> String {
    if k.is_empty() {
        "\"\"".to_string()
    } else if bare(k) {
        k.to_string()
    } else {
        format!("\"{}\"", escape(k))
    }
}

fn key_path(key: &[&str]) -> String {
    key.iter()
        .map(|k| quote_key(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// BurntSushi's `dblQuotedReplacer`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)` with `.0` added when there is no point.
fn toml_float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    // Rust's `{}` for f64 is the shortest round-trip digits in positional form.
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

impl Encoder {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
        self.written = true;
    }

    fn newline(&mut self) {
        if self.written {
            self.w("\n");
        }
    }

    fn indent(key: &[&str]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn encode(&mut self, key: &[&str], v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("toml: nesting deeper than {MAX_DEPTH}"));
        }
        match v {
            Value::Nil => Ok(()),
            Value::Map(m) => self.table(key, m, depth),
            Value::Object(o) => self.encode(key, &o.to_data(), depth + 1),
            Value::List(items) if kind(v)? == Kind::TableArray => {
                if key.is_empty() {
                    return Err("toml: top-level values must be Go maps or structs".to_string());
                }
                for item in items.iter() {
                    let item = data(item);
                    let Value::Map(m) = &item else { continue };
                    self.newline();
                    let line = format!("{}[[{}]]", Self::indent(key), key_path(key));
                    self.w(&line);
                    self.newline();
                    self.map_body(key, m, depth + 1)?;
                }
                Ok(())
            }
            _ => self.key_value(key, v, depth),
        }
    }

    fn key_value(&mut self, key: &[&str], v: &Value, depth: usize) -> Result<(), String> {
        if let Some(last) = key.last() {
            let head = format!("{}{} = ", Self::indent(key), quote_key(last));
            self.w(&head);
            self.element(v, depth)?;
            self.newline();
        } else {
            self.element(v, depth)?;
        }
        Ok(())
    }

    fn table(&mut self, key: &[&str], m: &Map, depth: usize) -> Result<(), String> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            let line = format!("{}[{}]", Self::indent(key), key_path(key));
            self.w(&line);
            self.newline();
        }
        self.map_body(key, m, depth + 1)
    }

    fn map_body(&mut self, key: &[&str], m: &Map, depth: usize) -> Result<(), String> {
        let (direct, sub) = split(m)?;
        for k in direct.into_iter().chain(sub) {
            let Some(v) = m.get(k) else { continue };
            if v.is_nil() {
                continue;
            }
            let mut path = key.to_vec();
            path.push(k);
            self.encode(&path, v, depth + 1)?;
        }
        Ok(())
    }

    fn element(&mut self, v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("toml: nesting deeper than {MAX_DEPTH}"));
        }
        match v {
            Value::Nil => return Err("toml: cannot encode a nil value".to_string()),
            Value::Bool(b) => self.w(if *b { "true" } else { "false" }),
            Value::Int(i) => self.w(&i.to_string()),
            Value::Float(f) => self.w(&toml_float(*f)),
            Value::String(s) => {
                let q = format!("\"{}\"", escape(s));
                self.w(&q);
            }
            Value::Bytes(b) => {
                let inner: Vec<String> = b.iter().map(|x| x.to_string()).collect();
                let s = format!("[{}]", inner.join(", "));
                self.w(&s);
            }
            Value::List(items) => {
                // Checks for nil elements as BurntSushi's type inference does.
                kind(v)?;
                self.w("[");
                for (i, item) in items.iter().enumerate() {
                    self.element(item, depth + 1)?;
                    if i + 1 != items.len() {
                        self.w(", ");
                    }
                }
                self.w("]");
            }
            Value::Map(m) => {
                let (direct, sub) = split(m)?;
                let trail = !sub.is_empty();
                self.w("{");
                for (group, trailing) in [(direct, trail), (sub, false)] {
                    let n = group.len();
                    for (i, k) in group.into_iter().enumerate() {
                        let Some(item) = m.get(k) else { continue };
                        if item.is_nil() {
                            continue;
                        }
                        let head = format!("{} = ", quote_key(k));
                        self.w(&head);
                        self.element(item, depth + 1)?;
                        if trailing || i + 1 != n {
                            self.w(", ");
                        }
                    }
                }
                self.w("}");
            }
            Value::Object(o) => self.element(&o.to_data(), depth + 1)?,
        }
        Ok(())
    }
}

/// Keys of plain values, then keys of tables and arrays of tables, each sorted.
fn split(m: &Map) -> Result<(Vec<&str>, Vec<&str>), String> {
    let mut direct = Vec::new();
    let mut sub = Vec::new();
    for (k, v) in m.iter() {
        match kind(v)? {
            Kind::Table | Kind::TableArray => sub.push(k.as_str()),
            _ => direct.push(k.as_str()),
        }
    }
    Ok((direct, sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn tables_and_values() {
        let v = m(&[
            ("a", Value::Float(1.0)),
            (
                "b",
                m(&[("c", Value::str("x")), ("d", m(&[("e", Value::Int(2))]))]),
            ),
            (
                "l",
                Value::list(vec![
                    m(&[("x", Value::Float(1.5))]),
                    m(&[("x", Value::Bool(true))]),
                ]),
            ),
            ("n", Value::Nil),
            ("s", Value::list(vec![Value::Int(1), Value::str("two")])),
        ]);
        assert_eq!(
            to_toml(&v).as_deref(),
            Ok(
                "a = 1.0\ns = [1, \"two\"]\n\n[b]\n  c = \"x\"\n  [b.d]\n    e = 2\n\n[[l]]\n  x = 1.5\n\n[[l]]\n  x = true\n"
            )
        );
    }

    /// Helm's `toToml (dict "a" (list 1 2) "b" (dict "c" 1.5))`.
    #[test]
    fn template_dict_matches_helm() {
        let v = m(&[
            ("a", Value::list(vec![Value::Int(1), Value::Int(2)])),
            ("b", m(&[("c", Value::Float(1.5))])),
        ]);
        assert_eq!(to_toml(&v).as_deref(), Ok("a = [1, 2]\n\n[b]\n  c = 1.5\n"));
    }

    #[test]
    fn nil_in_array_is_an_error() {
        let v = m(&[("a", Value::list(vec![Value::Nil]))]);
        assert_eq!(
            to_toml(&v),
            Err("toml: cannot encode array with nil element".to_string())
        );
    }

    #[test]
    fn reads_toml() {
        let v = from_toml("a = 1\nb = 1.5\n[t]\nc = \"x\"\n");
        assert_eq!(
            v,
            Ok(m(&[
                ("a", Value::Int(1)),
                ("b", Value::Float(1.5)),
                ("t", m(&[("c", Value::str("x"))])),
            ]))
        );
        assert!(from_toml("a = ").is_err());
    }
}
