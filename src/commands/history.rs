//! `charter history`: a release's revisions, printed as Helm 3.17 prints them
//! (a table with `time.ANSIC` dates, or JSON/YAML lists of `releaseInfo`).

use anyhow::Result;
use clap::Args;

use crate::actions::releases::{go_format_local, history, open_store};
use crate::cli::GlobalArgs;
use crate::gotmpl::{Map, Value};
use crate::printer::Printer;
use crate::release::Release;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// the release name
    #[arg(value_name = "RELEASE_NAME")]
    pub name: String,
    /// maximum number of revision to include in history
    #[arg(long, default_value_t = 256)]
    pub max: i64,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
}

/// Go's `time.ANSIC`, the layout Helm's tables print dates in.
pub const ANSIC: &str = "Mon Jan _2 15:04:05 2006";

/// Go's `time.RFC3339Nano`, how Go's JSON writes a time.
pub const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

pub fn run(args: &HistoryArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(crate::settings::namespace(global)),
        crate::settings::release_driver()?,
    )?;
    let revisions = history(&open.store, &args.name, args.max)?;
    out.data(&render(&revisions, &args.output)?);
    Ok(())
}

/// Helm's `releaseHistory` in one of its three formats.
pub fn render(revisions: &[Release], format: &str) -> Result<String> {
    let updated = |r: &Release, layout: &str| match &r.info.last_deployed {
        Some(t) => go_format_local(t, layout),
        None if layout == ANSIC => "Mon Jan  1 00:00:00 0001".to_string(),
        None => String::new(),
    };
    Ok(match format {
        "json" => {
            let mut s = String::from("[");
            for (i, r) in revisions.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(&format!("{{\"revision\":{},\"updated\":", r.version));
                crate::yaml::json::quote_into(&updated(r, RFC3339_NANO), true, &mut s);
                for (k, v) in [
                    ("status", r.info.status.clone()),
                    ("chart", r.chart_label()),
                    ("app_version", r.app_version()),
                    ("description", r.info.description.clone()),
                ] {
                    s.push(',');
                    crate::yaml::json::quote_into(k, true, &mut s);
                    s.push(':');
                    crate::yaml::json::quote_into(&v, true, &mut s);
                }
                s.push('}');
            }
            s.push_str("]\n");
            s
        }
        "yaml" => {
            let list = revisions
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    m.insert("revision".into(), Value::Int(r.version));
                    m.insert("updated".into(), Value::string(updated(r, RFC3339_NANO)));
                    m.insert("status".into(), Value::str(&r.info.status));
                    m.insert("chart".into(), Value::string(r.chart_label()));
                    m.insert("app_version".into(), Value::string(r.app_version()));
                    m.insert("description".into(), Value::str(&r.info.description));
                    Value::map(m)
                })
                .collect();
            crate::yaml::to_yaml(&Value::list(list))
        }
        _ => {
            let mut rows = vec![
                [
                    "REVISION",
                    "UPDATED",
                    "STATUS",
                    "CHART",
                    "APP VERSION",
                    "DESCRIPTION",
                ]
                .map(String::from)
                .to_vec(),
            ];
            rows.extend(revisions.iter().map(|r| {
                vec![
                    r.version.to_string(),
                    updated(r, ANSIC),
                    r.info.status.clone(),
                    r.chart_label(),
                    r.app_version(),
                    r.info.description.clone(),
                ]
            }));
            crate::printer::table(&rows, usize::MAX)
        }
    })
}
