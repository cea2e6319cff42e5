//! The fast index reader (`repo::scan`, used by `repo add`/`update` and the search
//! cache) against the full Helm-exact reader (`IndexFile::parse`): for every input
//! the outcome must be identical (the error text, the warnings in order, and each
//! chart's search fields newest first), whether the fast path reads it or falls back.
//!
//! Inputs: every YAML/JSON file in Helm's test data, an index generated from the
//! corpus charts the way the benchmark generates it, hand-written edge cases, and
//! random mutations of an index (proptest).

use std::path::{Path, PathBuf};

use charter::chart::Metadata;
use charter::repo::index::{ChartVersion, IndexFile};
use charter::repo::scan;
use charter::repo::search::entries_of;
use proptest::prelude::*;

type Outcome = (Result<scan::Charts, String>, Vec<String>);

fn full(data: &[u8]) -> Outcome {
    let mut warnings = Vec::new();
    let r = IndexFile::parse(data, "http://127.0.0.1/index.yaml", &mut |w| {
        warnings.push(w)
    })
    .map(|i| entries_of(&i))
    .map_err(|e| e.to_string());
    (r, warnings)
}

fn fast(data: &[u8]) -> Outcome {
    let mut warnings = Vec::new();
    let r = scan::summarize(data, "http://127.0.0.1/index.yaml", &mut |w| {
        warnings.push(w)
    })
    .map_err(|e| e.to_string());
    (r, warnings)
}

/// Asserts both readers agree; returns whether the fast path read the input itself.
fn same(data: &[u8], what: &str) -> bool {
    let (f, q) = (full(data), fast(data));
    assert_eq!(f, q, "{what}:\n{}", String::from_utf8_lossy(data));
    scan::scan(data, "http://127.0.0.1/index.yaml").is_some()
}

fn shared() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("CHARTER_SHARED")
        .map(PathBuf::from)
        .or_else(|| {
            [root.join("../shared"), root.join("../../shared")]
                .into_iter()
                .find(|p| p.join("corpus").is_dir())
        })
        .unwrap_or_else(|| root.join("../shared"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut items: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    items.sort();
    for p in items {
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(p);
        }
    }
}

#[test]
fn helm_testdata_files_read_the_same() {
    let mut files = Vec::new();
    walk(&shared().join("peer/helm-testdata"), &mut files);
    if files.is_empty() {
        eprintln!("no Helm test data found; skipping");
        return;
    }
    let mut fast_indexes = 0;
    for f in &files {
        let Ok(data) = std::fs::read(f) else { continue };
        if data.len() > 4 << 20 {
            continue;
        }
        let took_fast = same(&data, &f.display().to_string());
        let name = f.file_name().unwrap_or_default().to_string_lossy();
        if took_fast && name.contains("index") && full(&data).0.is_ok() {
            fast_indexes += 1;
        }
    }
    // Helm-written indexes (the repository fixtures) are in the fast reader's subset.
    assert!(fast_indexes >= 10, "only {fast_indexes} indexes read fast");
}

/// An index like the benchmark's: every corpus chart with `per` versions.
fn generated(per: usize) -> Option<String> {
    let corpus = shared().join("corpus/charts");
    let mut metas = Vec::new();
    for group in ["bitnami", "stable"] {
        let Ok(dirs) = std::fs::read_dir(corpus.join(group)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = dirs.filter_map(|d| d.ok()).map(|d| d.path()).collect();
        dirs.sort();
        for d in dirs {
            let Ok(text) = std::fs::read_to_string(d.join("Chart.yaml")) else {
                continue;
            };
            if let Ok(v) = charter::yaml::parse_value(&text)
                && let Ok(m) = Metadata::from_value(&v)
                && !m.name.is_empty()
            {
                metas.push(m);
            }
        }
    }
    if metas.is_empty() {
        return None;
    }
    let mut index = IndexFile::new();
    for (i, m) in metas.iter().enumerate() {
        let name = format!("{}-{i}", m.name);
        let versions = (0..per)
            .map(|k| {
                let mut md = m.clone();
                md.name = name.clone();
                md.version = format!("{}.{}.{}", k / 20, k % 20, i % 3);
                if md.api_version.is_empty() {
                    md.api_version = "v2".into();
                }
                ChartVersion {
                    urls: vec![format!("charts/{name}-{}.tgz", md.version)],
                    created: "2024-05-01T10:20:30.123456789Z".into(),
                    removed: k % 7 == 3,
                    digest: format!("{:064x}", i * 1000 + k),
                    metadata: md,
                }
            })
            .collect();
        index.entries.insert(name, versions);
    }
    index.sort_entries();
    Some(index.to_yaml())
}

#[test]
fn generated_index_reads_fast_and_the_same() {
    let Some(yaml) = generated(24) else {
        eprintln!("no corpus found; skipping");
        return;
    };
    // Large enough to be split across two threads.
    assert!(yaml.len() > 2 << 20, "{}", yaml.len());
    assert!(same(yaml.as_bytes(), "generated index"), "fell back");
    let json = IndexFile::parse(yaml.as_bytes(), "t", &mut |_| {})
        .unwrap()
        .to_json()
        .unwrap();
    same(json.as_bytes(), "generated index as JSON");
}

const EDGE: &[&str] = &[
    "",
    "\n",
    "apiVersion: v1\n",
    "entries: {}\n",
    "apiVersion: v1\nentries: {}\n",
    "apiVersion: 1\nentries: {}\n",
    "apiVersion: \"\"\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  - name: a\n  - version: 2.0.0\n  - name: b\n    version: 3.0.0\n  -\n  - just text\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0\n    appVersion: 12345678901\n  - name: a\n    version: \"1.1\"\n    appVersion: 'it''s'\n",
    "apiVersion: v1\nentries:\n  zeta:\n  - name: zeta\n    version: 0.1.0\n    description: \"tab\\there \\u00e9 \\\" \\\\ \\x41\"\n    keywords:\n    - \"yes\"\n    - yes\n    - 1.5\n    - ~\n  alpha:\n  - name: alpha\n    version: not-semver\n",
    "apiVersion: v1\nentries:\n  u:\n  - name: u\n    version: 1.0.0\n    description: Ünïcödé 日本語 😀 chart\n    keywords: [a, b]\n",
    "apiVersion: v1\nentries:\n  d:\n  - deprecated: true\n    name: d\n    version: 1.0.0\n    description: DEPRECATED a long description that\n      continues on the next line\n\n      and after a blank line\n    annotations:\n      images: |\n        - name: x\n          image: y\n\n        tail\n      other: |-\n        stripped\n  e:\n    - name: e\n      version: 2.0.0\n      keywords:\n        - k1\n        - k2\n",
    "apiVersion: v1\nentries:\n  a:\n  - &x\n    name: a\n    version: 1.0.0\n  - *x\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a # comment\n    version: 1.0.0\n",
    "# comment\napiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0}\n",
    "apiVersion: v1\napiVersion: v2\nentries: {}\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  a:\n  - name: a\n    version: 2.0.0\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    name: b\n    version: 1.0.0\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n   version: 1.0.0\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n\tversion: 1.0.0\n",
    "apiVersion: v1\r\nentries: {}\r\n",
    "---\napiVersion: v1\nentries: {}\n",
    "apiVersion: v1\nentries:\n  a: null\n  b: text\n  c: []\n  d:\n    x: 1\ngenerated: 2020-01-01T00:00:00Z\nserverInfo: {}\npublicKeys:\n- k\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    type: plugin\n  - name: a\n    version: 1.0.1\n    dependencies:\n    - name: x\n    - name: x\n  - name: a\n    version: 1.0.2\n    maintainers:\n    -\n  - name: a/b\n    version: 1.0.3\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: .inf\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: \"a\\u0007\"\n    version: 1.0.0\n    appVersion: \"1\\t2\"\n    description: \"one\\ntwo\\u00a0three\\u200bfour\"\n    keywords:\n    - \"k\\u0001\"\n    dependencies:\n    - name: \"d\\u0007\"\n    - name: d\n      alias: bad.alias\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    dependencies:\n    - name: x\n      alias: bad.alias\n  - name: a\n    version: 1.0.1\n    dependencies:\n    - name: x\n    - alias: x\n      name: y\n    - name: z\n      alias: bad.alias\n  - name: a\n    version: 1.0.2\n    dependencies:\n    - name: c\n      version: ~1.2\n      repository: oci://r/c\n      condition: c.enabled\n      tags:\n      - t\n      enabled: false\n    - name: d\n      import-values:\n      - data\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    annotations:\n      \"quoted\": x\n  - name: a\n    version: 1.0.1\n    annotations:\n      n: 1\n  - name: a\n    version: 1.0.2\n    annotations:\n      category: Database\n      artifacthub.io/links: |\n        - name: x\n    Name: b\n    deprecated: \"true\"\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    maintainers:\n    - name: A\n      name: B\n  - name: a\n    version: 1.0.1\n    maintainers:\n    - name: A\n      phone: 1\n  - name: a\n    version: 1.0.2\n    maintainers:\n    - just text\n  - name: a\n    version: 1.0.3\n    sources:\n    - x: y\n    urls: []\n    removed: 5\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: a: b\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: \"unterminated\n      quote\"\n",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords: >\n      folded\n",
    "{\"apiVersion\":\"v1\",\"entries\":{\"x\":[{\"name\":\"x\",\"version\":\"0.1.0\",\"keywords\":[\"k\"]},{\"name\":\"x\"}]}}",
    "{\"entries\":{}}",
    "[]",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n\u{feff}",
    "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: line\u{2028}sep\n",
];

#[test]
fn edge_cases_read_the_same() {
    let mut fast_count = 0;
    for (i, e) in EDGE.iter().enumerate() {
        if same(e.as_bytes(), &format!("edge case {i}")) {
            fast_count += 1;
        }
    }
    assert!(fast_count >= 8, "{fast_count}");
    // Invalid UTF-8 and a UTF-16 byte order mark.
    same(b"apiVersion: v1\nentries:\n  a: \xff\n", "invalid utf-8");
    same(b"\xff\xfea\x00:\x00 \x00b\x00", "utf-16");
}

const SEED: &str = "apiVersion: v1\nentries:\n  alpine:\n  - apiVersion: v2\n    appVersion: 3.1.0\n    created: \"2024-05-01T10:20:30Z\"\n    description: Deploy a basic Alpine Linux pod that is long enough\n      to fold across lines\n    digest: \"0123\"\n    keywords:\n    - linux\n    - alpine\n    name: alpine\n    urls:\n    - https://example.com/alpine-0.2.0.tgz\n    version: 0.2.0\n  - annotations:\n      images: |\n        - name: a\n          image: b\n    name: alpine\n    version: 0.1.0\n    maintainers:\n    - email: a@b.c\n      name: A\n  nginx:\n  - name: nginx\n    version: 1.0.0-rc.1\n    description: 'quoted: text'\n    deprecated: true\n    dependencies:\n    - name: common\n      alias: base\n      tags:\n      - bitnami-common\n    - name: db\n      enabled: true\ngenerated: \"2024-05-01T10:20:30Z\"\n";

const PIECES: &[&str] = &[
    " ",
    "  ",
    "\n",
    "- ",
    ": ",
    "#",
    "'",
    "\"",
    "|",
    "|-",
    ">",
    "{}",
    "[]",
    "&a ",
    "*a",
    "!!str ",
    "yes",
    "1.0",
    "~",
    "-",
    "é",
    "\t",
    "\\",
    "name",
    "version",
    "x: y",
    "\n  ",
    "\n    ",
    "alias",
    "a.b",
    "dependencies",
    "tags",
    "type",
    "library",
    "/",
    "apiVersion",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn mutated_indexes_read_the_same(
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), 0..3u8, prop::sample::select(PIECES)),
            1..5,
        )
    ) {
        let mut s = SEED.to_string();
        for (at, op, piece) in edits {
            let mut i = at.index(s.len() + 1);
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            match op {
                0 => s.insert_str(i, piece),
                1 => {
                    let mut j = (i + piece.len()).min(s.len());
                    while !s.is_char_boundary(j) {
                        j -= 1;
                    }
                    s.replace_range(i..j, "");
                }
                _ => {
                    let mut j = (i + piece.len()).min(s.len());
                    while !s.is_char_boundary(j) {
                        j -= 1;
                    }
                    s.replace_range(i..j, piece);
                }
            }
        }
        let (f, q) = (full(s.as_bytes()), fast(s.as_bytes()));
        prop_assert_eq!(f, q, "{}", s);
    }
}
