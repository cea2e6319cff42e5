//! Conformance against the public corpus (`../shared/corpus`): real charts rendered
//! by charter and compared with the exact output of Helm 3.17.3. The test fails if
//! fewer cases match than `tests/corpus-min-pass` records, so no change lowers the
//! rate; raise that number as it grows.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn corpus_exact_match_rate_does_not_drop() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runner = root.join("../shared/corpus/run");
    if !runner.exists() {
        panic!("the corpus is missing: expected {}", runner.display());
    }
    let min_pass = std::fs::read_to_string(root.join("tests/corpus-min-pass"))
        .expect("tests/corpus-min-pass")
        .trim()
        .to_string();
    let out = Command::new("python3")
        .arg(&runner)
        .arg("--bin")
        .arg(env!("CARGO_BIN_EXE_charter"))
        .arg("--min-pass")
        .arg(&min_pass)
        .output()
        .expect("run the corpus scorer");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = stdout.lines().rev().take(2).collect();
    eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    assert!(
        out.status.success(),
        "fewer than {min_pass} corpus cases match exactly:\n{}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
}
