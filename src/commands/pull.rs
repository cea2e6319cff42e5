//! `charter pull CHART` (alias `fetch`): download a chart from a repository or registry.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::actions::pull::{PullOptions, pull};
use crate::actions::repo::RepoPaths;
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct PullArgs {
    #[arg(required = true)]
    pub charts: Vec<String>,
    /// chart repository url where to locate the requested chart
    #[arg(long, default_value = "")]
    pub repo: String,
    /// specify a version constraint for the chart version to use
    #[arg(long, default_value = "")]
    pub version: String,
    /// use development versions, too
    #[arg(long)]
    pub devel: bool,
    /// location to write the chart
    #[arg(short = 'd', long, default_value = ".")]
    pub destination: PathBuf,
    /// if set to true, will untar the chart after downloading it
    #[arg(long)]
    pub untar: bool,
    /// if untar is specified, this flag specifies the name of the directory into which the chart is expanded
    #[arg(long, default_value = ".")]
    pub untardir: String,
    /// chart repository username where to locate the requested chart
    #[arg(long, default_value = "")]
    pub username: String,
    /// chart repository password where to locate the requested chart
    #[arg(long, default_value = "")]
    pub password: String,
    /// skip tls certificate checks for the chart download
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long, default_value = "")]
    pub ca_file: String,
    /// identify HTTPS client using this SSL certificate file
    #[arg(long, default_value = "")]
    pub cert_file: String,
    /// identify HTTPS client using this SSL key file
    #[arg(long, default_value = "")]
    pub key_file: String,
    /// use insecure HTTP connections for the chart download
    #[arg(long)]
    pub plain_http: bool,
    /// verify the package before using it
    #[arg(long)]
    pub verify: bool,
    /// fetch the provenance file, but don't perform verification
    #[arg(long)]
    pub prov: bool,
    /// location of public keys used for verification [default: $GNUPGHOME/pubring.gpg or ~/.gnupg/pubring.gpg]
    #[arg(long)]
    pub keyring: Option<PathBuf>,
}

pub fn run(args: &PullArgs, out: &Printer) -> Result<()> {
    let paths = RepoPaths::from_env();
    for chart in &args.charts {
        let opts = PullOptions {
            chart: chart.clone(),
            repo_url: args.repo.clone(),
            version: args.version.clone(),
            devel: args.devel,
            destination: args.destination.clone(),
            untar: args.untar,
            untardir: args.untardir.clone(),
            username: args.username.clone(),
            password: args.password.clone(),
            insecure_skip_tls_verify: args.insecure_skip_tls_verify,
            ca_file: args.ca_file.clone(),
            cert_file: args.cert_file.clone(),
            key_file: args.key_file.clone(),
            plain_http: args.plain_http,
            verify: args.verify,
            prov: args.prov,
            keyring: args
                .keyring
                .clone()
                .unwrap_or_else(crate::settings::default_keyring),
        };
        let pulled = pull(&paths, &opts, &mut |w| out.warn(&w), &mut |s| {
            out.status(&s)
        })?;
        if let Some(v) = pulled.verification {
            out.data(&v.report());
        }
    }
    Ok(())
}
