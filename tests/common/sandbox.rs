//! Test helper: starts one `charter-sandbox` process on 127.0.0.1, reads the kubeconfig
//! path it prints, runs kubectl and Helm against it, and kills it on drop. Every wait is
//! bounded in time.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running sandbox; killed when dropped.
pub struct Sandbox {
    child: Child,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
    pub server: String,
    pub token: String,
}

impl Sandbox {
    /// Starts a sandbox over HTTPS.
    pub fn start() -> Sandbox {
        Self::start_with(&[])
    }

    /// Starts a sandbox with extra flags (`--plain-http`, `--never-ready`, ...).
    pub fn start_with(args: &[&str]) -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(dir, args)
    }

    /// Starts a sandbox whose files live in `dir`.
    pub fn start_in(dir: tempfile::TempDir, args: &[&str]) -> Sandbox {
        let kubeconfig = dir.path().join("kubeconfig");
        let mut child = Command::new(env!("CARGO_BIN_EXE_charter-sandbox"))
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["--ready-delay-ms", "100"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("charter-sandbox starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().take(10) {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = String::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(l) => l,
                Err(_) => {
                    let _ = child.kill();
                    panic!("charter-sandbox did not print its kubeconfig in time");
                }
            };
            if let Some(s) = line.strip_prefix("server: ") {
                server = s.to_string();
            }
            if line.starts_with("kubeconfig: ") {
                break;
            }
        }
        let kc = std::fs::read_to_string(&kubeconfig).expect("kubeconfig written");
        let v: serde_json::Value = serde_json::from_str(&kc).expect("kubeconfig is JSON");
        let token = v["users"][0]["user"]["token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Sandbox {
            child,
            dir,
            kubeconfig,
            server,
            token,
        }
    }

    /// Stops the process and hands back its directory (for restart tests).
    pub fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.dir, dir)
    }

    /// Runs `tool` with KUBECONFIG set, stdin from `input`, bounded to 120 s.
    pub fn run(&self, tool: &Path, args: &[&str], input: Option<&str>) -> Output {
        let mut child = Command::new(tool)
            .args(args)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HOME", self.dir.path())
            .env("HELM_CACHE_HOME", self.dir.path().join("helm-cache"))
            .env("HELM_CONFIG_HOME", self.dir.path().join("helm-config"))
            .env("HELM_DATA_HOME", self.dir.path().join("helm-data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("failed to run {}: {e}", tool.display()));
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input.unwrap_or_default().as_bytes());
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{} {:?} did not finish in 120 s", tool.display(), args);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().expect("output collected")
    }

    /// Switches fault injection (see docs/sandbox.md), over HTTPS through kubectl.
    pub fn faults(&self, settings: &str) {
        let k = tool("kubectl");
        self.ok(
            &k,
            &["create", "--raw", "/sandbox/faults", "-f", "-"],
            Some(settings),
        );
    }

    /// Runs and requires success; returns stdout.
    pub fn ok(&self, tool: &Path, args: &[&str], input: Option<&str>) -> String {
        let out = self.run(tool, args, input);
        assert!(
            out.status.success(),
            "{} {:?} failed:\nstdout: {}\nstderr: {}",
            tool.display(),
            args,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs and requires failure; returns stderr.
    pub fn fails(&self, tool: &Path, args: &[&str], input: Option<&str>) -> String {
        let out = self.run(tool, args, input);
        assert!(
            !out.status.success(),
            "{} {:?} unexpectedly succeeded:\n{}",
            tool.display(),
            args,
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// One raw HTTP/1.1 request to a `--plain-http` sandbox; returns (status, headers, body).
    pub fn http(&self, method: &str, path: &str, ctype: &str, body: &str) -> (u16, String, String) {
        self.http_auth(method, path, ctype, body, Some(&self.token))
    }

    pub fn http_auth(
        &self,
        method: &str,
        path: &str,
        ctype: &str,
        body: &str,
        token: Option<&str>,
    ) -> (u16, String, String) {
        let host = self.server.trim_start_matches("http://").to_string();
        let mut stream = TcpStream::connect(&host).expect("connects to sandbox");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout set");
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: {ctype}\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(req.as_bytes()).expect("request written");
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let code = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        (code, head.to_string(), body)
    }

    /// A request with a wrong token; returns (status, parsed body).
    pub fn json_unauth(&self) -> (u16, serde_json::Value) {
        let (code, _, text) = self.http_auth(
            "GET",
            "/api/v1/namespaces",
            "application/json",
            "",
            Some("wrong"),
        );
        (
            code,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Raw JSON request; returns (status, parsed body).
    pub fn json(
        &self,
        method: &str,
        path: &str,
        ctype: &str,
        body: &str,
    ) -> (u16, serde_json::Value) {
        let (code, _, text) = self.http(method, path, ctype, body);
        let v = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        (code, v)
    }
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    for _ in 0..100_000 {
        let Some((size, tail)) = rest.split_once("\r\n") else {
            break;
        };
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Path of a client from `../shared/tools/get-helm` (`kubectl`, `3` or `4`).
pub fn tool(which: &str) -> PathBuf {
    // `shared/` sits beside the crate in CI; `CHARTER_GET_HELM` overrides for worktrees.
    let script = std::env::var_os("CHARTER_GET_HELM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/get-helm"));
    // One fetch at a time: Helm 4 and kubectl come from one archive, and a
    // first fetch of one rewrites the other's file while a test may run it.
    static FETCH: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = FETCH.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(&script)
        .arg(which)
        .output()
        .unwrap_or_else(|e| panic!("failed to run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "get-helm {which} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Path of a chart under testdata/sandbox.
pub fn chart(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/sandbox")
        .join(name)
        .display()
        .to_string()
}
