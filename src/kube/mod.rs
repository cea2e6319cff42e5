//! The cluster: a connection made the way Helm makes one, from the kubeconfig files
//! (`--kubeconfig`/`KUBECONFIG`, a `:`-separated list merged in order, else
//! `~/.kube/config`), the context (`--kube-context`) and Helm's `--kube-*`
//! overrides (API server, bearer token, impersonation, CA file, TLS checks).
//!
//! kube-rs does the work: kubeconfig parsing and merging, client certificates,
//! `exec` credential plugins, token files, TLS (rustls with ring, as the rest of
//! charter). charter is synchronous outside the sandbox, so a [`Cluster`] owns a
//! small tokio runtime and callers block on it ([`Cluster::block_on`]). Only this
//! module and the release stores name kube-rs types.

pub mod objects;
pub mod ready;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::ApiResource;

pub use objects::{Cascade, Resource};

/// What the command line says about the cluster to reach (Helm's global flags).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// The kubeconfig files, merged in order (the first to set a value wins).
    pub kubeconfig: Vec<PathBuf>,
    /// `--kube-context`: the context to use instead of `current-context`.
    pub context: Option<String>,
    /// `--kube-apiserver`: the API server's address, over the kubeconfig's.
    pub apiserver: Option<String>,
    /// `--kube-token`: a bearer token, over the kubeconfig user's credentials.
    pub token: Option<String>,
    /// `--kube-as-user`: the user to impersonate.
    pub as_user: Option<String>,
    /// `--kube-as-group`: the groups to impersonate.
    pub as_groups: Vec<String>,
    /// `--kube-ca-file`: the certificate authority for the API server.
    pub ca_file: Option<PathBuf>,
    /// `--kube-insecure-skip-tls-verify`: do not check the server's certificate.
    pub insecure_skip_tls_verify: bool,
    /// `--kube-tls-server-name`: the name to check the server's certificate for.
    pub tls_server_name: Option<String>,
}

/// Why the cluster could not be reached or asked.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// The kubeconfig could not be read or names nothing usable.
    #[error("{0}")]
    Config(String),
    /// The API server did not answer (Helm's wording).
    #[error("Kubernetes cluster unreachable: {server}: {reason}")]
    Unreachable { server: String, reason: String },
    /// The API server answered a request with an error.
    #[error("{0}")]
    Api(String),
}

/// A client for one cluster, with the runtime its requests run on.
pub struct Cluster {
    runtime: tokio::runtime::Runtime,
    client: kube::Client,
    server: String,
    /// Kinds resolved by discovery: `apiVersion/kind` to the resource and
    /// whether it is namespaced.
    kinds: Mutex<HashMap<String, (ApiResource, bool)>>,
    /// The server's `gitVersion`, once asked (every command asks first).
    version: std::sync::OnceLock<String>,
}

impl Cluster {
    /// Reads the kubeconfig and applies the overrides; nothing is sent yet.
    pub fn connect(opts: &ConnectOptions) -> Result<Cluster, KubeError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("charter-kube")
            .enable_all()
            .build()
            .map_err(|e| KubeError::Config(format!("cannot start the cluster client: {e}")))?;
        let config = runtime.block_on(config(opts))?;
        let server = config.cluster_url.to_string();
        let server = server.trim_end_matches('/').to_string();
        let client = runtime.block_on(async {
            kube::Client::try_from(config).map_err(|e| {
                KubeError::Config(format!(
                    "cannot make a client for {server}: {}",
                    crate::diagnostics::error_chain(&e)
                ))
            })
        })?;
        Ok(Cluster {
            runtime,
            client,
            server,
            kinds: Mutex::new(HashMap::new()),
            version: std::sync::OnceLock::new(),
        })
    }

    /// The kube-rs client, for stores that speak to the API.
    pub fn client(&self) -> kube::Client {
        self.client.clone()
    }

    /// The API server's address, for messages.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The runtime the client's requests run on (a multi-thread runtime, so that
    /// `Handle::block_on` drives them from any thread).
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }

    /// Runs a request on the cluster's runtime and waits for it.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The server's version (`gitVersion`, e.g. `v1.33.0`).
    pub fn server_version(&self) -> Result<String, KubeError> {
        if let Some(v) = self.version.get() {
            return Ok(v.clone());
        }
        let v = self
            .block_on(self.client.apiserver_version())
            .map(|info| info.git_version)
            .map_err(|e| self.error(&e))?;
        Ok(self.version.get_or_init(|| v).clone())
    }

    /// Every API version the server serves, as Helm's `GetVersionSet` lists
    /// them: each `group/version` (`v1` for the core group) and each
    /// `group/version/Kind`.
    pub fn api_versions(&self) -> Result<Vec<String>, KubeError> {
        let discovery = self
            .block_on(kube::Discovery::new(self.client.clone()).run())
            .map_err(|e| self.error(&e))?;
        let mut out = Vec::new();
        for group in discovery.groups() {
            for version in group.versions() {
                let gv = if group.name().is_empty() {
                    version.to_string()
                } else {
                    format!("{}/{version}", group.name())
                };
                out.push(gv.clone());
                for (ar, _) in group.versioned_resources(version) {
                    out.push(format!("{gv}/{}", ar.kind));
                }
            }
        }
        Ok(out)
    }

    /// Asks the server for its version, as Helm does before listing releases:
    /// a clear "unreachable" error instead of one from the first real request.
    pub fn check_reachable(&self) -> Result<(), KubeError> {
        let info = self
            .block_on(self.client.apiserver_version())
            .map_err(|e| self.unreachable(&e))?;
        let _ = self.version.set(info.git_version);
        Ok(())
    }

    /// An error from kube-rs, worded as an unreachable server when it is one
    /// (no connection, TLS refused) and as the server's own answer otherwise.
    pub fn error(&self, e: &kube::Error) -> KubeError {
        match e {
            kube::Error::Api(status) => KubeError::Api(status.message.clone()),
            _ => self.unreachable(e),
        }
    }

    fn unreachable(&self, e: &kube::Error) -> KubeError {
        let reason = match e {
            kube::Error::Api(s) if s.code == 401 => {
                "the server has asked for the client to provide credentials (401 Unauthorized)"
                    .to_string()
            }
            kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
            other => crate::diagnostics::error_chain(other),
        };
        KubeError::Unreachable {
            server: self.server.clone(),
            reason,
        }
    }
}

/// kube-rs's configuration from the kubeconfig files and Helm's overrides.
async fn config(opts: &ConnectOptions) -> Result<kube::Config, KubeError> {
    let mut merged: Option<Kubeconfig> = None;
    for path in &opts.kubeconfig {
        if !path.exists() {
            continue;
        }
        let file = Kubeconfig::read_from(path).map_err(|e| {
            KubeError::Config(format!(
                "cannot read kubeconfig {}: {}",
                path.display(),
                crate::diagnostics::error_chain(&e)
            ))
        })?;
        merged = Some(match merged {
            None => file,
            Some(m) => m.merge(file).map_err(|e| {
                KubeError::Config(format!(
                    "cannot merge kubeconfig {}: {}",
                    path.display(),
                    crate::diagnostics::error_chain(&e)
                ))
            })?,
        });
    }
    let options = KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let mut config = match (merged, &opts.apiserver) {
        (Some(kc), _) if opts.apiserver.is_none() || !kc.contexts.is_empty() => {
            kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| {
                    KubeError::Config(format!(
                        "invalid kubeconfig ({}): {}",
                        describe(&opts.kubeconfig),
                        crate::diagnostics::error_chain(&e)
                    ))
                })?
        }
        (_, Some(server)) => {
            kube::Config::new(server.parse().map_err(|e| {
                KubeError::Config(format!("invalid --kube-apiserver {server:?}: {e}"))
            })?)
        }
        (_, None) => {
            return Err(KubeError::Config(format!(
                "Kubernetes cluster unreachable: no kubeconfig found ({}); set KUBECONFIG, --kubeconfig or --kube-apiserver",
                describe(&opts.kubeconfig)
            )));
        }
    };
    if let Some(server) = &opts.apiserver {
        config.cluster_url = server
            .parse()
            .map_err(|e| KubeError::Config(format!("invalid --kube-apiserver {server:?}: {e}")))?;
    }
    if let Some(token) = &opts.token {
        config.auth_info.token = Some(token.clone().into());
        config.auth_info.token_file = None;
        config.auth_info.exec = None;
        config.auth_info.auth_provider = None;
        config.auth_info.username = None;
        config.auth_info.password = None;
    }
    if let Some(user) = &opts.as_user {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !opts.as_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(opts.as_groups.clone());
    }
    if let Some(ca) = &opts.ca_file {
        let pem = std::fs::read(ca).map_err(|e| {
            KubeError::Config(format!("cannot read --kube-ca-file {}: {e}", ca.display()))
        })?;
        config.root_cert = Some(
            pem_certificates(&pem)
                .map_err(|e| KubeError::Config(format!("--kube-ca-file {}: {e}", ca.display())))?,
        );
    }
    if opts.insecure_skip_tls_verify {
        config.accept_invalid_certs = true;
    }
    if let Some(name) = &opts.tls_server_name {
        config.tls_server_name = Some(name.clone());
    }
    Ok(config)
}

/// The DER certificates in a PEM file.
fn pem_certificates(pem: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let text = std::str::from_utf8(pem).map_err(|_| "not a PEM file".to_string())?;
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            body = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            let b = body.take().ok_or("END without BEGIN")?;
            use base64::Engine;
            out.push(
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| format!("bad certificate: {e}"))?,
            );
        } else if let Some(b) = body.as_mut() {
            b.push_str(line);
        }
    }
    if out.is_empty() {
        return Err("no certificate in it".into());
    }
    Ok(out)
}

fn describe(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "no path".into();
    }
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_certificates_are_read_in_order_and_garbage_is_refused() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\nx\n-----BEGIN CERTIFICATE-----\nAwQ=\n-----END CERTIFICATE-----\n";
        assert_eq!(
            pem_certificates(pem.as_bytes()).unwrap(),
            vec![vec![0, 1, 2], vec![3, 4]]
        );
        assert!(pem_certificates(b"hello").is_err());
        assert!(
            pem_certificates(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----")
                .is_err()
        );
    }

    #[test]
    fn no_kubeconfig_and_no_server_is_a_clear_error() {
        let opts = ConnectOptions {
            kubeconfig: vec![PathBuf::from("/nonexistent/kubeconfig")],
            ..Default::default()
        };
        let err = Cluster::connect(&opts).err().unwrap().to_string();
        assert!(err.contains("no kubeconfig found"), "{err}");
        assert!(err.contains("/nonexistent/kubeconfig"), "{err}");
    }
}
