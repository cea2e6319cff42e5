//! Shared by the quick YAML reader tests: edits of a document that touch what the
//! quick reader decides on.
#![allow(dead_code)]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Edits that touch what the quick reader decides on: indentation, indicators,
/// quotes, comments, line breaks.
pub fn mutate(doc: &str, at: usize, edit: u8, text: &str) -> String {
    let mut cut = at.min(doc.len());
    while !doc.is_char_boundary(cut) {
        cut -= 1;
    }
    let (a, b) = doc.split_at(cut);
    match edit % 4 {
        0 => format!("{a}{text}{b}"),
        1 => {
            let mut rest = b.chars();
            rest.next();
            format!("{a}{}", rest.as_str())
        }
        2 => {
            // Re-indent the line the cut falls in.
            let start = a.rfind('\n').map_or(0, |i| i + 1);
            format!("{}{text}{}", &doc[..start], &doc[start..])
        }
        _ => {
            // Duplicate the line.
            let start = a.rfind('\n').map_or(0, |i| i + 1);
            let end = b.find('\n').map_or(doc.len(), |i| cut + i);
            format!("{}\n{}", &doc[..end], &doc[start..])
        }
    }
}

/// Runs 20,000 cases, each `docs[i]` with `pieces` edited in one to three times,
/// through `check` (an error fails the test); returns how many `check` took.
pub fn run_mutations(
    docs: &[String],
    pieces: Vec<&'static str>,
    check: impl Fn(&str) -> Result<bool, String>,
) -> usize {
    let taken = std::cell::Cell::new(0usize);
    let mut runner = TestRunner::new(Config {
        cases: 20_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(
            &(
                0..docs.len(),
                0usize..4000,
                0u8..4,
                prop::sample::select(pieces),
                1usize..4,
            ),
            |(i, at, edit, piece, times)| {
                let mut doc = docs[i].clone();
                for n in 0..times {
                    doc = mutate(&doc, at.wrapping_mul(n + 1) % (doc.len() + 1), edit, piece);
                }
                if check(&doc).map_err(TestCaseError::fail)? {
                    taken.set(taken.get() + 1);
                }
                Ok(())
            },
        )
        .expect("quick and general readers agree");
    taken.get()
}
