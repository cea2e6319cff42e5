//! `dependency list|update|build` through the binary, against chart repositories
//! served on 127.0.0.1, with lock files exchanged with real Helm both ways.

#[path = "common/repo.rs"]
mod repo_helper;

use std::path::{Path, PathBuf};

use repo_helper::*;

/// A served repository holding `sub` 0.1.0, 0.1.5, 0.2.0 and `lib` 1.0.0, indexed.
fn served_repo(env: &Env) -> String {
    let srv = env.root.join("srv");
    package_into(
        env,
        &srv,
        &[
            ("sub", "0.1.0"),
            ("sub", "0.1.5"),
            ("sub", "0.2.0"),
            ("lib", "1.0.0"),
        ],
    );
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    serve(srv, ServeOpts::default())
}

/// A parent chart depending on `sub` and `lib` from the repository and on a
/// local chart through `file://`.
fn parent(env: &Env, url: &str, sub: &str, lib_repo: &str) -> PathBuf {
    let p = env.root.join("parent");
    std::fs::create_dir_all(p.join("templates")).unwrap();
    write_chart(&env.root.join("local"), "loc", "3.0.0");
    std::fs::write(
        p.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: \"{sub}\"\n  repository: {url}\n  condition: sub.enabled\n- name: lib\n  version: 1.x\n  repository: \"{lib_repo}\"\n  alias: library\n- name: loc\n  version: \">=3\"\n  repository: file://../local/loc\n"
        ),
    )
    .unwrap();
    p
}

fn charts_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("charts"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn fails(o: &std::process::Output) -> String {
    assert!(
        !o.status.success(),
        "unexpected success: {}",
        text(&o.stdout)
    );
    text(&o.stderr)
}

#[test]
fn update_list_build_cycle() {
    let env = Env::new();
    let url = served_repo(&env);
    ok(&env.charter(&["repo", "add", "myrepo", &url]));
    let p = parent(&env, &url, "~0.1.0", "@myrepo");
    let ps = p.to_str().unwrap();

    let listed = ok(&env.charter(&["dependency", "list", ps]));
    assert!(listed.starts_with("NAME\tVERSION\tREPOSITORY"), "{listed}");
    assert_eq!(listed.matches("missing").count(), 3, "{listed}");

    let out = ok(&env.charter(&["dependency", "update", ps]));
    assert!(
        out.contains("Hang tight while we grab the latest from your chart repositories...\n...Successfully got an update from the \"myrepo\" chart repository\nUpdate Complete. ⎈Happy Helming!⎈\nSaving 3 charts\n"),
        "{out}"
    );
    assert!(out.contains("Downloading sub from repo "), "{out}");
    assert!(out.ends_with("Deleting outdated charts\n"), "{out}");
    assert_eq!(
        charts_in(&p),
        ["lib-1.0.0.tgz", "loc-3.0.0.tgz", "sub-0.1.5.tgz"]
    );
    let lock = std::fs::read_to_string(p.join("Chart.lock")).unwrap();
    assert!(
        lock.starts_with(&format!(
            "dependencies:\n- name: sub\n  repository: {url}\n  version: 0.1.5\n- name: lib\n  repository: {url}\n  version: 1.0.0\n- name: loc\n  repository: file://../local/loc\n  version: 3.0.0\ndigest: sha256:"
        )),
        "{lock}"
    );
    assert!(lock.contains("\ngenerated: \""), "{lock}");

    let listed = ok(&env.charter(&["dep", "ls", ps]));
    assert_eq!(listed.matches("\tok").count(), 3, "{listed}");

    // A second update with nothing changed keeps the lock file as it was.
    ok(&env.charter(&["dependency", "update", "--skip-refresh", ps]));
    assert_eq!(std::fs::read_to_string(p.join("Chart.lock")).unwrap(), lock);

    // build restores exactly the locked versions.
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    let out = ok(&env.charter(&["dependency", "build", ps]));
    assert!(out.contains("Saving 3 charts\n"), "{out}");
    assert_eq!(
        charts_in(&p),
        ["lib-1.0.0.tgz", "loc-3.0.0.tgz", "sub-0.1.5.tgz"]
    );

    // The chart renders with its dependencies in place.
    let rendered = ok(&env.charter(&["template", "rel", ps]));
    assert!(rendered.contains("# Source: parent/charts/sub/templates/cm.yaml"));
    assert!(rendered.contains("# Source: parent/charts/library/templates/cm.yaml"));

    // Changing a constraint puts the lock out of sync: build refuses, as Helm does.
    let y = std::fs::read_to_string(p.join("Chart.yaml")).unwrap();
    std::fs::write(p.join("Chart.yaml"), y.replace("~0.1.0", "~0.2.0")).unwrap();
    let err = fails(&env.charter(&["dependency", "build", ps]));
    assert_eq!(
        err,
        "Error: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies\n"
    );
    let listed = ok(&env.charter(&["dependency", "list", ps]));
    assert!(listed.contains("wrong version"), "{listed}");
    // update moves to 0.2.0 and deletes the outdated archive.
    ok(&env.charter(&["dependency", "update", ps]));
    assert_eq!(
        charts_in(&p),
        ["lib-1.0.0.tgz", "loc-3.0.0.tgz", "sub-0.2.0.tgz"]
    );
}

#[test]
fn unadded_repository_and_failures() {
    let env = Env::new();
    let url = served_repo(&env);
    // Neither repository was added: update fetches the index under a
    // helm-manager-<sha256> cache name, as Helm does.
    let p = parent(&env, &url, "0.2.0", &url);
    let ps = p.to_str().unwrap();
    let out = ok(&env.charter(&["dependency", "update", ps]));
    assert!(
        out.starts_with(&format!(
            "Getting updates for unmanaged Helm repositories...\n...Successfully got an update from the \"{url}\" chart repository\nSaving 3 charts\n"
        )),
        "{out}"
    );
    let cached = std::fs::read_dir(env.root.join("cache/repository"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("helm-manager-"))
        .count();
    assert!(cached >= 1);

    // No version meets the constraint: Helm's message, nothing changed on disk.
    let before = charts_in(&p);
    let y = std::fs::read_to_string(p.join("Chart.yaml")).unwrap();
    std::fs::write(p.join("Chart.yaml"), y.replace("\"0.2.0\"", "\"9.9.9\"")).unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps]));
    assert!(
        err.contains(&format!("Error: can't get a valid version for 1 subchart(s): \"sub\" (repository \"{url}\", version \"9.9.9\"). Make sure a matching chart version exists in the repo, or change the version constraint in Chart.yaml")),
        "{err}"
    );
    assert_eq!(charts_in(&p), before);

    // A repository that does not answer: the URL is named, exit non-zero.
    let dead = "http://127.0.0.1:1/charts";
    std::fs::write(p.join("Chart.yaml"), y.replace(&url, dead)).unwrap();
    let o = env.charter(&["dependency", "update", ps]);
    let err = fails(&o);
    assert!(
        text(&o.stdout).contains(&format!(
            "...Unable to get an update from the \"{dead}\" chart repository:\n\t"
        )),
        "{}",
        text(&o.stdout)
    );
    assert!(
        err.contains("no cached repository for helm-manager-"),
        "{err}"
    );

    // A bare name is not a repository: Helm's hint.
    std::fs::write(p.join("Chart.yaml"), y.replace(&url, "stable")).unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps]));
    assert!(
        err.contains("no repository definition for stable, stable. Please add them via 'helm repo add'\nNote that repositories must be URLs or aliases."),
        "{err}"
    );

    // A missing file:// chart, and a path that is not a chart directory.
    std::fs::write(
        p.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: gone\n  version: 1.0.0\n  repository: file://../nowhere\n",
    )
    .unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps]));
    assert!(
        err.contains("directory ") && err.contains("nowhere not found"),
        "{err}"
    );
    let err = fails(&env.charter(&["dependency", "update", "does-not-exist"]));
    assert!(err.contains("could not find does-not-exist"), "{err}");
}

#[test]
fn requirements_yaml_writes_requirements_lock() {
    let env = Env::new();
    let url = served_repo(&env);
    let p = env.root.join("old");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(
        p.join("Chart.yaml"),
        "apiVersion: v1\nname: old\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        p.join("requirements.yaml"),
        format!("dependencies:\n- name: sub\n  version: ^0.1.0\n  repository: {url}\n"),
    )
    .unwrap();
    ok(&env.charter(&["dependency", "update", p.to_str().unwrap()]));
    assert!(p.join("requirements.lock").is_file());
    assert!(!p.join("Chart.lock").exists());
    assert_eq!(charts_in(&p), ["sub-0.1.5.tgz"]);
}

/// Helm builds from charter's lock file, and charter from Helm's; both lock
/// the same versions with the same digest.
#[test]
fn lock_files_interoperate_with_helm() {
    let Some(helm) = helm() else {
        eprintln!("skipped: no Helm binary (set CHARTER_TEST_HELM)");
        return;
    };
    let env = Env::new();
    let url = served_repo(&env);
    ok(&env.charter(&["repo", "add", "myrepo", &url]));
    let p = parent(&env, &url, "~0.1.0", "@myrepo");
    let ps = p.to_str().unwrap();
    let run_helm = |args: &[&str]| ok(&env.cmd(&helm).args(args).output().unwrap());

    ok(&env.charter(&["dependency", "update", ps]));
    let ours = std::fs::read_to_string(p.join("Chart.lock")).unwrap();
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    run_helm(&["dependency", "build", ps]);
    assert_eq!(
        charts_in(&p),
        ["lib-1.0.0.tgz", "loc-3.0.0.tgz", "sub-0.1.5.tgz"]
    );

    std::fs::remove_file(p.join("Chart.lock")).unwrap();
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    let helm_out = run_helm(&["dependency", "update", ps]);
    let theirs = std::fs::read_to_string(p.join("Chart.lock")).unwrap();
    let without_time = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("generated:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_time(&ours), without_time(&theirs));
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    let our_out = ok(&env.charter(&["dependency", "build", ps]));
    assert_eq!(
        charts_in(&p),
        ["lib-1.0.0.tgz", "loc-3.0.0.tgz", "sub-0.1.5.tgz"]
    );
    // The same messages, line for line.
    assert_eq!(our_out, helm_out);
    assert_eq!(
        ok(&env.charter(&["dependency", "list", ps])),
        run_helm(&["dependency", "list", ps])
    );
}

/// `dependency update --verify` saves only charts whose `.prov` the keyring
/// verifies; `package -u` updates dependencies before packaging.
#[test]
fn verify_and_package_dependency_update() {
    let env = Env::new();
    let keys = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peer/helm-testdata/pkg/provenance/testdata");
    let srv = env.root.join("srv");
    for (name, sign) in [("good", true), ("plain", false)] {
        let src = write_chart(&env.root.join("src"), name, "1.0.0");
        let mut args = vec![
            "package",
            src.to_str().unwrap(),
            "-d",
            srv.to_str().unwrap(),
        ];
        let secret = keys.join("helm-test-key.secret");
        if sign {
            args.extend([
                "--sign",
                "--key",
                "helm-test",
                "--keyring",
                secret.to_str().unwrap(),
            ]);
        }
        ok(&env.charter(&args));
    }
    ok(&env.charter(&["repo", "index", srv.to_str().unwrap()]));
    let url = serve(srv.clone(), ServeOpts::default());
    let p = env.root.join("parent");
    std::fs::create_dir_all(&p).unwrap();
    let chart_yaml = |dep: &str| {
        format!(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: {dep}\n  version: 1.0.0\n  repository: {url}\n"
        )
    };
    let ps = p.to_str().unwrap();
    let public = keys.join("helm-test-key.pub");
    let ring = public.to_str().unwrap();

    std::fs::write(p.join("Chart.yaml"), chart_yaml("good")).unwrap();
    ok(&env.charter(&["dependency", "update", ps, "--verify", "--keyring", ring]));
    assert_eq!(charts_in(&p), ["good-1.0.0.tgz"]);

    // No .prov on the server: refused, nothing saved.
    std::fs::remove_dir_all(p.join("charts")).unwrap();
    std::fs::remove_file(p.join("Chart.lock")).unwrap();
    std::fs::write(p.join("Chart.yaml"), chart_yaml("plain")).unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps, "--verify", "--keyring", ring]));
    assert!(err.contains("failed to fetch provenance"), "{err}");
    assert!(charts_in(&p).is_empty());

    // An archive swapped on the server no longer matches its signature.
    std::fs::copy(srv.join("plain-1.0.0.tgz"), srv.join("good-1.0.0.tgz")).unwrap();
    std::fs::write(p.join("Chart.yaml"), chart_yaml("good")).unwrap();
    let err = fails(&env.charter(&["dependency", "update", ps, "--verify", "--keyring", ring]));
    assert!(err.contains("could not verify"), "{err}");
    assert!(charts_in(&p).is_empty());

    // package -u fetches the dependency, then packages the chart with it.
    std::fs::write(p.join("Chart.yaml"), chart_yaml("plain")).unwrap();
    let out = ok(&env.charter(&["package", "-u", ps, "-d", env.root.to_str().unwrap()]));
    assert!(out.contains("Saving 1 charts\n"), "{out}");
    assert!(out.ends_with("parent-1.0.0.tgz\n"), "{out}");
    let listed = ok(&env.charter(&[
        "template",
        "r",
        env.root.join("parent-1.0.0.tgz").to_str().unwrap(),
    ]));
    assert!(
        listed.contains("# Source: parent/charts/plain/templates/cm.yaml"),
        "{listed}"
    );
}
