//! The chart model and its loader, as Helm's `pkg/chart` and `pkg/chart/loader`
//! define them: a chart directory or `.tgz` archive becomes Chart.yaml metadata,
//! templates, values, a schema, other files and subcharts (from `charts/`, as
//! directories or archives, to any depth). `.helmignore` applies to directories;
//! archives are read with traversal and size guards. A directory's large files that
//! the loader does not read itself (CRDs, `.Files` data) are read on first use
//! ([`Content`]).

pub mod constraint;
mod content;
pub mod create;
pub mod decode;
pub mod ignore;
pub mod lock;
mod metadata;
pub mod package;
pub mod provenance;

use std::io::Read;
use std::path::Path;

use crate::gotmpl::Map;

pub use content::Content;
pub use metadata::{
    Dependency, FIELDS as METADATA_FIELDS, Lock, Maintainer, Metadata, validate_identity,
};

/// Largest total size of an archive's unpacked files (Helm's limit).
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Largest single file in a chart (Helm's limit).
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// A chart loading or validation failure, worded as Helm words it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChartError(pub String);

fn err(msg: impl Into<String>) -> ChartError {
    ChartError(msg.into())
}

/// One file of a chart, by its path inside the chart (`templates/x.yaml`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    pub name: String,
    /// The content, shared (not copied) with `.Files` when the chart renders;
    /// large files the loader does not need are read on first use ([`Content`]).
    pub data: Content,
}

impl ChartFile {
    /// The file as text, invalid UTF-8 replaced as Go's `string(bytes)` shows it.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        lossy(&self.data)
    }
}

/// `String::from_utf8_lossy`, with the fast validation first (files are nearly
/// always valid UTF-8, and the lossy scan is several times slower on them).
pub fn lossy(data: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(data) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(data),
    }
}

/// A loaded chart.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// Chart.lock or requirements.lock.
    pub lock: Option<Lock>,
    pub templates: Vec<ChartFile>,
    /// values.yaml (an empty map when absent).
    pub values: Map,
    pub raw_values: Option<String>,
    pub schema: Option<bytes::Bytes>,
    /// Every other file: what `.Files` sees.
    pub files: Vec<ChartFile>,
    /// Subcharts from `charts/`.
    pub dependencies: Vec<Chart>,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn is_library(&self) -> bool {
        self.metadata
            .chart_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("library"))
    }

    /// Files under `crds/` that hold manifests (Helm's `CRDObjects`, this chart
    /// only): the extension `.yaml`, `.yml` or `.json` in any case.
    pub fn crd_files(&self) -> Vec<&ChartFile> {
        self.files
            .iter()
            .filter(|f| {
                let ext = f.name.rsplit_once('.').map_or("", |(_, e)| e);
                f.name.starts_with("crds/")
                    && ["yaml", "yml", "json"]
                        .iter()
                        .any(|x| ext.eq_ignore_ascii_case(x))
            })
            .collect()
    }

    /// Helm's `Metadata.Validate` for a chart already loaded.
    pub fn validate(&self) -> Result<(), ChartError> {
        self.metadata
            .validate()
            .map_err(|e| err(format!("validation: {e}")))
    }

    /// Helm's `action.CheckDependencies`: every dependency Chart.yaml names must be
    /// present in `charts/` (by chart name). Helm's CLI prefixes the message with
    /// "An error occurred while checking for chart dependencies. You may need to run
    /// `helm dependency build` to fetch missing dependencies: ".
    pub fn check_dependencies(&self) -> Result<(), ChartError> {
        let missing: Vec<&str> = self
            .metadata
            .dependencies
            .iter()
            .filter(|d| !self.dependencies.iter().any(|c| c.name() == d.name))
            .map(|d| d.name.as_str())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(err(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )))
    }
}

/// Loads a chart from a directory or an archive (Helm's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    load_observed(path, &|_, _| {})
}

/// [`load`], calling `on_template(path, file)` for each template as it is found,
/// with the path a render gives it (`chart/templates/x.yaml`,
/// `chart/charts/sub/templates/y.yaml`, by the names in each Chart.yaml), so
/// that a caller can start on the templates while the rest of the chart loads.
/// A folder's templates are reported twice: first by the walk as it reads them
/// (under the path their charts' `name:` lines give, a guess: see
/// `EarlyReport`), then by the load; an archive's once, by the load.
pub fn load_observed(
    path: &Path,
    on_template: &(dyn Fn(String, &ChartFile) + Sync),
) -> Result<Chart, ChartError> {
    let seen = Seen {
        on_template,
        parent: None,
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
    if meta.is_dir() {
        load_dir_seen(path, &seen)
    } else {
        let data = std::fs::read(path)
            .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
        if !data.starts_with(&[0x1f, 0x8b, 0x08]) {
            let name = path.display().to_string();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                return Err(err(format!(
                    "file '{name}' seems to be a YAML file, but expected a gzipped archive"
                )));
            }
            return Err(err(format!(
                "file '{}' does not appear to be a gzipped archive; got '{}'",
                path.display(),
                sniff(&data)
            )));
        }
        load_files_seen(archive_files(&data)?, &seen)
    }
}

/// Who is told of each template as the loader finds it ([`load_observed`]), and
/// the path of the chart that holds the files being loaded.
struct Seen<'a> {
    on_template: &'a (dyn Fn(String, &ChartFile) + Sync),
    /// The parent chart's path, for a subchart.
    parent: Option<&'a str>,
}

const UNSEEN: Seen<'static> = Seen {
    on_template: &|_, _| {},
    parent: None,
};

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A rough MIME type for an error message (Go's `http.DetectContentType`).
fn sniff(data: &[u8]) -> &'static str {
    if data.is_empty() || std::str::from_utf8(&data[..data.len().min(512)]).is_ok() {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

/// Loads a chart directory, honouring `.helmignore`.
pub fn load_dir(dir: &Path) -> Result<Chart, ChartError> {
    load_dir_seen(dir, &UNSEEN)
}

fn load_dir_seen(dir: &Path, seen: &Seen<'_>) -> Result<Chart, ChartError> {
    let mut rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => ignore::Rules::parse(&text).map_err(err)?,
        Err(_) => ignore::Rules::default(),
    };
    rules.add_defaults();
    let mut files = Vec::new();
    let mut early = EarlyReport {
        on_template: seen.on_template,
        names: Vec::new(),
    };
    walk(dir, "", &rules, &mut files, 0, &mut early)?;
    load_files_seen(files, seen)
}

/// Templates reported as the walk reads them, before the load (which reports
/// them again): under the path the render gives them, with each chart's name
/// taken from the `name:` line of its Chart.yaml. A guess, as the load has not
/// checked anything yet; whoever parses ahead keeps only what the render asks
/// for by the same path and text.
struct EarlyReport<'s> {
    on_template: &'s (dyn Fn(String, &ChartFile) + Sync),
    /// Chart folders (from the top chart's, `""`) and the paths the render
    /// gives their charts (`top`, `top/charts/sub`).
    names: Vec<(String, String)>,
}

impl EarlyReport<'_> {
    /// After the walk has read `file`.
    fn read(&mut self, file: &ChartFile) {
        let Some((root, rest)) = chart_root(&file.name) else {
            return;
        };
        let path_of = |dir: &str| {
            self.names
                .iter()
                .find(|(d, _)| d == dir)
                .map(|(_, p)| p.clone())
        };
        if rest == "Chart.yaml" {
            // A subchart's path is its parent's, then `charts/<name>`.
            let parent = match root.rsplit_once("/charts/") {
                Some((parent, _)) => path_of(parent),
                None if root.is_empty() => Some(String::new()),
                None => path_of(""),
            };
            if let (Some(parent), Some(name)) = (parent, plain_name(&file.data)) {
                let path = if parent.is_empty() {
                    name
                } else {
                    format!("{parent}/charts/{name}")
                };
                self.names.push((root.to_string(), path));
            }
            return;
        }
        if !rest.starts_with("templates/") {
            return;
        }
        let Some(path) = path_of(root) else {
            return;
        };
        (self.on_template)(format!("{path}/{rest}"), file);
    }
}

/// The chart folder a path lies in (`""`, `charts/a`, `charts/a/charts/b`) and
/// the path within it.
fn chart_root(rel: &str) -> Option<(&str, &str)> {
    let mut root_end = 0;
    let mut rest = rel;
    while let Some(after) = rest.strip_prefix("charts/") {
        let (folder, below) = after.split_once('/')?;
        root_end += "charts/".len() + folder.len();
        rest = below;
        if rest.starts_with("charts/") {
            root_end += 1;
        }
    }
    Some((&rel[..root_end], rest))
}

/// The value of a plain `name:` line at the start of a line of Chart.yaml, if
/// it is simply written (else nothing is reported early).
fn plain_name(data: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(data).ok()?;
    let line = text.lines().find(|l| l.starts_with("name:"))?;
    let value = line["name:".len()..].trim();
    let value = match value.as_bytes().first() {
        Some(b'"' | b'\'') if value.len() >= 2 && value.ends_with(&value[..1]) => {
            &value[1..value.len() - 1]
        }
        _ => value,
    };
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    plain.then(|| value.to_string())
}

fn walk(
    dir: &Path,
    prefix: &str,
    rules: &ignore::Rules,
    out: &mut Vec<ChartFile>,
    depth: usize,
    early: &mut EarlyReport<'_>,
) -> Result<(), ChartError> {
    if depth > 64 {
        return Err(err(format!(
            "{}: directory nesting too deep",
            dir.display()
        )));
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| err(format!("{}: {}", dir.display(), io_reason(&e))))?
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name(), e))
        .collect();
    // By name, each name taken from the entry once.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, entry) in entries {
        let name = name.to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        // Symlinks are followed, as Helm's sympath.Walk does; other entries are
        // known from the directory listing, without a look-up of their own.
        let kind = entry
            .file_type()
            .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
        let (is_dir, is_file) = if kind.is_symlink() {
            let meta = std::fs::metadata(&path)
                .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
            (meta.is_dir(), meta.is_file())
        } else {
            (kind.is_dir(), kind.is_file())
        };
        if is_dir {
            if rules.ignore(&rel, true) {
                continue;
            }
            walk(&path, &rel, rules, out, depth + 1, early)?;
            continue;
        }
        if rules.ignore(&rel, false) {
            continue;
        }
        if !is_file {
            return Err(err(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        let data = Content::open(&path, !read_by_loader(&rel))?;
        let file = ChartFile { name: rel, data };
        early.read(&file);
        out.push(file);
    }
    Ok(())
}

/// Whether [`load_files`] reads the file at `rel` (a path from the top chart's
/// folder) itself: its Chart.yaml, values, schema, requirements and locks,
/// templates and subchart archives, at any depth of `charts/`. Other files are
/// what `.Files` holds, and may wait for a first use.
fn read_by_loader(rel: &str) -> bool {
    match chart_root(rel) {
        Some((_, rest)) => {
            matches!(
                rest,
                "Chart.yaml"
                    | "Chart.lock"
                    | "requirements.yaml"
                    | "requirements.lock"
                    | "values.yaml"
                    | "values.schema.json"
            ) || rest == "templates"
                || rest.starts_with("templates/")
        }
        // A file right in a `charts/` folder: a subchart archive.
        None => true,
    }
}

/// Go's `path.Clean` on a `/`-separated path.
fn go_clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            x => out.push(x),
        }
    }
    let joined = out.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Reads a gzipped tar archive of a chart (Helm's `LoadArchiveFiles`): the top
/// folder is dropped from every name, names are cleaned, and paths outside the
/// chart, absolute or drive-letter paths and oversized content are refused with
/// Helm's messages. As in Helm, only directory and PAX header entries are
/// skipped; any other entry (a symlink, say) becomes a file with its stored bytes.
pub fn archive_files(data: &[u8]) -> Result<Vec<ChartFile>, ChartError> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut tar = tar::Archive::new(gz);
    let mut files = Vec::new();
    let mut remaining: u64 = MAX_DECOMPRESSED_CHART_SIZE;
    let entries = tar
        .entries()
        .map_err(|e| err(format!("error reading chart archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| err(tar_error(&e)))?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let delimiter = if raw.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw.split(delimiter).collect();
        let n = parts[1..].join("/");
        if n.starts_with('/') {
            return Err(err("chart illegally contains absolute paths"));
        }
        let n = go_clean(&n);
        if n == "." {
            return Err(err(format!(
                "chart illegally contains content outside the base directory: {raw:?}"
            )));
        }
        if n.starts_with("..") {
            return Err(err("chart illegally references parent directory"));
        }
        let b = n.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/' {
            return Err(err("chart contains illegally named files"));
        }
        if parts[0] == "Chart.yaml" {
            return Err(err("chart yaml not in base directory"));
        }
        let size = entry.header().size().unwrap_or(0);
        if size > remaining {
            return Err(err(format!(
                "decompressed chart is larger than the maximum file size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(format!(
                "decompressed chart file {raw:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(remaining)
            .read_to_end(&mut data)
            .map_err(|e| err(tar_error(&e)))?;
        let written = data.len() as u64;
        remaining -= written.min(remaining);
        if written < size || remaining == 0 {
            return Err(err(format!(
                "decompressed chart is larger than the maximum file size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        let data = content::strip_bom(bytes::Bytes::from(data));
        files.push(ChartFile {
            name: n,
            data: data.into(),
        });
    }
    if files.is_empty() {
        return Err(err("no files in chart archive"));
    }
    Ok(files)
}

/// A read failure inside the archive, in Go's words where they are known.
fn tar_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    if text.contains("invalid gzip header") {
        "gzip: invalid header".to_string()
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "unexpected EOF".to_string()
    } else {
        format!("error reading chart archive: {text}")
    }
}

/// Loads a chart from the bytes of a `.tgz`.
pub fn load_archive(data: &[u8]) -> Result<Chart, ChartError> {
    load_files(archive_files(data)?)
}

fn yaml_map(name: &str, data: &[u8]) -> Result<Map, ChartError> {
    let text = lossy(data);
    crate::yaml::unmarshal_map(&text).map_err(|e| err(format!("cannot load {name}: {e}")))
}

/// Builds a chart from its files (Helm's `LoadFiles`).
pub fn load_files(files: Vec<ChartFile>) -> Result<Chart, ChartError> {
    load_files_seen(files, &UNSEEN)
}

fn load_files_seen(files: Vec<ChartFile>, seen: &Seen<'_>) -> Result<Chart, ChartError> {
    let mut chart = Chart::default();
    // Chart.yaml is read first, wherever it sits in the list.
    let mut have_meta = false;
    for f in &files {
        if f.name == "Chart.yaml" {
            have_meta = true;
            chart
                .metadata
                .read_into(&f.text())
                .map_err(|e| err(format!("cannot load Chart.yaml: {e}")))?;
            if chart.metadata.api_version.is_empty() {
                chart.metadata.api_version = "v1".into();
            }
        }
    }
    let path = match seen.parent {
        None => chart.metadata.name.clone(),
        Some(parent) => format!("{parent}/charts/{}", chart.metadata.name),
    };
    let mut sub: Vec<(String, Vec<ChartFile>)> = Vec::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                let lock = Lock::parse(&f.text())
                    .map_err(|e| err(format!("cannot load {}: {e}", f.name)))?;
                chart.lock = Some(lock);
                if f.name == "requirements.lock" {
                    have_meta = true;
                    if chart.metadata.api_version == "v1" {
                        chart.files.push(f);
                    }
                }
            }
            "values.yaml" => {
                chart.values = yaml_map("values.yaml", &f.data)?;
                chart.raw_values = Some(f.text().into_owned());
            }
            "values.schema.json" => chart.schema = Some(f.data.to_bytes()),
            "requirements.yaml" => {
                // Helm decodes requirements.yaml into the chart's metadata itself.
                have_meta = true;
                chart
                    .metadata
                    .read_into(&f.text())
                    .map_err(|e| err(format!("cannot load requirements.yaml: {e}")))?;
                if chart.metadata.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            n if n.starts_with("templates/") => {
                (seen.on_template)(format!("{path}/{n}"), &f);
                chart.templates.push(f)
            }
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    chart.files.push(f);
                    continue;
                }
                let rest = &n["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                let inner = ChartFile {
                    name: rest.to_string(),
                    data: f.data,
                };
                match sub.iter_mut().find(|(c, _)| *c == cname) {
                    Some((_, list)) => list.push(inner),
                    None => sub.push((cname, vec![inner])),
                }
            }
            _ => chart.files.push(f),
        }
    }
    if !have_meta {
        return Err(err("Chart.yaml file is missing"));
    }
    chart.metadata.sanitize();
    chart
        .metadata
        .validate()
        .map_err(|e| err(format!("validation: {e}")))?;
    sub.sort_by(|a, b| a.0.cmp(&b.0));
    let seen_below = Seen {
        on_template: seen.on_template,
        parent: Some(&path),
    };
    for (n, files) in sub {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let loaded = if n.ends_with(".tgz") {
            let file = &files[0];
            if file.name != n {
                return Err(err(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    chart.name(),
                    file.name
                )));
            }
            archive_files(&file.data).and_then(|files| load_files_seen(files, &seen_below))
        } else {
            let inner: Vec<ChartFile> = files
                .into_iter()
                .filter_map(|f| {
                    let (_, rest) = f.name.split_once('/')?;
                    Some(ChartFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files_seen(inner, &seen_below)
        };
        match loaded {
            Ok(c) => chart.dependencies.push(c),
            Err(e) => {
                return Err(err(format!(
                    "error unpacking subchart {n} in {}: {}",
                    chart.name(),
                    e.0
                )));
            }
        }
    }
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart folder's symlinks are followed (to a file and to a folder, both
    /// outside the chart), and an entry that is neither a file nor a folder (a
    /// named pipe, which a read would wait on forever) is an error naming it.
    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_irregular_files_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let chart = dir.path().join("c");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
        std::fs::create_dir_all(elsewhere.join("more")).expect("mkdir");
        std::fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 1.0.0\n",
        )
        .expect("write");
        std::fs::write(elsewhere.join("a.yaml"), "a: 1\n").expect("write");
        std::fs::write(elsewhere.join("more/b.yaml"), "b: 2\n").expect("write");
        std::os::unix::fs::symlink(elsewhere.join("a.yaml"), chart.join("templates/a.yaml"))
            .expect("symlink");
        std::os::unix::fs::symlink(elsewhere.join("more"), chart.join("templates/more"))
            .expect("symlink");
        let loaded = load(&chart).expect("chart");
        let text = |name: &str| {
            loaded
                .templates
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.text().into_owned())
        };
        assert_eq!(text("templates/a.yaml").as_deref(), Some("a: 1\n"));
        assert_eq!(text("templates/more/b.yaml").as_deref(), Some("b: 2\n"));

        let fifo = chart.join("templates/pipe.yaml");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let e = load(&chart).expect_err("a named pipe").to_string();
        assert!(
            e.contains("cannot load irregular file") && e.contains("pipe.yaml"),
            "{e}"
        );
    }

    /// A gzipped tar with entries named exactly as given (no path checks).
    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_ustar();
            let raw = &mut h.as_old_mut().name;
            raw[..name.len()].copy_from_slice(name.as_bytes());
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    const CHART: &[u8] = b"apiVersion: v2\nname: a\nversion: 0.1.0\n";

    #[test]
    fn archive_guards_as_helm() {
        let ok = tgz(&[("a/Chart.yaml", CHART), ("a/templates/./x.yaml", b"x: 1")]);
        let c = load_archive(&ok).unwrap();
        assert_eq!(c.templates[0].name, "templates/x.yaml");
        type Entries<'a> = &'a [(&'a str, &'a [u8])];
        let cases: [(Entries, &str); 4] = [
            (
                &[("a/../../etc/passwd", b"x")],
                "chart illegally references parent directory",
            ),
            (
                &[("README", b"x")],
                "chart illegally contains content outside the base directory: \"README\"",
            ),
            (
                &[("a//etc/x", b"x")],
                "chart illegally contains absolute paths",
            ),
            (&[("a/c:/x", b"x")], "chart contains illegally named files"),
        ];
        for (entries, want) in cases {
            assert_eq!(archive_files(&tgz(entries)).unwrap_err().0, want);
        }
        assert_eq!(
            archive_files(&tgz(&[])).unwrap_err().0,
            "no files in chart archive"
        );
    }

    #[test]
    fn archive_subchart_and_dependencies_check() {
        let sub = tgz(&[(
            "s/Chart.yaml",
            b"apiVersion: v2\nname: s\nversion: 1.0.0\n" as &[u8],
        )]);
        let parent = tgz(&[
            (
                "p/Chart.yaml",
                b"apiVersion: v2\nname: p\nversion: 0.1.0\ndependencies:\n- name: s\n  version: 1.x\n  repository: r\n- name: t\n  repository: r\n",
            ),
            ("p/charts/s-1.0.0.tgz", &sub),
        ]);
        let c = load_archive(&parent).unwrap();
        assert_eq!(c.dependencies[0].name(), "s");
        assert_eq!(
            c.check_dependencies().unwrap_err().0,
            "found in Chart.yaml, but missing in charts/ directory: t"
        );
    }

    #[test]
    fn clean_paths() {
        assert_eq!(go_clean("a/./b/../c"), "a/c");
        assert_eq!(go_clean(""), ".");
        assert_eq!(go_clean("../x"), "../x");
        assert_eq!(go_clean("/../x"), "/x");
    }

    /// `load_observed` reports each template with the path a render gives it:
    /// by the names in Chart.yaml (not the directory's), through subchart
    /// directories and archives.
    #[test]
    fn load_observed_reports_templates_by_render_path() {
        let dir = tempfile::tempdir().unwrap();
        let write = |file: &str, data: &[u8]| {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        };
        write("Chart.yaml", b"apiVersion: v2\nname: top\nversion: 1.0.0\n");
        write("templates/a.yaml", b"a");
        write("templates/sub/b.yaml", b"b");
        write("files/c.txt", b"c");
        write(
            "charts/dir-name/Chart.yaml",
            b"apiVersion: v2\nname: inner\nversion: 1.0.0\n",
        );
        write("charts/dir-name/templates/d.yaml", b"d");
        let packed = tgz(&[
            (
                "packed/Chart.yaml",
                b"apiVersion: v2\nname: packed\nversion: 1.0.0\n",
            ),
            ("packed/templates/e.yaml", b"e"),
            (
                "packed/charts/deep/Chart.yaml",
                b"apiVersion: v2\nname: deep\nversion: 1.0.0\n",
            ),
            ("packed/charts/deep/templates/f.yaml", b"f"),
        ]);
        write("charts/packed-1.0.0.tgz", &packed);
        let seen = std::sync::Mutex::new(Vec::new());
        let chart = load_observed(dir.path(), &|path, file| {
            seen.lock()
                .unwrap()
                .push((path, String::from_utf8_lossy(&file.data).into_owned()));
        })
        .unwrap();
        let mut seen = seen.into_inner().unwrap();
        // Templates in folders are reported by the walk too (see below).
        seen.sort();
        seen.dedup();
        let want = [
            ("top/charts/inner/templates/d.yaml", "d"),
            ("top/charts/packed/charts/deep/templates/f.yaml", "f"),
            ("top/charts/packed/templates/e.yaml", "e"),
            ("top/templates/a.yaml", "a"),
            ("top/templates/sub/b.yaml", "b"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        assert_eq!(seen, want);
        let names: Vec<&str> = chart.dependencies.iter().map(Chart::name).collect();
        assert_eq!(names, ["inner", "packed"]);
    }

    /// The walk reports each template before the load reports it again, under
    /// the same path: its chart's name (not its folder's) below its parents'.
    #[test]
    fn templates_are_reported_by_the_walk_under_the_loads_paths() {
        let dir = tempfile::tempdir().unwrap();
        let write = |file: &str, text: &str| {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let chart_yaml = |name: &str| format!("apiVersion: v2\nname: {name}\nversion: 1.0.0\n");
        write("Chart.yaml", &chart_yaml("top"));
        write("templates/a.yaml", "a");
        write("charts/folder/Chart.yaml", &chart_yaml("\"sub\""));
        write("charts/folder/templates/b.yaml", "b");
        write("charts/folder/charts/deep/Chart.yaml", &chart_yaml("deep"));
        write("charts/folder/charts/deep/templates/_c.tpl", "c");
        write("charts/odd/Chart.yaml", &chart_yaml("odd # name"));
        write("charts/odd/templates/d.yaml", "d");
        let reported = std::sync::Mutex::new(Vec::new());
        load_observed(dir.path(), &|path, _| reported.lock().unwrap().push(path)).unwrap();
        let reported = reported.into_inner().unwrap();
        // In the walk's order (charts/ before templates/).
        let early = [
            "top/charts/sub/charts/deep/templates/_c.tpl",
            "top/charts/sub/templates/b.yaml",
            "top/templates/a.yaml",
        ];
        // A name not simply written is left to the load.
        assert_eq!(reported[..3], early);
        let mut by_load = reported[3..].to_vec();
        by_load.sort();
        let mut want = early.to_vec();
        want.push("top/charts/odd/templates/d.yaml");
        want.sort();
        assert_eq!(by_load, want);
    }

    /// Large files the loader reads itself are read at load; other large files
    /// (CRDs, `.Files` data) wait for their first use, in subcharts too, and read
    /// the same bytes (a byte order mark dropped, as at load).
    #[test]
    fn large_files_the_loader_does_not_read_wait_for_a_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let big = |head: &str| {
            let mut data = head.as_bytes().to_vec();
            data.resize(content::DEFER_FROM as usize + 1, b'#');
            data
        };
        let write = |file: &str, data: &[u8]| {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        };
        write("Chart.yaml", b"apiVersion: v2\nname: top\nversion: 1.0.0\n");
        write("values.yaml", &big("a: 1\n"));
        write("templates/big.yaml", &big("kind: A\n"));
        write(
            "crds/crd.yaml",
            &big("\u{feff}kind: CustomResourceDefinition\n"),
        );
        write(
            "charts/sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        );
        write("charts/sub/files/data.txt", &big("data\n"));
        write("small.txt", b"small");
        let chart = load(dir.path()).unwrap();
        assert!(chart.templates.iter().all(|t| t.data.is_read()));
        let file = |c: &Chart, name: &str| {
            c.files
                .iter()
                .find(|f| f.name == name)
                .unwrap()
                .data
                .clone()
        };
        let crd = file(&chart, "crds/crd.yaml");
        let data = file(&chart.dependencies[0], "files/data.txt");
        assert!(!crd.is_read() && !data.is_read());
        assert!(file(&chart, "small.txt").is_read());
        assert!(crd.starts_with(b"kind: CustomResourceDefinition\n"));
        assert_eq!(crd.len(), content::DEFER_FROM as usize + 1 - 3);
        assert!(data.starts_with(b"data\n") && data.is_read());
        assert_eq!(
            chart.values.get("a"),
            Some(&crate::gotmpl::Value::Float(1.0))
        );
    }
}
