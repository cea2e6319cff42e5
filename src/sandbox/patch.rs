//! The patch formats the API server accepts, applied to objects held as JSON:
//! RFC 6902 JSON patch, RFC 7386 merge patch and Kubernetes strategic merge patch.
//!
//! Strategic merge is hand-written: no crate implements it outside Go. It is driven by
//! the object's schema ([`Node`]): a list whose `x-kubernetes-patch-strategy` has
//! `merge` merges its elements on `x-kubernetes-patch-merge-key` (or, without a key,
//! unions its scalars); every other list, and every list the schema does not describe,
//! is replaced. Recursion is bounded by [`MAX_DEPTH`].

use serde_json::{Map, Value};

use crate::sandbox::schema::Node;

/// Deepest nesting a patch may reach.
pub const MAX_DEPTH: usize = 64;

/// Applies an RFC 6902 JSON patch.
pub fn json_patch(doc: &Value, patch: &Value) -> Result<Value, String> {
    let ops = patch
        .as_array()
        .ok_or("json patch must be an array of operations")?;
    let mut doc = doc.clone();
    for op in ops {
        let kind = op["op"]
            .as_str()
            .ok_or("json patch operation without \"op\"")?;
        let path = op["path"]
            .as_str()
            .ok_or("json patch operation without \"path\"")?;
        match kind {
            "add" => add(&mut doc, path, op["value"].clone())?,
            "remove" => {
                remove(&mut doc, path)?;
            }
            "replace" => {
                remove(&mut doc, path)?;
                add(&mut doc, path, op["value"].clone())?;
            }
            "move" | "copy" => {
                let from = op["from"]
                    .as_str()
                    .ok_or("json patch move/copy without \"from\"")?;
                let v = doc
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| format!("json patch: path {from:?} not found"))?;
                if kind == "move" {
                    remove(&mut doc, from)?;
                }
                add(&mut doc, path, v)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&op["value"]) {
                    return Err(format!("json patch: test operation failed at {path:?}"));
                }
            }
            other => return Err(format!("json patch: unknown operation {other:?}")),
        }
    }
    Ok(doc)
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

fn parent_of<'a>(doc: &'a mut Value, path: &str) -> Result<(&'a mut Value, String), String> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("json patch: invalid path {path:?}"))?;
    let target = doc
        .pointer_mut(parent)
        .ok_or_else(|| format!("json patch: path {parent:?} not found"))?;
    Ok((target, unescape(last)))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (target, key) = parent_of(doc, path)?;
    match target {
        Value::Object(m) => {
            m.insert(key, value);
            Ok(())
        }
        Value::Array(a) => {
            let idx = if key == "-" {
                a.len()
            } else {
                key.parse::<usize>()
                    .map_err(|_| format!("json patch: invalid index {key:?}"))?
            };
            if idx > a.len() {
                return Err(format!("json patch: index {idx} out of range"));
            }
            a.insert(idx, value);
            Ok(())
        }
        _ => Err(format!("json patch: cannot add at {path:?}")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (target, key) = parent_of(doc, path)?;
    match target {
        Value::Object(m) => m
            .remove(&key)
            .ok_or_else(|| format!("json patch: path {path:?} not found")),
        Value::Array(a) => {
            let idx = key
                .parse::<usize>()
                .map_err(|_| format!("json patch: invalid index {key:?}"))?;
            if idx >= a.len() {
                return Err(format!("json patch: index {idx} out of range"));
            }
            Ok(a.remove(idx))
        }
        _ => Err(format!("json patch: path {path:?} not found")),
    }
}

/// Applies an RFC 7386 merge patch.
pub fn merge_patch(doc: &Value, patch: &Value) -> Result<Value, String> {
    fn go(doc: &mut Value, patch: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("merge patch nests too deeply".into());
        }
        let Value::Object(p) = patch else {
            *doc = patch.clone();
            return Ok(());
        };
        if !doc.is_object() {
            *doc = Value::Object(Map::new());
        }
        if let Value::Object(d) = doc {
            for (k, v) in p {
                if v.is_null() {
                    d.remove(k);
                } else {
                    go(d.entry(k.clone()).or_insert(Value::Null), v, depth + 1)?;
                }
            }
        }
        Ok(())
    }
    let mut out = doc.clone();
    go(&mut out, patch, 0)?;
    Ok(out)
}

/// Applies a strategic merge patch (with `$patch`, `$retainKeys`,
/// `$setElementOrder/` and `$deleteFromPrimitiveList/` directives) to an object whose
/// schema is `schema`.
pub fn strategic_merge(
    doc: &Value,
    patch: &Value,
    schema: Option<Node<'_>>,
) -> Result<Value, String> {
    let mut out = doc.clone();
    smp_map(&mut out, patch, schema, 0)?;
    Ok(out)
}

fn smp_map(
    doc: &mut Value,
    patch: &Value,
    node: Option<Node<'_>>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("strategic merge patch nests too deeply".into());
    }
    let Value::Object(p) = patch else {
        *doc = patch.clone();
        return Ok(());
    };
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut clean = p.clone();
        clean.remove("$patch");
        *doc = Value::Object(clean);
        return Ok(());
    }
    if p.get("$patch").and_then(Value::as_str) == Some("delete") {
        *doc = Value::Null;
        return Ok(());
    }
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let Value::Object(d) = doc else {
        return Ok(());
    };
    if let Some(Value::Array(keep)) = p.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        d.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (k, v) in p {
        if k == "$retainKeys" || k == "$patch" || k.starts_with("$setElementOrder/") {
            continue;
        }
        if let Some(list) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(have)), Value::Array(del)) = (d.get_mut(list), v) {
                have.retain(|x| !del.contains(x));
            }
            continue;
        }
        if v.is_null() {
            d.remove(k);
            continue;
        }
        let child = node.and_then(|n| n.prop(k));
        match v {
            Value::Array(items) => {
                let cur = d.entry(k.clone()).or_insert(Value::Null);
                smp_list(cur, items, child, k, depth + 1)?;
            }
            Value::Object(_) => {
                let cur = d.entry(k.clone()).or_insert(Value::Null);
                smp_map(cur, v, child, depth + 1)?;
                if cur.is_null() {
                    d.remove(k);
                }
            }
            _ => {
                d.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(())
}

fn smp_list(
    doc: &mut Value,
    items: &[Value],
    node: Option<Node<'_>>,
    field: &str,
    depth: usize,
) -> Result<(), String> {
    let merges = node.is_some_and(|n| n.patch_strategy().split(',').any(|s| s == "merge"));
    if !merges {
        *doc = Value::Array(items.to_vec());
        return Ok(());
    }
    let item_node = node.and_then(|n| n.items());
    let Some(key) = node.and_then(|n| n.patch_merge_key()) else {
        // A merged list of scalars: the patch's elements are added.
        let mut have = doc.as_array().cloned().unwrap_or_default();
        for it in items {
            if !have.contains(it) {
                have.push(it.clone());
            }
        }
        *doc = Value::Array(have);
        return Ok(());
    };
    if items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *doc = Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .cloned()
                .collect(),
        );
        return Ok(());
    }
    let mut have = doc.as_array().cloned().unwrap_or_default();
    for it in items {
        let Some(kv) = it.get(key) else {
            return Err(format!(
                "strategic merge patch: element of {field} is missing its merge key {key:?}"
            ));
        };
        let pos = have.iter().position(|h| h.get(key) == Some(kv));
        if it.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(p) = pos {
                have.remove(p);
            }
            continue;
        }
        match pos {
            Some(p) => smp_map(&mut have[p], it, item_node, depth + 1)?,
            None => {
                let mut fresh = Value::Object(Map::new());
                smp_map(&mut fresh, it, item_node, depth + 1)?;
                have.push(fresh);
            }
        }
    }
    *doc = Value::Array(have);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kind(av: &str, kind: &str) -> Option<Node<'static>> {
        Some(Node::kind(av, kind).expect("built-in schema"))
    }

    #[test]
    fn json_patch_ops() {
        let doc = json!({"a": {"b": [1, 2]}});
        let p = json!([{"op": "add", "path": "/a/b/-", "value": 3},
            {"op": "replace", "path": "/a/b/0", "value": 9},
            {"op": "add", "path": "/c", "value": "x"},
            {"op": "remove", "path": "/a/b/1"}]);
        assert_eq!(
            json_patch(&doc, &p),
            Ok(json!({"a": {"b": [9, 3]}, "c": "x"}))
        );
        let bad = json!([{"op": "remove", "path": "/zz"}]);
        assert!(json_patch(&doc, &bad).is_err());
        let test = json!([{"op": "test", "path": "/a/b/0", "value": 5}]);
        assert!(json_patch(&doc, &test).is_err());
    }

    #[test]
    fn merge_patch_replaces_lists_and_deletes_nulls() {
        let doc = json!({"a": 1, "l": [1, 2], "m": {"x": 1, "y": 2}});
        let p = json!({"a": null, "l": [3], "m": {"y": null, "z": 3}});
        assert_eq!(
            merge_patch(&doc, &p),
            Ok(json!({"l": [3], "m": {"x": 1, "z": 3}}))
        );
    }

    #[test]
    fn strategic_merges_containers_ports_env() {
        let doc = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1", "ports": [{"containerPort": 80}],
             "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
            {"name": "b", "image": "b:1"}]}}}});
        let p = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:2", "ports": [{"containerPort": 443}],
             "env": [{"name": "Y", "value": "3"}, {"name": "X", "$patch": "delete"}]}]}}}});
        let out = strategic_merge(&doc, &p, kind("apps/v1", "Deployment")).expect("patch applies");
        let c = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["image"], "a:2");
        assert_eq!(
            c[0]["ports"],
            json!([{"containerPort": 80}, {"containerPort": 443}])
        );
        assert_eq!(c[0]["env"], json!([{"name": "Y", "value": "3"}]));
        assert_eq!(c[1]["image"], "b:1");
    }

    #[test]
    fn strategic_service_ports_merge_on_port() {
        let doc = json!({"spec": {"ports": [{"port": 80, "name": "http"}]}});
        let p = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}]}});
        let out = strategic_merge(&doc, &p, kind("v1", "Service")).expect("patch applies");
        assert_eq!(
            out["spec"]["ports"],
            json!([{"port": 80, "name": "http", "targetPort": 8080}])
        );
    }

    #[test]
    fn strategic_volumes_mounts_and_retain_keys() {
        let doc = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {"spec": {
            "volumes": [{"name": "a", "emptyDir": {}}, {"name": "b", "emptyDir": {}}],
            "containers": [{"name": "c", "volumeMounts": [{"name": "a", "mountPath": "/a"}]}]}}}});
        let p = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"},
            "template": {"spec": {
            "volumes": [{"name": "b", "$patch": "delete"}, {"name": "z", "secret": {"secretName": "s"}}],
            "containers": [{"name": "c", "volumeMounts": [{"name": "z", "mountPath": "/z"}]}]}}}});
        let out = strategic_merge(&doc, &p, kind("apps/v1", "Deployment")).expect("patch applies");
        let spec = &out["spec"]["template"]["spec"];
        assert_eq!(
            spec["volumes"],
            json!([{"name": "a", "emptyDir": {}}, {"name": "z", "secret": {"secretName": "s"}}])
        );
        assert_eq!(
            spec["containers"][0]["volumeMounts"],
            json!([{"name": "a", "mountPath": "/a"}, {"name": "z", "mountPath": "/z"}])
        );
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn strategic_directives() {
        let doc = json!({"metadata": {"finalizers": ["a", "b"]}, "spec": {"args": ["x"]}});
        let p = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"],
            "finalizers": ["c"]}, "spec": {"args": ["y"], "$setElementOrder/args": ["y"]}});
        let pod = kind("v1", "Pod");
        let out = strategic_merge(&doc, &p, pod).expect("patch applies");
        assert_eq!(out["metadata"]["finalizers"], json!(["b", "c"]));
        assert_eq!(out["spec"]["args"], json!(["y"]));
        let missing = json!({"spec": {"containers": [{"image": "x"}]}});
        assert!(strategic_merge(&doc, &missing, pod).is_err());
        // Without a schema every list is replaced.
        let out = strategic_merge(&doc, &json!({"metadata": {"finalizers": ["c"]}}), None)
            .expect("patch applies");
        assert_eq!(out["metadata"]["finalizers"], json!(["c"]));
    }
}
