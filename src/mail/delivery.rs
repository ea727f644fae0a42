//! Sending queued mail: claim due rows, send them, mark the outcome.

use super::entity::{attachment, outbox};
use super::{status, templates::header_safe};
use crate::db::Db;
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How the worker behaves.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// The sender ("Fairlink <no-reply@fair.example>").
    pub from: Mailbox,
    /// The domain in Message-IDs (`<outbox id@domain>`).
    pub message_id_domain: String,
    /// After this many attempts a mail is dead.
    pub max_attempts: i32,
    /// The wait after the first failure; it doubles with each further one.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// How long a claimed row belongs to this worker. A worker that dies
    /// mid-send loses its rows to another after this.
    pub lease: Duration,
    /// Rows claimed at once, and sent at once.
    pub batch: u64,
    pub concurrency: usize,
    /// Pause between polls when the queue is empty (enqueuers in this
    /// process wake the worker at once).
    pub poll: Duration,
    /// Tells workers apart in the table.
    pub worker_id: String,
}

impl DeliveryConfig {
    pub fn new(from: Mailbox) -> Self {
        let message_id_domain = from.email.domain().to_string();
        DeliveryConfig {
            from,
            message_id_domain,
            max_attempts: 8,
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            lease: Duration::from_secs(120),
            batch: 50,
            concurrency: 8,
            poll: Duration::from_secs(2),
            worker_id: format!("w-{}", uuid::Uuid::new_v4().simple()),
        }
    }
}

/// Where mail goes: an SMTP server, or a folder of `.eml` files when none
/// is configured.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::Folder(_, p) => write!(f, "Transport::Folder({})", p.display()),
        }
    }
}

impl Transport {
    /// `smtp://host:port` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS), `smtps://host:465` (TLS); user and password in the URL
    /// when the server wants them.
    pub fn smtp(url: &str) -> std::result::Result<Transport, String> {
        let builder =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| e.to_string())?;
        Ok(Transport::Smtp(
            builder.timeout(Some(Duration::from_secs(20))).build(),
        ))
    }

    pub fn folder(path: &Path) -> std::io::Result<Transport> {
        std::fs::create_dir_all(path)?;
        Ok(Transport::Folder(
            AsyncFileTransport::new(path),
            path.to_path_buf(),
        ))
    }

    pub async fn send(&self, message: Message) -> std::result::Result<(), String> {
        match self {
            Transport::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Folder(t, _) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Claims up to `cfg.batch` due rows for this worker: queued rows whose
/// time has come, and rows whose previous worker's lease ran out.
pub async fn claim(
    db: &Db,
    cfg: &DeliveryConfig,
    now: DateTime<Utc>,
) -> Result<Vec<outbox::Model>> {
    let lease_until = now + chrono::Duration::from_std(cfg.lease).map_err(Error::internal)?;
    let backend = db.backend();
    let (sql, lock) = match backend {
        DbBackend::Postgres => (
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = $1, claimed_by = $2 \
             WHERE id IN (SELECT id FROM outbox \
               WHERE (status = 'queued' AND next_attempt_at <= $3) OR (status = 'sending' AND lease_until < $3) \
               ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING *",
            true,
        ),
        _ => (
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = ?, claimed_by = ? \
             WHERE id IN (SELECT id FROM outbox \
               WHERE (status = 'queued' AND next_attempt_at <= ?) OR (status = 'sending' AND lease_until < ?) \
               ORDER BY next_attempt_at LIMIT ?) \
             RETURNING *",
            false,
        ),
    };
    let values: Vec<sea_orm::Value> = if lock {
        vec![
            lease_until.into(),
            cfg.worker_id.clone().into(),
            now.into(),
            (cfg.batch as i64).into(),
        ]
    } else {
        vec![
            lease_until.into(),
            cfg.worker_id.clone().into(),
            now.into(),
            now.into(),
            (cfg.batch as i64).into(),
        ]
    };
    let rows = outbox::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db.write())
        .await?;
    Ok(rows)
}

/// Builds the message on the wire from a row and its attachments.
pub fn build_message(
    row: &outbox::Model,
    attachments: &[attachment::Model],
    cfg: &DeliveryConfig,
) -> std::result::Result<Message, String> {
    let to_address = row
        .to_email
        .parse()
        .map_err(|e| format!("bad recipient: {e}"))?;
    let to_name = header_safe(&row.to_name);
    let to = Mailbox::new((!to_name.is_empty()).then_some(to_name), to_address);
    let (text, html) = super::bodies_to_send(row).map_err(|e| e.to_string())?;
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(text))
        .singlepart(SinglePart::html(html));
    let (inline, files): (Vec<_>, Vec<_>) =
        attachments.iter().partition(|a| a.content_id.is_some());
    let part = |a: &attachment::Model| {
        let content_type = ContentType::parse(&a.content_type).unwrap_or(ContentType::TEXT_PLAIN);
        match &a.content_id {
            Some(cid) => {
                LettreAttachment::new_inline(cid.clone()).body(a.content.clone(), content_type)
            }
            None => LettreAttachment::new(a.filename.clone()).body(a.content.clone(), content_type),
        }
    };
    let body = if inline.is_empty() {
        alternative
    } else {
        inline
            .iter()
            .fold(MultiPart::related().multipart(alternative), |m, a| {
                m.singlepart(part(a))
            })
    };
    let body = if files.is_empty() {
        body
    } else {
        files
            .iter()
            .fold(MultiPart::mixed().multipart(body), |m, a| {
                m.singlepart(part(a))
            })
    };
    Message::builder()
        .from(cfg.from.clone())
        .to(to)
        .subject(header_safe(&row.subject))
        .message_id(Some(format!("<{}@{}>", row.id, cfg.message_id_domain)))
        .date_now()
        .multipart(body)
        .map_err(|e| e.to_string())
}

/// The wait before the next attempt after `attempts` failures: doubling from
/// the base, capped, spread by ±20 % (fixed per mail) so that a failed batch
/// does not retry in lockstep.
pub fn backoff(cfg: &DeliveryConfig, attempts: i32, id: uuid::Uuid) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let raw = cfg.base_backoff.saturating_mul(1u32 << exp.min(16) as u32);
    let capped = raw.min(cfg.max_backoff);
    let spread = 0.8 + (id.as_u128() % 401) as f64 / 1000.0;
    capped.mul_f64(spread)
}

/// Whether this worker still holds the row: claimed by it, still sending.
/// (A worker whose lease ran out has lost the row to another; it must not
/// touch it.)
fn still_ours(cfg: &DeliveryConfig) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(outbox::Column::ClaimedBy.eq(cfg.worker_id.clone()))
        .add(outbox::Column::Status.eq(status::SENDING))
}

/// Renews this worker's lease on one row just before it is sent, so that a
/// mail late in a slow batch is not sent by another worker meanwhile.
/// False when the row is no longer this worker's (its lease ran out and
/// another worker claimed it).
async fn renew_lease(db: &Db, cfg: &DeliveryConfig, id: uuid::Uuid) -> Result<bool> {
    let until = Utc::now() + chrono::Duration::from_std(cfg.lease).map_err(Error::internal)?;
    let done = outbox::Entity::update_many()
        .col_expr(outbox::Column::LeaseUntil, Expr::value(until))
        .filter(outbox::Column::Id.eq(id))
        .filter(still_ours(cfg))
        .exec(db.write())
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a mail sent; false when it was no longer this worker's (its
/// lease ran out while sending: another worker may send it again).
async fn mark_sent(
    db: &Db,
    cfg: &DeliveryConfig,
    id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status::SENT))
        .col_expr(outbox::Column::SentAt, Expr::value(now))
        // Sent: the link's secret is no longer kept.
        .col_expr(outbox::Column::Secret, Expr::value(Option::<Vec<u8>>::None))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::Id.eq(id))
        .filter(still_ours(cfg))
        .exec(db.write())
        .await?;
    Ok(done.rows_affected == 1)
}

async fn mark_failed(
    db: &Db,
    cfg: &DeliveryConfig,
    row: &outbox::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let dead = row.attempts >= cfg.max_attempts;
    let wait =
        chrono::Duration::from_std(backoff(cfg, row.attempts, row.id)).map_err(Error::internal)?;
    let error: String = error.chars().take(1000).collect();
    let done = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(if dead { status::DEAD } else { status::QUEUED }),
        )
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now + wait))
        .col_expr(
            outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(outbox::Column::LastError, Expr::value(error.clone()))
        .filter(outbox::Column::Id.eq(row.id))
        .filter(still_ours(cfg))
        .exec(db.write())
        .await?;
    if done.rows_affected == 0 {
        return Ok(false);
    }
    if dead {
        tracing::error!(mail = %row.id, attempts = row.attempts, error = %error, "mail dead after its last attempt");
    } else {
        tracing::warn!(mail = %row.id, attempts = row.attempts, error = %error, "mail attempt failed; will retry");
    }
    Ok(true)
}

/// What one pass of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    pub failed: usize,
    /// Rows another worker took over before this one came to them.
    pub lost: usize,
}

/// Turns attachments that are made at sending time (invoices and badges:
/// rendering a PDF inside the transaction that queues the mail would hold
/// its locks for the whole render) into their files.
pub async fn resolve_attachments(
    db: &Db,
    mut attachments: Vec<attachment::Model>,
) -> Result<Vec<attachment::Model>> {
    for a in attachments.iter_mut() {
        if a.content_type == super::BADGE_LATER {
            let badge = std::str::from_utf8(&a.content)
                .ok()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
                .ok_or_else(|| crate::Error::internal("deferred badge without a badge id"))?;
            let (filename, pdf) = crate::badges::badge_pdf_for_mail(db, badge).await?;
            a.filename = filename;
            a.content_type = "application/pdf".into();
            a.content = pdf;
            continue;
        }
        if a.content_type == super::INVOICE_LATER {
            let claim = std::str::from_utf8(&a.content)
                .ok()
                .and_then(|s| s.parse::<uuid::Uuid>().ok())
                .ok_or_else(|| crate::Error::internal("deferred invoice without a claim id"))?;
            let (filename, pdf) = crate::booths::invoice_for_mail(db, claim).await?;
            a.filename = filename;
            a.content_type = "application/pdf".into();
            a.content = pdf;
        }
    }
    Ok(attachments)
}

/// Sends one claimed mail and records the outcome: Some(true) when sent,
/// None when the row was no longer this worker's.
async fn send_one(
    db: &Db,
    transport: &Transport,
    cfg: &DeliveryConfig,
    row: &outbox::Model,
    attachments: &[attachment::Model],
) -> Result<Option<bool>> {
    if !renew_lease(db, cfg, row.id).await? {
        tracing::warn!(mail = %row.id, worker = %cfg.worker_id, "lease lost before sending; left to its new worker");
        return Ok(None);
    }
    let sent = match resolve_attachments(db, attachments.to_vec()).await {
        Ok(attachments) => match build_message(row, &attachments, cfg) {
            Ok(message) => transport.send(message).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(e.to_string()),
    };
    match sent {
        Ok(()) => mark_sent(db, cfg, row.id, Utc::now()).await.map(|ours| {
            if !ours {
                tracing::warn!(mail = %row.id, worker = %cfg.worker_id, "lease lost while sending: the mail may go out twice");
            }
            ours.then_some(true)
        }),
        Err(e) => mark_failed(db, cfg, row, &e, Utc::now())
            .await
            .map(|ours| ours.then_some(false)),
    }
}

/// Claims a batch and sends it. Returns what happened.
pub async fn deliver_once(db: &Db, transport: &Transport, cfg: &DeliveryConfig) -> Result<Pass> {
    let rows = claim(db, cfg, Utc::now()).await?;
    send_claimed(db, transport, cfg, rows).await
}

/// Sends rows this worker claimed, each only while it still holds it.
pub async fn send_claimed(
    db: &Db,
    transport: &Transport,
    cfg: &DeliveryConfig,
    rows: Vec<outbox::Model>,
) -> Result<Pass> {
    if rows.is_empty() {
        return Ok(Pass::default());
    }
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let all_attachments = attachment::Entity::find()
        .filter(attachment::Column::OutboxId.is_in(ids))
        .all(db.read())
        .await?;
    let claimed = rows.len();
    let jobs = rows.into_iter().map(|row| {
        let attachments: Vec<attachment::Model> = all_attachments
            .iter()
            .filter(|a| a.outbox_id == row.id)
            .cloned()
            .collect();
        let (db, transport, cfg) = (db.clone(), transport.clone(), cfg.clone());
        async move { send_one(&db, &transport, &cfg, &row, &attachments).await }
    });
    let outcomes: Vec<Result<Option<bool>>> = futures_util::stream::iter(jobs)
        .buffer_unordered(cfg.concurrency.max(1))
        .collect()
        .await;
    let mut pass = Pass {
        claimed,
        ..Pass::default()
    };
    for outcome in outcomes {
        match outcome? {
            Some(true) => pass.sent += 1,
            Some(false) => pass.failed += 1,
            None => pass.lost += 1,
        }
    }
    Ok(pass)
}

/// Sends due mail until `stop` says so. `wake` lets code in this process
/// that just queued mail cut the wait short.
pub async fn run(
    db: Db,
    transport: Transport,
    cfg: DeliveryConfig,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %cfg.worker_id, transport = ?transport, "mail worker started");
    loop {
        if *stop.borrow() {
            break;
        }
        let idle = match deliver_once(&db, &transport, &cfg).await {
            Ok(pass) => pass.claimed == 0,
            Err(e) => {
                tracing::error!(error = %e, "mail worker pass failed");
                true
            }
        };
        if idle {
            tokio::select! {
                _ = tokio::time::sleep(cfg.poll) => {}
                _ = wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
    }
    tracing::info!(worker = %cfg.worker_id, "mail worker stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let mut cfg = DeliveryConfig::new("Fairlink <no-reply@fair.example>".parse().unwrap());
        cfg.base_backoff = Duration::from_secs(10);
        cfg.max_backoff = Duration::from_secs(100);
        let id = uuid::Uuid::nil();
        let b1 = backoff(&cfg, 1, id);
        let b2 = backoff(&cfg, 2, id);
        let b3 = backoff(&cfg, 3, id);
        assert!(
            b1 >= Duration::from_secs(8) && b1 <= Duration::from_secs(12),
            "{b1:?}"
        );
        assert!(b2 > b1 && b3 > b2);
        assert!(backoff(&cfg, 30, id) <= Duration::from_secs(120));
    }
}
