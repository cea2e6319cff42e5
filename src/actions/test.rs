//! `test`, as Helm 3.17 runs a release's tests (`pkg/action/release_testing.go`):
//! the newest revision's `test` hooks, chosen by `--filter name=...` and
//! `!name=...`, run like any hook; the record is written back with each test's
//! last run (the skipped hooks first, as Helm orders them).

use std::time::Duration;

use anyhow::{Result, bail};

use crate::actions::hooks::exec_hooks_from;
use crate::kube::Cluster;
use crate::release::{Release, ReleaseStore};

/// Which tests run: names to include (none: all) and to exclude.
#[derive(Debug, Clone, Default)]
pub struct TestFilter {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl TestFilter {
    /// Helm's `--filter` values: `name=X` includes, `!name=X` (or `! name=X`)
    /// excludes; anything else is ignored, as in Helm.
    pub fn parse(filters: &[String]) -> TestFilter {
        let mut f = TestFilter::default();
        for item in filters {
            if let Some(n) = item.strip_prefix("name=") {
                f.include.push(n.to_string());
            } else if let Some(rest) = item.strip_prefix('!') {
                let rest = rest
                    .strip_prefix(|c: char| c.is_whitespace())
                    .unwrap_or(rest);
                if let Some(n) = rest.strip_prefix("name=") {
                    f.exclude.push(n.to_string());
                }
            }
        }
        f
    }

    /// Whether a hook's test runs (for `--logs`).
    pub fn runs(&self, name: &str) -> bool {
        !self.exclude.iter().any(|n| n == name)
            && (self.include.is_empty() || self.include.iter().any(|n| n == name))
    }
}

/// The release after its tests, and the tests' failure if one failed (the
/// release is still returned so that its state can be printed).
pub struct Tested {
    pub release: Release,
    pub failure: Option<anyhow::Error>,
}

/// Runs the tests of `name`.
pub fn test_release(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    name: &str,
    filter: &TestFilter,
    timeout: Duration,
) -> Result<Tested> {
    if crate::actions::render::validate_release_name(name).is_err() {
        bail!("releaseTest: Release name is invalid: {name}");
    }
    let mut rel = store
        .history(name)?
        .into_iter()
        .max_by_key(|r| r.version)
        .ok_or_else(|| anyhow::anyhow!("no revision for release {name:?}"))?;
    // Helm's order: hooks excluded by name, then (with includes) those not
    // included, first; the ones that may run after them.
    let mut skipped: Vec<usize> = Vec::new();
    let mut running: Vec<usize> = (0..rel.hooks.len()).collect();
    if !filter.exclude.is_empty() {
        let (out, keep): (Vec<usize>, Vec<usize>) = running
            .iter()
            .partition(|&&i| filter.exclude.contains(&rel.hooks[i].name));
        skipped.extend(out);
        running = keep;
    }
    if !filter.include.is_empty() {
        let (keep, out): (Vec<usize>, Vec<usize>) = running
            .iter()
            .partition(|&&i| filter.include.contains(&rel.hooks[i].name));
        skipped.extend(out);
        running = keep;
    }
    let first = skipped.len();
    let order: Vec<usize> = skipped.into_iter().chain(running).collect();
    rel.reorder_hooks(&order);
    let failure = exec_hooks_from(cluster, store, &mut rel, "test", timeout, first).err();
    let written = store.update(&rel);
    match (failure, written) {
        (Some(f), _) => Ok(Tested {
            release: rel,
            failure: Some(f),
        }),
        (None, Err(e)) => Ok(Tested {
            release: rel,
            failure: Some(e.into()),
        }),
        (None, Ok(())) => Ok(Tested {
            release: rel,
            failure: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_helm_reads_them() {
        let f = TestFilter::parse(&[
            "name=a".into(),
            "!name=b".into(),
            "! name=c".into(),
            "kind=Pod".into(),
        ]);
        assert_eq!(f.include, vec!["a"]);
        assert_eq!(f.exclude, vec!["b", "c"]);
        assert!(f.runs("a") && !f.runs("b") && !f.runs("d"));
        assert!(TestFilter::default().runs("anything"));
    }
}
