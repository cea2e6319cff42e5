//! Coalesced values against Helm 3.17.3 on the fixture charts in `testdata/charts`
//! (v1 with requirements.yaml; v2 with conditions, tags, an alias of the same chart,
//! import-values in both forms, a library, nested subcharts and an archive
//! subchart). `testdata/values/record.sh` made the expectations: each enabled
//! chart's `{{ toJson .Values }}` line, sorted.

use std::path::PathBuf;

use charter::chart::{self, Chart};
use charter::gotmpl::{Map, Value};
use charter::values::{self, ValueOptions};

fn lines(chart: &Chart, vals: &Map, out: &mut Vec<String>) {
    if !chart.is_library() {
        let json =
            charter::yaml::to_json(&Value::map(vals.clone()), charter::yaml::JsonOpts::COMPACT)
                .expect("json");
        out.push(format!("{}: {json}", chart.name()));
    }
    for sub in &chart.dependencies {
        let sv = match vals.get(sub.name()) {
            Some(Value::Map(m)) => (***m).clone(),
            _ => Map::new(),
        };
        lines(sub, &sv, out);
    }
}

#[test]
fn coalesced_values_match_helm() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let table = std::fs::read_to_string(root.join("values/coalesce_cases.tsv")).unwrap();
    let mut failures = Vec::new();
    for line in table.lines().filter(|l| !l.is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (name, want) = (cols[0], cols[cols.len() - 1]);
        let mut opts = ValueOptions::default();
        for pair in cols[1..cols.len() - 1].chunks(2) {
            match pair {
                ["--set", v] => opts.set.push(v.to_string()),
                ["--set-json", v] => opts.set_json.push(v.to_string()),
                [""] => {}
                other => panic!("unexpected flags {other:?}"),
            }
        }
        let user = opts.merge_values().expect("flags");
        let mut chart = chart::load(&root.join("charts").join(name)).expect("load");
        values::process_dependencies(&mut chart, &user).expect("dependencies");
        let vals = values::coalesce_values(&chart, &user).expect("coalesce");
        let mut out = Vec::new();
        lines(&chart, &vals, &mut out);
        out.sort();
        let got: String = out.iter().map(|l| format!("{l}|")).collect();
        if got != want {
            failures.push(format!("{line}\n  charter: {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
