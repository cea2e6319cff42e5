//! go-yaml's rules for tabs, which yaml-rust2 does not share.
//!
//! libyaml treats a tab as whitespace only where no new token may start a simple key:
//! inside flow collections and quoted scalars, and after a key's `:`. At the start of
//! a line in block context a tab is "a character that cannot start any token"; in the
//! lines a plain scalar may continue onto, a tab left of the scalar's indentation
//! "violates indentation"; in a block scalar a tab left of the content indentation is
//! "a tab character where an indentation space is expected". yaml-rust2 reads most
//! of these, so after it has read a document this module walks the document's lines
//! with the positions of its tokens and reports the first line go-yaml would refuse.

use super::error::YamlError;

/// What a token is, as far as tabs are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokKind {
    /// A plain scalar in block context; `indent` is the column its continuation lines
    /// must reach (the enclosing block collection's column + 1).
    Plain {
        indent: usize,
    },
    /// A single- or double-quoted scalar starting at this position.
    Quoted,
    /// A block scalar (`|`, `>`) whose content starts at this position.
    Block,
    FlowStart,
    FlowEnd,
    Other,
}

/// A token's kind and its 1-based line and 0-based column (in characters).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) kind: TokKind,
    pub(super) line: usize,
    pub(super) col: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cover {
    /// Scanned as tokens from the start of the line.
    Free,
    /// Leading whitespace already consumed by a plain scalar (its tabs checked).
    PlainConsumed,
    /// Inside a quoted scalar, a flow collection or a block scalar.
    Inside,
}

/// What each line of one document is, indexed from `base`.
struct Lines {
    base: usize,
    v: Vec<Cover>,
}

impl Lines {
    fn get(&self, l: usize) -> Cover {
        l.checked_sub(self.base)
            .and_then(|i| self.v.get(i))
            .copied()
            .unwrap_or(Cover::Free)
    }

    fn set(&mut self, l: usize, c: Cover) {
        if let Some(slot) = l.checked_sub(self.base).and_then(|i| self.v.get_mut(i)) {
            *slot = c;
        }
    }
}

const CANNOT_START: &str = "found character that cannot start any token";
const VIOLATES: &str = "found a tab character that violates indentation";
const INDENT_SPACE: &str = "found a tab character where an indentation space is expected";

/// Checks the lines `first..=last` (1-based) of `text` given the tokens read from
/// them; `starts` holds the byte offset of each line.
pub(super) fn check(
    text: &str,
    starts: &[usize],
    toks: &[Tok],
    first: usize,
    last: usize,
) -> Result<(), YamlError> {
    if !text.contains('\t') {
        return Ok(());
    }
    let line_text = |l: usize| -> &str {
        let Some(&s) = starts.get(l.wrapping_sub(1)) else {
            return "";
        };
        let e = starts.get(l).copied().unwrap_or(text.len());
        text[s..e].trim_end_matches(['\n', '\r'])
    };
    let last = last.min(starts.len());
    let base = toks
        .iter()
        .map(|t| t.line)
        .min()
        .unwrap_or(first)
        .min(first)
        .max(1);
    let mut cover = Lines {
        base,
        v: vec![Cover::Free; (last + 2).saturating_sub(base)],
    };
    let mut errors: Vec<(usize, &'static str)> = Vec::new();
    let mut flow_depth = 0usize;
    let mut flow_start_line = 0usize;
    for (i, tok) in toks.iter().enumerate() {
        match tok.kind {
            TokKind::FlowStart => {
                if flow_depth == 0 {
                    flow_start_line = tok.line;
                }
                flow_depth += 1;
            }
            TokKind::FlowEnd => {
                flow_depth = flow_depth.saturating_sub(1);
                if flow_depth == 0 {
                    for l in flow_start_line + 1..=tok.line {
                        cover.set(l, Cover::Inside);
                    }
                }
            }
            TokKind::Quoted => {
                let start = starts.get(tok.line.saturating_sub(1)).copied().unwrap_or(0);
                let at = text[start..]
                    .char_indices()
                    .nth(tok.col)
                    .map_or(text.len(), |(b, _)| start + b);
                let end = super::events::quoted_end(text, at).unwrap_or(text.len());
                let end_line = starts.partition_point(|&s| s <= end.saturating_sub(1));
                for l in tok.line + 1..=end_line {
                    cover.set(l, Cover::Inside);
                }
            }
            TokKind::Block => {
                block_lines(&line_text, tok, &mut cover, &mut errors, last);
            }
            TokKind::Plain { indent } if flow_depth == 0 => {
                // The lines a plain scalar reads on, up to the line that ends it.
                // A key, or a value followed by more on its line, ends on that line.
                let next_line = toks.get(i + 1).map_or(usize::MAX, |t| t.line);
                let mut l = tok.line + 1;
                while l <= last.min(next_line) {
                    let s = line_text(l);
                    let lead: String = s.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                    if let Some(col) = lead.chars().position(|c| c == '\t')
                        && col < indent
                    {
                        errors.push((l, VIOLATES));
                    }
                    if cover.get(l) == Cover::Free {
                        cover.set(l, Cover::PlainConsumed);
                    }
                    let rest = &s[lead.len()..];
                    let blank = rest.is_empty();
                    let ends = !blank && (rest.starts_with('#') || lead.chars().count() < indent);
                    if ends || l >= next_line {
                        break;
                    }
                    l += 1;
                }
            }
            _ => {}
        }
    }
    for l in first.max(1)..=last {
        let c = &cover.get(l);
        if *c == Cover::Inside {
            continue;
        }
        let s = line_text(l);
        if *c == Cover::Free
            && s.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .any(|c| c == '\t')
        {
            // Right after a block scalar's header the line is the scalar's.
            let prev = (1..l).rev().map(line_text).find(|p| !p.trim().is_empty());
            let msg = if prev.is_some_and(is_block_header) {
                INDENT_SPACE
            } else {
                CANNOT_START
            };
            errors.push((l, msg));
            continue;
        }
        // After `-`, `?` or a complex key's `:` at the start of a line, a simple key
        // may follow, so a tab there cannot be skipped either.
        let mut rest = if *c == Cover::PlainConsumed {
            s.trim_start_matches([' ', '\t'])
        } else {
            s.trim_start_matches(' ')
        };
        loop {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some('-' | '?' | ':'), Some(' ' | '\t')) => {
                    rest = rest[1..].trim_start_matches(' ');
                    if rest.starts_with('\t') {
                        errors.push((l, CANNOT_START));
                        break;
                    }
                }
                _ => break,
            }
        }
    }
    match errors.into_iter().min_by_key(|e| e.0) {
        Some((l, msg)) => Err(YamlError::yaml((l > 1).then_some(l), msg)),
        None => Ok(()),
    }
}

/// Whether a line ends with a block scalar header (`key: |`, `- >-`, `? |2`).
fn is_block_header(line: &str) -> bool {
    let code = match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    };
    let t = code
        .trim_end()
        .trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(before) = t.strip_suffix(['|', '>']) else {
        return false;
    };
    let before = before.trim_end();
    before.is_empty() || before.ends_with([':', '-', '?'])
}

/// Marks the lines of the block scalar whose content starts at `tok` and records
/// tabs left of its indentation.
fn block_lines<'a>(
    line_text: &dyn Fn(usize) -> &'a str,
    tok: &Tok,
    cover: &mut Lines,
    errors: &mut Vec<(usize, &'static str)>,
    last: usize,
) {
    let n = tok.col;
    // The header line: the last non-blank line before the content.
    let mut header = tok.line;
    while header > 1 {
        header -= 1;
        if !line_text(header).trim().is_empty() {
            break;
        }
    }
    let explicit = line_text(header)
        .rsplit(['|', '>'])
        .next()
        .is_some_and(|h| {
            h.split('#')
                .next()
                .is_some_and(|h| h.chars().any(|c| c.is_ascii_digit()))
        });
    for l in header + 1..=last {
        let s = line_text(l);
        let lead_spaces = s.chars().take_while(|c| *c == ' ').count();
        let after = s.chars().nth(lead_spaces);
        let before_content = l < tok.line;
        if before_content {
            // Indentation not known yet (unless given): any tab is refused.
            if s.contains('\t') && (!explicit || lead_spaces < n) {
                errors.push((l, INDENT_SPACE));
            }
            cover.set(l, Cover::Inside);
            continue;
        }
        if l == tok.line {
            if !explicit && after == Some('\t') {
                errors.push((l, INDENT_SPACE));
            }
            cover.set(l, Cover::Inside);
            continue;
        }
        let blank = s.trim_matches([' ', '\t']).is_empty();
        if lead_spaces >= n {
            cover.set(l, Cover::Inside);
            continue;
        }
        if after == Some('\t') {
            errors.push((l, INDENT_SPACE));
        }
        if blank {
            cover.set(l, Cover::Inside);
            continue;
        }
        // The first line left of the indentation ends the scalar; its leading spaces
        // were read by the scalar.
        cover.set(l, Cover::PlainConsumed);
        break;
    }
}
