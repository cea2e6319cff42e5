//! `create`: scaffolds a chart from charter's own starters or from a Helm
//! starter chart (`--starter`).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::chart::create::{self, Builtin};

/// Options of `create`.
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// The path given: the chart is created at it, named after its last part.
    pub path: PathBuf,
    /// `--starter`: a name under the starters folder, or an absolute path.
    pub starter: Option<String>,
    /// `--engine`: which built-in starter, when no `--starter` is given.
    pub builtin: Builtin,
    /// Helm's starters folder (`$HELM_DATA_HOME/starters`).
    pub starters_dir: PathBuf,
}

/// What `create` did: the chart folder and the files it replaced.
pub struct Created {
    pub dir: PathBuf,
    pub overwritten: Vec<PathBuf>,
}

pub fn create(o: &CreateOptions) -> Result<Created> {
    let Some(name) = o.path.file_name().and_then(|n| n.to_str()) else {
        bail!("chart name must be between 1 and 250 characters");
    };
    let parent = match o.path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if let Some(starter) = &o.starter {
        let src = if Path::new(starter).is_absolute() {
            PathBuf::from(starter)
        } else {
            o.starters_dir.join(starter)
        };
        let dir = create::create_from(name, &parent, &src)?;
        return Ok(Created {
            dir,
            overwritten: Vec::new(),
        });
    }
    let parent = std::path::absolute(&parent).unwrap_or(parent);
    let (dir, written) = create::create(name, &parent, o.builtin)?;
    Ok(Created {
        dir,
        overwritten: written
            .into_iter()
            .filter(|w| w.overwritten)
            .map(|w| w.path)
            .collect(),
    })
}
