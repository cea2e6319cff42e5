//! `upgrade` and `rollback`, as Helm 3.17 does them (`pkg/action/upgrade.go`,
//! `rollback.go`): the next revision recorded as pending before anything
//! changes, hooks around the move from the current revision's objects to the
//! new ones ([`crate::actions::apply`]), the previous deployed revision marked
//! superseded, the new one deployed; or failed with the reason, and with
//! `--atomic` rolled back to the last good revision. Old revisions beyond
//! `--history-max` are removed, never the deployed one.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::actions::apply;
use crate::actions::hooks::{exec_hooks, now_text, resources};
use crate::actions::install::{adoptable, owned};
use crate::actions::locate::{self, ChartRefOptions};
use crate::actions::lookup::ClusterLookup;
use crate::actions::record::{NewRecord, new_record};
use crate::actions::render::{self, RenderOptions};
use crate::kube::{Cascade, Cluster};
use crate::release::{Release, ReleaseStore};
use crate::render::context::KubeVersion;

/// What `upgrade` and `rollback` share.
#[derive(Clone, Default)]
pub struct ChangeOptions {
    pub wait: bool,
    pub wait_for_jobs: bool,
    pub timeout: Duration,
    pub no_hooks: bool,
    pub force: bool,
    pub atomic: bool,
    pub cleanup_on_fail: bool,
    /// `--history-max` (0: keep every revision).
    pub history_max: usize,
    pub description: String,
    pub dry_run: bool,
}

/// `upgrade`'s settings.
#[derive(Clone, Default)]
pub struct UpgradeOptions {
    pub change: ChangeOptions,
    /// Release name, namespace, the values flags and render switches.
    pub render: RenderOptions,
    pub chart: String,
    pub chart_ref: ChartRefOptions,
    pub reuse_values: bool,
    pub reset_values: bool,
    pub reset_then_reuse_values: bool,
    pub labels: BTreeMap<String, String>,
    pub take_ownership: bool,
    pub post_renderer: Option<(String, Vec<String>)>,
}

fn newest(store: &dyn ReleaseStore, name: &str) -> Result<Release> {
    store
        .history(name)?
        .into_iter()
        .max_by_key(|r| r.version)
        .ok_or_else(|| anyhow!("no revision for release {name:?}"))
}

/// Helm's `removeLeastRecent`: before a new revision is stored, the oldest
/// revisions go until `max - 1` remain, the newest deployed one kept.
fn prune(store: &dyn ReleaseStore, name: &str, max: usize) {
    if max == 0 {
        return;
    }
    let Ok(mut all) = store.history(name) else {
        return;
    };
    if all.len() < max {
        return;
    }
    all.sort_by_key(|r| r.version);
    let deployed = all
        .iter()
        .filter(|r| r.info.status == "deployed")
        .map(|r| r.version)
        .max();
    let mut extra = all.len() + 1 - max;
    for r in &all {
        if extra == 0 {
            break;
        }
        if Some(r.version) == deployed {
            continue;
        }
        if store.delete(&r.name, r.version).is_ok() {
            extra -= 1;
        }
    }
}

/// Upgrades `name`; returns the new revision as recorded.
pub fn upgrade(
    cluster: &Arc<Cluster>,
    store: &dyn ReleaseStore,
    opts: &UpgradeOptions,
    warn: &mut dyn FnMut(String),
    status: &mut dyn FnMut(String),
) -> Result<Release> {
    let name = opts.render.release_name.clone();
    render::validate_release_name(&name).map_err(|_| anyhow!("release name is invalid: {name}"))?;
    let chart_path = locate::locate(&opts.chart, &opts.chart_ref, warn, status)?;
    let last = match store.history(&name) {
        Err(crate::release::StoreError::NotFound) => {
            bail!("\"{name}\" has no deployed releases")
        }
        _ => newest(store, &name)?,
    };
    if last.info.status.starts_with("pending-") {
        bail!("another operation (install/upgrade/rollback) is in progress");
    }
    let current = if last.info.status == "deployed" {
        last.clone()
    } else {
        let history = store.history(&name)?;
        match history
            .into_iter()
            .filter(|r| r.info.status == "deployed")
            .max_by_key(|r| r.version)
        {
            Some(d) => d,
            None if last.info.status == "failed" || last.info.status == "superseded" => {
                last.clone()
            }
            None => bail!("\"{name}\" has no deployed releases"),
        }
    };
    let namespace = current.namespace.clone();

    // Values: Helm's `reuseValues`.
    let new_values = opts.render.values.merge_values()?;
    let config = current.config_map().map_err(|e| anyhow!(e))?;
    let mut render_opts = opts.render.clone();
    let values = if opts.reset_values {
        new_values
    } else if opts.reuse_values {
        render_opts.chart_values = Some(current.computed_values().map_err(|e| anyhow!(e))?);
        let mut v = new_values;
        crate::values::coalesce_tables(&mut v, &config, false);
        v
    } else if opts.reset_then_reuse_values {
        let mut v = new_values;
        crate::values::coalesce_tables(&mut v, &config, false);
        v
    } else if new_values.is_empty() && !config.is_empty() {
        config
    } else {
        new_values
    };
    let revision = last.version + 1;
    render_opts.preset_values = Some(values);
    render_opts.namespace = namespace.clone();
    render_opts.revision = revision;
    render_opts.is_upgrade = true;
    let version = cluster.server_version()?;
    render_opts.kube_version = Some(
        KubeVersion::parse(&version)
            .map_err(|e| anyhow!("the cluster's version {version:?}: {e}"))?,
    );
    render_opts.cluster_api_versions = Some(cluster.api_versions()?);
    render_opts.funcs.lookup = Arc::new(ClusterLookup(cluster.clone()));
    let rendered = render::render_chart(&chart_path, &render_opts)?;
    let mut manifest = String::new();
    for m in &rendered.manifests {
        manifest.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content));
    }
    if let Some((program, args)) = &opts.post_renderer {
        manifest = crate::actions::template::post_render(program, args, &manifest)?;
    }
    let (_, now) = now_text();
    let first = current
        .raw
        .pointer("/info/first_deployed")
        .and_then(|v| v.as_str())
        .unwrap_or(&now)
        .to_string();
    let record = new_record(&NewRecord {
        name: &name,
        namespace: &namespace,
        version: revision,
        chart: &rendered.chart,
        config: &rendered.user_values,
        manifest: &manifest,
        hooks: &rendered.hooks,
        notes: &rendered.notes,
        status: "pending-upgrade",
        description: if opts.change.dry_run {
            "Dry run complete"
        } else {
            "Preparing upgrade"
        },
        deployed: &now,
        first_deployed: Some(&first),
    })?;
    let mut rel = Release::from_json(record.to_string().as_bytes()).map_err(|e| anyhow!(e))?;
    let mut labels = last.labels.clone();
    for (k, v) in &opts.labels {
        labels.insert(k.clone(), v.clone());
    }
    labels.retain(|_, v| v != "null");
    rel.labels = labels;

    let current_objects = owned(
        resources(&current.manifest, "the current release")?,
        &name,
        &namespace,
    );
    let target_objects = owned(resources(&manifest, "upgrade")?, &name, &namespace);
    // New objects that exist already must be this release's (or taken over).
    let fresh: Vec<_> = target_objects
        .iter()
        .filter(|t| {
            !current_objects
                .iter()
                .any(|c| c.kind == t.kind && c.name == t.name && c.namespace == t.namespace)
        })
        .cloned()
        .collect();
    adoptable(cluster, &fresh, &name, &namespace, opts.take_ownership).map_err(|e| {
        anyhow!(
            "{}",
            e.to_string().replace(
                "Unable to continue with install",
                "Unable to continue with update"
            )
        )
    })?;
    if opts.change.dry_run {
        return Ok(rel);
    }
    prune(store, &name, opts.change.history_max);
    store.create(&rel)?;
    let result = move_release(
        cluster,
        store,
        &mut rel,
        (&current_objects, &target_objects),
        &opts.change,
        "upgrade",
        opts.change.wait || opts.change.atomic,
    );
    match result {
        Ok(()) => {
            let mut previous = current.clone();
            previous.set_info("superseded", &previous.info.description.clone(), None);
            let _ = store.update(&previous);
            let description = if opts.change.description.is_empty() {
                "Upgrade complete"
            } else {
                opts.change.description.as_str()
            };
            rel.set_info("deployed", description, None);
            store.update(&rel)?;
            Ok(rel)
        }
        Err(e) => {
            let reason = format!("{e:#}");
            rel.set_info(
                "failed",
                &format!("Upgrade {name:?} failed: {reason}"),
                None,
            );
            let _ = store.update(&rel);
            if opts.change.cleanup_on_fail {
                for o in target_objects
                    .iter()
                    .filter(|t| fresh.iter().any(|f| f.name == t.name && f.kind == t.kind))
                {
                    let _ = cluster.delete(o, &namespace, Cascade::Background);
                }
            }
            if opts.change.atomic {
                let back = RollbackOptions {
                    change: ChangeOptions {
                        wait: true,
                        atomic: false,
                        description: String::new(),
                        ..opts.change.clone()
                    },
                    revision: 0,
                };
                return match rollback(cluster, store, &name, &back) {
                    Ok(_) => Err(anyhow!(
                        "release {name} failed, and has been rolled back due to atomic being set: {reason}"
                    )),
                    Err(r) => Err(anyhow!(
                        "an error occurred while rolling back the release. original upgrade error: {reason}: {r:#}"
                    )),
                };
            }
            Err(anyhow!(reason))
        }
    }
}

/// The middle of an upgrade or rollback: the `pre-<action>` hooks, the objects
/// moved from the current revision's set to the target's, optionally waited
/// for, the `post-<action>` hooks. An upgrade names the hook phase that failed
/// (Helm's `pre-upgrade hooks failed: ...`); a rollback passes the error on as
/// it is, as Helm does.
fn move_release(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    rel: &mut Release,
    (current, target): (&[crate::kube::Resource], &[crate::kube::Resource]),
    change: &ChangeOptions,
    action: &str,
    wait: bool,
) -> Result<()> {
    let namespace = rel.namespace.clone();
    let hooks = |rel: &mut Release, phase: &str| -> Result<()> {
        if change.no_hooks {
            return Ok(());
        }
        let event = format!("{phase}-{action}");
        exec_hooks(cluster, store, rel, &event, change.timeout).map_err(|e| {
            if action == "upgrade" {
                anyhow!("{event} hooks failed: {e:#}")
            } else {
                e
            }
        })
    };
    hooks(rel, "pre")?;
    apply::update(cluster, current, target, &namespace, change.force)?;
    if wait {
        cluster.wait_ready(target, &namespace, change.timeout, change.wait_for_jobs)?;
    }
    hooks(rel, "post")
}

/// `rollback`'s settings.
#[derive(Clone, Default)]
pub struct RollbackOptions {
    pub change: ChangeOptions,
    /// The revision to go back to; 0: the one before the newest.
    pub revision: i64,
}

/// Rolls `name` back: a new revision with the chosen one's chart, values,
/// manifest and hooks.
pub fn rollback(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    name: &str,
    opts: &RollbackOptions,
) -> Result<Release> {
    render::validate_release_name(name).map_err(|_| anyhow!("release name is invalid: {name}"))?;
    if opts.revision < 0 {
        bail!("invalid release revision number");
    }
    let current = newest(store, name)?;
    let wanted = if opts.revision == 0 {
        current.version - 1
    } else {
        opts.revision
    };
    let history = store.history(name)?;
    if !history.iter().any(|r| r.version == wanted) {
        bail!("release has no {wanted} version");
    }
    let previous = store.get(name, wanted)?;
    let (_, now) = now_text();
    let mut raw = previous.raw.clone();
    if let Some(o) = raw.as_object_mut() {
        let first = current
            .raw
            .pointer("/info/first_deployed")
            .cloned()
            .unwrap_or_else(|| now.clone().into());
        let mut info = serde_json::Map::new();
        info.insert("first_deployed".into(), first);
        info.insert("last_deployed".into(), now.clone().into());
        info.insert("deleted".into(), "".into());
        info.insert("description".into(), format!("Rollback to {wanted}").into());
        info.insert("status".into(), "pending-rollback".into());
        if let Some(notes) = previous
            .raw
            .pointer("/info/notes")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        {
            info.insert("notes".into(), notes.clone());
        }
        o.insert("info".into(), serde_json::Value::Object(info));
        // The hooks come as they were, with their last runs (as in Helm).
        o.insert("version".into(), (current.version + 1).into());
    }
    let mut target = Release::from_json(raw.to_string().as_bytes()).map_err(|e| anyhow!(e))?;
    target.labels = previous.labels.clone();
    if opts.change.dry_run {
        return Ok(target);
    }
    let namespace = current.namespace.clone();
    let current_objects = owned(
        resources(&current.manifest, "the current release")?,
        name,
        &namespace,
    );
    let target_objects = owned(resources(&target.manifest, "rollback")?, name, &namespace);
    prune(store, name, opts.change.history_max);
    store.create(&target)?;
    let result = move_release(
        cluster,
        store,
        &mut target,
        (&current_objects, &target_objects),
        &opts.change,
        "rollback",
        opts.change.wait,
    );
    if let Err(e) = result {
        let msg = format!("Rollback {name:?} failed: {e:#}");
        target.set_info("failed", &msg, None);
        let _ = store.update(&current);
        let _ = store.update(&target);
        return Err(e);
    }
    for mut d in store
        .history(name)?
        .into_iter()
        .filter(|r| r.info.status == "deployed" && r.version != target.version)
    {
        let description = d.info.description.clone();
        d.set_info("superseded", &description, None);
        let _ = store.update(&d);
    }
    let description = target.info.description.clone();
    target.set_info("deployed", &description, None);
    store.update(&target)?;
    Ok(target)
}
