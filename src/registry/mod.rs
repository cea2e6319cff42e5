//! OCI registries as Helm 3.17 uses them: charts stored as OCI artifacts (a
//! manifest whose config is Chart.yaml as JSON and whose layers are the chart
//! archive and, optionally, its provenance file), logins kept in Docker's
//! `config.json` format in Helm's registry config so that Helm and charter share
//! them.
//!
//! - [`reference`]: `host/repo/chart:tag@digest` parsing with Helm's `+` to `_`
//!   tag rule;
//! - [`manifest`]: the manifest and config blob, encoded byte for byte as Helm's
//!   Go code writes them (so a chart pushed by either tool has the same digest);
//! - [`credentials`]: the registry config file;
//! - [`client`]: the distribution API over blocking reqwest: Basic and Bearer
//!   challenges, blob and manifest push/pull with digests verified, tag listing,
//!   and bounded retries with backoff on transient failures.
//!
//! The client is charter's own rather than an OCI crate: the crates available
//! (oci-distribution/oci-client) are async, bring their own tokio runtime and
//! reqwest configuration, and encode manifests with serde, which differs from Go's
//! `encoding/json` in escaping; the protocol subset Helm needs is small.
//! Nothing here prints or reads the environment; `actions` decides both.

pub mod client;
pub mod credentials;
pub mod manifest;
pub mod reference;

pub use client::{Client, ClientOptions};
pub use reference::Reference;

/// The URL scheme of OCI chart references.
pub const OCI_SCHEME: &str = "oci";
/// The media type of the config blob (Chart.yaml as JSON).
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
/// The media type of the chart archive layer.
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// The media type of the provenance layer.
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";
/// The chart layer media type of Helm 3.0-3.6; still read, with a warning.
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";
/// The OCI image manifest media type.
pub const OCI_MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker's schema 2 manifest, which registries may hand back for old pushes.
pub const DOCKER_MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// Helm's note printed after a push or pull whose tag holds an underscore.
pub const UNDERSCORE_MESSAGE: &str = "\nOCI artifact references (e.g. tags) do not support the plus sign (+). To support\nstoring semantic versions, Helm adopts the convention of changing plus (+) to\nan underscore (_) in chart version tags when pushing to a registry and back to\na plus (+) when pulling from a registry.";

/// Whether `s` is an `oci://` reference.
pub fn is_oci(s: &str) -> bool {
    s.starts_with("oci://")
}

/// A registry failure. Every message names the URL or reference involved.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The server could not be reached or the transfer broke.
    #[error("failed to do request: {method} {url:?}: {reason}")]
    Transport {
        method: String,
        url: String,
        reason: String,
    },
    /// The server answered with an unexpected status.
    #[error("{method} {url:?}: unexpected status code {status}{detail}")]
    Status {
        method: String,
        url: String,
        status: u16,
        /// `: code: message` from the registry's error body, or empty.
        detail: String,
    },
    /// Authentication failed or no credentials were found.
    #[error("{0}")]
    Auth(String),
    /// A manifest or tag that does not exist.
    #[error("{0}: not found")]
    NotFound(String),
    /// Content whose digest or size differs from what was announced.
    #[error("{what} from {url}: {reason}")]
    Corrupt {
        what: String,
        url: String,
        reason: String,
    },
    /// Anything else (bad reference, bad manifest, file errors), already worded.
    #[error("{0}")]
    Other(String),
}

impl RegistryError {
    /// Worth another attempt: connection errors, cut-off bodies, 5xx and 429.
    pub fn transient(&self) -> bool {
        match self {
            RegistryError::Transport { .. } => true,
            RegistryError::Status { status, .. } => *status >= 500 || *status == 429,
            RegistryError::Corrupt { reason, .. } => reason.starts_with("truncated"),
            _ => false,
        }
    }
}

/// `sha256:<hex>` of `data`.
pub fn digest_of(data: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(data)))
}

/// Docker's `ConvertToHostname`: `https://host/v2/` and `host` both mean `host`.
pub fn hostname(server: &str) -> String {
    let s = server
        .strip_prefix("https://")
        .or_else(|| server.strip_prefix("http://"))
        .unwrap_or(server);
    s.split('/').next().unwrap_or(s).to_string()
}

/// A loopback registry host (`localhost`, `127.x.x.x`, `::1`), which Helm's
/// resolver reaches over plain HTTP without being told.
pub fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        match host.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host,
        }
    };
    name == "localhost"
        || name == "::1"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(hostname("https://r.example/v2/"), "r.example");
        assert_eq!(hostname("127.0.0.1:5000"), "127.0.0.1:5000");
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("ghcr.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    #[test]
    fn digests_and_transience() {
        assert_eq!(
            digest_of(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let s = |status| RegistryError::Status {
            method: "GET".into(),
            url: "u".into(),
            status,
            detail: String::new(),
        };
        assert!(s(503).transient());
        assert!(s(429).transient());
        assert!(!s(404).transient());
    }
}
