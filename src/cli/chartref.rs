//! `ChartRefArgs`: the flags Helm's `addChartPathOptionsFlags` gives `show`,
//! `template` (and `install`/`upgrade`) to find a chart that is not a local path.

use clap::Args;

use crate::actions::locate::ChartRefOptions;

// How to find and download a chart reference (`repo/chart`, `--repo`, `oci://`).
// A plain comment: clap would take a doc comment as the about text of the
// commands that flatten it.
#[derive(Debug, Args, Clone, Default)]
pub struct ChartRefArgs {
    /// specify a version constraint for the chart version to use. This constraint can be a specific tag (e.g. 1.1.1) or it may reference a valid range (e.g. ^2.0.0). If this is not specified, the latest version is used
    #[arg(long, default_value = "")]
    pub version: String,
    /// use development versions, too. Equivalent to version '>0.0.0-0'. If --version is set, this is ignored
    #[arg(long)]
    pub devel: bool,
    /// chart repository url where to locate the requested chart
    #[arg(long, default_value = "")]
    pub repo: String,
    /// chart repository username where to locate the requested chart
    #[arg(long, default_value = "")]
    pub username: String,
    /// chart repository password where to locate the requested chart
    #[arg(long, default_value = "")]
    pub password: String,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long, default_value = "")]
    pub ca_file: String,
    /// identify HTTPS client using this SSL certificate file
    #[arg(long, default_value = "")]
    pub cert_file: String,
    /// identify HTTPS client using this SSL key file
    #[arg(long, default_value = "")]
    pub key_file: String,
    /// skip tls certificate checks for the chart download
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// use insecure HTTP connections for the chart download
    #[arg(long)]
    pub plain_http: bool,
    /// verify the package before using it
    #[arg(long)]
    pub verify: bool,
    /// location of public keys used for verification
    #[arg(long)]
    pub keyring: Option<std::path::PathBuf>,
}

impl ChartRefArgs {
    /// The typed options the `locate` action takes.
    pub fn options(&self) -> ChartRefOptions {
        ChartRefOptions {
            version: self.version.clone(),
            devel: self.devel,
            repo_url: self.repo.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            plain_http: self.plain_http,
            verify: self.verify,
            keyring: self
                .keyring
                .clone()
                .unwrap_or_else(crate::settings::default_keyring),
        }
    }
}

// The connection flags Helm gives the commands that reach a registry or
// repository directly (`push`, `dependency update|build`). A plain comment: clap
// would take a doc comment as the about text of the commands that flatten it.
#[derive(Debug, Args, Clone, Default)]
pub struct TransportArgs {
    /// identify the client using this SSL certificate file
    #[arg(long, default_value = "")]
    pub cert_file: String,
    /// identify the client using this SSL key file
    #[arg(long, default_value = "")]
    pub key_file: String,
    /// verify certificates of HTTPS-enabled servers using this CA bundle
    #[arg(long, default_value = "")]
    pub ca_file: String,
    /// skip tls certificate checks for the transfer
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// use insecure HTTP connections for the transfer
    #[arg(long)]
    pub plain_http: bool,
    /// chart repository username where to locate the requested chart
    #[arg(long, default_value = "")]
    pub username: String,
    /// chart repository password where to locate the requested chart
    #[arg(long, default_value = "")]
    pub password: String,
}

impl TransportArgs {
    /// The typed options the registry actions take.
    pub fn registry_options(&self) -> crate::actions::registry::RegistryOptions {
        crate::actions::registry::RegistryOptions {
            plain_http: self.plain_http,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ca_file: self.ca_file.clone(),
            cert_file: self.cert_file.clone(),
            key_file: self.key_file.clone(),
            username: self.username.clone(),
            password: self.password.clone(),
        }
    }
}
