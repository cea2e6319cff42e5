//! `charter uninstall` (`del`, `delete`, `un`): removes releases from the
//! cluster as Helm 3.17 does, with its flags and messages.

use anyhow::{Result, bail};
use clap::Args;

use crate::actions::releases::open_store;
use crate::actions::uninstall::{UninstallOptions, uninstall};
use crate::cli::GlobalArgs;
use crate::kube::Cascade;
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// the releases to uninstall
    #[arg(value_name = "RELEASE_NAME", required = true)]
    pub names: Vec<String>,
    /// simulate a uninstall
    #[arg(long)]
    pub dry_run: bool,
    /// prevent hooks from running during uninstallation
    #[arg(long)]
    pub no_hooks: bool,
    /// Treat "release not found" as a successful uninstall
    #[arg(long)]
    pub ignore_not_found: bool,
    /// remove all associated resources and mark the release as deleted, but retain the release history
    #[arg(long)]
    pub keep_history: bool,
    /// if set, will wait until all the resources are deleted before returning. It will wait for as long as --timeout
    #[arg(long)]
    pub wait: bool,
    /// Must be "background", "orphan", or "foreground". Selects the deletion cascading strategy for the dependents. Defaults to background.
    #[arg(long, default_value = "background")]
    pub cascade: String,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
    /// add a custom description
    #[arg(long, default_value = "")]
    pub description: String,
}

pub fn run(args: &UninstallArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    let cascade = match args.cascade.as_str() {
        "background" => Cascade::Background,
        "foreground" => Cascade::Foreground,
        "orphan" => Cascade::Orphan,
        other => bail!(
            "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
        ),
    };
    let timeout = crate::settings::timeout(&args.timeout)?;
    let opts = UninstallOptions {
        dry_run: args.dry_run,
        no_hooks: args.no_hooks,
        ignore_not_found: args.ignore_not_found,
        keep_history: args.keep_history,
        wait: args.wait,
        cascade,
        timeout,
        description: args.description.clone(),
    };
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(crate::settings::namespace(global)),
        crate::settings::release_driver()?,
    )?;
    for name in &args.names {
        if let Some(done) = uninstall(&open.cluster, &open.store, name, &opts)?
            && !done.info.is_empty()
        {
            out.data(&format!("{}\n", done.info));
        }
        out.data(&format!("release \"{name}\" uninstalled\n"));
    }
    Ok(())
}
