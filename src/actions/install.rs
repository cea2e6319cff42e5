//! `install`, as Helm 3.17 does it (`pkg/action/install.go`): the chart's CRDs
//! first, the chart rendered with the cluster's capabilities and a `lookup` that
//! reads the cluster, the objects checked for ownership, the record stored as
//! `pending-install`, `pre-install` hooks, the objects created in install order
//! (carrying Helm's ownership label and annotations), optionally waited for,
//! `post-install` hooks, and the record marked `deployed`, or `failed` with the
//! reason (and uninstalled again with `--atomic`). Every step that changes the
//! cluster happens after the record exists, so a failure is always recorded.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::actions::hooks::{exec_hooks, now_text, resources};
use crate::actions::locate::{self, ChartRefOptions};
use crate::actions::lookup::ClusterLookup;
use crate::actions::record::{NewRecord, new_record};
use crate::actions::render::{self, RenderOptions};
use crate::actions::uninstall::{UninstallOptions, uninstall};
use crate::kube::{Cascade, Cluster, Resource};
use crate::release::{Release, ReleaseStore};
use crate::render::context::KubeVersion;

/// Labels the store sets itself; `--labels` may not use them.
const SYSTEM_LABELS: &str = "[name owner status version createdAt modifiedAt]";

/// `install`'s settings.
#[derive(Clone, Default)]
pub struct InstallOptions {
    /// Release name, namespace, values and render switches.
    pub render: RenderOptions,
    pub chart: String,
    pub chart_ref: ChartRefOptions,
    pub create_namespace: bool,
    pub wait: bool,
    pub wait_for_jobs: bool,
    pub timeout: Duration,
    pub no_hooks: bool,
    pub skip_crds: bool,
    pub replace: bool,
    /// `--dry-run` (`client`: `lookup` stays offline) or `--dry-run=server`.
    pub dry_run: Option<String>,
    pub description: String,
    pub labels: BTreeMap<String, String>,
    pub atomic: bool,
    pub take_ownership: bool,
    pub post_renderer: Option<(String, Vec<String>)>,
}

/// Where an install reaches the cluster; `None` for a client-side dry run.
pub struct Target<'a> {
    pub cluster: &'a Arc<Cluster>,
    pub store: &'a dyn ReleaseStore,
}

/// Installs a chart; returns the release as recorded.
pub fn install(
    target: Option<Target>,
    opts: &InstallOptions,
    warn: &mut dyn FnMut(String),
    status: &mut dyn FnMut(String),
) -> Result<Release> {
    let name = opts.render.release_name.clone();
    let namespace = opts.render.namespace.clone();
    render::validate_release_name(&name)?;
    if opts.labels.keys().any(|k| {
        SYSTEM_LABELS
            .trim_matches(['[', ']'])
            .split(' ')
            .any(|s| s == k.as_str())
    }) {
        bail!(
            "user supplied labels contains system reserved label name. System labels: {SYSTEM_LABELS}"
        );
    }
    let dry_run = opts.dry_run.is_some();
    let chart_path = locate::locate(&opts.chart, &opts.chart_ref, warn, status)?;
    let mut render_opts = opts.render.clone();
    render_opts.revision = 1;
    render_opts.is_upgrade = false;
    if let Some(t) = &target {
        if !dry_run {
            available_name(t.store, &name, opts.replace)?;
        }
        // CRDs go in before the chart renders, so that its kinds resolve.
        if !opts.skip_crds && !dry_run {
            let chart = crate::chart::load(&chart_path)?;
            let crds = render::crd_objects(&chart)?;
            install_crds(t.cluster, &crds, &namespace, opts.timeout)?;
        }
        let version = t.cluster.server_version()?;
        render_opts.kube_version = Some(
            KubeVersion::parse(&version)
                .map_err(|e| anyhow!("the cluster's version {version:?}: {e}"))?,
        );
        render_opts.cluster_api_versions = Some(t.cluster.api_versions()?);
        // A client-side dry run renders `lookup` empty, as `template` does.
        if !matches!(opts.dry_run.as_deref(), Some("client") | Some("true")) {
            render_opts.funcs.lookup = Arc::new(ClusterLookup(t.cluster.clone()));
        }
    }
    let rendered = render::render_chart(&chart_path, &render_opts)?;
    let mut manifest = String::new();
    for m in &rendered.manifests {
        manifest.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content));
    }
    if let Some((program, args)) = &opts.post_renderer {
        manifest = crate::actions::template::post_render(program, args, &manifest)?;
    }
    let (_, deployed) = now_text();
    let record = new_record(&NewRecord {
        name: &name,
        namespace: &namespace,
        version: 1,
        chart: &rendered.chart,
        config: &rendered.user_values,
        manifest: &manifest,
        hooks: &rendered.hooks,
        notes: &rendered.notes,
        status: "pending-install",
        description: if dry_run {
            "Dry run complete"
        } else {
            "Initial install underway"
        },
        deployed: &deployed,
        first_deployed: None,
    })?;
    let mut rel = Release::from_json(record.to_string().as_bytes()).map_err(|e| anyhow!(e))?;
    rel.labels = opts.labels.clone();
    let objects = owned(resources(&manifest, "install")?, &name, &namespace);
    let Some(t) = target else {
        return Ok(rel);
    };
    let adopt = adoptable(t.cluster, &objects, &name, &namespace, opts.take_ownership)?;
    if dry_run {
        return Ok(rel);
    }
    if opts.create_namespace {
        create_namespace(t.cluster, &namespace)?;
    }
    if opts.replace {
        replace_release(t.store, &mut rel)?;
    }
    t.store.create(&rel)?;
    match perform(t.cluster, t.store, &mut rel, &objects, &adopt, opts) {
        Ok(()) => Ok(rel),
        Err(e) => {
            let reason = format!("{e:#}");
            rel.set_info(
                "failed",
                &format!("Release {name:?} failed: {reason}"),
                None,
            );
            if opts.atomic {
                let undo = UninstallOptions {
                    dry_run: false,
                    no_hooks: opts.no_hooks,
                    ignore_not_found: false,
                    keep_history: false,
                    wait: false,
                    cascade: Cascade::Background,
                    timeout: opts.timeout,
                    description: String::new(),
                };
                // The failed state is written first, so that what uninstall
                // reads is this attempt's record.
                let _ = t.store.update(&rel);
                return match uninstall(t.cluster, t.store, &name, &undo) {
                    Ok(_) => Err(anyhow!(
                        "release {name} failed, and has been uninstalled due to atomic being set: {reason}"
                    )),
                    Err(u) => Err(anyhow!(
                        "an error occurred while uninstalling the release. original install error: {reason}: {u:#}"
                    )),
                };
            }
            let _ = t.store.update(&rel);
            Err(anyhow!(reason))
        }
    }
}

/// The steps after the record exists; an error fails the release.
fn perform(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    rel: &mut Release,
    objects: &[Resource],
    adopt: &[bool],
    opts: &InstallOptions,
) -> Result<()> {
    let namespace = rel.namespace.clone();
    if !opts.no_hooks {
        exec_hooks(cluster, store, rel, "pre-install", opts.timeout)
            .map_err(|e| anyhow!("failed pre-install: {e:#}"))?;
    }
    for (o, adopted) in objects.iter().zip(adopt) {
        if *adopted {
            cluster.merge(o, &namespace)?;
        } else {
            cluster.create(o, &namespace)?;
        }
    }
    if opts.wait || opts.atomic {
        cluster.wait_ready(objects, &namespace, opts.timeout, opts.wait_for_jobs)?;
    }
    if !opts.no_hooks {
        exec_hooks(cluster, store, rel, "post-install", opts.timeout)
            .map_err(|e| anyhow!("failed post-install: {e:#}"))?;
    }
    let description = if opts.description.is_empty() {
        "Install complete"
    } else {
        opts.description.as_str()
    };
    rel.set_info("deployed", description, None);
    store.update(rel)?;
    Ok(())
}

/// Helm's `availableName`: a name is free unless a release holds it, or with
/// `--replace` when its newest revision is uninstalled or failed.
fn available_name(store: &dyn ReleaseStore, name: &str, replace: bool) -> Result<()> {
    let Ok(history) = store.history(name) else {
        return Ok(());
    };
    let Some(last) = history.iter().max_by_key(|r| r.version) else {
        return Ok(());
    };
    if replace && (last.info.status == "uninstalled" || last.info.status == "failed") {
        return Ok(());
    }
    bail!("cannot re-use a name that is still in use")
}

/// `--replace`: the new record takes the revision after the newest one, which
/// is marked superseded unless it failed (Helm's `replaceRelease`).
fn replace_release(store: &dyn ReleaseStore, rel: &mut Release) -> Result<()> {
    let Ok(history) = store.history(&rel.name) else {
        return Ok(());
    };
    let Some(mut last) = history.into_iter().max_by_key(|r| r.version) else {
        return Ok(());
    };
    rel.set_version(last.version + 1);
    // A failed revision keeps its state; any other is superseded.
    if last.info.status == "failed" {
        return Ok(());
    }
    last.set_info("superseded", "superseded by new release", None);
    store.update(&last)?;
    Ok(())
}

/// The objects with Helm's ownership metadata: the `managed-by` label and the
/// release's name and namespace annotations.
pub(crate) fn owned(objects: Vec<Resource>, name: &str, namespace: &str) -> Vec<Resource> {
    objects
        .into_iter()
        .map(|mut o| {
            if let Some(meta) = o
                .body
                .as_object_mut()
                .and_then(|b| b.get_mut("metadata"))
                .and_then(|m| m.as_object_mut())
            {
                let labels = meta
                    .entry("labels")
                    .or_insert_with(|| serde_json::json!({}));
                if !labels.is_object() {
                    *labels = serde_json::json!({});
                }
                labels["app.kubernetes.io/managed-by"] = "Helm".into();
                let annotations = meta
                    .entry("annotations")
                    .or_insert_with(|| serde_json::json!({}));
                if !annotations.is_object() {
                    *annotations = serde_json::json!({});
                }
                annotations["meta.helm.sh/release-name"] = name.into();
                annotations["meta.helm.sh/release-namespace"] = namespace.into();
            }
            o
        })
        .collect()
}

/// Which objects already exist and may be taken over (they carry this
/// release's ownership metadata, or `--take-ownership`); an object that exists
/// and belongs elsewhere stops the install, in Helm's words.
pub(crate) fn adoptable(
    cluster: &Cluster,
    objects: &[Resource],
    name: &str,
    namespace: &str,
    take_ownership: bool,
) -> Result<Vec<bool>> {
    let mut out = Vec::with_capacity(objects.len());
    for o in objects {
        let Some(existing) = cluster.get(o, namespace)? else {
            out.push(false);
            continue;
        };
        if !take_ownership {
            let meta = existing.get("metadata");
            let get = |field: &str, key: &str| {
                meta.and_then(|m| m.get(field))
                    .and_then(|l| l.get(key))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let mut errors = Vec::new();
            let mut check = |kind: &str, field: &str, key: &str, want: &str| {
                match get(field, key) {
                None => errors.push(format!(
                    "{kind} validation error: missing key {key:?}: must be set to {want:?}"
                )),
                Some(v) if v != want => errors.push(format!(
                    "{kind} validation error: key {key:?} must equal {want:?}: current value is {v:?}"
                )),
                Some(_) => {}
            }
            };
            check("label", "labels", "app.kubernetes.io/managed-by", "Helm");
            check(
                "annotation",
                "annotations",
                "meta.helm.sh/release-name",
                name,
            );
            check(
                "annotation",
                "annotations",
                "meta.helm.sh/release-namespace",
                namespace,
            );
            if !errors.is_empty() {
                let (_, namespaced) = cluster.resolve(&o.api_version, &o.kind)?;
                let ns = if namespaced {
                    o.namespace.clone().unwrap_or_else(|| namespace.to_string())
                } else {
                    String::new()
                };
                bail!(
                    "Unable to continue with install: {} {:?} in namespace {:?} exists and cannot be imported into the current release: invalid ownership metadata; {}",
                    o.kind,
                    o.name,
                    ns,
                    errors.join("; ")
                );
            }
        }
        out.push(true);
    }
    Ok(out)
}

/// `--create-namespace`: the namespace, labelled `name=<namespace>` as Helm
/// labels it, unless it exists.
fn create_namespace(cluster: &Cluster, namespace: &str) -> Result<()> {
    let ns = Resource::from_json(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": {"name": namespace}},
    }))
    .map_err(|e| anyhow!(e))?;
    if cluster.get(&ns, namespace)?.is_none() {
        cluster.create(&ns, namespace)?;
    }
    Ok(())
}

/// The chart's CRDs (`crds/`), created unless present, then waited for until
/// established (Helm's `installCRDs`).
fn install_crds(
    cluster: &Cluster,
    crds: &[(String, String)],
    namespace: &str,
    timeout: Duration,
) -> Result<()> {
    let mut created = Vec::new();
    for (path, content) in crds {
        for o in resources(content, &format!("CRD {path}"))? {
            // Present already: left as it is (Helm logs this only with --debug).
            if cluster.get(&o, namespace)?.is_some() {
                continue;
            }
            cluster
                .create(&o, namespace)
                .map_err(|e| anyhow!("failed to install CRD {path}: {e}"))?;
            created.push(o);
        }
    }
    cluster.wait_ready(&created, namespace, timeout, false)?;
    Ok(())
}
