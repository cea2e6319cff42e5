//! Lock files (`Chart.lock`, `requirements.lock`): the digest Helm stores to tell
//! whether the lock still matches the chart's dependency list, and the file text
//! Helm writes.
//!
//! The digest must be the very bytes Helm hashes, or `helm dependency build`
//! rejects a lock that charter wrote (and the other way round): `sha256:` and the
//! hex SHA-256 of Go's `json.Marshal([2][]*chart.Dependency{requested, locked})`.
//! Go marshals a struct in field order (not sorted), omits empty `omitempty`
//! fields, escapes `<`, `>` and `&`, and sorts the keys of maps inside
//! `import-values`; [`dependency_json`] writes exactly that.

use sha2::{Digest, Sha256};

use super::metadata::{Dependency, Lock};
use crate::gotmpl::{Map, Value};
use crate::yaml::{JsonOpts, json::quote_into, to_json};

/// Go's `json.Marshal(*chart.Dependency)`.
pub fn dependency_json(d: &Dependency, out: &mut String) {
    let field = |out: &mut String, name: &str, v: &str| {
        out.push_str(",\"");
        out.push_str(name);
        out.push_str("\":");
        quote_into(v, true, out);
    };
    out.push_str("{\"name\":");
    quote_into(&d.name, true, out);
    if !d.version.is_empty() {
        field(out, "version", &d.version);
    }
    field(out, "repository", &d.repository);
    if !d.condition.is_empty() {
        field(out, "condition", &d.condition);
    }
    if !d.tags.is_empty() {
        out.push_str(",\"tags\":[");
        for (i, t) in d.tags.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            quote_into(t, true, out);
        }
        out.push(']');
    }
    if d.enabled {
        out.push_str(",\"enabled\":true");
    }
    if !d.import_values.is_empty() {
        out.push_str(",\"import-values\":");
        let list = Value::list(d.import_values.clone());
        // Values read from YAML always marshal; fall back to null like a nil slice.
        out.push_str(&to_json(&list, JsonOpts::COMPACT).unwrap_or_else(|_| "null".into()));
    }
    if !d.alias.is_empty() {
        field(out, "alias", &d.alias);
    }
    out.push('}');
}

fn list_json(deps: &[Dependency], out: &mut String) {
    out.push('[');
    for (i, d) in deps.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        dependency_json(d, out);
    }
    out.push(']');
}

fn sha256_tagged(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// Helm 3's lock digest (`resolver.HashReq`) of the requested dependencies (as
/// Chart.yaml lists them, repository aliases already replaced by URLs) and the
/// locked ones.
pub fn hash_req(requested: &[Dependency], locked: &[Dependency]) -> String {
    let mut s = String::from("[");
    list_json(requested, &mut s);
    s.push(',');
    list_json(locked, &mut s);
    s.push(']');
    sha256_tagged(s.as_bytes())
}

/// Helm 2's digest (`resolver.HashV2Req`), still accepted for apiVersion v1 charts.
pub fn hash_v2_req(requested: &[Dependency]) -> String {
    let mut s = String::from("{\"dependencies\":");
    list_json(requested, &mut s);
    s.push('}');
    sha256_tagged(s.as_bytes())
}

/// The lock file text Helm writes (`yaml.Marshal(lock)` through JSON, so keys
/// sorted and the timestamp quoted).
pub fn lock_yaml(lock: &Lock) -> String {
    let deps = lock
        .dependencies
        .iter()
        .map(|d| {
            let mut m = Map::new();
            m.insert("name".into(), Value::str(&d.name));
            m.insert("repository".into(), Value::str(&d.repository));
            if !d.version.is_empty() {
                m.insert("version".into(), Value::str(&d.version));
            }
            Value::map(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("dependencies".into(), Value::list(deps));
    m.insert("digest".into(), Value::str(&lock.digest));
    m.insert("generated".into(), Value::str(&lock.generated));
    crate::yaml::to_yaml(&Value::map(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, version: &str, repo: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
            repository: repo.into(),
            ..Dependency::default()
        }
    }

    #[test]
    fn json_follows_go_field_order_and_escaping() {
        let mut d = dep("a<b", "~1.2", "https://x/&");
        d.tags = vec!["t1".into()];
        d.alias = "al".into();
        d.condition = "a.enabled".into();
        let mut s = String::new();
        dependency_json(&d, &mut s);
        assert_eq!(
            s,
            r#"{"name":"a\u003cb","version":"~1.2","repository":"https://x/\u0026","condition":"a.enabled","tags":["t1"],"alias":"al"}"#
        );
    }

    #[test]
    fn digest_of_helm_testdata_lock() {
        // Helm's own test chart `chart-with-subchart-update` style: the digest is
        // the SHA-256 of the exact JSON text.
        let req = vec![dep("sub", "0.1.0", "file://../sub")];
        let lock = req.clone();
        let json = r#"[[{"name":"sub","version":"0.1.0","repository":"file://../sub"}],[{"name":"sub","version":"0.1.0","repository":"file://../sub"}]]"#;
        assert_eq!(hash_req(&req, &lock), sha256_tagged(json.as_bytes()));
    }

    #[test]
    fn lock_text_is_sorted_and_quoted() {
        let lock = Lock {
            generated: "2026-12-02T16:00:00.123456789Z".into(),
            digest: "sha256:00".into(),
            dependencies: vec![dep("sub", "0.1.0", "")],
        };
        assert_eq!(
            lock_yaml(&lock),
            "dependencies:\n- name: sub\n  repository: \"\"\n  version: 0.1.0\ndigest: sha256:00\ngenerated: \"2026-12-02T16:00:00.123456789Z\"\n"
        );
    }
}
