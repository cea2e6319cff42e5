//! Reading releases: opening the store Helm's flags point at, and `list` with
//! Helm 3.17's rules (`pkg/action/list.go`): the newest revision of each release,
//! a state mask (deployed and failed unless told), a name filter, a label
//! selector on the user's labels, sorting, offset and limit.

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, FixedOffset};

use crate::kube::{Cluster, ConnectOptions};
use crate::release::store::KubeStore;
use crate::release::{Driver, Release, ReleaseStore};

/// A store of releases in the cluster, with the connection it uses.
pub struct OpenStore {
    pub cluster: std::sync::Arc<Cluster>,
    pub store: KubeStore,
}

/// Connects, checks that the server answers (Helm's "Kubernetes cluster
/// unreachable"), and opens the store in `namespace` (`None`: all namespaces).
pub fn open_store(
    connect: &ConnectOptions,
    namespace: Option<String>,
    driver: Driver,
) -> Result<OpenStore> {
    let cluster = Cluster::connect(connect)?;
    cluster.check_reachable()?;
    let store = KubeStore::new(cluster.client(), cluster.handle(), namespace, driver);
    Ok(OpenStore {
        cluster: std::sync::Arc::new(cluster),
        store,
    })
}

/// Which states `list` shows (Helm's flags of the same names).
#[derive(Debug, Clone, Default)]
pub struct StateFlags {
    pub all: bool,
    pub deployed: bool,
    pub failed: bool,
    pub pending: bool,
    pub superseded: bool,
    pub uninstalled: bool,
    pub uninstalling: bool,
}

impl StateFlags {
    /// The statuses shown: every one with `--all`, the flagged ones, else
    /// deployed and failed.
    fn mask(&self) -> Vec<&'static str> {
        if self.all {
            return crate::release::STATUSES.to_vec();
        }
        let mut m = Vec::new();
        let mut add = |on: bool, names: &[&'static str]| {
            if on {
                m.extend_from_slice(names);
            }
        };
        add(self.deployed, &["deployed"]);
        add(self.uninstalled, &["uninstalled"]);
        add(self.uninstalling, &["uninstalling"]);
        add(
            self.pending,
            &["pending-install", "pending-rollback", "pending-upgrade"],
        );
        add(self.failed, &["failed"]);
        add(self.superseded, &["superseded"]);
        if m.is_empty() {
            m = vec!["deployed", "failed"];
        }
        m
    }

    /// Only `--superseded`: Helm then keeps every revision, not the newest.
    fn only_superseded(&self) -> bool {
        !self.all
            && self.superseded
            && !(self.deployed
                || self.failed
                || self.pending
                || self.uninstalled
                || self.uninstalling)
    }
}

/// `list`'s options.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub states: StateFlags,
    /// `-f/--filter`: a regular expression the name must match.
    pub filter: Option<String>,
    /// `-l/--selector`: a label selector on the releases' own labels.
    pub selector: Option<String>,
    /// `-d/--date`: by the last deployment, oldest first (Helm's order).
    pub by_date: bool,
    /// `-r/--reverse`.
    pub reverse: bool,
    /// `-m/--max`: at most this many (0: no limit).
    pub max: i64,
    /// `--offset`: skip this many.
    pub offset: i64,
}

/// The releases `list` shows, and the records that could not be read.
pub struct Listed {
    pub releases: Vec<Release>,
    pub skipped: Vec<String>,
}

/// Helm's `list`.
pub fn list(store: &dyn ReleaseStore, opts: &ListOptions) -> Result<Listed> {
    let filter = match opts.filter.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(regex::Regex::new(f).map_err(|e| anyhow!("invalid --filter {f:?}: {e}"))?),
        None => None,
    };
    let selector = Selector::parse(opts.selector.as_deref().unwrap_or(""))?;
    let listing = store.list()?;
    let mut releases: Vec<Release> = listing
        .releases
        .into_iter()
        .filter(|r| filter.as_ref().is_none_or(|f| f.is_match(&r.name)))
        .collect();
    if !opts.states.only_superseded() {
        releases = newest_revisions(releases);
    }
    let mask = opts.states.mask();
    releases.retain(|r| mask.contains(&r.info.status.as_str()) && selector.matches(&r.labels));
    let deployed = |r: &Release| {
        r.info
            .last_deployed
            .map(|t| t.timestamp())
            .unwrap_or(i64::MIN)
    };
    match (opts.by_date, opts.reverse) {
        (true, false) => releases.sort_by_key(deployed),
        (true, true) => {
            releases.sort_by_key(deployed);
            releases.reverse();
        }
        (false, true) => {
            releases.sort_by(|a, b| a.name.cmp(&b.name));
            releases.reverse();
        }
        (false, false) => releases.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    let offset = opts.offset.max(0) as usize;
    if offset >= releases.len() {
        releases.clear();
    } else {
        let limit = if opts.max > 0 {
            (opts.max as usize).min(releases.len())
        } else {
            releases.len()
        };
        let end = (offset + limit).min(releases.len());
        releases = releases.drain(offset..end).collect();
    }
    Ok(Listed {
        releases,
        skipped: listing.skipped,
    })
}

/// The highest revision of each release (by namespace and name).
fn newest_revisions(releases: Vec<Release>) -> Vec<Release> {
    let mut newest: std::collections::BTreeMap<(String, String), Release> = Default::default();
    for r in releases {
        let key = (r.namespace.clone(), r.name.clone());
        match newest.get(&key) {
            Some(kept) if kept.version > r.version => {}
            _ => {
                newest.insert(key, r);
            }
        }
    }
    newest.into_values().collect()
}

/// Helm's `releaseContent`: one revision of a release, the newest when
/// `revision <= 0` (`get`, `status`).
pub fn release_content(store: &dyn ReleaseStore, name: &str, revision: i64) -> Result<Release> {
    if crate::actions::render::validate_release_name(name).is_err() {
        bail!("releaseContent: Release name is invalid: {name}");
    }
    if revision > 0 {
        return Ok(store.get(name, revision)?);
    }
    store
        .history(name)?
        .into_iter()
        .max_by_key(|r| r.version)
        .ok_or_else(|| anyhow!("no revision for release {name:?}"))
}

/// Helm's `history`: the newest `max` revisions of a release, oldest first.
pub fn history(store: &dyn ReleaseStore, name: &str, max: i64) -> Result<Vec<Release>> {
    if crate::actions::render::validate_release_name(name).is_err() {
        bail!("release name is invalid: {name}");
    }
    let mut all = store.history(name)?;
    all.sort_by_key(|r| std::cmp::Reverse(r.version));
    all.truncate(max.max(0) as usize);
    all.reverse();
    Ok(all)
}

/// A Kubernetes label selector (`k8s.io/apimachinery/pkg/labels`): `k=v`,
/// `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas.
#[derive(Debug, Default)]
pub struct Selector {
    terms: Vec<Term>,
}

#[derive(Debug)]
enum Term {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    Absent(String),
}

impl Selector {
    /// Parses a selector; an error names the selector and what is wrong.
    pub fn parse(text: &str) -> Result<Selector> {
        let mut terms = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            // A term ends at a comma outside parentheses.
            let mut depth = 0;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    ',' if depth == 0 => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let term = rest[..end].trim();
            rest = rest.get(end + 1..).unwrap_or("").trim();
            terms.push(Self::term(term).map_err(|e| anyhow!("invalid --selector {text:?}: {e}"))?);
        }
        Ok(Selector { terms })
    }

    fn term(t: &str) -> Result<Term> {
        let key = |k: &str| -> Result<String> {
            let k = k.trim();
            let ok = !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
            if !ok {
                bail!("{k:?} is not a label key");
            }
            Ok(k.to_string())
        };
        let set = |s: &str| -> Result<Vec<String>> {
            let s = s.trim();
            let inner = s
                .strip_prefix('(')
                .and_then(|s| s.strip_suffix(')'))
                .ok_or_else(|| anyhow!("expected a (list) after in/notin, found {s:?}"))?;
            Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
        };
        if t.is_empty() {
            bail!("empty requirement");
        }
        if let Some(k) = t.strip_prefix('!') {
            return Ok(Term::Absent(key(k)?));
        }
        if let Some((k, v)) = t.split_once("!=") {
            return Ok(Term::Ne(key(k)?, v.trim().to_string()));
        }
        if let Some((k, v)) = t.split_once("==").or_else(|| t.split_once('=')) {
            return Ok(Term::Eq(key(k)?, v.trim().to_string()));
        }
        let words: Vec<&str> = t.splitn(3, char::is_whitespace).collect();
        if words.len() >= 2 {
            let rest = t[words[0].len()..].trim_start();
            if let Some(list) = rest.strip_prefix("notin") {
                return Ok(Term::NotIn(key(words[0])?, set(list)?));
            }
            if let Some(list) = rest.strip_prefix("in") {
                return Ok(Term::In(key(words[0])?, set(list)?));
            }
            bail!("cannot read requirement {t:?}");
        }
        Ok(Term::Exists(key(t)?))
    }

    /// Whether a release's labels satisfy every requirement.
    pub fn matches(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Eq(k, v) => labels.get(k) == Some(v),
            Term::Ne(k, v) => labels.get(k) != Some(v),
            Term::In(k, vs) => labels.get(k).is_some_and(|v| vs.contains(v)),
            Term::NotIn(k, vs) => labels.get(k).is_none_or(|v| !vs.contains(v)),
            Term::Exists(k) => labels.contains_key(k),
            Term::Absent(k) => !labels.contains_key(k),
        })
    }
}

/// A stored time as Go's `Time.String()` prints one read from JSON
/// (`2006-01-02 15:04:05.999999999 -0700 MST`): UTC for offset zero, the local
/// zone's abbreviation when the offset is the local zone's at that moment
/// (Go reads the time into its local zone then), else the offset twice.
pub fn go_time_string(t: &DateTime<FixedOffset>) -> String {
    go_format_local(t, "2006-01-02 15:04:05.999999999 -0700 MST")
}

/// [`go_time_string`]'s zone rules with any Go layout (`--time-format`,
/// `time.ANSIC` for `history`).
pub fn go_format_local(t: &DateTime<FixedOffset>, layout: &str) -> String {
    let off = t.offset().local_minus_utc();
    let text = crate::render::sprig::go_format(t, layout);
    if off == 0 || !layout.contains("MST") {
        return text;
    }
    match local_zone_name(t) {
        Some(name) => {
            // go_format printed the offset for MST; put the zone's name there.
            crate::render::sprig::go_format(t, &layout.replace("MST", "\u{0}"))
                .replace('\u{0}', &name)
        }
        None => text,
    }
}

/// The abbreviation of the local zone (`TZ`, else `/etc/localtime`) at `t`,
/// when that zone's offset then is `t`'s.
fn local_zone_name(t: &DateTime<FixedOffset>) -> Option<String> {
    use chrono::Offset;
    use chrono_tz::OffsetName;
    let name = match std::env::var("TZ") {
        Ok(tz) if !tz.is_empty() => tz.trim_start_matches(':').to_string(),
        _ => {
            let link = std::fs::read_link("/etc/localtime").ok()?;
            let s = link.to_string_lossy().into_owned();
            s.split_once("zoneinfo/")?.1.to_string()
        }
    };
    let tz: chrono_tz::Tz = name.parse().ok()?;
    let local = t.with_timezone(&tz);
    if local.offset().fix().local_minus_utc() != t.offset().local_minus_utc() {
        return None;
    }
    local.offset().abbreviation().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_match_as_kubernetes_matches() {
        let l = labels(&[("team", "web"), ("tier", "front")]);
        let m = |s: &str| Selector::parse(s).unwrap().matches(&l);
        assert!(m(""));
        assert!(m("team=web"));
        assert!(m("team==web,tier"));
        assert!(!m("team!=web"));
        assert!(m("team in (web, db)"));
        assert!(!m("team notin (web)"));
        assert!(m("!owner"));
        assert!(!m("owner"));
        assert!(m("owner!=helm"));
        assert!(Selector::parse("team in web").is_err());
        assert!(Selector::parse("a b c").is_err());
        assert!(Selector::parse("=x").is_err());
    }

    #[test]
    fn times_print_as_go_prints_them() {
        let t = DateTime::parse_from_rfc3339("2026-12-04T10:05:00.120Z").unwrap();
        assert_eq!(go_time_string(&t), "2026-12-04 10:05:00.12 +0000 UTC");
        let t = DateTime::parse_from_rfc3339("2026-12-04T10:05:00Z").unwrap();
        assert_eq!(
            go_format_local(&t, "Mon Jan _2 15:04:05 2006"),
            "Fri Dec  4 10:05:00 2026"
        );
    }
}
