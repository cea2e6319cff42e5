//! Helm-compatible YAML and JSON.
//!
//! Helm reads YAML with go-yaml v2 (YAML 1.1 scalars: `yes`/`on` are booleans) and
//! converts it through JSON (sigs.k8s.io/yaml), so every number becomes a float64;
//! it writes `toYaml` with go-yaml v2's exact style. No Rust YAML crate reproduces
//! either, so charter resolves scalars and emits YAML itself here, on top of a
//! YAML event parser.
