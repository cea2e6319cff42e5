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
