//! The executor: walks a parsed tree with a dot and variables, as Go's
//! `text/template` does, including the details charts depend on: a value read
//! from a map has static type `interface {}` (so `.a.b` on a missing `a` fails with
//! `nil pointer evaluating interface {}.b`, while `($x).b` on a nil `$x` is quietly
//! empty), `and`/`or` short-circuit, `eq` refuses mixed kinds, errors carry the
//! failing node's `file:line:col` and text.

use std::sync::Arc;

use smallvec::SmallVec;

use super::error::Error;
use super::fmt::{go_quote, sprint, sprintf, sprintln};
use super::parse::{Arg, Command, Node, Pipe, Shown, Span, Tree};
use super::value::{Func, FuncCtx, FuncError, Value};

/// Go's limit on nested template invocations.
pub const MAX_EXEC_DEPTH: usize = 100_000;
/// How many loop iterations and output bytes one execution may produce, so that no
/// input can hang or exhaust memory (`range 1000000000`).
pub const MAX_STEPS: u64 = 50_000_000;
pub const MAX_OUTPUT: usize = 512 * 1024 * 1024;

/// What happens when a map has no entry for a key (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default`/`invalid`: the invalid value (prints `<no value>`).
    #[default]
    Default,
    /// `missingkey=zero`: the zero of the element type (nil for `interface{}`).
    Zero,
    /// `missingkey=error`: execution stops.
    Error,
}

/// The templates and functions one execution sees.
pub struct Set {
    pub root_name: String,
    pub trees: Arc<super::NameMap<Arc<Tree>>>,
    pub funcs: Arc<super::NameMap<Func>>,
    pub missing_key: MissingKey,
}

/// A value with Go's static-type knowledge: `iface` means it was read out of a
/// map or slice of `interface{}` and not yet unwrapped by a pipeline.
#[derive(Clone)]
struct Val {
    v: Value,
    iface: bool,
}

/// One flag per function argument (whether it came through an interface),
/// without an allocation for the first 64.
#[derive(Default)]
struct Ifaces {
    bits: u64,
    len: usize,
    more: Vec<bool>,
}

impl Ifaces {
    fn push(&mut self, iface: bool) {
        if self.len < 64 {
            self.bits |= u64::from(iface) << self.len;
        } else {
            self.more.push(iface);
        }
        self.len += 1;
    }

    fn get(&self, i: usize) -> bool {
        if i < 64 {
            self.bits >> i & 1 == 1
        } else {
            self.more.get(i - 64).copied().unwrap_or(false)
        }
    }
}

impl Val {
    fn plain(v: Value) -> Val {
        Val { v, iface: false }
    }
}

/// What the walk of a list ended with.
#[derive(PartialEq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// The node an error is reported at (Go's `state.node`).
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(usize, &'t str),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
    Template(usize, &'t str, Option<&'t Pipe>),
}

struct State<'t> {
    set: &'t Set,
    tree: &'t Tree,
    /// Variables in scope; most templates declare few (kept inline).
    vars: SmallVec<[(&'t str, Val); 4]>,
    at: At<'t>,
    depth: usize,
    steps: &'t std::cell::Cell<u64>,
}

type R<T> = Result<T, Error>;

/// Runs the named template of `set` with `data` as dot.
pub fn execute(set: &Set, name: &str, data: &Value, depth: usize) -> R<String> {
    let steps = std::cell::Cell::new(0);
    execute_with(set, name, data, depth, &steps)
}

fn execute_with(
    set: &Set,
    name: &str,
    data: &Value,
    depth: usize,
    steps: &std::cell::Cell<u64>,
) -> R<String> {
    let Some(tree) = set.trees.get(name) else {
        return Err(Error::other(format!(
            "template: no template {} associated with template {}",
            go_quote(name),
            go_quote(&set.root_name)
        )));
    };
    execute_tree(set, tree, data, depth, steps)
}

/// Runs one tree with the set's definitions visible.
fn execute_tree(
    set: &Set,
    tree: &Tree,
    data: &Value,
    depth: usize,
    steps: &std::cell::Cell<u64>,
) -> R<String> {
    let mut out = String::new();
    let mut st = State {
        set,
        tree,
        vars: smallvec::smallvec![("$", Val::plain(data.clone()))],
        at: At::None,
        depth,
        steps,
    };
    let dot = Val::plain(data.clone());
    st.walk_list(&dot, &tree.root, &mut out)?;
    Ok(out)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{fffd}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's basic kinds for comparisons.
#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Other,
    }
}

const BAD_COMPARISON: &str = "incompatible types for comparison";
const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";

fn go_eq(a: &Value, b: &Value) -> Result<bool, String> {
    let (ka, kb) = (basic_kind(a), basic_kind(b));
    if ka != kb {
        if !a.is_nil() && !b.is_nil() {
            return Err(BAD_COMPARISON.into());
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Nil, Value::Nil) => true,
        (Value::Map(_), _) | (Value::List(_), _) | (Value::Bytes(_), _) => {
            return Err(format!(
                "non-comparable type {}: {}",
                sprintf("%s", std::slice::from_ref(b)),
                b.type_name()
            ));
        }
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        _ => false,
    })
}

fn go_lt(a: &Value, b: &Value) -> Result<bool, String> {
    let (ka, kb) = (basic_kind(a), basic_kind(b));
    if matches!(ka, Kind::Invalid | Kind::Other) || matches!(kb, Kind::Invalid | Kind::Other) {
        return Err(BAD_COMPARISON_TYPE.into());
    }
    if ka != kb {
        return Err(BAD_COMPARISON.into());
    }
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Ok(x < y),
        (Value::Float(x), Value::Float(y)) => Ok(x < y),
        (Value::String(x), Value::String(y)) => Ok(x < y),
        _ => Err(BAD_COMPARISON_TYPE.into()),
    }
}

impl<'t> State<'t> {
    /// The source text of the tree being executed, which its spans point into.
    fn src(&self) -> &'t str {
        let tree: &'t Tree = self.tree;
        &tree.source
    }

    fn at(&mut self, at: At<'t>) {
        self.at = at;
    }

    /// Go's `ErrorContext`: `file:line:col` of the node and its text.
    fn context(&self) -> Option<(String, String)> {
        let (pos, text) = match self.at {
            At::None => return None,
            At::Node(pos, text) => (pos, text.to_string()),
            At::Pipe(p) => (p.pos, Shown(p, self.src()).to_string()),
            At::Cmd(c) => (c.pos, Shown(c, self.src()).to_string()),
            At::Arg(a) => (a.pos(), Shown(a, self.src()).to_string()),
            At::Template(pos, name, pipe) => (
                pos,
                match pipe {
                    Some(p) => format!(
                        "{{{{template {} {}}}}}",
                        go_quote(name),
                        Shown(p, self.src())
                    ),
                    None => format!("{{{{template {}}}}}", go_quote(name)),
                },
            ),
        };
        let src = &self.tree.source;
        let pos = pos.min(src.len());
        let before = &src[..pos];
        let line = 1 + before.matches('\n').count();
        let col = match before.rfind('\n') {
            Some(i) => pos - (i + 1),
            None => pos,
        };
        Some((format!("{}:{line}:{col}", self.tree.parse_name), text))
    }

    fn err(&self, reason: impl Into<String>) -> Error {
        let reason = reason.into();
        match self.context() {
            Some((loc, ctx)) => Error::exec(loc, &self.tree.name, &ctx, reason),
            None => Error::exec_plain(&self.tree.name, reason),
        }
    }

    fn step(&self) -> R<()> {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n > MAX_STEPS {
            return Err(self.err(format!("execution exceeded {MAX_STEPS} steps")));
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Val, nodes: &'t [Node], out: &mut String) -> R<Flow> {
        for n in nodes {
            let f = stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || self.walk(dot, n, out))?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn walk(&mut self, dot: &Val, node: &'t Node, out: &mut String) -> R<Flow> {
        match node {
            Node::Text(t) => {
                out.push_str(t.of(self.src()));
                if out.len() > MAX_OUTPUT {
                    return Err(self.err("template output exceeds the size limit"));
                }
            }
            Node::Action { pipe, .. } => {
                self.at(At::Pipe(pipe));
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    match &v.v {
                        Value::Nil => out.push_str("<no value>"),
                        Value::String(s) => out.push_str(s),
                        // A value whose Go type has a String method prints with it.
                        Value::Object(o) if o.stringer().is_some() => {
                            out.push_str(&o.stringer().unwrap_or_default())
                        }

                        other => {
                            use std::fmt::Write;
                            let _ = write!(out, "{other}");
                        }
                    }
                }
            }
            Node::If {
                pipe,
                list,
                else_list,
                ..
            }
            | Node::With {
                pipe,
                list,
                else_list,
                ..
            } => {
                let is_with = matches!(node, Node::With { .. });
                let mark = self.vars.len();
                let v = self.eval_pipeline(dot, pipe)?;
                let flow = if v.v.truthy() {
                    if is_with {
                        self.walk_list(&v, list, out)?
                    } else {
                        self.walk_list(dot, list, out)?
                    }
                } else if let Some(e) = else_list {
                    self.walk_list(dot, e, out)?
                } else {
                    Flow::Normal
                };
                self.vars.truncate(mark);
                return Ok(flow);
            }
            Node::Range {
                pos,
                pipe,
                list,
                else_list,
            } => {
                self.at(At::Node(*pos, "range"));
                let mark = self.vars.len();
                // Evaluate without declaring: range declares its own variables.
                let v = self.eval_pipeline_nodecl(dot, pipe)?;
                for name in &pipe.decl {
                    self.vars
                        .push((name.of(self.src()), Val::plain(Value::Nil)));
                }
                let body_mark = self.vars.len();
                let mut ran = false;
                let one =
                    |st: &mut State<'t>, index: Val, elem: Val, out: &mut String| -> R<Flow> {
                        st.step()?;
                        if !pipe.decl.is_empty() {
                            let n = st.vars.len();
                            if pipe.decl.len() > 1 {
                                st.vars[n - 1].1 = elem.clone();
                                st.vars[n - 2].1 = index;
                            } else {
                                st.vars[n - 1].1 = elem.clone();
                            }
                        }
                        let f = st.walk_list(&elem, list, out)?;
                        st.vars.truncate(body_mark);
                        Ok(f)
                    };
                let data = match &v.v {
                    Value::Object(o) => o.to_data(),
                    other => other.clone(),
                };
                match &data {
                    Value::List(l) => {
                        for (i, e) in l.iter().enumerate() {
                            ran = true;
                            let f = one(
                                self,
                                Val::plain(Value::Int(i as i64)),
                                Val {
                                    v: e.clone(),
                                    iface: true,
                                },
                                out,
                            )?;
                            if f == Flow::Break {
                                break;
                            }
                        }
                    }
                    Value::Bytes(b) => {
                        for (i, e) in b.iter().enumerate() {
                            ran = true;
                            let f = one(
                                self,
                                Val::plain(Value::Int(i as i64)),
                                Val::plain(Value::Int(*e as i64)),
                                out,
                            )?;
                            if f == Flow::Break {
                                break;
                            }
                        }
                    }
                    Value::Map(m) => {
                        // Iterate over a snapshot: the body may change the map (`set`).
                        let entries: Vec<(String, Value)> =
                            m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                        for (k, e) in &entries {
                            ran = true;
                            let f = one(
                                self,
                                Val::plain(Value::str(k)),
                                Val {
                                    v: e.clone(),
                                    iface: true,
                                },
                                out,
                            )?;
                            if f == Flow::Break {
                                break;
                            }
                        }
                    }
                    // Go 1.23 (Helm 3.17) cannot range over an integer.
                    Value::Nil => {}
                    other => {
                        return Err(self.err(format!("range can't iterate over {other}")));
                    }
                }
                self.vars.truncate(mark);
                if !ran && let Some(e) = else_list {
                    let f = self.walk_list(dot, e, out)?;
                    self.vars.truncate(mark);
                    return Ok(f);
                }
            }
            Node::Template { pos, name, pipe } => {
                self.at(At::Template(*pos, name, pipe.as_ref()));
                let Some(tree) = self.set.trees.get(name) else {
                    return Err(self.err(format!("template {} not defined", go_quote(name))));
                };
                if self.depth >= MAX_EXEC_DEPTH {
                    return Err(self.err(format!(
                        "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
                    )));
                }
                let new_dot = match pipe {
                    Some(p) => self.eval_pipeline(dot, p)?,
                    None => Val::plain(Value::Nil),
                };
                let mut sub = State {
                    set: self.set,
                    tree,
                    vars: smallvec::smallvec![("$", new_dot.clone())],
                    at: At::None,
                    depth: self.depth + 1,
                    steps: self.steps,
                };
                stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || {
                    sub.walk_list(&new_dot, &tree.root, out)
                })?;
            }
            Node::Break { .. } => return Ok(Flow::Break),
            Node::Continue { .. } => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn eval_pipeline(&mut self, dot: &Val, pipe: &'t Pipe) -> R<Val> {
        let v = self.eval_pipeline_nodecl(dot, pipe)?;
        for name in &pipe.decl {
            let name = name.of(self.src());
            if pipe.is_assign {
                match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(self.err(format!("undefined variable: {name}"))),
                }
            } else {
                self.vars.push((name, v.clone()));
            }
        }
        Ok(v)
    }

    fn eval_pipeline_nodecl(&mut self, dot: &Val, pipe: &'t Pipe) -> R<Val> {
        self.at(At::Pipe(pipe));
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            // Digging into interface{}: pipeline results have concrete types.
            value = Some(Val::plain(v.v));
        }
        Ok(value.unwrap_or_else(|| Val::plain(Value::Nil)))
    }

    fn not_a_function(&mut self, cmd: &'t Command, fin: &Option<Val>) -> R<()> {
        if cmd.args.len() > 1 || fin.is_some() {
            return Err(self.err(format!(
                "can't give argument to non-function {}",
                Shown(&cmd.args[0], self.src())
            )));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, cmd: &'t Command, fin: Option<Val>) -> R<Val> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at(At::Arg(first));
                self.eval_field_chain(dot, dot.clone(), first, idents, &cmd.args, fin)
            }
            Arg::Chain { node, fields, .. } => {
                self.at(At::Arg(first));
                let recv = self.eval_arg(dot, node)?;
                if recv.v.is_nil() && matches!(**node, Arg::Nil { .. }) {
                    return Err(self.err(format!(
                        "indirection through explicit nil in {}",
                        Shown(first, self.src())
                    )));
                }
                self.eval_field_chain(dot, recv, first, fields, &cmd.args, fin)
            }
            Arg::Ident { name, .. } => {
                self.eval_function(dot, name.of(self.src()), cmd, &cmd.args[1..], fin)
            }
            Arg::Pipe(p) => {
                self.not_a_function(cmd, &fin)?;
                self.eval_pipeline(dot, p)
            }
            Arg::Variable { name, fields, .. } => {
                self.at(At::Arg(first));
                let value = self.var_value(name.of(self.src()))?;
                if fields.is_empty() {
                    self.not_a_function(cmd, &fin)?;
                    return Ok(value);
                }
                self.eval_field_chain(dot, value, first, fields, &cmd.args, fin)
            }
            _ => {
                self.at(At::Arg(first));
                self.not_a_function(cmd, &fin)?;
                match first {
                    Arg::Bool { value, .. } => Ok(Val::plain(Value::Bool(*value))),
                    Arg::Dot { .. } => Ok(dot.clone()),
                    Arg::Nil { .. } => Err(self.err("nil is not a command")),
                    Arg::Number { num, .. } => self.ideal_constant(num).map(Val::plain),
                    Arg::String { text, .. } => Ok(Val::plain(Value::String(text.clone()))),
                    _ => Err(self.err(format!(
                        "can't evaluate command {}",
                        go_quote(&Shown(first, self.src()).to_string())
                    ))),
                }
            }
        }
    }

    fn var_value(&self, name: &str) -> R<Val> {
        match self.vars.iter().rev().find(|(n, _)| *n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.err(format!("undefined variable: {name}"))),
        }
    }

    fn ideal_constant(&mut self, num: &super::parse::Number) -> R<Value> {
        let t = num.text.of(self.src());
        let is_hex = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let is_rune = t.starts_with('\'');
        if num.float.is_some() && !is_hex && !is_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(num.float.unwrap_or(0.0)));
        }
        if let Some(i) = num.int {
            return Ok(Value::Int(i));
        }
        if num.is_uint {
            return Err(self.err(format!("{t} overflows int")));
        }
        Ok(Value::Nil)
    }

    /// Evaluates an argument of a function or method call.
    fn eval_arg(&mut self, dot: &Val, arg: &'t Arg) -> R<Val> {
        self.at(At::Arg(arg));
        match arg {
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Ok(Val::plain(Value::Nil)),
            Arg::Bool { value, .. } => Ok(Val::plain(Value::Bool(*value))),
            Arg::Number { num, .. } => self.ideal_constant(num).map(Val::plain),
            Arg::String { text, .. } => Ok(Val::plain(Value::String(text.clone()))),
            Arg::Field { idents, .. } => self.eval_field_chain(
                dot,
                dot.clone(),
                arg,
                idents,
                std::slice::from_ref(arg),
                None,
            ),
            Arg::Variable { name, fields, .. } => {
                let value = self.var_value(name.of(self.src()))?;
                if fields.is_empty() {
                    return Ok(value);
                }
                self.eval_field_chain(dot, value, arg, fields, &[], None)
            }
            Arg::Pipe(p) => self.eval_pipeline(dot, p).map(|v| Val::plain(v.v)),
            Arg::Ident { name, .. } => {
                let cmd_args: &'t [Arg] = &[];
                self.eval_function_node(dot, name.of(self.src()), arg, cmd_args, None)
            }
            Arg::Chain { node, fields, .. } => {
                let recv = self.eval_arg(dot, node)?;
                self.at(At::Arg(arg));
                self.eval_field_chain(dot, recv, arg, fields, &[], None)
            }
        }
    }

    fn eval_field_chain(
        &mut self,
        dot: &Val,
        mut recv: Val,
        node: &'t Arg,
        idents: &'t [Span],
        args: &'t [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let src = self.src();
        let n = idents.len();
        for ident in &idents[..n - 1] {
            recv = self.eval_field(dot, ident.of(src), node, &[], None, recv)?;
        }
        self.eval_field(dot, idents[n - 1].of(src), node, args, fin, recv)
    }

    fn eval_field(
        &mut self,
        dot: &Val,
        name: &str,
        node: &'t Arg,
        args: &'t [Arg],
        fin: Option<Val>,
        recv: Val,
    ) -> R<Val> {
        self.at(At::Arg(node));
        let has_args = args.len() > 1 || fin.is_some();
        let typ = |v: &Val| {
            if v.iface {
                "interface {}".to_string()
            } else {
                v.v.type_name().to_string()
            }
        };
        match &recv.v {
            Value::Nil if !recv.iface => {
                if self.set.missing_key == MissingKey::Error {
                    return Err(self.err(format!("nil data; no entry for key {}", go_quote(name))));
                }
                Ok(Val::plain(Value::Nil))
            }
            Value::Nil => Err(self.err(format!("nil pointer evaluating interface {{}}.{name}"))),
            Value::Object(o) => {
                if o.has_method(name) {
                    let mut argv = Vec::new();
                    for a in args.iter().skip(1) {
                        argv.push(self.eval_arg(dot, a)?.v);
                    }
                    if let Some(f) = fin {
                        argv.push(f.v);
                    }
                    self.at(At::Arg(node));
                    let result = if argv.is_empty() {
                        o.field(name).map(Ok).or_else(|| o.call_method(name, &argv))
                    } else {
                        o.call_method(name, &argv)
                    };
                    return match result {
                        Some(Ok(v)) => Ok(Val::plain(v)),
                        Some(Err(e)) => Err(self.func_error(name, e)),
                        None => Err(self.err(format!(
                            "can't evaluate field {name} in type {}",
                            typ(&recv)
                        ))),
                    };
                }
                match o.field(name) {
                    Some(v) => {
                        if has_args {
                            return Err(self.err(if o.kind() == "map" {
                                format!("{name} is not a method but has arguments")
                            } else {
                                format!("{name} has arguments but cannot be invoked as function")
                            }));
                        }
                        Ok(Val::plain(v))
                    }
                    None => Err(self.err(format!(
                        "can't evaluate field {name} in type {}",
                        typ(&recv)
                    ))),
                }
            }
            Value::Map(m) => {
                if has_args {
                    return Err(self.err(format!("{name} is not a method but has arguments")));
                }
                match m.get(name) {
                    Some(v) => Ok(Val {
                        v: v.clone(),
                        iface: true,
                    }),
                    None => match self.set.missing_key {
                        MissingKey::Default => Ok(Val::plain(Value::Nil)),
                        MissingKey::Zero => Ok(Val {
                            v: Value::Nil,
                            iface: true,
                        }),
                        MissingKey::Error => {
                            Err(self.err(format!("map has no entry for key {}", go_quote(name))))
                        }
                    },
                }
            }
            _ => Err(self.err(format!(
                "can't evaluate field {name} in type {}",
                typ(&recv)
            ))),
        }
    }

    fn func_error(&self, name: &str, e: FuncError) -> Error {
        match e {
            FuncError::Failed(m) => self.err(format!("error calling {name}: {m}")),
            FuncError::Passthrough(m) => self.err(m),
            FuncError::Arity { want, got } => self.err(format!(
                "wrong number of args for {name}: want {want} got {got}"
            )),
            FuncError::WrongType { expected, got } => self.err(format!(
                "wrong type for value; expected {expected}; got {got}"
            )),
        }
    }

    fn eval_function(
        &mut self,
        dot: &Val,
        name: &'t str,
        cmd: &'t Command,
        args: &'t [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.at(At::Arg(&cmd.args[0]));
        self.call(dot, name, At::Cmd(cmd), args, fin)
    }

    fn eval_function_node(
        &mut self,
        dot: &Val,
        name: &'t str,
        node: &'t Arg,
        args: &'t [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        self.at(At::Arg(node));
        self.call(dot, name, At::Arg(node), args, fin)
    }

    fn call(
        &mut self,
        dot: &Val,
        name: &'t str,
        node: At<'t>,
        args: &'t [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        // User functions override builtins of the same name only for non-special
        // names; Go looks up the template's map first, then the builtins.
        if let Some(f) = self.set.funcs.get(name).cloned() {
            let ident = self.at;
            // The values go to the function as they are; whether each came
            // through an interface is kept aside, for a wrong-type error only.
            let mut argv: SmallVec<[Value; 4]> = SmallVec::with_capacity(args.len() + 1);
            let mut ifaces = Ifaces::default();
            for a in args {
                let v = self.eval_arg(dot, a)?;
                ifaces.push(v.iface);
                argv.push(v.v);
            }
            let piped = fin.is_some();
            if let Some(f) = fin {
                ifaces.push(f.iface);
                argv.push(f.v);
            }
            let result = f(self, &argv);
            return match result {
                Ok(v) => Ok(Val::plain(v)),
                Err(FuncError::WrongType { expected, got }) => {
                    let vals: Vec<Val> = argv
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Val {
                            v,
                            iface: ifaces.get(i),
                        })
                        .collect();
                    Err(self.wrong_type(ident, args, &vals, piped, &expected, &got))
                }
                Err(e) => {
                    if matches!(e, FuncError::Failed(_) | FuncError::Passthrough(_)) {
                        self.at(node);
                    }
                    Err(self.func_error(name, e))
                }
            };
        }
        self.builtin(dot, name, node, args, fin)
    }

    /// Go's reflection error for an argument of the wrong type, at that argument:
    /// a literal is "expected T; found LIT", an unset (nil) pipeline value or
    /// variable is "invalid value; expected T", anything else "wrong type".
    fn wrong_type(
        &mut self,
        ident: At<'t>,
        args: &'t [Arg],
        vals: &[Val],
        piped: bool,
        expected: &str,
        got: &str,
    ) -> Error {
        let type_of = |v: &Val| {
            if v.v.is_nil() {
                "interface {}".to_string()
            } else {
                v.v.type_name().to_string()
            }
        };
        let Some(i) = vals.iter().position(|v| type_of(v) == got) else {
            return self.err(format!(
                "wrong type for value; expected {expected}; got {got}"
            ));
        };
        let node = args.get(i);
        match node {
            Some(
                n @ (Arg::Number { .. } | Arg::String { .. } | Arg::Bool { .. } | Arg::Nil { .. }),
            ) => {
                self.at(At::Arg(n));
                self.err(format!(
                    "expected {expected}; found {}",
                    Shown(n, self.src())
                ))
            }
            None if piped && vals[i].v.is_nil() => {
                self.at(ident);
                self.err(format!("invalid value; expected {expected}"))
            }
            Some(n) if vals[i].v.is_nil() && !vals[i].iface => {
                self.at(At::Arg(n));
                self.err(format!("invalid value; expected {expected}"))
            }
            Some(n) => {
                self.at(At::Arg(n));
                self.err(format!(
                    "wrong type for value; expected {expected}; got {got}"
                ))
            }
            None => self.err(format!(
                "wrong type for value; expected {expected}; got {got}"
            )),
        }
    }

    fn arity(&self, name: &str, want: usize, got: usize) -> R<()> {
        if want != got {
            return Err(self.err(format!(
                "wrong number of args for {name}: want {want} got {got}"
            )));
        }
        Ok(())
    }

    fn builtin(
        &mut self,
        dot: &Val,
        name: &'t str,
        node: At<'t>,
        args: &'t [Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let nargs = args.len() + usize::from(fin.is_some());
        if name == "and" || name == "or" {
            if nargs == 0 {
                return Err(self.err(format!(
                    "wrong number of args for {name}: want at least 1 got 0"
                )));
            }
            let mut v = Val::plain(Value::Nil);
            for a in args {
                v = Val::plain(self.eval_arg(dot, a)?.v);
                if v.v.truthy() == (name == "or") {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = Val::plain(f.v);
            }
            return Ok(v);
        }
        let mut argv = Vec::with_capacity(nargs);
        for a in args {
            argv.push(self.eval_arg(dot, a)?.v);
        }
        if let Some(f) = fin {
            argv.push(f.v);
        }
        let fail = |st: &mut State<'t>, msg: String| -> Error {
            st.at(node);
            st.err(format!("error calling {name}: {msg}"))
        };
        let v = match name {
            "not" => {
                self.arity(name, 1, nargs)?;
                Value::Bool(!argv[0].truthy())
            }
            "len" => {
                self.arity(name, 1, nargs)?;
                match &argv[0] {
                    Value::String(s) => Value::Int(s.len() as i64),
                    Value::Bytes(b) => Value::Int(b.len() as i64),
                    Value::List(l) => Value::Int(l.len() as i64),
                    Value::Map(m) => Value::Int(m.len() as i64),
                    Value::Nil => return Err(fail(self, "len of nil pointer".into())),
                    Value::Object(o) => match o.to_data() {
                        Value::List(l) => Value::Int(l.len() as i64),
                        Value::Map(m) => Value::Int(m.len() as i64),
                        _ => return Err(fail(self, format!("len of type {}", o.type_name()))),
                    },
                    other => return Err(fail(self, format!("len of type {}", other.type_name()))),
                }
            }
            "index" => {
                if nargs == 0 {
                    return Err(self.err("wrong number of args for index: want at least 1 got 0"));
                }
                index(&argv[0], &argv[1..]).map_err(|m| fail(self, m))?
            }
            "slice" => {
                if nargs == 0 {
                    return Err(self.err("wrong number of args for slice: want at least 1 got 0"));
                }
                slice(&argv[0], &argv[1..]).map_err(|m| fail(self, m))?
            }
            "print" => Value::string(sprint(&argv)),
            "println" => Value::string(sprintln(&argv)),
            "printf" => {
                if nargs == 0 {
                    return Err(self.err("wrong number of args for printf: want at least 1 got 0"));
                }
                let Value::String(f) = &argv[0] else {
                    return Err(self.err(format!(
                        "wrong type for value; expected string; got {}",
                        if argv[0].is_nil() {
                            "interface {}"
                        } else {
                            argv[0].type_name()
                        }
                    )));
                };
                Value::string(sprintf(f, &argv[1..]))
            }
            "html" | "js" | "urlquery" => {
                let s = match argv.as_slice() {
                    [Value::String(s)] => s.to_string(),
                    other => sprint(other),
                };
                Value::string(match name {
                    "html" => html_escape(&s),
                    "js" => js_escape(&s),
                    _ => query_escape(&s),
                })
            }
            "eq" => {
                if nargs < 2 {
                    if nargs == 0 {
                        return Err(self.err("wrong number of args for eq: want at least 1 got 0"));
                    }
                    return Err(fail(self, "missing argument for comparison".into()));
                }
                let mut truth = false;
                for b in &argv[1..] {
                    if go_eq(&argv[0], b).map_err(|m| fail(self, m))? {
                        truth = true;
                        break;
                    }
                }
                Value::Bool(truth)
            }
            "ne" => {
                self.arity(name, 2, nargs)?;
                Value::Bool(!go_eq(&argv[0], &argv[1]).map_err(|m| fail(self, m))?)
            }
            "lt" | "le" | "gt" | "ge" => {
                self.arity(name, 2, nargs)?;
                let (a, b) = (&argv[0], &argv[1]);
                let r = match name {
                    "lt" => go_lt(a, b),
                    "le" => go_lt(a, b).and_then(|lt| if lt { Ok(true) } else { go_eq(a, b) }),
                    "gt" => go_lt(a, b).and_then(|lt| {
                        if lt {
                            Ok(false)
                        } else {
                            go_eq(a, b).map(|e| !e)
                        }
                    }),
                    _ => go_lt(a, b).map(|lt| !lt),
                };
                Value::Bool(r.map_err(|m| fail(self, m))?)
            }
            "call" => {
                if nargs == 0 {
                    return Err(self.err("wrong number of args for call: want at least 1 got 0"));
                }
                return Err(fail(
                    self,
                    format!("non-function {} of type {}", argv[0], argv[0].type_name()),
                ));
            }
            _ => return Err(self.err(format!("{} is not a defined function", go_quote(name)))),
        };
        Ok(Val::plain(v))
    }
}

/// Go's `index` builtin.
fn index(item: &Value, indexes: &[Value]) -> Result<Value, String> {
    let mut item = item.clone();
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut first = true;
    for idx in indexes {
        if item.is_nil() && !first {
            return Err("index of nil pointer".into());
        }
        first = false;
        let data = match &item {
            Value::Object(o) => o.to_data(),
            other => other.clone(),
        };
        item = match &data {
            Value::List(l) => l[index_arg(idx, l.len())?].clone(),
            Value::Bytes(b) => Value::Int(b[index_arg(idx, b.len())?] as i64),
            Value::String(s) => Value::Int(s.as_bytes()[index_arg(idx, s.len())?] as i64),
            Value::Map(m) => match idx {
                Value::String(k) => m.get(&**k).cloned().unwrap_or(Value::Nil),
                Value::Nil => m.get("").cloned().unwrap_or(Value::Nil),
                other => {
                    return Err(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    ));
                }
            },
            Value::Nil => return Err("index of nil pointer".into()),
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

fn index_arg(idx: &Value, len: usize) -> Result<usize, String> {
    let x = match idx {
        Value::Int(i) => *i,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            ));
        }
    };
    if x < 0 || x as usize >= len {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

/// Go's `slice` builtin.
fn slice(item: &Value, idx: &[Value]) -> Result<Value, String> {
    if idx.len() > 3 {
        return Err(format!("too many slice indexes: {}", idx.len()));
    }
    let len = match item {
        Value::String(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        Value::Nil => return Err("slice of untyped nil".into()),
        other => return Err(format!("can't slice item of type {}", other.type_name())),
    };
    if matches!(item, Value::String(_)) && idx.len() == 3 {
        return Err("cannot 3-index slice a string".into());
    }
    let mut ix = [0usize, len, len];
    for (i, v) in idx.iter().enumerate() {
        ix[i] = match v {
            Value::Int(n) if *n >= 0 && (*n as usize) <= len => *n as usize,
            Value::Int(n) => return Err(format!("index out of range: {n}")),
            other => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    other.type_name()
                ));
            }
        };
    }
    if ix[0] > ix[1] {
        return Err(format!("invalid slice index: {} > {}", ix[0], ix[1]));
    }
    Ok(match item {
        Value::String(s) => Value::str(
            s.get(ix[0]..ix[1])
                .ok_or("slice of string at a non-character boundary")?,
        ),
        Value::List(l) => Value::list(l[ix[0]..ix[1]].to_vec()),
        Value::Bytes(b) => Value::Bytes(Arc::from(&b[ix[0]..ix[1]])),
        _ => Value::Nil,
    })
}

impl FuncCtx for State<'_> {
    fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, FuncError> {
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(FuncError::Failed(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        let (set, depth, steps) = (self.set, self.depth + 1, self.steps);
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || {
            execute_with(set, name, data, depth, steps)
        })
        .map_err(|e| FuncError::Failed(e.message))
    }

    fn parse_and_execute(
        &mut self,
        name: &str,
        text: &str,
        data: &Value,
    ) -> Result<String, FuncError> {
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(FuncError::Failed(format!(
                "exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            )));
        }
        let funcs = self.set.funcs.clone();
        let has = |n: &str| funcs.contains_key(n) || super::is_builtin(n);
        let trees = super::parse::parse(name, text, &has)
            .map_err(|e| FuncError::Passthrough(format!("parse:{}", e.message)))?;
        // Go executes the tree it just parsed, even when an empty text did not
        // replace an existing definition of the same name.
        let Some(main) = trees.first().map(|t| Arc::new(t.clone())) else {
            return Ok(String::new());
        };
        let mut all = (*self.set.trees).clone();
        super::add_trees(&mut all, trees);
        let set = Set {
            root_name: self.set.root_name.clone(),
            trees: Arc::new(all),
            funcs: self.set.funcs.clone(),
            missing_key: self.set.missing_key,
        };
        let (depth, steps) = (self.depth + 1, self.steps);
        stacker::maybe_grow(64 * 1024, 4 * 1024 * 1024, || {
            execute_tree(&set, &main, data, depth, steps)
        })
        .map_err(|e| FuncError::Failed(e.message))
    }

    fn root_name(&self) -> &str {
        &self.set.root_name
    }

    fn depth(&self) -> usize {
        self.depth
    }
}

#[cfg(test)]
mod tests {
    use super::Ifaces;

    #[test]
    fn interface_flags_hold_for_any_number_of_arguments() {
        let mut f = Ifaces::default();
        let want: Vec<bool> = (0..150)
            .map(|i| i % 3 == 0 || i == 64 || i == 149)
            .collect();
        for &b in &want {
            f.push(b);
        }
        for (i, &b) in want.iter().enumerate() {
            assert_eq!(f.get(i), b, "argument {i}");
        }
        assert!(!f.get(150));
    }
}
