//! Helm-compatible YAML and JSON.
//!
//! Helm reads YAML with go-yaml v2 (YAML 1.1 scalars: `yes`/`on` are booleans) and
//! converts it through JSON (sigs.k8s.io/yaml), so every number becomes a float64;
//! it writes `toYaml` with go-yaml v2's exact style. No Rust YAML crate reproduces
//! either, so charter resolves scalars and emits YAML itself here, on top of a
//! YAML event parser (`yaml-rust2`).
//!
//! | file | owns |
//! |---|---|
//! | `events` | yaml-rust2's events read as go-yaml would: node trees, repairs of its strictness, go-yaml's error wording |
//! | `tabs` | go-yaml's rules for tabs, checked on the lines of each document read |
//! | `gofmt` | Go's shortest float formatting (`%g`, `%e`) |
//! | [`read`] | YAML text to [`Value`](crate::gotmpl::Value): decoding, merges, aliases, the JSON round trip |
//! | [`resolve`] | go-yaml v2's plain-scalar resolution table, shared by reading and quoting |
//! | [`quick`] | a line-by-line validating reader for plain block YAML: keeps only asked-for paths (rendered manifests' heads), or builds a whole values file; anything else goes to `read` |
//! | [`json`] | Go's encoding/json: `toJson`, `toRawJson`, `toPrettyJson`, `fromJson` |
//! | [`emit`] | `toYaml`: the JSON round trip and go-yaml v2's emitter (styles, quoting, folding) |
//! | [`pretty`] | `toYamlPretty`: the same emitter with go-yaml v3's differences |
//! | [`toml`] | `toToml` (BurntSushi/toml's encoder layout) and `fromToml` |
//! | [`error`] | [`YamlError`], worded as go-yaml and encoding/json word their errors |
//!
//! # Which function for which Helm behaviour
//! | Helm | here |
//! |---|---|
//! | reading `values.yaml` and `-f` files (`yaml.Unmarshal` into a map) | [`unmarshal_map`] ([`quick::quick_values`] first, Go's full error text), or [`parse_value`] / [`parse_value_bytes`] |
//! | a multi-document stream | [`parse_documents`] |
//! | repository `index.yaml` (`yaml.UnmarshalStrict`: duplicate keys are errors) | [`parse_value_strict`] |
//! | decoding into a Go struct (Chart.yaml: a number in a `string` field becomes `%g` text) | [`parse_value_typed`] with [`go_string_field`] |
//! | reading a rendered manifest's head (`releaseutil.SortManifests`) | [`quick::quick_read`] first, [`parse_value_typed`] when it declines |
//! | `fromYaml`, `fromYamlArray` | [`helm_from_yaml`], [`helm_from_yaml_array`] (errors land in the result, as in Helm) |
//! | `fromJson`, `fromJsonArray` | [`helm_from_json`], [`helm_from_json_array`]; [`from_json`] for plain decoding |
//! | `toYaml`, `toYamlPretty` | [`to_yaml`], [`to_yaml_pretty`]: raw output; Helm trims one trailing `\n`; "" on error as in Helm (`try_*` keep the reason) |
//! | `toJson`, `toRawJson`, `toPrettyJson` | [`to_json`] with [`JsonOpts::COMPACT`], [`JsonOpts::RAW`], [`JsonOpts::PRETTY`] |
//! | `toToml`, `fromToml` | [`to_toml`] (Helm prints the error text in place of the output), [`from_toml`] |
//!
//! Known differences from Helm are listed in `testdata/yaml/GAPS.md`.

pub mod emit;
pub mod error;
mod events;
mod gofmt;
pub mod json;
pub mod pretty;
pub mod quick;
pub mod read;
pub mod resolve;
mod tabs;
pub mod toml;

/// The deepest nesting of collections any function here reads or writes. go-yaml
/// reads up to 10,000 levels, but the readers and writers here recurse, and they may
/// run deep inside a template's own recursion on a small thread stack; no chart
/// nests values anywhere near this deep.
pub const MAX_DEPTH: usize = 200;

pub use emit::{to_yaml, try_to_yaml};
pub use error::{ErrorSource, YamlError};
pub use json::{JsonOpts, from_json, helm_from_json, helm_from_json_array, to_json};
pub use pretty::{to_yaml_pretty, try_to_yaml_pretty};
pub use read::{
    go_string_field, helm_from_yaml, helm_from_yaml_array, parse_documents, parse_documents_bytes,
    parse_value, parse_value_bytes, parse_value_strict, parse_value_typed, unmarshal_list,
    unmarshal_map,
};
pub use toml::{from_toml, to_toml};
