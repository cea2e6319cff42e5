//! All output goes through here: data to stdout, status and warnings to stderr.
//! A closed stdout (`charter template ... | head`) ends the program quietly.

use std::io::{self, Write};

/// Where a command's output goes.
#[derive(Debug, Clone, Default)]
pub struct Printer {
    pub quiet: bool,
    pub debug: bool,
}

impl Printer {
    /// Writes data (the command's result) to stdout.
    pub fn data(&self, text: &str) {
        let mut out = io::stdout().lock();
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush())
            && e.kind() == io::ErrorKind::BrokenPipe
        {
            std::process::exit(0);
        }
    }

    /// Writes a warning to stderr (Helm's `WARNING:` form).
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "WARNING: {text}");
        }
    }

    /// Writes a status line to stderr, unless `-q`.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// Writes a debug line to stderr, only with `--debug`.
    pub fn debug(&self, text: &str) {
        if self.debug {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }
}

/// gosuri/uitable as Helm uses it: each column as wide as its widest line
/// (display width, as go-runewidth measures it; at most `max`), every cell
/// resized to that width (padded, or cut with `...`), a cell's lines split
/// across output lines, cells joined by a tab, each row ending in a newline.
pub fn table(rows: &[Vec<String>], max: usize) -> String {
    let east_asian = east_asian_locale();
    let width = |s: &str| string_width(s, east_asian);
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.split('\n').map(width).max().unwrap_or(0).min(max))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let cell = |text: &str, w: usize| -> String {
        if w == 0 {
            text.to_string()
        } else {
            resize(text, w, east_asian)
        }
    };
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| cell(c, widths[i]))
            .collect();
        let split: Vec<Vec<&str>> = cells.iter().map(|c| c.split('\n').collect()).collect();
        let lines = split.iter().map(Vec::len).max().unwrap_or(0);
        for x in 0..lines {
            let line: Vec<String> = split
                .iter()
                .enumerate()
                .map(|(y, parts)| match parts.get(x) {
                    Some(part) => cell(part, widths[y]),
                    // A cell with fewer lines: uitable pads " " to the width.
                    None => format!("{:>w$}", " ", w = widths[y]),
                })
                .collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
    }
    out
}

/// uitable's `strutil.Resize`: padded on the right to `n` columns, or cut to
/// about `n - 3` columns followed by `...` (the rune that reaches `n - 3` kept).
fn resize(s: &str, n: usize, east_asian: bool) -> String {
    let w = string_width(s, east_asian);
    if w == n {
        return s.to_string();
    }
    if w < n {
        return format!("{s}{}", " ".repeat(n - w));
    }
    let mut out = String::new();
    let mut acc: isize = 0;
    for c in s.chars() {
        out.push(c);
        let cw = rune_width(c, east_asian) as isize;
        if acc + cw >= n as isize - 3 {
            break;
        }
        acc += cw;
    }
    out.push_str("...");
    out
}

/// go-runewidth's width of a string: the sum of its runes' widths.
pub fn string_width(s: &str, east_asian: bool) -> usize {
    s.chars().map(|c| rune_width(c, east_asian)).sum()
}

/// go-runewidth's width of one rune: 0 for control characters, 2 for wide ones
/// (and for ambiguous ones in an East Asian locale), else 1.
fn rune_width(c: char, east_asian: bool) -> usize {
    use unicode_width::UnicodeWidthChar;
    if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) {
        return 0;
    }
    if east_asian {
        if AMBIGUOUS_NARROW_IN_CRATE
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&(c as u32)))
        {
            return 2;
        }
        c.width_cjk().unwrap_or(0)
    } else {
        c.width().unwrap_or(0)
    }
}

/// Unicode's East Asian Ambiguous characters in the Latin, Greek and Cyrillic
/// blocks (EastAsianWidth.txt, class A): go-runewidth counts them as wide in an
/// East Asian locale, unicode-width's CJK widths count them as narrow.
const AMBIGUOUS_NARROW_IN_CRATE: &[(u32, u32)] = &[
    (0xA1, 0xA1),
    (0xA4, 0xA4),
    (0xA7, 0xA8),
    (0xAA, 0xAA),
    (0xAD, 0xAE),
    (0xB0, 0xB4),
    (0xB6, 0xBA),
    (0xBC, 0xBF),
    (0xC6, 0xC6),
    (0xD0, 0xD0),
    (0xD7, 0xD8),
    (0xDE, 0xE1),
    (0xE6, 0xE6),
    (0xE8, 0xEA),
    (0xEC, 0xED),
    (0xF0, 0xF0),
    (0xF2, 0xF3),
    (0xF7, 0xFA),
    (0xFC, 0xFC),
    (0xFE, 0xFE),
    (0x101, 0x101),
    (0x111, 0x111),
    (0x113, 0x113),
    (0x11B, 0x11B),
    (0x126, 0x127),
    (0x12B, 0x12B),
    (0x131, 0x133),
    (0x138, 0x138),
    (0x13F, 0x142),
    (0x144, 0x144),
    (0x148, 0x14B),
    (0x14D, 0x14D),
    (0x152, 0x153),
    (0x166, 0x167),
    (0x16B, 0x16B),
    (0x1CE, 0x1CE),
    (0x1D0, 0x1D0),
    (0x1D2, 0x1D2),
    (0x1D4, 0x1D4),
    (0x1D6, 0x1D6),
    (0x1D8, 0x1D8),
    (0x1DA, 0x1DA),
    (0x1DC, 0x1DC),
    (0x251, 0x251),
    (0x261, 0x261),
    (0x2C4, 0x2C4),
    (0x2C7, 0x2C7),
    (0x2C9, 0x2CB),
    (0x2CD, 0x2CD),
    (0x2D0, 0x2D0),
    (0x2D8, 0x2DB),
    (0x2DD, 0x2DD),
    (0x2DF, 0x2DF),
    (0x391, 0x3A1),
    (0x3A3, 0x3A9),
    (0x3B1, 0x3C1),
    (0x3C3, 0x3C9),
    (0x401, 0x401),
    (0x410, 0x44F),
    (0x451, 0x451),
];

/// go-runewidth's `IsEastAsian`: the locale (`LC_ALL`, else `LC_CTYPE`, else
/// `LANG`) is Japanese, Korean or Chinese with a multibyte character set (or a
/// legacy multibyte set of any language).
fn east_asian_locale() -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.is_empty())
        .unwrap_or_default();
    is_east_asian(&locale)
}

fn is_east_asian(locale: &str) -> bool {
    if locale == "POSIX" || locale == "C" {
        return false;
    }
    let b = locale.as_bytes();
    if b.len() > 1 && b[0] == b'C' && (b[1] == b'.' || b[1] == b'-') {
        return false;
    }
    // `^[a-z][a-z][a-z]?(?:_[A-Z][A-Z])?\.(.+)`: the character set after the dot.
    let lang_len = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
    let mut charset = locale.to_ascii_lowercase();
    if (2..=3).contains(&lang_len) {
        let mut rest = &locale[lang_len..];
        if rest.len() >= 3
            && rest.as_bytes()[0] == b'_'
            && rest.as_bytes()[1..3].iter().all(u8::is_ascii_uppercase)
        {
            rest = &rest[3..];
        }
        if let Some(set) = rest.strip_prefix('.').filter(|s| !s.is_empty()) {
            charset = set.to_ascii_lowercase();
        }
    }
    if charset.ends_with("@cjk_narrow") {
        return false;
    }
    if let Some(at) = charset.find('@') {
        charset.truncate(at);
    }
    let multibyte = matches!(
        charset.as_str(),
        "utf-8"
            | "utf8"
            | "jis"
            | "eucjp"
            | "euc-jp"
            | "euckr"
            | "euc-kr"
            | "euccn"
            | "euc-cn"
            | "gb2312"
            | "gbk"
            | "gb18030"
            | "big5"
            | "big5hkscs"
            | "sjis"
            | "shift_jis"
            | "cp932"
            | "cp936"
            | "cp949"
            | "cp950"
    );
    multibyte
        && (!charset.starts_with('u')
            || locale.starts_with("ja")
            || locale.starts_with("ko")
            || locale.starts_with("zh"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_measure_display_width_and_cut_as_uitable_does() {
        let rows = vec![
            vec!["A".to_string(), "B".to_string()],
            vec!["日本".to_string(), "x".to_string()],
        ];
        assert_eq!(table(&rows, usize::MAX), "A   \tB\n日本\tx\n");
        // A multi-line cell: as wide as its widest line, the whole text cut.
        let rows = vec![vec!["abcdefgh\nij".to_string()], vec!["x".to_string()]];
        assert_eq!(table(&rows, usize::MAX), "abcde...\nx       \n");
        // `max` caps a column; ASCII is cut to max - 3 characters and `...`.
        let rows = vec![vec!["abcdefghij".to_string(), "z".to_string()]];
        assert_eq!(table(&rows, 6), "abc...\tz\n");
        assert_eq!(table(&[], 6), "");
    }

    #[test]
    fn east_asian_locales_are_recognized_as_go_runewidth_does() {
        assert!(is_east_asian("ja_JP.UTF-8"));
        assert!(is_east_asian("zh_CN.utf8"));
        assert!(!is_east_asian("en_US.UTF-8"));
        assert!(!is_east_asian("C.UTF-8"));
        assert!(!is_east_asian("POSIX"));
        assert!(!is_east_asian(""));
        assert!(!is_east_asian("ja_JP.UTF-8@cjk_narrow"));
        assert!(is_east_asian("en_US.eucJP"));
        assert_eq!(string_width("é", true), 2);
        assert_eq!(string_width("é", false), 1);
    }
}
