//! The `--set` family through [`ValueOptions::merge_values`], against what Helm
//! 3.17.3 printed for the same flags: `{{ toJson .Values }}` of a chart without
//! values, or the error (`testdata/values/set_flags.tsv`: flags as
//! `<flag>\t<value>` joined by `;;`, then the JSON or `error: <message>`).

use charter::values::ValueOptions;

fn options(flags: &str) -> ValueOptions {
    let mut o = ValueOptions::default();
    for part in flags.split(";;") {
        let (flag, value) = part.split_once('\t').expect("flag and value");
        let v = value.to_string();
        match flag {
            "--set" => o.set.push(v),
            "--set-string" => o.set_string.push(v),
            "--set-json" => o.set_json.push(v),
            "--set-literal" => o.set_literal.push(v),
            "--set-file" => o.set_file.push(v),
            "-f" => o.value_files.push(v),
            other => panic!("unknown flag {other}"),
        }
    }
    o
}

#[test]
fn set_flags_match_helm() {
    let table = include_str!("../testdata/values/set_flags.tsv");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in table.lines().filter(|l| !l.is_empty()) {
        let (flags, want) = line.rsplit_once('\t').expect("columns");
        let got = match options(flags).merge_values() {
            Ok(m) => charter::yaml::to_json(
                &charter::gotmpl::Value::map(m),
                charter::yaml::JsonOpts::COMPACT,
            )
            .unwrap_or_else(|e| format!("json: {e}")),
            Err(e) => format!("error: {e}"),
        };
        if got != want {
            failures.push(format!("{flags:?}\n  helm:    {want}\n  charter: {got}"));
        }
        n += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(n >= 50);
}
