//! `.helmignore` with Helm's rules: gitignore-like lines, but globs are Go's
//! `filepath.Match` (no `**`: it is an error), `!` negates, a leading `/` anchors
//! to the chart root, a trailing `/` matches only directories, and a pattern
//! without a slash matches base names. The default rule `templates/.?*` always
//! applies. Hand-written because no glob crate has `filepath.Match`'s exact syntax
//! (`[^...]` classes, no separator crossing, `\` escapes).

/// One rule.
#[derive(Debug, Clone)]
struct Pattern {
    /// The glob's characters, split once (a chart's every file meets every rule).
    glob: Vec<char>,
    negate: bool,
    must_dir: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Anchored,
    Structural,
    Basename,
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// Parses the text of a `.helmignore` file.
    pub fn parse(text: &str) -> Result<Rules, String> {
        let mut rules = Rules::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Adds Helm's default rule (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let mut rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if go_match(rule, "abc").is_err() {
            return Err("syntax error in pattern".into());
        }
        let mut p = Pattern {
            glob: Vec::new(),
            negate: false,
            must_dir: false,
            kind: Kind::Basename,
        };
        if let Some(r) = rule.strip_prefix('!') {
            p.negate = true;
            rule = r;
        }
        if let Some(r) = rule.strip_suffix('/') {
            p.must_dir = true;
            rule = r;
        }
        if let Some(r) = rule.strip_prefix('/') {
            p.kind = Kind::Anchored;
            rule = r;
        } else if rule.contains('/') {
            p.kind = Kind::Structural;
        }
        p.glob = rule.chars().collect();
        self.patterns.push(p);
        Ok(())
    }

    /// Helm's `Ignore`: whether `path` (relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        // Inline for the usual path lengths: every file of a chart comes here.
        let whole: smallvec::SmallVec<[char; 128]> = path.chars().collect();
        let base_at = whole
            .iter()
            .rposition(|&c| c == '/')
            .map_or(0, |slash| slash + 1);
        for p in &self.patterns {
            let target = match p.kind {
                Kind::Basename => &whole[base_at..],
                _ => &whole[..],
            };
            let matched = match_from(&p.glob, target).unwrap_or(false);
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matched {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// A malformed glob pattern (Go's `filepath.ErrBadPattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

/// Go's `path/filepath.Match` on `/`-separated names.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, BadPattern> {
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                c => {
                    if ni < n.len() && n[ni] != '/' || (ni < n.len() && c == '/' && n[ni] == '/') {
                        let (ok, next) = match_one(p, pi, n[ni])?;
                        if ok {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    }
                }
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Backtrack: let the last star eat one more non-separator character.
        if let Some((sp, sn)) = star
            && sn < n.len()
            && n[sn] != '/'
        {
            star = Some((sp, sn + 1));
            pi = sp + 1;
            ni = sn + 1;
            continue;
        }
        // Validate the rest of the pattern for syntax errors, as Go does.
        validate(&p[pi.min(p.len())..])?;
        return Ok(false);
    }
}

fn validate(p: &[char]) -> Result<(), BadPattern> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(BadPattern);
                }
                i += 2;
            }
            '[' => {
                let (_, next) = match_one(p, i, 'a')?;
                i = next;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Matches one pattern element at `pi` against `c`; returns the match and the
/// index after the element.
fn match_one(p: &[char], pi: usize, c: char) -> Result<(bool, usize), BadPattern> {
    match p[pi] {
        '?' => Ok((c != '/', pi + 1)),
        '\\' => {
            let e = *p.get(pi + 1).ok_or(BadPattern)?;
            Ok((e == c, pi + 2))
        }
        '[' => {
            let mut i = pi + 1;
            let negate = p.get(i) == Some(&'^');
            if negate {
                i += 1;
            }
            let mut matched = false;
            let mut first = true;
            loop {
                let ch = *p.get(i).ok_or(BadPattern)?;
                if ch == ']' && !first {
                    i += 1;
                    break;
                }
                first = false;
                let lo = if ch == '\\' {
                    i += 1;
                    *p.get(i).ok_or(BadPattern)?
                } else {
                    ch
                };
                i += 1;
                let mut hi = lo;
                if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|x| *x != ']') {
                    i += 1;
                    hi = *p.get(i).ok_or(BadPattern)?;
                    if hi == '\\' {
                        i += 1;
                        hi = *p.get(i).ok_or(BadPattern)?;
                    }
                    i += 1;
                }
                if lo <= c && c <= hi {
                    matched = true;
                }
            }
            Ok((matched != negate && c != '/', i))
        }
        x => Ok((x == c, pi + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_basics() {
        assert!(go_match("*.txt", "a.txt").unwrap());
        assert!(!go_match("*.txt", "d/a.txt").unwrap());
        assert!(go_match("d/*.txt", "d/a.txt").unwrap());
        assert!(go_match("a?c", "abc").unwrap());
        assert!(go_match("[a-c]x", "bx").unwrap());
        assert!(!go_match("[^a-c]x", "bx").unwrap());
        assert!(go_match(".?*", ".git").unwrap());
        assert!(!go_match(".?*", ".").unwrap());
    }

    #[test]
    fn helmignore_rules() {
        let mut r = Rules::parse("# comment\n*.bak\n/top.txt\nsecret/\n").unwrap();
        r.add_defaults();
        assert!(r.ignore("x/y.bak", false));
        assert!(r.ignore("top.txt", false));
        assert!(!r.ignore("sub/top.txt", false));
        assert!(r.ignore("secret", true));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/a.yaml", false));
        assert!(Rules::parse("a/**/b").is_err());
        assert!(Rules::parse("[").is_err());
        let bom = Rules::parse("\u{feff}*.tmp\r\n").unwrap();
        assert!(bom.ignore("x.tmp", false));
        // Helm's negation: a path that does not match a `!` rule is ignored.
        let n = Rules::parse("!keep.txt").unwrap();
        assert!(!n.ignore("keep.txt", false));
        assert!(n.ignore("other.txt", false));
    }
}
