//! Users, roles, sessions, passwords, invitations.
//!
//! The value types here (roles, e-mail addresses, the password policy, the
//! signed-in user) are shared with the browser. The services below the `db`
//! feature change state, each in one transaction.

mod email;
mod password;
mod role;

pub use email::{DisplayName, Email};
pub use password::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, check_password_policy};
pub use role::Role;

use crate::Locale;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who is signed in, as every page and server function sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub locale: Locale,
    /// The address has been confirmed (a link from a mail was followed).
    #[serde(default)]
    pub email_verified: bool,
}

/// The one rule behind every guarded action: a signed-in user whose role is
/// one of `allowed`. Anonymous requests are `unauthenticated` (401), signed-in
/// users with another role are `forbidden` (403).
pub fn require_role<'a>(
    user: Option<&'a SessionUser>,
    allowed: &[Role],
) -> crate::Result<&'a SessionUser> {
    match user {
        None => Err(crate::ErrorCode::Unauthenticated.into()),
        Some(u) if allowed.contains(&u.role) => Ok(u),
        Some(_) => Err(crate::ErrorCode::Forbidden.into()),
    }
}

#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
mod service;
#[cfg(feature = "db")]
pub use service::*;
#[cfg(feature = "db")]
pub mod throttle;
#[cfg(feature = "db")]
mod tokens;
#[cfg(feature = "db")]
pub use tokens::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn user(role: Role) -> SessionUser {
        SessionUser {
            id: Uuid::nil(),
            email: "a@b.vn".into(),
            name: "A".into(),
            role,
            locale: Locale::Vi,
            email_verified: false,
        }
    }

    #[test]
    fn guard_distinguishes_anonymous_wrong_role_and_allowed() {
        assert_eq!(
            require_role(None, &[Role::Organiser]).unwrap_err().code,
            ErrorCode::Unauthenticated
        );
        let visitor = user(Role::Visitor);
        assert_eq!(
            require_role(Some(&visitor), &[Role::Organiser])
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        let organiser = user(Role::Organiser);
        assert!(require_role(Some(&organiser), &[Role::Organiser]).is_ok());
        assert!(require_role(Some(&visitor), &[Role::Organiser, Role::Visitor]).is_ok());
        // Staff may only scan: they are never let into organiser functions.
        let staff = user(Role::Staff);
        assert!(require_role(Some(&staff), &[Role::Organiser]).is_err());
    }
}
