//! Splitting rendered templates into manifests and hooks, in Helm's order.
//!
//! Helm splits each rendered file on `---` lines, reads just enough of each document
//! (`apiVersion`, `kind`, `metadata.name`, `metadata.annotations`) to tell hooks from
//! resources, then stable-sorts both by kind in install order. The output of
//! `template` and the release manifest depend on every detail of this, so the rules
//! here follow Helm's `releaseutil` package exactly (split regex, trimming, the
//! typed read of the head through sigs.k8s.io/yaml, which turns a number in a
//! string field into text and refuses a list there).
//!
//! Helm reads each whole document to get its head, which validates it as YAML too.
//! charter first tries [`crate::yaml::quick`], which validates plain block YAML
//! line by line and keeps only the head, and reads the document in full when the
//! quick reader declines it or the head has an error, so every error is worded by
//! the full reader.

use std::collections::{BTreeMap, HashMap};

use crate::gotmpl::Value;

/// Helm's `InstallOrder`: kinds earlier in the list are created first.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// Helm's `UninstallOrder`.
pub const UNINSTALL_ORDER: &[&str] = &[
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// The hook events Helm knows (`test-success` is an old name for `test`).
const HOOK_EVENTS: &[(&str, &str)] = &[
    ("pre-install", "pre-install"),
    ("post-install", "post-install"),
    ("pre-delete", "pre-delete"),
    ("post-delete", "post-delete"),
    ("pre-upgrade", "pre-upgrade"),
    ("post-upgrade", "post-upgrade"),
    ("pre-rollback", "pre-rollback"),
    ("post-rollback", "post-rollback"),
    ("test", "test"),
    ("test-success", "test"),
];

pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";

/// The part of a manifest Helm reads before applying it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Head {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub annotations: BTreeMap<String, String>,
    /// Whether the document had a `metadata` mapping.
    pub has_metadata: bool,
}

/// One resource document of a rendered template.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The template path, e.g. `mychart/templates/deployment.yaml`.
    pub name: String,
    /// The document text, trimmed.
    pub content: String,
    pub head: Head,
}

/// A hook document, as Helm records it in the release.
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub manifest: String,
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

/// Why the rendered output could not be read as manifests.
#[derive(Debug, thiserror::Error)]
#[error("YAML parse error on {path}: {message}")]
pub struct ManifestError {
    pub path: String,
    pub message: String,
}

/// Helm's `SplitManifests`: the documents of one rendered file, trimmed, in order.
///
/// Helm splits on the Go regexp `(?:^|\s*\n)---\s*`, where `\s` is ASCII
/// `[\t\n\f\r ]` (no vertical tab, nothing beyond ASCII). [`separators`] finds
/// the same leftmost-first matches by hand: compiling the pattern cost a small
/// chart's render about a twelfth of its time.
pub fn split_manifests(text: &str) -> Vec<String> {
    let trimmed = text.trim_matches(is_go_space);
    let mut docs = Vec::new();
    let mut from = 0;
    for (start, end) in separators(trimmed) {
        docs.push(&trimmed[from..start]);
        from = end;
    }
    docs.push(&trimmed[from..]);
    docs.into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.trim_matches(is_go_space).to_string())
        .collect()
}

/// Go regexp's `\s`.
fn is_regexp_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The byte ranges Go's `(?:^|\s*\n)---\s*` matches in `s`, left to right.
///
/// A match either starts the text with `---`, or is a newline followed by `---`
/// together with the run of spaces just before that newline (back to the end of
/// the previous match); it goes on over the spaces after the dashes. Every
/// boundary is at an ASCII byte, so the ranges cut `s` at character boundaries.
fn separators(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let spaces_from = |mut i: usize| {
        while i < b.len() && is_regexp_space(b[i]) {
            i += 1;
        }
        i
    };
    let mut found = Vec::new();
    let mut pos = 0;
    if b.starts_with(b"---") {
        pos = spaces_from(3);
        found.push((0, pos));
    }
    while let Some(at) = s[pos..].find("\n---") {
        let newline = pos + at;
        let mut start = newline;
        while start > pos && is_regexp_space(b[start - 1]) {
            start -= 1;
        }
        let end = spaces_from(newline + 4);
        found.push((start, end));
        pos = end;
    }
    found
}

/// Go's `unicode.IsSpace` for the characters `strings.TrimSpace` removes.
pub fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// Go's `strings.TrimSpace`.
pub fn trim_space(s: &str) -> &str {
    s.trim_matches(is_go_space)
}

/// Reads a document's head the way Helm's typed `SimpleHead` unmarshal does
/// (sigs.k8s.io/yaml): the whole document must be valid YAML; a number or boolean
/// where the head has a string (`name: 123`, an annotation `weight: 5`) becomes its
/// text as sigs.k8s.io/yaml writes it; a list or map there is a type error; field
/// names match as Go's JSON decoder matches them, ignoring case.
pub fn read_head(doc: &str) -> Result<Head, String> {
    // Most documents are plain block YAML, which the quick reader validates and
    // reads many times faster; anything else, and every error, takes the full path.
    match read_head_quickly(doc) {
        Some(head) => Ok(head),
        None => read_head_in_full(doc),
    }
}

/// [`read_head`] through the quick reader only: `None` when the document is
/// outside its subset or the head has an error.
pub fn read_head_quickly(doc: &str) -> Option<Head> {
    let map = crate::yaml::quick::quick_read(doc, &is_head_path)?;
    head_of(&map).ok()
}

/// [`read_head`] through the general YAML reader only (the reference the quick
/// path is tested against).
pub fn read_head_in_full(doc: &str) -> Result<Head, String> {
    let value = crate::yaml::parse_value_typed(doc)
        .map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    match &value {
        Value::Nil => Ok(Head::default()),
        Value::Map(m) => head_of(m),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type releaseutil.SimpleHead",
            json_kind(other)
        )),
    }
}

/// Whether a key path leads to a part of the head (keys compared as Go's JSON
/// decoder compares field names).
fn is_head_path(path: &[&str]) -> bool {
    match path {
        [k] => folds_to(k, "apiVersion") || folds_to(k, "kind") || folds_to(k, "metadata"),
        [m, k] => folds_to(m, "metadata") && (folds_to(k, "name") || folds_to(k, "annotations")),
        [m, a, _] => folds_to(m, "metadata") && folds_to(a, "annotations"),
        _ => false,
    }
}

/// Go's case folding of JSON field names: ASCII case, `ſ` as `s`, the Kelvin sign
/// as `k`.
fn folds_to(key: &str, name: &str) -> bool {
    fn fold(c: char) -> char {
        match c {
            '\u{17f}' => 's',
            '\u{212a}' => 'k',
            c => c.to_ascii_lowercase(),
        }
    }
    key.chars().map(fold).eq(name.chars().map(fold))
}

/// The head of a document whose root is `map`.
fn head_of(map: &crate::gotmpl::Map) -> Result<Head, String> {
    let mut head = Head {
        api_version: head_string(field(map, "apiVersion"), "SimpleHead.apiVersion")?,
        kind: head_string(field(map, "kind"), "SimpleHead.kind")?,
        ..Head::default()
    };
    match field(map, "metadata") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(meta)) => {
            head.has_metadata = true;
            head.name = head_string(field(meta, "name"), ".metadata.name")?;
            match field(meta, "annotations") {
                None | Some(Value::Nil) => {}
                Some(Value::Map(ann)) => {
                    for (k, v) in ann.iter() {
                        let v = head_string(Some(v), ".metadata.annotations")?;
                        head.annotations.insert(k.clone(), v);
                    }
                }
                Some(other) => {
                    return Err(type_error(
                        other,
                        ".metadata.annotations",
                        "map[string]string",
                    ));
                }
            }
        }
        Some(other) => {
            return Err(type_error(
                other,
                "SimpleHead.metadata",
                "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
            ));
        }
    }
    Ok(head)
}

/// The value Go's JSON decoder puts in the struct field `name`: keys match it
/// ignoring case (with Go's folding of `ſ` and the Kelvin sign), and of several
/// matching keys the last in the sorted JSON object wins.
fn field<'a>(map: &'a crate::gotmpl::Map, name: &str) -> Option<&'a Value> {
    let mut best: Option<(&String, &Value)> = None;
    for (k, v) in map.iter() {
        if folds_to(k, name) && best.is_none_or(|(b, _)| k.as_str() > b.as_str()) {
            best = Some((k, v));
        }
    }
    best.map(|(_, v)| v)
}

/// A head field of type `string`: strings as they are, null as empty, numbers and
/// booleans as sigs.k8s.io/yaml turns them into text, anything else a type error.
fn head_string(v: Option<&Value>, field: &str) -> Result<String, String> {
    match v {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
        Some(other) => match crate::yaml::go_string_field(other) {
            Some(text) => Ok(text),
            None => Err(type_error(other, field, "string")),
        },
    }
}

/// Go's `UnmarshalTypeError` text; `field` is the struct's type name and the
/// field's path (the metadata struct is anonymous, so its fields read
/// `.metadata.name`).
fn type_error(v: &Value, field: &str, go_type: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
        json_kind(v)
    )
}

/// The JSON kind word Go's decoder uses in type errors.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

/// A document's head, or the error reading it.
pub type ReadHead = Result<Head, String>;

/// A rendered file's documents, each with its head or the error reading it.
pub type ReadFile = Vec<(String, ReadHead)>;

/// Whether [`sort_manifests`] reads the file at `path` with this content:
/// partials and blank files are skipped.
pub fn is_manifest_file(path: &str, content: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    !base.starts_with('_') && !trim_space(content).is_empty()
}

/// A rendered file split into documents and their heads read, as
/// [`sort_manifests`] would: done ahead by a caller that has the file early.
pub fn read_file(content: &str) -> ReadFile {
    split_manifests(content)
        .into_iter()
        .map(|doc| {
            let head = read_head(&doc);
            (doc, head)
        })
        .collect()
}

/// Helm's `SortManifests`: files in path order (partials and blank files skipped),
/// documents in file order, then hooks and resources each stable-sorted by kind.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    order: &[&str],
) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    sort_read_manifests(files, order, HashMap::new())
}

/// [`sort_manifests`] with some files already read by [`read_file`] (keyed by
/// path, from the same content as in `files`); the rest are read here.
pub fn sort_read_manifests(
    files: &BTreeMap<String, String>,
    order: &[&str],
    mut read: HashMap<String, ReadFile>,
) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    let mut docs: Vec<(&String, String, Option<ReadHead>)> = Vec::new();
    for (path, content) in files {
        if !is_manifest_file(path, content) {
            continue;
        }
        match read.remove(path) {
            Some(ahead) => docs.extend(ahead.into_iter().map(|(d, h)| (path, d, Some(h)))),
            None => docs.extend(
                split_manifests(content)
                    .into_iter()
                    .map(|d| (path, d, None)),
            ),
        }
    }
    // Reading the documents is most of the work for large charts: spread it over
    // the cores; the first error in document order is the one reported.
    let unread: Vec<&str> = docs
        .iter()
        .filter(|(_, _, h)| h.is_none())
        .map(|(_, d, _)| d.as_str())
        .collect();
    let mut fresh = read_heads(&unread).into_iter();
    for (path, doc, head) in docs {
        let head = match head {
            Some(h) => h,
            None => fresh.next().unwrap_or_else(|| read_head(&doc)),
        };
        let head = head.map_err(|message| ManifestError {
            path: path.clone(),
            message,
        })?;
        let path = path.clone();
        let Some(hook_types) = head.annotations.get(HOOK_ANNOTATION) else {
            generic.push(Manifest {
                name: path.clone(),
                content: doc,
                head,
            });
            continue;
        };
        let mut events = Vec::new();
        let mut unknown = false;
        for t in hook_types.split(',') {
            let t = trim_space(t).to_lowercase();
            match HOOK_EVENTS.iter().find(|(n, _)| *n == t) {
                Some((_, e)) => events.push(e.to_string()),
                None => {
                    unknown = true;
                    break;
                }
            }
        }
        if unknown {
            continue;
        }
        let weight = head
            .annotations
            .get(HOOK_WEIGHT_ANNOTATION)
            .and_then(|w| go_atoi(w))
            .unwrap_or(0);
        let delete_policies = head
            .annotations
            .get(HOOK_DELETE_ANNOTATION)
            .map(|p| p.split(',').map(|s| trim_space(s).to_lowercase()).collect())
            .unwrap_or_default();
        hooks.push(Hook {
            name: head.name.clone(),
            kind: head.kind.clone(),
            path: path.clone(),
            manifest: doc,
            events,
            weight,
            delete_policies,
        });
    }
    hooks.sort_by(|a, b| kind_cmp(&a.kind, &b.kind, order));
    generic.sort_by(|a, b| kind_cmp(&a.head.kind, &b.head.kind, order));
    Ok((hooks, generic))
}

/// [`read_head`] of every document, in order, on several threads when there is
/// enough text to be worth it.
fn read_heads(docs: &[&str]) -> Vec<ReadHead> {
    let total: usize = docs.iter().map(|d| d.len()).sum();
    // Asked only when there is enough text: the answer takes reading cgroup
    // files, tens of microseconds.
    let threads = if total < 256 * 1024 {
        1
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    };
    if threads < 2 {
        return docs.iter().map(|d| read_head(d)).collect();
    }
    let chunk = docs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let read_part = |part: &[&str]| part.iter().map(|d| read_head(d)).collect::<Vec<_>>();
        // A part whose thread the system refused is read on this one.
        let handles: Vec<_> = docs
            .chunks(chunk.max(1))
            .map(|part| (part, crate::threads::beside(s, move || read_part(part))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, h)| h.result().unwrap_or_else(|| read_part(part)))
            .collect()
    })
}

/// Go's `strconv.Atoi`: optional sign, decimal digits, within 64 bits.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Helm's `lessByKind` as an ordering (used with a stable sort).
fn kind_cmp(a: &str, b: &str, order: &[&str]) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let pa = order.iter().position(|k| *k == a);
    let pb = order.iter().position(|k| *k == b);
    match (pa, pb) {
        (None, None) => a.cmp(b),
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(&y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of up to six pieces over the characters that matter agrees
    /// with Helm's separator, written as a regexp with Go's `\s` spelled out.
    #[test]
    fn documents_split_where_helms_separator_splits() {
        let helm = regex::Regex::new("(?:^|[\t\n\x0c\r ]*\n)---[\t\n\x0c\r ]*").expect("regexp");
        let pieces = ["-", "\n", " ", "\u{0b}", "a", "---", "\u{a0}"];
        let mut strings = vec![String::new()];
        let mut level = vec![String::new()];
        for _ in 0..6 {
            level = level
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            strings.extend(level.iter().cloned());
        }
        assert!(strings.len() > 100_000);
        for s in &strings {
            let expected: Vec<(usize, usize)> =
                helm.find_iter(s).map(|m| (m.start(), m.end())).collect();
            assert_eq!(separators(s), expected, "{s:?}");
        }
        assert_eq!(
            split_manifests("a: 1\n---\nb: 2\n \n---  \n\n---\n"),
            // The spaces after a separator swallow the newline a third one needs.
            ["a: 1", "b: 2", "---"]
        );
        assert_eq!(split_manifests("---\na\n---\u{0b}\nb"), ["a", "b"]);
    }

    #[test]
    fn files_read_ahead_sort_as_files_read_here() {
        let files: BTreeMap<String, String> = [
            ("c/templates/_h.tpl", "x: 1"),
            ("c/templates/a.yaml", "kind: Service\nmetadata:\n  name: a\n---\nkind: Deployment\nmetadata:\n  name: b\n"),
            ("c/templates/hook.yaml", "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: \"5\"\n"),
            ("c/templates/blank.yaml", "  \n"),
            ("c/templates/z.yaml", "kind: ConfigMap\nmetadata:\n  name: z\n"),
        ]
        .into_iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect();
        let here = sort_manifests(&files, INSTALL_ORDER).expect("valid");
        assert_eq!(here.0.len(), 1);
        assert_eq!(here.1.len(), 3);
        // All files read ahead, then only some.
        for every in [1, 2] {
            let ahead: HashMap<String, ReadFile> = files
                .iter()
                .enumerate()
                .filter(|(i, (p, c))| i % every == 0 && is_manifest_file(p, c))
                .map(|(_, (p, c))| (p.clone(), read_file(c)))
                .collect();
            let read = sort_read_manifests(&files, INSTALL_ORDER, ahead).expect("valid");
            assert_eq!(read, here);
        }
        // An invalid document gives the same error either way.
        let mut bad = files.clone();
        bad.insert("c/templates/b.yaml".into(), "kind: [\n".into());
        let here = sort_manifests(&bad, INSTALL_ORDER)
            .expect_err("invalid")
            .to_string();
        let ahead = bad.iter().map(|(p, c)| (p.clone(), read_file(c))).collect();
        let read = sort_read_manifests(&bad, INSTALL_ORDER, ahead).expect_err("invalid");
        assert_eq!(read.to_string(), here);
        assert!(
            here.starts_with("YAML parse error on c/templates/b.yaml"),
            "{here}"
        );
    }

    #[test]
    fn splits_like_helm() {
        let docs = split_manifests("\n---\na: 1\n---\n\nb: 2\n---   \nc: 3\n");
        assert_eq!(docs, vec!["a: 1", "b: 2", "c: 3"]);
        // A separator must start its line.
        assert_eq!(split_manifests("a: 1\n  --- x"), vec!["a: 1\n  --- x"]);

        assert_eq!(split_manifests("   \n"), Vec::<String>::new());
        assert_eq!(
            split_manifests("# only a comment"),
            vec!["# only a comment"]
        );
    }

    #[test]
    fn unknown_kinds_sort_last_alphabetically() {
        let mut kinds = vec!["Zeta", "Deployment", "Alpha", "Namespace", "Service"];
        kinds.sort_by(|a, b| kind_cmp(a, b, INSTALL_ORDER));
        assert_eq!(
            kinds,
            vec!["Namespace", "Service", "Deployment", "Alpha", "Zeta"]
        );
    }

    #[test]
    fn atoi_is_strict() {
        assert_eq!(go_atoi("-5"), Some(-5));
        assert_eq!(go_atoi("+3"), Some(3));
        assert_eq!(go_atoi("1.0"), None);
        assert_eq!(go_atoi(""), None);
    }
}
