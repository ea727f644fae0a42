//! `GET /metrics` in Prometheus' text format.
//!
//! Two kinds of figures:
//! - this instance's HTTP traffic: requests by route, method and status, and
//!   their latency as a histogram by route (the route is the pattern matched,
//!   `/fairs/{slug}/agenda`, so the number of series stays bounded);
//! - the fair's business, read from the database at each scrape and the same
//!   on every instance: scans by verdict, booth claims by state, meeting
//!   requests by status, scheduled meetings, the mail outbox by status.
//!
//! Served to the machine itself (loopback, not passed on by a proxy) or,
//! when `FAIRLINK_METRICS_TOKEN` is set, only to whoever sends it as a
//! bearer token.

use crate::AppState;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{ConnectionTrait, Statement};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Latency {
    /// Counts per bucket (not cumulative; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// This instance's HTTP figures since it started.
#[derive(Default)]
pub struct Http {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Latency>>,
    in_flight: std::sync::atomic::AtomicI64,
}

impl Http {
    fn record(&self, route: &str, method: &str, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((route.to_string(), method.to_string(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let entry = l.entry(route.to_string()).or_default();
            let i = BUCKETS
                .iter()
                .position(|b| seconds <= *b)
                .unwrap_or(BUCKETS.len() - 1);
            // Slower than the last bound: counted in +Inf only.
            if seconds <= BUCKETS[BUCKETS.len() - 1] {
                entry.buckets[i] += 1;
            }
            entry.count += 1;
            entry.sum += seconds;
        }
    }

    fn write(&self, out: &mut String) {
        use std::sync::atomic::Ordering;
        out.push_str(
            "# HELP fairlink_http_requests_total HTTP requests answered by this instance.\n",
        );
        out.push_str("# TYPE fairlink_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((route, method, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "fairlink_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    label(route),
                    label(method)
                );
            }
        }
        out.push_str("# HELP fairlink_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE fairlink_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for (route, h) in l.iter() {
                let route = label(route);
                let mut seen = 0;
                for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                    seen += n;
                    let _ = writeln!(
                        out,
                        "fairlink_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {seen}"
                    );
                }
                let _ = writeln!(
                    out,
                    "fairlink_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "fairlink_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "fairlink_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        out.push_str(
            "# HELP fairlink_http_requests_in_flight Requests this instance is answering now.\n",
        );
        out.push_str("# TYPE fairlink_http_requests_in_flight gauge\n");
        let _ = writeln!(
            out,
            "fairlink_http_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
    }
}

/// A label value with `\`, `"` and line breaks escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every request by the route it matched (applied per route, after
/// routing; requests no route matched count as "unmatched").
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    use std::sync::atomic::Ordering;
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    // Known methods by name, the rest as one: a client cannot add series.
    let method = match *req.method() {
        axum::http::Method::GET => "GET",
        axum::http::Method::HEAD => "HEAD",
        axum::http::Method::POST => "POST",
        axum::http::Method::PUT => "PUT",
        axum::http::Method::PATCH => "PATCH",
        axum::http::Method::DELETE => "DELETE",
        axum::http::Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let started = Instant::now();
    /// Counts a request out however it ends (a client that hangs up drops
    /// the request's future).
    struct InFlight<'a>(&'a std::sync::atomic::AtomicI64);
    impl Drop for InFlight<'_> {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::Relaxed);
        }
    }
    state.http.in_flight.fetch_add(1, Ordering::Relaxed);
    let guard = InFlight(&state.http.in_flight);
    let res = next.run(req).await;
    drop(guard);
    state.http.record(
        &route,
        method,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// Whether the caller may read the figures. Without a token only the
/// machine itself may, and not through a proxy (a request a proxy passed on
/// comes from loopback too, whoever sent it).
fn allowed(headers: &HeaderMap, peer: Option<SocketAddr>, token: Option<&str>) -> bool {
    match token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                // Compared in full whatever the first difference.
                given.len() == token.len()
                    && given
                        .bytes()
                        .zip(token.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            }),
        None => {
            peer.is_some_and(|p| p.ip().is_loopback())
                && !headers.contains_key("x-forwarded-for")
                && !headers.contains_key("forwarded")
                && !headers.contains_key("x-real-ip")
        }
    }
}

pub async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !allowed(req.headers(), peer, state.config.metrics_token.as_deref()) {
        return (StatusCode::FORBIDDEN, "forbidden\n").into_response();
    }
    let mut out = String::with_capacity(16 * 1024);
    state.http.write(&mut out);
    let (hashed, refused) = fairlink::accounts::throttle::hashing_counts();
    out.push_str(
        "# HELP fairlink_password_hashes_total Password hashes and checks this instance ran.\n\
         # TYPE fairlink_password_hashes_total counter\n",
    );
    let _ = writeln!(out, "fairlink_password_hashes_total {hashed}");
    out.push_str(
        "# HELP fairlink_password_hashes_refused_total Requests turned away because every hashing slot stayed busy.\n\
         # TYPE fairlink_password_hashes_refused_total counter\n",
    );
    let _ = writeln!(out, "fairlink_password_hashes_refused_total {refused}");
    let mut figures = String::new();
    let up = match business(&state.ctx.db, &mut figures).await {
        Ok(()) => {
            out.push_str(&figures);
            1
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: database figures unavailable");
            0
        }
    };
    out.push_str("# HELP fairlink_database_up Whether the database answered this scrape.\n");
    out.push_str("# TYPE fairlink_database_up gauge\n");
    let _ = writeln!(out, "fairlink_database_up {up}");
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// The figures every instance reads alike from the database.
async fn business(db: &fairlink::db::Db, out: &mut String) -> Result<(), sea_orm::DbErr> {
    let grouped: [(&str, &str, &str, &str); 4] = [
        (
            "fairlink_scans_total",
            "Badge scans recorded, by verdict.",
            "verdict",
            "SELECT verdict AS k, COUNT(*) AS n FROM scans GROUP BY verdict",
        ),
        (
            "fairlink_booth_claims",
            "Booth claims, by state.",
            "state",
            "SELECT state AS k, COUNT(*) AS n FROM booth_claims GROUP BY state",
        ),
        (
            "fairlink_meeting_requests",
            "Meeting requests, by status.",
            "status",
            "SELECT status AS k, COUNT(*) AS n FROM meeting_requests GROUP BY status",
        ),
        (
            "fairlink_outbox_mails",
            "Mails in the outbox, by status (queued and sending: the depth).",
            "status",
            "SELECT status AS k, COUNT(*) AS n FROM outbox GROUP BY status",
        ),
    ];
    let backend = db.backend();
    for (name, help, key, sql) in grouped {
        let rows = db
            .read()
            .query_all_raw(Statement::from_string(backend, sql))
            .await?;
        let _ = writeln!(out, "# HELP {name} {help}");
        let kind = if name.ends_with("_total") {
            "counter"
        } else {
            "gauge"
        };
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for row in rows {
            let k: String = row.try_get("", "k")?;
            let n: i64 = row.try_get("", "n")?;
            let _ = writeln!(out, "{name}{{{key}=\"{}\"}} {n}", label(&k));
        }
    }
    let row = db
        .read()
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM meetings",
        ))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    out.push_str("# HELP fairlink_meetings_scheduled B2B meetings in the agendas.\n");
    out.push_str("# TYPE fairlink_meetings_scheduled gauge\n");
    let _ = writeln!(out, "fairlink_meetings_scheduled {n}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_buckets_are_cumulative_and_end_in_the_count() {
        let h = Http::default();
        for s in [0.0005, 0.003, 0.003, 0.2, 30.0] {
            h.record("/fairs/{slug}", "GET", 200, s);
        }
        h.record("/login", "POST", 303, 0.02);
        let mut out = String::new();
        h.write(&mut out);
        assert!(out.contains(
            "fairlink_http_requests_total{route=\"/fairs/{slug}\",method=\"GET\",status=\"200\"} 5"
        ));
        assert!(out.contains(
            "fairlink_http_request_duration_seconds_bucket{route=\"/fairs/{slug}\",le=\"0.001\"} 1"
        ));
        assert!(out.contains(
            "fairlink_http_request_duration_seconds_bucket{route=\"/fairs/{slug}\",le=\"0.005\"} 3"
        ));
        assert!(out.contains(
            "fairlink_http_request_duration_seconds_bucket{route=\"/fairs/{slug}\",le=\"10\"} 4"
        ));
        assert!(out.contains(
            "fairlink_http_request_duration_seconds_bucket{route=\"/fairs/{slug}\",le=\"+Inf\"} 5"
        ));
        assert!(out.contains("fairlink_http_request_duration_seconds_count{route=\"/login\"} 1"));
    }

    #[test]
    fn only_loopback_or_the_token_reads_the_figures() {
        let local: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let remote: SocketAddr = "203.0.113.9:5000".parse().unwrap();
        let mut bearer = HeaderMap::new();
        bearer.insert(header::AUTHORIZATION, "Bearer s3cret".parse().unwrap());
        assert!(allowed(&HeaderMap::new(), Some(local), None));
        assert!(!allowed(&HeaderMap::new(), Some(remote), None));
        assert!(!allowed(&HeaderMap::new(), None, None));
        assert!(allowed(&bearer, Some(remote), Some("s3cret")));
        assert!(!allowed(&bearer, Some(remote), Some("s3cret2")));
        assert!(!allowed(&HeaderMap::new(), Some(local), Some("s3cret")));
        // Passed on by a proxy on the same machine: not the machine itself.
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
        assert!(!allowed(&proxied, Some(local), None));
    }
}
