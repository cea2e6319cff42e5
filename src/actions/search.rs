//! `search repo`: builds the search index over every configured repository's
//! cache and applies Helm's version constraint rules.

use anyhow::{Result, anyhow, bail};

use crate::actions::repo::RepoPaths;
use crate::repo::config::RepoFile;
use crate::repo::search::{SearchCache, SearchIndex, SearchResult, apply_constraint, sort_results};

/// Options of `search repo`.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub keywords: Vec<String>,
    pub versions: bool,
    pub regexp: bool,
    pub devel: bool,
    pub version: String,
}

const MAX_SCORE: usize = 25;

pub fn search(
    paths: &RepoPaths,
    opts: &SearchOptions,
    warn: &mut dyn FnMut(String),
) -> Result<Vec<SearchResult>> {
    let version = if !opts.version.is_empty() {
        opts.version.clone()
    } else if opts.devel {
        ">0.0.0-0".to_string()
    } else {
        ">0.0.0".to_string()
    };
    let file = match RepoFile::load(&paths.config).map_err(|e| anyhow!(e))? {
        Some(f) if !f.repositories.is_empty() => f,
        _ => bail!("no repositories configured"),
    };
    let mut index = SearchIndex::default();
    for e in &file.repositories {
        match SearchCache::load(&paths.cache, &e.name, warn) {
            // Helm sets the version constraint before building its index, so every
            // version is always indexed; the constraint then keeps the newest match.
            Ok(c) => index.add_repo(&e.name, c, true),
            Err(err) => {
                warn(format!(
                    "Repo {:?} is corrupt or missing. Try 'helm repo update'.",
                    e.name
                ));
                warn(err);
            }
        }
    }
    let mut res = if opts.keywords.is_empty() {
        index.all()
    } else {
        index
            .search(&opts.keywords.join(" "), MAX_SCORE, opts.regexp)
            .map_err(|e| anyhow!(e))?
    };
    sort_results(&mut res);
    apply_constraint(res, &version, opts.versions).map_err(|e| anyhow!(e))
}
