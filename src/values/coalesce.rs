//! Helm's `CoalesceValues` / `MergeValues` (`pkg/chartutil/coalesce.go`), run on a
//! model of Go maps.
//!
//! Helm's result depends on Go's map sharing: `coalesceGlobals` gives each subchart
//! a *shallow* copy of each table in the parent's `global`, so a subchart default
//! two levels down (`global.a.b.c`) is merged into the parent's own map and shows
//! up in the parent's and every sibling's `.Values.global`. Charter's `Value` trees
//! are copy-on-write, so the algorithm runs here on [`GMap`] (`Rc<RefCell<..>>`,
//! shared exactly where Go shares) and the result is converted back. Warnings Helm
//! logs (`warning: skipped value for x.y: Not a table.`) are collected, not printed.
//!
//! Helm deep-copies each chart's values before merging them; here a table comes
//! into the model only when the run changes it or shares it ([`thaw`]), and every
//! other value stays the immutable `Value` it was (a `Leaf`, maps included). A large
//! chart's values are mostly passed along whole, so most of them are never copied.
//! The rule that keeps Go's sharing exact: a table stays a `Leaf` in one place
//! only; before a second place takes it, it is thawed and the two share the model
//! map.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::chart::Chart;
use crate::gotmpl::{Map, Value};

use super::{ValuesError, verr};

/// A Go `map[string]interface{}`, shared by reference.
pub(crate) type GMap = Rc<RefCell<BTreeMap<String, GVal>>>;

/// A Go value inside a values tree: a table in the model (shared by reference),
/// or a value the run has not needed to change (a table too, possibly).
#[derive(Clone)]
pub(crate) enum GVal {
    Map(GMap),
    Leaf(Value),
}

impl GVal {
    fn is_nil(&self) -> bool {
        matches!(self, GVal::Leaf(Value::Nil))
    }
    /// Whether Go would see a table here.
    fn is_table(&self) -> bool {
        matches!(self, GVal::Map(_) | GVal::Leaf(Value::Map(_)))
    }
}

fn new_map() -> GMap {
    Rc::new(RefCell::new(BTreeMap::new()))
}

/// A table of the model over the entries of `m` (its tables stay `Leaf`s until
/// [`thaw`]ed).
pub(crate) fn to_g(m: &Map) -> GMap {
    Rc::new(RefCell::new(
        m.iter()
            .map(|(k, v)| (k.clone(), GVal::Leaf(v.clone())))
            .collect(),
    ))
}

/// The entry `key` of `parent` as Go sees it: a table is put into the model in
/// its place first, so whoever takes it shares it with `parent`.
fn thaw(parent: &GMap, key: &str) -> Option<GVal> {
    let frozen = match parent.borrow().get(key)? {
        GVal::Leaf(Value::Map(m)) => to_g(m),
        other => return Some(other.clone()),
    };
    parent
        .borrow_mut()
        .insert(key.to_string(), GVal::Map(frozen.clone()));
    Some(GVal::Map(frozen))
}

/// Back to charter values (sharing becomes copies: the tree is final).
pub(crate) fn from_g(m: &GMap) -> Map {
    m.borrow()
        .iter()
        .map(|(k, v)| (k.clone(), from_gval(v)))
        .collect()
}

fn from_gval(v: &GVal) -> Value {
    match v {
        GVal::Map(m) => Value::map(from_g(m)),
        GVal::Leaf(x) => x.clone(),
    }
}

/// A snapshot of a table's entries, to go through while tables change.
fn entries(m: &GMap) -> Vec<(String, GVal)> {
    m.borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Go's `%v` of a value, for warnings.
fn show(v: &GVal) -> String {
    from_gval(v).to_string()
}

fn concat(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// One coalescing run and the warnings it produced.
pub(crate) struct Run {
    pub warnings: Vec<String>,
}

impl Run {
    pub fn new() -> Run {
        Run {
            warnings: Vec::new(),
        }
    }

    /// `coalesce`: the chart's values, then its subcharts'.
    pub fn coalesce(
        &mut self,
        ch: &Chart,
        dest: &GMap,
        prefix: &str,
        merge: bool,
        depth: usize,
    ) -> Result<(), ValuesError> {
        if depth > crate::yaml::MAX_DEPTH {
            return Err(verr("chart dependencies are nested too deeply"));
        }
        self.coalesce_values(ch, dest, prefix, merge);
        self.coalesce_deps(ch, dest, prefix, merge, depth)
    }

    fn coalesce_deps(
        &mut self,
        ch: &Chart,
        dest: &GMap,
        prefix: &str,
        merge: bool,
        depth: usize,
    ) -> Result<(), ValuesError> {
        for sub in &ch.dependencies {
            let name = sub.name();
            let dv = match thaw(dest, name) {
                None => {
                    let m = new_map();
                    dest.borrow_mut()
                        .insert(name.to_string(), GVal::Map(m.clone()));
                    m
                }
                Some(GVal::Map(m)) => m,
                Some(other) => {
                    return Err(verr(format!(
                        "type mismatch on {name}: {}",
                        crate::gotmpl::sprintf("%t", &[from_gval(&other)])
                    )));
                }
            };
            let sub_prefix = concat(prefix, ch.name());
            self.coalesce_globals(&dv, dest, &sub_prefix);
            self.coalesce(sub, &dv, &sub_prefix, merge, depth + 1)?;
        }
        Ok(())
    }

    /// `coalesceGlobals`: the parent's `global` into the subchart's, parent first.
    fn coalesce_globals(&mut self, dest: &GMap, src: &GMap, prefix: &str) {
        let dg = match thaw(dest, "global") {
            None => new_map(),
            Some(GVal::Map(m)) => m,
            Some(_) => {
                self.warnings.push(
                    "warning: skipping globals because destination global is not a table.".into(),
                );
                return;
            }
        };
        let sg = match thaw(src, "global") {
            None => new_map(),
            Some(GVal::Map(m)) => m,
            Some(_) => {
                self.warnings
                    .push("warning: skipping globals because source global is not a table.".into());
                return;
            }
        };
        for (key, val) in entries(&sg) {
            if val.is_table() {
                let Some(GVal::Map(vm)) = thaw(&sg, &key) else {
                    continue;
                };
                // A shallow copy: the tables inside stay shared with the parent
                // (in the model, so they are thawed first).
                let tables: Vec<String> = vm
                    .borrow()
                    .iter()
                    .filter(|(_, v)| matches!(v, GVal::Leaf(Value::Map(_))))
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in &tables {
                    thaw(&vm, k);
                }
                let vv: GMap = Rc::new(RefCell::new(vm.borrow().clone()));
                match thaw(&dg, &key) {
                    None => {
                        dg.borrow_mut().insert(key, GVal::Map(vv));
                    }
                    Some(GVal::Map(destv)) => {
                        let sub_prefix = concat(prefix, &key);
                        self.coalesce_tables(&vv, &destv, &sub_prefix, true, false);
                        dg.borrow_mut().insert(key, GVal::Map(vv));
                    }
                    Some(GVal::Leaf(_)) => self.warnings.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    )),
                }
            } else if dg.borrow().get(&key).is_some_and(GVal::is_table) {
                self.warnings.push(format!("key {key} is table. Skipping"));
            } else {
                dg.borrow_mut().insert(key, val);
            }
        }
        dest.borrow_mut().insert("global".into(), GVal::Map(dg));
    }

    /// `coalesceValues`: the chart's values under `v` (Helm merges a fresh copy
    /// of them; here they are immutable, and the tables the merge changes are
    /// thawed).
    fn coalesce_values(&mut self, c: &Chart, v: &GMap, prefix: &str, merge: bool) {
        let sub_prefix = concat(prefix, c.name());
        for (key, val) in c.values.iter() {
            let current = v.borrow().get(key).map(|d| (d.is_nil(), d.is_table()));
            match current {
                None => {
                    v.borrow_mut().insert(key.clone(), GVal::Leaf(val.clone()));
                }
                Some((true, _)) if !merge => {
                    v.borrow_mut().remove(key);
                }
                Some((_, true)) => match val {
                    Value::Map(src) => {
                        let Some(GVal::Map(dest)) = thaw(v, key) else {
                            continue;
                        };
                        let merge = merge || c.dependencies.iter().any(|d| d.name() == key);
                        let full = concat(&sub_prefix, key);
                        self.coalesce_tables(&dest, &to_g(src), &full, merge, true);
                    }
                    Value::Nil => {}
                    _ => self.warnings.push(format!(
                        "warning: skipped value for {sub_prefix}.{key}: Not a table."
                    )),
                },
                Some(_) => {}
            }
        }
    }

    /// `coalesceTablesFullKey`: `src` fills what `dst` lacks, in place; without
    /// `merge`, a null in `dst` deletes the key. `src_private`: nothing but this
    /// call sees `src`, so what moves from it to `dst` need not stay shared.
    pub fn coalesce_tables(
        &mut self,
        dst: &GMap,
        src: &GMap,
        prefix: &str,
        merge: bool,
        src_private: bool,
    ) {
        for (key, val) in entries(src) {
            let current = dst.borrow().get(&key).map(|d| (d.is_nil(), d.is_table()));
            match current {
                Some((true, _)) if !merge => {
                    dst.borrow_mut().remove(&key);
                }
                None => {
                    let val = if src_private {
                        val
                    } else {
                        thaw(src, &key).unwrap_or(val)
                    };
                    dst.borrow_mut().insert(key, val);
                }
                Some((_, dst_table)) => match (val.is_table(), dst_table) {
                    (true, true) => {
                        let sm = match (src_private, val) {
                            (true, GVal::Map(m)) => m,
                            (true, GVal::Leaf(Value::Map(m))) => to_g(&m),
                            _ => match thaw(src, &key) {
                                Some(GVal::Map(m)) => m,
                                _ => continue,
                            },
                        };
                        let Some(GVal::Map(dm)) = thaw(dst, &key) else {
                            continue;
                        };
                        self.coalesce_tables(&dm, &sm, &concat(prefix, &key), merge, src_private);
                    }
                    (true, false) => self.warnings.push(format!(
                        "warning: cannot overwrite table with non table for {} ({})",
                        concat(prefix, &key),
                        show(&val)
                    )),
                    (false, true) if !val.is_nil() => self.warnings.push(format!(
                        "warning: destination for {} is a table. Ignoring non-table value ({})",
                        concat(prefix, &key),
                        show(&val)
                    )),
                    _ => {}
                },
            }
        }
    }
}

/// Helm's `CoalesceValues` (`merge` false) or chartutil's `MergeValues` (`merge`
/// true), with the warnings Helm would log.
pub fn coalesce_with_warnings(
    chart: &Chart,
    user: &Map,
    merge: bool,
) -> Result<(Map, Vec<String>), ValuesError> {
    let dest = to_g(user);
    let mut run = Run::new();
    run.coalesce(chart, &dest, "", merge, 0)?;
    Ok((from_g(&dest), run.warnings))
}
