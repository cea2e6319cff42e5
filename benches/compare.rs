//! charter vs Helm, on the same work in the same run: wall time and peak memory of
//! `template` over the public corpus, over its five largest charts, and over a large
//! synthetic template set (the engine benchmark); and of the release commands
//! (`install`, `upgrade`, `list`/`status`/`history`, `uninstall` of the bundled
//! guestbook chart) against charter-sandbox. Prints each ratio.
//!
//! Run: `cargo bench --bench compare` (needs `../shared`; builds nothing itself:
//! it uses the release binary that cargo builds for the bench). Options through
//! the environment: `BENCH_ROUNDS` (default 3) repeats each measurement and keeps
//! the best wall time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    wall: Duration,
    /// Peak resident memory of the child, in KiB.
    max_rss_kib: i64,
    ok: bool,
}

/// Runs a command to completion and reports its wall time and peak RSS
/// (from `wait4`'s rusage, so only the child is measured).
fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, status and usage are valid out-pointers.
    unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    std::mem::forget(child);
    Run {
        wall,
        max_rss_kib: usage.ru_maxrss,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

struct Case {
    dir: PathBuf,
    chart: PathBuf,
    release: String,
    namespace: String,
    args: Vec<String>,
}

fn load_cases(corpus: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut dirs: Vec<PathBuf> = fs::read_dir(corpus.join("cases"))
        .expect("corpus cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    for dir in dirs {
        let Ok(text) = fs::read_to_string(dir.join("case.json")) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if v["expect"] != "ok" {
            continue;
        }
        cases.push(Case {
            chart: corpus.join(v["chart"].as_str().unwrap_or_default()),
            release: v["release"].as_str().unwrap_or("release").to_string(),
            namespace: v["namespace"].as_str().unwrap_or("default").to_string(),
            args: v["args"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            dir,
        });
    }
    cases
}

fn template_cmd(bin: &Path, case: &Case, home: &Path) -> Command {
    let mut c = Command::new(bin);
    c.current_dir(&case.dir)
        .arg("template")
        .arg(&case.release)
        .arg(&case.chart)
        .arg("--namespace")
        .arg(&case.namespace)
        .args(&case.args)
        .env("HOME", home)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("no-kubeconfig"));
    c
}

struct Totals {
    wall: Duration,
    peak_kib: i64,
    failures: usize,
}

fn measure(bin: &Path, cases: &[&Case], home: &Path, rounds: usize) -> Totals {
    let mut best: Option<Totals> = None;
    for _ in 0..rounds {
        let mut t = Totals {
            wall: Duration::ZERO,
            peak_kib: 0,
            failures: 0,
        };
        for case in cases {
            let r = run(&mut template_cmd(bin, case, home));
            t.wall += r.wall;
            t.peak_kib = t.peak_kib.max(r.max_rss_kib);
            if !r.ok {
                t.failures += 1;
            }
        }
        if best.as_ref().is_none_or(|b| t.wall < b.wall) {
            best = Some(t);
        }
    }
    best.expect("at least one round")
}

fn report(label: &str, charter: &Totals, helm: &Totals) {
    let speed = helm.wall.as_secs_f64() / charter.wall.as_secs_f64().max(1e-9);
    let mem = helm.peak_kib as f64 / (charter.peak_kib.max(1)) as f64;
    println!(
        "{label:<34} charter {:>9.3}s {:>7.1} MiB | helm {:>9.3}s {:>7.1} MiB | {speed:>6.1}x faster, {mem:>5.1}x less memory{}",
        charter.wall.as_secs_f64(),
        charter.peak_kib as f64 / 1024.0,
        helm.wall.as_secs_f64(),
        helm.peak_kib as f64 / 1024.0,
        if charter.failures + helm.failures > 0 {
            format!(
                " (failures: charter {}, helm {})",
                charter.failures, helm.failures
            )
        } else {
            String::new()
        }
    );
}

/// A chart with many templates and many actions each: the engine benchmark.
fn synthetic_chart(dir: &Path) -> PathBuf {
    let chart = dir.join("bench-large");
    let templates = chart.join("templates");
    fs::create_dir_all(&templates).expect("mkdir");
    fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: bench-large\nversion: 1.0.0\nappVersion: \"1.0\"\n",
    )
    .expect("write");
    let mut values = String::from("services:\n");
    for i in 0..40 {
        values.push_str(&format!(
            "  - name: svc{i}\n    port: {}\n    replicas: {}\n    env:\n      A: \"x{i}\"\n      B: \"{i}\"\n    labels:\n      tier: t{}\n",
            8000 + i,
            i % 5 + 1,
            i % 3
        ));
    }
    fs::write(chart.join("values.yaml"), values).expect("write");
    fs::write(
        templates.join("_helpers.tpl"),
        r#"{{- define "b.labels" -}}
app.kubernetes.io/name: {{ .name | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- range $k, $v := .labels }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
"#,
    )
    .expect("write");
    for f in 0..30 {
        fs::write(
            templates.join(format!("file{f:02}.yaml")),
            r#"{{- range $i, $s := .Values.services }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $.Release.Name }}-{{ $s.name }}-FILE
  labels:
    {{- include "b.labels" (dict "name" $s.name "root" $ "labels" $s.labels) | nindent 4 }}
spec:
  replicas: {{ $s.replicas }}
  template:
    spec:
      containers:
        - name: {{ $s.name }}
          image: "repo/{{ $s.name }}:{{ $.Chart.AppVersion }}"
          ports:
            - containerPort: {{ $s.port }}
          env:
            {{- range $k, $v := $s.env }}
            - name: {{ $k | upper }}
              value: {{ $v | quote }}
            {{- end }}
          resources:
            {{- toYaml (dict "limits" (dict "cpu" "100m" "memory" "128Mi")) | nindent 12 }}
{{- end }}
"#
            .replace("FILE", &f.to_string()),
        )
        .expect("write");
    }
    chart
}

/// Whether a chart's templates call Sprig's key or certificate generators.
fn generates_keys(chart: &Path) -> bool {
    fn walk(dir: &Path) -> bool {
        let Ok(entries) = fs::read_dir(dir) else {
            return false;
        };
        entries.filter_map(|e| e.ok()).any(|e| {
            let p = e.path();
            if p.is_dir() {
                return walk(&p);
            }
            fs::read_to_string(&p).is_ok_and(|t| {
                [
                    "genCA",
                    "genPrivateKey",
                    "genSelfSignedCert",
                    "genSignedCert",
                    "bcrypt",
                    "htpasswd",
                    "derivePassword",
                ]
                .iter()
                .any(|f| t.contains(f))
            })
        })
    }
    walk(chart)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared");
    let corpus = shared.join("corpus");
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let charter = root.join("target/release/charter");
    if !charter.exists() {
        eprintln!("build first: cargo build --release");
        std::process::exit(2);
    }
    let helm_out = Command::new(shared.join("tools/get-helm"))
        .arg("3")
        .output()
        .expect("get-helm 3");
    let helm = PathBuf::from(String::from_utf8_lossy(&helm_out.stdout).trim().to_string());
    let home = tempfile::tempdir().expect("tempdir");

    // BENCH_ONLY=corpus,large,engine,releases picks some of the parts (all by default).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let part = |name: &str| only.is_empty() || only.split(',').any(|p| p.trim() == name);

    let cases = load_cases(&corpus);
    let all: Vec<&Case> = cases.iter().collect();
    println!("charter vs helm 3.17.3, best of {rounds} rounds");
    if part("corpus") {
        corpus_lines(&charter, &helm, &cases, &all, home.path(), rounds);
    }
    if part("large") {
        large_chart_lines(&charter, &helm, &cases, home.path(), rounds);
    }
    if part("engine") {
        engine_line(&charter, &helm, home.path(), rounds);
    }
    if part("releases") {
        release_lines(&root, &charter, &helm, home.path(), rounds);
    }
}

/// The sandbox API server for the release lines; killed when dropped.
struct Sandbox(std::process::Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// install, upgrade, the reading commands and uninstall of the bundled
/// guestbook chart (three subcharts, eleven objects), each tool on its own
/// releases of one sandbox; best of `rounds` for each command.
fn release_lines(root: &Path, charter: &Path, helm: &Path, home: &Path, rounds: usize) {
    let sandbox_bin = root.join("target/release/charter-sandbox");
    let kubeconfig = home.join("sandbox.kubeconfig");
    let _server = Sandbox(
        Command::new(&sandbox_bin)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["--ready-delay-ms", "20"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("charter-sandbox (cargo build --release builds it)"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while !kubeconfig.exists() {
        assert!(Instant::now() < deadline, "charter-sandbox did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let chart = root.join("charts/guestbook");
    let chart = chart.to_str().expect("utf-8 path");
    let steps: [(&str, &[&str]); 4] = [
        ("install", &["install", "{}", chart]),
        (
            "upgrade",
            &["upgrade", "{}", chart, "--set", "frontend.replicaCount=3"],
        ),
        (
            "list + status + history",
            &["list", "status {}", "history {}"],
        ),
        ("uninstall", &["uninstall", "{}"]),
    ];
    let mut totals: Vec<[Totals; 2]> = steps
        .iter()
        .map(|_| {
            let t = || Totals {
                wall: Duration::MAX,
                peak_kib: 0,
                failures: 0,
            };
            [t(), t()]
        })
        .collect();
    for round in 0..rounds.max(1) {
        for (k, bin) in [charter, helm].iter().enumerate() {
            let name = format!("bench-{k}-{round}");
            for (i, (label, args)) in steps.iter().enumerate() {
                // The reading line runs three commands, each its own process.
                let commands: Vec<Vec<String>> = if label.starts_with("list") {
                    args.iter()
                        .map(|a| {
                            a.replace("{}", &name)
                                .split(' ')
                                .map(str::to_string)
                                .collect()
                        })
                        .collect()
                } else {
                    vec![args.iter().map(|a| a.replace("{}", &name)).collect()]
                };
                let mut wall = Duration::ZERO;
                let mut peak = 0;
                let mut failures = 0;
                for c in commands {
                    let r = run(Command::new(bin)
                        .args(&c)
                        .env("KUBECONFIG", &kubeconfig)
                        .env("HOME", home)
                        .env("HELM_CONFIG_HOME", home.join("config"))
                        .env("HELM_CACHE_HOME", home.join("cache"))
                        .env("HELM_DATA_HOME", home.join("data")));
                    wall += r.wall;
                    peak = peak.max(r.max_rss_kib);
                    failures += usize::from(!r.ok);
                }
                let t = &mut totals[i][k];
                t.wall = t.wall.min(wall);
                t.peak_kib = t.peak_kib.max(peak);
                t.failures += failures;
            }
        }
    }
    for ((label, _), [c, h]) in steps.iter().zip(&totals) {
        report(&format!("release: {label}"), c, h);
    }
}

/// The whole corpus, and the corpus without the charts that generate keys.
fn corpus_lines(
    charter: &Path,
    helm: &Path,
    cases: &[Case],
    all: &[&Case],
    home: &Path,
    rounds: usize,
) {
    report(
        &format!("corpus ({} cases)", all.len()),
        &measure(charter, all, home, rounds),
        &measure(helm, all, home, rounds),
    );
    // Charts that generate RSA keys (genCA, genPrivateKey, ...) spend most of their
    // time finding primes, a random amount on both sides: report the rest too.
    let plain: Vec<&Case> = cases.iter().filter(|c| !generates_keys(&c.chart)).collect();
    report(
        &format!("corpus without key generation ({})", plain.len()),
        &measure(charter, &plain, home, rounds),
        &measure(helm, &plain, home, rounds),
    );
}

/// The five largest charts by the size of their expected output.
fn large_chart_lines(charter: &Path, helm: &Path, cases: &[Case], home: &Path, rounds: usize) {
    let mut sized: Vec<(u64, &Case)> = cases
        .iter()
        .filter(|c| {
            c.dir
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("-default"))
        })
        .map(|c| {
            let size = fs::metadata(c.dir.join("expected.yaml"))
                .map(|m| m.len())
                .unwrap_or(0);
            (size, c)
        })
        .collect();
    sized.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (size, case) in sized.iter().take(5) {
        let name = case
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let one = vec![*case];
        report(
            &format!("{name} ({} KiB)", size / 1024),
            &measure(charter, &one, home, rounds * 3),
            &measure(helm, &one, home, rounds * 3),
        );
    }
}

/// The synthetic chart that exercises the template engine.
fn engine_line(charter: &Path, helm: &Path, home: &Path, rounds: usize) {
    let chart = synthetic_chart(home);
    let synthetic = Case {
        dir: home.to_path_buf(),
        chart,
        release: "bench".into(),
        namespace: "default".into(),
        args: Vec::new(),
    };
    let one = vec![&synthetic];
    report(
        "engine: 30 files x 40 services",
        &measure(charter, &one, home, rounds * 3),
        &measure(helm, &one, home, rounds * 3),
    );
}
