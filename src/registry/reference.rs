//! `host[:port]/repository[:tag][@digest]`, parsed as Helm's `newReference` over
//! oras' `ParseReference`: a `+` in the tag becomes `_` (OCI tags cannot hold `+`),
//! the repository must be lowercase path components, a tag is `[\w][\w.-]{0,127}`.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use super::RegistryError;

static REPOSITORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*$",
    )
    .expect("static regex")
});
static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\w[\w.-]{0,127}$").expect("static regex"));
static DIGEST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^sha256:[a-f0-9]{64}$").expect("static regex"));

/// A parsed reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    /// `path/to/chart`.
    pub repository: String,
    /// The tag as sent to the registry (`+` already turned into `_`).
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Parses `raw`, with or without the `oci://` prefix.
    pub fn parse(raw: &str) -> Result<Reference, RegistryError> {
        let bad = |why: &str| RegistryError::Other(format!("invalid reference {raw:?}: {why}"));
        let mut rest = raw.strip_prefix("oci://").unwrap_or(raw);
        let mut digest = None;
        if let Some((before, d)) = rest.rsplit_once('@') {
            if !DIGEST.is_match(d) {
                return Err(bad("invalid digest"));
            }
            digest = Some(d.to_string());
            rest = before;
        }
        let Some((registry, path)) = rest.split_once('/') else {
            return Err(bad("missing repository"));
        };
        if registry.is_empty()
            || !registry
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        {
            return Err(bad("invalid registry"));
        }
        let (repository, tag) = match path.split_once(':') {
            Some((r, t)) => (r, Some(t.replace('+', "_"))),
            None => (path, None),
        };
        if !REPOSITORY.is_match(repository) {
            return Err(bad("invalid repository"));
        }
        if let Some(t) = &tag
            && !TAG.is_match(t)
        {
            return Err(bad("invalid tag"));
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// The same repository at another tag (`+` turned into `_`).
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference {
            tag: Some(tag.replace('+', "_")),
            digest: None,
            ..self.clone()
        }
    }

    /// What the manifest endpoint is asked for: the digest if there is one, else the tag.
    pub fn target(&self) -> Option<&str> {
        self.digest.as_deref().or(self.tag.as_deref())
    }

    /// The last path component (the chart name).
    pub fn name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }
}

/// Helm's `reference.String()`: `host/repo:tag`, or `host/repo@digest` without a tag.
impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        match (&self.tag, &self.digest) {
            (Some(t), _) => write!(f, ":{t}"),
            (None, Some(d)) => write!(f, "@{d}"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_helm_references() {
        let r = Reference::parse("oci://127.0.0.1:5000/charts/web:1.0.0+build.1").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "charts/web");
        assert_eq!(r.tag.as_deref(), Some("1.0.0_build.1"));
        assert_eq!(r.name(), "web");
        assert_eq!(r.to_string(), "127.0.0.1:5000/charts/web:1.0.0_build.1");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("r.io/web@{d}")).unwrap();
        assert_eq!(r.target(), Some(d.as_str()));
        assert_eq!(r.to_string(), format!("r.io/web@{d}"));
        assert!(Reference::parse("r.io/web").unwrap().tag.is_none());
    }

    #[test]
    fn rejects_bad_references() {
        for bad in [
            "oci://host",
            "oci://host/Upper",
            "oci://host/a:b:c",
            "oci:///x",
            "host/x@sha256:zz",
            "host/x:-tag",
        ] {
            let e = Reference::parse(bad).unwrap_err().to_string();
            assert!(e.contains("invalid reference"), "{bad}: {e}");
        }
    }
}
