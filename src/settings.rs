//! Settings from the environment and the kubeconfig, in one place.
//!
//! Environment variables honoured (as Helm honours them): `HELM_NAMESPACE` (via
//! `--namespace`), `HELM_KUBECONTEXT` (via `--kube-context`), `KUBECONFIG` (via
//! `--kubeconfig`, a `:`-separated list), `HELM_DEBUG`, `GNUPGHOME` (where the
//! default `--keyring` lives), and `HELM_KEY_PASSPHRASE` (the signing key's
//! passphrase for `package --sign` when no `--passphrase-file` is given; Helm 2
//! read it, Helm 3 prompts instead, and charter prompts when it is unset).
//! For the cluster: `HELM_KUBEAPISERVER`, `HELM_KUBETOKEN`, `HELM_KUBEASUSER`,
//! `HELM_KUBEASGROUPS`, `HELM_KUBECAFILE`, `HELM_KUBEINSECURE_SKIP_TLS_VERIFY`,
//! `HELM_KUBETLS_SERVER_NAME`, `HELM_BURST_LIMIT`, `HELM_QPS` (via their flags) and
//! `HELM_DRIVER` (where releases are kept: `secret`, the default, or `configmap`).

use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::gotmpl::Value;

/// The signing key's passphrase, when no `--passphrase-file` names one.
pub const KEY_PASSPHRASE_ENV: &str = "HELM_KEY_PASSPHRASE";

/// Helm's default `--keyring`: `$GNUPGHOME/pubring.gpg`, else `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> PathBuf {
    if let Some(home) = std::env::var_os("GNUPGHOME") {
        return PathBuf::from(home).join("pubring.gpg");
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".gnupg")
        .join("pubring.gpg")
}

/// The namespace a command works in: `-n`, else the kubeconfig context's
/// namespace, else `default` (Helm's rule).
pub fn namespace(global: &GlobalArgs) -> String {
    if let Some(ns) = global.namespace.as_deref().filter(|n| !n.is_empty()) {
        return ns.to_string();
    }
    context_namespace(global).unwrap_or_else(|| "default".to_string())
}

/// The kubeconfig files in effect: `--kubeconfig`/`KUBECONFIG` (a list), else
/// `~/.kube/config`.
pub fn kubeconfig_paths(global: &GlobalArgs) -> Vec<PathBuf> {
    match global.kubeconfig.as_deref().filter(|k| !k.is_empty()) {
        Some(list) => std::env::split_paths(list).collect(),
        None => std::env::var_os("HOME")
            .map(|h| vec![PathBuf::from(h).join(".kube").join("config")])
            .unwrap_or_default(),
    }
}

fn context_namespace(global: &GlobalArgs) -> Option<String> {
    let docs: Vec<Value> = kubeconfig_paths(global)
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| crate::yaml::parse_value(&t).ok())
        .collect();
    let current = match &global.kube_context {
        Some(c) => c.clone(),
        None => docs.iter().find_map(|d| {
            d.as_map()?
                .get("current-context")?
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })?,
    };
    docs.iter().find_map(|d| {
        let contexts = d.as_map()?.get("contexts")?.as_list()?;
        contexts.iter().find_map(|c| {
            let c = c.as_map()?;
            if c.get("name")?.as_str()? != current {
                return None;
            }
            c.get("context")?
                .as_map()?
                .get("namespace")?
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
    })
}

/// The cluster to reach, from the kubeconfig and Helm's `--kube-*` flags (each
/// also read from its `HELM_KUBE*` variable by the command line).
pub fn connect_options(global: &GlobalArgs) -> crate::kube::ConnectOptions {
    let nonempty = |o: &Option<String>| o.clone().filter(|s| !s.is_empty());
    crate::kube::ConnectOptions {
        kubeconfig: kubeconfig_paths(global),
        context: nonempty(&global.kube_context),
        apiserver: nonempty(&global.kube_apiserver),
        token: nonempty(&global.kube_token),
        as_user: nonempty(&global.kube_as_user),
        as_groups: global
            .kube_as_group
            .iter()
            .filter(|g| !g.is_empty())
            .cloned()
            .collect(),
        ca_file: global
            .kube_ca_file
            .clone()
            .filter(|p| !p.as_os_str().is_empty()),
        insecure_skip_tls_verify: global.kube_insecure_skip_tls_verify,
        tls_server_name: nonempty(&global.kube_tls_server_name),
    }
}

/// The release storage driver, from `HELM_DRIVER` (Secrets when unset).
pub fn release_driver() -> Result<crate::release::Driver, crate::release::StoreError> {
    crate::release::Driver::from_name(&std::env::var("HELM_DRIVER").unwrap_or_default())
}

/// `--timeout`: a Go duration (`5m0s`, `90s`), worded as Helm's flag parser
/// words a bad one.
pub fn timeout(text: &str) -> anyhow::Result<std::time::Duration> {
    let nanos = crate::render::sprig::parse_duration(text)
        .map_err(|e| anyhow::anyhow!("invalid argument {text:?} for \"--timeout\" flag: {e}"))?;
    Ok(std::time::Duration::from_nanos(nanos.max(0) as u64))
}

/// `-l/--labels`: `key=value` pairs (each flag may hold several, comma-separated).
pub fn labels(list: &[String]) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let mut out = std::collections::BTreeMap::new();
    for l in list.iter().filter(|l| !l.is_empty()) {
        let (k, v) = l.split_once('=').ok_or_else(|| {
            anyhow::anyhow!(
                "invalid argument {l:?} for \"-l, --labels\" flag: {l} must be formatted as key=value"
            )
        })?;
        out.insert(k.to_string(), v.to_string());
    }
    Ok(out)
}
