//! charter: a chart-based package manager for Kubernetes, compatible with Helm.
//!
//! # Map
//! Data flows one way; an arrow means "may import":
//!
//! ```text
//! cli -> commands -> actions -> { render, repo, registry, release, kube } -> chart -> values -> { gotmpl, yaml }
//! ```
//!
//! | module | owns |
//! |---|---|
//! | [`cli`] | clap definitions: the command tree and global flags, shaped like Helm's |
//! | [`commands`] | one thin file per verb: settings in, one action, output out |
//! | [`settings`] | environment and kubeconfig settings, in one documented place |
//! | [`actions`] | one function per operation (`template`, `install`, `upgrade`, `rollback`, `uninstall`, `test`, `pull`, ...), hooks, the record of a new revision, moving objects between revisions |
//! | [`render`] | Helm's render: template context, Sprig and Helm functions, manifest order |
//! | [`repo`] | HTTP chart repositories: index, `repositories.yaml`, cache, search |
//! | [`registry`] | OCI registries: references, Helm's manifests, logins, the distribution API |
//! | [`release`] | release records as Helm stores them (Secrets, ConfigMaps), their codec |
//! | [`kube`] | the cluster connection: kubeconfig, Helm's `--kube-*` flags, kube-rs's client |
//! | [`chart`] | the chart model and loader (directories, archives, `.helmignore`), packaging, provenance (`.prov` signing and verification) |
//! | [`values`] | `-f`/`--set` merging, coalescing, dependencies, schema validation |
//! | [`gotmpl`] | Go's text/template (lexer, parser, executor, printing); imports nothing else |
//! | [`yaml`] | Helm-exact YAML: go-yaml v2 scalar rules on read, go-yaml's style on write |
//! | [`heap`] | the C allocator set up for a one-command process (huge pages, no mid-run trimming) |
//! | [`printer`], [`diagnostics`] | all output: data to stdout, status and errors to stderr |
//! | [`sandbox`] | `charter-sandbox`, a local Kubernetes API server for end-to-end tests (docs/sandbox.md); imports nothing else |
//!
//! Start reading at [`main`], then `commands/`.

pub mod actions;
pub mod chart;
pub mod cli;
pub mod commands;
pub mod diagnostics;
pub mod gotmpl;
pub mod heap;
pub mod kube;
pub mod printer;
pub mod registry;
pub mod release;
pub mod render;
pub mod repo;
pub mod sandbox;
pub mod settings;
pub mod threads;
pub mod values;
pub mod yaml;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::printer::Printer;

/// Parses the command line, runs the command and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return command_line_error(e),
    };
    repo::config::set_locations(repo::config::Locations {
        repository_config: cli.global.repository_config.clone(),
        repository_cache: cli.global.repository_cache.clone(),
        registry_config: cli.global.registry_config.clone(),
    });
    let printer = Printer {
        quiet: false,
        debug: cli.global.debug || std::env::var_os("HELM_DEBUG").is_some_and(|v| v == "true"),
    };
    let result = match &cli.command {
        Command::Lint(args) => commands::lint::run(args, &cli.global, &printer),
        Command::Show(args) => commands::show::run(args, &printer),
        Command::Template(args) => commands::template::run(args, &cli.global, &printer),

        Command::Version(args) => commands::version::run(args, &printer),
        Command::Repo(args) => commands::repo::run(args, &printer),
        Command::Search(args) => commands::search::run(args, &printer),
        Command::Pull(args) => commands::pull::run(args, &printer),
        Command::Package(args) => commands::package::run(args, &printer),
        Command::Dependency(args) => commands::dependency::run(args, &printer),
        Command::Create(args) => commands::create::run(args, &printer),
        Command::Push(args) => commands::push::run(args, &printer),
        Command::Registry(args) => commands::registry::run(args, &printer),
        Command::Verify(args) => commands::verify::run(args, &printer),
        Command::List(args) => commands::list::run(args, &cli.global, &printer),
        Command::History(args) => commands::history::run(args, &cli.global, &printer),
        Command::Status(args) => commands::status::run(args, &cli.global, &printer),
        Command::Get(args) => commands::get::run(args, &cli.global, &printer),
        Command::Install(args) => {
            commands::install::run(args, &cli.global, printer.debug, &printer)
        }
        Command::Upgrade(args) => {
            commands::upgrade::run(args, &cli.global, printer.debug, &printer)
        }
        Command::Rollback(args) => commands::upgrade::run_rollback(args, &cli.global, &printer),
        Command::Test(args) => commands::test::run(args, &cli.global, printer.debug, &printer),
        Command::Uninstall(args) => commands::uninstall::run(args, &cli.global, &printer),
        Command::Env(args) => commands::env::run(args, &cli.global, printer.debug, &printer),
        Command::Completion(args) => commands::completion::run(args, &printer),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            diagnostics::report(&err, printer.debug);
            ExitCode::FAILURE
        }
    }
}

/// A command line clap could not take: help and version print as clap prints
/// them; a mistake is reported as Helm reports one, `Error: ...` on stderr and
/// exit status 1 (clap's own would be `error: ...` and 2), with clap's usage
/// and tips after it.
fn command_line_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let mut stderr = std::io::stderr().lock();
    let _ = std::io::Write::write_all(&mut stderr, format!("Error: {text}").as_bytes());
    ExitCode::FAILURE
}
