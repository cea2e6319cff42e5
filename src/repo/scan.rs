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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use super::index::{IndexError, IndexFile, sort_newest_by, versions_from};
use super::search::{SearchChart, entries_of};
use crate::chart::decode::sanitize_cow;
use crate::chart::validate_identity;
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
        seen: None,
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
        let nl = i + memchr::memchr(b'\n', &b[i..end])?;
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
        match memchr::memchr(b'\n', &b[line..]) {
            Some(n) => line += n + 1,
            None => return b.len(),
        }
    }
    b.len()
}

fn chart_map(s: &str, start: usize, end: usize, col: usize, source: &str) -> Option<Found> {
    let mut p = Lines {
        s,
        pos: start,
        end,
        seen: None,
    };
    let mut out = Found::new();
    while let Some(l) = p.peek() {
        if l.indent != col || is_seq_item(l.text) {
            return None;
        }
        p.pos = l.next;
        let (name, rest) = split_key(l.text)?;
        let mut fast = p;
        let found = if rest.is_empty() {
            fast_chart(&mut fast, col, &name, source)
        } else {
            None
        };
        let found = match found {
            Some(found) => {
                p.pos = fast.pos;
                found
            }
            None => chart(&name, &p.value_after(rest, col, true, 2)?, source),
        };
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
    // Printable ASCII and newlines pass 64 bytes at a time (a loop the compiler
    // vectorizes); a chunk with anything else goes byte by byte.
    let simple = |c: u8| (0x20..0x7f).contains(&c) || c == b'\n';
    let mut i = 0;
    while i < b.len() {
        if i % 64 == 0
            && i + 64 <= b.len()
            && b[i..i + 64].iter().fold(true, |ok, &c| ok & simple(c))
        {
            i += 64;
            continue;
        }
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

#[derive(Clone, Copy)]
struct Lines<'a> {
    s: &'a str,
    pos: usize,
    end: usize,
    /// The line the last look-ahead found from a position (most lines are looked
    /// at twice: once to end the value before them, once to read them).
    seen: Option<(usize, Line<'a>)>,
}

const MAX_DEPTH: usize = 64;

impl<'a> Lines<'a> {
    /// The raw line at `at`: its text without the newline, and the next line's start.
    fn raw(&self, at: usize) -> (&'a str, usize) {
        let b = &self.s.as_bytes()[at..self.end];
        match memchr::memchr(b'\n', b) {
            Some(n) => (&self.s[at..at + n], at + n + 1),
            None => (&self.s[at..self.end], self.end),
        }
    }

    /// The next non-blank line, without consuming it.
    fn peek(&mut self) -> Option<Line<'a>> {
        if let Some((at, l)) = self.seen
            && at == self.pos
        {
            return Some(l);
        }
        let mut at = self.pos;
        while at < self.end {
            let (raw, next) = self.raw(at);
            let text = raw.trim_start_matches(' ');
            if !text.is_empty() {
                let l = Line {
                    indent: raw.len() - text.len(),
                    text: text.trim_end_matches(' '),
                    next,
                };
                self.seen = Some((self.pos, l));
                return Some(l);
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
            } else if starts_mapping(rest) {
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
                crate::yaml::quick::json_resolved(&text)
            }
        }
    }

    /// A plain scalar's text folded with its continuation lines (deeper than `col`).
    fn plain_continued(&mut self, first: &'a str, col: usize) -> Option<Cow<'a, str>> {
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
                self.seen = Some((
                    self.pos,
                    Line {
                        indent: raw.len() - t.len(),
                        text: t.trim_end_matches(' '),
                        next,
                    },
                ));
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
        Some(text.map_or(Cow::Borrowed(first), Cow::Owned))
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

/// The keys of an index entry the direct reader knows (exact case: any other
/// spelling goes to the general path, which matches keys as Go's JSON decoder does).
const ENTRY_KEYS: [&str; 21] = [
    "apiVersion",
    "appVersion",
    "created",
    "description",
    "digest",
    "home",
    "icon",
    "name",
    "version",
    "kubeVersion",
    "type",
    "condition",
    "tags",
    "engine",
    "deprecated",
    "removed",
    "keywords",
    "urls",
    "sources",
    "maintainers",
    "annotations",
];

/// A scalar as the direct reader sees it.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Bool,
}

/// What search and validation need from one entry.
#[derive(Default)]
struct Entry<'a> {
    name: Cow<'a, str>,
    version: Cow<'a, str>,
    app_version: Cow<'a, str>,
    description: Cow<'a, str>,
    api_version: Cow<'a, str>,
    chart_type: Option<Cow<'a, str>>,
    keywords: Vec<Cow<'a, str>>,
    /// The dependency checks of `Metadata::validate`, when the entry has any.
    dependency_error: Option<String>,
}

/// One chart's version list read straight into the search fields, without
/// building value trees, for the shape Helm and charter write: each item a mapping
/// of the keys in [`ENTRY_KEYS`] (plus `dependencies`) whose values are string
/// scalars (booleans for `deprecated`/`removed`), lists of strings, maintainer and
/// dependency mappings of strings, and string annotations. Validation is the full
/// reader's ([`validate_identity`] and the same dependency rules), so the charts
/// and warnings are the same. `None` sends the chart to the general path.
fn fast_chart(
    p: &mut Lines<'_>,
    col: usize,
    name: &str,
    source: &str,
) -> Option<(Vec<SearchChart>, Vec<String>)> {
    let mut versions = Vec::new();
    let mut warnings = Vec::new();
    p.maps(col, "", |p, c, t| {
        let mut e = p.entry(c, t)?;
        // Helm's Validate cleans these in place before checking (the version is
        // not cleaned), and search shows the cleaned text.
        e.name = sanitize_cow(e.name);
        e.app_version = sanitize_cow(e.app_version);
        e.description = sanitize_cow(e.description);
        e.keywords = e.keywords.into_iter().map(sanitize_cow).collect();
        let api = if e.api_version.is_empty() {
            "v1"
        } else {
            &e.api_version
        };
        let checked = validate_identity(api, &e.name, &e.version, e.chart_type.as_deref())
            .and_then(|()| e.dependency_error.map_or(Ok(()), Err));
        match checked {
            Ok(()) => versions.push(SearchChart::new(
                &e.name,
                &e.version,
                &e.app_version,
                &e.description,
                &e.keywords,
            )),
            Err(reason) => warnings.push(format!(
                "skipping loading invalid entry for chart {name:?} {:?} from {source}: validation: {reason}",
                e.version
            )),
        }
        Some(())
    })?;
    sort_newest_by(&mut versions, SearchChart::version);
    Some((versions, warnings))
}

impl<'a> Lines<'a> {
    /// Calls `f` with each key and the text after its `:` of the block mapping at
    /// column `col` whose first line's text is `text` (already consumed); `f`
    /// consumes the value. Duplicate keys give up, as the general path does.
    fn each_key(
        &mut self,
        col: usize,
        mut text: &'a str,
        mut f: impl FnMut(&mut Self, &'a str, &'a str) -> Option<()>,
    ) -> Option<()> {
        // The keys so far, on the stack: index entries have a dozen or two;
        // a mapping with more goes to the general path.
        let mut seen: [&'a str; 40] = [""; 40];
        let mut n = 0;
        loop {
            let i = key_colon(text)?;
            let key = &text[..i];
            if n == seen.len() || seen[..n].contains(&key) {
                return None;
            }
            seen[n] = key;
            n += 1;
            f(self, key, text[i + 1..].trim_start_matches(' '))?;
            match self.peek() {
                Some(l) if l.indent == col && !is_seq_item(l.text) => {
                    self.pos = l.next;
                    text = l.text;
                }
                Some(l) if l.indent >= col => return None,
                _ => return Some(()),
            }
        }
    }

    /// One entry (a mapping at column `col` starting with `text`).
    fn entry(&mut self, col: usize, text: &'a str) -> Option<Entry<'a>> {
        let mut e = Entry::default();
        self.each_key(col, text, |p, key, rest| {
            match key {
                "keywords" => e.keywords = p.strings(col, rest)?,
                "urls" | "sources" => {
                    p.strings(col, rest)?;
                }
                "maintainers" => p.maps(col, rest, |p, c, t| {
                    p.each_key(c, t, |p, k, r| {
                        matches!(k, "name" | "email" | "url").then_some(())?;
                        p.string(r, c).map(drop)
                    })
                })?,
                "annotations" => {
                    let l = p.peek().filter(|l| rest.is_empty() && l.indent > col)?;
                    p.pos = l.next;
                    p.each_key(l.indent, l.text, |p, k, r| {
                        split_key(&format!("{k}:"))?;
                        p.string(r, l.indent).map(drop)
                    })?;
                }
                "dependencies" => e.dependency_error = p.dependencies(col, rest)?,
                "deprecated" | "removed" => p.boolean(rest, col)?,
                _ => {
                    let field = match key {
                        "name" => &mut e.name,
                        "version" => &mut e.version,
                        "appVersion" => &mut e.app_version,
                        "description" => &mut e.description,
                        "apiVersion" => &mut e.api_version,
                        "type" => e.chart_type.get_or_insert_default(),
                        _ if ENTRY_KEYS.contains(&key) => &mut Cow::Borrowed(""),
                        _ => return None,
                    };
                    *field = p.string(rest, col)?;
                }
            }
            Some(())
        })?;
        Some(e)
    }

    /// A `dependencies` list of string mappings; the outcome of Helm's checks
    /// (`Some(None)` when they pass, `Some(Some(reason))` when they fail).
    fn dependencies(&mut self, col: usize, rest: &'a str) -> Option<Option<String>> {
        let mut keys: Vec<(String, String)> = Vec::new();
        self.maps(col, rest, |p, c, t| {
            let (mut name, mut alias) = (Cow::Borrowed(""), Cow::Borrowed(""));
            p.each_key(c, t, |p, k, r| {
                match k {
                    "name" => name = p.string(r, c)?,
                    "alias" => alias = p.string(r, c)?,
                    "version" | "repository" | "condition" => {
                        p.string(r, c)?;
                    }
                    "tags" => {
                        p.strings(c, r)?;
                    }
                    "enabled" => p.boolean(r, c)?,
                    _ => return None,
                }
                Some(())
            })?;
            keys.push((sanitize_cow(name).into_owned(), alias.into_owned()));
            Some(())
        })?;
        let mut seen = HashSet::new();
        for (name, alias) in &keys {
            if !alias.is_empty()
                && !alias
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Some(Some(format!(
                    "dependency {name:?} has disallowed characters in the alias"
                )));
            }
            let key = if alias.is_empty() { name } else { alias };
            if !seen.insert(key) {
                // Helm's index loader ignores this error (and stops checking).
                break;
            }
        }
        Some(None)
    }

    /// A block sequence of strings as the value of a mapping key at `col`.
    fn strings(&mut self, col: usize, rest: &'a str) -> Option<Vec<Cow<'a, str>>> {
        if rest == "[]" {
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        self.items(col, rest, |p, c, t| {
            if starts_mapping(t) {
                return None;
            }
            out.push(p.string(t, c)?);
            Some(())
        })?;
        Some(out)
    }

    /// A block sequence of mappings as the value of a mapping key at `col`; `f`
    /// reads each mapping (its column and first line's text).
    fn maps(
        &mut self,
        col: usize,
        rest: &'a str,
        mut f: impl FnMut(&mut Self, usize, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.items(col, rest, |p, c, t| {
            if !starts_mapping(t) {
                return None;
            }
            f(p, c, t)
        })
    }

    /// The items of a non-empty block sequence that is the value of a mapping key at
    /// `col` (`rest` is the text after the key's `:`, which must be empty): `f`
    /// gets each item's column and text after the dash.
    fn items(
        &mut self,
        col: usize,
        rest: &'a str,
        mut f: impl FnMut(&mut Self, usize, &'a str) -> Option<()>,
    ) -> Option<()> {
        let first = self.peek().filter(|_| rest.is_empty())?;
        if !is_seq_item(first.text) || first.indent < col {
            return None;
        }
        let seq = first.indent;
        loop {
            let l = match self.peek() {
                Some(l) if l.indent == seq && is_seq_item(l.text) => l,
                Some(l) if l.indent > seq => return None,
                _ => return Some(()),
            };
            self.pos = l.next;
            let t = l.text[1..].trim_start_matches(' ');
            if t.is_empty() || is_seq_item(t) {
                return None;
            }
            let item_col = seq + l.text.len() - t.len();
            // A scalar item continues on lines deeper than the dash; a mapping
            // item's keys sit at `item_col`.
            let c = if starts_mapping(t) { item_col } else { seq };
            f(self, c, t)?;
        }
    }

    /// A string scalar (plain, quoted or literal) starting with `rest`, in a
    /// collection at column `col`.
    fn string(&mut self, rest: &'a str, col: usize) -> Option<Cow<'a, str>> {
        match self.scalar(rest, col)? {
            Scalar::Str(s) => Some(s),
            Scalar::Bool => None,
        }
    }

    /// A boolean scalar (whose value nothing here needs).
    fn boolean(&mut self, rest: &'a str, col: usize) -> Option<()> {
        match self.scalar(rest, col)? {
            Scalar::Bool => Some(()),
            Scalar::Str(_) => None,
        }
    }

    /// A string or boolean scalar; `None` for anything else (numbers, null,
    /// collections), which the general path types as the full reader does.
    fn scalar(&mut self, rest: &'a str, col: usize) -> Option<Scalar<'a>> {
        let b = rest.as_bytes();
        Some(Scalar::Str(match b.first()? {
            b'"' => match memchr::memchr2(b'"', b'\\', &b[1..]) {
                // No escape: the text between the quotes, when they end the line.
                Some(i) if b[1 + i] == b'"' && 2 + i == b.len() => Cow::Borrowed(&rest[1..1 + i]),
                _ => Cow::Owned(double_quoted(rest)?),
            },
            b'\'' => match memchr::memchr(b'\'', &b[1..]) {
                Some(i) if 2 + i == b.len() => Cow::Borrowed(&rest[1..1 + i]),
                _ => Cow::Owned(single_quoted(rest)?),
            },
            b'|' => Cow::Owned(self.literal(rest, col)?),
            _ => {
                if !plain_start(rest) || !plain_line(rest) {
                    return None;
                }
                let text = self.plain_continued(rest, col)?;
                match resolve_plain(&text) {
                    Resolved::Str | Resolved::Timestamp => text,
                    Resolved::Bool(_) => return Some(Scalar::Bool),
                    _ => return None,
                }
            }
        }))
    }
}

/// Whether a sequence item's text starts a mapping (`key: ...`, the key unquoted).
fn starts_mapping(t: &str) -> bool {
    !t.starts_with(['"', '\'']) && key_colon(t).is_some()
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
    key_colon(t).is_none() && !t.as_bytes().windows(2).any(|w| w == b" #")
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
