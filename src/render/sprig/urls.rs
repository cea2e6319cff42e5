//! Sprig's `urlParse` and `urlJoin`, on Go's `net/url` rules (written here
//! because the `url` crate follows WHATWG, which normalises and escapes
//! differently from Go): `Parse` splits fragment, scheme, query, authority and
//! path and unescapes path and fragment; `URL.String` re-escapes them.

use super::Reg;
use super::args::{arity, dict, s};
use crate::gotmpl::{FuncError, Map, Value};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
        return false;
    }
    if matches!(
        c,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@'
    ) {
        return match mode {
            Mode::Path => c == b'?',
            Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => false,
        };
    }
    !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

/// Go's `unescape` for paths, fragments and user info.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(h) = hex else {
                let bad = &s[i..(i + 3).min(s.len())];
                return Err(format!(
                    "invalid URL escape {}",
                    crate::gotmpl::go_quote(bad)
                ));
            };
            let text = std::str::from_utf8(h).map_err(|e| e.to_string())?;
            out.push(u8::from_str_radix(text, 16).map_err(|e| e.to_string())?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The leading `scheme:` if there is one (Go's `getScheme`).
fn split_scheme(raw: &str) -> Result<(String, &str), String> {
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err("missing protocol scheme".into()),
            ':' => return Ok((raw[..i].to_ascii_lowercase(), &raw[i + 1..])),
            _ => return Ok((String::new(), raw)),
        }
    }
    Ok((String::new(), raw))
}

/// `URL.Hostname`: the host without a port and without IPv6 brackets.
fn hostname(host: &str) -> String {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_string();
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|b| b.is_ascii_digit()) => host[..i].to_string(),
        _ => host.to_string(),
    }
}

/// Go's `url.Parse`, as the fields Sprig's `urlParse` returns.
pub fn parse(raw: &str) -> Result<Map, String> {
    let wrap = |e: String| format!("parse {}: {e}", crate::gotmpl::go_quote(raw));
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, unescape(f).map_err(wrap)?),
        None => (raw, String::new()),
    };
    if rest.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(wrap("net/url: invalid control character in URL".into()));
    }
    let (scheme, rest) = split_scheme(rest).map_err(wrap)?;
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q.to_string()),
        None => (rest, String::new()),
    };
    let mut m = Map::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_string(), Value::string(v));
    };
    let (mut host, mut userinfo, mut opaque, mut path) =
        (String::new(), String::new(), String::new(), String::new());
    if !rest.starts_with('/') && !scheme.is_empty() {
        opaque = rest.to_string();
    } else {
        if scheme.is_empty() && rest.split('/').next().is_some_and(|seg| seg.contains(':')) {
            return Err(wrap(
                "first path segment in URL cannot contain colon".into(),
            ));
        }
        let mut p = rest;
        if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = &rest[2..];
            let (authority, tail) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            match authority.rfind('@') {
                Some(i) => {
                    let info = unescape(&authority[..i]).map_err(wrap)?;
                    userinfo = match info.split_once(':') {
                        Some((u, pw)) => format!(
                            "{}:{}",
                            escape(u, Mode::UserPassword),
                            escape(pw, Mode::UserPassword)
                        ),
                        None => escape(&info, Mode::UserPassword),
                    };
                    host = authority[i + 1..].to_string();
                }
                None => host = authority.to_string(),
            }
            p = tail;
        }
        path = unescape(p).map_err(wrap)?;
    }
    put("hostname", hostname(&host));
    put("host", host);
    put("scheme", scheme);
    put("path", path);
    put("query", query);
    put("opaque", opaque);
    put("fragment", fragment);
    put("userinfo", userinfo);
    Ok(m)
}

/// Sprig's `urlJoin`: a `url.URL` built from the dict's string fields, printed
/// by `URL.String`.
pub fn join(d: &Map) -> Result<String, String> {
    let get = |k: &str| match d.get(k) {
        Some(Value::String(v)) => v.to_string(),
        _ => String::new(),
    };
    let (scheme, host, path, query, opaque, fragment) = (
        get("scheme"),
        get("host"),
        get("path"),
        get("query"),
        get("opaque"),
        get("fragment"),
    );
    let user = match get("userinfo") {
        u if u.is_empty() => None,
        u => {
            let parsed = parse(&format!("proto://{u}@host"))
                .map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
            Some(
                parsed
                    .get("userinfo")
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            )
        }
    };
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || user.is_some() {
            if !host.is_empty() || !path.is_empty() || user.is_some() {
                out.push_str("//");
            }
            if let Some(u) = &user {
                out.push_str(u);
                out.push('@');
            }
            out.push_str(&host);
        }
        let escaped = escape(&path, Mode::Path);
        if !escaped.is_empty() && !escaped.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        if out.is_empty()
            && escaped
                .split('/')
                .next()
                .is_some_and(|seg| seg.contains(':'))
        {
            out.push_str("./");
        }
        out.push_str(&escaped);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&fragment, Mode::Fragment));
    }
    Ok(out)
}

pub fn register(r: &mut Reg) {
    r.f("urlParse", |a| {
        arity(a, 1)?;
        parse(s(&a[0])?)
            .map(Value::map)
            .map_err(|e| FuncError::failed(format!("unable to parse url: {e}")))
    });
    r.f("urlJoin", |a| {
        arity(a, 1)?;
        join(dict(&a[0])?)
            .map(Value::string)
            .map_err(FuncError::Failed)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go() {
        let m = parse("https://u:p@h:8443/a%20b?x=1#f%21").expect("parse");
        let get = |k: &str| m.get(k).map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(get("hostname"), "h");
        assert_eq!(get("path"), "/a b");
        assert_eq!(get("fragment"), "f!");
        assert_eq!(get("userinfo"), "u:p");
        assert_eq!(
            parse("mailto:me@x").expect("parse")["opaque"].to_string(),
            "me@x"
        );
        assert!(parse("http://h/%zz").is_err());
    }

    #[test]
    fn joins_like_go() {
        let mut d = Map::new();
        d.insert("path".into(), Value::str("a b"));
        assert_eq!(join(&d), Ok("a%20b".into()));
        d.insert("host".into(), Value::str("h"));
        d.insert("scheme".into(), Value::str("http"));
        assert_eq!(join(&d), Ok("http://h/a%20b".into()));
    }
}
