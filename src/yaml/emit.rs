//! Writing YAML byte-for-byte as Helm's `toYaml` does.
//!
//! `toYaml` is `sigs.k8s.io/yaml.Marshal`: `json.Marshal`, then go-yaml v2 reads the
//! JSON back into Go values (so integral floats become ints and big ones floats in
//! `%g` form) and writes them with go-yaml v2's emitter (a port of libyaml):
//! keys in go-yaml's "natural" order (`a2` before `a10`), strings quoted when they
//! would read back as something else, `|`/`|-`/`|+` literal blocks for multi-line
//! text, lists flush with their parent key, and long scalars folded after column 80.
//! No crate reproduces that emitter, so this module re-creates its state (column,
//! indent, whitespace/indention flags) and its scalar analysis and writers. The same
//! machinery, with go-yaml v3's differences switched on, serves `toYamlPretty`.

use std::borrow::Cow;

use super::gofmt::format_float_g64;
use super::json::format_json_float;
use super::resolve::{Resolved, resolve_plain};
use crate::gotmpl::value::Value;

/// Nesting beyond this is refused (the result would not come from a chart).
const MAX_DEPTH: usize = super::MAX_DEPTH;

/// Go values as go-yaml's encoder sees them after the JSON round trip. Strings
/// are borrowed from the value written where the round trip leaves them as
/// they are (nearly always).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// Keys already in the encoder's order.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// Helm's `toYaml` before its `TrimSuffix("\n")`: go-yaml v2's output for the JSON
/// form of `v`. On error (NaN, text go-yaml cannot read back) Helm's `toYaml` gives
/// the empty string, and so does this function; [`try_to_yaml`] keeps the reason.
pub fn to_yaml(v: &Value) -> String {
    try_to_yaml(v).unwrap_or_default()
}

/// [`to_yaml`] with the error Go would have reported.
pub fn try_to_yaml(v: &Value) -> Result<String, String> {
    let node = json_round_trip(v, 0)?;
    let mut e = Emitter::new(Flavor::V2);
    e.emit_document(&node);
    Ok(e.out)
}

/// The tree go-yaml v2 decodes from `json.Marshal(v)`.
fn json_round_trip(v: &Value, depth: usize) -> Result<Node<'_>, String> {
    if depth > MAX_DEPTH {
        return Err(format!("exceeded max depth of {MAX_DEPTH}"));
    }
    Ok(match v {
        Value::Nil => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Int(i) => Node::Int(*i),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "error marshaling into JSON: json: unsupported value: {}",
                    go_special_float(*f)
                ));
            }
            match resolve_plain(&format_json_float(*f)) {
                Resolved::Int(i) => Node::Int(i),
                Resolved::Uint(u) => Node::Uint(u),
                Resolved::Float(x) => Node::Float(x),
                _ => Node::Float(*f),
            }
        }
        Value::String(s) => Node::Str(reread_json_string(s)?),
        Value::Bytes(b) => {
            use base64::Engine;
            Node::Str(Cow::Owned(
                base64::engine::general_purpose::STANDARD.encode(b),
            ))
        }
        Value::List(items) => Node::Seq(
            items
                .iter()
                .map(|i| json_round_trip(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut pairs = Vec::with_capacity(m.len());
            for (k, item) in m.iter() {
                // A NEL is a line break to go-yaml, and a simple key may not span
                // lines: reading the JSON back fails.
                if k.contains('\u{85}') {
                    return Err("yaml: could not find expected ':'".to_string());
                }
                pairs.push((reread_json_string(k)?, json_round_trip(item, depth + 1)?));
            }
            sort_keys(&mut pairs, Flavor::V2);
            Node::Map(pairs)
        }
        Value::Object(o) => json_round_trip(&o.to_data(), depth + 1)?.into_owned(),
    })
}

impl Node<'_> {
    /// The same tree, owning its strings.
    pub(crate) fn into_owned(self) -> Node<'static> {
        let own = |s: Cow<'_, str>| Cow::Owned(s.into_owned());
        match self {
            Node::Null => Node::Null,
            Node::Bool(b) => Node::Bool(b),
            Node::Int(i) => Node::Int(i),
            Node::Uint(u) => Node::Uint(u),
            Node::Float(f) => Node::Float(f),
            Node::Str(s) => Node::Str(own(s)),
            Node::Seq(items) => Node::Seq(items.into_iter().map(Node::into_owned).collect()),
            Node::Map(pairs) => Node::Map(
                pairs
                    .into_iter()
                    .map(|(k, v)| (own(k), v.into_owned()))
                    .collect(),
            ),
        }
    }
}

fn go_special_float(f: f64) -> &'static str {
    if f.is_nan() {
        "NaN"
    } else if f > 0.0 {
        "+Inf"
    } else {
        "-Inf"
    }
}

/// A string as go-yaml reads it back from Go's JSON text: Go leaves U+0085 (NEL)
/// unescaped, and YAML folds that line break inside the double-quoted scalar (one
/// break and the spaces around it become a space; each further break a newline).
fn reread_json_string(s: &str) -> Result<Cow<'_, str>, String> {
    readable(s)?;
    if !s.contains('\u{85}') {
        return Ok(Cow::Borrowed(s));
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' || chars[i] == '\u{85}' {
            let start = i;
            let mut breaks = 0;
            while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
                if chars[i] == '\u{85}' {
                    breaks += 1;
                }
                i += 1;
            }
            match breaks {
                0 => out.extend(&chars[start..i]),
                1 => out.push(' '),
                n => out.extend(std::iter::repeat_n('\n', n - 1)),
            }
            if breaks > 0 {
                let rest: String = chars[i..].iter().take(4).collect();
                let indicator = rest.starts_with("---") || rest.starts_with("...");
                if indicator
                    && rest[3..]
                        .chars()
                        .next()
                        .is_none_or(|c| c == ' ' || c == '\u{85}')
                {
                    return Err("yaml: found unexpected document indicator".to_string());
                }
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    Ok(Cow::Owned(out))
}

/// go-yaml refuses to read characters outside YAML's printable set; Go's JSON encoder
/// leaves DEL, most C1 controls and U+FFFE/U+FFFF unescaped, so such text makes the
/// round trip (and `toYaml`) fail.
fn readable(s: &str) -> Result<&str, String> {
    // Every such character is DEL or outside ASCII.
    let bad = s.bytes().any(|b| b >= 0x7f)
        && s.chars().any(|c| {
            let c = c as u32;
            (0x7f..=0x9f).contains(&c) && c != 0x85 || c == 0xfffe || c == 0xffff
        });
    if bad {
        Err("yaml: control characters are not allowed".to_string())
    } else {
        Ok(s)
    }
}

/// Sorts map keys as go-yaml's `keyList.Less` orders strings: letters before other
/// characters, runs of digits compared as numbers. A merge sort that cannot panic
/// even if the order were inconsistent (top-down, the left half the shorter, ties
/// to the left: with an inconsistent order, the result depends on that shape).
/// The keys' characters share one buffer, and the sort moves indexes.
pub(crate) fn sort_keys<K: AsRef<str>, V>(pairs: &mut Vec<(K, V)>, flavor: Flavor) {
    if pairs.len() <= 1 || in_natural_order(pairs) {
        return;
    }
    sort_fully(pairs, flavor);
}

/// [`sort_keys`] without the check for keys already in order.
fn sort_fully<K: AsRef<str>, V>(pairs: &mut Vec<(K, V)>, flavor: Flavor) {
    let mut chars: Vec<char> = Vec::new();
    let mut spans = Vec::with_capacity(pairs.len());
    for (k, _) in pairs.iter() {
        let start = chars.len();
        chars.extend(k.as_ref().chars());
        spans.push(start..chars.len());
    }
    let key = |i: usize| &chars[spans[i].clone()];
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    let mut scratch = Vec::with_capacity(pairs.len());
    merge_sort(&mut order, &mut scratch, &|a, b| {
        natural_less(key(a), key(b), flavor)
    });
    let mut slots: Vec<Option<(K, V)>> = pairs.drain(..).map(Some).collect();
    pairs.extend(order.iter().filter_map(|&i| slots[i].take()));
}

/// Whether keys are in an order that the sort leaves as it is, as most maps'
/// keys are (a map's keys come in byte order): each key and the next first
/// differ at two ASCII letters in byte order, or the first is a prefix of the
/// next. Both orders compare such keys alike, and the first difference between
/// any two of the keys is one that two neighbours have, so no comparison in
/// the sort would move a key.
fn in_natural_order<K: AsRef<str>, V>(pairs: &[(K, V)]) -> bool {
    pairs.windows(2).all(|w| {
        let (a, b) = (w[0].0.as_ref().as_bytes(), w[1].0.as_ref().as_bytes());
        match a.iter().zip(b).position(|(x, y)| x != y) {
            None => a.len() <= b.len(),
            Some(i) => a[i] < b[i] && a[i].is_ascii_alphabetic() && b[i].is_ascii_alphabetic(),
        }
    })
}

/// Sorts `v` by `less`, stably: halves sorted in turn, then merged, taking from
/// the right half only when its head is strictly less.
fn merge_sort(v: &mut [usize], scratch: &mut Vec<usize>, less: &dyn Fn(usize, usize) -> bool) {
    if v.len() <= 1 {
        return;
    }
    let mid = v.len() / 2;
    merge_sort(&mut v[..mid], scratch, less);
    merge_sort(&mut v[mid..], scratch, less);
    scratch.clear();
    let (mut l, mut r) = (0, mid);
    while l < mid || r < v.len() {
        let take_right = l == mid || (r < v.len() && less(v[r], v[l]));
        if take_right {
            scratch.push(v[r]);
            r += 1;
        } else {
            scratch.push(v[l]);
            l += 1;
        }
    }
    v.copy_from_slice(scratch);
}

/// go-yaml's `keyList.Less` for two strings. v3 adds one rule: after a shared digit,
/// a letter sorts before a non-letter.
///
/// The order is not transitive for some key sets (`a2`, `a10`, `a1a`), where Go's
/// result depends on its random map iteration order; charter then gives the merge
/// sort's deterministic answer.
pub(crate) fn natural_less(a: &[char], b: &[char], flavor: Flavor) -> bool {
    let mut i = 0;
    let mut digits = false;
    while i < a.len() && i < b.len() {
        if a[i] == b[i] {
            digits = go_is_digit(a[i]);
            i += 1;
            continue;
        }
        let al = a[i].is_alphabetic();
        let bl = b[i].is_alphabetic();
        if al && bl {
            return a[i] < b[i];
        }
        if al || bl {
            return if digits && flavor == Flavor::V3 {
                al
            } else {
                bl
            };
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if a[i] == '0' || b[i] == '0' {
            let mut j = i;
            while j > 0 && go_is_digit(a[j - 1]) {
                j -= 1;
                if a[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && go_is_digit(a[ai]) {
            an = an.wrapping_mul(10).wrapping_add(a[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && go_is_digit(b[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(b[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return a[i] < b[i];
    }
    a.len() < b.len()
}

/// Go's `unicode.IsDigit`: decimal digits of any script.
fn go_is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    // Unicode category Nd: runs of ten digits starting at these zeros (the Basic
    // Multilingual Plane's decimal digit blocks).
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10,
    ];
    let c = c as u32;
    ZEROS.iter().any(|&z| (z..z + 10).contains(&c))
}

// ---------------------------------------------------------------------------
// The emitter.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// go-yaml v2 as sigs.k8s.io/yaml uses it (`toYaml`).
    V2,
    /// go-yaml v3's encoder with `SetIndent(2)` (`toYamlPretty`).
    V3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// What libyaml's `analyze_scalar` learns about a string.
#[derive(Debug, PartialEq)]
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

pub(crate) struct Emitter {
    pub(crate) out: String,
    flavor: Flavor,
    best_indent: i64,
    best_width: usize,
    column: usize,
    indent: i64,
    flow_level: usize,
    whitespace: bool,
    indention: bool,
    root_context: bool,
    mapping_context: bool,
    simple_key_context: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0a
        || (0x20..=0x7e).contains(&c)
        || (0xa0..=0xd7ff).contains(&c)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
}

fn analyze(value: &str, flavor: Flavor) -> Analysis {
    // The usual scalar (a name, a label, an image, a path): a letter or digit,
    // then printable ASCII without spaces or indicators, allows every style.
    let b = value.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b[1..].iter().all(|&c| {
            c.is_ascii_graphic()
                && !matches!(c, b',' | b'?' | b'[' | b']' | b'{' | b'}' | b':' | b'#')
        })
    {
        return Analysis {
            multiline: false,
            flow_plain_allowed: true,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    analyze_fully(value, flavor)
}

/// [`analyze`] without the shortcut for the usual scalar.
fn analyze_fully(value: &str, flavor: Flavor) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut tab_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if value.starts_with("---") || value.starts_with("...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut chars = value.chars().peekable();
    let mut i = 0;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_whitespace = next.is_none_or(|n| n == ' ' || n == '\t');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                '?' | ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ',' | '?' | '[' | ']' | '{' | '}' => flow_indicators = true,
                ':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                '#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if c == '\t' && flavor == Flavor::V3 {
            tab_characters = true;
        } else if !is_printable(c) {
            special_characters = true;
        }
        let last = next.is_none();
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = matches!(c, ' ' | '\t' | '\0') || is_break(c);
        i += 1;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || tab_characters || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// go-yaml v3's `isOldBool`: YAML 1.1 booleans that v3 quotes on output.
fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// go-yaml's `isBase60Float`: `1:20`-style text is quoted on output.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&c) = b.first() else { return false };
    if !(c == b'+' || c == b'-' || c.is_ascii_digit()) || !s.contains(':') {
        return false;
    }
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let mut i = usize::from(c == b'+' || c == b'-');
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &b[start..i];
        let ok = match group.len() {
            1 => true,
            2 => group[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

impl Emitter {
    pub(crate) fn new(flavor: Flavor) -> Emitter {
        Emitter {
            out: String::new(),
            flavor,
            best_indent: 2,
            best_width: match flavor {
                Flavor::V2 => 80,
                Flavor::V3 => usize::MAX,
            },
            column: 0,
            indent: -1,
            flow_level: 0,
            whitespace: true,
            indention: true,
            root_context: false,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    pub(crate) fn emit_document(&mut self, node: &Node<'_>) {
        self.emit_node(node, true, false, false);
        // Document end: an implicit end writes only the final line break.
        self.write_indent();
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_str(&mut self, s: &str) {
        for c in s.chars() {
            self.put(c);
        }
    }

    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { self.best_indent } else { 0 };
        } else if !indentless {
            self.indent += self.best_indent;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.write_str(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    /// A string node, without making one.
    fn emit_str(&mut self, s: &str, root: bool, mapping: bool, simple_key: bool) {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        let style = self.string_style(s);
        self.emit_scalar(s, style);
    }

    fn emit_node(&mut self, node: &Node<'_>, root: bool, mapping: bool, simple_key: bool) {
        self.root_context = root;
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match node {
            Node::Null => self.emit_scalar("null", Style::Plain),
            Node::Bool(b) => self.emit_scalar(if *b { "true" } else { "false" }, Style::Plain),
            Node::Int(i) => self.emit_scalar(itoa::Buffer::new().format(*i), Style::Plain),
            Node::Uint(u) => self.emit_scalar(itoa::Buffer::new().format(*u), Style::Plain),
            Node::Float(f) => self.emit_scalar(&go_format_float(*f), Style::Plain),
            Node::Str(s) => {
                let style = self.string_style(s);
                self.emit_scalar(s, style);
            }
            Node::Seq(items) => {
                if self.flow_level > 0 || items.is_empty() {
                    self.emit_flow_empty("[", "]");
                } else {
                    self.emit_block_sequence(items);
                }
            }
            Node::Map(pairs) => {
                if self.flow_level > 0 || pairs.is_empty() {
                    self.emit_flow_empty("{", "}");
                } else {
                    self.emit_block_mapping(pairs);
                }
            }
        }
    }

    /// The style the encoder asks for (go-yaml's `stringv`).
    fn string_style(&self, s: &str) -> Style {
        let resolves_to_string = matches!(resolve_plain(s), Resolved::Str);
        let can_use_plain = match self.flavor {
            Flavor::V2 => resolves_to_string && !is_base60_float(s),
            // v3 reads `yes`/`on`/`y` as strings but still quotes them for older readers.
            Flavor::V3 => resolves_to_string && !is_base60_float(s) && !is_old_bool(s),
        };
        if s.contains('\n') {
            Style::Literal
        } else if can_use_plain {
            Style::Plain
        } else {
            Style::Double
        }
    }

    fn emit_flow_empty(&mut self, open: &str, close: &str) {
        let saved = self.indent;
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.indent = saved;
        self.write_indicator(close, false, false, false);
    }

    fn emit_block_sequence(&mut self, items: &[Node<'_>]) {
        let saved = self.indent;
        let indentless = match self.flavor {
            Flavor::V2 => self.mapping_context && !self.indention,
            Flavor::V3 => false,
        };
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.emit_node(item, false, false, false);
        }
        self.indent = saved;
    }

    fn emit_block_mapping(&mut self, pairs: &[(Cow<'_, str>, Node<'_>)]) {
        let saved = self.indent;
        self.increase_indent(false, false);
        for (k, v) in pairs {
            self.write_indent();
            let a = analyze(k, self.flavor);
            if !a.multiline && k.len() <= 128 {
                self.emit_str(k, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.emit_str(k, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.emit_node(v, false, true, false);
        }
        self.indent = saved;
    }

    fn emit_scalar(&mut self, value: &str, requested: Style) {
        let a = analyze(value, self.flavor);
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed)
                || (self.flow_level == 0 && !a.block_plain_allowed)
            {
                style = Style::Single;
            }
            if value.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = Style::Single;
            }
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal
            && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context)
        {
            style = Style::Double;
        }
        let saved = self.indent;
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::Single => self.write_single_quoted(value, allow_breaks),
            Style::Double => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.indent = saved;
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        // Without spaces or line breaks (all of which are ASCII or outside it),
        // each character is written as it is.
        if !value
            .bytes()
            .any(|b| b == b' ' || b == b'\n' || b == b'\r' || b >= 0x80)
        {
            self.out.push_str(value);
            self.column += value.len();
            self.whitespace = false;
            self.indention = false;
            return;
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = value.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && chars.peek() != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = value.chars().peekable();
        let mut i = 0;
        while let Some(c) = chars.next() {
            i += 1;
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 1
                    && chars.peek().is_some_and(|n| *n != ' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml's `is_bom` looks at the start of the value, not at the character.
        let bom = value.starts_with('\u{feff}');
        let mut spaces = false;
        let mut chars = value.chars().peekable();
        let mut i = 0;
        while let Some(c) = chars.next() {
            i += 1;
            if !is_printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match short {
                    Some(s) => self.put(s),
                    None => {
                        let v = c as u32;
                        let (letter, width) = if v <= 0xff {
                            ('x', 2)
                        } else if v <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        let hex = format!("{v:0width$X}");
                        self.write_str(&hex);
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > self.best_width
                    && i > 1
                    && chars.peek().is_some()
                {
                    self.write_indent();
                    if chars.peek() == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_scalar_hints(&mut self, value: &str) {
        let mut chars = value.chars();
        if let Some(first) = value.chars().next()
            && (first == ' ' || is_break(first))
        {
            let hint = self.best_indent.to_string();
            self.write_indicator(&hint, false, false, false);
        }
        let chomp = match chars.next_back() {
            None => Some("-"),
            Some(last) if !is_break(last) => Some("-"),
            Some(_) => match chars.next_back() {
                None => Some("+"),
                Some(prev) if is_break(prev) => Some("+"),
                Some(_) => None,
            },
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` with YAML's spellings of the specials.
pub(crate) fn go_format_float(f: f64) -> String {
    if f.is_nan() {
        ".nan".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { ".inf" } else { "-.inf" }.to_string()
    } else {
        format_float_g64(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotmpl::value::Map;

    proptest::proptest! {
        /// The shortcut for usual scalars learns what the full analysis learns.
        #[test]
        fn the_scalar_shortcut_agrees_with_the_full_analysis(
            value in "[a-zA-Z0-9 \t\n:#,?\\[\\]{}@%&*!|>'\"`.-]{0,6}",
            v3 in proptest::bool::ANY,
        ) {
            let flavor = if v3 { Flavor::V3 } else { Flavor::V2 };
            proptest::prop_assert_eq!(analyze(&value, flavor), analyze_fully(&value, flavor));
        }

        /// Keys in byte order (as a map gives them) come out of `sort_keys` as
        /// the full sort orders them, whether or not the sort is skipped.
        #[test]
        fn skipping_the_sort_never_changes_the_order(
            keys in proptest::collection::btree_set("[aBz_0-9.é-]{0,5}", 0..12),
            v3 in proptest::bool::ANY,
        ) {
            let flavor = if v3 { Flavor::V3 } else { Flavor::V2 };
            let mut quick: Vec<(String, ())> = keys.iter().map(|k| (k.clone(), ())).collect();
            let mut full = quick.clone();
            sort_keys(&mut quick, flavor);
            sort_fully(&mut full, flavor);
            proptest::prop_assert_eq!(quick, full);
        }
    }

    fn m(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<Map>(),
        )
    }

    #[test]
    fn scalars_and_nesting() {
        let v = m(&[
            ("a", Value::Float(1000000.0)),
            ("b", Value::Float(1.5)),
            ("c", Value::list(vec![Value::str("x"), Value::Int(2)])),
            ("d", m(&[("e", Value::Nil)])),
            ("f", Value::list(vec![])),
            ("g", m(&[])),
            ("h", Value::str("true")),
            ("i", Value::str("")),
        ]);
        assert_eq!(
            to_yaml(&v),
            "a: 1000000\nb: 1.5\nc:\n- x\n- 2\nd:\n  e: null\nf: []\ng: {}\nh: \"true\"\ni: \"\"\n"
        );
    }

    #[test]
    fn floats_after_the_json_round_trip() {
        assert_eq!(to_yaml(&Value::Float(1e21)), "1e+21\n");
        assert_eq!(to_yaml(&Value::Float(1e20)), "1e+20\n");
        assert_eq!(to_yaml(&Value::Float(1e19)), "10000000000000000000\n");
        assert_eq!(to_yaml(&Value::Float(-0.0)), "0\n");
        assert_eq!(to_yaml(&Value::Float(0.0000001)), "1e-07\n");
        assert_eq!(to_yaml(&Value::Float(1234567.5)), "1.2345675e+06\n");
        assert_eq!(to_yaml(&Value::Float(f64::NAN)), "");
    }

    #[test]
    fn the_first_unreadable_string_names_the_error() {
        // DEL is ASCII and still unreadable to go-yaml; the NEL key comes later.
        let v = m(&[("a\u{7f}", Value::Int(1)), ("b\u{85}", Value::Int(2))]);
        assert_eq!(
            try_to_yaml(&v),
            Err("yaml: control characters are not allowed".to_string())
        );
        assert_eq!(to_yaml(&Value::str("x\u{7f}")), "");
    }

    #[test]
    fn natural_key_order() {
        let mut pairs: Vec<(String, Node)> = ["a10", "a2", "b", "A", "a", "1", "_x"]
            .iter()
            .map(|k| (k.to_string(), Node::Null))
            .collect();
        sort_keys(&mut pairs, Flavor::V2);
        let keys: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(keys, ["_x", "1", "A", "a", "a2", "a10", "b"]);
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(to_yaml(&Value::str("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(to_yaml(&Value::str("a\nb\n")), "|\n  a\n  b\n");
        assert_eq!(to_yaml(&Value::str("a\n\n")), "|+\n  a\n\n");
        assert_eq!(to_yaml(&Value::str(" a\nb")), "|2-\n   a\n  b\n");
        assert_eq!(to_yaml(&Value::str("a \nb")), "\"a \\nb\"\n");
    }

    /// Helm 3.17.3's `toYaml`/`toYamlPretty` of values built in a template (recorded
    /// with `helm template`, one trailing newline trimmed as Helm does).
    #[test]
    fn template_values_match_helm() {
        let trim = |s: String| s.strip_suffix('\n').map(str::to_string).unwrap_or(s);
        let mut k = Map::new();
        k.insert("k".into(), Value::str("v"));
        let cases: Vec<(Value, &str)> = vec![
            (Value::str("a\nb"), "|-\n  a\n  b"),
            (Value::str("a\nb\n"), "|\n  a\n  b"),
            (Value::str(" a\nb"), "|2-\n   a\n  b"),
            (Value::str("a \nb"), "\"a \\nb\""),
            (Value::str("hello"), "hello"),
            (
                Value::list(vec![Value::Int(1), Value::str("two"), Value::map(k)]),
                "- 1\n- two\n- k: v",
            ),
            (Value::Float(1e21), "1e+21"),
            (Value::Int(5), "5"),
            (Value::Nil, "null"),
            (Value::str(""), "\"\""),
            (Value::list(vec![]), "[]"),
            (Value::map(Map::new()), "{}"),
            (Value::Float(1.5), "1.5"),
            (Value::Bool(true), "true"),
        ];
        for (v, want) in cases {
            assert_eq!(trim(to_yaml(&v)), want, "{v:?}");
        }
        assert_eq!(
            trim(crate::yaml::to_yaml_pretty(&Value::list(vec![
                Value::Int(1),
                Value::Int(2)
            ]))),
            "- 1\n- 2"
        );
        assert_eq!(
            trim(crate::yaml::to_yaml_pretty(&Value::str("a\nb"))),
            "|-\n  a\n  b"
        );
    }

    #[test]
    fn base60() {
        assert!(is_base60_float("1:20"));
        assert!(is_base60_float("-1:20:30.5"));
        assert!(!is_base60_float("1:60"));
        assert!(!is_base60_float("a:20"));
        assert!(!is_base60_float("1:"));
    }
}
