//! `charter get all|values|manifest|notes|hooks|metadata`: what a release holds,
//! printed as Helm 3.17 prints it.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};

use crate::actions::releases::{go_format_local, open_store, release_content};
use crate::cli::GlobalArgs;
use crate::commands::status::{View, go_value, values, write};
use crate::gotmpl::{Map, Value};
use crate::printer::Printer;
use crate::release::Release;

#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(subcommand)]
    pub command: GetCommand,
}

#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// download all information for a named release
    All(GetAllArgs),
    /// download the values file for a named release
    Values(GetValuesArgs),
    /// download the manifest for a named release
    Manifest(GetOneArgs),
    /// download the notes for a named release
    Notes(GetOneArgs),
    /// download all hooks for a named release
    Hooks(GetOneArgs),
    /// This command fetches metadata for a given release
    Metadata(GetMetadataArgs),
}

#[derive(Debug, Args)]
pub struct GetOneArgs {
    /// the release name
    #[arg(value_name = "RELEASE_NAME")]
    pub name: String,
    /// get the named release with revision
    #[arg(long, default_value_t = 0)]
    pub revision: i64,
}

#[derive(Debug, Args)]
pub struct GetAllArgs {
    #[command(flatten)]
    pub release: GetOneArgs,
    /// go template for formatting the output, eg: {{.Release.Name}}
    #[arg(long, default_value = "")]
    pub template: String,
}

#[derive(Debug, Args)]
pub struct GetValuesArgs {
    #[command(flatten)]
    pub release: GetOneArgs,
    /// dump all (computed) values
    #[arg(short = 'a', long)]
    pub all: bool,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct GetMetadataArgs {
    #[command(flatten)]
    pub release: GetOneArgs,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
}

pub fn run(args: &GetArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    let which = match &args.command {
        GetCommand::All(a) => &a.release,
        GetCommand::Values(a) => &a.release,
        GetCommand::Metadata(a) => &a.release,
        GetCommand::Manifest(a) | GetCommand::Notes(a) | GetCommand::Hooks(a) => a,
    };
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(crate::settings::namespace(global)),
        crate::settings::release_driver()?,
    )?;
    let r = release_content(&open.store, &which.name, which.revision)?;
    let text = match &args.command {
        GetCommand::All(a) if !a.template.is_empty() => template(&r, &a.template)?,
        GetCommand::All(_) => write(
            &r,
            &View {
                debug: true,
                show_metadata: true,
                ..View::default()
            },
        )?,
        GetCommand::Values(a) => {
            let v = values(&r, a.all)?;
            match a.output.as_str() {
                "json" => format!("{}\n", json(&v)?),
                "yaml" => crate::yaml::to_yaml(&v),
                _ => format!(
                    "{}\n{}",
                    if a.all {
                        "COMPUTED VALUES:"
                    } else {
                        "USER-SUPPLIED VALUES:"
                    },
                    crate::yaml::to_yaml(&v)
                ),
            }
        }
        GetCommand::Manifest(_) => format!("{}\n", r.manifest),
        GetCommand::Notes(_) if r.info.notes.is_empty() => String::new(),
        GetCommand::Notes(_) => format!("NOTES:\n{}\n", r.info.notes),
        GetCommand::Hooks(_) => r
            .hooks
            .iter()
            .map(|h| format!("---\n# Source: {}\n{}\n", h.path, h.manifest))
            .collect(),
        GetCommand::Metadata(a) => metadata(&r, &a.output)?,
    };
    out.data(&text);
    Ok(())
}

fn json(v: &Value) -> Result<String> {
    crate::yaml::to_json(
        v,
        crate::yaml::JsonOpts {
            escape_html: true,
            indent: None,
        },
    )
    .map_err(|e| anyhow!("unable to write JSON output: {e}"))
}

/// Helm's `get metadata` (`action.Metadata`).
fn metadata(r: &Release, format: &str) -> Result<String> {
    let meta = r
        .raw_field("chart")
        .get("metadata")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let field = |k: &str| {
        meta.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let deployed_at = match &r.info.last_deployed {
        Some(t) => go_format_local(t, "2006-01-02T15:04:05Z07:00"),
        None => "0001-01-01T00:00:00Z".to_string(),
    };
    let annotations = meta
        .get("annotations")
        .and_then(|a| a.as_object())
        .filter(|a| !a.is_empty());
    let dependencies = meta
        .get("dependencies")
        .and_then(|d| d.as_array())
        .filter(|d| !d.is_empty());
    // Helm's struct, in its field order.
    let mut fields = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        fields.insert(k.to_string(), v);
    };
    put("name", r.name.clone().into());
    put("chart", field("name").into());
    put("version", field("version").into());
    put("appVersion", field("appVersion").into());
    if let Some(a) = annotations {
        // A Go map: keys sorted.
        let sorted: std::collections::BTreeMap<_, _> = a.iter().collect();
        put("annotations", serde_json::to_value(sorted)?);
    }
    if let Some(d) = dependencies {
        put("dependencies", serde_json::Value::Array(d.clone()));
    }
    put("namespace", r.namespace.clone().into());
    put("revision", r.version.into());
    put("status", r.info.status.clone().into());
    put("deployedAt", deployed_at.clone().into());
    let fields = serde_json::Value::Object(fields);
    Ok(match format {
        "json" => format!("{}\n", crate::yaml::json::go_json_ordered(&fields)),
        "yaml" => crate::yaml::to_yaml(&go_value(&fields)?),
        _ => {
            let annotations = annotations
                .map(|a| {
                    let sorted: std::collections::BTreeMap<_, _> = a
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str().unwrap_or("")))
                        .collect();
                    sorted
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            let mut deps: Vec<&str> = dependencies
                .map(|d| {
                    d.iter()
                        .filter_map(|x| x.get("name").and_then(|n| n.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            deps.sort_unstable();
            format!(
                "NAME: {}\nCHART: {}\nVERSION: {}\nAPP_VERSION: {}\nANNOTATIONS: {}\nDEPENDENCIES: {}\nNAMESPACE: {}\nREVISION: {}\nSTATUS: {}\nDEPLOYED_AT: {}\n",
                r.name,
                field("name"),
                field("version"),
                field("appVersion"),
                annotations,
                deps.join(","),
                r.namespace,
                r.version,
                r.info.status,
                deployed_at
            )
        }
    })
}

/// `get all --template`: Go's text/template (no Sprig, as in Helm) over
/// `{"Release": ...}` with the release's Go field names.
fn template(r: &Release, text: &str) -> Result<String> {
    let mut t = crate::gotmpl::Template::new("_");
    t.parse("_", text).map_err(|e| anyhow!("{e}"))?;
    let mut data = Map::new();
    let value = crate::release::template::release_value(
        r,
        &|v| crate::yaml::from_json(&v.to_string()),
        &crate::actions::releases::go_time_string,
    )
    .map_err(|e| anyhow!("{e}"))?;
    data.insert("Release".into(), value);
    t.execute("_", &Value::map(data))
        .map_err(|e| anyhow!("{e}"))
}
