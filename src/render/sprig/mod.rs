//! Sprig v3.3.0's template functions, as Helm 3.17.3 exposes them (without `env`
//! and `expandenv`, which Helm removes; Helm's own `toYaml`/`toJson`/`include`/...
//! live in `render::funcs`). Every function follows Sprig's Go code and the Go
//! libraries under it for the types charts pass, with Go's reflection errors for
//! parameters of the wrong type; `testdata/sprig/cases` holds 789 cases recorded
//! from Helm that `tests/sprig_fixtures.rs` checks, and `testdata/sprig/gaps.txt`
//! lists the known differences with their reasons.
//!
//! Files by family: `strings` (text, case conversion, wrap, split/join),
//! `collections` (lists and dicts, mergo), `numbers` (math, conversions, defaults,
//! reflection, semver, regex, paths, date formatting), `dates` (dateModify,
//! durationRound, Go's `ParseDuration`), `decimal` (shopspring arithmetic for the
//! `*f` functions), `crypto` (encodings, hashes, AES, derivePassword), `certs`
//! (keys, certificates, bcrypt), `primes` (the search for RSA primes),
//! `miller_rabin` (its Miller-Rabin rounds on AVX-512 IFMA), `urls` (`net/url`),
//! `args` (Go parameter and spf13/cast conversions). `getHostByName` is here as
//! Helm's stub; the resolving version is [`get_host_by_name`].

mod args;
mod certs;
mod collections;
mod crypto;
mod dates;
mod decimal;
mod miller_rabin;
mod numbers;
mod primes;
mod strings;
mod urls;

use std::sync::Arc;

use crate::gotmpl::{Func, FuncCtx, FuncError, Value};

pub use args::{strval, to_f64, to_i64};
pub use dates::parse_duration;
pub use numbers::go_format;

/// Collects the functions of one family.
pub struct Reg {
    out: Vec<(&'static str, Func)>,
}

impl Reg {
    /// Registers a function that needs no template context.
    pub fn f(
        &mut self,
        name: &'static str,
        f: impl Fn(&[Value]) -> Result<Value, FuncError> + Send + Sync + 'static,
    ) {
        self.out
            .push((name, Arc::new(move |_: &mut dyn FuncCtx, a: &[Value]| f(a))));
    }
}

/// Sprig's `strslice`: a list's elements as strings (nils dropped), or the value
/// itself as a one-element list.
pub fn list_of_strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// Every Sprig function Helm exposes (Helm's own functions are added on top).
pub fn functions() -> Vec<(&'static str, Func)> {
    let mut r = Reg { out: Vec::new() };
    strings::register(&mut r);
    collections::register(&mut r);
    numbers::register(&mut r);
    crypto::register(&mut r);
    certs::register(&mut r);
    crypto::register_secrets(&mut r);
    dates::register(&mut r);
    urls::register(&mut r);
    r.f("fail", |a| {
        args::arity(a, 1)?;
        Err(FuncError::Failed(args::s(&a[0])?.to_string()))
    });
    // Helm's default: without `--enable-dns` every name resolves to "".
    r.out.push(("getHostByName", get_host_by_name(false)));
    r.out
}

/// `getHostByName`: with `enable_dns` (Helm's `--enable-dns`) the first address
/// the system resolver returns, or "" when it fails (Sprig ignores the error);
/// without it always "", as Helm stubs it.
pub fn get_host_by_name(enable_dns: bool) -> Func {
    Arc::new(move |_: &mut dyn FuncCtx, a: &[Value]| {
        args::arity(a, 1)?;
        let name = args::s(&a[0])?;
        if !enable_dns {
            return Ok(Value::str(""));
        }
        use std::net::ToSocketAddrs;
        let addr = (name, 0)
            .to_socket_addrs()
            .ok()
            .and_then(|mut it| it.next())
            .map(|sa| sa.ip().to_string())
            .unwrap_or_default();
        Ok(Value::string(addr))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoCtx;
    impl FuncCtx for NoCtx {
        fn execute_template(&mut self, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::failed("no templates"))
        }
        fn parse_and_execute(&mut self, _: &str, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::failed("no templates"))
        }
        fn root_name(&self) -> &str {
            ""
        }
        fn depth(&self) -> usize {
            0
        }
    }

    #[test]
    fn get_host_by_name_resolves_only_with_dns() {
        let arg = [Value::str("localhost")];
        let off = get_host_by_name(false)(&mut NoCtx, &arg);
        assert_eq!(off, Ok(Value::str("")));
        let on = get_host_by_name(true)(&mut NoCtx, &arg).expect("resolves");
        assert!(matches!(on.as_str(), Some("127.0.0.1" | "::1")), "{on:?}");
    }
}
