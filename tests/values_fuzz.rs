//! Property tests: mangled values files, `--set` strings, Chart.yaml texts and
//! archives give a value or an error, never a panic (small inputs, bounded cases).

use charter::chart::{self, Metadata};
use charter::gotmpl::Map;
use charter::values::{self, ValueOptions, strvals};
use proptest::prelude::*;

const VALUES: &str =
    "global:\n  a: 1\n  n:\n    d: {x: 1}\nsub:\n  list: [1, 2]\n  m: {k: v}\nkey: null\n";
const CHART: &str = "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- name: s\n  version: '>=0'\n  repository: r\n  condition: s.on,global.on\n  tags: [t]\n  import-values: [data, {child: a, parent: b}]\n";

fn mangle(base: &str, edits: &[(usize, char)]) -> String {
    let mut chars: Vec<char> = base.chars().collect();
    for &(pos, c) in edits {
        if chars.is_empty() {
            chars.push(c);
            continue;
        }
        let i = pos % chars.len();
        match pos % 3 {
            0 => chars[i] = c,
            1 => chars.insert(i, c),
            _ => {
                chars.remove(i);
            }
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Vec<(usize, char)>> {
    prop::collection::vec(
        (
            0usize..400,
            prop::sample::select(vec![
                ':', '-', ' ', '\n', '{', '}', '[', ']', ',', '.', '=', '\\', 'a', '0', '"', '\'',
                '#', '&', '*', '!', '|', '>', '~', '\t',
            ]),
        ),
        0..12,
    )
}

fn parent_with(values_yaml: &str, chart_yaml: &str) -> Option<chart::Chart> {
    let files = vec![
        chart::ChartFile {
            name: "Chart.yaml".into(),
            data: chart_yaml.as_bytes().to_vec().into(),
        },
        chart::ChartFile {
            name: "values.yaml".into(),
            data: values_yaml.as_bytes().to_vec().into(),
        },
        chart::ChartFile {
            name: "charts/s/Chart.yaml".into(),
            data: b"apiVersion: v2\nname: s\nversion: 1.0.0\n".to_vec().into(),
        },
        chart::ChartFile {
            name: "charts/s/values.yaml".into(),
            data: values_yaml.as_bytes().to_vec().into(),
        },
    ];
    chart::load_files(files).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn mangled_values_never_panic(e in edit(), set in "[a-z.\\[\\]0-9=,{}\\\\]{0,24}") {
        let text = mangle(VALUES, &e);
        if let Some(mut c) = parent_with(&text, CHART) {
            let mut user = Map::new();
            let _ = strvals::parse_into(&set, &mut user, strvals::Reader::Typed);
            if values::process_dependencies(&mut c, &user).is_ok()
                && let Ok(v) = values::coalesce_values(&c, &user)
            {
                let _ = values::validate_schemas(&c, &v);
            }
        }
    }

    #[test]
    fn mangled_set_never_panics(e in edit(), kind in 0usize..5) {
        let text = mangle("a.b[0].c=x,l={1,2},k\\.d=1,j={\"x\":[1]}", &e);
        let mut o = ValueOptions::default();
        match kind {
            0 => o.set.push(text),
            1 => o.set_string.push(text),
            2 => o.set_json.push(text),
            3 => o.set_literal.push(text),
            _ => {
                o.set.push(text.clone());
                o.set_json.push(text);
            }
        }
        let _ = o.merge_values();
    }

    #[test]
    fn mangled_chart_yaml_never_panics(e in edit()) {
        let text = mangle(CHART, &e);
        if let Ok(mut md) = Metadata::parse(&text) {
            md.sanitize();
            let _ = md.validate();
            let _ = md.to_data();
        }
        let _ = parent_with(VALUES, &text);
    }

    #[test]
    fn mangled_archives_never_panic(cut in 0usize..2000, flips in prop::collection::vec((0usize..2000, any::<u8>()), 0..6)) {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in [("p/Chart.yaml", CHART.as_bytes()), ("p/values.yaml", VALUES.as_bytes())] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let mut bytes = gz.finish().unwrap();
        for (i, v) in flips {
            if !bytes.is_empty() {
                let n = bytes.len();
                bytes[i % n] = v;
            }
        }
        bytes.truncate(cut.max(3));
        let _ = chart::load_archive(&bytes);
    }
}
