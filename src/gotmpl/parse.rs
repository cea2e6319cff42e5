//! The parser: tokens to a tree per template (the file's own and each `define`),
//! with Go's grammar, its parse-time checks (functions must exist, variables must
//! be declared, `break` only inside `range`) and its error messages.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use super::error::Error;
use super::lexer::{Tok, Token, lex};

/// Deepest nesting of control structures and parentheses the parser accepts.
pub const MAX_PARSE_DEPTH: usize = 10_000;

/// A parsed template body.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The template's name (the file name, or the `define`d name).
    pub name: String,
    /// The name of the file it was parsed from (Go's `ParseName`).
    pub parse_name: Arc<str>,
    /// The source text, for turning positions into line:col.
    pub source: Arc<str>,
    /// The body, shared by the trees of files with the same text
    /// ([`Tree::renamed`]).
    pub root: Arc<Vec<Node>>,
}

impl Tree {
    /// The trees of one file's parse (its own first, as [`parse`] gives them) for
    /// another file with the same text, named `name`: nothing in a body depends on
    /// the file's name, so the bodies are shared. `None` when the trees are not
    /// laid out as a parse gives them.
    pub fn renamed(trees: &[Tree], name: &str) -> Option<Vec<Tree>> {
        let first = trees.first()?;
        if first.name != *first.parse_name || trees[1..].iter().any(|t| t.name == first.name) {
            return None;
        }
        let parse_name: Arc<str> = Arc::from(name);
        Some(
            trees
                .iter()
                .enumerate()
                .map(|(i, t)| Tree {
                    name: if i == 0 {
                        name.to_string()
                    } else {
                        t.name.clone()
                    },
                    parse_name: parse_name.clone(),
                    source: t.source.clone(),
                    root: t.root.clone(),
                })
                .collect(),
        )
    }
}

/// Where a name, number or text lies in its tree's [`Tree::source`]: the tree
/// keeps places, not copies (a large chart's templates hold tens of thousands
/// of names, each an allocation as a `String`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// The text at this place of `src` (the source of the tree holding it).
    pub fn of<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// The names of a field chain (`.a.b.c`): up to four inline, as most are.
pub type Idents = SmallVec<[Span; 4]>;

/// A node or argument with the source its spans point into, for `Display`.
pub struct Shown<'a, T: ?Sized>(pub &'a T, pub &'a str);

#[derive(Debug, Clone)]
pub enum Node {
    Text(Span),
    Action {
        pos: usize,
        pipe: Pipe,
    },
    If {
        pos: usize,
        pipe: Pipe,
        list: Vec<Node>,
        else_list: Option<Vec<Node>>,
    },
    With {
        pos: usize,
        pipe: Pipe,
        list: Vec<Node>,
        else_list: Option<Vec<Node>>,
    },
    Range {
        pos: usize,
        pipe: Pipe,
        list: Vec<Node>,
        else_list: Option<Vec<Node>>,
    },
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break {
        pos: usize,
    },
    Continue {
        pos: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub pos: usize,
    pub decl: Vec<Span>,
    pub is_assign: bool,
    /// Most pipelines have one command, kept inline.
    pub cmds: SmallVec<[Command; 1]>,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

/// A numeric constant with the interpretations Go's parser gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub text: Span,
    pub int: Option<i64>,
    pub float: Option<f64>,
    /// Fits an unsigned 64-bit integer only.
    pub is_uint: bool,
}

#[derive(Debug, Clone)]
pub enum Arg {
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        value: bool,
    },
    Number {
        pos: usize,
        num: Number,
    },
    String {
        pos: usize,
        text: Arc<str>,
        quoted: Span,
    },
    /// `.a.b.c`
    Field {
        pos: usize,
        idents: Idents,
    },
    /// `$x.a.b`
    Variable {
        pos: usize,
        name: Span,
        fields: Vec<Span>,
    },
    /// A function name.
    Ident {
        pos: usize,
        name: Span,
    },
    Pipe(Box<Pipe>),
    /// `(pipeline).a.b`
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<Span>,
    },
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. }
            | Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Ident { pos, .. }
            | Arg::Chain { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Shown<'_, Arg> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let src = self.1;
        let fields = |f: &mut fmt::Formatter<'_>, fields: &[Span]| {
            fields.iter().try_for_each(|i| write!(f, ".{}", i.of(src)))
        };
        match self.0 {
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Bool { value, .. } => write!(f, "{value}"),
            Arg::Number { num, .. } => f.write_str(num.text.of(src)),
            Arg::String { quoted, .. } => f.write_str(quoted.of(src)),
            Arg::Field { idents, .. } => fields(f, idents),
            Arg::Variable {
                name, fields: v, ..
            } => {
                f.write_str(name.of(src))?;
                fields(f, v)
            }
            Arg::Ident { name, .. } => f.write_str(name.of(src)),
            Arg::Pipe(p) => write!(f, "({})", Shown(&**p, src)),
            Arg::Chain {
                node, fields: v, ..
            } => {
                match &**node {
                    Arg::Pipe(p) => write!(f, "({})", Shown(&**p, src))?,
                    other => write!(f, "{}", Shown(other, src))?,
                }
                fields(f, v)
            }
        }
    }
}

impl fmt::Display for Shown<'_, Command> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}", Shown(a, self.1))?;
        }
        Ok(())
    }
}

impl fmt::Display for Shown<'_, Pipe> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (pipe, src) = (self.0, self.1);
        if !pipe.decl.is_empty() {
            for (i, d) in pipe.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d.of(src))?;
            }
            f.write_str(if pipe.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in pipe.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{}", Shown(c, src))?;
        }
        Ok(())
    }
}

/// Whether a body holds nothing but blank text (Go's `IsEmptyTree`): such a
/// definition never replaces an existing one.
pub fn is_empty_tree(nodes: &[Node], src: &str) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(t) => t.of(src).trim().is_empty(),
        _ => false,
    })
}

/// Parses `text` (named `name`). Returns the file's own tree first, then each
/// `define`d/`block` tree, in order.
pub fn parse(name: &str, text: &str, has_func: &dyn Fn(&str) -> bool) -> Result<Vec<Tree>, Error> {
    if u32::try_from(text.len()).is_err() {
        return Err(Error::parse(name, 1, "template text too large"));
    }
    let tokens = lex(name, text)?;
    let source: Arc<str> = Arc::from(text);
    let parse_name: Arc<str> = Arc::from(name);
    let mut p = Parser {
        name,
        src: text,
        tokens,
        i: 0,
        has_func,
        vars: vec!["$"],
        range_depth: 0,
        depth: 0,
        defines: Vec::new(),
    };
    let (root, end) = p.list(true)?;
    if let Some(tok) = end {
        return Err(p.unexpected_keyword(&tok));
    }
    let mut trees = vec![Tree {
        name: name.to_string(),
        parse_name: parse_name.clone(),
        source: source.clone(),
        root: Arc::new(root),
    }];
    let mut seen: HashMap<String, usize> = HashMap::new();
    seen.insert(name.to_string(), 0);
    for (def_name, body, line) in p.defines {
        let tree = Tree {
            name: def_name.clone(),
            parse_name: parse_name.clone(),
            source: source.clone(),
            root: Arc::new(body),
        };
        match seen.get(&def_name) {
            Some(&idx) => {
                if is_empty_tree(&trees[idx].root, text) {
                    trees[idx] = tree;
                } else if !is_empty_tree(&tree.root, text) {
                    return Err(Error::parse(
                        name,
                        line,
                        format!(
                            "template: multiple definition of template {}",
                            super::fmt::go_quote(&def_name)
                        ),
                    ));
                }
            }
            None => {
                seen.insert(def_name, trees.len());
                trees.push(tree);
            }
        }
    }
    Ok(trees)
}

/// What ended a list: `{{end}}` or `{{else}}` (with the token after `else`).
#[derive(Debug, Clone)]
enum ListEnd {
    End {
        line: usize,
    },
    Else {
        pos: usize,
        line: usize,
        chained: Option<&'static str>,
    },
}

struct Parser<'a> {
    name: &'a str,
    /// The text the tokens are slices of.
    src: &'a str,
    tokens: Vec<Token<'a>>,
    i: usize,
    has_func: &'a dyn Fn(&str) -> bool,
    vars: Vec<&'a str>,
    range_depth: usize,
    depth: usize,
    defines: Vec<(String, Vec<Node>, usize)>,
}

impl<'a> Parser<'a> {
    /// The place of `part`, a slice of the source text.
    fn span(&self, part: &str) -> Span {
        let start = (part.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize);
        debug_assert!(start + part.len() <= self.src.len());
        // The source is at most u32::MAX bytes long (see `parse`).
        Span {
            start: start as u32,
            end: (start + part.len()) as u32,
        }
    }

    fn peek(&self) -> &Token<'a> {
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    /// The next token, moved out of the list (a `Space` is left in its place;
    /// [`Parser::put_back`] restores it). The final `Eof` is copied, not moved,
    /// and stays the next token for good.
    fn next(&mut self) -> Token<'a> {
        let last = self.tokens.len() - 1;
        if self.i >= last {
            return self.tokens[last].clone();
        }
        let taken = Token {
            tok: Tok::Space,
            pos: self.tokens[self.i].pos,
            line: self.tokens[self.i].line,
        };
        let t = std::mem::replace(&mut self.tokens[self.i], taken);
        self.i += 1;
        t
    }

    /// Undoes [`Parser::next`] for `t`, the token it returned last.
    fn put_back(&mut self, t: Token<'a>) {
        if !matches!(t.tok, Tok::Eof) {
            self.i -= 1;
            self.tokens[self.i] = t;
        }
    }

    fn peek_non_space(&mut self) -> &Token<'a> {
        while matches!(self.peek().tok, Tok::Space) {
            self.i += 1;
        }
        self.peek()
    }

    /// The next non-space token's place, and its keyword if it is one (else
    /// `Space`), without copying the token.
    fn peek_keyword(&mut self) -> Token<'a> {
        let first = self.peek_non_space();
        Token {
            tok: match first.tok {
                Tok::Keyword(k) => Tok::Keyword(k),
                _ => Tok::Space,
            },
            pos: first.pos,
            line: first.line,
        }
    }

    fn next_non_space(&mut self) -> Token<'a> {
        self.peek_non_space();
        self.next()
    }

    fn err(&self, line: usize, msg: impl Into<String>) -> Error {
        Error::parse(self.name, line, msg)
    }

    fn unexpected(&self, tok: &Token, context: &str) -> Error {
        let what = describe(&tok.tok);
        if matches!(tok.tok, Tok::Eof) {
            return self.err(tok.line, format!("unexpected EOF in {context}"));
        }
        self.err(tok.line, format!("unexpected {what} in {context}"))
    }

    fn unexpected_keyword(&self, end: &ListEnd) -> Error {
        match end {
            ListEnd::End { line } => self.err(*line, "unexpected {{end}}"),
            ListEnd::Else { line, .. } => self.err(*line, "unexpected {{else}}"),
        }
    }

    /// Parses text and actions until EOF (top level) or `{{end}}`/`{{else}}`.
    fn list(&mut self, top: bool) -> Result<(Vec<Node>, Option<ListEnd>), Error> {
        let mut nodes = Vec::new();
        loop {
            let tok = self.next();
            match tok.tok {
                Tok::Eof => {
                    if top {
                        return Ok((nodes, None));
                    }
                    return Err(self.err(tok.line, "unexpected EOF"));
                }
                Tok::Text(t) => nodes.push(Node::Text(self.span(t))),
                Tok::LeftDelim => {
                    let kw = self.peek_keyword();
                    match kw.tok {
                        Tok::Keyword("end") => {
                            self.next();
                            self.expect_right("end")?;
                            if top {
                                return Err(self.err(kw.line, "unexpected {{end}}"));
                            }
                            return Ok((nodes, Some(ListEnd::End { line: kw.line })));
                        }
                        Tok::Keyword("else") => {
                            self.next();
                            let after = self.peek_non_space().clone();
                            let chained = match after.tok {
                                Tok::Keyword("if") => Some("if"),
                                Tok::Keyword("with") => Some("with"),
                                _ => {
                                    self.expect_right("else")?;
                                    None
                                }
                            };
                            if top {
                                return Err(self.err(kw.line, "unexpected {{else}}"));
                            }
                            return Ok((
                                nodes,
                                Some(ListEnd::Else {
                                    pos: kw.pos,
                                    line: kw.line,
                                    chained,
                                }),
                            ));
                        }
                        Tok::Keyword("define") => {
                            self.next();
                            if !top || self.depth > 0 {
                                return Err(self.err(kw.line, "unexpected <define> in command"));
                            }
                            self.define(kw.line)?;
                        }
                        _ => {
                            if let Some(n) = self.action()? {
                                nodes.push(n);
                            }
                        }
                    }
                }
                other => {
                    return Err(self.err(tok.line, format!("unexpected {}", describe(&other))));
                }
            }
        }
    }

    fn expect_right(&mut self, context: &str) -> Result<(), Error> {
        let t = self.next_non_space();
        if !matches!(t.tok, Tok::RightDelim) {
            return Err(self.unexpected(&t, context));
        }
        Ok(())
    }

    fn enter(&mut self, line: usize) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_PARSE_DEPTH {
            return Err(self.err(line, "template nesting too deep"));
        }
        Ok(())
    }

    /// After `{{`: an action or control structure. `None` for nothing to keep.
    fn action(&mut self) -> Result<Option<Node>, Error> {
        let tok = self.peek_keyword();
        match tok.tok {
            Tok::Keyword("block") => {
                self.next();
                self.block(tok.pos, tok.line).map(Some)
            }
            Tok::Keyword("break") | Tok::Keyword("continue") => {
                self.next();
                let kw = if tok.tok == Tok::Keyword("break") {
                    "break"
                } else {
                    "continue"
                };
                if self.range_depth == 0 {
                    return Err(self.err(tok.line, format!("{{{{{kw}}}}} outside {{{{range}}}}")));
                }
                let t = self.next_non_space();
                if !matches!(t.tok, Tok::RightDelim) {
                    return Err(self.err(
                        t.line,
                        format!("unexpected {} in {{{{{kw}}}}}", describe(&t.tok)),
                    ));
                }
                Ok(Some(if kw == "break" {
                    Node::Break { pos: tok.pos }
                } else {
                    Node::Continue { pos: tok.pos }
                }))
            }
            Tok::Keyword("if") => {
                self.next();
                self.control("if", tok.pos, tok.line).map(Some)
            }
            Tok::Keyword("range") => {
                self.next();
                self.control("range", tok.pos, tok.line).map(Some)
            }
            Tok::Keyword("with") => {
                self.next();
                self.control("with", tok.pos, tok.line).map(Some)
            }
            Tok::Keyword("template") => {
                self.next();
                self.template_call(tok.pos, tok.line).map(Some)
            }
            _ => {
                let pipe = self.pipeline("command", false)?;
                Ok(Some(Node::Action { pos: tok.pos, pipe }))
            }
        }
    }

    fn string_const(&mut self, context: &str) -> Result<String, Error> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Str(quoted) => Ok(super::lexer::string_value(quoted).into_owned()),
            _ => Err(self.unexpected(&t, context)),
        }
    }

    fn define(&mut self, line: usize) -> Result<(), Error> {
        let name = self.string_const("define clause")?;
        self.expect_right("define clause")?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        self.enter(line)?;
        let (body, end) = self.list(false)?;
        self.depth -= 1;
        self.vars = saved_vars;
        match end {
            Some(ListEnd::End { .. }) => {}
            Some(e) => return Err(self.unexpected_keyword(&e)),
            None => return Err(self.err(line, "unexpected EOF")),
        }
        self.defines.push((name, body, line));
        Ok(())
    }

    fn block(&mut self, pos: usize, line: usize) -> Result<Node, Error> {
        let name = self.string_const("block clause")?;
        let pipe = self.pipeline("block clause", false)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$"]);
        self.enter(line)?;
        let (body, end) = self.list(false)?;
        self.depth -= 1;
        self.vars = saved_vars;
        match end {
            Some(ListEnd::End { .. }) => {}
            Some(e) => return Err(self.unexpected_keyword(&e)),
            None => return Err(self.err(line, "unexpected EOF")),
        }
        self.defines.push((name.clone(), body, line));
        Ok(Node::Template {
            pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_call(&mut self, _keyword_pos: usize, line: usize) -> Result<Node, Error> {
        let t = self.next_non_space();
        // Go positions a template call at its name.
        let pos = t.pos;

        let name = match t.tok {
            Tok::Str(quoted) => super::lexer::string_value(quoted).into_owned(),
            _ => return Err(self.unexpected(&t, "template clause")),
        };
        let _ = line;
        let pipe = if matches!(self.peek_non_space().tok, Tok::RightDelim) {
            self.next();
            None
        } else {
            Some(self.pipeline("template clause", false)?)
        };
        Ok(Node::Template { pos, name, pipe })
    }

    fn control(&mut self, context: &'static str, pos: usize, line: usize) -> Result<Node, Error> {
        let mark = self.vars.len();
        self.enter(line)?;
        let pipe = self.pipeline(context, false)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.list(false)?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let else_list = match end {
            Some(ListEnd::End { .. }) => None,
            Some(ListEnd::Else {
                pos: epos,
                chained,
                line: eline,
            }) => match chained {
                Some(kw) if kw == context && (kw == "if" || kw == "with") => {
                    let t = self.next_non_space();
                    let inner = self.control(kw, t.pos, t.line)?;
                    let _ = (epos, eline);
                    Some(vec![inner])
                }
                Some(kw) => {
                    return Err(self.err(eline, format!("unexpected <{kw}> in else")));
                }
                None => {
                    let (l, e) = self.list(false)?;
                    match e {
                        Some(ListEnd::End { .. }) => Some(l),
                        Some(ListEnd::Else { line, .. }) => {
                            return Err(self.err(line, "expected end; found {{else}}"));
                        }
                        None => return Err(self.err(eline, "unexpected EOF")),
                    }
                }
            },
            None => return Err(self.err(line, "unexpected EOF")),
        };
        self.depth -= 1;
        self.vars.truncate(mark);
        Ok(match context {
            "if" => Node::If {
                pos,
                pipe,
                list,
                else_list,
            },
            "with" => Node::With {
                pos,
                pipe,
                list,
                else_list,
            },
            _ => Node::Range {
                pos,
                pipe,
                list,
                else_list,
            },
        })
    }

    /// A pipeline, up to `}}` (or `)` when `paren`).
    fn pipeline(&mut self, context: &str, paren: bool) -> Result<Pipe, Error> {
        let start = self.peek_non_space().pos;
        let mut pipe = Pipe {
            pos: start,
            decl: Vec::new(),
            is_assign: false,
            cmds: SmallVec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $v :=`.
        'decls: loop {
            self.peek_non_space();
            let save = self.i;
            let v = self.next();
            let Tok::Variable(name) = v.tok else {
                self.put_back(v);
                break;
            };
            let next = match self.peek_non_space().tok {
                Tok::Assign => Tok::Assign,
                Tok::Declare => Tok::Declare,
                Tok::Comma => Tok::Comma,
                _ => Tok::Space,
            };
            match next {
                Tok::Assign | Tok::Declare => {
                    pipe.is_assign = next == Tok::Assign;
                    self.next();
                    pipe.decl.push(self.span(name));
                    // Go records the name either way; assigning an undeclared
                    // variable fails only when it runs.
                    self.vars.push(name);

                    break 'decls;
                }
                Tok::Comma => {
                    self.next();
                    pipe.decl.push(self.span(name));
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().tok {
                            Tok::Variable(_) | Tok::RightDelim | Tok::RightParen => continue 'decls,
                            _ => {
                                return Err(self.err(v.line, "range can only initialize variables"));
                            }
                        }
                    }
                    return Err(self.err(v.line, format!("too many declarations in {context}")));
                }
                _ => {
                    // Not a declaration: the variable starts a command.
                    self.tokens[save] = v;
                    self.i = save;
                    break 'decls;
                }
            }
        }
        loop {
            let t = self.peek_non_space();
            let line = t.line;
            let at_end = if paren {
                matches!(t.tok, Tok::RightParen)
            } else {
                matches!(t.tok, Tok::RightDelim)
            };
            if at_end {
                self.next();
                if pipe.cmds.is_empty() {
                    return Err(self.err(line, format!("missing value for {context}")));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args.first(),
                        Some(
                            Arg::Bool { .. }
                                | Arg::Dot { .. }
                                | Arg::Nil { .. }
                                | Arg::Number { .. }
                                | Arg::String { .. }
                        )
                    ) {
                        return Err(self.err(
                            line,
                            format!("non executable command in pipeline stage {}", i + 1),
                        ));
                    }
                }
                return Ok(pipe);
            }
            match self.peek().tok {
                Tok::Bool(_)
                | Tok::Char { .. }
                | Tok::Dot
                | Tok::Field(_)
                | Tok::Ident(_)
                | Tok::Number(_)
                | Tok::Nil
                | Tok::Str(_)
                | Tok::Variable(_)
                | Tok::LeftParen => {
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(self.peek(), context)),
            }
        }
    }

    fn command(&mut self) -> Result<Command, Error> {
        let (start, start_line) = {
            let t = self.peek_non_space();
            (t.pos, t.line)
        };
        let mut cmd = Command {
            pos: start,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            match &self.peek().tok {
                Tok::Space => {
                    self.next();
                    continue;
                }
                Tok::RightDelim | Tok::RightParen => {
                    break;
                }
                Tok::Pipe => {
                    self.next();
                    break;
                }
                _ => return Err(self.unexpected(self.peek(), "operand")),
            }
        }
        if cmd.args.is_empty() {
            return Err(self.err(start_line, "empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Result<Option<Arg>, Error> {
        let Some(term) = self.term()? else {
            return Ok(None);
        };
        if !matches!(self.peek().tok, Tok::Field(_)) {
            return Ok(Some(term));
        }
        let chain_pos = self.peek().pos;
        let mut fields = Vec::new();
        while matches!(self.peek().tok, Tok::Field(_)) {
            if let Tok::Field(f) = self.next().tok {
                fields.push(self.span(f));
            }
        }
        // Go positions a chained node at its first chained field (`.b` in `.a.b`).
        Ok(Some(match term {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable {
                name,
                fields: mut f,
                ..
            } => {
                f.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    name,
                    fields: f,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number { .. }
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                let line = self.peek().line;
                return Err(self.err(
                    line,
                    format!(
                        "unexpected . after term {}",
                        super::fmt::go_quote(&Shown(&term, self.src).to_string())
                    ),
                ));
            }
            other => Arg::Chain {
                pos: chain_pos,

                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> Result<Option<Arg>, Error> {
        let t = self.next_non_space();
        let pos = t.pos;
        Ok(Some(match t.tok {
            Tok::Ident(name) => {
                if !(self.has_func)(name) {
                    return Err(self.err(
                        t.line,
                        format!("function {} not defined", super::fmt::go_quote(name)),
                    ));
                }
                Arg::Ident {
                    pos,
                    name: self.span(name),
                }
            }
            Tok::Dot => Arg::Dot { pos },
            Tok::Nil => Arg::Nil { pos },
            Tok::Variable(name) => {
                if !self.vars.contains(&name) {
                    return Err(self.err(
                        t.line,
                        format!("undefined variable {}", super::fmt::go_quote(name)),
                    ));
                }
                Arg::Variable {
                    pos,
                    name: self.span(name),
                    fields: Vec::new(),
                }
            }
            Tok::Field(f) => Arg::Field {
                pos,
                idents: smallvec::smallvec![self.span(f)],
            },
            Tok::Bool(b) => Arg::Bool { pos, value: b },
            Tok::Char { value, quoted } => Arg::Number {
                pos,
                num: Number {
                    text: self.span(quoted),
                    int: Some(value as i64),
                    float: Some(value as u32 as f64),
                    is_uint: false,
                },
            },
            Tok::Number(text) => {
                let num = parse_number(text, self.span(text)).ok_or_else(|| {
                    self.err(
                        t.line,
                        format!("illegal number syntax: {}", super::fmt::go_quote(text)),
                    )
                })?;
                let hex = text.len() > 2 && (text.starts_with("0x") || text.starts_with("0X"));
                if num.int.is_none()
                    && !num.is_uint
                    && !hex
                    && !text.contains(['.', 'e', 'E', 'p', 'P'])
                {
                    return Err(self.err(
                        t.line,
                        format!("integer overflow: {}", super::fmt::go_quote(text)),
                    ));
                }
                Arg::Number { pos, num }
            }
            Tok::LeftParen => {
                self.enter(t.line)?;
                let p = self.pipeline("parenthesized pipeline", true)?;
                self.depth -= 1;
                Arg::Pipe(Box::new(p))
            }
            Tok::Str(quoted) => Arg::String {
                pos,
                text: Arc::from(super::lexer::string_value(quoted)),
                quoted: self.span(quoted),
            },
            other => {
                let line = t.line;
                self.put_back(Token {
                    tok: other,
                    pos,
                    line,
                });
                return Ok(None);
            }
        }))
    }
}

/// Go's name for a token in "unexpected X" errors.
fn describe(t: &Tok<'_>) -> String {
    match t {
        Tok::Text(s) => format!("{s:?}"),
        Tok::LeftDelim => "\"{{\"".into(),
        Tok::RightDelim => "\"}}\"".into(),
        Tok::Space => "space".into(),
        Tok::Ident(s) => format!("<{s}>"),
        Tok::Keyword(k) => format!("<{k}>"),
        Tok::Field(f) => format!("<.{f}>"),
        Tok::Variable(v) => format!("<{v}>"),
        Tok::Dot => "<.>".into(),
        Tok::Str(quoted) | Tok::Char { quoted, .. } => quoted.to_string(),
        Tok::Number(n) => n.to_string(),
        Tok::Bool(b) => b.to_string(),
        Tok::Nil => "nil".into(),
        Tok::LeftParen => "\"(\"".into(),
        Tok::RightParen => "\")\"".into(),
        Tok::Pipe => "\"|\"".into(),
        Tok::Declare => "\":=\"".into(),
        Tok::Assign => "\"=\"".into(),
        Tok::Comma => "\",\"".into(),
        Tok::Punct(c) => super::fmt::go_quote(&c.to_string()),

        Tok::Eof => "EOF".into(),
    }
}

/// Go's number literal rules (`strconv.ParseInt(text, 0, 64)` etc.).
pub fn parse_number(text: &str, span: Span) -> Option<Number> {
    let clean: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    };
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let lower: Cow<'_, str> = if body.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(body.to_ascii_lowercase())
    } else {
        Cow::Borrowed(body)
    };
    let radix_int = |s: &str| -> Option<u64> {
        if let Some(h) = s.strip_prefix("0x") {
            u64::from_str_radix(h, 16).ok()
        } else if let Some(o) = s.strip_prefix("0o") {
            u64::from_str_radix(o, 8).ok()
        } else if let Some(b) = s.strip_prefix("0b") {
            u64::from_str_radix(b, 2).ok()
        } else if s.len() > 1 && s.starts_with('0') && s.bytes().all(|c| c.is_ascii_digit()) {
            u64::from_str_radix(&s[1..], 8).ok()
        } else if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let u = radix_int(&lower);
    let mut int = None;
    let mut is_uint = false;
    if let Some(u) = u {
        if neg {
            if u <= i64::MAX as u64 + 1 {
                int = Some((u as i128).wrapping_neg() as i64);
            }
        } else if u <= i64::MAX as u64 {
            int = Some(u as i64);
        } else {
            is_uint = true;
        }
    }
    let float = if lower.starts_with("0x") {
        u.map(|v| if neg { -(v as f64) } else { v as f64 })
    } else {
        lower
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| if neg { -f } else { f })
    };
    if int.is_none() && float.is_none() && !is_uint {
        return None;
    }
    // An integral float (1e3) also counts as an int, as in Go.
    if int.is_none()
        && !is_uint
        && let Some(f) = float
        && f.fract() == 0.0
        && f.abs() < 9.2e18
    {
        int = Some(f as i64);
    }
    Some(Number {
        text: span,
        int,
        float,
        is_uint,
    })
}

/// Collects the names of all functions referenced, for tests.
pub fn functions_used(trees: &[Tree]) -> HashSet<String> {
    fn walk_args(args: &[Arg], src: &str, out: &mut HashSet<String>) {
        for a in args {
            match a {
                Arg::Ident { name, .. } => {
                    out.insert(name.of(src).to_string());
                }
                Arg::Pipe(p) => walk_pipe(p, src, out),
                Arg::Chain { node, .. } => walk_args(std::slice::from_ref(node), src, out),
                _ => {}
            }
        }
    }
    fn walk_pipe(p: &Pipe, src: &str, out: &mut HashSet<String>) {
        for c in &p.cmds {
            walk_args(&c.args, src, out);
        }
    }
    fn walk(nodes: &[Node], src: &str, out: &mut HashSet<String>) {
        for n in nodes {
            match n {
                Node::Action { pipe, .. } => walk_pipe(pipe, src, out),
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
                }
                | Node::Range {
                    pipe,
                    list,
                    else_list,
                    ..
                } => {
                    walk_pipe(pipe, src, out);
                    walk(list, src, out);
                    if let Some(e) = else_list {
                        walk(e, src, out);
                    }
                }
                Node::Template { pipe: Some(p), .. } => walk_pipe(p, src, out),
                _ => {}
            }
        }
    }
    let mut out = HashSet::new();
    for t in trees {
        walk(&t.root, &t.source, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Vec<Tree>, Error> {
        parse("t", text, &|n| matches!(n, "printf" | "include" | "eq"))
    }

    #[test]
    fn parses_defines_and_control() {
        let trees =
            p("a{{define \"x\"}}X{{end}}{{if .a}}1{{else if .b}}2{{else}}3{{end}}").unwrap();
        assert_eq!(trees.len(), 2);
        assert_eq!(trees[1].name, "x");
    }

    #[test]
    fn reports_go_errors() {
        assert_eq!(
            p("{{nope 1}}").unwrap_err().to_string(),
            "template: t:1: function \"nope\" not defined"
        );
        assert_eq!(
            p("{{if 1}}").unwrap_err().to_string(),
            "template: t:1: unexpected EOF"
        );
        assert_eq!(
            p("{{$x}}").unwrap_err().to_string(),
            "template: t:1: undefined variable \"$x\""
        );
        assert_eq!(
            p("{{break}}").unwrap_err().to_string(),
            "template: t:1: {{break}} outside {{range}}"
        );
        assert_eq!(
            p("\n{{end}}").unwrap_err().to_string(),
            "template: t:2: unexpected {{end}}"
        );
    }

    #[test]
    fn command_strings_match_go() {
        let trees = p("{{ printf \"%s\" (include \"x\" .) | eq .a.b }}").unwrap();
        let Node::Action { pipe, .. } = &trees[0].root[0] else {
            panic!()
        };
        assert_eq!(
            Shown(pipe, &trees[0].source).to_string(),
            "printf \"%s\" (include \"x\" .) | eq .a.b"
        );
    }

    #[test]
    fn numbers() {
        let parse_number = |t: &str| {
            let span = Span {
                start: 0,
                end: t.len() as u32,
            };
            super::parse_number(t, span)
        };
        assert_eq!(parse_number("0x10").unwrap().int, Some(16));
        assert_eq!(parse_number("1.5").unwrap().float, Some(1.5));
        assert_eq!(parse_number("1e3").unwrap().int, Some(1000));
        assert!(parse_number("1.2.3").is_none());
    }
}
