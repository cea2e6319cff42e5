//! `charter dependency list|update|build` (aliases `dep`, `dependencies`): manage
//! a chart's dependencies, with Helm's flags and messages.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::actions::dependency::{self, DependencyOptions};
use crate::actions::repo::RepoPaths;
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct DependencyArgs {
    #[command(subcommand)]
    pub command: DependencyCommand,
}

#[derive(Debug, Subcommand)]
pub enum DependencyCommand {
    /// list the dependencies for the given chart
    #[command(alias = "ls")]
    List(ListArgs),
    /// update charts/ based on the contents of Chart.yaml
    #[command(alias = "up")]
    Update(UpdateArgs),
    /// rebuild the charts/ directory based on the Chart.lock file
    Build(UpdateArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// the chart directory (default: the current directory)
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// maximum column width for output table
    #[arg(long, default_value_t = 80)]
    pub max_col_width: usize,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// the chart directory (default: the current directory)
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// do not refresh the local repository cache
    #[arg(long)]
    pub skip_refresh: bool,
    /// verify the packages against signatures
    #[arg(long)]
    pub verify: bool,
    /// keyring containing public keys [default: $GNUPGHOME/pubring.gpg or ~/.gnupg/pubring.gpg]
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    #[command(flatten)]
    pub transport: crate::cli::chartref::TransportArgs,
}

pub fn run(args: &DependencyArgs, out: &Printer) -> Result<()> {
    let paths = RepoPaths::from_env();
    match &args.command {
        DependencyCommand::List(a) => {
            out.data(&dependency::list(&clean(&a.chart), a.max_col_width)?);
            Ok(())
        }
        DependencyCommand::Update(a) | DependencyCommand::Build(a) => {
            let o = DependencyOptions {
                skip_refresh: a.skip_refresh,
                debug: out.debug,
                verify_keyring: a.verify.then(|| {
                    a.keyring
                        .clone()
                        .unwrap_or_else(crate::settings::default_keyring)
                }),
                registry: a.transport.registry_options(),
            };
            let mut say = |s: &str| out.data(s);
            if matches!(args.command, DependencyCommand::Update(_)) {
                dependency::update(&paths, &clean(&a.chart), &o, &mut say)
            } else {
                dependency::build(&paths, &clean(&a.chart), &o, &mut say, &mut |w| out.warn(w))
            }
        }
    }
}

/// `filepath.Clean` of the argument, as Helm does before using it.
fn clean(p: &std::path::Path) -> PathBuf {
    let c: PathBuf = p
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if c.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        c
    }
}
