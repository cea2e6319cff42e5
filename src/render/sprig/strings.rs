//! Sprig's string functions, with Go's byte-oriented slicing (`trunc`, `substr`)
//! and Sprig's nil handling (`quote` skips nil arguments).

use rand::Rng;

use super::args::{arity, at_least, int, s, strval};
use super::{Reg, list_of_strings};
use crate::gotmpl::{FuncError, Map, Value, go_quote};

/// Slices a string by bytes as Go does, without splitting a character.
fn byte_slice(s: &str, start: usize, end: usize) -> String {
    let b = s.as_bytes();
    let (start, end) = (start.min(b.len()), end.min(b.len()));
    if start >= end {
        return String::new();
    }
    String::from_utf8_lossy(&b[start..end]).into_owned()
}

fn go_title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.push(title1(c));
        } else {
            out.push(c);
        }
        prev_sep = if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            !(c.is_alphanumeric()) && c.is_whitespace()
        };
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alpha,
    Connector,
    Punct,
    Other,
}

fn is_alpha(c: char) -> bool {
    c.is_ascii_alphabetic()
}

/// Go's `unicode.IsPunct` (general category P), approximated by Rust's ASCII
/// punctuation minus the symbols, plus non-ASCII punctuation.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        matches!(
            c,
            '!' | '"'
                | '#'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '_'
                | '{'
                | '}'
        )
    } else {
        matches!(c, '¡' | '§' | '«' | '¶' | '·' | '»' | '¿' | '‐'..='‧' | '‰'..='⁞' | '、'..='〃' | '〈'..='】')
    }
}

/// xstrings' `nextWord`: the next run of one word class.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    let take_while = |start: usize, f: &dyn Fn(char) -> bool| -> usize {
        s[start..]
            .char_indices()
            .find(|(_, c)| !f(*c))
            .map_or(s.len(), |(i, _)| start + i)
    };
    let first = r.len_utf8();
    let (wt, end) = if connector(r) {
        (Word::Connector, take_while(first, &connector))
    } else if is_punct(r) {
        (Word::Punct, take_while(first, &is_punct))
    } else if r.is_uppercase() {
        match s[first..].chars().next() {
            None => (Word::Upper, first),
            Some(n) if n.is_uppercase() => {
                let end = take_while(first, &|c: char| c.is_uppercase());
                // "HTTPStatus": the last capital starts the next word.
                match s[end..].chars().next() {
                    Some(after) if is_alpha(after) => {
                        let last = s[..end].chars().next_back().map_or(0, char::len_utf8);
                        (Word::Upper, end - last)
                    }
                    _ => (Word::Upper, end),
                }
            }
            Some(n) if is_alpha(n) => (
                Word::Upper,
                take_while(first, &|c: char| is_alpha(c) && !c.is_uppercase()),
            ),
            Some(_) => (Word::Upper, first),
        }
    } else if is_alpha(r) {
        (
            Word::Alpha,
            take_while(first, &|c: char| is_alpha(c) && !c.is_uppercase()),
        )
    } else if r.is_numeric() {
        (Word::Number, take_while(first, &|c: char| c.is_numeric()))
    } else {
        (
            Word::Other,
            take_while(first, &|c: char| {
                !(connector(c) || is_alpha(c) || c.is_numeric() || is_punct(c))
            }),
        )
    };
    (wt, &s[..end], &s[end..])
}

fn word_lower(out: &mut String, wt: Word, w: &str, sep: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(w);
        return;
    }
    for c in w.chars() {
        if connector(c) {
            out.push(sep);
        } else if c.is_uppercase() {
            out.push(lower1(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase` (`snakecase` with `_`, `kebabcase` with `-`).
fn to_lower_case(s: &str, sep: char) -> String {
    let mut out = String::new();
    if s.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if wt != Word::Connector {
            word_lower(&mut out, wt, word, sep);
        }
        let prev = wt;
        let last = word;
        (wt, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while wt == Word::Alpha || wt == Word::Number {
                    word_lower(&mut out, wt, word, sep);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(sep);
                }
            }
            Word::Connector => word_lower(&mut out, prev, last, sep),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(sep);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let num = word;
                (wt, word, rest) = next_word(rest);
                if wt != Word::Alpha {
                    word_lower(&mut out, Word::Number, num, sep);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(sep);
                    }
                    continue;
                }
                out.push(sep);
                word_lower(&mut out, Word::Number, num, sep);
                while wt == Word::Alpha || wt == Word::Number {
                    word_lower(&mut out, wt, word, sep);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(sep);
                }
            }
        }
    }
    word_lower(&mut out, wt, word, sep);
    out
}

/// goutils' `WrapCustom` (Sprig's `wrap` passes `wrap_long = false`, `wrapWith`
/// true). It works on bytes, as the Go code does; only a space is a break point.
fn wrap_text(s: &str, width: i64, sep: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let sep = if sep.is_empty() { "\n" } else { sep };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        match b[offset..end].iter().rposition(|&c| c == b' ') {
            Some(i) => {
                out.extend_from_slice(&b[offset..offset + i]);
                out.extend_from_slice(sep.as_bytes());
                offset += i + 1;
            }
            None if wrap_long => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(sep.as_bytes());
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(i) => {
                        out.extend_from_slice(&b[offset..end + i]);
                        out.extend_from_slice(sep.as_bytes());
                        offset = end + i + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's `unicode.IsSpace` on a rune made from one byte (goutils' byte loops).
fn latin1_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// Go's `unicode.ToUpper`/`ToLower`/`ToTitle` map one rune to one rune; Rust's
/// full mappings may expand (`ß` → `SS`), which Go leaves unchanged.
fn upper1(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn lower1(c: char) -> char {
    if c == 'İ' {
        // Unicode's simple lower-case mapping, which Go uses.
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `unicode.ToTitle`: the title-case letters differ from upper case for the
/// four digraph triples.
fn title1(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => upper1(c),
    }
}

fn is_title_case(c: char) -> bool {
    matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ')
        || ('ᾈ'..='ᾏ').contains(&c)
        || ('ᾘ'..='ᾟ').contains(&c)
        || ('ᾨ'..='ᾯ').contains(&c)
        || matches!(c, 'ᾼ' | 'ῌ' | 'ῼ')
}

fn connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings v1.5.0 `ToPascalCase` (Sprig's `camelcase`): leading and extra
/// connectors stay, each word is capitalised, and a capital that follows another
/// capital is lowered (`HTTP_server` → `HttpServer`, `someWords` → `SomeWords`;
/// checked against Helm).
fn pascal_case(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    let mut r0 = None;
    for c in chars.by_ref() {
        if !connector(c) {
            r0 = Some(c);
            break;
        }
        out.push(c);
    }
    let Some(first) = r0 else {
        return out;
    };
    // (original, as written)
    let mut cur = (first, upper1(first));
    for c in chars {
        let prev = cur;
        cur = (c, c);
        if connector(c) && connector(prev.0) {
            out.push(prev.1);
            continue;
        }
        if connector(prev.0) {
            cur.1 = upper1(c);
        } else {
            if c.is_uppercase() && prev.0.is_uppercase() {
                cur.1 = lower1(c);
            }
            out.push(prev.1);
        }
    }
    out.push(cur.1);
    out
}

fn rand_string(count: i64, pool: &[u8]) -> String {
    let mut rng = rand::thread_rng();
    (0..count.clamp(0, 1 << 20))
        .map(|_| pool[rng.gen_range(0..pool.len())] as char)
        .collect()
}

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUMERIC: &[u8] = b"0123456789";

pub fn register(r: &mut Reg) {
    r.f("upper", |a| {
        arity(a, 1)?;
        Ok(Value::string(s(&a[0])?.chars().map(upper1).collect()))
    });
    r.f("lower", |a| {
        arity(a, 1)?;
        Ok(Value::string(s(&a[0])?.chars().map(lower1).collect()))
    });
    r.f("title", |a| {
        arity(a, 1)?;
        Ok(Value::string(go_title(s(&a[0])?)))
    });
    r.f("untitle", |a| {
        arity(a, 1)?;
        let text = s(&a[0])?;
        let mut out = String::new();
        let mut prev_space = true;
        for c in text.chars() {
            if prev_space {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            prev_space = c.is_whitespace();
        }
        Ok(Value::string(out))
    });
    r.f("trim", |a| {
        arity(a, 1)?;
        Ok(Value::str(crate::render::manifest::trim_space(s(&a[0])?)))
    });
    for name in ["trimAll", "trimall"] {
        r.f(name, |a| {
            arity(a, 2)?;
            let cut: Vec<char> = s(&a[0])?.chars().collect();
            Ok(Value::str(s(&a[1])?.trim_matches(|c| cut.contains(&c))))
        });
    }
    r.f("trimPrefix", |a| {
        arity(a, 2)?;
        let (p, v) = (s(&a[0])?, s(&a[1])?);
        Ok(Value::str(v.strip_prefix(p).unwrap_or(v)))
    });
    r.f("trimSuffix", |a| {
        arity(a, 2)?;
        let (p, v) = (s(&a[0])?, s(&a[1])?);
        Ok(Value::str(v.strip_suffix(p).unwrap_or(v)))
    });
    r.f("nospace", |a| {
        arity(a, 1)?;
        // goutils' byte loop: bytes that are not spaces come back as Latin-1 runes,
        // unless nothing was removed.
        let v = s(&a[0])?;
        if !v.bytes().any(latin1_space) {
            return Ok(Value::str(v));
        }
        Ok(Value::string(
            v.bytes()
                .filter(|b| !latin1_space(*b))
                .map(char::from)
                .collect(),
        ))
    });
    r.f("repeat", |a| {
        arity(a, 2)?;
        let n = int(&a[0])?;
        let v = s(&a[1])?;
        if n < 0 {
            return Err(FuncError::failed("strings: negative Repeat count"));
        }
        if (n as u128) * (v.len() as u128) > 64 * 1024 * 1024 {
            return Err(FuncError::failed("strings: Repeat output length overflow"));
        }
        Ok(Value::string(v.repeat(n as usize)))
    });
    r.f("substr", |a| {
        arity(a, 3)?;
        let (start, end, v) = (int(&a[0])?, int(&a[1])?, s(&a[2])?);
        let len = v.len() as i64;
        let out = if start < 0 {
            byte_slice(v, 0, end.max(0) as usize)
        } else if end < 0 || end > len {
            byte_slice(v, start as usize, v.len())
        } else {
            if start > end {
                return Err(FuncError::failed(format!(
                    "runtime error: slice bounds out of range [{start}:{end}]"
                )));
            }
            byte_slice(v, start as usize, end as usize)
        };
        Ok(Value::string(out))
    });
    r.f("trunc", |a| {
        arity(a, 2)?;
        let (c, v) = (int(&a[0])?, s(&a[1])?);
        let len = v.len() as i64;
        let out = if c < 0 && len + c > 0 {
            byte_slice(v, (len + c) as usize, v.len())
        } else if c >= 0 && len > c {
            byte_slice(v, 0, c as usize)
        } else {
            v.to_string()
        };
        Ok(Value::string(out))
    });
    r.f("abbrev", |a| {
        arity(a, 2)?;
        let (w, v) = (int(&a[0])?, s(&a[1])?);
        if w < 4 {
            return Ok(Value::str(v));
        }
        Ok(Value::string(abbreviate_full(v, 0, w)))
    });
    r.f("abbrevboth", |a| {
        arity(a, 3)?;
        let (left, right, v) = (int(&a[0])?, int(&a[1])?, s(&a[2])?);
        if right < 4 || (left > 0 && right < 7) {
            return Ok(Value::str(v));
        }
        Ok(Value::string(abbreviate_full(v, left, right)))
    });
    r.f("initials", |a| {
        arity(a, 1)?;
        // goutils reads bytes and turns each into a rune (Latin-1).
        let mut out = String::new();
        let mut gap = true;
        for &b in s(&a[0])?.as_bytes() {
            if latin1_space(b) {
                gap = true;
            } else if gap {
                out.push(char::from(b));
                gap = false;
            }
        }
        Ok(Value::string(out))
    });
    r.f("wrap", |a| {
        arity(a, 2)?;
        Ok(Value::string(wrap_text(s(&a[1])?, int(&a[0])?, "", false)))
    });
    r.f("wrapWith", |a| {
        arity(a, 3)?;
        Ok(Value::string(wrap_text(
            s(&a[2])?,
            int(&a[0])?,
            s(&a[1])?,
            true,
        )))
    });
    r.f("contains", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(s(&a[1])?.contains(s(&a[0])?)))
    });
    r.f("hasPrefix", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(s(&a[1])?.starts_with(s(&a[0])?)))
    });
    r.f("hasSuffix", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(s(&a[1])?.ends_with(s(&a[0])?)))
    });
    r.f("quote", |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| go_quote(&strval(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    r.f("squote", |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", strval(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    r.f("cat", |a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| v.to_string())
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    r.f("indent", |a| {
        arity(a, 2)?;
        let pad = pad(int(&a[0])?)?;
        Ok(Value::string(format!(
            "{pad}{}",
            s(&a[1])?.replace('\n', &format!("\n{pad}"))
        )))
    });
    r.f("nindent", |a| {
        arity(a, 2)?;
        let pad = pad(int(&a[0])?)?;
        Ok(Value::string(format!(
            "\n{pad}{}",
            s(&a[1])?.replace('\n', &format!("\n{pad}"))
        )))
    });
    r.f("replace", |a| {
        arity(a, 3)?;
        let (old, new, src) = (s(&a[0])?, s(&a[1])?, s(&a[2])?);
        if old.is_empty() {
            // Go inserts `new` around every character.
            let mut out = String::from(new);
            for c in src.chars() {
                out.push(c);
                out.push_str(new);
            }
            return Ok(Value::string(out));
        }
        Ok(Value::string(src.replace(old, new)))
    });
    r.f("plural", |a| {
        arity(a, 3)?;
        let (one, many, n) = (s(&a[0])?, s(&a[1])?, int(&a[2])?);
        Ok(Value::str(if n == 1 { one } else { many }))
    });
    r.f("snakecase", |a| {
        arity(a, 1)?;
        Ok(Value::string(to_lower_case(s(&a[0])?, '_')))
    });
    r.f("kebabcase", |a| {
        arity(a, 1)?;
        Ok(Value::string(to_lower_case(s(&a[0])?, '-')))
    });
    r.f("camelcase", |a| {
        arity(a, 1)?;
        Ok(Value::string(pascal_case(s(&a[0])?)))
    });
    r.f("swapcase", |a| {
        arity(a, 1)?;
        Ok(Value::string(
            s(&a[0])?
                .chars()
                .map(|c| {
                    if c.is_uppercase() || is_title_case(c) {
                        lower1(c)
                    } else if c.is_lowercase() {
                        upper1(c)
                    } else {
                        c
                    }
                })
                .collect(),
        ))
    });
    r.f("shuffle", |a| {
        arity(a, 1)?;
        use rand::seq::SliceRandom;
        let mut cs: Vec<char> = s(&a[0])?.chars().collect();
        cs.shuffle(&mut rand::thread_rng());
        Ok(Value::string(cs.into_iter().collect()))
    });
    r.f("toString", |a| {
        arity(a, 1)?;
        Ok(Value::string(strval(&a[0])))
    });
    r.f("toStrings", |a| {
        arity(a, 1)?;
        Ok(Value::list(
            list_of_strings(&a[0])
                .into_iter()
                .map(Value::string)
                .collect(),
        ))
    });
    r.f("split", |a| {
        arity(a, 2)?;
        let (sep, orig) = (s(&a[0])?, s(&a[1])?);
        let mut m = Map::new();
        for (i, p) in go_split(orig, sep, -1).into_iter().enumerate() {
            m.insert(format!("_{i}"), Value::string(p));
        }
        Ok(Value::map(m))
    });
    r.f("splitn", |a| {
        arity(a, 3)?;
        let (sep, n, orig) = (s(&a[0])?, int(&a[1])?, s(&a[2])?);
        let mut m = Map::new();
        for (i, p) in go_split(orig, sep, n).into_iter().enumerate() {
            m.insert(format!("_{i}"), Value::string(p));
        }
        Ok(Value::map(m))
    });
    r.f("splitList", |a| {
        arity(a, 2)?;
        let (sep, orig) = (s(&a[0])?, s(&a[1])?);
        Ok(Value::list(
            go_split(orig, sep, -1)
                .into_iter()
                .map(Value::string)
                .collect(),
        ))
    });
    r.f("join", |a| {
        arity(a, 2)?;
        let sep = s(&a[0])?;
        Ok(Value::string(list_of_strings(&a[1]).join(sep)))
    });
    r.f("sortAlpha", |a| {
        arity(a, 1)?;
        let mut l = match &a[0] {
            Value::List(_) => list_of_strings(&a[0]),
            other => vec![strval(other)],
        };
        l.sort();
        Ok(Value::list(l.into_iter().map(Value::string).collect()))
    });
    r.f("randAlphaNum", |a| {
        arity(a, 1)?;
        let pool: Vec<u8> = [ALPHA, NUMERIC].concat();
        Ok(Value::string(rand_string(int(&a[0])?, &pool)))
    });
    r.f("randAlpha", |a| {
        arity(a, 1)?;
        Ok(Value::string(rand_string(int(&a[0])?, ALPHA)))
    });
    r.f("randNumeric", |a| {
        arity(a, 1)?;
        Ok(Value::string(rand_string(int(&a[0])?, NUMERIC)))
    });
    r.f("randAscii", |a| {
        arity(a, 1)?;
        let pool: Vec<u8> = (32u8..127).collect();
        Ok(Value::string(rand_string(int(&a[0])?, &pool)))
    });
    r.f("hello", |a| {
        arity(a, 0)?;
        Ok(Value::str("Hello!"))
    });
    let _ = at_least;
}

/// `strings.Repeat(" ", n)` for `indent`: a negative count is Go's panic.
fn pad(n: i64) -> Result<String, FuncError> {
    if n < 0 {
        return Err(FuncError::failed("strings: negative Repeat count"));
    }
    if n > 64 * 1024 * 1024 {
        return Err(FuncError::failed("strings: Repeat output length overflow"));
    }
    Ok(" ".repeat(n as usize))
}

/// goutils' `AbbreviateFull` (byte offsets, as Go slices strings).
fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> String {
    let len = s.len() as i64;
    if s.is_empty() || len <= max_width {
        return s.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return format!("{}...", byte_slice(s, 0, (max_width - 3) as usize));
    }
    if max_width < 7 {
        return String::new();
    }
    if offset + max_width - 3 < len {
        return format!(
            "...{}",
            abbreviate_full(&byte_slice(s, offset as usize, s.len()), 0, max_width - 3)
        );
    }
    format!(
        "...{}",
        byte_slice(s, (len - (max_width - 3)) as usize, s.len())
    )
}

/// Go's `strings.Split`/`SplitN` (an empty separator splits into characters).
pub fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(|c| c.to_string()).collect();
        if n > 0 && chars.len() > n as usize {
            let mut head: Vec<String> = chars[..n as usize - 1].to_vec();
            head.push(chars[n as usize - 1..].concat());
            return head;
        }
        return chars;
    }
    if n < 0 {
        return s.split(sep).map(str::to_string).collect();
    }
    s.splitn(n as usize, sep).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_case() {
        assert_eq!(go_title("hello world-foo"), "Hello World-Foo");
        for (input, want) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
        ] {
            assert_eq!(to_lower_case(input, '_'), want, "{input}");
        }
        assert_eq!(wrap_text("a b c d", 3, "", false), "a b\nc d");
        assert_eq!(wrap_text("longwordhere x", 6, "|", true), "longwo|rdhere|x");
        assert_eq!(pascal_case("_complex__case_"), "_Complex_Case_");
        assert_eq!(pascal_case("GOLANG_IS_GREAT"), "GolangIsGreat");
    }
}
