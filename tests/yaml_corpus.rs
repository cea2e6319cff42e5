//! Every chart values file in the shared Helm corpus (`/work/shared/corpus/charts`,
//! or `$CHARTER_CORPUS/charts`),
//! read as Helm's `fromYaml` reads it and written back with `toJson`, `toYaml`,
//! `toYamlPretty` and `toToml`: the SHA-256 of each output must equal the digest
//! Helm 3.17.3 produced (`testdata/yaml/corpus.sha256`, recorded by
//! `testdata/yaml/record_corpus.py`).

use std::path::Path;

use charter::gotmpl::Value;
use charter::yaml;
use sha2::{Digest, Sha256};

/// Where the shared corpus's charts are (`CHARTER_CORPUS` overrides).
fn corpus_dir() -> std::path::PathBuf {
    std::env::var_os("CHARTER_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new("/work/shared/corpus").to_path_buf())
        .join("charts")
}

fn trim(s: String) -> String {
    s.strip_suffix('\n').map(str::to_string).unwrap_or(s)
}

#[test]
fn corpus_values_round_trip_like_helm() {
    let digests = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/yaml/corpus.sha256"),
    )
    .expect("digest file");
    let corpus = corpus_dir();
    if !corpus.is_dir() {
        // The corpus is shared data outside the repository; without it there is
        // nothing to compare.
        eprintln!("skipped: no corpus at {}", corpus.display());
        return;
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut cache: Option<(String, Value)> = None;
    for line in digests.lines() {
        let mut parts = line.split(' ');
        let (Some(path), Some(func), Some(want)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if cache.as_ref().is_none_or(|(p, _)| p != path) {
            let text = std::fs::read_to_string(corpus.join(path)).unwrap_or_default();
            cache = Some((path.to_string(), yaml::helm_from_yaml(&text)));
        }
        let Some((_, v)) = cache.as_ref() else {
            continue;
        };
        let out = match func {
            "toJson" => yaml::to_json(v, yaml::JsonOpts::COMPACT).unwrap_or_default(),
            "toYaml" => trim(yaml::to_yaml(v)),
            "toYamlPretty" => trim(yaml::to_yaml_pretty(v)),
            "toToml" => yaml::to_toml(v).unwrap_or_else(|e| e),
            _ => continue,
        };
        checked += 1;
        let got = hex::encode(Sha256::digest(out.as_bytes()));
        if got != want {
            failures.push(format!("{path} {func}"));
        }
    }
    assert!(checked > 2000, "only {checked} digests checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} outputs differ from Helm's:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
