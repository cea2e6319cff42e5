//! Decoding of the Kubernetes protobuf wire format for the few request bodies real
//! clients send that way: client-go's typed clients (Helm's release storage) POST and PUT
//! Secrets, ConfigMaps, Namespaces and ServiceAccounts, and send DeleteOptions, as `application/vnd.kubernetes.protobuf`.
//! Responses are always JSON, which those clients accept.
//!
//! Hand-written because only these messages are needed: the `k8s\0` envelope
//! (`runtime.Unknown`), `ObjectMeta`, `Secret`, `ConfigMap`, `Namespace`, `ServiceAccount`, `OwnerReference` and
//! `DeleteOptions`, with field numbers from the Kubernetes `generated.proto` files.
//! Unknown fields are skipped; malformed input is an error, never a panic.

use base64::Engine;
use serde_json::{Map, Value, json};

const MAGIC: &[u8] = b"k8s\x00";

/// One decoded field.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

/// Iterates the fields of one message.
fn fields(mut buf: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (tag, rest) = varint(buf)?;
        buf = rest;
        let number = tag >> 3;
        match tag & 7 {
            0 => {
                let (v, rest) = varint(buf)?;
                buf = rest;
                out.push((number, Field::Varint(v)));
            }
            2 => {
                let (len, rest) = varint(buf)?;
                let len = usize::try_from(len).map_err(|_| "protobuf length overflows")?;
                if rest.len() < len {
                    return Err("protobuf field runs past the end of the body".into());
                }
                out.push((number, Field::Bytes(&rest[..len])));
                buf = &rest[len..];
            }
            1 => {
                if buf.len() < 8 {
                    return Err("truncated protobuf fixed64".into());
                }
                buf = &buf[8..];
            }
            5 => {
                if buf.len() < 4 {
                    return Err("truncated protobuf fixed32".into());
                }
                buf = &buf[4..];
            }
            w => return Err(format!("unsupported protobuf wire type {w}")),
        }
    }
    Ok(out)
}

fn varint(buf: &[u8]) -> Result<(u64, &[u8]), String> {
    let mut v: u64 = 0;
    for (i, b) in buf.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Ok((v, &buf[i + 1..]));
        }
    }
    Err("malformed protobuf varint".into())
}

fn string(b: &[u8]) -> Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "protobuf string is not UTF-8".to_string())
}

/// A `map<string, string|bytes>` entry.
fn map_entry(b: &[u8], bytes_value: bool) -> Result<(String, String), String> {
    let mut key = String::new();
    let mut value = String::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(k)) => key = string(k)?,
            (2, Field::Bytes(v)) if bytes_value => {
                value = base64::engine::general_purpose::STANDARD.encode(v);
            }
            (2, Field::Bytes(v)) => value = string(v)?,
            _ => {}
        }
    }
    Ok((key, value))
}

fn insert(obj: &mut Map<String, Value>, field: &str, k: String, v: String) {
    let entry = obj
        .entry(field.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(m) = entry {
        m.insert(k, Value::String(v));
    }
}

fn time(b: &[u8]) -> Result<Value, String> {
    let mut secs = 0i64;
    for (n, f) in fields(b)? {
        if let (1, Field::Varint(v)) = (n, f) {
            secs = v as i64;
        }
    }
    Ok(chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| json!(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
        .unwrap_or(Value::Null))
}

fn owner_ref(b: &[u8]) -> Result<Value, String> {
    let mut m = Map::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(s)) => drop(m.insert("kind".into(), json!(string(s)?))),
            (3, Field::Bytes(s)) => drop(m.insert("name".into(), json!(string(s)?))),
            (4, Field::Bytes(s)) => drop(m.insert("uid".into(), json!(string(s)?))),
            (5, Field::Bytes(s)) => drop(m.insert("apiVersion".into(), json!(string(s)?))),
            (6, Field::Varint(v)) => drop(m.insert("controller".into(), json!(v != 0))),
            (7, Field::Varint(v)) => drop(m.insert("blockOwnerDeletion".into(), json!(v != 0))),
            _ => {}
        }
    }
    Ok(Value::Object(m))
}

fn object_meta(b: &[u8]) -> Result<Value, String> {
    let mut m = Map::new();
    let mut owners = Vec::new();
    let mut finalizers = Vec::new();
    for (n, f) in fields(b)? {
        match (n, f) {
            (1, Field::Bytes(s)) => drop(m.insert("name".into(), json!(string(s)?))),
            (2, Field::Bytes(s)) => drop(m.insert("generateName".into(), json!(string(s)?))),
            (3, Field::Bytes(s)) => drop(m.insert("namespace".into(), json!(string(s)?))),
            (5, Field::Bytes(s)) => drop(m.insert("uid".into(), json!(string(s)?))),
            (6, Field::Bytes(s)) => drop(m.insert("resourceVersion".into(), json!(string(s)?))),
            (7, Field::Varint(v)) => drop(m.insert("generation".into(), json!(v as i64))),
            (8, Field::Bytes(t)) => drop(m.insert("creationTimestamp".into(), time(t)?)),
            (11, Field::Bytes(e)) => {
                let (k, v) = map_entry(e, false)?;
                insert(&mut m, "labels", k, v);
            }
            (12, Field::Bytes(e)) => {
                let (k, v) = map_entry(e, false)?;
                insert(&mut m, "annotations", k, v);
            }
            (13, Field::Bytes(o)) => owners.push(owner_ref(o)?),
            (14, Field::Bytes(s)) => finalizers.push(json!(string(s)?)),
            _ => {}
        }
    }
    if !owners.is_empty() {
        m.insert("ownerReferences".into(), Value::Array(owners));
    }
    if !finalizers.is_empty() {
        m.insert("finalizers".into(), Value::Array(finalizers));
    }
    // An empty creationTimestamp encodes as seconds 0; a real server ignores it.
    if m.get("creationTimestamp") == Some(&json!("1970-01-01T00:00:00Z")) {
        m.remove("creationTimestamp");
    }
    Ok(Value::Object(m))
}

/// Decodes a protobuf request body into the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let inner = body
        .strip_prefix(MAGIC)
        .ok_or("protobuf body lacks the k8s envelope")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for (n, f) in fields(inner)? {
        match (n, f) {
            (1, Field::Bytes(tm)) => {
                for (tn, tf) in fields(tm)? {
                    match (tn, tf) {
                        (1, Field::Bytes(s)) => api_version = string(s)?,
                        (2, Field::Bytes(s)) => kind = string(s)?,
                        _ => {}
                    }
                }
            }
            (2, Field::Bytes(r)) => raw = r,
            _ => {}
        }
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!(api_version));
    obj.insert("kind".into(), json!(kind));
    match (api_version.as_str(), kind.as_str()) {
        ("v1", "Secret") => {
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(m)) => drop(obj.insert("metadata".into(), object_meta(m)?)),
                    (2, Field::Bytes(e)) => {
                        let (k, v) = map_entry(e, true)?;
                        insert(&mut obj, "data", k, v);
                    }
                    (3, Field::Bytes(s)) => drop(obj.insert("type".into(), json!(string(s)?))),
                    (4, Field::Bytes(e)) => {
                        let (k, v) = map_entry(e, false)?;
                        insert(&mut obj, "stringData", k, v);
                    }
                    (5, Field::Varint(v)) => drop(obj.insert("immutable".into(), json!(v != 0))),
                    _ => {}
                }
            }
        }
        ("v1", "ConfigMap") => {
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(m)) => drop(obj.insert("metadata".into(), object_meta(m)?)),
                    (2, Field::Bytes(e)) => {
                        let (k, v) = map_entry(e, false)?;
                        insert(&mut obj, "data", k, v);
                    }
                    (3, Field::Bytes(e)) => {
                        let (k, v) = map_entry(e, true)?;
                        insert(&mut obj, "binaryData", k, v);
                    }
                    (4, Field::Varint(v)) => drop(obj.insert("immutable".into(), json!(v != 0))),
                    _ => {}
                }
            }
        }
        ("v1", "Namespace") => {
            let mut finalizers = Vec::new();
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(m)) => drop(obj.insert("metadata".into(), object_meta(m)?)),
                    (2, Field::Bytes(spec)) => {
                        for (sn, sf) in fields(spec)? {
                            if let (1, Field::Bytes(s)) = (sn, sf) {
                                finalizers.push(json!(string(s)?));
                            }
                        }
                    }
                    _ => {}
                }
            }
            if !finalizers.is_empty() {
                obj.insert("spec".into(), json!({"finalizers": finalizers}));
            }
        }
        ("v1", "ServiceAccount") => {
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Bytes(m)) => drop(obj.insert("metadata".into(), object_meta(m)?)),
                    (4, Field::Varint(v)) => {
                        obj.insert("automountServiceAccountToken".into(), json!(v != 0));
                    }
                    _ => {}
                }
            }
        }
        ("v1" | "meta.k8s.io/v1", "DeleteOptions") => {
            let mut dry = Vec::new();
            for (n, f) in fields(raw)? {
                match (n, f) {
                    (1, Field::Varint(v)) => {
                        drop(obj.insert("gracePeriodSeconds".into(), json!(v as i64)))
                    }
                    (4, Field::Bytes(s)) => {
                        drop(obj.insert("propagationPolicy".into(), json!(string(s)?)))
                    }
                    (5, Field::Bytes(s)) => dry.push(json!(string(s)?)),
                    _ => {}
                }
            }
            if !dry.is_empty() {
                obj.insert("dryRun".into(), Value::Array(dry));
            }
        }
        _ => {
            return Err(format!(
                "protobuf bodies are accepted for Secrets, ConfigMaps, Namespaces, ServiceAccounts and DeleteOptions only, not {api_version}/{kind}; send JSON"
            ));
        }
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: u64, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![((n << 3) | 2) as u8, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn decodes_a_secret() {
        let label = [field(1, b"owner"), field(2, b"helm")].concat();
        let meta = [field(1, b"sh.helm.release.v1.r.v1"), field(11, &label)].concat();
        let data = [field(1, b"release"), field(2, b"\x01\x02")].concat();
        let secret = [
            field(1, &meta),
            field(2, &data),
            field(3, b"helm.sh/release.v1"),
        ]
        .concat();
        let tm = [field(1, b"v1"), field(2, b"Secret")].concat();
        let body = [MAGIC.to_vec(), field(1, &tm), field(2, &secret)].concat();
        let v = decode(&body).expect("decodes");
        assert_eq!(v["metadata"]["name"], "sh.helm.release.v1.r.v1");
        assert_eq!(v["metadata"]["labels"]["owner"], "helm");
        assert_eq!(v["data"]["release"], "AQI=");
        assert_eq!(v["type"], "helm.sh/release.v1");
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode(b"nope").is_err());
        assert!(decode(b"k8s\x00\x0a\x7f").is_err());
    }
}
