//! Go's `text/template`, written for charter.
//!
//! Charts are Go templates and their output must be byte-identical to Helm's, which
//! no Rust template crate can promise: this module reimplements the language (lexer,
//! parser, executor, Go's value printing and error wording). It imports nothing from
//! the rest of charter, so it could be moved out as its own crate by moving the folder.

pub mod value;

pub use value::{Func, FuncCtx, FuncError, Map, Object, Value};
