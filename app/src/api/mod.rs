//! Server functions: thin. Each checks who is asking, parses input into
//! domain types, calls one core service and maps the result to a view type.

pub mod admin;
pub mod auth;
pub mod badges;
pub mod booths;
pub mod firms;
pub mod meetings;
pub mod public;

use fairlink::{ErrorCode, Locale};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The error every server function returns: a stable code the UI
/// translates, and the form field it concerns (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Seconds until a retry can succeed (`too_many_attempts`, `unavailable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError {
            code,
            field: None,
            retry_after: None,
        }
    }

    /// The message in the user's language.
    pub fn message(&self, locale: Locale) -> &'static str {
        crate::i18n::tr(locale, crate::i18n::Key::for_error(self.code))
    }

    /// Whether this error concerns the named form field.
    pub fn is_about(&self, field: &str) -> bool {
        self.field.as_deref() == Some(field)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_str())
    }
}

impl std::error::Error for AppError {}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::new(code)
    }
}

impl From<fairlink::Error> for AppError {
    fn from(err: fairlink::Error) -> Self {
        #[cfg(feature = "ssr")]
        if err.code == ErrorCode::Internal {
            tracing::error!(error = %err, "internal error");
        }
        AppError {
            code: err.code,
            field: err.field.map(str::to_string),
            retry_after: err.retry_after,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match &value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => ErrorCode::BadRequest,
            // On the server this can only be the request that failed to decode.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => ErrorCode::BadRequest,
            ServerFnErrorErr::Registration(_) => ErrorCode::NotFound,
            // The browser could not reach the server (network down).
            ServerFnErrorErr::Request(_) => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        };
        #[cfg(feature = "ssr")]
        if code == ErrorCode::Internal {
            tracing::error!(error = %value, "server function failed");
        }
        AppError::new(code)
    }
}

/// Where a user lands after signing in, by role.
pub fn home_for(role: fairlink::accounts::Role) -> &'static str {
    use fairlink::accounts::Role;
    match role {
        Role::Organiser => "/organiser",
        Role::Exhibitor | Role::Visitor | Role::Staff => "/account",
    }
}

/// A `next` target from a form, accepted only if it is a path on this
/// site: it starts with one `/` (not `//` or `/\\`, which browsers read
/// as another host), and every byte is printable ASCII other than `\\`
/// (browsers drop tabs and line breaks from addresses, so `/\t/evil` would
/// become `//evil`; real targets are percent-encoded, hence ASCII).
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    let bytes = next.as_bytes();
    let ok = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && bytes
            .iter()
            .all(|b| (0x21..=0x7e).contains(b) && *b != b'\\')
        && next.len() <= 512
        && !next.starts_with("/api/");
    ok.then(|| next.to_string())
}

/// A fair's slug from a form or an address, as fairs make them (ASCII
/// letters, digits and dashes: see `fairlink::text::slug`); anything else
/// names no fair.
pub fn slug_arg(slug: &str) -> Result<&str, AppError> {
    let ok = !slug.is_empty()
        && slug.len() <= 100
        && slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(slug)
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

#[cfg(feature = "ssr")]
pub mod ctx;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_stay_on_site() {
        assert_eq!(safe_next(Some("/account")).as_deref(), Some("/account"));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/x\r\nSet-Cookie: a=b")), None);
        assert_eq!(safe_next(Some("/api/auth/logout")), None);
        assert_eq!(safe_next(None), None);
        // Browsers drop tabs and line breaks: these would leave the site.
        assert_eq!(safe_next(Some("/\t/evil.example")), None);
        assert_eq!(safe_next(Some("/\n/evil.example")), None);
        assert_eq!(safe_next(Some("/\r/evil.example")), None);
        assert_eq!(safe_next(Some(" //evil.example")), None);
        // Bytes no header may carry, and backslashes anywhere.
        assert_eq!(safe_next(Some("/\u{1}")), None);
        assert_eq!(safe_next(Some("/a\\b")), None);
        assert_eq!(safe_next(Some("/a b")), None);
        assert_eq!(safe_next(Some("/\u{7f}")), None);
        assert_eq!(safe_next(Some("/tìm")), None);
        assert_eq!(
            safe_next(Some("/fairs/hanoi-2026/plan?zone=COMP%20A#x")).as_deref(),
            Some("/fairs/hanoi-2026/plan?zone=COMP%20A#x")
        );
    }

    #[test]
    fn errors_travel_as_json() {
        let e = AppError {
            code: ErrorCode::EmailTaken,
            field: Some("email".into()),
            retry_after: None,
        };
        let bytes = e.ser();
        assert_eq!(AppError::de(bytes), e);
    }
}
