//! go-yaml v2's scalar resolution (YAML 1.1 flavoured), used both when reading and
//! when deciding whether `toYaml` must quote a string.
//!
//! go-yaml v2 does not follow the YAML 1.1 or 1.2 core schema exactly: it looks a plain
//! scalar up in a fixed table (`yes`/`On`/`~`/`.inf`...), and otherwise tries Go's
//! `strconv.ParseInt` with base 0 (so `0x1f`, `0o17`, `017` and `0b101` are integers and
//! `_` separators are dropped first), then `ParseUint`, then a float pattern. No crate
//! reproduces these quirks (for example `08` is the float 8 and `1e400` stays a
//! string), so they are written out here.

/// The long form of the YAML core tags, as go-yaml spells them internally.
pub const TAG_PREFIX: &str = "tag:yaml.org,2002:";

/// What a scalar resolves to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    /// A positive integer beyond `i64::MAX` (go-yaml gives a `uint64`).
    Uint(u64),
    Float(f64),
    /// The scalar is a string (its text is kept by the caller).
    Str,
    /// A timestamp (go-yaml keeps the text as a string when decoding into `interface{}`).
    Timestamp,
}

impl Resolved {
    /// go-yaml's short tag name for this resolution, as it appears in its errors.
    pub fn short_tag(&self) -> &'static str {
        match self {
            Resolved::Null => "!!null",
            Resolved::Bool(_) => "!!bool",
            Resolved::Int(_) | Resolved::Uint(_) => "!!int",
            Resolved::Float(_) => "!!float",
            Resolved::Str => "!!str",
            Resolved::Timestamp => "!!timestamp",
        }
    }
}

fn table(s: &str) -> Option<Resolved> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Whether `s` matches go-yaml's float pattern
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, checked by hand: the
/// resolver runs on every plain scalar of every values file and rendered manifest.
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return false;
        }
        i = end;
    } else {
        let end = digits(i);
        if end == i {
            return false;
        }
        i = end;
        if b.get(i) == Some(&b'.') {
            i = digits(i + 1);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return false;
        }
        i = end;
    }
    i == b.len()
}

/// Resolves an untagged plain scalar the way go-yaml v2 does.
pub fn resolve_plain(s: &str) -> Resolved {
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        // `<<` is not in go-yaml's hint table: it resolves as a string (the decoder
        // recognises merge keys by their text).
        _ => return Resolved::Str,
    };
    if let Some(r) = table(s) {
        return r;
    }
    match hint {
        b'.' => match go_parse_float(s) {
            Some(f) => Resolved::Float(f),
            None => Resolved::Str,
        },
        b'D' | b'S' => resolve_number(s, true),
        _ => Resolved::Str,
    }
}

/// The digit/sign branch of go-yaml's resolver. `timestamps` is false when the caller
/// has an explicit tag other than `!!timestamp`.
fn resolve_number(s: &str, timestamps: bool) -> Resolved {
    if timestamps && is_timestamp(s) {
        return Resolved::Timestamp;
    }
    // Two or more dots (a version such as 1.2.3) fit no integer, float or binary
    // form: a string, without the work below.
    if s.bytes().filter(|&b| b == b'.').count() >= 2 {
        return Resolved::Str;
    }
    let plain: std::borrow::Cow<str> = if s.contains('_') {
        s.chars().filter(|&c| c != '_').collect::<String>().into()
    } else {
        s.into()
    };
    if let Some(i) = go_parse_int(&plain) {
        return Resolved::Int(i);
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Resolved::Uint(u);
    }
    if yaml_style_float(&plain)
        && let Some(f) = go_parse_float(&plain)
    {
        return Resolved::Float(f);
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        if let Some(u) = parse_digits(rest, 2) {
            return match i64::try_from(u) {
                Ok(i) => Resolved::Int(i),
                Err(_) => Resolved::Uint(u),
            };
        }
    } else if let Some(rest) = plain.strip_prefix("-0b")
        && let Some(u) = parse_digits(rest, 2)
        && u <= 1 << 63
    {
        return Resolved::Int((u as i64).wrapping_neg());
    }
    Resolved::Str
}

/// Resolves a scalar carrying an explicit core tag (`!!int 12`), reporting go-yaml's
/// `cannot decode !!str `x` as a !!int` when the text does not fit the tag.
pub fn resolve_tagged(tag: &str, s: &str) -> Result<Resolved, String> {
    let short = match tag.strip_prefix(TAG_PREFIX) {
        Some(rest) => rest,
        None => return Ok(Resolved::Str),
    };
    let resolved = match short {
        "str" | "binary" => return Ok(Resolved::Str),
        "bool" | "int" | "float" | "null" | "timestamp" => {
            let hint_ok = s.is_empty()
                || matches!(
                    s.as_bytes()[0],
                    b'+' | b'-' | b'0'
                        ..=b'9'
                            | b'y'
                            | b'Y'
                            | b'n'
                            | b'N'
                            | b't'
                            | b'T'
                            | b'f'
                            | b'F'
                            | b'o'
                            | b'O'
                            | b'~'
                            | b'.'
                );
            if !hint_ok {
                Resolved::Str
            } else if let Some(r) = table(s) {
                r
            } else if s.starts_with('.') {
                go_parse_float(s).map_or(Resolved::Str, Resolved::Float)
            } else if matches!(s.as_bytes()[0], b'+' | b'-' | b'0'..=b'9') {
                resolve_number(s, short == "timestamp")
            } else {
                Resolved::Str
            }
        }
        _ => return Ok(Resolved::Str),
    };
    let fits = match (short, &resolved) {
        ("bool", Resolved::Bool(_))
        | ("int", Resolved::Int(_) | Resolved::Uint(_))
        | ("float", Resolved::Float(_))
        | ("null", Resolved::Null)
        | ("timestamp", Resolved::Timestamp) => true,
        ("float", Resolved::Int(i)) => return Ok(Resolved::Float(*i as f64)),
        _ => false,
    };
    if fits {
        Ok(resolved)
    } else {
        Err(format!(
            "cannot decode {} `{s}` as a !!{short}",
            resolved.short_tag()
        ))
    }
}

/// go-yaml's quick timestamp test: `YYYY-` followed by one of its accepted layouts.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    // Layouts: 2006-1-2, 2006-1-2 15:4:5.999999999, 2006-1-2T15:4:5.999999999Z07:00
    // (and lower-case `t`).
    let rest = &s[5..];
    let (date, time) = match rest.find(['T', 't', ' ']) {
        Some(i) => (&rest[..i], Some((rest.as_bytes()[i], &rest[i + 1..]))),
        None => (rest, None),
    };
    let mut parts = date.split('-');
    let (Some(month), Some(day), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Some(month) = small_number(month, 12) else {
        return false;
    };
    let Some(day) = small_number(day, 31) else {
        return false;
    };
    if month == 0 || day == 0 || day > days_in_month(&s[..4], month) {
        return false;
    }
    match time {
        None => true,
        Some((sep, t)) => {
            let (clock, zone) = if sep == b' ' {
                (t, None)
            } else {
                match t.find(['Z', '+', '-']) {
                    Some(i) => (&t[..i], Some(&t[i..])),
                    None => return false,
                }
            };
            valid_clock(clock) && zone.is_none_or(valid_zone)
        }
    }
}

fn small_number(s: &str, max: u32) -> Option<u32> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|&n| n <= max)
}

fn days_in_month(year: &str, month: u32) -> u32 {
    let y: u32 = year.parse().unwrap_or(1);
    match month {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn valid_clock(s: &str) -> bool {
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut parts = hms.split(':');
    let (Some(h), Some(m), Some(sec), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    small_number(h, 23).is_some()
        && small_number(m, 59).is_some()
        && small_number(sec, 59).is_some()
        && frac
            .is_none_or(|f| !f.is_empty() && f.len() <= 9 && f.bytes().all(|c| c.is_ascii_digit()))
}

fn valid_zone(z: &str) -> bool {
    if z == "Z" {
        return true;
    }
    let b = z.as_bytes();
    b.len() == 6
        && (b[0] == b'+' || b[0] == b'-')
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b':'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

/// Go's `strconv.ParseInt(s, 0, 64)` (on text whose underscores were removed).
pub fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(digits)?;
    if neg {
        if u <= 1 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` prefixes and a leading `0` for
/// octal; no sign.
pub fn go_parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (radix, digits) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() {
        // "0" alone is zero; a bare prefix never reaches here (len >= 3).
        return Some(0);
    }
    parse_digits(digits, radix)
}

fn parse_digits(s: &str, radix: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for c in s.chars() {
        let d = c.to_digit(radix)?;
        n = n.checked_mul(u64::from(radix))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml hands it: an
/// out-of-range value is an error in Go (Rust would give infinity).
pub fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let body = match b.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    // Only plain decimal syntax reaches here; refuse Rust's extra spellings.
    if body.is_empty()
        || !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() { None } else { Some(f) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_pattern_matches_go_yamls_regexp() {
        let re =
            regex::Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").unwrap();
        let alphabet = ["", "0", "12", ".", "+", "-", "e", "E", "x", "_"];
        let mut n = 0;
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        for e in alphabet {
                            let s = format!("{a}{b}{c}{d}{e}");
                            assert_eq!(yaml_style_float(&s), re.is_match(&s), "{s:?}");
                            n += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(n, 100_000);
    }

    #[test]
    fn table_entries() {
        for s in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(resolve_plain(s), Resolved::Bool(true), "{s}");
        }
        for s in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(resolve_plain(s), Resolved::Bool(false), "{s}");
        }
        for s in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(resolve_plain(s), Resolved::Null, "{s}");
        }
        for s in ["yEs", "tRUE", "nULL", "oN", "Nope", ".iNf"] {
            assert_eq!(resolve_plain(s), Resolved::Str, "{s}");
        }
        assert_eq!(resolve_plain("-.inf"), Resolved::Float(f64::NEG_INFINITY));
        assert!(matches!(resolve_plain(".NaN"), Resolved::Float(f) if f.is_nan()));
        assert_eq!(resolve_plain("<<"), Resolved::Str);
    }

    #[test]
    fn numbers_follow_go_strconv() {
        assert_eq!(resolve_plain("12"), Resolved::Int(12));
        assert_eq!(resolve_plain("-12"), Resolved::Int(-12));
        assert_eq!(resolve_plain("+12"), Resolved::Int(12));
        assert_eq!(resolve_plain("0x1F"), Resolved::Int(31));
        assert_eq!(resolve_plain("0o17"), Resolved::Int(15));
        assert_eq!(resolve_plain("017"), Resolved::Int(15));
        assert_eq!(resolve_plain("0b101"), Resolved::Int(5));
        assert_eq!(resolve_plain("-0b101"), Resolved::Int(-5));
        assert_eq!(resolve_plain("1_000"), Resolved::Int(1000));
        assert_eq!(resolve_plain("08"), Resolved::Float(8.0));
        assert_eq!(resolve_plain("0"), Resolved::Int(0));
        assert_eq!(
            resolve_plain("18446744073709551615"),
            Resolved::Uint(u64::MAX)
        );
        assert_eq!(
            resolve_plain("-9223372036854775808"),
            Resolved::Int(i64::MIN)
        );
        assert_eq!(
            resolve_plain("-9223372036854775809"),
            Resolved::Float(-9223372036854775809.0)
        );
        assert_eq!(resolve_plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(resolve_plain("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve_plain(".5"), Resolved::Float(0.5));
        assert_eq!(resolve_plain("1."), Resolved::Float(1.0));
        assert_eq!(resolve_plain("1e400"), Resolved::Str);
        assert_eq!(resolve_plain("0x"), Resolved::Str);
        assert_eq!(resolve_plain("1:20"), Resolved::Str);
        assert_eq!(resolve_plain("+"), Resolved::Str);
        assert_eq!(resolve_plain("1.2.3"), Resolved::Str);
        assert_eq!(resolve_plain("infinity"), Resolved::Str);
    }

    #[test]
    fn timestamps() {
        assert_eq!(resolve_plain("2001-12-14"), Resolved::Timestamp);
        assert_eq!(
            resolve_plain("2001-12-14T21:59:43.10Z"),
            Resolved::Timestamp
        );
        assert_eq!(resolve_plain("2001-12-14 21:59:43.10"), Resolved::Timestamp);
        assert_eq!(resolve_plain("2001-2-30"), Resolved::Str);
        assert_eq!(resolve_plain("2001-12-14 21:59:43.10 -5"), Resolved::Str);
    }

    #[test]
    fn tagged() {
        assert_eq!(
            resolve_tagged("tag:yaml.org,2002:int", "12"),
            Ok(Resolved::Int(12))
        );
        assert_eq!(
            resolve_tagged("tag:yaml.org,2002:str", "12"),
            Ok(Resolved::Str)
        );
        assert_eq!(
            resolve_tagged("tag:yaml.org,2002:float", "12"),
            Ok(Resolved::Float(12.0))
        );
        assert_eq!(
            resolve_tagged("tag:yaml.org,2002:int", "abc"),
            Err("cannot decode !!str `abc` as a !!int".to_string())
        );
        assert_eq!(
            resolve_tagged("tag:yaml.org,2002:bool", "1"),
            Err("cannot decode !!int `1` as a !!bool".to_string())
        );
        assert_eq!(resolve_tagged("!custom", "12"), Ok(Resolved::Str));
    }
}
