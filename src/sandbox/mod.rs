//! `charter-sandbox`: a local Kubernetes API server that real kubectl and Helm accept,
//! so every cluster feature can be tested end to end over HTTPS through a kubeconfig on
//! machines that cannot run a cluster.
//!
//! Shape: one generic server. [`registry`] lists the served kinds (built-in and from
//! CRDs); [`store`] keeps objects as JSON; [`api`] is the single handler for every kind
//! and verb, with [`watch`] for streamed watches, [`error`] for `Status` errors,
//! [`table`] for kubectl's Tables, [`apply`] for server-side apply and [`protobuf`] for
//! the protobuf bodies typed clients send; [`patch`] implements the patch formats; [`schema`] holds the Kubernetes schemas that validate objects and drive strategic merge and apply, and [`decode`] checks request bodies against them; [`controllers`] fakes the status a
//! real cluster's controllers would write; [`select`] parses selectors; [`tls`] makes
//! the CA, the serving certificate and the kubeconfig. Nothing here reaches a network
//! beyond 127.0.0.1.

pub mod api;
pub mod apply;
pub mod controllers;
pub mod decode;
pub mod error;
pub mod patch;
pub mod protobuf;
pub mod registry;
pub mod schema;
pub mod select;
pub mod store;
pub mod table;
pub mod tls;
pub mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::broadcast;

use crate::sandbox::registry::Registry;
use crate::sandbox::store::{Change, Store};

/// How the sandbox is started.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Serve plain HTTP instead of HTTPS.
    pub plain_http: bool,
    /// Persist objects here across restarts; in memory when `None`.
    pub data_dir: Option<PathBuf>,
    /// Where to write the kubeconfig; `<data-dir>/kubeconfig` or a temp file otherwise.
    pub kubeconfig: Option<PathBuf>,
    /// Delay before simulated controllers report workloads ready.
    pub ready_delay: Duration,
    /// When set, no workload ever becomes ready.
    pub never_ready: bool,
    /// Print one line per request to stderr.
    pub log_requests: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            plain_http: false,
            data_dir: None,
            kubeconfig: None,
            ready_delay: Duration::from_millis(200),
            never_ready: false,
            log_requests: false,
        }
    }
}

/// Injected faults, switchable at run time through `/sandbox/faults`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every API request.
    pub latency_ms: u64,
    /// Fraction (0..=1) of API requests answered with a 500.
    pub error_rate: f64,
    /// Fraction of writes answered with a 409 Conflict.
    pub conflict_rate: f64,
    /// Fraction of requests whose connection is dropped without an answer.
    pub drop_rate: f64,
    /// Faults stop after this many have been injected (0: no limit).
    pub budget: u64,
}

/// The shared state of a running sandbox.
pub struct Server {
    pub store: Mutex<Store>,
    pub registry: Mutex<Registry>,
    pub events: broadcast::Sender<Arc<Change>>,
    pub token: String,
    pub config: Config,
    pub faults: Mutex<(Faults, u64)>,
    /// Queue of the simulated controllers; `None` until the loop starts.
    pub kick: Mutex<Option<tokio::sync::mpsc::UnboundedSender<controllers::Kick>>>,
}

/// A started sandbox.
pub struct Running {
    pub addr: SocketAddr,
    pub server_url: String,
    pub kubeconfig_path: PathBuf,
    pub kubeconfig: String,
    pub server: Arc<Server>,
}

/// Binds, writes the kubeconfig and starts serving on the current tokio runtime.
pub async fn start(config: Config) -> Result<Running, String> {
    if let Some(dir) = &config.data_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("failed to create {}: {e}", dir.display()))?;
    }
    let store = Store::new(config.data_dir.clone())?;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let (events, _) = broadcast::channel(4096);
    let server = Arc::new(Server {
        store: Mutex::new(store),
        registry: Mutex::new(Registry::new()),
        events,
        token: token.clone(),
        config: config.clone(),
        faults: Mutex::new((Faults::default(), 0)),
        kick: Mutex::new(None),
    });
    let (kick_tx, kick_rx) = tokio::sync::mpsc::unbounded_channel();
    if let Ok(mut k) = server.kick.lock() {
        *k = Some(kick_tx);
    }
    tokio::spawn(controllers::run(
        Arc::downgrade(&server),
        kick_rx,
        config.ready_delay,
    ));
    api::bootstrap(&server)?;
    let listener = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|e| format!("failed to bind 127.0.0.1:{}: {e}", config.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("failed to read the bound address: {e}"))?;
    let (tls, server_url, ca) = if config.plain_http {
        (None, format!("http://{addr}"), None)
    } else {
        let certs = tls::generate()?;
        (
            Some(tokio_rustls::TlsAcceptor::from(certs.server_config)),
            format!("https://{addr}"),
            Some(certs.ca_pem),
        )
    };
    let kubeconfig = tls::kubeconfig(&server_url, ca.as_deref(), &token);
    let kubeconfig_path = match (&config.kubeconfig, &config.data_dir) {
        (Some(p), _) => p.clone(),
        (None, Some(d)) => d.join("kubeconfig"),
        (None, None) => {
            std::env::temp_dir().join(format!("charter-sandbox-{}.kubeconfig", addr.port()))
        }
    };
    std::fs::write(&kubeconfig_path, &kubeconfig)
        .map_err(|e| format!("failed to write {}: {e}", kubeconfig_path.display()))?;
    let srv = server.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let srv = srv.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let srv = srv.clone();
                    async move { api::handle(srv, req).await }
                });
                let builder = auto::Builder::new(TokioExecutor::new());
                match tls {
                    Some(acceptor) => {
                        if let Ok(s) = acceptor.accept(stream).await {
                            let _ = builder.serve_connection(TokioIo::new(s), service).await;
                        }
                    }
                    None => {
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    });
    Ok(Running {
        addr,
        server_url,
        kubeconfig_path,
        kubeconfig,
        server,
    })
}
