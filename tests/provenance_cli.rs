//! Chart provenance through the binary: `verify`, `package --sign` and
//! `pull --verify/--prov`, with Helm's own signed test charts and test keys from
//! `../shared/peer/helm-testdata`, against a chart repository this test serves on
//! 127.0.0.1. Tests that cross-check with real Helm 3 run when
//! `../shared/tools/get-helm 3` (or `CHARTER_TEST_HELM`) yields a binary, and say
//! so when skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sha2::{Digest, Sha256};

#[path = "common/http.rs"]
mod http;
use http::{ServeOpts, serve};

const TEST_KEY: &str = "helm-test";
const PASSWORD_KEY: &str = "password key (fake) <fake@helm.sh>";

/// Helm's test data, read where it stands.
fn peer() -> Option<PathBuf> {
    [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peer/helm-testdata"),
        PathBuf::from("/work/shared/peer/helm-testdata"),
    ]
    .into_iter()
    .find(|p| p.join("pkg/provenance/testdata").is_dir())
}

fn helm() -> Option<String> {
    if let Ok(h) = std::env::var("CHARTER_TEST_HELM") {
        return Some(h);
    }
    let tool = [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/get-helm"),
        PathBuf::from("/work/shared/tools/get-helm"),
    ]
    .into_iter()
    .find(|p| p.is_file())?;
    let out = Command::new(tool).arg("3").output().ok()?;
    let path = text(&out.stdout).trim().to_string();
    (out.status.success() && Path::new(&path).is_file()).then_some(path)
}

struct Keys {
    /// Binary public keyring with Helm's test key.
    public: PathBuf,
    /// Binary secret keyring with Helm's test key (no passphrase).
    secret: PathBuf,
    /// Binary secret keyring with another key, protected by the passphrase `secret`.
    password: PathBuf,
}

fn keys(peer: &Path) -> Keys {
    let d = peer.join("pkg/provenance/testdata");
    Keys {
        public: d.join("helm-test-key.pub"),
        secret: d.join("helm-test-key.secret"),
        password: d.join("helm-password-key.secret"),
    }
}

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
            .env("GNUPGHOME", self.root.join("gnupg"))
            .env_remove("HELM_KEY_PASSPHRASE")
            .env_remove("HELM_REPOSITORY_CONFIG")
            .env_remove("HELM_REPOSITORY_CACHE")
            .stdin(Stdio::null());
        c
    }
    fn charter_cmd(&self) -> Command {
        self.cmd(env!("CARGO_BIN_EXE_charter"))
    }
    fn charter(&self, args: &[&str]) -> Output {
        self.charter_cmd().args(args).output().unwrap()
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// Asserts a failure whose stderr holds `expect`; returns stderr.
fn fails(o: &Output, expect: &str) -> String {
    let err = text(&o.stderr);
    assert!(
        !o.status.success(),
        "expected a failure with {expect:?}, got success: {}",
        text(&o.stdout)
    );
    assert!(err.contains(expect), "expected {expect:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sha256(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn write_chart(dir: &Path, name: &str, version: &str, description: &str) -> PathBuf {
    let c = dir.join(name);
    std::fs::create_dir_all(c.join("templates")).unwrap();
    std::fs::write(
        c.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: {name}\nversion: {version}\ndescription: {description}\nkeywords:\n- web\n- -dashed\nmaintainers:\n- name: someone\n  email: someone@example.com\n"
        ),
    )
    .unwrap();
    std::fs::write(c.join("values.yaml"), "a: 1\n").unwrap();
    std::fs::write(
        c.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    )
    .unwrap();
    c
}

/// Packages and signs `name` with Helm's test key into `dest`; returns the archive.
fn signed_package(env: &Env, k: &Keys, name: &str, version: &str, dest: &str) -> PathBuf {
    let src = write_chart(
        &env.path(&format!("src-{name}-{version}")),
        name,
        version,
        "the chart",
    );
    let out = ok(&env.charter(&[
        "package",
        s(&src),
        "--sign",
        "--key",
        TEST_KEY,
        "--keyring",
        s(&k.secret),
        "-d",
        dest,
    ]));
    let archive = env.path(dest).join(format!("{name}-{version}.tgz"));
    assert_eq!(
        out,
        format!("Successfully packaged chart and saved it to: {dest}/{name}-{version}.tgz\n")
    );
    archive
}

/// The three lines of a verification report, checked against the archive.
fn assert_report(out: &str, signer: &str, archive: &Path) {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0], format!("Signed by: {signer}"));
    let fp = lines[1]
        .strip_prefix("Using Key With Fingerprint: ")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        fp.len() == 40
            && fp
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
        "{out}"
    );
    assert_eq!(
        lines[2],
        format!("Chart Hash Verified: sha256:{}", sha256(archive))
    );
}

const TEST_SIGNER: &str =
    "Helm Testing (This key should only be used for testing. DO NOT TRUST.) <helm-testing@helm.sh>";

#[test]
fn verifies_helms_signed_test_charts() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let env = Env::new();
    let cases = [
        (
            peer.join("pkg/cmd/testdata/testcharts/signtest-0.1.0.tgz"),
            peer.join("pkg/cmd/testdata/helm-test-key.pub"),
        ),
        (
            peer.join("pkg/provenance/testdata/hashtest-1.2.3.tgz"),
            peer.join("pkg/provenance/testdata/helm-test-key.pub"),
        ),
    ];
    for (archive, ring) in &cases {
        let out = ok(&env.charter(&["verify", s(archive), "--keyring", s(ring)]));
        assert_report(&out, TEST_SIGNER, archive);
        if let Some(helm) = helm() {
            let theirs = ok(&env
                .cmd(&helm)
                .args(["verify", s(archive), "--keyring", s(ring)])
                .output()
                .unwrap());
            assert_eq!(out, theirs, "{}", archive.display());
        }
    }
    // Helm's recorded digest of hashtest agrees with the one verified.
    let recorded =
        std::fs::read_to_string(peer.join("pkg/provenance/testdata/hashtest.sha256")).unwrap();
    let out = ok(&env.charter(&["verify", s(&cases[1].0), "--keyring", s(&cases[1].1)]));
    assert!(
        out.contains(&format!(
            "sha256:{}",
            recorded.split_whitespace().next().unwrap()
        )),
        "{out}"
    );
    // A secret keyring verifies as well, and the default keyring is
    // $GNUPGHOME/pubring.gpg.
    let k = keys(&peer);
    ok(&env.charter(&["verify", s(&cases[1].0), "--keyring", s(&k.secret)]));
    let none = env.charter(&["verify", s(&cases[1].0)]);
    fails(&none, "failed to load keyring: open ");
    assert!(text(&none.stderr).contains("gnupg/pubring.gpg"));
    std::fs::create_dir_all(env.path("gnupg")).unwrap();
    std::fs::copy(&k.public, env.path("gnupg/pubring.gpg")).unwrap();
    assert_report(
        &ok(&env.charter(&["verify", s(&cases[1].0)])),
        TEST_SIGNER,
        &cases[1].0,
    );
}

#[test]
fn signs_with_plain_and_protected_keys() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let k = keys(&peer);
    let env = Env::new();
    let archive = signed_package(&env, &k, "web", "1.2.3", "out");
    let prov = std::fs::read_to_string(archive.with_extension("tgz.prov")).unwrap();
    assert!(
        prov.starts_with("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\napiVersion: v2\n"),
        "{prov}"
    );
    // Lines starting with a dash are dash-escaped; the hash is the archive's.
    assert!(prov.contains("\n- - web\n- - -dashed\n"), "{prov}");
    assert!(
        prov.contains(&format!(
            "\n\n...\nfiles:\n  web-1.2.3.tgz: sha256:{}\n-----BEGIN PGP SIGNATURE-----\n",
            sha256(&archive)
        )),
        "{prov}"
    );
    assert!(prov.ends_with("-----END PGP SIGNATURE-----"), "{prov}");
    assert_report(
        &ok(&env.charter(&["verify", s(&archive), "--keyring", s(&k.public)])),
        TEST_SIGNER,
        &archive,
    );

    // The protected key: from a file, from stdin, from HELM_KEY_PASSPHRASE.
    let src = write_chart(&env.path("pw-src"), "pw", "0.1.0", "protected");
    std::fs::write(env.path("pass"), "secret\n").unwrap();
    let sign = |dest: &str, extra: &[&str]| {
        let mut c = env.charter_cmd();
        c.args([
            "package",
            s(&src),
            "--sign",
            "--key",
            "fake",
            "--keyring",
            s(&k.password),
            "-d",
            dest,
        ])
        .args(extra);
        c
    };
    ok(&sign("p-file", &["--passphrase-file", "pass"])
        .output()
        .unwrap());
    let mut child = sign("p-stdin", &["--passphrase-file", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"secret\n").unwrap();
    ok(&child.wait_with_output().unwrap());
    ok(&sign("p-env", &[])
        .env("HELM_KEY_PASSPHRASE", "secret")
        .output()
        .unwrap());
    for dest in ["p-file", "p-stdin", "p-env"] {
        let a = env.path(dest).join("pw-0.1.0.tgz");
        assert_report(
            &ok(&env.charter(&["verify", s(&a), "--keyring", s(&k.password)])),
            PASSWORD_KEY,
            &a,
        );
        // The other key's ring does not know this signer.
        fails(
            &env.charter(&["verify", s(&a), "--keyring", s(&k.public)]),
            "openpgp: signature made by unknown entity",
        );
    }

    // Failures leave nothing behind.
    std::fs::write(env.path("wrong"), "secrets_and_lies\n").unwrap();
    fails(
        &sign("bad1", &["--passphrase-file", "wrong"])
            .output()
            .unwrap(),
        "failed to unlock the key \"password key (fake) <fake@helm.sh>\"",
    );
    fails(
        &sign("bad2", &[]).output().unwrap(),
        "is protected by a passphrase: give it with --passphrase-file or HELM_KEY_PASSPHRASE",
    );
    fails(
        &sign("bad3", &["--passphrase-file", "no-such-file"])
            .output()
            .unwrap(),
        "open no-such-file: no such file or directory",
    );
    let src_s = s(&src);
    for (args, expect) in [
        (
            vec![
                "package",
                src_s,
                "--sign",
                "--keyring",
                s(&k.secret),
                "-d",
                "bad4",
            ],
            "--key is required for signing a package",
        ),
        (
            vec![
                "package",
                src_s,
                "--sign",
                "--key",
                "nobody",
                "--keyring",
                s(&k.secret),
                "-d",
                "bad5",
            ],
            "private key not found",
        ),
        (
            vec![
                "package",
                src_s,
                "--sign",
                "--key",
                TEST_KEY,
                "--keyring",
                s(&k.public),
                "-d",
                "bad6",
            ],
            "provided key is not a private key. Try providing a keyring with secret keys",
        ),
        (
            vec![
                "package",
                src_s,
                "--sign",
                "--key",
                TEST_KEY,
                "--keyring",
                "missing.gpg",
                "-d",
                "bad7",
            ],
            "failed to load keyring: open missing.gpg: no such file or directory",
        ),
        (
            vec![
                "package",
                src_s,
                "--sign",
                "--key",
                TEST_KEY,
                "--keyring",
                src_s,
                "-d",
                "bad8",
            ],
            "failed to load keyring: ",
        ),
    ] {
        fails(&env.charter(&args), expect);
    }
    for d in [
        "bad1", "bad2", "bad3", "bad4", "bad5", "bad6", "bad7", "bad8",
    ] {
        assert!(!env.path(d).exists(), "{d} was written");
    }
}

#[test]
fn rejects_tampering_and_missing_pieces() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let k = keys(&peer);
    let env = Env::new();
    let archive = signed_package(&env, &k, "web", "1.0.0", "good");
    let prov = archive.with_extension("tgz.prov");
    let ring = s(&k.public);

    // Another archive under the same name: the digest no longer matches.
    let other = write_chart(&env.path("other"), "web", "1.0.0", "something else");
    ok(&env.charter(&["package", s(&other), "-d", "swapped"]));
    std::fs::copy(&prov, env.path("swapped/web-1.0.0.tgz.prov")).unwrap();
    let swapped = env.path("swapped/web-1.0.0.tgz");
    fails(
        &env.charter(&["verify", s(&swapped), "--keyring", ring]),
        &format!(
            "Error: sha256 sum does not match for web-1.0.0.tgz: \"sha256:{}\" != \"sha256:{}\"",
            sha256(&archive),
            sha256(&swapped)
        ),
    );

    // The signed message edited after signing.
    std::fs::create_dir_all(env.path("edited")).unwrap();
    std::fs::copy(&archive, env.path("edited/web-1.0.0.tgz")).unwrap();
    let edited = std::fs::read_to_string(&prov)
        .unwrap()
        .replace("description: the chart", "description: the charm");
    std::fs::write(env.path("edited/web-1.0.0.tgz.prov"), edited).unwrap();
    fails(
        &env.charter(&["verify", "edited/web-1.0.0.tgz", "--keyring", ring]),
        "openpgp: invalid signature",
    );

    // The same files under another name.
    std::fs::create_dir_all(env.path("renamed")).unwrap();
    std::fs::copy(&archive, env.path("renamed/web-9.tgz")).unwrap();
    std::fs::copy(&prov, env.path("renamed/web-9.tgz.prov")).unwrap();
    fails(
        &env.charter(&["verify", "renamed/web-9.tgz", "--keyring", ring]),
        "provenance does not contain a SHA for a file named \"web-9.tgz\"",
    );

    // No signature block at all.
    std::fs::create_dir_all(env.path("nosig")).unwrap();
    std::fs::copy(&archive, env.path("nosig/web-1.0.0.tgz")).unwrap();
    std::fs::write(env.path("nosig/web-1.0.0.tgz.prov"), "hello\n").unwrap();
    fails(
        &env.charter(&["verify", "nosig/web-1.0.0.tgz", "--keyring", ring]),
        "failed to decode signature: signature block not found",
    );

    // A keyring without the signer; no keyring; no .prov; not an archive.
    fails(
        &env.charter(&["verify", s(&archive), "--keyring", s(&k.password)]),
        "openpgp: signature made by unknown entity",
    );
    fails(
        &env.charter(&["verify", s(&archive), "--keyring", "nope.gpg"]),
        "failed to load keyring: open nope.gpg: no such file or directory",
    );
    fails(
        &env.charter(&["verify", "swapped/../other/web", "--keyring", ring]),
        "unpacked charts cannot be verified",
    );
    fails(
        &env.charter(&["verify", "other/web/Chart.yaml", "--keyring", ring]),
        "chart must be a tgz file",
    );
    std::fs::remove_file(&prov).unwrap();
    fails(
        &env.charter(&["verify", s(&archive), "--keyring", ring]),
        &format!(
            "could not load provenance file {p}: stat {p}: no such file or directory",
            p = prov.display()
        ),
    );
    fails(
        &env.charter(&["verify", "absent.tgz", "--keyring", ring]),
        "stat absent.tgz: no such file or directory",
    );
}

#[test]
fn helm_and_charter_verify_each_other() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let Some(helm) = helm() else {
        eprintln!("skipped: no Helm binary (set CHARTER_TEST_HELM)");
        return;
    };
    let k = keys(&peer);
    let env = Env::new();
    let helm_verify = |archive: &Path, ring: &Path| {
        env.cmd(&helm)
            .args(["verify", s(archive), "--keyring", s(ring)])
            .output()
            .unwrap()
    };

    // charter signs, Helm verifies (and both report the same).
    let ours = signed_package(&env, &k, "web", "2.0.0", "c");
    let theirs_out = ok(&helm_verify(&ours, &k.public));
    assert_eq!(
        theirs_out,
        ok(&env.charter(&["verify", s(&ours), "--keyring", s(&k.public)]))
    );
    assert_report(&theirs_out, TEST_SIGNER, &ours);

    // Helm signs, charter verifies.
    let src = write_chart(&env.path("h-src"), "db", "0.3.0", "from helm");
    ok(&env
        .cmd(&helm)
        .args([
            "package",
            s(&src),
            "--sign",
            "--key",
            TEST_KEY,
            "--keyring",
            s(&k.secret),
            "-d",
            "h",
        ])
        .output()
        .unwrap());
    let helms = env.path("h/db-0.3.0.tgz");
    let ours_out = ok(&env.charter(&["verify", s(&helms), "--keyring", s(&k.public)]));
    assert_eq!(ours_out, ok(&helm_verify(&helms, &k.public)));
    assert_report(&ours_out, TEST_SIGNER, &helms);

    // The protected key, signed by charter with its passphrase from a file.
    std::fs::write(env.path("pass"), "secret\n").unwrap();
    ok(&env.charter(&[
        "package",
        s(&src),
        "--sign",
        "--key",
        PASSWORD_KEY,
        "--keyring",
        s(&k.password),
        "--passphrase-file",
        "pass",
        "-d",
        "pw",
    ]));
    let pw = env.path("pw/db-0.3.0.tgz");
    assert_report(&ok(&helm_verify(&pw, &k.password)), PASSWORD_KEY, &pw);

    // A v1 chart with requirements, annotations and awkward text: Helm and
    // charter sign the same message (only the archive digests differ).
    let v1 = env.path("v1c");
    std::fs::create_dir_all(v1.join("charts/sub")).unwrap();
    std::fs::write(
        v1.join("Chart.yaml"),
        "apiVersion: v1\nname: v1c\nversion: 1.0.0-rc.1+build\nappVersion: \"2.0\"\ndescription: |\n  multi line\n  description: with colon\nhome: https://example.com\nsources: [a, b]\nannotations:\n  x/y: \"true\"\nkubeVersion: \">=1.20\"\ndeprecated: true\nmaintainers:\n- name: A\n  url: https://a\n",
    )
    .unwrap();
    std::fs::write(
        v1.join("requirements.yaml"),
        "dependencies:\n- name: sub\n  version: 0.1.0\n  repository: file://charts/sub\n",
    )
    .unwrap();
    std::fs::write(
        v1.join("charts/sub/Chart.yaml"),
        "apiVersion: v1\nname: sub\nversion: 0.1.0\n",
    )
    .unwrap();
    let sign_args = |dest: &str| {
        vec![
            "package".to_string(),
            s(&v1).to_string(),
            "--sign".into(),
            "--key".into(),
            TEST_KEY.into(),
            "--keyring".into(),
            s(&k.secret).to_string(),
            "-d".into(),
            dest.into(),
        ]
    };
    ok(&env.charter_cmd().args(sign_args("v1-c")).output().unwrap());
    ok(&env.cmd(&helm).args(sign_args("v1-h")).output().unwrap());
    let message = |dir: &str| {
        let prov =
            std::fs::read_to_string(env.path(dir).join("v1c-1.0.0-rc.1+build.tgz.prov")).unwrap();
        prov.split("\nfiles:\n").next().unwrap().to_string()
    };
    assert_eq!(message("v1-c"), message("v1-h"));
    assert!(message("v1-c").contains("dependencies:\n- - name: sub\n"));
    let v1_ours = env.path("v1-c/v1c-1.0.0-rc.1+build.tgz");
    assert_report(
        &ok(&helm_verify(&v1_ours, &k.public)),
        TEST_SIGNER,
        &v1_ours,
    );

    // Helm rejects what charter rejects: a swapped archive and a foreign key.
    std::fs::copy(&helms, &ours).unwrap_or_else(|e| panic!("{e}"));
    let o = helm_verify(&ours, &k.public);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("sha256 sum does not match"));
    fails(
        &env.charter(&["verify", s(&ours), "--keyring", s(&k.public)]),
        "sha256 sum does not match",
    );
    let o = helm_verify(&helms, &k.password);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("signature made by unknown entity"));
}

/// A served repository: `web` 1.0.0 signed, `db` 0.1.0 unsigned.
fn signed_repo(env: &Env, k: &Keys) -> (PathBuf, String) {
    let srv = env.path("srv");
    signed_package(env, k, "web", "1.0.0", "srv");
    let db = write_chart(&env.path("db-src"), "db", "0.1.0", "unsigned");
    ok(&env.charter(&["package", s(&db), "-d", "srv"]));
    ok(&env.charter(&["repo", "index", s(&srv)]));
    let url = serve(srv.clone(), ServeOpts::default());
    (srv, url)
}

#[test]
fn pull_verifies_before_writing() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let k = keys(&peer);
    let env = Env::new();
    let (srv, url) = signed_repo(&env, &k);
    let ring = s(&k.public);
    ok(&env.charter(&["repo", "add", "r", &url]));

    // --verify: the report on stdout, the archive and its .prov written.
    let out = ok(&env.charter(&["pull", "r/web", "--verify", "--keyring", ring, "-d", "v"]));
    assert_report(&out, TEST_SIGNER, &srv.join("web-1.0.0.tgz"));
    assert_eq!(
        std::fs::read(env.path("v/web-1.0.0.tgz")).unwrap(),
        std::fs::read(srv.join("web-1.0.0.tgz")).unwrap()
    );
    assert_eq!(
        std::fs::read(env.path("v/web-1.0.0.tgz.prov")).unwrap(),
        std::fs::read(srv.join("web-1.0.0.tgz.prov")).unwrap()
    );
    // The pulled pair verifies on disk, too.
    assert_report(
        &ok(&env.charter(&["verify", "v/web-1.0.0.tgz", "--keyring", ring])),
        TEST_SIGNER,
        &srv.join("web-1.0.0.tgz"),
    );
    // --verify with --repo and --untar: unpacked, no archive left.
    let out = ok(&env.charter(&[
        "pull",
        "web",
        "--repo",
        &url,
        "--verify",
        "--keyring",
        ring,
        "--untar",
        "-d",
        "u",
    ]));
    assert!(out.starts_with("Signed by: "), "{out}");
    assert!(env.path("u/web/Chart.yaml").is_file());
    assert!(!env.path("u/web-1.0.0.tgz").exists());
    // --prov: fetched and saved, not checked (a foreign keyring does not matter).
    let out = ok(&env.charter(&[
        "pull",
        "r/web",
        "--prov",
        "--keyring",
        s(&k.password),
        "-d",
        "p",
    ]));
    assert_eq!(out, "");
    assert!(env.path("p/web-1.0.0.tgz.prov").is_file());
    // --prov for an unsigned chart: a warning, the archive still written.
    let o = env.charter(&["pull", "r/db", "--prov", "-d", "p"]);
    ok(&o);
    assert!(
        text(&o.stderr).contains("WARNING: Verification not found for r/db: "),
        "{}",
        text(&o.stderr)
    );
    assert!(env.path("p/db-0.1.0.tgz").is_file());

    // Failures write nothing.
    fails(
        &env.charter(&["pull", "r/db", "--verify", "--keyring", ring, "-d", "f1"]),
        &format!("failed to fetch provenance \"{url}/db-0.1.0.tgz.prov\""),
    );
    fails(
        &env.charter(&[
            "pull",
            "r/web",
            "--verify",
            "--keyring",
            s(&k.password),
            "-d",
            "f2",
        ]),
        "openpgp: signature made by unknown entity",
    );
    fails(
        &env.charter(&[
            "pull",
            "r/web",
            "--verify",
            "--keyring",
            "nope.gpg",
            "-d",
            "f3",
        ]),
        "failed to load keyring: open nope.gpg: no such file or directory",
    );
    // The served archive replaced by another build of the same name.
    let other = write_chart(&env.path("evil"), "web", "1.0.0", "not what was signed");
    ok(&env.charter(&["package", s(&other), "-d", "evil-out"]));
    std::fs::copy(
        env.path("evil-out/web-1.0.0.tgz"),
        srv.join("web-1.0.0.tgz"),
    )
    .unwrap();
    fails(
        &env.charter(&["pull", "r/web", "--verify", "--keyring", ring, "-d", "f4"]),
        "sha256 sum does not match for web-1.0.0.tgz",
    );
    fails(
        &env.charter(&[
            "pull",
            "r/web",
            "--verify",
            "--keyring",
            ring,
            "--untar",
            "-d",
            "f5",
        ]),
        "sha256 sum does not match for web-1.0.0.tgz",
    );
    for d in ["f1", "f2", "f3", "f4", "f5"] {
        assert!(!env.path(d).exists(), "{d} was written");
    }
    if let Some(helm) = helm() {
        // Helm wants the destination to exist; it then writes the archive and
        // fails after, where charter fails before writing.
        std::fs::create_dir_all(env.path("hf")).unwrap();
        let o = env
            .cmd(&helm)
            .args(["pull", "r/web", "--verify", "--keyring", ring, "-d", "hf"])
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert!(text(&o.stderr).contains("sha256 sum does not match for web-1.0.0.tgz"));
    }
}

#[test]
fn helm_pulls_and_verifies_what_charter_serves() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let Some(helm) = helm() else {
        eprintln!("skipped: no Helm binary (set CHARTER_TEST_HELM)");
        return;
    };
    let k = keys(&peer);
    let env = Env::new();
    let (_srv, url) = signed_repo(&env, &k);
    ok(&env.charter(&["repo", "add", "r", &url]));
    let ring = s(&k.public);
    let ours = ok(&env.charter(&["pull", "r/web", "--verify", "--keyring", ring, "-d", "c"]));
    std::fs::create_dir_all(env.path("h")).unwrap();
    let theirs = ok(&env
        .cmd(&helm)
        .args(["pull", "r/web", "--verify", "--keyring", ring, "-d", "h"])
        .output()
        .unwrap());
    assert_eq!(ours, theirs);
    assert_eq!(
        std::fs::read(env.path("c/web-1.0.0.tgz.prov")).unwrap(),
        std::fs::read(env.path("h/web-1.0.0.tgz.prov")).unwrap()
    );
}

#[test]
fn template_and_show_verify_local_archives_as_helm_does() {
    let Some(peer) = peer() else {
        eprintln!("skipped: Helm's test data not found");
        return;
    };
    let env = Env::new();
    let k = keys(&peer);
    let signed = peer.join("pkg/cmd/testdata/testcharts/signtest-0.1.0.tgz");
    let unsigned = peer.join("pkg/cmd/testdata/testcharts/reqtest-0.1.0.tgz");
    let folder = peer.join("pkg/cmd/testdata/testcharts/signtest");
    let ring = peer.join("pkg/cmd/testdata/helm-test-key.pub");
    let cases: Vec<(Vec<&str>, bool)> = vec![
        (
            vec![
                "template",
                "x",
                s(&signed),
                "--verify",
                "--keyring",
                s(&ring),
            ],
            true,
        ),
        (
            vec![
                "show",
                "chart",
                s(&signed),
                "--verify",
                "--keyring",
                s(&ring),
            ],
            true,
        ),
        (
            vec![
                "template",
                "x",
                s(&signed),
                "--verify",
                "--keyring",
                s(&k.password),
            ],
            false,
        ),
        (
            vec![
                "template",
                "x",
                s(&unsigned),
                "--verify",
                "--keyring",
                s(&ring),
            ],
            false,
        ),
        (
            vec![
                "show",
                "chart",
                s(&folder),
                "--verify",
                "--keyring",
                s(&ring),
            ],
            false,
        ),
    ];
    for (args, good) in cases {
        let ours = env.charter(&args);
        assert_eq!(
            ours.status.success(),
            good,
            "{args:?}: {}",
            text(&ours.stderr)
        );
        if let Some(helm) = helm() {
            let theirs = env.cmd(&helm).args(&args).output().unwrap();
            assert_eq!(ours.status.success(), theirs.status.success(), "{args:?}");
            assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{args:?}");
        }
    }
    let bad = env.charter(&[
        "template",
        "x",
        s(&signed),
        "--verify",
        "--keyring",
        s(&k.password),
    ]);
    assert!(
        text(&bad.stderr).contains("signature made by unknown entity"),
        "{}",
        text(&bad.stderr)
    );
}
