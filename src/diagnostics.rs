//! How errors reach the user: `Error: <what failed>` as Helm prints it, then each
//! cause on its own `Caused by:` line with `--debug`, then any `hint:` lines.

use std::io::Write;

/// A hint attached to an error: printed after it as `hint: ...`.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

/// Prints an error chain to stderr.
pub fn report(err: &anyhow::Error, debug: bool) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "Error: {err}");
    let mut hints = Vec::new();
    for (i, cause) in err.chain().enumerate() {
        if let Some(h) = cause.downcast_ref::<Hinted>() {
            hints.push(h.hint.clone());
        }
        if debug && i > 0 {
            let _ = writeln!(stderr, "  Caused by: {cause}");
        }
    }
    for h in hints {
        let _ = writeln!(stderr, "hint: {h}");
    }
}

/// An error and its causes on one line, `: `-joined, each cause left out when
/// the text before already says it (as errors that wrap theirs often do).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}
