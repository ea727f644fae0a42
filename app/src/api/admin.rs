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
    let token =
        fairlink::accounts::invite_staff(&app.db, &organiser, &email, &name, chrono::Utc::now())
            .await?;
    let link = format!("{}/invite/{token}", app.public_url.trim_end_matches('/'));
    // Without JavaScript the page reloads: carry the link to it.
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
        link: format!("{}/invite/{token}", app.public_url.trim_end_matches('/')),
    })
}
