//! `charter env`: the `HELM_*` settings in effect, printed as Helm prints them
//! (sorted `KEY="value"` lines, or one value). Helm plugins read these; `HELM_BIN`
//! names charter, which takes Helm's command line.

use anyhow::Result;
use clap::Args;

use crate::cli::GlobalArgs;
use crate::printer::Printer;
use crate::repo::config;

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// print only this variable's value
    #[arg(value_name = "VAR")]
    pub name: Option<String>,
}

pub fn run(args: &EnvArgs, global: &GlobalArgs, debug: bool, out: &Printer) -> Result<()> {
    let vars = vars(global, debug);
    match &args.name {
        // An unknown name prints an empty line, as in Helm.
        Some(name) => out.data(&format!(
            "{}\n",
            vars.get(name.as_str()).map(String::as_str).unwrap_or("")
        )),
        None => {
            let mut text = String::new();
            for (k, v) in &vars {
                text.push_str(&format!("{k}=\"{v}\"\n"));
            }
            out.data(&text);
        }
    }
    Ok(())
}

/// Helm's `EnvSettings.EnvVars`, sorted by name.
pub fn vars(global: &GlobalArgs, debug: bool) -> std::collections::BTreeMap<&'static str, String> {
    let path = |p: std::path::PathBuf| p.display().to_string();
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let data = config::data_home();
    let plugins = std::env::var("HELM_PLUGINS")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| path(data.join("plugins")));
    let max_history = std::env::var("HELM_MAX_HISTORY")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(10);
    let mut vars = std::collections::BTreeMap::from([
        (
            "HELM_BIN",
            std::env::args().next().unwrap_or_else(|| "charter".into()),
        ),
        ("HELM_CACHE_HOME", path(config::cache_home())),
        ("HELM_CONFIG_HOME", path(config::config_home())),
        ("HELM_DATA_HOME", path(data)),
        ("HELM_DEBUG", debug.to_string()),
        ("HELM_PLUGINS", plugins),
        ("HELM_REGISTRY_CONFIG", path(config::registry_config())),
        ("HELM_REPOSITORY_CACHE", path(config::repository_cache())),
        ("HELM_REPOSITORY_CONFIG", path(config::repository_config())),
        ("HELM_NAMESPACE", crate::settings::namespace(global)),
        ("HELM_MAX_HISTORY", max_history.to_string()),
        ("HELM_BURST_LIMIT", global.burst_limit.to_string()),
        ("HELM_QPS", format!("{:.2}", global.qps)),
        ("HELM_KUBECONTEXT", opt(&global.kube_context)),
        ("HELM_KUBETOKEN", opt(&global.kube_token)),
        ("HELM_KUBEASUSER", opt(&global.kube_as_user)),
        ("HELM_KUBEASGROUPS", global.kube_as_group.join(",")),
        ("HELM_KUBEAPISERVER", opt(&global.kube_apiserver)),
        (
            "HELM_KUBECAFILE",
            global
                .kube_ca_file
                .as_ref()
                .map(|p| path(p.clone()))
                .unwrap_or_default(),
        ),
        (
            "HELM_KUBEINSECURE_SKIP_TLS_VERIFY",
            global.kube_insecure_skip_tls_verify.to_string(),
        ),
        (
            "HELM_KUBETLS_SERVER_NAME",
            opt(&global.kube_tls_server_name),
        ),
    ]);
    if let Some(k) = global.kubeconfig.as_ref().filter(|k| !k.is_empty()) {
        vars.insert("KUBECONFIG", k.clone());
    }
    vars
}
