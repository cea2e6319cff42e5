//! `charter version`: the client's version, in Helm's shapes.

use clap::Args;

use crate::printer::Printer;

/// The Helm version charter renders as (`.Capabilities.HelmVersion`).
pub const HELM_COMPAT_VERSION: &str = "v3.17.3";

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// print the version number
    #[arg(long)]
    pub short: bool,
}

pub fn run(args: &VersionArgs, out: &Printer) -> anyhow::Result<()> {
    let version = concat!("v", env!("CARGO_PKG_VERSION"));
    if args.short {
        out.data(&format!("{version}\n"));
    } else {
        out.data(&format!(
            "version.BuildInfo{{Version:\"{version}\", HelmCompat:\"{HELM_COMPAT_VERSION}\", GoVersion:\"none (rust)\"}}\n"
        ));
    }
    Ok(())
}
