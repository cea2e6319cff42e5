//! `charter push CHART.tgz oci://REGISTRY/PATH`: upload a packaged chart.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::actions::registry::{PushOptions, push};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct PushArgs {
    /// the packaged chart (.tgz)
    pub chart: PathBuf,
    /// the registry and path to push under (oci://host/path)
    pub remote: String,
    #[command(flatten)]
    pub transport: crate::cli::chartref::TransportArgs,
}

pub fn run(args: &PushArgs, out: &Printer) -> Result<()> {
    let opts = PushOptions {
        chart: args.chart.clone(),
        remote: args.remote.clone(),
        registry: args.transport.registry_options(),
    };
    let done = push(&opts)?;
    // Helm's registry client writes these to stderr.
    for line in done.lines("Pushed") {
        out.status(&line);
    }
    Ok(())
}
