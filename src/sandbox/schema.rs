//! The schemas the sandbox validates objects with and that drive strategic merge patch
//! and server-side apply: which fields exist and their types, which lists merge on which
//! key (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`), and which lists
//! are associative (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`).
//!
//! Built-in kinds use `schemas/kubernetes-1.33.json`, compiled in. `schemas/generate.py`
//! extracts it from the `kubernetes-validate` package's Kubernetes 1.33 schemas, keeping
//! only the definitions the served kinds reach and, per node, the type, format,
//! properties, items, map values, required fields and the `x-kubernetes-*` extensions.
//! Custom resources use the `openAPIV3Schema` of their CRD version.
//!
//! The walker is hand-written rather than a JSON Schema validator because the API
//! server's answers are not JSON Schema's: unknown fields are pruned and reported with
//! Go's strict-decoding paths, type errors carry Go's `encoding/json` wording (or, for
//! custom resources and server-side apply, the CRD validator's and structured-merge-diff's
//! wording), and `null` is accepted for every built-in field. Recursion is bounded by
//! [`crate::sandbox::patch::MAX_DEPTH`].

use std::sync::{LazyLock, OnceLock};

use serde_json::{Map, Value, json};

use crate::sandbox::patch::MAX_DEPTH;

/// The generated schema artifact (see `schemas/generate.py`).
const DATA: &str = include_str!("../../schemas/kubernetes-1.33.json");

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

struct Builtin {
    source: String,
    kinds: Map<String, Value>,
    defs: Map<String, Value>,
}

fn builtin() -> &'static Builtin {
    static B: OnceLock<Builtin> = OnceLock::new();
    B.get_or_init(|| {
        let mut v: Value = serde_json::from_str(DATA).unwrap_or(Value::Null);
        let take = |v: &mut Value, k: &str| match v.get_mut(k).map(Value::take) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        Builtin {
            source: v["source"].as_str().unwrap_or_default().to_string(),
            kinds: take(&mut v, "kinds"),
            defs: take(&mut v, "definitions"),
        }
    })
}

/// Where the built-in schemas come from (`kubernetes-validate 1.37.0, Kubernetes v1.33.0`).
pub fn source() -> &'static str {
    &builtin().source
}

/// The definition name of a built-in kind's schema.
pub fn definition_of(api_version: &str, kind: &str) -> Option<&'static str> {
    builtin()
        .kinds
        .get(&format!("{api_version}/{kind}"))
        .and_then(Value::as_str)
}

static STRING: LazyLock<Value> = LazyLock::new(|| json!({"type": "string"}));
static NULL: Value = Value::Null;

/// One node of a schema, with `$ref` resolved.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    /// The node as written where it is used (it may hold `$ref` next to extensions).
    site: &'a Value,
    /// `site` with its `$ref` followed.
    target: &'a Value,
    /// The definition `target` is, when reached through `$ref`.
    def: &'a str,
    /// From a CRD's `openAPIV3Schema`.
    custom: bool,
    /// The root of a custom resource (`apiVersion`, `kind` and `metadata` are implicit).
    root: bool,
}

impl<'a> Node<'a> {
    fn at(site: &'a Value, custom: bool) -> Node<'a> {
        let (target, def) = match site.get("$ref").and_then(Value::as_str) {
            Some(r) => match builtin().defs.get_key_value(r) {
                Some((k, v)) => (v, k.as_str()),
                None => (&NULL, ""),
            },
            None => (site, ""),
        };
        Node {
            site,
            target,
            def,
            custom,
            root: false,
        }
    }

    /// The schema of a built-in kind.
    pub fn kind(api_version: &str, kind: &str) -> Option<Node<'static>> {
        let name = definition_of(api_version, kind)?;
        Some(Self::definition(name))
    }

    fn definition(name: &str) -> Node<'static> {
        match builtin().defs.get_key_value(name) {
            Some((k, v)) => Node {
                site: v,
                target: v,
                def: k.as_str(),
                custom: false,
                root: false,
            },
            None => Node::at(&NULL, false),
        }
    }

    /// The schema of a custom resource, from its CRD version's `openAPIV3Schema`.
    pub fn custom(schema: &'a Value) -> Node<'a> {
        let mut n = Node::at(schema, true);
        n.root = true;
        n
    }

    fn ext(&self, k: &str) -> Option<&'a Value> {
        self.site.get(k).or_else(|| self.target.get(k))
    }

    fn flag(&self, k: &str) -> bool {
        self.ext(k).and_then(Value::as_bool) == Some(true)
    }

    /// The JSON types this node accepts; empty for any.
    fn types(&self) -> Vec<&'a str> {
        if self.custom && self.flag("x-kubernetes-int-or-string") {
            return vec!["integer", "string"];
        }
        match self.target.get("type") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        }
    }

    fn properties(&self) -> Option<&'a Map<String, Value>> {
        self.target.get("properties").and_then(Value::as_object)
    }

    /// A free-form node: anything is accepted and kept.
    fn is_free(&self) -> bool {
        let t = self.types();
        self.properties().is_none()
            && self.values().is_none()
            && self.target.get("items").is_none()
            && (t.is_empty() || t == ["object"])
            && !self.root
    }

    /// Whether fields this schema does not declare are kept (free-form objects and
    /// `x-kubernetes-preserve-unknown-fields`).
    fn preserves_unknown(&self) -> bool {
        if self.custom {
            self.flag("x-kubernetes-preserve-unknown-fields")
        } else {
            self.is_free()
        }
    }

    /// The schema of field `name` of this object (declared, or the map's values).
    pub fn prop(&self, name: &str) -> Option<Node<'a>> {
        if self.root || (self.custom && self.flag("x-kubernetes-embedded-resource")) {
            match name {
                "apiVersion" | "kind" => return Some(Node::at(&STRING, false)),
                "metadata" => return Some(Node::definition(OBJECT_META)),
                _ => {}
            }
        }
        if let Some(p) = self.properties().and_then(|p| p.get(name)) {
            return Some(Node::at(p, self.custom));
        }
        self.values()
    }

    /// The schema of a map's values (`additionalProperties`).
    pub fn values(&self) -> Option<Node<'a>> {
        match self.target.get("additionalProperties") {
            Some(v @ Value::Object(_)) => Some(Node::at(v, self.custom)),
            _ => None,
        }
    }

    /// The schema of a list's items.
    pub fn items(&self) -> Option<Node<'a>> {
        match self.target.get("items") {
            Some(v @ Value::Object(_)) => Some(Node::at(v, self.custom)),
            _ => None,
        }
    }

    /// `x-kubernetes-patch-strategy` (`merge`, `retainKeys`, `merge,retainKeys`).
    pub fn patch_strategy(&self) -> &'a str {
        self.ext("x-kubernetes-patch-strategy")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `x-kubernetes-patch-merge-key`.
    pub fn patch_merge_key(&self) -> Option<&'a str> {
        self.ext("x-kubernetes-patch-merge-key")
            .and_then(Value::as_str)
    }

    /// `x-kubernetes-list-type`: `atomic` (the default), `set` or `map`.
    pub fn list_type(&self) -> &'a str {
        self.ext("x-kubernetes-list-type")
            .and_then(Value::as_str)
            .unwrap_or("atomic")
    }

    /// `x-kubernetes-list-map-keys` of a `map` list.
    pub fn list_map_keys(&self) -> Vec<&'a str> {
        self.ext("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether a map is owned as a whole by server-side apply.
    pub fn atomic_map(&self) -> bool {
        self.ext("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic")
    }

    /// The Go type name a built-in field decodes into (`int32`, `[]v1.Container`).
    fn go_type(&self) -> String {
        if !self.def.is_empty() {
            let mut parts = self.def.rsplit('.');
            let name = parts.next().unwrap_or_default();
            let pkg = parts.next().unwrap_or_default();
            return format!("{pkg}.{name}");
        }
        if let Some(i) = self.items() {
            return format!("[]{}", i.go_type());
        }
        if let Some(v) = self.values() {
            return format!("map[string]{}", v.go_type());
        }
        let format = self.target.get("format").and_then(Value::as_str);
        match (self.types().first().copied(), format) {
            (Some("integer"), Some("int32")) => "int32".into(),
            (Some("integer"), _) => "int64".into(),
            (Some("number"), _) => "float64".into(),
            (Some("boolean"), _) => "bool".into(),
            (Some("string"), Some("byte")) => "[]uint8".into(),
            (Some("string"), _) => "string".into(),
            _ => "interface {}".into(),
        }
    }

    /// The short Go struct name of this definition (`DeploymentSpec`).
    fn struct_name(&self) -> &'a str {
        self.def.rsplit('.').next().unwrap_or_default()
    }
}

/// The value a missing list-map key defaults to (`protocol` of ports is `TCP`).
pub fn key_default(key: &str) -> Option<Value> {
    (key == "protocol").then(|| json!("TCP"))
}

/// The list-map key values of `item` (defaults filled in), or the first missing key.
pub fn item_keys(item: &Value, keys: &[&str]) -> Result<Vec<(String, Value)>, String> {
    keys.iter()
        .map(|k| match item.get(*k).filter(|v| !v.is_null()) {
            Some(v) => Ok((k.to_string(), v.clone())),
            None => key_default(k)
                .map(|d| (k.to_string(), d))
                .ok_or_else(|| k.to_string()),
        })
        .collect()
}

/// One step of a path into an object.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Field(String),
    /// A map entry (labels, data).
    Key(String),
    /// A list element, with structured-merge-diff's key notation when it has one.
    Index(usize, Option<String>),
}

pub type Path = Vec<Seg>;

/// `spec.template.spec.containers[0].foo`: the path of strict decoding errors and of
/// validation causes.
pub fn field_path(p: &[Seg]) -> String {
    let mut s = String::new();
    for seg in p {
        match seg {
            Seg::Field(f) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(f);
            }
            Seg::Key(k) => s.push_str(&format!("[{k}]")),
            Seg::Index(i, _) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// `spec.template.spec.containers.image`: Go's `encoding/json` field path.
fn go_path(p: &[Seg]) -> String {
    p.iter()
        .filter_map(|s| match s {
            Seg::Field(f) => Some(f.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `.spec.template.spec.containers[name="a"].image`: structured-merge-diff's path.
pub fn smd_path(p: &[Seg]) -> String {
    let mut s = String::new();
    for seg in p {
        match seg {
            Seg::Field(f) | Seg::Key(f) => {
                s.push('.');
                s.push_str(f);
            }
            Seg::Index(_, Some(k)) => s.push_str(&format!("[{k}]")),
            Seg::Index(i, None) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// `name="a"` or `containerPort=80,protocol="TCP"`.
pub fn smd_key(keys: &[(String, Value)]) -> String {
    keys.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A value of the wrong type.
#[derive(Debug, Clone)]
pub struct TypeError {
    pub path: Path,
    /// Go struct holding the field, for Go's wording.
    strukt: String,
    go_type: String,
    /// The schema type wanted (`integer`, `object`).
    want: String,
    value: Value,
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

impl TypeError {
    /// Go's `encoding/json` wording, as built-in kinds report it.
    pub fn go_message(&self) -> String {
        let got = match &self.value {
            Value::Number(n) if self.want == "integer" => format!("number {n}"),
            v => json_kind(v).to_string(),
        };
        format!(
            "json: cannot unmarshal {got} into Go struct field {}.{} of type {}",
            self.strukt,
            go_path(&self.path),
            self.go_type
        )
    }

    /// The CRD validator's wording: (field, message).
    pub fn crd_cause(&self) -> (String, String) {
        let field = field_path(&self.path);
        let got = match &self.value {
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_f64() => "number",
            Value::Number(_) => "integer",
            v => json_kind(v),
        };
        (
            field.clone(),
            format!(
                "Invalid value: \"{got}\": {field} in body must be of type {}: \"{got}\"",
                self.want
            ),
        )
    }

    /// structured-merge-diff's wording, as server-side apply reports it.
    pub fn smd_message(&self) -> String {
        let want = match self.want.as_str() {
            "integer" | "number" => "numeric (int or float)".to_string(),
            "object" => "map".to_string(),
            "array" => "list".to_string(),
            w => w.to_string(),
        };
        format!(
            "{}: expected {want}, got {}",
            smd_path(&self.path),
            json_kind(&self.value)
        )
    }
}

/// What checking an object against its schema found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Fields the schema does not declare (pruned from the object when asked).
    pub unknown: Vec<Path>,
    pub types: Vec<TypeError>,
    /// Required fields that are absent, outside `status`.
    pub required: Vec<Path>,
    /// Elements of associative lists lacking a key: (path of the element, key).
    pub missing_keys: Vec<(Path, String)>,
}

/// Checks `v` against `node`. With `prune`, undeclared fields are removed as the API
/// server removes them when it decodes an object.
pub fn check(v: &mut Value, node: Node<'_>, prune: bool) -> Findings {
    let mut out = Findings::default();
    let strukt = node.struct_name().to_string();
    walk(v, node, &mut Vec::new(), &strukt, &mut out, prune, 0);
    out
}

fn accepts(t: &str, v: &Value, format: Option<&str>) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => match format {
            Some("int32") => v.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
            _ => v.is_i64() || v.is_u64(),
        },
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        _ => true,
    }
}

fn walk(
    v: &mut Value,
    node: Node<'_>,
    path: &mut Path,
    strukt: &str,
    out: &mut Findings,
    prune: bool,
    depth: usize,
) {
    if depth > MAX_DEPTH || v.is_null() || node.is_free() {
        return;
    }
    let types = node.types();
    let want = if node.properties().is_some() || node.values().is_some() || node.root {
        Some("object")
    } else if node.items().is_some() {
        Some("array")
    } else {
        None
    };
    let format = node.target.get("format").and_then(Value::as_str);
    let ok = match want {
        Some(w) => accepts(w, v, None),
        None => types.is_empty() || types.iter().any(|t| accepts(t, v, format)),
    };
    if !ok {
        out.types.push(TypeError {
            path: path.clone(),
            strukt: strukt.to_string(),
            go_type: node.go_type(),
            want: want
                .or_else(|| types.first().copied())
                .unwrap_or_default()
                .to_string(),
            value: v.clone(),
        });
        return;
    }
    let child_struct = if node.def.is_empty() {
        strukt.to_string()
    } else {
        node.struct_name().to_string()
    };
    match v {
        Value::Object(m) => {
            let declared = node.properties();
            let keys: Vec<String> = m.keys().cloned().collect();
            for k in keys {
                let child = match declared.and_then(|p| p.get(&k)) {
                    Some(p) => Some((Node::at(p, node.custom), Seg::Field(k.clone()))),
                    None => node.prop(&k).map(|n| {
                        let seg = if node.values().is_some() {
                            Seg::Key(k.clone())
                        } else {
                            Seg::Field(k.clone())
                        };
                        (n, seg)
                    }),
                };
                match child {
                    Some((n, seg)) => {
                        path.push(seg);
                        if let Some(c) = m.get_mut(&k) {
                            walk(c, n, path, &child_struct, out, prune, depth + 1);
                        }
                        path.pop();
                    }
                    None if !node.preserves_unknown() => {
                        let mut p = path.clone();
                        p.push(Seg::Field(k.clone()));
                        out.unknown.push(p);
                        if prune {
                            m.remove(&k);
                        }
                    }
                    None => {}
                }
            }
            let outside_status = !matches!(path.first(), Some(Seg::Field(f)) if f == "status");
            if outside_status
                && let Some(req) = node.target.get("required").and_then(Value::as_array)
            {
                for r in req.iter().filter_map(Value::as_str) {
                    let boolean = node.prop(r).is_some_and(|n| n.types() == ["boolean"]);
                    if !boolean && m.get(r).is_none_or(Value::is_null) {
                        let mut p = path.clone();
                        p.push(Seg::Field(r.to_string()));
                        out.required.push(p);
                    }
                }
            }
        }
        Value::Array(items) => {
            let Some(item_node) = node.items() else {
                return;
            };
            let keys = if node.list_type() == "map" {
                node.list_map_keys()
            } else {
                vec![]
            };
            for (i, it) in items.iter_mut().enumerate() {
                let desc = if keys.is_empty() || !it.is_object() {
                    None
                } else {
                    match item_keys(it, &keys) {
                        Ok(kv) => Some(smd_key(&kv)),
                        Err(missing) => {
                            let mut p = path.clone();
                            p.push(Seg::Index(i, None));
                            out.missing_keys.push((p, missing));
                            None
                        }
                    }
                };
                path.push(Seg::Index(i, desc));
                walk(it, item_node, path, &child_struct, out, prune, depth + 1);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The fields a JSON text sets more than once, as the API server's strict decoder names
/// them (`duplicate field "spec.replicas"`); serde keeps the last silently. Empty for
/// text that is not JSON.
pub fn duplicate_fields(text: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    let _ = scan(text, &mut i, &mut String::new(), &mut out, 0);
    out
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && b[*i].is_ascii_whitespace() {
        *i += 1;
    }
}

/// The end of the string token starting at `b[start]` (`"`), past its closing quote.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn scan(
    b: &[u8],
    i: &mut usize,
    path: &mut String,
    out: &mut Vec<String>,
    depth: usize,
) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    skip_ws(b, i);
    match *b.get(*i)? {
        b'{' => {
            *i += 1;
            let mut seen: Vec<String> = Vec::new();
            loop {
                skip_ws(b, i);
                match *b.get(*i)? {
                    b'}' => {
                        *i += 1;
                        return Some(());
                    }
                    b',' => *i += 1,
                    b'"' => {
                        let end = string_end(b, *i)?;
                        let key: String = serde_json::from_slice(&b[*i..end]).ok()?;
                        *i = end;
                        skip_ws(b, i);
                        if b.get(*i) != Some(&b':') {
                            return None;
                        }
                        *i += 1;
                        let len = path.len();
                        if !path.is_empty() {
                            path.push('.');
                        }
                        path.push_str(&key);
                        if seen.contains(&key) {
                            out.push(format!("duplicate field \"{path}\""));
                        } else {
                            seen.push(key);
                        }
                        scan(b, i, path, out, depth + 1)?;
                        path.truncate(len);
                    }
                    _ => return None,
                }
            }
        }
        b'[' => {
            *i += 1;
            let mut n = 0;
            loop {
                skip_ws(b, i);
                match *b.get(*i)? {
                    b']' => {
                        *i += 1;
                        return Some(());
                    }
                    b',' => *i += 1,
                    _ => {
                        let len = path.len();
                        path.push_str(&format!("[{n}]"));
                        scan(b, i, path, out, depth + 1)?;
                        path.truncate(len);
                        n += 1;
                    }
                }
            }
        }
        b'"' => {
            *i = string_end(b, *i)?;
            Some(())
        }
        _ => {
            while *i < b.len()
                && !matches!(b[*i], b',' | b'}' | b']')
                && !b[*i].is_ascii_whitespace()
            {
                *i += 1;
            }
            Some(())
        }
    }
}

/// `components.schemas` of an OpenAPI v3 document describing the built-in `kinds`
/// (`(group, version, kind)`): every definition they reach, in OpenAPI form, the kinds
/// tagged with `x-kubernetes-group-version-kind` as the API server tags them.
pub fn openapi_components(kinds: &[(&str, &str, &str)]) -> Map<String, Value> {
    let mut out = Map::new();
    let mut todo: Vec<String> = Vec::new();
    let mut gvks: Vec<(String, Value)> = Vec::new();
    for (g, v, k) in kinds {
        let av = if g.is_empty() {
            v.to_string()
        } else {
            format!("{g}/{v}")
        };
        if let Some(name) = definition_of(&av, k) {
            todo.push(name.to_string());
            gvks.push((
                name.to_string(),
                json!({"group": g, "version": v, "kind": k}),
            ));
        }
    }
    let mut steps = 0;
    while let Some(name) = todo.pop() {
        steps += 1;
        if out.contains_key(&name) || steps > 10_000 {
            continue;
        }
        let Some(def) = builtin().defs.get(&name) else {
            continue;
        };
        let mut refs = Vec::new();
        let mut conv = to_openapi(def, &mut refs, 0);
        if let Some(m) = conv.as_object_mut() {
            let tags: Vec<Value> = gvks
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, g)| g.clone())
                .collect();
            if !tags.is_empty() {
                m.insert("x-kubernetes-group-version-kind".into(), Value::Array(tags));
            }
        }
        out.insert(name, conv);
        todo.extend(refs);
    }
    out
}

/// One node in OpenAPI v3 form: `$ref` with siblings wrapped in `allOf`, type lists
/// (int-or-string, quantities) as `oneOf`.
fn to_openapi(node: &Value, refs: &mut Vec<String>, depth: usize) -> Value {
    let Value::Object(m) = node else {
        return node.clone();
    };
    if depth > MAX_DEPTH {
        return json!({});
    }
    let mut out = Map::new();
    for (k, v) in m {
        match k.as_str() {
            "$ref" => {
                let name = v.as_str().unwrap_or_default();
                refs.push(name.to_string());
                let r = json!({"$ref": format!("#/components/schemas/{name}")});
                if m.len() == 1 {
                    return r;
                }
                out.insert("allOf".into(), json!([r]));
            }
            "type" if v.is_array() => {
                let alts: Vec<Value> = v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| json!({"type": t}))
                    .collect();
                if v.as_array().is_some_and(|a| a.contains(&json!("integer"))) {
                    out.insert("format".into(), json!("int-or-string"));
                }
                out.insert("oneOf".into(), Value::Array(alts));
            }
            "properties" => {
                let props = v
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(pk, pv)| (pk.clone(), to_openapi(pv, refs, depth + 1)))
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(k.clone(), Value::Object(props));
            }
            "additionalProperties" | "items" => {
                out.insert(k.clone(), to_openapi(v, refs, depth + 1));
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_covers_every_builtin_kind() {
        assert!(source().contains("Kubernetes v1.33"));
        let reg = crate::sandbox::registry::Registry::new();
        for t in reg.types() {
            assert!(
                Node::kind(&t.api_version(), &t.kind).is_some(),
                "no schema for {}/{}",
                t.api_version(),
                t.kind
            );
        }
    }

    #[test]
    fn extensions_are_read_through_refs() {
        let d = Node::kind("apps/v1", "Deployment").expect("deployment schema");
        let c = d
            .prop("spec")
            .and_then(|n| n.prop("template"))
            .and_then(|n| n.prop("spec"))
            .and_then(|n| n.prop("containers"))
            .expect("containers");
        assert_eq!(c.patch_merge_key(), Some("name"));
        assert_eq!(c.list_type(), "map");
        let ports = c.items().and_then(|n| n.prop("ports")).expect("ports");
        assert_eq!(ports.patch_merge_key(), Some("containerPort"));
        assert_eq!(ports.list_map_keys(), vec!["containerPort", "protocol"]);
        let strategy = d.prop("spec").and_then(|n| n.prop("strategy")).expect("s");
        assert_eq!(strategy.patch_strategy(), "retainKeys");
    }

    #[test]
    fn finds_unknown_fields_and_type_errors() {
        let d = Node::kind("apps/v1", "Deployment").expect("deployment schema");
        let mut obj = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "labels": {"a": "b"}},
            "spec": {"replicas": "three", "foo": 1, "selector": {},
              "template": {"spec": {"containers": [{"name": "a", "bar": true,
                "ports": [{"containerPort": 80}]}]}}}});
        let f = check(&mut obj, d, true);
        let unknown: Vec<String> = f.unknown.iter().map(|p| field_path(p)).collect();
        assert_eq!(
            unknown,
            vec!["spec.foo", "spec.template.spec.containers[0].bar"]
        );
        assert!(obj["spec"].get("foo").is_none());
        assert_eq!(f.types.len(), 1);
        assert_eq!(
            f.types[0].go_message(),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        assert_eq!(
            f.types[0].smd_message(),
            ".spec.replicas: expected numeric (int or float), got string"
        );
        assert!(f.required.is_empty());
        let mut bad = json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
        let f = check(&mut bad, d, false);
        let req: Vec<String> = f.required.iter().map(|p| field_path(p)).collect();
        assert!(req.contains(&"spec.selector".to_string()));
        assert!(req.contains(&"spec.template.spec.containers[0].name".to_string()));
        assert_eq!(f.missing_keys.len(), 1);
    }

    #[test]
    fn openapi_components_reach_every_reference() {
        let c = openapi_components(&[("apps", "v1", "Deployment")]);
        let d = &c["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            d["x-kubernetes-group-version-kind"][0]["kind"],
            "Deployment"
        );
        let text = Value::Object(c.clone()).to_string();
        for r in text.split("#/components/schemas/").skip(1) {
            let name = r.split('"').next().unwrap_or_default();
            assert!(c.contains_key(name), "{name} is referenced but missing");
        }
        let strategy = &c["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"];
        assert_eq!(strategy["x-kubernetes-patch-strategy"], "retainKeys");
        assert!(strategy["allOf"][0]["$ref"].is_string());
        let ios = &c["io.k8s.apimachinery.pkg.util.intstr.IntOrString"];
        assert_eq!(ios["format"], "int-or-string");
    }

    #[test]
    fn duplicate_fields_are_named_by_path() {
        let text =
            br#"{"a": 1, "spec": {"x": [ {"n": "1", "n": "2"} ], "y": {}, "y": "\"q"}, "a": 2}"#;
        assert_eq!(
            duplicate_fields(text),
            vec![
                "duplicate field \"spec.x[0].n\"",
                "duplicate field \"spec.y\"",
                "duplicate field \"a\""
            ]
        );
        assert!(duplicate_fields(b"kind: x\nkind: y\n").is_empty());
    }

    #[test]
    fn custom_schemas_prune_unless_preserved() {
        let s = json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"size": {"type": "integer"}, "free": {"type": "object",
            "x-kubernetes-preserve-unknown-fields": true}}}}});
        let mut obj = json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "w"},
            "spec": {"size": "big", "other": 1, "free": {"any": 1}}});
        let f = check(&mut obj, Node::custom(&s), true);
        assert_eq!(f.unknown.len(), 1);
        assert_eq!(obj["spec"]["free"]["any"], 1);
        assert_eq!(
            f.types[0].crd_cause().1,
            "Invalid value: \"string\": spec.size in body must be of type integer: \"string\""
        );
    }
}
