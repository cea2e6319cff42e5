//! `charter package CHART_PATH...`: package chart directories into archives.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::actions::package::{PackageOptions, package};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct PackageArgs {
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// set the version on the chart to this semver version
    #[arg(long, default_value = "")]
    pub version: String,
    /// set the appVersion on the chart to this version
    #[arg(long, default_value = "")]
    pub app_version: String,
    /// location to write the chart.
    #[arg(short = 'd', long, default_value = ".")]
    pub destination: PathBuf,
}

pub fn run(args: &PackageArgs, out: &Printer) -> Result<()> {
    let opts = PackageOptions {
        version: args.version.clone(),
        app_version: args.app_version.clone(),
        destination: args.destination.clone(),
    };
    for p in &args.paths {
        let path = package(p, &opts)?;
        out.data(&format!(
            "Successfully packaged chart and saved it to: {}\n",
            path.display()
        ));
    }
    Ok(())
}
