//! `charter package CHART_PATH...`: package chart directories into archives,
//! and with `--sign` write each archive's `.prov` file.

use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;

use crate::actions::package::{PackageOptions, load_signer, package, sign_archive};
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
    /// use a PGP private key to sign this package
    #[arg(long)]
    pub sign: bool,
    /// name of the key to use when signing. Used if --sign is true
    #[arg(long, default_value = "")]
    pub key: String,
    /// location of a public keyring [default: $GNUPGHOME/pubring.gpg or ~/.gnupg/pubring.gpg]
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// location of a file which contains the passphrase for the signing key. Use "-" in order to read from stdin.
    #[arg(long, default_value = "")]
    pub passphrase_file: String,
    /// update dependencies from "Chart.yaml" to dir "charts/" before packaging
    #[arg(short = 'u', long)]
    pub dependency_update: bool,
}

pub fn run(args: &PackageArgs, out: &Printer) -> Result<()> {
    let signer = if args.sign {
        if args.key.is_empty() {
            bail!("--key is required for signing a package");
        }
        let keyring = args
            .keyring
            .clone()
            .unwrap_or_else(crate::settings::default_keyring);
        if keyring.as_os_str().is_empty() {
            bail!("--keyring is required for signing a package");
        }
        let file = args.passphrase_file.clone();
        Some(load_signer(&keyring, &args.key, &mut |name| {
            passphrase(&file, name)
        })?)
    } else {
        None
    };
    let opts = PackageOptions {
        version: args.version.clone(),
        app_version: args.app_version.clone(),
        destination: args.destination.clone(),
    };
    for p in &args.paths {
        if args.dependency_update {
            crate::actions::dependency::update(
                &crate::actions::repo::RepoPaths::from_env(),
                p,
                &crate::actions::dependency::DependencyOptions {
                    debug: out.debug,
                    ..Default::default()
                },
                &mut |s| out.data(s),
            )?;
        }
        let path = package(p, &opts)?;
        if let Some(s) = &signer {
            sign_archive(s, &path)?;
        }
        out.data(&format!(
            "Successfully packaged chart and saved it to: {}\n",
            path.display()
        ));
    }
    Ok(())
}

/// The passphrase of an encrypted signing key: the first line of
/// `--passphrase-file` (`-` is stdin), else `HELM_KEY_PASSPHRASE`, else a prompt
/// on the terminal as Helm shows it.
fn passphrase(file: &str, key_name: &str) -> Result<Vec<u8>> {
    let first_line = |mut r: Box<dyn BufRead>, what: &str| -> Result<Vec<u8>> {
        let mut line = Vec::new();
        r.read_until(b'\n', &mut line)
            .with_context(|| format!("reading the passphrase from {what}"))?;
        if line.is_empty() {
            bail!("reading the passphrase from {what}: EOF (no passphrase given)");
        }
        if line.ends_with(b"\n") {
            line.pop();
            if line.ends_with(b"\r") {
                line.pop();
            }
        }
        Ok(line)
    };
    if file == "-" {
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            bail!("specified reading passphrase from stdin, without input on stdin");
        }
        return first_line(Box::new(stdin.lock()), "stdin");
    }
    if !file.is_empty() {
        let f = std::fs::File::open(file)
            .map_err(|e| anyhow!("open {file}: {}", crate::chart::provenance::io_reason(&e)))?;
        return first_line(
            Box::new(std::io::BufReader::new(f.take(1 << 20))),
            &format!("--passphrase-file {file}"),
        );
    }
    if let Some(p) = std::env::var_os(crate::settings::KEY_PASSPHRASE_ENV) {
        return Ok(p.into_encoded_bytes());
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "the signing key {key_name:?} is protected by a passphrase: give it with --passphrase-file or {}",
            crate::settings::KEY_PASSPHRASE_ENV
        );
    }
    let p = rpassword::prompt_password(format!("Password for key {key_name:?} >  "))
        .context("reading the passphrase from the terminal")?;
    Ok(p.into_bytes())
}
