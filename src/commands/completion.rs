//! `charter completion bash|zsh|fish|powershell`: a completion script for the
//! shell, generated from charter's own command tree by clap_complete (Helm's
//! scripts come from cobra and call `helm __complete`; charter's complete the same
//! commands and flags statically, without asking the binary or a cluster).

use anyhow::Result;
use clap::{Args, CommandFactory, Subcommand};
use clap_complete::Shell;

use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct CompletionArgs {
    #[command(subcommand)]
    pub shell: ShellCommand,
}

#[derive(Debug, Subcommand)]
pub enum ShellCommand {
    /// generate autocompletion script for bash
    Bash(ShellArgs),
    /// generate autocompletion script for zsh
    Zsh(ShellArgs),
    /// generate autocompletion script for fish
    Fish(ShellArgs),
    /// generate autocompletion script for powershell
    Powershell(ShellArgs),
}

#[derive(Debug, Args)]
pub struct ShellArgs {
    /// disable completion descriptions
    #[arg(long)]
    pub no_descriptions: bool,
}

pub fn run(args: &CompletionArgs, out: &Printer) -> Result<()> {
    let (shell, opts) = match &args.shell {
        ShellCommand::Bash(o) => (Shell::Bash, o),
        ShellCommand::Zsh(o) => (Shell::Zsh, o),
        ShellCommand::Fish(o) => (Shell::Fish, o),
        ShellCommand::Powershell(o) => (Shell::PowerShell, o),
    };
    let mut cmd = crate::cli::Cli::command();
    cmd.build();
    if opts.no_descriptions {
        cmd = without_descriptions(cmd);
    }
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "charter", &mut script);
    out.data(&String::from_utf8_lossy(&script));
    Ok(())
}

/// The command tree with every command's and flag's help text removed.
fn without_descriptions(cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    let mut cmd = cmd.about(None::<&str>).long_about(None::<&str>);
    for id in ids {
        cmd = cmd.mut_arg(id, |a| a.help(None::<&str>).long_help(None::<&str>));
    }
    for name in names {
        cmd = cmd.mut_subcommand(name, without_descriptions);
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_the_commands_and_flags() {
        let mut cmd = crate::cli::Cli::command();
        cmd.build();
        let mut script = Vec::new();
        clap_complete::generate(Shell::Bash, &mut cmd, "charter", &mut script);
        let script = String::from_utf8(script).unwrap();
        for word in [
            "template",
            "dependency",
            "--show-only",
            "--kube-context",
            "history",
        ] {
            assert!(script.contains(word), "{word} missing");
        }
        let mut bare = without_descriptions(cmd);
        let mut fish = Vec::new();
        clap_complete::generate(Shell::Fish, &mut bare, "charter", &mut fish);
        let fish = String::from_utf8(fish).unwrap();
        assert!(fish.contains("template"));
        assert!(
            !fish.contains("locally render templates"),
            "descriptions kept"
        );
    }
}
