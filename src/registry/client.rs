//! The OCI distribution API, the part Helm uses: `/v2/` ping for logins,
//! manifests and blobs up and down, tag lists (paged by `Link` headers).
//!
//! Authentication answers the registry's `WWW-Authenticate` challenge: `Basic`
//! sends the stored or given username and password; `Bearer` fetches a token from
//! the realm for the challenge's service and scope (with Basic credentials, or a
//! stored identity token as an OAuth2 refresh token) and caches it per scope.
//!
//! Every request is retried a bounded number of times with exponential backoff on
//! transient failures (connection errors, cut-off bodies, 5xx, 429); everything
//! downloaded is checked against its digest and size before it is returned, so a
//! corrupt or truncated transfer never reaches a file.
//!
//! Scheme: `https://` unless `--plain-http`, or the host is loopback, which
//! Helm's containerd resolver also reaches over plain HTTP.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{self, HeaderMap};

use super::credentials::{self, Credential};
use super::manifest::Descriptor;
use super::{
    DOCKER_MANIFEST_MEDIA_TYPE, OCI_MANIFEST_MEDIA_TYPE, Reference, RegistryError, digest_of,
    is_loopback,
};

/// The largest manifest read (as oras-go: 4 MiB).
pub const MAX_MANIFEST: u64 = 4 * 1024 * 1024;
/// The largest blob read (a chart archive is limited far below this).
pub const MAX_BLOB: u64 = 256 * 1024 * 1024;
/// Pages of a tag list followed at most.
const MAX_TAG_PAGES: usize = 100;

/// How to reach a registry.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub plain_http: bool,
    pub insecure_skip_tls_verify: bool,
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    /// Given on the command line; they win over the registry config.
    pub username: String,
    pub password: String,
    /// Helm's registry config (`config.json`).
    pub credentials_file: PathBuf,
    /// Attempts per request, including the first (default 3).
    pub attempts: Option<u32>,
    /// Overall timeout per attempt (default 120 s).
    pub timeout: Option<Duration>,
    /// First backoff delay (default 200 ms), doubled per attempt up to 5 s.
    pub backoff: Option<Duration>,
}

#[derive(Default)]
struct AuthState {
    creds: HashMap<String, Option<Credential>>,
    basic: HashSet<String>,
    tokens: HashMap<(String, String), String>,
}

/// A registry client; cheap to keep for one command.
pub struct Client {
    http: reqwest::blocking::Client,
    opts: ClientOptions,
    state: RefCell<AuthState>,
}

struct Response {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Scope of a pull, as distribution's token servers expect.
fn pull_scope(r: &Reference) -> String {
    format!("repository:{}:pull", r.repository)
}

fn push_scope(r: &Reference) -> String {
    format!("repository:{}:pull,push", r.repository)
}

/// `: code: message` from a distribution error body.
fn error_detail(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return String::new();
    };
    let Some(errs) = v.get("errors").and_then(|e| e.as_array()) else {
        return String::new();
    };
    let parts: Vec<String> = errs
        .iter()
        .map(|e| {
            let code = e
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or("")
                .to_lowercase()
                .replace('_', " ");
            let msg = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
            format!("{code}: {msg}")
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
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

/// A `WWW-Authenticate` challenge: scheme and parameters.
fn parse_challenge(value: &str) -> (String, HashMap<String, String>) {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let mut params = HashMap::new();
    let mut s = rest.trim();
    while !s.is_empty() {
        let Some((k, after)) = s.split_once('=') else {
            break;
        };
        let key = k.trim().trim_start_matches(',').trim().to_lowercase();
        let after = after.trim_start();
        let (val, next) = if let Some(q) = after.strip_prefix('"') {
            let mut out = String::new();
            let mut end = q.len();
            let mut chars = q.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            (out, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        params.insert(key, val);
        s = next.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_lowercase(), params)
}

/// The `rel="next"` target of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            target
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

impl Client {
    pub fn new(opts: &ClientOptions) -> Result<Client, RegistryError> {
        let setup = RegistryError::Other;
        let mut b = reqwest::blocking::Client::builder()
            .user_agent(concat!("Helm/3.17.3 charter/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(opts.timeout.unwrap_or(Duration::from_secs(120)))
            .danger_accept_invalid_certs(opts.insecure_skip_tls_verify);
        if !opts.ca_file.is_empty() {
            let pem = std::fs::read(&opts.ca_file)
                .map_err(|e| setup(format!("can't read CA file {}: {e}", opts.ca_file)))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| setup(format!("can't parse CA file {}: {e}", opts.ca_file)))?;
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        if !opts.cert_file.is_empty() || !opts.key_file.is_empty() {
            let mut pem = std::fs::read(&opts.cert_file).map_err(|e| {
                setup(format!(
                    "can't read certificate file {}: {e}",
                    opts.cert_file
                ))
            })?;
            pem.push(b'\n');
            pem.extend(
                std::fs::read(&opts.key_file)
                    .map_err(|e| setup(format!("can't read key file {}: {e}", opts.key_file)))?,
            );
            let id = reqwest::Identity::from_pem(&pem)
                .map_err(|e| setup(format!("can't load client certificate and key: {e}")))?;
            b = b.identity(id);
        }
        let http = b
            .build()
            .map_err(|e| setup(format!("can't create HTTP client: {e}")))?;
        Ok(Client {
            http,
            opts: opts.clone(),
            state: RefCell::new(AuthState::default()),
        })
    }

    /// `http://host` or `https://host`.
    pub fn base(&self, host: &str) -> String {
        let scheme = if self.opts.plain_http || is_loopback(host) {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{host}")
    }

    /// Uses `cred` for `host` instead of looking it up (logins).
    pub fn set_credential(&self, host: &str, cred: Credential) {
        self.state
            .borrow_mut()
            .creds
            .insert(host.to_string(), Some(cred));
    }

    fn credential(&self, host: &str) -> Result<Option<Credential>, RegistryError> {
        if let Some(c) = self.state.borrow().creds.get(host) {
            return Ok(c.clone());
        }
        let c = if !self.opts.username.is_empty() || !self.opts.password.is_empty() {
            Some(Credential {
                username: self.opts.username.clone(),
                password: self.opts.password.clone(),
                identity_token: String::new(),
            })
        } else {
            credentials::lookup(&self.opts.credentials_file, host)?
        };
        self.state
            .borrow_mut()
            .creds
            .insert(host.to_string(), c.clone());
        Ok(c)
    }

    fn authorization(&self, host: &str, scope: &str) -> Result<Option<String>, RegistryError> {
        if let Some(t) = self
            .state
            .borrow()
            .tokens
            .get(&(host.to_string(), scope.to_string()))
        {
            return Ok(Some(format!("Bearer {t}")));
        }
        if self.state.borrow().basic.contains(host)
            && let Some(c) = self.credential(host)?
        {
            use base64::Engine;
            let pair = format!("{}:{}", c.username, c.password);
            return Ok(Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )));
        }
        Ok(None)
    }

    /// One request with retries; no authentication handling.
    fn send_raw(
        &self,
        method: &Method,
        url: &str,
        headers: &[(header::HeaderName, String)],
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<Response, RegistryError> {
        let attempts = self.opts.attempts.unwrap_or(3).max(1);
        let mut delay = self.opts.backoff.unwrap_or(Duration::from_millis(200));
        let mut last = None;
        for attempt in 0..attempts {
            if attempt > 0 {
                std::thread::sleep(delay);
                delay = delay.saturating_mul(2).min(Duration::from_secs(5));
            }
            match self.send_once(method, url, headers, body, limit) {
                Ok(r) if r.status >= 500 || r.status == 429 => {
                    last = Some(RegistryError::Status {
                        method: method.to_string(),
                        url: url.to_string(),
                        status: r.status,
                        detail: error_detail(&r.body),
                    })
                }
                Ok(r) => return Ok(r),
                Err(e) if e.transient() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| RegistryError::Other(format!("no attempt made for {url}"))))
    }

    fn send_once(
        &self,
        method: &Method,
        url: &str,
        headers: &[(header::HeaderName, String)],
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<Response, RegistryError> {
        let mut req = self.http.request(method.clone(), url);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(b) = body {
            req = req
                .header(header::CONTENT_LENGTH, b.len().to_string())
                .body(b.to_vec());
        }
        let transport = |reason: String| RegistryError::Transport {
            method: method.to_string(),
            url: url.to_string(),
            reason,
        };
        let resp = req.send().map_err(|e| transport(error_chain(&e)))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let expected = resp.content_length();
        let mut body = Vec::new();
        if *method != Method::HEAD {
            if let Err(e) = resp.take(limit + 1).read_to_end(&mut body) {
                return Err(RegistryError::Corrupt {
                    what: "response".into(),
                    url: url.to_string(),
                    reason: format!("truncated after {} bytes: {}", body.len(), error_chain(&e)),
                });
            }
            if body.len() as u64 > limit {
                return Err(RegistryError::Corrupt {
                    what: "response".into(),
                    url: url.to_string(),
                    reason: format!("larger than the {} MiB limit", limit / 1024 / 1024),
                });
            }
            if let Some(n) = expected
                && (200..300).contains(&status)
                && n != body.len() as u64
            {
                return Err(RegistryError::Corrupt {
                    what: "response".into(),
                    url: url.to_string(),
                    reason: format!("truncated: got {} of {n} bytes", body.len()),
                });
            }
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// A request that answers one authentication challenge; credentials are
    /// those of `host`, tokens are asked for `scope`.
    fn send(
        &self,
        method: Method,
        url: &str,
        (host, scope): (&str, &str),
        mut headers: Vec<(header::HeaderName, String)>,
        body: Option<&[u8]>,
        limit: u64,
    ) -> Result<Response, RegistryError> {
        let plain = headers.clone();
        let mut challenged = false;
        loop {
            headers.clone_from(&plain);
            if let Some(a) = self.authorization(host, scope)? {
                headers.push((header::AUTHORIZATION, a));
            }
            let resp = self.send_raw(&method, url, &headers, body, limit)?;
            if resp.status == 401 && !challenged {
                challenged = true;
                if self.answer_challenge(&method, url, host, scope, &resp)? {
                    continue;
                }
            }
            return Ok(resp);
        }
    }

    fn answer_challenge(
        &self,
        method: &Method,
        url: &str,
        host: &str,
        scope: &str,
        resp: &Response,
    ) -> Result<bool, RegistryError> {
        let Some(value) = resp
            .headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
        else {
            return Ok(false);
        };
        let (scheme, params) = parse_challenge(value);
        let cred = self.credential(host)?;
        match scheme.as_str() {
            "basic" => {
                if cred.is_none() {
                    return Err(RegistryError::Auth(format!(
                        "{method} {url:?}: the registry requires authentication and no credentials are stored for {host} (run `charter registry login {host}`, or pass --username and --password)"
                    )));
                }
                if !self.state.borrow_mut().basic.insert(host.to_string()) {
                    return Ok(false);
                }
                Ok(true)
            }
            "bearer" => {
                let realm = params.get("realm").cloned().unwrap_or_default();
                if realm.is_empty() {
                    return Err(RegistryError::Auth(format!(
                        "{method} {url:?}: the registry's Bearer challenge names no realm"
                    )));
                }
                let service = params.get("service").cloned().unwrap_or_default();
                let want = params
                    .get("scope")
                    .cloned()
                    .unwrap_or_else(|| scope.to_string());
                let token = self.fetch_token(&realm, &service, &want, cred.as_ref())?;
                self.state
                    .borrow_mut()
                    .tokens
                    .insert((host.to_string(), scope.to_string()), token);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn fetch_token(
        &self,
        realm: &str,
        service: &str,
        scope: &str,
        cred: Option<&Credential>,
    ) -> Result<String, RegistryError> {
        let mut url = reqwest::Url::parse(realm).map_err(|e| {
            RegistryError::Auth(format!(
                "invalid token realm {realm:?} from the registry: {e}"
            ))
        })?;
        let identity = cred.filter(|c| !c.identity_token.is_empty());
        let resp = if let Some(c) = identity {
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", c.identity_token.as_str()),
                ("client_id", "charter"),
            ];
            if !service.is_empty() {
                form.push(("service", service));
            }
            if !scope.is_empty() {
                form.push(("scope", scope));
            }
            let body = serde_urlencoded_pairs(&form);
            self.send_raw(
                &Method::POST,
                url.as_str(),
                &[(
                    header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded".to_string(),
                )],
                Some(body.as_bytes()),
                MAX_MANIFEST,
            )?
        } else {
            {
                let mut q = url.query_pairs_mut();
                if !service.is_empty() {
                    q.append_pair("service", service);
                }
                if !scope.is_empty() {
                    q.append_pair("scope", scope);
                }
            }
            let mut headers = Vec::new();
            if let Some(c) = cred {
                use base64::Engine;
                let pair = format!("{}:{}", c.username, c.password);
                headers.push((
                    header::AUTHORIZATION,
                    format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    ),
                ));
            }
            self.send_raw(&Method::GET, url.as_str(), &headers, None, MAX_MANIFEST)?
        };
        if !(200..300).contains(&resp.status) {
            return Err(RegistryError::Auth(format!(
                "authorization failed: token request to {realm} answered {} {}{}",
                resp.status,
                reason(resp.status),
                error_detail(&resp.body)
            )));
        }
        let v: serde_json::Value = serde_json::from_slice(&resp.body)
            .map_err(|e| RegistryError::Auth(format!("token from {realm} is not JSON: {e}")))?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .ok_or_else(|| RegistryError::Auth(format!("no token in the answer from {realm}")))
    }

    fn status_error(method: &Method, url: &str, resp: &Response) -> RegistryError {
        if resp.status == 401 || resp.status == 403 {
            return RegistryError::Auth(format!(
                "{method} {url:?}: {} {}: access denied{}",
                resp.status,
                reason(resp.status),
                error_detail(&resp.body)
            ));
        }
        RegistryError::Status {
            method: method.to_string(),
            url: url.to_string(),
            status: resp.status,
            detail: error_detail(&resp.body),
        }
    }

    /// Checks that `cred` opens `host` (`registry login`): `GET /v2/`.
    pub fn check_login(&self, host: &str, cred: Credential) -> Result<(), RegistryError> {
        self.set_credential(host, cred);
        let url = format!("{}/v2/", self.base(host));
        let resp = self.send(
            Method::GET,
            &url,
            (host, ""),
            Vec::new(),
            None,
            MAX_MANIFEST,
        )?;
        if (200..300).contains(&resp.status) {
            return Ok(());
        }
        Err(RegistryError::Auth(format!(
            "login attempt to {url} failed with status: {} {}",
            resp.status,
            reason(resp.status)
        )))
    }

    /// All tags of `r`'s repository, following pagination.
    pub fn tags(&self, r: &Reference) -> Result<Vec<String>, RegistryError> {
        let base = self.base(&r.registry);
        let mut url = format!("{base}/v2/{}/tags/list", r.repository);
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let resp = self.send(
                Method::GET,
                &url,
                (&r.registry, &pull_scope(r)),
                Vec::new(),
                None,
                MAX_MANIFEST,
            )?;
            if !(200..300).contains(&resp.status) {
                return Err(Self::status_error(&Method::GET, &url, &resp));
            }
            let v: serde_json::Value = serde_json::from_slice(&resp.body).map_err(|e| {
                RegistryError::Other(format!("GET {url:?}: the tag list is not JSON: {e}"))
            })?;
            if let Some(list) = v.get("tags").and_then(|t| t.as_array()) {
                tags.extend(list.iter().filter_map(|t| t.as_str().map(str::to_string)));
            }
            match next_link(&resp.headers) {
                Some(next) => {
                    url = reqwest::Url::parse(&url)
                        .and_then(|u| u.join(&next))
                        .map(|u| u.to_string())
                        .map_err(|e| {
                            RegistryError::Other(format!("bad Link header {next:?}: {e}"))
                        })?;
                }
                None => return Ok(tags),
            }
        }
        Err(RegistryError::Other(format!(
            "{}/{}: the tag list has more than {MAX_TAG_PAGES} pages",
            r.registry, r.repository
        )))
    }

    /// The manifest `r` names, and its digest (checked against `r`'s digest and
    /// the registry's `Docker-Content-Digest`).
    pub fn manifest(&self, r: &Reference) -> Result<(Vec<u8>, String), RegistryError> {
        let target = r
            .target()
            .ok_or_else(|| RegistryError::Other(format!("{r}: no tag or digest to pull")))?;
        let url = format!(
            "{}/v2/{}/manifests/{target}",
            self.base(&r.registry),
            r.repository
        );
        let accept = format!("{OCI_MANIFEST_MEDIA_TYPE}, {DOCKER_MANIFEST_MEDIA_TYPE}");
        let resp = self.send(
            Method::GET,
            &url,
            (&r.registry, &pull_scope(r)),
            vec![(header::ACCEPT, accept)],
            None,
            MAX_MANIFEST,
        )?;
        if resp.status == 404 {
            return Err(RegistryError::NotFound(r.to_string()));
        }
        if !(200..300).contains(&resp.status) {
            return Err(Self::status_error(&Method::GET, &url, &resp));
        }
        let digest = digest_of(&resp.body);
        let announced = resp
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .filter(|d| d.starts_with("sha256:"));
        for expected in [r.digest.as_deref(), announced].into_iter().flatten() {
            if expected != digest {
                return Err(RegistryError::Corrupt {
                    what: "manifest".into(),
                    url,
                    reason: format!("digest mismatch: expected {expected}, got {digest}"),
                });
            }
        }
        Ok((resp.body, digest))
    }

    /// The blob `d` of `r`'s repository, verified against its digest and size.
    pub fn blob(&self, r: &Reference, d: &Descriptor) -> Result<Vec<u8>, RegistryError> {
        let url = format!(
            "{}/v2/{}/blobs/{}",
            self.base(&r.registry),
            r.repository,
            d.digest
        );
        if d.size > MAX_BLOB {
            return Err(RegistryError::Corrupt {
                what: "blob".into(),
                url,
                reason: format!(
                    "announced size {} exceeds the {} MiB limit",
                    d.size,
                    MAX_BLOB / 1024 / 1024
                ),
            });
        }
        let resp = self.send(
            Method::GET,
            &url,
            (&r.registry, &pull_scope(r)),
            Vec::new(),
            None,
            d.size,
        )?;
        if resp.status == 404 {
            return Err(RegistryError::NotFound(format!("{r}: blob {}", d.digest)));
        }
        if !(200..300).contains(&resp.status) {
            return Err(Self::status_error(&Method::GET, &url, &resp));
        }
        let got = digest_of(&resp.body);
        if resp.body.len() as u64 != d.size || got != d.digest {
            return Err(RegistryError::Corrupt {
                what: "blob".into(),
                url,
                reason: format!(
                    "digest mismatch: expected {} ({} bytes), got {got} ({} bytes)",
                    d.digest,
                    d.size,
                    resp.body.len()
                ),
            });
        }
        Ok(resp.body)
    }

    /// Uploads a blob unless the registry has it already (monolithic upload:
    /// `POST /blobs/uploads/` then `PUT <location>?digest=`).
    pub fn push_blob(
        &self,
        r: &Reference,
        d: &Descriptor,
        data: &[u8],
    ) -> Result<(), RegistryError> {
        let base = self.base(&r.registry);
        let scope = push_scope(r);
        let head = format!("{base}/v2/{}/blobs/{}", r.repository, d.digest);
        let resp = self.send(
            Method::HEAD,
            &head,
            (&r.registry, &scope),
            Vec::new(),
            None,
            0,
        )?;
        if (200..300).contains(&resp.status) {
            return Ok(());
        }
        let start = format!("{base}/v2/{}/blobs/uploads/", r.repository);
        let resp = self.send(
            Method::POST,
            &start,
            (&r.registry, &scope),
            Vec::new(),
            Some(&[]),
            MAX_MANIFEST,
        )?;
        if resp.status != 202 {
            return Err(Self::status_error(&Method::POST, &start, &resp));
        }
        let location = resp
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                RegistryError::Other(format!("POST {start:?}: no upload Location in the answer"))
            })?;
        let mut put = reqwest::Url::parse(&start)
            .and_then(|u| u.join(location))
            .map_err(|e| RegistryError::Other(format!("bad upload Location {location:?}: {e}")))?;
        put.query_pairs_mut().append_pair("digest", &d.digest);
        let put = put.to_string();
        let resp = self.send(
            Method::PUT,
            &put,
            (&r.registry, &scope),
            vec![(header::CONTENT_TYPE, "application/octet-stream".to_string())],
            Some(data),
            MAX_MANIFEST,
        )?;
        if resp.status != 201 {
            return Err(Self::status_error(&Method::PUT, &put, &resp));
        }
        Ok(())
    }

    /// Uploads a manifest under `r`'s tag; returns its digest.
    pub fn push_manifest(&self, r: &Reference, body: &[u8]) -> Result<String, RegistryError> {
        let target = r
            .target()
            .ok_or_else(|| RegistryError::Other(format!("{r}: no tag to push to")))?;
        let url = format!(
            "{}/v2/{}/manifests/{target}",
            self.base(&r.registry),
            r.repository
        );
        let resp = self.send(
            Method::PUT,
            &url,
            (&r.registry, &push_scope(r)),
            vec![(header::CONTENT_TYPE, OCI_MANIFEST_MEDIA_TYPE.to_string())],
            Some(body),
            MAX_MANIFEST,
        )?;
        if !(200..300).contains(&resp.status) {
            return Err(Self::status_error(&Method::PUT, &url, &resp));
        }
        let digest = digest_of(body);
        if let Some(d) = resp
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .filter(|d| d.starts_with("sha256:"))
            && d != digest
        {
            return Err(RegistryError::Corrupt {
                what: "manifest upload".into(),
                url,
                reason: format!("the registry stored digest {d}, expected {digest}"),
            });
        }
        Ok(digest)
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// `application/x-www-form-urlencoded` body.
fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    let mut s = reqwest::Url::parse("http://x/").expect("static URL");
    s.query_pairs_mut().extend_pairs(pairs);
    s.query().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.io/token",service="registry.io",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p["realm"], "https://auth.io/token");
        assert_eq!(p["service"], "registry.io");
        assert_eq!(p["scope"], "repository:a/b:pull,push");
        let (s, p) = parse_challenge(r#"Basic realm="basic-realm""#);
        assert_eq!((s.as_str(), p["realm"].as_str()), ("basic", "basic-realm"));
    }

    #[test]
    fn links_and_errors() {
        let mut h = HeaderMap::new();
        h.insert(
            header::LINK,
            "</v2/a/tags/list?last=x&n=2>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(next_link(&h).as_deref(), Some("/v2/a/tags/list?last=x&n=2"));
        assert_eq!(
            error_detail(br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#),
            ": name unknown: repository name not known to registry"
        );
        assert_eq!(error_detail(b"<html>"), "");
        assert_eq!(
            serde_urlencoded_pairs(&[("a", "b c"), ("d", "e&f")]),
            "a=b+c&d=e%26f"
        );
    }
}
