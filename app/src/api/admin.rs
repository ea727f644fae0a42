//! Organiser-only functions.

use super::AppError;
use fairlink::accounts::Role;
use fairlink::firms::SectorGroup;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub accounts: Vec<(Role, u64)>,
    pub firms_approved: u64,
    pub firms_certified: u64,
    pub firms_by_sector: Vec<(SectorGroup, u64)>,
}

#[server(endpoint = "admin/overview")]
pub async fn dashboard_figures() -> Result<Overview, AppError> {
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let accounts = fairlink::accounts::count_by_role(&app.db).await?;
    let firms = fairlink::firms::figures(&app.db).await?;
    Ok(Overview {
        accounts,
        firms_approved: firms.approved,
        firms_certified: firms.certified,
        firms_by_sector: firms.by_sector,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteCreated {
    pub name: String,
    pub link: String,
}

#[server(endpoint = "admin/invite_staff")]
pub async fn invite_staff(name: String, email: String) -> Result<InviteCreated, AppError> {
    use super::ctx;
    let organiser = ctx::require(&[Role::Organiser])?;
    let app = ctx::app()?;
    let token = fairlink::accounts::invite_staff(
        &app.db,
        &organiser,
        &email,
        &name,
        &app.links,
        chrono::Utc::now(),
    )
    .await?;
    app.mail_wake.notify();
    let link = app.links.staff_invite(&token);
    // The page reloads after the form post: carry the link to it.
    ctx::redirect_form_post(&format!("/organiser?invite={token}"));
    Ok(InviteCreated {
        name: name.trim().to_string(),
        link,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InviteState {
    Pending,
    Accepted,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteRow {
    pub name: String,
    pub email: String,
    pub sent_at: chrono::DateTime<chrono::Utc>,
    pub state: InviteState,
}

#[server(endpoint = "admin/invites")]
pub async fn list_invites() -> Result<Vec<InviteRow>, AppError> {
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let now = chrono::Utc::now();
    Ok(fairlink::accounts::list_invites(&app.db, 50)
        .await?
        .into_iter()
        .map(|i| InviteRow {
            state: if i.accepted_at.is_some() {
                InviteState::Accepted
            } else if i.expires_at <= now {
                InviteState::Expired
            } else {
                InviteState::Pending
            },
            name: i.name,
            email: i.email,
            sent_at: i.created_at,
        })
        .collect())
}

/// The link for an invitation token carried in the page address (after a
/// form post without JavaScript).
#[server(endpoint = "admin/invite_link")]
pub async fn invite_link(token: String) -> Result<InviteCreated, AppError> {
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let invite = fairlink::accounts::find_invite(&app.db, &token, chrono::Utc::now()).await?;
    Ok(InviteCreated {
        name: invite.name,
        link: app.links.staff_invite(&token),
    })
}

/// A mail in the outbox, as the organiser's mail pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRow {
    pub id: uuid::Uuid,
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
    pub text_body: String,
}

#[cfg(feature = "ssr")]
impl From<fairlink::mail::MailView> for MailRow {
    fn from(m: fairlink::mail::MailView) -> Self {
        MailRow {
            id: m.id,
            to_email: m.to_email,
            to_name: m.to_name,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            created_at: m.created_at,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
            last_error: m.last_error,
            text_body: m.text_body,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailPage {
    pub counts: Vec<(String, u64)>,
    pub rows: Vec<MailRow>,
    pub page: u64,
    pub has_more: bool,
}

/// Mails per page on the organiser's list.
pub const MAIL_PAGE_SIZE: u64 = 50;

#[server(endpoint = "admin/mail")]
pub async fn mail_listing(status: Option<String>, page: Option<u64>) -> Result<MailPage, AppError> {
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let page = page.unwrap_or(0).min(10_000);
    let status = status.filter(|s| !s.is_empty());
    let mut rows =
        fairlink::mail::list(&app.db, status.as_deref(), page, MAIL_PAGE_SIZE + 1).await?;
    let has_more = rows.len() as u64 > MAIL_PAGE_SIZE;
    rows.truncate(MAIL_PAGE_SIZE as usize);
    let counts = fairlink::mail::counts(&app.db)
        .await?
        .into_iter()
        .map(|(s, n)| (s.to_string(), n))
        .collect();
    Ok(MailPage {
        counts,
        rows: rows
            .into_iter()
            .map(|mut m| {
                m.text_body.clear();
                MailRow::from(m)
            })
            .collect(),
        page,
        has_more,
    })
}

#[server(endpoint = "admin/mail_one")]
pub async fn mail_one(id: uuid::Uuid) -> Result<MailRow, AppError> {
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    Ok(fairlink::mail::get(&app.db, id).await?.into())
}

#[server(endpoint = "admin/mail_retry")]
pub async fn mail_retry(id: uuid::Uuid) -> Result<(), AppError> {
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    fairlink::mail::retry(&app.db, id, chrono::Utc::now()).await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("/organiser/mail/{id}?retried=1"));
    Ok(())
}
