//! yaml-rust2's events, read as go-yaml (libyaml) would produce them.
//!
//! yaml-rust2 follows YAML 1.2 and is stricter than libyaml in places real charts rely
//! on (flow collections less indented than their parent, comments right after a
//! quoted scalar, a tab after `:`), words its errors differently and numbers lines
//! its own way, and it treats U+0085/U+2028/U+2029 as ordinary characters. This
//! module turns its event stream into a node tree per document and bridges those
//! differences: prechecks for what go-yaml refuses up front (control characters,
//! `%YAML` versions, directive names), rewrites of the text that keep every line in
//! place for what go-yaml accepts, re-reading of affected quoted scalars, go-yaml's
//! rules for anchor names and (in [`super::tabs`]) for tabs, and go-yaml's error
//! wording and line numbering.

use std::borrow::Cow;
use std::collections::BTreeMap;

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, Scanner, TScalarStyle, Token, TokenType};

use super::MAX_DEPTH;
use super::error::YamlError;
use super::tabs::{self, Tok, TokKind};

/// Reads the documents of `text` as node trees (only the first when `first_only`,
/// as go-yaml's `Unmarshal` reads no further).
pub(super) fn read_documents(text: &str, first_only: bool) -> Result<Vec<Document>, YamlError> {
    precheck(text)?;
    // Made on the first error only: measuring the widest line cost a large values
    // file about a tenth of its reading time.
    let original = text;
    let mut repairer: Option<Repairer> = None;
    let mut text = Cow::Borrowed(text);
    let mut repairs = 0;
    'attempt: loop {
        let mut loader = Loader::new(&text);
        let body = loader.text;
        let starts = std::rc::Rc::clone(&loader.line_starts);
        let bad_anchor = first_bad_anchor(body);
        let mut first_line = 1;
        let mut out = Vec::new();
        loop {
            match loader.next_document() {
                Ok(Some((arena, root))) => {
                    let last = document_last_line(body, &starts, &loader.toks);
                    if let Some((l, err)) = &bad_anchor
                        && (first_line..=last).contains(l)
                    {
                        return Err(err.clone());
                    }
                    tabs::check(body, &starts, &loader.toks, first_line, last)?;
                    first_line = last + 1;
                    loader.toks.clear();
                    out.push(Document { arena, root });
                    if first_only {
                        return Ok(out);
                    }
                }
                Ok(None) => return Ok(out),
                Err(e) => {
                    let raw = loader.raw_error.take();
                    if let Some(fixed) = raw.as_ref().and_then(|raw| {
                        repairer
                            .get_or_insert_with(|| Repairer::new(original))
                            .repair(&text, raw)
                    }) && repairs < MAX_REPAIRS
                    {
                        repairs += 1;
                        text = Cow::Owned(fixed);
                        continue 'attempt;
                    }
                    // go-yaml may have stopped earlier, at an anchor name it cannot read
                    // or at a tab yaml-rust2 read on.
                    let err_line = raw.as_ref().map_or(usize::MAX, |r| r.marker().line());
                    if let Some((l, err)) = bad_anchor
                        && l <= err_line
                    {
                        return Err(err);
                    }
                    // (A plain scalar's tab is already worded as go-yaml words it.)
                    let upto = match raw.as_ref() {
                        Some(r) if r.info().ends_with("found a tab") => 0,
                        Some(r) => r.marker().line() + 1,
                        None => 0,
                    };
                    tabs::check(body, &starts, &loader.toks, first_line, upto)?;
                    return Err(e);
                }
            }
        }
    }
}

/// The first anchor or alias whose name go-yaml cannot read (its names are ASCII
/// letters, digits, `_` and `-`, ended by whitespace or one of `?:,]}%@` and a
/// backquote), with its line; found with yaml-rust2's scanner, whose names are longer.
fn first_bad_anchor(text: &str) -> Option<(usize, YamlError)> {
    // An `&` or `*` on a line that starts with `#` is in a comment or in a
    // scalar's text, never an anchor: most values files have them only there.
    let may_hold_one = text
        .split('\n')
        .any(|line| line.contains(['&', '*']) && !line.trim_start().starts_with('#'));
    if !may_hold_one {
        return None;
    }
    let starts = line_starts(text);
    let mut scanner = Scanner::new(text.chars());
    while let Ok(Some(Token(mark, tok))) = scanner.next_token() {
        let name = match tok {
            TokenType::Anchor(name) | TokenType::Alias(name) => name,
            TokenType::StreamEnd => break,
            _ => continue,
        };
        let go: String = name
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        // The character after the name in the text (yaml-rust2 stops at `{` too).
        let at = starts
            .get(mark.line().wrapping_sub(1))
            .map_or(text.len(), |&s| {
                text[s..]
                    .char_indices()
                    .nth(mark.col())
                    .map_or(text.len(), |(b, _)| s + b)
            });
        let next = text
            .get(at + 1 + go.len()..)
            .and_then(|r| r.chars().next())
            .filter(|c| !c.is_whitespace());
        let ends = next.is_none_or(|c| matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`'));
        if go.is_empty() || !ends {
            let l = mark.line();
            return Some((
                l,
                YamlError::yaml(
                    (l > 1).then_some(l),
                    "did not find expected alphabetic or numeric character",
                ),
            ));
        }
    }
    None
}

/// The last line go-yaml scans for a document: up to the next `---` or `...` line.
fn document_last_line(text: &str, starts: &[usize], toks: &[Tok]) -> usize {
    let from = toks.iter().map(|t| t.line).max().unwrap_or(1);
    for l in from + 1..=starts.len() {
        let s = starts[l - 1];
        let rest = &text[s..];
        if (rest.starts_with("---") || rest.starts_with("..."))
            && rest[3..].chars().next().is_none_or(|c| c.is_whitespace())
        {
            return l - 1;
        }
    }
    starts.len()
}

/// One document: its nodes and the index of the root.
pub(super) struct Document {
    pub(super) arena: Arena,
    pub(super) root: usize,
}

/// How many times a text is re-read after a [`repair`].
const MAX_REPAIRS: usize = 64;

/// Checks go-yaml makes before yaml-rust2 would: its reader refuses control
/// characters, and its parser refuses a `%YAML` directive other than 1.1.
fn precheck(text: &str) -> Result<(), YamlError> {
    let bad = text.chars().any(|c| {
        let c = c as u32;
        !(c == 0x09
            || c == 0x0a
            || c == 0x0d
            || (0x20..=0x7e).contains(&c)
            || c == 0x85
            || (0xa0..=0xd7ff).contains(&c)
            || (0xe000..=0xfffd).contains(&c)
            || c >= 0x10000)
    });
    if bad {
        return Err(YamlError::yaml(None, "control characters are not allowed"));
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in body.lines().enumerate() {
        let t = line.trim_end();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(rest) = t.strip_prefix("%YAML") {
            let version = rest.split_whitespace().next().unwrap_or("");
            if version != "1.1" && !version.is_empty() {
                return Err(YamlError::yaml(
                    (i != 0).then_some(i),
                    "found incompatible YAML document",
                ));
            }
            continue;
        }
        let Some(directive) = t.strip_prefix('%') else {
            break;
        };
        let name: String = directive
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let after = directive[name.len()..].chars().next();
        let problem = if name.is_empty() {
            Some("could not find expected directive name")
        } else if after.is_some_and(|c| !c.is_whitespace()) {
            Some("found unexpected non-alphabetical character")
        } else if name != "TAG" {
            Some("found unknown directive name")
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(YamlError::yaml((i != 0).then_some(i + 1), problem));
        }
    }
    Ok(())
}

/// go-yaml (libyaml) is more lenient than yaml-rust2 in a few places that real
/// charts rely on. When yaml-rust2 stops on one of them, the text is rewritten so
/// that it reads the same under both, keeping every line where it was, and read again:
/// - flow collections (`args: [` ... `]`) whose lines are less indented than their
///   parent block: more indentation inside a flow collection changes nothing;
/// - continuation lines of a quoted scalar less indented than the block: leading
///   spaces of those lines are folded away anyway;
/// - a comment right after a quoted scalar or a flow bracket (`"x"#c`), and text
///   after a `...` document end marker;
/// - a tab after a `:` value indicator, and tabs leading a line inside a flow
///   collection or a quoted scalar;
/// - a block scalar whose `|` or `>` sits on the line after its key, at the key's
///   column.
struct Repairer {
    /// Spaces that indent a line past every column of the original text.
    pad: String,
    /// The last error repaired, to stop when a repair does not move it.
    last: Option<(String, usize, usize)>,
}

fn is_line_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

impl Repairer {
    fn new(text: &str) -> Repairer {
        let width = text
            .split(is_line_break)
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        Repairer {
            pad: " ".repeat(width + 1),
            last: None,
        }
    }

    fn repair(&mut self, text: &str, e: &ScanError) -> Option<String> {
        let key = (e.info().to_string(), e.marker().line(), e.marker().col());
        if self.last.as_ref() == Some(&key) {
            return None;
        }
        self.last = Some(key);
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let bom = text.len() - body.len();
        let byte = bom + mark_to_byte(body, e.marker())?;
        match e.info() {
            "invalid indentation" | "invalid indentation in flow construct" => {
                let start = text[..byte].rfind(is_line_break).map_or(bom, |i| i + 1);
                Some(format!("{}{}{}", &text[..start], self.pad, &text[start..]))
            }
            "while scanning a quoted scalar, invalid indentation in quoted scalar"
            | "invalid indentation in quoted scalar" => {
                // An unterminated scalar runs to the end, where go-yaml reports it.
                let end = quoted_end(text, byte).unwrap_or(text.len());
                let mut out = String::with_capacity(text.len() + self.pad.len() * 4);
                out.push_str(&text[..byte]);
                let mut chars = text[byte..end].chars().peekable();
                while let Some(c) = chars.next() {
                    out.push(c);
                    let crlf = c == '\r' && chars.peek() == Some(&'\n');
                    if is_line_break(c) && !crlf {
                        out.push_str(&self.pad);
                    }
                }
                out.push_str(&text[end..]);
                Some(out)
            }
            // go-yaml ends the document at `...` and reads no further (for `Unmarshal`).
            "comments must be separated from other tokens by whitespace"
            | "invalid content after document end marker" => {
                let end = text[byte..]
                    .find(is_line_break)
                    .map_or(text.len(), |i| byte + i);
                let blank: String = text[byte..end].chars().map(|_| ' ').collect();
                Some(format!("{}{blank}{}", &text[..byte], &text[end..]))
            }
            // `key:` with its block scalar's `|` or `>` on the next line at the key's
            // column: libyaml reads the block scalar as the value, yaml-rust2 stops
            // at the end. Moving the indicator right changes nothing in the scalar.
            "simple key expect ':'" => indent_block_headers(text),
            // Inside a flow collection go-yaml skips tabs as whitespace.
            "tabs disallowed within this context (block indentation)"
            | "tabs disallowed in this context"
                if innermost_flow(text, byte).is_some() =>
            {
                let start = text[..byte].rfind(is_line_break).map_or(bom, |i| i + 1);
                let lead = text[start..]
                    .find(|c: char| c != ' ' && c != '\t')
                    .map_or(text.len() - start, |i| i);
                let spaces = " ".repeat(lead);
                Some(format!(
                    "{}{spaces}{}",
                    &text[..start],
                    &text[start + lead..]
                ))
            }
            // Leading whitespace of a quoted scalar's continuation line is folded away;
            // go-yaml takes tabs there, yaml-rust2 does not.
            "tab cannot be used as indentation" => {
                let start = text[..byte].rfind(is_line_break).map_or(bom, |i| i + 1);
                let lead = text[start..]
                    .find(|c: char| c != ' ' && c != '\t')
                    .map_or(text.len() - start, |i| i);
                let spaces = " ".repeat(lead);
                Some(format!(
                    "{}{spaces}{}",
                    &text[..start],
                    &text[start + lead..]
                ))
            }
            // The marker sits after the tabs: `a:\tb`. After a complex key's `:` at the
            // start of a line go-yaml refuses the tab too, so that case is left alone.
            "':' must be followed by a valid YAML whitespace" => {
                let before = text[..byte].trim_end_matches('\t');
                let colon = before.strip_suffix(':')?;
                let line_start = colon.rfind(is_line_break).map_or(0, |i| i + 1);
                if colon[line_start..].trim().is_empty() || before.len() == byte {
                    return None;
                }
                let tabs = byte - before.len();
                Some(format!("{before}{}{}", " ".repeat(tabs), &text[byte..]))
            }
            _ => None,
        }
    }
}

/// A quoted scalar's value as YAML 1.1 reads it (`raw` includes the quotes): escapes
/// decoded (double quotes) or `''` undoubled (single quotes), and line breaks, which
/// include U+0085, U+2028 and U+2029, folded.
fn fold_quoted(raw: &str) -> String {
    let double = raw.starts_with('"');
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::new();
    let mut whitespace = String::new();
    let mut leading_break: Option<char> = None;
    let mut trailing = String::new();
    let mut leading_blanks = false;
    let mut i = 1;
    let is_break = |c: char| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}');
    // NEL, CR and LF read as "\n"; LS and PS stay themselves.
    let normal = |c: char| {
        if matches!(c, '\u{2028}' | '\u{2029}') {
            c
        } else {
            '\n'
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' || is_break(c) {
            if c == ' ' || c == '\t' {
                if !leading_blanks {
                    whitespace.push(c);
                }
            } else {
                if c == '\r' && chars.get(i + 1) == Some(&'\n') {
                    i += 1;
                }
                if leading_blanks {
                    trailing.push(normal(c));
                } else {
                    whitespace.clear();
                    leading_break = Some(normal(c));
                    leading_blanks = true;
                }
            }
            i += 1;
            continue;
        }
        // Join what the blanks and breaks before this character stand for.
        if leading_blanks {
            match leading_break {
                Some('\n') if trailing.is_empty() => out.push(' '),
                Some('\n') => out.push_str(&trailing),
                Some(b) => {
                    out.push(b);
                    out.push_str(&trailing);
                }
                None => out.push_str(&trailing),
            }
            leading_break = None;
            trailing.clear();
            leading_blanks = false;
        } else {
            out.push_str(&whitespace);
        }
        whitespace.clear();
        if !double {
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    out.push('\'');
                    i += 2;
                    continue;
                }
                break;
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '"' => break,
            '\\' => {
                let Some(&e) = chars.get(i + 1) else { break };
                if is_break(e) {
                    // An escaped line break joins the lines without a space.
                    i += 2;
                    if e == '\r' && chars.get(i) == Some(&'\n') {
                        i += 1;
                    }
                    leading_blanks = true;
                    continue;
                }
                let simple = match e {
                    '0' => Some('\0'),
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\u{b}'),
                    'f' => Some('\u{c}'),
                    'r' => Some('\r'),
                    'e' => Some('\u{1b}'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '\'' => Some('\''),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{a0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(ch) = simple {
                    out.push(ch);
                    i += 2;
                    continue;
                }
                let width = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    _ => 0,
                };
                let hex: String = chars.iter().skip(i + 2).take(width).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if width > 0 && hex.len() == width => out.push(ch),
                    _ => out.push('\u{fffd}'),
                }
                i += 2 + width;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The innermost flow bracket (`[` or `{`) still open before byte `end`, skipping
/// quoted scalars and comments.
fn innermost_flow(text: &str, end: usize) -> Option<char> {
    let mut stack = Vec::new();
    let mut it = text[..end.min(text.len())].chars().peekable();
    let mut prev = '\n';
    while let Some(c) = it.next() {
        match c {
            '[' | '{' => stack.push(c),
            ']' | '}' => {
                stack.pop();
            }
            '"' => {
                while let Some(q) = it.next() {
                    if q == '\\' {
                        it.next();
                    } else if q == '"' {
                        break;
                    }
                }
            }
            '\'' if !prev.is_alphanumeric() => {
                while let Some(q) = it.next() {
                    if q == '\'' && it.peek() != Some(&'\'') {
                        break;
                    }
                    if q == '\'' {
                        it.next();
                    }
                }
            }
            '#' if prev.is_whitespace() => {
                for q in it.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
            }
            _ => {}
        }
        prev = c;
    }
    stack.last().copied()
}

/// Moves block scalar headers (`|`, `>-`, ...) that sit alone on the line after a
/// `key:` at or left of the key's column one column right of the key. `None` when
/// there is none.
fn indent_block_headers(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len() + 64);
    let mut changed = false;
    let mut prev_key_col: Option<usize> = None;
    for line in &lines {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let code = match body.find(" #") {
            Some(i) => &body[..i],
            None => body,
        }
        .trim_end();
        let rest = code.trim_start_matches(' ');
        let header = rest.starts_with(['|', '>'])
            && rest[1..]
                .chars()
                .all(|c| c == '+' || c == '-' || c.is_ascii_digit());
        if header && let Some(col) = prev_key_col.filter(|&c| indent <= c) {
            out.push_str(&" ".repeat(col + 1 - indent));
            changed = true;
        }
        out.push_str(line);
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        // A line ending in `key:` (maybe after `- ` or `? ` indicators).
        prev_key_col = if code.ends_with(':') && !header {
            let mut col = indent;
            let mut r = rest;
            while let Some(t) = r.strip_prefix("- ").or_else(|| r.strip_prefix("? ")) {
                let trimmed = t.trim_start_matches(' ');
                col += r.len() - trimmed.len();
                r = trimmed;
            }
            Some(col)
        } else {
            None
        };
    }
    changed.then_some(out)
}

/// The byte offset where each line of `text` starts.
pub(super) fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let b = text.as_bytes();
    for i in memchr::memchr2_iter(b'\n', b'\r', b) {
        if b[i] == b'\n' || b.get(i + 1) != Some(&b'\n') {
            starts.push(i + 1);
        }
    }
    starts
}

/// The byte offset of the character a yaml-rust2 marker points at.
fn mark_to_byte(text: &str, mark: &Marker) -> Option<usize> {
    let starts = line_starts(text);
    let start = *starts.get(mark.line().checked_sub(1)?)?;
    let rest = &text[start..];
    if mark.col() == rest.chars().count() {
        return Some(text.len());
    }
    rest.char_indices().nth(mark.col()).map(|(b, _)| start + b)
}

/// The byte just past the quoted scalar opening at `start`.
pub(super) fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let quote = text[start..].chars().next()?;
    let mut it = text[start + 1..].char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match (quote, c) {
            ('"', '\\') => {
                it.next();
            }
            ('\'', '\'') if it.peek().map(|p| p.1) == Some('\'') => {
                it.next();
            }
            (q, c) if c == q => return Some(start + 1 + i + 1),
            _ => {}
        }
    }
    None
}

#[derive(Debug)]
pub(super) enum NodeKind {
    Scalar {
        value: String,
        tag: Option<String>,
        /// go-yaml's `implicit`: plain style without a tag (or with the `!` tag).
        implicit: bool,
    },
    Seq(Vec<usize>),
    /// Keys and values alternate.
    Map(Vec<usize>),
    Alias {
        target: usize,
        name: String,
    },
}

#[derive(Debug)]
pub(super) struct Node {
    pub(super) kind: NodeKind,
    /// The 1-based line where the node starts (for go-yaml's strict-mode errors).
    pub(super) line: usize,
}

pub(super) type Arena = Vec<Node>;

struct Loader<'a> {
    text: &'a str,
    parser: Parser<std::str::Chars<'a>>,
    done: bool,
    /// The byte offset where each line starts (yaml-rust2's line breaks: LF, CRLF, CR).
    line_starts: std::rc::Rc<[usize]>,
    /// The untranslated yaml-rust2 error, for [`Repairer`].
    raw_error: Option<ScanError>,
    /// Token positions of the current document, for the tab rules.
    toks: Vec<Tok>,
    /// The collections open at the current event.
    open: Vec<Open>,
}

/// An open collection, as the tab rules need it.
struct Open {
    flow: bool,
    /// A block collection's column (a mapping's is its first key's).
    col: Option<usize>,
    map: bool,
    children: usize,
}

impl<'a> Loader<'a> {
    fn new(text: &'a str) -> Loader<'a> {
        // go-yaml skips a UTF-8 byte order mark.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Loader {
            text,
            parser: Parser::new_from_str(text),
            done: false,
            line_starts: line_starts(text).into(),
            raw_error: None,
            toks: Vec::new(),
            open: Vec::new(),
        }
    }

    fn next(&mut self) -> Result<(Event, Marker), YamlError> {
        let (ev, mark) = match self.parser.next_token() {
            Ok(x) => x,
            Err(e) => {
                let translated = translate_error(&e, self.text);
                self.raw_error = Some(e);
                return Err(translated);
            }
        };
        let (is_key, in_flow) = self.record(&ev, &mark);
        // `: x`: go-yaml wants a key before the `:` (an explicit `? ` key may be
        // empty); yaml-rust2 reads a null key.
        if let Event::Scalar(value, TScalarStyle::Plain, 0, None) = &ev
            && is_key
            && value.is_empty()
        {
            let at = self.seek(&mark);
            let explicit = self.text[..at]
                .trim_end_matches(|c: char| c.is_whitespace())
                .ends_with('?');
            if self.text[at..].starts_with(':') && !explicit {
                let l = mark.line().saturating_sub(1);
                let msg = if in_flow {
                    "did not find expected node content"
                } else {
                    "did not find expected key"
                };
                return Err(YamlError::yaml((l != 0).then_some(l), msg));
            }
        }
        if let Event::Scalar(
            value,
            style @ (TScalarStyle::DoubleQuoted | TScalarStyle::SingleQuoted),
            a,
            t,
        ) = ev
        {
            let value = self.check_quoted(&mark)?.unwrap_or(value);
            return Ok((Event::Scalar(value, style, a, t), mark));
        }
        if let Event::Scalar(value, style @ (TScalarStyle::Literal | TScalarStyle::Folded), a, t) =
            ev
        {
            let value = if value.bytes().all(|b| b == b'\n') {
                self.empty_block_scalar(&mark).unwrap_or(value)
            } else {
                value
            };
            return Ok((Event::Scalar(value, style, a, t), mark));
        }
        Ok((ev, mark))
    }

    /// Notes where tokens are, for [`tabs::check`]. Returns whether the event is a
    /// mapping key, and whether it is inside a flow collection.
    fn record(&mut self, ev: &Event, mark: &Marker) -> (bool, bool) {
        let (line, col) = (mark.line(), mark.col());
        let starts_node = matches!(
            ev,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
        );
        // Whether this node is a mapping key; a block mapping's column is its first key's.
        let mut is_key = false;
        if starts_node && let Some(top) = self.open.last_mut() {
            if !top.flow && top.col.is_none() {
                top.col = Some(col);
            }
            is_key = top.map && top.children % 2 == 0;
            top.children += 1;
        }
        let kind = match ev {
            Event::Scalar(value, style, ..) => match style {
                TScalarStyle::Plain => {
                    if is_key || self.open.iter().any(|o| o.flow) {
                        TokKind::Other
                    } else {
                        let col = self.open.iter().rev().find_map(|o| o.col);
                        TokKind::Plain {
                            indent: col.map_or(0, |c| c + 1),
                        }
                    }
                }
                TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => TokKind::Quoted,
                TScalarStyle::Literal | TScalarStyle::Folded => {
                    if value.bytes().all(|b| b == b'\n') {
                        TokKind::Other
                    } else {
                        TokKind::Block
                    }
                }
            },
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let at = self.seek(mark);
                let flow = self.text[at..].starts_with(['[', '{']);
                let map = matches!(ev, Event::MappingStart(..));
                self.open.push(Open {
                    flow,
                    col: (!flow && !map).then_some(col),
                    map,
                    children: 0,
                });
                if flow {
                    TokKind::FlowStart
                } else {
                    TokKind::Other
                }
            }
            // A block collection's end is marked at the next token, maybe in the next
            // document; only flow ends are positions of their own.
            Event::SequenceEnd | Event::MappingEnd => match self.open.pop() {
                Some(o) if o.flow => TokKind::FlowEnd,
                _ => return (false, false),
            },
            Event::Alias(_) => TokKind::Other,
            _ => return (false, false),
        };
        self.toks.push(Tok { kind, line, col });
        let in_flow = self.open.iter().any(|o| o.flow);
        (is_key, in_flow)
    }

    /// A block scalar without content lines (`key: |` at the end of the input) is ""
    /// in go-yaml, or one newline per empty line with `|+`; yaml-rust2 gives "\n".
    /// Returns the corrected value when `mark` is at such a scalar's indicator.
    fn empty_block_scalar(&mut self, mark: &Marker) -> Option<String> {
        let bi = self.seek(mark);
        let rest = &self.text[bi..];
        if !rest.starts_with(['|', '>']) {
            return None;
        }
        let header_end = rest.find('\n')?;
        let header = &rest[..header_end];
        let keep = header.split('#').next().is_some_and(|h| h.contains('+'));
        let after = &rest[header_end + 1..];
        let blank_len = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        let blank = &after[..blank_len];
        // Only the case where no content line follows before the end of the input.
        if blank_len != after.len() {
            return None;
        }
        Some(if keep {
            "\n".repeat(blank.matches('\n').count())
        } else {
            String::new()
        })
    }

    /// The byte offset of the character at `mark`. yaml-rust2's character index drifts
    /// after block scalars with multi-byte text; its line and column do not.
    fn seek(&mut self, mark: &Marker) -> usize {
        let line = mark.line().saturating_sub(1);
        let Some(&start) = self.line_starts.get(line) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(mark.col())
            .map_or(self.text.len(), |(b, _)| start + b)
    }

    /// Re-reads the raw quoted scalar at `mark` where go-yaml and yaml-rust2 differ:
    /// go-yaml (YAML 1.1) knows no `\/` escape, which yaml-rust2 (YAML 1.2) accepts,
    /// and it folds U+0085, U+2028 and U+2029 as line breaks, which YAML 1.2 reads as
    /// ordinary characters. Returns the go-yaml value when it differs.
    fn check_quoted(&mut self, mark: &Marker) -> Result<Option<String>, YamlError> {
        let start = self.seek(mark);
        let raw = &self.text[start..];
        let Some(quote) = raw.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return Ok(None);
        };
        let end = quoted_end(self.text, start).map_or(raw.len(), |e| e - start);
        let raw = &raw[..end];
        if quote == '"' {
            let mut line = mark.line();
            let mut it = raw.chars().skip(1);
            while let Some(c) = it.next() {
                match c {
                    '\n' => line += 1,
                    '\\' => match it.next() {
                        Some('/') => {
                            return Err(YamlError::yaml(
                                (line > 1).then_some(line),
                                "found unknown escape character",
                            ));
                        }
                        Some('\n') => line += 1,
                        _ => {}
                    },
                    _ => {}
                }
            }
        }
        if raw.contains(['\u{85}', '\u{2028}', '\u{2029}']) {
            return Ok(Some(fold_quoted(raw)));
        }
        Ok(None)
    }

    /// The next document as a node arena and its root, or `None` at the end.
    fn next_document(&mut self) -> Result<Option<(Arena, usize)>, YamlError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let (ev, _) = self.next()?;
            match ev {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::StreamEnd => {
                    self.done = true;
                    return Ok(None);
                }
                Event::DocumentStart => break,
                other => {
                    return Err(YamlError::yaml(
                        None,
                        format!("unexpected event {other:?} outside a document"),
                    ));
                }
            }
        }
        let mut arena: Arena = Vec::new();
        let mut anchors: BTreeMap<usize, usize> = BTreeMap::new();
        // Open collections: (node index, children so far).
        let mut stack: Vec<(usize, Vec<usize>)> = Vec::new();
        let mut root = None;
        loop {
            let (ev, mark) = match self.next() {
                Ok(x) => x,
                // go-yaml ends the document at a directive without `...` and would only
                // complain when asked for the next document.
                Err(_)
                    if root.is_some()
                        && self.raw_error.as_ref().is_some_and(|e| {
                            e.info() == "missing explicit document end marker before directive"
                                || e.info() == "invalid content after document end marker"
                        }) =>
                {
                    self.done = true;
                    break;
                }
                Err(e) => return Err(e),
            };
            let finished = match ev {
                Event::Scalar(value, style, anchor, tag) => {
                    let tag = tag.map(tag_string);
                    let implicit = match &tag {
                        None => style == TScalarStyle::Plain,
                        Some(t) => t == "!",
                    };
                    let idx = arena.len();
                    arena.push(Node {
                        kind: NodeKind::Scalar {
                            value,
                            tag,
                            implicit,
                        },
                        line: mark.line(),
                    });
                    if anchor != 0 {
                        anchors.insert(anchor, idx);
                    }
                    Some(idx)
                }
                Event::Alias(id) => {
                    let at = self.seek(&mark);
                    let name = alias_name_at(self.text, at);
                    check_anchor_name(self.text, at, &name)?;
                    let name = go_alias_name(self.text, at, &mark, &name)?;
                    let Some(&target) = anchors.get(&id) else {
                        return Err(YamlError::yaml(
                            None,
                            format!("unknown anchor '{name}' referenced"),
                        ));
                    };
                    let idx = arena.len();
                    arena.push(Node {
                        kind: NodeKind::Alias { target, name },
                        line: mark.line(),
                    });
                    Some(idx)
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(YamlError::yaml(
                            Some(mark.line()),
                            format!("exceeded max depth of {MAX_DEPTH}"),
                        ));
                    }
                    let idx = arena.len();
                    let kind = if matches!(ev, Event::SequenceStart(..)) {
                        NodeKind::Seq(Vec::new())
                    } else {
                        NodeKind::Map(Vec::new())
                    };
                    arena.push(Node {
                        kind,
                        line: mark.line(),
                    });
                    if anchor != 0 {
                        anchors.insert(anchor, idx);
                    }
                    stack.push((idx, Vec::new()));
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some((idx, kids)) = stack.pop() else {
                        return Err(YamlError::yaml(None, "unbalanced collection end"));
                    };
                    match &mut arena[idx].kind {
                        NodeKind::Seq(c) | NodeKind::Map(c) => *c = kids,
                        _ => {}
                    }
                    Some(idx)
                }
                Event::DocumentEnd => break,
                Event::StreamEnd => {
                    self.done = true;
                    break;
                }
                Event::StreamStart | Event::Nothing | Event::DocumentStart => None,
            };
            if let Some(idx) = finished {
                match stack.last_mut() {
                    Some((_, kids)) => kids.push(idx),
                    None => root = Some(idx),
                }
            }
        }
        match root {
            Some(r) => Ok(Some((arena, r))),
            None => {
                // A document without content (only possible at stream end).
                let idx = arena.len();
                arena.push(Node {
                    kind: NodeKind::Scalar {
                        value: String::new(),
                        tag: None,
                        implicit: true,
                    },
                    line: 1,
                });
                Ok(Some((arena, idx)))
            }
        }
    }
}

fn tag_string(tag: Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

/// The anchor name of the alias token at byte `at`.
fn alias_name_at(text: &str, at: usize) -> String {
    let rest = &text[at.min(text.len())..];
    let rest = rest.strip_prefix('*').unwrap_or(rest);
    rest.chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

/// The alias name as go-yaml reads it: the longest run of ASCII letters, digits,
/// `_` and `-`, which must end at whitespace or one of `?:,]}%@` and a backquote.
/// When that is shorter than yaml-rust2's name, go-yaml looks up the shorter one.
fn go_alias_name(text: &str, at: usize, mark: &Marker, name: &str) -> Result<String, YamlError> {
    let go: String = name
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    if go.len() == name.len() {
        return Ok(go);
    }
    let next = text[at.min(text.len())..]
        .strip_prefix('*')
        .and_then(|r| r[go.len()..].chars().next());
    let ends = next.is_none_or(|c| {
        c.is_whitespace() || matches!(c, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`')
    });
    if go.is_empty() || !ends {
        let l = mark.line();
        return Err(YamlError::yaml(
            (l > 1).then_some(l),
            "did not find expected alphabetic or numeric character",
        ));
    }
    Err(YamlError::yaml(
        None,
        format!("unknown anchor '{go}' referenced"),
    ))
}

/// go-yaml's anchor names are ASCII letters, digits, `_` and `-`; YAML 1.2 (and
/// yaml-rust2) allow more. A name go-yaml cannot read is refused where it is first
/// defined (`&name`), or at the alias when no definition is found.
fn check_anchor_name(text: &str, alias_at: usize, name: &str) -> Result<(), YamlError> {
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'));
    // go-yaml ends the name before these and reads on; that reading is not reproduced.
    let Some(bad) = bad else { return Ok(()) };
    if matches!(bad, '?' | ':' | ',' | ']' | '}' | '%' | '@' | '`') {
        return Ok(());
    }
    let alias_at = alias_at.min(text.len());
    let needle = format!("&{name}");
    let at = text[..alias_at].rfind(&needle).unwrap_or(alias_at);
    let line = text[..at].matches('\n').count() + 1;
    Err(YamlError::yaml(
        (line > 1).then_some(line),
        "did not find expected alphabetic or numeric character",
    ))
}

/// Rewords a yaml-rust2 error in go-yaml's terms and numbering. go-yaml prints scanner
/// errors with the 1-based line of the problem, and parser errors with the 0-based
/// line of the offending token; either is omitted when the 0-based line is 0.
fn translate_error(e: &ScanError, text: &str) -> YamlError {
    let info = e.info();
    let line = e.marker().line();
    let problem = match info.split_once(", ") {
        Some((ctx, problem)) if ctx.starts_with("while ") => problem,
        _ => info,
    };
    let parser_error = |msg: &str| {
        let l = line.saturating_sub(1);
        YamlError::yaml((l != 0).then_some(l), msg)
    };
    let scanner_error = |msg: &str| YamlError::yaml((line > 1).then_some(line), msg);
    match problem {
        // yaml-rust2 reports a single-pair mapping inside `[...]` (`[a: b: c]`) as
        // the mapping's error; libyaml as the sequence's.
        "did not find expected ',' or '}'"
            if innermost_flow(text, mark_to_byte(text, e.marker()).unwrap_or(0)) == Some('[') =>
        {
            parser_error("did not find expected ',' or ']'")
        }
        "did not find expected key"
        | "did not find expected node content"
        | "did not find expected '-' indicator"
        | "did not find expected ',' or '}'"
        | "did not find expected <document start>"
        | "found incompatible YAML document" => parser_error(problem),
        "expected ',' or ']'" => parser_error("did not find expected ',' or ']'"),
        "the handle wasn't declared" => parser_error("found undefined tag handle"),
        "illegal placement of ':' indicator" => parser_error("did not find expected ',' or ']'"),
        "did not find expected hexadecimal number" => {
            scanner_error("did not find expected hexdecimal number")
        }
        r#""-" is only valid inside a block"# => parser_error("did not find expected node content"),
        "'-' must be followed by a valid YAML whitespace"
        | "':' must be followed by a valid YAML whitespace" => {
            scanner_error("found character that cannot start any token")
        }
        "did not find expected <document-start>" => {
            parser_error("did not find expected <document start>")
        }
        "found unknown anchor" => {
            let at = mark_to_byte(text, e.marker()).unwrap_or(text.len());
            let name = alias_name_at(text, at);
            check_anchor_name(text, at, &name)
                .and_then(|()| go_alias_name(text, at, e.marker(), &name))
                .map_or_else(
                    |err| err,
                    |go| YamlError::yaml(None, format!("unknown anchor '{go}' referenced")),
                )
        }
        "simple key expect ':'" | "simple key expected" => {
            scanner_error("could not find expected ':'")
        }
        // `key: "x"y`: libyaml reads `y` as the next token and its parser stops there.
        "invalid trailing content after double-quoted scalar" => {
            let at = mark_to_byte(text, e.marker()).unwrap_or(0);
            // In a sequence when only `- ` indicators precede the scalar on its line.
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let mut before = text[line_start..at].trim_start();
            let mut dashes = false;
            while let Some(rest) = before.strip_prefix("- ") {
                before = rest.trim_start();
                dashes = true;
            }
            let in_seq = dashes && !before.contains(": ");
            match innermost_flow(text, at) {
                Some('[') => parser_error("did not find expected ',' or ']'"),
                Some(_) => parser_error("did not find expected ',' or '}'"),
                None if in_seq => parser_error("did not find expected '-' indicator"),
                None => parser_error("did not find expected key"),
            }
        }
        "tab cannot be used as indentation"
        | "tabs disallowed in this context"
        | "tabs disallowed within this context (block indentation)" => {
            scanner_error("found character that cannot start any token")
        }
        p if p.starts_with("unexpected character") => {
            scanner_error("found character that cannot start any token")
        }
        // go-yaml points at the indicator line, yaml-rust2 at the opening quote.
        "found unexpected document indicator" => {
            let body = text.strip_prefix('\u{feff}').unwrap_or(text);
            let start = mark_to_byte(body, e.marker()).unwrap_or(0);
            let l = body[start..]
                .split('\n')
                .skip(1)
                .position(|l| {
                    (l.starts_with("---") || l.starts_with("..."))
                        && l[3..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
                })
                .map_or(line, |p| line + p + 1);
            YamlError::yaml((l > 1).then_some(l), problem)
        }
        // go-yaml reports the end of the input, where yaml-rust2 points at the opening quote.
        "found unexpected end of stream" => {
            let l = text.matches('\n').count() + 1;
            YamlError::yaml((l > 1).then_some(l), problem)
        }
        // yaml-rust2 points at the plain scalar; go-yaml at the line with the tab.
        "found a tab" => {
            let starts = line_starts(text);
            let l = (line + 1..=starts.len())
                .find(|&l| {
                    let s = &text[starts[l - 1]..];
                    s.chars()
                        .take_while(|c| *c == ' ' || *c == '\t')
                        .any(|c| c == '\t')
                })
                .unwrap_or(line);
            YamlError::yaml(Some(l), "found a tab character that violates indentation")
        }
        "a block scalar content cannot start with a tab" => YamlError::yaml(
            Some(line + 1),
            "found a tab character where an indentation space is expected",
        ),
        "recursion limit exceeded" => scanner_error(&format!("exceeded max depth of {MAX_DEPTH}")),
        _ => scanner_error(problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_looked_for_only_outside_comment_lines() {
        let bad = "k: &a.b v\n";
        let (line, _) = first_bad_anchor(bad).expect("go-yaml cannot read the name a.b");
        assert_eq!(line, 1);
        // The same text on a comment line, or in a block scalar line that starts with `#`.
        assert!(first_bad_anchor("# k: &a.b v\nk: v\n").is_none());
        assert!(first_bad_anchor("s: |\n  # &a.b *c.d\nk: v\n").is_none());
        // A comment line before does not hide a real one after it.
        let (line, _) = first_bad_anchor("# see *below*\nk: &a.b v\n").expect("still found");
        assert_eq!(line, 2);
    }

    #[test]
    fn line_starts_count_lf_crlf_and_lone_cr() {
        assert_eq!(line_starts("a\nb\r\nc\rd"), vec![0, 2, 5, 7]);
        assert_eq!(line_starts(""), vec![0]);
        assert_eq!(line_starts("\n"), vec![0, 1]);
    }
}
