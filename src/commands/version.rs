//! `charter version`: the client's version, in Helm's shapes.

use clap::Args;

use crate::printer::Printer;

/// The Helm version charter renders as (`.Capabilities.HelmVersion`).
pub const HELM_COMPAT_VERSION: &str = "v3.17.3";

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// print the version number
    #[arg(long)]
    pub short: bool,
    /// template for version string format
    #[arg(long, default_value = "")]
    pub template: String,
    /// display client version information
    #[arg(short = 'c', long, hide = true)]
    pub client: bool,
}

pub fn run(args: &VersionArgs, out: &Printer) -> anyhow::Result<()> {
    let version = concat!("v", env!("CARGO_PKG_VERSION"));
    if !args.template.is_empty() {
        // Go's text/template over the build information, as Helm's `--template`.
        use crate::gotmpl::{Map, Template, Value};
        let mut info = Map::new();
        info.insert("Version".into(), Value::str(version));
        info.insert("GitCommit".into(), Value::str(""));
        info.insert("GitTreeState".into(), Value::str(""));
        info.insert("GoVersion".into(), Value::str("none (rust)"));
        info.insert("HelmCompat".into(), Value::str(HELM_COMPAT_VERSION));
        let mut t = Template::new("_");
        t.parse("_", &args.template)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let text = t
            .execute("_", &Value::map(info))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        out.data(&text);
        return Ok(());
    }
    if args.short {
        out.data(&format!("{version}\n"));
    } else {
        out.data(&format!(
            "version.BuildInfo{{Version:\"{version}\", HelmCompat:\"{HELM_COMPAT_VERSION}\", GoVersion:\"none (rust)\"}}\n"
        ));
    }
    Ok(())
}
