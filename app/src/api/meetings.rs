//! B2B meetings: a buyer's needs and recommended suppliers, a firm's
//! recommended buyers, requests and answers, blocked slots, the agenda and
//! its calendar feed, and the organiser's programme and scheduling runs.
//! (Forms with several values of one name, needs and blocked slots, post to
//! plain routes of the server.)

use super::AppError;
use fairlink::fairs::Fair;
use fairlink::meetings::views::{AgendaItem, NeedInput, Recommendation, SlotView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything the meetings page shows its reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingsPage {
    pub fair: Fair,
    /// The reader is a buyer (else an exhibitor).
    pub buyer: bool,
    /// The organiser has set up the meeting programme.
    pub open: bool,
    pub need: Option<NeedInput>,
    pub recommendations: Vec<Recommendation>,
    pub requests: fairlink::meetings::views::RequestsPage,
    pub slots: Vec<SlotView>,
    pub blocked: Vec<Uuid>,
}

#[server(endpoint = "meetings/page")]
pub async fn get_meetings(slug: String, page: Option<u64>) -> Result<MeetingsPage, AppError> {
    use fairlink::accounts::Role;
    use fairlink::meetings::service as m;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let db = &app.db;
    let fair = fairlink::booths::fair_by_slug(db, &slug).await?;
    let now = chrono::Utc::now();
    let buyer = user.role == Role::Visitor;
    let programme = m::programme(db, fair.id).await?;
    let (need, recommendations) = if buyer {
        (
            m::need(db, &user).await?,
            m::recommend_suppliers(db, &user, fair.id, 20).await?,
        )
    } else {
        (None, m::recommend_buyers(db, &user, fair.id, 20).await?)
    };
    Ok(MeetingsPage {
        requests: m::requests(db, &user, fair.id, page.unwrap_or(0), now).await?,
        blocked: m::unavailable_slots(db, &user, fair.id).await?,
        open: programme.is_some(),
        slots: programme.map(|p| p.slots).unwrap_or_default(),
        fair,
        buyer,
        need,
        recommendations,
    })
}

#[server(endpoint = "meetings/request")]
pub async fn request_meeting(
    slug: String,
    counterpart: Uuid,
    message: String,
) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let id = fairlink::meetings::service::request_meeting(
        &app.db,
        &user,
        fair.id,
        counterpart,
        &message,
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/meetings?sent=1#requests"));
    Ok(id)
}

/// Accepts (`answer` = "accept") or declines a request.
#[server(endpoint = "meetings/respond")]
pub async fn respond_meeting(slug: String, request: Uuid, answer: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    fairlink::meetings::service::respond(
        &app.db,
        &user,
        request,
        answer == "accept",
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/meetings?answered=1#requests"));
    Ok(())
}

#[server(endpoint = "meetings/cancel")]
pub async fn cancel_meeting(slug: String, request: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor, Role::Organiser])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    fairlink::meetings::service::cancel(
        &app.db,
        &user,
        request,
        Some(&app.links),
        chrono::Utc::now(),
    )
    .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/meetings#requests"));
    Ok(())
}

/// A personal agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaPage {
    pub fair: Fair,
    pub items: Vec<AgendaItem>,
    /// The reader has a calendar feed (its secret is shown once, on renewal).
    pub feed: bool,
}

#[server(endpoint = "meetings/agenda")]
pub async fn get_agenda(slug: String) -> Result<AgendaPage, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let items = fairlink::meetings::service::agenda(&app.db, &user, fair.id).await?;
    let feed = fairlink::meetings::service::has_feed(&app.db, &user).await?;
    Ok(AgendaPage { fair, items, feed })
}

/// A new secret feed address; the page shows it once.
#[server(endpoint = "meetings/feed_renew")]
pub async fn renew_feed(slug: String) -> Result<String, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    let token = fairlink::meetings::service::renew_feed(&app.db, &user, chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/agenda?feed={token}#feed"));
    Ok(token)
}

#[server(endpoint = "meetings/feed_revoke")]
pub async fn revoke_feed(slug: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    fairlink::meetings::service::revoke_feed(&app.db, &user).await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/agenda?revoked=1#feed"));
    Ok(())
}

/// The organiser's view of a fair's meeting programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammePage {
    pub fair: Fair,
    pub tables: i32,
    pub request_hours: i32,
    /// One slot per line: "YYYY-MM-DD HH:MM minutes", in the fair's time.
    pub slots_text: String,
    pub requests: usize,
    pub accepted: usize,
    pub scheduled: usize,
    pub figures: Vec<fairlink::meetings::views::SectorFigures>,
    /// The latest scheduling run.
    pub run: Option<fairlink::meetings::views::RunView>,
}

#[server(endpoint = "meetings/programme")]
pub async fn get_programme(slug: String) -> Result<ProgrammePage, AppError> {
    use fairlink::accounts::Role;
    use fairlink::meetings::service as m;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let p = m::programme(&app.db, fair.id).await?;
    let scheduled = m::scheduled_count(&app.db, fair.id).await?;
    let figures = m::figures(&app.db, &user, fair.id).await?;
    let all = figures.iter().find(|f| f.sector.is_empty()).cloned();
    let run =
        fairlink::meetings::runs::latest_run(&app.db, &user, fair.id, chrono::Utc::now()).await?;
    let tz = fairlink::format::offset_or_default(&fair.time_zone);
    let slots_text = p
        .as_ref()
        .map(|p| {
            p.slots
                .iter()
                .map(|s| {
                    format!(
                        "{} {}",
                        s.starts_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                        s.minutes
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    Ok(ProgrammePage {
        tables: p.as_ref().map(|p| p.tables).unwrap_or(20),
        request_hours: p.as_ref().map(|p| p.request_hours).unwrap_or(72),
        slots_text,
        // The counts of every sector together (no list of every request).
        accepted: all.as_ref().map_or(0, |f| f.accepted as usize),
        requests: all.as_ref().map_or(0, |f| f.requests as usize),
        scheduled,
        figures,
        run,
        fair,
    })
}

#[server(endpoint = "meetings/programme_save")]
pub async fn save_programme(
    slug: String,
    tables: String,
    request_hours: String,
    slots: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::{Error, ErrorCode};
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let number = |v: &str, field: &'static str| {
        v.trim()
            .parse::<i32>()
            .map_err(|_| AppError::from(Error::field(ErrorCode::InvalidField, field)))
    };
    let slots = fairlink::meetings::service::parse_slot_lines(&slots, &fair.time_zone)?;
    let input = fairlink::meetings::views::ProgrammeInput {
        tables: number(&tables, "tables")?,
        request_hours: number(&request_hours, "request_hours")?,
        slots,
    };
    fairlink::meetings::service::save_programme(
        &app.db,
        &user,
        fair.id,
        &input,
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{slug}/meetings?saved=1"));
    Ok(())
}

/// Starts a scheduling run in the background; the page follows its
/// progress.
#[server(endpoint = "meetings/run")]
pub async fn run_schedule(slug: String) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let id = fairlink::meetings::runs::start_run(
        &app.db,
        &user,
        fair.id,
        fairlink::meetings::Options::default(),
        Some(app.links.clone()),
        Some(app.mail_wake.clone()),
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{slug}/meetings?run={id}"));
    Ok(id)
}

/// At the table: the other side's badge code marks the meeting held.
#[server(endpoint = "meetings/held")]
pub async fn mark_held(slug: String, code: String) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let id =
        fairlink::meetings::service::mark_held(&app.db, &user, fair.id, &code, chrono::Utc::now())
            .await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/agenda?held={id}"));
    Ok(id)
}

#[server(endpoint = "meetings/feedback")]
pub async fn give_feedback(
    slug: String,
    request: Uuid,
    outcome: String,
    follow_up: String,
    note: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor, Role::Exhibitor])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    fairlink::meetings::service::give_feedback(
        &app.db,
        &user,
        request,
        &outcome,
        &follow_up,
        &note,
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/agenda?thanks=1"));
    Ok(())
}
