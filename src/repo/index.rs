//! A chart repository's `index.yaml`, as Helm's `pkg/repo/index.go` models it: the
//! file's entries (each a chart's Chart.yaml fields plus `urls`, `created`, `digest`,
//! `removed`), read from YAML or JSON with Helm's rules (invalid entries skipped with
//! a warning, versions sorted newest first) and written in the shape Helm writes
//! (`sigs.k8s.io/yaml`: keys sorted, RFC 3339 times with nanoseconds).
//!
//! Reading goes through charter's own `yaml` module so scalars resolve exactly as
//! Helm resolves them. `repo add`/`update` and the search cache read only what
//! they need through [`super::scan`], which falls back to this reader whenever an
//! index leaves the plain block-YAML subset it understands.

use std::collections::BTreeMap;
use std::path::Path;

use crate::chart::Metadata;
use crate::chart::constraint::{Constraint, Version, parse_version};
use crate::gotmpl::{Map, Value};

/// A failure to read or write an index file.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("empty index.yaml file")]
    Empty,
    #[error("no API version specified")]
    NoApiVersion,
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    Io(String),
}

/// One version of one chart in an index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartVersion {
    pub metadata: Metadata,
    pub urls: Vec<String>,
    /// As written (RFC 3339); Go's zero time when absent.
    pub created: String,
    pub removed: bool,
    pub digest: String,
}

impl ChartVersion {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
    pub fn version(&self) -> &str {
        &self.metadata.version
    }
}

/// An index file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexFile {
    pub api_version: String,
    pub generated: String,
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    pub public_keys: Vec<String>,
    pub annotations: BTreeMap<String, String>,
    pub server_info: Option<Value>,
}

/// Go's zero `time.Time` as `encoding/json` writes it.
pub const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// The current time as Go's `time.Now()` marshals it (RFC 3339, nanoseconds with
/// trailing zeros trimmed, `Z` for UTC).
pub fn now_rfc3339_nano() -> String {
    let now = chrono::Utc::now();
    let base = now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = now.timestamp_subsec_nanos();
    if nanos == 0 {
        return format!("{base}Z");
    }
    let frac = format!("{nanos:09}");
    format!("{base}.{}Z", frac.trim_end_matches('0'))
}

impl IndexFile {
    /// A fresh index (Helm's `NewIndexFile`).
    pub fn new() -> IndexFile {
        IndexFile {
            api_version: "v1".into(),
            generated: now_rfc3339_nano(),
            ..IndexFile::default()
        }
    }

    /// Reads an index file from disk; `warn` receives each skipped entry.
    pub fn load(path: &Path, warn: &mut dyn FnMut(String)) -> Result<IndexFile, IndexError> {
        let data = std::fs::read(path)
            .map_err(|e| IndexError::Io(format!("open {}: {}", path.display(), io_reason(&e))))?;
        Self::parse(&data, &path.display().to_string(), warn)
            .map_err(|e| IndexError::Parse(format!("error loading {}: {e}", path.display())))
    }

    /// Parses index bytes (YAML, or JSON when the bytes are valid JSON).
    pub fn parse(
        data: &[u8],
        source: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<IndexFile, IndexError> {
        if data.is_empty() {
            return Err(IndexError::Empty);
        }
        let value = if serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok() {
            let text = std::str::from_utf8(data).map_err(|e| IndexError::Parse(e.to_string()))?;
            crate::yaml::from_json(text).map_err(IndexError::Parse)?
        } else {
            crate::yaml::parse_value_bytes(data).map_err(|e| IndexError::Parse(e.to_string()))?
        };
        let index = Self::from_value(&value, source, warn)?;
        if index.api_version.is_empty() {
            return Err(IndexError::NoApiVersion);
        }
        Ok(index)
    }

    fn from_value(
        value: &Value,
        source: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<IndexFile, IndexError> {
        let empty = Map::new();
        let m = match value {
            Value::Map(m) => m.as_ref(),
            Value::Nil => &empty,
            _ => {
                return Err(IndexError::Parse(
                    "error unmarshaling JSON: json: cannot unmarshal into Go value of type repo.IndexFile"
                        .into(),
                ));
            }
        };
        let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let mut index = IndexFile {
            api_version: text("apiVersion"),
            generated: text("generated"),
            server_info: m
                .get("serverInfo")
                .filter(|v| !matches!(v, Value::Nil))
                .cloned(),
            ..IndexFile::default()
        };
        if let Some(Value::List(keys)) = m.get("publicKeys") {
            index.public_keys = keys
                .iter()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
        }
        if let Some(Value::Map(a)) = m.get("annotations") {
            index.annotations = a
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect();
        }
        if let Some(Value::Map(entries)) = m.get("entries") {
            for (name, list) in entries.iter() {
                index
                    .entries
                    .insert(name.clone(), versions_from(name, list, source, warn));
            }
        }
        Ok(index)
    }

    /// Sorts every chart's versions newest first (Helm's `SortEntries`).
    pub fn sort_entries(&mut self) {
        for versions in self.entries.values_mut() {
            sort_newest_first(versions);
        }
    }

    /// Whether the index holds this chart version.
    pub fn has(&self, name: &str, version: &str) -> bool {
        self.entries
            .get(name)
            .is_some_and(|vs| vs.iter().any(|v| v.version() == version))
    }

    /// The newest version matching `constraint` (an exact version string wins first),
    /// as Helm's `IndexFile.Get`; an empty constraint means any stable version.
    pub fn get(&self, name: &str, constraint: &str) -> Result<&ChartVersion, String> {
        let versions = self
            .entries
            .get(name)
            .ok_or_else(|| "no chart name found".to_string())?;
        if versions.is_empty() {
            return Err("no chart version found".into());
        }
        let parsed = Constraint::parse(if constraint.is_empty() {
            "*"
        } else {
            constraint
        })?;
        if !constraint.is_empty()
            && let Some(v) = versions.iter().find(|v| v.version() == constraint)
        {
            return Ok(v);
        }
        versions
            .iter()
            .find(|v| parse_version(v.version()).is_ok_and(|sv| parsed.check(&sv)))
            .ok_or_else(|| format!("no chart version found for {name}-{constraint}"))
    }

    /// Adds the versions of `other` this index lacks (Helm's `Merge`).
    pub fn merge(&mut self, other: &IndexFile) {
        for versions in other.entries.values() {
            for cv in versions {
                if !self.has(cv.name(), cv.version()) {
                    self.entries
                        .entry(cv.name().to_string())
                        .or_default()
                        .push(cv.clone());
                }
            }
        }
    }

    /// The value `sigs.k8s.io/yaml` or `encoding/json` marshals.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("apiVersion".into(), Value::str(&self.api_version));
        m.insert(
            "generated".into(),
            Value::str(if self.generated.is_empty() {
                ZERO_TIME
            } else {
                &self.generated
            }),
        );
        let entries: Map = self
            .entries
            .iter()
            .map(|(k, vs)| {
                (
                    k.clone(),
                    Value::list(vs.iter().map(ChartVersion::to_value).collect()),
                )
            })
            .collect();
        m.insert("entries".into(), Value::map(entries));
        if !self.public_keys.is_empty() {
            m.insert(
                "publicKeys".into(),
                Value::list(self.public_keys.iter().map(|k| Value::str(k)).collect()),
            );
        }
        if !self.annotations.is_empty() {
            m.insert(
                "annotations".into(),
                Value::map(
                    self.annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::str(v)))
                        .collect(),
                ),
            );
        }
        if let Some(info) = &self.server_info {
            m.insert("serverInfo".into(), info.clone());
        }
        Value::map(m)
    }

    /// The YAML Helm's `IndexFile.WriteFile` writes.
    pub fn to_yaml(&self) -> String {
        crate::yaml::to_yaml(&self.to_value())
    }

    /// The JSON Helm's `IndexFile.WriteJSONFile` writes (two-space indent).
    pub fn to_json(&self) -> Result<String, String> {
        crate::yaml::to_json(
            &self.to_value(),
            crate::yaml::JsonOpts {
                escape_html: true,
                indent: Some("  "),
            },
        )
    }
}

impl ChartVersion {
    /// The JSON/YAML form: Chart.yaml fields inline, then the index fields.
    pub fn to_value(&self) -> Value {
        let mut m = match self.metadata.to_data() {
            Value::Map(m) => m.as_ref().clone().into_inner(),
            _ => Map::new(),
        };
        m.insert(
            "urls".into(),
            if self.urls.is_empty() {
                Value::Nil
            } else {
                Value::list(self.urls.iter().map(|u| Value::str(u)).collect())
            },
        );
        m.insert(
            "created".into(),
            Value::str(if self.created.is_empty() {
                ZERO_TIME
            } else {
                &self.created
            }),
        );
        if self.removed {
            m.insert("removed".into(), Value::Bool(true));
        }
        if !self.digest.is_empty() {
            m.insert("digest".into(), Value::str(&self.digest));
        }
        Value::map(m)
    }
}

/// The valid versions of chart `name` (its value under `entries`), newest first;
/// `warn` receives each skipped entry.
pub(crate) fn versions_from(
    name: &str,
    list: &Value,
    source: &str,
    warn: &mut dyn FnMut(String),
) -> Vec<ChartVersion> {
    let mut versions = Vec::new();
    if let Value::List(list) = list {
        for item in list.iter() {
            match chart_version_from(item) {
                Ok(cv) => versions.push(cv),
                Err((version, reason)) => warn(format!(
                    "skipping loading invalid entry for chart {name:?} {version:?} from {source}: {reason}"
                )),
            }
        }
    }
    sort_newest_first(&mut versions);
    versions
}

/// Reads one entry; on failure, the entry's version and the reason it was skipped.
fn chart_version_from(item: &Value) -> Result<ChartVersion, (String, String)> {
    let map = match item {
        Value::Map(m) => m,
        Value::Nil => return Err((String::new(), "empty entry".into())),
        _ => return Err((String::new(), "entry is not a mapping".into())),
    };
    let version_text = map
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut metadata = Metadata::from_value(item).map_err(|e| (version_text.clone(), e))?;
    if metadata.api_version.is_empty() {
        metadata.api_version = "v1".into();
    }
    // Helm's Validate cleans these fields in place before checking them, and the
    // index keeps the cleaned text (so search prints it).
    metadata.sanitize();
    if let Err(e) = metadata.validate()
        && !e.starts_with("more than one dependency with name or alias")
    {
        return Err((version_text, format!("validation: {e}")));
    }
    let urls = match map.get("urls") {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let text = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Ok(ChartVersion {
        metadata,
        urls,
        created: Some(text("created"))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| ZERO_TIME.to_string()),
        removed: matches!(map.get("removed"), Some(Value::Bool(true))),
        digest: text("digest"),
    })
}

/// Newest first by SemVer; unparsable versions sort as Go's `sort.Sort(Reverse)` leaves them.
pub fn sort_newest_first(versions: &mut Vec<ChartVersion>) {
    sort_newest_by(versions, |v| v.version());
}

/// [`sort_newest_first`] for anything with a version (a stable sort, as Go's
/// `sort.Sort` happens to be on these inputs).
pub fn sort_newest_by<T>(items: &mut Vec<T>, version: impl Fn(&T) -> &str) {
    let mut keyed: Vec<(Option<Version>, T)> = items
        .drain(..)
        .map(|t| (parse_version(version(&t)).ok(), t))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(x), Some(y)) => y.compare(x),
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, None) => std::cmp::Ordering::Equal,
    });
    items.extend(keyed.into_iter().map(|(_, t)| t));
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    urls: [a-1.0.0.tgz]\n  - name: a\n    version: 2.0.0-rc.1\n  - name: a\n    version: 1.10.0\n  - name: a\n    version: not-semver\ngenerated: \"2020-01-01T00:00:00Z\"\n";

    #[test]
    fn sorts_and_skips_invalid() {
        let mut warnings = Vec::new();
        let idx = IndexFile::parse(INDEX.as_bytes(), "t", &mut |w| warnings.push(w)).unwrap();
        let vs: Vec<&str> = idx.entries["a"].iter().map(|v| v.version()).collect();
        assert_eq!(vs, ["2.0.0-rc.1", "1.10.0", "1.0.0"]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("\"not-semver\""), "{warnings:?}");
        assert_eq!(idx.get("a", "").unwrap().version(), "1.10.0");
        assert_eq!(idx.get("a", "~1.0").unwrap().version(), "1.0.0");
        assert!(idx.get("b", "").is_err());
    }

    #[test]
    fn json_and_errors() {
        let json = br#"{"apiVersion":"v1","entries":{"x":[{"name":"x","version":"0.1.0"}]}}"#;
        let idx = IndexFile::parse(json, "t", &mut |_| {}).unwrap();
        assert_eq!(idx.entries["x"][0].version(), "0.1.0");
        assert!(matches!(
            IndexFile::parse(b"", "t", &mut |_| {}),
            Err(IndexError::Empty)
        ));
        assert!(matches!(
            IndexFile::parse(b"entries: {}\n", "t", &mut |_| {}),
            Err(IndexError::NoApiVersion)
        ));
    }

    #[test]
    fn round_trips_through_yaml() {
        let idx = IndexFile::parse(INDEX.as_bytes(), "t", &mut |_| {}).unwrap();
        let again = IndexFile::parse(idx.to_yaml().as_bytes(), "t", &mut |_| {}).unwrap();
        assert_eq!(idx, again);
        assert!(
            idx.to_yaml()
                .starts_with("apiVersion: v1\nentries:\n  a:\n  - apiVersion: v1\n")
        );
    }
}
