//! Fetching from HTTP chart repositories: basic auth, custom CA, client
//! certificates and `--insecure-skip-tls-verify` as Helm's HTTP getter offers them,
//! plus what Helm lacks: a bounded number of retries with backoff on transient
//! failures (connection errors, timeouts, 5xx, 429) and errors that name the URL.
//! Downloads land in memory (bounded) and reach disk only through
//! [`super::config::write_atomic`], so a cut-off transfer never replaces a good file.

use std::io::Read;
use std::time::Duration;

/// How to reach a repository.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    pub username: String,
    pub password: String,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
    /// Overall timeout per attempt (default 120 s).
    pub timeout: Option<Duration>,
    /// Attempts in all, including the first (default 3).
    pub attempts: Option<u32>,
}

/// The largest body charter accepts (an index or a chart archive).
pub const MAX_BODY: u64 = 512 * 1024 * 1024;

/// A fetch failure, naming the URL.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("failed to fetch {url} : {status}")]
    Status { url: String, status: String },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("{0}")]
    Setup(String),
}

impl FetchError {
    fn transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => {
                status.starts_with('5') || status.starts_with("429")
            }
            FetchError::Transport { .. } => true,
            FetchError::Setup(_) => false,
        }
    }
}

/// A client built once per repository.
pub struct Fetcher {
    client: reqwest::blocking::Client,
    opts: HttpOptions,
}

impl Fetcher {
    pub fn new(opts: &HttpOptions) -> Result<Fetcher, FetchError> {
        let mut b = reqwest::blocking::Client::builder()
            .user_agent(concat!("Helm/3.17.3 charter/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(opts.timeout.unwrap_or(Duration::from_secs(120)))
            .danger_accept_invalid_certs(opts.insecure_skip_tls_verify);
        if !opts.ca_file.is_empty() {
            let pem = std::fs::read(&opts.ca_file).map_err(|e| {
                FetchError::Setup(format!("can't read CA file {}: {e}", opts.ca_file))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                FetchError::Setup(format!("can't parse CA file {}: {e}", opts.ca_file))
            })?;
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        if !opts.cert_file.is_empty() || !opts.key_file.is_empty() {
            let mut pem = std::fs::read(&opts.cert_file).map_err(|e| {
                FetchError::Setup(format!(
                    "can't read certificate file {}: {e}",
                    opts.cert_file
                ))
            })?;
            pem.push(b'\n');
            pem.extend(std::fs::read(&opts.key_file).map_err(|e| {
                FetchError::Setup(format!("can't read key file {}: {e}", opts.key_file))
            })?);
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                FetchError::Setup(format!("can't load client certificate and key: {e}"))
            })?;
            b = b.identity(id);
        }
        let client = b
            .build()
            .map_err(|e| FetchError::Setup(format!("can't create HTTP client: {e}")))?;
        Ok(Fetcher {
            client,
            opts: opts.clone(),
        })
    }

    /// GETs `url`, retrying transient failures with exponential backoff.
    pub fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let attempts = self.opts.attempts.unwrap_or(3).max(1);
        let mut delay = Duration::from_millis(200);
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2).min(Duration::from_secs(5));
            }
            match self.get_once(url) {
                Ok(body) => return Ok(body),
                Err(e) if e.transient() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| FetchError::Setup(format!("no attempt made for {url}"))))
    }

    fn get_once(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut req = self.client.get(url);
        if !self.opts.username.is_empty() || !self.opts.password.is_empty() {
            req = req.basic_auth(&self.opts.username, Some(&self.opts.password));
        }
        let resp = req.send().map_err(|e| FetchError::Transport {
            url: url.to_string(),
            reason: error_chain(&e),
        })?;
        let status = resp.status();
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
            });
        }
        let expected = resp.content_length();
        // Sized up front when the length is known, so a 20 MB index is not
        // copied through doubling buffers.
        let mut body = Vec::with_capacity(expected.unwrap_or(0).min(64 << 20) as usize);
        resp.take(MAX_BODY + 1)
            .read_to_end(&mut body)
            .map_err(|e| FetchError::Transport {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        if body.len() as u64 > MAX_BODY {
            return Err(FetchError::Setup(format!(
                "{url}: response larger than {} MiB",
                MAX_BODY / 1024 / 1024
            )));
        }
        if let Some(n) = expected
            && n != body.len() as u64
        {
            return Err(FetchError::Transport {
                url: url.to_string(),
                reason: format!("truncated response: got {} of {n} bytes", body.len()),
            });
        }
        Ok(body)
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// Resolves `reference` against `base` as Go's `url.ResolveReference` after Helm
/// appends a `/` to the repository URL (`ResolveReferenceURL`).
pub fn resolve_reference(base: &str, reference: &str) -> Result<String, String> {
    if reference.contains("://") {
        return Ok(reference.to_string());
    }
    let mut base =
        reqwest::Url::parse(base).map_err(|e| format!("invalid chart URL format: {base}: {e}"))?;
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    base.join(reference)
        .map(|u| u.to_string())
        .map_err(|e| format!("failed to parse {reference} as URL: {e}"))
}

/// `<url>/index.yaml`, keeping the query string (Helm's `ResolveReferenceURL`).
pub fn index_url(repo_url: &str) -> Result<String, String> {
    let mut u = reqwest::Url::parse(repo_url.trim_end_matches('/'))
        .map_err(|e| format!("invalid chart URL format: {repo_url}: {e}"))?;
    let p = format!("{}/index.yaml", u.path().trim_end_matches('/'));
    u.set_path(&p);
    Ok(u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            index_url("http://h/charts/").unwrap(),
            "http://h/charts/index.yaml"
        );
        assert_eq!(
            index_url("http://h/charts?x=1").unwrap(),
            "http://h/charts/index.yaml?x=1"
        );
        assert_eq!(
            resolve_reference("http://h/c", "a-1.tgz").unwrap(),
            "http://h/c/a-1.tgz"
        );
        assert_eq!(
            resolve_reference("http://h/c/", "https://o/a.tgz").unwrap(),
            "https://o/a.tgz"
        );
        assert!(index_url("not a url").is_err());
    }
}
