//! A fast reader for the `index.yaml` files Helm and charter write, used where only
//! the chart names and the search fields are needed (`repo add`, `repo update`,
//! rebuilding the search cache).
//!
//! Why a second reader: the Helm-exact reader ([`super::index::IndexFile::parse`],
//! through charter's `yaml` module) builds an event stream and a full tree of a
//! 20 MB index, which costs seconds and hundreds of MiB. This one walks the bytes
//! line by line over the block-YAML subset that go-yaml's emitter produces (space
//! indentation, `key: value` mappings, `- ` sequences, plain scalars folded over
//! lines, single-line quoted scalars, `|`/`|-` literal blocks, `{}` and `[]`), builds
//! one chart's versions at a time as the same [`Value`]s the full reader builds
//! (scalars resolve through [`crate::yaml::resolve`], numbers become floats as in
//! the JSON round trip), and validates them with the same code
//! ([`super::index::versions_from`]). The `entries` mapping is split at a chart
//! boundary and read on two threads.
//!
//! Anything outside that subset (comments, anchors, aliases, tags, flow
//! collections, folded blocks, multi-line quoted scalars, tabs, control or special
//! Unicode characters, duplicate keys, non-string keys, JSON input) makes it give
//! up, and [`summarize`] falls back to the full reader, so the outcome (error,
//! warnings, charts) is always the full reader's.

use std::collections::{BTreeMap, HashSet};

use super::index::{IndexError, IndexFile, versions_from};
use super::search::{SearchChart, entries_of};
use crate::gotmpl::{Map, Value};
use crate::yaml::resolve::{Resolved, resolve_plain};

/// The search fields of each chart's valid versions, newest first, per chart name.
pub type Charts = BTreeMap<String, Vec<SearchChart>>;

/// What the fast reader found: the index's `apiVersion` (as text, "" when missing
/// or not a string) and, per chart, its versions and the warnings for skipped ones.
#[derive(Debug, PartialEq)]
pub struct Scanned {
    pub api_version: String,
    pub charts: BTreeMap<String, (Vec<SearchChart>, Vec<String>)>,
}

/// Reads an index as [`IndexFile::parse`] would and keeps the search fields: the
/// same error, the same warnings in the same order, the same charts.
pub fn summarize(
    data: &[u8],
    source: &str,
    warn: &mut dyn FnMut(String),
) -> Result<Charts, IndexError> {
    match scan(data, source) {
        Some(found) => {
            let mut charts = Charts::new();
            for (name, (versions, warnings)) in found.charts {
                warnings.into_iter().for_each(&mut *warn);
                charts.insert(name, versions);
            }
            if found.api_version.is_empty() {
                return Err(IndexError::NoApiVersion);
            }
            Ok(charts)
        }
        None => Ok(entries_of(&IndexFile::parse(data, source, warn)?)),
    }
}

/// The fast path alone: `None` when the input leaves the subset it reads.
pub fn scan(data: &[u8], source: &str) -> Option<Scanned> {
    if data.is_empty() || serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok() {
        return None;
    }
    let s = std::str::from_utf8(data).ok()?;
    if !plain_text(data) {
        return None;
    }
    let mut p = Lines {
        s,
        pos: 0,
        end: s.len(),
    };
    let mut seen = HashSet::new();
    let mut api_version = String::new();
    let mut charts = BTreeMap::new();
    while let Some(l) = p.peek() {
        if l.indent != 0 {
            return None;
        }
        p.pos = l.next;
        let (key, rest) = split_key(l.text)?;
        if !seen.insert(key.clone()) {
            return None;
        }
        if key == "entries"
            && rest.is_empty()
            && let Some(first) = p.peek()
            && first.indent > 0
            && !is_seq_item(first.text)
        {
            let end = region_end(s, p.pos);
            charts = entries(s, p.pos, end, first.indent, source)?;
            p.pos = end;
            continue;
        }
        let v = p.value_after(rest, 0, true, 1)?;
        if key == "apiVersion" {
            api_version = v.as_str().unwrap_or("").to_string();
        } else if key == "entries"
            && let Value::Map(m) = &v
        {
            for (name, list) in m.iter() {
                charts.insert(name.clone(), chart(name, list, source));
            }
        }
    }
    if seen.is_empty() {
        return None;
    }
    Some(Scanned {
        api_version,
        charts,
    })
}

type Found = BTreeMap<String, (Vec<SearchChart>, Vec<String>)>;

/// One chart's versions and warnings, through the full reader's validation.
fn chart(name: &str, list: &Value, source: &str) -> (Vec<SearchChart>, Vec<String>) {
    let mut warnings = Vec::new();
    let versions = versions_from(name, list, source, &mut |w| warnings.push(w));
    (versions.iter().map(SearchChart::of).collect(), warnings)
}

/// Reads the chart mapping (keys at column `col`) in `s[start..end]`, in two halves
/// split at a chart key when the region is large.
fn entries(s: &str, start: usize, end: usize, col: usize, source: &str) -> Option<Found> {
    let split = if end - start > 1 << 20 {
        chart_boundary(s, start + (end - start) / 2, end, col)
    } else {
        None
    };
    let Some(mid) = split else {
        return chart_map(s, start, end, col, source);
    };
    let (a, b) = std::thread::scope(|sc| {
        let h = sc.spawn(|| chart_map(s, mid, end, col, source));
        let a = chart_map(s, start, mid, col, source);
        (a, h.join().ok().flatten())
    });
    let (mut a, b) = (a?, b?);
    for (k, v) in b {
        if a.insert(k, v).is_some() {
            return None;
        }
    }
    Some(a)
}

/// The start of the first line at or after `from` that begins with exactly `col`
/// spaces and then a character that can start a key.
fn chart_boundary(s: &str, from: usize, end: usize, col: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    while i < end {
        let nl = i + b[i..end].iter().position(|&c| c == b'\n')?;
        let line = nl + 1;
        let rest = &b[line..end];
        if rest.len() > col
            && rest[..col].iter().all(|&c| c == b' ')
            && !matches!(rest[col], b' ' | b'\n' | b'-' | b'#')
        {
            return Some(line);
        }
        i = line;
    }
    None
}

/// The start of the first non-blank line at column 0 at or after `from`, or the end.
fn region_end(s: &str, from: usize) -> usize {
    let b = s.as_bytes();
    let mut line = from;
    while line < b.len() {
        if !matches!(b[line], b' ' | b'\n') {
            return line;
        }
        match b[line..].iter().position(|&c| c == b'\n') {
            Some(n) => line += n + 1,
            None => return b.len(),
        }
    }
    b.len()
}

fn chart_map(s: &str, start: usize, end: usize, col: usize, source: &str) -> Option<Found> {
    let mut p = Lines { s, pos: start, end };
    let mut out = Found::new();
    while let Some(l) = p.peek() {
        if l.indent != col || is_seq_item(l.text) {
            return None;
        }
        p.pos = l.next;
        let (name, rest) = split_key(l.text)?;
        let list = p.value_after(rest, col, true, 2)?;
        let found = chart(&name, &list, source);
        if out.insert(name, found).is_some() {
            return None;
        }
    }
    Some(out)
}

/// Whether every character is one go-yaml reads as itself: no tabs, carriage
/// returns or other control characters, no byte order mark, no Unicode line
/// breaks or C1 controls (which go-yaml treats specially or rejects).
fn plain_text(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if (c < 0x20 && c != b'\n') || c == 0x7f {
                return false;
            }
            i += 1;
            continue;
        }
        let rest = &b[i..];
        let bad = matches!(rest, [0xc2, 0x80..=0x9f, ..])
            || matches!(rest, [0xe2, 0x80, 0xa8 | 0xa9, ..])
            || matches!(rest, [0xef, 0xbb, 0xbf, ..])
            || matches!(rest, [0xef, 0xbf, 0xbe | 0xbf, ..]);
        if bad {
            return false;
        }
        i += 1;
    }
    true
}

/// A non-blank line: its indentation, its text after the indentation with trailing
/// spaces removed, and where the next line starts.
#[derive(Clone, Copy)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
    next: usize,
}

struct Lines<'a> {
    s: &'a str,
    pos: usize,
    end: usize,
}

const MAX_DEPTH: usize = 64;

impl<'a> Lines<'a> {
    /// The raw line at `at`: its text without the newline, and the next line's start.
    fn raw(&self, at: usize) -> (&'a str, usize) {
        let b = &self.s.as_bytes()[at..self.end];
        match b.iter().position(|&c| c == b'\n') {
            Some(n) => (&self.s[at..at + n], at + n + 1),
            None => (&self.s[at..self.end], self.end),
        }
    }

    /// The next non-blank line, without consuming it.
    fn peek(&self) -> Option<Line<'a>> {
        let mut at = self.pos;
        while at < self.end {
            let (raw, next) = self.raw(at);
            let text = raw.trim_start_matches(' ');
            if !text.is_empty() {
                return Some(Line {
                    indent: raw.len() - text.len(),
                    text: text.trim_end_matches(' '),
                    next,
                });
            }
            at = next;
        }
        None
    }

    /// The value of a mapping key whose text after `:` is `rest`, in a collection
    /// at column `col`.
    fn value_after(
        &mut self,
        rest: &'a str,
        col: usize,
        indentless: bool,
        depth: usize,
    ) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        if rest.is_empty() {
            self.block(col, indentless, depth)
        } else {
            self.inline(rest, col)
        }
    }

    /// A node on the following lines, deeper than `col` (or, for a mapping value,
    /// a sequence at `col`), or null when there is none.
    fn block(&mut self, col: usize, indentless: bool, depth: usize) -> Option<Value> {
        let Some(l) = self.peek() else {
            return Some(Value::Nil);
        };
        if is_seq_item(l.text) && (l.indent > col || (indentless && l.indent == col)) {
            return self.seq_at(l.indent, depth).map(Value::list);
        }
        if l.indent > col {
            self.pos = l.next;
            return self.map_at(l.indent, l.text, depth).map(Value::map);
        }
        Some(Value::Nil)
    }

    /// A block mapping at column `col` whose first line's text is `text` (already
    /// consumed).
    fn map_at(&mut self, col: usize, mut text: &'a str, depth: usize) -> Option<Map> {
        let mut m = Map::new();
        loop {
            let (key, rest) = split_key(text)?;
            let v = self.value_after(rest, col, true, depth + 1)?;
            if m.insert(key, v).is_some() {
                return None;
            }
            match self.peek() {
                Some(l) if l.indent == col && !is_seq_item(l.text) => {
                    self.pos = l.next;
                    text = l.text;
                }
                Some(l) if l.indent >= col => return None,
                _ => return Some(m),
            }
        }
    }

    /// A block sequence whose dashes are at column `col`.
    fn seq_at(&mut self, col: usize, depth: usize) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        loop {
            let l = match self.peek() {
                Some(l) if l.indent == col && is_seq_item(l.text) => l,
                Some(l) if l.indent > col => return None,
                _ => return Some(items),
            };
            self.pos = l.next;
            let rest = l.text[1..].trim_start_matches(' ');
            let item_col = col + l.text.len() - rest.len();
            let item = if rest.is_empty() {
                self.block(col, false, depth + 1)?
            } else if is_seq_item(rest) {
                return None;
            } else if !rest.starts_with(['"', '\'']) && key_colon(rest).is_some() {
                Value::map(self.map_at(item_col, rest, depth + 1)?)
            } else {
                self.inline(rest, col)?
            };
            items.push(item);
        }
    }

    /// A scalar (or `{}`/`[]`) starting on the current line with text `rest`, in a
    /// collection at column `col`.
    fn inline(&mut self, rest: &'a str, col: usize) -> Option<Value> {
        match rest.as_bytes()[0] {
            b'"' => Some(Value::string(double_quoted(rest)?)),
            b'\'' => Some(Value::string(single_quoted(rest)?)),
            b'|' => Some(Value::string(self.literal(rest, col)?)),
            _ if rest == "{}" => Some(Value::map(Map::new())),
            _ if rest == "[]" => Some(Value::list(Vec::new())),
            _ => {
                if !plain_start(rest) || !plain_line(rest) {
                    return None;
                }
                let text = self.plain_continued(rest, col)?;
                resolved(&text)
            }
        }
    }

    /// A plain scalar's text folded with its continuation lines (deeper than `col`).
    fn plain_continued(&mut self, first: &'a str, col: usize) -> Option<String> {
        let mut text: Option<String> = None;
        let mut at = self.pos;
        let mut blanks = 0;
        while at < self.end {
            let (raw, next) = self.raw(at);
            let t = raw.trim_start_matches(' ');
            if t.is_empty() {
                blanks += 1;
                at = next;
                continue;
            }
            if raw.len() - t.len() <= col {
                break;
            }
            let t = t.trim_end_matches(' ');
            if t.starts_with('#') || !plain_line(t) {
                return None;
            }
            let out = text.get_or_insert_with(|| first.to_string());
            if blanks == 0 {
                out.push(' ');
            } else {
                (0..blanks).for_each(|_| out.push('\n'));
            }
            out.push_str(t);
            blanks = 0;
            at = next;
            self.pos = next;
        }
        Some(text.unwrap_or_else(|| first.to_string()))
    }

    /// A `|` or `|-` literal block whose header is `header`, deeper than `col`.
    fn literal(&mut self, header: &str, col: usize) -> Option<String> {
        let strip = match header {
            "|" => false,
            "|-" => true,
            _ => return None,
        };
        let mut out = String::new();
        let mut indent = None;
        let mut blanks = 0;
        let mut at = self.pos;
        while at < self.end {
            let (raw, next) = self.raw(at);
            if raw.is_empty() {
                blanks += 1;
                at = next;
                continue;
            }
            let t = raw.trim_start_matches(' ');
            if t.is_empty() {
                return None;
            }
            let ind = raw.len() - t.len();
            let i = *indent.get_or_insert(ind);
            if ind < i || ind <= col {
                break;
            }
            (0..blanks).for_each(|_| out.push('\n'));
            blanks = 0;
            out.push_str(&raw[i..]);
            out.push('\n');
            at = next;
            self.pos = next;
        }
        if out.is_empty() {
            return None;
        }
        if strip {
            out.pop();
        }
        Some(out)
    }
}

fn is_seq_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// The position of the `:` that makes `text` a `key: value` line.
fn key_colon(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    (0..b.len()).find(|&i| b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' '))
}

/// Splits `key: rest` with a plain string key.
fn split_key(text: &str) -> Option<(String, &str)> {
    let i = key_colon(text)?;
    let key = &text[..i];
    if key.is_empty()
        || key.len() > 1000
        || key.ends_with(' ')
        || key == "<<"
        || !plain_start(key)
        || key.contains(" #")
        || resolve_plain(key) != Resolved::Str
    {
        return None;
    }
    Some((key.to_string(), text[i + 1..].trim_start_matches(' ')))
}

/// Whether a plain scalar may start with this text in block context.
fn plain_start(t: &str) -> bool {
    let b = t.as_bytes();
    match b[0] {
        b'-' | b'?' | b':' => b.len() > 1 && b[1] != b' ',
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    }
}

/// Whether a line of a plain scalar holds no `: ` (a mapping) or ` #` (a comment).
fn plain_line(t: &str) -> bool {
    key_colon(t).is_none() && !t.contains(" #")
}

/// A plain scalar's value after go-yaml's resolution and the JSON round trip.
fn resolved(text: &str) -> Option<Value> {
    Some(match resolve_plain(text) {
        Resolved::Null => Value::Nil,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Float(i as f64),
        Resolved::Uint(u) => Value::Float(u as f64),
        Resolved::Float(f) if f.is_finite() => Value::Float(f),
        Resolved::Float(_) => return None,
        Resolved::Str | Resolved::Timestamp => Value::str(text),
    })
}

/// A single-line `'...'` scalar that is the whole rest of its line.
fn single_quoted(t: &str) -> Option<String> {
    let body = &t[1..];
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\'' {
            if body[i + 1..].starts_with('\'') {
                out.push('\'');
                chars.next();
                continue;
            }
            return body[i + 1..].is_empty().then_some(out);
        }
        out.push(c);
    }
    None
}

/// A single-line `"..."` scalar that is the whole rest of its line, with YAML's
/// escapes.
fn double_quoted(t: &str) -> Option<String> {
    let body = &t[1..];
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return body[i + 1..].is_empty().then_some(out),
            '\\' => {
                let (_, e) = chars.next()?;
                let hex = |n: usize, chars: &mut std::str::CharIndices| -> Option<char> {
                    let mut v = 0u32;
                    for _ in 0..n {
                        v = v * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    char::from_u32(v)
                };
                out.push(match e {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    't' => '\t',
                    'n' => '\n',
                    'v' => '\u{b}',
                    'f' => '\u{c}',
                    'r' => '\r',
                    'e' => '\u{1b}',
                    ' ' => ' ',
                    '"' => '"',
                    '/' => '/',
                    '\\' => '\\',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => hex(2, &mut chars)?,
                    'u' => hex(4, &mut chars)?,
                    'U' => hex(8, &mut chars)?,
                    _ => return None,
                });
            }
            _ => out.push(c),
        }
    }
    None
}
