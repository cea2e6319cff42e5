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
//! | [`read`] | YAML text to [`Value`](crate::gotmpl::Value): decoding, merges, aliases, the JSON round trip |
//! | [`resolve`] | go-yaml v2's plain-scalar resolution table, shared by reading and quoting |
//! | [`json`] | Go's encoding/json: `toJson`, `toRawJson`, `toPrettyJson`, `fromJson` |
//! | [`error`] | [`YamlError`], worded as go-yaml and encoding/json word their errors |

pub mod error;
pub mod json;
pub mod read;
pub mod resolve;

pub use error::{ErrorSource, YamlError};
pub use json::{JsonOpts, from_json, to_json};
pub use read::{parse_documents, parse_value, unmarshal_list, unmarshal_map};
