//! The command line, shaped like Helm's: the same command tree, flags and aliases,
//! so `charter` can stand where `helm` stood. Only clap definitions live here;
//! `settings` turns them into typed options and `commands` runs them.

use clap::{Args, Parser, Subcommand};

pub mod chartref;
pub mod values;

pub use chartref::ChartRefArgs;
pub use values::ValuesArgs;

/// The charter command line.
#[derive(Debug, Parser)]
#[command(
    name = "charter",
    about = "The Kubernetes package manager, compatible with Helm",
    long_about = "charter renders, packages and manages Helm charts.\n\nIt accepts Helm's commands and flags: type `charter` where you typed `helm`.",
    disable_version_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts (Helm's global flags).
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// namespace scope for this request
    #[arg(short = 'n', long, global = true, env = "HELM_NAMESPACE")]
    pub namespace: Option<String>,
    /// name of the kubeconfig context to use
    #[arg(long, global = true, env = "HELM_KUBECONTEXT")]
    pub kube_context: Option<String>,
    /// path to the kubeconfig file
    #[arg(long, global = true, env = "KUBECONFIG")]
    pub kubeconfig: Option<String>,
    /// enable verbose output
    #[arg(long, global = true)]
    pub debug: bool,
    /// path to the file containing repository names and URLs
    #[arg(
        long,
        global = true,
        env = "HELM_REPOSITORY_CONFIG",
        value_name = "PATH"
    )]
    pub repository_config: Option<std::path::PathBuf>,
    /// path to the directory containing cached repository indexes
    #[arg(
        long,
        global = true,
        env = "HELM_REPOSITORY_CACHE",
        value_name = "PATH"
    )]
    pub repository_cache: Option<std::path::PathBuf>,
    /// path to the registry config file
    #[arg(long, global = true, env = "HELM_REGISTRY_CONFIG", value_name = "PATH")]
    pub registry_config: Option<std::path::PathBuf>,
}

/// The command tree (Helm's names and aliases).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// examine a chart for possible issues
    Lint(crate::commands::lint::LintArgs),
    /// show information of a chart
    #[command(alias = "inspect")]
    Show(crate::commands::show::ShowArgs),
    /// locally render templates
    Template(Box<crate::commands::template::TemplateArgs>),

    /// print the client version information
    Version(crate::commands::version::VersionArgs),
    /// add, list, remove, update, and index chart repositories
    Repo(crate::commands::repo::RepoArgs),
    /// search for a keyword in charts
    Search(crate::commands::search::SearchArgs),
    /// download a chart from a repository and (optionally) unpack it in local directory
    #[command(alias = "fetch")]
    Pull(crate::commands::pull::PullArgs),
    /// package a chart directory into a chart archive
    Package(crate::commands::package::PackageArgs),
    /// create a new chart with the given name
    Create(crate::commands::create::CreateArgs),
    /// manage a chart's dependencies
    #[command(visible_alias = "dep", alias = "dependencies")]
    Dependency(crate::commands::dependency::DependencyArgs),
    /// push a chart to remote
    Push(crate::commands::push::PushArgs),
    /// login to or logout from a registry
    Registry(crate::commands::registry::RegistryArgs),
    /// verify that a chart at the given path has been signed and is valid
    Verify(crate::commands::verify::VerifyArgs),
}
