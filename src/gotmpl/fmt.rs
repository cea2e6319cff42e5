//! Go's `fmt` for template values: `Sprint`, `Sprintln`, `Sprintf` with Go's verbs,
//! flags, width and precision, and Go's wording for bad verbs and missing or extra
//! arguments (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA int=1)`), plus
//! `strconv.Quote`. Chart output depends on these byte for byte.

use super::value::{Value, format_float, push_fixed};

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    quote_body(s, '"', &mut out);
    out.push('"');
    out
}

fn quote_body(s: &str, q: char, out: &mut String) {
    for c in s.chars() {
        match c {
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
}

/// An approximation of Go's `strconv.IsPrint` for non-ASCII characters.
fn is_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !(c.is_control()
        || matches!(c as u32, 0x00ad | 0x2028 | 0x2029 | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff)
        || (c.is_whitespace()
            && c != '\u{3000}'
            && c as u32 != 0x00a0
            && !(0x2000..=0x200a).contains(&(c as u32))
            && c as u32 != 0x1680
            && c as u32 != 0x202f
            && c as u32 != 0x205f))
        && !matches!(
            c as u32,
            0x00a0 | 0x1680 | 0x2000..=0x200a | 0x202f | 0x205f | 0x3000
        )
}

/// Go's `%q` of a rune.
fn quote_rune(c: char) -> String {
    let mut out = String::from("'");
    quote_body(&c.to_string(), '\'', &mut out);
    out.push('\'');
    out
}

/// Go's `fmt.Sprint`: operands formatted with `%v`, a space between two operands
/// when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::String(_)) && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        out.push_str(&a.to_string());
    }
    out
}

/// Go's `fmt.Sprintln`: operands separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut s = args
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(" ");
    s.push('\n');
    s
}

#[derive(Default, Clone, Copy)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::with_capacity(format.len() + 16);
    let mut argi = 0;
    let mut chars = format.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        // Flags.
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '#' => spec.sharp = true,
                ' ' => spec.space = true,
                '0' => spec.zero = !spec.minus,
                _ => break,
            }
            chars.next();
        }
        // Width.
        if let Some(&(_, '*')) = chars.peek() {
            chars.next();
            match args.get(argi) {
                Some(Value::Int(n)) => {
                    if *n < 0 {
                        spec.minus = true;
                    }
                    spec.width = Some(n.unsigned_abs() as usize);
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            argi += 1;
        } else {
            spec.width = read_num(&mut chars);
        }
        // Precision.
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            if let Some(&(_, '*')) = chars.peek() {
                chars.next();
                match args.get(argi) {
                    Some(Value::Int(n)) if *n >= 0 => spec.prec = Some(*n as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                argi += 1;
            } else {
                spec.prec = Some(read_num(&mut chars).unwrap_or(0));
            }
        }
        let Some((_, verb)) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(argi) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argi += 1;
        format_arg(&mut out, verb, arg, spec);
    }
    if argi < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|a| match a {
                Value::Nil => "<nil>".to_string(),
                other => format!("{}={}", other.type_name(), other),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

fn read_num(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(&(_, d)) = chars.peek() {
        let Some(v) = d.to_digit(10) else { break };
        n = Some(
            n.unwrap_or(0)
                .saturating_mul(10)
                .saturating_add(v as usize)
                .min(1_000_000),
        );
        chars.next();
    }
    n
}

fn bad_verb(verb: char, arg: &Value) -> String {
    match arg {
        Value::Nil => format!("%!{verb}(<nil>)"),
        other => format!("%!{verb}({}={})", other.type_name(), other),
    }
}

/// Pads `s` to the width, as Go does (zero padding goes after the sign).
fn pad(out: &mut String, s: &str, spec: Spec, numeric: bool) {
    let len = s.chars().count();
    let width = spec.width.unwrap_or(0);
    if len >= width {
        out.push_str(s);
        return;
    }
    let fill = width - len;
    if spec.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if spec.zero && numeric {
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('-' | '+' | ' ')) => (Some(c), &s[1..]),
            _ => (None, s),
        };
        if let Some(c) = sign {
            out.push(c);
        }
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

fn format_arg(out: &mut String, verb: char, arg: &Value, spec: Spec) {
    // Containers apply the verb to each element.
    match arg {
        Value::List(l) if verb != 'T' && !(verb == 'v' && spec.sharp) => {
            let mut s = String::from("[");
            for (i, v) in l.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                format_arg(
                    &mut s,
                    verb,
                    v,
                    Spec {
                        width: None,
                        ..spec
                    },
                );
            }
            s.push(']');
            pad(out, &s, spec, false);
            return;
        }
        Value::Map(m) if verb != 'T' && !(verb == 'v' && spec.sharp) => {
            let mut s = String::from("map[");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                format_arg(
                    &mut s,
                    verb,
                    &Value::str(k),
                    Spec {
                        width: None,
                        ..spec
                    },
                );
                s.push(':');
                format_arg(
                    &mut s,
                    verb,
                    v,
                    Spec {
                        width: None,
                        ..spec
                    },
                );
            }
            s.push(']');
            pad(out, &s, spec, false);
            return;
        }
        _ => {}
    }
    match verb {
        'T' => pad(out, arg.type_name(), spec, false),
        'v' => match arg {
            Value::Float(f) => format_float_verb(out, *f, 'g', spec),
            Value::Int(i) => format_int(out, *i, 10, false, spec),
            Value::String(s) if spec.sharp => pad(out, &go_quote(s), spec, false),
            Value::Nil => pad(out, "<nil>", spec, false),
            other => {
                let s = other.to_string();
                pad(out, &s, spec, false)
            }
        },
        's' => match arg {
            Value::String(s) => pad(out, &truncate(s, spec.prec), spec, false),
            Value::Bytes(b) => pad(
                out,
                &truncate(&String::from_utf8_lossy(b), spec.prec),
                spec,
                false,
            ),
            Value::Object(o) => pad(out, &o.format(), spec, false),
            other => out.push_str(&bad_verb('s', other)),
        },
        'q' => match arg {
            Value::String(s) => {
                let q = if spec.sharp && !s.contains('`') {
                    format!("`{s}`")
                } else {
                    go_quote(s)
                };
                pad(out, &q, spec, false)
            }
            Value::Bytes(b) => pad(out, &go_quote(&String::from_utf8_lossy(b)), spec, false),
            Value::Int(i) => match u32::try_from(*i).ok().and_then(char::from_u32) {
                Some(c) => pad(out, &quote_rune(c), spec, false),
                None => pad(out, "'\u{fffd}'", spec, false),
            },
            other => out.push_str(&bad_verb('q', other)),
        },
        'd' => match arg {
            Value::Int(i) => format_int(out, *i, 10, false, spec),
            other => out.push_str(&bad_verb('d', other)),
        },
        'b' | 'o' | 'O' | 'x' | 'X' => match arg {
            Value::Int(i) => {
                let (base, upper) = match verb {
                    'b' => (2, false),
                    'o' | 'O' => (8, false),
                    'x' => (16, false),
                    _ => (16, true),
                };
                format_int(
                    out,
                    *i,
                    base,
                    upper,
                    Spec {
                        sharp: spec.sharp || verb == 'O',
                        ..spec
                    },
                )
            }
            Value::String(s) if matches!(verb, 'x' | 'X') => pad(
                out,
                &hex_bytes(s.as_bytes(), verb == 'X', spec),
                spec,
                false,
            ),
            Value::Bytes(b) if matches!(verb, 'x' | 'X') => {
                pad(out, &hex_bytes(b, verb == 'X', spec), spec, false)
            }
            other => out.push_str(&bad_verb(verb, other)),
        },
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => match arg {
            Value::Float(f) => format_float_verb(out, *f, verb, spec),
            other => out.push_str(&bad_verb(verb, other)),
        },
        't' => match arg {
            Value::Bool(b) => pad(out, &b.to_string(), spec, false),
            other => out.push_str(&bad_verb('t', other)),
        },
        'c' => match arg {
            Value::Int(i) => {
                let c = u32::try_from(*i)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{fffd}');
                pad(out, &c.to_string(), spec, false)
            }
            other => out.push_str(&bad_verb('c', other)),
        },
        'U' => match arg {
            Value::Int(i) => {
                let mut s = format!("U+{:04X}", i);
                if spec.sharp
                    && let Some(c) = u32::try_from(*i).ok().and_then(char::from_u32)
                {
                    s.push_str(&format!(" '{c}'"));
                }
                pad(out, &s, spec, false)
            }
            other => out.push_str(&bad_verb('U', other)),
        },
        _ => out.push_str(&bad_verb(verb, arg)),
    }
}

fn truncate(s: &str, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

fn hex_bytes(b: &[u8], upper: bool, spec: Spec) -> String {
    let mut s = String::new();
    let bytes = match spec.prec {
        Some(p) => &b[..p.min(b.len())],
        None => b,
    };
    for (i, byte) in bytes.iter().enumerate() {
        if spec.space && i > 0 {
            s.push(' ');
        }
        if spec.sharp && (spec.space || i == 0) {
            s.push_str(if upper { "0X" } else { "0x" });
        }
        if upper {
            s.push_str(&format!("{byte:02X}"));
        } else {
            s.push_str(&format!("{byte:02x}"));
        }
    }
    s
}

fn format_int(out: &mut String, i: i64, base: u32, upper: bool, spec: Spec) {
    let neg = i < 0;
    let mag = i.unsigned_abs();
    let mut digits = match base {
        2 => format!("{mag:b}"),
        8 => format!("{mag:o}"),
        16 if upper => format!("{mag:X}"),
        16 => format!("{mag:x}"),
        _ => mag.to_string(),
    };
    if let Some(p) = spec.prec {
        if p == 0 && mag == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    if spec.sharp {
        match base {
            2 => digits.insert_str(0, "0b"),
            8 if !digits.starts_with('0') => digits.insert(0, '0'),
            16 => digits.insert_str(0, if upper { "0X" } else { "0x" }),
            _ => {}
        }
    }
    let sign = if neg {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let s = format!("{sign}{digits}");
    pad(
        out,
        &s,
        Spec {
            zero: spec.zero && spec.prec.is_none(),
            ..spec
        },
        true,
    );
}

fn format_float_verb(out: &mut String, f: f64, verb: char, spec: Spec) {
    let mut s = if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 {
            "+Inf".to_string()
        } else {
            "-Inf".to_string()
        }
    } else {
        match verb {
            'e' | 'E' => {
                let s = exp_form(f, spec.prec.unwrap_or(6));
                if verb == 'E' { s.to_uppercase() } else { s }
            }
            'f' | 'F' => format!("{:.*}", spec.prec.unwrap_or(6), f),
            _ => {
                let s = match spec.prec {
                    None => format_float(f),
                    Some(p) => g_form(f, p.max(1)),
                };
                if verb == 'G' { s.to_uppercase() } else { s }
            }
        }
    };
    if (spec.plus || spec.space) && !s.starts_with('-') && !s.starts_with('+') {
        s.insert(0, if spec.plus { '+' } else { ' ' });
    } else if !spec.plus && s == "+Inf" {
        s = "+Inf".to_string();
    }
    let numeric = f.is_finite();
    pad(out, &s, spec, numeric);
}

/// `%.Ne`: one digit, a point, `prec` digits, and a two-digit exponent.
fn exp_form(f: f64, prec: usize) -> String {
    let s = format!("{:.*e}", prec, f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    let sign = if e < 0 { '-' } else { '+' };
    format!("{mant}e{sign}{:02}", e.unsigned_abs())
}

/// `%.Ng`: `prec` significant digits, exponent form outside [-4, prec),
/// trailing zeros dropped.
fn g_form(f: f64, prec: usize) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let s = format!("{:.*e}", prec - 1, f);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let e: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if e < -4 || e >= prec as i32 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if e < 0 { '-' } else { '+' },
            e.unsigned_abs()
        ));
    } else {
        push_fixed(&mut out, digits, e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, args: &[Value]) -> String {
        sprintf(fmt, args)
    }

    #[test]
    fn verbs_match_go() {
        assert_eq!(f("%s-%d", &[Value::str("a"), Value::Int(5)]), "a-5");
        assert_eq!(f("%d", &[Value::Float(8080.0)]), "%!d(float64=8080)");
        assert_eq!(f("%s", &[Value::Int(1)]), "%!s(int=1)");
        assert_eq!(f("%v", &[Value::Float(1e6)]), "1e+06");
        assert_eq!(f("%05.2f", &[Value::Float(1.23456)]), "01.23");
        assert_eq!(f("%q", &[Value::str("a\"b")]), "\"a\\\"b\"");
        assert_eq!(f("%x", &[Value::str("hi")]), "6869");
        assert_eq!(f("%t", &[Value::Bool(true)]), "true");
        assert_eq!(f("%T", &[Value::Float(1.0)]), "float64");
        assert_eq!(f("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            f("%d", &[Value::Int(1), Value::str("x")]),
            "1%!(EXTRA string=x)"
        );
        assert_eq!(f("%-5s|", &[Value::str("ab")]), "ab   |");
        assert_eq!(f("%5d", &[Value::Int(-42)]), "  -42");
        assert_eq!(f("%05d", &[Value::Int(-42)]), "-0042");
        assert_eq!(f("%s", &[Value::Nil]), "%!s(<nil>)");
        assert_eq!(f("%v", &[Value::Nil]), "<nil>");
        assert_eq!(f("%.3g", &[Value::Float(1234.5678)]), "1.23e+03");
        assert_eq!(f("%e", &[Value::Float(1234.5678)]), "1.234568e+03");
        assert_eq!(f("100%%", &[]), "100%");
    }

    #[test]
    fn sprint_spacing() {
        assert_eq!(sprint(&[Value::Int(1), Value::Int(2)]), "1 2");
        assert_eq!(
            sprint(&[Value::str("a"), Value::Int(2), Value::str("b")]),
            "a2b"
        );
        assert_eq!(sprintln(&[Value::str("a"), Value::Int(2)]), "a 2\n");
    }

    #[test]
    fn quote() {
        assert_eq!(go_quote("a\nb\t\"c\"\\"), "\"a\\nb\\t\\\"c\\\"\\\\\"");
        assert_eq!(go_quote("é"), "\"é\"");
        assert_eq!(go_quote("\u{1}"), "\"\\x01\"");
    }
}
