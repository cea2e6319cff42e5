//! Sprig's math, conversion, default, reflection, semver, regex, path, URL and
//! date functions.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, Local, TimeZone, Timelike, Utc};

use super::args::{arity, at_least, deep_equal, empty, go_type, int, s, to_f64, to_i64};
use super::{Reg, list_of_strings};
use crate::chart::constraint;
use crate::gotmpl::{FuncError, Object, Value};

fn f(x: f64) -> Value {
    Value::Float(x)
}

/// Sprig's `round`.
fn round(a: f64, places: f64, round_on: f64) -> f64 {
    let pow = 10f64.powf(places);
    let digit = pow * a;
    let div = digit.fract();
    let r = if div >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Sprig's `execDecimalOp`: folds the arguments (cast to float64) with decimal
/// arithmetic and returns the float64 of the result.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Result<Value, FuncError> {
    use super::decimal::Decimal;
    let mut acc = Decimal::from_f64(to_f64(first)).map_err(FuncError::Failed)?;
    for v in rest {
        let x = Decimal::from_f64(to_f64(v)).map_err(FuncError::Failed)?;
        acc = match op {
            Op::Add => acc.add(&x),
            Op::Sub => acc.sub(&x),
            Op::Mul => acc.mul(&x),
            Op::Div => acc.div(&x).map_err(FuncError::Failed)?,
        };
    }
    Ok(f(acc.to_f64()))
}

/// Go's `time.Time`.
pub struct Time(pub DateTime<FixedOffset>);

impl Object for Time {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn kind(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let t = &self.0;
        Some(match name {
            "Year" => Value::Int(t.year() as i64),
            "Month" => Value::Int(t.month() as i64),
            "Day" => Value::Int(t.day() as i64),
            "Hour" => Value::Int(t.hour() as i64),
            "Minute" => Value::Int(t.minute() as i64),
            "Second" => Value::Int(t.second() as i64),
            "Unix" => Value::Int(t.timestamp()),
            "UnixNano" => Value::Int(t.timestamp_nanos_opt().unwrap_or(0)),
            "String" => Value::string(self.format()),
            _ => return None,
        })
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Year"
                | "Month"
                | "Day"
                | "Hour"
                | "Minute"
                | "Second"
                | "Unix"
                | "UnixNano"
                | "String"
                | "Format"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        if name == "Format" {
            return Some(match args {
                [Value::String(layout)] => Ok(Value::string(go_format(&self.0, layout))),
                _ => Err(FuncError::Arity {
                    want: "1".into(),
                    got: args.len(),
                }),
            });
        }
        self.field(name).map(Ok)
    }
    fn format(&self) -> String {
        go_format(&self.0, "2006-01-02 15:04:05.999999999 -0700 MST")
    }
    fn to_data(&self) -> Value {
        Value::string(go_format(&self.0, "2006-01-02T15:04:05.999999999Z07:00"))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn local_now() -> DateTime<FixedOffset> {
    Local::now().fixed_offset()
}

/// A `date`-family argument: a time, or unix seconds.
fn to_time(v: &Value) -> DateTime<FixedOffset> {
    match v {
        Value::Object(o) => match o.as_any().downcast_ref::<Time>() {
            Some(t) => t.0,
            None => local_now(),
        },
        Value::Int(i) => Local
            .timestamp_opt(*i, 0)
            .single()
            .map(|t| t.fixed_offset())
            .unwrap_or_else(local_now),
        _ => local_now(),
    }
}

/// The abbreviation Go prints for `MST` in a named zone (`JST`, `EST`), when the
/// zone database has a letter one.
fn zone_abbreviation(t: DateTime<FixedOffset>, zone: &str) -> Option<String> {
    use chrono_tz::OffsetName;
    match zone {
        "" | "UTC" => Some("UTC".into()),
        "Local" => None,
        z => {
            let tz: chrono_tz::Tz = z.parse().ok()?;
            let local = t.with_timezone(&tz);
            if let Some(name) = local.offset().abbreviation() {
                return Some(name.to_string());
            }
            // tzdata's numeric abbreviations (`-03`, `+0530`), which Go prints.
            let off = local.fixed_offset().offset().local_minus_utc();
            let sign = if off < 0 { '-' } else { '+' };
            let (h, m) = (off.abs() / 3600, (off.abs() % 3600) / 60);
            Some(if m == 0 {
                format!("{sign}{h:02}")
            } else {
                format!("{sign}{h:02}{m:02}")
            })
        }
    }
}

fn in_zone(t: DateTime<FixedOffset>, zone: &str) -> DateTime<FixedOffset> {
    match zone {
        "" | "UTC" => t.with_timezone(&Utc).fixed_offset(),
        "Local" => t.with_timezone(&Local).fixed_offset(),
        z => match z.parse::<chrono_tz::Tz>() {
            Ok(tz) => t.with_timezone(&tz).fixed_offset(),
            Err(_) => t.with_timezone(&Utc).fixed_offset(),
        },
    }
}

/// Go's `Time.Format` with its reference layout (`2006-01-02 15:04:05 -0700 MST`).
pub fn go_format(t: &DateTime<FixedOffset>, layout: &str) -> String {
    go_format_zone(t, layout, None)
}

/// [`go_format`] with the zone's abbreviation for `MST` (without one, Go prints
/// the offset, `+0900`; UTC prints `UTC`).
pub fn go_format_zone(t: &DateTime<FixedOffset>, layout: &str, zone: Option<&str>) -> String {
    let mut out = String::new();
    let b = layout.as_bytes();
    let mut i = 0;
    let month_names = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let day_names = [
        "Sunday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ];
    let off = t.offset().local_minus_utc();
    while i < b.len() {
        let rest = &layout[i..];
        let take = |p: &str| rest.starts_with(p);
        if take("January") {
            out.push_str(month_names[t.month0() as usize]);
            i += 7;
        } else if take("Jan") {
            out.push_str(&month_names[t.month0() as usize][..3]);
            i += 3;
        } else if take("Monday") {
            out.push_str(day_names[t.weekday().num_days_from_sunday() as usize]);
            i += 6;
        } else if take("Mon") {
            out.push_str(&day_names[t.weekday().num_days_from_sunday() as usize][..3]);
            i += 3;
        } else if take("MST") {
            out.push_str(&if let Some(z) = zone {
                z.to_string()
            } else if off == 0 {
                "UTC".to_string()
            } else {
                format!("{:+03}{:02}", off / 3600, (off.abs() % 3600) / 60)
            });
            i += 3;
        } else if take("2006") {
            out.push_str(&format!("{:04}", t.year()));
            i += 4;
        } else if take("06") {
            out.push_str(&format!("{:02}", t.year() % 100));
            i += 2;
        } else if take("01") {
            out.push_str(&format!("{:02}", t.month()));
            i += 2;
        } else if take("02") {
            out.push_str(&format!("{:02}", t.day()));
            i += 2;
        } else if take("__2") {
            out.push_str(&format!("{:>3}", t.ordinal()));
            i += 3;
        } else if take("002") {
            out.push_str(&format!("{:03}", t.ordinal()));
            i += 3;
        } else if take("_2") {
            out.push_str(&format!("{:>2}", t.day()));
            i += 2;
        } else if take("15") {
            out.push_str(&format!("{:02}", t.hour()));
            i += 2;
        } else if take("03") {
            out.push_str(&format!("{:02}", (t.hour() + 11) % 12 + 1));
            i += 2;
        } else if take("04") {
            out.push_str(&format!("{:02}", t.minute()));
            i += 2;
        } else if take("05") {
            out.push_str(&format!("{:02}", t.second()));
            i += 2;
        } else if take("PM") {
            out.push_str(if t.hour() >= 12 { "PM" } else { "AM" });
            i += 2;
        } else if take("pm") {
            out.push_str(if t.hour() >= 12 { "pm" } else { "am" });
            i += 2;
        } else if take("-07:00") || take("Z07:00") {
            let z = take("Z07:00");
            if z && off == 0 {
                out.push('Z');
            } else {
                out.push_str(&format!(
                    "{}{:02}:{:02}",
                    if off < 0 { '-' } else { '+' },
                    off.abs() / 3600,
                    (off.abs() % 3600) / 60
                ));
            }
            i += 6;
        } else if take("-0700") || take("Z0700") {
            let z = take("Z0700");
            if z && off == 0 {
                out.push('Z');
            } else {
                out.push_str(&format!(
                    "{}{:02}{:02}",
                    if off < 0 { '-' } else { '+' },
                    off.abs() / 3600,
                    (off.abs() % 3600) / 60
                ));
            }
            i += 5;
        } else if take("-07") {
            out.push_str(&format!(
                "{}{:02}",
                if off < 0 { '-' } else { '+' },
                off.abs() / 3600
            ));
            i += 3;
        } else if take(".000") || take(".999") || take(",000") || take(",999") {
            let digit = b[i + 1];
            let n = rest[1..].bytes().take_while(|c| *c == digit).count();
            let nanos = format!("{:09}", t.nanosecond());
            let mut frac = nanos[..n.min(9)].to_string();
            if digit == b'9' {
                frac = frac.trim_end_matches('0').to_string();
                if !frac.is_empty() {
                    out.push('.');
                    out.push_str(&frac);
                }
            } else {
                out.push(b[i] as char);
                out.push_str(&frac);
            }
            i += 1 + n;
        } else if take("1") {
            out.push_str(&t.month().to_string());
            i += 1;
        } else if take("2") {
            out.push_str(&t.day().to_string());
            i += 1;
        } else if take("3") {
            out.push_str(&((t.hour() + 11) % 12 + 1).to_string());
            i += 1;
        } else if take("4") {
            out.push_str(&t.minute().to_string());
            i += 1;
        } else if take("5") {
            out.push_str(&t.second().to_string());
            i += 1;
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Go's `time.Duration.String`.
fn go_duration(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let neg = secs < 0;
    let mut n = secs.unsigned_abs();
    let mut out = String::new();
    let h = n / 3600;
    n %= 3600;
    let m = n / 60;
    let s = n % 60;
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{s}s"));
    if neg { format!("-{out}") } else { out }
}

/// A parsed version, as Sprig's `semver` returns it.
struct SemverObj(constraint::Version);

impl Object for SemverObj {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let v = &self.0;
        Some(match name {
            "Major" => Value::Int(v.major as i64),
            "Minor" => Value::Int(v.minor as i64),
            "Patch" => Value::Int(v.patch as i64),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.build),
            "Original" => Value::str(&v.original),
            "String" => Value::string(v.to_string()),
            _ => return None,
        })
    }
    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Major"
                | "Minor"
                | "Patch"
                | "Prerelease"
                | "Metadata"
                | "Original"
                | "String"
                | "Compare"
                | "LessThan"
                | "GreaterThan"
                | "Equal"
        )
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        let other = match args {
            [Value::Object(o)] => o.as_any().downcast_ref::<SemverObj>().map(|x| x.0.clone()),
            _ => None,
        };
        let cmp = other.map(|o| self.0.compare(&o));
        Some(match (name, cmp) {
            ("Compare", Some(c)) => Ok(Value::Int(c as i64)),
            ("LessThan", Some(c)) => Ok(Value::Bool(c.is_lt())),
            ("GreaterThan", Some(c)) => Ok(Value::Bool(c.is_gt())),
            ("Equal", Some(c)) => Ok(Value::Bool(c.is_eq())),
            (_, None) if args.is_empty() => return self.field(name).map(Ok),
            _ => Err(FuncError::failed(format!("bad argument to {name}"))),
        })
    }
    fn format(&self) -> String {
        self.0.to_string()
    }
    fn to_data(&self) -> Value {
        Value::string(self.0.to_string())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Go's RE2 syntax for the Rust regex engine. RE2's Perl classes and word
/// boundaries are ASCII (`\d` is `[0-9]`, `\w` is `[0-9A-Za-z_]`, `\s` is
/// `[\t\n\f\r ]`) where Rust's are Unicode, so they are written out as ASCII sets
/// (which also compile in a fraction of the time of Unicode's large classes); and
/// RE2 takes a `-` next to a class escape inside brackets (`[\w-\.]`) literally,
/// where Rust refuses it.
fn go_regex_syntax(p: &str) -> String {
    /// A Perl class: its ASCII set's contents, and whether it is negated.
    fn perl_class(c: char) -> Option<(&'static str, bool)> {
        Some(match c {
            'd' => ("0-9", false),
            'D' => ("0-9", true),
            's' => ("\\t\\n\\f\\r ", false),
            'S' => ("\\t\\n\\f\\r ", true),
            'w' => ("0-9A-Za-z_", false),
            'W' => ("0-9A-Za-z_", true),
            _ => return None,
        })
    }
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let next = chars[i + 1];
                match (perl_class(next), in_class) {
                    (Some((set, false)), true) => out.push_str(set),
                    (Some((set, negated)), _) => {
                        out.push_str(if negated { "[^" } else { "[" });
                        out.push_str(set);
                        out.push(']');
                    }
                    (None, false) if next == 'b' || next == 'B' => {
                        out.push_str("(?-u:\\");
                        out.push(next);
                        out.push(')');
                    }
                    (None, _) => {
                        out.push(c);
                        out.push(next);
                    }
                }
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` first (after an optional `^`) is a literal in both syntaxes.
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                continue;
            }
            // A POSIX class (`[[:alpha:]]`) is ASCII in both syntaxes.
            '[' if chars.get(i + 1) == Some(&':') => {
                let body: String = chars[i..].iter().collect();
                if let Some(end) = body.find(":]") {
                    out.push_str(&body[..end + 2]);
                    i += body[..end + 2].chars().count();
                    continue;
                }
            }
            ']' if in_class => in_class = false,
            '-' if in_class => {
                let prev_escape = i >= 2 && chars[i - 2] == '\\' && "wWdDsS".contains(chars[i - 1]);
                let next_escape =
                    i + 2 < chars.len() && chars[i + 1] == '\\' && "wWdDsS".contains(chars[i + 2]);
                if prev_escape || next_escape {
                    out.push_str("\\-");
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Compiles a Go pattern, through caches: charts call `regexMatch` and friends
/// with the same few patterns thousands of times, and building a Rust regex costs
/// far more than Go's (it prepares its automata up front). Each pattern is built
/// once per process and shared by every thread (a compiled `Regex` serves several
/// threads, each with its own search cache); each thread keeps its own map of the
/// patterns it has used, to avoid the shared map's lock. The error is Go's
/// `regexp.Compile` text.
fn regex(p: &str) -> Result<Arc<regex::Regex>, FuncError> {
    /// Patterns kept; past this a cache starts over.
    const KEEP: usize = 256;
    type Cache = HashMap<String, Arc<regex::Regex>>;
    thread_local! {
        static LOCAL: std::cell::RefCell<Cache> = std::cell::RefCell::new(HashMap::new());
    }
    static SHARED: std::sync::Mutex<Option<Cache>> = std::sync::Mutex::new(None);
    fn remember(cache: &mut Cache, p: &str, re: &Arc<regex::Regex>) {
        if cache.len() >= KEEP {
            cache.clear();
        }
        cache.insert(p.to_string(), Arc::clone(re));
    }
    if let Some(re) = LOCAL.with(|c| c.borrow().get(p).cloned()) {
        return Ok(re);
    }
    // Held while compiling, so two threads never build the same pattern.
    let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    let shared = shared.get_or_insert_with(HashMap::new);
    let re = match shared.get(p) {
        Some(re) => Arc::clone(re),
        None => {
            let re = Arc::new(
                regex::Regex::new(&go_regex_syntax(p))
                    .map_err(|_| FuncError::Failed(go_regex_error(p)))?,
            );
            remember(shared, p, &re);
            re
        }
    };
    LOCAL.with(|c| remember(&mut c.borrow_mut(), p, &re));
    Ok(re)
}

/// `regexp.MustCompile`'s panic text, which Sprig's non-`must` functions raise.
fn must_compile(p: &str) -> Result<Arc<regex::Regex>, FuncError> {
    regex(p).map_err(|e| {
        let quoted = if p
            .chars()
            .all(|c| c != '`' && (c == '\t' || !c.is_control()))
        {
            format!("`{p}`")
        } else {
            crate::gotmpl::go_quote(p)
        };
        FuncError::Failed(format!("regexp: Compile({quoted}): {e}"))
    })
}

/// Go's `syntax.Error` text (`error parsing regexp: CODE: `EXPR``) for the
/// common mistakes, found by parsing with regex-syntax.
fn go_regex_error(p: &str) -> String {
    use regex_syntax::ast::ErrorKind as K;
    let ast_err = regex_syntax::ast::parse::Parser::new()
        .parse(&go_regex_syntax(p))
        .err();
    let (code, arg) = match &ast_err {
        Some(e) => {
            let span = e.span();
            let piece = p.get(span.start.offset..span.end.offset).unwrap_or(p);
            match e.kind() {
                K::GroupUnclosed => ("missing closing )", p.to_string()),
                K::GroupUnopened => ("unexpected )", p.to_string()),
                K::ClassUnclosed => (
                    "missing closing ]",
                    p.get(span.start.offset..).unwrap_or(p).to_string(),
                ),
                K::RepetitionMissing => {
                    ("missing argument to repetition operator", piece.to_string())
                }
                K::RepetitionCountInvalid => ("invalid repeat count", piece.to_string()),
                K::EscapeUnrecognized | K::EscapeUnexpectedEof => {
                    ("invalid escape sequence", piece.to_string())
                }
                K::ClassRangeInvalid => ("invalid character class range", piece.to_string()),
                K::GroupNameInvalid | K::GroupNameEmpty | K::GroupNameUnexpectedEof => {
                    ("invalid named capture", piece.to_string())
                }
                K::GroupNameDuplicate { .. } => ("duplicate capture group name", piece.to_string()),
                K::RepetitionCountUnclosed => ("missing closing }", piece.to_string()),
                _ => ("invalid or unsupported Perl syntax", piece.to_string()),
            }
        }
        None => ("invalid or unsupported Perl syntax", p.to_string()),
    };
    format!("error parsing regexp: {code}: `{arg}`")
}

/// Go's `Regexp.Split`.
fn go_regex_split(re: &regex::Regex, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.as_str().is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (i, m) in re.find_iter(s).enumerate() {
        if n > 0 && (i as i64) >= n {
            break;
        }
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(s[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != s.len() {
        out.push(s[beg..].to_string());
    }
    out
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Go's `path.Clean`.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

pub fn register(r: &mut Reg) {
    r.f("add", |a| {
        Ok(Value::Int(
            a.iter().map(to_i64).fold(0i64, i64::wrapping_add),
        ))
    });
    r.f("add1", |a| {
        arity(a, 1)?;
        Ok(Value::Int(to_i64(&a[0]).wrapping_add(1)))
    });
    r.f("sub", |a| {
        arity(a, 2)?;
        Ok(Value::Int(to_i64(&a[0]).wrapping_sub(to_i64(&a[1]))))
    });
    r.f("mul", |a| {
        at_least(a, 1)?;
        Ok(Value::Int(
            a.iter().map(to_i64).fold(1i64, i64::wrapping_mul),
        ))
    });
    r.f("div", |a| {
        arity(a, 2)?;
        let d = to_i64(&a[1]);
        if d == 0 {
            return Err(FuncError::failed("runtime error: integer divide by zero"));
        }
        Ok(Value::Int(to_i64(&a[0]).wrapping_div(d)))
    });
    r.f("mod", |a| {
        arity(a, 2)?;
        let d = to_i64(&a[1]);
        if d == 0 {
            return Err(FuncError::failed("runtime error: integer divide by zero"));
        }
        Ok(Value::Int(to_i64(&a[0]).wrapping_rem(d)))
    });
    for name in ["max", "biggest"] {
        r.f(name, |a| {
            at_least(a, 1)?;
            Ok(Value::Int(a.iter().map(to_i64).max().unwrap_or(0)))
        });
    }
    r.f("min", |a| {
        at_least(a, 1)?;
        Ok(Value::Int(a.iter().map(to_i64).min().unwrap_or(0)))
    });
    r.f("addf", |a| decimal_op(&Value::Float(0.0), a, Op::Add));
    r.f("add1f", |a| {
        arity(a, 1)?;
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    });
    r.f("subf", |a| {
        at_least(a, 1)?;
        decimal_op(&a[0], &a[1..], Op::Sub)
    });
    r.f("mulf", |a| {
        at_least(a, 1)?;
        decimal_op(&a[0], &a[1..], Op::Mul)
    });
    r.f("divf", |a| {
        at_least(a, 1)?;
        decimal_op(&a[0], &a[1..], Op::Div)
    });
    r.f("maxf", |a| {
        at_least(a, 1)?;
        Ok(f(a.iter().map(to_f64).fold(f64::MIN, f64::max)))
    });
    r.f("minf", |a| {
        at_least(a, 1)?;
        Ok(f(a.iter().map(to_f64).fold(f64::MAX, f64::min)))
    });
    r.f("ceil", |a| {
        arity(a, 1)?;
        Ok(f(to_f64(&a[0]).ceil()))
    });
    r.f("floor", |a| {
        arity(a, 1)?;
        Ok(f(to_f64(&a[0]).floor()))
    });
    r.f("round", |a| {
        at_least(a, 2)?;
        let on = a.get(2).map(to_f64).unwrap_or(0.5);
        Ok(f(round(to_f64(&a[0]), int(&a[1])? as f64, on)))
    });
    r.f("randInt", |a| {
        arity(a, 2)?;
        use rand::Rng;
        let (lo, hi) = (int(&a[0])?, int(&a[1])?);
        if hi <= lo {
            return Err(FuncError::failed("invalid argument to Intn"));
        }
        Ok(Value::Int(rand::thread_rng().gen_range(lo..hi)))
    });
    r.f("until", |a| {
        arity(a, 1)?;
        let n = int(&a[0])?.clamp(-(1 << 20), 1 << 20);
        let v: Vec<Value> = if n >= 0 {
            (0..n).map(Value::Int).collect()
        } else {
            (n + 1..=0).rev().map(Value::Int).collect()
        };
        Ok(Value::list(v))
    });
    r.f("untilStep", |a| {
        arity(a, 3)?;
        let (start, stop, step) = (int(&a[0])?, int(&a[1])?, int(&a[2])?);
        let mut v = Vec::new();
        if step > 0 {
            let mut i = start;
            while i < stop && v.len() < 1 << 20 {
                v.push(Value::Int(i));
                i += step;
            }
        } else if step < 0 {
            let mut i = start;
            while i > stop && v.len() < 1 << 20 {
                v.push(Value::Int(i));
                i += step;
            }
        }
        Ok(Value::list(v))
    });
    r.f("seq", |a| {
        let p: Vec<i64> = a.iter().map(int).collect::<Result<_, _>>()?;
        let (start, step, end) = match p.as_slice() {
            [] => return Ok(Value::str("")),
            [e] => (1, if *e >= 1 { 1 } else { -1 }, *e),
            [s0, e] => (*s0, if e >= s0 { 1 } else { -1 }, *e),
            [s0, st, e] => (*s0, *st, *e),
            _ => return Ok(Value::str("")),
        };
        if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) {
            return Ok(Value::str(""));
        }
        let mut out = Vec::new();
        let mut i = start;
        while (step > 0 && i <= end || step < 0 && i >= end) && out.len() < 1 << 20 {
            out.push(i.to_string());
            i += step;
        }
        Ok(Value::string(out.join(" ")))
    });
    r.f("atoi", |a| {
        arity(a, 1)?;
        let v = s(&a[0])?;
        let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Value::Int(0));
        }
        Ok(Value::Int(v.parse().unwrap_or(0)))
    });
    r.f("int", |a| {
        arity(a, 1)?;
        Ok(Value::Int(to_i64(&a[0])))
    });
    r.f("int64", |a| {
        arity(a, 1)?;
        Ok(Value::Int(to_i64(&a[0])))
    });
    r.f("float64", |a| {
        arity(a, 1)?;
        Ok(f(to_f64(&a[0])))
    });
    r.f("toDecimal", |a| {
        arity(a, 1)?;
        Ok(Value::Int(
            i64::from_str_radix(&a[0].to_string(), 8).unwrap_or(0),
        ))
    });
    // Defaults.
    r.f("default", |a| {
        at_least(a, 1)?;
        match a.get(1) {
            Some(g) if !empty(g) => Ok(g.clone()),
            _ => Ok(a[0].clone()),
        }
    });
    r.f("empty", |a| {
        arity(a, 1)?;
        Ok(Value::Bool(empty(&a[0])))
    });
    r.f("coalesce", |a| {
        Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil))
    });
    r.f("all", |a| Ok(Value::Bool(a.iter().all(|v| !empty(v)))));
    r.f("any", |a| Ok(Value::Bool(a.iter().any(|v| !empty(v)))));
    r.f("ternary", |a| {
        arity(a, 3)?;
        match &a[2] {
            Value::Bool(b) => Ok(if *b { a[0].clone() } else { a[1].clone() }),
            other => Err(FuncError::WrongType {
                expected: "bool".into(),
                got: go_type(other),
            }),
        }
    });
    // Reflection.
    r.f("typeOf", |a| {
        arity(a, 1)?;
        Ok(Value::str(a[0].type_name()))
    });
    r.f("typeIs", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(s(&a[0])? == a[1].type_name()))
    });
    r.f("typeIsLike", |a| {
        arity(a, 2)?;
        let t = s(&a[0])?;
        let n = a[1].type_name();
        Ok(Value::Bool(t == n || format!("*{t}") == n))
    });
    r.f("kindOf", |a| {
        arity(a, 1)?;
        Ok(Value::str(a[0].kind()))
    });
    r.f("kindIs", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(s(&a[0])? == a[1].kind()))
    });
    r.f("deepEqual", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
    // Semver.
    r.f("semver", |a| {
        arity(a, 1)?;
        constraint::parse_version(s(&a[0])?)
            .map(|v| Value::object(SemverObj(v)))
            .map_err(FuncError::failed)
    });
    r.f("semverCompare", |a| {
        arity(a, 2)?;
        constraint::matches(s(&a[0])?, s(&a[1])?)
            .map(Value::Bool)
            .map_err(FuncError::failed)
    });
    // Regular expressions.
    for (name, must) in [("regexMatch", false), ("mustRegexMatch", true)] {
        r.f(name, move |a| {
            arity(a, 2)?;
            match regex(s(&a[0])?) {
                Ok(re) => Ok(Value::Bool(re.is_match(s(&a[1])?))),
                Err(e) if must => Err(e),
                Err(_) => Ok(Value::Bool(false)),
            }
        });
    }
    for (name, must) in [("regexFind", false), ("mustRegexFind", true)] {
        r.f(name, move |a| {
            arity(a, 2)?;
            match if must {
                regex(s(&a[0])?)
            } else {
                must_compile(s(&a[0])?)
            } {
                Ok(re) => Ok(Value::str(
                    re.find(s(&a[1])?).map(|m| m.as_str()).unwrap_or(""),
                )),
                Err(e) => Err(e),
            }
        });
    }
    for (name, must) in [("regexFindAll", false), ("mustRegexFindAll", true)] {
        r.f(name, move |a| {
            arity(a, 3)?;
            let n = int(&a[2])?;
            match if must {
                regex(s(&a[0])?)
            } else {
                must_compile(s(&a[0])?)
            } {
                Ok(re) => {
                    let it = re.find_iter(s(&a[1])?).map(|m| Value::str(m.as_str()));
                    let v: Vec<Value> = if n < 0 {
                        it.collect()
                    } else {
                        it.take(n as usize).collect()
                    };
                    Ok(Value::list(v))
                }
                Err(e) => Err(e),
            }
        });
    }
    for (name, must, literal) in [
        ("regexReplaceAll", false, false),
        ("mustRegexReplaceAll", true, false),
        ("regexReplaceAllLiteral", false, true),
        ("mustRegexReplaceAllLiteral", true, true),
    ] {
        r.f(name, move |a| {
            arity(a, 3)?;
            let (src, repl) = (s(&a[1])?, s(&a[2])?);
            match if must {
                regex(s(&a[0])?)
            } else {
                must_compile(s(&a[0])?)
            } {
                Ok(re) if literal => Ok(Value::string(
                    re.replace_all(src, regex::NoExpand(repl)).into_owned(),
                )),
                Ok(re) => Ok(Value::string(re.replace_all(src, repl).into_owned())),
                Err(e) => Err(e),
            }
        });
    }
    for (name, must) in [("regexSplit", false), ("mustRegexSplit", true)] {
        r.f(name, move |a| {
            arity(a, 3)?;
            let n = int(&a[2])?;
            match if must {
                regex(s(&a[0])?)
            } else {
                must_compile(s(&a[0])?)
            } {
                Ok(re) => Ok(Value::list(
                    go_regex_split(&re, s(&a[1])?, n)
                        .into_iter()
                        .map(Value::string)
                        .collect(),
                )),
                Err(e) => Err(e),
            }
        });
    }
    r.f("regexQuoteMeta", |a| {
        arity(a, 1)?;
        Ok(Value::string(quote_meta(s(&a[0])?)))
    });
    // Paths (path and filepath behave alike on Linux).
    for (name, kind) in [
        ("base", 0),
        ("osBase", 0),
        ("dir", 1),
        ("osDir", 1),
        ("clean", 2),
        ("osClean", 2),
        ("ext", 3),
        ("osExt", 3),
    ] {
        r.f(name, move |a| {
            arity(a, 1)?;
            let p = s(&a[0])?;
            Ok(Value::string(match kind {
                0 => {
                    let t = p.trim_end_matches('/');
                    if p.is_empty() {
                        ".".into()
                    } else if t.is_empty() {
                        "/".into()
                    } else {
                        t.rsplit('/').next().unwrap_or(t).to_string()
                    }
                }
                1 => {
                    let d = match p.rfind('/') {
                        Some(i) => &p[..i + 1],
                        None => "",
                    };
                    clean_path(d)
                }
                2 => clean_path(p),
                _ => {
                    let base = p.rsplit('/').next().unwrap_or(p);
                    match base.rfind('.') {
                        Some(i) => base[i..].to_string(),
                        None => String::new(),
                    }
                }
            }))
        });
    }
    for name in ["isAbs", "osIsAbs"] {
        r.f(name, |a| {
            arity(a, 1)?;
            Ok(Value::Bool(s(&a[0])?.starts_with('/')))
        });
    }
    // URLs.
    // Dates.
    r.f("now", |a| {
        arity(a, 0)?;
        Ok(Value::object(Time(local_now())))
    });
    r.f("date", |a| {
        arity(a, 2)?;
        Ok(Value::string(go_format(
            &in_zone(to_time(&a[1]), "Local"),
            s(&a[0])?,
        )))
    });
    for name in ["dateInZone", "date_in_zone"] {
        r.f(name, |a| {
            arity(a, 3)?;
            let (t, zone) = (to_time(&a[1]), s(&a[2])?);
            Ok(Value::string(go_format_zone(
                &in_zone(t, zone),
                s(&a[0])?,
                zone_abbreviation(t, zone).as_deref(),
            )))
        });
    }
    r.f("htmlDate", |a| {
        arity(a, 1)?;
        Ok(Value::string(go_format(
            &in_zone(to_time(&a[0]), "Local"),
            "2006-01-02",
        )))
    });
    r.f("htmlDateInZone", |a| {
        arity(a, 2)?;
        Ok(Value::string(go_format(
            &in_zone(to_time(&a[0]), s(&a[1])?),
            "2006-01-02",
        )))
    });
    r.f("unixEpoch", |a| {
        arity(a, 1)?;
        Ok(Value::string(to_time(&a[0]).timestamp().to_string()))
    });
    r.f("duration", |a| {
        arity(a, 1)?;
        // Sprig's type switch takes a string or an int64 only; a template's
        // integer constant (Go `int`) counts as 0.
        let secs = match &a[0] {
            Value::String(v) => v.parse().unwrap_or(0),
            _ => 0,
        };
        Ok(Value::string(go_duration(secs)))
    });
    r.f("ago", |a| {
        arity(a, 1)?;
        let secs = (local_now() - to_time(&a[0])).num_seconds();
        Ok(Value::string(go_duration(secs)))
    });
    for name in ["toDate", "mustToDate"] {
        r.f(name, move |a| {
            arity(a, 2)?;
            let (layout, text) = (s(&a[0])?, s(&a[1])?);
            let fmt = layout
                .replace("2006", "%Y")
                .replace("01", "%m")
                .replace("02", "%d")
                .replace("15", "%H")
                .replace("04", "%M")
                .replace("05", "%S");
            let parsed = chrono::NaiveDateTime::parse_from_str(text, &fmt).or_else(|_| {
                chrono::NaiveDate::parse_from_str(text, &fmt)
                    .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
            });
            match parsed {
                Ok(n) => Ok(Value::object(Time(
                    Local
                        .from_local_datetime(&n)
                        .single()
                        .map(|t| t.fixed_offset())
                        .unwrap_or_else(local_now),
                ))),
                Err(e) if name == "mustToDate" => Err(FuncError::failed(format!(
                    "parsing time {text:?} as {layout:?}: {e}"
                ))),
                Err(_) => Ok(Value::object(Time(
                    DateTime::from_timestamp(-62135596800, 0)
                        .unwrap_or_default()
                        .fixed_offset(),
                ))),
            }
        });
    }
    let _ = (Arc::<()>::new(()), list_of_strings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts() {
        let t = DateTime::parse_from_rfc3339("2024-03-05T07:08:09Z").unwrap();
        assert_eq!(
            go_format(&t, "2006-01-02T15:04:05Z07:00"),
            "2024-03-05T07:08:09Z"
        );
        assert_eq!(
            go_format(&t, "Jan 2, 2006 at 3:04pm (MST)"),
            "Mar 5, 2024 at 7:08am (UTC)"
        );
        assert_eq!(go_duration(90), "1m30s");
        assert_eq!(clean_path("a/../b/./c/"), "b/c");
        assert_eq!(round(1.23456, 2.0, 0.5), 1.23);
        assert!(regex(r"^[\w-\.]+$").unwrap().is_match("my-master.1"));
    }

    /// RE2's Perl classes and word boundaries are ASCII, inside brackets too.
    #[test]
    fn perl_classes_match_as_in_go() {
        let m = |p: &str, t: &str| regex(p).unwrap().is_match(t);
        assert!(m(r"^\d+$", "123") && !m(r"^\d+$", "\u{663}"));
        assert!(m(r"^\D$", "\u{663}") && !m(r"^\D$", "7"));
        assert!(m(r"^\w+$", "a_Z9") && !m(r"^\w+$", "\u{e9}"));
        assert!(m(r"^\W$", "\u{e9}") && !m(r"^\W$", "_"));
        assert!(m(r"^\s$", "\u{c}") && !m(r"^\s$", "\u{b}") && !m(r"^\s$", "\u{a0}"));
        assert!(m(r"^\S$", "\u{a0}"));
        assert!(m(r"^[\d.]+$", "1.2") && !m(r"^[\d.]+$", "\u{663}"));
        assert!(m(r"^[^\W]+$", "ab") && !m(r"^[^\W]+$", "a-b"));
        assert!(m(r"^[\W\d]+$", "-1\u{e9}") && !m(r"^[\W\d]+$", "a"));
        assert!(m(r"^[]a]+$", "]a") && m(r"^[^]a]+$", "b"));
        assert!(m(r"^[[:alpha:]\d]+$", "a1") && !m(r"^[[:alpha:]\d]+$", "\u{e9}"));
        assert!(m(r"\bx\b", "\u{e9}x") && !m(r"\bx\b", "yx"));
        assert!(m(r"\Bx", "yx") && !m(r"\Bx", "\u{e9}x"));
        assert_eq!(
            regex(r"[^A-Za-z0-9]+$")
                .unwrap()
                .replace_all("ab--", "")
                .as_ref(),
            "ab"
        );
        // The same compiled pattern is shared by every thread.
        let here = regex(r"-r\d+$").unwrap();
        let there = std::thread::spawn(|| regex(r"-r\d+$").unwrap())
            .join()
            .unwrap();
        assert!(Arc::ptr_eq(&here, &there));
    }
}
