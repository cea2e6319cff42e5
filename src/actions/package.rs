//! `package`: loads a chart directory, applies `--version`/`--app-version`, checks
//! that declared dependencies are present in `charts/`, and writes the archive
//! with [`crate::chart::package`]. With `--sign`, a [`Signer`] is prepared first
//! (keyring read, key picked, passphrase checked) so a bad key fails before any
//! archive is written, then each archive gets its `.prov` beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::chart::constraint::parse_version;
use crate::chart::provenance::{self, Keyring};

/// Options of `package`.
#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    pub version: String,
    pub app_version: String,
    pub destination: PathBuf,
}

pub fn package(dir: &Path, o: &PackageOptions) -> Result<PathBuf> {
    let meta = std::fs::metadata(dir)
        .map_err(|_| anyhow!("stat {}: no such file or directory", dir.display()))?;
    if !meta.is_dir() {
        bail!("{}: not a directory", dir.display());
    }
    let mut chart = crate::chart::load_dir(dir)?;
    if !o.version.is_empty() {
        chart.metadata.version = o.version.clone();
    }
    parse_version(&chart.metadata.version).map_err(|e| anyhow!(e))?;
    if !o.app_version.is_empty() {
        chart.metadata.app_version = o.app_version.clone();
    }
    let missing: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.metadata.name == d.name))
        .map(|d| d.name.clone())
        .collect();
    if !missing.is_empty() {
        bail!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        );
    }
    let dest = if o.destination.as_os_str() == "." {
        std::env::current_dir().context("getting the current directory")?
    } else {
        o.destination.clone()
    };
    crate::chart::package::save(&chart, &dest).context("failed to save")
}

/// A signing key, unlocked and ready for [`sign_archive`].
pub struct Signer {
    key: pgp::composed::SignedSecretKey,
    passphrase: pgp::types::Password,
}

/// Reads `keyring`, picks the key whose user id matches `key` (Helm's rule:
/// an exact match, else the one user id containing it) and, when the key is
/// protected, asks `passphrase` for its passphrase (given the key's first user
/// id) and checks it.
pub fn load_signer(
    keyring: &Path,
    key: &str,
    passphrase: &mut dyn FnMut(&str) -> Result<Vec<u8>>,
) -> Result<Signer> {
    let ring = Keyring::load(keyring)?;
    let secret = ring.signer(key, &keyring.display().to_string())?.clone();
    let pw = if provenance::is_encrypted(&secret) {
        let bytes = passphrase(&provenance::key_name(&secret))?;
        pgp::types::Password::from(&bytes[..])
    } else {
        pgp::types::Password::empty()
    };
    provenance::check_passphrase(&secret, &pw)?;
    Ok(Signer {
        key: secret,
        passphrase: pw,
    })
}

/// Writes `<archive>.prov` for a packaged archive; returns its path.
pub fn sign_archive(signer: &Signer, archive: &Path) -> Result<PathBuf> {
    let data = std::fs::read(archive).with_context(|| format!("reading {}", archive.display()))?;
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| anyhow!("{}: not a file name", archive.display()))?;
    let prov = provenance::sign(&signer.key, &signer.passphrase, &name, &data)?;
    let mut path = archive.as_os_str().to_owned();
    path.push(".prov");
    let path = PathBuf::from(path);
    std::fs::write(&path, prov).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}
