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
pub use value::{Func, FuncCtx, FuncError, Map, Object, Value, push_byte_list};

/// Go's builtin functions, always defined.
pub const BUILTINS: &[&str] = &[
    "and", "call", "eq", "ge", "gt", "html", "index", "js", "le", "len", "lt", "ne", "not", "or",
    "print", "printf", "println", "slice", "urlquery",
];

/// Whether `name` is one of Go's builtin template functions.
pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name)
}

/// A map keyed by template or function name, hashed with foldhash: names are
/// looked up on every call and `include` during execution, where SipHash cost a
/// few percent of a large render.
pub type NameMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Below this much template text, [`Template::parse_all`] parses on one thread
/// (starting a thread costs about as much as parsing 20 KB).
const PARALLEL_PARSE_BYTES: usize = 64 * 1024;

/// Adds parsed trees to a set with Go's rule: an empty body never replaces an
/// existing definition; anything else does.
fn add_trees(trees: &mut NameMap<Arc<parse::Tree>>, new: Vec<parse::Tree>) {
    for t in new {
        if let Some(old) = trees.get(&t.name)
            && parse::is_empty_tree(&t.root, &t.source)
            && !parse::is_empty_tree(&old.root, &old.source)
        {
            continue;
        }
        trees.insert(t.name.clone(), Arc::new(t));
    }
}

/// One file's parse result from [`Template::parse_ahead`].
pub struct Parsed(Result<Vec<parse::Tree>, Error>);

impl Parsed {
    /// This result for another file with the same text, named `name`, sharing
    /// the parsed bodies ([`parse::Tree::renamed`]); `None` for a failed parse,
    /// whose error names the file.
    pub fn renamed(&self, name: &str) -> Option<Parsed> {
        let trees = self.0.as_ref().ok()?;
        parse::Tree::renamed(trees, name).map(|t| Parsed(Ok(t)))
    }
}

/// A set of named templates sharing one function map (Go's `*template.Template`).
#[derive(Clone)]
pub struct Template {
    name: String,
    funcs: Arc<NameMap<Func>>,
    trees: Arc<NameMap<Arc<parse::Tree>>>,
    missing_key: MissingKey,
}

impl Template {
    /// A new, empty set; `name` is its root name (Go's `t.Name()`).
    pub fn new(name: &str) -> Template {
        Template {
            name: name.to_string(),
            funcs: Arc::new(NameMap::default()),
            trees: Arc::new(NameMap::default()),
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

    /// [`Template::parse`] of each `(name, text)` in turn, with the lexing and
    /// parsing shared between this thread and one more when there is enough text
    /// to repay a thread; the trees join the set in the given order, so later
    /// definitions win as they would one by one. The first file (in that order)
    /// that fails to parse is returned with its error, and nothing is added.
    pub fn parse_all(&mut self, files: &[(&str, &str)]) -> Result<(), (usize, Error)> {
        self.parse_all_with(files, files.iter().map(|_| None).collect())
    }

    /// A file parsed on its own with this set's functions, for
    /// [`Template::parse_all_with`] (which may run on another thread, earlier).
    pub fn parse_ahead(&self, name: &str, text: &str) -> Parsed {
        let funcs = &self.funcs;
        let has = |n: &str| funcs.contains_key(n) || is_builtin(n);
        Parsed(parse::parse(name, text, &has))
    }

    /// [`Template::parse_all`], taking file `i`'s result from `ahead[i]` where
    /// that is `Some`: what [`Template::parse_ahead`] gave for the same name and
    /// text (so the same trees or error as parsing it here).
    pub fn parse_all_with(
        &mut self,
        files: &[(&str, &str)],
        ahead: Vec<Option<Parsed>>,
    ) -> Result<(), (usize, Error)> {
        let funcs = &self.funcs;
        let has = |n: &str| funcs.contains_key(n) || is_builtin(n);
        let mut parsed: Vec<Option<Result<Vec<parse::Tree>, Error>>> =
            ahead.into_iter().map(|p| p.map(|p| p.0)).collect();
        parsed.resize_with(files.len(), || None);
        // A file with the same text as an earlier one takes its trees, renamed
        // (a bitnami chart carries a copy of its common library per subchart).
        let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut copy_of: Vec<Option<usize>> = vec![None; files.len()];
        for (i, (_, text)) in files.iter().enumerate() {
            let same = by_len.entry(text.len()).or_default();
            match same.iter().find(|&&j| files[j].1 == *text) {
                Some(&j) => copy_of[i] = Some(j),
                None => same.push(i),
            }
        }
        let todo: Vec<usize> = (0..files.len())
            .filter(|&i| parsed[i].is_none() && copy_of[i].is_none())
            .collect();
        let total: usize = todo.iter().map(|&i| files[i].1.len()).sum();
        if total >= PARALLEL_PARSE_BYTES && todo.len() > 1 {
            // Both threads take the next unparsed file until none is left.
            let next = std::sync::atomic::AtomicUsize::new(0);
            let work = || {
                let mut done = Vec::new();
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&i) = todo.get(k) else {
                        return done;
                    };
                    let (name, text) = files[i];
                    done.push((i, parse::parse(name, text, &has)));
                }
            };
            let (mine, theirs) = std::thread::scope(|s| {
                let helper = crate::threads::beside(s, || {
                    crate::heap::advise_this_threads_heap();
                    work()
                });
                let mine = work();
                // A thread the system refused leaves all the files to this one.
                let theirs = helper.result();
                (mine, theirs)
            });
            for (i, r) in mine.into_iter().chain(theirs.into_iter().flatten()) {
                parsed[i] = Some(r);
            }
        }
        for i in 0..files.len() {
            if let (None, Some(j)) = (&parsed[i], copy_of[i])
                && let Some(Ok(trees)) = &parsed[j]
            {
                parsed[i] = parse::Tree::renamed(trees, files[i].0).map(Ok);
            }
        }
        let mut all = Vec::with_capacity(files.len());
        for (i, slot) in parsed.into_iter().enumerate() {
            let result = match slot {
                Some(r) => r,
                None => parse::parse(files[i].0, files[i].1, &has),
            };
            all.push(result.map_err(|e| (i, e))?);
        }
        let trees = Arc::make_mut(&mut self.trees);
        for new in all {
            add_trees(trees, new);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Files that define `shared` in turn, with `n` bytes of padding each (enough
    /// padding takes the two-thread path).
    fn files(count: usize, pad: usize) -> Vec<(String, String)> {
        (0..count)
            .map(|i| {
                let text = [
                    "{{- define \"shared\" }}",
                    &i.to_string(),
                    "{{ end -}}{{/* ",
                    &"x".repeat(pad),
                    " */}}",
                    &i.to_string(),
                    ":{{ template \"shared\" }}",
                ]
                .concat();
                (format!("f{i:03}"), text)
            })
            .collect()
    }

    fn run(t: &Template, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .map(|n| t.execute(n, &Value::Nil).unwrap())
            .collect()
    }

    #[test]
    fn parse_all_gives_what_parsing_one_by_one_gives() {
        for pad in [10, 4000] {
            let files = files(40, pad);
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            let names: Vec<&str> = refs.iter().map(|(n, _)| *n).collect();
            let mut one = Template::new("root");
            for (name, text) in &refs {
                one.parse(name, text).unwrap();
            }
            let mut all = Template::new("root");
            all.parse_all(&refs).unwrap();
            // The last definition of "shared" wins in both.
            assert_eq!(run(&all, &names), run(&one, &names), "pad {pad}");
            assert_eq!(all.execute("f000", &Value::Nil).unwrap(), "0:39");
        }
    }

    #[test]
    fn parse_all_reports_the_first_bad_file_in_order_and_adds_nothing() {
        for pad in [10, 4000] {
            let mut files = files(40, pad);
            files[7].1.push_str("{{ if }}");
            files[30].1.push_str("{{ end }}");
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            let mut t = Template::new("root");
            let (index, err) = t.parse_all(&refs).unwrap_err();
            assert_eq!(index, 7, "pad {pad}");
            assert!(err.to_string().contains("f007"), "{err}");
            assert!(!t.lookup("f000") && !t.lookup("shared"));
        }
    }

    /// Files parsed ahead (every third one, on another thread) join the set in
    /// their place in the order, as if parsed in `parse_all`; an error parsed
    /// ahead is reported at its index like any other.
    #[test]
    fn files_with_the_same_text_share_a_parse_under_their_own_names() {
        // An error inside the definition names the file that defined it last.
        let same = "{{ define \"d\" }}{{ index .a 1 }}{{ end }}{{ template \"d\" . }}";
        for pad in [0, 70_000] {
            let other = format!("{{{{/* {} */}}}}x", "p".repeat(pad));
            let files = [("one", same), ("two", same), ("three", other.as_str())];
            let one_by_one = |t: &mut Template| {
                for (n, text) in files {
                    t.parse(n, text).unwrap();
                }
            };
            let mut reference = Template::new("root");
            one_by_one(&mut reference);
            let mut all = Template::new("root");
            all.parse_all(&files).unwrap();
            let mut with = Template::new("root");
            let ahead = vec![Some(with.parse_ahead("one", same)), None, None];
            with.parse_all_with(&files, ahead).unwrap();
            let data = Value::map(
                [("a".to_string(), Value::list(Vec::new()))]
                    .into_iter()
                    .collect(),
            );
            for name in ["one", "two", "d"] {
                let want = reference.execute(name, &data).unwrap_err().to_string();
                assert!(want.contains("template: two:1:"), "{want}");
                assert_eq!(all.execute(name, &data).unwrap_err().to_string(), want);
                assert_eq!(with.execute(name, &data).unwrap_err().to_string(), want);
            }
            assert_eq!(with.execute("three", &data).unwrap(), "x");
        }
    }

    #[test]
    fn parse_all_with_takes_files_parsed_ahead_in_their_place() {
        for pad in [10, 4000] {
            let mut files = files(40, pad);
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            let names: Vec<&str> = refs.iter().map(|(n, _)| *n).collect();
            let mut all = Template::new("root");
            all.parse_all(&refs).unwrap();
            let ahead = |t: &Template, refs: &[(&str, &str)]| {
                std::thread::scope(|s| {
                    s.spawn(|| {
                        refs.iter()
                            .enumerate()
                            .map(|(i, (n, text))| (i % 3 == 0).then(|| t.parse_ahead(n, text)))
                            .collect::<Vec<_>>()
                    })
                    .join()
                    .unwrap()
                })
            };
            let mut with = Template::new("root");
            let parsed = ahead(&with, &refs);
            with.parse_all_with(&refs, parsed).unwrap();
            assert_eq!(run(&with, &names), run(&all, &names), "pad {pad}");
            assert_eq!(with.execute("f000", &Value::Nil).unwrap(), "0:39");

            files[9].1.push_str("{{ if }}");
            files[21].1.push_str("{{ end }}");
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(n, t)| (n.as_str(), t.as_str()))
                .collect();
            let mut bad = Template::new("root");
            let parsed = ahead(&bad, &refs);
            let (index, err) = bad.parse_all_with(&refs, parsed).unwrap_err();
            assert_eq!(index, 9, "pad {pad}");
            assert!(err.to_string().contains("f009"), "{err}");
            assert!(!bad.lookup("f000"));
        }
    }
}
