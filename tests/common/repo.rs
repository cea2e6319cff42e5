//! Shared by the repository tests: a chart repository served on 127.0.0.1, a
//! temporary Helm home per test, chart writers, and the real Helm binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "http.rs"]
mod http;
#[allow(unused_imports)]
pub use http::{ServeOpts, serve};

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

/// Packages charts `(name, version)` written by [`write_chart`] into `srv`.
pub fn package_into(env: &Env, srv: &Path, charts: &[(&str, &str)]) {
    for (n, v) in charts {
        let src = write_chart(&env.root.join("src").join(v), n, v);
        ok(&env.charter(&[
            "package",
            src.to_str().unwrap(),
            "-d",
            srv.to_str().unwrap(),
        ]));
    }
}

/// A served repository with charts `web` 1.0.0, 1.1.0, 2.0.0-beta.1 and `db` 0.3.0.
pub fn repo_dir(env: &Env) -> PathBuf {
    let srv = env.root.join("srv");
    package_into(
        env,
        &srv,
        &[
            ("web", "1.0.0"),
            ("web", "1.1.0"),
            ("web", "2.0.0-beta.1"),
            ("db", "0.3.0"),
        ],
    );
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
