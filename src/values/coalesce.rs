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

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::chart::Chart;
use crate::gotmpl::{Map, Value};

use super::{ValuesError, verr};

/// A Go `map[string]interface{}`, shared by reference.
pub(crate) type GMap = Rc<RefCell<BTreeMap<String, GVal>>>;

/// A Go value inside a values tree: a shared map, or anything else (lists and
/// scalars, which coalescing never changes in place).
#[derive(Clone)]
pub(crate) enum GVal {
    Map(GMap),
    Leaf(Value),
}

impl GVal {
    fn is_nil(&self) -> bool {
        matches!(self, GVal::Leaf(Value::Nil))
    }
    fn as_map(&self) -> Option<&GMap> {
        match self {
            GVal::Map(m) => Some(m),
            GVal::Leaf(_) => None,
        }
    }
}

fn new_map() -> GMap {
    Rc::new(RefCell::new(BTreeMap::new()))
}

/// A deep copy into the model (Go's `copystructure.Copy`).
pub(crate) fn to_g(m: &Map) -> GMap {
    Rc::new(RefCell::new(
        m.iter().map(|(k, v)| (k.clone(), to_gval(v))).collect(),
    ))
}

fn to_gval(v: &Value) -> GVal {
    match v {
        Value::Map(m) => GVal::Map(to_g(m)),
        other => GVal::Leaf(other.clone()),
    }
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
            let existing = dest.borrow().get(name).cloned();
            let dv = match existing {
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
        let dg = match dest.borrow().get("global").cloned() {
            None => new_map(),
            Some(GVal::Map(m)) => m,
            Some(_) => {
                self.warnings.push(
                    "warning: skipping globals because destination global is not a table.".into(),
                );
                return;
            }
        };
        let sg = match src.borrow().get("global").cloned() {
            None => new_map(),
            Some(GVal::Map(m)) => m,
            Some(_) => {
                self.warnings
                    .push("warning: skipping globals because source global is not a table.".into());
                return;
            }
        };
        let entries: Vec<(String, GVal)> = sg
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (key, val) in entries {
            let current = dg.borrow().get(&key).cloned();
            match &val {
                GVal::Map(vm) => {
                    // A shallow copy: the tables inside stay shared with the parent.
                    let vv: GMap = Rc::new(RefCell::new(vm.borrow().clone()));
                    match current {
                        None => {
                            dg.borrow_mut().insert(key, GVal::Map(vv));
                        }
                        Some(GVal::Map(destv)) => {
                            let sub_prefix = concat(prefix, &key);
                            self.coalesce_tables(&vv, &destv, &sub_prefix, true);
                            dg.borrow_mut().insert(key, GVal::Map(vv));
                        }
                        Some(GVal::Leaf(_)) => self.warnings.push(format!(
                            "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                        )),
                    }
                }
                GVal::Leaf(_) => {
                    if matches!(current, Some(GVal::Map(_))) {
                        self.warnings.push(format!("key {key} is table. Skipping"));
                    } else {
                        dg.borrow_mut().insert(key, val.clone());
                    }
                }
            }
        }
        dest.borrow_mut().insert("global".into(), GVal::Map(dg));
    }

    /// `coalesceValues`: a (fresh copy of the) chart's values under `v`.
    fn coalesce_values(&mut self, c: &Chart, v: &GMap, prefix: &str, merge: bool) {
        let sub_prefix = concat(prefix, c.name());
        let vc = to_g(&c.values);
        let entries: Vec<(String, GVal)> = vc
            .borrow()
            .iter()
            .map(|(k, x)| (k.clone(), x.clone()))
            .collect();
        for (key, val) in entries {
            let current = v.borrow().get(&key).cloned();
            match current {
                None => {
                    v.borrow_mut().insert(key, val);
                }
                Some(value) if value.is_nil() && !merge => {
                    v.borrow_mut().remove(&key);
                }
                Some(GVal::Map(dest)) => match &val {
                    GVal::Map(src) => {
                        let merge = merge || c.dependencies.iter().any(|d| d.name() == key);
                        self.coalesce_tables(&dest, src, &concat(&sub_prefix, &key), merge);
                    }
                    GVal::Leaf(Value::Nil) => {}
                    GVal::Leaf(_) => self.warnings.push(format!(
                        "warning: skipped value for {sub_prefix}.{key}: Not a table."
                    )),
                },
                Some(GVal::Leaf(_)) => {}
            }
        }
    }

    /// `coalesceTablesFullKey`: `src` fills what `dst` lacks, in place; without
    /// `merge`, a null in `dst` deletes the key.
    pub fn coalesce_tables(&mut self, dst: &GMap, src: &GMap, prefix: &str, merge: bool) {
        let entries: Vec<(String, GVal)> = src
            .borrow()
            .iter()
            .map(|(k, x)| (k.clone(), x.clone()))
            .collect();
        for (key, val) in entries {
            let full = concat(prefix, &key);
            let current = dst.borrow().get(&key).cloned();
            match current {
                Some(dv) if !merge && dv.is_nil() => {
                    dst.borrow_mut().remove(&key);
                }
                None => {
                    dst.borrow_mut().insert(key, val);
                }
                Some(dv) => match (&val, dv.as_map()) {
                    (GVal::Map(sm), Some(dm)) => {
                        let dm = dm.clone();
                        self.coalesce_tables(&dm, sm, &full, merge);
                    }
                    (GVal::Map(_), None) => self.warnings.push(format!(
                        "warning: cannot overwrite table with non table for {full} ({})",
                        show(&val)
                    )),
                    (GVal::Leaf(x), Some(_)) if !x.is_nil() => self.warnings.push(format!(
                        "warning: destination for {full} is a table. Ignoring non-table value ({})",
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
