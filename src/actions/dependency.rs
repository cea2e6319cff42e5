//! `dependency list|update|build`: a chart's declared dependencies (Chart.yaml, or
//! requirements.yaml for apiVersion v1) resolved against chart repositories and
//! local paths, locked in `Chart.lock`/`requirements.lock`, and downloaded into
//! `charts/`.
//!
//! The steps, messages and lock digest follow Helm's `downloader.Manager` and
//! `resolver.Resolver`, so a lock written by either tool is accepted by the other.
//! Where charter does better: `build` reaches a repository given by URL that was
//! never `repo add`ed (Helm refuses with "no repository definition"), and every
//! download is checked to be a loadable chart before anything in `charts/` is
//! replaced, so a failed update leaves `charts/` as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};

use crate::actions::registry::{self, RegistryOptions};
use crate::actions::repo::{RepoPaths, download_index, http_options};
use crate::chart::constraint::{Constraint, parse_version};
use crate::chart::lock::{hash_req, hash_v2_req, lock_yaml};
use crate::chart::{self, Chart, Dependency, Lock};
use crate::repo::config::{self, Entry, RepoFile, cache_index_file};
use crate::repo::http::{Fetcher, resolve_reference};
use crate::repo::index::{IndexFile, now_rfc3339_nano};

/// Options of `dependency update` and `dependency build`.
#[derive(Debug, Clone, Default)]
pub struct DependencyOptions {
    /// `--skip-refresh`: use the cached repository indexes as they are.
    pub skip_refresh: bool,
    /// `--debug`: say where local dependencies come from.
    pub debug: bool,
    /// `--verify`: each repository download must come with a `.prov` that this
    /// keyring verifies, or nothing is saved.
    pub verify_keyring: Option<PathBuf>,
    /// How to reach `oci://` dependencies (`--plain-http`, TLS and auth flags).
    pub registry: RegistryOptions,
}

/// The prefix of the cache names given to repositories that were never added.
const MANAGER_PREFIX: &str = "helm-manager-";

/// `dependency list`: Helm's table of dependencies with their status, then the
/// warnings about charts in `charts/` that Chart.yaml does not list.
pub fn list(chart_path: &Path, max_col_width: usize) -> Result<String> {
    let c = chart::load(chart_path)?;
    if c.metadata.dependencies.is_empty() {
        return Ok(format!(
            "WARNING: no dependencies at {}\n",
            chart_path.join("charts").display()
        ));
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "VERSION".into(),
        "REPOSITORY".into(),
        "STATUS".into(),
    ]];
    for d in &c.metadata.dependencies {
        rows.push(vec![
            d.name.clone(),
            d.version.clone(),
            d.repository.clone(),
            status(chart_path, d, &c),
        ]);
    }
    let mut out = crate::printer::table(&rows, max_col_width);
    // Helm prints the table, then a blank line from `Fprintln(out, table)`.
    out.push('\n');
    out.push_str(&unlisted(chart_path, &c.metadata.dependencies));
    Ok(out)
}

fn version_fits(constraint: &str, version: &str) -> &'static str {
    let Ok(c) = Constraint::parse(constraint) else {
        return "invalid version";
    };
    match parse_version(version) {
        Ok(v) if c.check(&v) => "",
        Ok(_) => "wrong version",
        Err(_) => "invalid version",
    }
}

/// Helm's `dependencyStatus`: archives in `charts/` first, then the loaded chart.
fn status(chart_path: &Path, dep: &Dependency, parent: &Chart) -> String {
    let charts = chart_path.join("charts");
    let prefix = format!("{}-", dep.name);
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&charts)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".tgz"))
                })
                .collect()
        })
        .unwrap_or_default();
    archives.sort();
    let stat_archive = |p: &Path| -> Option<String> {
        let c = match chart::load(p) {
            Ok(c) => c,
            Err(_) => return Some("corrupt".into()),
        };
        if c.metadata.name != dep.name {
            return Some("misnamed".into());
        }
        if c.metadata.version != dep.version {
            let r = version_fits(&dep.version, &c.metadata.version);
            if !r.is_empty() {
                return Some(r.into());
            }
        }
        Some("ok".into())
    };
    if archives.len() > 1 {
        let found: Vec<&PathBuf> = archives
            .iter()
            .filter(|a| {
                let stem = a.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let v = stem
                    .trim_end_matches(".tgz")
                    .strip_prefix(&prefix)
                    .unwrap_or("");
                is_strict_semver(v)
            })
            .collect();
        if found.len() == 1 {
            if let Some(r) = stat_archive(found[0]) {
                return r;
            }
        } else if found.len() > 1 {
            return "too many matches".into();
        }
    } else if archives.len() == 1
        && let Some(r) = stat_archive(&archives[0])
    {
        return r;
    }
    let Some(sub) = parent
        .dependencies
        .iter()
        .rfind(|c| c.metadata.name == dep.name)
    else {
        return "missing".into();
    };
    if sub.metadata.version != dep.version {
        let r = version_fits(&dep.version, &sub.metadata.version);
        if !r.is_empty() {
            return r.into();
        }
    }
    "unpacked".into()
}

/// Helm's `printMissing`: charts on disk that Chart.yaml does not list.
fn unlisted(chart_path: &Path, deps: &[Dependency]) -> String {
    let mut out = String::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(chart_path.join("charts"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for f in entries {
        if !f.is_dir() && f.extension().is_none_or(|e| e != "tgz") {
            continue;
        }
        match chart::load(&f) {
            Err(_) => out.push_str(&format!("WARNING: {:?} is not a chart.\n", f.display())),
            Ok(c) => {
                if !deps.iter().any(|d| d.name == c.metadata.name) {
                    out.push_str(&format!(
                        "WARNING: {:?} is not in Chart.yaml.\n",
                        f.display().to_string()
                    ));
                }
            }
        }
    }
    out
}

/// Helm's `urlutil.Equal`: URLs compared with their paths cleaned (a trailing
/// slash or an empty path does not matter).
pub fn url_equal(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> Option<String> {
        let mut u = reqwest::Url::parse(s).ok()?;
        let p = u.path().trim_end_matches('/').to_string();
        u.set_path(if p.is_empty() { "/" } else { &p });
        Some(u.to_string())
    }
    match (norm(a), norm(b)) {
        (Some(x), Some(y)) => x == y,
        (None, _) => a.trim_end_matches('/') == b.trim_end_matches('/'),
        _ => false,
    }
}

fn is_oci(r: &str) -> bool {
    r.starts_with("oci://")
}

/// `oci://host/path` of a dependency's chart: the repository, then the name.
fn oci_reference(d: &Dependency) -> String {
    format!("{}/{}", d.repository.trim_end_matches('/'), d.name)
}

/// Where a `file://` dependency lives (Helm's `GetLocalPath`).
fn local_path(repo: &str, chart_path: &Path) -> Result<PathBuf> {
    let p = repo.trim_start_matches("file://");
    let path = if p.starts_with('/') {
        PathBuf::from(p)
    } else {
        chart_path.join(p)
    };
    if !path.exists() {
        bail!("directory {} not found", path.display());
    }
    Ok(path)
}

fn load_repo_file(paths: &RepoPaths) -> Result<RepoFile> {
    Ok(RepoFile::load(&paths.config)
        .map_err(|e| anyhow!(e))?
        .unwrap_or_default())
}

/// Helm's `resolveRepoNames`: maps each dependency to the repository name whose
/// cached index holds it, replacing `@name`/`alias:name` repositories by URLs.
fn resolve_repo_names(
    deps: &mut [Dependency],
    repos: &RepoFile,
    chart_path: &Path,
    debug: bool,
    out: &mut dyn FnMut(&str),
) -> Result<BTreeMap<String, String>> {
    let mut names = BTreeMap::new();
    let mut missing = Vec::new();
    for d in deps.iter_mut() {
        if d.repository.is_empty() {
            continue;
        }
        if d.repository.starts_with("file://") {
            local_path(&d.repository, chart_path)?;
            if debug {
                out(&format!("Repository from local path: {}\n", d.repository));
            }
            names.insert(d.name.clone(), d.repository.clone());
            continue;
        }
        if is_oci(&d.repository) {
            names.insert(d.name.clone(), d.repository.clone());
            continue;
        }
        let alias = d
            .repository
            .strip_prefix('@')
            .or_else(|| d.repository.strip_prefix("alias:"));
        let found = repos.repositories.iter().find(|r| match alias {
            Some(a) => a == r.name,
            None => url_equal(&r.url, &d.repository),
        });
        match found {
            Some(r) => {
                if alias.is_some() {
                    d.repository = r.url.clone();
                }
                names.insert(d.name.clone(), r.name.clone());
            }
            None if alias.is_none() && reqwest::Url::parse(&d.repository).is_ok() => {}
            None => missing.push(d.repository.clone()),
        }
    }
    if !missing.is_empty() {
        let mut msg = format!(
            "no repository definition for {}. Please add them via 'helm repo add'",
            missing.join(", ")
        );
        if missing
            .iter()
            .any(|r| !r.contains("//") && !r.starts_with('@') && !r.starts_with("alias:"))
        {
            msg.push_str(
                "\nNote that repositories must be URLs or aliases. For example, to refer to the \"example\"\nrepository, use \"https://charts.example.com/\" or \"@example\" instead of\n\"example\". Don't forget to add the repo, too ('helm repo add').",
            );
        }
        bail!(msg);
    }
    Ok(names)
}

/// Helm's `ensureMissingRepos`: repositories named only by URL get a cache name
/// (`helm-manager-` and the URL's SHA-256) and their index is fetched.
fn ensure_missing_repos(
    names: &mut BTreeMap<String, String>,
    deps: &[Dependency],
    paths: &RepoPaths,
    skip_refresh: bool,
    out: &mut dyn FnMut(&str),
) -> Vec<Entry> {
    let mut added = Vec::new();
    for d in deps {
        if d.repository.is_empty() || names.contains_key(&d.name) {
            continue;
        }
        let name = format!(
            "{MANAGER_PREFIX}{}",
            hex::encode(Sha256::digest(d.repository.as_bytes()))
        );
        names.insert(d.name.clone(), name.clone());
        if !added.iter().any(|e: &Entry| e.name == name) {
            added.push(Entry {
                name,
                url: d.repository.clone(),
                ..Entry::default()
            });
        }
    }
    if !skip_refresh && !added.is_empty() {
        out("Getting updates for unmanaged Helm repositories...\n");
        refresh(&added, paths, out);
    }
    added
}

/// Downloads each repository's index into the cache, in parallel, printing
/// Helm's per-repository lines (in the order the repositories are listed).
fn refresh(entries: &[Entry], paths: &RepoPaths, out: &mut dyn FnMut(&str)) {
    let results: Vec<Result<PathBuf>> = std::thread::scope(|s| {
        let handles: Vec<_> = entries
            .iter()
            .map(|e| s.spawn(move || download_index(e, &paths.cache, &mut |_| {})))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("index download panicked")))
            })
            .collect()
    });
    for (e, r) in entries.iter().zip(results) {
        let managed = e.name.starts_with(MANAGER_PREFIX);
        match r {
            Ok(_) if managed => out(&format!(
                "...Successfully got an update from the {:?} chart repository\n",
                e.url
            )),
            Ok(_) => out(&format!(
                "...Successfully got an update from the {:?} chart repository\n",
                e.name
            )),
            Err(err) if managed => out(&format!(
                "...Unable to get an update from the {:?} chart repository:\n\t{err:#}\n",
                e.url
            )),
            Err(err) => out(&format!(
                "...Unable to get an update from the {:?} chart repository ({}):\n\t{err:#}\n",
                e.name, e.url
            )),
        }
    }
}

/// Helm's `UpdateRepositories`: every configured repository.
fn update_repositories(repos: &RepoFile, paths: &RepoPaths, out: &mut dyn FnMut(&str)) {
    if repos.repositories.is_empty() {
        return;
    }
    out("Hang tight while we grab the latest from your chart repositories...\n");
    refresh(&repos.repositories, paths, out);
    out("Update Complete. ⎈Happy Helming!⎈\n");
}

fn load_index(paths: &RepoPaths, name: &str) -> Result<IndexFile> {
    IndexFile::load(&cache_index_file(&paths.cache, name), &mut |_| {}).map_err(|e| {
        anyhow!("no cached repository for {name} found. (try 'helm repo update'): {e}")
    })
}

/// Helm's `Resolver.Resolve`: each constraint to the newest version that meets it.
fn resolve(
    deps: &[Dependency],
    names: &BTreeMap<String, String>,
    paths: &RepoPaths,
    chart_path: &Path,
    o: &DependencyOptions,
) -> Result<Lock> {
    let mut locked = Vec::with_capacity(deps.len());
    let mut missing = Vec::new();
    let lock_of = |d: &Dependency, version: &str| Dependency {
        name: d.name.clone(),
        repository: d.repository.clone(),
        version: version.to_string(),
        ..Dependency::default()
    };
    for d in deps {
        let constraint = Constraint::parse(&d.version).map_err(|e| {
            anyhow!(
                "dependency {:?} has an invalid version/constraint format: {e}",
                d.name
            )
        })?;
        let missing_line = || {
            format!(
                "{:?} (repository {:?}, version {:?})",
                d.name, d.repository, d.version
            )
        };
        if d.repository.is_empty() {
            local_path(&format!("charts/{}", d.name), chart_path)?;
            locked.push(lock_of(d, &d.version));
            continue;
        }
        if d.repository.starts_with("file://") {
            let dir = local_path(&d.repository, chart_path)?;
            let c = chart::load_dir(&dir)?;
            match parse_version(&c.metadata.version) {
                Ok(v) if constraint.check(&v) => locked.push(lock_of(d, &c.metadata.version)),
                Ok(_) => missing.push(missing_line()),
                Err(_) => {}
            }
            continue;
        }
        if is_oci(&d.repository) {
            let reference = oci_reference(d);
            match registry::resolve_version(&reference, &d.version, &o.registry) {
                Ok(v) => locked.push(lock_of(d, &v)),
                Err(e) if format!("{e:#}").contains("Could not locate a version") => {
                    missing.push(missing_line());
                    locked.push(lock_of(d, ""));
                }
                Err(e) => {
                    return Err(e.context(format!(
                        "could not retrieve list of tags for repository {}",
                        d.repository
                    )));
                }
            }
            continue;
        }
        let repo_name = names.get(&d.name).cloned().unwrap_or_default();
        let index = load_index(paths, &repo_name)?;
        let versions = index
            .entries
            .get(&d.name)
            .ok_or_else(|| anyhow!("{} chart not found in repo {}", d.name, d.repository))?;
        let best = versions.iter().find(|cv| {
            !cv.urls.is_empty() && parse_version(cv.version()).is_ok_and(|v| constraint.check(&v))
        });
        match best {
            Some(cv) => locked.push(lock_of(d, cv.version())),
            None => {
                missing.push(missing_line());
                locked.push(lock_of(d, ""));
            }
        }
    }
    if !missing.is_empty() {
        bail!(
            "can't get a valid version for {} subchart(s): {}. Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml",
            missing.len(),
            missing.join(", ")
        );
    }
    Ok(Lock {
        generated: now_rfc3339_nano(),
        digest: hash_req(deps, &locked),
        dependencies: locked,
    })
}

/// The archive URL and repository settings of one locked dependency.
fn find_chart_url(
    d: &Dependency,
    repos: &RepoFile,
    managed: &[Entry],
    paths: &RepoPaths,
) -> Result<(String, Entry)> {
    let entry = repos
        .repositories
        .iter()
        .chain(managed)
        .find(|r| url_equal(&r.url, &d.repository))
        .cloned();
    let (entry, index) = match entry {
        Some(e) => {
            let index = match load_index(paths, &e.name) {
                Ok(i) => i,
                // An unmanaged repository skipped by --skip-refresh: fetch it now.
                Err(_) if e.name.starts_with(MANAGER_PREFIX) => {
                    download_index(&e, &paths.cache, &mut |_| {})?;
                    load_index(paths, &e.name)?
                }
                Err(err) => return Err(err),
            };
            (e, index)
        }
        None => {
            // A repository that is neither configured nor fetched during this run.
            let e = Entry {
                name: format!(
                    "{MANAGER_PREFIX}{}",
                    hex::encode(Sha256::digest(d.repository.as_bytes()))
                ),
                url: d.repository.clone(),
                ..Entry::default()
            };
            download_index(&e, &paths.cache, &mut |_| {})
                .with_context(|| format!("chart {} not found in {}", d.name, d.repository))?;
            let index = load_index(paths, &e.name)?;
            (e, index)
        }
    };
    let versions = index.entries.get(&d.name).ok_or_else(|| {
        anyhow!(
            "chart {} not found in {}: entry not found",
            d.name,
            d.repository
        )
    })?;
    let cv = versions
        .iter()
        .find(|cv| !cv.urls.is_empty() && version_equals(&d.version, cv.version()))
        .ok_or_else(|| {
            anyhow!(
                "chart {} version {} not found in {}: no matching version",
                d.name,
                d.version,
                d.repository
            )
        })?;
    let url = resolve_reference(&entry.url, &cv.urls[0]).map_err(|e| anyhow!(e))?;
    Ok((url, entry))
}

fn version_equals(a: &str, b: &str) -> bool {
    match parse_version(a) {
        Ok(va) => parse_version(b).is_ok_and(|vb| va.compare(&vb).is_eq()),
        Err(_) => a == b,
    }
}

/// Helm's `downloadAll`: fetches every locked dependency into a temporary folder
/// beside `charts/`, checks each is a chart, then moves them in and deletes the
/// archives they replace. Returns the lock with the versions actually saved.
fn download_all(
    chart_path: &Path,
    deps: &mut [Dependency],
    repos: &RepoFile,
    managed: &[Entry],
    paths: &RepoPaths,
    o: &DependencyOptions,
    out: &mut dyn FnMut(&str),
) -> Result<()> {
    let dest = chart_path.join("charts");
    match std::fs::metadata(&dest) {
        Ok(m) if !m.is_dir() => bail!("{:?} is not a directory", dest.display().to_string()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(&dest)
            .with_context(|| format!("creating {}", dest.display()))?,
        Err(e) => bail!("unable to retrieve file info for '{}': {e}", dest.display()),
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!("tmpcharts-{}", std::process::id()))
        .tempdir_in(chart_path)
        .with_context(|| format!("creating a temporary folder in {}", chart_path.display()))?;
    let keyring = o
        .verify_keyring
        .as_deref()
        .map(crate::chart::provenance::Keyring::load)
        .transpose()?;
    out(&format!("Saving {} charts\n", deps.len()));
    let mut fetched: BTreeSet<String> = BTreeSet::new();
    let result = (|| -> Result<()> {
        for d in deps.iter_mut() {
            if d.repository.is_empty() {
                out(&format!(
                    "Dependency {} did not declare a repository. Assuming it exists in the charts directory\n",
                    d.name
                ));
                let dir = dest.join(&d.name);
                let c = chart::load_dir(&dir)
                    .map_err(|e| anyhow!("unable to load chart '{}': {e}", dir.display()))?;
                match version_fits(&d.version, &c.metadata.version) {
                    "" => {}
                    "wrong version" => bail!(
                        "dependency {} at version {} does not satisfy the constraint {}",
                        d.name,
                        c.metadata.version,
                        d.version
                    ),
                    _ => bail!(
                        "dependency {} has an invalid version/constraint format: {}",
                        d.name,
                        d.version
                    ),
                }
                continue;
            }
            if d.repository.starts_with("file://") {
                if o.debug {
                    out(&format!(
                        "Archiving {} from repo {}\n",
                        d.name, d.repository
                    ));
                }
                let dir = local_path(&d.repository, chart_path)?;
                let c = chart::load_dir(&dir)?;
                if !version_fits(&d.version, &c.metadata.version).is_empty() {
                    bail!("can't get a valid version for dependency {}", d.name);
                }
                crate::chart::package::save(&c, tmp.path())?;
                d.version = c.metadata.version.clone();
                continue;
            }
            if is_oci(&d.repository) {
                let reference = oci_reference(d);
                if !fetched.insert(format!("{reference}:{}", d.version)) {
                    out(&format!(
                        "Already downloaded {} from repo {}\n",
                        d.name, d.repository
                    ));
                    continue;
                }
                out(&format!(
                    "Downloading {} from repo {}\n",
                    d.name, d.repository
                ));
                let pulled = registry::pull_chart_with(
                    &reference,
                    &d.version,
                    &o.registry,
                    keyring.is_some(),
                )
                .with_context(|| format!("could not download {reference}:{}", d.version))?;
                chart::load_archive(&pulled.data)
                    .with_context(|| format!("{reference} is not a valid chart archive"))?;
                if let Some(ring) = &keyring {
                    let prov = pulled.prov.as_deref().ok_or_else(|| {
                        anyhow!(
                            "failed to fetch provenance for {reference}:{}: the chart was pushed without a .prov layer",
                            d.version
                        )
                    })?;
                    crate::chart::provenance::verify(ring, &pulled.file_name, &pulled.data, prov)
                        .with_context(|| format!("could not verify {reference}:{}", d.version))?;
                }
                std::fs::write(tmp.path().join(&pulled.file_name), &pulled.data)
                    .with_context(|| format!("writing {}", pulled.file_name))?;
                continue;
            }
            let (url, entry) = find_chart_url(d, repos, managed, paths)?;
            if !fetched.insert(url.clone()) {
                out(&format!(
                    "Already downloaded {} from repo {}\n",
                    d.name, d.repository
                ));
                continue;
            }
            out(&format!(
                "Downloading {} from repo {}\n",
                d.name, d.repository
            ));
            let fetcher = Fetcher::new(&http_options(&entry))?;
            let data = fetcher
                .get(&url)
                .with_context(|| format!("could not download {url}"))?;
            let file = url
                .split(['?', '#'])
                .next()
                .and_then(|u| u.rsplit('/').next())
                .filter(|n| !n.is_empty() && *n != "." && *n != "..")
                .ok_or_else(|| anyhow!("can't take a file name from {url}"))?;
            // A download that is not a chart never reaches charts/.
            chart::load_archive(&data)
                .with_context(|| format!("{url} is not a valid chart archive"))?;
            if let Some(ring) = &keyring {
                let prov_url = format!("{url}.prov");
                let prov = fetcher
                    .get(&prov_url)
                    .with_context(|| format!("failed to fetch provenance {prov_url:?}"))?;
                crate::chart::provenance::verify(ring, file, &data, &prov)
                    .with_context(|| format!("could not verify {url}"))?;
            }
            std::fs::write(tmp.path().join(file), &data)
                .with_context(|| format!("writing {file}"))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        out(&format!("Save error occurred:  {e:#}\n"));
        return Err(e);
    }
    move_deps(deps, tmp.path(), &dest, out)
}

/// Helm's `safeMoveDeps`: the new archives replace the old; archives of charts
/// no longer wanted are deleted, unless they back a dependency without repository.
fn move_deps(
    deps: &[Dependency],
    source: &Path,
    dest: &Path,
    out: &mut dyn FnMut(&str),
) -> Result<()> {
    let local: BTreeSet<&str> = deps
        .iter()
        .filter(|d| d.repository.is_empty())
        .map(|d| d.name.as_str())
        .collect();
    let mut before: Vec<PathBuf> = std::fs::read_dir(dest)
        .with_context(|| format!("reading {}", dest.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.is_dir())
        .collect();
    before.sort();
    let mut moved = BTreeSet::new();
    for e in std::fs::read_dir(source)?.flatten() {
        let p = e.path();
        if p.is_dir() {
            continue;
        }
        let name = e.file_name();
        rename_or_copy(&p, &dest.join(&name))
            .with_context(|| format!("moving {} into {}", p.display(), dest.display()))?;
        moved.insert(name);
    }
    out("Deleting outdated charts\n");
    for f in before {
        let Some(name) = f.file_name() else { continue };
        if moved.contains(name) {
            continue;
        }
        let c = match chart::load(&f) {
            Ok(c) => c,
            Err(e) => {
                out(&format!(
                    "Could not verify {} for deletion: {e} (Skipping)\n",
                    f.display()
                ));
                continue;
            }
        };
        if local.contains(c.metadata.name.as_str()) {
            continue;
        }
        if let Err(e) = std::fs::remove_file(&f) {
            out(&format!("Could not delete {}: {e} (Skipping)", f.display()));
        }
    }
    Ok(())
}

fn load_chart_dir(chart_path: &Path) -> Result<Chart> {
    let meta = std::fs::metadata(chart_path)
        .map_err(|e| anyhow!("could not find {}: {e}", chart_path.display()))?;
    if !meta.is_dir() {
        bail!("only unpacked charts can be updated");
    }
    Ok(chart::load_dir(chart_path)?)
}

fn lock_file_name(c: &Chart) -> &'static str {
    if c.metadata.api_version == "v1" {
        "requirements.lock"
    } else {
        "Chart.lock"
    }
}

/// `dependency update`: resolve the constraints afresh, download, write the lock.
pub fn update(
    paths: &RepoPaths,
    chart_path: &Path,
    o: &DependencyOptions,
    out: &mut dyn FnMut(&str),
) -> Result<()> {
    let c = load_chart_dir(chart_path)?;
    let mut req = c.metadata.dependencies.clone();
    if req.is_empty() {
        return Ok(());
    }
    let repos = load_repo_file(paths)?;
    let mut names = resolve_repo_names(&mut req, &repos, chart_path, o.debug, out)?;
    let managed = ensure_missing_repos(&mut names, &req, paths, o.skip_refresh, out);
    if !o.skip_refresh {
        update_repositories(&repos, paths, out);
    }
    let mut lock = resolve(&req, &names, paths, chart_path, o)?;
    download_all(
        chart_path,
        &mut lock.dependencies,
        &repos,
        &managed,
        paths,
        o,
        out,
    )?;
    lock.digest = hash_req(&req, &lock.dependencies);
    if c.lock.as_ref().is_some_and(|old| old.digest == lock.digest) {
        return Ok(());
    }
    let path = chart_path.join(lock_file_name(&c));
    config::write_atomic(&path, lock_yaml(&lock).as_bytes(), 0o644)
        .map_err(|e| anyhow!("writing {}: {e}", path.display()))
}

/// `dependency build`: download exactly what the lock file says; without a lock
/// file, the same as `update`.
pub fn build(
    paths: &RepoPaths,
    chart_path: &Path,
    o: &DependencyOptions,
    out: &mut dyn FnMut(&str),
    warn: &mut dyn FnMut(&str),
) -> Result<()> {
    let c = load_chart_dir(chart_path)?;
    let Some(lock) = c.lock.clone() else {
        return update(paths, chart_path, o, out);
    };
    let mut req = c.metadata.dependencies.clone();
    let v1 = c.metadata.api_version == "v1";
    let v2_sum = v1.then(|| hash_v2_req(&req));
    let repos = load_repo_file(paths)?;
    let mut names = resolve_repo_names(&mut req, &repos, chart_path, o.debug, out)?;
    if hash_req(&req, &lock.dependencies) != lock.digest {
        if v1 {
            warn("a valid Helm v3 hash was not found. Checking against Helm v2 hash...");
            if v2_sum.as_deref() != Some(lock.digest.as_str()) {
                bail!(
                    "the lock file (requirements.lock) is out of sync with the dependencies file (requirements.yaml). Please update the dependencies"
                );
            }
        } else {
            bail!(
                "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies"
            );
        }
    }
    // Unlike Helm, a repository given by URL need not have been added first.
    let managed = ensure_missing_repos(&mut names, &lock.dependencies, paths, o.skip_refresh, out);
    if !o.skip_refresh {
        update_repositories(&repos, paths, out);
    }
    let mut deps = lock.dependencies.clone();
    download_all(chart_path, &mut deps, &repos, &managed, paths, o, out)
}

/// Masterminds' `StrictNewVersion`: exactly `MAJOR.MINOR.PATCH`, optional
/// `-pre` and `+build`, no `v` prefix, no leading zeros.
fn is_strict_semver(v: &str) -> bool {
    let (core, _) = v.split_once('+').unwrap_or((v, ""));
    let (core, _) = core.split_once('-').unwrap_or((core, ""));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
        && parse_version(v).is_ok()
}

/// `os.Rename`, falling back to copy and delete across file systems.
fn rename_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)?;
    std::fs::remove_file(from)
}
