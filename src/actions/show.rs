//! `show`: a chart's metadata, values, README and CRDs, in Helm's layout.

use std::path::Path;

use anyhow::Result;

use crate::chart::{self, Chart};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShowWhat {
    All,
    Chart,
    Values,
    Readme,
    Crds,
}

fn crds(chart: &Chart, out: &mut Vec<String>) -> Result<()> {
    for f in chart.crd_files() {
        out.push(String::from_utf8_lossy(f.data.try_bytes()?).into_owned());
    }
    for d in &chart.dependencies {
        crds(d, out)?;
    }
    Ok(())
}

/// Helm's `Show.Run`.
pub fn show(path: &Path, what: ShowWhat) -> Result<String> {
    let chart = chart::load(path)?;
    let all = what == ShowWhat::All;
    let mut out = String::new();
    if all || what == ShowWhat::Chart {
        out.push_str(&crate::yaml::to_yaml(&chart.metadata.to_data()));
        out.push('\n');
    }
    if (all || what == ShowWhat::Values)
        && let Some(values) = &chart.raw_values
    {
        if all {
            out.push_str("---\n");
        }
        out.push_str(values);
        out.push('\n');
    }
    if all || what == ShowWhat::Readme {
        let readme = chart.files.iter().find(|f| {
            ["readme.md", "readme.txt", "readme"]
                .iter()
                .any(|n| f.name.eq_ignore_ascii_case(n))
        });
        if let Some(r) = readme {
            if all {
                out.push_str("---\n");
            }
            out.push_str(&String::from_utf8_lossy(r.data.try_bytes()?));
            out.push('\n');
        }
    }
    if all || what == ShowWhat::Crds {
        let mut list = Vec::new();
        crds(&chart, &mut list)?;
        // Helm separates the CRDs from the rest of `show all` only.
        if all && list.first().is_some_and(|c| !c.starts_with("---")) {
            out.push_str("---\n");
        }
        for c in list {
            out.push_str(&c);
            out.push('\n');
        }
    }
    Ok(out)
}
