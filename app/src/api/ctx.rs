//! What server functions know about the request and the app (server side).

use super::AppError;
use fairlink::accounts::{Role, SessionUser, require_role};
use fairlink::db::Db;
use fairlink::{ErrorCode, Locale};
use http::header::{ACCEPT, HeaderValue, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "fl_session";
/// The language cookie's name.
pub const LOCALE_COOKIE: &str = "fl_lang";

/// State shared by every request, provided by the server.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub db: Db,
    /// Cookies carry `Secure` (the site is served over TLS).
    pub secure_cookies: bool,
    /// The site's public address, for links ("https://fair.example").
    pub public_url: String,
    /// Where mails link to.
    pub links: fairlink::mail::Links,
    /// Wakes the mail worker after mail was queued.
    pub mail_wake: fairlink::mail::Wake,
    /// The booth statuses of each fair's map, as last read: every open map
    /// polls them, and at a booking's opening hundreds of maps are open.
    pub map_statuses: MapStatuses,
    /// Bumped whenever a fair's booths change: statuses read before a
    /// change are not kept after it.
    pub map_generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Held by the one request that reads the statuses afresh: the maps
    /// told of a change together wait for its read instead of each reading.
    pub map_read: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Makes this instance forget a revoked scanner device at once (the
    /// others hear of it through the database's announcements).
    pub forget_device: ForgetDevice,
}

/// What the server does when a page revokes a scanner device.
#[derive(Clone, Default)]
pub struct ForgetDevice(pub Option<std::sync::Arc<dyn Fn(uuid::Uuid) + Send + Sync>>);

impl ForgetDevice {
    pub fn call(&self, device: uuid::Uuid) {
        if let Some(f) = &self.0 {
            f(device);
        }
    }
}

impl std::fmt::Debug for ForgetDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ForgetDevice")
    }
}

/// Booth statuses per fair: when their read began, the change count
/// (`map_generation`) then, and the statuses.
pub type MapStatuses = std::sync::Arc<
    std::sync::Mutex<
        std::collections::HashMap<uuid::Uuid, (std::time::Instant, u64, Vec<(uuid::Uuid, String)>)>,
    >,
>;

/// How long statuses read for one map serve the others.
pub const MAP_STATUSES_FRESH: std::time::Duration = std::time::Duration::from_secs(1);

/// What the server's middleware learned about a request before the app saw
/// it: who is signed in, which language they read, where they come from.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub user: Option<SessionUser>,
    pub session_token: Option<String>,
    pub locale: Locale,
    pub client_ip: String,
    pub user_agent: Option<String>,
}

pub fn app() -> Result<AppContext, AppError> {
    use_context::<AppContext>().ok_or_else(|| {
        tracing::error!("AppContext missing from the request context");
        AppError::new(ErrorCode::Internal)
    })
}

pub fn request() -> RequestInfo {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<RequestInfo>().cloned())
        .unwrap_or_default()
}

/// The guard every server function uses: the signed-in user if their role is
/// one of `roles`, else `unauthenticated` (401) or `forbidden` (403).
pub fn require(roles: &[Role]) -> Result<SessionUser, AppError> {
    let info = request();
    require_role(info.user.as_ref(), roles)
        .cloned()
        .map_err(AppError::from)
}

/// Any signed-in user.
pub fn require_user() -> Result<SessionUser, AppError> {
    require(&Role::ALL)
}

/// True for a plain HTML form post (no JavaScript): the browser navigates and
/// expects a redirect, not data.
pub fn is_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Redirects a plain form post; with JavaScript the page navigates itself.
/// A target no header can carry (control characters from a form field)
/// goes home instead: leptos_axum's redirect panics on it.
pub fn redirect_form_post(path: &str) {
    if is_form_post() {
        if HeaderValue::from_str(path).is_ok() && path.starts_with('/') {
            leptos_axum::redirect(path);
        } else {
            tracing::warn!("a redirect target with bytes no header may carry: sent home");
            leptos_axum::redirect("/");
        }
    }
}

fn append_cookie(cookie: String) {
    if let (Some(res), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        res.append_header(SET_COOKIE, value);
    }
}

fn cookie(name: &str, value: &str, max_age_secs: i64, http_only: bool, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

pub fn set_session_cookie(app: &AppContext, token: &str, max_age_secs: i64) {
    append_cookie(cookie(
        SESSION_COOKIE,
        token,
        max_age_secs,
        true,
        app.secure_cookies,
    ));
}

pub fn clear_session_cookie(app: &AppContext) {
    append_cookie(cookie(SESSION_COOKIE, "", 0, true, app.secure_cookies));
}

pub fn set_locale_cookie(app: &AppContext, locale: Locale) {
    // Readable by scripts on purpose: it is a preference, not a secret.
    append_cookie(cookie(
        LOCALE_COOKIE,
        locale.as_str(),
        365 * 24 * 3600,
        false,
        app.secure_cookies,
    ));
}

/// A short-lived HttpOnly cookie that carries something to the next page
/// (and only to it: [`take_cookie`] clears it).
pub fn set_short_cookie(app: &AppContext, name: &str, value: &str, max_age_secs: i64) {
    append_cookie(cookie(name, value, max_age_secs, true, app.secure_cookies));
}

/// Reads a cookie set by [`set_short_cookie`] and clears it.
pub fn take_cookie(app: &AppContext, name: &str) -> Option<String> {
    let parts = use_context::<Parts>()?;
    let value = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())?;
    append_cookie(cookie(name, "", 0, true, app.secure_cookies));
    Some(value)
}

/// Sets the HTTP status of the page being rendered (server-side rendering).
pub fn set_page_status(status: u16) {
    if let (Some(res), Ok(code)) = (
        use_context::<ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        res.set_status(code);
    }
}
