//! `charter template [NAME] CHART`: render a chart locally, as `helm template` does.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use crate::actions::render::{self, ManifestFailure, RenderOptions};

use crate::actions::template::{self, TemplateOptions};
use crate::cli::{ChartRefArgs, GlobalArgs, ValuesArgs};
use crate::printer::Printer;
use crate::render::context::KubeVersion;
use crate::render::funcs::FuncOptions;
use crate::values::ValueOptions;

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// [NAME] CHART
    #[arg(value_name = "NAME_OR_CHART", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// only show manifests rendered from the given templates
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// writes the executed templates to files in output-dir instead of stdout
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// validate your manifests against the Kubernetes cluster you are currently pointing at
    #[arg(long)]
    pub validate: bool,
    /// include CRDs in the templated output
    #[arg(long)]
    pub include_crds: bool,
    /// skip tests from templated output
    #[arg(long)]
    pub skip_tests: bool,
    /// set .Release.IsUpgrade instead of .Release.IsInstall
    #[arg(long)]
    pub is_upgrade: bool,
    /// Kubernetes version used for Capabilities.KubeVersion
    #[arg(long)]
    pub kube_version: Option<String>,
    /// Kubernetes api versions used for Capabilities.APIVersions
    #[arg(short = 'a', long = "api-versions", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// use release name in the output-dir path.
    #[arg(long)]
    pub release_name: bool,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// specify template used to name the release
    #[arg(long)]
    pub name_template: Option<String>,
    /// prevent hooks from running during install
    #[arg(long)]
    pub no_hooks: bool,
    /// if set, no CRDs will be installed. By default, CRDs are installed if not already present
    #[arg(long)]
    pub skip_crds: bool,
    /// if set, render subchart notes along with the parent
    #[arg(long)]
    pub render_subchart_notes: bool,
    /// if set, disables JSON schema validation
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// enable DNS lookups when rendering templates
    #[arg(long)]
    pub enable_dns: bool,
    /// the path to an executable to be used for post rendering
    #[arg(long)]
    pub post_renderer: Option<String>,
    /// an argument to the post-renderer (can specify multiple)
    #[arg(long = "post-renderer-args")]
    pub post_renderer_args: Vec<String>,
    #[command(flatten)]
    pub chart_ref: ChartRefArgs,
    /// Accepted for Helm compatibility; they change nothing in a local render.
    #[command(flatten)]
    pub ignored: InstallOnlyArgs,
}

// Install flags `helm template` accepts and ignores, accepted likewise so that
// scripts written for Helm keep working. A plain comment: clap would take a doc
// comment as the about text of `template`.
#[derive(Debug, Args, Default)]
pub struct InstallOnlyArgs {
    #[arg(long, hide = true)]
    pub create_namespace: bool,
    #[arg(long, hide = true, num_args = 0..=1, default_missing_value = "client")]
    pub dry_run: Option<String>,
    #[arg(long, hide = true)]
    pub wait: bool,
    #[arg(long, hide = true)]
    pub wait_for_jobs: bool,
    #[arg(long, hide = true)]
    pub atomic: bool,
    #[arg(long, hide = true)]
    pub timeout: Option<String>,
    #[arg(long, hide = true)]
    pub replace: bool,
    #[arg(long, hide = true)]
    pub force: bool,
    #[arg(long, hide = true)]
    pub description: Option<String>,
    #[arg(long, hide = true)]
    pub disable_openapi_validation: bool,
    #[arg(long, hide = true)]
    pub dependency_update: bool,
    #[arg(long, hide = true)]
    pub hide_notes: bool,
    #[arg(long, hide = true)]
    pub hide_secret: bool,
    #[arg(long, hide = true)]
    pub take_ownership: bool,
    #[arg(short = 'l', long, hide = true)]
    pub labels: Vec<String>,
}

pub fn run(args: &TemplateArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    let (name, chart) = name_and_chart(args)?;
    let kube_version = match &args.kube_version {
        Some(v) => Some(
            KubeVersion::parse(v)
                .map_err(|e| anyhow::anyhow!("invalid kube version '{v}': {e}"))?,
        ),
        None => None,
    };
    let opts = TemplateOptions {
        render: RenderOptions {
            release_name: name,
            namespace: crate::settings::namespace(global),
            revision: 1,
            is_upgrade: args.is_upgrade,
            values: value_options(&args.values),
            kube_version,
            api_versions: args.api_versions.clone(),
            skip_schema_validation: args.skip_schema_validation,
            subchart_notes: args.render_subchart_notes,
            funcs: FuncOptions {
                enable_dns: args.enable_dns,
                ..FuncOptions::default()
            },
            cluster_api_versions: None,
            preset_values: None,
            chart_values: None,
        },
        chart,
        chart_ref: args.chart_ref.options(),
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        no_hooks: args.no_hooks,
        show_only: args.show_only.clone(),
        output_dir: args.output_dir.clone(),
        use_release_name: args.release_name,
        post_renderer: args
            .post_renderer
            .clone()
            .map(|p| (p, args.post_renderer_args.clone())),
    };
    match template::template(&opts, &mut |w| out.warn(&w), &mut |s| out.status(&s)) {
        Ok(text) => {
            out.data(&text);
            Ok(())
        }
        // Helm shows the rendered files when they are not valid YAML, with --debug.
        Err(e) => match e.downcast_ref::<ManifestFailure>() {
            Some(f) if global.debug => {
                out.data(&f.raw);
                Err(e)
            }
            Some(_) => Err(anyhow::anyhow!(
                "{e}\n\nUse --debug flag to render out invalid YAML"
            )),
            None => Err(e),
        },
    }
}

/// The values flags as typed options.
pub fn value_options(v: &ValuesArgs) -> ValueOptions {
    ValueOptions {
        value_files: v.values.clone(),
        set: v.set.clone(),
        set_string: v.set_string.clone(),
        set_file: v.set_file.clone(),
        set_json: v.set_json.clone(),
        set_literal: v.set_literal.clone(),
    }
}

/// Helm's `NameAndChart` for `template`: the default name is `release-name`.
fn name_and_chart(args: &TemplateArgs) -> Result<(String, String)> {
    match args.args.as_slice() {
        [name, chart] => {
            if args.generate_name {
                bail!("cannot set --generate-name and also specify a name");
            }
            if args.name_template.is_some() {
                bail!("cannot set --name-template and also specify a name");
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => {
            // Helm presets the name to `release-name` for `template`, so only
            // --name-template changes it (--generate-name has no effect).
            if let Some(t) = &args.name_template {
                return Ok((render::name_from_template(t)?, chart.clone()));
            }
            Ok(("release-name".to_string(), chart.clone()))
        }
        _ => bail!("expected at most two arguments"),
    }
}
