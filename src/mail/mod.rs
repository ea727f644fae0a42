//! Mail that never gets lost.
//!
//! A state change that must tell someone calls [`enqueue`] inside its own
//! transaction: the mail is rendered (in the recipient's language) and
//! written to the outbox together with the change, or not at all. A worker
//! ([`delivery`]) sends due rows, retries with exponential backoff, and
//! gives up after a number of attempts (the row turns `dead`, visible to
//! organisers, who can retry it). Rows are claimed with a lease (and `FOR
//! UPDATE SKIP LOCKED` on PostgreSQL), so several workers never send a row
//! twice; a crash between sending and marking sent repeats at most that one
//! message, with the same Message-ID.

pub mod delivery;
pub mod entity;
pub mod templates;

pub use lettre::message::Mailbox;
pub use templates::{Rendered, Template, render};

use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Utc};
use entity::{attachment, outbox};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// Where a queued mail stands.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const DEAD: &str = "dead";
    pub const ALL: [&str; 4] = [QUEUED, SENDING, SENT, DEAD];
}

/// A file sent with a mail: a calendar entry, a badge, an image shown
/// inline (with `inline_id`, referenced as `cid:<inline_id>` in the HTML).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content: Vec<u8>,
    pub inline_id: Option<String>,
}

/// The content type of an attachment made when the mail is sent: a booking's
/// pro-forma invoice, whose content is the claim id until then.
pub const INVOICE_LATER: &str = "application/x-fairlink-invoice-later";
/// Content type of an attachment made when the mail is sent: the badge (its
/// id as the content) as an A6 PDF.
pub const BADGE_LATER: &str = "application/x-fairlink-badge-later";
/// The content id of a badge's QR code shown inside a mail.
pub const BADGE_QR_CID: &str = "badge-qr";

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct OutboundMail {
    pub to_email: String,
    pub to_name: String,
    pub locale: Locale,
    pub template: Template,
    /// Names the event that causes the mail ("password_reset:<token id>"):
    /// queuing the same key again does nothing.
    pub idempotency_key: String,
    pub attachments: Vec<Attachment>,
    /// The live secret of a link the mail carries (a reset or invitation
    /// token). The template's link holds [`SECRET_MARK`] in its place; the
    /// outbox keeps the secret sealed apart from the body, puts it in only
    /// when sending, and forgets it once sent. Nobody reading the outbox
    /// (an organiser, a backup) finds a working link.
    pub secret: Option<String>,
}

/// What stands for a mail's secret in its stored body (URL-safe, unchanged
/// by HTML escaping and by header cleaning).
pub const SECRET_MARK: &str = "FLSECRETMARK";

/// What organisers read in place of a mail's secret.
pub const SECRET_SHOWN: &str = "••••••";

/// The associated data a mail's secret is sealed with (its row).
fn secret_purpose(id: Uuid) -> Vec<u8> {
    format!("outbox {id}").into_bytes()
}

/// The text and HTML bodies as sent: the stored bodies with the mail's
/// secret in place of its mark. An error when the mark is there and the
/// secret is not (sent already, or sealed with another key).
pub fn bodies_to_send(row: &outbox::Model) -> Result<(String, String)> {
    let marked = row.text_body.contains(SECRET_MARK) || row.html_body.contains(SECRET_MARK);
    if !marked {
        return Ok((row.text_body.clone(), row.html_body.clone()));
    }
    let sealed = row
        .secret
        .as_deref()
        .ok_or_else(|| Error::internal("the mail's secret is gone"))?;
    let secret = String::from_utf8(crate::secret::open(sealed, &secret_purpose(row.id))?)
        .map_err(Error::internal)?;
    Ok((
        row.text_body.replace(SECRET_MARK, &secret),
        row.html_body.replace(SECRET_MARK, &secret),
    ))
}

/// Queues a mail on `conn` (the caller's transaction). Returns false when a
/// mail with the same idempotency key is already queued or sent.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    mail: OutboundMail,
    now: DateTime<Utc>,
) -> Result<bool> {
    let to = crate::accounts::Email::parse(&mail.to_email)?;
    let rendered = render(&mail.template, mail.locale);
    let id = Uuid::now_v7();
    let data = serde_json::to_string(&mail.template).map_err(Error::internal)?;
    let secret = match &mail.secret {
        Some(s) => Some(crate::secret::seal(s.as_bytes(), &secret_purpose(id))?),
        None => None,
    };
    if let Some(s) = &mail.secret
        && (rendered.text.contains(s.as_str()) || data.contains(s.as_str()))
    {
        return Err(Error::internal(
            "a mail's secret is in its body: use SECRET_MARK",
        ));
    }
    let row = outbox::ActiveModel {
        id: Set(id),
        secret: Set(secret),
        idempotency_key: Set(mail.idempotency_key.chars().take(200).collect()),
        to_email: Set(to.into_string()),
        to_name: Set(templates::header_safe(&mail.to_name)
            .chars()
            .take(200)
            .collect()),
        locale: Set(mail.locale.as_str().to_string()),
        template: Set(mail.template.name().to_string()),
        data: Set(data),
        subject: Set(rendered.subject.chars().take(300).collect()),
        text_body: Set(rendered.text),
        html_body: Set(rendered.html),
        status: Set(status::QUEUED.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        claimed_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    };
    let inserted = outbox::Entity::insert(row)
        .on_conflict(
            OnConflict::column(outbox::Column::IdempotencyKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    for a in mail.attachments {
        attachment::Entity::insert(attachment::ActiveModel {
            id: Set(Uuid::now_v7()),
            outbox_id: Set(id),
            filename: Set(templates::header_safe(&a.filename)),
            content_type: Set(a.content_type),
            content_id: Set(a.inline_id),
            content: Set(a.content),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(true)
}

/// A queued mail as organisers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailView {
    pub id: Uuid,
    pub to_email: String,
    pub to_name: String,
    pub locale: String,
    pub template: String,
    pub subject: String,
    pub text_body: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<outbox::Model> for MailView {
    fn from(m: outbox::Model) -> Self {
        MailView {
            id: m.id,
            to_email: m.to_email,
            to_name: m.to_name,
            locale: m.locale,
            template: m.template,
            subject: m.subject,
            text_body: m.text_body.replace(SECRET_MARK, SECRET_SHOWN),
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// The newest mails, optionally of one status, a page at a time.
pub async fn list(
    db: &crate::db::Db,
    only: Option<&str>,
    page: u64,
    per_page: u64,
) -> Result<Vec<MailView>> {
    let mut q = outbox::Entity::find().order_by_desc(outbox::Column::CreatedAt);
    if let Some(s) = only {
        if !status::ALL.contains(&s) {
            return Err(Error::field(ErrorCode::BadRequest, "status"));
        }
        q = q.filter(outbox::Column::Status.eq(s));
    }
    Ok(q.offset(page * per_page)
        .limit(per_page)
        .all(db.read())
        .await?
        .into_iter()
        .map(MailView::from)
        .collect())
}

/// How many mails are in each status.
pub async fn counts(db: &crate::db::Db) -> Result<Vec<(&'static str, u64)>> {
    let mut out = Vec::new();
    for s in status::ALL {
        let n = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(s))
            .count(db.read())
            .await?;
        out.push((s, n));
    }
    Ok(out)
}

pub async fn get(db: &crate::db::Db, id: Uuid) -> Result<MailView> {
    outbox::Entity::find_by_id(id)
        .one(db.read())
        .await?
        .map(MailView::from)
        .ok_or_else(|| ErrorCode::NotFound.into())
}

/// Puts a dead mail back in the queue, due now, with a fresh count of attempts.
pub async fn retry(db: &crate::db::Db, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status::QUEUED))
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(status::DEAD))
        .exec(db.write())
        .await?;
    if res.rows_affected == 1 {
        Ok(())
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

/// The addresses that mails link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    base: String,
}

impl Links {
    /// `base` is the site's public origin ("https://fair.example.vn").
    pub fn new(base: &str) -> Links {
        Links {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    pub fn reset_password(&self, token: &str) -> String {
        format!("{}/reset/{token}", self.base)
    }

    pub fn verify_email(&self, token: &str) -> String {
        format!("{}/verify/{token}", self.base)
    }

    pub fn staff_invite(&self, token: &str) -> String {
        format!("{}/invite/{token}", self.base)
    }

    pub fn own_firm(&self) -> String {
        format!("{}/firm", self.base)
    }

    pub fn firm(&self, id: uuid::Uuid) -> String {
        format!("{}/exhibitors/{id}", self.base)
    }

    pub fn bookings(&self) -> String {
        format!("{}/bookings", self.base)
    }

    pub fn badges(&self) -> String {
        format!("{}/badges", self.base)
    }

    pub fn agenda(&self, slug: &str) -> String {
        format!("{}/fairs/{slug}/agenda", self.base)
    }

    pub fn home(&self) -> String {
        format!("{}/", self.base)
    }
}

/// Wakes the mail worker of this process after mail was queued, so that it
/// goes out at once rather than at the next poll.
#[derive(Debug, Clone, Default)]
pub struct Wake(std::sync::Arc<tokio::sync::Notify>);

impl Wake {
    pub fn new() -> Wake {
        Wake::default()
    }

    pub fn notify(&self) {
        self.0.notify_one();
    }

    pub fn notifier(&self) -> std::sync::Arc<tokio::sync::Notify> {
        self.0.clone()
    }
}
