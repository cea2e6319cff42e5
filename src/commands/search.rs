//! `charter search repo`: search the configured repositories, printed as Helm
//! prints it (a `uitable` table, or JSON/YAML lists).

use anyhow::{Result, anyhow, bail};
use clap::{Args, Subcommand};

use crate::actions::repo::RepoPaths;
use crate::actions::search::{SearchOptions, search};
use crate::gotmpl::{Map, Value};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(subcommand)]
    pub command: SearchCommand,
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// search repositories for a keyword in charts
    Repo(SearchRepoArgs),
}

#[derive(Debug, Args)]
pub struct SearchRepoArgs {
    pub keywords: Vec<String>,
    /// use regular expressions for searching repositories you have added
    #[arg(short = 'r', long)]
    pub regexp: bool,
    /// show the long listing, with each version of each chart on its own line
    #[arg(short = 'l', long)]
    pub versions: bool,
    /// use development versions (alpha, beta, and release candidate releases), too
    #[arg(long)]
    pub devel: bool,
    /// search using semantic versioning constraints on repositories you have added
    #[arg(long, default_value = "")]
    pub version: String,
    /// maximum column width for output table
    #[arg(long, default_value_t = 50)]
    pub max_col_width: usize,
    /// search fails if no results are found
    #[arg(long)]
    pub fail_on_no_result: bool,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
}

pub fn run(args: &SearchArgs, out: &Printer) -> Result<()> {
    let SearchCommand::Repo(a) = &args.command;
    let opts = SearchOptions {
        keywords: a.keywords.clone(),
        versions: a.versions,
        regexp: a.regexp,
        devel: a.devel,
        version: a.version.clone(),
    };
    let results = search(&RepoPaths::from_env(), &opts, &mut |w| out.warn(&w))?;
    if results.is_empty() && a.fail_on_no_result {
        bail!("no results found");
    }
    if a.output == "table" {
        if results.is_empty() {
            out.data("No results found\n");
            return Ok(());
        }
        let mut rows = vec![vec![
            "NAME".into(),
            "CHART VERSION".into(),
            "APP VERSION".into(),
            "DESCRIPTION".into(),
        ]];
        rows.extend(results.into_iter().map(|r| {
            vec![
                r.name,
                r.chart.version().to_string(),
                r.chart.app_version().to_string(),
                r.chart.description().to_string(),
            ]
        }));
        out.data(&crate::printer::table(&rows, a.max_col_width));
        return Ok(());
    }
    if a.output == "json" {
        // Helm's struct field order (name, version, app_version, description).
        let list: Vec<serde_json::Value> = results
            .into_iter()
            .map(|r| serde_json::json!({"name": r.name, "version": r.chart.version(), "app_version": r.chart.app_version(), "description": r.chart.description()}))
            .collect();
        out.data(&format!("{}\n", serde_json::Value::Array(list)));
        return Ok(());
    }
    let list = Value::list(
        results
            .into_iter()
            .map(|r| {
                let mut m = Map::new();
                m.insert("name".into(), Value::string(r.name));
                m.insert("version".into(), Value::str(r.chart.version()));
                m.insert("app_version".into(), Value::str(r.chart.app_version()));
                m.insert("description".into(), Value::str(r.chart.description()));
                Value::map(m)
            })
            .collect(),
    );
    out.data(&encode(&list, &a.output)?);
    Ok(())
}

/// JSON (one line, as Go's `json.Encoder`) or YAML.
pub fn encode(v: &Value, format: &str) -> Result<String> {
    if format == "json" {
        let mut s = crate::yaml::to_json(
            v,
            crate::yaml::JsonOpts {
                escape_html: true,
                indent: None,
            },
        )
        .map_err(|e| anyhow!(e))?;
        s.push('\n');
        Ok(s)
    } else {
        Ok(crate::yaml::to_yaml(v))
    }
}
