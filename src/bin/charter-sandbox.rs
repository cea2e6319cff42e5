//! `charter-sandbox`: starts the sandbox API server on 127.0.0.1, prints where its
//! kubeconfig is, and serves until stopped (Ctrl-C or SIGTERM).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use charter::sandbox::{Config, start};

const USAGE: &str = "usage: charter-sandbox [--port N] [--plain-http] [--data-dir DIR] [--kubeconfig FILE] [--ready-delay-ms N] [--never-ready] [--log-requests]";

/// Parses the flags; `Ok(None)` means help was asked for.
fn parse(args: &[String]) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("flag {flag} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--port" => {
                config.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port must be a number from 0 to 65535".to_string())?;
            }
            "--plain-http" => config.plain_http = true,
            "--never-ready" => config.never_ready = true,
            "--log-requests" => config.log_requests = true,
            "--data-dir" => config.data_dir = Some(PathBuf::from(value("--data-dir")?)),
            "--kubeconfig" => config.kubeconfig = Some(PathBuf::from(value("--kubeconfig")?)),
            "--ready-delay-ms" => {
                let ms: u64 = value("--ready-delay-ms")?
                    .parse()
                    .map_err(|_| "--ready-delay-ms must be a number".to_string())?;
                config.ready_delay = Duration::from_millis(ms);
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(Some(config))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let temp_kubeconfig = config.kubeconfig.is_none() && config.data_dir.is_none();
    runtime.block_on(async {
        let running = match start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("server: {}", running.server_url);
        println!("kubeconfig: {}", running.kubeconfig_path.display());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("Error: failed to listen for SIGTERM: {e}");
                    return ExitCode::FAILURE;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        // A kubeconfig the sandbox chose to put in the temp dir goes with it.
        if temp_kubeconfig {
            let _ = std::fs::remove_file(&running.kubeconfig_path);
        }
        ExitCode::SUCCESS
    })
}
