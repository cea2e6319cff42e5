//! SemVer versions and constraints with Masterminds semver v3.3.0's rules, which Helm
//! uses for `kubeVersion`, dependency version ranges and Sprig's `semver` /
//! `semverCompare`.
//!
//! Masterminds is lenient where the `semver` crate is strict (`v1.2`, `1`, leading
//! zeros in the numbers) and its ranges differ from Cargo's (`1.2` means `~1.2`,
//! `>1.2` means "above 1.2.x", a constraint without a prerelease never admits a
//! prerelease version, hyphen ranges, `x`/`*` wildcards with their own rules per
//! operator), so both the grammar and the checks are written here. The accepted
//! language is defined by the same regular expressions Masterminds uses (compiled
//! with `regex-lite`, whose leftmost-first alternation matches Go's RE2 choice and
//! which compiles them in a tenth of the `regex` crate's time; whitespace is
//! written out as Go's ASCII `\s`), and error
//! texts are Masterminds' (`improper constraint: ...`, `Invalid Semantic Version`).

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex_lite::Regex;

/// A parsed version (Masterminds' `Version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub build: String,
    /// The text as given (Masterminds keeps it for `Original()`).
    pub original: String,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

/// One dot-separated identifier list, as in a prerelease or build suffix.
const IDENTS: &str = r"[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*";

/// The parts of a version, `v?MAJOR(.MINOR)?(.PATCH)?(-PRE)?(+BUILD)?` with PRE
/// and BUILD dot-separated identifier lists (Masterminds' pattern
/// `^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-IDENTS)?(\+IDENTS)?$`), matched by hand:
/// index reading parses tens of thousands of versions.
type VersionParts<'a> = ([Option<&'a str>; 3], Option<&'a str>, Option<&'a str>);

fn version_parts(text: &str) -> Option<VersionParts<'_>> {
    let v = scan_version(text, |c| c.is_ascii_digit())?;
    if v.end != text.len() {
        return None;
    }
    let part = |r: &Option<std::ops::Range<usize>>| r.clone().map(|r| &text[r]);
    Some((v.nums.each_ref().map(part), part(&v.pre), part(&v.build)))
}

/// Where the parts of a version written at the start of a text lie: the
/// numbers, the prerelease and build lists (without their `-` and `+`), and
/// the end of the version.
struct ScannedVersion {
    nums: [Option<std::ops::Range<usize>>; 3],
    pre: Option<std::ops::Range<usize>>,
    build: Option<std::ops::Range<usize>>,
    end: usize,
}

/// The longest `v?N(.N)?(.N)?(-IDENTS)?(+IDENTS)?` at the start of `text`, each
/// N a run of the bytes `num` accepts; `None` when there is none, or when a `-`
/// or `+` is not followed by an identifier list.
fn scan_version(text: &str, num: fn(u8) -> bool) -> Option<ScannedVersion> {
    let b = text.as_bytes();
    let run = |mut i: usize, ok: &dyn Fn(u8) -> bool| {
        while i < b.len() && ok(b[i]) {
            i += 1;
        }
        i
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
    // An identifier list starting at `i`: its end.
    let idents = |i: usize| {
        let mut end = run(i, &ident);
        if end == i {
            return None;
        }
        while end + 1 < b.len() && b[end] == b'.' && ident(b[end + 1]) {
            end = run(end + 1, &ident);
        }
        Some(end)
    };
    let mut at = usize::from(b.first() == Some(&b'v'));
    let mut nums = [None, None, None];
    for (k, slot) in nums.iter_mut().enumerate() {
        let start = if k == 0 {
            at
        } else if b.get(at) == Some(&b'.') && b.get(at + 1).is_some_and(|c| num(*c)) {
            at + 1
        } else {
            break;
        };
        let end = run(start, &num);
        if end == start {
            return None;
        }
        *slot = Some(start..end);
        at = end;
    }
    let mut list = |marker: u8| -> Option<Option<std::ops::Range<usize>>> {
        if b.get(at) != Some(&marker) {
            return Some(None);
        }
        let end = idents(at + 1)?;
        let range = at + 1..end;
        at = end;
        Some(Some(range))
    };
    let pre = list(b'-')?;
    let build = list(b'+')?;
    Some(ScannedVersion {
        nums,
        pre,
        build,
        end: at,
    })
}

/// A version inside a constraint: numbers may be wildcards. Masterminds writes
/// the class as `[0-9|x|X|\*]`, so a literal `|` is accepted there too.
fn cv_pattern() -> String {
    format!(r"v?([0-9|xX*]+)(\.[0-9|xX*]+)?(\.[0-9|xX*]+)?(-({IDENTS}))?(\+({IDENTS}))?")
}

/// The operators, in Masterminds' alternation order (the empty operator second).
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

/// Go's `\s`: ASCII whitespace without the vertical tab.
const WS: &str = r"[\t\n\f\r ]";

static CONSTRAINT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^{WS}*({OPS}){WS}*({}){WS}*$", cv_pattern())).expect("constraint pattern")
});
static RANGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    let cv = cv_pattern();
    Regex::new(&format!(r"{WS}*({cv}){WS}+-{WS}+({cv}){WS}*")).expect("range pattern")
});
static FIND_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"({OPS}){WS}*({})", cv_pattern())).expect("find pattern")
});
static VALID_RE: LazyLock<Regex> = LazyLock::new(|| {
    let cv = cv_pattern();
    Regex::new(&format!(
        r"^({WS}*({OPS}){WS}*({cv}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({cv}){WS}*)*$"
    ))
    .expect("validity pattern")
});

const INVALID: &str = "Invalid Semantic Version";

fn only(s: &str, allowed: impl Fn(u8) -> bool) -> bool {
    s.bytes().all(allowed)
}

fn validate_prerelease(p: &str) -> Result<(), String> {
    for part in p.split('.') {
        if only(part, |b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err("Version segment starts with 0".into());
            }
        } else if !only(part, |b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err("Invalid Prerelease string".into());
        }
    }
    Ok(())
}

fn parse_segment(s: &str) -> Result<u64, String> {
    s.parse::<u64>().map_err(|_| {
        format!(
            "Error parsing version segment: strconv.ParseUint: parsing {s:?}: value out of range"
        )
    })
}

/// Masterminds' `NewVersion`: a `v` prefix, missing minor/patch and leading zeros
/// in the numbers are all accepted; a numeric prerelease part may not start with 0.
pub fn parse_version(text: &str) -> Result<Version, String> {
    let (nums, pre, build) = version_parts(text).ok_or_else(|| INVALID.to_string())?;
    let num = |i: usize| nums[i].map_or(Ok(0), parse_segment);
    let v = Version {
        major: num(0)?,
        minor: num(1)?,
        patch: num(2)?,
        pre: pre.unwrap_or("").to_string(),
        build: build.unwrap_or("").to_string(),
        original: text.to_string(),
    };
    if !v.pre.is_empty() {
        validate_prerelease(&v.pre)?;
    }
    Ok(v)
}

/// Masterminds' prerelease comparison, part by part: numbers below words, a
/// missing part below a present one.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).copied().unwrap_or("");
        let y = pb.get(i).copied().unwrap_or("");
        let o = compare_pre_part(x, y);
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(si), Ok(oi)) => {
            if si > oi {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

impl Version {
    /// SemVer precedence (build metadata ignored), as Masterminds' `Compare`.
    pub fn compare(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    /// `=` or no operator: exact, or a tilde range when the version has wildcards.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

fn op_of(text: &str) -> Op {
    match text {
        "!=" => Op::NotEqual,
        ">" => Op::Greater,
        "<" => Op::Less,
        ">=" | "=>" => Op::GreaterEqual,
        "<=" | "=<" => Op::LessEqual,
        "~" | "~>" => Op::Tilde,
        "^" => Op::Caret,
        _ => Op::TildeOrEqual,
    }
}

/// One comparison (Masterminds' `constraint`).
#[derive(Debug, Clone)]
struct Single {
    op: Op,
    con: Version,
    /// Any part was a wildcard or missing.
    dirty: bool,
    /// The minor part (and so the patch) was a wildcard or missing.
    minor_dirty: bool,
    /// Only the patch part was a wildcard or missing.
    patch_dirty: bool,
}

/// A parsed constraint: alternatives (`||`) of conjunctions.
#[derive(Debug, Clone)]
pub struct Constraint {
    groups: Vec<Vec<Single>>,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_single(text: &str) -> Result<Single, String> {
    let caps = CONSTRAINT_RE
        .captures(text)
        .ok_or_else(|| format!("improper constraint: {text}"))?;
    let part = |i: usize| caps.get(i).map_or("", |m| m.as_str());
    single_of(&Parts {
        op: part(1),
        whole: part(2),
        major: part(3),
        minor: part(4),
        patch: part(5),
        pre: part(6),
    })
}

/// The groups of Masterminds' constraint pattern that make a comparison: the
/// operator, the version as written, its numbers (minor and patch with their
/// dots) and its prerelease (with its dash).
#[derive(Debug, PartialEq)]
struct Parts<'a> {
    op: &'a str,
    whole: &'a str,
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    pre: &'a str,
}

fn single_of(p: &Parts<'_>) -> Result<Single, String> {
    let (major, minor, patch, suffix) = (p.major, p.minor, p.patch, p.pre);
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let ver = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{suffix}")
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{suffix}")
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{suffix}")
    } else {
        p.whole.to_string()
    };
    let con = parse_version(&ver).map_err(|_| "constraint Parser Error".to_string())?;
    Ok(Single {
        op: op_of(p.op),
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// Masterminds' `rewriteRange`: `A - B` becomes `>= A, <= B `.
fn rewrite_ranges(text: &str) -> String {
    let mut out = text.to_string();
    for caps in RANGE_RE.captures_iter(text) {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        let lo = caps.get(1).map_or("", |m| m.as_str());
        // Group 1 is the low version, its 7 inner groups follow, then the high one.
        let hi = caps.get(9).map_or("", |m| m.as_str());
        out = out.replacen(whole, &format!(">= {lo}, <= {hi} "), 1);
    }
    out
}

/// The comparisons of a constraint in the common forms (`2.x.x`, `>=1.19.0-0`,
/// `>= 1.2, < 2 || ^3`), read by hand: compiling Masterminds' patterns costs
/// more than rendering a small chart. `None` for anything else (a hyphen range,
/// a `|` in a version, anything the patterns would refuse or read another way),
/// which the patterns then read; a test checks that both agree wherever this
/// answers.
fn plain_groups(text: &str) -> Option<Vec<Vec<Parts<'_>>>> {
    let b = text.as_bytes();
    // A dash after whitespace may be a hyphen range.
    if b.windows(2).any(|w| is_ws(w[0]) && w[1] == b'-') {
        return None;
    }
    text.split("||").map(plain_group).collect()
}

/// Go's `\s` on a byte.
fn is_ws(c: u8) -> bool {
    matches!(c, b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn plain_group(alt: &str) -> Option<Vec<Parts<'_>>> {
    let b = alt.as_bytes();
    if b.contains(&b'|') {
        return None;
    }
    let skip_ws = |mut i: usize| {
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        i
    };
    let mut singles = Vec::new();
    let mut i = skip_ws(0);
    loop {
        let op_len = [">=", "=>", "<=", "=<", "~>", "!=", "=", ">", "<", "~", "^"]
            .iter()
            .find(|op| alt[i..].starts_with(**op))
            .map_or(0, |op| op.len());
        let op = &alt[i..i + op_len];
        let start = skip_ws(i + op_len);
        let cv = &alt[start..];
        let v = scan_version(cv, |c| {
            c.is_ascii_digit() || matches!(c, b'x' | b'X' | b'*')
        })?;
        let at = start + v.end;
        // Minor and patch with their dots, the prerelease with its dash.
        let marked =
            |r: &Option<std::ops::Range<usize>>| r.clone().map_or("", |r| &cv[r.start - 1..r.end]);
        let major = v.nums[0].clone().map_or("", |r| &cv[r]);
        let (minor, patch, pre) = (marked(&v.nums[1]), marked(&v.nums[2]), marked(&v.pre));
        singles.push(Parts {
            op,
            whole: &alt[start..at],
            major,
            minor,
            patch,
            pre,
        });
        let next = skip_ws(at);
        if next == b.len() {
            return Some(singles);
        }
        i = if b[next] == b',' {
            skip_ws(next + 1)
        } else if next > at {
            next
        } else {
            return None;
        };
    }
}

impl Constraint {
    /// Masterminds' `NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraint, String> {
        if let Some(groups) = plain_groups(text) {
            let groups = groups
                .iter()
                .map(|g| g.iter().map(single_of).collect::<Result<Vec<_>, _>>())
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Constraint { groups });
        }
        Constraint::parse_with_patterns(text)
    }

    /// [`Constraint::parse`] through Masterminds' patterns alone.
    fn parse_with_patterns(text: &str) -> Result<Constraint, String> {
        let rewritten = rewrite_ranges(text);
        let mut groups = Vec::new();
        for alt in rewritten.split("||") {
            if !VALID_RE.is_match(alt) {
                return Err(format!("improper constraint: {alt}"));
            }
            let found: Vec<&str> = FIND_RE.find_iter(alt).map(|m| m.as_str()).collect();
            let singles = if found.is_empty() {
                vec![parse_single(alt)?]
            } else {
                found
                    .into_iter()
                    .map(parse_single)
                    .collect::<Result<Vec<_>, _>>()?
            };
            groups.push(singles);
        }
        Ok(Constraint { groups })
    }

    /// Masterminds' `Check`.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|g| g.iter().all(|s| s.check(v)))
    }
}

impl Single {
    fn check(&self, v: &Version) -> bool {
        // A constraint without a prerelease never admits a prerelease version.
        if !v.pre.is_empty() && self.con.pre.is_empty() {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::NotEqual => self.not_equal(v),
            Op::Greater => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                v.patch == c.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }

    fn not_equal(&self, v: &Version) -> bool {
        let c = &self.con;
        if self.dirty {
            if c.major != v.major {
                return true;
            }
            if c.minor != v.minor && !self.minor_dirty {
                return true;
            }
            if self.minor_dirty {
                return false;
            }
            if c.patch != v.patch && !self.patch_dirty {
                return true;
            }
            if self.patch_dirty {
                if !v.pre.is_empty() || !c.pre.is_empty() {
                    return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                }
                return false;
            }
        }
        v.compare(c) != Ordering::Equal
    }
}

/// Helm's `IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    match (parse_version(version), Constraint::parse(constraint)) {
        (Ok(v), Ok(c)) => c.check(&v),
        _ => false,
    }
}

/// Sprig's `semverCompare`: whether `version` satisfies `constraint`, with
/// Masterminds' parse errors (the constraint is parsed first).
pub fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraint::parse(constraint)?;
    let v = parse_version(version)?;
    Ok(c.check(&v))
}

/// Helm's kubeVersion gate (`renderResources`): `kube_version` is the
/// capabilities' version string (`v1.32.0`).
pub fn check_kube_version(constraint: &str, kube_version: &str) -> Result<(), String> {
    if constraint.is_empty() || is_compatible_range(constraint, kube_version) {
        return Ok(());
    }
    Err(format!(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {kube_version}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wherever the hand reader answers, it reads what the patterns read: every
    /// string of up to five pieces over operators, versions, separators and odd
    /// characters.
    #[test]
    fn plain_constraints_read_as_the_patterns_read_them() {
        let pieces = [
            "", " ", ",", ">=", "=", "<", "~>", "^", "!=", "=>", "1", "2.x", ".3", "-0", "-rc.1",
            "+b", "v", "x", "*", "|", "||", "-", " - ", "é", "01", ".", "a",
        ];
        let mut level = vec![String::new()];
        let (mut fast, mut all) = (0, 0);
        for _ in 0..5 {
            let mut next = Vec::new();
            for s in &level {
                for p in pieces {
                    let t = format!("{s}{p}");
                    all += 1;
                    if plain_groups(&t).is_some() {
                        fast += 1;
                        let a = format!("{:?}", Constraint::parse(&t));
                        let b = format!("{:?}", Constraint::parse_with_patterns(&t));
                        assert_eq!(a, b, "{t:?}");
                    }
                    next.push(t);
                }
            }
            level = next;
        }
        assert!(fast > 100_000 && all > 14_000_000, "{fast} of {all}");
    }

    #[test]
    fn version_parts_match_masterminds_pattern() {
        let re = Regex::new(&format!(
            r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(?:-({IDENTS}))?(?:\+({IDENTS}))?$"
        ))
        .unwrap();
        let alphabet = ["", "v", "1", "02", ".", "-", "+", "a", "x.", "_"];
        let mut n = 0;
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        for e in alphabet {
                            for f in ["", "3", "-rc.1", "+b"] {
                                let s = format!("{a}{b}{c}{d}{e}{f}");
                                let want = re.captures(&s).map(|c| {
                                    let g = |i| c.get(i).map(|m| m.as_str());
                                    let num = |i| g(i).map(|t: &str| t.trim_start_matches('.'));
                                    ([num(1), num(2), num(3)], g(4), g(5))
                                });
                                assert_eq!(version_parts(&s), want, "{s:?}");
                                n += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 400_000);
    }

    #[test]
    fn masterminds_ranges() {
        let yes = [
            (">=1.19-0", "1.32.0"),
            (">=1.19-0", "1.29.3-gke.100"),
            ("~1.2", "1.2.9"),
            ("^1.2", "1.9.0"),
            ("1.2.x", "1.2.7"),
            ("*", "3.0.0"),
            (">=1.0 <2.0", "1.5.0"),
            (">=1.0, <2.0", "1.5.0"),
            ("<1.0 || >=2.0", "2.1.0"),
            ("1.2 - 1.4", "1.3.0"),
            ("1.2 - 1.4", "1.4.9"),
            ("^0.2.3", "0.2.9"),
            (">= 1.16.0", "1.32.0"),
            ("1.2.3", "v1.2.3"),
            ("~*", "5.0.0"),
            (">*", "1.0.0"),
            ("!=1.2.x", "1.3.0"),
            ("<=*", "0.0.5"),
            ("~1", "1.9.0"),
            (">1.2", "1.3.0"),
            ("=1.2.3", "1.2.3+build"),
        ];
        for (c, v) in yes {
            assert!(matches(c, v).unwrap(), "{c} should match {v}");
        }
        let no = [
            (">=1.19", "1.29.3-gke.100"),
            ("~1.2", "1.3.0"),
            ("^1.2", "2.0.0"),
            ("^0.2.3", "0.3.0"),
            ("^0.0.3", "0.0.4"),
            ("<1.16", "1.32.0"),
            ("1.2.x", "1.3.0"),
            ("1.2 - 1.4", "1.5.0"),
            ("!=1.2.x", "1.2.5"),
            ("<=*", "1.0.0"),
            (">1.2", "1.2.9"),
            (">1", "1.9.0"),
            ("*", "1.0.0-rc1"),
        ];
        for (c, v) in no {
            assert!(!matches(c, v).unwrap(), "{c} should not match {v}");
        }
    }

    #[test]
    fn masterminds_errors() {
        assert_eq!(
            matches("foo", "1.0.0").unwrap_err(),
            "improper constraint: foo"
        );
        assert_eq!(
            matches(">=1.0", "bar").unwrap_err(),
            "Invalid Semantic Version"
        );
        assert_eq!(
            matches(">=1.0 || x.y", "1.0.0").unwrap_err(),
            "improper constraint:  x.y"
        );
        assert_eq!(
            matches("1|2", "1.0.0").unwrap_err(),
            "constraint Parser Error"
        );
        assert!(!is_compatible_range("nonsense", "1.0.0"));
    }

    #[test]
    fn lenient_versions() {
        assert_eq!(parse_version("v1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(parse_version("1").unwrap().to_string(), "1.0.0");
        assert_eq!(parse_version("01.02.03").unwrap().to_string(), "1.2.3");
        assert_eq!(
            parse_version("1.0.0-01").unwrap_err(),
            "Version segment starts with 0"
        );
        assert!(parse_version("1.2.3.4").is_err());
        assert!(parse_version("1.2.3-").is_err());
        assert!(parse_version("abc").is_err());
        assert!(parse_version("99999999999999999999.0.0").is_err());
        let a = parse_version("1.0.0-alpha.1").unwrap();
        let b = parse_version("1.0.0-alpha.beta").unwrap();
        assert_eq!(a.compare(&b), Ordering::Less);
        assert_eq!(
            parse_version("1.0.0-alpha").unwrap().compare(&a),
            Ordering::Less
        );
    }

    #[test]
    fn kube_version_gate() {
        assert!(check_kube_version(">=1.19-0", "v1.32.0").is_ok());
        assert_eq!(
            check_kube_version(">=1.20.0", "v1.29.3-gke.100").unwrap_err(),
            "chart requires kubeVersion: >=1.20.0 which is incompatible with Kubernetes v1.29.3-gke.100"
        );
    }
}

#[cfg(test)]
mod helm_recorded {
    use super::*;

    /// `constraint<TAB>version<TAB>result`, recorded from Helm 3.17.3's
    /// `semverCompare` (result `true`, `false` or `error: <message>`).
    const CASES: &str = include_str!("../../testdata/chart/semver_compare.tsv");

    #[test]
    fn semver_compare_matches_helm() {
        let mut n = 0;
        for line in CASES.lines().filter(|l| !l.is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [c, v, want] = cols[..] else {
                panic!("bad fixture line {line:?}");
            };
            let got = match matches(c, v) {
                Ok(b) => b.to_string(),
                Err(e) => format!("error: {e}"),
            };
            assert_eq!(got, want, "semverCompare {c:?} {v:?}");
            n += 1;
        }
        assert!(n > 60);
    }
}
