//! Request bodies decoded against the kind's schema, as the API server decodes them:
//! which schema applies ([`schema_for`]: built in, from the CRD, or none), wrong types,
//! unknown and duplicate fields per `fieldValidation` on creates, updates and patches,
//! and the typed-conversion errors of server-side apply, each worded as Kubernetes
//! words it.

use serde_json::{Value, json};

use crate::sandbox::Server;
use crate::sandbox::api::Params;
use crate::sandbox::error::ApiError;
use crate::sandbox::registry::ResourceType;
use crate::sandbox::schema::{self, Node};

/// The schema of a served type, owned: built in, from its CRD version, or none.
pub(crate) enum Schema {
    Builtin(Node<'static>),
    Custom(Value),
    None,
}

impl Schema {
    pub(crate) fn node(&self) -> Option<Node<'_>> {
        match self {
            Schema::Builtin(n) => Some(*n),
            Schema::Custom(v) => Some(Node::custom(v)),
            Schema::None => None,
        }
    }
}

/// A custom resource without a schema: any fields, but typed metadata.
pub(crate) static OPEN_SCHEMA: std::sync::LazyLock<Value> = std::sync::LazyLock::new(
    || json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
);

/// The schema objects of `rt` are checked and merged with.
pub(crate) fn schema_for(server: &Server, rt: &ResourceType) -> Schema {
    let Some(crd) = &rt.crd else {
        return Node::kind(&rt.api_version(), &rt.kind).map_or(Schema::None, Schema::Builtin);
    };
    let Ok(store) = server.store.lock() else {
        return Schema::None;
    };
    store
        .get("apiextensions.k8s.io/customresourcedefinitions", "", crd)
        .and_then(|c| {
            c["spec"]["versions"]
                .as_array()?
                .iter()
                .find(|v| v["name"].as_str() == Some(rt.version.as_str()))
                .map(|v| v["schema"]["openAPIV3Schema"].clone())
        })
        .filter(Value::is_object)
        .map_or(Schema::None, Schema::Custom)
}

/// How unknown fields are handled: the `fieldValidation` parameter (`Warn` by default).
pub(crate) fn field_validation(params: &Params) -> &str {
    match params.get("fieldValidation") {
        Some(v @ ("Strict" | "Ignore")) => v,
        _ => "Warn",
    }
}

pub(crate) fn unknown_fields(f: &schema::Findings) -> Vec<String> {
    f.unknown
        .iter()
        .map(|p| format!("unknown field \"{}\"", schema::field_path(p)))
        .collect()
}

/// Decodes a created or replaced object as the API server does: a wrong type is an
/// error; unknown fields are pruned and, with fields the JSON text sets twice, refused
/// (`Strict`), reported as warnings (`Warn`) or dropped silently (`Ignore`).
pub(crate) fn decode(
    server: &Server,
    rt: &ResourceType,
    obj: &mut Value,
    body: &[u8],
    params: &Params,
    warnings: &mut Vec<String>,
) -> Result<(), ApiError> {
    let schema = schema_for(server, rt);
    let node = schema.node().unwrap_or_else(|| Node::custom(&OPEN_SCHEMA));
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let found = schema::check(obj, node, true);
    let cannot = || {
        format!(
            "{} in version \"{}\" cannot be handled as a {}",
            rt.kind, rt.version, rt.kind
        )
    };
    if let Some(t) = found.types.first() {
        if rt.crd.is_some() {
            let causes = found.types.iter().map(|t| t.crd_cause()).collect();
            return Err(ApiError::invalid(rt, &name, causes));
        }
        return Err(
            ApiError::bad_request(format!("{}: {}", cannot(), t.go_message())).with_name(&name),
        );
    }
    let mut unknown = schema::duplicate_fields(body);
    unknown.extend(unknown_fields(&found));
    if unknown.is_empty() {
        return Ok(());
    }
    match field_validation(params) {
        "Strict" => Err(ApiError::bad_request(format!(
            "{}: strict decoding error: {}",
            cannot(),
            unknown.join(", ")
        ))
        .with_name(&name)),
        "Warn" => {
            warnings.extend(unknown);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Go's `%+v` rendering of a decoded JSON value (`map[spec:map[replicas:3]]`), as
/// patch errors quote the patch.
pub(crate) fn go_format(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(go_format).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_format(&m[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        other => other.to_string(),
    }
}

/// The `422` a patch gets when its result does not decode: `"" is invalid: patch:
/// Invalid value: "…": …` (the API server names no kind here).
pub(crate) fn patch_invalid(value: &str, detail: &str) -> ApiError {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    let msg = format!("Invalid value: {quoted}: {detail}");
    let mut e = ApiError::new(422, "Invalid", format!(" \"\" is invalid: patch: {msg}"));
    e.details =
        json!({"causes": [{"reason": "FieldValueInvalid", "message": msg, "field": "patch"}]});
    e
}

/// Server-side apply's schema errors: the applied configuration must be made of
/// declared fields of the right types, and associative list elements must carry their
/// keys. The API server answers these with a bare 500.
pub(crate) fn check_applied(
    rt: &ResourceType,
    ns: &str,
    name: &str,
    config: &Value,
    node: Node<'_>,
) -> Result<(), ApiError> {
    let mut copy = config.clone();
    let found = schema::check(&mut copy, node, false);
    let mut errs: Vec<String> = found
        .unknown
        .iter()
        .map(|p| format!("{}: field not declared in schema", schema::smd_path(p)))
        .collect();
    errs.extend(found.types.iter().map(|t| t.smd_message()));
    for (p, key) in &found.missing_keys {
        let (last, list) = p
            .split_last()
            .map_or((None, &p[..0]), |(l, r)| (Some(l), r));
        let i = match last {
            Some(schema::Seg::Index(i, _)) => *i,
            _ => 0,
        };
        errs.push(format!(
            "{}: element {i}: associative list with keys has an element that omits key field \"{key}\" (and doesn't have default value)",
            schema::smd_path(list)
        ));
    }
    if errs.is_empty() {
        return Ok(());
    }
    let text = if errs.len() == 1 {
        errs.remove(0)
    } else {
        format!("errors:\n  {}", errs.join("\n  "))
    };
    Err(ApiError::new(
        500,
        "",
        format!(
            "failed to create typed patch object ({ns}/{name}; {}/{}, Kind={}): {text}",
            rt.group, rt.version, rt.kind
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_format_matches_fmt_of_decoded_json() {
        let v = json!({"spec": {"b": [1, "x", null], "a": true}, "data": {"k": 1.5}});
        assert_eq!(
            go_format(&v),
            "map[data:map[k:1.5] spec:map[a:true b:[1 x <nil>]]]"
        );
    }

    #[test]
    fn patch_invalid_names_the_patch() {
        let e = patch_invalid("map[a:b]", "strict decoding error: unknown field \"a\"");
        assert_eq!(e.code, 422);
        assert_eq!(
            e.message,
            " \"\" is invalid: patch: Invalid value: \"map[a:b]\": strict decoding error: unknown field \"a\""
        );
    }
}
