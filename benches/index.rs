//! charter vs Helm on a large chart repository, in the same run: `repo add`,
//! `repo update`, `search repo NAME` and `search repo --versions`, each as a whole
//! process, wall time and peak RSS (from `wait4`), with the ratios.
//!
//! The index is generated from the corpus charts' Chart.yaml files
//! (`../shared/corpus/charts/*/*/Chart.yaml`), each given many versions until the
//! index holds at least 15,000 versions and ~20 MB, and served on 127.0.0.1 by a
//! thread of this benchmark.
//!
//! Run: `cargo build --release && cargo bench --bench index`. `BENCH_ROUNDS`
//! (default 3) repeats each step and keeps the best wall time.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use charter::chart::Metadata;
use charter::repo::index::{ChartVersion, IndexFile};

struct Run {
    wall: Duration,
    max_rss_kib: i64,
    ok: bool,
}

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

/// Builds the index YAML from the corpus Chart.yaml files.
fn generate(corpus: &Path) -> (String, usize, String) {
    let mut metas = Vec::new();
    for group in ["bitnami", "stable"] {
        let Ok(dirs) = std::fs::read_dir(corpus.join("charts").join(group)) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = dirs.filter_map(|d| d.ok()).map(|d| d.path()).collect();
        dirs.sort();
        for d in dirs {
            let Ok(text) = std::fs::read_to_string(d.join("Chart.yaml")) else {
                continue;
            };
            let Ok(v) = charter::yaml::parse_value(&text) else {
                continue;
            };
            if let Ok(m) = Metadata::from_value(&v)
                && !m.name.is_empty()
            {
                metas.push(m);
            }
        }
    }
    assert!(!metas.is_empty(), "no corpus Chart.yaml files found");
    let mut index = IndexFile::new();
    // ~20 MB: 72 versions of each corpus chart (about 25,000 versions).
    let per_chart = 15_000usize.div_ceil(metas.len()).max(72);
    let mut total = 0;
    for (i, m) in metas.iter().enumerate() {
        let name = format!("{}-{}", m.name, i);
        let mut versions = Vec::new();
        for k in 0..per_chart {
            let mut md = m.clone();
            md.name = name.clone();
            md.version = format!("{}.{}.{}", k / 20, k % 20, i % 3);
            if md.api_version.is_empty() {
                md.api_version = "v2".into();
            }
            versions.push(ChartVersion {
                urls: vec![format!("charts/{name}-{}.tgz", md.version)],
                created: "2024-05-01T10:20:30.123456789Z".into(),
                removed: false,
                digest: format!("{:064x}", (i as u128) * 1_000_003 + k as u128),
                metadata: md,
            });
            total += 1;
        }
        index.entries.insert(name, versions);
    }
    index.sort_entries();
    let probe = metas[metas.len() / 2].name.clone();
    (index.to_yaml(), total, probe)
}

/// Serves `body` on 127.0.0.1 and prints the URL; runs in a child process so the
/// measured commands do not inherit the benchmark's memory (a forked child's peak
/// RSS starts with its parent's).
fn serve(body: Vec<u8>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    println!("http://{addr}");
    let _ = std::io::stdout().flush();
    {
        for stream in listener.incoming().take(10_000) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let mut seen = Vec::new();
            while !seen.windows(4).any(|w| w == b"\r\n\r\n") && seen.len() < 65536 {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = write!(
                s,
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
        }
    }
}

fn main() {
    if let Some(path) = std::env::var_os("BENCH_INDEX_WRITE") {
        let corpus = PathBuf::from(std::env::var_os("BENCH_CORPUS").expect("corpus"));
        let (yaml, versions, probe) = generate(&corpus);
        std::fs::write(path, &yaml).expect("write index");
        println!("{versions} {} {probe}", yaml.len());
        return;
    }
    if let Some(path) = std::env::var_os("BENCH_INDEX_SERVE") {
        serve(std::fs::read(path).expect("read index"));
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // `../shared` from the integration repo, `../../shared` from a worktree.
    let shared = std::env::var_os("CHARTER_SHARED")
        .map(PathBuf::from)
        .or_else(|| {
            [root.join("../shared"), root.join("../../shared")]
                .into_iter()
                .find(|p| p.join("corpus").is_dir())
        })
        .unwrap_or_else(|| root.join("../shared"));
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    let charter = root.join("target/release/charter");
    if !charter.exists() {
        eprintln!("build first: cargo build --release");
        std::process::exit(2);
    }
    let helm_out = Command::new(shared.join("tools/get-helm"))
        .arg("3")
        .output();
    let helm = helm_out
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|p| Path::new(p).is_file());

    // Generated in a child process: a measured command's peak RSS from `wait4`
    // includes what it inherited from this process at fork time, so this process
    // must stay small.
    let tmp = tempfile::tempdir().expect("tempdir");
    let index_path = tmp.path().join("index.yaml");
    let gen_out = Command::new(std::env::current_exe().expect("current exe"))
        .env("BENCH_INDEX_WRITE", &index_path)
        .env("BENCH_CORPUS", shared.join("corpus"))
        .output()
        .expect("generate index");
    assert!(gen_out.status.success(), "index generation failed");
    let summary = String::from_utf8_lossy(&gen_out.stdout).trim().to_string();
    let mut parts = summary.splitn(3, ' ');
    let versions = parts.next().unwrap_or("?").to_string();
    let size: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
    let probe = parts.next().unwrap_or("").to_string();
    println!(
        "index: {versions} chart versions, {:.1} MB; search term {probe:?}",
        size / 1e6
    );
    let mut server = Command::new(std::env::current_exe().expect("current exe"))
        .env("BENCH_INDEX_SERVE", &index_path)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start server");
    let mut url = String::new();
    {
        use std::io::BufRead;
        let out = server.stdout.take().expect("server stdout");
        std::io::BufReader::new(out)
            .read_line(&mut url)
            .expect("server url");
    }
    let url = url.trim().to_string();
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("keeping {}", tmp.path().display());
    }
    let steps: Vec<(&str, Vec<String>)> = vec![
        (
            "repo add",
            vec![
                "repo".into(),
                "add".into(),
                "big".into(),
                url.clone(),
                "--force-update".into(),
            ],
        ),
        ("repo update", vec!["repo".into(), "update".into()]),
        (
            "search repo NAME",
            vec!["search".into(), "repo".into(), probe.clone()],
        ),
        (
            "search repo --versions NAME",
            vec![
                "search".into(),
                "repo".into(),
                "--versions".into(),
                probe.clone(),
            ],
        ),
    ];
    let mut tools = vec![("charter", charter.display().to_string())];
    if let Some(h) = &helm {
        tools.push(("helm", h.clone()));
    } else {
        eprintln!("helm not found: charter only");
    }
    let mut results: Vec<Vec<(Duration, i64)>> = Vec::new();
    for (tool, bin) in &tools {
        let home = tmp.path().join(tool);
        let mut row = Vec::new();
        for (label, args) in &steps {
            let mut best: Option<(Duration, i64)> = None;
            for _ in 0..rounds {
                let r = run(Command::new(bin)
                    .args(args)
                    .env("HELM_CONFIG_HOME", home.join("config"))
                    .env("HELM_CACHE_HOME", home.join("cache"))
                    .env("HELM_DATA_HOME", home.join("data"))
                    .env_remove("HELM_REPOSITORY_CONFIG")
                    .env_remove("HELM_REPOSITORY_CACHE"));
                assert!(r.ok, "{tool} {label} failed");
                let cur = (r.wall, r.max_rss_kib);
                best = Some(match best {
                    Some(b) if b.0 <= cur.0 => (b.0, b.1.max(cur.1)),
                    Some(b) => (cur.0, b.1.max(cur.1)),
                    None => cur,
                });
            }
            let b = best.expect("at least one round");
            println!(
                "{tool:8} {label:30} {:>9.1} ms {:>8.1} MiB",
                b.0.as_secs_f64() * 1e3,
                b.1 as f64 / 1024.0
            );
            row.push(b);
        }
        results.push(row);
    }
    let _ = server.kill();
    let _ = server.wait();
    if std::env::var_os("BENCH_KEEP").is_some() {
        std::mem::forget(tmp);
    }
    if results.len() == 2 {
        println!("\nratios (helm / charter): wall time, peak RSS");
        for (i, (label, _)) in steps.iter().enumerate() {
            let (c, h) = (results[0][i], results[1][i]);
            println!(
                "{label:30} {:>6.1}x faster {:>6.1}x less memory",
                h.0.as_secs_f64() / c.0.as_secs_f64().max(1e-9),
                h.1 as f64 / (c.1 as f64).max(1.0)
            );
        }
    }
}
