//! Reading YAML the way Helm does: `sigs.k8s.io/yaml.Unmarshal` into `interface{}`.
//!
//! That is three steps, reproduced here in order:
//! 1. go-yaml v2 parses and decodes the first document into Go values
//!    (`map[interface{}]interface{}`, `int`, `uint64`, `float64`, ...): scalars resolve
//!    with [`super::resolve`], `<<` merges, aliases expand with go-yaml's
//!    "excessive aliasing" guard, later duplicate keys win.
//! 2. sigs.k8s.io/yaml turns map keys into strings (`1` -> "1", `true` -> "true",
//!    floats with `%g` at float32 precision) and refuses null or collection keys.
//! 3. The tree goes through `json.Marshal` and `json.Unmarshal`, so every number
//!    becomes a float64 (big integers round), and NaN or infinities are an error.
//!
//! The node trees come from the `events` module, which reads yaml-rust2's events as
//! go-yaml would.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;

use super::MAX_DEPTH;
use super::error::YamlError;
use super::events::{Arena, NodeKind, read_documents};
use super::gofmt::{format_float_g32, format_float_g64};
use super::resolve::{self, Resolved, TAG_PREFIX};
use crate::gotmpl::value::{Map, Value};

/// Reads one document as Helm reads a values file. An empty document is `Nil`.
pub fn parse_value(text: &str) -> Result<Value, YamlError> {
    match read_documents(text, true)?.first() {
        Some(doc) => convert_document(&doc.arena, doc.root),
        None => Ok(Value::Nil),
    }
}

/// [`parse_value`] for raw file bytes: go-yaml's reader accepts UTF-8 and, after a
/// byte order mark, UTF-16, and words its encoding errors its own way
/// (`yaml: invalid leading UTF-8 octet`).
pub fn parse_value_bytes(bytes: &[u8]) -> Result<Value, YamlError> {
    parse_value(&decode_input(bytes)?)
}

/// [`parse_documents`] for raw file bytes (see [`parse_value_bytes`]).
pub fn parse_documents_bytes(bytes: &[u8]) -> Result<Vec<Value>, YamlError> {
    parse_documents(&decode_input(bytes)?)
}

/// The text of a YAML input as go-yaml's reader decodes it.
fn decode_input(bytes: &[u8]) -> Result<String, YamlError> {
    let utf16 = |units: Vec<u16>| {
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| YamlError::yaml(None, "invalid UTF-16 surrogate pair"))
    };
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        if rest.len() % 2 != 0 {
            return Err(YamlError::yaml(None, "incomplete UTF-16 character"));
        }
        return utf16(
            rest.chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        if rest.len() % 2 != 0 {
            return Err(YamlError::yaml(None, "incomplete UTF-16 character"));
        }
        return utf16(
            rest.chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect(),
        );
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    // Find the first fault and name it as libyaml's reader does.
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (width, init) = match b {
            0x00..=0x7f => (1, u32::from(b)),
            _ if b & 0xe0 == 0xc0 => (2, u32::from(b & 0x1f)),
            _ if b & 0xf0 == 0xe0 => (3, u32::from(b & 0x0f)),
            _ if b & 0xf8 == 0xf0 => (4, u32::from(b & 0x07)),
            _ => return Err(YamlError::yaml(None, "invalid leading UTF-8 octet")),
        };
        if i + width > bytes.len() {
            return Err(YamlError::yaml(None, "incomplete UTF-8 octet sequence"));
        }
        let mut value = init;
        for &t in &bytes[i + 1..i + width] {
            if t & 0xc0 != 0x80 {
                return Err(YamlError::yaml(None, "invalid trailing UTF-8 octet"));
            }
            value = (value << 6) | u32::from(t & 0x3f);
        }
        let shortest = match width {
            1 => true,
            2 => value >= 0x80,
            3 => value >= 0x800,
            _ => value >= 0x10000,
        };
        if !shortest {
            return Err(YamlError::yaml(None, "invalid length of a UTF-8 sequence"));
        }
        if (0xd800..=0xdfff).contains(&value) || value > 0x10ffff {
            return Err(YamlError::yaml(None, "invalid Unicode character"));
        }
        i += width;
    }
    Err(YamlError::yaml(None, "invalid leading UTF-8 octet"))
}

/// Reads every document of a stream (`---` separated).
pub fn parse_documents(text: &str) -> Result<Vec<Value>, YamlError> {
    read_documents(text, false)?
        .iter()
        .map(|doc| convert_document(&doc.arena, doc.root))
        .collect()
}

/// `sigs.k8s.io/yaml.Unmarshal` into `map[string]interface{}`, as Helm reads values
/// files and `fromYaml` reads text: an empty document is an empty map, and errors carry
/// Go's full text (`error converting YAML to JSON: yaml: line 2: ...`).
pub fn unmarshal_map(text: &str) -> Result<Map, String> {
    // Most values files are plain block YAML, which the quick reader builds several
    // times faster; it declines anything else, and the general reader reads it.
    if let Some(map) = super::quick::quick_values(text) {
        return Ok(map);
    }
    match parse_value(text) {
        Ok(Value::Nil) => Ok(Map::new()),
        Ok(Value::Map(m)) => Ok(Arc::unwrap_or_clone(m).into_inner()),
        Ok(other) => Err(json_type_error(&other, "map[string]interface {}")),
        Err(e) => Err(format!("error converting YAML to JSON: {e}")),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal` into `[]interface{}` (Helm's `fromYamlArray`).
pub fn unmarshal_list(text: &str) -> Result<Vec<Value>, String> {
    match parse_value(text) {
        Ok(Value::Nil) => Ok(Vec::new()),
        Ok(Value::List(l)) => Ok(Arc::unwrap_or_clone(l)),
        Ok(other) => Err(json_type_error(&other, "[]interface {}")),
        Err(e) => Err(format!("error converting YAML to JSON: {e}")),
    }
}

/// sigs.k8s.io/yaml's complaint when the document's top level has the wrong kind.
fn json_type_error(v: &Value, target: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: {}",
        super::json::type_error(v, target)
    )
}

/// Helm's `fromYaml`: the document as a map, or `{"Error": msg}`.
pub fn helm_from_yaml(text: &str) -> Value {
    match unmarshal_map(text) {
        Ok(m) => Value::map(m),
        Err(e) => {
            let mut m = Map::new();
            m.insert("Error".to_string(), Value::string(e));
            Value::map(m)
        }
    }
}

/// Helm's `fromYamlArray`: the document as a list, or a one-element list holding
/// the error text.
pub fn helm_from_yaml_array(text: &str) -> Value {
    match unmarshal_list(text) {
        Ok(l) => Value::list(l),
        Err(e) => Value::list(vec![Value::string(e)]),
    }
}

fn convert_document(arena: &Arena, root: usize) -> Result<Value, YamlError> {
    let mut decoder = Decoder::new(arena);
    let go = decoder.decode(root, 0)?;
    to_json_value(&go, 0, false)
}

/// [`parse_value`] without the float64 conversion: integers stay `Int` (beyond
/// `i64`, `Float`), so that a caller decoding into a typed Go struct can apply
/// [`go_string_field`] where the struct has a `string` field (Chart.yaml's
/// `version: 1.10` reads as "1.1", `appVersion: 12345678901` as "12345678901").
pub fn parse_value_typed(text: &str) -> Result<Value, YamlError> {
    match read_documents(text, true)?.first() {
        Some(doc) => {
            let mut decoder = Decoder::new(&doc.arena);
            let go = decoder.decode(doc.root, 0)?;
            to_json_value(&go, 0, true)
        }
        None => Ok(Value::Nil),
    }
}

/// `sigs.k8s.io/yaml.UnmarshalStrict` (Helm reads repository `index.yaml` files with
/// it): as [`parse_value`], but a key set twice in a mapping, also through a `<<`
/// merge, is an error listing every such key
/// (`yaml: unmarshal errors:\n  line 3: key "a" already set in map`).
pub fn parse_value_strict(text: &str) -> Result<Value, YamlError> {
    match read_documents(text, true)?.first() {
        Some(doc) => {
            let mut decoder = Decoder::new(&doc.arena);
            decoder.strict = true;
            let go = decoder.decode(doc.root, 0)?;
            if !decoder.terrors.is_empty() {
                return Err(YamlError::yaml(
                    None,
                    format!("unmarshal errors:\n  {}", decoder.terrors.join("\n  ")),
                ));
            }
            to_json_value(&go, 0, false)
        }
        None => Ok(Value::Nil),
    }
}

/// What sigs.k8s.io/yaml puts in a Go `string` field for a scalar of another type
/// (`Int` from [`parse_value_typed`]: decimal; `Float`: `%g` at float32 precision;
/// `Bool`: `true`/`false`). `None` for strings, nil and collections, which are used
/// as they are.
pub fn go_string_field(v: &Value) -> Option<String> {
    match v {
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(format_float_g32(*f)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Step 1: go-yaml's decoder into Go values.

/// A Go value as go-yaml v2 produces it when decoding into `interface{}`.
#[derive(Debug, Clone)]
enum Go {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// Bytes, because `!!binary` may decode to invalid UTF-8.
    Str(Vec<u8>),
    Seq(Vec<Go>),
    /// `map[interface{}]interface{}`: keys are scalars (checked), ordered for determinism.
    Map(BTreeMap<Key, (Go, Go)>),
}

/// A map key's identity under Go's `==` on interface values.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(u64),
    /// NaN never equals itself: every NaN key is distinct.
    NaN(usize),
    Str(Vec<u8>),
}

struct Decoder<'a> {
    arena: &'a Arena,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    active_aliases: Vec<usize>,
    nan_keys: usize,
    /// go-yaml's strict mode (`UnmarshalStrict`): a key set twice is an error.
    strict: bool,
    /// Strict-mode errors, reported together at the end as go-yaml does.
    terrors: Vec<String>,
}

fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

impl<'a> Decoder<'a> {
    fn new(arena: &'a Arena) -> Decoder<'a> {
        Decoder {
            arena,
            decode_count: 0,
            alias_count: 0,
            alias_depth: 0,
            active_aliases: Vec::new(),
            nan_keys: 0,
            strict: false,
            terrors: Vec::new(),
        }
    }

    fn count(&mut self) -> Result<(), YamlError> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(YamlError::yaml(
                None,
                "document contains excessive aliasing",
            ));
        }
        Ok(())
    }

    fn depth_check(depth: usize) -> Result<(), YamlError> {
        if depth > MAX_DEPTH {
            Err(YamlError::yaml(
                None,
                format!("exceeded max depth of {MAX_DEPTH}"),
            ))
        } else {
            Ok(())
        }
    }

    fn decode(&mut self, idx: usize, depth: usize) -> Result<Go, YamlError> {
        Self::depth_check(depth)?;
        self.count()?;
        let arena = self.arena;
        match &arena[idx].kind {
            NodeKind::Alias { target, name } => {
                if self.active_aliases.contains(&idx) {
                    return Err(YamlError::yaml(
                        None,
                        format!("anchor '{name}' value contains itself"),
                    ));
                }
                self.active_aliases.push(idx);
                self.alias_depth += 1;
                let out = self.decode(*target, depth + 1);
                self.alias_depth -= 1;
                self.active_aliases.pop();
                out
            }
            NodeKind::Scalar {
                value,
                tag,
                implicit,
            } => decode_scalar(value, tag.as_deref(), *implicit),
            NodeKind::Seq(kids) => {
                let mut out = Vec::with_capacity(kids.len());
                for &k in kids {
                    out.push(self.decode(k, depth + 1)?);
                }
                Ok(Go::Seq(out))
            }
            NodeKind::Map(_) => {
                let mut map = BTreeMap::new();
                self.decode_map_into(idx, &mut map, depth)?;
                Ok(Go::Map(map))
            }
        }
    }

    /// go-yaml's `mapping()`: fills `out` with the pairs of the map node `idx`.
    fn decode_map_into(
        &mut self,
        idx: usize,
        out: &mut BTreeMap<Key, (Go, Go)>,
        depth: usize,
    ) -> Result<(), YamlError> {
        let arena = self.arena;
        let NodeKind::Map(kids) = &arena[idx].kind else {
            return Err(YamlError::yaml(
                None,
                "map merge requires map or sequence of maps as the value",
            ));
        };
        for pair in kids.chunks(2) {
            let [k, v] = pair else { break };
            if self.is_merge(*k) {
                self.merge(*v, out, depth + 1)?;
                continue;
            }
            let key = self.decode(*k, depth + 1)?;
            if matches!(key, Go::Seq(_) | Go::Map(_)) {
                return Err(YamlError::yaml(
                    None,
                    format!("invalid map key: {}", go_syntax(&key, 0)),
                ));
            }
            let value = self.decode(*v, depth + 1)?;
            let id = self.key_id(&key);
            if self.strict && out.contains_key(&id) {
                // go-yaml keeps the first value and names the line of the second.
                self.terrors.push(format!(
                    "line {}: key {} already set in map",
                    arena[*v].line,
                    go_syntax(&key, 0)
                ));
                continue;
            }
            out.insert(id, (key, value));
        }
        Ok(())
    }

    fn is_merge(&self, idx: usize) -> bool {
        match &self.arena[idx].kind {
            NodeKind::Scalar {
                value,
                tag,
                implicit,
            } => {
                value == "<<"
                    && (*implicit
                        || tag
                            .as_deref()
                            .is_some_and(|t| t.strip_prefix(TAG_PREFIX) == Some("merge")))
            }
            _ => false,
        }
    }

    /// Decodes `node` into `out` as the decoder does for a map target: a map node
    /// merges its pairs, an alias decodes its target the same way.
    fn merge_one(
        &mut self,
        idx: usize,
        out: &mut BTreeMap<Key, (Go, Go)>,
        depth: usize,
    ) -> Result<(), YamlError> {
        Self::depth_check(depth)?;
        self.count()?;
        let arena = self.arena;
        match &arena[idx].kind {
            NodeKind::Map(_) => self.decode_map_into(idx, out, depth),
            NodeKind::Alias { target, name } => {
                if self.active_aliases.contains(&idx) {
                    return Err(YamlError::yaml(
                        None,
                        format!("anchor '{name}' value contains itself"),
                    ));
                }
                self.active_aliases.push(idx);
                self.alias_depth += 1;
                let r = self.merge_one(*target, out, depth + 1);
                self.alias_depth -= 1;
                self.active_aliases.pop();
                r
            }
            _ => Err(want_map()),
        }
    }

    fn merge(
        &mut self,
        idx: usize,
        out: &mut BTreeMap<Key, (Go, Go)>,
        depth: usize,
    ) -> Result<(), YamlError> {
        let arena = self.arena;
        let is_map = |i: usize| match &arena[i].kind {
            NodeKind::Map(_) => true,
            NodeKind::Alias { target, .. } => matches!(arena[*target].kind, NodeKind::Map(_)),
            _ => false,
        };
        match &arena[idx].kind {
            NodeKind::Map(_) | NodeKind::Alias { .. } => {
                if !is_map(idx) {
                    return Err(want_map());
                }
                self.merge_one(idx, out, depth)
            }
            NodeKind::Seq(kids) => {
                // Earlier maps take precedence, so apply them last.
                for &k in kids.iter().rev() {
                    if !is_map(k) {
                        return Err(want_map());
                    }
                    self.merge_one(k, out, depth + 1)?;
                }
                Ok(())
            }
            NodeKind::Scalar { .. } => Err(want_map()),
        }
    }

    fn key_id(&mut self, key: &Go) -> Key {
        match key {
            Go::Nil => Key::Nil,
            Go::Bool(b) => Key::Bool(*b),
            Go::Int(i) => Key::Int(*i),
            Go::Uint(u) => Key::Uint(*u),
            Go::Float(f) if f.is_nan() => {
                self.nan_keys += 1;
                Key::NaN(self.nan_keys)
            }
            // Go's == treats 0.0 and -0.0 as equal.
            Go::Float(f) if *f == 0.0 => Key::Float(0),
            Go::Float(f) => Key::Float(f.to_bits()),
            Go::Str(s) => Key::Str(s.clone()),
            Go::Seq(_) | Go::Map(_) => Key::Nil,
        }
    }
}

fn want_map() -> YamlError {
    YamlError::yaml(
        None,
        "map merge requires map or sequence of maps as the value",
    )
}

fn decode_scalar(value: &str, tag: Option<&str>, implicit: bool) -> Result<Go, YamlError> {
    let resolved = match tag {
        None if !implicit => Resolved::Str,
        None => resolve::resolve_plain(value),
        Some(t) => {
            if t.strip_prefix(TAG_PREFIX) == Some("binary") {
                let cleaned: String = value.chars().filter(|&c| c != '\n' && c != '\r').collect();
                let engine = base64::engine::GeneralPurpose::new(
                    &base64::alphabet::STANDARD,
                    base64::engine::GeneralPurposeConfig::new()
                        .with_decode_allow_trailing_bits(true),
                );
                return match engine.decode(cleaned.as_bytes()) {
                    Ok(bytes) => Ok(Go::Str(bytes)),
                    Err(_) => Err(YamlError::yaml(
                        None,
                        "!!binary value contains invalid base64 data",
                    )),
                };
            }
            resolve::resolve_tagged(t, value).map_err(|m| YamlError::yaml(None, m))?
        }
    };
    Ok(match resolved {
        Resolved::Null => Go::Nil,
        Resolved::Bool(b) => Go::Bool(b),
        Resolved::Int(i) => Go::Int(i),
        Resolved::Uint(u) => Go::Uint(u),
        Resolved::Float(f) => Go::Float(f),
        Resolved::Str | Resolved::Timestamp => Go::Str(value.as_bytes().to_vec()),
    })
}

// ---------------------------------------------------------------------------
// Steps 2 and 3: sigs.k8s.io/yaml's key conversion and the JSON round trip.

/// The JSON round trip; `keep_ints` leaves integers as `Int` (for typed decoding).
fn to_json_value(go: &Go, depth: usize, keep_ints: bool) -> Result<Value, YamlError> {
    Decoder::depth_check(depth)?;
    Ok(match go {
        Go::Nil => Value::Nil,
        Go::Bool(b) => Value::Bool(*b),
        Go::Int(i) if keep_ints => Value::Int(*i),
        Go::Int(i) => Value::Float(*i as f64),
        Go::Uint(u) => Value::Float(*u as f64),
        Go::Float(f) => {
            if f.is_nan() {
                return Err(YamlError::json("unsupported value: NaN"));
            }
            if f.is_infinite() {
                let sign = if *f > 0.0 { "+Inf" } else { "-Inf" };
                return Err(YamlError::json(format!("unsupported value: {sign}")));
            }
            Value::Float(*f)
        }
        Go::Str(s) => Value::string(go_lossy_utf8(s)),
        Go::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                out.push(to_json_value(i, depth + 1, keep_ints)?);
            }
            Value::list(out)
        }
        Go::Map(m) => {
            let mut out = Map::new();
            for (k, v) in m.values() {
                let key = key_string(k, v)?;
                out.insert(key, to_json_value(v, depth + 1, keep_ints)?);
            }
            Value::map(out)
        }
    })
}

/// sigs.k8s.io/yaml's conversion of a decoded map key to a JSON object key.
fn key_string(k: &Go, v: &Go) -> Result<String, YamlError> {
    Ok(match k {
        Go::Str(s) => go_lossy_utf8(s),
        Go::Int(i) => i.to_string(),
        Go::Float(f) => {
            if f.is_nan() {
                ".nan".to_string()
            } else if f.is_infinite() {
                if *f > 0.0 { ".inf" } else { "-.inf" }.to_string()
            } else {
                format_float_g32(*f)
            }
        }
        Go::Bool(b) => b.to_string(),
        Go::Nil => {
            return Err(YamlError::convert(format!(
                "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                go_syntax(v, 0)
            )));
        }
        Go::Uint(u) => {
            return Err(YamlError::convert(format!(
                "unsupported map key of type: uint64, key: {:#x}, value: {}",
                u,
                go_syntax(v, 0)
            )));
        }
        Go::Seq(_) | Go::Map(_) => {
            return Err(YamlError::yaml(
                None,
                format!("invalid map key: {}", go_syntax(k, 0)),
            ));
        }
    })
}

/// Go's JSON encoding of a string with invalid UTF-8: each bad byte becomes U+FFFD.
fn go_lossy_utf8(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            let mut rest = bytes;
            while !rest.is_empty() {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                        out.push('\u{fffd}');
                        rest = &rest[good + 1..];
                    }
                }
            }
            out
        }
    }
}

/// Go's `%#v` for the decoded values that appear in sigs.k8s.io/yaml's key errors.
fn go_syntax(v: &Go, depth: usize) -> String {
    if depth > 8 {
        return "...".to_string();
    }
    match v {
        Go::Nil => "<nil>".to_string(),
        Go::Bool(b) => b.to_string(),
        Go::Int(i) => i.to_string(),
        Go::Uint(u) => format!("{u:#x}"),
        Go::Float(f) => format_float_g64(*f),
        Go::Str(s) => format!("{:?}", go_lossy_utf8(s)),
        Go::Seq(items) => {
            let inner: Vec<String> = items.iter().map(|i| go_syntax_elem(i, depth + 1)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Go::Map(m) => {
            let inner: Vec<String> = m
                .values()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        go_syntax_elem(k, depth + 1),
                        go_syntax_elem(v, depth + 1)
                    )
                })
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
    }
}

/// `%#v` of an `interface{}` element inside a slice or map: nil shows its type.
fn go_syntax_elem(v: &Go, depth: usize) -> String {
    match v {
        Go::Nil => "interface {}(nil)".to_string(),
        other => go_syntax(other, depth),
    }
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

    fn parse(s: &str) -> Value {
        parse_value(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn scalars_become_json_values() {
        assert_eq!(
            parse("a: 1\nb: yes\nc: ~\nd: '1'\ne: 1.5\nf: 0x10\ng: hello"),
            m(&[
                ("a", Value::Float(1.0)),
                ("b", Value::Bool(true)),
                ("c", Value::Nil),
                ("d", Value::str("1")),
                ("e", Value::Float(1.5)),
                ("f", Value::Float(16.0)),
                ("g", Value::str("hello")),
            ])
        );
    }

    #[test]
    fn empty_document_is_nil() {
        assert_eq!(parse(""), Value::Nil);
        assert_eq!(parse("# only a comment\n"), Value::Nil);
        assert_eq!(parse("---\n"), Value::Nil);
    }

    #[test]
    fn keys_are_stringified() {
        assert_eq!(
            parse("1: a\ntrue: b\ny: c\n1.5: d\n1e6: e\n"),
            m(&[
                ("1", Value::str("a")),
                ("true", Value::str("c")),
                ("1.5", Value::str("d")),
                ("1e+06", Value::str("e")),
            ])
        );
    }

    #[test]
    fn null_key_is_an_error() {
        let e = parse_value("~: x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"x\""
        );
    }

    #[test]
    fn big_integers_round_like_float64() {
        assert_eq!(
            parse("a: 9007199254740993"),
            m(&[("a", Value::Float(9007199254740992.0))])
        );
        assert_eq!(
            parse("a: 18446744073709551615"),
            m(&[("a", Value::Float(18446744073709551615.0))])
        );
    }

    #[test]
    fn special_floats_fail_json() {
        assert_eq!(
            parse_value("a: .inf").unwrap_err().to_string(),
            "json: unsupported value: +Inf"
        );
        assert_eq!(
            parse_value("a: .nan").unwrap_err().to_string(),
            "json: unsupported value: NaN"
        );
    }

    #[test]
    fn merge_keys_and_aliases() {
        let v = parse("base: &b {x: 1, z: 2}\nd:\n  <<: *b\n  z: 3\n");
        let d = v.as_map().and_then(|m| m.get("d")).cloned();
        assert_eq!(
            d,
            Some(m(&[("x", Value::Float(1.0)), ("z", Value::Float(3.0))]))
        );
        // go-yaml v2 applies a merge over keys set before it.
        let v = parse("a: &a {k: 1}\nb:\n  k: 2\n  <<: *a\n");
        let b = v.as_map().and_then(|m| m.get("b")).cloned();
        assert_eq!(b, Some(m(&[("k", Value::Float(1.0))])));
        // A list of maps: earlier maps win.
        let v = parse("a: &a {k: 1}\nb: &b {k: 2, j: 3}\nc:\n  <<: [*a, *b]\n");
        let c = v.as_map().and_then(|m| m.get("c")).cloned();
        assert_eq!(
            c,
            Some(m(&[("j", Value::Float(3.0)), ("k", Value::Float(1.0))]))
        );
        assert_eq!(
            parse_value("a: &a 1\nb:\n  <<: *a\n")
                .unwrap_err()
                .to_string(),
            "yaml: map merge requires map or sequence of maps as the value"
        );
    }

    #[test]
    fn alias_errors() {
        assert_eq!(
            parse_value("a: *nope\n").unwrap_err().to_string(),
            "yaml: unknown anchor 'nope' referenced"
        );
        assert_eq!(
            parse_value("a: &x [*x]\n").unwrap_err().to_string(),
            "yaml: anchor 'x' value contains itself"
        );
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert_eq!(
            parse_value(&doc).unwrap_err().to_string(),
            "yaml: document contains excessive aliasing"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = "[".repeat(5000);
        let e = parse_value(&doc).unwrap_err();
        assert!(e.message.contains("exceeded max depth"), "{e}");
    }

    #[test]
    fn binary_and_tags() {
        assert_eq!(
            parse("a: !!binary aGVsbG8=\nb: !!str 12\nc: !!float 3\nd: !custom 5\n"),
            m(&[
                ("a", Value::str("hello")),
                ("b", Value::str("12")),
                ("c", Value::Float(3.0)),
                ("d", Value::str("5")),
            ])
        );
        assert_eq!(
            parse_value("a: !!int abc").unwrap_err().to_string(),
            "yaml: cannot decode !!str `abc` as a !!int"
        );
        assert_eq!(
            parse("a: !!binary /w==\n"),
            m(&[("a", Value::str("\u{fffd}"))])
        );
    }

    #[test]
    fn bytes_are_decoded_as_go_yaml_does() {
        let err = |b: &[u8]| parse_value_bytes(b).map_err(|e| e.to_string()).err();
        assert_eq!(
            err(b"a: \xff\n").as_deref(),
            Some("yaml: invalid leading UTF-8 octet")
        );
        assert_eq!(
            err(b"a: x\xc3\n").as_deref(),
            Some("yaml: invalid trailing UTF-8 octet")
        );
        assert_eq!(
            err(b"a: \xed\xa0\x80\n").as_deref(),
            Some("yaml: invalid Unicode character")
        );
        assert_eq!(
            err(b"a: \xc3").as_deref(),
            Some("yaml: incomplete UTF-8 octet sequence")
        );
        assert_eq!(
            parse_value_bytes(b"\xff\xfea\x00:\x00 \x001\x00\n\x00"),
            Ok(m(&[("a", Value::Float(1.0))]))
        );
        assert_eq!(
            parse_value_bytes("a: é".as_bytes()),
            Ok(m(&[("a", Value::str("é"))]))
        );
    }

    #[test]
    fn typed_decoding_keeps_ints_for_string_fields() {
        let v = parse_value_typed("version: 1.10\nbig: 12345678901\nf: 1e6\nb: yes\n")
            .unwrap_or_default();
        let get = |k: &str| {
            v.as_map()
                .and_then(|m| m.get(k))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(go_string_field(&get("version")).as_deref(), Some("1.1"));
        assert_eq!(go_string_field(&get("big")).as_deref(), Some("12345678901"));
        assert_eq!(go_string_field(&get("f")).as_deref(), Some("1e+06"));
        assert_eq!(go_string_field(&get("b")).as_deref(), Some("true"));
        assert_eq!(go_string_field(&Value::str("x")), None);
    }

    #[test]
    fn strict_mode_refuses_duplicate_keys() {
        assert_eq!(
            parse_value_strict("a: 1\nb: 2\na: 3\nb:\n  x: 1\n")
                .map_err(|e| e.to_string()),
            Err("yaml: unmarshal errors:\n  line 3: key \"a\" already set in map\n  line 5: key \"b\" already set in map".to_string())
        );
        // Both recorded from `helm repo index --merge` (Helm 3.17.3). A merge over an
        // existing key is a duplicate too, named at the merged value's line.
        assert_eq!(
            parse_value_strict("apiVersion: v1\nentries: {}\ngenerated: x\napiVersion: v1\nfoo: 1\nfoo: 2\n")
                .map_err(|e| e.to_string()),
            Err("yaml: unmarshal errors:\n  line 4: key \"apiVersion\" already set in map\n  line 6: key \"foo\" already set in map".to_string())
        );
        assert_eq!(
            parse_value_strict(
                "apiVersion: v1\nbase: &b {x: 1}\nc:\n  x: 2\n  <<: *b\nentries: {}\n"
            )
            .map_err(|e| e.to_string()),
            Err("yaml: unmarshal errors:\n  line 2: key \"x\" already set in map".to_string())
        );
        assert_eq!(
            parse_value_strict("a: 1\nb: 2\n"),
            Ok(m(&[("a", Value::Float(1.0)), ("b", Value::Float(2.0))]))
        );
    }

    #[test]
    fn duplicate_keys_last_wins() {
        assert_eq!(parse("a: 1\na: 2\n"), m(&[("a", Value::Float(2.0))]));
    }

    #[test]
    fn documents() {
        let docs = parse_documents("a: 1\n---\nb: 2\n---\n").unwrap_or_default();
        assert_eq!(
            docs,
            vec![
                m(&[("a", Value::Float(1.0))]),
                m(&[("b", Value::Float(2.0))]),
                Value::Nil
            ]
        );
        assert_eq!(parse_documents("").unwrap_or_default(), Vec::<Value>::new());
    }

    #[test]
    fn timestamps_stay_strings() {
        assert_eq!(
            parse("a: 2001-12-14\n"),
            m(&[("a", Value::str("2001-12-14"))])
        );
    }
}
