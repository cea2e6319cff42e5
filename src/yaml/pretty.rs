//! Helm's `toYamlPretty`: go-yaml v3's encoder with `SetIndent(2)`, applied to the
//! value itself (no JSON round trip, so a float64 `1000000` prints as `1e+06`).
//!
//! It shares [`super::emit`]'s emitter; go-yaml v3 differs from v2 in that it indents
//! lists under their key, never folds long lines, allows tabs in literal blocks, and
//! writes `[]byte` as a list of numbers.

use std::borrow::Cow;

use super::emit::{Emitter, Flavor, Node, sort_keys};
use crate::gotmpl::value::Value;

/// Nesting beyond this is refused.
const MAX_DEPTH: usize = super::MAX_DEPTH;

/// Helm's `toYamlPretty` before its `TrimSuffix("\n")`. Errors give "" as in Helm.
pub fn to_yaml_pretty(v: &Value) -> String {
    try_to_yaml_pretty(v).unwrap_or_default()
}

/// [`to_yaml_pretty`] keeping the reason for a failure.
pub fn try_to_yaml_pretty(v: &Value) -> Result<String, String> {
    let node = to_node(v, 0)?;
    let mut e = Emitter::new(Flavor::V3);
    e.emit_document(&node);
    Ok(e.out)
}

fn to_node(v: &Value, depth: usize) -> Result<Node<'_>, String> {
    if depth > MAX_DEPTH {
        return Err(format!("exceeded max depth of {MAX_DEPTH}"));
    }
    Ok(match v {
        Value::Nil => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Int(i) => Node::Int(*i),
        Value::Float(f) => Node::Float(*f),
        Value::String(s) => Node::Str(Cow::Borrowed(s)),
        Value::Bytes(b) => Node::Seq(b.iter().map(|x| Node::Int(i64::from(*x))).collect()),
        Value::List(items) => Node::Seq(
            items
                .iter()
                .map(|i| to_node(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let mut pairs = Vec::with_capacity(m.len());
            for (k, item) in m.iter() {
                pairs.push((Cow::Borrowed(k.as_str()), to_node(item, depth + 1)?));
            }
            sort_keys(&mut pairs, Flavor::V3);
            Node::Map(pairs)
        }
        Value::Object(o) => to_node(&o.to_data(), depth + 1)?.into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gotmpl::value::Map;

    #[test]
    fn lists_are_indented_and_floats_keep_g_format() {
        let mut m = Map::new();
        m.insert(
            "a".into(),
            Value::list(vec![Value::Float(1000000.0), Value::Int(3)]),
        );
        m.insert("b".into(), Value::str("yes"));
        assert_eq!(
            to_yaml_pretty(&Value::map(m)),
            "a:\n  - 1e+06\n  - 3\nb: \"yes\"\n"
        );
    }
}
