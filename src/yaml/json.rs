//! JSON as Go's `encoding/json` writes and reads it (`toJson`, `toRawJson`,
//! `toPrettyJson`, `fromJson`, and the JSON round trip of values files).
//!
//! serde_json's output differs from Go's in float formatting (`1e21` vs `1e+21`),
//! HTML escaping (`<` as `\u003c`), `\u2028` escaping and error wording, so both
//! directions are written here against Go's rules.

use std::fmt::Write as _;

use base64::Engine;

use super::gofmt::{fixed, shortest_digits};
use crate::gotmpl::value::{Map, Value};

/// How to encode: Go's `json.Marshal` (`toJson`) escapes `<`, `>` and `&`;
/// sprig's `toRawJson` does not; `toPrettyJson` indents with two spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonOpts {
    pub escape_html: bool,
    /// `Some(indent)` for `json.MarshalIndent(v, "", indent)`.
    pub indent: Option<&'static str>,
}

impl JsonOpts {
    /// Helm's `toJson`: `json.Marshal`.
    pub const COMPACT: JsonOpts = JsonOpts {
        escape_html: true,
        indent: None,
    };
    /// sprig's `toRawJson`: an encoder with HTML escaping off.
    pub const RAW: JsonOpts = JsonOpts {
        escape_html: false,
        indent: None,
    };
    /// sprig's `toPrettyJson`: `json.MarshalIndent(v, "", "  ")`.
    pub const PRETTY: JsonOpts = JsonOpts {
        escape_html: true,
        indent: Some("  "),
    };
}

/// The deepest nesting encoded or decoded; Go has no limit on encoding, but a tree this
/// deep cannot come from a chart, and the bound keeps recursion safe.
const MAX_DEPTH: usize = super::MAX_DEPTH;

/// Encodes `v` as Go's `encoding/json` would. Errors carry Go's text
/// (`json: unsupported value: NaN`).
pub fn to_json(v: &Value, opts: JsonOpts) -> Result<String, String> {
    let mut out = String::new();
    encode(v, opts, 0, &mut out)?;
    Ok(out)
}

/// Encodes JSON read with `serde_json` (keys in their stored order) as Go's
/// `json.Encoder` writes it (HTML escaped, no spaces), for records Go wrote and
/// charter prints again (a release's `-o json`): struct fields keep their order,
/// strings Go's escapes, numbers Go's float64 text when not integers.
pub fn go_json_ordered(v: &serde_json::Value) -> String {
    fn walk(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::Null => out.push_str("null"),
            serde_json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => out.push_str(&i.to_string()),
                (_, Some(u), _) => out.push_str(&u.to_string()),
                (_, _, Some(f)) => out.push_str(&format_json_float(f)),
                _ => out.push_str(&n.to_string()),
            },
            serde_json::Value::String(s) => quote_into(s, true, out),
            serde_json::Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    walk(x, out);
                }
                out.push(']');
            }
            serde_json::Value::Object(o) => {
                out.push('{');
                for (i, (k, x)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    quote_into(k, true, out);
                    out.push(':');
                    walk(x, out);
                }
                out.push('}');
            }
        }
    }
    let mut out = String::new();
    walk(v, &mut out);
    out
}

/// Go's float64 encoding in encoding/json: shortest digits, `%e` form below 1e-6 or
/// from 1e21 on, with a two-digit exponent trimmed to one (`1e-7`, `1e+21`).
pub fn format_json_float(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (neg, digits, exp) = shortest_digits(&format!("{f:e}"));
    let abs = f.abs();
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if !(1e-6..1e21).contains(&abs) {
        s.push_str(&digits[..1]);
        if digits.len() > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        // strconv writes at least two digits; encoding/json trims `e-07` to `e-7`
        // (but leaves `e+07` alone, which cannot occur in this range anyway).
        if a < 10 && exp >= 0 {
            s.push('0');
        }
        s.push_str(&a.to_string());
    } else {
        s.push_str(&fixed(&digits, exp));
    }
    s
}

fn newline(opts: JsonOpts, depth: usize, out: &mut String) {
    if let Some(ind) = opts.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn encode(v: &Value, opts: JsonOpts, depth: usize, out: &mut String) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "json: unsupported value: nesting deeper than {MAX_DEPTH}"
        ));
    }
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            if f.is_nan() {
                return Err("json: unsupported value: NaN".to_string());
            }
            if f.is_infinite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    if *f > 0.0 { "+Inf" } else { "-Inf" }
                ));
            }
            out.push_str(&format_json_float(*f));
        }
        Value::String(s) => quote_into(s, opts.escape_html, out),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&base64::engine::general_purpose::STANDARD.encode(b));
            out.push('"');
        }
        Value::List(items) => {
            out.push('[');
            if !items.is_empty() {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(opts, depth + 1, out);
                    encode(item, opts, depth + 1, out)?;
                }
                newline(opts, depth, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            if !m.is_empty() {
                for (i, (k, item)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(opts, depth + 1, out);
                    quote_into(k, opts.escape_html, out);
                    out.push(':');
                    if opts.indent.is_some() {
                        out.push(' ');
                    }
                    encode(item, opts, depth + 1, out)?;
                }
                newline(opts, depth, out);
            }
            out.push('}');
        }
        Value::Object(o) => encode(&o.to_data(), opts, depth, out)?,
    }
    Ok(())
}

/// Go's JSON string quoting.
pub fn quote_into(s: &str, escape_html: bool, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str("\\u00");
                let b = c as u8;
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => {
                let b = c as u8;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xf) as usize] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Decoding: Go's json.Unmarshal into interface{}.

/// Decodes JSON text as Go's `json.Unmarshal` into `interface{}` does: numbers are
/// float64, duplicate keys keep the last value, errors use Go's wording.
pub fn from_json(text: &str) -> Result<Value, String> {
    match decode(text)? {
        (v, None) => Ok(v),
        (_, Some(type_error)) => Err(type_error),
    }
}

/// Helm's `fromJson`: `json.Unmarshal` into `map[string]interface{}`, with the error
/// text stored under `"Error"` instead of failing. Go keeps decoding after a number
/// that does not fit a float64 (that entry becomes null), so the map may hold both
/// data and the error. JSON `null` leaves Go's map nil, returned as `Nil`.
pub fn helm_from_json(text: &str) -> Value {
    let (value, error) = match decode(text) {
        Ok((Value::Map(m), e)) => (Value::Map(m), e),
        Ok((Value::Nil, e)) => (Value::Nil, e),
        Ok((other, _)) => (
            Value::map(Map::new()),
            Some(type_error(&other, "map[string]interface {}")),
        ),
        Err(e) => (Value::map(Map::new()), Some(e)),
    };
    match (value, error) {
        (v, None) => v,
        (v, Some(e)) => {
            let mut m = v.as_map().cloned().unwrap_or_default();
            m.insert("Error".to_string(), Value::string(e));
            Value::map(m)
        }
    }
}

/// Helm's `fromJsonArray`: a list, or a one-element list holding the error text.
pub fn helm_from_json_array(text: &str) -> Value {
    match decode(text) {
        Ok((Value::List(l), None)) => Value::List(l),
        Ok((Value::Nil, None)) => Value::list(Vec::new()),
        Ok((Value::List(_) | Value::Nil, Some(e))) | Err(e) => Value::list(vec![Value::string(e)]),
        Ok((other, _)) => Value::list(vec![Value::string(type_error(&other, "[]interface {}"))]),
    }
}

/// encoding/json's complaint when the top level has the wrong kind.
pub(crate) fn type_error(v: &Value, target: &str) -> String {
    let kind = match v {
        Value::Map(_) => "object",
        Value::List(_) => "array",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    };
    format!("json: cannot unmarshal {kind} into Go value of type {target}")
}

/// The decoded value and the first type error (a number out of float64 range),
/// or the syntax error that stopped decoding.
fn decode(text: &str) -> Result<(Value, Option<String>), String> {
    let mut p = JsonParser {
        b: text.as_bytes(),
        pos: 0,
        type_error: None,
    };
    p.skip_ws();
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos < p.b.len() {
        return Err(format!(
            "invalid character {} after top-level value",
            p.char_desc()
        ));
    }
    Ok((v, p.type_error))
}

struct JsonParser<'a> {
    b: &'a [u8],
    pos: usize,
    type_error: Option<String>,
}

impl JsonParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(c) = self.b.get(self.pos) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Go's `quoteChar`: the offending character as the error shows it.
    fn char_desc(&self) -> String {
        let rest = &self.b[self.pos..];
        let c = match std::str::from_utf8(&rest[..rest.len().min(4)]) {
            Ok(s) => s.chars().next(),
            Err(e) if e.valid_up_to() > 0 => std::str::from_utf8(&rest[..e.valid_up_to()])
                .ok()
                .and_then(|s| s.chars().next()),
            Err(_) => None,
        };
        match c {
            Some('\'') => "'\\''".to_string(),
            Some('"') => "'\"'".to_string(),
            // Go's strconv.Quote spellings.
            Some('\u{7}') => "'\\a'".to_string(),
            Some('\u{8}') => "'\\b'".to_string(),
            Some('\u{c}') => "'\\f'".to_string(),
            Some('\n') => "'\\n'".to_string(),
            Some('\r') => "'\\r'".to_string(),
            Some('\t') => "'\\t'".to_string(),
            Some('\u{b}') => "'\\v'".to_string(),
            Some(c) if (c as u32) < 0x20 || c == '\u{7f}' => {
                format!("'\\x{:02x}'", c as u32)
            }
            Some(c) if c.is_control() => format!("'\\u{:04x}'", c as u32),
            Some(c) => format!("'{c}'"),
            None => format!("'\\x{:02x}'", rest.first().copied().unwrap_or(0)),
        }
    }

    fn eof() -> String {
        "unexpected end of JSON input".to_string()
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(format!("exceeded max depth of {MAX_DEPTH}"));
        }
        let Some(&c) = self.b.get(self.pos) else {
            return Err(Self::eof());
        };
        match c {
            b'{' => {
                self.pos += 1;
                let mut map = Map::new();
                self.skip_ws();
                if self.b.get(self.pos) == Some(&b'}') {
                    self.pos += 1;
                    return Ok(Value::map(map));
                }
                loop {
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        None => return Err(Self::eof()),
                        Some(b'"') => {}
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} looking for beginning of object key string",
                                self.char_desc()
                            ));
                        }
                    }
                    let key = self.string()?;
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        None => return Err(Self::eof()),
                        Some(b':') => self.pos += 1,
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after object key",
                                self.char_desc()
                            ));
                        }
                    }
                    self.skip_ws();
                    let v = self.value(depth + 1)?;
                    map.insert(key, v);
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        None => return Err(Self::eof()),
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Value::map(map));
                        }
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after object key:value pair",
                                self.char_desc()
                            ));
                        }
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.b.get(self.pos) == Some(&b']') {
                    self.pos += 1;
                    return Ok(Value::list(items));
                }
                loop {
                    self.skip_ws();
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.b.get(self.pos) {
                        None => return Err(Self::eof()),
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Value::list(items));
                        }
                        Some(_) => {
                            return Err(format!(
                                "invalid character {} after array element",
                                self.char_desc()
                            ));
                        }
                    }
                }
            }
            b'"' => Ok(Value::string(self.string()?)),
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Nil),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(format!(
                "invalid character {} looking for beginning of value",
                self.char_desc()
            )),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for (i, expected) in word.bytes().enumerate() {
            match self.b.get(self.pos) {
                None => return Err(Self::eof()),
                Some(&c) if c == expected => self.pos += 1,
                Some(_) => {
                    let what = match i {
                        0 => "looking for beginning of value".to_string(),
                        _ => format!("in literal {word} (expecting '{}')", expected as char),
                    };
                    return Err(format!("invalid character {} {what}", self.char_desc()));
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.b.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - s
        };
        if self.b.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.b.get(self.pos) {
            None => return Err(Self::eof()),
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            Some(_) => {
                return Err(format!(
                    "invalid character {} in numeric literal",
                    self.char_desc()
                ));
            }
        }
        if self.b.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.pos >= self.b.len() {
                return Err(Self::eof());
            }
            if digits(self) == 0 {
                return Err(format!(
                    "invalid character {} after decimal point in numeric literal",
                    self.char_desc()
                ));
            }
        }
        if matches!(self.b.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.b.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.pos >= self.b.len() {
                return Err(Self::eof());
            }
            if digits(self) == 0 {
                return Err(format!(
                    "invalid character {} in exponent of numeric literal",
                    self.char_desc()
                ));
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.pos]).unwrap_or("0");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => {
                if self.type_error.is_none() {
                    self.type_error = Some(format!(
                        "json: cannot unmarshal number {text} into Go value of type float64"
                    ));
                }
                Ok(Value::Nil)
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        // At the opening quote.
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(Self::eof());
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return Ok(go_lossy(&out));
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(&e) = self.b.get(self.pos) else {
                        return Err(Self::eof());
                    };
                    self.pos += 1;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(8),
                        b'f' => Some(12),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => {
                            self.pos -= 1;
                            return Err(format!(
                                "invalid character {} in string escape code",
                                self.char_desc()
                            ));
                        }
                    };
                    if let Some(b) = simple {
                        out.push(b);
                        continue;
                    }
                    let first = self.hex4()?;
                    let ch = if (0xD800..0xDC00).contains(&first) {
                        // A surrogate pair, if the next escape completes it.
                        let save = self.pos;
                        if self.b.get(self.pos) == Some(&b'\\')
                            && self.b.get(self.pos + 1) == Some(&b'u')
                        {
                            self.pos += 2;
                            match self.hex4() {
                                Ok(second) if (0xDC00..0xE000).contains(&second) => {
                                    let cp = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                                    char::from_u32(cp).unwrap_or('\u{fffd}')
                                }
                                _ => {
                                    self.pos = save;
                                    '\u{fffd}'
                                }
                            }
                        } else {
                            '\u{fffd}'
                        }
                    } else {
                        char::from_u32(first).unwrap_or('\u{fffd}')
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => {
                    return Err(format!(
                        "invalid character {} in string literal",
                        self.char_desc()
                    ));
                }
                c => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(Self::eof());
            };
            let Some(d) = (c as char).to_digit(16) else {
                return Err(format!(
                    "invalid character {} in \\u hexadecimal character escape",
                    self.char_desc()
                ));
            };
            n = n * 16 + d;
            self.pos += 1;
        }
        Ok(n)
    }
}

/// Go replaces each byte of invalid UTF-8 with U+FFFD.
fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let good = e.valid_up_to();
                out.push_str(std::str::from_utf8(&rest[..good]).unwrap_or_default());
                out.push('\u{fffd}');
                rest = &rest[good + 1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_follow_encoding_json() {
        let cases = [
            (1000000.0, "1000000"),
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.2345e-10, "1.2345e-10"),
            (-0.0, "-0"),
            (0.1, "0.1"),
            (123456789.125, "123456789.125"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (f, want) in cases {
            assert_eq!(format_json_float(f), want, "{f}");
        }
    }

    #[test]
    fn encodes_like_go() {
        let mut m = Map::new();
        m.insert("b".into(), Value::list(vec![Value::Int(1), Value::Nil]));
        m.insert("a".into(), Value::str("<&>\u{2028}\u{1}"));
        let v = Value::map(m);
        assert_eq!(
            to_json(&v, JsonOpts::COMPACT).as_deref(),
            Ok(r#"{"a":"\u003c\u0026\u003e\u2028\u0001","b":[1,null]}"#)
        );
        assert_eq!(
            to_json(&v, JsonOpts::RAW).as_deref(),
            Ok(r#"{"a":"<&>\u2028\u0001","b":[1,null]}"#)
        );
        assert_eq!(
            to_json(&v, JsonOpts::PRETTY).as_deref(),
            Ok(
                "{\n  \"a\": \"\\u003c\\u0026\\u003e\\u2028\\u0001\",\n  \"b\": [\n    1,\n    null\n  ]\n}"
            )
        );
        assert_eq!(
            to_json(&Value::Float(f64::NAN), JsonOpts::COMPACT),
            Err("json: unsupported value: NaN".to_string())
        );
        assert_eq!(
            to_json(&Value::map(Map::new()), JsonOpts::PRETTY).as_deref(),
            Ok("{}")
        );
        assert_eq!(
            to_json(&Value::Bytes(b"hi".as_slice().into()), JsonOpts::COMPACT).as_deref(),
            Ok("\"aGk=\"")
        );
    }

    #[test]
    fn decodes_like_go() {
        let v = from_json(r#"{"a": 1, "b": [true, null, "x\u00e9\ud83d\ude00"], "a": 2.5}"#);
        let mut m = Map::new();
        m.insert("a".into(), Value::Float(2.5));
        m.insert(
            "b".into(),
            Value::list(vec![Value::Bool(true), Value::Nil, Value::str("xé😀")]),
        );
        assert_eq!(v, Ok(Value::map(m)));
        assert_eq!(from_json("").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(
            from_json("{a}").unwrap_err(),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(
            from_json("[1 2]").unwrap_err(),
            "invalid character '2' after array element"
        );
        assert_eq!(
            from_json("{} x").unwrap_err(),
            "invalid character 'x' after top-level value"
        );
        assert_eq!(
            from_json("tru").unwrap_err(),
            "unexpected end of JSON input"
        );
        assert_eq!(
            from_json("trx").unwrap_err(),
            "invalid character 'x' in literal true (expecting 'u')"
        );
        assert_eq!(
            from_json("12345678901234567890"),
            Ok(Value::Float(12345678901234567890.0))
        );
    }

    #[test]
    fn stored_json_is_written_again_as_go_writes_it() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"z":1,"a":"<b>&\n","n":[1.5,1e21,-0.0,12345678901234567000,null,true]}"#,
        )
        .unwrap();
        assert_eq!(
            super::go_json_ordered(&v),
            r#"{"z":1,"a":"\u003cb\u003e\u0026\n","n":[1.5,1e+21,-0,12345678901234567000,null,true]}"#
        );
    }
}
