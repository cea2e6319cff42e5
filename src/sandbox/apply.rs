//! Server-side apply and `managedFields`: which field manager owns which fields, the
//! conflicts an apply raises against other managers (overridable with `force`), removal
//! of fields a manager stops applying, and the `Update` entries other writes record.
//!
//! Hand-written: no Rust crate implements Kubernetes' structured-merge-diff. Fields are
//! tracked as leaf paths in the `fieldsV1` notation (`f:spec`, `k:{"name":"a"}`,
//! `v:"x"`), driven by the object's schema ([`Node`]): `x-kubernetes-list-type: map`
//! lists are owned and merged per element on their `x-kubernetes-list-map-keys`, `set`
//! lists per value, and every other list (and every `x-kubernetes-map-type: atomic`
//! map) as a whole. Recursion is bounded by [`patch::MAX_DEPTH`].

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::sandbox::patch;
use crate::sandbox::schema::{self, Node};

type Path = Vec<String>;
type FieldSet = BTreeSet<Path>;

/// Metadata fields the server owns; they are never tracked.
const SERVER_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "selfLink",
];

/// Converts a YAML document (an apply body) to JSON.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text)
        .map_err(|e| format!("failed to parse YAML: {e}"))?;
    let doc = docs.into_iter().next().ok_or("empty YAML document")?;
    convert(&doc, 0)
}

fn convert(y: &yaml_rust2::Yaml, depth: usize) -> Result<Value, String> {
    use yaml_rust2::Yaml;
    if depth > patch::MAX_DEPTH {
        return Err("YAML nests too deeply".into());
    }
    Ok(match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| json!(s)),
        Yaml::Integer(i) => json!(i),
        Yaml::String(s) => json!(s),
        Yaml::Boolean(b) => json!(b),
        Yaml::Array(a) => Value::Array(
            a.iter()
                .map(|v| convert(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    Yaml::Real(r) => r.clone(),
                    _ => return Err("unsupported YAML map key".into()),
                };
                m.insert(key, convert(v, depth + 1)?);
            }
            Value::Object(m)
        }
        Yaml::Null => Value::Null,
        _ => return Err("unsupported YAML value".into()),
    })
}

/// `k:{"containerPort":80,"protocol":"TCP"}` for an element of an associative list,
/// keys in the schema's order.
fn key_segment(keys: &[(String, Value)]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::String(k.clone())))
        .collect();
    format!("k:{{{}}}", parts.join(","))
}

/// The leaf paths `v` sets, per the schema `node`.
fn fields_of(v: &Value, node: Option<Node<'_>>) -> FieldSet {
    let mut out = FieldSet::new();
    if let Some(m) = v.as_object() {
        for (k, child) in m {
            if k == "apiVersion" || k == "kind" {
                continue;
            }
            let child_node = node.and_then(|n| n.prop(k));
            if k == "metadata" {
                if let Some(meta) = child.as_object() {
                    for (mk, mv) in meta {
                        if SERVER_META.contains(&mk.as_str()) {
                            continue;
                        }
                        walk(
                            mv,
                            child_node.and_then(|n| n.prop(mk)),
                            vec!["f:metadata".into(), format!("f:{mk}")],
                            &mut out,
                            1,
                        );
                    }
                }
                continue;
            }
            walk(child, child_node, vec![format!("f:{k}")], &mut out, 0);
        }
    }
    out
}

fn walk(v: &Value, node: Option<Node<'_>>, path: Path, out: &mut FieldSet, depth: usize) {
    if depth > patch::MAX_DEPTH {
        out.insert(path);
        return;
    }
    let list_type = node.map(|n| n.list_type()).unwrap_or("atomic");
    match v {
        Value::Object(m) if !m.is_empty() && !node.is_some_and(|n| n.atomic_map()) => {
            for (k, child) in m {
                let mut p = path.clone();
                p.push(format!("f:{k}"));
                walk(child, node.and_then(|n| n.prop(k)), p, out, depth + 1);
            }
        }
        Value::Array(items) if list_type == "map" && !items.is_empty() => {
            let keys = node.map(|n| n.list_map_keys()).unwrap_or_default();
            let item_node = node.and_then(|n| n.items());
            for it in items {
                let Ok(kv) = schema::item_keys(it, &keys) else {
                    out.insert(path.clone());
                    continue;
                };
                let mut p = path.clone();
                p.push(key_segment(&kv));
                out.insert({
                    let mut dot = p.clone();
                    dot.push(".".into());
                    dot
                });
                walk(it, item_node, p, out, depth + 1);
            }
        }
        Value::Array(items) if list_type == "set" && !items.is_empty() => {
            let mut dot = path.clone();
            dot.push(".".into());
            out.insert(dot);
            for it in items {
                let mut p = path.clone();
                p.push(format!("v:{it}"));
                out.insert(p);
            }
        }
        _ => {
            out.insert(path);
        }
    }
}

/// Whether list element `it` has the key values `want` (missing defaulted keys match
/// their default).
fn key_matches(it: &Value, want: &Map<String, Value>) -> bool {
    want.iter().all(|(k, v)| match it.get(k) {
        Some(have) if !have.is_null() => have == v,
        _ => schema::key_default(k).as_ref() == Some(v),
    })
}

fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Value::Object(Map::new());
    for path in set {
        let mut cur = &mut root;
        for seg in path {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            cur = match cur {
                Value::Object(m) => m.entry(seg.clone()).or_insert_with(|| json!({})),
                _ => break,
            };
        }
    }
    root
}

fn from_fields_v1(v: &Value, prefix: &mut Path, out: &mut FieldSet, depth: usize) {
    let Some(m) = v.as_object() else {
        return;
    };
    if depth > patch::MAX_DEPTH {
        return;
    }
    if m.is_empty() && !prefix.is_empty() {
        out.insert(prefix.clone());
        return;
    }
    for (k, child) in m {
        prefix.push(k.clone());
        from_fields_v1(child, prefix, out, depth + 1);
        prefix.pop();
    }
}

/// The value at a field path, if present.
fn get_path<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        if seg == "." {
            return Some(cur);
        }
        if let Some(f) = seg.strip_prefix("f:") {
            cur = cur.get(f)?;
        } else if let Some(k) = seg.strip_prefix("k:") {
            let want: Value = serde_json::from_str(k).ok()?;
            let want = want.as_object()?;
            cur = cur.as_array()?.iter().find(|it| key_matches(it, want))?;
        } else if let Some(x) = seg.strip_prefix("v:") {
            let want: Value = serde_json::from_str(x).ok()?;
            cur = cur.as_array()?.iter().find(|it| **it == want)?;
        } else {
            return None;
        }
    }
    Some(cur)
}

fn remove_path(v: &mut Value, path: &[String]) {
    let Some((last, init)) = path.split_last() else {
        return;
    };
    if last == "." {
        remove_path(v, init);
        return;
    }
    let mut cur = v;
    for seg in init {
        let next = if let Some(f) = seg.strip_prefix("f:") {
            cur.get_mut(f)
        } else if let Some(k) = seg.strip_prefix("k:") {
            let Ok(Value::Object(want)) = serde_json::from_str::<Value>(k) else {
                return;
            };
            cur.as_array_mut()
                .and_then(|a| a.iter_mut().find(|it| key_matches(it, &want)))
        } else {
            None
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Some(f) = last.strip_prefix("f:") {
        if let Some(m) = cur.as_object_mut() {
            m.remove(f);
        }
    } else if let Some(k) = last.strip_prefix("k:")
        && let Ok(Value::Object(want)) = serde_json::from_str::<Value>(k)
        && let Some(a) = cur.as_array_mut()
    {
        a.retain(|it| !key_matches(it, &want));
    } else if let Some(x) = last.strip_prefix("v:")
        && let Ok(want) = serde_json::from_str::<Value>(x)
        && let Some(a) = cur.as_array_mut()
    {
        a.retain(|it| *it != want);
    }
}

fn describe(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if let Some(f) = seg.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = seg.strip_prefix("k:") {
            // `k:{"name":"a"}` reads `[name="a"]`, as structured-merge-diff prints it.
            let keys: Vec<(String, Value)> = serde_json::from_str::<Map<String, Value>>(k)
                .map(|m| m.into_iter().collect())
                .unwrap_or_default();
            s.push_str(&format!("[{}]", schema::smd_key(&keys)));
        } else if let Some(x) = seg.strip_prefix("v:") {
            s.push_str(&format!("[={x}]"));
        }
    }
    s
}

/// One managedFields entry, parsed.
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    fields: FieldSet,
    subresource: Option<Value>,
}

fn entries(obj: &Value) -> Vec<Entry> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let mut fields = FieldSet::new();
            from_fields_v1(&e["fieldsV1"], &mut Vec::new(), &mut fields, 0);
            Entry {
                manager: e["manager"].as_str().unwrap_or_default().to_string(),
                operation: e["operation"].as_str().unwrap_or("Update").to_string(),
                api_version: e["apiVersion"].as_str().unwrap_or_default().to_string(),
                time: e["time"].as_str().unwrap_or_default().to_string(),
                fields,
                subresource: e.get("subresource").cloned(),
            }
        })
        .collect()
}

fn store_entries(obj: &mut Value, list: Vec<Entry>) {
    let arr: Vec<Value> = list
        .into_iter()
        .filter(|e| !e.fields.is_empty())
        .map(|e| {
            let mut v = json!({"manager": e.manager, "operation": e.operation, "apiVersion": e.api_version,
                "time": e.time, "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(&e.fields)});
            if let Some(s) = e.subresource {
                v["subresource"] = s;
            }
            v
        })
        .collect();
    if arr.is_empty() {
        if let Some(m) = obj["metadata"].as_object_mut() {
            m.remove("managedFields");
        }
    } else {
        obj["metadata"]["managedFields"] = Value::Array(arr);
    }
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Records a non-apply write by `manager`: it takes the fields it changed.
pub fn record_update(
    obj: &mut Value,
    current: Option<&Value>,
    manager: &str,
    api_version: &str,
    schema: Option<Node<'_>>,
) {
    if manager.starts_with('\u{0}') {
        return;
    }
    let changed: FieldSet = fields_of(obj, schema)
        .into_iter()
        .filter(|p| current.is_none_or(|c| get_path(c, p) != get_path(obj, p)))
        .collect();
    let base = current.unwrap_or(obj);
    let mut list = entries(base);
    if changed.is_empty() {
        store_entries(obj, list);
        return;
    }
    for e in &mut list {
        e.fields.retain(|p| !changed.contains(p));
    }
    match list
        .iter_mut()
        .find(|e| e.manager == manager && e.operation == "Update")
    {
        Some(e) => {
            e.fields.extend(changed);
            e.time = now();
        }
        None => list.push(Entry {
            manager: manager.to_string(),
            operation: "Update".into(),
            api_version: api_version.to_string(),
            time: now(),
            fields: changed,
            subresource: None,
        }),
    }
    store_entries(obj, list);
}

/// Makes `manager` the Apply owner of everything `config` sets in a freshly created object.
pub fn set_apply_owner(
    obj: &mut Value,
    config: &Value,
    manager: &str,
    api_version: &str,
    schema: Option<Node<'_>>,
) {
    let list = vec![Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        api_version: api_version.to_string(),
        time: now(),
        fields: fields_of(config, schema),
        subresource: None,
    }];
    store_entries(obj, list);
}

/// Server-side apply of `config` by `manager` onto `current`. Returns the merged object
/// with its managedFields, or the conflicts when not forced: (`"manager"` or
/// `"manager" using apiVersion` for Update owners, field path).
pub fn apply(
    current: &Value,
    config: &Value,
    manager: &str,
    force: bool,
    api_version: &str,
    schema: Option<Node<'_>>,
) -> Result<Value, Vec<(String, String)>> {
    let new_set = fields_of(config, schema);
    let mut list = entries(current);
    let mut conflicts = Vec::new();
    for e in &list {
        if e.manager == manager {
            continue;
        }
        for p in e.fields.intersection(&new_set) {
            if p.last().is_some_and(|s| s == ".") {
                continue;
            }
            if get_path(current, p) != get_path(config, p) {
                let who = if e.operation == "Update" {
                    format!("\"{}\" using {}", e.manager, e.api_version)
                } else {
                    format!("\"{}\"", e.manager)
                };
                conflicts.push((who, describe(p)));
            }
        }
    }
    if !conflicts.is_empty() && !force {
        return Err(conflicts);
    }
    let old_set: FieldSet = list
        .iter()
        .filter(|e| e.manager == manager && e.operation == "Apply")
        .flat_map(|e| e.fields.iter().cloned())
        .collect();
    let mut merged = current.clone();
    for p in old_set.difference(&new_set) {
        let owned_elsewhere = list
            .iter()
            .any(|e| e.manager != manager && e.fields.contains(p));
        if !owned_elsewhere {
            remove_path(&mut merged, p);
        }
    }
    let mut cfg = config.clone();
    if let Some(m) = cfg["metadata"].as_object_mut() {
        m.remove("managedFields");
        m.remove("resourceVersion");
    }
    merge(&mut merged, &cfg, schema, 0);
    for e in &mut list {
        if e.manager != manager && force {
            e.fields.retain(|p| !new_set.contains(p));
        }
    }
    list.retain(|e| !(e.manager == manager && e.operation == "Apply"));
    list.push(Entry {
        manager: manager.to_string(),
        operation: "Apply".into(),
        api_version: api_version.to_string(),
        time: now(),
        fields: new_set,
        subresource: None,
    });
    store_entries(&mut merged, list);
    Ok(merged)
}

/// Merges an applied configuration into the live object: maps field by field,
/// associative lists element by element on their keys, sets value by value, and every
/// other list (and atomic map) replaced.
fn merge(live: &mut Value, config: &Value, node: Option<Node<'_>>, depth: usize) {
    if depth > patch::MAX_DEPTH {
        return;
    }
    let atomic = node.is_some_and(|n| n.atomic_map());
    match (live, config) {
        (Value::Object(l), Value::Object(c)) if !atomic => {
            for (k, v) in c {
                if v.is_null() {
                    l.remove(k);
                    continue;
                }
                let child = node.and_then(|n| n.prop(k));
                match l.get_mut(k) {
                    Some(cur) => merge(cur, v, child, depth + 1),
                    None => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(l), Value::Array(c)) => match node.map(|n| n.list_type()) {
            Some("map") => {
                let keys = node.map(|n| n.list_map_keys()).unwrap_or_default();
                let item_node = node.and_then(|n| n.items());
                for it in c {
                    let want: Option<Map<String, Value>> = schema::item_keys(it, &keys)
                        .ok()
                        .map(|kv| kv.into_iter().collect());
                    match want.and_then(|w| l.iter_mut().find(|h| key_matches(h, &w))) {
                        Some(cur) => merge(cur, it, item_node, depth + 1),
                        None => l.push(it.clone()),
                    }
                }
            }
            Some("set") => {
                for it in c {
                    if !l.contains(it) {
                        l.push(it.clone());
                    }
                }
            }
            _ => *l = c.clone(),
        },
        (live, config) => *live = config.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm_schema() -> Option<Node<'static>> {
        Node::kind("v1", "ConfigMap")
    }

    fn cm(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data})
    }

    #[test]
    fn apply_conflicts_and_force() {
        let mut obj = cm(json!({"a": "1"}));
        set_apply_owner(&mut obj, &cm(json!({"a": "1"})), "one", "v1", cm_schema());
        let err = apply(
            &obj,
            &cm(json!({"a": "2"})),
            "two",
            false,
            "v1",
            cm_schema(),
        )
        .expect_err("conflicts");
        assert_eq!(err, vec![("\"one\"".to_string(), ".data.a".to_string())]);
        let same = apply(
            &obj,
            &cm(json!({"a": "1"})),
            "two",
            false,
            "v1",
            cm_schema(),
        )
        .expect("same value shares");
        assert_eq!(
            same["metadata"]["managedFields"].as_array().map(Vec::len),
            Some(2)
        );
        let forced =
            apply(&obj, &cm(json!({"a": "2"})), "two", true, "v1", cm_schema()).expect("forced");
        assert_eq!(forced["data"]["a"], "2");
        let mf = forced["metadata"]["managedFields"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(mf.len(), 1);
        assert_eq!(mf[0]["manager"], "two");
    }

    #[test]
    fn apply_removes_dropped_fields() {
        let mut obj = cm(json!({"a": "1", "b": "2"}));
        set_apply_owner(
            &mut obj,
            &cm(json!({"a": "1", "b": "2"})),
            "m",
            "v1",
            cm_schema(),
        );
        let next =
            apply(&obj, &cm(json!({"a": "1"})), "m", false, "v1", cm_schema()).expect("applies");
        assert_eq!(next["data"], json!({"a": "1"}));
    }

    #[test]
    fn keyed_lists_are_owned_per_element() {
        let d = |img: &str| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": [{"name": "a", "image": img}]}}}})
        };
        let schema = Node::kind("apps/v1", "Deployment");
        let mut obj = d("x:1");
        set_apply_owner(&mut obj, &d("x:1"), "m", "apps/v1", schema);
        let fv = &obj["metadata"]["managedFields"][0]["fieldsV1"];
        assert!(
            fv["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"a\"}"]["f:image"]
                .is_object()
        );
        let err = apply(&obj, &d("x:2"), "other", false, "apps/v1", schema).expect_err("conflict");
        assert_eq!(err[0].1, ".spec.template.spec.containers[name=\"a\"].image");
    }

    #[test]
    fn associative_lists_use_list_map_keys_and_sets_use_values() {
        let schema = Node::kind("apps/v1", "Deployment");
        let d = |ports: Value| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "finalizers": ["x/y"]},
            "spec": {"template": {"spec": {"containers": [{"name": "a", "ports": ports}]}}}})
        };
        let mut obj = d(json!([{"containerPort": 80}]));
        set_apply_owner(
            &mut obj,
            &d(json!([{"containerPort": 80}])),
            "m",
            "apps/v1",
            schema,
        );
        let fv = &obj["metadata"]["managedFields"][0]["fieldsV1"];
        let c = &fv["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"a\"}"];
        assert!(c["f:ports"]["k:{\"containerPort\":80,\"protocol\":\"TCP\"}"]["."].is_object());
        assert!(fv["f:metadata"]["f:finalizers"]["v:\"x/y\""].is_object());
        // Another manager adds a port: merged by key, not replaced.
        let next = apply(
            &obj,
            &d(json!([{"containerPort": 443, "protocol": "TCP"}])),
            "n",
            false,
            "apps/v1",
            schema,
        )
        .expect("no conflict");
        let ports = &next["spec"]["template"]["spec"]["containers"][0]["ports"];
        assert_eq!(ports.as_array().map(Vec::len), Some(2));
        // The first manager drops its port: only it goes (its key matches the defaulted protocol).
        let last = apply(&next, &d(json!([])), "m", false, "apps/v1", schema).expect("applies");
        assert_eq!(
            last["spec"]["template"]["spec"]["containers"][0]["ports"],
            json!([{"containerPort": 443, "protocol": "TCP"}])
        );
    }

    #[test]
    fn lists_without_schema_are_atomic() {
        let cr = |tags: Value| json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "w"}, "spec": {"tags": tags}});
        let mut obj = cr(json!(["a"]));
        set_apply_owner(&mut obj, &cr(json!(["a"])), "m", "x/v1", None);
        let next = apply(&obj, &cr(json!(["b"])), "m", false, "x/v1", None).expect("applies");
        assert_eq!(next["spec"]["tags"], json!(["b"]));
    }

    #[test]
    fn updates_take_changed_fields() {
        let mut obj = cm(json!({"a": "1"}));
        set_apply_owner(
            &mut obj,
            &cm(json!({"a": "1"})),
            "applier",
            "v1",
            cm_schema(),
        );
        let mut next = obj.clone();
        next["data"]["a"] = json!("9");
        record_update(&mut next, Some(&obj), "kubectl-edit", "v1", cm_schema());
        let mf = next["metadata"]["managedFields"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(mf.len(), 1);
        assert_eq!(mf[0]["manager"], "kubectl-edit");
    }

    #[test]
    fn yaml_bodies_parse() {
        let v = yaml_to_json("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \"1\"\n").expect("yaml");
        assert_eq!(v["data"]["a"], "1");
    }
}
