//! `GET /organiser/fairs/{slug}/live/events`: the live board's figures as
//! server-sent events. Figures are read from the database every two
//! seconds and sent when they changed (so a scan on any instance reaches
//! a board connected to any other); a comment every 15 s keeps proxies
//! from closing a quiet stream. Streams end when the server stops.

use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use fairlink::accounts::{Role, require_role};
use fairlink::badges::live::LiveCounts;
use fairlink_app::api::ctx::RequestInfo;
use std::convert::Infallible;
use std::time::Duration;

/// How often the figures are read.
pub const EVERY: Duration = Duration::from_secs(2);

#[derive(serde::Deserialize)]
pub struct DayQuery {
    /// A day other than today (YYYY-MM-DD).
    day: Option<chrono::NaiveDate>,
}

pub async fn events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DayQuery>,
    req: Request,
) -> Response {
    let info = req
        .extensions()
        .get::<RequestInfo>()
        .cloned()
        .unwrap_or_default();
    if let Err(e) = require_role(info.user.as_ref(), &[Role::Organiser]) {
        return crate::middleware::error_response(e.code, info.locale);
    }
    let fair = match fairlink::booths::fair_by_slug(&state.ctx.db, &slug).await {
        Ok(f) => f,
        Err(e) => return crate::middleware::error_response(e.code, info.locale),
    };
    let stopping = state.stopping.subscribe();
    struct Feed {
        state: AppState,
        fair_id: uuid::Uuid,
        day: Option<chrono::NaiveDate>,
        last: Option<LiveCounts>,
        stopping: tokio::sync::watch::Receiver<bool>,
        first: bool,
    }
    let feed = Feed {
        state,
        fair_id: fair.id,
        day: q.day,
        last: None,
        stopping,
        first: true,
    };
    let stream = futures_util::stream::unfold(feed, |mut f| async move {
        loop {
            if *f.stopping.borrow() {
                return None;
            }
            if !f.first {
                tokio::select! {
                    _ = tokio::time::sleep(EVERY) => {}
                    _ = f.stopping.changed() => return None,
                }
            }
            f.first = false;
            let counts = fairlink::badges::live::live_counts(
                &f.state.ctx.db,
                f.fair_id,
                f.day,
                chrono::Utc::now(),
            )
            .await;
            let Ok(mut counts) = counts else {
                continue;
            };
            // Only the figures decide whether anything changed.
            let at = counts.at.take();
            if f.last.as_ref() == Some(&counts) {
                continue;
            }
            f.last = Some(counts.clone());
            counts.at = at;
            let Ok(json) = serde_json::to_string(&counts) else {
                continue;
            };
            let event = Event::default().event("counts").data(json);
            return Some((Ok::<Event, Infallible>(event), f));
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
