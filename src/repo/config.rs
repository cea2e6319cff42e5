//! Where Helm keeps repository state, and `repositories.yaml` itself.
//!
//! Paths follow Helm's `pkg/helmpath` and `pkg/cli` so an existing Helm setup works
//! unchanged: `HELM_REPOSITORY_CONFIG`, else `$HELM_CONFIG_HOME/repositories.yaml`,
//! else `$XDG_CONFIG_HOME/helm/…`, else `~/.config/helm/…`; the cache is
//! `HELM_REPOSITORY_CACHE`, else `$HELM_CACHE_HOME/repository`, else
//! `$XDG_CACHE_HOME/helm/repository`, else `~/.cache/helm/repository`. The file is
//! written in the shape Helm writes (`sigs.k8s.io/yaml`, keys sorted, every entry
//! field present), atomically, under a `.lock` file as `helm repo add` does.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use crate::gotmpl::{Map, Value};

/// One configured repository (Helm's `repo.Entry`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub name: String,
    pub url: String,
    pub username: String,
    pub password: String,
    pub cert_file: String,
    pub key_file: String,
    pub ca_file: String,
    pub insecure_skip_tls_verify: bool,
    pub pass_credentials_all: bool,
}

/// `repositories.yaml` (Helm's `repo.File`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoFile {
    pub api_version: String,
    pub generated: String,
    pub repositories: Vec<Entry>,
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn home() -> PathBuf {
    env_path("HOME").unwrap_or_else(|| PathBuf::from("/"))
}

/// Helm's configuration home.
pub fn config_home() -> PathBuf {
    env_path("HELM_CONFIG_HOME")
        .or_else(|| env_path("XDG_CONFIG_HOME").map(|p| p.join("helm")))
        .unwrap_or_else(|| home().join(".config").join("helm"))
}

/// Helm's cache home.
pub fn cache_home() -> PathBuf {
    env_path("HELM_CACHE_HOME")
        .or_else(|| env_path("XDG_CACHE_HOME").map(|p| p.join("helm")))
        .unwrap_or_else(|| home().join(".cache").join("helm"))
}

/// Helm's data home (starters, plugins).
pub fn data_home() -> PathBuf {
    env_path("HELM_DATA_HOME")
        .or_else(|| env_path("XDG_DATA_HOME").map(|p| p.join("helm")))
        .unwrap_or_else(|| home().join(".local").join("share").join("helm"))
}

/// Locations given by Helm's global flags (`--repository-config`,
/// `--repository-cache`, `--registry-config`), which win over the environment.
#[derive(Debug, Default, Clone)]
pub struct Locations {
    pub repository_config: Option<PathBuf>,
    pub repository_cache: Option<PathBuf>,
    pub registry_config: Option<PathBuf>,
}

static LOCATIONS: std::sync::OnceLock<Locations> = std::sync::OnceLock::new();

/// Records the global flags' locations for this process (the CLI does this once,
/// before running a command; a second call changes nothing).
pub fn set_locations(l: Locations) {
    let keep = |p: Option<PathBuf>| p.filter(|p| !p.as_os_str().is_empty());
    let _ = LOCATIONS.set(Locations {
        repository_config: keep(l.repository_config),
        repository_cache: keep(l.repository_cache),
        registry_config: keep(l.registry_config),
    });
}

fn location(pick: fn(&Locations) -> &Option<PathBuf>) -> Option<PathBuf> {
    LOCATIONS.get().and_then(|l| pick(l).clone())
}

/// The path of `repositories.yaml`.
pub fn repository_config() -> PathBuf {
    location(|l| &l.repository_config)
        .or_else(|| env_path("HELM_REPOSITORY_CONFIG"))
        .unwrap_or_else(|| config_home().join("repositories.yaml"))
}

/// The repository cache directory.
pub fn repository_cache() -> PathBuf {
    location(|l| &l.repository_cache)
        .or_else(|| env_path("HELM_REPOSITORY_CACHE"))
        .unwrap_or_else(|| cache_home().join("repository"))
}

/// Helm's registry config: `--registry-config`, else `$HELM_REGISTRY_CONFIG`, else
/// `<config home>/registry/config.json`.
pub fn registry_config() -> PathBuf {
    location(|l| &l.registry_config)
        .or_else(|| env_path("HELM_REGISTRY_CONFIG"))
        .unwrap_or_else(|| config_home().join("registry/config.json"))
}

/// `<cache>/<name>-index.yaml`.
pub fn cache_index_file(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}-index.yaml"))
}

/// `<cache>/<name>-charts.txt`: the chart names, one a line (shell completion).
pub fn cache_charts_file(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}-charts.txt"))
}

impl RepoFile {
    /// Reads `repositories.yaml`; a missing file is `Ok(None)`.
    pub fn load(path: &Path) -> Result<Option<RepoFile>, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(format!(
                    "couldn't load repositories file ({}): {e}",
                    path.display()
                ));
            }
        };
        let value = crate::yaml::parse_value(&text)
            .map_err(|e| format!("couldn't load repositories file ({}): {e}", path.display()))?;
        let empty = Map::new();
        let m = match &value {
            Value::Map(m) => m.as_ref(),
            _ => &empty,
        };
        let s = |m: &Map, k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let b = |m: &Map, k: &str| matches!(m.get(k), Some(Value::Bool(true)));
        let repositories = match m.get("repositories") {
            Some(Value::List(l)) => l
                .iter()
                .filter_map(Value::as_map)
                .map(|e| Entry {
                    name: s(e, "name"),
                    url: s(e, "url"),
                    username: s(e, "username"),
                    password: s(e, "password"),
                    cert_file: s(e, "certFile"),
                    key_file: s(e, "keyFile"),
                    ca_file: s(e, "caFile"),
                    insecure_skip_tls_verify: b(e, "insecure_skip_tls_verify"),
                    pass_credentials_all: b(e, "pass_credentials_all"),
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok(Some(RepoFile {
            api_version: s(m, "apiVersion"),
            generated: s(m, "generated"),
            repositories,
        }))
    }

    /// Reads the file, or an empty one when it does not exist yet.
    pub fn load_or_default(path: &Path) -> Result<RepoFile, String> {
        Ok(Self::load(path)?.unwrap_or_else(|| RepoFile {
            api_version: "v1".into(),
            generated: super::index::now_rfc3339_nano(),
            repositories: Vec::new(),
        }))
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.repositories.iter().find(|e| e.name == name)
    }

    /// Adds or replaces the entry with this name.
    pub fn update(&mut self, entry: Entry) {
        match self.repositories.iter_mut().find(|e| e.name == entry.name) {
            Some(slot) => *slot = entry,
            None => self.repositories.push(entry),
        }
    }

    /// Removes the entry with this name; false when there was none.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.repositories.len();
        self.repositories.retain(|e| e.name != name);
        before != self.repositories.len()
    }

    /// The YAML Helm writes.
    pub fn to_yaml(&self) -> String {
        let mut m = Map::new();
        m.insert("apiVersion".into(), Value::str(&self.api_version));
        m.insert(
            "generated".into(),
            Value::str(if self.generated.is_empty() {
                super::index::ZERO_TIME
            } else {
                &self.generated
            }),
        );
        let list = self
            .repositories
            .iter()
            .map(|e| {
                let mut r = Map::new();
                r.insert("name".into(), Value::str(&e.name));
                r.insert("url".into(), Value::str(&e.url));
                r.insert("username".into(), Value::str(&e.username));
                r.insert("password".into(), Value::str(&e.password));
                r.insert("certFile".into(), Value::str(&e.cert_file));
                r.insert("keyFile".into(), Value::str(&e.key_file));
                r.insert("caFile".into(), Value::str(&e.ca_file));
                r.insert(
                    "insecure_skip_tls_verify".into(),
                    Value::Bool(e.insecure_skip_tls_verify),
                );
                r.insert(
                    "pass_credentials_all".into(),
                    Value::Bool(e.pass_credentials_all),
                );
                Value::map(r)
            })
            .collect();
        m.insert("repositories".into(), Value::list(list));
        crate::yaml::to_yaml(&Value::map(m))
    }

    /// Writes the file atomically (mode 0600 as Helm's `WriteFile(..., 0600)`).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        write_atomic(path, self.to_yaml().as_bytes(), 0o600)
    }
}

/// Writes `data` to a temp file beside `path` and renames it into place.
pub fn write_atomic(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    write_atomic_with(path, mode, |w| std::io::Write::write_all(w, data))
}

/// [`write_atomic`] for content produced by `fill`, through a buffered writer (so
/// large content need not be built in memory first).
pub fn write_atomic_with(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut StagedWriter) -> std::io::Result<()>,
) -> Result<(), String> {
    stage(path, mode, fill)?.commit()
}

/// What [`stage`] hands its `fill` to write into (a concrete type, so serializers
/// writing many small pieces are not slowed by dynamic dispatch).
pub type StagedWriter = std::io::BufWriter<tempfile::NamedTempFile>;

/// A file written and synced beside its destination, not yet in place: dropped,
/// it disappears; committed, it replaces the destination in one rename.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl Staged {
    pub fn commit(self) -> Result<(), String> {
        let path = self.path;
        self.tmp
            .persist(&path)
            .map_err(|e| format!("write {}: {}", path.display(), e.error))?;
        Ok(())
    }
}

/// Writes what `fill` produces to a synced temporary file beside `path` with
/// permissions `mode`, to be put in place with [`Staged::commit`].
pub fn stage(
    path: &Path,
    mode: u32,
    fill: impl FnOnce(&mut StagedWriter) -> std::io::Result<()>,
) -> Result<Staged, String> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("create temp file in {}: {e}", dir.display()))?;
    let mut out = std::io::BufWriter::with_capacity(256 << 10, tmp);
    fill(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    let tmp = out
        .into_inner()
        .map_err(|e| format!("write {}: {}", path.display(), e.error()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

/// An exclusive lock on `<path>.lock` held while it lives (Helm locks
/// `repositories.lock` beside the file with flock during `repo add`).
pub struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    pub fn acquire(config: &Path) -> Result<FileLock, String> {
        let lock_path = config.with_extension("lock");
        if let Some(dir) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("open {}: {e}", lock_path.display()))?;
        file.lock()
            .map_err(|e| format!("lock {}: {e}", lock_path.display()))?;
        Ok(FileLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_shape() {
        let mut f = RepoFile {
            api_version: "".into(),
            generated: "".into(),
            repositories: vec![],
        };
        f.update(Entry {
            name: "a".into(),
            url: "http://x".into(),
            ..Entry::default()
        });
        let text = f.to_yaml();
        assert_eq!(
            text,
            "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- caFile: \"\"\n  certFile: \"\"\n  insecure_skip_tls_verify: false\n  keyFile: \"\"\n  name: a\n  pass_credentials_all: false\n  password: \"\"\n  url: http://x\n  username: \"\"\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.yaml");
        f.write(&p).unwrap();
        let back = RepoFile::load(&p).unwrap().unwrap();
        assert_eq!(back.repositories, f.repositories);
        assert!(f.remove("a") && !f.remove("a"));
    }
}
