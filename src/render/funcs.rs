//! Helm's own template functions, on top of Sprig: `include`, `tpl`, `required`,
//! `fail`, `lookup`, and the YAML/JSON/TOML converters with Helm's error handling
//! (`toYaml` returns "" on failure, `fromYaml` returns `{"Error": msg}`).

use std::sync::Arc;

use crate::gotmpl::{Func, FuncCtx, FuncError, Map, Value};
use crate::yaml;

/// Marks a message from `required`/`fail` so the engine can report it as
/// `execution error at (file:line:col): msg`, as Helm does.
pub const WARN_START: &str = "HELM_ERR_START";
pub const WARN_END: &str = "HELM_ERR_END";

/// `include` and `tpl` refuse to nest the same template deeper than this (Helm's limit).
pub const RECURSION_MAX: usize = 1000;

thread_local! {
    /// How deep each template name is in `include` calls on this thread (Helm's
    /// `includedNames`). Per thread, because templates may execute on two
    /// threads at once; each count is back to zero when its call returns.
    static INCLUDES: std::cell::RefCell<crate::gotmpl::NameMap<usize>> =
        std::cell::RefCell::new(crate::gotmpl::NameMap::default());
}

/// Answers `lookup` during a render. Offline renders use [`NoLookup`].
pub trait Lookup: Send + Sync {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String>;
}

/// `lookup` without a cluster: always an empty map, as in `helm template`.
pub struct NoLookup;

impl Lookup for NoLookup {
    fn lookup(&self, _: &str, _: &str, _: &str, _: &str) -> Result<Value, String> {
        Ok(Value::map(Map::new()))
    }
}

/// How Helm's functions behave in this render.
#[derive(Clone)]
pub struct FuncOptions {
    /// `helm lint`: `required` and `fail` only log.
    pub lint_mode: bool,
    /// `--enable-dns`: `getHostByName` resolves names.
    pub enable_dns: bool,
    pub lookup: Arc<dyn Lookup>,
}

impl Default for FuncOptions {
    fn default() -> Self {
        FuncOptions {
            lint_mode: false,
            enable_dns: false,
            lookup: Arc::new(NoLookup),
        }
    }
}

fn func(
    f: impl Fn(&mut dyn FuncCtx, &[Value]) -> Result<Value, FuncError> + Send + Sync + 'static,
) -> Func {
    Arc::new(f)
}

fn arity(args: &[Value], want: usize) -> Result<(), FuncError> {
    if args.len() != want {
        return Err(FuncError::Arity {
            want: want.to_string(),
            got: args.len(),
        });
    }
    Ok(())
}

fn string_arg(v: &Value) -> Result<&str, FuncError> {
    match v {
        Value::String(s) => Ok(s),
        other => Err(FuncError::WrongType {
            expected: "string".into(),
            got: if other.is_nil() {
                "interface {}".into()
            } else {
                other.type_name().into()
            },
        }),
    }
}

/// The value Go's encoders see for a template value (objects become their data).
fn data_of(v: &Value) -> Value {
    match v {
        Value::Object(o) => o.to_data(),
        other => other.clone(),
    }
}

/// Helm's `toYaml`: the YAML text without its final newline; "" if it cannot encode.
pub fn to_yaml_trimmed(v: &Value) -> String {
    let text = yaml::to_yaml(&data_of(v));
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

/// Every function Helm adds to (or overrides in) Sprig's map.
pub fn helm_functions(opts: &FuncOptions) -> Vec<(String, Func)> {
    let mut out: Vec<(String, Func)> = Vec::new();
    let mut add = |name: &str, f: Func| out.push((name.to_string(), f));

    add(
        "toYaml",
        func(|_, a| {
            arity(a, 1)?;
            Ok(Value::string(to_yaml_trimmed(&a[0])))
        }),
    );
    add(
        "toYamlPretty",
        func(|_, a| {
            arity(a, 1)?;
            let text = yaml::to_yaml_pretty(&data_of(&a[0]));
            Ok(Value::string(
                text.strip_suffix('\n').unwrap_or(&text).to_string(),
            ))
        }),
    );
    add(
        "fromYaml",
        func(|_, a| {
            arity(a, 1)?;
            Ok(yaml::helm_from_yaml(string_arg(&a[0])?))
        }),
    );
    add(
        "fromYamlArray",
        func(|_, a| {
            arity(a, 1)?;
            Ok(yaml::helm_from_yaml_array(string_arg(&a[0])?))
        }),
    );
    add(
        "toJson",
        func(|_, a| {
            arity(a, 1)?;
            Ok(Value::string(
                yaml::to_json(&data_of(&a[0]), yaml::JsonOpts::COMPACT).unwrap_or_default(),
            ))
        }),
    );
    add(
        "fromJson",
        func(|_, a| {
            arity(a, 1)?;
            Ok(yaml::helm_from_json(string_arg(&a[0])?))
        }),
    );
    add(
        "fromJsonArray",
        func(|_, a| {
            arity(a, 1)?;
            Ok(yaml::helm_from_json_array(string_arg(&a[0])?))
        }),
    );
    add(
        "toToml",
        func(|_, a| {
            arity(a, 1)?;
            Ok(Value::string(match yaml::to_toml(&data_of(&a[0])) {
                Ok(t) => t,
                Err(e) => e,
            }))
        }),
    );
    add(
        "fromToml",
        func(|_, a| {
            arity(a, 1)?;
            let text = string_arg(&a[0])?;
            Ok(match yaml::from_toml(text) {
                Ok(v) => v,
                Err(e) => error_map(e),
            })
        }),
    );
    // Sprig's JSON encoders (Helm keeps them): they fail instead of returning "".
    for (name, opts, must) in [
        ("toPrettyJson", yaml::JsonOpts::PRETTY, false),
        ("toRawJson", yaml::JsonOpts::RAW, false),
        ("mustToJson", yaml::JsonOpts::COMPACT, true),
        ("mustToPrettyJson", yaml::JsonOpts::PRETTY, true),
        ("mustToRawJson", yaml::JsonOpts::RAW, true),
    ] {
        add(
            name,
            func(move |_, a| {
                arity(a, 1)?;
                match yaml::to_json(&data_of(&a[0]), opts) {
                    Ok(t) => Ok(Value::string(t)),
                    Err(e) if must => Err(FuncError::Failed(e)),
                    Err(_) => Ok(Value::str("")),
                }
            }),
        );
    }
    add(
        "mustFromJson",
        func(|_, a| {
            arity(a, 1)?;
            let text = string_arg(&a[0])?;
            yaml::from_json(text).map_err(FuncError::Failed)
        }),
    );

    let lint = opts.lint_mode;
    add(
        "required",
        func(move |_, a| {
            arity(a, 2)?;
            let warn = string_arg(&a[0])?;
            let missing = match &a[1] {
                Value::Nil => true,
                Value::String(s) => s.is_empty(),
                _ => false,
            };
            if missing {
                if lint {
                    return Ok(Value::str(""));
                }
                return Err(FuncError::Failed(format!("{WARN_START}{warn}{WARN_END}")));
            }
            Ok(a[1].clone())
        }),
    );
    add(
        "fail",
        func(move |_, a| {
            arity(a, 1)?;
            let msg = string_arg(&a[0])?;
            if lint {
                return Ok(Value::str(""));
            }
            Err(FuncError::Failed(format!("{WARN_START}{msg}{WARN_END}")))
        }),
    );
    let lookup = opts.lookup.clone();
    add(
        "lookup",
        func(move |_, a| {
            arity(a, 4)?;
            let args: Vec<&str> = a.iter().map(string_arg).collect::<Result<_, _>>()?;
            lookup
                .lookup(args[0], args[1], args[2], args[3])
                .map_err(FuncError::Failed)
        }),
    );

    add(
        "include",
        func(move |ctx, a| {
            arity(a, 2)?;
            let name = string_arg(&a[0])?;
            let nested = INCLUDES.with_borrow_mut(|c| {
                let n = match c.get_mut(name) {
                    Some(n) => n,
                    None => c.entry(name.to_string()).or_insert(0),
                };
                if *n > RECURSION_MAX {
                    return true;
                }
                *n += 1;
                false
            });
            if nested {
                return Err(FuncError::Failed(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            let result = ctx.execute_template(name, &a[1]);
            INCLUDES.with_borrow_mut(|c| c.get_mut(name).map(|n| *n = n.saturating_sub(1)));
            result
                .map(Value::string)
                .map_err(|e| FuncError::Failed(e.to_string()))
        }),
    );
    add(
        "tpl",
        func(|ctx, a| {
            arity(a, 2)?;
            let text = string_arg(&a[0])?;
            if ctx.depth() > RECURSION_MAX {
                return Err(FuncError::Failed(format!(
                    "rendering template has a nested reference name: {}: unable to execute template",
                    ctx.root_name()
                )));
            }
            let name = ctx.root_name().to_string();
            let out = ctx
                .parse_and_execute(&name, text, &a[1])
                .map_err(|e| match e {
                    FuncError::Passthrough(m) if m.starts_with("parse:") => {
                        FuncError::Failed(format!(
                            "cannot parse template {}: {}",
                            crate::gotmpl::go_quote(text),
                            &m["parse:".len()..]
                        ))
                    }
                    other => FuncError::Failed(format!(
                        "error during tpl function execution for {}: {other}",
                        crate::gotmpl::go_quote(text)
                    )),
                })?;
            Ok(Value::string(out.replace("<no value>", "")))
        }),
    );
    out
}

fn error_map(msg: String) -> Value {
    let mut m = Map::new();
    m.insert("Error".into(), Value::string(msg));
    Value::map(m)
}
