//! The render path shared by `template` (and later `install`/`upgrade`): locate and
//! load the chart, merge the user's values, process dependencies, validate, render,
//! and split the result into manifests, hooks and notes, in Helm's order and with
//! Helm's errors at each step.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};

use crate::chart::{self, Chart};
use crate::gotmpl::Map;
use crate::render::context::{Capabilities, KubeVersion, ReleaseInfo};
use crate::render::engine::{self, RenderInput};
use crate::render::funcs::FuncOptions;
use crate::render::manifest::{self, Hook, INSTALL_ORDER, Manifest};
use crate::values::{self, ValueOptions};

/// Everything a render needs besides the chart.
#[derive(Clone, Default)]
pub struct RenderOptions {
    pub release_name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_upgrade: bool,
    pub values: ValueOptions,
    pub kube_version: Option<KubeVersion>,
    pub api_versions: Vec<String>,
    pub skip_schema_validation: bool,
    /// Include the NOTES.txt of subcharts too (`--render-subchart-notes`).
    pub subchart_notes: bool,
    pub funcs: FuncOptions,
    /// The cluster's API versions (`install`, `upgrade`): when set, exactly
    /// these, instead of Helm's defaults plus `api_versions`.
    pub cluster_api_versions: Option<Vec<String>>,
    /// The user's values, already worked out (`upgrade` reusing a release's):
    /// used instead of merging `values`.
    pub preset_values: Option<Map>,
    /// The chart's own values replaced (`upgrade --reuse-values` renders over
    /// the previous release's computed values).
    pub chart_values: Option<Map>,
}

/// A rendered chart, ready to print or apply.
pub struct Rendered {
    pub chart: Chart,
    /// The values the user supplied (what Helm stores as the release's `config`).
    pub user_values: Map,
    /// The coalesced values the templates saw.
    pub values: Map,
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<Hook>,
    pub notes: String,
}

impl Rendered {
    /// Files under `crds/` of the chart and its subcharts: (path, content), read
    /// only when asked for (they can be most of a large chart's bytes).
    pub fn crds(&self) -> Result<Vec<(String, String)>> {
        crd_objects(&self.chart)
    }
}

/// A render that failed after the templates ran: Helm still shows the raw output.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct ManifestFailure {
    pub source: manifest::ManifestError,
    /// The rendered files, as Helm prints them with `--debug`.
    pub raw: String,
}

/// The pattern Helm's `ValidateReleaseName` names in its error.
const RELEASE_NAME_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// Helm's `ValidateReleaseName`.
pub fn validate_release_name(name: &str) -> Result<()> {
    if name.is_empty() {
        bail!("release name {name:?}: no name provided");
    }
    if name.len() > 53 || !is_release_name(name) {
        bail!(
            "release name {name:?}: invalid release name, must match regex {RELEASE_NAME_PATTERN} and the length must not be longer than 53"
        );
    }
    Ok(())
}

/// Whether `name` matches [`RELEASE_NAME_PATTERN`]: dot-separated labels of
/// lower-case letters, digits and inner dashes (checked by hand: compiling the
/// pattern took longer than rendering a small chart's templates).
fn is_release_name(name: &str) -> bool {
    name.split('.').all(|label| {
        let b = label.as_bytes();
        let edge = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        b.first().is_some_and(edge)
            && b.last().is_some_and(edge)
            && b.iter().all(|c| edge(c) || *c == b'-')
    })
}

/// Helm's `TemplateName`: `--name-template` rendered with the template functions.
pub fn name_from_template(text: &str) -> Result<String> {
    let mut t = crate::gotmpl::Template::new("name-template");
    t.add_funcs(
        crate::render::sprig::functions()
            .into_iter()
            .map(|(n, f)| (n.to_string(), f)),
    );
    t.parse("name-template", text).map_err(|e| anyhow!("{e}"))?;
    t.execute("name-template", &crate::gotmpl::Value::Nil)
        .map_err(|e| anyhow!("{e}"))
}

/// Helm's `LocateChart` for local charts: an existing path, made absolute
/// (`actions::locate` handles references).
pub fn locate_chart(name: &str) -> Result<PathBuf> {
    let name = name.trim();
    let path = Path::new(name);
    if path.exists() {
        let abs = std::path::absolute(path).with_context(|| format!("path {name:?}"))?;
        return Ok(clean(&abs));
    }
    bail!("path {name:?} not found")
}

/// Go's `filepath.Clean` on an absolute path: `.` and `..` removed lexically.
fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Loads a chart and renders it as `helm install --dry-run` / `helm template` do.
pub fn render_chart(chart_path: &Path, opts: &RenderOptions) -> Result<Rendered> {
    let user_values = match &opts.preset_values {
        Some(v) => v.clone(),
        None => opts.values.merge_values()?,
    };
    // The templates are parsed on a second thread as the loader finds them,
    // while the rest of the chart loads and its values merge.
    let ahead = engine::ParseAhead::new(&opts.funcs);
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        // Without that thread (the system refused one), the render parses all.
        // Its result is the parsed files, which the render takes from `ahead`.
        let parser = &ahead;
        let _ = crate::threads::beside(s, move || {
            crate::heap::advise_this_threads_heap();
            parser.run(std::iter::from_fn(|| crate::threads::recv_polling(&rx)))
        });
        let chart = chart::load_observed(chart_path, &|path, file| {
            let _ = tx.send((path, file.data.to_bytes()));
        });
        drop(tx);
        let rendered = chart
            .map_err(anyhow::Error::from)
            .and_then(|chart| render_loaded(chart, user_values, opts, &ahead));
        ahead.stop();
        rendered
    })
}

/// [`render_chart`] once the chart is loaded.
fn render_loaded(
    mut chart: Chart,
    user_values: Map,
    opts: &RenderOptions,
    ahead: &engine::ParseAhead,
) -> Result<Rendered> {
    match chart.metadata.chart_type.as_deref() {
        None | Some("") | Some("application") => {}
        Some(other) => bail!("{other} charts are not installable"),
    }
    check_dependencies(&chart)?;
    if let Some(v) = &opts.chart_values {
        chart.values = v.clone();
    }
    engine::check_engine(&chart).map_err(|e| anyhow!(e.0))?;
    validate_release_name(&opts.release_name)?;
    values::process_dependencies(&mut chart, &user_values)?;

    let capabilities = Arc::new(match (&opts.cluster_api_versions, &opts.kube_version) {
        (Some(versions), Some(kv)) => Capabilities::of_cluster(kv.clone(), versions.clone()),
        _ => Capabilities::new(opts.kube_version.clone(), &opts.api_versions),
    });
    let values = values::coalesce_values(&chart, &user_values)?;
    if !opts.skip_schema_validation {
        values::validate_schemas(&chart, &values)?;
    }
    if let Some(constraint) = chart
        .metadata
        .kube_version
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        let kv = &capabilities.kube_version.version;
        if !chart::constraint::is_compatible_range(constraint, kv) {
            bail!(
                "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kv}"
            );
        }
    }

    let release = ReleaseInfo {
        name: opts.release_name.clone(),
        namespace: opts.namespace.clone(),
        revision: opts.revision.max(1),
        is_install: !opts.is_upgrade,
        is_upgrade: opts.is_upgrade,
    };
    let input = RenderInput {
        chart: &chart,
        values: &values,
        release: release.to_value(),
        capabilities,
        // Every command that renders through here is one process of the CLI.
        process_exits_after: true,
        parsed_ahead: Some(ahead),
    };
    // Each rendered file's documents are read as soon as it has rendered. A
    // chart large enough to execute on two threads reads them on the thread
    // that rendered them (both threads busy, the reading shared as the
    // templates are); a smaller one, executing on this thread alone, has them
    // read on a second thread while the templates after it render, and once
    // they have rendered, this thread reads what is left alongside it.
    // (order sent, path, output): a path sent again (see `render_observed`) is
    // read from its last output.
    let inline = engine::executes_on_two_threads(&chart);
    let read_inline = std::sync::Mutex::new(Vec::new());
    let (tx, rx) = std::sync::mpsc::channel::<(usize, String, String)>();
    let rx = std::sync::Mutex::new(rx);
    let (files, read) = std::thread::scope(|s| {
        let drain = || {
            let mut read = Vec::new();
            loop {
                let next = rx
                    .lock()
                    .map_err(|_| ())
                    .and_then(|r| r.recv().map_err(|_| ()));
                let Ok((order, path, text)) = next else {
                    return read;
                };
                read.push((order, path, manifest::read_file(&text)));
            }
        };
        // Without a thread (the system refused one), this thread reads it all.
        let reader = (!inline).then(|| {
            crate::threads::beside(s, move || {
                crate::heap::advise_this_threads_heap();
                drain()
            })
        });
        let files = {
            let tx = tx;
            let sent = std::sync::atomic::AtomicUsize::new(0);
            engine::render_observed(&input, &opts.funcs, &|path, text| {
                if !path.ends_with("NOTES.txt") && manifest::is_manifest_file(path, text) {
                    let order = sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if inline {
                        let file = manifest::read_file(text);
                        read_inline.lock().unwrap_or_else(|e| e.into_inner()).push((
                            order,
                            path.to_string(),
                            file,
                        ));
                    } else {
                        let _ = tx.send((order, path.to_string(), text.to_string()));
                    }
                }
            })
        };
        let mine = drain();
        let theirs = reader.and_then(|r| r.result()).unwrap_or_default();
        let read_here = std::mem::take(&mut *read_inline.lock().unwrap_or_else(|e| e.into_inner()));
        let mut latest: HashMap<String, (usize, manifest::ReadFile)> = HashMap::new();
        for (order, path, file) in mine.into_iter().chain(theirs).chain(read_here) {
            match latest.get(&path) {
                Some((seen, _)) if *seen > order => {}
                _ => {
                    latest.insert(path, (order, file));
                }
            }
        }
        let read: HashMap<String, manifest::ReadFile> =
            latest.into_iter().map(|(p, (_, f))| (p, f)).collect();
        (files, read)
    });
    let mut files = files.map_err(|e| anyhow!(e.0))?;

    let notes_key = format!("{}/templates/NOTES.txt", chart.name());
    let mut notes = String::new();
    let note_files: Vec<String> = files
        .keys()
        .filter(|k| k.ends_with("NOTES.txt"))
        .cloned()
        .collect();
    for k in note_files {
        if let Some(text) = files.remove(&k)
            && (opts.subchart_notes || k == notes_key)
        {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(&text);
        }
    }

    let (hooks, manifests) = match manifest::sort_read_manifests(&files, INSTALL_ORDER, read) {
        Ok(r) => r,
        Err(source) => {
            let raw = raw_output(&files);
            return Err(ManifestFailure { source, raw }.into());
        }
    };
    Ok(Rendered {
        chart,
        user_values,
        values,
        manifests,
        hooks,
        notes,
    })
}

/// The rendered files as Helm dumps them when they are not valid YAML.
fn raw_output(files: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (name, content) in files {
        if manifest::trim_space(content).is_empty() {
            continue;
        }
        out.push_str(&format!("---\n# Source: {name}\n{content}\n"));
    }
    out
}

/// Helm's `CheckDependencies`: every declared dependency must be present in charts/.
fn check_dependencies(chart: &Chart) -> Result<()> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|d| !chart.dependencies.iter().any(|c| c.name() == d.name))
        .map(|d| d.name.as_str())
        .collect();
    if !missing.is_empty() {
        bail!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        );
    }
    Ok(())
}

/// Helm's `CRDObjects`: the crds/ files of the chart and (recursively) its
/// subcharts, named `<chart path>/crds/<file>`.
pub fn crd_objects(chart: &Chart) -> Result<Vec<(String, String)>> {
    fn walk(chart: &Chart, prefix: &str, out: &mut Vec<(String, String)>) -> Result<()> {
        for f in chart.crd_files() {
            let text = chart::lossy(f.data.try_bytes()?).into_owned();
            out.push((format!("{prefix}/{}", f.name), text));
        }
        for dep in &chart.dependencies {
            walk(dep, &format!("{prefix}/charts/{}", dep.name()), out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(chart, chart.name(), &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files rendered again in order (after templates on two threads changed
    /// the values they share) are read from their last output: the manifests
    /// are those of executing in order.
    #[test]
    fn manifests_come_from_the_last_output_of_each_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let write = |file: &str, text: &str| {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n");
        write("values.yaml", "touched: no\n");
        let pad = "padding ".repeat(9000);
        write("templates/_pad.tpl", &format!("{{{{/* {pad} */}}}}"));
        for i in 0..16 {
            // t08 changes the values late: the other thread has sent files
            // after it (read on stale values) by then.
            let change = if i == 8 {
                r#"{{- range until 30000 }}{{ end }}{{- $_ := set .Values "touched" "yes" }}"#
            } else {
                ""
            };
            write(
                &format!("templates/t{i:02}.yaml"),
                &format!(
                    "{change}kind: ConfigMap\nmetadata:\n  name: t{i:02}-{{{{ .Values.touched }}}}\n"
                ),
            );
        }
        let opts = RenderOptions {
            release_name: "r".into(),
            namespace: "default".into(),
            ..RenderOptions::default()
        };
        for _ in 0..20 {
            let rendered = render_chart(dir.path(), &opts).expect("render");
            let mut names: Vec<String> = rendered
                .manifests
                .iter()
                .map(|m| format!("{} {}", m.head.name, m.content.lines().last().unwrap_or("")))
                .collect();
            names.sort();
            // Files execute from t15 down: t09 to t15 run before t08's change.
            let want: Vec<String> = (0..16)
                .map(|i| {
                    let touched = if i > 8 { "false" } else { "yes" };
                    format!("t{i:02}-{touched}   name: t{i:02}-{touched}")
                })
                .collect();
            assert_eq!(names, want);
        }
    }

    /// Every name of up to seven characters over the interesting ones is
    /// accepted exactly when Helm's pattern matches it.
    #[test]
    fn release_names_are_checked_as_helms_pattern_checks_them() {
        let helm = regex_lite::Regex::new(RELEASE_NAME_PATTERN).expect("pattern");
        let chars = ['a', '0', '-', '.', 'A', '_', 'é'];
        let mut level = vec![String::new()];
        let mut checked = 0;
        for _ in 0..7 {
            level = level
                .iter()
                .flat_map(|s| chars.iter().map(move |c| format!("{s}{c}")))
                .collect();
            for name in &level {
                assert_eq!(is_release_name(name), helm.is_match(name), "{name:?}");
                checked += 1;
            }
        }
        assert!(checked > 900_000);
        assert!(validate_release_name("my-app.v2").is_ok());
        let err = validate_release_name("My_App").expect_err("upper case");
        assert!(err.to_string().contains(RELEASE_NAME_PATTERN), "{err}");
    }
}
