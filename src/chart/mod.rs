//! The chart model and its loader, as Helm's `pkg/chart` and `pkg/chart/loader`
//! define them: a chart directory or `.tgz` archive becomes Chart.yaml metadata,
//! templates, values, a schema, other files and subcharts (from `charts/`, as
//! directories or archives, to any depth). `.helmignore` applies to directories;
//! archives are read with traversal and size guards.

pub mod constraint;
pub mod ignore;
mod metadata;
pub mod package;

use std::io::Read;
use std::path::Path;

use crate::gotmpl::{Map, Value};

pub use metadata::{Dependency, Maintainer, Metadata};

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
    pub data: Vec<u8>,
}

/// A loaded chart.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    pub metadata: Metadata,
    /// Chart.lock or requirements.lock, as read.
    pub lock: Option<Value>,
    pub templates: Vec<ChartFile>,
    /// values.yaml (an empty map when absent).
    pub values: Map,
    pub raw_values: Option<String>,
    pub schema: Option<Vec<u8>>,
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

    /// Files under `crds/` that hold manifests (Helm's `CRDObjects`, this chart only).
    pub fn crd_files(&self) -> Vec<&ChartFile> {
        self.files
            .iter()
            .filter(|f| {
                f.name.starts_with("crds/")
                    && (f.name.ends_with(".yaml")
                        || f.name.ends_with(".yml")
                        || f.name.ends_with(".json"))
            })
            .collect()
    }
}

/// Loads a chart from a directory or an archive (Helm's `loader.Load`).
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
    if meta.is_dir() {
        load_dir(path)
    } else {
        let data = std::fs::read(path)
            .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
        if data.len() < 2 || data[0] != 0x1f || data[1] != 0x8b {
            return Err(err(format!(
                "file '{}' does not appear to be a gzipped archive; got '{}'",
                path.display(),
                sniff(&data)
            )));
        }
        load_archive(&data)
    }
}

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
    let mut rules = match std::fs::read_to_string(dir.join(".helmignore")) {
        Ok(text) => ignore::Rules::parse(&text).map_err(err)?,
        Err(_) => ignore::Rules::default(),
    };
    rules.add_defaults();
    let mut files = Vec::new();
    walk(dir, "", &rules, &mut files, 0)?;
    load_files(files)
}

fn walk(
    dir: &Path,
    prefix: &str,
    rules: &ignore::Rules,
    out: &mut Vec<ChartFile>,
    depth: usize,
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
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        // Symlinks are followed, as Helm's sympath.Walk does.
        let meta = std::fs::metadata(&path)
            .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
        if meta.is_dir() {
            if rules.ignore(&rel, true) {
                continue;
            }
            walk(&path, &rel, rules, out, depth + 1)?;
            continue;
        }
        if rules.ignore(&rel, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(err(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(format!(
                "chart file {name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        let mut data = std::fs::read(&path)
            .map_err(|e| err(format!("{}: {}", path.display(), io_reason(&e))))?;
        if data.starts_with(&[0xef, 0xbb, 0xbf]) {
            data.drain(..3);
        }
        out.push(ChartFile { name: rel, data });
    }
    Ok(())
}

/// Reads a gzipped tar archive of a chart (Helm's `LoadArchiveFiles`), refusing
/// paths outside the chart and oversized content.
pub fn archive_files(data: &[u8]) -> Result<Vec<ChartFile>, ChartError> {
    let gz = flate2::read::GzDecoder::new(data);
    let mut tar = tar::Archive::new(gz);
    let mut files = Vec::new();
    let mut total: u64 = 0;
    let entries = tar
        .entries()
        .map_err(|e| err(format!("error reading chart archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| err(format!("error reading chart archive: {e}")))?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        let raw = entry
            .path()
            .map_err(|e| err(format!("error reading chart archive: {e}")))?
            .to_string_lossy()
            .replace('\\', "/");
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || raw == "pax_global_header"
        {
            continue;
        }
        let parts: Vec<&str> = raw.split('/').collect();
        if parts.len() < 2 {
            if parts[0] == "Chart.yaml" {
                return Err(err("chart yaml not in base directory"));
            }
            continue;
        }
        let name = parts[1..].join("/");
        if name.starts_with('/') || raw.starts_with('/') {
            return Err(err(format!(
                "chart illegally contains absolute paths: {raw}"
            )));
        }
        if name.split('/').any(|p| p == "..") {
            return Err(err(
                "chart illegally contains content outside the base directory",
            ));
        }
        if !kind.is_file() {
            return Err(err(format!(
                "chart contains a {} entry {raw:?}, which charts may not hold",
                entry_kind(kind)
            )));
        }
        let size = entry.header().size().unwrap_or(0);
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(format!(
                "decompressed chart file {name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}"
            )));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(MAX_DECOMPRESSED_FILE_SIZE + 1)
            .read_to_end(&mut data)
            .map_err(|e| err(format!("error reading chart archive: {e}")))?;
        total += data.len() as u64;
        if total > MAX_DECOMPRESSED_CHART_SIZE {
            return Err(err(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if data.starts_with(&[0xef, 0xbb, 0xbf]) {
            data.drain(..3);
        }
        files.push(ChartFile { name, data });
    }
    if files.is_empty() {
        return Err(err("no files in chart archive"));
    }
    Ok(files)
}

fn entry_kind(kind: tar::EntryType) -> &'static str {
    if kind.is_symlink() {
        "symlink"
    } else if kind.is_hard_link() {
        "hard link"
    } else if kind.is_character_special() || kind.is_block_special() {
        "device"
    } else if kind.is_fifo() {
        "fifo"
    } else {
        "special"
    }
}

/// Loads a chart from the bytes of a `.tgz`.
pub fn load_archive(data: &[u8]) -> Result<Chart, ChartError> {
    load_files(archive_files(data)?)
}

fn yaml_map(name: &str, data: &[u8]) -> Result<Map, ChartError> {
    let text = String::from_utf8_lossy(data);
    crate::yaml::unmarshal_map(&text).map_err(|e| err(format!("cannot load {name}: {e}")))
}

/// Builds a chart from its files (Helm's `LoadFiles`).
pub fn load_files(files: Vec<ChartFile>) -> Result<Chart, ChartError> {
    let mut chart = Chart::default();
    let mut have_meta = false;
    for f in &files {
        if f.name == "Chart.yaml" {
            let text = String::from_utf8_lossy(&f.data);
            let v = crate::yaml::parse_value(&text).map_err(|e| {
                err(format!(
                    "cannot load Chart.yaml: error converting YAML to JSON: {e}"
                ))
            })?;
            chart.metadata = Metadata::from_value(&v)
                .map_err(|e| err(format!("cannot load Chart.yaml: {e}")))?;
            if chart.metadata.api_version.is_empty() {
                chart.metadata.api_version = "v1".into();
            }
            have_meta = true;
        }
    }
    let mut sub: Vec<(String, Vec<ChartFile>)> = Vec::new();
    for f in files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                let text = String::from_utf8_lossy(&f.data);
                let v = crate::yaml::parse_value(&text).map_err(|e| {
                    err(format!(
                        "cannot load {}: error converting YAML to JSON: {e}",
                        f.name
                    ))
                })?;
                chart.lock = Some(v);
                if f.name == "requirements.lock" && chart.metadata.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            "values.yaml" => {
                chart.values = yaml_map("values.yaml", &f.data)?;
                chart.raw_values = Some(String::from_utf8_lossy(&f.data).into_owned());
            }
            "values.schema.json" => chart.schema = Some(f.data),
            "requirements.yaml" => {
                let text = String::from_utf8_lossy(&f.data);
                let v = crate::yaml::parse_value(&text).map_err(|e| {
                    err(format!(
                        "cannot load requirements.yaml: error converting YAML to JSON: {e}"
                    ))
                })?;
                if let Some(deps) = v.as_map().and_then(|m| m.get("dependencies")) {
                    chart.metadata.dependencies = metadata::dependencies_from(deps)
                        .map_err(|e| err(format!("cannot load requirements.yaml: {e}")))?;
                }
                if chart.metadata.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            n if n.starts_with("templates/") => chart.templates.push(f),
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
    chart
        .metadata
        .validate()
        .map_err(|e| err(format!("validation: {e}")))?;
    sub.sort_by(|a, b| a.0.cmp(&b.0));
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
            load_archive(&file.data)
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
            load_files(inner)
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
