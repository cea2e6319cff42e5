//! Chart loading and values on real charts: every corpus chart loads and its values
//! coalesce; Helm's own test charts load or fail exactly as Helm 3.17.3 says
//! (expectations recorded in `testdata/charts/helm-testcharts.tsv`).

use std::path::{Path, PathBuf};

use charter::chart::{self, Chart};
use charter::gotmpl::Map;
use charter::values;

/// `../shared` next to the repository (the main checkout) or next to the worktree
/// folder (`wt/<name>`).
fn shared(rel: &str) -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["../shared", "../../shared"]
        .iter()
        .map(|p| here.join(p).join(rel))
        .find(|p| p.exists())
        .unwrap_or_else(|| here.join("../shared").join(rel))
}

/// The steps `helm template` takes before rendering, with Helm's error texts.
fn prepare(path: &Path, user: &Map) -> Result<(Chart, Map), String> {
    let mut chart = chart::load(path).map_err(|e| e.to_string())?;
    if let Some(t) = chart.metadata.chart_type.as_deref()
        && t != "application"
    {
        return Err(format!("{t} charts are not installable"));
    }
    chart.check_dependencies().map_err(|e| {
        format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {e}"
        )
    })?;
    values::process_dependencies(&mut chart, user).map_err(|e| e.to_string())?;
    let vals = values::coalesce_values(&chart, user).map_err(|e| e.to_string())?;
    values::validate_schemas(&chart, &vals).map_err(|e| e.to_string())?;
    Ok((chart, vals))
}

#[test]
fn every_corpus_chart_loads_and_coalesces() {
    let root = shared("corpus/charts");
    let Ok(origins) = std::fs::read_dir(&root) else {
        eprintln!("corpus not found at {}; skipping", root.display());
        return;
    };
    let mut n = 0;
    let mut failures = Vec::new();
    for origin in origins.flatten() {
        for c in std::fs::read_dir(origin.path()).unwrap().flatten() {
            let path = c.path();
            let mut chart = match chart::load(&path) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{}: {e}", path.display()));
                    continue;
                }
            };
            n += 1;
            if let Err(e) = values::process_dependencies(&mut chart, &Map::new()) {
                failures.push(format!("{}: {e}", path.display()));
                continue;
            }
            if let Err(e) = values::coalesce_values(&chart, &Map::new()) {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(n >= 300, "only {n} charts found");
}

#[test]
fn helm_testcharts_load_as_helm_says() {
    let dir = shared("peer/helm-testdata/pkg/cmd/testdata/testcharts");
    if !dir.exists() {
        eprintln!("helm test data not found; skipping");
        return;
    }
    let table = include_str!("../testdata/charts/helm-testcharts.tsv");
    let mut checked = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, want) = line.split_once('\t').expect("two columns");
        let got = prepare(&dir.join(name), &Map::new());
        match want {
            "ok" | "render" => {
                if let Err(e) = got {
                    panic!("{name}: Helm loads it, charter says: {e}");
                }
            }
            msg => {
                let msg = msg.replace("\\n", "\n");
                assert_eq!(got.err().as_deref(), Some(msg.as_str()), "{name}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 40);
}

/// charter computes the lock digest Helm computes: every Chart.lock in the public
/// corpus (written by Helm in the charts' own release pipelines) matches its
/// chart's dependencies.
#[test]
fn lock_digests_match_helm() {
    let mut checked = 0;
    let roots = ["../shared/corpus/charts"];
    let mut stack: Vec<std::path::PathBuf> = roots
        .iter()
        .map(|r| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(r))
        .collect();
    let mut mismatched = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "Chart.lock") {
                let Ok(c) = chart::load_dir(p.parent().unwrap()) else {
                    continue;
                };
                let Some(lock) = &c.lock else { continue };
                let got = chart::lock::hash_req(&c.metadata.dependencies, &lock.dependencies);
                checked += 1;
                if got != lock.digest {
                    mismatched.push(format!("{}: {got} != {}", p.display(), lock.digest));
                }
            }
        }
    }
    assert!(checked >= 20, "only {checked} lock files found");
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
}
