//! The error a YAML or JSON read fails with, worded as Helm's Go libraries word it.
//!
//! Helm surfaces these texts to users (`error converting YAML to JSON: yaml: line 3:
//! mapping values are not allowed in this context`), and users search for them, so the
//! message keeps go-yaml's or encoding/json's phrase and the layer prefix Go prints.

use std::fmt;

/// Which Go library the error text comes from; decides the prefix `Display` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorSource {
    /// go-yaml: `yaml: line N: MESSAGE` (or `yaml: MESSAGE` without a line).
    Yaml,
    /// encoding/json: `json: MESSAGE` (for example `json: unsupported value: NaN`).
    Json,
    /// sigs.k8s.io/yaml's own conversion errors, printed bare.
    Convert,
}

/// A failed read: the 1-based line (when Go prints one) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: Option<usize>,
    pub message: String,
    pub source: ErrorSource,
}

impl YamlError {
    pub(crate) fn yaml(line: Option<usize>, message: impl Into<String>) -> YamlError {
        YamlError {
            line,
            message: message.into(),
            source: ErrorSource::Yaml,
        }
    }

    pub(crate) fn json(message: impl Into<String>) -> YamlError {
        YamlError {
            line: None,
            message: message.into(),
            source: ErrorSource::Json,
        }
    }

    pub(crate) fn convert(message: impl Into<String>) -> YamlError {
        YamlError {
            line: None,
            message: message.into(),
            source: ErrorSource::Convert,
        }
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            ErrorSource::Yaml => match self.line {
                Some(line) => write!(f, "yaml: line {line}: {}", self.message),
                None => write!(f, "yaml: {}", self.message),
            },
            ErrorSource::Json => write!(f, "json: {}", self.message),
            ErrorSource::Convert => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for YamlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_go_prefixes() {
        let e = YamlError::yaml(Some(3), "mapping values are not allowed in this context");
        assert_eq!(
            e.to_string(),
            "yaml: line 3: mapping values are not allowed in this context"
        );
        assert_eq!(
            YamlError::yaml(None, "unknown anchor 'a' referenced").to_string(),
            "yaml: unknown anchor 'a' referenced"
        );
        assert_eq!(
            YamlError::json("unsupported value: NaN").to_string(),
            "json: unsupported value: NaN"
        );
        assert_eq!(YamlError::convert("x").to_string(), "x");
    }
}
