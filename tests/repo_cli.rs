//! `repo`, `search`, `pull` and `package` through the binary, against a chart
//! repository this test serves on 127.0.0.1, each test with its own HELM_* dirs.
//! Tests that compare with real Helm run when `/work/shared/tools/get-helm 3`
//! (or `CHARTER_TEST_HELM`) yields a binary, and say so when skipped.

#[path = "common/repo.rs"]
mod repo_helper;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use repo_helper::*;

#[test]
fn add_search_pull_remove() {
    let env = Env::new();
    let srv = repo_dir(&env);
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    let url = serve(srv, ServeOpts::default());
    assert_eq!(
        ok(&env.charter(&["repo", "add", "r", &url])),
        "\"r\" has been added to your repositories\n"
    );
    assert!(env.root.join("cache/repository/r-index.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(env.root.join("cache/repository/r-charts.txt")).unwrap(),
        "db\nweb"
    );
    let again = env.charter(&["repo", "add", "r", &format!("{url}/other")]);
    assert!(!again.status.success());
    assert_eq!(
        text(&again.stderr),
        "Error: repository name (r) already exists, please specify a different name\n"
    );
    assert_eq!(
        ok(&env.charter(&["search", "repo", "web"])),
        // db matches too: "web" is one of its keywords (score 3).
        "NAME \tCHART VERSION\tAPP VERSION\tDESCRIPTION  \nr/web\t1.1.0        \t1.0        \tthe web chart\nr/db \t0.3.0        \t1.0        \tthe db chart \n"
    );
    assert_eq!(
        ok(&env.charter(&["search", "repo", "--devel", "-l", "-o", "json"])),
        "[{\"name\":\"r/db\",\"version\":\"0.3.0\",\"app_version\":\"1.0\",\"description\":\"the db chart\"},{\"name\":\"r/web\",\"version\":\"2.0.0-beta.1\",\"app_version\":\"1.0\",\"description\":\"the web chart\"},{\"name\":\"r/web\",\"version\":\"1.1.0\",\"app_version\":\"1.0\",\"description\":\"the web chart\"},{\"name\":\"r/web\",\"version\":\"1.0.0\",\"app_version\":\"1.0\",\"description\":\"the web chart\"}]\n"
    );
    assert_eq!(
        ok(&env.charter(&["search", "repo", "--version", "~1.0", "-o", "yaml"])),
        "- app_version: \"1.0\"\n  description: the web chart\n  name: r/web\n  version: 1.0.0\n"
    );
    assert_eq!(
        ok(&env.charter(&["search", "repo", "nothing-like-it"])),
        "No results found\n"
    );
    // Keyword match in the third field (description) of db only with a regexp.
    assert_eq!(
        ok(&env.charter(&["search", "repo", "-r", "the d[b]", "-o", "json"]))
            .matches("r/db")
            .count(),
        1
    );

    let up = ok(&env.charter(&["repo", "update"]));
    assert_eq!(
        up,
        "Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the \"r\" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\n"
    );

    ok(&env.charter(&["pull", "r/web", "-d", "dl"]));
    assert!(env.root.join("dl/web-1.1.0.tgz").is_file());
    ok(&env.charter(&[
        "pull",
        "web",
        "--repo",
        &url,
        "--version",
        "1.0.0",
        "--untar",
        "-d",
        "un",
    ]));
    assert_eq!(
        std::fs::read_to_string(env.root.join("un/web/values.yaml")).unwrap(),
        "a: 1 # kept raw\n"
    );
    assert!(
        !env.root.join("un/web/notes.bak").exists(),
        ".helmignore honoured by package"
    );
    let twice = env.charter(&["pull", "web", "--repo", &url, "--untar", "-d", "un"]);
    assert!(
        text(&twice.stderr).contains("already exists"),
        "{}",
        text(&twice.stderr)
    );

    assert_eq!(
        ok(&env.charter(&["repo", "list", "-o", "json"])),
        format!("[{{\"name\":\"r\",\"url\":\"{url}\"}}]\n")
    );
    assert_eq!(
        ok(&env.charter(&["repo", "rm", "r"])),
        "\"r\" has been removed from your repositories\n"
    );
    assert!(!env.root.join("cache/repository/r-index.yaml").exists());
    let none = env.charter(&["repo", "list"]);
    assert_eq!(text(&none.stderr), "Error: no repositories to show\n");
}

#[test]
fn basic_auth_and_unreachable() {
    let env = Env::new();
    let srv = repo_dir(&env);
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    // base64("user:pw")
    let url = serve(
        srv,
        ServeOpts {
            auth: Some("dXNlcjpwdw==".into()),
            ..ServeOpts::default()
        },
    );
    let denied = env.charter(&["repo", "add", "a", &url]);
    assert!(!denied.status.success());
    assert!(
        text(&denied.stderr).starts_with(&format!(
            "Error: looks like \"{url}\" is not a valid chart repository or cannot be reached"
        )),
        "{}",
        text(&denied.stderr)
    );
    assert!(
        text(&denied.stderr).contains("401"),
        "{}",
        text(&denied.stderr)
    );
    let wrong = env.charter(&[
        "repo",
        "add",
        "a",
        &url,
        "--username",
        "user",
        "--password",
        "nope",
    ]);
    assert!(!wrong.status.success());
    ok(&env.charter(&[
        "repo",
        "add",
        "a",
        &url,
        "--username",
        "user",
        "--password",
        "pw",
    ]));
    let mut stdin_pw = env.cmd(env!("CARGO_BIN_EXE_charter"));
    stdin_pw
        .args([
            "repo",
            "add",
            "b",
            &url,
            "--username",
            "user",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = stdin_pw.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"pw\n").unwrap();
    ok(&child.wait_with_output().unwrap());
    // Credentials are stored and used for pulls.
    ok(&env.charter(&["pull", "a/db", "-d", "dl"]));
    assert!(env.root.join("dl/db-0.3.0.tgz").is_file());
    let repos = std::fs::read_to_string(env.root.join("config/repositories.yaml")).unwrap();
    assert!(
        repos.contains("  password: pw\n") && repos.contains("  username: user\n"),
        "{repos}"
    );

    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let gone = env.charter(&["repo", "add", "gone", &format!("http://{closed}")]);
    assert!(
        text(&gone.stderr).contains(&format!("http://{closed}/index.yaml")),
        "{}",
        text(&gone.stderr)
    );
}

#[test]
fn retries_and_truncation() {
    let env = Env::new();
    let srv = repo_dir(&env);
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    let flaky = serve(
        srv.clone(),
        ServeOpts {
            fail_first: 2,
            ..ServeOpts::default()
        },
    );
    ok(&env.charter(&["repo", "add", "flaky", &flaky]));
    let cut = serve(
        srv,
        ServeOpts {
            truncate: true,
            ..ServeOpts::default()
        },
    );
    let bad = env.charter(&["repo", "add", "cut", &cut]);
    assert!(!bad.status.success());
    assert!(
        !env.root.join("cache/repository/cut-index.yaml").exists(),
        "a truncated index must not reach the cache"
    );
    let cached = std::fs::read_dir(env.root.join("cache/repository"))
        .unwrap()
        .count();
    assert_eq!(
        cached, 3,
        "only flaky's index, charts list and search cache"
    );
}

/// Builds a gzipped tar with raw headers (what a hostile repository could serve).
fn hostile_tgz(entries: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for (name, kind, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        {
            let raw = h.as_old_mut();
            raw.name[..name.len()].copy_from_slice(name.as_bytes());
        }
        if *kind == tar::EntryType::Symlink {
            h.set_link_name("/etc/passwd").unwrap();
            h.set_size(0);
        }
        h.set_cksum();
        b.append(
            &h,
            if *kind == tar::EntryType::Symlink {
                &b""[..]
            } else {
                data
            },
        )
        .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

#[test]
fn untar_refuses_unsafe_archives() {
    let env = Env::new();
    let srv = env.root.join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    let chart = b"apiVersion: v2\nname: x\nversion: 1.0.0\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "escape",
            hostile_tgz(&[
                ("x/Chart.yaml", tar::EntryType::Regular, chart),
                ("x/../../evil", tar::EntryType::Regular, b"boom"),
            ]),
            "escapes",
        ),
        (
            "absolute",
            hostile_tgz(&[("/tmp/charter-evil", tar::EntryType::Regular, b"boom")]),
            "absolute",
        ),
        (
            "symlink",
            hostile_tgz(&[
                ("x/Chart.yaml", tar::EntryType::Regular, chart),
                ("x/link", tar::EntryType::Symlink, b""),
            ]),
            "only regular files",
        ),
        (
            "device",
            hostile_tgz(&[("x/dev", tar::EntryType::Char, b"")]),
            "only regular files",
        ),
        (
            "bomb",
            hostile_tgz(&[(
                "x/big",
                tar::EntryType::Regular,
                &vec![0u8; 6 * 1024 * 1024],
            )]),
            "limit",
        ),
    ];
    for (name, data, _) in &cases {
        std::fs::write(srv.join(format!("{name}.tgz")), data).unwrap();
    }
    let url = serve(srv, ServeOpts::default());
    for (name, _, expect) in &cases {
        let out = env.charter(&[
            "pull",
            &format!("{url}/{name}.tgz"),
            "--untar",
            "-d",
            &format!("out-{name}"),
        ]);
        assert!(!out.status.success(), "{name} was unpacked");
        assert!(
            text(&out.stderr).contains(expect),
            "{name}: {}",
            text(&out.stderr)
        );
    }
    assert!(!env.root.join("evil").exists() && !Path::new("/tmp/charter-evil").exists());
}
#[test]
fn helm_reads_what_charter_writes() {
    let Some(helm) = helm() else {
        eprintln!("skipped: no Helm binary (set CHARTER_TEST_HELM)");
        return;
    };
    let env = Env::new();
    let srv = repo_dir(&env);
    ok(&env.charter(&[
        "repo",
        "index",
        srv.to_str().unwrap(),
        "--url",
        "http://example.invalid/charts",
    ]));
    let url = serve(srv.clone(), ServeOpts::default());
    // The index names absolute URLs on another host; rewrite them to the test server.
    let idx = std::fs::read_to_string(srv.join("index.yaml"))
        .unwrap()
        .replace("http://example.invalid/charts", &url);
    std::fs::write(srv.join("index.yaml"), idx).unwrap();
    ok(&env.charter(&["repo", "add", "c", &url]));
    // Helm reads charter's repositories.yaml and cache, and the index charter wrote.
    let helm_search = ok(&env
        .cmd(&helm)
        .args(["search", "repo", "-l", "--devel"])
        .output()
        .unwrap());
    let ours = ok(&env.charter(&["search", "repo", "-l", "--devel"]));
    assert_eq!(ours, helm_search);
    for args in [
        &["search", "repo", "web"][..],
        &["search", "repo", "-o", "yaml"],
        &["search", "repo", "--version", ">=1.0.0 <1.1.0", "-l"],
        &["repo", "list"],
    ] {
        assert_eq!(
            ok(&env.charter(args)),
            ok(&env.cmd(&helm).args(args).output().unwrap()),
            "{args:?}"
        );
    }
    ok(&env
        .cmd(&helm)
        .args(["repo", "add", "h", &url])
        .output()
        .unwrap());
    assert_eq!(
        ok(&env.charter(&["search", "repo", "h/"])),
        ok(&env
            .cmd(&helm)
            .args(["search", "repo", "h/"])
            .output()
            .unwrap())
    );
    // Helm refreshes an index behind charter's back: charter's search cache no
    // longer matches the index, so charter reads the new one.
    let idx = std::fs::read_to_string(srv.join("index.yaml")).unwrap();
    assert!(idx.contains("description: "));
    std::fs::write(
        srv.join("index.yaml"),
        idx.replace("description: ", "description: Changed "),
    )
    .unwrap();
    ok(&env
        .cmd(&helm)
        .args(["repo", "update", "c"])
        .output()
        .unwrap());
    let ours = ok(&env.charter(&["search", "repo", "c/", "-l"]));
    assert!(ours.contains("Changed "), "{ours}");
    assert_eq!(
        ours,
        ok(&env
            .cmd(&helm)
            .args(["search", "repo", "c/", "-l"])
            .output()
            .unwrap())
    );
    // Packages install-template identically, with identical file lists.
    let archive = srv.join("web-1.1.0.tgz");
    let src = env.root.join("src/1.1.0/web");
    ok(&env
        .cmd(&helm)
        .args(["package", src.to_str().unwrap(), "-d", "hp"])
        .output()
        .unwrap());
    let helm_archive = env.root.join("hp/web-1.1.0.tgz");
    let list = |p: &Path| ok(&Command::new("tar").arg("tzf").arg(p).output().unwrap());
    assert_eq!(list(&archive), list(&helm_archive));
    let tmpl = |p: &Path| {
        ok(&env
            .cmd(&helm)
            .args(["template", "x"])
            .arg(p)
            .output()
            .unwrap())
    };
    assert_eq!(tmpl(&archive), tmpl(&helm_archive));
}

#[test]
fn charter_reads_helms_index_files() {
    let peer = Path::new("../shared/peer/helm-testdata/pkg/downloader/testdata/repository");
    let peer = if peer.is_dir() {
        peer.to_path_buf()
    } else {
        PathBuf::from("/work/shared/peer/helm-testdata/pkg/downloader/testdata/repository")
    };
    if !peer.is_dir() {
        eprintln!("skipped: Helm's test data not found");
        return;
    }
    let env = Env::new();
    let cache = env.root.join("cache/repository");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::copy(
        peer.join("kubernetes-charts-index.yaml"),
        cache.join("kc-index.yaml"),
    )
    .unwrap();
    std::fs::create_dir_all(env.root.join("config")).unwrap();
    std::fs::write(
        env.root.join("config/repositories.yaml"),
        "apiVersion: v1\nrepositories:\n- name: kc\n  url: http://127.0.0.1:1\n",
    )
    .unwrap();
    let out = ok(&env.charter(&["search", "repo", "alpine", "-l"]));
    assert!(out.starts_with("NAME"), "{out}");
    assert!(out.contains("kc/alpine"), "{out}");
    if let Some(helm) = helm() {
        for args in [
            &["search", "repo", "alpine", "-l"][..],
            &["search", "repo", "-o", "json"],
            &["search", "repo", "--devel"],
        ] {
            assert_eq!(
                ok(&env.charter(args)),
                ok(&env.cmd(&helm).args(args).output().unwrap()),
                "{args:?}"
            );
        }
    }
}

#[test]
fn show_and_template_download_repository_charts() {
    let env = Env::new();
    let srv = repo_dir(&env);
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    let url = serve(srv, ServeOpts::default());
    ok(&env.charter(&["repo", "add", "r", &url]));
    // `repo/chart` with a constraint, and a name with --repo, as Helm's LocateChart.
    let chart = ok(&env.charter(&["show", "chart", "r/web", "--version", "~1.0"]));
    assert!(chart.contains("version: 1.0.0"), "{chart}");
    let out = ok(&env.charter(&["template", "rel", "web", "--repo", &url, "--devel"]));
    assert!(out.contains("name: rel"), "{out}");
    assert!(
        env.root
            .join("cache/repository/web-2.0.0-beta.1.tgz")
            .is_file()
    );
    let err = env.charter(&["show", "chart", "r/nope"]);
    assert!(!err.status.success());
    assert!(
        text(&err.stderr).starts_with("Error: failed to download \"r/nope\""),
        "{}",
        text(&err.stderr)
    );
    let err = env.charter(&["template", "./missing-dir"]);
    assert_eq!(
        text(&err.stderr),
        "Error: path \"./missing-dir\" not found\n"
    );
}

#[test]
fn search_shows_fields_cleaned_as_helm_cleans_them() {
    let env = Env::new();
    let srv = env.root.join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    // Control characters, tabs and newlines in the fields Helm's Validate cleans,
    // once in the shape the fast reader takes and once in one it hands on.
    std::fs::write(
        srv.join("index.yaml"),
        "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    appVersion: \"1\\t2\"\n    description: \"line one\\nline two\\u0007bell\"\n    urls: [a-1.0.0.tgz]\n  b:\n  - {name: \"b\\u0001\", version: 2.0.0, description: \"x\\ty\"}\n",
    )
    .unwrap();
    let url = serve(srv, ServeOpts::default());
    ok(&env.charter(&["repo", "add", "s", &url]));
    let out = ok(&env.charter(&["search", "repo", "s/", "-o", "json"]));
    assert!(
        out.contains(r#""description":"line one line twobell""#),
        "{out}"
    );
    assert!(out.contains(r#""app_version":"1 2""#), "{out}");
    if let Some(helm) = helm() {
        ok(&env
            .cmd(&helm)
            .args(["repo", "add", "h", &url])
            .output()
            .unwrap());
        for args in [&["search", "repo", "-o", "json"][..], &["search", "repo"]] {
            assert_eq!(
                ok(&env.charter(args)),
                ok(&env.cmd(&helm).args(args).output().unwrap()),
                "{args:?}"
            );
        }
    }
}

#[test]
fn global_location_flags_win_over_the_environment() {
    let env = Env::new();
    let srv = repo_dir(&env);
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    let url = serve(srv, ServeOpts::default());
    let (conf, cache) = (env.root.join("alt/repos.yaml"), env.root.join("alt/cache"));
    let flags = [
        "--repository-config",
        conf.to_str().unwrap(),
        "--repository-cache",
        cache.to_str().unwrap(),
    ];
    let with = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend_from_slice(&flags);
        env.charter(&all)
    };
    ok(&with(&["repo", "add", "alt", &url]));
    assert!(conf.is_file() && cache.join("alt-index.yaml").is_file());
    assert!(!env.root.join("config/repositories.yaml").exists());
    assert!(ok(&with(&["search", "repo", "alt/"])).contains("alt/web"));
    // Without the flags the default locations hold no repositories.
    assert!(!env.charter(&["search", "repo", "alt/"]).status.success());
    // The flag wins over HELM_REPOSITORY_CONFIG.
    let out = env
        .cmd(env!("CARGO_BIN_EXE_charter"))
        .env("HELM_REPOSITORY_CONFIG", env.root.join("nowhere.yaml"))
        .args([
            "repo",
            "list",
            "--repository-config",
            conf.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(ok(&out).contains("alt"));
    // And Helm reads the same files through the same flags.
    if let Some(helm) = helm() {
        let mut args = vec!["search", "repo", "alt/"];
        args.extend_from_slice(&flags);
        assert_eq!(
            ok(&with(&["search", "repo", "alt/"])),
            ok(&env.cmd(&helm).args(&args).output().unwrap())
        );
    }
}

#[test]
fn values_and_set_file_from_urls() {
    let env = Env::new();
    let chart = write_chart(&env.root, "web", "1.0.0");
    std::fs::write(
        chart.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\ndata:\n  a: {{ .Values.a | quote }}\n  cfg: {{ .Values.cfg | quote }}\n",
    )
    .unwrap();
    let srv = env.root.join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    std::fs::write(srv.join("values.yaml"), "name: from-url\na: 2\n").unwrap();
    std::fs::write(srv.join("cfg.txt"), "line one\n").unwrap();
    let url = serve(srv, ServeOpts::default());
    let values = format!("{url}/values.yaml");
    let cfg = format!("cfg={url}/cfg.txt");
    let chart = chart.to_str().unwrap();
    let args = ["template", "r", chart, "-f", &values, "--set-file", &cfg];
    let out = ok(&env.charter(&args));
    assert!(out.contains("name: from-url"), "{out}");
    assert!(out.contains("a: \"2\""), "{out}");
    assert!(out.contains("cfg: \"line one\\n\""), "{out}");

    let missing = format!("{url}/missing.yaml");
    let bad = env.charter(&["template", "r", chart, "-f", &missing]);
    assert!(!bad.status.success());
    let err = text(&bad.stderr);
    let want = format!("Error: failed to fetch {missing} : 404 Not Found");
    assert!(err.starts_with(&want), "{err}");

    if let Some(helm) = helm() {
        let h = env.cmd(&helm).args(args).output().unwrap();
        assert_eq!(ok(&h), out, "Helm renders the same from the same URLs");
        let h = env
            .cmd(&helm)
            .args(["template", "r", chart, "-f", &missing])
            .output()
            .unwrap();
        assert!(text(&h.stderr).starts_with(&want), "{}", text(&h.stderr));
    } else {
        eprintln!("skipped the Helm comparison: no Helm binary");
    }
}
