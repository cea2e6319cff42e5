//! The values a template sees and produces.
//!
//! Go templates run over `interface{}` trees built from Go types. Charter models the
//! ones that charts meet: the JSON-like tree that Helm's values become
//! (`map[string]interface{}`, `[]interface{}`, `float64`, `int64`, `string`, `bool`,
//! `nil`), plus [`Object`] for Go structs and types with methods (`.Release`,
//! `.Files`, `.Capabilities`, a semver version, a `time.Time`).
//!
//! Values are cheap to clone: containers sit behind `Arc`, so passing `.Values.x`
//! through a pipeline never copies a tree. Maps are `BTreeMap`s because Go prints,
//! ranges and JSON-encodes map keys in sorted byte order.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A map with string keys, iterated in Go's sorted key order.
pub type Map = BTreeMap<String, Value>;

/// A map that every holder shares, like a Go map: Sprig's `set`, `unset` and
/// `merge` change it in place and every reference sees the change.
///
/// Reads go through `Deref`. Writes go through [`MapCell::mutate`], which only
/// Sprig's mutating functions call, during a template execution on one thread
/// (and [`MapCell::mutate_unwatched`], which the renderer calls between
/// executions); the executor never holds a borrow of a map across a function
/// call (`range` iterates over a snapshot), and a render deep-copies its values
/// first ([`Value::deep_copy`]), so a mutation never reaches a chart's stored
/// defaults. Threads that execute templates at once share that copy, each
/// under a [`MapWatch`] that refuses changes to it. `Arc::make_mut` on a
/// `MapCell` stays copy-on-write for the rest of charter.
pub struct MapCell {
    map: std::cell::UnsafeCell<Map>,
    /// A named Go map type (`chartutil.Values`), or `None` for `map[string]interface {}`.
    go_type: Option<&'static str>,
    /// How many [`MapWatch`]es had started when the map was made: a watch
    /// refuses changes to the maps made before it.
    epoch: u64,
}

/// How many [`MapWatch`]es have started, in the whole process.
static WATCHES_STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn current_epoch() -> u64 {
    WATCHES_STARTED.load(std::sync::atomic::Ordering::Relaxed)
}

// SAFETY: a MapCell is only mutated through `mutate`, whose callers guarantee
// that no other thread reads it at the same time (see the type's documentation).
unsafe impl Sync for MapCell {}

impl MapCell {
    pub fn new(m: Map) -> MapCell {
        MapCell {
            map: std::cell::UnsafeCell::new(m),
            go_type: None,
            epoch: current_epoch(),
        }
    }

    /// A map of a named Go map type, such as Helm's `chartutil.Values`.
    pub fn named(m: Map, go_type: &'static str) -> MapCell {
        MapCell {
            map: std::cell::UnsafeCell::new(m),
            go_type: Some(go_type),
            epoch: current_epoch(),
        }
    }

    /// The named Go type, if any.
    pub fn go_type(&self) -> Option<&'static str> {
        self.go_type
    }

    pub fn into_inner(self) -> Map {
        self.map.into_inner()
    }

    /// Changes the map in place for every holder; `None` (a change refused) for
    /// a map that this thread's [`MapWatch`] watches.
    ///
    /// # Safety
    /// No reference into this map may be alive during the call, and no other
    /// thread may use the map concurrently unless a [`MapWatch`] on each
    /// thread that uses it watches it.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn mutate(&self) -> Option<&mut Map> {
        let refused = WATCHED.with_borrow_mut(|w| match w {
            Some(w) if self.epoch < w.since => {
                w.changed = true;
                true
            }
            _ => false,
        });
        // SAFETY: guaranteed by the caller; a watched map is not changed.
        (!refused).then(|| unsafe { &mut *self.map.get() })
    }
}

impl MapCell {
    /// [`MapCell::mutate`] for a change that a [`MapWatch`] does not count: the
    /// executor's own bookkeeping, such as setting `.Template` before each file.
    ///
    /// # Safety
    /// As for [`MapCell::mutate`].
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn mutate_unwatched(&self) -> &mut Map {
        // SAFETY: guaranteed by the caller.
        unsafe { &mut *self.map.get() }
    }
}

/// Which maps this thread's [`MapWatch`] watches (those whose epoch is below
/// `since`), and whether one was changed.
struct Watched {
    since: u64,
    changed: bool,
}

thread_local! {
    static WATCHED: std::cell::RefCell<Option<Watched>> = const { std::cell::RefCell::new(None) };
}

/// On this thread and until dropped, refuses changes through
/// [`MapCell::mutate`] to every map made before it started (on any thread),
/// and notes whether one was attempted. Maps made since, such as a template's
/// `dict`, change as usual. Nothing is walked or recorded: a map knows when it
/// was made.
///
/// A caller that runs templates on several threads at once over the same data
/// uses it both to keep that data unchanged while the threads read it and to
/// learn whether the templates stayed independent: once one changes the shared
/// data, the ones after it must see the change, so the caller runs them again
/// in order.
pub struct MapWatch {
    /// The watch belongs to the thread that started it.
    _thread: std::marker::PhantomData<*const ()>,
}

impl MapWatch {
    pub fn start() -> MapWatch {
        // Maps made from now on, on this thread, have at least this epoch.
        let since = WATCHES_STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        WATCHED.with_borrow_mut(|w| {
            *w = Some(Watched {
                since,
                changed: false,
            })
        });
        MapWatch {
            _thread: std::marker::PhantomData,
        }
    }

    /// Whether a change to a watched map has been attempted (and refused)
    /// since the watch started.
    pub fn changed(&self) -> bool {
        WATCHED.with_borrow(|w| w.as_ref().is_some_and(|w| w.changed))
    }
}

impl Drop for MapWatch {
    fn drop(&mut self) {
        WATCHED.with_borrow_mut(|w| *w = None);
    }
}

impl std::ops::Deref for MapCell {
    type Target = Map;
    fn deref(&self) -> &Map {
        // SAFETY: writes happen only through `mutate`, never while a read borrow lives.
        unsafe { &*self.map.get() }
    }
}

impl std::ops::DerefMut for MapCell {
    fn deref_mut(&mut self) -> &mut Map {
        self.map.get_mut()
    }
}

impl Clone for MapCell {
    fn clone(&self) -> MapCell {
        MapCell {
            map: std::cell::UnsafeCell::new((**self).clone()),
            go_type: self.go_type,
            epoch: current_epoch(),
        }
    }
}

impl PartialEq for MapCell {
    fn eq(&self, other: &MapCell) -> bool {
        **self == **other
    }
}

impl fmt::Debug for MapCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// One Go value as a template sees it.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's `nil` (an empty `interface{}`), also the result of a missing map key.
    #[default]
    Nil,
    Bool(bool),
    /// Go `int` / `int64` (Helm's `--set` integers, `int`, `len`, `add`, ...).
    Int(i64),
    /// Go `float64` (every number read from a YAML or JSON values file).
    Float(f64),
    String(Arc<str>),
    /// Go `[]byte` (`.Files.GetBytes`).
    Bytes(Arc<[u8]>),
    /// Go `[]interface{}` (or another slice type; see `Value::List` helpers).
    List(Arc<Vec<Value>>),
    /// Go `map[string]interface{}`: shared by reference, as Go maps are.
    Map(Arc<MapCell>),
    /// A Go struct or named type with fields and methods.
    Object(Arc<dyn Object>),
}

/// A Go struct or named type: fields and methods reachable with `.Name`.
pub trait Object: Send + Sync {
    /// Go's type name as `%T` prints it, e.g. `*chart.Metadata`.
    fn type_name(&self) -> &str;
    /// Go's `reflect.Kind` name, e.g. `struct`, `ptr`, `map`.
    fn kind(&self) -> &str {
        "ptr"
    }
    /// A field, or the result of a method that takes no arguments.
    /// `None` means there is no such field or method.
    fn field(&self, name: &str) -> Option<Value>;
    /// Calls a method with arguments. `None` means there is no such method.
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        let _ = (name, args);
        None
    }
    /// Whether `name` is a method (as opposed to a field) on this type.
    fn has_method(&self, name: &str) -> bool {
        let _ = name;
        false
    }
    /// The text Go's `%v` prints for this value.
    fn format(&self) -> String;
    /// [`Object::format`] appended to `out` (for objects whose text is large).
    fn push_format(&self, out: &mut String) {
        out.push_str(&self.format());
    }
    /// The text of the type's `String` method, which the template printer uses
    /// for an addressable value (e.g. `.Capabilities.KubeVersion` prints `v1.32.0`).
    fn stringer(&self) -> Option<String> {
        None
    }

    /// Go's truthiness: structs are always true; a nil pointer is false.
    fn truthy(&self) -> bool {
        true
    }
    /// The value `toJson`/`toYaml` see (Go's JSON encoding of the struct).
    fn to_data(&self) -> Value {
        Value::Nil
    }
    /// Lets callers recover the concrete type (e.g. a semver version passed back in).
    fn as_any(&self) -> &dyn std::any::Any;
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn string(s: String) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Arc::new(v))
    }

    pub fn map(m: Map) -> Value {
        Value::Map(Arc::new(MapCell::new(m)))
    }

    pub fn object(o: impl Object + 'static) -> Value {
        Value::Object(Arc::new(o))
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// A copy that shares no map or list with the original, so that in-place
    /// map changes during a render stay in that render.
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::Map(m) => Value::Map(Arc::new(MapCell {
                map: std::cell::UnsafeCell::new(
                    m.iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect(),
                ),
                go_type: m.go_type(),
                epoch: current_epoch(),
            })),

            Value::List(l) => Value::list(l.iter().map(Value::deep_copy).collect()),
            other => other.clone(),
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Go's template truthiness (`if`, `with`, `and`, `or`, `not`): false, 0, nil,
    /// and empty strings, slices and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truthy(),
        }
    }

    /// Go's type name as `%T` and `typeOf` print it.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) => "[]uint8",
            Value::List(_) => "[]interface {}",
            Value::Map(m) => m.go_type().unwrap_or("map[string]interface {}"),
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name as `kindOf` prints it.
    pub fn kind(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind(),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => write!(f, "Nil"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Int(i) => write!(f, "Int({i})"),
            Value::Float(x) => write!(f, "Float({x})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Bytes(b) => write!(f, "Bytes({b:?})"),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => f.debug_map().entries(m.iter()).finish(),
            Value::Object(o) => write!(f, "Object({})", o.type_name()),
        }
    }
}

/// Structural equality for tests and `deepEqual` (objects compare by identity).
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::list(v)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::map(m)
    }
}

/// Why a function call failed. The executor turns it into Go's wording:
/// `Failed` becomes `error calling NAME: MSG`, the others keep Go's own phrases.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    /// The function returned an error (Go: `error calling NAME: MSG`).
    Failed(String),
    /// Go: `wrong number of args for NAME: want W got G`.
    Arity { want: String, got: usize },
    /// Go: `wrong type for value; expected EXPECTED; got GOT`.
    WrongType { expected: String, got: String },
    /// An error that must reach the user unchanged, without Go's call wrapping
    /// (the error of an `include`d or `tpl` template, already in Go's form).
    Passthrough(String),
}

impl FuncError {
    pub fn failed(msg: impl Into<String>) -> FuncError {
        FuncError::Failed(msg.into())
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FuncError::Failed(m) | FuncError::Passthrough(m) => f.write_str(m),
            FuncError::Arity { want, got } => write!(f, "want {want} got {got}"),
            FuncError::WrongType { expected, got } => {
                write!(f, "wrong type for value; expected {expected}; got {got}")
            }
        }
    }
}

/// What a function may ask of the running template: run a named template, or parse
/// and run new text with the same functions and definitions (Helm's `include` and
/// `tpl` are built on these).
pub trait FuncCtx {
    /// Executes the named template with `data` as dot and returns its output.
    fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, FuncError>;
    /// Parses `text` as a new template called `name` in a copy of the current set
    /// (its `define`s are visible only to that run) and executes it with `data`.
    fn parse_and_execute(
        &mut self,
        name: &str,
        text: &str,
        data: &Value,
    ) -> Result<String, FuncError>;
    /// The name of the template the set was created with (Go's `t.Name()`).
    fn root_name(&self) -> &str;
    /// How many `execute_template`/`parse_and_execute` calls are on the stack.
    fn depth(&self) -> usize;
}

/// A template function: arguments in, one value or an error out.
pub type Func = Arc<dyn Fn(&mut dyn FuncCtx, &[Value]) -> Result<Value, FuncError> + Send + Sync>;

/// Go's `%v` formatting of a value (`fmt.Sprint` of one operand).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("<nil>"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(*x)),
            Value::String(s) => f.write_str(s),
            _ => {
                let mut out = String::new();
                self.push_go(&mut out);
                f.write_str(&out)
            }
        }
    }
}

impl Value {
    /// Go's `%v` of this value appended to `out` (what `Display` prints), built
    /// in one string: a `.Files` map printed this way can run to megabytes.
    pub fn push_go(&self, out: &mut String) {
        use std::fmt::Write as _;
        match self {
            Value::Nil => out.push_str("<nil>"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(x) => out.push_str(&format_float(*x)),
            Value::String(s) => out.push_str(s),
            Value::Bytes(b) => push_byte_list(out, b),
            Value::List(l) => {
                out.push('[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    v.push_go(out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push_str("map[");
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    v.push_go(out);
                }
                out.push(']');
            }
            Value::Object(o) => o.push_format(out),
        }
    }
}

/// Go's `%v` of a `[]byte`, `[104 105]`, appended to `out`. Charts print whole
/// `.Files` maps this way (a `$` used as a `dict` key), megabytes at a time, so
/// the digits are copied from a table in fixed-size pieces into a stack buffer.
pub fn push_byte_list(out: &mut String, bytes: &[u8]) {
    /// Each byte's decimal digits (padded to four) and how many there are.
    const DIGITS: [([u8; 4], usize); 256] = {
        let mut table = [([0u8; 4], 0usize); 256];
        let mut b = 0;
        while b < 256 {
            let (h, t, o) = ((b / 100) as u8, (b / 10 % 10) as u8, (b % 10) as u8);
            table[b] = if b >= 100 {
                ([b'0' + h, b'0' + t, b'0' + o, 0], 3)
            } else if b >= 10 {
                ([b'0' + t, b'0' + o, 0, 0], 2)
            } else {
                ([b'0' + o, 0, 0, 0], 1)
            };
            b += 1;
        }
        table
    };
    out.reserve(bytes.len() * 4 + 2);
    out.push('[');
    let mut buf = [0u8; 4096];
    for (c, chunk) in bytes.chunks(800).enumerate() {
        let mut n = 0;
        for (i, byte) in chunk.iter().enumerate() {
            buf[n] = b' ';
            n += usize::from(c > 0 || i > 0);
            let (digits, len) = DIGITS[usize::from(*byte)];
            buf[n..n + 4].copy_from_slice(&digits);
            n += len;
        }
        // Only ASCII digits and spaces were written.
        out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
    }
    out.push(']');
}

/// Go's `%v` for a float64: strconv's shortest `'g'` form, which switches to an
/// exponent when the decimal exponent is below -4 or at least 6 (`1e+06`).
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (neg, digits, exp) = shortest_digits(x);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else {
        push_fixed(&mut out, &digits, exp);
    }
    out
}

/// Writes `digits` (d.ddd × 10^exp) in plain decimal notation.
pub fn push_fixed(out: &mut String, digits: &str, exp: i32) {
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            out.push_str(digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
}

/// The shortest decimal digits that round-trip `x`, and the decimal exponent of the
/// first digit: `1234.5` → (false, "12345", 3).
pub fn shortest_digits(x: f64) -> (bool, String, i32) {
    let s = format!("{:e}", x.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (
        x.is_sign_negative(),
        digits.to_string(),
        exp.parse().unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under a watch, a map made before it refuses a change and stays as it
    /// was; a map made since, and every map once the watch ends, changes.
    #[test]
    fn a_watch_refuses_changes_to_the_maps_it_watches() {
        let mut inner = Map::new();
        inner.insert("k".into(), Value::str("v"));
        let inner = Arc::new(MapCell::new(inner));
        let watch = MapWatch::start();
        let fresh = Arc::new(MapCell::new(Map::new()));
        assert!(!watch.changed());
        // SAFETY: no borrow of these maps lives, and only this thread uses them.
        unsafe {
            assert!(inner.mutate().is_none());
            assert!(watch.changed());
            assert_eq!(inner.get("k"), Some(&Value::str("v")));
            fresh
                .mutate()
                .expect("not watched")
                .insert("k".into(), Value::Nil);
        }
        assert_eq!(fresh.len(), 1);
        drop(watch);
        // SAFETY: as above.
        unsafe { inner.mutate() }
            .expect("no watch")
            .insert("k".into(), Value::Nil);
        assert_eq!(inner.get("k"), Some(&Value::Nil));
    }

    #[test]
    fn byte_lists_print_as_go_prints_them() {
        let naive = |b: &[u8]| {
            let parts: Vec<String> = b.iter().map(|x| x.to_string()).collect();
            format!("[{}]", parts.join(" "))
        };
        let all: Vec<u8> = (0..=255u8).collect();
        let long: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
        for bytes in [
            &[][..],
            &[0][..],
            &[9, 10, 99, 100, 255][..],
            &all[..],
            &long[..],
        ] {
            let mut out = String::from("x");
            push_byte_list(&mut out, bytes);
            assert_eq!(out, format!("x{}", naive(bytes)));
            assert_eq!(Value::Bytes(Arc::from(bytes)).to_string(), naive(bytes));
        }
    }

    #[test]
    fn floats_print_like_go() {
        let cases = [
            (1000000.0, "1e+06"),
            (100000.0, "100000"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1.5, "1.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (8080.0, "8080"),
            (1e21, "1e+21"),
            (1.0e100, "1e+100"),
            (0.1, "0.1"),
            (3.0, "3"),
        ];
        for (x, want) in cases {
            assert_eq!(format_float(x), want, "{x}");
        }
    }

    #[test]
    fn containers_print_like_go() {
        let mut m = Map::new();
        m.insert("b".into(), Value::Int(2));
        m.insert("a".into(), Value::list(vec![Value::str("x"), Value::Nil]));
        assert_eq!(Value::map(m).to_string(), "map[a:[x <nil>] b:2]");
        assert_eq!(Value::list(vec![]).to_string(), "[]");
        assert_eq!(Value::map(Map::new()).to_string(), "map[]");
    }
}
