//! Request middleware: who is asking (session, language, address), the
//! Origin check on every state-changing request, body size, security
//! headers, and HTTP statuses for server-function errors.

use crate::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fairlink::{ErrorCode, Locale};
use fairlink_app::api::AppError;
use fairlink_app::api::ctx::{LOCALE_COOKIE, RequestInfo, SESSION_COOKIE};
use fairlink_app::i18n::{Key, tr};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use std::net::SocketAddr;

/// Largest request body accepted (forms and server-function calls).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The value of one cookie in a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

fn client_ip(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy {
        // The proxy appends the address it saw: the last entry is the one to trust.
        if let Some(ip) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return ip.to_string();
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/healthz" || path == "/readyz"
}

/// Resolves the session cookie, the language and the client address, and
/// attaches them to the request as [`RequestInfo`].
pub async fn request_info(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if is_asset(&path) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let token = cookie(headers, SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let cookie_locale = cookie(headers, LOCALE_COOKIE).and_then(Locale::parse);
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let accept_locale = Locale::from_accept_language(accept);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let client_ip = client_ip(&req, state.config.trust_proxy);

    let mut user = None;
    if let Some(token) = token.as_deref() {
        match fairlink::accounts::session_user(&state.ctx.db, token, chrono::Utc::now()).await {
            Ok(found) => user = found,
            Err(e) => tracing::error!(error = %e, "session lookup failed"),
        }
    }
    let locale = cookie_locale
        .or_else(|| user.as_ref().map(|u| u.locale))
        .unwrap_or(accept_locale);
    req.extensions_mut().insert(RequestInfo {
        session_token: if user.is_some() { token } else { None },
        user,
        locale,
        client_ip,
        user_agent,
    });
    req.extensions_mut().insert(locale);
    next.run(req).await
}

fn request_locale(req: &Request) -> Locale {
    req.extensions()
        .get::<Locale>()
        .copied()
        .unwrap_or_else(|| {
            Locale::from_accept_language(
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        })
}

/// A JSON error body: the stable code and the message in the reader's language.
pub fn error_response(code: ErrorCode, locale: Locale) -> Response {
    let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({
        "code": code.as_str(),
        "message": tr(locale, Key::for_error(code)),
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// Whether a state-changing request comes from one of our own pages: its
/// Origin must be the public origin or the origin of the Host it was sent
/// to; without Origin, Sec-Fetch-Site must say same-origin. Requests that
/// carry neither are refused (every browser sends one of them).
pub fn origin_allowed(headers: &HeaderMap, public_url: &str) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else {
            return false;
        };
        if origin == "null" {
            return false;
        }
        if origin.eq_ignore_ascii_case(public_url) {
            return true;
        }
        let origin_host = origin.split_once("://").map(|(_, h)| h);
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        return matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h));
    }
    matches!(
        headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        Some("same-origin") | Some("none")
    )
}

pub async fn origin_check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Scanner devices authenticate with a bearer token, not a cookie: no
    // other site's page can make a browser send one.
    let device = req.uri().path().starts_with("/api/scanner/")
        && crate::scanner::is_device_request(req.headers());
    if !safe && !device && !origin_allowed(req.headers(), &state.config.public_url) {
        tracing::warn!(
            method = %req.method(),
            route = %route_of(&req),
            origin = ?req.headers().get(header::ORIGIN),
            "cross-origin request refused"
        );
        return error_response(ErrorCode::CrossOrigin, request_locale(&req));
    }
    next.run(req).await
}

/// One address per page: a path with a trailing slash (`/exhibitors/`)
/// is sent to the path without it (308 for reads; 404 for writes and for
/// paths that would then start with `//`, which browsers read as another
/// host). Otherwise such a path reached the app's fallback, which rendered
/// the page beside the route's own limits and cache.
pub async fn canonical_path(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let read = matches!(*req.method(), Method::GET | Method::HEAD);
        if !read || trimmed.is_empty() || trimmed.starts_with("//") {
            return error_response(ErrorCode::NotFound, request_locale(&req));
        }
        let target = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_string(),
        };
        if let Ok(location) = HeaderValue::from_str(&target) {
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        return error_response(ErrorCode::NotFound, request_locale(&req));
    }
    next.run(req).await
}

/// The route a request matched (`/reset/{token}`, never the token), for
/// logs and limits; "unmatched" for the fallback.
pub fn route_of(req: &Request) -> &str {
    req.extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
}

/// Refuses oversized bodies up front (by Content-Length, per route) with a
/// clear message; `RequestBodyLimitLayer` and the upload routes' own limits
/// catch bodies that lie about it.
pub async fn body_limit(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > crate::files::body_limit_for(req.uri().path()) as u64) {
        return error_response(ErrorCode::PayloadTooLarge, request_locale(&req));
    }
    next.run(req).await
}

pub use fairlink::text::form_is_utf8;

/// Refuses form posts to server functions whose text is not valid UTF-8,
/// with 400 and nothing done. Server functions decode a body as a form
/// whatever its declared type, so every body is checked but JSON (the
/// scanner API) and multipart (uploads, read by their own routes).
pub async fn form_hygiene(req: Request, next: Next) -> Response {
    let is_form = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && !req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
            .is_some_and(|v| {
                v.starts_with("application/json") || v.starts_with("multipart/form-data")
            });
    if !is_form {
        return next.run(req).await;
    }
    let locale = request_locale(&req);
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return error_response(ErrorCode::PayloadTooLarge, locale),
    };
    if !form_is_utf8(&bytes) {
        return error_response(ErrorCode::BadRequest, locale);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

const SERVER_FN_ERROR_HEADER: HeaderName = HeaderName::from_static("serverfnerror");

/// Server functions answer every error with 500; give each its real status
/// (400 for malformed input, 401, 403, 409, 429, ...), read from the error's
/// stable code.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_api
        || res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return Response::from_parts(parts, Body::empty()),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(err.code.http_status())
    {
        parts.status = status;
        if let Some(secs) = err.retry_after {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The Content-Security-Policy for responses without a page-specific one.
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The policy for a server-rendered page whose inline scripts carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The nonce a server-rendered page's inline scripts carry, made before the
/// page is rendered: the app renders with it (see `request_context`) and
/// the page's Content-Security-Policy names it, whatever happens between.
#[derive(Debug, Clone)]
pub struct PageNonce(pub String);

pub fn fresh_nonce() -> String {
    fairlink::accounts::random_token()[..22].to_string()
}

pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = fresh_nonce();
    req.extensions_mut().insert(PageNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html
        && !h.contains_key(header::CONTENT_SECURITY_POLICY)
        && let Ok(value) = HeaderValue::from_str(&page_csp(&nonce))
    {
        h.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    let set = |h: &mut HeaderMap, name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(h, header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(
        h,
        header::REFERRER_POLICY,
        "strict-origin-when-cross-origin",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(self), microphone=(), geolocation=()",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if state.config.secure_cookies() {
        set(
            h,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        let public = "https://fair.example.vn";
        assert!(origin_allowed(
            &headers(&[("origin", "https://fair.example.vn")]),
            public
        ));
        assert!(origin_allowed(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            public
        ));
        assert!(!origin_allowed(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "fair.example.vn")
            ]),
            public
        ));
        assert!(!origin_allowed(&headers(&[("origin", "null")]), public));
        assert!(origin_allowed(
            &headers(&[("sec-fetch-site", "same-origin")]),
            public
        ));
        assert!(!origin_allowed(
            &headers(&[("sec-fetch-site", "cross-site")]),
            public
        ));
        assert!(!origin_allowed(&headers(&[]), public));
    }

    #[test]
    fn form_bodies_must_be_utf8_throughout() {
        assert!(form_is_utf8(b"name=Nguy%E1%BB%85n+Lan&email=a%40b.vn"));
        assert!(form_is_utf8("name=Nguyễn".as_bytes()));
        assert!(form_is_utf8(b""));
        assert!(!form_is_utf8(b"name=%FF%FE"));
        assert!(!form_is_utf8(b"name=\xff"));
        assert!(!form_is_utf8(&[b'a', b'=', 0xff]));
        assert!(!form_is_utf8(b"name=%E1%BB"));
        assert!(!form_is_utf8(b"name=%G1"));
        assert!(!form_is_utf8(b"name=%"));
        assert!(!form_is_utf8(b"name=abc%4"));
        // NUL, raw or escaped, is no text.
        assert!(!form_is_utf8(b"name=a%00b"));
        assert!(!form_is_utf8(b"name=a\0b"));
    }

    #[test]
    fn reads_cookies() {
        let h = headers(&[("cookie", "a=1; fl_session=abc; fl_lang=en")]);
        assert_eq!(cookie(&h, "fl_session"), Some("abc"));
        assert_eq!(cookie(&h, "fl_lang"), Some("en"));
        assert_eq!(cookie(&h, "nope"), None);
    }
}
