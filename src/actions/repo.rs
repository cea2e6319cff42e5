//! Repository operations: `repo add`, `repo update`, `repo remove`, `repo index`,
//! and downloading an index into the cache. Each returns what happened; the command
//! decides how to print it. Messages follow Helm's `cmd/helm/repo_*.go`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::repo::config::{self, Entry, FileLock, RepoFile};
use crate::repo::http::{Fetcher, HttpOptions, index_url};
use crate::repo::index::{ChartVersion, IndexFile};
use crate::repo::search::SearchCache;

/// Where repository state lives.
#[derive(Debug, Clone)]
pub struct RepoPaths {
    pub config: PathBuf,
    pub cache: PathBuf,
}

impl RepoPaths {
    /// Helm's locations (environment, XDG, home).
    pub fn from_env() -> RepoPaths {
        RepoPaths {
            config: config::repository_config(),
            cache: config::repository_cache(),
        }
    }
}

pub fn http_options(e: &Entry) -> HttpOptions {
    HttpOptions {
        username: e.username.clone(),
        password: e.password.clone(),
        ca_file: e.ca_file.clone(),
        cert_file: e.cert_file.clone(),
        key_file: e.key_file.clone(),
        insecure_skip_tls_verify: e.insecure_skip_tls_verify,
        ..HttpOptions::default()
    }
}

/// Fetches and validates a repository's index (Helm's `DownloadIndexFile`).
pub fn fetch_index(entry: &Entry, warn: &mut dyn FnMut(String)) -> Result<(IndexFile, Vec<u8>)> {
    let url = index_url(&entry.url).map_err(|e| anyhow!(e))?;
    let fetcher = Fetcher::new(&http_options(entry))?;
    let bytes = fetcher.get(&url)?;
    let index = IndexFile::parse(&bytes, &url, warn)?;
    Ok((index, bytes))
}

/// Downloads a repository's index into the cache: `<name>-index.yaml`,
/// `<name>-charts.txt` and charter's search cache, each written atomically. The
/// index is validated as [`fetch_index`] validates it, through the fast reader in
/// `repo::scan` that keeps only the search fields; its copy is written and synced
/// on another thread meanwhile, and put in place only once it proved valid.
pub fn download_index(
    entry: &Entry,
    cache: &Path,
    warn: &mut dyn FnMut(String),
) -> Result<PathBuf> {
    let url = index_url(&entry.url).map_err(|e| anyhow!(e))?;
    let bytes = Fetcher::new(&http_options(entry))?.get(&url)?;
    let path = config::cache_index_file(cache, &entry.name);
    let (charts, staged) = std::thread::scope(|sc| {
        let copy =
            sc.spawn(|| config::stage(&path, 0o644, |w| std::io::Write::write_all(w, &bytes)));
        let charts = crate::repo::scan::summarize(&bytes, &url, warn);
        let staged = copy
            .join()
            .unwrap_or_else(|_| Err(format!("write {}: writer failed", path.display())));
        (charts, staged)
    });
    let charts = charts?;
    let staged = staged.map_err(|e| anyhow!(e))?;
    let names: Vec<&str> = charts.keys().map(String::as_str).collect();
    config::write_atomic(
        &config::cache_charts_file(cache, &entry.name),
        names.join("\n").as_bytes(),
        0o644,
    )
    .map_err(|e| anyhow!(e))?;
    staged.commit().map_err(|e| anyhow!(e))?;
    SearchCache::write_entries(cache, &entry.name, charts, &bytes).map_err(|e| anyhow!(e))?;
    Ok(path)
}

/// What `repo add` did.
pub enum AddOutcome {
    Added,
    AlreadyPresent,
}

/// `repo add`.
pub fn add(
    paths: &RepoPaths,
    entry: Entry,
    force_update: bool,
    warn: &mut dyn FnMut(String),
) -> Result<AddOutcome> {
    if entry.name.contains('/') {
        bail!(
            "repository name ({}) contains '/', please specify a different name without '/'",
            entry.name
        );
    }
    let _lock = FileLock::acquire(&paths.config).map_err(|e| anyhow!(e))?;
    let mut file = RepoFile::load_or_default(&paths.config).map_err(|e| anyhow!(e))?;
    if let Some(existing) = file.get(&entry.name) {
        if !force_update && *existing == entry {
            return Ok(AddOutcome::AlreadyPresent);
        }
        if !force_update {
            bail!(
                "repository name ({}) already exists, please specify a different name",
                entry.name
            );
        }
    }
    download_index(&entry, &paths.cache, warn).map_err(|e| {
        anyhow!(
            "looks like {:?} is not a valid chart repository or cannot be reached: {e:#}",
            entry.url
        )
    })?;
    file.update(entry);
    file.write(&paths.config).map_err(|e| anyhow!(e))?;
    Ok(AddOutcome::Added)
}

/// Loads `repositories.yaml`, failing with Helm's message when it is empty.
pub fn configured(paths: &RepoPaths, empty_message: &str) -> Result<RepoFile> {
    match RepoFile::load(&paths.config).map_err(|e| anyhow!(e))? {
        Some(f) if !f.repositories.is_empty() => Ok(f),
        _ => bail!("{empty_message}"),
    }
}

/// `repo update`: the result per repository, in configuration order.
pub fn update(paths: &RepoPaths, names: &[String]) -> Result<Vec<(Entry, Result<()>)>> {
    let file = configured(
        paths,
        "no repositories found. You must add one before updating",
    )?;
    for n in names {
        if file.get(n).is_none() {
            bail!("no repositories found matching '{n}'.  Nothing will be updated");
        }
    }
    let chosen: Vec<Entry> = file
        .repositories
        .into_iter()
        .filter(|e| names.is_empty() || names.contains(&e.name))
        .collect();
    let results = std::thread::scope(|s| {
        let handles: Vec<_> = chosen
            .iter()
            .map(|e| s.spawn(|| download_index(e, &paths.cache, &mut |_| {}).map(|_| ())))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("update thread failed")))
            })
            .collect::<Vec<_>>()
    });
    Ok(chosen.into_iter().zip(results).collect())
}

/// `repo remove`: removes each named repository and its cache files.
pub fn remove(paths: &RepoPaths, names: &[String]) -> Result<Vec<String>> {
    let _lock = FileLock::acquire(&paths.config).map_err(|e| anyhow!(e))?;
    let mut file = configured(paths, "no repositories configured")?;
    let mut removed = Vec::new();
    for n in names {
        if !file.remove(n) {
            bail!("no repo named {n:?} found");
        }
        file.write(&paths.config).map_err(|e| anyhow!(e))?;
        for p in [
            config::cache_index_file(&paths.cache, n),
            config::cache_charts_file(&paths.cache, n),
            crate::repo::search::cache_path(&paths.cache, n),
        ] {
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => bail!("can't remove index file {}: {e}", p.display()),
            }
        }
        removed.push(n.clone());
    }
    Ok(removed)
}

/// `repo index DIR`: indexes every `*.tgz` in DIR and one level below, optionally
/// merging an existing index, and writes `DIR/index.yaml`.
pub fn index_dir(
    dir: &Path,
    url: &str,
    merge: Option<&Path>,
    json: bool,
    warn: &mut dyn FnMut(String),
) -> Result<PathBuf> {
    if !dir.is_dir() {
        bail!("{}: no such file or directory", dir.display());
    }
    let mut archives = Vec::new();
    let mut list = |d: &Path, prefix: &str| -> Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(d)
            .with_context(|| format!("reading {}", d.display()))?
            .filter_map(|e| e.ok())
            .collect();
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tgz") && e.file_type().is_ok_and(|t| t.is_file()) {
                archives.push((prefix.to_string(), e.path(), name));
            }
        }
        Ok(())
    };
    list(dir, "")?;
    let mut subdirs: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .collect();
    subdirs.sort_by_key(|e| e.file_name());
    for s in subdirs {
        list(&s.path(), &s.file_name().to_string_lossy())?;
    }
    let mut index = IndexFile::new();
    for (parent, path, fname) in archives {
        let Ok(chart) = crate::chart::load(&path) else {
            continue;
        };
        let bytes = std::fs::read(&path)?;
        let digest = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        let mut md = chart.metadata;
        if md.api_version.is_empty() {
            md.api_version = "v1".into();
        }
        md.validate().map_err(|e| {
            anyhow!(
                "failed adding to {fname} to index: validate failed for {fname}: validation: {e}"
            )
        })?;
        let base = match (url.is_empty(), parent.is_empty()) {
            (true, true) => String::new(),
            (true, false) => parent.clone(),
            (false, true) => url.to_string(),
            (false, false) => format!("{}/{parent}", url.trim_end_matches('/')),
        };
        let u = if base.is_empty() {
            fname.clone()
        } else {
            format!("{}/{fname}", base.trim_end_matches('/'))
        };
        index
            .entries
            .entry(md.name.clone())
            .or_default()
            .push(ChartVersion {
                metadata: md,
                urls: vec![u],
                created: crate::repo::index::now_rfc3339_nano(),
                removed: false,
                digest,
            });
    }
    if let Some(m) = merge
        && m.exists()
    {
        let old = IndexFile::load(m, warn)?;
        index.merge(&old);
    }
    index.sort_entries();
    let out = dir.join("index.yaml");
    let text = if json {
        index.to_json().map_err(|e| anyhow!(e))?
    } else {
        index.to_yaml()
    };
    config::write_atomic(&out, text.as_bytes(), 0o644).map_err(|e| anyhow!(e))?;
    Ok(out)
}
