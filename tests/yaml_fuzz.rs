//! Robustness and round-trip properties of `charter::yaml`:
//! - random and mutated YAML never panics, and always ends (deep nesting and alias
//!   bombs are refused with an error);
//! - anything `toYaml`, `toYamlPretty` or `toJson` writes reads back as the same data
//!   (after the float64 conversion Helm's JSON round trip applies).

use charter::gotmpl::{Map, Value};
use charter::yaml;
use proptest::prelude::*;

const ALPHABET: &[char] = &[
    'a', 'b', 'y', 'n', '1', '0', '.', 'e', 'x', ' ', ' ', ' ', '\n', '\n', '\t', ':', '-', '?',
    '[', ']', '{', '}', ',', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\\', '<',
    '~', 'é', '日', '😀', '\u{85}', '\u{2028}', '\r',
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..160)
        .prop_map(|cs| cs.into_iter().collect())
}

const SEEDS: &[&str] = &[
    "a: 1\nb:\n  - x\n  - {y: 2, z: [3, 4]}\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  k: |\n    text\n    more\n",
    "- \"quoted \\n text\"\n- 'single ''q'''\n- >-\n  folded\n  lines\n",
    "%YAML 1.1\n---\n? complex\n: value\n...\n---\nsecond: doc\n",
    "a: !!binary aGVsbG8=\nb: !!str 1\nc: !!float 2\nd: *x\n",
];

fn mutated() -> impl Strategy<Value = String> {
    (
        prop::sample::select(SEEDS),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0..3u8,
                prop::sample::select(ALPHABET),
            ),
            1..8,
        ),
    )
        .prop_map(|(seed, edits)| {
            let mut cs: Vec<char> = seed.chars().collect();
            for (at, op, c) in edits {
                let i = at.index(cs.len() + 1);
                match op {
                    0 => cs.insert(i, c),
                    1 if i < cs.len() => {
                        cs.remove(i);
                    }
                    _ if i < cs.len() => cs[i] = c,
                    _ => cs.push(c),
                }
            }
            cs.into_iter().collect()
        })
}

fn exercise(text: &str) {
    if let Ok(v) = yaml::parse_value(text) {
        let _ = yaml::to_yaml(&v);
        let _ = yaml::to_yaml_pretty(&v);
        let _ = yaml::to_json(&v, yaml::JsonOpts::PRETTY);
        let _ = yaml::to_toml(&v);
    }
    let _ = yaml::parse_documents(text);
    let _ = yaml::unmarshal_list(text);
    let _ = yaml::from_json(text);
    let _ = yaml::from_toml(text);
}

/// Strings that survive Go's JSON and go-yaml's reader unchanged (no DEL, C1
/// controls or U+FFFE/U+FFFF, which make `toYaml` fail; no NEL, which YAML folds;
/// no U+2028/U+2029, which charter reads as YAML 1.2 does outside quoted scalars,
/// see testdata/yaml/GAPS.md).
fn text() -> impl Strategy<Value = String> {
    let chars: &[char] = &[
        'a', 'Z', '0', '9', '.', '-', '_', ' ', ' ', ':', '#', '\'', '"', '\\', '\n', '\t', '{',
        '[', ',', '&', '*', '!', '|', '>', '%', '@', '`', '?', '~', '<', 'é', 'ß', '日', '😀',
        '\u{0}', '\u{7}', '\u{1b}', '\r', '\u{a0}', '\u{feff}', 'y', 'n', 'e',
    ];
    prop_oneof![
        prop::collection::vec(prop::sample::select(chars), 0..40)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        prop::sample::select(vec![
            "true",
            "no",
            "On",
            "y",
            "~",
            "null",
            "",
            "1",
            "0x1F",
            "1e3",
            ".inf",
            "1:20",
            "-",
            "- a",
            "a: b",
            "#x",
            "2001-12-14",
            "<<",
            "---",
            "...",
            " lead",
            "trail ",
            "08",
            "+1",
            "1_000",
        ])
        .prop_map(str::to_string),
        // Long text, so that folding at column 80 is exercised.
        prop::collection::vec(
            prop::sample::select(vec!["word", " ", "  ", "x: y", "\n"]),
            20..60
        )
        .prop_map(|ws| ws.concat()),
    ]
}

fn data() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Nil),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::Float),
        (-1_000_000i64..1_000_000).prop_map(|i| Value::Float(i as f64 / 8.0)),
        text().prop_map(Value::string),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::list),
            // A `<<` key is written plain, as go-yaml does, and reads back as a merge.
            prop::collection::btree_map(
                text().prop_filter("merge key", |k| k != "<<"),
                inner,
                0..6
            )
            .prop_map(Value::map),
        ]
    })
}

/// go-yaml v3 (`toYamlPretty`) writes a literal block line that starts with a tab,
/// which go-yaml v2, and so Helm's `fromYaml`, refuses to read back.
fn tab_led_lines(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\n') && (s.starts_with('\t') || s.contains("\n\t")),
        Value::List(items) => items.iter().any(tab_led_lines),
        Value::Map(m) => m
            .iter()
            .any(|(k, v)| tab_led_lines(&Value::str(k)) || tab_led_lines(v)),
        _ => false,
    }
}

/// What a value becomes after Helm's JSON round trip: every number a float64.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Int(i) => Value::Float(*i as f64),
        Value::List(items) => Value::list(items.iter().map(normalize).collect()),
        Value::Map(m) => Value::map(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .collect::<Map>(),
        ),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn random_yaml_never_panics(text in yamlish()) {
        exercise(&text);
    }

    #[test]
    fn mutated_yaml_never_panics(text in mutated()) {
        exercise(&text);
    }

    #[test]
    fn to_yaml_reads_back(v in data()) {
        let out = yaml::try_to_yaml(&v);
        prop_assert!(out.is_ok(), "{:?}", out);
        let text = out.unwrap_or_default();
        let back = yaml::parse_value(&text);
        prop_assert_eq!(back.as_ref().ok(), Some(&normalize(&v)), "{}", text);
    }

    #[test]
    fn to_yaml_pretty_reads_back(v in data().prop_filter("tab-led literal lines", |v| !tab_led_lines(v))) {
        let text = yaml::to_yaml_pretty(&v);
        let back = yaml::parse_value(&text);
        prop_assert_eq!(back.as_ref().ok(), Some(&normalize(&v)), "{}", text);
    }

    #[test]
    fn to_json_reads_back(v in data()) {
        let text = yaml::to_json(&v, yaml::JsonOpts::COMPACT);
        prop_assert!(text.is_ok());
        let back = yaml::from_json(&text.unwrap_or_default());
        prop_assert_eq!(back.ok(), Some(normalize(&v)));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for text in [
        "[".repeat(200_000),
        "{a: ".repeat(50_000),
        "- ".repeat(50_000),
        format!("{}x{}", "[".repeat(900), "]".repeat(900)),
    ] {
        let _ = yaml::parse_value(&text);
        let _ = yaml::parse_documents(&text);
        let _ = yaml::from_json(&text);
    }
    let mut deep = Value::Nil;
    for _ in 0..1_500 {
        deep = Value::list(vec![deep]);
    }
    assert_eq!(yaml::to_yaml(&deep), "");
    assert!(yaml::to_json(&deep, yaml::JsonOpts::COMPACT).is_err());
    // Dropping a deeply nested value must not overflow the stack either.
    drop(deep);
}

#[test]
fn alias_bombs_are_refused() {
    let mut doc = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 9].join(", ");
        doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let err = yaml::parse_value(&doc).expect_err("billion laughs must fail");
    assert_eq!(
        err.to_string(),
        "yaml: document contains excessive aliasing"
    );
}
