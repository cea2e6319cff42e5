//! The quick values reader (`yaml::quick::quick_values`, which `unmarshal_map`
//! tries first for values files) against the general reader: on every values file
//! of the corpus's charts and on mutations of them, a map the quick reader gives
//! must be exactly the one the general reader gives. The quick reader may decline
//! any file; the test also requires that it takes most real ones.

use std::path::{Path, PathBuf};

use charter::gotmpl::Value;
use charter::yaml::parse_value;
use charter::yaml::quick::quick_values;

#[path = "common/mutate.rs"]
mod mutate;
use mutate::run_mutations;

fn values_files(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            values_files(&path, out);
        } else if e.file_name() == "values.yaml"
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            out.push(text);
        }
    }
}

fn corpus_values() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut out = Vec::new();
    values_files(&root.join("charts"), &mut out);
    values_files(&root.join("cases"), &mut out);
    out
}

fn check(text: &str) -> Result<bool, String> {
    let Some(quick) = quick_values(text) else {
        return Ok(false);
    };
    match parse_value(text) {
        Ok(Value::Map(full)) if **full == quick => Ok(true),
        Ok(Value::Nil) if quick.is_empty() => Ok(true),
        other => Err(format!(
            "quick reader gave {quick:?}, general reader {other:?} for:\n{text}"
        )),
    }
}

#[test]
fn quick_values_equal_full_values_on_the_corpus() {
    let files = corpus_values();
    assert!(files.len() > 500, "values files: {}", files.len());
    let mut taken = 0;
    for text in &files {
        if check(text).unwrap_or_else(|e| panic!("{e}")) {
            taken += 1;
        } else if let Err(at) = charter::yaml::quick::quick_values_or_line(text) {
            // Where the subset falls short, for whoever extends it.
            let line = text.split('\n').nth(at).unwrap_or_default();
            eprintln!("declined at line {}: {line:.70}", at + 1);
        }
    }
    eprintln!("quick reader took {taken} of {} values files", files.len());
    assert!(
        taken * 10 >= files.len() * 7,
        "quick reader took only {taken} of {}",
        files.len()
    );
}

/// Short pieces of values files, each with block scalars and sequences, so that
/// mutations land near the constructs the values reader builds.
fn samples() -> Vec<String> {
    let mut out: Vec<String> = corpus_values()
        .into_iter()
        .flat_map(|text| {
            let lines: Vec<&str> = text.split('\n').collect();
            lines
                .chunks(40)
                .map(|c| c.join("\n") + "\n")
                .filter(|c| !c.starts_with(' ') && (c.contains('|') || c.contains("- ")))
                .collect::<Vec<_>>()
        })
        .filter(|c| quick_values(c).is_some())
        .collect();
    out.sort();
    out.dedup();
    out.truncate(3000);
    out.extend(
        [
            "a: |\n  x\n\n  y\n\nb: 1\n",
            "a: |-\n  x\n   y\n",
            "a:\n- |\n  x\n- y: |\n    z\n  w: 2\n",
            "a: 1\nb: 1.5e3\nc: 0x1F\nd: ~\ne: yes\nf: '1'\ng: 2001-12-14\n",
            "a:\n  - b\n  -\n    c: d\n  - []\n  - {}\n",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    out
}

#[test]
fn quick_values_equal_full_values_on_mutated_files() {
    let docs = samples();
    assert!(docs.len() > 100, "samples: {}", docs.len());
    let pieces = vec![
        " ", "  ", "-", "- ", ":", ": ", "#", " #", "\"", "'", "|", "|-", "|+", ">", "[", "]", "{",
        "}", ",", "\n", "\n  ", "\n\n", "  \n", "&a ", "*a", "!", "@", "\\", "\t", "? ", "y", "1",
        "0x1", "1e400", ".nan", "~", "<<: ", "\u{85}",
    ];
    let taken = run_mutations(&docs, pieces, check);
    eprintln!("quick reader took {} of 20000 mutated values files", taken);
    assert!(taken > 5_000, "took only {taken}");
}
