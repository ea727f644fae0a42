//! Scheduling runs started from the organiser's page. A run is a row: it is
//! created in one transaction (refused while another run of the fair is
//! alive), the search runs in the background and beats its progress into the
//! row, and the result or the error is written when it ends. Any instance of
//! the app shows the row, so the page follows a run wherever it runs. A run
//! whose heartbeat stopped (its process ended) shows as interrupted, and does
//! not block the next one.

use super::Options;
use super::entity::{programme, run};
use super::service::require_organiser;
use super::views::{RunReport, RunStatus, RunView};
use crate::accounts::SessionUser;
use crate::db::Db;
use crate::{ErrorCode, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};
use uuid::Uuid;

/// How often a running run writes its progress.
const BEAT: std::time::Duration = std::time::Duration::from_millis(500);

/// A running run whose last heartbeat is older than this was interrupted.
pub fn stale_after() -> Duration {
    Duration::seconds(30)
}

/// Starts a scheduling run of a fair in the background and returns its id.
/// Refused with `run_under_way` while another run of the fair is alive.
/// `links` (mails to both sides of every new meeting) and `wake` (the mail
/// worker, woken when the run has queued mail) are optional.
pub async fn start_run(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    options: Options,
    links: Option<crate::mail::Links>,
    wake: Option<crate::mail::Wake>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    require_organiser(organiser)?;
    let txn = db.begin().await?;
    // Lock the programme: starts of one fair go one after another.
    programme::Entity::find_by_id(fair_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::WrongState)?;
    let running = run::Entity::find()
        .filter(run::Column::FairId.eq(fair_id))
        .filter(run::Column::Status.eq(RunStatus::Running.as_str()))
        .all(&txn)
        .await?;
    if running.iter().any(|r| r.updated_at > now - stale_after()) {
        return Err(ErrorCode::RunUnderWay.into());
    }
    if !running.is_empty() {
        run::Entity::update_many()
            .col_expr(
                run::Column::Status,
                Expr::value(RunStatus::Interrupted.as_str()),
            )
            .col_expr(run::Column::FinishedAt, Expr::value(now))
            .filter(run::Column::Id.is_in(running.iter().map(|r| r.id)))
            .exec(&txn)
            .await?;
    }
    let id = Uuid::new_v4();
    run::ActiveModel {
        id: Set(id),
        fair_id: Set(fair_id),
        started_by: Set(organiser.id),
        status: Set(RunStatus::Running.as_str().into()),
        progress: Set(0),
        report: Set(None),
        error: Set(None),
        started_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let (db, organiser) = (db.clone(), organiser.clone());
    tokio::spawn(async move {
        execute(&db, &organiser, fair_id, id, &options, links.as_ref(), now).await;
        if let Some(wake) = wake {
            wake.notify();
        }
    });
    Ok(id)
}

/// Runs the scheduler for run `id`, beating its progress into the row, and
/// writes how it ended.
async fn execute(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    id: Uuid,
    options: &Options,
    links: Option<&crate::mail::Links>,
    now: DateTime<Utc>,
) {
    /// Stops the heartbeat however the run ends (a panic included), so
    /// that an ended run never looks alive.
    struct Beat(tokio::task::JoinHandle<()>);
    impl Drop for Beat {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let latest = Arc::new(AtomicI32::new(0));
    let beat = {
        let (db, latest) = (db.clone(), latest.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(BEAT);
            loop {
                tick.tick().await;
                let progress = latest.load(Ordering::Relaxed);
                // A missed beat is no harm: the next one writes again.
                let _ = run::Entity::update_many()
                    .col_expr(run::Column::Progress, Expr::value(progress))
                    .col_expr(run::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(run::Column::Id.eq(id))
                    .filter(run::Column::Status.eq(RunStatus::Running.as_str()))
                    .exec(db.write())
                    .await;
            }
        })
    };
    let beat = Beat(beat);
    let result = super::service::run_schedule(
        db,
        organiser,
        fair_id,
        options,
        &mut |p| latest.store((p * 1000.0).round() as i32, Ordering::Relaxed),
        links,
        now,
    )
    .await;
    drop(beat);
    let (status, report, error, progress) = match result {
        Ok(report) => (
            RunStatus::Done,
            serde_json::to_string(&report).ok(),
            None,
            1000,
        ),
        Err(e) => {
            tracing::warn!(run = %id, error = %e.code, detail = ?e.detail, "scheduling run failed");
            (
                RunStatus::Failed,
                None,
                Some(e.code.as_str().to_string()),
                latest.load(Ordering::Relaxed),
            )
        }
    };
    // Written until it lands: the page waits on it. (Only a lasting database
    // outage stops it; the run then shows as interrupted.)
    for attempt in 0..20 {
        let done = run::Entity::update_many()
            .col_expr(run::Column::Status, Expr::value(status.as_str()))
            .col_expr(run::Column::Progress, Expr::value(progress))
            .col_expr(run::Column::Report, Expr::value(report.clone()))
            .col_expr(run::Column::Error, Expr::value(error.clone()))
            .col_expr(run::Column::UpdatedAt, Expr::value(Utc::now()))
            .col_expr(run::Column::FinishedAt, Expr::value(Some(Utc::now())))
            .filter(run::Column::Id.eq(id))
            // Not over a verdict of interrupted given meanwhile.
            .filter(run::Column::Status.eq(RunStatus::Running.as_str()))
            .exec(db.write())
            .await;
        match done {
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(run = %id, attempt, error = %e, "could not record the run's end");
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    }
}

/// The fair's latest run, as the organiser sees it.
pub async fn latest_run(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<RunView>> {
    require_organiser(organiser)?;
    let Some(r) = run::Entity::find()
        .filter(run::Column::FairId.eq(fair_id))
        .order_by_desc(run::Column::StartedAt)
        .one(db.read())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(view(r, now)))
}

/// A run by its id (of any fair), as the organiser sees it.
pub async fn run_by_id(
    db: &Db,
    organiser: &SessionUser,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<RunView> {
    require_organiser(organiser)?;
    let r = run::Entity::find_by_id(id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok(view(r, now))
}

fn view(r: run::Model, now: DateTime<Utc>) -> RunView {
    let mut status = RunStatus::parse(&r.status).unwrap_or(RunStatus::Failed);
    if status == RunStatus::Running && r.updated_at <= now - stale_after() {
        status = RunStatus::Interrupted;
    }
    let report: Option<RunReport> = r
        .report
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    let seconds = match (&report, status) {
        (Some(report), _) => report.seconds,
        (None, RunStatus::Running) => (now - r.started_at).num_milliseconds() as f64 / 1000.0,
        (None, _) => {
            (r.finished_at.unwrap_or(r.updated_at) - r.started_at).num_milliseconds() as f64
                / 1000.0
        }
    };
    RunView {
        id: r.id,
        status,
        progress: r.progress.clamp(0, 1000),
        started_at: r.started_at,
        seconds: seconds.max(0.0),
        report,
        error: r
            .error
            .as_deref()
            .map(|c| ErrorCode::parse(c).unwrap_or(ErrorCode::Internal)),
    }
}
