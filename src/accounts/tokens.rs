//! Single-use, expiring links sent by mail: choosing a new password and
//! confirming an address. The database keeps only the tokens' SHA-256.

use super::entity::{session, token, user};
use super::service::{
    find_user_by_email, hash_password, hash_token, random_token, to_session_user,
};
use super::{Email, SessionUser, check_password_policy};
use crate::db::Db;
use crate::mail::{Links, OutboundMail, Template};
use crate::{ErrorCode, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

pub const PASSWORD_RESET: &str = "password_reset";
pub const VERIFY_EMAIL: &str = "verify_email";
/// A reset link works for an hour.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// A confirmation link works for a week.
pub const VERIFY_LIFETIME: Duration = Duration::days(7);
/// Reset mails sent to one account per hour, at most.
pub const RESETS_PER_HOUR: u64 = 3;

async fn issue<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    purpose: &str,
    lifetime: Duration,
    now: DateTime<Utc>,
) -> Result<(Uuid, String)> {
    let secret = random_token();
    let id = Uuid::now_v7();
    token::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        purpose: Set(purpose.to_string()),
        token_hash: Set(hash_token(&secret)),
        created_at: Set(now),
        expires_at: Set(now + lifetime),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok((id, secret))
}

/// Queues the mail asking `user` to confirm their address (inside the
/// caller's transaction).
pub async fn queue_verification<C: ConnectionTrait>(
    conn: &C,
    user: &SessionUser,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    let (id, secret) = issue(conn, user.id, VERIFY_EMAIL, VERIFY_LIFETIME, now).await?;
    crate::mail::enqueue(
        conn,
        OutboundMail {
            to_email: user.email.clone(),
            to_name: user.name.clone(),
            locale: user.locale,
            template: Template::VerifyEmail {
                name: user.name.clone(),
                link: links.verify_email(crate::mail::SECRET_MARK),
            },
            idempotency_key: format!("{VERIFY_EMAIL}:{id}"),
            attachments: Vec::new(),
            secret: Some(secret.clone()),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Sends a new confirmation mail to a signed-in user whose address is not
/// confirmed yet.
pub async fn resend_verification(
    db: &Db,
    user_id: Uuid,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<bool> {
    let Some(u) = user::Entity::find_by_id(user_id).one(db.read()).await? else {
        return Err(ErrorCode::Unauthenticated.into());
    };
    if u.email_verified_at.is_some() {
        return Ok(false);
    }
    let recent = token::Entity::find()
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::Purpose.eq(VERIFY_EMAIL))
        .filter(token::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(db.read())
        .await?;
    if recent >= RESETS_PER_HOUR {
        return Err(ErrorCode::TooManyAttempts.into());
    }
    let txn = db.begin().await?;
    queue_verification(&txn, &to_session_user(&u)?, links, now).await?;
    txn.commit().await?;
    Ok(true)
}

/// "I forgot my password": queues a reset mail if the address belongs to an
/// account. Says nothing either way (who has an account is nobody's
/// business), and sends at most a few per account and hour.
pub async fn request_password_reset(
    db: &Db,
    email: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    let email = Email::parse(email)?;
    let Some(u) = find_user_by_email(db.read(), &email).await? else {
        return Ok(());
    };
    if u.disabled_at.is_some() {
        return Ok(());
    }
    let recent = token::Entity::find()
        .filter(token::Column::UserId.eq(u.id))
        .filter(token::Column::Purpose.eq(PASSWORD_RESET))
        .filter(token::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(db.read())
        .await?;
    if recent >= RESETS_PER_HOUR {
        tracing::warn!(user_id = %u.id, "password reset mails limited");
        return Ok(());
    }
    let user = to_session_user(&u)?;
    let txn = db.begin().await?;
    let (id, secret) = issue(&txn, user.id, PASSWORD_RESET, RESET_LIFETIME, now).await?;
    crate::mail::enqueue(
        &txn,
        OutboundMail {
            to_email: user.email.clone(),
            to_name: user.name.clone(),
            locale: user.locale,
            template: Template::PasswordReset {
                name: user.name.clone(),
                link: links.reset_password(crate::mail::SECRET_MARK),
            },
            idempotency_key: format!("{PASSWORD_RESET}:{id}"),
            attachments: Vec::new(),
            secret: Some(secret.clone()),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Spends every open token of `purpose` of a user (a new password voids
/// the reset links still in mailboxes).
pub async fn void_open_tokens<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(now))
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::Purpose.eq(purpose))
        .filter(token::Column::UsedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Spends a token of `purpose` in `conn`'s transaction: the row is locked,
/// checked (unused, unexpired) and marked used, or the call fails with
/// `link_invalid`. Returns the token's user.
async fn spend<C: ConnectionTrait>(
    conn: &C,
    secret: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let found = token::Entity::find()
        .filter(token::Column::TokenHash.eq(hash_token(secret)))
        .filter(token::Column::Purpose.eq(purpose))
        .lock_exclusive()
        .one(conn)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > now)
        .ok_or(ErrorCode::LinkInvalid)?;
    let spent = token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(now))
        .filter(token::Column::Id.eq(found.id))
        .filter(token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(ErrorCode::LinkInvalid.into());
    }
    Ok(found.user_id)
}

/// Whether a link token of `purpose` is still good (for showing its form).
pub async fn check_link(db: &Db, secret: &str, purpose: &str, now: DateTime<Utc>) -> Result<()> {
    token::Entity::find()
        .filter(token::Column::TokenHash.eq(hash_token(secret)))
        .filter(token::Column::Purpose.eq(purpose))
        .one(db.read())
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > now)
        .map(|_| ())
        .ok_or_else(|| ErrorCode::LinkInvalid.into())
}

/// Sets a new password through a reset link. The link is spent, and so is
/// every other reset link of the account still open, every session of the
/// account ends, and the address counts as confirmed (the mail reached it).
///
/// The link is checked before the password is hashed, and failed tries are
/// limited per client address, so bogus links cost no hashing.
pub async fn reset_password(
    db: &Db,
    secret: &str,
    new_password: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<SessionUser> {
    use super::throttle::{self, Action};
    check_password_policy(new_password, "password")?;
    let attempt = throttle::attempt(db.write(), Action::Reset, "", ip, now).await?;
    if secret.is_empty()
        || secret.len() > 128
        || check_link(db, secret, PASSWORD_RESET, now).await.is_err()
    {
        return Err(ErrorCode::LinkInvalid.into());
    }
    let hash = match hash_password(new_password).await {
        Ok(h) => h,
        Err(e) => {
            throttle::forget(db.write(), attempt).await?;
            return Err(e);
        }
    };
    let txn = db.begin().await?;
    let user_id = spend(&txn, secret, PASSWORD_RESET, now).await?;
    throttle::succeeded(&txn, attempt).await?;
    void_open_tokens(&txn, user_id, PASSWORD_RESET, now).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::LinkInvalid)?;
    txn.commit().await?;
    tracing::info!(user_id = %user_id, "password reset");
    to_session_user(&u)
}

/// Confirms an address through its link.
pub async fn verify_email(db: &Db, secret: &str, now: DateTime<Utc>) -> Result<SessionUser> {
    let txn = db.begin().await?;
    let user_id = spend(&txn, secret, VERIFY_EMAIL, now).await?;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .filter(user::Column::EmailVerifiedAt.is_null())
        .exec(&txn)
        .await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::LinkInvalid)?;
    txn.commit().await?;
    to_session_user(&u)
}
