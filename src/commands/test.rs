//! `charter test RELEASE`: runs a release's tests and prints its status, as
//! Helm 3.17 does (`--filter`, `--logs`, `--timeout`, `--hide-notes`).

use anyhow::Result;
use clap::Args;

use crate::actions::releases::open_store;
use crate::actions::test::{TestFilter, test_release};
use crate::cli::GlobalArgs;
use crate::commands::status::{View, write};
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// the release name
    #[arg(value_name = "RELEASE")]
    pub name: String,
    /// time to wait for any individual Kubernetes operation (like Jobs for hooks)
    #[arg(long, default_value = "5m0s")]
    pub timeout: String,
    /// dump the logs from test pods (this runs after all tests are complete, but before any cleanup)
    #[arg(long)]
    pub logs: bool,
    /// specify tests by attribute (currently "name") using attribute=value syntax or '!attribute=value' to exclude a test (can specify multiple or separate values with commas: name=test1,name=test2)
    #[arg(long, value_delimiter = ',')]
    pub filter: Vec<String>,
    /// if set, do not show notes in test output. Does not affect presence in chart metadata
    #[arg(long)]
    pub hide_notes: bool,
}

pub fn run(args: &TestArgs, global: &GlobalArgs, debug: bool, out: &Printer) -> Result<()> {
    let timeout = crate::settings::timeout(&args.timeout)?;
    let filter = TestFilter::parse(&args.filter);
    let open = open_store(
        &crate::settings::connect_options(global),
        Some(crate::settings::namespace(global)),
        crate::settings::release_driver()?,
    )?;
    let tested = test_release(&open.cluster, &open.store, &args.name, &filter, timeout)?;
    let rel = &tested.release;
    out.data(&write(
        rel,
        &View {
            debug,
            hide_notes: args.hide_notes,
            ..View::default()
        },
    )?);
    if args.logs {
        out.data("\n");
        let mut hooks: Vec<_> = rel.hooks.iter().collect();
        hooks.sort_by_key(|h| h.weight);
        for h in hooks {
            for e in &h.events {
                if e != "test" || !filter.runs(&h.name) {
                    continue;
                }
                let log = open.cluster.pod_logs(&rel.namespace, &h.name)?;
                out.data(&format!("POD LOGS: {}\n{log}\n", h.name));
            }
        }
    }
    match tested.failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
