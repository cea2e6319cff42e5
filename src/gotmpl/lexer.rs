//! Splits template text into tokens, as Go's `text/template/parse` lexer does:
//! text, delimiters with their `-` trim markers, comments, and the words of an
//! action. Trimming is applied here, so the parser sees already-trimmed text.

use std::borrow::Cow;

use super::error::Error;

/// The kind of a token. Names, numbers and text are slices of the template
/// text: a token costs no allocation, and the parser keeps only their places.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok<'a> {
    /// Text between actions.
    Text(&'a str),
    LeftDelim,
    RightDelim,
    Space,
    Ident(&'a str),
    Keyword(&'static str),
    /// `.Name` (one field step, without its dot; `.` alone is `Dot`).
    Field(&'a str),
    /// `$` or `$name`.
    Variable(&'a str),
    Dot,
    /// A quoted or raw string, with its quotes (checked by the lexer; its value
    /// is [`string_value`]). Only the text is kept, so that a token stays small:
    /// a template holds a token per five bytes or so.
    Str(&'a str),
    Char {
        value: char,
        quoted: &'a str,
    },
    Number(&'a str),
    Bool(bool),
    Nil,
    LeftParen,
    RightParen,
    Pipe,
    Declare,
    Assign,
    Comma,
    /// Any other printable ASCII character in an action (Go's `itemChar`).
    Punct(char),
    Eof,
}

/// A token and where it starts in the template text.
#[derive(Debug, Clone)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub pos: usize,
    pub line: usize,
}

/// The keyword `word` is, if it is one.
fn keyword(word: &str) -> Option<&'static str> {
    Some(match word {
        "block" => "block",
        "break" => "break",
        "continue" => "continue",
        "define" => "define",
        "else" => "else",
        "end" => "end",
        "if" => "if",
        "range" => "range",
        "template" => "template",
        "with" => "with",
        _ => return None,
    })
}

/// Where the first `{{` of `text` starts (a search for `{` and a look at the
/// byte after: most templates have an action every few dozen bytes, where a
/// substring searcher costs more to set up than to run).
fn find_left_delim(text: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'{', &text[from..]) {
        let at = from + i;
        if text.get(at + 1) == Some(&b'{') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// How many line feeds `s` holds (a plain byte count, which the compiler
/// vectorizes; `str::matches` searches for each one in turn).
fn newlines(s: &str) -> usize {
    s.bytes().filter(|b| *b == b'\n').count()
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Tokenizes a whole template.
pub fn lex<'a>(name: &str, text: &'a str) -> Result<Vec<Token<'a>>, Error> {
    Lexer {
        name,
        src: text,
        pos: 0,
        line: 1,
        // Room for a token per four bytes: a chart's templates average one per
        // nine, but dense helpers come near one per five, and growing copies
        // the list; unused room in a large block is never touched.
        out: Vec::with_capacity(text.len() / 4 + 16),
        paren_depth: 0,
    }
    .run()
}

struct Lexer<'n, 'a> {
    name: &'n str,
    src: &'a str,
    pos: usize,
    line: usize,
    out: Vec<Token<'a>>,
    paren_depth: usize,
}

impl<'a> Lexer<'_, 'a> {
    fn err(&self, line: usize, msg: impl Into<String>) -> Error {
        Error::parse(self.name, line, msg)
    }

    fn push(&mut self, tok: Tok<'a>, pos: usize, line: usize) {
        self.out.push(Token { tok, pos, line });
    }

    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    fn run(mut self) -> Result<Vec<Token<'a>>, Error> {
        let mut trim_next_text = false;
        loop {
            let rest = &self.src[self.pos..];
            let Some(idx) = find_left_delim(rest.as_bytes()) else {
                let mut text = rest;
                if trim_next_text {
                    text = text.trim_start_matches([' ', '\t', '\r', '\n']);
                }
                if !text.is_empty() {
                    let start = self.src.len() - text.len();
                    self.push(Tok::Text(text), start, self.line);
                }
                self.line += newlines(rest);
                self.pos = self.src.len();
                self.push(Tok::Eof, self.pos, self.line);
                return Ok(self.out);
            };
            // Text before the action, trimmed on either side as markers ask.
            let delim_pos = self.pos + idx;
            let after = &self.src[delim_pos + 2..];
            let trim_left =
                after.starts_with('-') && after.as_bytes().get(1).is_some_and(|c| is_space(*c));
            let mut text = &rest[..idx];
            let text_line = self.line;
            let mut text_start = self.pos;
            if trim_next_text {
                let trimmed = text.trim_start_matches([' ', '\t', '\r', '\n']);
                text_start += text.len() - trimmed.len();
                text = trimmed;
            }
            if trim_left {
                text = text.trim_end_matches([' ', '\t', '\r', '\n']);
            }
            if !text.is_empty() {
                let line = text_line + newlines(&self.src[self.pos..text_start]);
                self.push(Tok::Text(text), text_start, line);
            }
            self.line += newlines(&rest[..idx]);
            self.pos = delim_pos + 2;
            if trim_left {
                self.pos += 2;
            }
            trim_next_text = self.action(delim_pos)?;
        }
    }

    /// Lexes one action after its `{{` (and trim marker). Returns whether the
    /// action ended with a right trim marker.
    fn action(&mut self, delim_pos: usize) -> Result<bool, Error> {
        // A comment must follow the delimiter directly.
        if self.src[self.pos..].starts_with("/*") {
            let start_line = self.line;
            let Some(end) = memchr::memmem::find(&self.bytes()[self.pos + 2..], b"*/") else {
                return Err(self.err(start_line, "unclosed comment"));
            };
            let body_end = self.pos + 2 + end + 2;
            self.line += newlines(&self.src[self.pos..body_end]);
            self.pos = body_end;
            let rest = &self.src[self.pos..];
            if rest.starts_with(" -}}")
                || rest.starts_with("\t-}}")
                || rest.starts_with("\n-}}")
                || rest.starts_with("\r-}}")
            {
                self.pos += 4;
                return Ok(true);
            }
            if rest.starts_with("}}") {
                self.pos += 2;
                return Ok(false);
            }
            return Err(self.err(self.line, "comment ends before closing delimiter"));
        }
        self.push(Tok::LeftDelim, delim_pos, self.line);
        self.paren_depth = 0;
        loop {
            let b = self.bytes();
            if self.pos >= b.len() {
                return Err(self.err(self.line, "unclosed action"));
            }
            let c = b[self.pos];
            // Right delimiter, with or without a trim marker.
            if is_space(c) {
                let start = self.pos;
                let start_line = self.line;
                while self.pos < b.len() && is_space(b[self.pos]) {
                    if b[self.pos] == b'\n' {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                if self.src[self.pos..].starts_with("-}}") {
                    self.push(Tok::RightDelim, self.pos, self.line);
                    self.pos += 3;
                    return Ok(true);
                }
                self.push(Tok::Space, start, start_line);
                continue;
            }
            if self.src[self.pos..].starts_with("}}") {
                if self.paren_depth > 0 {
                    return Err(self.err(self.line, "unclosed left paren"));
                }
                self.push(Tok::RightDelim, self.pos, self.line);
                self.pos += 2;
                return Ok(false);
            }
            let start = self.pos;
            let line = self.line;
            match c {
                b'|' => {
                    self.pos += 1;
                    self.push(Tok::Pipe, start, line);
                }
                b'(' => {
                    self.pos += 1;
                    self.paren_depth += 1;
                    self.push(Tok::LeftParen, start, line);
                }
                b')' => {
                    self.pos += 1;
                    if self.paren_depth == 0 {
                        return Err(self.err(line, "unexpected right paren"));
                    }
                    self.paren_depth -= 1;
                    self.push(Tok::RightParen, start, line);
                }
                b',' => {
                    self.pos += 1;
                    self.push(Tok::Comma, start, line);
                }
                b':' => {
                    if b.get(self.pos + 1) != Some(&b'=') {
                        return Err(self.err(line, "expected :="));
                    }
                    self.pos += 2;
                    self.push(Tok::Declare, start, line);
                }
                b'=' => {
                    self.pos += 1;
                    self.push(Tok::Assign, start, line);
                }
                b'"' => {
                    let (_, end) = self.quoted(b'"')?;
                    let quoted = &self.src[start..end];
                    self.pos = end;
                    self.push(Tok::Str(quoted), start, line);
                }
                b'`' => {
                    let Some(end) = self.src[self.pos + 1..].find('`') else {
                        return Err(self.err(line, "unterminated raw quoted string"));
                    };
                    let text = &self.src[self.pos + 1..self.pos + 1 + end];
                    let quoted = &self.src[start..self.pos + 2 + end];
                    self.line += newlines(text);
                    self.pos += end + 2;
                    self.push(Tok::Str(quoted), start, line);
                }
                b'\'' => {
                    let (text, end) = self.quoted(b'\'')?;
                    let quoted = &self.src[start..end];
                    let mut chars = text.chars();
                    let (Some(value), None) = (chars.next(), chars.next()) else {
                        return Err(
                            self.err(line, format!("malformed character constant: {quoted}"))
                        );
                    };
                    self.pos = end;
                    self.push(Tok::Char { value, quoted }, start, line);
                }
                b'$' => {
                    self.pos += 1;
                    self.word();
                    self.check_terminator()?;
                    self.push(Tok::Variable(&self.src[start..self.pos]), start, line);
                }
                b'.' => {
                    // A number like .5, a field, or dot.
                    if b.get(self.pos + 1).is_some_and(|d| d.is_ascii_digit()) {
                        let n = self.number();
                        self.push(Tok::Number(n), start, line);
                    } else {
                        self.pos += 1;
                        let name = self.word();
                        if name.is_empty() {
                            self.push(Tok::Dot, start, line);
                        } else {
                            self.check_terminator()?;
                            self.push(Tok::Field(name), start, line);
                        }
                    }
                }
                b'0'..=b'9' | b'+' | b'-' => {
                    let n = self.number();
                    if n.is_empty() || n == "+" || n == "-" {
                        return Err(self.err(
                            line,
                            format!(
                                "bad number syntax: {:?}",
                                &self.src[start..self.pos.max(start + 1)]
                            ),
                        ));
                    }
                    self.push(Tok::Number(n), start, line);
                }
                _ => {
                    let ch = self.src[self.pos..].chars().next().unwrap_or(' ');
                    if is_alnum(ch) {
                        let w = self.word();
                        self.check_terminator()?;
                        let tok = match w {
                            "true" => Tok::Bool(true),
                            "false" => Tok::Bool(false),
                            "nil" => Tok::Nil,
                            _ => match keyword(w) {
                                Some(k) => Tok::Keyword(k),
                                None => Tok::Ident(w),
                            },
                        };
                        self.push(tok, start, line);
                    } else if ch.is_ascii() && !ch.is_ascii_control() {
                        self.pos += 1;
                        self.push(Tok::Punct(ch), start, line);
                    } else {
                        return Err(self.err(
                            line,
                            format!("unrecognized character in action: {}", go_rune(ch)),
                        ));
                    }
                }
            }
        }
    }

    /// Go's `atTerminator`: a word must be followed by space, punctuation that
    /// ends it, or the closing delimiter.
    fn check_terminator(&self) -> Result<(), Error> {
        let rest = &self.src[self.pos..];
        match rest.chars().next() {
            None => Ok(()),
            Some(' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '(') => Ok(()),
            Some(_) if rest.starts_with("}}") => Ok(()),
            Some(c) => Err(self.err(self.line, format!("bad character {}", go_rune(c)))),
        }
    }

    fn word(&mut self) -> &'a str {
        let rest = &self.src[self.pos..];
        // ASCII letters, digits and `_` by bytes; anything else by characters.
        let ascii = rest
            .bytes()
            .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
            .unwrap_or(rest.len());
        let end = if rest.as_bytes().get(ascii).is_some_and(|b| !b.is_ascii()) {
            rest[ascii..]
                .char_indices()
                .find(|(_, c)| !is_alnum(*c))
                .map_or(rest.len(), |(i, _)| ascii + i)
        } else {
            ascii
        };
        self.pos += end;
        &rest[..end]
    }

    /// A number token: sign, digits, hex/octal/binary prefixes, fraction,
    /// exponent, underscores and an imaginary suffix, as Go's scanner accepts.
    fn number(&mut self) -> &'a str {
        let b = self.bytes();
        let start = self.pos;
        let mut i = self.pos;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        if i + 1 < b.len() && b[i] == b'0' {
            match b[i + 1] {
                b'x' | b'X' => {
                    i += 2;
                    digits = b"0123456789abcdefABCDEF_";
                }
                b'o' | b'O' => {
                    i += 2;
                    digits = b"01234567_";
                }
                b'b' | b'B' => {
                    i += 2;
                    digits = b"01_";
                }
                _ => {}
            }
        }
        while i < b.len() && digits.contains(&b[i]) {
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && digits.contains(&b[i]) {
                i += 1;
            }
        }
        let exp: &[u8] = if digits.len() > 20 { b"pP" } else { b"eEpP" };
        if i < b.len() && exp.contains(&b[i]) {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            while i < b.len() && b"0123456789_".contains(&b[i]) {
                i += 1;
            }
        }
        if i < b.len() && b[i] == b'i' {
            i += 1;
        }
        // Go reports a number followed by letters as a bad number.
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
            i += 1;
        }
        self.pos = i;
        &self.src[start..i]
    }

    /// A quoted string or char starting at `self.pos`; returns the unescaped
    /// text and the end offset (after the closing quote).
    fn quoted(&mut self, q: u8) -> Result<(Cow<'a, str>, usize), Error> {
        let b = self.bytes();
        let mut i = self.pos + 1;
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'\n' => {
                    let what = if q == b'"' {
                        "unterminated quoted string"
                    } else {
                        "unterminated character constant"
                    };
                    return Err(self.err(self.line, what));
                }
                c if c == q => {
                    let raw = &self.src[self.pos + 1..i];
                    if !raw.contains('\\') {
                        return Ok((Cow::Borrowed(raw), i + 1));
                    }
                    let text = unquote(raw, q).map_err(|_| {
                        let what = "invalid syntax";
                        self.err(self.line, format!("{what}: {}", &self.src[self.pos..=i]))
                    })?;
                    return Ok((Cow::Owned(text), i + 1));
                }
                _ => i += 1,
            }
        }
        let what = if q == b'"' {
            "unterminated quoted string"
        } else {
            "unterminated character constant"
        };
        Err(self.err(self.line, what))
    }
}

/// The value of a string token's text (quotes included): the text between the
/// quotes, unescaped when it is a `"` string with escapes (which the lexer has
/// checked, so unescaping cannot fail here).
pub fn string_value(quoted: &str) -> Cow<'_, str> {
    let inner = quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default();
    if quoted.starts_with('"') && inner.contains('\\') {
        Cow::Owned(unquote(inner, b'"').unwrap_or_default())
    } else {
        Cow::Borrowed(inner)
    }
}

/// Go's `%#U` of a rune (`U+007B '{'`).
fn go_rune(c: char) -> String {
    format!("U+{:04X} '{c}'", c as u32)
}

/// Interprets Go escape sequences in a quoted literal's body.
fn unquote(raw: &str, q: u8) -> Result<String, ()> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or(())?;
        match e {
            'a' => out.push('\u{07}'),
            'b' => out.push('\u{08}'),
            'f' => out.push('\u{0c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{0b}'),
            '\\' => out.push('\\'),
            '"' if q == b'"' => out.push('"'),
            '\'' if q == b'\'' => out.push('\''),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                if hex.len() != n {
                    return Err(());
                }
                let v = u32::from_str_radix(&hex, 16).map_err(|_| ())?;
                if e == 'x' {
                    // A byte; Go strings may hold invalid UTF-8, Rust's may not.
                    out.push(char::from_u32(v).ok_or(())?);
                } else {
                    out.push(char::from_u32(v).ok_or(())?);
                }
            }
            '0'..='7' => {
                let mut v = e.to_digit(8).ok_or(())?;
                for _ in 0..2 {
                    let d = chars.next().and_then(|c| c.to_digit(8)).ok_or(())?;
                    v = v * 8 + d;
                }
                if v > 255 {
                    return Err(());
                }
                out.push(char::from_u32(v).ok_or(())?);
            }
            _ => return Err(()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok<'_>> {
        lex("t", s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn trims_around_markers() {
        assert_eq!(
            toks("a  {{- 1 -}}  b"),
            vec![
                Tok::Text("a"),
                Tok::LeftDelim,
                Tok::Number("1"),
                Tok::RightDelim,
                Tok::Text("b"),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_vanish() {
        assert_eq!(
            toks("x{{/* hi */}}y"),
            vec![Tok::Text("x"), Tok::Text("y"), Tok::Eof]
        );
        assert_eq!(
            toks("x {{- /* hi */ -}} y"),
            vec![Tok::Text("x"), Tok::Text("y"), Tok::Eof]
        );
    }

    #[test]
    fn fields_and_variables() {
        assert_eq!(
            toks("{{ $x.a .b }}"),
            vec![
                Tok::LeftDelim,
                Tok::Space,
                Tok::Variable("$x"),
                Tok::Field("a"),
                Tok::Space,
                Tok::Field("b"),
                Tok::Space,
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn negative_number_is_not_a_trim_marker() {
        assert_eq!(
            toks("{{-3}}"),
            vec![Tok::LeftDelim, Tok::Number("-3"), Tok::RightDelim, Tok::Eof]
        );
    }
}
