//! `pull`: resolves `repo/chart` (or a chart name with `--repo URL`, or a full
//! URL) to an archive URL through the repository index, or an `oci://` reference
//! through the registry, downloads it, and saves or safely unpacks it. With
//! `--verify` the `.prov` beside the archive is fetched and checked against the
//! keyring in memory before anything is written or unpacked (Helm writes the
//! archive first and checks it after); with `--prov` it is fetched and saved
//! unchecked.
//!
//! Unpacking is hand-written rather than `tar::Archive::unpack` because Helm's
//! rules are stricter: only regular files are written (no symlinks, hard links or
//! devices), no absolute or escaping paths, and the unpacked size is capped at
//! Helm's chart limits so a gzip bomb stops early with a clear error.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::actions::registry::{self, RegistryOptions};
use crate::actions::repo::{RepoPaths, fetch_index, http_options};
use crate::chart::provenance::{Keyring, Verification, verify};
use crate::chart::{MAX_DECOMPRESSED_CHART_SIZE, MAX_DECOMPRESSED_FILE_SIZE};
use crate::repo::config::{Entry, RepoFile, cache_index_file, write_atomic};
use crate::repo::http::{Fetcher, resolve_reference};
use crate::repo::index::IndexFile;

/// Options of `pull`.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    pub chart: String,
    pub repo_url: String,
    pub version: String,
    pub devel: bool,
    pub destination: PathBuf,
    pub untar: bool,
    pub untardir: String,
    pub username: String,
    pub password: String,
    pub insecure_skip_tls_verify: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    /// Plain HTTP for `oci://` registries (`--plain-http`).
    pub plain_http: bool,
    /// Fetch the `.prov` and verify the archive against `keyring` (`--verify`).
    pub verify: bool,
    /// Fetch the `.prov` and save it without verifying (`--prov`).
    pub prov: bool,
    pub keyring: PathBuf,
}

/// What `pull` produced.
#[derive(Debug)]
pub struct Pulled {
    /// The archive or unpacked folder written.
    pub path: PathBuf,
    /// With `--verify`, who signed the chart.
    pub verification: Option<Verification>,
}

/// Downloads the chart; returns the path written (archive or unpacked folder).
/// `status` receives Helm's `Pulled:`/`Digest:` lines of registry pulls.
pub fn pull(
    paths: &RepoPaths,
    o: &PullOptions,
    warn: &mut dyn FnMut(String),
    status: &mut dyn FnMut(String),
) -> Result<Pulled> {
    let keyring = if o.verify {
        Some(Keyring::load(&o.keyring)?)
    } else {
        None
    };
    let constraint = if o.version.is_empty() && o.devel {
        ">0.0.0-0".to_string()
    } else {
        o.version.clone()
    };
    let (data, file_name, prov) = if crate::registry::is_oci(&o.chart) {
        if !o.repo_url.is_empty() {
            bail!(
                "--repo {} can't be used with the registry reference {}",
                o.repo_url,
                o.chart
            );
        }
        let pulled = registry::pull_chart_with(
            &o.chart,
            &constraint,
            &registry_options(o),
            o.verify || o.prov,
        )?;
        if pulled.prov.is_none() {
            if o.verify {
                bail!(
                    "failed to fetch provenance for {}: the chart was pushed without a .prov layer",
                    o.chart
                );
            } else if o.prov {
                warn(format!("Verification not found for {}", o.chart));
            }
        }
        pulled.warnings.iter().for_each(|w| warn(w.clone()));
        pulled
            .transfer
            .lines("Pulled")
            .into_iter()
            .for_each(&mut *status);
        (pulled.data, pulled.file_name, pulled.prov)
    } else {
        fetch(paths, o, &constraint, warn)?
    };
    let verification = match (&keyring, &prov) {
        (Some(ring), Some(body)) => Some(verify(ring, &file_name, &data, body)?),
        _ => None,
    };
    if o.untar {
        let target: PathBuf = o
            .destination
            .join(&o.untardir)
            .components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect();
        let target = if target.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            target
        };
        std::fs::create_dir_all(&target)
            .with_context(|| format!("failed to untar (mkdir): {}", target.display()))?;
        let top = extract(&data, &target, true)?;
        return Ok(Pulled {
            path: target.join(top),
            verification,
        });
    }
    std::fs::create_dir_all(&o.destination)?;
    let dest = o.destination.join(&file_name);
    write_atomic(&dest, &data, 0o644).map_err(|e| anyhow!(e))?;
    if let Some(body) = prov {
        let prov_dest = o.destination.join(format!("{file_name}.prov"));
        write_atomic(&prov_dest, &body, 0o644).map_err(|e| anyhow!(e))?;
    }
    Ok(Pulled {
        path: dest,
        verification,
    })
}

/// The registry flags of a pull.
pub fn registry_options(o: &PullOptions) -> RegistryOptions {
    RegistryOptions {
        plain_http: o.plain_http,
        insecure_skip_tls_verify: o.insecure_skip_tls_verify,
        ca_file: o.ca_file.clone(),
        cert_file: o.cert_file.clone(),
        key_file: o.key_file.clone(),
        username: o.username.clone(),
        password: o.password.clone(),
    }
}

/// Resolves and downloads a repository chart: (archive bytes, file name, and
/// with `--verify`/`--prov` the provenance file).
fn fetch(
    paths: &RepoPaths,
    o: &PullOptions,
    constraint: &str,
    warn: &mut dyn FnMut(String),
) -> Result<(Vec<u8>, String, Option<Vec<u8>>)> {
    let (url, entry) = resolve(paths, o, constraint, warn)?;
    let mut http = http_options(&entry);
    // Helm sends repository credentials with a chart download only to the
    // repository's own host, unless the repository allows all domains.
    if !entry.pass_credentials_all && !entry.url.is_empty() && host_of(&entry.url) != host_of(&url)
    {
        http.username.clear();
        http.password.clear();
    }
    let fetcher = Fetcher::new(&http)?;
    let data = fetcher.get(&url)?;
    let file_name = url
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|n| !n.is_empty() && *n != "." && *n != "..")
        .ok_or_else(|| anyhow!("can't take a file name from {url}"))?
        .to_string();
    let mut prov = None;
    if o.verify || o.prov {
        let prov_url = format!("{url}.prov");
        match fetcher.get(&prov_url) {
            Ok(body) => prov = Some(body),
            Err(e) if o.verify => {
                bail!("failed to fetch provenance {prov_url:?}: {e:#}")
            }
            Err(e) => warn(format!("Verification not found for {}: {e:#}", o.chart)),
        }
    }
    Ok((data, file_name, prov))
}

fn resolve(
    paths: &RepoPaths,
    o: &PullOptions,
    constraint: &str,
    warn: &mut dyn FnMut(String),
) -> Result<(String, Entry)> {
    let direct = Entry {
        username: o.username.clone(),
        password: o.password.clone(),
        ca_file: o.ca_file.clone(),
        cert_file: o.cert_file.clone(),
        key_file: o.key_file.clone(),
        insecure_skip_tls_verify: o.insecure_skip_tls_verify,
        ..Entry::default()
    };
    if !o.repo_url.is_empty() {
        let entry = Entry {
            url: o.repo_url.clone(),
            name: "charter-pull".into(),
            ..direct
        };
        let (index, _) = fetch_index(&entry, warn).map_err(|e| {
            anyhow!(
                "looks like {:?} is not a valid chart repository or cannot be reached: {e:#}",
                o.repo_url
            )
        })?;
        let cv = index.get(&o.chart, constraint).map_err(|_| {
            anyhow!(
                "chart {:?}{} not found in {} repository",
                o.chart,
                version_part(constraint),
                o.repo_url
            )
        })?;
        let u = cv
            .urls
            .first()
            .ok_or_else(|| anyhow!("no URL found for chart {}", o.chart))?;
        return Ok((
            resolve_reference(&o.repo_url, u).map_err(|e| anyhow!(e))?,
            entry,
        ));
    }
    if o.chart.contains("://") {
        return Ok((o.chart.clone(), direct));
    }
    let Some((repo, name)) = o.chart.split_once('/') else {
        bail!(
            "non-absolute URLs should be in form of repo_name/path_to_chart, got: {}",
            o.chart
        );
    };
    let file = RepoFile::load(&paths.config)
        .map_err(|e| anyhow!(e))?
        .unwrap_or_default();
    let entry = file
        .get(repo)
        .cloned()
        .ok_or_else(|| anyhow!("repo {repo} not found"))?;
    let index = IndexFile::load(&cache_index_file(&paths.cache, repo), warn)
        .map_err(|e| anyhow!("no cached repo found. (try 'helm repo update'): {e}"))?;
    let cv = index
        .get(name, constraint)
        .map_err(|_| anyhow!("chart {name:?} matching {constraint} not found in {repo} index. (try 'helm repo update')"))?;
    let u = cv
        .urls
        .first()
        .ok_or_else(|| anyhow!("no URL found for chart {name}"))?;
    Ok((
        resolve_reference(&entry.url, u).map_err(|e| anyhow!(e))?,
        entry,
    ))
}

fn host_of(url: &str) -> Option<(String, Option<u16>)> {
    let u = reqwest::Url::parse(url).ok()?;
    Some((u.host_str()?.to_string(), u.port_or_known_default()))
}

fn version_part(c: &str) -> String {
    if c.is_empty() {
        String::new()
    } else {
        format!(" version {c:?}")
    }
}

/// Unpacks a chart archive under `target`, refusing anything unsafe. Returns the
/// archive's top folder name.
pub fn extract(data: &[u8], target: &Path, refuse_existing: bool) -> Result<String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(data));
    let mut total: u64 = 0;
    let mut top: Option<String> = None;
    let entries = archive
        .entries()
        .context("failed to untar: not a gzipped tar archive")?;
    for entry in entries {
        let mut entry = entry.context("failed to untar: corrupt archive")?;
        let kind = entry.header().entry_type();
        let path = entry
            .path()
            .context("failed to untar: bad entry name")?
            .into_owned();
        let shown = path.display().to_string();
        if kind.is_dir() || kind == tar::EntryType::XGlobalHeader || kind == tar::EntryType::XHeader
        {
            continue;
        }
        if !kind.is_file() {
            bail!(
                "failed to untar: {shown}: only regular files are allowed in a chart archive (found {kind:?})"
            );
        }
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(p) => parts.push(p.to_os_string()),
                Component::CurDir => {}
                _ => bail!(
                    "failed to untar: {shown}: path is absolute or escapes the chart directory"
                ),
            }
        }
        if parts.len() < 2 {
            bail!("failed to untar: {shown}: file is not inside the chart's top folder");
        }
        let first = parts[0].to_string_lossy().into_owned();
        match &top {
            None => {
                if refuse_existing && target.join(&first).exists() {
                    bail!(
                        "failed to untar: a file or directory with the name {} already exists",
                        target.join(&first).display()
                    );
                }
                top = Some(first);
            }
            Some(t) if *t != first => {
                bail!("failed to untar: {shown}: chart archives have a single top folder")
            }
            Some(_) => {}
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            bail!(
                "failed to untar: {shown}: file exceeds the {} MiB limit",
                MAX_DECOMPRESSED_FILE_SIZE / 1024 / 1024
            );
        }
        let mut buf = Vec::new();
        (&mut entry)
            .take(MAX_DECOMPRESSED_FILE_SIZE + 1)
            .read_to_end(&mut buf)
            .context("failed to untar: corrupt archive")?;
        total += buf.len() as u64;
        if buf.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE || total > MAX_DECOMPRESSED_CHART_SIZE {
            bail!(
                "failed to untar: the archive exceeds the {} MiB unpacked limit",
                MAX_DECOMPRESSED_CHART_SIZE / 1024 / 1024
            );
        }
        let dest: PathBuf = parts.iter().fold(target.to_path_buf(), |p, c| p.join(c));
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&dest, &buf)
            .with_context(|| format!("failed to untar: writing {}", dest.display()))?;
    }
    top.ok_or_else(|| anyhow!("failed to untar: the archive is empty"))
}
