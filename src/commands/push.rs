//! `charter push CHART.tgz oci://REGISTRY/PATH`: upload a packaged chart.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::actions::registry::{PushOptions, RegistryOptions, push};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct PushArgs {
    /// the packaged chart (.tgz)
    pub chart: PathBuf,
    /// the registry and path to push under (oci://host/path)
    pub remote: String,
    /// identify registry client using this SSL certificate file
    #[arg(long, default_value = "")]
    pub cert_file: String,
    /// identify registry client using this SSL key file
    #[arg(long, default_value = "")]
    pub key_file: String,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long, default_value = "")]
    pub ca_file: String,
    /// skip tls certificate checks for the chart upload
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// use insecure HTTP connections for the chart upload
    #[arg(long)]
    pub plain_http: bool,
    /// chart repository username where to locate the requested chart
    #[arg(long, default_value = "")]
    pub username: String,
    /// chart repository password where to locate the requested chart
    #[arg(long, default_value = "")]
    pub password: String,
}

pub fn run(args: &PushArgs, out: &Printer) -> Result<()> {
    let opts = PushOptions {
        chart: args.chart.clone(),
        remote: args.remote.clone(),
        registry: RegistryOptions {
            plain_http: args.plain_http,
            insecure_skip_tls_verify: args.insecure_skip_tls_verify,
            ca_file: args.ca_file.clone(),
            cert_file: args.cert_file.clone(),
            key_file: args.key_file.clone(),
            username: args.username.clone(),
            password: args.password.clone(),
        },
    };
    let done = push(&opts)?;
    // Helm's registry client writes these to stderr.
    for line in done.lines("Pushed") {
        out.status(&line);
    }
    Ok(())
}
