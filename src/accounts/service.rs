//! Account services: every state change runs in one transaction.

use super::entity::{invite, login_attempt, session, user};
use super::{DisplayName, Email, Role, SessionUser, check_password_policy};
use crate::db::Db;
use crate::mail::{Links, OutboundMail, Template};
use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, SqlErr,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

/// A session lasts at most this long after sign-in.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// A session unused for this long ends.
pub const SESSION_IDLE_TIMEOUT: Duration = Duration::days(7);
/// How often `last_seen_at` is refreshed (it costs a write).
const SESSION_TOUCH_INTERVAL: Duration = Duration::minutes(15);

/// Invitations expire after a week.
pub const INVITE_LIFETIME: Duration = Duration::days(7);

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub password: String,
    pub role: Role,
    pub locale: Locale,
}

/// A freshly opened session: the secret token for the cookie.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

pub(crate) fn to_session_user(u: &user::Model) -> Result<SessionUser> {
    Ok(SessionUser {
        id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        role: Role::parse(&u.role)
            .ok_or_else(|| Error::internal(format!("bad role {}", u.role)))?,
        locale: Locale::parse(&u.locale).unwrap_or_default(),
        email_verified: u.email_verified_at.is_some(),
    })
}

/// Hashes a password with argon2id (OWASP parameters: 19 MiB, 2 passes, 1
/// lane) off the async threads, one hash per core at a time (see
/// [`throttle`](super::throttle)).
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    super::throttle::with_hashing_slot(move || password_auth::generate_hash(password)).await
}

/// Checks a password against a stored hash off the async threads, like
/// [`hash_password`]: `unavailable` when no hashing slot came free in time.
pub async fn verify_password(password: &str, hash: &str) -> Result<bool> {
    let (password, hash) = (password.to_string(), hash.to_string());
    super::throttle::with_hashing_slot(move || {
        password_auth::verify_password(password, &hash).is_ok()
    })
    .await
}

/// A random secret for cookies and links: 256 bits, URL-safe.
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores instead of a token.
pub fn hash_token(token: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

pub(super) async fn find_user_by_email<C: ConnectionTrait>(
    conn: &C,
    email: &Email,
) -> Result<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(conn)
        .await?)
}

/// Creates an account with any role (the command line uses this for the
/// first organiser; sign-up restricts the role first).
pub async fn create_account(db: &Db, input: NewAccount, now: DateTime<Utc>) -> Result<SessionUser> {
    let email = Email::parse(&input.email)?;
    let name = DisplayName::parse(&input.name)?;
    check_password_policy(&input.password, "password")?;
    let hash = hash_password(&input.password).await?;
    let txn = db.begin().await?;
    let created = insert_user(
        &txn,
        &email,
        name.as_str(),
        &hash,
        input.role,
        input.locale,
        now,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id = %created.id, role = %input.role, "account created");
    to_session_user(&created)
}

async fn insert_user<C: ConnectionTrait>(
    conn: &C,
    email: &Email,
    name: &str,
    password_hash: &str,
    role: Role,
    locale: Locale,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    if find_user_by_email(conn, email).await?.is_some() {
        return Err(Error::field(ErrorCode::EmailTaken, "email"));
    }
    let model = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_string()),
        name: Set(name.to_string()),
        password_hash: Set(password_hash.to_string()),
        role: Set(role.as_str().to_string()),
        locale: Set(locale.as_str().to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        disabled_at: Set(None),
        email_verified_at: Set(None),
    };
    match model.insert(conn).await {
        Ok(m) => Ok(m),
        // Two sign-ups with one address racing: the unique index decides.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(Error::field(ErrorCode::EmailTaken, "email"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Public sign-up: visitors and exhibitors only. The account and the mail
/// asking to confirm its address are written in one transaction.
///
/// Everything cheap is checked before the password is hashed (the input,
/// whether the address is free, the client address's limit), so a flood of
/// bad sign-ups costs no hashing.
pub async fn sign_up(
    db: &Db,
    input: NewAccount,
    ip: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<SessionUser> {
    if !input.role.is_self_service() {
        return Err(Error::field(ErrorCode::InvalidRole, "role"));
    }
    let email = Email::parse(&input.email)?;
    let name = DisplayName::parse(&input.name)?;
    check_password_policy(&input.password, "password")?;
    if find_user_by_email(db.read(), &email).await?.is_some() {
        return Err(Error::field(ErrorCode::EmailTaken, "email"));
    }
    use super::throttle::{self, Action};
    let attempt = throttle::attempt(db.write(), Action::SignUp, email.as_str(), ip, now).await?;
    let hash = match hash_password(&input.password).await {
        Ok(h) => h,
        Err(e) => {
            throttle::forget(db.write(), attempt).await?;
            return Err(e);
        }
    };
    let txn = db.begin().await?;
    throttle::succeeded(&txn, attempt).await?;
    let created = insert_user(
        &txn,
        &email,
        name.as_str(),
        &hash,
        input.role,
        input.locale,
        now,
    )
    .await?;
    let user = to_session_user(&created)?;
    super::tokens::queue_verification(&txn, &user, links, now).await?;
    txn.commit().await?;
    tracing::info!(user_id = %user.id, role = %user.role, "account signed up");
    Ok(user)
}

/// Checks credentials. Failures slow further tries down (per account and
/// address, per address, per account: see [`throttle::sign_in_wait`]).
///
/// The attempt is recorded as a failure before the (slow) password check and
/// turned into a success afterwards, so parallel guesses count at once.
///
/// [`throttle::sign_in_wait`]: super::throttle::sign_in_wait
pub async fn sign_in(
    db: &Db,
    email: &str,
    password: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<SessionUser> {
    use super::throttle::{self, Action};
    let email_key = email.trim().to_lowercase();
    if email_key.is_empty()
        || email_key.len() > 254
        || password.len() > 4 * super::PASSWORD_MAX_CHARS
    {
        return Err(ErrorCode::InvalidCredentials.into());
    }
    let ip = truncate(ip, 64);

    let attempt_id = {
        let txn = db.begin().await?;
        let wait = throttle::sign_in_wait(&txn, &email_key, &ip, now).await?;
        if wait > 0 {
            txn.rollback().await?;
            tracing::warn!(ip = %ip, wait, "sign-in slowed down");
            return Err(Error::retry_after(ErrorCode::TooManyAttempts, wait));
        }
        let attempt = login_attempt::ActiveModel {
            email: Set(email_key.clone()),
            ip: Set(ip.clone()),
            succeeded: Set(false),
            attempted_at: Set(now),
            action: Set(Action::SignIn.as_str().to_string()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        attempt.id
    };

    let found = match Email::parse(&email_key) {
        Ok(e) => find_user_by_email(db.read(), &e).await?,
        Err(_) => None,
    };
    let checked = match &found {
        Some(u) => verify_password(password, &u.password_hash)
            .await
            .map(|ok| ok && u.disabled_at.is_none()),
        None => {
            // Spend the same time as a real check, so timing tells nothing.
            verify_password(password, dummy_hash()).await.map(|_| false)
        }
    };
    let ok = match checked {
        Ok(ok) => ok,
        Err(e) => {
            // Too busy to check: the attempt did not happen.
            throttle::forget(db.write(), attempt_id).await?;
            return Err(e);
        }
    };
    if !ok {
        return Err(ErrorCode::InvalidCredentials.into());
    }
    let user = found.expect("checked above");
    throttle::succeeded(db.write(), attempt_id).await?;
    to_session_user(&user)
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| password_auth::generate_hash("fairlink-timing-equaliser"))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

/// Opens a session for a signed-in user and returns its secret token.
pub async fn open_session(
    db: &Db,
    user_id: Uuid,
    ip: Option<&str>,
    user_agent: Option<&str>,
    now: DateTime<Utc>,
) -> Result<OpenedSession> {
    let token = random_token();
    let expires_at = now + SESSION_LIFETIME;
    session::ActiveModel {
        id: Set(hash_token(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        last_seen_at: Set(now),
        ip: Set(ip.map(|s| truncate(s, 64))),
        user_agent: Set(user_agent.map(|s| truncate(s, 255))),
    }
    .insert(db.write())
    .await?;
    Ok(OpenedSession { token, expires_at })
}

/// The user behind a session token, if the session is alive. Refreshes the
/// session's last use now and then.
pub async fn session_user(db: &Db, token: &str, now: DateTime<Utc>) -> Result<Option<SessionUser>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let id = hash_token(token);
    let Some((sess, Some(user))) = session::Entity::find_by_id(id.clone())
        .find_also_related(user::Entity)
        .one(db.read())
        .await?
    else {
        return Ok(None);
    };
    if sess.expires_at <= now
        || sess.last_seen_at + SESSION_IDLE_TIMEOUT <= now
        || user.disabled_at.is_some()
    {
        return Ok(None);
    }
    if now - sess.last_seen_at >= SESSION_TOUCH_INTERVAL {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .filter(session::Column::Id.eq(id))
            .exec(db.write())
            .await?;
    }
    to_session_user(&user).map(Some)
}

/// Ends one session (sign-out).
pub async fn close_session(db: &Db, token: &str) -> Result<()> {
    session::Entity::delete_by_id(hash_token(token))
        .exec(db.write())
        .await?;
    Ok(())
}

/// Removes sessions past their end and old sign-in attempts.
pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let txn = db.begin().await?;
    let sessions = session::Entity::delete_many()
        .filter(
            session::Column::ExpiresAt
                .lte(now)
                .or(session::Column::LastSeenAt.lte(now - SESSION_IDLE_TIMEOUT)),
        )
        .exec(&txn)
        .await?
        .rows_affected;
    login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::AttemptedAt.lt(now - Duration::days(1)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(sessions)
}

/// Changes a password after checking the current one. Every other session of
/// the user ends; the one making the change (if given) stays.
pub async fn change_password(
    db: &Db,
    user_id: Uuid,
    current: &str,
    new: &str,
    keep_session_token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    check_password_policy(new, "new_password")?;
    let user = user::Entity::find_by_id(user_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::Unauthenticated)?;
    if !verify_password(current, &user.password_hash).await? {
        return Err(Error::field(ErrorCode::WrongPassword, "current_password"));
    }
    let hash = hash_password(new).await?;
    let txn = db.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    super::tokens::void_open_tokens(&txn, user_id, super::tokens::PASSWORD_RESET, now).await?;
    let mut others = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(token) = keep_session_token {
        others = others.filter(session::Column::Id.ne(hash_token(token)));
    }
    others.exec(&txn).await?;
    txn.commit().await?;
    tracing::info!(user_id = %user_id, "password changed");
    Ok(())
}

/// Remembers a user's language (mail goes out in it).
pub async fn set_locale(db: &Db, user_id: Uuid, locale: Locale) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(locale.as_str()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db.write())
        .await?;
    Ok(())
}

/// An invitation as organisers see it.
#[derive(Debug, Clone)]
pub struct InviteView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// An organiser invites a staff member. Returns the invitation's secret
/// token (for the link).
pub async fn invite_staff(
    db: &Db,
    by: &SessionUser,
    email: &str,
    name: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<String> {
    super::require_role(Some(by), &[Role::Organiser])?;
    let email = Email::parse(email)?;
    let name = DisplayName::parse(name)?;
    let token = random_token();
    let txn = db.begin().await?;
    if find_user_by_email(&txn, &email).await?.is_some() {
        return Err(Error::field(ErrorCode::EmailTaken, "email"));
    }
    // A new invitation replaces any open one for the same address.
    invite::Entity::delete_many()
        .filter(invite::Column::Email.eq(email.as_str()))
        .filter(invite::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    let invite_id = Uuid::now_v7();
    crate::mail::enqueue(
        &txn,
        OutboundMail {
            to_email: email.as_str().to_string(),
            to_name: name.as_str().to_string(),
            locale: by.locale,
            template: Template::StaffInvite {
                name: name.as_str().to_string(),
                inviter: by.name.clone(),
                link: links.staff_invite(crate::mail::SECRET_MARK),
            },
            idempotency_key: format!("staff_invite:{invite_id}"),
            attachments: Vec::new(),
            secret: Some(token.clone()),
        },
        now,
    )
    .await?;
    invite::ActiveModel {
        id: Set(invite_id),
        token_hash: Set(hash_token(&token)),
        email: Set(email.into_string()),
        name: Set(name.into_string()),
        role: Set(Role::Staff.as_str().to_string()),
        invited_by: Set(by.id),
        created_at: Set(now),
        expires_at: Set(now + INVITE_LIFETIME),
        accepted_at: Set(None),
        user_id: Set(None),
        firm_id: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// The open invitation behind a token, if any.
pub async fn find_invite(db: &Db, token: &str, now: DateTime<Utc>) -> Result<InviteView> {
    let found = invite::Entity::find()
        .filter(invite::Column::TokenHash.eq(hash_token(token)))
        .one(db.read())
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > now)
        .ok_or(ErrorCode::InviteInvalid)?;
    invite_view(found)
}

fn invite_view(i: invite::Model) -> Result<InviteView> {
    Ok(InviteView {
        id: i.id,
        role: Role::parse(&i.role).ok_or_else(|| Error::internal("bad invite role"))?,
        email: i.email,
        name: i.name,
        created_at: i.created_at,
        expires_at: i.expires_at,
        accepted_at: i.accepted_at,
    })
}

/// The invited person sets a password: the account exists from now on. The
/// invitation is spent in the same transaction, so a link works once.
///
/// The invitation is looked up before the password is hashed, and failed
/// tries are limited per client address, so bogus links cost no hashing.
pub async fn accept_invite(
    db: &Db,
    token: &str,
    password: &str,
    locale: Locale,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<SessionUser> {
    use super::throttle::{self, Action};
    check_password_policy(password, "password")?;
    let attempt = throttle::attempt(db.write(), Action::Invite, "", ip, now).await?;
    if token.is_empty() || token.len() > 128 || find_invite(db, token, now).await.is_err() {
        return Err(ErrorCode::InviteInvalid.into());
    }
    let hash = match hash_password(password).await {
        Ok(h) => h,
        Err(e) => {
            throttle::forget(db.write(), attempt).await?;
            return Err(e);
        }
    };
    let txn = db.begin().await?;
    throttle::succeeded(&txn, attempt).await?;
    let found = invite::Entity::find()
        .filter(invite::Column::TokenHash.eq(hash_token(token)))
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > now)
        .ok_or(ErrorCode::InviteInvalid)?;
    let role = Role::parse(&found.role).ok_or_else(|| Error::internal("bad invite role"))?;
    let email = Email::parse(&found.email)?;
    let mut created = insert_user(&txn, &email, &found.name, &hash, role, locale, now).await?;
    // The link came by mail to this address: the address is confirmed.
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(created.id))
        .exec(&txn)
        .await?;
    created.email_verified_at = Some(now);
    let spent = invite::Entity::update_many()
        .col_expr(invite::Column::AcceptedAt, Expr::value(now))
        .col_expr(invite::Column::UserId, Expr::value(created.id))
        .filter(invite::Column::Id.eq(found.id))
        .filter(invite::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        return Err(ErrorCode::InviteInvalid.into());
    }
    if let Some(firm_id) = found.firm_id {
        // A colleague invited by a firm's admin joins that firm.
        crate::firms::entity::member::ActiveModel {
            firm_id: Set(firm_id),
            user_id: Set(created.id),
            is_admin: Set(false),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    to_session_user(&created)
}

/// Invitations, newest first.
pub async fn list_invites(db: &Db, limit: u64) -> Result<Vec<InviteView>> {
    invite::Entity::find()
        .order_by_desc(invite::Column::CreatedAt)
        .limit(limit)
        .all(db.read())
        .await?
        .into_iter()
        .map(invite_view)
        .collect()
}

/// How many accounts hold each role.
pub async fn count_by_role(db: &Db) -> Result<Vec<(Role, u64)>> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let n = user::Entity::find()
            .filter(user::Column::Role.eq(role.as_str()))
            .count(db.read())
            .await?;
        out.push((role, n));
    }
    Ok(out)
}

/// Looks an account up by address (for the command line).
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<SessionUser>> {
    let email = Email::parse(email)?;
    find_user_by_email(db.read(), &email)
        .await?
        .as_ref()
        .map(to_session_user)
        .transpose()
}
