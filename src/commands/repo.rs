//! `charter repo add|list|update|remove|index`: Helm's repository commands, with
//! Helm's flags and messages.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};

use crate::actions::repo::{self, AddOutcome, RepoPaths};
use crate::printer::Printer;
use crate::repo::config::Entry;

#[derive(Debug, Args)]
pub struct RepoArgs {
    #[command(subcommand)]
    pub command: RepoCommand,
}

#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// add a chart repository
    Add(AddArgs),
    /// list chart repositories
    #[command(alias = "ls")]
    List(ListArgs),
    /// update information of available charts locally from chart repositories
    #[command(alias = "up")]
    Update(UpdateArgs),
    /// remove one or more chart repositories
    #[command(alias = "rm")]
    Remove(RemoveArgs),
    /// generate an index file given a directory containing packaged charts
    Index(IndexArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    pub name: String,
    pub url: String,
    /// chart repository username
    #[arg(long, default_value = "")]
    pub username: String,
    /// chart repository password
    #[arg(long, default_value = "")]
    pub password: String,
    /// read chart repository password from stdin
    #[arg(long)]
    pub password_stdin: bool,
    /// pass credentials to all domains
    #[arg(long)]
    pub pass_credentials: bool,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long, default_value = "")]
    pub ca_file: String,
    /// identify HTTPS client using this SSL certificate file
    #[arg(long, default_value = "")]
    pub cert_file: String,
    /// identify HTTPS client using this SSL key file
    #[arg(long, default_value = "")]
    pub key_file: String,
    /// skip tls certificate checks for the repository
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// replace (overwrite) the repo if it already exists
    #[arg(long)]
    pub force_update: bool,
    /// Ignored. Formerly, it would disabled forced updates. It is deprecated by force-update.
    #[arg(long)]
    pub no_update: bool,
    /// allow adding deprecated official repos
    #[arg(long)]
    pub allow_deprecated_repos: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    pub repos: Vec<String>,
    /// update fails if any of the repository updates fail
    #[arg(long)]
    pub fail_on_repo_update_fail: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[arg(required = true)]
    pub names: Vec<String>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    pub dir: PathBuf,
    /// url of chart repository
    #[arg(long, default_value = "")]
    pub url: String,
    /// merge the generated index into the given index
    #[arg(long)]
    pub merge: Option<PathBuf>,
    /// output in JSON format
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &RepoArgs, out: &Printer) -> Result<()> {
    let paths = RepoPaths::from_env();
    let mut warn = |w: String| out.warn(&w);
    match &args.command {
        RepoCommand::Add(a) => {
            let mut password = a.password.clone();
            if a.password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading password from stdin")?;
                password = s.trim_end_matches(['\r', '\n']).to_string();
            }
            if !a.username.is_empty() && password.is_empty() && !a.password_stdin {
                bail!("password required: use --password or --password-stdin with --username");
            }
            let entry = Entry {
                name: a.name.clone(),
                url: a.url.clone(),
                username: a.username.clone(),
                password,
                cert_file: a.cert_file.clone(),
                key_file: a.key_file.clone(),
                ca_file: a.ca_file.clone(),
                insecure_skip_tls_verify: a.insecure_skip_tls_verify,
                pass_credentials_all: a.pass_credentials,
            };
            match repo::add(&paths, entry, a.force_update, &mut warn)? {
                AddOutcome::Added => out.data(&format!(
                    "{:?} has been added to your repositories\n",
                    a.name
                )),
                AddOutcome::AlreadyPresent => out.data(&format!(
                    "{:?} already exists with the same configuration, skipping\n",
                    a.name
                )),
            }
        }
        RepoCommand::List(l) => {
            let file = repo::configured(&paths, "no repositories to show")?;
            let rows: Vec<(String, String)> = file
                .repositories
                .iter()
                .map(|e| (e.name.clone(), e.url.clone()))
                .collect();
            match l.output.as_str() {
                "json" | "yaml" => {
                    let list = crate::gotmpl::Value::list(
                        rows.iter()
                            .map(|(n, u)| {
                                let mut m = crate::gotmpl::Map::new();
                                m.insert("name".into(), crate::gotmpl::Value::str(n));
                                m.insert("url".into(), crate::gotmpl::Value::str(u));
                                crate::gotmpl::Value::map(m)
                            })
                            .collect(),
                    );
                    out.data(&crate::commands::search::encode(&list, &l.output)?);
                }
                _ => {
                    let mut table = vec![vec!["NAME".to_string(), "URL".to_string()]];
                    table.extend(rows.into_iter().map(|(n, u)| vec![n, u]));
                    out.data(&crate::printer::table(&table, usize::MAX));
                }
            }
        }
        RepoCommand::Update(u) => {
            let results = repo::update(&paths, &u.repos)?;
            out.data("Hang tight while we grab the latest from your chart repositories...\n");
            let mut failed = Vec::new();
            for (e, r) in results {
                match r {
                    Ok(()) => out.data(&format!(
                        "...Successfully got an update from the {:?} chart repository\n",
                        e.name
                    )),
                    Err(err) => {
                        out.data(&format!("...Unable to get an update from the {:?} chart repository ({}):\n\t{:#}\n", e.name, e.url, err));
                        failed.push(e.url);
                    }
                }
            }
            if !failed.is_empty() && u.fail_on_repo_update_fail {
                bail!(
                    "Failed to update the following repositories: [{}]",
                    failed.join(" ")
                );
            }
            out.data("Update Complete. ⎈Happy Helming!⎈\n");
        }
        RepoCommand::Remove(r) => {
            for n in repo::remove(&paths, &r.names)? {
                out.data(&format!("{n:?} has been removed from your repositories\n"));
            }
        }
        RepoCommand::Index(i) => {
            let merge = i.merge.as_deref();
            repo::index_dir(&i.dir, &i.url, merge, i.json, &mut warn)?;
        }
    }
    Ok(())
}
