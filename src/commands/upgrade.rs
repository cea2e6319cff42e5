//! `charter upgrade RELEASE CHART` and `charter rollback RELEASE [REVISION]`,
//! as Helm 3.17 runs them, with their flags and output (`upgrade -i` installs
//! a release that does not exist yet).

use anyhow::{Result, anyhow, bail};
use clap::Args;

use crate::actions::install::{InstallOptions, Target, install};
use crate::actions::releases::open_store;
use crate::actions::render::RenderOptions;
use crate::actions::upgrade::{ChangeOptions, RollbackOptions, UpgradeOptions, rollback, upgrade};
use crate::cli::{ChartRefArgs, GlobalArgs, ValuesArgs};
use crate::commands::install::print_release;
use crate::printer::Printer;
use crate::release::ReleaseStore;
use crate::render::funcs::FuncOptions;

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// the release name
    #[arg(value_name = "RELEASE")]
    pub name: String,
    /// the chart: a path, repo/chart, a URL or an oci:// reference
    #[arg(value_name = "CHART")]
    pub chart: String,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// if --install is set, create the release namespace if not present
    #[arg(long)]
    pub create_namespace: bool,
    /// if a release by this name doesn't already exist, run an install
    #[arg(short = 'i', long)]
    pub install: bool,
    /// simulate an upgrade
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "client", value_parser = ["client", "server", "none", "true", "false"])]
    pub dry_run: Option<String>,
    /// performs pods restart for the resource if applicable
    #[arg(long)]
    pub recreate_pods: bool,
    /// force resource updates through a replacement strategy
    #[arg(long)]
    pub force: bool,
    /// disable pre/post upgrade hooks
    #[arg(long)]
    pub no_hooks: bool,
    /// if set, the upgrade process will not validate rendered templates against the Kubernetes OpenAPI Schema
    #[arg(long)]
    pub disable_openapi_validation: bool,
    /// if set, no CRDs will be installed when an upgrade is performed with install flag enabled. By default, CRDs are installed if not already present, when an upgrade is performed with install flag enabled
    #[arg(long)]
    pub skip_crds: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
    /// when upgrading, reset the values to the ones built into the chart
    #[arg(long)]
    pub reset_values: bool,
    /// when upgrading, reuse the last release's values and merge in any overrides from the command line via --set and -f. If '--reset-values' is specified, this is ignored
    #[arg(long)]
    pub reuse_values: bool,
    /// when upgrading, reset the values to the ones built into the chart, apply the last release's values and merge in any overrides from the command line via --set and -f. If '--reset-values' or '--reuse-values' is specified, this is ignored
    #[arg(long)]
    pub reset_then_reuse_values: bool,
    /// if set, will wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment, StatefulSet, or ReplicaSet are in a ready state before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait_for_jobs: bool,
    /// if set, upgrade process rolls back changes made in case of failed upgrade. The --wait flag will be set automatically if --atomic is used
    #[arg(long)]
    pub atomic: bool,
    /// limit the maximum number of revisions saved per release. Use 0 for no limit
    #[arg(long, env = "HELM_MAX_HISTORY", default_value_t = 10)]
    pub history_max: usize,
    /// allow deletion of new resources created in this upgrade when upgrade fails
    #[arg(long)]
    pub cleanup_on_fail: bool,
    /// if set, render subchart notes along with the parent
    #[arg(long)]
    pub render_subchart_notes: bool,
    /// if set, do not show notes in upgrade output. Does not affect presence in chart metadata
    #[arg(long)]
    pub hide_notes: bool,
    /// if set, disables JSON schema validation
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// Labels that would be added to release metadata. Should be separated by comma. Original release labels will be merged with upgrade labels. You can unset label using null.
    #[arg(short = 'l', long, value_delimiter = ',')]
    pub labels: Vec<String>,
    /// add a custom description
    #[arg(long, default_value = "")]
    pub description: String,
    /// update dependencies if they are missing before installing the chart
    #[arg(long)]
    pub dependency_update: bool,
    /// enable DNS lookups when rendering templates
    #[arg(long)]
    pub enable_dns: bool,
    /// if set, upgrade will ignore the check for helm annotations and take ownership of the existing resources
    #[arg(long)]
    pub take_ownership: bool,
    /// hide Kubernetes Secrets when also using the --dry-run flag
    #[arg(long)]
    pub hide_secret: bool,
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

pub fn run(args: &UpgradeArgs, global: &GlobalArgs, debug: bool, out: &Printer) -> Result<()> {
    if args.dependency_update {
        bail!(
            "--dependency-update is not supported by charter's upgrade yet: run `charter dependency update CHART` first"
        );
    }
    if args.recreate_pods {
        bail!(
            "--recreate-pods is not supported by charter (Helm deprecated it): restart the pods with `kubectl rollout restart`"
        );
    }
    let timeout = crate::settings::timeout(&args.timeout)?;
    let labels = crate::settings::labels(&args.labels)?;
    let dry_run = !matches!(args.dry_run.as_deref(), None | Some("none") | Some("false"));
    let namespace = crate::settings::namespace(global);
    let render = RenderOptions {
        release_name: args.name.clone(),
        namespace: namespace.clone(),
        revision: 1,
        is_upgrade: true,
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
    };
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(namespace),
        crate::settings::release_driver()?,
    )?;
    let post_renderer = args
        .post_renderer
        .clone()
        .map(|p| (p, args.post_renderer_args.clone()));
    if args.install && open.store.history(&args.name).is_err() {
        out.data(&format!(
            "Release {:?} does not exist. Installing it now.\n",
            args.name
        ));
        let opts = InstallOptions {
            render: RenderOptions {
                is_upgrade: false,
                ..render
            },
            chart: args.chart.clone(),
            chart_ref: args.chart_ref.options(),
            create_namespace: args.create_namespace,
            wait: args.wait,
            wait_for_jobs: args.wait_for_jobs,
            timeout,
            no_hooks: args.no_hooks,
            skip_crds: args.skip_crds,
            replace: false,
            dry_run: dry_run.then(|| "server".to_string()),
            description: args.description.clone(),
            labels,
            atomic: args.atomic,
            take_ownership: args.take_ownership,
            post_renderer,
        };
        let target = Target {
            cluster: &open.cluster,
            store: &open.store,
        };
        let rel = install(Some(target), &opts, &mut |w| out.warn(&w), &mut |s| {
            out.status(&s)
        })
        .map_err(|e| anyhow!("INSTALLATION FAILED: {e:#}"))?;
        return print_release(&rel, &args.output, debug, args.hide_notes, out);
    }
    let opts = UpgradeOptions {
        change: ChangeOptions {
            wait: args.wait,
            wait_for_jobs: args.wait_for_jobs,
            timeout,
            no_hooks: args.no_hooks,
            force: args.force,
            atomic: args.atomic,
            cleanup_on_fail: args.cleanup_on_fail,
            history_max: args.history_max,
            description: args.description.clone(),
            dry_run,
        },
        render,
        chart: args.chart.clone(),
        chart_ref: args.chart_ref.options(),
        reuse_values: args.reuse_values && !args.reset_values,
        reset_values: args.reset_values,
        reset_then_reuse_values: args.reset_then_reuse_values
            && !args.reset_values
            && !args.reuse_values,
        labels,
        take_ownership: args.take_ownership,
        post_renderer,
    };
    let rel = upgrade(
        &open.cluster,
        &open.store,
        &opts,
        &mut |w| out.warn(&w),
        &mut |s| out.status(&s),
    )
    .map_err(|e| anyhow!("UPGRADE FAILED: {e:#}"))?;
    if args.output == "table" {
        out.data(&format!(
            "Release {:?} has been upgraded. Happy Helming!\n",
            args.name
        ));
    }
    print_release(&rel, &args.output, debug, args.hide_notes, out)
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// the release name
    #[arg(value_name = "RELEASE")]
    pub name: String,
    /// the revision to roll back to (the previous one when omitted or 0)
    #[arg(value_name = "REVISION")]
    pub revision: Option<String>,
    /// simulate a rollback
    #[arg(long)]
    pub dry_run: bool,
    /// performs pods restart for the resource if applicable
    #[arg(long)]
    pub recreate_pods: bool,
    /// force resource update through delete/recreate if needed
    #[arg(long)]
    pub force: bool,
    /// prevent hooks from running during rollback
    #[arg(long)]
    pub no_hooks: bool,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
    /// if set, will wait until all Pods, PVCs, Services, and minimum number of Pods of a Deployment, StatefulSet, or ReplicaSet are in a ready state before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// if set and --wait enabled, will wait until all Jobs have been completed before marking the release as successful. It will wait for as long as --timeout
    #[arg(long)]
    pub wait_for_jobs: bool,
    /// allow deletion of new resources created in this rollback when rollback fails
    #[arg(long)]
    pub cleanup_on_fail: bool,
    /// limit the maximum number of revisions saved per release. Use 0 for no limit
    #[arg(long, env = "HELM_MAX_HISTORY", default_value_t = 10)]
    pub history_max: usize,
}

pub fn run_rollback(args: &RollbackArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    if args.recreate_pods {
        bail!(
            "--recreate-pods is not supported by charter (Helm deprecated it): restart the pods with `kubectl rollout restart`"
        );
    }
    let revision = match args.revision.as_deref() {
        None => 0,
        Some(r) => r
            .parse::<i64>()
            .map_err(|_| anyhow!("could not convert revision to a number: {r}"))?,
    };
    let opts = RollbackOptions {
        change: ChangeOptions {
            wait: args.wait,
            wait_for_jobs: args.wait_for_jobs,
            timeout: crate::settings::timeout(&args.timeout)?,
            no_hooks: args.no_hooks,
            force: args.force,
            atomic: false,
            cleanup_on_fail: args.cleanup_on_fail,
            history_max: args.history_max,
            description: String::new(),
            dry_run: args.dry_run,
        },
        revision,
    };
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(crate::settings::namespace(global)),
        crate::settings::release_driver()?,
    )?;
    rollback(&open.cluster, &open.store, &args.name, &opts)?;
    out.data("Rollback was a success! Happy Helming!\n");
    Ok(())
}
