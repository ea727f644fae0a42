//! Signing up, in and out; passwords; language; invitations.

use super::AppError;
use fairlink::Locale;
use fairlink::accounts::SessionUser;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The result of signing in (or up): who, and where to go next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user: SessionUser,
    pub next: String,
}

#[cfg(feature = "ssr")]
async fn start_session(user: SessionUser, next: Option<&str>) -> Result<SignedIn, AppError> {
    use super::ctx;
    let app = ctx::app()?;
    let req = ctx::request();
    let now = chrono::Utc::now();
    let session = fairlink::accounts::open_session(
        &app.db,
        user.id,
        Some(&req.client_ip),
        req.user_agent.as_deref(),
        now,
    )
    .await?;
    ctx::set_session_cookie(
        &app,
        &session.token,
        (session.expires_at - now).num_seconds(),
    );
    if let Some(old) = req.session_token.as_deref() {
        // A new sign-in replaces whatever session the browser had.
        fairlink::accounts::close_session(&app.db, old).await?;
    }
    let next = super::safe_next(next).unwrap_or_else(|| super::home_for(user.role).to_string());
    ctx::redirect_form_post(&next);
    Ok(SignedIn { user, next })
}

#[server(endpoint = "auth/signup")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    role: String,
) -> Result<SignedIn, AppError> {
    use fairlink::accounts::{NewAccount, Role};
    use fairlink::{Error, ErrorCode};
    let app = super::ctx::app()?;
    let req = super::ctx::request();
    let role = Role::parse(&role).ok_or(Error::field(ErrorCode::InvalidRole, "role"))?;
    let user = fairlink::accounts::sign_up(
        &app.db,
        NewAccount {
            email,
            name,
            password,
            role,
            locale: req.locale,
        },
        &req.client_ip,
        &app.links,
        chrono::Utc::now(),
    )
    .await?;
    app.mail_wake.notify();
    start_session(user, None).await
}

#[server(endpoint = "auth/login")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<SignedIn, AppError> {
    let app = super::ctx::app()?;
    let req = super::ctx::request();
    let user = fairlink::accounts::sign_in(
        &app.db,
        &email,
        &password,
        &req.client_ip,
        chrono::Utc::now(),
    )
    .await?;
    start_session(user, next.as_deref()).await
}

#[server(endpoint = "auth/logout")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::ctx;
    let app = ctx::app()?;
    if let Some(token) = ctx::request().session_token.as_deref() {
        fairlink::accounts::close_session(&app.db, token).await?;
    }
    ctx::clear_session_cookie(&app);
    ctx::redirect_form_post("/");
    Ok(())
}

#[server(endpoint = "auth/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use super::ctx;
    let user = ctx::require_user()?;
    let app = ctx::app()?;
    let req = ctx::request();
    fairlink::accounts::change_password(
        &app.db,
        user.id,
        &current_password,
        &new_password,
        req.session_token.as_deref(),
        chrono::Utc::now(),
    )
    .await?;
    ctx::redirect_form_post("/account?changed=1");
    Ok(())
}

/// Chooses the interface language; remembered in a cookie and, for signed-in
/// users, on the account (mail follows it).
#[server(endpoint = "prefs/locale")]
pub async fn set_locale(locale: String) -> Result<Locale, AppError> {
    use super::ctx;
    use fairlink::{Error, ErrorCode};
    let app = ctx::app()?;
    let locale = Locale::parse(&locale).ok_or(Error::field(ErrorCode::InvalidLocale, "locale"))?;
    ctx::set_locale_cookie(&app, locale);
    if let Some(user) = ctx::request().user {
        fairlink::accounts::set_locale(&app.db, user.id, locale).await?;
    }
    Ok(locale)
}

/// What the invitation page shows before the password is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteInfo {
    pub name: String,
    pub email: String,
}

#[server(endpoint = "auth/invite")]
pub async fn get_invite(token: String) -> Result<InviteInfo, AppError> {
    let app = super::ctx::app()?;
    let invite = fairlink::accounts::find_invite(&app.db, &token, chrono::Utc::now()).await?;
    Ok(InviteInfo {
        name: invite.name,
        email: invite.email,
    })
}

#[server(endpoint = "auth/accept_invite")]
pub async fn accept_invite(token: String, password: String) -> Result<SignedIn, AppError> {
    let app = super::ctx::app()?;
    let req = super::ctx::request();
    let user = fairlink::accounts::accept_invite(
        &app.db,
        &token,
        &password,
        req.locale,
        &req.client_ip,
        chrono::Utc::now(),
    )
    .await?;
    start_session(user, None).await
}

/// "I forgot my password": mails a reset link if the address has an account.
/// The answer is the same either way.
#[server(endpoint = "auth/forgot")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let app = super::ctx::app()?;
    fairlink::accounts::request_password_reset(&app.db, &email, &app.links, chrono::Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post("/forgot?sent=1");
    Ok(())
}

/// Whether a reset or confirmation link is still good.
#[server(endpoint = "auth/check_link")]
pub async fn check_link(token: String, purpose: String) -> Result<(), AppError> {
    use fairlink::accounts::{PASSWORD_RESET, VERIFY_EMAIL};
    let purpose = match purpose.as_str() {
        "reset" => PASSWORD_RESET,
        "verify" => VERIFY_EMAIL,
        _ => return Err(fairlink::ErrorCode::BadRequest.into()),
    };
    let app = super::ctx::app()?;
    fairlink::accounts::check_link(&app.db, &token, purpose, chrono::Utc::now()).await?;
    Ok(())
}

#[server(endpoint = "auth/reset")]
pub async fn reset_password(token: String, password: String) -> Result<SignedIn, AppError> {
    let app = super::ctx::app()?;
    let req = super::ctx::request();
    let user = fairlink::accounts::reset_password(
        &app.db,
        &token,
        &password,
        &req.client_ip,
        chrono::Utc::now(),
    )
    .await?;
    start_session(user, Some("/account?reset=1")).await
}

#[server(endpoint = "auth/verify")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let app = super::ctx::app()?;
    fairlink::accounts::verify_email(&app.db, &token, chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!("/verify/{token}?done=1"));
    Ok(())
}

#[server(endpoint = "auth/resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    let user = super::ctx::require_user()?;
    let app = super::ctx::app()?;
    fairlink::accounts::resend_verification(&app.db, user.id, &app.links, chrono::Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post("/account?resent=1");
    Ok(())
}
