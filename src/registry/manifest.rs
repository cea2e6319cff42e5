//! The chart artifact: the config blob (Chart.yaml as Go's `json.Marshal` of
//! `chart.Metadata` writes it), the OCI image manifest Helm's oras-go builds
//! (`schemaVersion`, `config`, `layers`, `annotations`, no `mediaType`), and the
//! `org.opencontainers.image.*` annotations Helm derives from Chart.yaml
//! (pkg/registry/util.go `generateOCIAnnotations`). Encoding follows Go field
//! order and escaping, so charter and Helm pushing the same archive produce the
//! same manifest digest.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::RegistryError;
use crate::chart::{Dependency, Maintainer, Metadata};
use crate::yaml::json::{JsonOpts, quote_into, to_json};

/// A content descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    pub fn of(media_type: &str, data: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: super::digest_of(data),
            size: data.len() as u64,
            annotations: BTreeMap::new(),
        }
    }
}

/// An OCI (or Docker schema 2) image manifest, as read back.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Manifest {
    /// Parses a manifest body, naming the reference on failure.
    pub fn parse(data: &[u8], reference: &str) -> Result<Manifest, RegistryError> {
        let m: Manifest = serde_json::from_slice(data).map_err(|e| {
            RegistryError::Other(format!(
                "{reference}: not an OCI image manifest (is it an image index or another artifact?): {e}"
            ))
        })?;
        if m.schema_version != 2 {
            return Err(RegistryError::Other(format!(
                "{reference}: unsupported manifest schema version {}",
                m.schema_version
            )));
        }
        Ok(m)
    }
}

fn put_str(out: &mut String, first: &mut bool, key: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    key_into(out, first, key);
    quote_into(value, true, out);
}

fn key_into(out: &mut String, first: &mut bool, key: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    quote_into(key, true, out);
    out.push(':');
}

fn put_list(out: &mut String, first: &mut bool, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    key_into(out, first, key);
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        quote_into(s, true, out);
    }
    out.push(']');
}

fn put_map(out: &mut String, map: &BTreeMap<String, String>) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        quote_into(k, true, out);
        out.push(':');
        quote_into(v, true, out);
    }
    out.push('}');
}

fn maintainer_json(m: &Maintainer, out: &mut String) {
    let mut first = true;
    out.push('{');
    put_str(out, &mut first, "name", &m.name);
    put_str(out, &mut first, "email", &m.email);
    put_str(out, &mut first, "url", &m.url);
    out.push('}');
}

fn dependency_json(d: &Dependency, out: &mut String) -> Result<(), RegistryError> {
    let mut first = true;
    out.push('{');
    key_into(out, &mut first, "name");
    quote_into(&d.name, true, out);
    put_str(out, &mut first, "version", &d.version);
    key_into(out, &mut first, "repository");
    quote_into(&d.repository, true, out);
    put_str(out, &mut first, "condition", &d.condition);
    put_list(out, &mut first, "tags", &d.tags);
    if d.enabled {
        key_into(out, &mut first, "enabled");
        out.push_str("true");
    }
    if !d.import_values.is_empty() {
        key_into(out, &mut first, "import-values");
        out.push('[');
        for (i, v) in d.import_values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&to_json(v, JsonOpts::COMPACT).map_err(RegistryError::Other)?);
        }
        out.push(']');
    }
    put_str(out, &mut first, "alias", &d.alias);
    out.push('}');
    Ok(())
}

/// The config blob: `json.Marshal(chart.Metadata)`.
pub fn config_json(m: &Metadata) -> Result<Vec<u8>, RegistryError> {
    let mut out = String::from("{");
    let mut first = true;
    put_str(&mut out, &mut first, "name", &m.name);
    put_str(&mut out, &mut first, "home", &m.home);
    put_list(&mut out, &mut first, "sources", &m.sources);
    put_str(&mut out, &mut first, "version", &m.version);
    put_str(&mut out, &mut first, "description", &m.description);
    put_list(&mut out, &mut first, "keywords", &m.keywords);
    if !m.maintainers.is_empty() {
        key_into(&mut out, &mut first, "maintainers");
        out.push('[');
        for (i, mt) in m.maintainers.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            maintainer_json(mt, &mut out);
        }
        out.push(']');
    }
    put_str(&mut out, &mut first, "icon", &m.icon);
    put_str(&mut out, &mut first, "apiVersion", &m.api_version);
    put_str(&mut out, &mut first, "condition", &m.condition);
    put_str(&mut out, &mut first, "tags", &m.tags);
    put_str(&mut out, &mut first, "appVersion", &m.app_version);
    if m.deprecated {
        key_into(&mut out, &mut first, "deprecated");
        out.push_str("true");
    }
    if !m.annotations.is_empty() {
        key_into(&mut out, &mut first, "annotations");
        put_map(&mut out, &m.annotations);
    }
    put_str(
        &mut out,
        &mut first,
        "kubeVersion",
        m.kube_version.as_deref().unwrap_or(""),
    );
    if !m.dependencies.is_empty() {
        key_into(&mut out, &mut first, "dependencies");
        out.push('[');
        for (i, d) in m.dependencies.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            dependency_json(d, &mut out)?;
        }
        out.push(']');
    }
    put_str(
        &mut out,
        &mut first,
        "type",
        m.chart_type.as_deref().unwrap_or(""),
    );
    out.push('}');
    Ok(out.into_bytes())
}

/// Helm's `generateOCIAnnotations`: description, title, version, url, created,
/// source (first), authors (`name (email), ...`), then Chart.yaml's own
/// annotations except title and version.
pub fn annotations(m: &Metadata, created: &str) -> BTreeMap<String, String> {
    let mut a = BTreeMap::new();
    let mut add = |k: &str, v: &str| {
        if !v.trim().is_empty() {
            a.insert(format!("org.opencontainers.image.{k}"), v.to_string());
        }
    };
    add("description", &m.description);
    add("title", &m.name);
    add("version", &m.version);
    add("url", &m.home);
    add("created", created);
    if let Some(s) = m.sources.first() {
        add("source", s);
    }
    if !m.maintainers.is_empty() {
        let authors: Vec<String> = m
            .maintainers
            .iter()
            .map(|mt| {
                let mut s = mt.name.clone();
                if !mt.email.is_empty() {
                    s.push_str(&format!(" ({})", mt.email));
                }
                s
            })
            .collect();
        add("authors", &authors.join(", "));
    }
    for (k, v) in &m.annotations {
        if k != "org.opencontainers.image.version" && k != "org.opencontainers.image.title" {
            a.insert(k.clone(), v.clone());
        }
    }
    a
}

fn descriptor_json(d: &Descriptor, out: &mut String) {
    out.push_str("{\"mediaType\":");
    quote_into(&d.media_type, true, out);
    out.push_str(",\"digest\":");
    quote_into(&d.digest, true, out);
    out.push_str(&format!(",\"size\":{}", d.size));
    if !d.annotations.is_empty() {
        out.push_str(",\"annotations\":");
        put_map(out, &d.annotations);
    }
    out.push('}');
}

/// The manifest as oras-go's `GenerateManifest` marshals it.
pub fn manifest_json(
    config: &Descriptor,
    layers: &[Descriptor],
    annotations: &BTreeMap<String, String>,
) -> Vec<u8> {
    let mut out = String::from("{\"schemaVersion\":2,\"config\":");
    descriptor_json(config, &mut out);
    out.push_str(",\"layers\":[");
    for (i, l) in layers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        descriptor_json(l, &mut out);
    }
    out.push(']');
    if !annotations.is_empty() {
        out.push_str(",\"annotations\":");
        put_map(&mut out, annotations);
    }
    out.push('}');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata::parse(
            "apiVersion: v2\nname: web\nversion: 1.0.0\ndescription: a <b> & c\nhome: https://h\nsources: [https://s1, https://s2]\nmaintainers:\n- name: Ann\n  email: ann@x\n- name: Bob\nannotations:\n  org.opencontainers.image.title: ignored\n  x: z\n",
        )
        .unwrap()
    }

    #[test]
    fn config_is_go_json() {
        let c = String::from_utf8(config_json(&meta()).unwrap()).unwrap();
        assert_eq!(
            c,
            r#"{"name":"web","home":"https://h","sources":["https://s1","https://s2"],"version":"1.0.0","description":"a \u003cb\u003e \u0026 c","maintainers":[{"name":"Ann","email":"ann@x"},{"name":"Bob"}],"apiVersion":"v2","annotations":{"org.opencontainers.image.title":"ignored","x":"z"}}"#
        );
    }

    #[test]
    fn annotations_follow_helm() {
        let a = annotations(&meta(), "2024-01-02T03:04:05Z");
        assert_eq!(a["org.opencontainers.image.title"], "web");
        assert_eq!(a["org.opencontainers.image.authors"], "Ann (ann@x), Bob");
        assert_eq!(a["org.opencontainers.image.source"], "https://s1");
        assert_eq!(a["org.opencontainers.image.url"], "https://h");
        assert_eq!(a["x"], "z");
        assert_eq!(a.len(), 8);
    }

    #[test]
    fn manifest_round_trips() {
        let cfg = Descriptor::of(super::super::CONFIG_MEDIA_TYPE, b"{}");
        let layer = Descriptor::of(super::super::CHART_LAYER_MEDIA_TYPE, b"x");
        let mut ann = BTreeMap::new();
        ann.insert("k".to_string(), "v".to_string());
        let bytes = manifest_json(&cfg, std::slice::from_ref(&layer), &ann);
        let m = Manifest::parse(&bytes, "r").unwrap();
        assert_eq!(m.config, cfg);
        assert_eq!(m.layers, vec![layer]);
        assert!(
            String::from_utf8(bytes)
                .unwrap()
                .starts_with("{\"schemaVersion\":2,\"config\":{\"mediaType\":")
        );
        assert!(Manifest::parse(b"{\"manifests\":[]}", "r").is_err());
    }
}
