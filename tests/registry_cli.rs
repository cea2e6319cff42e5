//! OCI registries through the binary: `push`, `pull`, `show`, `template` of
//! `oci://` references and `registry login|logout`, against a real registry
//! (Debian's `docker-registry`, started here on 127.0.0.1 with a temporary
//! config, with and without htpasswd basic auth) and against real Helm 3 in both
//! directions. Network faults (503s, truncated and corrupt blobs) use a small
//! fake registry served by the test itself.
//!
//! Tests that need `docker-registry` skip (and say why) only when it is not
//! installed; `.ci/run` installs it. Tests that need Helm skip when
//! `/work/shared/tools/get-helm 3` yields nothing, as `tests/repo_cli.rs` does.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn ok(o: &Output) -> (String, String) {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    (text(&o.stdout), text(&o.stderr))
}

fn fails(o: &Output) -> String {
    assert!(
        !o.status.success(),
        "unexpected success: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let err = text(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn docker_registry() -> Option<PathBuf> {
    let found = ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        // CI installs it and sets this, so a missing registry fails there.
        assert!(
            std::env::var_os("CHARTER_REQUIRE_REGISTRY").is_none(),
            "docker-registry not found, and CHARTER_REQUIRE_REGISTRY is set"
        );
        eprintln!(
            "skipped: docker-registry not found in /usr/bin or /usr/sbin (apt-get install docker-registry; .ci/run does)"
        );
    }
    found
}

fn helm() -> Option<String> {
    if let Ok(h) = std::env::var("CHARTER_TEST_HELM") {
        return Some(h);
    }
    let out = Command::new("/work/shared/tools/get-helm")
        .arg("3")
        .output()
        .ok();
    let path = out
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_string())
        .filter(|p| Path::new(p).is_file());
    if path.is_none() {
        eprintln!("skipped the Helm part: /work/shared/tools/get-helm 3 gave no binary");
    }
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `docker-registry` on 127.0.0.1, stopped on drop.
struct Registry {
    child: Child,
    host: String,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts one; with `auth`, an htpasswd file holds that (user, password).
    fn start(bin: &Path, auth: Option<(&str, &str)>) -> Registry {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cfg = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if let Some((user, pass)) = auth {
            let hash = bcrypt::hash(pass, 5).unwrap();
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, format!("{user}:{hash}\n")).unwrap();
            cfg.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: charter-test\n    path: {}\n",
                file.display()
            ));
        }
        let cfg_path = dir.path().join("config.yml");
        std::fs::write(&cfg_path, cfg).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(&cfg_path)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let host = format!("127.0.0.1:{port}");
        let mut reg = Registry {
            child,
            host,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect(&reg.host).is_ok() {
                break;
            }
            if let Ok(Some(status)) = reg.child.try_wait() {
                let log = std::fs::read_to_string(reg._dir.path().join("registry.log"))
                    .unwrap_or_default();
                panic!("docker-registry exited with {status}: {log}");
            }
            assert!(Instant::now() < deadline, "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    fn oci(&self, path: &str) -> String {
        format!("oci://{}/{path}", self.host)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Per-test Helm and charter homes; both tools share the registry config.
struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        Env { _tmp: tmp, root }
    }
    fn cmd(&self, bin: &str) -> Command {
        let mut c = Command::new(bin);
        c.current_dir(&self.root)
            .env("HELM_CONFIG_HOME", self.root.join("config"))
            .env("HELM_CACHE_HOME", self.root.join("cache"))
            .env("HELM_DATA_HOME", self.root.join("data"))
            .env("HELM_REGISTRY_CONFIG", self.root.join("registry.json"))
            .env_remove("HELM_REPOSITORY_CONFIG")
            .env_remove("HELM_REPOSITORY_CACHE")
            .stdin(Stdio::null());
        c
    }
    fn charter(&self, args: &[&str]) -> Output {
        self.cmd(env!("CARGO_BIN_EXE_charter"))
            .args(args)
            .output()
            .unwrap()
    }
    fn run(&self, bin: &str, args: &[&str]) -> Output {
        self.cmd(bin).args(args).output().unwrap()
    }
    fn charter_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd(env!("CARGO_BIN_EXE_charter"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }
    /// Packages a small chart with charter; returns the archive path.
    fn package(&self, name: &str, version: &str) -> PathBuf {
        let src = self.root.join("src").join(format!("{name}-{version}"));
        let c = src.join(name);
        std::fs::create_dir_all(c.join("templates")).unwrap();
        std::fs::write(
            c.join("Chart.yaml"),
            format!(
                "apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"1.0\"\ndescription: the {name} chart & more\nhome: https://example.com/{name}\nsources: [https://example.com/src]\nmaintainers:\n- name: Ann\n  email: ann@example.com\nannotations:\n  team: web\n"
            ),
        )
        .unwrap();
        std::fs::write(c.join("values.yaml"), "a: 1 # kept raw\n").unwrap();
        std::fs::write(
            c.join("templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  a: {{ .Values.a | quote }}\n  v: {{ .Chart.Version | quote }}\n",
        )
        .unwrap();
        let out = self.root.join("pkg");
        ok(&self.charter(&["package", c.to_str().unwrap(), "-d", out.to_str().unwrap()]));
        out.join(format!("{name}-{version}.tgz"))
    }
}

fn digest_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.starts_with("Digest: sha256:"))
        .unwrap_or_else(|| panic!("no Digest line in {stderr}"))
        .to_string()
}

#[test]
fn charter_push_then_helm_pull_gets_the_same_archive() {
    let Some(bin) = docker_registry() else { return };
    let reg = Registry::start(&bin, None);
    let env = Env::new();
    let tgz = env.package("web", "1.0.0");
    let (stdout, stderr) = ok(&env.charter(&["push", tgz.to_str().unwrap(), &reg.oci("charts")]));
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!(
            "Pushed: {}/charts/web:1.0.0\nDigest: sha256:",
            reg.host
        )),
        "{stderr}"
    );
    let charter_digest = digest_line(&stderr);

    // charter reads back what it pushed, byte for byte.
    let dest = env.root.join("c-out");
    let (_, err) = ok(&env.charter(&[
        "pull",
        &reg.oci("charts/web"),
        "--version",
        "1.0.0",
        "-d",
        dest.to_str().unwrap(),
    ]));
    assert!(
        err.contains(&format!("Pulled: {}/charts/web:1.0.0", reg.host)),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dest.join("web-1.0.0.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );

    let Some(helm) = helm() else { return };
    let hdest = env.root.join("h-out");
    std::fs::create_dir_all(&hdest).unwrap();
    ok(&env.run(
        &helm,
        &[
            "pull",
            &reg.oci("charts/web"),
            "--version",
            "1.0.0",
            "-d",
            hdest.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        std::fs::read(hdest.join("web-1.0.0.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap(),
        "helm pulled a different archive than charter pushed"
    );
    let (show, _) = ok(&env.run(
        &helm,
        &[
            "show",
            "chart",
            &reg.oci("charts/web"),
            "--version",
            "1.0.0",
        ],
    ));
    assert!(
        show.contains("name: web") && show.contains("team: web"),
        "{show}"
    );

    // Helm pushing the same archive writes the same manifest: same annotations,
    // config blob and encoding, so the same digest.
    let (_, herr) = ok(&env.run(
        &helm,
        &["push", tgz.to_str().unwrap(), &reg.oci("helm-pushed")],
    ));
    assert_eq!(digest_line(&herr), charter_digest);
}

#[test]
fn helm_push_then_charter_pull_show_template() {
    let Some(bin) = docker_registry() else { return };
    let Some(helm) = helm() else { return };
    let reg = Registry::start(&bin, None);
    let env = Env::new();
    let tgz = env.package("api", "0.3.0");
    ok(&env.run(
        &helm,
        &["push", tgz.to_str().unwrap(), &reg.oci("team/charts")],
    ));
    let r = reg.oci("team/charts/api");

    let dest = env.root.join("out");
    ok(&env.charter(&["pull", &r, "-d", dest.to_str().unwrap()]));
    assert_eq!(
        std::fs::read(dest.join("api-0.3.0.tgz")).unwrap(),
        std::fs::read(&tgz).unwrap()
    );
    ok(&env.charter(&[
        "pull",
        &format!("{r}:0.3.0"),
        "--untar",
        "-d",
        dest.to_str().unwrap(),
    ]));
    assert!(dest.join("api/Chart.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(dest.join("api/values.yaml")).unwrap(),
        "a: 1 # kept raw\n"
    );
    // Untarring again over the same folder is refused, as Helm does.
    let err = fails(&env.charter(&["pull", &r, "--untar", "-d", dest.to_str().unwrap()]));
    assert!(err.contains("already exists"), "{err}");

    for what in ["chart", "values", "all"] {
        let (c, cerr) = ok(&env.charter(&["show", what, &r, "--version", "0.3.0"]));
        let (h, _) = ok(&env.run(&helm, &["show", what, &r, "--version", "0.3.0"]));
        assert_eq!(c, h, "show {what}");
        assert!(cerr.contains("Pulled: "), "{cerr}");
    }
    let (c, _) = ok(&env.charter(&["template", "rel", &r, "--set", "a=2"]));
    let (h, _) = ok(&env.run(
        &helm,
        &["template", "rel", &r, "--set", "a=2", "--plain-http"],
    ));
    assert_eq!(c, h);
    assert!(c.contains("v: \"0.3.0\""), "{c}");
    // The download landed in the repository cache, as Helm's LocateChart puts it.
    assert!(env.root.join("cache/repository/api-0.3.0.tgz").is_file());
}

#[test]
fn version_constraints_and_underscore_tags() {
    let Some(bin) = docker_registry() else { return };
    let reg = Registry::start(&bin, None);
    let env = Env::new();
    for v in ["1.0.0", "1.1.0", "1.2.0+build.5", "2.0.0-beta.1"] {
        let tgz = env.package("web", v);
        let (_, err) = ok(&env.charter(&["push", tgz.to_str().unwrap(), &reg.oci("c")]));
        if v.contains('+') {
            assert!(
                err.contains("web:1.2.0_build.5 contains an underscore."),
                "{err}"
            );
        }
    }
    let r = reg.oci("c/web");
    let pulled = |args: &[&str]| -> String {
        let dest = env.root.join(format!(
            "d{}",
            args.join("_").replace(['^', '~', '>', ' '], "")
        ));
        let mut all = vec!["pull", r.as_str(), "-d", dest.to_str().unwrap()];
        all.extend_from_slice(args);
        ok(&env.charter(&all));
        let names: Vec<String> = std::fs::read_dir(&dest)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        names[0].clone()
    };
    assert_eq!(pulled(&[]), "web-1.2.0+build.5.tgz");
    assert_eq!(pulled(&["--version", "^1"]), "web-1.2.0+build.5.tgz");
    assert_eq!(pulled(&["--version", "~1.0"]), "web-1.0.0.tgz");
    assert_eq!(pulled(&["--version", "1.1.0"]), "web-1.1.0.tgz");
    assert_eq!(pulled(&["--version", ">1.0.0 <1.2.0"]), "web-1.1.0.tgz");
    assert_eq!(pulled(&["--devel"]), "web-2.0.0-beta.1.tgz");
    assert_eq!(
        pulled(&["--version", "1.2.0+build.5"]),
        "web-1.2.0+build.5.tgz"
    );

    let err = fails(&env.charter(&["pull", &r, "--version", "^3"]));
    assert!(
        err.contains("Could not locate a version matching provided version string ^3"),
        "{err}"
    );
    let err = fails(&env.charter(&["pull", &format!("{r}:1.0.0"), "--version", "1.1.0"]));
    assert!(
        err.contains("chart reference and version mismatch: 1.1.0 is not 1.0.0"),
        "{err}"
    );

    // Helm resolves the same constraint to the same chart.
    let Some(helm) = helm() else { return };
    let hdest = env.root.join("helm-constraint");
    std::fs::create_dir_all(&hdest).unwrap();
    ok(&env.run(
        &helm,
        &[
            "pull",
            &r,
            "--version",
            "^1",
            "--plain-http",
            "-d",
            hdest.to_str().unwrap(),
        ],
    ));
    assert!(hdest.join("web-1.2.0+build.5.tgz").is_file());
}

#[test]
fn login_logout_with_basic_auth() {
    let Some(bin) = docker_registry() else { return };
    let reg = Registry::start(&bin, Some(("alice", "s3cret")));
    let env = Env::new();
    let tgz = env.package("web", "1.0.0");
    let config = env.root.join("registry.json");

    let err = fails(&env.charter(&["push", tgz.to_str().unwrap(), &reg.oci("c")]));
    assert!(
        err.contains("requires authentication") && err.contains(&reg.host),
        "{err}"
    );

    let err = fails(&env.charter(&["registry", "login", &reg.host, "-u", "alice", "-p", "wrong"]));
    assert!(
        err.contains(&format!(
            "login attempt to http://{}/v2/ failed with status: 401 Unauthorized",
            reg.host
        )),
        "{err}"
    );
    assert!(err.contains("Use --password-stdin"), "{err}");
    assert!(!config.exists(), "a failed login must not store anything");

    let (_, err) = ok(&env.charter_stdin(
        &[
            "registry",
            "login",
            &reg.host,
            "-u",
            "alice",
            "--password-stdin",
        ],
        "s3cret\n",
    ));
    assert!(err.contains("Login Succeeded"), "{err}");
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    assert_eq!(
        stored["auths"][reg.host.as_str()]["auth"],
        "YWxpY2U6czNjcmV0"
    );

    ok(&env.charter(&["push", tgz.to_str().unwrap(), &reg.oci("c")]));
    ok(&env.charter(&["show", "chart", &reg.oci("c/web"), "--version", "1.0.0"]));
    // --registry-config wins over HELM_REGISTRY_CONFIG: another file, no login.
    let other = env.root.join("other.json");
    let err = fails(&env.charter(&[
        "show",
        "chart",
        &reg.oci("c/web"),
        "--version",
        "1.0.0",
        "--registry-config",
        other.to_str().unwrap(),
    ]));
    assert!(err.contains("requires authentication"), "{err}");

    if let Some(helm) = helm() {
        // Helm uses charter's login...
        let d = env.root.join("h");
        std::fs::create_dir_all(&d).unwrap();
        ok(&env.run(
            &helm,
            &[
                "pull",
                &reg.oci("c/web"),
                "--version",
                "1.0.0",
                "-d",
                d.to_str().unwrap(),
            ],
        ));
        // ...and charter uses Helm's.
        let (_, err) = ok(&env.charter(&["registry", "logout", &reg.host]));
        assert!(
            err.contains(&format!("Removing login credentials for {}", reg.host)),
            "{err}"
        );
        ok(&env.run(
            &helm,
            &[
                "registry", "login", &reg.host, "-u", "alice", "-p", "s3cret",
            ],
        ));
        ok(&env.charter(&["pull", &reg.oci("c/web"), "--version", "1.0.0", "-d", "x"]));
    }

    let (_, err) = ok(&env.charter(&["registry", "logout", &reg.host]));
    assert!(err.contains("Removing login credentials"), "{err}");
    let err = fails(&env.charter(&["registry", "logout", &reg.host]));
    assert!(err.contains("Error: not logged in"), "{err}");
    let err = fails(&env.charter(&["pull", &reg.oci("c/web"), "--version", "1.0.0"]));
    assert!(err.contains("requires authentication"), "{err}");
    // Credentials given on the command line work without a login.
    ok(&env.charter(&[
        "pull",
        &reg.oci("c/web"),
        "--version",
        "1.0.0",
        "--username",
        "alice",
        "--password",
        "s3cret",
        "-d",
        "y",
    ]));
    assert!(env.root.join("y/web-1.0.0.tgz").is_file());
}

/// Uploads a blob and a manifest with plain HTTP requests, as any OCI tool would.
fn put_artifact(host: &str, repo: &str, tag: &str, config_type: &str) {
    let client = reqwest::blocking::Client::new();
    let config = b"{}".to_vec();
    let digest = format!("sha256:{}", sha256_hex(&config));
    let resp = client
        .post(format!("http://{host}/v2/{repo}/blobs/uploads/"))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    let sep = if loc.contains('?') { '&' } else { '?' };
    let resp = client
        .put(format!("{loc}{sep}digest={digest}"))
        .body(config)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let manifest = format!(
        "{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"{config_type}\",\"digest\":\"{digest}\",\"size\":2}},\"layers\":[]}}"
    );
    let resp = client
        .put(format!("http://{host}/v2/{repo}/manifests/{tag}"))
        .header("content-type", "application/vnd.oci.image.manifest.v1+json")
        .body(manifest)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[test]
fn clear_errors() {
    let env = Env::new();
    // Nothing listens on this port: the error names the URL.
    let port = free_port();
    let err = fails(&env.charter(&[
        "pull",
        &format!("oci://127.0.0.1:{port}/c/web"),
        "--version",
        "1.0.0",
    ]));
    assert!(
        err.contains(&format!(
            "\"http://127.0.0.1:{port}/v2/c/web/manifests/1.0.0\""
        )),
        "{err}"
    );
    let tgz = env.package("web", "1.0.0");
    let err = fails(&env.charter(&["push", tgz.to_str().unwrap(), "https://example.com/x"]));
    assert!(err.contains("scheme \"https\" not supported"), "{err}");
    let err = fails(&env.charter(&["push", env.root.to_str().unwrap(), "oci://127.0.0.1:1/x"]));
    assert!(err.contains("cannot push directory"), "{err}");
    let err = fails(&env.charter(&["push", "missing.tgz", "oci://127.0.0.1:1/x"]));
    assert!(err.contains("missing.tgz: no such file"), "{err}");
    let err = fails(&env.charter(&["pull", "oci://127.0.0.1:1/Bad_Repo", "--version", "1.0.0"]));
    assert!(err.contains("invalid reference"), "{err}");

    let Some(bin) = docker_registry() else { return };
    let reg = Registry::start(&bin, None);
    ok(&env.charter(&["push", tgz.to_str().unwrap(), &reg.oci("c")]));
    let err = fails(&env.charter(&["pull", &reg.oci("c/web"), "--version", "9.9.9"]));
    assert!(
        err.contains(&format!("{}/c/web:9.9.9: not found", reg.host)),
        "{err}"
    );
    let err = fails(&env.charter(&["pull", &reg.oci("c/nothing")]));
    assert!(
        err.contains("/v2/c/nothing/tags/list") && err.contains("name unknown"),
        "{err}"
    );
    let err = fails(&env.charter(&["template", &reg.oci("c/web"), "--version", "9.9.9"]));
    assert!(
        err.contains(&format!(
            "failed to download \"{}\" at version \"9.9.9\"",
            reg.oci("c/web")
        )),
        "{err}"
    );

    put_artifact(
        &reg.host,
        "c/image",
        "1.0.0",
        "application/vnd.oci.image.config.v1+json",
    );
    let err = fails(&env.charter(&["pull", &reg.oci("c/image"), "--version", "1.0.0"]));
    assert!(err.contains("is not a Helm chart"), "{err}");
    put_artifact(
        &reg.host,
        "c/empty",
        "1.0.0",
        "application/vnd.cncf.helm.config.v1+json",
    );
    let err = fails(&env.charter(&["pull", &reg.oci("c/empty"), "--version", "1.0.0"]));
    assert!(
        err.contains("manifest does not contain a layer with mediatype application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
        "{err}"
    );
    assert!(!env.root.join("web-1.0.0.tgz").exists());
}

/// How the fake registry misbehaves (it always does: the good path is tested
/// against the real registry).
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    /// The first N requests answer 503.
    Busy(usize),
    /// The chart blob is cut in half (Content-Length kept).
    Truncated,
    /// The chart blob has other bytes than its digest says.
    Corrupt,
}

/// Serves one chart (`c/web:1.0.0`) as a registry would; at most 200 requests.
fn fake_registry(chart: Vec<u8>, fault: Fault) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let config = br#"{"name":"web","version":"1.0.0","apiVersion":"v2"}"#.to_vec();
    let cd = format!("sha256:{}", sha256_hex(&config));
    let ld = format!("sha256:{}", sha256_hex(&chart));
    let manifest = format!(
        "{{\"schemaVersion\":2,\"config\":{{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\",\"digest\":\"{cd}\",\"size\":{}}},\"layers\":[{{\"mediaType\":\"application/vnd.cncf.helm.chart.content.v1.tar+gzip\",\"digest\":\"{ld}\",\"size\":{}}}]}}",
        config.len(),
        chart.len()
    );
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
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
            let req = text(&buf);
            let path = req.split_whitespace().nth(1).unwrap_or("/").to_string();
            let reply = |s: &mut TcpStream, status: &str, ctype: &str, body: &[u8], len: usize| {
                let _ = write!(
                    s,
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                );
                let _ = s.write_all(body);
            };
            if let Fault::Busy(k) = fault
                && n < k
            {
                reply(&mut s, "503 Service Unavailable", "text/plain", b"busy", 4);
                continue;
            }
            if path == "/v2/c/web/manifests/1.0.0" {
                let m = manifest.as_bytes();
                reply(
                    &mut s,
                    "200 OK",
                    "application/vnd.oci.image.manifest.v1+json",
                    m,
                    m.len(),
                );
            } else if path == format!("/v2/c/web/blobs/{cd}") {
                reply(
                    &mut s,
                    "200 OK",
                    "application/octet-stream",
                    &config,
                    config.len(),
                );
            } else if path == format!("/v2/c/web/blobs/{ld}") {
                match fault {
                    Fault::Truncated => reply(
                        &mut s,
                        "200 OK",
                        "application/octet-stream",
                        &chart[..chart.len() / 2],
                        chart.len(),
                    ),
                    Fault::Corrupt => {
                        let mut bad = chart.clone();
                        let last = bad.len() - 1;
                        bad[last] ^= 0xff;
                        reply(
                            &mut s,
                            "200 OK",
                            "application/octet-stream",
                            &bad,
                            bad.len(),
                        )
                    }
                    _ => reply(
                        &mut s,
                        "200 OK",
                        "application/octet-stream",
                        &chart,
                        chart.len(),
                    ),
                }
            } else {
                reply(&mut s, "404 Not Found", "text/plain", b"not found", 9);
            }
        }
    });
    (host, seen)
}

#[test]
fn network_faults_retry_and_never_cache_bad_content() {
    let env = Env::new();
    let tgz = env.package("web", "1.0.0");
    let chart = std::fs::read(&tgz).unwrap();

    // Two 503s, then success: retried with backoff.
    let (host, seen) = fake_registry(chart.clone(), Fault::Busy(2));
    let dest = env.root.join("busy");
    ok(&env.charter(&[
        "pull",
        &format!("oci://{host}/c/web"),
        "--version",
        "1.0.0",
        "-d",
        dest.to_str().unwrap(),
    ]));
    assert_eq!(std::fs::read(dest.join("web-1.0.0.tgz")).unwrap(), chart);
    assert_eq!(
        seen.load(Ordering::SeqCst),
        5,
        "2 refused + manifest, config, chart"
    );

    // Always busy: a bounded number of attempts, then an error naming the URL.
    let (host, seen) = fake_registry(chart.clone(), Fault::Busy(usize::MAX));
    let err = fails(&env.charter(&["pull", &format!("oci://{host}/c/web"), "--version", "1.0.0"]));
    assert!(
        err.contains(&format!("http://{host}/v2/c/web/manifests/1.0.0")) && err.contains("503"),
        "{err}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 3);

    // A truncated or corrupt chart never lands on disk, neither in -d nor in the cache.
    for fault in [Fault::Truncated, Fault::Corrupt] {
        let (host, _) = fake_registry(chart.clone(), fault);
        let r = format!("oci://{host}/c/web");
        let dest = env.root.join("bad");
        let err = fails(&env.charter(&[
            "pull",
            &r,
            "--version",
            "1.0.0",
            "-d",
            dest.to_str().unwrap(),
        ]));
        assert!(err.contains("/v2/c/web/blobs/sha256:"), "{err}");
        let want = if fault == Fault::Truncated {
            "truncated"
        } else {
            "digest mismatch"
        };
        assert!(err.contains(want), "{err}");
        assert!(!dest.join("web-1.0.0.tgz").exists());
        fails(&env.charter(&["show", "chart", &r, "--version", "1.0.0"]));
        assert!(!env.root.join("cache/repository/web-1.0.0.tgz").exists());
    }
}

/// `dependency update|build` with `oci://` dependencies: constraints resolved
/// against the registry's tags; the lock file is accepted by Helm both ways.
#[test]
fn oci_dependencies_lock_and_build_with_helm() {
    let Some(bin) = docker_registry() else { return };
    let reg = Registry::start(&bin, None);
    let env = Env::new();
    for v in ["0.1.0", "0.1.4", "0.2.0"] {
        let tgz = env.package("sub", v);
        ok(&env.charter(&["push", tgz.to_str().unwrap(), &reg.oci("deps")]));
    }
    let p = env.root.join("parent");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: ~0.1.0\n  repository: {}\n",
            reg.oci("deps")
        ),
    )
    .unwrap();
    let ps = p.to_str().unwrap();
    let (out, _) = ok(&env.charter(&["dependency", "update", ps]));
    assert!(
        out.contains(&format!("Downloading sub from repo {}\n", reg.oci("deps"))),
        "{out}"
    );
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir.join("charts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&p), ["sub-0.1.4.tgz"]);
    let ours = std::fs::read_to_string(p.join("Chart.lock")).unwrap();
    assert!(
        ours.starts_with(&format!(
            "dependencies:\n- name: sub\n  repository: {}\n  version: 0.1.4\ndigest: sha256:",
            reg.oci("deps")
        )),
        "{ours}"
    );
    let listed = text(&env.charter(&["dependency", "list", ps]).stdout);
    assert!(listed.contains("\tok"), "{listed}");

    // No tag meets the constraint: Helm's message.
    let y = std::fs::read_to_string(p.join("Chart.yaml")).unwrap();
    std::fs::write(p.join("Chart.yaml"), y.replace("~0.1.0", "~0.9.0")).unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps]));
    assert!(
        err.contains("can't get a valid version for 1 subchart(s)"),
        "{err}"
    );
    std::fs::write(p.join("Chart.yaml"), &y).unwrap();

    let Some(helm) = helm() else {
        eprintln!("skipped the Helm half: no Helm binary");
        return;
    };
    // Helm builds from charter's lock ...
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    ok(&env.run(&helm, &["dependency", "build", ps, "--plain-http"]));
    assert_eq!(names(&p), ["sub-0.1.4.tgz"]);
    // ... and charter from Helm's.
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    std::fs::remove_file(p.join("Chart.lock")).unwrap();
    ok(&env.run(&helm, &["dependency", "update", ps, "--plain-http"]));
    let theirs = std::fs::read_to_string(p.join("Chart.lock")).unwrap();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("generated:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&ours), strip(&theirs));
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    ok(&env.charter(&["dependency", "build", ps]));
    assert_eq!(names(&p), ["sub-0.1.4.tgz"]);
}

/// `pull --verify`/`--prov` of `oci://` references: the provenance layer that
/// `push` uploads beside a signed chart is fetched and checked, as Helm does.
#[test]
fn signed_charts_verify_through_the_registry() {
    let Some(bin) = docker_registry() else { return };
    let reg = Registry::start(&bin, None);
    let env = Env::new();
    let keys = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peer/helm-testdata/pkg/provenance/testdata");
    let secret = keys.join("helm-test-key.secret");
    let public = keys.join("helm-test-key.pub");
    env.package("signed", "1.0.0");
    // Sign the archive: package it again with --sign beside the plain one.
    let src = env.root.join("src/signed-1.0.0/signed");
    let signed_dir = env.root.join("signedpkg");
    ok(&env.charter(&[
        "package",
        src.to_str().unwrap(),
        "-d",
        signed_dir.to_str().unwrap(),
        "--sign",
        "--key",
        "helm-test",
        "--keyring",
        secret.to_str().unwrap(),
    ]));
    let signed = signed_dir.join("signed-1.0.0.tgz");
    ok(&env.charter(&["push", signed.to_str().unwrap(), &reg.oci("s")]));
    let unsigned = env.package("plain", "1.0.0");
    ok(&env.charter(&["push", unsigned.to_str().unwrap(), &reg.oci("s")]));

    let dest = env.root.join("out");
    let ring = public.to_str().unwrap();
    let (out, _) = ok(&env.charter(&[
        "pull",
        &reg.oci("s/signed"),
        "--version",
        "1.0.0",
        "--verify",
        "--keyring",
        ring,
        "-d",
        dest.to_str().unwrap(),
    ]));
    assert!(out.contains("Signed by: Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>"), "{out}");
    assert!(out.contains("Chart Hash Verified: sha256:"), "{out}");
    assert_eq!(
        std::fs::read(dest.join("signed-1.0.0.tgz.prov")).unwrap(),
        std::fs::read(signed_dir.join("signed-1.0.0.tgz.prov")).unwrap()
    );
    // The unsigned chart has no provenance layer: --verify refuses, writes nothing.
    let dest2 = env.root.join("out2");
    let err = fails(&env.charter(&[
        "pull",
        &reg.oci("s/plain"),
        "--version",
        "1.0.0",
        "--verify",
        "--keyring",
        ring,
        "-d",
        dest2.to_str().unwrap(),
    ]));
    assert!(err.contains("without a .prov layer"), "{err}");
    assert!(!dest2.join("plain-1.0.0.tgz").exists());

    // dependency update --verify checks oci:// dependencies the same way.
    let p = env.root.join("parent");
    std::fs::create_dir_all(&p).unwrap();
    let chart_yaml = |dep: &str| {
        format!(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: {dep}\n  version: 1.0.0\n  repository: {}\n",
            reg.oci("s")
        )
    };
    let ps = p.to_str().unwrap();
    std::fs::write(p.join("Chart.yaml"), chart_yaml("signed")).unwrap();
    ok(&env.charter(&["dependency", "update", ps, "--verify", "--keyring", ring]));
    assert!(p.join("charts/signed-1.0.0.tgz").is_file());
    std::fs::write(p.join("Chart.yaml"), chart_yaml("plain")).unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps, "--verify", "--keyring", ring]));
    assert!(err.contains("without a .prov layer"), "{err}");
    assert!(!p.join("charts/plain-1.0.0.tgz").exists());

    if let Some(helm) = helm() {
        let dest3 = env.root.join("out3");
        std::fs::create_dir_all(&dest3).unwrap();
        let (hout, _) = ok(&env.run(
            &helm,
            &[
                "pull",
                &reg.oci("s/signed"),
                "--version",
                "1.0.0",
                "--verify",
                "--keyring",
                ring,
                "--plain-http",
                "-d",
                dest3.to_str().unwrap(),
            ],
        ));
        assert!(hout.contains("Signed by: Helm Testing"), "{hout}");
    }
}
