//! Template errors, worded exactly as Go's `text/template` words them, because users
//! (and Helm's own error rewriting) match on that text.

use std::fmt;

/// What kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text could not be parsed: `template: NAME:LINE: MSG`.
    Parse,
    /// Execution failed: `template: NAME:LINE:COL: executing "T" at <NODE>: MSG`.
    Exec,
    /// Anything else (e.g. an unknown template name at the top level).
    Other,
}

/// A template error with Go's message and its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    /// The whole message, in Go's form.
    pub message: String,
    /// For exec errors: `file:line:col` of the failing node.
    pub location: String,
    /// The reason after Go's prefix.
    pub reason: String,
}

impl Error {
    pub fn parse(name: &str, line: usize, msg: impl Into<String>) -> Error {
        let reason = msg.into();
        Error {
            kind: ErrorKind::Parse,
            message: format!("template: {name}:{line}: {reason}"),
            location: format!("{name}:{line}"),
            reason,
        }
    }

    pub fn exec(location: String, executing: &str, context: &str, reason: String) -> Error {
        Error {
            kind: ErrorKind::Exec,
            message: format!(
                "template: {location}: executing {} at <{context}>: {reason}",
                super::fmt::go_quote(executing)
            ),
            location,
            reason,
        }
    }

    pub fn exec_plain(name: &str, reason: String) -> Error {
        Error {
            kind: ErrorKind::Exec,
            message: format!("template: {name}: {reason}"),
            location: name.to_string(),
            reason,
        }
    }

    pub fn other(message: String) -> Error {
        Error {
            kind: ErrorKind::Other,
            reason: message.clone(),
            location: String::new(),
            message,
        }
    }

    /// Whether this is an execution error (Go's `template.ExecError`).
    pub fn is_exec(&self) -> bool {
        self.kind == ErrorKind::Exec
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
