//! SemVer versions and constraints with Masterminds semver v3's rules, which Helm
//! uses for `kubeVersion`, dependency versions and `semverCompare`: lenient version
//! parsing (`v1.2`, `1`), ranges `>=1.19-0`, `~1.2`, `^1.2`, `1.2.x`, `*`,
//! `||`, `,`/space AND, hyphen ranges, and "a constraint without a prerelease never
//! matches a prerelease version". The `semver` crate parses strictly and has Cargo's
//! range semantics, so the grammar is written here.

use std::cmp::Ordering;
use std::fmt;

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

fn valid_ident(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Masterminds' `NewVersion`: `v` prefix allowed, minor and patch optional.
pub fn parse_version(text: &str) -> Result<Version, String> {
    let invalid = || "Invalid Semantic Version".to_string();
    let s = text.strip_prefix('v').unwrap_or(text);
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, b.to_string()),
        None => (s, String::new()),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, p.to_string()),
        None => (rest, String::new()),
    };
    if (!pre.is_empty() || rest.ends_with('-')) && !valid_ident(&pre) {
        return Err(invalid());
    }
    if (!build.is_empty() || s.ends_with('+')) && !valid_ident(&build) {
        return Err(invalid());
    }
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return Err(invalid());
    }
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        if p.len() > 1 && p.starts_with('0') {
            return Err(invalid());
        }
        nums[i] = p.parse().map_err(|_| invalid())?;
    }
    Ok(Version {
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre,
        build,
        original: text.to_string(),
    })
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

impl Version {
    /// SemVer precedence (build metadata ignored).
    pub fn compare(&self, other: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| cmp_pre(&self.pre, &other.pre))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Single {
    op: Op,
    v: Version,
    /// Which parts were wildcards or missing (`1.2` / `1.2.x`): 0 = none,
    /// 1 = patch, 2 = minor and patch, 3 = all.
    dirty: u8,
}

/// A parsed constraint: alternatives (`||`) of conjunctions.
#[derive(Debug, Clone)]
pub struct Constraint {
    groups: Vec<Vec<Single>>,
}

fn parse_single(text: &str) -> Result<Single, String> {
    let t = text.trim();
    let (op, rest) = [
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("!=", Op::Ne),
        ("~>", Op::Tilde),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
        ("~", Op::Tilde),
        ("^", Op::Caret),
    ]
    .iter()
    .find_map(|(p, op)| t.strip_prefix(p).map(|r| (*op, r.trim())))
    .unwrap_or((Op::Eq, t));
    let improper = || format!("improper constraint: {text}");
    let v_text = rest.strip_prefix('v').unwrap_or(rest);
    let (core, tail) = match v_text.find(['-', '+']) {
        Some(i) => (&v_text[..i], &v_text[i..]),
        None => (v_text, ""),
    };
    let mut parts: Vec<String> = core.split('.').map(str::to_string).collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(improper());
    }
    let mut dirty = 0u8;
    let wild = |p: &str| matches!(p, "x" | "X" | "*");
    for (i, p) in parts.iter_mut().enumerate() {
        if wild(p) {
            dirty = dirty.max(3 - i as u8);
            *p = "0".to_string();
        }
    }
    if dirty == 0 && parts.len() < 3 {
        dirty = 3 - parts.len() as u8;
    }
    while parts.len() < 3 {
        parts.push("0".to_string());
    }
    let v = parse_version(&format!("{}{tail}", parts.join("."))).map_err(|_| improper())?;
    Ok(Single { op, v, dirty })
}

impl Constraint {
    /// Masterminds' `NewConstraint`.
    pub fn parse(text: &str) -> Result<Constraint, String> {
        let mut groups = Vec::new();
        for alt in text.split("||") {
            let alt = alt.trim();
            let mut singles = Vec::new();
            // Hyphen ranges: "1.2 - 1.4".
            let normalized = alt.replace(',', " ");
            let words: Vec<&str> = normalized.split_whitespace().collect();
            let mut i = 0;
            // Operators separated from their versions by spaces (">= 1.2").
            let mut merged: Vec<String> = Vec::new();
            while i < words.len() {
                let w = words[i];
                if matches!(
                    w,
                    ">=" | "<=" | ">" | "<" | "=" | "!=" | "~" | "^" | "~>" | "=>" | "=<"
                ) && i + 1 < words.len()
                {
                    merged.push(format!("{w}{}", words[i + 1]));
                    i += 2;
                } else {
                    merged.push(w.to_string());
                    i += 1;
                }
            }
            let mut j = 0;
            while j < merged.len() {
                if j + 2 < merged.len() && merged[j + 1] == "-" {
                    let lo = parse_single(&merged[j])?;
                    let hi = parse_single(&merged[j + 2])?;
                    singles.push(Single { op: Op::Ge, ..lo });
                    singles.push(Single { op: Op::Le, ..hi });
                    j += 3;
                } else {
                    singles.push(parse_single(&merged[j])?);
                    j += 1;
                }
            }
            if singles.is_empty() {
                return Err(format!("improper constraint: {text}"));
            }
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
        if !v.pre.is_empty() && self.v.pre.is_empty() {
            return false;
        }
        let c = &self.v;
        let cmp = v.compare(c);
        match self.op {
            Op::Eq if self.dirty > 0 => tilde(v, c, self.dirty),
            Op::Eq => cmp == Ordering::Equal,
            Op::Ne if self.dirty > 0 => !tilde(v, c, self.dirty),
            Op::Ne => cmp != Ordering::Equal,
            Op::Gt if self.dirty > 0 => match self.dirty {
                3 => false,
                2 => v.major > c.major,
                _ => (v.major, v.minor) > (c.major, c.minor),
            },
            Op::Gt => cmp == Ordering::Greater,
            Op::Lt => cmp == Ordering::Less,
            Op::Ge => cmp != Ordering::Less,
            Op::Le if self.dirty > 0 => match self.dirty {
                3 => true,
                2 => v.major <= c.major,
                _ => (v.major, v.minor) <= (c.major, c.minor),
            },
            Op::Le => cmp != Ordering::Greater,
            Op::Tilde => {
                if cmp == Ordering::Less {
                    return false;
                }
                if c.minor == 0 && c.patch == 0 && self.dirty >= 2 {
                    v.major == c.major
                } else {
                    v.major == c.major && v.minor == c.minor
                }
            }
            Op::Caret => {
                if cmp == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.dirty >= 2 {
                    v.major == c.major
                } else if c.minor > 0 || self.dirty >= 1 {
                    v.major == 0 && v.minor == c.minor
                } else {
                    v.major == 0 && v.minor == 0 && v.patch == c.patch
                }
            }
        }
    }
}

/// Equality with wildcards: `1.2` or `1.2.x` matches any 1.2.z.
fn tilde(v: &Version, c: &Version, dirty: u8) -> bool {
    match dirty {
        3 => true,
        2 => v.major == c.major,
        _ => v.major == c.major && v.minor == c.minor,
    }
}

/// Helm's `IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    match (Constraint::parse(constraint), parse_version(version)) {
        (Ok(c), Ok(v)) => c.check(&v),
        _ => false,
    }
}

/// Whether `version` satisfies `constraint`, with parse errors reported.
pub fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let c = Constraint::parse(constraint)?;
    let v = parse_version(version)?;
    Ok(c.check(&v))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ("^0.2.3", "0.2.9"),
            (">= 1.16.0", "1.32.0"),
            ("1.2.3", "v1.2.3"),
        ];
        for (c, v) in yes {
            assert!(matches(c, v).unwrap(), "{c} should match {v}");
        }
        let no = [
            (">=1.19", "1.29.3-gke.100"),
            ("~1.2", "1.3.0"),
            ("^1.2", "2.0.0"),
            ("^0.2.3", "0.3.0"),
            ("<1.16", "1.32.0"),
            ("1.2.x", "1.3.0"),
        ];
        for (c, v) in no {
            assert!(!matches(c, v).unwrap(), "{c} should not match {v}");
        }
    }

    #[test]
    fn lenient_versions() {
        assert_eq!(parse_version("v1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(parse_version("1").unwrap().to_string(), "1.0.0");
        assert!(parse_version("1.2.3.4").is_err());
        assert!(parse_version("abc").is_err());
    }
}
