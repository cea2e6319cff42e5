//! Property test over chart loading, values and rendering: real corpus charts,
//! mangled (files truncated, YAML corrupted, values swapped for other types),
//! and random `--set` expressions must give a result or an error, never a panic.

use std::path::{Path, PathBuf};

use charter::actions::render::{RenderOptions, render_chart};
use charter::values::ValueOptions;
use proptest::prelude::*;

/// A corpus chart, from `../shared` next to the checkout or next to the worktree
/// folder (`wt/<name>`).
fn corpus_chart(name: &str) -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["../shared", "../../shared"]
        .iter()
        .map(|p| here.join(p).join("corpus/charts").join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| here.join("../shared/corpus/charts").join(name))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
    out.sort();
}

fn opts(set: Vec<String>) -> RenderOptions {
    RenderOptions {
        release_name: "fuzz".into(),
        namespace: "default".into(),
        revision: 1,
        values: ValueOptions {
            set,
            ..ValueOptions::default()
        },
        ..RenderOptions::default()
    }
}

const CHARTS: &[&str] = &["stable/redis", "bitnami/apache", "stable/jenkins"];

const GARBAGE: &[&str] = &[
    "",
    "{{",
    "}}",
    ": :",
    "- [",
    "\t",
    "key: [unclosed",
    "&a *a",
    "!!binary x",
    "\u{0}",
    "{{ .Values.nope.nope }}",
    "a:\n  - b\n c: d",
    "---\n---",
    "{{ end }}",
    "0x",
    "~",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn mangled_charts_never_panic(chart in 0..CHARTS.len(), pick in 0usize..10_000, cut in 0usize..10_000, g in 0..GARBAGE.len(), mode in 0..3u8) {
        let src = corpus_chart(CHARTS[chart]);
        prop_assume!(src.exists());
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("c");
        copy_dir(&src, &root);
        let mut all = Vec::new();
        files(&root, &mut all);
        let victim = &all[pick % all.len()];
        let data = std::fs::read(victim).unwrap();
        let mangled = match mode {
            0 => data[..cut % (data.len() + 1)].to_vec(),
            1 => {
                let at = cut % (data.len() + 1);
                [&data[..at], GARBAGE[g].as_bytes(), &data[at..]].concat()
            }
            _ => GARBAGE[g].as_bytes().to_vec(),
        };
        std::fs::write(victim, mangled).unwrap();
        let _ = render_chart(&root, &opts(Vec::new()));
    }

    #[test]
    fn random_set_expressions_never_panic(expr in "[a-z\\[\\]\\{\\}.,=\\\\0-9 ]{0,40}", chart in 0..CHARTS.len()) {
        let src = corpus_chart(CHARTS[chart]);
        prop_assume!(src.exists());
        let _ = render_chart(&src, &opts(vec![expr]));
    }
}

#[test]
fn values_of_the_wrong_type_give_errors_not_panics() {
    let src = corpus_chart("stable/redis");
    for set in [
        "image=flat",
        "master=1",
        "cluster=[]",
        "persistence.size.x=1",
        "global=3",
        "a[70000]=1",
    ] {
        let _ = render_chart(&src, &opts(vec![set.to_string()]));
    }
}
