//! Differential test of the read-only release commands: on one charter-sandbox, real
//! Helm 3.17 creates releases in every state it can reach (deployed, superseded,
//! failed, pending, uninstalled; Secrets and ConfigMaps; two namespaces; labels; a test
//! run; values JSON and YAML must escape with care), then `list`, `history`, `status`
//! and `get` run through Helm and through charter with the same arguments and the same
//! environment, and their stdout, stderr and exit code must match. Every mismatch is
//! collected and printed as a diff at the end, so one run shows them all.

#[path = "common/sandbox.rs"]
mod sandbox_helper;

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sandbox_helper::{Sandbox, chart, tool};

/// What one run printed and how it ended.
struct Ran {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

/// Runs Helm or charter with one fixed environment: nothing inherited but `PATH`, the
/// sandbox's kubeconfig, a private home, `TZ=UTC`, and `HELM_DRIVER` when asked for.
struct Runner<'a> {
    sb: &'a Sandbox,
    path: OsString,
}

impl<'a> Runner<'a> {
    fn new(sb: &'a Sandbox) -> Self {
        Runner {
            sb,
            path: std::env::var_os("PATH").unwrap_or_default(),
        }
    }

    fn command(&self, tool: &Path, args: &[&str], extra: &[(&str, &str)]) -> Command {
        let home = self.sb.dir.path();
        let mut cmd = Command::new(tool);
        cmd.args(args)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", home)
            .env("KUBECONFIG", &self.sb.kubeconfig)
            .env("HELM_CACHE_HOME", home.join("helm-cache"))
            .env("HELM_CONFIG_HOME", home.join("helm-config"))
            .env("HELM_DATA_HOME", home.join("helm-data"))
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs to the end, bounded to 120 s; the pipes are drained while it runs.
    fn run(&self, tool: &Path, args: &[&str], extra: &[(&str, &str)]) -> Ran {
        let mut child = self
            .command(tool, args, extra)
            .spawn()
            .unwrap_or_else(|e| panic!("failed to run {}: {e}", tool.display()));
        let out = drain(child.stdout.take());
        let err = drain(child.stderr.take());
        let deadline = Instant::now() + Duration::from_secs(120);
        let status = loop {
            if let Some(s) = child.try_wait().expect("child waited on") {
                break s;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{} {args:?} did not finish in 120 s", tool.display());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        Ran {
            stdout: out.join().expect("stdout read"),
            stderr: err.join().expect("stderr read"),
            code: status.code(),
        }
    }

    /// Runs and requires success.
    fn ok(&self, tool: &Path, args: &[&str], extra: &[(&str, &str)]) -> String {
        let r = self.run(tool, args, extra);
        assert_eq!(
            r.code,
            Some(0),
            "{} {args:?} failed:\nstdout: {}\nstderr: {}",
            tool.display(),
            r.stdout,
            r.stderr
        );
        r.stdout
    }

    /// Runs and requires failure.
    fn fails(&self, tool: &Path, args: &[&str], extra: &[(&str, &str)]) {
        let r = self.run(tool, args, extra);
        assert_ne!(
            r.code,
            Some(0),
            "{} {args:?} unexpectedly succeeded:\n{}",
            tool.display(),
            r.stdout
        );
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Copies a directory tree.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("directory made");
    for entry in std::fs::read_dir(from).expect("directory read") {
        let entry = entry.expect("entry read");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("file copied");
        }
    }
}

/// The `app` test chart with a NOTES.txt added, so `get notes` and `status` have notes.
fn app_with_notes(dir: &Path) -> String {
    let app = dir.join("app");
    copy_tree(Path::new(&chart("app")), &app);
    std::fs::write(
        app.join("templates/NOTES.txt"),
        "{{ .Release.Name }} is running in {{ .Release.Namespace }}.\n\
         Message: {{ .Values.message }}\n\
         Reach it at http://{{ .Release.Name }}-web:{{ .Values.port }}/\n",
    )
    .expect("NOTES.txt written");
    app.display().to_string()
}

/// The `app` chart renamed `wide`, with a prerelease version and an app version of
/// wide (East Asian) and non-ASCII characters, which tables must pad by display width.
fn wide_chart(dir: &Path) -> String {
    let wide = dir.join("wide");
    copy_tree(Path::new(&chart("app")), &wide);
    std::fs::write(
        wide.join("Chart.yaml"),
        "apiVersion: v2\n\
         name: wide\n\
         version: 1.2.3-rc.1\n\
         appVersion: \"β-1.0 日本語\"\n\
         description: The app chart with a wide app version.\n",
    )
    .expect("Chart.yaml written");
    wide.display().to_string()
}

/// User values that JSON and YAML encoders must treat with care: HTML characters (Go's
/// JSON escapes `<`, `>`, `&`), newlines, quotes, non-ASCII, floats and integers too
/// large for 64 bits (a values file's numbers come back from storage as float64),
/// keys Helm's YAML 1.1 parser reads as booleans (`n`, `y`: stored as "false", "true"),
/// strings YAML would read as other types, nulls, empty collections and nesting.
const TRICKY_VALUES: &str = r#"message: "tricky <values> & more"
html: "<b>&amp;</b> 'single' \"double\" \\ back"
multi: |
  line one
  line two
trailing: "ends with spaces   "
unicode: "héllo wörld ✓ 日本語 😀 \u00e9\u2028"
control: "tab\there bell\u0007"
n: 1
f: 1.5
y: YAML 1.1 reads the keys n and y as booleans
big: 12345678901234567890
maxint: 9223372036854775807
small: 0.000001
exp: 1.0e+25
neg: -42
zero: 0
t: true
nothing: null
empty: ""
emptylist: []
emptymap: {}
yesno: "yes"
octal: "0755"
date: "2024-01-01"
numstr: "12"
"key with: colon": 1
"": blank key
list:
  - 1
  - two
  - 3.5
  - k: v
  - [a, b]
nested:
  a:
    b:
      c: deep
"#;

/// Environment added to the fixed one of [`Runner`].
type Env = &'static [(&'static str, &'static str)];
const NONE: Env = &[];
const CONFIGMAP: Env = &[("HELM_DRIVER", "configmap")];
const EAST_ASIAN: Env = &[("HELM_DRIVER", "configmap"), ("LANG", "ja_JP.UTF-8")];

/// `list` cases (default driver), compared exactly.
const LIST_CASES: &[&[&str]] = &[
    &["list"],
    &["ls"],
    &["list", "-A"],
    &["list", "-a"],
    &["list", "-a", "-A"],
    &["list", "--superseded"],
    &["list", "--superseded", "-A"],
    &["list", "--uninstalled"],
    &["list", "--failed"],
    &["list", "--deployed"],
    &["list", "--pending"],
    &["list", "--deployed", "--failed", "--pending"],
    &["list", "--uninstalling"],
    &["list", "-d"],
    &["list", "-r"],
    &["list", "-d", "-r"],
    &["list", "-a", "-d"],
    &["list", "-a", "-d", "-r"],
    &["list", "-a", "-A", "-d"],
    &["list", "-a", "-A", "-d", "-r", "-o", "json"],
    &["list", "-m", "1"],
    &["list", "-a", "-m", "2"],
    &["list", "--offset", "1"],
    &["list", "-a", "--offset", "2", "-m", "2"],
    &["list", "--offset", "99"],
    &["list", "-f", "^w"],
    &["list", "-a", "-f", "o"],
    &["list", "-f", "nomatch"],
    &["list", "-l", "team=db", "-A"],
    &["list", "-l", "team=db"],
    &["list", "-l", "tier!=data", "-A"],
    &["list", "-q"],
    &["list", "-a", "-q"],
    &["list", "-q", "-o", "json"],
    &["list", "-q", "-o", "yaml"],
    &["list", "-o", "json"],
    &["list", "-o", "json", "-A"],
    &["list", "-o", "yaml", "-A"],
    &["list", "-a", "-o", "json"],
    &["list", "-a", "-o", "yaml"],
    &["list", "-o", "table"],
    &["list", "--no-headers"],
    &["list", "-a", "--no-headers", "-A"],
    &["list", "--time-format", "2006-01-02T15:04:05Z07:00"],
    &["list", "--time-format", "Jan _2 15:04:05.000 MST", "-a"],
    &["list", "--time-format", "2006-01-02", "-o", "json"],
    &["list", "-n", "other"],
    &["list", "--namespace=other", "-a"],
    &["list", "-n", "nowhere"],
    &["list", "-n", "nowhere", "-o", "json"],
    &["list", "-n", "nowhere", "-o", "yaml"],
    &["list", "-n", "nowhere", "-q"],
    &["list", "-A", "-n", "other"],
    &["list", "-n", "default"],
    &["list", "-A", "--no-headers", "-q"],
    &["list", "-o", "json", "--no-headers"],
    &["list", "-o", "yaml", "--time-format", "2006"],
    &["list", "--time-format", ""],
    &["list", "--superseded", "--deployed"],
    &["list", "--superseded", "--uninstalled", "-a"],
    &["list", "-m", "0"],
    &["list", "-r", "--offset", "1", "-m", "1"],
    &["list", "-f", "(?i)WEB"],
    &["list", "-a", "-f", "w.b|^s"],
    &["list", "-a", "-f", "[a-c]"],
    &["list", "-l", "owner=helm", "-A"],
    &["list", "-a", "-l", "status=superseded"],
    &["list", "--superseded", "-l", "version=1"],
    &["list", "-a", "-l", "status in (failed,uninstalled)"],
    &["list", "-l", "name in (web,db)", "-A"],
    &["list", "-l", "version=3"],
    &["list", "-a", "-l", "!team", "-A"],
    &["list", "-l", "team", "-A", "-o", "yaml"],
];

/// `history`, `status` and `get` cases (default driver), compared exactly.
const RELEASE_CASES: &[&[&str]] = &[
    &["history", "web"],
    &["history", "web", "-o", "json"],
    &["history", "web", "-o", "yaml"],
    &["history", "web", "-o", "table"],
    &["history", "web", "--max", "1"],
    &["history", "web", "--max", "2", "-o", "json"],
    &["history", "bad"],
    &["history", "gone"],
    &["history", "slow"],
    &["history", "db", "-n", "other"],
    &["history", "bad", "-o", "json"],
    &["status", "bad", "--show-desc"],
    &["history", "nope"],
    &["history", "db"],
    &["status", "web"],
    &["status", "web", "--revision", "1"],
    &["status", "web", "--revision", "2"],
    &["status", "web", "--show-desc"],
    &["status", "web", "-o", "json"],
    &["status", "web", "-o", "yaml"],
    &["status", "web", "--revision", "1", "-o", "json"],
    &["status", "gone"],
    &["status", "bad"],
    &["status", "slow"],
    &["status", "nope"],
    &["status", "db", "-n", "other"],
    &["status", "db", "-n", "other", "-o", "yaml"],
    &["status", "web", "--revision", "99"],
    &["get", "values", "web"],
    &["get", "values", "web", "-a"],
    &["get", "values", "web", "--all"],
    &["get", "values", "web", "-o", "json"],
    &["get", "values", "web", "-a", "-o", "json"],
    &["get", "values", "web", "-o", "yaml"],
    &["get", "values", "web", "-a", "-o", "yaml"],
    &["get", "values", "web", "--revision", "1"],
    &["get", "values", "web", "--revision", "1", "-o", "json"],
    &["get", "values", "web", "--revision", "1", "-o", "yaml"],
    &["get", "values", "web", "--revision", "2"],
    &["get", "values", "db", "-n", "other"],
    &["get", "manifest", "web"],
    &["get", "manifest", "web", "--revision", "1"],
    &["get", "notes", "web"],
    &["get", "notes", "bad"],
    &["get", "notes", "slow"],
    &["get", "hooks", "web"],
    &["get", "hooks", "slow"],
    &["get", "metadata", "web"],
    &["get", "metadata", "web", "-o", "json"],
    &["get", "metadata", "web", "-o", "yaml"],
    &["get", "metadata", "web", "-o", "table"],
    &["get", "metadata", "db", "-n", "other"],
    &["get", "metadata", "gone"],
    &["get", "all", "web"],
    &["get", "all", "web", "--revision", "1"],
    &["get", "all", "web", "--template", "{{.Release.Name}}"],
    &[
        "get",
        "all",
        "web",
        "--template",
        "{{.Release.Name}} {{.Release.Version}} {{.Release.Info.Status}}\n",
    ],
    &["get", "all", "db", "-n", "other"],
    &["get", "values", "nope"],
    &["get", "manifest", "nope"],
    &["get", "manifest", "web", "--revision", "99"],
    &["get", "notes", "web", "--revision", "99"],
];

/// Cases read with `HELM_DRIVER=configmap`, compared exactly. The ConfigMap store also
/// holds `uni`, whose wide characters would otherwise show in every `-A` case above.
const CONFIGMAP_CASES: &[&[&str]] = &[
    &["list"],
    &["list", "-a", "-A"],
    &["list", "-o", "json"],
    &["history", "cm"],
    &["status", "cm"],
    &["get", "all", "cm"],
    &["get", "values", "cm", "-o", "json"],
    &["history", "web"],
    &["list", "-A"],
    &["list", "-n", "other", "--no-headers"],
    &["history", "uni", "-n", "other"],
    &["history", "uni", "-n", "other", "-o", "yaml"],
    &["status", "uni", "-n", "other", "--show-desc"],
    &["get", "metadata", "uni", "-n", "other"],
    &["get", "metadata", "uni", "-n", "other", "-o", "json"],
];

/// Cases run with a Japanese locale: Helm's tables measure text with go-runewidth, which
/// reads `LC_ALL`, `LC_CTYPE` or `LANG` and then counts East Asian ambiguous-width
/// characters (`β`, `✓`, ...) as two columns.
const EAST_ASIAN_CASES: &[&[&str]] = &[
    &["list", "-A"],
    &["list", "-n", "other", "-a"],
    &["history", "uni", "-n", "other"],
    &["list", "-q"],
];

/// Errors whose wording may legitimately differ (charter may say it more clearly):
/// the exit code and stdout must match, and both stderrs must start with "Error: ".
const LOOSE_ERROR_CASES: &[&[&str]] = &[
    &["list", "-o", "xml"],
    &["list", "-l", "team in (db"],
    &["list", "-m", "x"],
    &["list", "-f", "["],
    &["list", "-o", "JSON"],
    &["list", "extra"],
    &["list", "--bogus"],
    &["history"],
    &["history", "web", "-o", "xml"],
    &["status"],
    &["status", "web", "-o", "xml"],
    &["get", "values"],
    &["get", "values", "web", "-o", "xml"],
    &["get", "all", "web", "--template", "{{.Release.Name"],
];

#[test]
fn release_commands_match_helm() {
    let started = Instant::now();
    let sb = Sandbox::start();
    let helm = tool("3");
    let kubectl = tool("kubectl");
    let charter = PathBuf::from(env!("CARGO_BIN_EXE_charter"));
    let run = Runner::new(&sb);
    let work = tempfile::tempdir().expect("temp dir");
    let app = app_with_notes(work.path());
    let wide = wide_chart(work.path());
    let tricky = work.path().join("tricky.yaml");
    std::fs::write(&tricky, TRICKY_VALUES).expect("values written");
    let tricky = tricky.display().to_string();
    let h = helm.as_path();
    let t60 = ["--timeout", "60s"];
    let with_timeout = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(t60.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let helm_ok = |args: &[&str], extra: &[(&str, &str)]| {
        let owned = with_timeout(args);
        let args: Vec<&str> = owned.iter().map(String::as_str).collect();
        run.ok(h, &args, extra);
    };

    // web: deployed at revision 3 over two superseded revisions, with tricky values,
    // a custom description and a recorded test run.
    helm_ok(&["install", "web", &app], NONE);
    helm_ok(&["upgrade", "web", &app, "--set", "message=second"], NONE);
    helm_ok(
        &[
            "upgrade",
            "web",
            &app,
            "-f",
            &tricky,
            "--set-string",
            "setstr=<b>&</b>",
            "--set",
            "setint=7,setbig=12345678901234567890,setfloat=2.25",
            "--set-json",
            r#"json={"k":[1,2.5,null,true,"x<y"]}"#,
            "--description",
            "custom text",
        ],
        NONE,
    );
    helm_ok(&["test", "web"], NONE);

    // db: another namespace, with release labels.
    next_second();
    helm_ok(
        &[
            "install",
            "db",
            &app,
            "-n",
            "other",
            "--create-namespace",
            "--labels",
            "team=db,tier=data",
        ],
        NONE,
    );

    // uni: wide characters in its chart's app version and in a description; kept in
    // ConfigMaps.
    next_second();
    helm_ok(&["install", "uni", &wide, "-n", "other"], CONFIGMAP);
    helm_ok(
        &[
            "upgrade",
            "uni",
            &wide,
            "-n",
            "other",
            "--description",
            "déjà vu ✓ 日本語の説明",
        ],
        CONFIGMAP,
    );

    // bad: failed, its post-install hook Job fails.
    next_second();
    let owned = with_timeout(&["install", "bad", &app, "--set", "hookFails=true"]);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    run.fails(h, &args, NONE);

    // gone: uninstalled with its history kept.
    next_second();
    helm_ok(&["install", "gone", &app], NONE);
    run.ok(h, &["uninstall", "gone", "--keep-history"], NONE);

    // cm: stored in a ConfigMap.
    next_second();
    helm_ok(&["install", "cm", &app], CONFIGMAP);

    // slow: left pending-install, its Helm killed while it waits for a Deployment
    // that never becomes ready.
    next_second();
    leave_pending(&run, h, &kubectl, &app);

    let setup = started.elapsed();

    // (extra environment, cases, compared exactly)
    let groups: &[(Env, &[&[&str]], bool)] = &[
        (NONE, LIST_CASES, true),
        (NONE, RELEASE_CASES, true),
        (CONFIGMAP, CONFIGMAP_CASES, true),
        (EAST_ASIAN, EAST_ASIAN_CASES, true),
        (NONE, LOOSE_ERROR_CASES, false),
    ];
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (extra, cases, exact) in groups {
        for args in *cases {
            compared += 1;
            compare(&run, h, &charter, args, extra, *exact, &mut mismatches);
        }
    }
    eprintln!(
        "release_cli: scenario built in {:.1} s, {compared} cases compared in {:.1} s, {} mismatches",
        setup.as_secs_f64(),
        (started.elapsed() - setup).as_secs_f64(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} cases differ from Helm 3.17:\n\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Sleeps into the next wall-clock second. Helm sorts `list -d` on whole seconds, and
/// releases deployed in the same second come out in Go's map order (random), so each
/// release gets a second of its own.
fn next_second() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    std::thread::sleep(Duration::from_nanos(
        1_000_000_000 - u64::from(now.subsec_nanos()) + 5_000_000,
    ));
}

/// Starts `helm install slow --wait` on a Deployment that never becomes ready, waits
/// (bounded) until its release record says pending-install, and kills that Helm.
fn leave_pending(run: &Runner, helm: &Path, kubectl: &Path, app: &str) {
    let mut child: Child = run
        .command(
            helm,
            &[
                "install",
                "slow",
                app,
                "--set",
                "neverReady=true",
                "--wait",
                "--timeout",
                "60s",
            ],
            NONE,
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("helm install slow starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    while Instant::now() < deadline {
        last = run.ok(
            kubectl,
            &["get", "deploy", "-l", "app=slow", "-o", "name"],
            NONE,
        );
        let status = run.ok(
            kubectl,
            &[
                "get",
                "secrets",
                "-l",
                "owner=helm,name=slow",
                "-o",
                "jsonpath={.items[*].metadata.labels.status}",
            ],
            NONE,
        );
        // The Deployment exists once Helm has created the resources and is waiting.
        if status == "pending-install" && last.contains("deployment") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let status = run.ok(
        kubectl,
        &[
            "get",
            "secrets",
            "-l",
            "owner=helm,name=slow",
            "-o",
            "jsonpath={.items[*].metadata.labels.status}",
        ],
        NONE,
    );
    assert_eq!(status, "pending-install", "slow is pending ({last})");
}

/// Runs one case through both tools and records a mismatch. `exact`: stdout, stderr and
/// exit code must be identical; otherwise (an error whose wording may differ) the exit
/// code and stdout must be, and both stderrs must start with "Error: ".
fn compare(
    run: &Runner,
    helm: &Path,
    charter: &Path,
    args: &[&str],
    extra: &[(&str, &str)],
    exact: bool,
    mismatches: &mut Vec<String>,
) {
    let want = run.run(helm, args, extra);
    let got = run.run(charter, args, extra);
    let mut report = String::new();
    if want.code != got.code {
        report.push_str(&format!(
            "exit code: helm {:?}, charter {:?}\n",
            want.code, got.code
        ));
    }
    if want.stdout != got.stdout {
        report.push_str(&diff("stdout", &want.stdout, &got.stdout));
    }
    if exact {
        if want.stderr != got.stderr {
            report.push_str(&diff("stderr", &want.stderr, &got.stderr));
        }
    } else {
        assert!(
            want.code != Some(0),
            "Helm succeeded on the error case {args:?}: {}",
            want.stdout
        );
        assert!(
            want.stderr.starts_with("Error: "),
            "Helm's stderr on {args:?}: {}",
            want.stderr
        );
        if !got.stderr.starts_with("Error: ") {
            report.push_str(&diff(
                "stderr (should start \"Error: \")",
                &want.stderr,
                &got.stderr,
            ));
        }
    }
    if !report.is_empty() {
        let env: String = extra.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        mismatches.push(format!("=== {env}{}\n{report}", shell_words(args)));
    }
}

/// The arguments as one would type them.
fn shell_words(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_=.,/:^".contains(c))
            {
                a.to_string()
            } else {
                format!("'{}'", a.replace('\'', r"'\''").replace('\n', r"\n"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A unified-looking line diff of `want` (Helm) and `got` (charter), three lines of
/// context around each change; lines ending without a newline are marked.
fn diff(what: &str, want: &str, got: &str) -> String {
    let a: Vec<&str> = want.split_inclusive('\n').collect();
    let b: Vec<&str> = got.split_inclusive('\n').collect();
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(('+', b[j]));
            j += 1;
        } else {
            lines.push(('-', a[i]));
            i += 1;
        }
    }
    const CONTEXT: usize = 3;
    let near_change = |k: usize| {
        let lo = k.saturating_sub(CONTEXT);
        let hi = (k + CONTEXT).min(lines.len() - 1);
        lines[lo..=hi].iter().any(|(m, _)| *m != ' ')
    };
    let mut out = format!("--- helm {what}\n+++ charter {what}\n");
    let mut skipped = false;
    for (k, (mark, line)) in lines.iter().enumerate() {
        if !near_change(k) {
            if !skipped {
                out.push_str("@@\n");
                skipped = true;
            }
            continue;
        }
        skipped = false;
        out.push(*mark);
        match line.strip_suffix('\n') {
            Some(l) => {
                out.push_str(l);
                out.push('\n');
            }
            None => {
                out.push_str(line);
                out.push_str("\n\\ No newline at end of output\n");
            }
        }
    }
    out
}
