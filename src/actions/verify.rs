//! `verify`: checks a chart archive against the `.prov` file beside it and a
//! keyring (Helm's `downloader.VerifyChart`). The same check runs in memory for
//! `pull --verify` before anything is written.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use crate::chart::provenance::{Keyring, Verification, io_reason, verify};

/// Verifies `<path>` against `<path>.prov` with the keys in `keyring`.
pub fn verify_chart(path: &Path, keyring: &Path) -> Result<Verification> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| anyhow!("stat {shown}: {}", io_reason(&e)))?;
    if meta.is_dir() {
        bail!("unpacked charts cannot be verified");
    }
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"))
    {
        bail!("chart must be a tgz file");
    }
    let mut prov_path = path.as_os_str().to_owned();
    prov_path.push(".prov");
    let prov_path = Path::new(&prov_path);
    let prov = std::fs::read(prov_path).map_err(|e| {
        anyhow!(
            "could not load provenance file {p}: stat {p}: {}",
            io_reason(&e),
            p = prov_path.display()
        )
    })?;
    let ring = Keyring::load(keyring)?;
    let archive = std::fs::read(path).map_err(|e| anyhow!("open {shown}: {}", io_reason(&e)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(verify(&ring, &name, &archive, &prov)?)
}
