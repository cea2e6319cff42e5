//! The quick manifest reader (`yaml::quick`, used by `render::manifest::read_head`)
//! against the general YAML reader: on every document of the corpus's expected
//! output, and on mutations of them, a head the quick reader gives must be exactly
//! the head the general reader gives (and the general reader must succeed). The
//! quick reader may decline any document; the test also requires that it takes
//! most real ones, or it would be no use.

use std::path::PathBuf;

use charter::render::manifest::{read_head_in_full, read_head_quickly, split_manifests};

#[path = "common/mutate.rs"]
mod mutate;
use mutate::run_mutations;

fn corpus_documents() -> Vec<String> {
    let cases = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/cases");
    let mut docs = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&cases)
        .expect("../shared/corpus/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join("expected.yaml")) else {
            continue;
        };
        docs.extend(split_manifests(&text));
    }
    docs
}

fn check(doc: &str) -> Result<bool, String> {
    let Some(quick) = read_head_quickly(doc) else {
        return Ok(false);
    };
    match read_head_in_full(doc) {
        Ok(full) if full == quick => Ok(true),
        other => Err(format!(
            "quick reader gave {quick:?}, general reader {other:?} for:\n{doc}"
        )),
    }
}

#[test]
fn quick_heads_equal_full_heads_on_the_corpus() {
    let docs = corpus_documents();
    assert!(docs.len() > 5000, "corpus documents: {}", docs.len());
    let mut taken = 0;
    for doc in &docs {
        if check(doc).unwrap_or_else(|e| panic!("{e}")) {
            taken += 1;
        }
    }
    eprintln!(
        "quick reader took {taken} of {} corpus documents",
        docs.len()
    );
    assert!(
        taken * 10 >= docs.len() * 8,
        "quick reader took only {taken} of {}",
        docs.len()
    );
}

#[test]
fn quick_heads_equal_full_heads_on_mutated_documents() {
    let docs: Vec<String> = corpus_documents()
        .into_iter()
        .filter(|d| d.len() < 4000)
        .collect();
    let pieces = vec![
        " ", "  ", "-", "- ", ":", ": ", "#", " #", "\"", "'", "|", ">", "[", "]", "{", "}", ",",
        "\n", "\n  ", "&a ", "*a", "!", "%", "@", "\\", "\t", "? ", "...", "---", "y", "1", "0x1",
        "~", "<<: ", "\u{85}", "\u{2028}",
    ];
    let taken = run_mutations(&docs, pieces, check);
    eprintln!("quick reader took {} of 20000 mutated documents", taken);
    // Most mutations keep a document valid and in the subset; a quick reader that
    // declined them all would make this test prove nothing.
    assert!(taken > 5_000, "took only {taken}");
}
