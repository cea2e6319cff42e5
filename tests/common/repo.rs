//! Shared by the repository tests: a chart repository served on 127.0.0.1, a
//! temporary Helm home per test, chart writers, and the real Helm binary.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Clone, Default)]
pub struct ServeOpts {
    pub auth: Option<String>,
    pub fail_first: usize,
    pub truncate: bool,
}

/// Serves `dir` over HTTP/1.0 on 127.0.0.1; at most 500 requests, then it stops.
pub fn serve(dir: PathBuf, opts: ServeOpts) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(500) {
            let Ok(mut s) = stream else { continue };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            let req = String::from_utf8_lossy(&buf).to_string();
            let path = req
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .split('?')
                .next()
                .unwrap_or("/")
                .to_string();
            let reply = |s: &mut std::net::TcpStream, status: &str, body: &[u8], len: usize| {
                let _ = write!(
                    s,
                    "HTTP/1.0 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                );
                let _ = s.write_all(body);
            };
            if n < opts.fail_first {
                reply(&mut s, "503 Service Unavailable", b"busy", 4);
                continue;
            }
            if let Some(a) = &opts.auth {
                let ok = req.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("authorization: basic ")
                        && l[21..].trim() == a
                });
                if !ok {
                    reply(&mut s, "401 Unauthorized", b"", 0);
                    continue;
                }
            }
            let file = dir.join(path.trim_start_matches('/'));
            match std::fs::read(&file) {
                Ok(body) if !path.contains("..") => {
                    let len = body.len();
                    let sent = if opts.truncate {
                        &body[..len / 2]
                    } else {
                        &body[..]
                    };
                    reply(&mut s, "200 OK", sent, len);
                }
                _ => reply(&mut s, "404 Not Found", b"not found", 9),
            }
        }
    });
    format!("http://{addr}")
}

pub struct Env {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

impl Env {
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        Env { _tmp: tmp, root }
    }
    pub fn cmd(&self, bin: &str) -> Command {
        let mut c = Command::new(bin);
        c.current_dir(&self.root)
            .env("HELM_CONFIG_HOME", self.root.join("config"))
            .env("HELM_CACHE_HOME", self.root.join("cache"))
            .env("HELM_DATA_HOME", self.root.join("data"))
            .env_remove("HELM_REPOSITORY_CONFIG")
            .env_remove("HELM_REPOSITORY_CACHE");
        c
    }
    pub fn charter(&self, args: &[&str]) -> Output {
        self.cmd(env!("CARGO_BIN_EXE_charter"))
            .args(args)
            .output()
            .unwrap()
    }
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

pub fn write_chart(dir: &Path, name: &str, version: &str) -> PathBuf {
    let c = dir.join(name);
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(c.join("Chart.yaml"), format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\ndescription: the {name} chart\nkeywords: [web, demo]\n")).unwrap();
    std::fs::write(c.join("values.yaml"), "a: 1 # kept raw\n").unwrap();
    std::fs::write(c.join("templates/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: {{ .Values.a | quote }}\n").unwrap();
    std::fs::write(c.join(".helmignore"), "*.bak\n").unwrap();
    std::fs::write(c.join("notes.bak"), "ignored").unwrap();
    c
}

/// A served repository with charts `web` 1.0.0, 1.1.0, 2.0.0-beta.1 and `db` 0.3.0.
pub fn repo_dir(env: &Env) -> PathBuf {
    let srv = env.root.join("srv");
    for (n, v) in [
        ("web", "1.0.0"),
        ("web", "1.1.0"),
        ("web", "2.0.0-beta.1"),
        ("db", "0.3.0"),
    ] {
        let src = write_chart(&env.root.join("src").join(v), n, v);
        ok(&env.charter(&[
            "package",
            src.to_str().unwrap(),
            "-d",
            srv.to_str().unwrap(),
        ]));
    }
    srv
}

pub fn helm() -> Option<String> {
    if let Ok(h) = std::env::var("CHARTER_TEST_HELM") {
        return Some(h);
    }
    let out = Command::new("/work/shared/tools/get-helm")
        .arg("3")
        .output()
        .ok()?;
    let path = text(&out.stdout).trim().to_string();
    (out.status.success() && Path::new(&path).is_file()).then_some(path)
}
