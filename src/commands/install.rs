//! `charter install [NAME] CHART`: installs a chart into the cluster as Helm
//! 3.17 does, with its flags (Helm 2's `--name` too) and output.

use anyhow::{Result, anyhow, bail};
use clap::Args;

use crate::actions::install::{InstallOptions, Target, install};
use crate::actions::releases::open_store;
use crate::actions::render::{self, RenderOptions};
use crate::cli::{ChartRefArgs, GlobalArgs, ValuesArgs};
use crate::commands::status::{View, go_value, write};
use crate::printer::Printer;
use crate::render::funcs::FuncOptions;

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// [NAME] CHART
    #[arg(value_name = "NAME_OR_CHART", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// the release name (Helm 2's form: `install --name NAME CHART`)
    #[arg(long, hide = true)]
    pub name: Option<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// create the release namespace if not present
    #[arg(long)]
    pub create_namespace: bool,
    /// simulate an install. If --dry-run is set with no option being specified or as '--dry-run=client', lookups do not reach the cluster (its version and API versions are still read, as Helm 3.17 reads them). Setting '--dry-run=server' lets lookups read the cluster.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "client", value_parser = ["client", "server", "none", "true", "false"])]
    pub dry_run: Option<String>,
    /// force resource updates through a replacement strategy
    #[arg(long)]
    pub force: bool,
    /// prevent hooks from running during install
    #[arg(long)]
    pub no_hooks: bool,
    /// re-use the given name, only if that name is a deleted release which remains in the history. This is unsafe in production
    #[arg(long)]
    pub replace: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
    /// if set, will wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment, StatefulSet, or ReplicaSet are in a ready state before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait_for_jobs: bool,
    /// generate the name (and omit the NAME parameter)
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// specify template used to name the release
    #[arg(long)]
    pub name_template: Option<String>,
    /// add a custom description
    #[arg(long, default_value = "")]
    pub description: String,
    /// update dependencies if they are missing before installing the chart
    #[arg(long)]
    pub dependency_update: bool,
    /// if set, the installation process will not validate rendered templates against the Kubernetes OpenAPI Schema
    #[arg(long)]
    pub disable_openapi_validation: bool,
    /// if set, the installation process deletes the installation on failure. The --wait flag will be set automatically if --atomic is used
    #[arg(long)]
    pub atomic: bool,
    /// if set, no CRDs will be installed. By default, CRDs are installed if not already present
    #[arg(long)]
    pub skip_crds: bool,
    /// if set, render subchart notes along with the parent
    #[arg(long)]
    pub render_subchart_notes: bool,
    /// if set, disables JSON schema validation
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Labels that would be added to release metadata. Should be divided by comma.
    #[arg(short = 'l', long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// enable DNS lookups when rendering templates
    #[arg(long)]
    pub enable_dns: bool,
    /// if set, do not show notes in install output. Does not affect presence in chart metadata
    #[arg(long)]
    pub hide_notes: bool,
    /// hide Kubernetes Secrets when also using the --dry-run flag
    #[arg(long)]
    pub hide_secret: bool,
    /// if set, install will ignore the check for helm annotations and take ownership of the existing resources
    #[arg(long)]
    pub take_ownership: bool,
    /// the path to an executable to be used for post rendering
    #[arg(long)]
    pub post_renderer: Option<String>,
    /// an argument to the post-renderer (can specify multiple)
    #[arg(long = "post-renderer-args")]
    pub post_renderer_args: Vec<String>,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
    #[command(flatten)]
    pub chart_ref: ChartRefArgs,
}

pub fn run(args: &InstallArgs, global: &GlobalArgs, debug: bool, out: &Printer) -> Result<()> {
    // Helm reports every failure of an install under this heading.
    run_install(args, global, debug, out).map_err(|e| anyhow!("INSTALLATION FAILED: {e:#}"))
}

fn run_install(args: &InstallArgs, global: &GlobalArgs, debug: bool, out: &Printer) -> Result<()> {
    if args.dependency_update {
        bail!(
            "--dependency-update is not supported by charter's install yet: run `charter dependency update CHART` first"
        );
    }
    if args.hide_secret && args.dry_run.is_none() {
        bail!("Hiding Kubernetes secrets requires a dry-run mode");
    }
    let (name, chart) = name_and_chart(args)?;
    let timeout = crate::settings::timeout(&args.timeout)?;
    let labels = crate::settings::labels(&args.labels)?;
    let dry_run = match args.dry_run.as_deref() {
        None | Some("none") | Some("false") => None,
        Some("true") => Some("client".to_string()),
        Some(other) => Some(other.to_string()),
    };
    let namespace = crate::settings::namespace(global);
    let opts = InstallOptions {
        render: RenderOptions {
            release_name: name,
            namespace: namespace.clone(),
            revision: 1,
            is_upgrade: false,
            values: crate::commands::template::value_options(&args.values),
            kube_version: None,
            api_versions: Vec::new(),
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
        create_namespace: args.create_namespace,
        wait: args.wait,
        wait_for_jobs: args.wait_for_jobs,
        timeout,
        no_hooks: args.no_hooks,
        skip_crds: args.skip_crds,
        replace: args.replace,
        dry_run: dry_run.clone(),
        description: args.description.clone(),
        labels,
        atomic: args.atomic,
        take_ownership: args.take_ownership,
        post_renderer: args
            .post_renderer
            .clone()
            .map(|p| (p, args.post_renderer_args.clone())),
    };
    // Like Helm's install, every mode reaches the cluster, a dry run too (for
    // the cluster's capabilities; `--dry-run=server` also lets `lookup` read it).
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(namespace),
        crate::settings::release_driver()?,
    )?;
    let target = Some(Target {
        cluster: &open.cluster,
        store: &open.store,
    });
    let rel = install(target, &opts, &mut |w| out.warn(&w), &mut |s| {
        out.status(&s)
    })?;
    print_release(&rel, &args.output, debug, args.hide_notes, out)
}

/// How `install` (and `upgrade`) print the release: the status, or the whole
/// record as JSON or YAML.
pub fn print_release(
    rel: &crate::release::Release,
    output: &str,
    debug: bool,
    hide_notes: bool,
    out: &Printer,
) -> Result<()> {
    match output {
        "json" => out.data(&format!("{}\n", rel.to_json())),
        "yaml" => out.data(&crate::yaml::to_yaml(&go_value(&rel.raw)?)),
        _ => out.data(&write(
            rel,
            &View {
                debug,
                hide_notes,
                ..View::default()
            },
        )?),
    }
    Ok(())
}

/// Helm's `NameAndChart` for `install`.
fn name_and_chart(args: &InstallArgs) -> Result<(String, String)> {
    let set_name = || -> Result<()> {
        if args.generate_name {
            bail!("cannot set --generate-name and also specify a name");
        }
        if args.name_template.is_some() {
            bail!("cannot set --name-template and also specify a name");
        }
        Ok(())
    };
    match args.args.as_slice() {
        [name, chart] => {
            set_name()?;
            Ok((name.clone(), chart.clone()))
        }
        [chart] => {
            if let Some(t) = &args.name_template {
                return Ok((render::name_from_template(t)?, chart.clone()));
            }
            if let Some(n) = args.name.as_ref().filter(|n| !n.is_empty()) {
                return Ok((n.clone(), chart.clone()));
            }
            if !args.generate_name {
                bail!("must either provide a name or specify --generate-name");
            }
            let base = std::path::Path::new(chart)
                .file_name()
                .map(|b| b.to_string_lossy().into_owned())
                .filter(|b| !b.is_empty() && b != ".")
                .unwrap_or_else(|| "chart".into());
            let base = base.split('.').next().unwrap_or("chart").to_string();
            Ok((
                format!("{base}-{}", chrono::Utc::now().timestamp()),
                chart.clone(),
            ))
        }
        _ => bail!("expected at most two arguments"),
    }
}
