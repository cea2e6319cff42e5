//! Helm's `--set` parser (`pkg/strvals`), exact: `a.b=c,d[0]=e`, lists `{x,y}`,
//! escapes `\,` `\.` `\=`, type inference (`true`/`false`/`null` in any case,
//! `0` and digit strings without a leading zero that fit int64 become integers,
//! everything else stays a string), `--set-string`, `--set-file`, `--set-json`
//! and `--set-literal`, with Helm's limits (index 65536, nesting 30) and errors.

use crate::gotmpl::{Map, Value};

pub const MAX_INDEX: i64 = 65536;
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How a value's text becomes a value.
pub enum Reader<'a> {
    Typed,
    String,
    File(&'a dyn Fn(&str) -> Result<String, String>),
    Json,
}

enum ParseErr {
    Eof,
    NotList,
    Msg(String),
}

impl From<String> for ParseErr {
    fn from(s: String) -> ParseErr {
        ParseErr::Msg(s)
    }
}

type PR<T> = Result<T, ParseErr>;

struct Parser<'a> {
    s: Vec<char>,
    i: usize,
    reader: Reader<'a>,
    /// `--set-literal`: no escapes, no commas between pairs, the value is the
    /// rest of the text.
    literal: bool,
}

/// Parses one `--set`-style expression into `dest`.
pub fn parse_into(text: &str, dest: &mut Map, reader: Reader<'_>) -> Result<(), String> {
    let mut p = Parser {
        s: text.chars().collect(),
        i: 0,
        reader,
        literal: false,
    };
    p.run(dest)
}

/// `--set-literal key=value`: the value is taken verbatim, commas included; keys
/// have no escapes (Helm's `ParseLiteralInto`).
pub fn parse_literal_into(text: &str, dest: &mut Map) -> Result<(), String> {
    let mut p = Parser {
        s: text.chars().collect(),
        i: 0,
        reader: Reader::String,
        literal: true,
    };
    p.run(dest)
}

/// Go's `%q` of a rune slice: `['x' 'y']`.
fn quote_runes(s: &str) -> String {
    let parts: Vec<String> = s
        .chars()
        .map(|c| match c {
            '\'' => "'\\''".to_string(),
            '\\' => "'\\\\'".to_string(),
            '\n' => "'\\n'".to_string(),
            '\t' => "'\\t'".to_string(),
            '\r' => "'\\r'".to_string(),
            c if c.is_control() => format!("'\\x{:02x}'", c as u32),
            c => format!("'{c}'"),
        })
        .collect();
    format!("[{}]", parts.join(" "))
}

impl Parser<'_> {
    fn run(&mut self, dest: &mut Map) -> Result<(), String> {
        let p = self;
        loop {
            match p.key(dest, 0) {
                Ok(()) => continue,
                Err(ParseErr::Eof) => return Ok(()),
                Err(ParseErr::NotList) => return Err("not a list".into()),
                Err(ParseErr::Msg(m)) => return Err(m),
            }
        }
    }
}

fn typed_val(v: &str, as_string: bool) -> Value {
    if as_string {
        return Value::str(v);
    }
    if v.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if v == "0" {
        return Value::Int(0);
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Some(i) = go_parse_int(v)
    {
        return Value::Int(i);
    }
    Value::str(v)
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        _ => "interface {}",
    }
}

impl Parser<'_> {
    fn read(&mut self) -> Option<char> {
        let c = self.s.get(self.i).copied();
        if c.is_some() {
            self.i += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.i = self.i.saturating_sub(1);
    }

    /// Runes up to one of `stop` (consumed); `\` escapes the next rune.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None),
                Some(c) if stop.contains(&c) => return (v, Some(c)),
                Some('\\') if !self.literal => match self.read() {
                    Some(n) => v.push(n),
                    None => return (v, None),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn value_of(&mut self, text: &str) -> PR<Value> {
        match &self.reader {
            Reader::Typed => Ok(typed_val(text, false)),
            Reader::String | Reader::Json => Ok(typed_val(text, true)),
            Reader::File(f) => f(text).map(Value::string).map_err(ParseErr::Msg),
        }
    }

    fn key(&mut self, data: &mut Map, level: usize) -> PR<()> {
        let stop: &[char] = if self.literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        match last {
            None => {
                if k.is_empty() {
                    return Err(ParseErr::Eof);
                }
                Err(format!("key {k:?} has no value").into())
            }
            Some('[') => {
                let i = self.key_index().map_err(|e| match e {
                    ParseErr::Msg(m) => ParseErr::Msg(format!("error parsing index: {m}")),
                    ParseErr::Eof => ParseErr::Msg("error parsing index: EOF".into()),
                    other => other,
                })?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.to_vec(),
                    Some(other) => {
                        return Err(format!("unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}", go_type(other)).into());
                    }
                };
                let (list, res) = self.list_item(list, i, level);
                if !k.is_empty() {
                    data.insert(k, Value::list(list));
                }
                res
            }
            Some('=') if self.literal => {
                let rest: String = self.s[self.i..].iter().collect();
                self.i = self.s.len();
                set(data, &k, Value::string(rest));
                Ok(())
            }
            Some('=') => {
                if matches!(self.reader, Reader::Json) {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(l) => {
                        set(data, &k, Value::list(l));
                        Ok(())
                    }
                    Err(ParseErr::Eof) => {
                        set(data, &k, Value::str(""));
                        Err(ParseErr::Eof)
                    }
                    Err(ParseErr::NotList) => {
                        // At the end of the text Go still returns success here;
                        // the next key finds the end.
                        let (rs, _) = self.until(&[',']);
                        let v = self.value_of(&rs)?;
                        set(data, &k, v);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Some(',') => {
                set(data, &k, Value::str(""));
                Err(format!("key {k:?} has no value (cannot end with ,)").into())
            }
            Some('.') => {
                let level = level + 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )
                    .into());
                }
                let mut inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => (***m).clone(),
                    Some(other) => {
                        return Err(format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                            go_type(other)
                        )
                        .into());
                    }
                };
                let e = self.key(&mut inner, level);
                if e.is_ok() && inner.is_empty() {
                    return Err(format!("key map {k:?} has no value").into());
                }
                if !inner.is_empty() {
                    set(data, &k, Value::map(inner));
                }
                e
            }
            Some(_) => Err(ParseErr::Msg("unexpected".into())),
        }
    }

    fn key_index(&mut self) -> PR<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(ParseErr::Eof);
        }
        go_parse_int(&v)
            .filter(|_| v.len() < 20)
            .ok_or_else(|| ParseErr::Msg(format!("strconv.Atoi: parsing {v:?}: invalid syntax")))
    }

    fn list_item(&mut self, list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, PR<()>) {
        if i < 0 {
            return (list, Err(format!("negative {i} index not allowed").into()));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                Err(format!("unexpected data at end of array index: {}", quote_runes(&k)).into()),
            );
        }
        match last {
            None => (list, Err(ParseErr::Eof)),
            Some('=') if self.literal => {
                let rest: String = self.s[self.i..].iter().collect();
                self.i = self.s.len();
                set_index(list, i, Value::string(rest))
            }
            Some('=') => {
                if matches!(self.reader, Reader::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Value::Nil);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (list, Err(e)),
                    };
                    let (list, r) = set_index(list, i, v);
                    if r.is_err() {
                        return (list, r);
                    }
                    self.empty_val();
                    return (list, Ok(()));
                }
                match self.val_list() {
                    Ok(l) => set_index(list, i, Value::list(l)),
                    Err(ParseErr::Eof) => {
                        let (l, _) = set_index(list, i, Value::str(""));
                        (l, Err(ParseErr::Eof))
                    }
                    Err(ParseErr::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        let v = match self.value_of(&rs) {
                            Ok(v) => v,
                            Err(e) => return (list, Err(e)),
                        };
                        set_index(list, i, v)
                    }
                    Err(e) => (list, Err(e)),
                }
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(ParseErr::Msg(m)) => {
                        return (list, Err(format!("error parsing index: {m}").into()));
                    }
                    Err(_) => return (list, Err("error parsing index: EOF".to_string().into())),
                };
                let crt = match list.get(i as usize) {
                    Some(Value::List(l)) => l.to_vec(),
                    Some(Value::Nil) | None => Vec::new(),
                    Some(other) => {
                        let msg = format!(
                            "unable to parse key: interface conversion: interface {{}} is {}, not []interface {{}}",
                            go_type(other)
                        );
                        return (list, Err(msg.into()));
                    }
                };
                let (l2, r) = self.list_item(crt, next, level);
                if r.is_err() && !matches!(r, Err(ParseErr::Eof)) {
                    return (list, r);
                }
                let (l, r2) = set_index(list, i, Value::list(l2));
                (l, if r2.is_err() { r2 } else { r })
            }
            Some('.') => {
                let mut inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => (***m).clone(),
                    _ => Map::new(),
                };
                let e = self.key(&mut inner, level);
                if let Err(ParseErr::Msg(_) | ParseErr::NotList) = e {
                    return (list, e);
                }
                let (l, r) = set_index(list, i, Value::map(inner));
                (l, if r.is_err() { r } else { e })
            }
            Some(c) => (
                Vec::new(),
                Err(format!("parse error: unexpected token {}", c as u32).into()),
            ),
        }
    }

    /// Consumes blanks and a comma; true when the value is empty.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> PR<Value> {
        let rest: String = self.s[self.i..].iter().collect();
        let mut de = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match de.next() {
            Some(Ok(v)) => {
                let used = rest[..de.byte_offset()].chars().count();
                self.i += used;
                Ok(from_json(&v))
            }
            Some(Err(e)) => Err(ParseErr::Msg(e.to_string())),
            None => Err(ParseErr::Msg("unexpected end of JSON input".into())),
        }
    }

    fn val_list(&mut self) -> PR<Vec<Value>> {
        match self.read() {
            None => return Err(ParseErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(ParseErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return Err("list must terminate with '}'".to_string().into()),
                Some('}') => {
                    if let Some(c) = self.read()
                        && c != ','
                    {
                        self.unread();
                    }
                    list.push(self.value_of(&rs)?);
                    return Ok(list);
                }
                _ => list.push(self.value_of(&rs)?),
            }
        }
    }
}

fn set(data: &mut Map, key: &str, v: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), v);
    }
}

fn set_index(mut list: Vec<Value>, i: i64, v: Value) -> (Vec<Value>, PR<()>) {
    if i < 0 {
        return (list, Err(format!("negative {i} index not allowed").into()));
    }
    if i > MAX_INDEX {
        return (
            list,
            Err(
                format!("index of {i} is greater than maximum supported index of {MAX_INDEX}")
                    .into(),
            ),
        );
    }
    let i = i as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Nil);
    }
    list[i] = v;
    (list, Ok(()))
}

/// JSON (as `encoding/json` decodes into `interface{}`: numbers are float64).
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<String, String> {
        let mut m = Map::new();
        parse_into(s, &mut m, Reader::Typed)?;
        Ok(crate::yaml::to_json(&Value::map(m), crate::yaml::JsonOpts::RAW).unwrap())
    }

    #[test]
    fn helm_set_syntax() {
        assert_eq!(p("a=b,c=1").unwrap(), r#"{"a":"b","c":1}"#);
        assert_eq!(p("a.b=c").unwrap(), r#"{"a":{"b":"c"}}"#);
        assert_eq!(p("a[1]=x").unwrap(), r#"{"a":[null,"x"]}"#);
        assert_eq!(p("a[0].b=1,a[0].c=2").unwrap(), r#"{"a":[{"b":1,"c":2}]}"#);
        assert_eq!(p("l={a,b}").unwrap(), r#"{"l":["a","b"]}"#);
        assert_eq!(p(r"a\.b=c\,d").unwrap(), r#"{"a.b":"c,d"}"#);
        assert_eq!(
            p("v=0123,w=true,x=null,y=1.5").unwrap(),
            r#"{"v":"0123","w":true,"x":null,"y":"1.5"}"#
        );
        assert_eq!(p("e=").unwrap(), r#"{"e":""}"#);
    }

    #[test]
    fn helm_set_errors() {
        assert_eq!(p("image[=broken").unwrap_err(), "error parsing index: EOF");
        assert_eq!(p("a").unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            p("a,b=c").unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(p("a={b").unwrap_err(), "list must terminate with '}'");
        assert!(
            p("a[x]=1")
                .unwrap_err()
                .starts_with("error parsing index: strconv.Atoi")
        );
    }

    #[test]
    fn json_and_literal() {
        let mut m = Map::new();
        parse_into(r#"a={"x":1},b=[1,2]"#, &mut m, Reader::Json).unwrap();
        assert_eq!(Value::map(m.clone()).to_string(), "map[a:map[x:1] b:[1 2]]");
        let mut m = Map::new();
        parse_literal_into("a.b=x,y=z", &mut m).unwrap();
        assert_eq!(Value::map(m).to_string(), "map[a:map[b:x,y=z]]");
    }
}
