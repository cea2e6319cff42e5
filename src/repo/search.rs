//! `search repo`: Helm's `cmd/helm/search` semantics (one line per chart, or per
//! version with `--versions`/`--version`; a literal substring or a regexp over
//! `name \v repo/name \v description \v keywords`; the score is the field the match
//! starts in; results sorted by score, name, then newest version) over a slim
//! per-repository search cache.
//!
//! Why a cache: Helm parses every `<repo>-index.yaml` in full for each search,
//! which for a 20 MB index costs seconds and hundreds of MiB. charter writes
//! `<repo>-charter-search.json` beside the index at `repo add`/`repo update` (and
//! rebuilds it whenever the index's sha256 no longer matches), holding only the
//! fields search prints or matches on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::index::IndexFile;
use crate::chart::constraint::{Constraint, parse_version};

/// The fields of one chart version that search uses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SearchChart {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "v")]
    pub version: String,
    #[serde(rename = "a", default)]
    pub app_version: String,
    #[serde(rename = "d", default)]
    pub description: String,
    #[serde(rename = "k", default)]
    pub keywords: Vec<String>,
}

/// The cache file: the index's identity and its charts, newest version first.
#[derive(Debug, Serialize, Deserialize)]
pub struct SearchCache {
    pub format: u32,
    pub sha256: String,
    pub size: u64,
    pub entries: BTreeMap<String, Vec<SearchChart>>,
}

const FORMAT: u32 = 1;

/// `<cache>/<name>-charter-search.json`.
pub fn cache_path(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}-charter-search.json"))
}

impl SearchCache {
    pub fn from_index(index: &IndexFile, sha256: String, size: u64) -> SearchCache {
        SearchCache {
            format: FORMAT,
            sha256,
            size,
            entries: entries_of(index),
        }
    }

    /// Writes the cache for an index whose bytes were `index_bytes` and whose
    /// charts are `entries` (from [`super::scan::summarize`]).
    pub fn write_entries(
        cache_dir: &Path,
        name: &str,
        entries: BTreeMap<String, Vec<SearchChart>>,
        index_bytes: &[u8],
    ) -> Result<(), String> {
        let c = SearchCache {
            format: FORMAT,
            sha256: hex::encode(Sha256::digest(index_bytes)),
            size: index_bytes.len() as u64,
            entries,
        };
        let json = serde_json::to_vec(&c).map_err(|e| e.to_string())?;
        super::config::write_atomic(&cache_path(cache_dir, name), &json, 0o644)
    }

    /// The charts of repository `name`: from the cache when it matches the index
    /// on disk, else from the index (refreshing the cache).
    pub fn load(
        cache_dir: &Path,
        name: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<SearchCache, String> {
        let index_path = super::config::cache_index_file(cache_dir, name);
        let bytes = std::fs::read(&index_path).map_err(|e| {
            format!(
                "open {}: {}",
                index_path.display(),
                if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                }
            )
        })?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if let Ok(data) = std::fs::read(cache_path(cache_dir, name))
            && let Ok(c) = serde_json::from_slice::<SearchCache>(&data)
            && c.format == FORMAT
            && c.sha256 == sha
            && c.size == bytes.len() as u64
        {
            return Ok(c);
        }
        let source = index_path.display().to_string();
        let entries = super::scan::summarize(&bytes, &source, warn)
            .map_err(|e| format!("error loading {source}: {e}"))?;
        let c = SearchCache {
            format: FORMAT,
            sha256: sha,
            size: bytes.len() as u64,
            entries,
        };
        if let Ok(json) = serde_json::to_vec(&c) {
            let _ = super::config::write_atomic(&cache_path(cache_dir, name), &json, 0o644);
        }
        Ok(c)
    }
}

/// The search fields of every chart version in `index`, per chart.
pub fn entries_of(index: &IndexFile) -> BTreeMap<String, Vec<SearchChart>> {
    index
        .entries
        .iter()
        .map(|(name, vs)| (name.clone(), vs.iter().map(SearchChart::of).collect()))
        .collect()
}

impl SearchChart {
    pub fn of(v: &super::index::ChartVersion) -> SearchChart {
        SearchChart {
            name: v.metadata.name.clone(),
            version: v.metadata.version.clone(),
            app_version: v.metadata.app_version.clone(),
            description: v.metadata.description.clone(),
            keywords: v.metadata.keywords.clone(),
        }
    }
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// `repo/chart`.
    pub name: String,
    pub score: usize,
    pub chart: SearchChart,
}

const SEP: char = '\u{b}';

/// The searchable lines of all repositories (Helm's `search.Index`).
#[derive(Default)]
pub struct SearchIndex {
    items: Vec<(String, String, SearchChart)>,
}

impl SearchIndex {
    /// Adds a repository: its newest versions only, or every version when `all`.
    pub fn add_repo(&mut self, repo: &str, cache: SearchCache, all: bool) {
        for (name, versions) in cache.entries {
            let full = format!("{repo}/{name}");
            let take = if all {
                versions.len()
            } else {
                versions.len().min(1)
            };
            for v in versions.into_iter().take(take) {
                let line = format!(
                    "{}{SEP}{repo}/{}{SEP}{}{SEP}{}",
                    v.name,
                    v.name,
                    v.description,
                    v.keywords.join(" ")
                );
                self.items.push((full.clone(), line, v));
            }
        }
    }

    /// Everything, unscored.
    pub fn all(&self) -> Vec<SearchResult> {
        self.items
            .iter()
            .map(|(n, _, c)| SearchResult {
                name: n.clone(),
                score: 0,
                chart: c.clone(),
            })
            .collect()
    }

    /// A literal (case-insensitive) or regexp search, keeping scores below `threshold`.
    pub fn search(
        &self,
        term: &str,
        threshold: usize,
        regexp: bool,
    ) -> Result<Vec<SearchResult>, String> {
        let mut out = Vec::new();
        if regexp {
            let re = regex::Regex::new(term).map_err(|e| e.to_string())?;
            for (n, line, c) in &self.items {
                if let Some(m) = re.find(line) {
                    let score = calc_score(m.start(), line);
                    if score < threshold {
                        out.push(SearchResult {
                            name: n.clone(),
                            score,
                            chart: c.clone(),
                        });
                    }
                }
            }
        } else {
            let term = term.to_lowercase();
            for (n, line, c) in &self.items {
                let lower = line.to_lowercase();
                if let Some(pos) = lower.find(&term) {
                    let score = calc_score(pos, &lower);
                    if score < threshold {
                        out.push(SearchResult {
                            name: n.clone(),
                            score,
                            chart: c.clone(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The number of separators before the match position.
fn calc_score(index: usize, line: &str) -> usize {
    let splits: Vec<usize> = line.match_indices(SEP).map(|(i, _)| i).collect();
    splits
        .iter()
        .position(|&p| index <= p)
        .unwrap_or(splits.len())
}

/// Helm's `SortScore`: score, then name, then newest version.
pub fn sort_results(results: &mut [SearchResult]) {
    results.sort_by(|a, b| {
        a.score
            .cmp(&b.score)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| {
                match (
                    parse_version(&a.chart.version),
                    parse_version(&b.chart.version),
                ) {
                    (Ok(x), Ok(y)) => y.compare(&x),
                    _ => std::cmp::Ordering::Equal,
                }
            })
    });
}

/// Keeps results matching `constraint`; without `versions`, only the first per name.
pub fn apply_constraint(
    results: Vec<SearchResult>,
    constraint: &str,
    versions: bool,
) -> Result<Vec<SearchResult>, String> {
    if constraint.is_empty() {
        return Ok(results);
    }
    let c = Constraint::parse(constraint)
        .map_err(|e| format!("an invalid version/constraint format: {e}"))?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in results {
        if !versions && seen.contains(&r.name) {
            continue;
        }
        let Ok(v) = parse_version(&r.chart.version) else {
            continue;
        };
        if c.check(&v) {
            seen.insert(r.name.clone());
            out.push(r);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(n: &str, v: &str, d: &str) -> SearchChart {
        SearchChart {
            name: n.into(),
            version: v.into(),
            app_version: String::new(),
            description: d.into(),
            keywords: vec!["web".into()],
        }
    }

    #[test]
    fn scores_and_order() {
        let mut entries = BTreeMap::new();
        entries.insert(
            "nginx".to_string(),
            vec![
                chart("nginx", "2.0.0", "a web server"),
                chart("nginx", "1.0.0", "a web server"),
            ],
        );
        entries.insert(
            "proxy".to_string(),
            vec![chart("proxy", "0.1.0", "fronts nginx")],
        );
        let mut idx = SearchIndex::default();
        idx.add_repo(
            "r",
            SearchCache {
                format: 1,
                sha256: String::new(),
                size: 0,
                entries,
            },
            true,
        );
        let mut res = idx.search("NGINX", 25, false).unwrap();
        sort_results(&mut res);
        let got: Vec<(String, usize, String)> = res
            .iter()
            .map(|r| (r.name.clone(), r.score, r.chart.version.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("r/nginx".into(), 0, "2.0.0".into()),
                ("r/nginx".into(), 0, "1.0.0".into()),
                ("r/proxy".into(), 2, "0.1.0".into())
            ]
        );
        let one = apply_constraint(res.clone(), ">0.0.0", false).unwrap();
        assert_eq!(one.len(), 2);
        assert!(idx.search("(", 25, true).is_err());
        assert_eq!(idx.search("^prox", 25, true).unwrap().len(), 1);
    }
}
