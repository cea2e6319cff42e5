//! Sprig's list and dict functions. Go maps are references, so `set`, `unset` and
//! `merge` change the dict they are given in place, and every holder of it sees
//! the change (see `gotmpl::value::MapCell`).

use super::args::{arity, at_least, deep_equal, dict, empty, list, s, strval};
use super::{Reg, list_of_strings};
use crate::gotmpl::{FuncError, Map, Value};

/// Sprig's list helpers accept any slice. Anything else is `Cannot {what} on
/// type {kind}` (Go's `reflect.Kind` name); nil makes Sprig's `reflect.TypeOf(nil).Kind()`
/// dereference a nil pointer, which Go reports as a runtime error.
fn any_list<'a>(v: &'a Value, what: &str) -> Result<std::borrow::Cow<'a, [Value]>, FuncError> {
    any_list_msg(v, |kind| format!("Cannot {what} on type {kind}"))
}

fn any_list_msg<'a>(
    v: &'a Value,
    msg: impl Fn(&str) -> String,
) -> Result<std::borrow::Cow<'a, [Value]>, FuncError> {
    match v {
        Value::List(l) => Ok(std::borrow::Cow::Borrowed(&l[..])),
        Value::Bytes(b) => Ok(std::borrow::Cow::Owned(
            b.iter().map(|x| Value::Int(*x as i64)).collect(),
        )),
        Value::Nil => Err(FuncError::failed(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        Value::Object(o) => match o.to_data() {
            Value::List(l) => Ok(std::borrow::Cow::Owned(l.to_vec())),
            _ => Err(FuncError::failed(msg(o.kind()))),
        },
        other => Err(FuncError::failed(msg(other.kind()))),
    }
}

/// Registers a list function and its `must` variant: the plain one panics in
/// Sprig (a template error), the `must` one returns the error; both fail here.
fn both(
    r: &mut Reg,
    name: &'static str,
    must: &'static str,
    f: fn(&[Value]) -> Result<Value, FuncError>,
) {
    r.f(name, f);
    r.f(must, f);
}

/// mergo's `isEmptyValue` for merge decisions.
fn is_empty_value(v: &Value) -> bool {
    empty(v)
}

/// mergo `Merge` (fill empty destination keys) or `MergeWithOverwrite`, in place
/// (nested destination maps too, as in Go).
pub fn mergo(dst: &mut Map, src: &Map, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > 200 {
        return Ok(());
    }
    for (k, sv) in src.iter() {
        match (dst.get_mut(k), sv) {
            (Some(Value::Map(dm)), Value::Map(sm)) => {
                if std::sync::Arc::ptr_eq(dm, sm) {
                    continue;
                }
                // SAFETY: dm and sm are distinct maps; no other borrow of dm lives
                // during this single-threaded template function call.
                let dm = unsafe { dm.mutate() }.ok_or_else(refused)?;
                mergo(dm, sm, overwrite, depth + 1)?;
            }
            (Some(dv), _) => {
                if overwrite || (is_empty_value(dv) && !sv.is_nil()) {
                    *dv = sv.clone();
                }
            }
            (None, _) => {
                dst.insert(k.clone(), sv.clone());
            }
        }
    }
    Ok(())
}

/// The error of a change [`crate::gotmpl::value::MapWatch`] refused: the
/// renderer executes the templates again in order, so no one sees it.
fn refused() -> FuncError {
    FuncError::Failed("a map that templates executing at once share cannot change".into())
}

/// A dict argument as the shared cell Sprig's mutating functions change.
fn cell(v: &Value) -> Result<&std::sync::Arc<crate::gotmpl::value::MapCell>, FuncError> {
    match v {
        Value::Map(m) => Ok(m),
        other => Err(FuncError::WrongType {
            expected: "map[string]interface {}".into(),
            got: super::args::go_type(other),
        }),
    }
}

pub fn register(r: &mut Reg) {
    r.f("list", |a| Ok(Value::list(a.to_vec())));
    r.f("tuple", |a| Ok(Value::list(a.to_vec())));
    r.f("dict", |a| {
        let mut m = Map::new();
        let mut i = 0;
        while i < a.len() {
            let key = strval(&a[i]);
            let v = a.get(i + 1).cloned().unwrap_or_else(|| Value::str(""));
            m.insert(key, v);
            i += 2;
        }
        Ok(Value::map(m))
    });
    r.f("get", |a| {
        arity(a, 2)?;
        let (d, k) = (dict(&a[0])?, s(&a[1])?);
        Ok(d.get(k).cloned().unwrap_or_else(|| Value::str("")))
    });
    r.f("set", |a| {
        arity(a, 3)?;
        let cell = cell(&a[0])?;
        let key = s(&a[1])?.to_string();
        // SAFETY: no borrow of the map lives during this call (see MapCell).
        unsafe { cell.mutate() }
            .ok_or_else(refused)?
            .insert(key, a[2].clone());
        Ok(a[0].clone())
    });
    r.f("unset", |a| {
        arity(a, 2)?;
        let cell = cell(&a[0])?;
        let key = s(&a[1])?;
        // SAFETY: as for `set`.
        unsafe { cell.mutate() }.ok_or_else(refused)?.remove(key);
        Ok(a[0].clone())
    });
    r.f("hasKey", |a| {
        arity(a, 2)?;
        Ok(Value::Bool(dict(&a[0])?.contains_key(s(&a[1])?)))
    });
    r.f("pluck", |a| {
        at_least(a, 1)?;
        let k = s(&a[0])?;
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Some(v) = dict(d)?.get(k) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    // Go ranges over a map in random order, so Sprig's `keys` and `values` come
    // back shuffled (charts sort them with `sortAlpha`); charter returns each
    // dict's keys in sorted order so that renders are deterministic.
    r.f("keys", |a| {
        let mut out = Vec::new();
        for d in a {
            out.extend(dict(d)?.keys().map(|k| Value::str(k)));
        }
        Ok(Value::list(out))
    });
    r.f("values", |a| {
        arity(a, 1)?;
        Ok(Value::list(dict(&a[0])?.values().cloned().collect()))
    });
    r.f("pick", |a| {
        at_least(a, 1)?;
        let d = dict(&a[0])?;
        let mut out = Map::new();
        for k in &a[1..] {
            let k = s(k)?;
            if let Some(v) = d.get(k) {
                out.insert(k.to_string(), v.clone());
            }
        }
        Ok(Value::map(out))
    });
    r.f("omit", |a| {
        at_least(a, 1)?;
        let d = dict(&a[0])?;
        let drop: Vec<&str> = a[1..].iter().map(s).collect::<Result<_, _>>()?;
        Ok(Value::map(
            d.iter()
                .filter(|(k, _)| !drop.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    });
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        r.f(name, move |a| {
            at_least(a, 1)?;
            let dst = cell(&a[0])?;
            for src in &a[1..] {
                let src_cell = cell(src)?;
                if std::sync::Arc::ptr_eq(dst, src_cell) {
                    continue;
                }
                // SAFETY: dst and src are distinct maps; no borrow of dst lives
                // during this call (see MapCell).
                let dst = unsafe { dst.mutate() }.ok_or_else(refused)?;
                mergo(dst, src_cell, overwrite, 0)?;
            }
            Ok(a[0].clone())
        });
    }
    r.f("dig", |a| {
        if a.len() < 3 {
            return Err(FuncError::failed("dig needs at least three arguments"));
        }
        let n = a.len();
        if let Value::Map(m) = &a[n - 1]
            && let Some(named) = m.go_type()
        {
            return Err(FuncError::failed(format!(
                "interface conversion: interface {{}} is {named}, not map[string]interface {{}}"
            )));
        }
        let d = dict(&a[n - 1])?;
        let default = &a[n - 2];
        let keys: Vec<&str> = a[..n - 2].iter().map(s).collect::<Result<_, _>>()?;
        let mut cur: Option<&Value> = None;
        let mut m = d;
        for (i, k) in keys.iter().enumerate() {
            match m.get(*k) {
                None => return Ok(default.clone()),
                Some(v) if i + 1 == keys.len() => cur = Some(v),
                Some(Value::Map(inner)) if inner.go_type().is_none() => m = inner,
                Some(other) => {
                    // Sprig asserts `step.(map[string]interface{})`, which panics.
                    let got = match other {
                        Value::Nil => "nil",
                        v => v.type_name(),
                    };
                    return Err(FuncError::failed(format!(
                        "interface conversion: interface {{}} is {got}, not map[string]interface {{}}"
                    )));
                }
            }
        }
        Ok(cur.cloned().unwrap_or_else(|| default.clone()))
    });
    r.f("deepCopy", |a| {
        arity(a, 1)?;
        if a[0].is_nil() {
            return Err(FuncError::failed(
                "reflect: call of reflect.Value.Type on zero Value",
            ));
        }
        Ok(a[0].deep_copy())
    });
    r.f("mustDeepCopy", |a| {
        arity(a, 1)?;
        if a[0].is_nil() {
            return Err(FuncError::failed("copy: Must be a non-nil value"));
        }
        Ok(a[0].deep_copy())
    });
    both(r, "append", "mustAppend", |a| {
        arity(a, 2)?;
        let mut l = any_list(&a[0], "push")?.into_owned();

        l.push(a[1].clone());
        Ok(Value::list(l))
    });
    both(r, "push", "mustPush", |a| {
        arity(a, 2)?;
        let mut l = any_list(&a[0], "push")?.into_owned();
        l.push(a[1].clone());
        Ok(Value::list(l))
    });
    both(r, "prepend", "mustPrepend", |a| {
        arity(a, 2)?;
        let mut l = vec![a[1].clone()];
        l.extend(any_list(&a[0], "prepend")?.iter().cloned());
        Ok(Value::list(l))
    });
    both(r, "first", "mustFirst", |a| {
        arity(a, 1)?;
        Ok(any_list(&a[0], "find first")?
            .first()
            .cloned()
            .unwrap_or(Value::Nil))
    });
    both(r, "last", "mustLast", |a| {
        arity(a, 1)?;
        Ok(any_list(&a[0], "find last")?
            .last()
            .cloned()
            .unwrap_or(Value::Nil))
    });
    both(r, "rest", "mustRest", |a| {
        arity(a, 1)?;
        let l = any_list(&a[0], "find rest")?;
        Ok(if l.is_empty() {
            Value::list(Vec::new())
        } else {
            Value::list(l[1..].to_vec())
        })
    });
    both(r, "initial", "mustInitial", |a| {
        arity(a, 1)?;
        let l = any_list(&a[0], "find initial")?;
        Ok(if l.is_empty() {
            Value::list(Vec::new())
        } else {
            Value::list(l[..l.len() - 1].to_vec())
        })
    });
    both(r, "reverse", "mustReverse", |a| {
        arity(a, 1)?;
        let mut l = any_list(&a[0], "find reverse")?.into_owned();
        l.reverse();
        Ok(Value::list(l))
    });
    both(r, "uniq", "mustUniq", |a| {
        arity(a, 1)?;
        let l = any_list(&a[0], "find uniq")?;
        let mut out: Vec<Value> = Vec::new();
        for v in l.iter() {
            if !out.iter().any(|x| deep_equal(x, v)) {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    both(r, "compact", "mustCompact", |a| {
        arity(a, 1)?;
        let l = any_list(&a[0], "compact")?;
        Ok(Value::list(
            l.iter().filter(|v| !empty(v)).cloned().collect(),
        ))
    });
    both(r, "without", "mustWithout", |a| {
        at_least(a, 1)?;
        let l = any_list(&a[0], "find without")?;
        Ok(Value::list(
            l.iter()
                .filter(|v| !a[1..].iter().any(|x| deep_equal(x, v)))
                .cloned()
                .collect(),
        ))
    });
    both(r, "has", "mustHas", |a| {
        arity(a, 2)?;
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let l = any_list(&a[1], "find has")?;
        Ok(Value::Bool(l.iter().any(|x| deep_equal(x, &a[0]))))
    });
    both(r, "slice", "mustSlice", |a| {
        at_least(a, 1)?;
        let l = match &a[0] {
            Value::List(l) => l.to_vec(),
            other => {
                return Err(FuncError::failed(format!(
                    "list should be type of slice or array but {}",
                    if other.is_nil() {
                        "invalid"
                    } else {
                        other.kind()
                    }
                )));
            }
        };
        if l.is_empty() {
            return Ok(Value::Nil);
        }
        let len = l.len() as i64;

        let idx = |i: usize, d: i64| a.get(i).map(super::to_i64).unwrap_or(d);
        let (start, end) = (idx(1, 0), idx(2, len));
        if start < 0 || end > len || start > end {
            // Sprig slices through reflect.Value.Slice, whose panic says this.
            return Err(FuncError::failed(
                "reflect.Value.Slice: slice index out of bounds",
            ));
        }
        Ok(Value::list(l[start as usize..end as usize].to_vec()))
    });
    r.f("concat", |a| {
        let mut out = Vec::new();
        for v in a {
            out.extend(
                any_list_msg(v, |kind| format!("Cannot concat type {kind} as list"))?
                    .iter()
                    .cloned(),
            );
        }
        Ok(Value::list(out))
    });
    both(r, "chunk", "mustChunk", |a| {
        arity(a, 2)?;
        let size = super::to_i64(&a[0]);
        let l = any_list_msg(&a[1], |kind| format!("Cannot chunk type {kind}"))?;
        // Sprig sizes the result as floor((len-1)/size)+1, in floats.
        let count = ((l.len() as f64 - 1.0) / size as f64).floor() + 1.0;
        if !(0.0..=(l.len() as f64 + 1.0)).contains(&count) {
            return Err(FuncError::failed(
                "runtime error: makeslice: len out of range",
            ));
        }
        if size <= 0 {
            return Ok(Value::list(Vec::new()));
        }
        Ok(Value::list(
            l.chunks(size as usize)
                .map(|c| Value::list(c.to_vec()))
                .collect(),
        ))
    });
    let _ = (list, list_of_strings);
}
