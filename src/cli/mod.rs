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
    /// the address and the port for the Kubernetes API server
    #[arg(long, global = true, env = "HELM_KUBEAPISERVER")]
    pub kube_apiserver: Option<String>,
    /// bearer token used for authentication
    #[arg(long, global = true, env = "HELM_KUBETOKEN")]
    pub kube_token: Option<String>,
    /// username to impersonate for the operation
    #[arg(long, global = true, env = "HELM_KUBEASUSER")]
    pub kube_as_user: Option<String>,
    /// group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(long, global = true, env = "HELM_KUBEASGROUPS", value_delimiter = ',')]
    pub kube_as_group: Vec<String>,
    /// the certificate authority file for the Kubernetes API server connection
    #[arg(long, global = true, env = "HELM_KUBECAFILE")]
    pub kube_ca_file: Option<std::path::PathBuf>,
    /// if true, the Kubernetes API server's certificate will not be checked for validity. This will make your HTTPS connections insecure
    #[arg(long, global = true, env = "HELM_KUBEINSECURE_SKIP_TLS_VERIFY")]
    pub kube_insecure_skip_tls_verify: bool,
    /// server name to use for Kubernetes API server certificate validation. If it is not provided, the hostname used to contact the server is used
    #[arg(long, global = true, env = "HELM_KUBETLS_SERVER_NAME")]
    pub kube_tls_server_name: Option<String>,
    /// client-side default throttling limit
    #[arg(long, global = true, env = "HELM_BURST_LIMIT", default_value_t = 100)]
    pub burst_limit: i64,
    /// queries per second used when communicating with the Kubernetes API, not including bursting
    #[arg(long, global = true, env = "HELM_QPS", default_value_t = 0.0)]
    pub qps: f64,
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

/// The command tree (Helm's names and aliases). Each command's arguments are
/// defined only when it is the one invoked (`defer`): building all of them took
/// longer than rendering a small chart's templates.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
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
    /// list releases
    #[command(visible_alias = "ls")]
    List(crate::commands::list::ListArgs),
    /// fetch release history
    #[command(visible_alias = "hist")]
    History(crate::commands::history::HistoryArgs),
    /// display the status of the named release
    Status(crate::commands::status::StatusArgs),
    /// download extended information of a named release
    Get(crate::commands::get::GetArgs),
    /// helm client environment information
    Env(crate::commands::env::EnvArgs),
    /// install a chart
    Install(Box<crate::commands::install::InstallArgs>),
    /// upgrade a release
    Upgrade(Box<crate::commands::upgrade::UpgradeArgs>),
    /// roll back a release to a previous revision
    Rollback(crate::commands::upgrade::RollbackArgs),
    /// run tests for a release
    Test(crate::commands::test::TestArgs),
    /// uninstall a release
    #[command(visible_aliases = ["del", "delete", "un"])]
    Uninstall(crate::commands::uninstall::UninstallArgs),
    /// generate autocompletion scripts for the specified shell
    Completion(crate::commands::completion::CompletionArgs),
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Each command's arguments are defined when it is invoked (deferred); its
    /// help text must still be its own, not a doc comment of a flattened group
    /// of arguments (clap takes those as the about text), at any depth.
    #[test]
    fn deferred_commands_keep_their_about_text() {
        fn abouts(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let name = format!("{path} {}", sub.get_name());
                let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
                out.push(format!("{name}: {about}"));
                abouts(sub, &name, out);
            }
        }
        let declared = super::Cli::command();
        let mut built = super::Cli::command();
        built.build();
        let (mut before, mut after) = (Vec::new(), Vec::new());
        abouts(&declared, "charter", &mut before);
        abouts(&built, "charter", &mut after);
        // Unbuilt, a deferred command shows no subcommands of its own yet.
        after.retain(|line| {
            before
                .iter()
                .any(|b| b.split(':').next() == line.split(':').next())
        });
        assert_eq!(before, after);
        assert!(
            before
                .iter()
                .any(|l| l == "charter template: locally render templates")
        );
    }
}
