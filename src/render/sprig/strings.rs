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
            out.extend(c.to_uppercase());
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

fn words_for_case(s: &str) -> Vec<String> {
    // Split on separators and on lower→upper / acronym boundaries (xstrings).
    let chars: Vec<char> = s.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' || c == ' ' || c == '.' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn wrap_text(s: &str, width: usize, sep: &str) -> String {
    // goutils.WrapCustom without long-word wrapping.
    let width = width.max(1);
    let mut out = String::new();
    for (li, line) in s.split('\n').enumerate() {
        if li > 0 {
            out.push_str(sep);
        }
        let mut len = 0;
        let mut first = true;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let wl = word.chars().count();
            if !first && len + 1 + wl > width {
                out.push_str(sep);
                len = 0;
                first = true;
            }
            if !first {
                out.push(' ');
                len += 1;
            }
            out.push_str(word);
            len += wl;
            first = false;
        }
    }
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
        Ok(Value::string(s(&a[0])?.to_uppercase()))
    });
    r.f("lower", |a| {
        arity(a, 1)?;
        Ok(Value::string(s(&a[0])?.to_lowercase()))
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
        Ok(Value::string(
            s(&a[0])?.chars().filter(|c| !c.is_whitespace()).collect(),
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
        Ok(Value::string(
            s(&a[0])?
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .collect(),
        ))
    });
    r.f("wrap", |a| {
        arity(a, 2)?;
        Ok(Value::string(wrap_text(
            s(&a[1])?,
            int(&a[0])?.max(1) as usize,
            "\n",
        )))
    });
    r.f("wrapWith", |a| {
        arity(a, 3)?;
        Ok(Value::string(wrap_text(
            s(&a[2])?,
            int(&a[0])?.max(1) as usize,
            s(&a[1])?,
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
        let pad = " ".repeat(int(&a[0])?.clamp(0, 1 << 16) as usize);
        Ok(Value::string(format!(
            "{pad}{}",
            s(&a[1])?.replace('\n', &format!("\n{pad}"))
        )))
    });
    r.f("nindent", |a| {
        arity(a, 2)?;
        let pad = " ".repeat(int(&a[0])?.clamp(0, 1 << 16) as usize);
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
        let w: Vec<String> = words_for_case(s(&a[0])?)
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        Ok(Value::string(w.join("_")))
    });
    r.f("kebabcase", |a| {
        arity(a, 1)?;
        let w: Vec<String> = words_for_case(s(&a[0])?)
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        Ok(Value::string(w.join("-")))
    });
    r.f("camelcase", |a| {
        arity(a, 1)?;
        let v = s(&a[0])?;
        let mut out = String::new();
        for part in v.split(['_', ' ', '-']).filter(|p| !p.is_empty()) {
            let mut cs = part.chars();
            if let Some(f) = cs.next() {
                out.extend(f.to_uppercase());
                out.push_str(cs.as_str());
            }
        }
        Ok(Value::string(out))
    });
    r.f("swapcase", |a| {
        arity(a, 1)?;
        Ok(Value::string(
            s(&a[0])?
                .chars()
                .flat_map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<Vec<_>>()
                    } else {
                        c.to_uppercase().collect::<Vec<_>>()
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
        assert_eq!(
            words_for_case("HTTPServerName"),
            vec!["HTTP", "Server", "Name"]
        );
        assert_eq!(wrap_text("a b c d", 3, "\n"), "a b\nc d");
    }
}
