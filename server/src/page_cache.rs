//! A micro-cache for public pages seen by anonymous visitors.
//!
//! On the day of a fair, thousands of phones open the home page and the
//! catalogue within minutes; what they show changes slowly. Each (address,
//! language) is rendered at most once per `ttl` and served from memory in
//! between. Every response still gets a fresh Content-Security-Policy
//! nonce: the cached page's nonce is replaced on the way out. Signed-in
//! users and responses that set cookies are never cached; only answers 200
//! are kept, so errors are always rendered afresh.

use crate::AppState;
use crate::middleware::{fresh_nonce, page_csp};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use fairlink::Locale;
use fairlink_app::api::ctx::RequestInfo;
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Pages that look the same to every anonymous visitor of one language
/// (for the catalogue: of one search).
pub const CACHEABLE: &[&str] = &["/", "/exhibitors"];

/// Pages kept at most; a full cache drops what has expired, then everything.
const MAX_ENTRIES: usize = 2000;

/// The largest page kept.
const MAX_PAGE_BYTES: usize = 512 * 1024;

struct Entry {
    at: Instant,
    body: Bytes,
    nonce: String,
    content_type: HeaderValue,
}

pub struct PageCache {
    ttl: Duration,
    entries: Mutex<HashMap<(String, Locale), Entry>>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> Self {
        PageCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &(String, Locale)) -> Option<(Bytes, String, HeaderValue)> {
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        (e.at.elapsed() < self.ttl)
            .then(|| (e.body.clone(), e.nonce.clone(), e.content_type.clone()))
    }

    fn put(&self, key: (String, Locale), entry: Entry) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                let ttl = self.ttl;
                entries.retain(|_, e| e.at.elapsed() < ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, entry);
        }
    }
}

fn nonce_of(csp: &str) -> Option<&str> {
    csp.split("'nonce-").nth(1)?.split('\'').next()
}

fn respond(body: Bytes, old_nonce: &str, content_type: HeaderValue) -> Response {
    let nonce = fresh_nonce();
    let html = String::from_utf8_lossy(&body).replace(old_nonce, &nonce);
    let mut res = Response::new(Body::from(html));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    if let Ok(csp) = HeaderValue::from_str(&page_csp(&nonce)) {
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

pub async fn page_cache(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(path) = CACHEABLE.iter().copied().find(|p| *p == req.uri().path()) else {
        return next.run(req).await;
    };
    if state.page_cache.ttl.is_zero() {
        return next.run(req).await;
    }
    let anonymous = req
        .extensions()
        .get::<RequestInfo>()
        .is_some_and(|i| i.user.is_none());
    // The home page takes no query; a query string there bypasses the cache.
    let query = req.uri().query().map(str::to_string);
    if req.method() != Method::GET || !anonymous || (path == "/" && query.is_some()) {
        return next.run(req).await;
    }
    let locale = req
        .extensions()
        .get::<Locale>()
        .copied()
        .unwrap_or_default();
    let key = (format!("{path}?{}", query.unwrap_or_default()), locale);
    let cache = &state.page_cache;
    if let Some((body, nonce, content_type)) = cache.get(&key) {
        return respond(body, &nonce, content_type);
    }
    let res = next.run(req).await;
    let nonce = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .and_then(nonce_of)
        .map(str::to_string);
    let cacheable =
        res.status() == StatusCode::OK && !res.headers().contains_key(header::SET_COOKIE);
    let (Some(nonce), true) = (nonce, cacheable) else {
        return res;
    };
    let (parts, body) = res.into_parts();
    let Ok(body) = to_bytes(body, MAX_PAGE_BYTES).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
    cache.put(
        key,
        Entry {
            at: Instant::now(),
            body: body.clone(),
            nonce,
            content_type,
        },
    );
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nonce() {
        assert_eq!(
            nonce_of("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"),
            Some("abc123")
        );
        assert_eq!(nonce_of("script-src 'self'"), None);
    }

    #[test]
    fn entries_expire() {
        let cache = PageCache::new(Duration::from_millis(30));
        cache.put(
            ("/?".to_string(), Locale::Vi),
            Entry {
                at: Instant::now(),
                body: Bytes::from_static(b"x"),
                nonce: "n".into(),
                content_type: HeaderValue::from_static("text/html"),
            },
        );
        assert!(cache.get(&("/?".to_string(), Locale::Vi)).is_some());
        assert!(cache.get(&("/?".to_string(), Locale::En)).is_none());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get(&("/?".to_string(), Locale::Vi)).is_none());
    }
}
