//! Scaffolding new charts (`create`).
//!
//! charter's own starters live in `charts/starters/<name>/` and are compiled in.
//! Each file is a minijinja template with `[[ name ]]` for the chart's name
//! (delimiters `[[ ]]`, `[% %]`, `[# #]`, so the Go and Jinja template syntax
//! inside the files passes through untouched). `default` is a Go-template chart
//! that lints clean and renders the same with Helm; `jinja` is the same chart
//! written for `engine: jinja`.
//!
//! A user starter (`--starter NAME|PATH`) follows Helm's convention instead: a
//! chart under `$HELM_DATA_HOME/starters/NAME` whose templates and values.yaml
//! say `<CHARTNAME>` where the new chart's name goes, and whose Chart.yaml is
//! replaced by a fresh one.

use std::path::{Path, PathBuf};

use super::{ChartError, Metadata, err};

/// The starters charter ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Go templates, as `helm create` writes.
    Default,
    /// The same chart with `engine: jinja`.
    Jinja,
}

macro_rules! starter {
    ($dir:literal, [$($path:literal),* $(,)?]) => {
        &[$(($path, include_str!(concat!("../../charts/starters/", $dir, "/", $path)))),*]
    };
}

const DEFAULT_FILES: &[(&str, &str)] = starter!(
    "default",
    [
        "Chart.yaml",
        "values.yaml",
        ".helmignore",
        "templates/_helpers.tpl",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/serviceaccount.yaml",
        "templates/ingress.yaml",
        "templates/hpa.yaml",
        "templates/NOTES.txt",
        "templates/tests/test-connection.yaml",
    ]
);

const JINJA_FILES: &[(&str, &str)] = starter!(
    "jinja",
    [
        "Chart.yaml",
        "values.yaml",
        ".helmignore",
        "templates/_helpers.j2",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/serviceaccount.yaml",
        "templates/ingress.yaml",
        "templates/hpa.yaml",
        "templates/NOTES.txt",
        "templates/tests/test-connection.yaml",
    ]
);

/// Helm's longest chart name.
const MAX_NAME: usize = 250;

/// Helm's chart-name rule (`chartutil.validateChartName`).
pub fn validate_name(name: &str) -> Result<(), ChartError> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(err(format!(
            "chart name must be between 1 and {MAX_NAME} characters"
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(err(
            "chart name must match the regular expression \"^[a-zA-Z0-9._-]+$\"",
        ));
    }
    Ok(())
}

/// One file written by a scaffold: its path and whether it replaced one.
pub struct Written {
    pub path: PathBuf,
    pub overwritten: bool,
}

fn render_starter(files: &[(&str, &str)], name: &str) -> Result<Vec<(String, String)>, ChartError> {
    let mut env = minijinja::Environment::new();
    env.set_keep_trailing_newline(true);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .block_delimiters("[%", "%]")
        .variable_delimiters("[[", "]]")
        .comment_delimiters("[#", "#]")
        .build()
        .map_err(|e| err(format!("starter syntax: {e}")))?;
    env.set_syntax(syntax);
    let ctx = minijinja::context! { name => name };
    files
        .iter()
        .map(|(path, source)| {
            env.render_str(source, &ctx)
                .map(|text| (path.to_string(), text))
                .map_err(|e| err(format!("starter file {path}: {e}")))
        })
        .collect()
}

/// Writes charter's own starter as chart `name` in folder `dir` (which must
/// exist). Existing files of the same names are overwritten, others kept, as
/// `helm create` does.
pub fn create(
    name: &str,
    dir: &Path,
    builtin: Builtin,
) -> Result<(PathBuf, Vec<Written>), ChartError> {
    validate_name(name)?;
    // Helm's help promises to create missing folders on the way but fails on
    // them; charter keeps the promise.
    std::fs::create_dir_all(dir).map_err(|e| {
        err(format!(
            "creating {}: {}",
            dir.display(),
            super::io_reason(&e)
        ))
    })?;
    let meta = std::fs::metadata(dir)
        .map_err(|e| err(format!("stat {}: {}", dir.display(), super::io_reason(&e))))?;
    if !meta.is_dir() {
        return Err(err(format!("no such directory {}", dir.display())));
    }
    let cdir = dir.join(name);
    if cdir.exists() && !cdir.is_dir() {
        return Err(err(format!(
            "file {} already exists and is not a directory",
            cdir.display()
        )));
    }
    let files = match builtin {
        Builtin::Default => DEFAULT_FILES,
        Builtin::Jinja => JINJA_FILES,
    };
    let rendered = render_starter(files, name)?;
    let mut written = Vec::new();
    for (rel, text) in rendered {
        let path = cdir.join(&rel);
        let overwritten = path.exists();
        write_file(&path, text.as_bytes())?;
        written.push(Written { path, overwritten });
    }
    std::fs::create_dir_all(cdir.join("charts"))
        .map_err(|e| err(format!("creating {}: {e}", cdir.join("charts").display())))?;
    Ok((cdir, written))
}

fn write_file(path: &Path, data: &[u8]) -> Result<(), ChartError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| err(format!("creating {}: {e}", parent.display())))?;
    }
    std::fs::write(path, data).map_err(|e| err(format!("writing {}: {e}", path.display())))
}

/// The Chart.yaml a new chart starts with (`helm create`'s metadata).
pub fn new_metadata(name: &str) -> Metadata {
    Metadata {
        name: name.to_string(),
        description: "A Helm chart for Kubernetes".into(),
        chart_type: Some("application".into()),
        version: "0.1.0".into(),
        app_version: "0.1.0".into(),
        api_version: "v2".into(),
        ..Metadata::default()
    }
}

/// Helm's `CreateFrom`: scaffolds chart `name` in `dest` from the starter chart
/// at `src`, with `<CHARTNAME>` in templates and values.yaml replaced by the
/// name and a fresh Chart.yaml.
pub fn create_from(name: &str, dest: &Path, src: &Path) -> Result<PathBuf, ChartError> {
    let mut starter =
        super::load(src).map_err(|e| err(format!("could not load {}: {e}", src.display())))?;
    validate_name(name)?;
    starter.metadata = new_metadata(name);
    let swap = |data: &[u8]| -> Vec<u8> {
        String::from_utf8_lossy(data)
            .replace("<CHARTNAME>", name)
            .into_bytes()
    };
    let outdir = dest.join(name);
    if outdir.exists() && !outdir.is_dir() {
        return Err(err(format!(
            "file {} already exists and is not a directory",
            outdir.display()
        )));
    }
    std::fs::create_dir_all(&outdir)
        .map_err(|e| err(format!("creating {}: {e}", outdir.display())))?;
    let chart_yaml = crate::yaml::to_yaml(&starter.metadata.to_data());
    write_file(&outdir.join("Chart.yaml"), chart_yaml.as_bytes())?;
    if let Some(raw) = &starter.raw_values {
        write_file(&outdir.join("values.yaml"), &swap(raw.as_bytes()))?;
    }
    if let Some(schema) = &starter.schema {
        write_file(&outdir.join("values.schema.json"), schema)?;
    }
    for f in &starter.templates {
        write_file(&outdir.join(&f.name), &swap(f.data.try_bytes()?))?;
    }
    for f in &starter.files {
        write_file(&outdir.join(&f.name), f.data.try_bytes()?)?;
    }
    for dep in &starter.dependencies {
        super::package::save(dep, &outdir.join("charts"))?;
    }
    Ok(outdir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("my-chart_1.0").is_ok());
        assert_eq!(
            validate_name("a/b").unwrap_err().to_string(),
            "chart name must match the regular expression \"^[a-zA-Z0-9._-]+$\""
        );
        assert!(validate_name("").is_err());
        assert!(validate_name(&"x".repeat(251)).is_err());
    }

    #[test]
    fn starters_render_with_the_name() {
        for files in [DEFAULT_FILES, JINJA_FILES] {
            let out = render_starter(files, "web-app").unwrap();
            let helpers = out
                .iter()
                .find(|(p, _)| p.starts_with("templates/_helpers"))
                .unwrap();
            assert!(!helpers.1.contains("[["), "{}", helpers.1);
            let chart = out.iter().find(|(p, _)| p == "Chart.yaml").unwrap();
            assert!(chart.1.contains("\nname: web-app\n"));
            assert!(out.iter().all(|(_, t)| t.ends_with('\n')));
        }
    }
}
