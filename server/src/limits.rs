//! Per-address rate limits on the expensive reads: catalogue search (the
//! page and its server function) and the scanners' sync. A token bucket per
//! client address and kind, in this instance's memory: behind a proxy that
//! spreads clients over N instances a client gets up to N times the rate,
//! which is what these limits are for (stopping floods, not metering).
//! Sign-in has its own limits, in the database (see accounts).

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use fairlink::ErrorCode;
use fairlink_app::api::ctx::RequestInfo;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Search,
    ScannerSync,
}

/// A rate: `per_second` tokens come back each second, up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

impl Kind {
    /// The kind of limit a route (the pattern a request matched, not its
    /// path: `/exhibitors/` must not slip past) falls under, if any.
    pub fn of(route: &str) -> Option<Kind> {
        match route {
            "/exhibitors" | "/api/firms/catalogue" => Some(Kind::Search),
            "/api/scanner/v1/fairs/{fair}/sync" => Some(Kind::ScannerSync),
            _ => None,
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets beyond this many are pruned (full ones first).
const MAX_BUCKETS: usize = 100_000;

pub struct Limiter {
    search: Option<Rate>,
    sync: Option<Rate>,
    buckets: Mutex<HashMap<(Kind, String), Bucket>>,
}

impl Limiter {
    /// `None` turns a kind's limit off.
    pub fn new(search: Option<Rate>, sync: Option<Rate>) -> Limiter {
        Limiter {
            search,
            sync,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `who`, or says how long until one is back.
    pub fn take(&self, kind: Kind, who: &str, now: Instant) -> Result<(), Duration> {
        let Some(rate) = (match kind {
            Kind::Search => self.search,
            Kind::ScannerSync => self.sync,
        }) else {
            return Ok(());
        };
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_BUCKETS {
            // Full buckets (each by its own kind's rate) hold nothing.
            let (search, sync) = (self.search, self.sync);
            buckets.retain(|(k, _), b| {
                let r = match k {
                    Kind::Search => search,
                    Kind::ScannerSync => sync,
                };
                r.is_some_and(|r| {
                    b.tokens + now.duration_since(b.at).as_secs_f64() * r.per_second < r.burst
                })
            });
        }
        let b = buckets.entry((kind, who.to_string())).or_insert(Bucket {
            tokens: rate.burst,
            at: now,
        });
        b.tokens =
            (b.tokens + now.duration_since(b.at).as_secs_f64() * rate.per_second).min(rate.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(
                Duration::try_from_secs_f64((1.0 - b.tokens) / rate.per_second)
                    .unwrap_or(Duration::from_secs(3600)),
            )
        }
    }
}

/// Refuses requests over their address's rate with 429, the message in the
/// reader's language and `Retry-After`.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(kind) = Kind::of(crate::middleware::route_of(&req)) {
        let info = req
            .extensions()
            .get::<RequestInfo>()
            .cloned()
            .unwrap_or_default();
        if let Err(wait) = state.limiter.take(kind, &info.client_ip, Instant::now()) {
            let mut res =
                crate::middleware::error_response(ErrorCode::TooManyAttempts, info.locale);
            // Rounded up: a client that waits this long finds a token.
            let secs = wait.as_secs_f64().ceil().clamp(1.0, 3600.0).to_string();
            if let Ok(v) = HeaderValue::from_str(&secs) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return res;
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let l = Limiter::new(
            Some(Rate {
                per_second: 2.0,
                burst: 3.0,
            }),
            None,
        );
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.take(Kind::Search, "1.2.3.4", t0).is_ok());
        }
        let wait = l.take(Kind::Search, "1.2.3.4", t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        // Another address has its own bucket; the sync limit is off.
        assert!(l.take(Kind::Search, "5.6.7.8", t0).is_ok());
        for _ in 0..100 {
            assert!(l.take(Kind::ScannerSync, "1.2.3.4", t0).is_ok());
        }
        // Half a second later one token is back, not two.
        let t1 = t0 + Duration::from_millis(500);
        assert!(l.take(Kind::Search, "1.2.3.4", t1).is_ok());
        assert!(l.take(Kind::Search, "1.2.3.4", t1).is_err());
    }

    #[test]
    fn the_limited_paths() {
        assert_eq!(Kind::of("/exhibitors"), Some(Kind::Search));
        assert_eq!(Kind::of("/api/firms/catalogue"), Some(Kind::Search));
        assert_eq!(
            Kind::of("/api/scanner/v1/fairs/{fair}/sync"),
            Some(Kind::ScannerSync)
        );
        assert_eq!(Kind::of("/exhibitors/{id}"), None);
        assert_eq!(Kind::of("/api/scanner/v1/fairs/{fair}/scans"), None);
    }
}
