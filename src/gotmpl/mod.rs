//! Go's `text/template`, written for charter.
//!
//! Charts are Go templates and their output must be byte-identical to Helm's, which
//! no Rust template crate can promise: this module reimplements the language (the
//! [`lexer`], the [`parse`]r to a tree, the [`exec`]utor, Go's value printing and
//! `fmt` verbs in [`fmt`], and Go's error wording in [`error`]). It imports nothing
//! from the rest of charter, so it could be moved out as its own crate by moving
//! the folder.
//!
//! ```
//! use charter::gotmpl::{Template, Value};
//! let mut t = Template::new("root");
//! t.parse("greet", "Hello, {{ . }}!").unwrap();
//! assert_eq!(t.execute("greet", &Value::str("world")).unwrap(), "Hello, world!");
//! ```

pub mod error;
pub mod exec;
pub mod fmt;
pub mod lexer;
pub mod parse;
pub mod value;

use std::collections::HashMap;
use std::sync::Arc;

pub use error::{Error, ErrorKind};
pub use exec::MissingKey;
pub use fmt::{go_quote, sprint, sprintf, sprintln};
pub use value::{Func, FuncCtx, FuncError, Map, Object, Value};

/// Go's builtin functions, always defined.
pub const BUILTINS: &[&str] = &[
    "and", "call", "eq", "ge", "gt", "html", "index", "js", "le", "len", "lt", "ne", "not", "or",
    "print", "printf", "println", "slice", "urlquery",
];

/// Whether `name` is one of Go's builtin template functions.
pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

/// Adds parsed trees to a set with Go's rule: an empty body never replaces an
/// existing definition; anything else does.
fn add_trees(trees: &mut HashMap<String, Arc<parse::Tree>>, new: Vec<parse::Tree>) {
    for t in new {
        if let Some(old) = trees.get(&t.name)
            && parse::is_empty_tree(&t.root)
            && !parse::is_empty_tree(&old.root)
        {
            continue;
        }
        trees.insert(t.name.clone(), Arc::new(t));
    }
}

/// A set of named templates sharing one function map (Go's `*template.Template`).
#[derive(Clone)]
pub struct Template {
    name: String,
    funcs: Arc<HashMap<String, Func>>,
    trees: Arc<HashMap<String, Arc<parse::Tree>>>,
    missing_key: MissingKey,
}

impl Template {
    /// A new, empty set; `name` is its root name (Go's `t.Name()`).
    pub fn new(name: &str) -> Template {
        Template {
            name: name.to_string(),
            funcs: Arc::new(HashMap::new()),
            trees: Arc::new(HashMap::new()),
            missing_key: MissingKey::Default,
        }
    }

    /// Adds functions (before parsing: Go checks function names at parse time).
    /// A later function with the same name replaces an earlier one.
    pub fn add_funcs<I: IntoIterator<Item = (String, Func)>>(&mut self, funcs: I) {
        Arc::make_mut(&mut self.funcs).extend(funcs);
    }

    /// Go's `Option("missingkey=...")`.
    pub fn set_missing_key(&mut self, mode: MissingKey) {
        self.missing_key = mode;
    }

    /// Go's `t.New(name).Parse(text)`: parses `text` as the template `name`; its
    /// `define`s join the set.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let funcs = &self.funcs;
        let has = |n: &str| funcs.contains_key(n) || is_builtin(n);
        let trees = parse::parse(name, text, &has)?;
        add_trees(Arc::make_mut(&mut self.trees), trees);
        Ok(())
    }

    /// Go's `t.ExecuteTemplate(w, name, data)`, returning the output.
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        let set = exec::Set {
            root_name: self.name.clone(),
            trees: self.trees.clone(),
            funcs: self.funcs.clone(),
            missing_key: self.missing_key,
        };
        exec::execute(&set, name, data, 0)
    }

    /// Whether a template of that name is defined.
    pub fn lookup(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// The names of the templates in the set.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.trees.keys().map(String::as_str)
    }

    /// The set's root name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
