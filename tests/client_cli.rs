//! The client's own information: `charter env` against the real Helm (the same
//! variables and values from the same environment and flags; only `HELM_BIN`
//! differs, each names itself), and `charter version`.

#[path = "common/repo.rs"]
mod common;

use common::{Env, helm, ok, text};

fn without_bin(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("HELM_BIN="))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn env_prints_what_helm_prints() {
    let h = helm().expect("the real Helm 3 (../shared/tools/get-helm 3)");
    let env = Env::new();
    std::fs::write(
        env.root.join("kubeconfig"),
        "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: x, namespace: team-a}\nclusters:\n- name: x\n  cluster: {server: 'https://127.0.0.1:1'}\n",
    )
    .unwrap();
    let kubeconfig = env.root.join("kubeconfig").display().to_string();
    let cases: Vec<Vec<&str>> = vec![
        vec!["env"],
        vec!["env", "--debug"],
        vec!["env", "--kubeconfig", &kubeconfig],
        vec!["env", "--kubeconfig", &kubeconfig, "HELM_NAMESPACE"],
        vec!["env", "-n", "other", "--qps", "2.5", "--burst-limit", "7"],
        vec![
            "env",
            "--kube-token",
            "t",
            "--kube-apiserver",
            "https://x:1",
            "--kube-insecure-skip-tls-verify",
        ],
        vec!["env", "HELM_MAX_HISTORY"],
        vec!["env", "NOT_A_VARIABLE"],
    ];
    for args in cases {
        let run = |bin: &str| {
            let o = env
                .cmd(bin)
                .args(&args)
                .env_remove("KUBECONFIG")
                .env_remove("HELM_NAMESPACE")
                .env("HELM_MAX_HISTORY", "4")
                .env("HELM_PLUGINS", env.root.join("plugins"))
                .output()
                .unwrap();
            without_bin(&ok(&o))
        };
        assert_eq!(run(env!("CARGO_BIN_EXE_charter")), run(&h), "{args:?}");
    }
    let o = env.charter(&["env"]);
    let bin = text(&o.stdout);
    assert!(
        bin.lines()
            .any(|l| l.starts_with("HELM_BIN=") && l.contains("charter")),
        "{bin}"
    );
}

#[test]
fn version_prints_its_shapes_and_runs_templates() {
    let env = Env::new();
    let v = concat!("v", env!("CARGO_PKG_VERSION"));
    assert_eq!(ok(&env.charter(&["version", "--short"])), format!("{v}\n"));
    assert!(
        ok(&env.charter(&["version"])).starts_with(&format!("version.BuildInfo{{Version:\"{v}\""))
    );
    assert_eq!(
        ok(&env.charter(&[
            "version",
            "--template",
            "{{.Version}} {{.HelmCompat}} [{{.GitCommit}}]"
        ])),
        format!("{v} v3.17.3 []")
    );
    let bad = env.charter(&["version", "--template", "{{.Version"]);
    assert!(!bad.status.success());
    assert_eq!(text(&bad.stderr), "Error: template: _:1: unclosed action\n");
}

#[test]
fn bash_completion_completes_commands_and_flags() {
    let env = Env::new();
    let script = env.root.join("charter.bash");
    std::fs::write(&script, ok(&env.charter(&["completion", "bash"]))).unwrap();
    let complete = |words: &str| {
        let n = words.split(' ').count() - 1;
        let last = words.rsplit(' ').next().unwrap();
        let prev = words.split(' ').nth(n.saturating_sub(1)).unwrap();
        let o = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={n}; _charter charter {last} {prev}; echo \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .unwrap();
        ok(&o).trim().to_string()
    };
    assert_eq!(complete("charter tem"), "template");
    assert_eq!(complete("charter template --show"), "--show-only");
    assert_eq!(complete("charter get me"), "metadata");
    for shell in ["zsh", "fish", "powershell"] {
        assert!(ok(&env.charter(&["completion", shell, "--no-descriptions"])).contains("template"));
    }
    assert!(!env.charter(&["completion", "tcsh"]).status.success());
}
