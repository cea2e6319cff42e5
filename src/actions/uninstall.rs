//! `uninstall`, as Helm 3.17 does it (`pkg/action/uninstall.go`): the newest
//! revision marked `uninstalling`, `pre-delete` hooks, the manifest's objects
//! deleted in Helm's uninstall order (those annotated
//! `helm.sh/resource-policy: keep` left in place and named), optionally waited
//! for, `post-delete` hooks, then the records removed, or kept and the newest
//! marked `uninstalled` with `--keep-history`.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::actions::hooks::{exec_hooks, now_text, resources};
use crate::actions::releases::release_content;
use crate::kube::{Cascade, Cluster, Resource};
use crate::release::{ReleaseStore, StoreError};

/// `uninstall`'s flags.
#[derive(Debug, Clone)]
pub struct UninstallOptions {
    pub dry_run: bool,
    pub no_hooks: bool,
    pub ignore_not_found: bool,
    pub keep_history: bool,
    pub wait: bool,
    pub cascade: Cascade,
    pub timeout: Duration,
    pub description: String,
}

/// What an uninstall has to say beyond "uninstalled": the objects kept by
/// their resource policy, in Helm's words.
#[derive(Debug, Default)]
pub struct Uninstalled {
    pub info: String,
}

/// Uninstalls `name`; `None` when it did not exist and `--ignore-not-found`.
pub fn uninstall(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    name: &str,
    opts: &UninstallOptions,
) -> Result<Option<Uninstalled>> {
    if opts.dry_run {
        release_content(store, name, 0)?;
        return Ok(Some(Uninstalled::default()));
    }
    if crate::actions::render::validate_release_name(name).is_err() {
        bail!("uninstall: Release name is invalid: {name}");
    }
    let mut revisions = match store.history(name) {
        Ok(h) => h,
        Err(_) if opts.ignore_not_found => return Ok(None),
        Err(e) => return Err(anyhow!("uninstall: Release not loaded: {name}: {e}")),
    };
    revisions.sort_by_key(|r| r.version);
    let Some(mut rel) = revisions.last().cloned() else {
        bail!("no release provided");
    };
    let purge = |store: &dyn ReleaseStore| -> Result<()> {
        for r in &revisions {
            match store.delete(&r.name, r.version) {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(anyhow!("uninstall: Failed to purge the release: {e}")),
            }
        }
        Ok(())
    };
    if rel.info.status == "uninstalled" {
        if !opts.keep_history {
            purge(store)?;
            return Ok(Some(Uninstalled::default()));
        }
        bail!("the release named {name:?} is already deleted");
    }
    rel.set_info(
        "uninstalling",
        "Deletion in progress (or silently failed)",
        Some(now_text()),
    );
    if !opts.no_hooks {
        exec_hooks(cluster, store, &mut rel, "pre-delete", opts.timeout)?;
    }
    // Helm carries on when this record cannot be written.
    let _ = store.update(&rel);

    let (deleted, kept) = delete_objects(cluster, &rel, opts.cascade)
        .map_err(|e| anyhow!("failed to delete release: {name}: {e}"))?;
    let mut errors: Vec<String> = Vec::new();
    if opts.wait
        && let Err(e) = cluster.wait_deleted(&deleted, &rel.namespace, opts.timeout)
    {
        errors.push(e.to_string());
    }
    if !opts.no_hooks
        && let Err(e) = exec_hooks(cluster, store, &mut rel, "post-delete", opts.timeout)
    {
        errors.push(e.to_string());
    }
    let description = if opts.description.is_empty() {
        "Uninstallation complete"
    } else {
        opts.description.as_str()
    };
    rel.set_info("uninstalled", description, None);
    if opts.keep_history {
        let _ = store.update(&rel);
    } else if let Err(e) = purge(store) {
        errors.push(e.to_string());
    }
    if !errors.is_empty() {
        bail!(
            "uninstallation completed with {} error(s): {}",
            errors.len(),
            errors.join("; ")
        );
    }
    let info = if kept.is_empty() {
        String::new()
    } else {
        format!("These resources were kept due to the resource policy:\n{kept}")
    };
    Ok(Some(Uninstalled { info }))
}

/// Deletes the release's objects in Helm's uninstall order; returns those it
/// deleted and the `[Kind] name` lines of those kept by policy.
fn delete_objects(
    cluster: &Cluster,
    rel: &crate::release::Release,
    cascade: Cascade,
) -> Result<(Vec<Resource>, String)> {
    use crate::render::manifest::{UNINSTALL_ORDER, sort_manifests, split_manifests};
    let files: BTreeMap<String, String> = split_manifests(&rel.manifest)
        .into_iter()
        .enumerate()
        .map(|(i, doc)| (format!("manifest-{i}"), doc))
        .collect();
    let (_, manifests) = sort_manifests(&files, UNINSTALL_ORDER).map_err(|e| {
        anyhow!("corrupted release record. You must manually delete the resources: {e}")
    })?;
    let mut kept = String::new();
    let mut doomed = Vec::new();
    for m in manifests {
        let keep = m
            .head
            .annotations
            .get("helm.sh/resource-policy")
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("keep"));
        if keep {
            kept.push_str(&format!("[{}] {}\n", m.head.kind, m.head.name));
        } else {
            doomed.extend(resources(&m.content, "delete")?);
        }
    }
    let mut errors = Vec::new();
    let mut deleted = Vec::new();
    for r in doomed {
        match cluster.delete(&r, &rel.namespace, cascade) {
            Ok(true) => deleted.push(r),
            Ok(false) => {}
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("; "));
    }
    Ok((deleted, kept))
}
