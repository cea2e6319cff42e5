//! `charter show chart|values|readme|crds|all CHART` (alias `inspect`).

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::actions::locate::locate;
use crate::actions::show::{self, ShowWhat};
use crate::cli::ChartRefArgs;
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(subcommand)]
    pub what: ShowCommand,
}

#[derive(Debug, Args)]
pub struct ShowChartArgs {
    /// the chart: a directory, a packaged chart, repo/chart or oci://host/path/chart
    pub chart: String,
    #[command(flatten)]
    pub chart_ref: ChartRefArgs,
}

#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// show all information of the chart
    All(ShowChartArgs),
    /// show the chart's definition
    Chart(ShowChartArgs),
    /// show the chart's CRDs
    Crds(ShowChartArgs),
    /// show the chart's README
    Readme(ShowChartArgs),
    /// show the chart's values
    Values(ShowChartArgs),
}

pub fn run(args: &ShowArgs, out: &Printer) -> Result<()> {
    let (what, a) = match &args.what {
        ShowCommand::All(a) => (ShowWhat::All, a),
        ShowCommand::Chart(a) => (ShowWhat::Chart, a),
        ShowCommand::Crds(a) => (ShowWhat::Crds, a),
        ShowCommand::Readme(a) => (ShowWhat::Readme, a),
        ShowCommand::Values(a) => (ShowWhat::Values, a),
    };
    let path = locate(
        &a.chart,
        &a.chart_ref.options(),
        &mut |w| out.warn(&w),
        &mut |s| out.status(&s),
    )?;
    out.data(&show::show(&path, what)?);
    Ok(())
}
