//! Watches: a streamed, newline-delimited JSON body of `ADDED`/`MODIFIED`/`DELETED`
//! events, replayed from the store's change log from a resourceVersion (or starting with
//! the current objects, and the initial-events-end bookmark for watch-list clients), then
//! fed live from the broadcast channel until the client goes away or the timeout ends.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::Response;
use hyper::body::Frame;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::sandbox::api::{Body, Params, error_response, matches, selectors, with_type};
use crate::sandbox::error::ApiError;
use crate::sandbox::registry::ResourceType;
use crate::sandbox::{Server, table};

/// A streamed body fed by a channel.
struct ChannelBody {
    rx: mpsc::Receiver<Bytes>,
}

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.rx.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

fn watch_line(kind: &str, obj: &Value) -> Bytes {
    let mut line = json!({"type": kind, "object": obj}).to_string();
    line.push('\n');
    Bytes::from(line)
}

pub fn watch_response(
    server: Arc<Server>,
    rt: ResourceType,
    ns: String,
    params: &Params,
    as_table: bool,
) -> Response<Body> {
    let (group, kind_name) = (rt.group.clone(), rt.kind.clone());
    let watch_line = move |kind: &str, obj: &Value| {
        if as_table && kind != "ERROR" && kind != "BOOKMARK" {
            let rv = obj["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or_default();
            watch_line(
                kind,
                &table::render(&group, &kind_name, std::slice::from_ref(obj), rv),
            )
        } else {
            watch_line(kind, obj)
        }
    };
    let (ls, fs) = match selectors(params) {
        Ok(s) => s,
        Err(e) => return error_response(&e),
    };
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .unwrap_or(1800)
        .min(3600);
    let send_initial = params.get("sendInitialEvents") == Some("true");
    let from: Option<u64> = params
        .get("resourceVersion")
        .and_then(|r| r.parse().ok())
        .filter(|r| *r > 0);
    let mut live = server.events.subscribe();
    let key = rt.storage_key();
    let mut initial = Vec::new();
    let mut last_rv = 0u64;
    {
        let Ok(store) = server.store.lock() else {
            return error_response(&ApiError::new(500, "InternalError", "store lock poisoned"));
        };
        last_rv = last_rv.max(store.rv);
        match from {
            Some(rv) if !send_initial => {
                if rv < store.oldest_logged() {
                    let gone = ApiError::new(
                        410,
                        "Expired",
                        format!("too old resource version: {rv} ({})", store.oldest_logged()),
                    );
                    initial.push(watch_line("ERROR", &gone.status()));
                } else {
                    for c in store.log.iter().filter(|c| c.rv > rv && c.key == key) {
                        if matches(&c.object, &ns, &ls, &fs) {
                            initial.push(watch_line(c.kind, &with_type(&rt, c.object.clone())));
                        }
                    }
                }
            }
            _ => {
                if let Some(bucket) = store.objects.get(&key) {
                    for obj in bucket.values() {
                        if matches(obj, &ns, &ls, &fs) {
                            initial.push(watch_line("ADDED", &with_type(&rt, obj.clone())));
                        }
                    }
                }
                if send_initial {
                    let bookmark = json!({"apiVersion": rt.api_version(), "kind": rt.kind, "metadata": {
                        "resourceVersion": store.rv.to_string(),
                        "annotations": {"k8s.io/initial-events-end": "true"}}});
                    initial.push(watch_line("BOOKMARK", &bookmark));
                }
            }
        }
    }
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    tokio::spawn(async move {
        for line in initial {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
        loop {
            let next = tokio::time::timeout_at(deadline, live.recv()).await;
            let change = match next {
                Err(_) => return,
                // A watcher that fell behind is closed, as a real server closes a slow watch;
                // the client re-lists and watches again.
                Ok(Err(_)) => return,
                Ok(Ok(c)) => c,
            };
            if change.key != key || change.rv <= last_rv {
                continue;
            }
            if !matches(&change.object, &ns, &ls, &fs) {
                continue;
            }
            if tx
                .send(watch_line(
                    change.kind,
                    &with_type(&rt, change.object.clone()),
                ))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let body = ChannelBody { rx }.boxed();
    let mut r = Response::new(body);
    if let Ok(h) = "application/json".parse() {
        r.headers_mut().insert("content-type", h);
    }
    r
}
