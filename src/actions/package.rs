//! `package`: loads a chart directory, applies `--version`/`--app-version`, checks
//! that declared dependencies are present in `charts/`, and writes the archive
//! with [`crate::chart::package`].

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::chart::constraint::parse_version;

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
