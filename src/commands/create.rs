//! `charter create NAME`: scaffold a new chart.

use anyhow::Result;
use clap::{Args, ValueEnum};

use crate::actions::create::{CreateOptions, create};
use crate::chart::create::Builtin;
use crate::printer::Printer;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Engine {
    /// Go templates (Helm's language)
    Gotpl,
    /// Jinja templates, rendered by minijinja (charter only)
    Jinja,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// the chart to create: a name or a path whose last part is the name
    pub name: std::path::PathBuf,
    /// the name or absolute path to Helm starter scaffold
    #[arg(short = 'p', long)]
    pub starter: Option<String>,
    /// the template language of charter's own scaffold
    #[arg(long, value_enum, default_value = "gotpl", conflicts_with = "starter")]
    pub engine: Engine,
}

pub fn run(args: &CreateArgs, out: &Printer) -> Result<()> {
    out.data(&format!("Creating {}\n", args.name.display()));
    let created = create(&CreateOptions {
        path: args.name.clone(),
        starter: args.starter.clone(),
        builtin: match args.engine {
            Engine::Gotpl => Builtin::Default,
            Engine::Jinja => Builtin::Jinja,
        },
        starters_dir: crate::repo::config::data_home().join("starters"),
    })?;
    for p in created.overwritten {
        out.data(&format!(
            "WARNING: File {:?} already exists. Overwriting.\n",
            p.display().to_string()
        ));
    }
    Ok(())
}
