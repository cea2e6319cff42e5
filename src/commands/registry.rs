//! `charter registry login HOST` and `charter registry logout HOST`.

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use crate::actions::registry::{LoginOptions, login, logout};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct RegistryArgs {
    #[command(subcommand)]
    pub command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// login to a registry
    Login(LoginArgs),
    /// logout from a registry
    Logout(LogoutArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// the registry host (host[:port])
    pub host: String,
    /// registry username
    #[arg(short = 'u', long, default_value = "")]
    pub username: String,
    /// registry password or identity token
    #[arg(short = 'p', long, default_value = "")]
    pub password: String,
    /// read password or identity token from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// allow connections to TLS registry without certs
    #[arg(long)]
    pub insecure: bool,
    /// identify registry client using this SSL certificate file
    #[arg(long, default_value = "")]
    pub cert_file: String,
    /// identify registry client using this SSL key file
    #[arg(long, default_value = "")]
    pub key_file: String,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long, default_value = "")]
    pub ca_file: String,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// the registry host (host[:port])
    pub host: String,
}

pub fn run(args: &RegistryArgs, out: &Printer) -> Result<()> {
    match &args.command {
        RegistryCommand::Login(a) => {
            let (username, password) = credentials(a, out)?;
            login(&LoginOptions {
                host: a.host.clone(),
                username,
                password,
                insecure: a.insecure,
                cert_file: a.cert_file.clone(),
                key_file: a.key_file.clone(),
                ca_file: a.ca_file.clone(),
            })?;
            out.status("Login Succeeded");
        }
        RegistryCommand::Logout(a) => {
            logout(&a.host)?;
            out.status(&format!("Removing login credentials for {}", a.host));
        }
    }
    Ok(())
}

/// Helm's `getUsernamePassword`: `--password-stdin`, `-p` (with a warning), or prompts.
fn credentials(a: &LoginArgs, out: &Printer) -> Result<(String, String)> {
    let mut username = a.username.clone();
    if a.password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the password from stdin")?;
        let password = text.strip_suffix('\n').unwrap_or(&text);
        let password = password.strip_suffix('\r').unwrap_or(password);
        return Ok((username, password.to_string()));
    }
    if !a.password.is_empty() {
        out.warn("Using --password via the CLI is insecure. Use --password-stdin.");
        return Ok((username, a.password.clone()));
    }
    if username.is_empty() {
        username = prompt("Username: ", false)?.trim().to_string();
    }
    let (label, what) = if username.is_empty() {
        ("Token: ", "token")
    } else {
        ("Password: ", "password")
    };
    let password = prompt(label, true)?;
    if password.is_empty() {
        bail!("{what} required");
    }
    Ok((username, password))
}

/// Prints `label` and reads one line; with `silent` on a terminal, echo is off.
fn prompt(label: &str, silent: bool) -> Result<String> {
    print!("{label}");
    let _ = std::io::stdout().flush();
    let hide = silent && std::io::stdin().is_terminal();
    let stty = |arg: &str| {
        let _ = std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status();
    };
    if hide {
        stty("-echo");
    }
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if hide {
        stty("echo");
        println!();
    }
    read.context("reading from stdin")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}
