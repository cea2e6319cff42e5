//! A quick reader for plain block YAML: the documents templates render, and most
//! values files.
//!
//! Helm reads every rendered document in full (sigs.k8s.io/yaml) to learn four
//! fields of its head and to refuse invalid YAML; for large charts that reading is
//! most of charter's work when it goes through the general reader ([`super::read`],
//! with its event parser, repairs and go-yaml error wording). This module validates
//! a document line by line without building it, and keeps only the values a caller
//! asks for by path ([`quick_read`]). Values files are read whole the same way
//! ([`quick_values`]), several times faster than the general reader.
//!
//! It accepts a deliberately small subset: block mappings and sequences (also
//! indentless and compact ones), plain, single- and double-quoted scalars on one
//! line, literal and folded block scalars with automatic indentation, one-line flow
//! collections, and comments. Anything else (tabs, anchors, aliases, tags, merge
//! keys, multi-line flow or quoted scalars, keys that are not strings, directives,
//! unusual characters) answers `None`, and the caller reads the document with the
//! general reader, which also words every error. So this reader never decides that
//! a document is invalid, and a document it accepts is one the general reader reads
//! the same: `tests/quick_yaml.rs` checks that on every document of the corpus's
//! expected output, `tests/quick_values.rs` on every values file of its charts, and
//! both on thousands of mutations of them.

use std::borrow::Cow;

use super::resolve::{Resolved, resolve_plain};
use crate::gotmpl::{Map, Value};

/// Nesting deeper than this goes to the general reader.
const MAX_NESTING: usize = 64;

/// go-yaml's limit on the length of an implicit key.
const MAX_KEY: usize = 1024;

/// Reads `text` as one YAML document whose root is a block mapping, keeping the
/// entries whose key path `keep` accepts (and, under a kept mapping, only the kept
/// entries). Kept scalars resolve as go-yaml resolves them (integers stay `Int`, as
/// [`super::parse_value_typed`] gives them); a kept sequence is given as an empty
/// list and a kept non-empty flow mapping or block scalar makes the answer `None`.
/// `None` also when the document is outside the subset this reader knows.
pub fn quick_read(text: &str, keep: &dyn Fn(&[&str]) -> bool) -> Option<Map> {
    quick_read_or_line(text, keep).ok()
}

/// [`quick_read`], or the 0-based line it stopped at (for finding what the subset
/// lacks: `tests/quick_yaml.rs` reports it).
pub fn quick_read_or_line(text: &str, keep: &dyn Fn(&[&str]) -> bool) -> Result<Map, usize> {
    read_document(text, keep, false)
}

/// One document whose root is a block mapping: `full` builds everything (and an
/// empty document is an empty map), else only the entries `keep` accepts.
fn read_document(text: &str, keep: &dyn Fn(&[&str]) -> bool, full: bool) -> Result<Map, usize> {
    if !plain_characters(text) {
        return Err(0);
    }
    let lines = split_lines(text);
    // Document markers and directives belong to the general reader.
    if let Some(at) = lines
        .iter()
        .position(|l| l.starts_with("---") || l.starts_with("...") || l.starts_with('%'))
    {
        return Err(at);
    }
    let mut r = Reader {
        lines,
        at: 0,
        keep,
        path: Vec::new(),
        full,
    };
    let read = (|| {
        let Some((indent, _)) = r.peek() else {
            return full.then(Map::new);
        };
        if indent != 0 {
            return None;
        }
        let root = r.mapping(0, true)?;
        if r.peek().is_some() {
            return None;
        }
        Some(root)
    })();
    read.ok_or(r.at)
}

/// Reads `text` as Helm reads a values file (`sigs.k8s.io/yaml.Unmarshal` into a
/// map): every entry kept, sequences, flow collections and literal block scalars
/// built, and every number a float as the JSON round trip leaves it. `None` when
/// the document is outside the subset (see the module comment; here also folded
/// and keep-chomped block scalars, a block scalar at the text's end without a line
/// break, flow mapping keys that are not strings, and numbers JSON cannot hold),
/// for the general reader to read and word any error. An empty document is an
/// empty map.
pub fn quick_values(text: &str) -> Option<Map> {
    quick_values_or_line(text).ok()
}

/// [`quick_values`], or the 0-based line it stopped at (`tests/quick_values.rs`
/// reports where the subset falls short).
pub fn quick_values_or_line(text: &str) -> Result<Map, usize> {
    read_document(text, &|_| true, true)
}

/// Whether every character is one this reader can take as it is: printable (as
/// go-yaml counts it), no tab or carriage return, and none of the characters YAML
/// 1.1 reads as line breaks or byte order marks.
fn plain_characters(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) || b == b'\n')
    {
        return true;
    }
    text.chars().all(|c| match c {
        '\n' | ' '..='~' => true,
        '\u{a0}'..='\u{d7ff}' => c != '\u{2028}' && c != '\u{2029}',
        '\u{e000}'..='\u{fffd}' => c != '\u{feff}',
        '\u{10000}'.. => true,
        _ => false,
    })
}

/// `text.split('\n')`, collected: the line breaks found by one vectorized scan
/// instead of a search per line.
fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..nl]);
        start = nl + 1;
    }
    lines.push(&text[start..]);
    lines
}

/// Leading spaces of a line.
fn indent_of(line: &str) -> usize {
    line.bytes().take_while(|&b| b == b' ').count()
}

/// A line with nothing but spaces, or a comment line.
fn is_blank_or_comment(line: &str) -> bool {
    let rest = line.trim_start_matches(' ');
    rest.is_empty() || rest.starts_with('#')
}

/// A sequence entry's dash: `-` followed by a space or the line's end.
fn is_dash(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// Text after a scalar: nothing but spaces, then the line's end or a comment.
fn is_tail(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

struct Reader<'a, 'k> {
    lines: Vec<&'a str>,
    /// The next line to read.
    at: usize,
    keep: &'k dyn Fn(&[&str]) -> bool,
    /// Keys from the root to the node being read (only along kept entries).
    path: Vec<Cow<'a, str>>,
    /// Everything is kept and built as a values file reads ([`quick_values`]).
    full: bool,
}

/// What a node read in a kept position holds.
enum Node {
    /// The node is valid but not kept.
    Skipped,
    Kept(Value),
}

impl<'a> Reader<'a, '_> {
    /// The next line that holds content (skipping blank and comment lines), with its
    /// indentation; the cursor moves to it.
    fn peek(&mut self) -> Option<(usize, &'a str)> {
        while let Some(&line) = self.lines.get(self.at) {
            if is_blank_or_comment(line) {
                self.at += 1;
                continue;
            }
            let indent = indent_of(line);
            return Some((indent, &line[indent..]));
        }
        None
    }

    /// Whether the entry at the current path plus `key` is kept.
    fn keeps(&self, key: &str, kept_parent: bool) -> bool {
        if !kept_parent {
            return false;
        }
        if self.full {
            return true;
        }
        let path: Vec<&str> = self
            .path
            .iter()
            .map(|k| k.as_ref())
            .chain(std::iter::once(key))
            .collect();
        (self.keep)(&path)
    }

    /// A block mapping whose keys are at column `indent`; the cursor is on its first
    /// key line.
    fn mapping(&mut self, indent: usize, kept: bool) -> Option<Map> {
        let mut map = Map::new();
        let mut first = true;
        while let Some((at, content)) = self.peek() {
            if at < indent && !first {
                break;
            }
            if at != indent {
                return None;
            }
            first = false;
            self.at += 1;
            self.entry(content, indent, kept, &mut map)?;
            // An indentless sequence ends at the next key of its mapping; any other
            // line at this indentation must be a key.
            if let Some((at, content)) = self.peek()
                && at == indent
                && is_dash(content)
            {
                return None;
            }
        }
        Some(map)
    }

    /// One `key: value` line of a mapping at `indent` (the cursor is past it), and the
    /// lines its value spans.
    fn entry(&mut self, content: &'a str, indent: usize, kept: bool, map: &mut Map) -> Option<()> {
        let (key, rest) = split_key(content)?;
        let keep = self.keeps(&key, kept);
        self.path.push(key);
        let value = self.value(rest, indent, keep, true);
        let key = self.path.pop()?;
        if let Node::Kept(v) = value? {
            map.insert(key.into_owned(), v);
        }
        Some(())
    }

    /// The value of a mapping entry or sequence entry, from the text after `key:` or
    /// `-` on its line; `owner` is the column of the key or dash.
    fn value(&mut self, rest: &'a str, owner: usize, keep: bool, in_mapping: bool) -> Option<Node> {
        if self.path.len() > MAX_NESTING {
            return None;
        }
        let text = rest.trim_start_matches(' ');
        if text.is_empty() || (text.starts_with('#') && text.len() < rest.len()) {
            return self.block_node(owner, keep, in_mapping);
        }
        if rest.len() == text.len() {
            // `key:value` is not a key, `-x` not an entry: the callers check, so
            // this is unreachable with a separator; refuse rather than guess.
            return None;
        }
        self.inline(text, owner, keep)
    }

    /// A node that starts at `text` (not blank, not a comment) and is not a
    /// collection of block lines; the cursor is on the line after `text`'s.
    fn inline(&mut self, text: &'a str, owner: usize, keep: bool) -> Option<Node> {
        match text.as_bytes()[0] {
            b'|' | b'>' => {
                if keep {
                    return self
                        .literal(text, owner)
                        .map(|v| Node::Kept(Value::string(v)));
                }
                self.block_scalar(text, owner)?;
                Some(Node::Skipped)
            }
            b'"' | b'\'' => {
                let Some((value, after)) = quoted(text) else {
                    if keep {
                        return None;
                    }
                    self.quoted_lines(text, owner)?;
                    return Some(Node::Skipped);
                };
                if !is_tail(after) {
                    return None;
                }
                Some(if keep {
                    Node::Kept(Value::str(&value))
                } else {
                    Node::Skipped
                })
            }
            b'[' | b'{' => {
                let (empty, after) = flow(text)?;
                if !is_tail(after) {
                    return None;
                }
                if !keep {
                    return Some(Node::Skipped);
                }
                if self.full {
                    // A values file's collections are built; a manifest's lists
                    // are only counted in.
                    return flow_value(text, 0).map(|(v, _)| Node::Kept(v));
                }
                match (text.as_bytes()[0], empty) {
                    (b'[', _) => Some(Node::Kept(Value::list(Vec::new()))),
                    (_, true) => Some(Node::Kept(Value::map(Map::new()))),
                    _ => None,
                }
            }
            b'-' if is_dash(text) => None,
            _ => {
                let (scalar, commented) = plain(text)?;
                let continued = !commented && self.continuation(owner)?;
                if !keep {
                    return Some(Node::Skipped);
                }
                if continued {
                    return None;
                }
                Some(Node::Kept(if self.full {
                    json_resolved(scalar)?
                } else {
                    resolved(scalar)?
                }))
            }
        }
    }

    /// A quoted scalar that starts at `text` and goes on over the next lines, each
    /// more indented than `owner` (or blank). Only validated.
    fn quoted_lines(&mut self, text: &str, owner: usize) -> Option<()> {
        let quote = text.as_bytes()[0];
        if close_quote(&text[1..], quote)?.is_some() {
            // Closed on its line, so `quoted` refused it for another reason.
            return None;
        }
        while let Some(&line) = self.lines.get(self.at) {
            self.at += 1;
            let at = indent_of(line);
            if at == line.len() {
                continue;
            }
            if at <= owner {
                return None;
            }
            let content = &line[at..];
            if let Some(end) = close_quote(content, quote)? {
                return is_tail(&content[end + 1..]).then_some(());
            }
        }
        None
    }

    /// The continuation lines of a plain scalar (more indented than `owner`, blank
    /// lines between them); whether there were any.
    fn continuation(&mut self, owner: usize) -> Option<bool> {
        let mut continued = false;
        while let Some(&line) = self.lines.get(self.at) {
            let at = indent_of(line);
            if at == line.len() {
                self.at += 1;
                continue;
            }
            if at <= owner {
                break;
            }
            let content = &line[at..];
            // A comment ends the scalar, and then a deeper line is an error.
            if content.starts_with('#') || content.contains(" #") {
                return None;
            }
            if content.contains(": ") || content.ends_with(':') {
                return None;
            }
            continued = true;
            self.at += 1;
        }
        Some(continued)
    }

    /// The node on the lines after `key:` or `-` with nothing else on the line:
    /// a more indented mapping or sequence, an indentless sequence (for a mapping
    /// entry), or null.
    fn block_node(&mut self, owner: usize, keep: bool, in_mapping: bool) -> Option<Node> {
        let next = self.peek();
        let Some((at, content)) = next else {
            return Some(if keep {
                Node::Kept(Value::Nil)
            } else {
                Node::Skipped
            });
        };
        if at < owner || (at == owner && !(in_mapping && is_dash(content))) {
            return Some(if keep {
                Node::Kept(Value::Nil)
            } else {
                Node::Skipped
            });
        }
        if !is_dash(content) && split_key(content).is_none() {
            // A scalar or flow collection on the lines after its key.
            self.at += 1;
            return self.inline(content, owner, keep);
        }
        if is_dash(content) {
            let items = self.sequence(at, keep && self.full)?;
            return Some(if keep {
                Node::Kept(Value::list(items))
            } else {
                Node::Skipped
            });
        }
        let map = self.mapping(at, keep)?;
        Some(if keep {
            Node::Kept(Value::map(map))
        } else {
            Node::Skipped
        })
    }

    /// A block sequence whose dashes are at column `indent`; the cursor is on its
    /// first entry. Entries are validated, and built when `keep` (else the list
    /// is empty).
    fn sequence(&mut self, indent: usize, keep: bool) -> Option<Vec<Value>> {
        self.path.push(Cow::Borrowed("-"));
        let result = self.entries(indent, keep);
        self.path.pop();
        result
    }

    fn entries(&mut self, indent: usize, keep: bool) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        while let Some((at, content)) = self.peek() {
            if at != indent || !is_dash(content) {
                // Less indented, or the next key of the mapping an indentless
                // sequence belongs to; anything else is the mapping's to refuse.
                break;
            }
            self.at += 1;
            let rest = &content[1..];
            let text = rest.trim_start_matches(' ');
            if is_dash(text) {
                // `- - x`: a compact nested sequence.
                return None;
            }
            if !text.is_empty()
                && !text.starts_with('#')
                && let Some((key, after)) = split_key(text)
            {
                // `- key: value`: a mapping whose keys are at the key's column.
                let column = indent + 1 + (rest.len() - text.len());
                let mut map = Map::new();
                self.path.push(key);
                let value = self.value(after, column, keep, true);
                let key = self.path.pop()?;
                if let Node::Kept(v) = value? {
                    map.insert(key.into_owned(), v);
                }
                while let Some((at, content)) = self.peek() {
                    if at != column {
                        break;
                    }
                    if is_dash(content) {
                        return None;
                    }
                    self.at += 1;
                    self.entry(content, column, keep, &mut map)?;
                }
                if let Some((at, _)) = self.peek()
                    && at > indent
                {
                    return None;
                }
                if keep {
                    items.push(Value::map(map));
                }
                continue;
            }
            if let Node::Kept(v) = self.value(rest, indent, keep, false)? {
                items.push(v);
            }
            if let Some((at, _)) = self.peek()
                && at > indent
            {
                return None;
            }
        }
        Some(items)
    }

    /// A literal block scalar (`|` or `|-`) whose header is `header` and whose
    /// content lines are more indented than `owner`: its value. `None` for the
    /// rest (folded, `+`, indentation indicators, a blank line deeper than the
    /// content, leading blank lines, no line break after the last line), which the
    /// general reader reads.
    fn literal(&mut self, header: &str, owner: usize) -> Option<String> {
        let strip = match header.as_bytes().get(1) {
            Some(b'-') => true,
            Some(b'+' | b'0'..=b'9') => return None,
            _ => false,
        };
        if !self.full || !header.starts_with('|') || !is_tail(&header[1 + usize::from(strip)..]) {
            return None;
        }
        // Nothing more indented than the key right after the header: empty.
        if let Some(&next) = self.lines.get(self.at)
            && indent_of(next) < next.len()
            && indent_of(next) <= owner
        {
            return Some(String::new());
        }
        let first = self.at;
        self.block_scalar(header, owner)?;
        let end = self.at;
        let body = &self.lines[first..end];
        // The content's indentation: the first line's, which is not blank.
        let ci = indent_of(body.first()?);
        if ci == body[0].len() {
            return None;
        }
        // The last non-blank line must end with a line break.
        let last = body.iter().rposition(|l| indent_of(l) < l.len())?;
        if first + last + 1 >= self.lines.len() {
            return None;
        }
        let mut out = String::new();
        for (i, line) in body[..=last].iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if indent_of(line) < line.len() {
                out.push_str(&line[ci..]);
            } else if line.len() > ci {
                // Spaces past the indentation on a blank line are content.
                return None;
            }
        }
        if !strip {
            out.push('\n');
        }
        // Blank lines after the content are the chomped trailer; deeper ones are
        // content the general reader keeps.
        if body[last + 1..].iter().any(|l| l.len() > ci) {
            return None;
        }
        Some(out)
    }

    /// A literal or folded block scalar whose header is `header`; its content lines
    /// must be more indented than `owner`. Only validated.
    fn block_scalar(&mut self, header: &str, owner: usize) -> Option<()> {
        let bytes = header.as_bytes();
        let mut i = 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if !is_tail(&header[i..]) {
            return None;
        }
        // The content's indentation is the first non-blank line's.
        let mut content_indent = None;
        let mut leading_spaces = 0;
        while let Some(&line) = self.lines.get(self.at) {
            let at = indent_of(line);
            if at == line.len() {
                if content_indent.is_none() {
                    leading_spaces = leading_spaces.max(at);
                }
                self.at += 1;
                continue;
            }
            match content_indent {
                None => {
                    // An empty block scalar, or leading blank lines with more
                    // spaces than the content (an error).
                    if at <= owner || leading_spaces > at {
                        return None;
                    }
                    content_indent = Some(at);
                }
                Some(ci) if at < ci => {
                    // The scalar ended: the next line must belong to an enclosing
                    // node, and not be a comment the general reader words itself.
                    if at > owner {
                        return None;
                    }
                    return Some(());
                }
                Some(_) => {}
            }
            self.at += 1;
        }
        content_indent.map(|_| ())
    }
}

/// Splits `key: rest` (or `key:` at the line's end) into the key's text and what
/// follows the colon. `None` when the line does not start with a key this reader
/// takes: plain keys must be strings of ordinary characters, quoted keys must end
/// right before the colon.
fn split_key(content: &str) -> Option<(Cow<'_, str>, &str)> {
    let first = *content.as_bytes().first()?;
    let (key, after) = if first == b'"' || first == b'\'' {
        let (key, after) = quoted(content)?;
        if content.len() - after.len() > MAX_KEY {
            return None;
        }
        (key, after.strip_prefix(':')?)
    } else {
        if b"-?:,[]{}#&*!|>%@`".contains(&first) {
            return None;
        }
        let colon = content.find(':')?;
        let key = &content[..colon];
        if key.len() > MAX_KEY
            || key.ends_with(' ')
            || key.contains(" #")
            || key.bytes().any(|b| b",[]{}".contains(&b))
            || key == "<<"
            || resolve_plain(key) != Resolved::Str
        {
            return None;
        }
        (Cow::Borrowed(key), &content[colon + 1..])
    };
    if after.is_empty() || after.starts_with(' ') {
        Some((key, after))
    } else {
        None
    }
}

/// A plain scalar in block context: the text up to a comment, trimmed, and whether
/// a comment follows it; `None` when it could be anything else (an indicator first,
/// `: ` inside, a `:` last).
fn plain(text: &str) -> Option<(&str, bool)> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    let dash_start = first == b'-' && bytes.get(1).is_some_and(|&b| b != b' ');
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first) && !dash_start {
        // `-x` is plain (`--flag`, `-1`); `?x` and `:x` are too, but rare enough
        // to leave.
        return None;
    }
    let comment = text.find(" #");
    let value = text[..comment.unwrap_or(text.len())].trim_end_matches(' ');
    if value.contains(": ") || value.ends_with(':') {
        return None;
    }
    Some((value, comment.is_some()))
}

/// A kept plain scalar as go-yaml decodes it into `interface{}`; `None` for the
/// resolutions the typed reading treats specially (big unsigned integers).
fn resolved(text: &str) -> Option<Value> {
    Some(match resolve_plain(text) {
        Resolved::Str | Resolved::Timestamp => Value::str(text),
        Resolved::Null => Value::Nil,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Int(i),
        Resolved::Float(f) => Value::Float(f),
        Resolved::Uint(_) => return None,
    })
}

/// A plain scalar as a values file reads it: go-yaml's resolution, then the JSON
/// round trip (every number a float); `None` for NaN and infinities, which the
/// round trip refuses with an error the general reader words.
pub fn json_resolved(text: &str) -> Option<Value> {
    Some(match resolve_plain(text) {
        Resolved::Str | Resolved::Timestamp => Value::str(text),
        Resolved::Null => Value::Nil,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::Float(i as f64),
        Resolved::Uint(u) => Value::Float(u as f64),
        Resolved::Float(f) if f.is_finite() => Value::Float(f),
        Resolved::Float(_) => return None,
    })
}

/// A single- or double-quoted scalar that ends on its line: its value and the
/// text after the closing quote.
fn quoted(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let quote = *text.as_bytes().first()?;
    let body = &text[1..];
    if quote == b'\'' {
        let mut value: Option<String> = None;
        let mut from = 0;
        loop {
            let at = from + body[from..].find('\'')?;
            if body[at + 1..].starts_with('\'') {
                let v = value.get_or_insert_with(String::new);
                v.push_str(&body[from..=at]);
                from = at + 2;
                continue;
            }
            return Some(closed(body, value, from, at));
        }
    }
    let mut value: Option<String> = None;
    let mut from = 0;
    loop {
        let at = from + body[from..].find(['"', '\\'])?;
        if body.as_bytes()[at] == b'"' {
            return Some(closed(body, value, from, at));
        }
        let v = value.get_or_insert_with(String::new);
        v.push_str(&body[from..at]);
        let (c, len) = escape(&body[at..])?;
        v.push(c);
        from = at + len;
    }
}

/// A quoted scalar's value once its closing quote is found at `at` in `body`:
/// the text itself when nothing was unescaped, else `value` with the rest from
/// `from`; and the text after the quote.
fn closed<'t>(
    body: &'t str,
    value: Option<String>,
    from: usize,
    at: usize,
) -> (Cow<'t, str>, &'t str) {
    let after = &body[at + 1..];
    match value {
        None => (Cow::Borrowed(&body[..at]), after),
        Some(mut v) => {
            v.push_str(&body[from..at]);
            (Cow::Owned(v), after)
        }
    }
}

/// The escape sequence at the start of `text` (which starts with `\`) in a
/// double-quoted scalar, as go-yaml reads it: the character and the sequence's
/// length; `None` for an escape go-yaml refuses or a cut-off one.
fn escape(text: &str) -> Option<(char, usize)> {
    let esc = *text.as_bytes().get(1)?;
    let simple = match esc {
        b'0' => '\0',
        b'a' => '\u{7}',
        b'b' => '\u{8}',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\u{b}',
        b'f' => '\u{c}',
        b'r' => '\r',
        b'e' => '\u{1b}',
        b' ' => ' ',
        b'"' => '"',
        // (No `\/`: go-yaml, a YAML 1.1 reader, refuses it.)
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' | b'u' | b'U' => {
            let width = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = text.get(2..2 + width)?;
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            return Some((
                char::from_u32(u32::from_str_radix(hex, 16).ok()?)?,
                2 + width,
            ));
        }
        _ => return None,
    };
    Some((simple, 2))
}

/// Where the closing quote is in `body` (a quoted scalar's text after its opening
/// quote, or one of its continuation lines); `Some(None)` when the line ends first,
/// `None` for an escape go-yaml refuses.
fn close_quote(body: &str, quote: u8) -> Option<Option<usize>> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' if quote == b'\'' => {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                return Some(Some(i));
            }
            b'"' if quote == b'"' => return Some(Some(i)),
            b'\\' if quote == b'"' => {
                if i + 1 == bytes.len() {
                    // An escaped line break.
                    return Some(None);
                }
                i += escape(&body[i..])?.1;
            }
            _ => i += 1,
        }
    }
    Some(None)
}

/// A flow collection that ends on its line, of quoted and plain scalars, nested
/// collections and `key: value` pairs: whether it is empty, and the text after it.
fn flow(text: &str) -> Option<(bool, &str)> {
    let (rest, empty) = flow_collection(text, 0)?;
    Some((empty, rest))
}

fn skip_spaces(s: &str) -> &str {
    s.trim_start_matches(' ')
}

/// One flow collection at the start of `text`; returns what follows it and whether
/// it had no entries.
fn flow_collection(text: &str, depth: usize) -> Option<(&str, bool)> {
    if depth > MAX_NESTING {
        return None;
    }
    let open = *text.as_bytes().first()?;
    let close = if open == b'[' { b']' } else { b'}' };
    let mut rest = skip_spaces(&text[1..]);
    let mut empty = true;
    loop {
        if rest.as_bytes().first() == Some(&close) {
            return Some((&rest[1..], empty));
        }
        // An entry: a node, and in a mapping `: node` after it.
        rest = flow_node(rest, depth)?;
        rest = skip_spaces(rest);
        if open == b'{' {
            rest = rest.strip_prefix(':')?;
            if !rest.starts_with(' ') {
                return None;
            }
            rest = flow_node(skip_spaces(rest), depth)?;
            rest = skip_spaces(rest);
        }
        empty = false;
        match rest.as_bytes().first()? {
            b',' => rest = skip_spaces(&rest[1..]),
            &c if c == close => {}
            _ => return None,
        }
    }
}

/// The flow collection at the start of `text` (one [`flow`] accepted) built as a
/// values file reads it, and the text after it; `None` for a mapping key that is
/// not a string.
fn flow_value(text: &str, depth: usize) -> Option<(Value, &str)> {
    if depth > MAX_NESTING {
        return None;
    }
    let open = *text.as_bytes().first()?;
    let close = if open == b'[' { b']' } else { b'}' };
    let mut rest = skip_spaces(&text[1..]);
    let mut list = Vec::new();
    let mut map = Map::new();
    loop {
        if rest.as_bytes().first() == Some(&close) {
            let value = if open == b'[' {
                Value::list(list)
            } else {
                Value::map(map)
            };
            return Some((value, &rest[1..]));
        }
        if open == b'{' {
            let (key, after) = match *rest.as_bytes().first()? {
                b'"' | b'\'' => quoted(rest)?,
                _ => {
                    let after = flow_node(rest, depth)?;
                    let key = &rest[..rest.len() - after.len()];
                    if resolve_plain(key) != Resolved::Str || key == "<<" {
                        return None;
                    }
                    (Cow::Borrowed(key), after)
                }
            };
            rest = skip_spaces(after).strip_prefix(':')?;
            if !rest.starts_with(' ') {
                return None;
            }
            let (value, after) = flow_item(skip_spaces(rest), depth)?;
            map.insert(key.into_owned(), value);
            rest = skip_spaces(after);
        } else {
            let (value, after) = flow_item(rest, depth)?;
            list.push(value);
            rest = skip_spaces(after);
        }
        match rest.as_bytes().first()? {
            b',' => rest = skip_spaces(&rest[1..]),
            &c if c == close => {}
            _ => return None,
        }
    }
}

/// One node inside a flow collection, built ([`flow_value`]), and the text after it.
fn flow_item(text: &str, depth: usize) -> Option<(Value, &str)> {
    match *text.as_bytes().first()? {
        b'[' | b'{' => flow_value(text, depth + 1),
        b'"' | b'\'' => quoted(text).map(|(v, rest)| (Value::str(&v), rest)),
        _ => {
            let after = flow_node(text, depth)?;
            let value = json_resolved(&text[..text.len() - after.len()])?;
            Some((value, after))
        }
    }
}

/// One node inside a flow collection; returns the text after it.
fn flow_node(text: &str, depth: usize) -> Option<&str> {
    match *text.as_bytes().first()? {
        b'[' | b'{' => flow_collection(text, depth + 1).map(|(rest, _)| rest),
        b'"' | b'\'' => quoted(text).map(|(_, rest)| rest),
        c if b"-?:,[]{}#&*!|>%@`".contains(&c) => None,
        _ => {
            // A plain scalar: up to a flow indicator or `: `.
            let end = text
                .find([',', '[', ']', '{', '}', '#', ':'])
                .unwrap_or(text.len());
            let value = text[..end].trim_end_matches(' ');
            if value.is_empty() {
                return None;
            }
            let after = &text[end..];
            // `a:b` continues a plain scalar and `a #b` is a comment: both are left
            // to the general reader, as is a scalar that runs to the line's end.
            match after.as_bytes().first() {
                Some(b':') if !after[1..].starts_with(' ') => None,
                Some(b'#') | None => None,
                _ => Some(&text[value.len()..]),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &[&str]) -> bool {
        true
    }

    fn read(text: &str) -> Option<Map> {
        quick_read(text, &all)
    }

    /// The mapping under `key`.
    fn child(map: &Map, key: &str) -> Map {
        match map.get(key) {
            Some(Value::Map(m)) => (***m).clone(),
            other => panic!("{key}: {other:?}"),
        }
    }

    #[test]
    fn lines_split_as_str_split_splits_them() {
        for text in ["", "\n", "a", "a\n", "\n\nb", "a\r\nb\n\n", "é\nü"] {
            assert_eq!(
                split_lines(text),
                text.split('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn reads_the_usual_manifest_shapes() {
        let doc = "apiVersion: v1\nkind: ConfigMap # trailing\nmetadata:\n  name: \"x\"\n  labels:\n    a: 'b''c'\n  annotations: {}\n# comment\ndata:\n  script: |\n    echo a: b\n\n    # kept\n  list:\n  - a\n  - b: c\n    d: [1, \"2\", {e: f}]\n  num: 5\n";
        // A kept block scalar is left to the general reader.
        assert!(read(doc).is_none());
        let head = |p: &[&str]| p[0] != "data";
        let map = quick_read(doc, &head).expect("in the subset");
        assert_eq!(map.get("kind"), Some(&Value::str("ConfigMap")));
        assert_eq!(map.get("data"), None);
        let meta = child(&map, "metadata");
        assert_eq!(meta.get("name"), Some(&Value::str("x")));
        let labels = child(&meta, "labels");
        assert_eq!(labels.get("a"), Some(&Value::str("b'c")));
    }

    #[test]
    fn leaves_everything_else_to_the_general_reader() {
        for doc in [
            "a:\tb\n",
            "a: &x b\n",
            "a: *x\n",
            "a: !!str b\n",
            "<<: {a: b}\n",
            "a: \"multi\n  line\"\n",
            "a: [b,\n  c]\n",
            "a: b\n  c\n",
            "a: b: c\n",
            "a: b\n- c\n",
            "  a: b\n",
            "- a\n",
            "a\n",
            "1: a\n",
            "true: a\n",
            "a: |2\n   x\n",
            "a: |\n  x\n # c\n",
            // An escape go-yaml refuses (YAML 1.2's `\/`), in a value and in a key.
            "apiVersion: \"v\\/1\"\n",
            "\"a\\/b\": c\n",
            "a: @b\n",
            "a:b\n",
            "a: \"\\q\"\n",
            "...\n",
            "a: b\n---\nc: d\n",
            "a: \u{85}\n",
            "a: [b c: d]\n",
        ] {
            assert!(read(doc).is_none(), "{doc:?} should be left alone");
        }
    }

    #[test]
    fn validates_multi_line_scalars_and_nodes_on_the_next_line() {
        let none = |_: &[&str]| false;
        for doc in [
            "a: plain\n  continued\n\n  after a blank\nb: c\n",
            "a: 'single\n  quoted'\nb: \"double \\\n  escaped break\"\n",
            "args:\n- --flag=1\n- -c\nmin: -1\n",
            "a:\n  {}\nb:\n  [x, y]\nc:\n  text on\n  two lines\n",
            "s: |\n  \n  text after a blank line no longer than the content's indent\n",
        ] {
            assert!(quick_read(doc, &none).is_some(), "{doc:?} is in the subset");
            assert!(
                super::super::parse_value_typed(doc).is_ok(),
                "{doc:?} is valid"
            );
        }
        for doc in [
            // A comment ends a plain scalar; a deeper line after it is an error.
            "a: b # c\n  d\n",
            // Continuation lines must be deeper than the key.
            "a: 'b\nc'\n",
            // Leading blank lines with more spaces than the content.
            "s: |\n      \n  text\n",
        ] {
            assert!(quick_read(doc, &none).is_none(), "{doc:?} is left alone");
        }
        // A kept multi-line value is left to the general reader, which folds it.
        assert!(quick_read("a: b\n  c\n", &|_| true).is_none());
    }

    #[test]
    fn reads_values_files_whole_as_helm_does() {
        let doc = "# defaults\nreplicas: 3\nratio: 1.5\nbig: 0x10\nenabled: yes\nnone: ~\nempty:\nname: 'it''s'\nlist:\n- a\n- 2\n- k: v\n  j: [1, \"x\", {q: r}]\n-\n  - nested\ntags: [\"ALL\"]\nscript: |\n  echo a: b\n\n    indented\n# a comment between\nstripped: |-\n  x\nempty_block: |\nafter: {}\n";
        let map = quick_values(doc).expect("in the subset");
        let full = match super::super::parse_value(doc).unwrap() {
            Value::Map(m) => (**m).clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(map, full);
        // Every number is a float, as after Helm's JSON round trip.
        assert_eq!(map.get("replicas"), Some(&Value::Float(3.0)));
        assert_eq!(map.get("big"), Some(&Value::Float(16.0)));
        assert_eq!(
            map.get("script"),
            Some(&Value::str("echo a: b\n\n  indented\n"))
        );
        assert_eq!(map.get("stripped"), Some(&Value::str("x")));
        assert_eq!(map.get("empty_block"), Some(&Value::str("")));
        assert_eq!(quick_values("# only comments\n"), Some(Map::new()));
        for doc in [
            "a: >\n  folded\n",
            "a: |+\n  kept\n\n",
            "a: |\n  no line break at the end",
            "a: |\n  x\n   \n  y\n",
            "a: .nan\n",
            "a: [1, {2: b}]\n",
            "a: b\n  c\n",
            "- a\n",
        ] {
            assert!(quick_values(doc).is_none(), "{doc:?} should be left alone");
        }
    }

    #[test]
    fn keeps_only_what_is_asked() {
        let keep = |p: &[&str]| p.first() == Some(&"metadata") && p.len() <= 2;
        let map = quick_read(
            "kind: X\nmetadata:\n  name: nm\n  labels:\n    a: b\n",
            &keep,
        )
        .expect("in the subset");
        assert_eq!(map.get("kind"), None);
        let meta = child(&map, "metadata");
        assert_eq!(meta.get("name"), Some(&Value::str("nm")));
        let labels = child(&meta, "labels");
        assert!(labels.is_empty());
    }
}
