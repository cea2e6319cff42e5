//! Fixture tests for `charter::yaml`: every case in `testdata/yaml/*.txt` holds a YAML
//! document and what Helm 3.17.3 printed for `toJson`, `toRawJson`, `toPrettyJson`,
//! `toYaml`, `toYamlPretty` and `toToml` of `.Files.Get "case.yaml" | fromYaml`
//! (or `fromJson`, `fromYamlArray`, `fromJsonArray`, after the file's name),
//! recorded by `testdata/yaml/record.py`.

use std::path::Path;

use charter::gotmpl::Value;
use charter::yaml;

struct Case {
    file: String,
    name: String,
    input: String,
    expect: Vec<(String, String)>,
}

fn load_cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/yaml");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/yaml exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let mut cur: Option<Case> = None;
        let mut section: Option<String> = None;
        let mut buf: Vec<&str> = Vec::new();
        let flush = |cur: &mut Option<Case>, section: &Option<String>, buf: &mut Vec<&str>| {
            if let Some(c) = cur.as_mut() {
                match section {
                    None => {
                        let mut lines = buf.clone();
                        while lines.last() == Some(&"") {
                            lines.pop();
                        }
                        c.input = lines.join("\n") + "\n";
                    }
                    Some(s) => c.expect.push((s.clone(), buf.join("\n"))),
                }
            }
            buf.clear();
        };
        let body = text.strip_suffix('\n').unwrap_or(&text);
        for line in body.split('\n') {
            if let Some(name) = line.strip_prefix("#### case ") {
                flush(&mut cur, &section, &mut buf);
                if let Some(c) = cur.take() {
                    cases.push(c);
                }
                cur = Some(Case {
                    file: file.clone(),
                    name: name.trim().to_string(),
                    input: String::new(),
                    expect: Vec::new(),
                });
                section = None;
            } else if let Some(s) = line.strip_prefix("#### ") {
                flush(&mut cur, &section, &mut buf);
                section = Some(s.trim().to_string());
            } else {
                buf.push(line);
            }
        }
        flush(&mut cur, &section, &mut buf);
        if let Some(c) = cur.take() {
            cases.push(c);
        }
    }
    cases
}

/// The Helm function that reads a fixture file's inputs, picked by the file's name
/// as `testdata/yaml/record.py` picks it.
fn read_with(file: &str, text: &str) -> Value {
    if file.starts_with("fromjsonarray") {
        yaml::helm_from_json_array(text)
    } else if file.starts_with("fromjson") {
        yaml::helm_from_json(text)
    } else if file.starts_with("fromtoml") {
        yaml::from_toml(text).unwrap_or_else(|e| {
            let mut m = charter::gotmpl::Map::new();
            m.insert("Error".to_string(), Value::string(e));
            Value::map(m)
        })
    } else if file.starts_with("fromyamlarray") {
        yaml::helm_from_yaml_array(text)
    } else {
        yaml::helm_from_yaml(text)
    }
}

fn render(func: &str, v: &Value) -> Option<String> {
    Some(match func {
        "toJson" => yaml::to_json(v, yaml::JsonOpts::COMPACT).unwrap_or_default(),
        "toRawJson" => yaml::to_json(v, yaml::JsonOpts::RAW).unwrap_or_default(),
        "toPrettyJson" => yaml::to_json(v, yaml::JsonOpts::PRETTY).unwrap_or_default(),
        // Helm trims one trailing newline from both.
        "toYaml" => trim_newline(yaml::to_yaml(v)),
        "toYamlPretty" => trim_newline(yaml::to_yaml_pretty(v)),
        // Helm prints the encoder's error text in place of the document.
        "toToml" => yaml::to_toml(v).unwrap_or_else(|e| e),
        _ => return None,
    })
}

fn trim_newline(s: String) -> String {
    s.strip_suffix('\n').map(str::to_string).unwrap_or(s)
}

#[test]
fn helm_fixtures() {
    let cases = load_cases();
    assert!(cases.len() >= 40, "found only {} cases", cases.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let v = read_with(&case.file, &case.input);
        for (func, want) in &case.expect {
            let Some(got) = render(func, &v) else {
                continue;
            };
            checked += 1;
            if &got != want {
                failures.push(format!(
                    "{}: case {} / {func}\n--- input\n{}--- want\n{want}\n--- got\n{got}\n",
                    case.file, case.name, case.input
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
