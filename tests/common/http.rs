//! Test helper: a small HTTP/1.0 file server on 127.0.0.1 standing in for a chart
//! repository (optionally with basic auth, failing first requests, or cutting bodies
//! short). It answers at most 500 requests, then stops.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How the test server misbehaves.
#[derive(Clone, Default)]
pub struct ServeOpts {
    pub auth: Option<String>,
    pub fail_first: usize,
    pub truncate: bool,
}

/// Serves `dir` over HTTP/1.0 on 127.0.0.1; at most 500 requests, then it stops.
pub fn serve(dir: PathBuf, opts: ServeOpts) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(500) {
            let Ok(mut s) = stream else { continue };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => buf.extend_from_slice(&chunk[..k]),
                }
            }
            let req = String::from_utf8_lossy(&buf).to_string();
            let path = req
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .split('?')
                .next()
                .unwrap_or("/")
                .to_string();
            let reply = |s: &mut std::net::TcpStream, status: &str, body: &[u8], len: usize| {
                let _ = write!(
                    s,
                    "HTTP/1.0 {status}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
                );
                let _ = s.write_all(body);
            };
            if n < opts.fail_first {
                reply(&mut s, "503 Service Unavailable", b"busy", 4);
                continue;
            }
            if let Some(a) = &opts.auth {
                let ok = req.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("authorization: basic ")
                        && l[21..].trim() == a
                });
                if !ok {
                    reply(&mut s, "401 Unauthorized", b"", 0);
                    continue;
                }
            }
            let file = dir.join(path.trim_start_matches('/'));
            match std::fs::read(&file) {
                Ok(body) if !path.contains("..") => {
                    let len = body.len();
                    let sent = if opts.truncate {
                        &body[..len / 2]
                    } else {
                        &body[..]
                    };
                    reply(&mut s, "200 OK", sent, len);
                }
                _ => reply(&mut s, "404 Not Found", b"not found", 9),
            }
        }
    });
    format!("http://{addr}")
}
