//! Helm's `LocateChart`, shared by `show` and `template` (and later `install`):
//! an existing local path is used as it is; anything else is downloaded into the
//! repository cache first: an `oci://` reference from its registry, a
//! `repo/chart` reference or a name with `--repo URL` from a chart repository,
//! with the same resolution, retries and verification as `pull`.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use crate::actions::pull::{PullOptions, pull};
use crate::actions::render::locate_chart;
use crate::actions::repo::RepoPaths;

/// The chart reference flags (`--version`, `--devel`, `--repo`, auth, TLS).
#[derive(Debug, Clone, Default)]
pub struct ChartRefOptions {
    pub version: String,
    pub devel: bool,
    pub repo_url: String,
    pub username: String,
    pub password: String,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    pub plain_http: bool,
    /// `--verify`: the archive (local, or downloaded with its `.prov`) must
    /// verify against `keyring` before it is used.
    pub verify: bool,
    pub keyring: std::path::PathBuf,
}

/// Finds the chart `name` on disk, downloading it when it is a reference.
/// `status` receives the `Pulled:`/`Digest:` lines of registry pulls.
pub fn locate(
    name: &str,
    o: &ChartRefOptions,
    warn: &mut dyn FnMut(String),
    status: &mut dyn FnMut(String),
) -> Result<PathBuf> {
    let name = name.trim();
    let path = std::path::Path::new(name);
    if path.exists() {
        if o.verify {
            crate::actions::verify::verify_chart(path, &o.keyring)?;
        }
        return locate_chart(name);
    }
    if path.is_absolute() || name.starts_with('.') {
        bail!("path {name:?} not found");
    }
    let paths = RepoPaths::from_env();
    let version = o.version.trim();
    let opts = PullOptions {
        chart: name.to_string(),
        repo_url: o.repo_url.clone(),
        version: version.to_string(),
        devel: o.devel,
        destination: paths.cache.clone(),
        untar: false,
        untardir: ".".into(),
        username: o.username.clone(),
        password: o.password.clone(),
        insecure_skip_tls_verify: o.insecure_skip_tls_verify,
        ca_file: o.ca_file.clone(),
        cert_file: o.cert_file.clone(),
        key_file: o.key_file.clone(),
        plain_http: o.plain_http,
        verify: o.verify,
        keyring: o.keyring.clone(),
        ..PullOptions::default()
    };
    let at = if version.is_empty() {
        String::new()
    } else {
        format!(" at version {version:?}")
    };
    // Helm hides the cause unless --debug; charter names it, since it is the useful part.
    let saved = pull(&paths, &opts, warn, status)
        .map_err(|e| anyhow!("failed to download {name:?}{at}: {e:#}"))?;
    let saved = saved.path;
    Ok(std::path::absolute(&saved).unwrap_or(saved))
}
