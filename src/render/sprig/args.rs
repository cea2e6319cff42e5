//! Argument conversions with Go's semantics: a Go function's typed parameters
//! reject other types with Go's reflection error, and Sprig's own conversions
//! (`strval`, spf13/cast's `ToInt64`/`ToFloat64`) accept what they accept.

use crate::gotmpl::{FuncError, Value};

/// Go's type name for a value in a reflection error (a nil from a map is
/// `interface {}`).
pub fn go_type(v: &Value) -> String {
    match v {
        Value::Nil => "interface {}".into(),
        other => other.type_name().to_string(),
    }
}

pub fn arity(a: &[Value], want: usize) -> Result<(), FuncError> {
    if a.len() != want {
        return Err(FuncError::Arity {
            want: want.to_string(),
            got: a.len(),
        });
    }
    Ok(())
}

pub fn at_least(a: &[Value], want: usize) -> Result<(), FuncError> {
    if a.len() < want {
        return Err(FuncError::Arity {
            want: format!("at least {want}"),
            got: a.len(),
        });
    }
    Ok(())
}

fn wrong(expected: &str, v: &Value) -> FuncError {
    FuncError::WrongType {
        expected: expected.into(),
        got: go_type(v),
    }
}

/// A Go `string` parameter.
pub fn s(v: &Value) -> Result<&str, FuncError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(wrong("string", other)),
    }
}

/// A Go `int` parameter.
pub fn int(v: &Value) -> Result<i64, FuncError> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(wrong("int", other)),
    }
}

static EMPTY_MAP: std::sync::LazyLock<crate::gotmpl::Map> =
    std::sync::LazyLock::new(crate::gotmpl::Map::new);

/// A Go `[]interface{}` parameter (a nil argument is a nil slice, as Go passes it).
pub fn list(v: &Value) -> Result<&[Value], FuncError> {
    match v {
        Value::List(l) => Ok(l),
        Value::Nil => Ok(&[]),
        other => Err(wrong("[]interface {}", other)),
    }
}

/// A Go `map[string]interface{}` parameter (a nil argument is a nil map).
pub fn dict(v: &Value) -> Result<&crate::gotmpl::Map, FuncError> {
    match v {
        Value::Map(m) => Ok(m),
        Value::Nil => Ok(&EMPTY_MAP),
        other => Err(wrong("map[string]interface {}", other)),
    }
}

/// Sprig's `strval`: strings as they are, bytes as text, anything else `%v`.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => crate::chart::lossy(b).into_owned(),
        other => {
            let mut out = String::new();
            other.push_go(&mut out);
            out
        }
    }
}

/// spf13/cast `ToInt64` (errors become 0, as Sprig ignores them).
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => {
            if f.is_nan() {
                0
            } else {
                *f as i64
            }
        }
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int_base0(&trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// cast's `trimZeroDecimal`: "1.0" → "1", "1.5" unchanged.
fn trim_zero_decimal(s: &str) -> String {
    if let Some((int, frac)) = s.split_once('.')
        && !frac.is_empty()
        && frac.bytes().all(|b| b == b'0')
    {
        return int.to_string();
    }
    s.to_string()
}

/// `strconv.ParseInt(s, 0, 64)`: `0x`, `0o`, `0b` and leading-zero octal.
pub fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.replace('_', "");
    let lower = body.to_ascii_lowercase();
    let v: i128 = if let Some(h) = lower.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(o) = lower.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()?
    } else if let Some(b) = lower.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()?
    } else if lower.len() > 1 && lower.starts_with('0') {
        i128::from_str_radix(&lower[1..], 8).ok()?
    } else {
        if lower.is_empty() || !lower.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        lower.parse().ok()?
    };
    let v = if neg { -v } else { v };
    i64::try_from(v).ok()
}

/// spf13/cast `ToFloat64`.
pub fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `empty`: nil, false, 0, "", and empty collections are empty.
pub fn empty(v: &Value) -> bool {
    match v {
        Value::Object(o) => !o.truthy() && !matches!(o.kind(), "struct"),
        other => !other.truthy(),
    }
}

/// Go's `reflect.DeepEqual` on template values.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    a == b
}
