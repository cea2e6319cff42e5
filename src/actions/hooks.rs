//! Running a release's hooks for one event, as Helm 3 does (`pkg/action/hooks.go`):
//! the event's hooks by weight then name; for each, the old copy deleted when its
//! policies say `before-hook-creation` (the default when it names none), the
//! object created and waited for (a Job until complete, a Pod until succeeded),
//! its last run recorded in the release; once all succeeded, those with
//! `hook-succeeded` deleted, in reverse order; a failed one is deleted when it
//! says `hook-failed`, and the failure returned.

use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::kube::{Cascade, Cluster, Resource};
use crate::release::{HookRunText, Release, ReleaseStore};

/// A time as Go's JSON writes `time.Now()`.
pub fn now_text() -> (chrono::DateTime<chrono::FixedOffset>, String) {
    let t = chrono::Local::now().fixed_offset();
    let text = crate::render::sprig::go_format(&t, "2006-01-02T15:04:05.999999999Z07:00");
    (t, text)
}

/// The objects of one manifest document (or several, `---`-separated).
pub fn resources(manifest: &str, what: &str) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    for doc in crate::render::manifest::split_manifests(manifest) {
        let value = crate::yaml::parse_value(&doc)
            .map_err(|e| anyhow!("unable to build kubernetes objects for {what}: {e}"))?;
        if matches!(value, crate::gotmpl::Value::Nil) {
            continue;
        }
        let json = crate::yaml::to_json(&value, crate::yaml::JsonOpts::RAW)
            .map_err(|e| anyhow!("unable to build kubernetes objects for {what}: {e}"))?;
        let body: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| anyhow!("unable to build kubernetes objects for {what}: {e}"))?;
        out.push(
            Resource::from_json(body)
                .map_err(|e| anyhow!("unable to build kubernetes objects for {what}: {e}"))?,
        );
    }
    Ok(out)
}

/// Runs the hooks of `event` (`pre-delete`, `post-delete`, `test`, ...).
pub fn exec_hooks(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    release: &mut Release,
    event: &str,
    timeout: Duration,
) -> Result<()> {
    exec_hooks_from(cluster, store, release, event, timeout, 0)
}

/// [`exec_hooks`] over the hooks from position `first` on (`test --filter`
/// puts the skipped ones first).
pub fn exec_hooks_from(
    cluster: &Cluster,
    store: &dyn ReleaseStore,
    release: &mut Release,
    event: &str,
    timeout: Duration,
    first: usize,
) -> Result<()> {
    let namespace = release.namespace.clone();
    let mut order: Vec<usize> = (first..release.hooks.len())
        .filter(|&i| release.hooks[i].events.iter().any(|e| e == event))
        .collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&release.hooks[a], &release.hooks[b]);
        x.weight.cmp(&y.weight).then_with(|| x.name.cmp(&y.name))
    });
    for &i in &order {
        let hook = release.hooks[i].clone();
        let policies = if hook.delete_policies.is_empty() {
            vec!["before-hook-creation".to_string()]
        } else {
            hook.delete_policies.clone()
        };
        delete_by_policy(
            cluster,
            &hook,
            &policies,
            "before-hook-creation",
            &namespace,
            timeout,
        )?;
        let objects = resources(&hook.manifest, &format!("{event} hook {}", hook.path))?;
        let mut run = HookRunText {
            started_at: now_text().1,
            completed_at: String::new(),
            phase: "Running".into(),
        };
        release.set_hook_run(i, &run, &policies);
        // Helm records the running hook and carries on if that fails.
        let _ = store.update(release);
        run.phase = "Unknown".into();
        for o in &objects {
            if let Err(e) = cluster.create(o, &namespace) {
                run.completed_at = now_text().1;
                run.phase = "Failed".into();
                release.set_hook_run(i, &run, &policies);
                return Err(anyhow!("warning: Hook {event} {} failed: {e}", hook.path));
            }
        }
        let waited = objects
            .iter()
            .try_for_each(|o| cluster.wait_hook(o, &namespace, timeout));
        run.completed_at = now_text().1;
        if let Err(e) = waited {
            run.phase = "Failed".into();
            release.set_hook_run(i, &run, &policies);
            delete_by_policy(
                cluster,
                &hook,
                &policies,
                "hook-failed",
                &namespace,
                timeout,
            )?;
            return Err(e.into());
        }
        run.phase = "Succeeded".into();
        release.set_hook_run(i, &run, &policies);
    }
    for &i in order.iter().rev() {
        let hook = release.hooks[i].clone();
        let policies = hook.delete_policies.clone();
        delete_by_policy(
            cluster,
            &hook,
            &policies,
            "hook-succeeded",
            &namespace,
            timeout,
        )?;
    }
    Ok(())
}

fn delete_by_policy(
    cluster: &Cluster,
    hook: &crate::release::Hook,
    policies: &[String],
    policy: &str,
    namespace: &str,
    timeout: Duration,
) -> Result<()> {
    if hook.kind == "CustomResourceDefinition" || !policies.iter().any(|p| p == policy) {
        return Ok(());
    }
    let objects = resources(&hook.manifest, &format!("deleting hook {}", hook.path))?;
    for o in &objects {
        cluster.delete(o, namespace, Cascade::Background)?;
    }
    cluster.wait_deleted(&objects, namespace, timeout)?;
    Ok(())
}
