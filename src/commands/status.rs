//! `charter status`: a release's state, printed as Helm 3.17 prints it; the same
//! printer serves `get all` (with values, hooks, manifest and chart metadata).

use anyhow::{Result, anyhow, bail};
use clap::Args;

use crate::actions::releases::{go_format_local, open_store, release_content};
use crate::cli::GlobalArgs;
use crate::commands::history::ANSIC;
use crate::gotmpl::Value;
use crate::printer::Printer;
use crate::release::Release;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// the release name
    #[arg(value_name = "RELEASE_NAME")]
    pub name: String,
    /// if set, display the status of the named release with revision
    #[arg(long, default_value_t = 0)]
    pub revision: i64,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
    /// if set, display the description message of the named release
    #[arg(long)]
    pub show_desc: bool,
    /// if set, display the resources of the named release
    #[arg(long)]
    pub show_resources: bool,
}

pub fn run(args: &StatusArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    if args.show_resources {
        bail!(
            "--show-resources is not supported by charter yet: list the release's objects with `kubectl get -f <(charter get manifest {})`",
            args.name
        );
    }
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(crate::settings::namespace(global)),
        crate::settings::release_driver()?,
    )?;
    let release = release_content(&open.store, &args.name, args.revision)?;
    // Helm drops the chart before printing a status.
    let mut raw = release.raw.clone();
    if let Some(o) = raw.as_object_mut() {
        o.shift_remove("chart");
    }
    match args.output.as_str() {
        "json" => out.data(&format!("{}\n", crate::yaml::json::go_json_ordered(&raw))),
        "yaml" => out.data(&crate::yaml::to_yaml(&go_value(&raw)?)),
        _ => out.data(&write(
            &release,
            &View {
                show_description: args.show_desc,
                ..View::default()
            },
        )?),
    }
    Ok(())
}

/// What Helm's `statusPrinter` is asked to show.
#[derive(Debug, Default, Clone, Copy)]
pub struct View {
    /// values (user-supplied and computed), hooks and manifest (`get all`)
    pub debug: bool,
    pub show_description: bool,
    /// the chart's name, version and app version (`get all`)
    pub show_metadata: bool,
    pub hide_notes: bool,
}

/// A stored JSON part as Go's `json.Unmarshal` gives it to Helm (numbers as
/// float64), for printing through Helm's YAML and JSON encoders.
pub fn go_value(v: &serde_json::Value) -> Result<Value> {
    crate::yaml::from_json(&v.to_string()).map_err(|e| anyhow!("invalid release JSON: {e}"))
}

/// The release's user-supplied values (`config`) and the computed ones (the
/// chart's values beneath them, Helm's `CoalesceValues`).
pub fn values(release: &Release, all: bool) -> Result<Value> {
    let config = go_value(release.raw_field("config"))?;
    if !all {
        return Ok(config);
    }
    let computed = release.computed_values().map_err(|e| anyhow!(e))?;
    Ok(Value::map(computed))
}

/// Helm's `statusPrinter.WriteTable`.
pub fn write(r: &Release, view: &View) -> Result<String> {
    let mut s = String::new();
    s.push_str(&format!("NAME: {}\n", r.name));
    if let Some(t) = &r.info.last_deployed {
        s.push_str(&format!("LAST DEPLOYED: {}\n", go_format_local(t, ANSIC)));
    }
    s.push_str(&format!("NAMESPACE: {}\n", r.namespace));
    s.push_str(&format!("STATUS: {}\n", r.info.status));
    s.push_str(&format!("REVISION: {}\n", r.version));
    if view.show_metadata {
        let c = r.chart.clone().unwrap_or_default();
        s.push_str(&format!("CHART: {}\n", c.name));
        s.push_str(&format!("VERSION: {}\n", c.version));
        s.push_str(&format!("APP_VERSION: {}\n", c.app_version));
    }
    if view.show_description {
        s.push_str(&format!("DESCRIPTION: {}\n", r.info.description));
    }
    let tests: Vec<_> = r
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == "test"))
        .collect();
    if tests.is_empty() {
        s.push_str("TEST SUITE: None\n");
    }
    for h in tests {
        let Some(started) = &h.last_run.started_at else {
            continue;
        };
        let completed = match &h.last_run.completed_at {
            Some(t) => go_format_local(t, ANSIC),
            None => "Mon Jan  1 00:00:00 0001".into(),
        };
        s.push_str(&format!(
            "TEST SUITE:     {}\nLast Started:   {}\nLast Completed: {}\nPhase:          {}\n",
            h.name,
            go_format_local(started, ANSIC),
            completed,
            h.last_run.phase
        ));
    }
    if view.debug {
        s.push_str("USER-SUPPLIED VALUES:\n");
        s.push_str(&crate::yaml::to_yaml(&values(r, false)?));
        s.push('\n');
        s.push_str("COMPUTED VALUES:\n");
        s.push_str(&crate::yaml::to_yaml(&values(r, true)?));
        s.push('\n');
    }
    if r.info.description.eq_ignore_ascii_case("Dry run complete") || view.debug {
        s.push_str("HOOKS:\n");
        for h in &r.hooks {
            s.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
        }
        s.push_str(&format!("MANIFEST:\n{}\n", r.manifest));
    }
    if !view.hide_notes && !r.info.notes.is_empty() {
        s.push_str(&format!("NOTES:\n{}\n", r.info.notes.trim()));
    }
    Ok(s)
}
