//! `template`: render a chart and print the manifests as Helm prints them
//! (CRDs with `--include-crds`, then the manifests in install order, then the hooks),
//! or write them under `--output-dir`, with `--show-only` selection.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::actions::locate::{self, ChartRefOptions};
use crate::actions::render::{self, RenderOptions, Rendered};
use crate::render::manifest::{self, Hook};

/// How `template` prints what it rendered.
#[derive(Clone, Default)]
pub struct TemplateOptions {
    pub render: RenderOptions,
    /// A path, `repo/chart`, or `oci://` reference.
    pub chart: String,
    /// How to find and download `chart` when it is a reference.
    pub chart_ref: ChartRefOptions,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub no_hooks: bool,
    pub show_only: Vec<String>,
    pub output_dir: Option<PathBuf>,
    /// `--release-name`: put files under `<output-dir>/<release>/`.
    pub use_release_name: bool,
    pub post_renderer: Option<(String, Vec<String>)>,
}

/// Renders and returns the text `helm template` prints on stdout. `warn` and
/// `status` receive what a chart download reports.
pub fn template(
    opts: &TemplateOptions,
    warn: &mut dyn FnMut(String),
    status: &mut dyn FnMut(String),
) -> Result<String> {
    let chart_path = locate::locate(&opts.chart, &opts.chart_ref, warn, status)?;
    let rendered = render::render_chart(&chart_path, &opts.render)?;
    let text = output(&rendered, opts);
    // The process ends after this command (as `render_chart` assumes): the
    // chart, its values and manifests are left for the exit to reclaim, not
    // freed piece by piece.
    std::mem::forget(rendered);
    text
}

fn output(rendered: &Rendered, opts: &TemplateOptions) -> Result<String> {
    let out_dir = opts.output_dir.as_ref().map(|d| {
        if opts.use_release_name {
            d.join(&opts.render.release_name)
        } else {
            d.clone()
        }
    });
    let mut written: HashSet<String> = HashSet::new();

    // The release manifest: CRDs (when asked), then the sorted manifests.
    let mut manifest_doc = String::new();
    if opts.include_crds {
        for (name, content) in &rendered.crds()? {
            match &out_dir {
                None => manifest_doc.push_str(&format!("---\n# Source: {name}\n{content}\n")),
                Some(dir) => write_file(dir, name, content, &mut written)?,
            }
        }
    }
    for m in &rendered.manifests {
        match &out_dir {
            None => manifest_doc.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content)),
            Some(dir) => write_file(dir, &m.name, &m.content, &mut written)?,
        }
    }
    if let Some((program, args)) = &opts.post_renderer {
        manifest_doc = post_render(program, args, &manifest_doc)?;
    }

    let mut text = String::new();
    text.push_str(manifest::trim_space(&manifest_doc));
    text.push('\n');
    if !opts.no_hooks {
        for h in &rendered.hooks {
            if opts.skip_tests && is_test_hook(h) {
                continue;
            }
            match &out_dir {
                None => text.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest)),
                Some(dir) => {
                    if dir.join(&h.path).exists() {
                        written.insert(h.path.clone());
                    }
                    write_file(dir, &h.path, &h.manifest, &mut written)?;
                }
            }
        }
    }

    if opts.show_only.is_empty() {
        return Ok(text);
    }
    show_only(&text, &opts.show_only)
}

fn is_test_hook(h: &Hook) -> bool {
    h.events.iter().any(|e| e == "test")
}

/// Helm's `--show-only`: each pattern must match at least one rendered template path.
fn show_only(text: &str, patterns: &[String]) -> Result<String> {
    let docs = manifest::split_manifests(text);
    let mut out = String::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let matcher = globset::GlobBuilder::new(&pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map(|g| g.compile_matcher())
            .ok();
        let mut missing = true;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if matcher.as_ref().is_some_and(|m| m.is_match(path)) {
                out.push_str(&format!("---\n{doc}\n"));
                missing = false;
            }
        }
        if missing {
            bail!("could not find template {pattern} in chart");
        }
    }
    Ok(out)
}

/// The path after the chart name in a document's `# Source: chart/...` line
/// (the first such line, as Helm's regex finds it).
fn source_path(doc: &str) -> Option<&str> {
    let idx = doc.find("# Source: ")?;
    let rest = &doc[idx + "# Source: ".len()..];
    let slash = rest.find('/')?;
    if slash == 0 || rest[..slash].contains('\n') {
        return None;
    }
    let tail = &rest[slash + 1..];
    let end = tail.find('\n').unwrap_or(tail.len());
    let path = &tail[..end];
    (!path.is_empty()).then_some(path)
}

/// Helm's `writeToFile`: the first write of a path truncates, later ones append.
fn write_file(dir: &Path, name: &str, content: &str, written: &mut HashSet<String>) -> Result<()> {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating directory {}", parent.display()))?;
    }
    let append = written.contains(name);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&path)
        .with_context(|| format!("writing {}", path.display()))?;
    write!(f, "---\n# Source: {name}\n{content}\n")
        .with_context(|| format!("writing {}", path.display()))?;
    written.insert(name.to_string());
    println!("wrote {}", path.display());
    Ok(())
}

/// Runs `--post-renderer`: the manifests on its stdin, its stdout replaces them.
pub(crate) fn post_render(program: &str, args: &[String], input: &str) -> Result<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!("error while running post render on files: unable to run {program:?}")
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let data = input.as_bytes().to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let out = child
        .wait_with_output()
        .with_context(|| format!("error while running post render on files: {program}"))?;
    if !out.status.success() {
        bail!(
            "error while running post render on files: error while running command {program}. error output:\n{}: {}",
            String::from_utf8_lossy(&out.stderr),
            out.status
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_path_takes_the_part_after_the_chart() {
        assert_eq!(
            source_path("# Source: c/templates/a.yaml\nx: 1"),
            Some("templates/a.yaml")
        );
        assert_eq!(
            source_path("# Source: c/charts/s/templates/a.yaml"),
            Some("charts/s/templates/a.yaml")
        );
        assert_eq!(source_path("x: 1"), None);
    }
}
