//! Property test over the template engine: random and mutated template texts go
//! through parse and execute with every Sprig and Helm function registered.
//! Whatever the input, charter must return output or an error: no panic, no hang
//! (bounded by the engine's step and depth limits), no stack overflow.

use std::time::{Duration, Instant};

use charter::gotmpl::{MissingKey, Template, Value};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    ".",
    ".Values",
    ".a",
    ".b",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"s\"",
    "`r`",
    "'c'",
    "1",
    "-2",
    "3.5",
    "0x1f",
    "nil",
    "true",
    "include",
    "tpl",
    "printf",
    "\"%v\"",
    "default",
    "toYaml",
    "list",
    "dict",
    "set",
    "merge",
    "index",
    "len",
    "eq",
    "and",
    "or",
    "not",
    "upper",
    "quote",
    "nindent",
    "4",
    "required",
    "fail",
    "/*",
    "*/",
    ",",
    "$i",
    "$v",
    "\"t\"",
    "{{ define \"t\" }}",
    "{{ end }}",
    "{{ template \"t\" . }}",
    "{{ include \"t\" . }}",
    "{{ range $i, $v := .list }}",
    "{{ tpl \"{{ . }}\" . }}",
];

fn template() -> Template {
    let mut t = Template::new("gotpl");
    t.set_missing_key(MissingKey::Zero);
    t.add_funcs(
        charter::render::sprig::functions()
            .into_iter()
            .map(|(n, f)| (n.to_string(), f)),
    );
    t.add_funcs(charter::render::funcs::helm_functions(&Default::default()));
    t
}

fn data() -> Value {
    charter::yaml::parse_value("Values: {a: 1, b: [x, y], c: {d: e}}\nlist: [1, 2, 3]\na: str\n")
        .unwrap()
}

fn run(text: &str) {
    let mut t = template();
    if t.parse("t.yaml", text).is_ok() {
        let _ = t.execute("t.yaml", &data());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(idx in prop::collection::vec(0..PIECES.len(), 0..40)) {
        let text: String = idx.iter().map(|i| PIECES[*i]).collect();
        run(&text);
    }

    #[test]
    fn random_bytes_never_panic(text in "\\PC{0,80}") {
        run(&text);
    }
}

#[test]
fn recursion_is_refused_not_overflowed() {
    let start = Instant::now();
    for text in [
        "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}",
        "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}",
        "{{ define \"r\" }}{{ tpl \"{{ include \\\"r\\\" . }}\" . }}{{ end }}{{ include \"r\" . }}",
    ] {
        let mut t = template();
        t.parse("t.yaml", text).unwrap();
        let err = t.execute("t.yaml", &data()).unwrap_err().to_string();
        assert!(
            err.contains("maximum template depth") || err.contains("nested reference"),
            "{err}"
        );
    }
    let deep = format!("{}1{}", "{{ (".repeat(2000), ") }}".repeat(2000));
    run(&deep);
    assert!(start.elapsed() < Duration::from_secs(120));
}

#[test]
fn huge_loops_are_bounded() {
    let mut t = template();
    t.parse(
        "t.yaml",
        "{{ range until 1000000 }}{{ range until 1000000 }}x{{ end }}{{ end }}",
    )
    .unwrap();
    let start = Instant::now();
    assert!(t.execute("t.yaml", &data()).is_err());
    assert!(start.elapsed() < Duration::from_secs(60));
}
