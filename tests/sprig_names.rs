//! Every Sprig v3.3.0 function Helm 3.17.3 exposes is registered (the list is
//! Helm's function map as checked by rendering each name with Helm; Helm's own
//! YAML/JSON functions and `include`/`tpl`/`required`/`lookup` come from
//! `render::funcs`, and Helm removes `env` and `expandenv`).

use std::collections::BTreeSet;

const SPRIG_IN_HELM: &str = include_str!("../testdata/sprig/names.txt");

#[test]
fn every_sprig_function_is_registered() {
    let have: BTreeSet<&str> = charter::render::sprig::functions()
        .iter()
        .map(|(n, _)| *n)
        .collect();
    let missing: Vec<&str> = SPRIG_IN_HELM
        .split_whitespace()
        .filter(|n| !have.contains(n))
        .collect();
    assert!(missing.is_empty(), "missing Sprig functions: {missing:?}");
}

#[test]
fn no_function_is_registered_twice() {
    let mut seen = BTreeSet::new();
    for (name, _) in charter::render::sprig::functions() {
        assert!(seen.insert(name), "{name} is registered twice");
    }
    assert_eq!(seen.len(), SPRIG_IN_HELM.split_whitespace().count());
}
