//! Sprig's `dateModify` family and `durationRound`, built on Go's
//! `time.ParseDuration` (hand-written here: chrono and humantime accept other
//! grammars, and the error wording must be Go's).

use chrono::{DateTime, FixedOffset, Local};

use super::Reg;
use super::args::{arity, go_type, s};
use super::numbers::Time;
use crate::gotmpl::{FuncError, Value};

const NS: u128 = 1;
const US: u128 = 1_000;
const MS: u128 = 1_000_000;
const SEC: u128 = 1_000_000_000;
const MIN: u128 = 60 * SEC;
const HOUR: u128 = 60 * MIN;

/// Go's `time.ParseDuration`: a signed sequence of decimal numbers, each with an
/// optional fraction and a unit (`ns us µs μs ms s m h`), as nanoseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", crate::gotmpl::go_quote(text));
    let mut rest = text;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let b = rest.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let flen = r.bytes().take_while(|c| c.is_ascii_digit()).count();
            frac_part = &r[..flen];
            rest = &r[flen..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let ulen = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit_text = &rest[..ulen];
        rest = &rest[ulen..];
        if unit_text.is_empty() {
            return Err(format!(
                "time: missing unit in duration {}",
                crate::gotmpl::go_quote(text)
            ));
        }
        let unit = match unit_text {
            "ns" => NS,
            "us" | "µs" | "μs" => US,
            "ms" => MS,
            "s" => SEC,
            "m" => MIN,
            "h" => HOUR,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::gotmpl::go_quote(unit_text),
                    crate::gotmpl::go_quote(text)
                ));
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = whole.checked_mul(unit).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            // Go keeps the fraction's leading digits while they fit and scales
            // them by the unit, truncating.
            let mut f: u128 = 0;
            let mut scale: u128 = 1;
            for d in frac_part.bytes() {
                if scale > 1_000_000_000_000_000_000 {
                    break;
                }
                f = f * 10 + u128::from(d - b'0');
                scale *= 10;
            }
            v += f * unit / scale;
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > (1u128 << 63) {
            return Err(invalid());
        }
    }
    if neg {
        Ok((total as i128).wrapping_neg() as i64)
    } else if total > i64::MAX as u128 {
        Err(invalid())
    } else {
        Ok(total as i64)
    }
}

/// A Go `time.Time` parameter.
fn time_arg(v: &Value) -> Result<DateTime<FixedOffset>, FuncError> {
    if let Value::Object(o) = v
        && let Some(t) = o.as_any().downcast_ref::<Time>()
    {
        return Ok(t.0);
    }
    Err(FuncError::WrongType {
        expected: "time.Time".into(),
        got: go_type(v),
    })
}

fn add_nanos(t: DateTime<FixedOffset>, ns: i64) -> DateTime<FixedOffset> {
    t.checked_add_signed(chrono::Duration::nanoseconds(ns))
        .unwrap_or(t)
}

/// Sprig's `durationRound`: the largest whole unit of a duration (`2h`, `3mo`).
pub fn duration_round(v: &Value) -> String {
    let d: i64 = match v {
        Value::String(s) => parse_duration(s).unwrap_or(0),
        // Go distinguishes `int64` (counted as nanoseconds) from `int` (ignored);
        // charter's `Int` is both, and takes the int64 reading.
        Value::Int(i) => *i,
        Value::Object(o) => match o.as_any().downcast_ref::<Time>() {
            Some(t) => (Local::now().fixed_offset() - t.0)
                .num_nanoseconds()
                .unwrap_or(i64::MAX),
            None => 0,
        },
        _ => 0,
    };
    let u = d.unsigned_abs();
    let hour = 3_600_000_000_000u64;
    let units: [(u64, &str); 6] = [
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
    ];
    for (size, name) in units {
        if u > size {
            return format!("{}{name}", u / size);
        }
    }
    "0s".into()
}

pub fn register(r: &mut Reg) {
    for name in ["dateModify", "date_modify"] {
        r.f(name, |a| {
            arity(a, 2)?;
            let text = s(&a[0])?;
            let t = time_arg(&a[1])?;
            Ok(Value::object(Time(match parse_duration(text) {
                Ok(ns) => add_nanos(t, ns),
                Err(_) => t,
            })))
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        r.f(name, |a| {
            arity(a, 2)?;
            let text = s(&a[0])?;
            let t = time_arg(&a[1])?;
            let ns = parse_duration(text).map_err(FuncError::Failed)?;
            Ok(Value::object(Time(add_nanos(t, ns))))
        });
    }
    r.f("durationRound", |a| {
        arity(a, 1)?;
        Ok(Value::string(duration_round(&a[0])))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration("-1.5h"), Ok(-5_400_000_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("1.5µs"), Ok(1_500));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(
            parse_duration("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(
            parse_duration("1x"),
            Err("time: unknown unit \"x\" in duration \"1x\"".into())
        );
        assert_eq!(
            parse_duration("foo"),
            Err("time: invalid duration \"foo\"".into())
        );
        assert_eq!(
            parse_duration(""),
            Err("time: invalid duration \"\"".into())
        );
        assert!(parse_duration("9999999999h").is_err());
    }

    #[test]
    fn rounds_durations() {
        assert_eq!(duration_round(&Value::str("2h10m")), "2h");
        assert_eq!(duration_round(&Value::str("3600s")), "60m");
        assert_eq!(duration_round(&Value::str("-49h")), "2d");
        assert_eq!(duration_round(&Value::str("800h")), "1mo");
        assert_eq!(duration_round(&Value::str("9000h")), "1y");
        assert_eq!(duration_round(&Value::str("bad")), "0s");
        assert_eq!(duration_round(&Value::Bool(true)), "0s");
    }
}
