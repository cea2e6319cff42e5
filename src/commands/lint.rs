//! `charter lint [PATH...]`: Helm's chart checks and report.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::actions::lint::{self, LintOptions, Severity};
use crate::cli::{GlobalArgs, ValuesArgs};
use crate::printer::Printer;
use crate::render::context::KubeVersion;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// chart paths (default: the current directory)
    #[arg(value_name = "PATH")]
    pub paths: Vec<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// fail on lint warnings
    #[arg(long)]
    pub strict: bool,
    /// lint dependent charts
    #[arg(long)]
    pub with_subcharts: bool,
    /// print only warnings and errors
    #[arg(long)]
    pub quiet: bool,
    /// Kubernetes version used for capabilities and deprecation checks
    #[arg(long)]
    pub kube_version: Option<String>,
    /// if set, disables JSON schema validation
    #[arg(long)]
    pub skip_schema_validation: bool,
}

fn subchart_paths(root: &str, out: &mut Vec<String>) {
    let charts = PathBuf::from(root).join("charts");
    let Ok(entries) = std::fs::read_dir(&charts) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let s = p.to_string_lossy().into_owned();
        if p.join("Chart.yaml").exists() {
            out.push(s.clone());
            subchart_paths(&s, out);
        } else if s.ends_with(".tgz") || s.ends_with(".tar.gz") {
            out.push(s);
        }
    }
}

pub fn run(args: &LintArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    let mut paths = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    if args.with_subcharts {
        for p in paths.clone() {
            subchart_paths(&p, &mut paths);
        }
    }
    let kube_version = match &args.kube_version {
        Some(v) => Some(
            KubeVersion::parse(v)
                .map_err(|e| anyhow::anyhow!("invalid kube version '{v}': {e}"))?,
        ),
        None => None,
    };
    let opts = LintOptions {
        namespace: crate::settings::namespace(global),
        kube_version,
        user_values: super::template::value_options(&args.values).merge_values()?,
        skip_schema_validation: args.skip_schema_validation,
    };
    let mut report = String::new();
    let mut failed = 0;
    let mut noisy = 0;
    for path in &paths {
        let result = lint::lint(&PathBuf::from(path), &opts);
        let has_issues =
            result.fatal.is_some() || result.highest().is_some_and(|s| s > Severity::Info);
        if has_issues {
            noisy += 1;
        }
        if args.quiet && !has_issues {
            continue;
        }
        report.push_str(&format!("==> Linting {path}\n"));
        if let Some(f) = &result.fatal
            && result.messages.is_empty()
        {
            report.push_str(&format!("Error {f}\n"));
        }
        for m in &result.messages {
            if !args.quiet || m.severity > Severity::Info {
                report.push_str(&format!("{m}\n"));
            }
        }
        if result.failed(args.strict) {
            failed += 1;
        }
        report.push('\n');
    }
    out.data(&report);
    let summary = format!("{} chart(s) linted, {failed} chart(s) failed", paths.len());
    if failed > 0 {
        bail!(summary);
    }
    if !args.quiet || noisy > 0 {
        out.data(&format!("{summary}\n"));
    }
    Ok(())
}
