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

/// gosuri/uitable as Helm configures it: cells cut to `max` runes with `...`,
/// padded to the column width (the last one too), joined by a tab.
pub fn table(rows: &[Vec<String>], max: usize) -> String {
    let cut = |s: &str| -> String {
        let n = s.chars().count();
        if n <= max {
            s.to_string()
        } else if max <= 3 {
            s.chars().take(max).collect()
        } else {
            let mut t: String = s.chars().take(max - 3).collect();
            t.push_str("...");
            t
        }
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(c)).collect())
        .collect();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            cells
                .iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in &cells {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "{c}{}",
                    " ".repeat(widths[i].saturating_sub(c.chars().count()))
                )
            })
            .collect();
        out.push_str(&line.join("\t"));
        out.push('\n');
    }
    out
}
