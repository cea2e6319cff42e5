//! The one HTTP handler: authentication, fault injection, discovery, and every verb on
//! every registered kind (get, list, create, update, patch, delete, deletecollection,
//! the status subresource, Tables for kubectl; watches live in [`super::watch`]), with
//! metadata set and errors shaped as a real API server sets and shapes them.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use crate::sandbox::decode::{
    OPEN_SCHEMA, check_applied, decode, field_validation, go_format, patch_invalid, schema_for,
    unknown_fields,
};
use crate::sandbox::error::{ApiError, qualified};
use crate::sandbox::registry::{ResourceType, crd_types};
use crate::sandbox::schema::{self, Node};
use crate::sandbox::select::{FieldSelector, LabelSelector};
use crate::sandbox::store::Change;
use crate::sandbox::watch::watch_response;
use crate::sandbox::{Server, apply, controllers, patch, protobuf, table};

pub type Body = BoxBody<Bytes, Infallible>;

/// Largest request body accepted.
const MAX_BODY: usize = 8 << 20;

pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

pub(crate) fn json_response(code: u16, v: &Value) -> Response<Body> {
    json_typed(code, v, "application/json")
}

pub(crate) fn json_typed(code: u16, v: &Value, ctype: &str) -> Response<Body> {
    let mut r = Response::new(full(v.to_string()));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(h) = ctype.parse() {
        r.headers_mut().insert("content-type", h);
    }
    r
}

pub(crate) fn error_response(e: &ApiError) -> Response<Body> {
    json_response(e.code, &e.status())
}

/// Creates the namespaces every cluster starts with.
pub fn bootstrap(server: &Server) -> Result<(), String> {
    let rt = server
        .registry
        .lock()
        .map_err(|_| "registry lock poisoned")?
        .find("", "v1", "namespaces")
        .cloned()
        .ok_or("namespaces are not registered")?;
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let exists = server
            .store
            .lock()
            .map_err(|_| "store lock poisoned")?
            .get(&rt.storage_key(), "", ns)
            .is_some();
        if !exists {
            let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            create(server, &rt, "", obj, "kube-apiserver", false).map_err(|e| e.message.clone())?;
        }
    }
    // Re-register the kinds of CRDs loaded from a data directory.
    let crds: Vec<Value> = server
        .store
        .lock()
        .map_err(|_| "store lock poisoned")?
        .objects
        .get("apiextensions.k8s.io/customresourcedefinitions")
        .map(|b| b.values().cloned().collect())
        .unwrap_or_default();
    for crd in crds {
        if let Ok(types) = crd_types(&crd) {
            let name = crd["metadata"]["name"].as_str().unwrap_or_default();
            if let Ok(mut reg) = server.registry.lock() {
                reg.set_crd_types(name, types);
            }
        }
    }
    Ok(())
}

/// Entry point for every request.
pub async fn handle(server: Arc<Server>, req: Request<Incoming>) -> Result<Response<Body>, String> {
    let path = req.uri().path().to_string();
    if server.config.log_requests {
        eprintln!(
            "{} {} content-type={:?} accept={:?}",
            req.method(),
            req.uri(),
            req.headers().get("content-type"),
            req.headers().get("accept")
        );
    }
    if path == "/healthz" || path == "/readyz" || path == "/livez" {
        return Ok(Response::new(full("ok")));
    }
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Clients do not send bearer tokens over plain HTTP, so that mode lets anonymous
    // requests in; a wrong token is refused in both modes.
    let anonymous_ok = server.config.plain_http && auth.is_empty();
    if !anonymous_ok && auth != format!("Bearer {}", server.token) {
        return Ok(error_response(&ApiError::new(
            401,
            "Unauthorized",
            "Unauthorized",
        )));
    }
    if path == "/sandbox/faults" {
        return Ok(faults_endpoint(&server, req).await);
    }
    if let Some(fault) = pick_fault(&server, req.method() != Method::GET) {
        match fault {
            Fault::Latency(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            Fault::Error => {
                return Ok(error_response(&ApiError::new(
                    500,
                    "InternalError",
                    "Internal error occurred: injected by charter-sandbox",
                )));
            }
            Fault::Conflict => {
                return Ok(error_response(&ApiError::new(
                    409,
                    "Conflict",
                    "Operation cannot be fulfilled: conflict injected by charter-sandbox",
                )));
            }
            Fault::Drop => return Err("connection dropped by fault injection".into()),
        }
    }
    Ok(route(server, req).await)
}

enum Fault {
    Latency(u64),
    Error,
    Conflict,
    Drop,
}

fn pick_fault(server: &Server, write: bool) -> Option<Fault> {
    let mut guard = server.faults.lock().ok()?;
    let (faults, used) = &mut *guard;
    if faults.budget > 0 && *used >= faults.budget {
        return None;
    }
    let roll: f64 = rand::random();
    let fault = if roll < faults.drop_rate {
        Fault::Drop
    } else if roll < faults.drop_rate + faults.error_rate {
        Fault::Error
    } else if write && roll < faults.drop_rate + faults.error_rate + faults.conflict_rate {
        Fault::Conflict
    } else if faults.latency_ms > 0 {
        return Some(Fault::Latency(faults.latency_ms));
    } else {
        return None;
    };
    *used += 1;
    Some(fault)
}

async fn faults_endpoint(server: &Server, req: Request<Incoming>) -> Response<Body> {
    let method = req.method().clone();
    if method == Method::PUT || method == Method::POST {
        let body = match read_body(req).await {
            Ok(b) => b,
            Err(e) => return error_response(&e),
        };
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let f = super::Faults {
            latency_ms: v["latencyMs"].as_u64().unwrap_or(0).min(60_000),
            error_rate: v["errorRate"].as_f64().unwrap_or(0.0).clamp(0.0, 1.0),
            conflict_rate: v["conflictRate"].as_f64().unwrap_or(0.0).clamp(0.0, 1.0),
            drop_rate: v["dropRate"].as_f64().unwrap_or(0.0).clamp(0.0, 1.0),
            budget: v["budget"].as_u64().unwrap_or(0),
        };
        if let Ok(mut g) = server.faults.lock() {
            *g = (f, 0);
        }
    }
    let (f, used) = server.faults.lock().map(|g| g.clone()).unwrap_or_default();
    json_response(
        200,
        &json!({"latencyMs": f.latency_ms, "errorRate": f.error_rate, "conflictRate": f.conflict_rate,
                "dropRate": f.drop_rate, "budget": f.budget, "injected": used}),
    )
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, ApiError> {
    let limited = http_body_util::Limited::new(req.into_body(), MAX_BODY);
    limited.collect().await.map(|c| c.to_bytes()).map_err(|e| {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("failed to read body: {e}"),
        )
    })
}

fn query_map(req: &Request<Incoming>) -> Vec<(String, String)> {
    req.uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
                match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The parsed query parameters a handler needs.
#[derive(Debug, Default)]
pub struct Params {
    pub q: Vec<(String, String)>,
}

impl Params {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    fn dry_run(&self) -> bool {
        self.get("dryRun") == Some("All")
    }
}

async fn route(server: Arc<Server>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().trim_end_matches('/').to_string();
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let aggregated = accept.contains("as=APIGroupDiscoveryList");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let reg = match server.registry.lock() {
        Ok(r) => r.clone(),
        Err(_) => {
            return error_response(&ApiError::new(
                500,
                "InternalError",
                "registry lock poisoned",
            ));
        }
    };
    let agg_type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    match segs.as_slice() {
        ["version"] => {
            return json_response(
                200,
                &json!({
                "major": "1", "minor": "33", "gitVersion": "v1.33.0-charter-sandbox",
                "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
                "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.24.0", "compiler": "gc",
                "platform": "linux/amd64"}),
            );
        }
        ["openapi", "v3"] => return json_response(200, &reg.openapi_v3_root()),
        ["openapi", "v3", "api", v] => {
            if let Some(doc) = reg.openapi_v3_gv("", v) {
                return json_response(200, &doc);
            }
        }
        ["openapi", "v3", "apis", g, v] => {
            if let Some(doc) = reg.openapi_v3_gv(g, v) {
                return json_response(200, &doc);
            }
        }
        ["api"] if aggregated => return json_typed(200, &reg.aggregated(true), agg_type),
        ["apis"] if aggregated => return json_typed(200, &reg.aggregated(false), agg_type),
        ["api"] => return json_response(200, &reg.api_versions()),
        ["apis"] => return json_response(200, &reg.api_group_list()),
        ["api", "v1"] => {
            if let Some(v) = reg.resource_list("", "v1") {
                return json_response(200, &v);
            }
        }
        ["apis", g] => {
            if let Some(v) = reg.api_group(g) {
                return json_response(200, &v);
            }
        }
        ["apis", g, v] => {
            if let Some(v) = reg.resource_list(g, v) {
                return json_response(200, &v);
            }
        }
        _ => {}
    }
    let (group, version, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => {
            return error_response(&ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ));
        }
    };
    // namespaces/<ns>/<plural>[/<name>[/<sub>]] or <plural>[/<name>[/<sub>]]
    let (ns, plural, name, sub) = match rest {
        ["namespaces", ns, plural, tail @ ..]
            if reg
                .find(group, version, plural)
                .is_some_and(|t| t.namespaced) =>
        {
            (
                ns.to_string(),
                *plural,
                tail.first().copied(),
                tail.get(1).copied(),
            )
        }
        [plural, tail @ ..] => (
            String::new(),
            *plural,
            tail.first().copied(),
            tail.get(1).copied(),
        ),
        [] => {
            return error_response(&ApiError::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ));
        }
    };
    let Some(rt) = reg.find(group, version, plural).cloned() else {
        return error_response(&ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ));
    };
    drop(reg);
    let params = Params { q: query_map(&req) };
    let method = req.method().clone();
    let ctype = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let user_agent = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .to_string();
    let default_manager = user_agent
        .split('/')
        .next()
        .unwrap_or("unknown")
        .to_string();
    let manager = params
        .get("fieldManager")
        .map(str::to_string)
        .unwrap_or(default_manager);
    // Pods run nothing, so their logs are empty (`helm test --logs`, `kubectl logs`).
    if sub == Some("log")
        && rt.group.is_empty()
        && rt.kind == "Pod"
        && req.method() == Method::GET
        && let Some(name) = name
    {
        return match get(&server, &rt, &ns, name) {
            Ok(_) => {
                let mut r = Response::new(full(""));
                if let Ok(h) = "text/plain".parse() {
                    r.headers_mut().insert("content-type", h);
                }
                r
            }
            Err(e) => error_response(&e),
        };
    }
    if let Some(s) = sub
        && (s != "status" || !rt.status)
    {
        return error_response(&ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        ));
    }
    let status_sub = sub == Some("status");
    let body = if method == Method::POST
        || method == Method::PUT
        || method == Method::PATCH
        || method == Method::DELETE
    {
        match read_body(req).await {
            Ok(b) => b,
            Err(e) => return error_response(&e),
        }
    } else {
        Bytes::new()
    };
    let is_get = method == Method::GET;
    let mut warnings: Vec<String> = Vec::new();
    let result = match (method, name) {
        (Method::GET, Some(name)) => get(&server, &rt, &ns, name),
        (Method::GET, None) => {
            let watch = matches!(params.get("watch"), Some("true") | Some("1"));
            if watch {
                return watch_response(server.clone(), rt, ns, &params, table::wanted(&accept));
            }
            list(&server, &rt, &ns, &params)
        }
        (Method::POST, None) => parse_body(&body, &ctype).and_then(|mut obj| {
            decode(&server, &rt, &mut obj, &body, &params, &mut warnings)?;
            let (code, v) = (
                201,
                create(&server, &rt, &ns, obj, &manager, params.dry_run())?,
            );
            Ok((code, v))
        }),
        (Method::PUT, Some(name)) => parse_body(&body, &ctype).and_then(|mut obj| {
            decode(&server, &rt, &mut obj, &body, &params, &mut warnings)?;
            update(
                &server,
                &rt,
                &ns,
                name,
                obj,
                &manager,
                status_sub,
                params.dry_run(),
            )
            .map(|v| (200, v))
        }),
        (Method::PATCH, Some(name)) => patch_object(
            &server,
            &rt,
            &ns,
            name,
            &body,
            &ctype,
            &manager,
            status_sub,
            &params,
            &mut warnings,
        ),
        (Method::DELETE, Some(name)) => {
            let opts: Value = if body.is_empty() {
                Value::Null
            } else {
                match parse_body(&body, &ctype) {
                    Ok(v) => v,
                    Err(e) => return error_response(&e),
                }
            };
            delete(&server, &rt, &ns, name, &params, &opts).map(|v| (200, v))
        }
        (Method::DELETE, None) => delete_collection(&server, &rt, &ns, &params),
        _ => Err(ApiError::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )),
    };
    let mut response = match result {
        Ok((200, v)) if table::wanted(&accept) && is_get => {
            let items: Vec<Value> = match v["items"].as_array() {
                Some(items) => items.clone(),
                None => vec![v.clone()],
            };
            let rv = v["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or_default();
            let mut t = table::render(&rt.group, &rt.kind, &items, rv);
            if let Some(c) = v["metadata"]["continue"].as_str() {
                t["metadata"]["continue"] = json!(c);
            }
            json_typed(200, &t, "application/json;as=Table;v=v1;g=meta.k8s.io")
        }
        Ok((code, v)) => json_response(code, &v),
        Err(e) => error_response(&e),
    };
    for w in warnings {
        // `299 - "text"`, the text quoted as Go's strconv.Quote does for ASCII.
        let quoted = w.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(h) = format!("299 - \"{quoted}\"").parse() {
            response.headers_mut().append("warning", h);
        }
    }
    response
}

/// Parses a JSON (or, for apply, YAML) request body.
pub fn parse_body(body: &[u8], ctype: &str) -> Result<Value, ApiError> {
    if ctype.starts_with("application/vnd.kubernetes.protobuf") {
        return protobuf::decode(body).map_err(ApiError::bad_request);
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    if ctype.contains("yaml") {
        let text = std::str::from_utf8(body)
            .map_err(|_| ApiError::bad_request("request body is not UTF-8"))?;
        return apply::yaml_to_json(text).map_err(ApiError::bad_request);
    }
    Err(ApiError::bad_request(
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
    ))
}

pub(crate) fn lock_store(
    server: &Server,
) -> Result<std::sync::MutexGuard<'_, crate::sandbox::store::Store>, ApiError> {
    server
        .store
        .lock()
        .map_err(|_| ApiError::new(500, "InternalError", "store lock poisoned"))
}

pub(crate) fn with_type(rt: &ResourceType, mut v: Value) -> Value {
    v["apiVersion"] = json!(rt.api_version());
    v["kind"] = json!(rt.kind);
    v
}

pub fn get(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
) -> Result<(u16, Value), ApiError> {
    let store = lock_store(server)?;
    store
        .get(&rt.storage_key(), ns, name)
        .cloned()
        .map(|v| (200, with_type(rt, v)))
        .ok_or_else(|| ApiError::not_found(rt, name))
}

pub(crate) fn selectors(params: &Params) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let ls = LabelSelector::parse(params.get("labelSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    let fs = FieldSelector::parse(params.get("fieldSelector").unwrap_or_default())
        .map_err(ApiError::bad_request)?;
    Ok((ls, fs))
}

pub(crate) fn matches(obj: &Value, ns: &str, ls: &LabelSelector, fs: &FieldSelector) -> bool {
    (ns.is_empty() || obj["metadata"]["namespace"].as_str() == Some(ns))
        && ls.matches(&obj["metadata"]["labels"])
        && fs.matches(obj)
}

pub fn list(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    params: &Params,
) -> Result<(u16, Value), ApiError> {
    use base64::Engine;
    let (ls, fs) = selectors(params)?;
    let limit: usize = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let start = match params.get("continue") {
        Some(c) if !c.is_empty() => {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(c)
                .map_err(|_| ApiError::bad_request("continue key is not valid"))?;
            Some(String::from_utf8_lossy(&raw).into_owned())
        }
        _ => None,
    };
    let store = lock_store(server)?;
    let mut items = Vec::new();
    let mut next = None;
    let mut remaining = 0u64;
    if let Some(bucket) = store.objects.get(&rt.storage_key()) {
        for ((ons, oname), obj) in bucket {
            let pos = format!("{ons}/{oname}");
            if start.as_ref().is_some_and(|s| pos.as_str() <= s.as_str()) {
                continue;
            }
            if !matches(obj, ns, &ls, &fs) {
                continue;
            }
            if limit > 0 && items.len() >= limit {
                remaining += 1;
                continue;
            }
            if limit > 0 && items.len() + 1 == limit {
                next = Some(pos);
            }
            items.push(with_type(rt, obj.clone()));
        }
    }
    let mut meta = json!({"resourceVersion": store.rv.to_string()});
    if remaining > 0
        && let Some(n) = next
    {
        meta["continue"] = json!(base64::engine::general_purpose::STANDARD.encode(n));
        meta["remainingItemCount"] = json!(remaining);
    }
    Ok((
        200,
        json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(), "metadata": meta, "items": items}),
    ))
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn check_type(rt: &ResourceType, obj: &Value) -> Result<(), ApiError> {
    let av = obj["apiVersion"].as_str().unwrap_or_default();
    let kind = obj["kind"].as_str().unwrap_or_default();
    if (!av.is_empty() && av != rt.api_version()) || (!kind.is_empty() && kind != rt.kind) {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({av}) does not match the expected API version ({})",
            rt.api_version()
        )));
    }
    Ok(())
}

fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Kinds whose spec changes bump `metadata.generation`.
fn has_generation(rt: &ResourceType) -> bool {
    rt.status || rt.crd.is_some()
}

/// Sets defaults a real API server fills in on create.
fn defaults(rt: &ResourceType, obj: &mut Value) {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Secret") if obj["type"].is_null() => obj["type"] = json!("Opaque"),
        ("", "Service") => {
            if obj["spec"]["type"].is_null() {
                obj["spec"]["type"] = json!("ClusterIP");
            }
            if obj["spec"]["clusterIP"].is_null() && obj["spec"]["type"] != "ExternalName" {
                let n = rand::random::<u16>();
                let ip = format!("10.96.{}.{}", n >> 8, (n & 0xff).max(1));
                obj["spec"]["clusterIP"] = json!(ip);
                obj["spec"]["clusterIPs"] = json!([ip]);
            }
            if obj["spec"]["sessionAffinity"].is_null() {
                obj["spec"]["sessionAffinity"] = json!("None");
            }
        }
        ("", "Namespace") => {
            obj["status"] = json!({"phase": "Active"});
            if obj["spec"].is_null() {
                obj["spec"] = json!({"finalizers": ["kubernetes"]});
            }
        }
        ("apps", "Deployment" | "StatefulSet" | "ReplicaSet") => {
            if obj["spec"]["replicas"].is_null() {
                obj["spec"]["replicas"] = json!(1);
            }
            // A real API server defaults the rollout strategy; Helm 3's readiness
            // check reads strategy.rollingUpdate.maxUnavailable without a nil check.
            if rt.kind == "Deployment" {
                if obj["spec"]["strategy"]["type"].is_null() {
                    obj["spec"]["strategy"]["type"] = json!("RollingUpdate");
                }
                if obj["spec"]["strategy"]["type"] == "RollingUpdate" {
                    let ru = &mut obj["spec"]["strategy"]["rollingUpdate"];
                    if ru["maxUnavailable"].is_null() {
                        ru["maxUnavailable"] = json!("25%");
                    }
                    if ru["maxSurge"].is_null() {
                        ru["maxSurge"] = json!("25%");
                    }
                }
            }
        }
        // As a real API server defaults a Job; Helm 3's `--wait-for-jobs`
        // reads `backoffLimit` and `completions` without nil checks.
        ("batch", "Job") => {
            let spec = &mut obj["spec"];
            if spec["completions"].is_null() && spec["parallelism"].is_null() {
                spec["completions"] = json!(1);
            }
            if spec["parallelism"].is_null() {
                spec["parallelism"] = json!(1);
            }
            if spec["backoffLimit"].is_null() {
                spec["backoffLimit"] = json!(6);
            }
        }
        ("", "PersistentVolumeClaim" | "Pod") if obj["status"]["phase"].is_null() => {
            obj["status"] = json!({"phase": "Pending"});
        }
        _ => {}
    }
}

/// Folds `stringData` into `data` for Secrets.
fn fold_secret(rt: &ResourceType, obj: &mut Value) {
    use base64::Engine;
    if rt.group.is_empty()
        && rt.kind == "Secret"
        && let Some(sd) = obj.as_object_mut().and_then(|m| m.remove("stringData"))
        && let Some(sd) = sd.as_object()
    {
        for (k, v) in sd {
            let s = v.as_str().unwrap_or_default();
            obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(s));
        }
    }
}

fn validate(
    rt: &ResourceType,
    obj: &Value,
    name: &str,
    schema: Option<Node<'_>>,
) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if let Some(node) = schema {
        let found = schema::check(&mut obj.clone(), node, false);
        for p in &found.required {
            causes.push((schema::field_path(p), "Required value".to_string()));
        }
    }
    if !is_dns_name(name) {
        causes.push((
            "metadata.name".to_string(),
            format!("Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
        ));
    }
    for (field, value) in [
        ("labels", &obj["metadata"]["labels"]),
        ("annotations", &obj["metadata"]["annotations"]),
    ] {
        if let Some(m) = value.as_object() {
            for (k, v) in m {
                if !v.is_string() {
                    causes.push((
                        format!("metadata.{field}.{k}"),
                        "Invalid value: must be a string".to_string(),
                    ));
                }
            }
        } else if !value.is_null() {
            causes.push((
                format!("metadata.{field}"),
                "Invalid value: must be an object".to_string(),
            ));
        }
    }
    if rt.group.is_empty()
        && rt.kind == "Secret"
        && let Some(data) = obj["data"].as_object()
    {
        use base64::Engine;
        for (k, v) in data {
            let ok = v
                .as_str()
                .is_some_and(|s| base64::engine::general_purpose::STANDARD.decode(s).is_ok());
            if !ok {
                causes.push((
                    format!("data[{k}]"),
                    "Invalid value: must be base64-encoded".to_string(),
                ));
            }
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(rt, name, causes))
    }
}

fn publish(server: &Server, change: Arc<Change>) {
    let _ = server.events.send(change);
}

fn save(store: &crate::sandbox::store::Store) -> Result<(), ApiError> {
    store
        .save()
        .map_err(|e| ApiError::new(500, "InternalError", e))
}

/// Creates an object; `ns` is the namespace from the URL.
pub fn create(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    mut obj: Value,
    manager: &str,
    dry_run: bool,
) -> Result<Value, ApiError> {
    check_type(rt, &obj)?;
    if !obj.is_object() || !(obj["metadata"].is_object() || obj["metadata"].is_null()) {
        return Err(ApiError::bad_request(
            "object must be a JSON object with metadata",
        ));
    }
    let body_ns = obj["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if rt.namespaced && !body_ns.is_empty() && !ns.is_empty() && body_ns != ns {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    let ns = if rt.namespaced { ns } else { "" };
    let mut name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        match obj["metadata"]["generateName"].as_str() {
            Some(prefix) => {
                let suffix: String = uuid::Uuid::new_v4().simple().to_string()[..5].to_string();
                name = format!("{prefix}{suffix}");
            }
            None => {
                return Err(ApiError::invalid(
                    rt,
                    "",
                    vec![(
                        "metadata.name".into(),
                        "Required value: name or generateName is required".into(),
                    )],
                ));
            }
        }
    }
    let schema = schema_for(server, rt);
    validate(rt, &obj, &name, schema.node())?;
    let mut store = lock_store(server)?;
    if rt.namespaced {
        let ns_key = "/namespaces";
        match store.get(ns_key, "", ns) {
            None => {
                let mut e =
                    ApiError::new(404, "NotFound", format!("namespaces \"{ns}\" not found"));
                e.details = json!({"name": ns, "kind": "namespaces"});
                return Err(e);
            }
            Some(n) if !n["metadata"]["deletionTimestamp"].is_null() => {
                return Err(ApiError::new(
                    403,
                    "Forbidden",
                    format!(
                        "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                        rt.plural
                    ),
                ));
            }
            _ => {}
        }
    }
    if store.get(&rt.storage_key(), ns, &name).is_some() {
        return Err(ApiError::already_exists(rt, &name));
    }
    if rt.kind == "CustomResourceDefinition" && rt.group == "apiextensions.k8s.io" {
        crd_types(&obj).map_err(|m| ApiError::invalid(rt, &name, vec![("spec".into(), m)]))?;
    }
    fold_secret(rt, &mut obj);
    defaults(rt, &mut obj);
    let m = &mut obj["metadata"];
    m["name"] = json!(name);
    if rt.namespaced {
        m["namespace"] = json!(ns);
    } else if let Some(mm) = m.as_object_mut() {
        mm.remove("namespace");
    }
    m["uid"] = json!(uuid::Uuid::new_v4().to_string());
    m["creationTimestamp"] = json!(now());
    if let Some(mm) = m.as_object_mut() {
        mm.remove("resourceVersion");
        mm.remove("deletionTimestamp");
        mm.remove("selfLink");
    }
    if has_generation(rt) {
        obj["metadata"]["generation"] = json!(1);
    }
    obj = with_type(rt, obj);
    apply::record_update(&mut obj, None, manager, &rt.api_version(), schema.node());
    if dry_run {
        return Ok(obj);
    }
    let rv = store.bump();
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
    let change = store.put(&rt.storage_key(), obj.clone(), "ADDED");
    save(&store)?;
    drop(store);
    publish(server, change);
    after_write(server, rt, &obj);
    Ok(obj)
}

/// Registers CRD kinds and pokes the simulated controllers after a write.
fn after_write(server: &Server, rt: &ResourceType, obj: &Value) {
    if rt.kind == "CustomResourceDefinition" && rt.group == "apiextensions.k8s.io" {
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        if let (Ok(types), Ok(mut reg)) = (crd_types(obj), server.registry.lock()) {
            reg.set_crd_types(name, types);
        }
    }
    controllers::schedule(server, rt, obj);
}

/// Replaces an object (PUT), or its status with `status_sub`.
#[allow(clippy::too_many_arguments)]
pub fn update(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    mut obj: Value,
    manager: &str,
    status_sub: bool,
    dry_run: bool,
) -> Result<Value, ApiError> {
    check_type(rt, &obj)?;
    let ns = if rt.namespaced { ns } else { "" };
    if obj["metadata"]["name"].as_str().is_some_and(|n| n != name) {
        return Err(ApiError::bad_request(
            "the name of the object does not match the name on the URL",
        ));
    }
    let current = {
        let store = lock_store(server)?;
        store.get(&rt.storage_key(), ns, name).cloned()
    };
    let Some(current) = current else {
        if status_sub {
            return Err(ApiError::not_found(rt, name));
        }
        return create(server, rt, ns, obj, manager, dry_run);
    };
    let want_rv = obj["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    if !want_rv.is_empty() && Some(want_rv) != current["metadata"]["resourceVersion"].as_str() {
        return Err(ApiError::conflict(rt, name));
    }
    validate(rt, &obj, name, schema_for(server, rt).node())?;
    fold_secret(rt, &mut obj);
    replace(
        server, rt, ns, name, current, obj, manager, status_sub, dry_run,
    )
}

/// Stores `obj` as the new state of `current`, keeping server-owned metadata.
#[allow(clippy::too_many_arguments)]
pub fn replace(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    current: Value,
    mut obj: Value,
    manager: &str,
    status_sub: bool,
    dry_run: bool,
) -> Result<Value, ApiError> {
    if rt.status {
        if status_sub {
            let status = obj["status"].clone();
            let mut next = current.clone();
            next["status"] = status;
            obj = next;
        } else {
            obj["status"] = current["status"].clone();
            if obj["status"].is_null()
                && let Some(m) = obj.as_object_mut()
            {
                m.remove("status");
            }
        }
    }
    for k in [
        "uid",
        "creationTimestamp",
        "namespace",
        "name",
        "generation",
    ] {
        obj["metadata"][k] = current["metadata"][k].clone();
    }
    // A Service keeps its allocated cluster IP when a replacement leaves it out.
    if rt.group.is_empty() && rt.kind == "Service" && obj["spec"]["clusterIP"].is_null() {
        for k in ["clusterIP", "clusterIPs"] {
            if !current["spec"][k].is_null() {
                obj["spec"][k] = current["spec"][k].clone();
            }
        }
    }
    defaults(rt, &mut obj);
    if !current["metadata"]["deletionTimestamp"].is_null() {
        obj["metadata"]["deletionTimestamp"] = current["metadata"]["deletionTimestamp"].clone();
    }
    if let Some(m) = obj["metadata"].as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    if has_generation(rt) && !status_sub {
        let strip = |v: &Value| {
            let mut v = v.clone();
            if let Some(m) = v.as_object_mut() {
                m.remove("metadata");
                m.remove("status");
            }
            v
        };
        if strip(&obj) != strip(&current) {
            let g = current["metadata"]["generation"].as_i64().unwrap_or(1) + 1;
            obj["metadata"]["generation"] = json!(g);
        }
    }
    obj = with_type(rt, obj);
    if obj["metadata"]["managedFields"].is_null() {
        obj["metadata"]["managedFields"] = current["metadata"]["managedFields"].clone();
    }
    let schema = schema_for(server, rt);
    apply::record_update(
        &mut obj,
        Some(&current),
        manager,
        &rt.api_version(),
        schema.node(),
    );
    let mut cmp_obj = obj.clone();
    let mut cmp_cur = current.clone();
    for v in [&mut cmp_obj, &mut cmp_cur] {
        if let Some(m) = v["metadata"].as_object_mut() {
            m.remove("resourceVersion");
        }
        if let Some(entries) = v["metadata"]["managedFields"].as_array_mut() {
            for e in entries {
                if let Some(m) = e.as_object_mut() {
                    m.remove("time");
                }
            }
        }
    }
    if cmp_obj == cmp_cur {
        // No-op writes keep the resourceVersion, as a real server does.
        return Ok(current);
    }
    if dry_run {
        return Ok(obj);
    }
    let mut store = lock_store(server)?;
    // Optimistic concurrency: the object must not have changed since `current` was read.
    let now_rv = store
        .get(&rt.storage_key(), ns, name)
        .map(|o| o["metadata"]["resourceVersion"].clone());
    if now_rv != Some(current["metadata"]["resourceVersion"].clone()) {
        return Err(ApiError::conflict(rt, name));
    }
    let rv = store.bump();
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
    let finished = !obj["metadata"]["deletionTimestamp"].is_null()
        && obj["metadata"]["finalizers"]
            .as_array()
            .is_none_or(|f| f.is_empty());
    let change = if finished {
        store.put(&rt.storage_key(), obj.clone(), "MODIFIED");
        store.remove(&rt.storage_key(), ns, name)
    } else {
        Some(store.put(&rt.storage_key(), obj.clone(), "MODIFIED"))
    };
    save(&store)?;
    drop(store);
    if let Some(c) = change {
        publish(server, c);
    }
    after_write(server, rt, &obj);
    Ok(obj)
}

/// Applies a patch, retrying (as a real server does) when a concurrent write lands
/// between reading the object and storing the result.
#[allow(clippy::too_many_arguments)]
fn patch_object(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    body: &[u8],
    ctype: &str,
    manager: &str,
    status_sub: bool,
    params: &Params,
    warnings: &mut Vec<String>,
) -> Result<(u16, Value), ApiError> {
    let mut last = None;
    for _ in 0..5 {
        warnings.clear();
        match patch_once(
            server, rt, ns, name, body, ctype, manager, status_sub, params, warnings,
        ) {
            Err(e)
                if e.reason == "Conflict"
                    && e.details["causes"].is_null()
                    && !pins_version(body) =>
            {
                last = Some(e);
            }
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| ApiError::conflict(rt, name)))
}

/// Whether a patch body names a resourceVersion (then a conflict is the caller's).
fn pins_version(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v["metadata"]["resourceVersion"].is_string())
}

#[allow(clippy::too_many_arguments)]
fn patch_once(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    body: &[u8],
    ctype: &str,
    manager: &str,
    status_sub: bool,
    params: &Params,
    warnings: &mut Vec<String>,
) -> Result<(u16, Value), ApiError> {
    let ns = if rt.namespaced { ns } else { "" };
    let schema = schema_for(server, rt);
    let ctype = ctype.split(';').next().unwrap_or_default().trim();
    let patch_doc = parse_body(
        body,
        if ctype.contains("yaml") {
            "yaml"
        } else {
            "json"
        },
    )?;
    let current = {
        let store = lock_store(server)?;
        store.get(&rt.storage_key(), ns, name).cloned()
    };
    if ctype == "application/apply-patch+yaml" {
        let force = matches!(params.get("force"), Some("true") | Some("1"));
        if params.get("fieldManager").is_none() {
            return Err(ApiError::bad_request(
                "PATCH requests of type application/apply-patch+yaml require a fieldManager",
            ));
        }
        check_type(rt, &patch_doc)?;
        let node = schema.node().unwrap_or_else(|| Node::custom(&OPEN_SCHEMA));
        check_applied(rt, ns, name, &patch_doc, node)?;
        return match current {
            None => {
                let mut obj = patch_doc.clone();
                if rt.namespaced && obj["metadata"]["namespace"].is_null() {
                    obj["metadata"]["namespace"] = json!(ns);
                }
                obj["metadata"]["name"] = json!(name);
                apply::set_apply_owner(
                    &mut obj,
                    &patch_doc,
                    manager,
                    &rt.api_version(),
                    schema.node(),
                );
                let created = create(server, rt, ns, obj, "\u{0}apply", params.dry_run())?;
                Ok((201, created))
            }
            Some(cur) => {
                let merged = apply::apply(
                    &cur,
                    &patch_doc,
                    manager,
                    force,
                    &rt.api_version(),
                    schema.node(),
                )
                .map_err(|conflicts| apply_conflict(rt, name, conflicts))?;
                replace(
                    server,
                    rt,
                    ns,
                    name,
                    cur,
                    merged,
                    "\u{0}apply",
                    status_sub,
                    params.dry_run(),
                )
                .map(|v| (200, v))
            }
        };
    }
    let Some(cur) = current else {
        return Err(ApiError::not_found(rt, name));
    };
    let next = match ctype {
        "application/json-patch+json" => patch::json_patch(&cur, &patch_doc),
        "application/merge-patch+json" => patch::merge_patch(&cur, &patch_doc),
        "application/strategic-merge-patch+json" => {
            if rt.crd.is_some() {
                return Err(ApiError::new(415, "UnsupportedMediaType", format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (strategic merge patch is not supported for {})", qualified(rt))));
            }
            patch::strategic_merge(&cur, &patch_doc, schema.node())
        }
        other => {
            return Err(ApiError::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other})")));
        }
    }
    .map_err(|m| ApiError::invalid(rt, name, vec![("patch".into(), m)]))?;
    let want_rv = patch_doc["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    if !want_rv.is_empty() && Some(want_rv) != cur["metadata"]["resourceVersion"].as_str() {
        return Err(ApiError::conflict(rt, name));
    }
    let mut next = next;
    let node = schema.node().unwrap_or_else(|| Node::custom(&OPEN_SCHEMA));
    let quoted = || {
        if ctype == "application/strategic-merge-patch+json" {
            go_format(&patch_doc)
        } else {
            next.to_string()
        }
    };
    let mut decoded = next.clone();
    let found = schema::check(&mut decoded, node, true);
    if let Some(t) = found.types.first() {
        if rt.crd.is_some() {
            let causes = found.types.iter().map(|t| t.crd_cause()).collect();
            return Err(ApiError::invalid(rt, name, causes));
        }
        return Err(patch_invalid(&quoted(), &t.go_message()));
    }
    let mut unknown = schema::duplicate_fields(body);
    unknown.extend(unknown_fields(&found));
    if !unknown.is_empty() {
        match field_validation(params) {
            "Strict" => {
                let detail = format!("strict decoding error: {}", unknown.join(", "));
                return Err(patch_invalid(&quoted(), &detail));
            }
            "Warn" => warnings.extend(unknown),
            _ => {}
        }
    }
    next = decoded;
    validate(rt, &next, name, schema.node())?;
    fold_secret(rt, &mut next);
    replace(
        server,
        rt,
        ns,
        name,
        cur,
        next,
        manager,
        status_sub,
        params.dry_run(),
    )
    .map(|v| (200, v))
}

fn apply_conflict(rt: &ResourceType, name: &str, conflicts: Vec<(String, String)>) -> ApiError {
    let n = conflicts.len();
    let lines: Vec<String> = conflicts
        .iter()
        .map(|(who, field)| format!("conflict with {who}: {field}"))
        .collect();
    let mut e = ApiError::new(
        409,
        "Conflict",
        format!(
            "Apply failed with {n} conflict{}: {}",
            if n == 1 { "" } else { "s" },
            lines.join("\n")
        ),
    );
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(who, field)| json!({"reason": "FieldManagerConflict", "message": format!("conflict with {who}"), "field": field}))
        .collect();
    e.details = json!({"name": name, "group": rt.group, "kind": rt.plural, "causes": causes});
    e
}

/// Deletes an object and, unless orphaning, its dependents; a namespace takes its contents.
pub fn delete(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    name: &str,
    params: &Params,
    opts: &Value,
) -> Result<Value, ApiError> {
    let ns = if rt.namespaced { ns } else { "" };
    let policy = params
        .get("propagationPolicy")
        .or(opts["propagationPolicy"].as_str())
        .unwrap_or("Background")
        .to_string();
    let dry_run = params.dry_run()
        || opts["dryRun"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == "All"));
    if rt.group.is_empty()
        && rt.kind == "Namespace"
        && matches!(name, "default" | "kube-system" | "kube-public")
    {
        let mut e = ApiError::new(
            403,
            "Forbidden",
            format!("namespaces \"{name}\" is forbidden: this namespace may not be deleted"),
        );
        e.details = json!({"name": name, "kind": "namespaces"});
        return Err(e);
    }
    let mut store = lock_store(server)?;
    let Some(obj) = store.get(&rt.storage_key(), ns, name).cloned() else {
        return Err(ApiError::not_found(rt, name));
    };
    if let Some(pre) = opts["preconditions"]["resourceVersion"].as_str()
        && Some(pre) != obj["metadata"]["resourceVersion"].as_str()
    {
        return Err(ApiError::conflict(rt, name));
    }
    if let Some(pre) = opts["preconditions"]["uid"].as_str()
        && Some(pre) != obj["metadata"]["uid"].as_str()
    {
        return Err(ApiError::conflict(rt, name));
    }
    if dry_run {
        return Ok(with_type(rt, obj));
    }
    let has_finalizers = obj["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty());
    let mut changes = Vec::new();
    let result;
    if has_finalizers && !(rt.kind == "Namespace" && rt.group.is_empty()) {
        let mut marked = obj.clone();
        marked["metadata"]["deletionTimestamp"] = json!(now());
        let rv = store.bump();
        marked["metadata"]["resourceVersion"] = json!(rv.to_string());
        changes.push(store.put(&rt.storage_key(), marked.clone(), "MODIFIED"));
        result = marked;
    } else {
        if let Some(c) = store.remove(&rt.storage_key(), ns, name) {
            changes.push(c);
        }
        result = obj.clone();
    }
    if rt.kind == "Namespace" && rt.group.is_empty() {
        let keys: Vec<(String, String, String)> = store
            .objects
            .iter()
            .flat_map(|(k, b)| {
                b.keys()
                    .filter(|(n, _)| n == name)
                    .map(|(n, m)| (k.clone(), n.clone(), m.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (k, n, m) in keys {
            if let Some(c) = store.remove(&k, &n, &m) {
                changes.push(c);
            }
        }
    }
    if let Some(uid) = obj["metadata"]["uid"].as_str() {
        collect_garbage(&mut store, uid, policy == "Orphan", &mut changes, 0);
    }
    save(&store)?;
    drop(store);
    for c in changes {
        publish(server, c);
    }
    Ok(with_type(rt, result))
}

/// Deletes (or orphans) every object owned by `uid`, recursively up to a fixed depth.
fn collect_garbage(
    store: &mut crate::sandbox::store::Store,
    uid: &str,
    orphan: bool,
    changes: &mut Vec<Arc<Change>>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    let owned: Vec<(String, String, String, String)> = store
        .objects
        .iter()
        .flat_map(|(k, b)| {
            b.iter()
                .filter(|(_, o)| {
                    o["metadata"]["ownerReferences"]
                        .as_array()
                        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
                })
                .map(|((n, m), o)| {
                    (
                        k.clone(),
                        n.clone(),
                        m.clone(),
                        o["metadata"]["uid"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (k, n, m, child_uid) in owned {
        if orphan {
            if let Some(mut o) = store.get(&k, &n, &m).cloned() {
                if let Some(refs) = o["metadata"]["ownerReferences"].as_array_mut() {
                    refs.retain(|r| r["uid"] != uid);
                }
                let rv = store.bump();
                o["metadata"]["resourceVersion"] = json!(rv.to_string());
                changes.push(store.put(&k, o, "MODIFIED"));
            }
        } else {
            if let Some(c) = store.remove(&k, &n, &m) {
                changes.push(c);
            }
            collect_garbage(store, &child_uid, false, changes, depth + 1);
        }
    }
}

fn delete_collection(
    server: &Server,
    rt: &ResourceType,
    ns: &str,
    params: &Params,
) -> Result<(u16, Value), ApiError> {
    let (_, listed) = list(server, rt, ns, params)?;
    let mut items = Vec::new();
    for item in listed["items"].as_array().into_iter().flatten() {
        let ins = item["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = item["metadata"]["name"].as_str().unwrap_or_default();
        match delete(server, rt, ins, name, params, &Value::Null) {
            Ok(v) => items.push(v),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok((
        200,
        json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(), "metadata": {}, "items": items}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("owner%3Dhelm%2Cname%3Dx"),
            "owner=helm,name=x"
        );
        assert_eq!(percent_decode("a+b%"), "a b%");
        assert_eq!(percent_decode("%é%4"), "%é%4");
    }

    #[test]
    fn names_are_checked() {
        assert!(is_dns_name("my-app.v1"));
        assert!(!is_dns_name("My_App"));
        assert!(!is_dns_name("-x"));
    }
}
