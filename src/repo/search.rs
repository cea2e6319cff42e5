//! `search repo`: Helm's `cmd/helm/search` semantics (one line per chart, or per
//! version with `--versions`/`--version`; a literal substring or a regexp over
//! `name \v repo/name \v description \v keywords`; the score is the field the match
//! starts in; results sorted by score, name, then newest version) over a slim
//! per-repository search cache.
//!
//! Why a cache: Helm parses every `<repo>-index.yaml` in full for each search,
//! which for a 20 MB index costs seconds and hundreds of MiB. charter writes
//! `<repo>-charter-search.json` beside the index at `repo add`/`repo update` (and
//! rebuilds it whenever the index's size or XXH3-128 digest no longer matches),
//! holding only the fields search prints or matches on. The digest only detects a
//! changed index (Helm or a user may rewrite it); it guards nothing against an
//! attacker, who could as well edit the index itself, so a fast non-cryptographic
//! hash is the right tool (SHA-256 cost a quarter of a 20 MB search).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use super::index::IndexFile;
use crate::chart::constraint::{Constraint, parse_version};

/// The fields of one chart version that search uses: name, version, appVersion,
/// description and the keywords joined by spaces (search only ever matches on
/// them joined), end to end in one allocation. A 20 MB index holds tens of
/// thousands of versions; one allocation each instead of five or more halves
/// the memory and time of reading and writing the search cache.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchChart {
    text: Box<str>,
    /// Where each of the first four fields ends in `text`.
    ends: [u32; 4],
}

impl SearchChart {
    pub fn new<K: AsRef<str>>(
        name: &str,
        version: &str,
        app_version: &str,
        description: &str,
        keywords: &[K],
    ) -> SearchChart {
        let kw_len = keywords.iter().map(|k| k.as_ref().len() + 1).sum::<usize>();
        let mut text = String::with_capacity(
            name.len() + version.len() + app_version.len() + description.len() + kw_len,
        );
        let mut ends = [0u32; 4];
        for (i, f) in [name, version, app_version, description].iter().enumerate() {
            text.push_str(f);
            ends[i] = text.len() as u32;
        }
        for (i, k) in keywords.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(k.as_ref());
        }
        SearchChart {
            text: text.into_boxed_str(),
            ends,
        }
    }

    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.text.len(), |&e| e as usize);
        &self.text[start..end]
    }

    pub fn name(&self) -> &str {
        self.field(0)
    }

    pub fn version(&self) -> &str {
        self.field(1)
    }

    pub fn app_version(&self) -> &str {
        self.field(2)
    }

    pub fn description(&self) -> &str {
        self.field(3)
    }

    /// The keywords, joined by spaces.
    pub fn keywords(&self) -> &str {
        self.field(4)
    }
}

/// A [`SearchChart`] in the cache file.
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    n: Cow<'a, str>,
    #[serde(borrow)]
    v: Cow<'a, str>,
    #[serde(borrow, default)]
    a: Cow<'a, str>,
    #[serde(borrow, default)]
    d: Cow<'a, str>,
    #[serde(borrow, default)]
    k: Cow<'a, str>,
}

impl Serialize for SearchChart {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            n: self.name().into(),
            v: self.version().into(),
            a: self.app_version().into(),
            d: self.description().into(),
            k: self.keywords().into(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SearchChart {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SearchChart, D::Error> {
        let w = Wire::deserialize(d)?;
        // The keywords were stored joined: one "keyword" gives the same text.
        Ok(SearchChart::new(&w.n, &w.v, &w.a, &w.d, &[&w.k]))
    }
}

/// The cache file: the index's identity and its charts, newest version first.
#[derive(Debug, Serialize, Deserialize)]
pub struct SearchCache {
    pub format: u32,
    /// XXH3-128 of the index, in hex.
    pub digest: String,
    pub size: u64,
    pub entries: BTreeMap<String, Vec<SearchChart>>,
}

const FORMAT: u32 = 2;

/// The digest a cache records for index bytes.
fn digest_of(bytes: &[u8]) -> String {
    hex128(xxh3_128(bytes))
}

fn hex128(d: u128) -> String {
    format!("{d:032x}")
}

/// [`digest_of`] for the file at `path`, read in chunks (no copy of a 20 MB index
/// in memory just to check the cache).
fn digest_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex128(h.digest128()));
        }
        h.update(&buf[..n]);
    }
}

/// `<cache>/<name>-charter-search.json`.
pub fn cache_path(cache: &Path, name: &str) -> PathBuf {
    cache.join(format!("{name}-charter-search.json"))
}

impl SearchCache {
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
            digest: digest_of(index_bytes),
            size: index_bytes.len() as u64,
            entries,
        };
        c.write(cache_dir, name)
    }

    fn write(&self, cache_dir: &Path, name: &str) -> Result<(), String> {
        super::config::write_atomic_with(&cache_path(cache_dir, name), 0o644, |w| {
            serde_json::to_writer(w, self).map_err(std::io::Error::other)
        })
    }

    /// The charts of repository `name`: from the cache when it matches the index
    /// on disk, else from the index (refreshing the cache).
    pub fn load(
        cache_dir: &Path,
        name: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<SearchCache, String> {
        let index_path = super::config::cache_index_file(cache_dir, name);
        let open_error = |e: std::io::Error| {
            format!(
                "open {}: {}",
                index_path.display(),
                if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or directory".to_string()
                } else {
                    e.to_string()
                }
            )
        };
        let size = std::fs::metadata(&index_path).map_err(open_error)?.len();
        if let Ok(data) = std::fs::read(cache_path(cache_dir, name))
            && let Ok(c) = serde_json::from_slice::<SearchCache>(&data)
            && c.format == FORMAT
            && c.size == size
            && digest_file(&index_path).is_ok_and(|d| d == c.digest)
        {
            return Ok(c);
        }
        let bytes = std::fs::read(&index_path).map_err(open_error)?;
        let source = index_path.display().to_string();
        let entries = super::scan::summarize(&bytes, &source, warn)
            .map_err(|e| format!("error loading {source}: {e}"))?;
        let c = SearchCache {
            format: FORMAT,
            digest: digest_of(&bytes),
            size: bytes.len() as u64,
            entries,
        };
        let _ = c.write(cache_dir, name);
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
        let m = &v.metadata;
        SearchChart::new(
            &m.name,
            &m.version,
            &m.app_version,
            &m.description,
            &m.keywords,
        )
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
                    v.name(),
                    v.name(),
                    v.description(),
                    v.keywords()
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
                    parse_version(a.chart.version()),
                    parse_version(b.chart.version()),
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
        let Ok(v) = parse_version(r.chart.version()) else {
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
        SearchChart::new(n, v, "", d, &["web"])
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
                digest: String::new(),
                size: 0,
                entries,
            },
            true,
        );
        let mut res = idx.search("NGINX", 25, false).unwrap();
        sort_results(&mut res);
        let got: Vec<(String, usize, String)> = res
            .iter()
            .map(|r| (r.name.clone(), r.score, r.chart.version().to_string()))
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
