//! `charter list`: the releases in a namespace (or all, `-A`), printed as Helm
//! 3.17 prints them (a `uitable` table, names only with `-q`, JSON or YAML).

use anyhow::Result;
use clap::Args;

use crate::actions::releases::{
    ListOptions, StateFlags, go_format_local, go_time_string, list, open_store,
};
use crate::cli::GlobalArgs;
use crate::gotmpl::{Map, Value};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct ListArgs {
    /// output short (quiet) listing format
    #[arg(short = 'q', long)]
    pub short: bool,
    /// don't print headers when using the default output format
    #[arg(long)]
    pub no_headers: bool,
    /// format time using golang time formatter. Example: --time-format "2006-01-02 15:04:05Z0700"
    #[arg(long, default_value = "")]
    pub time_format: String,
    /// sort by release date
    #[arg(short = 'd', long)]
    pub date: bool,
    /// reverse the sort order
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// show all releases without any filter applied
    #[arg(short = 'a', long)]
    pub all: bool,
    /// show uninstalled releases (if 'helm uninstall --keep-history' was used)
    #[arg(long)]
    pub uninstalled: bool,
    /// show superseded releases
    #[arg(long)]
    pub superseded: bool,
    /// show releases that are currently being uninstalled
    #[arg(long)]
    pub uninstalling: bool,
    /// show deployed releases. If no other is specified, this will be automatically enabled
    #[arg(long)]
    pub deployed: bool,
    /// show failed releases
    #[arg(long)]
    pub failed: bool,
    /// show pending releases
    #[arg(long)]
    pub pending: bool,
    /// list releases across all namespaces
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// maximum number of releases to fetch
    #[arg(short = 'm', long, default_value_t = 256)]
    pub max: i64,
    /// next release index in the list, used to offset from start value
    #[arg(long, default_value_t = 0)]
    pub offset: i64,
    /// a regular expression (Perl compatible). Any releases that match the expression will be included in the results
    #[arg(short = 'f', long, default_value = "")]
    pub filter: String,
    /// Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Works only for secret(default) and configmap storage backends.
    #[arg(short = 'l', long, default_value = "")]
    pub selector: String,
    /// prints the output in the specified format. Allowed values: table, json, yaml
    #[arg(short = 'o', long, default_value = "table", value_parser = ["table", "json", "yaml"])]
    pub output: String,
}

pub fn run(args: &ListArgs, global: &GlobalArgs, out: &Printer) -> Result<()> {
    let namespace = (!args.all_namespaces).then(|| crate::settings::namespace(global));
    let open = open_store(
        &crate::settings::connect_options(global),
        namespace,
        crate::settings::release_driver()?,
    )?;
    let opts = ListOptions {
        states: StateFlags {
            all: args.all,
            deployed: args.deployed,
            failed: args.failed,
            pending: args.pending,
            superseded: args.superseded,
            uninstalled: args.uninstalled,
            uninstalling: args.uninstalling,
        },
        filter: Some(args.filter.clone()),
        selector: Some(args.selector.clone()),
        by_date: args.date,
        reverse: args.reverse,
        max: args.max,
        offset: args.offset,
    };
    let listed = list(&open.store, &opts)?;
    for s in &listed.skipped {
        out.debug(&format!("list: failed to decode release: {s}"));
    }
    let releases = listed.releases;
    if args.short {
        let names: Vec<&str> = releases.iter().map(|r| r.name.as_str()).collect();
        match args.output.as_str() {
            "json" => out.data(&format!("{}\n", json_strings(&names))),
            "yaml" => out.data(&crate::yaml::to_yaml(&Value::list(
                names.iter().map(|n| Value::str(n)).collect(),
            ))),
            _ => {
                for n in names {
                    out.data(&format!("{n}\n"));
                }
            }
        }
        return Ok(());
    }
    // Helm's releaseElement, in its field order.
    let rows: Vec<[(&str, String); 7]> = releases
        .iter()
        .map(|r| {
            let updated = match &r.info.last_deployed {
                None => "-".to_string(),
                Some(t) if args.time_format.is_empty() => go_time_string(t),
                Some(t) => go_format_local(t, &args.time_format),
            };
            [
                ("name", r.name.clone()),
                ("namespace", r.namespace.clone()),
                ("revision", r.version.to_string()),
                ("updated", updated),
                ("status", r.info.status.clone()),
                ("chart", r.chart_label()),
                ("app_version", r.app_version()),
            ]
        })
        .collect();
    match args.output.as_str() {
        "json" => {
            let mut s = String::from("[");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push('{');
                for (j, (k, v)) in row.iter().enumerate() {
                    if j > 0 {
                        s.push(',');
                    }
                    crate::yaml::json::quote_into(k, true, &mut s);
                    s.push(':');
                    crate::yaml::json::quote_into(v, true, &mut s);
                }
                s.push('}');
            }
            s.push_str("]\n");
            out.data(&s);
        }
        "yaml" => {
            let list = rows
                .into_iter()
                .map(|row| {
                    let m: Map = row
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), Value::string(v)))
                        .collect();
                    Value::map(m)
                })
                .collect();
            out.data(&crate::yaml::to_yaml(&Value::list(list)));
        }
        _ => {
            let mut table: Vec<Vec<String>> = Vec::new();
            if !args.no_headers {
                table.push(
                    [
                        "NAME",
                        "NAMESPACE",
                        "REVISION",
                        "UPDATED",
                        "STATUS",
                        "CHART",
                        "APP VERSION",
                    ]
                    .map(String::from)
                    .to_vec(),
                );
            }
            table.extend(rows.into_iter().map(|row| row.map(|(_, v)| v).to_vec()));
            let text = crate::printer::table(&table, usize::MAX);
            out.data(if text.is_empty() { "\n" } else { &text });
        }
    }
    Ok(())
}

/// A JSON array of strings, quoted as Go quotes them.
fn json_strings(items: &[&str]) -> String {
    let mut s = String::from("[");
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        crate::yaml::json::quote_into(v, true, &mut s);
    }
    s.push(']');
    s
}
