//! Pages that follow changes, as server-sent events:
//!
//! - `GET /organiser/fairs/{slug}/live/events`: the live board's figures
//!   (event `counts`, JSON), read afresh when scans were recorded;
//! - `GET /fairs/{slug}/plan/events`: an open floor plan hears `booths`
//!   when a booth of the fair was held, booked, freed or blocked, and then
//!   fetches the statuses;
//! - `GET /fairs/{slug}/meetings/events`: a buyer's or exhibitor's
//!   meetings pages hear `meetings` when one of their requests or meetings
//!   changed.
//!
//! Changes reach every instance (see `fairlink::db::changes`: NOTIFY on
//! PostgreSQL), so a scan on one instance reaches a board connected to
//! another. A follower reads at most once per [`MIN_GAP`] however many
//! changes come, and once per [`FALLBACK`] when none come (a change whose
//! announcement was lost with its process). A comment every 15 s keeps
//! proxies from closing a quiet stream. Streams end when the server stops.

use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use fairlink::accounts::{Role, require_role};
use fairlink::badges::live::LiveCounts;
use fairlink::db::{Change, Topic};
use fairlink_app::api::ctx::RequestInfo;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// The shortest time between two reads (or events) of one follower.
pub const MIN_GAP: Duration = Duration::from_millis(500);

/// The longest time between two reads of a live board when no change is
/// heard.
pub const FALLBACK: Duration = Duration::from_secs(30);

/// Waits for the next change that concerns a follower. `Some(true)`: a
/// change, `Some(false)`: the fallback time passed, `None`: stop.
struct Follower {
    changes: tokio::sync::broadcast::Receiver<Change>,
    stopping: tokio::sync::watch::Receiver<bool>,
    topic: Topic,
    fair_id: Uuid,
    who: Vec<Uuid>,
    last: Option<tokio::time::Instant>,
}

impl Follower {
    fn new(state: &AppState, topic: Topic, fair_id: Uuid, who: Vec<Uuid>) -> Follower {
        Follower {
            changes: state.ctx.db.changes(topic),
            stopping: state.stopping.subscribe(),
            topic,
            fair_id,
            who,
            last: None,
        }
    }

    async fn next(&mut self, fallback: Option<Duration>) -> Option<bool> {
        let deadline = fallback.map(|f| tokio::time::Instant::now() + f);
        let changed = loop {
            if *self.stopping.borrow() {
                return None;
            }
            let timeout = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                c = self.changes.recv() => match c {
                    Ok(c) if c.concerns(self.topic, self.fair_id, &self.who) => break true,
                    Ok(_) => {}
                    // Too many to follow one by one: read afresh.
                    Err(RecvError::Lagged(_)) => break true,
                    Err(RecvError::Closed) => return None,
                },
                _ = timeout => break false,
                _ = self.stopping.changed() => return None,
            }
        };
        // However many changes come, one read per gap.
        if let Some(last) = self.last {
            let at = last + MIN_GAP;
            if tokio::time::Instant::now() < at {
                tokio::select! {
                    _ = tokio::time::sleep_until(at) => {}
                    _ = self.stopping.changed() => return None,
                }
            }
        }
        // Changes heard while waiting are covered by the read that follows.
        while let Ok(_) | Err(tokio::sync::broadcast::error::TryRecvError::Lagged(_)) =
            self.changes.try_recv()
        {}
        self.last = Some(tokio::time::Instant::now());
        Some(changed)
    }
}

fn request_info(req: &Request) -> RequestInfo {
    req.extensions()
        .get::<RequestInfo>()
        .cloned()
        .unwrap_or_default()
}

fn stream_response<S>(stream: S) -> Response
where
    S: futures_util::Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

#[derive(serde::Deserialize)]
pub struct DayQuery {
    /// A day other than today (YYYY-MM-DD).
    day: Option<chrono::NaiveDate>,
}

/// The live board's figures: sent at once, then whenever they changed.
pub async fn events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DayQuery>,
    req: Request,
) -> Response {
    let info = request_info(&req);
    if let Err(e) = require_role(info.user.as_ref(), &[Role::Organiser]) {
        return crate::middleware::error_response(e.code, info.locale);
    }
    let fair = match fairlink::booths::fair_by_slug(&state.ctx.db, &slug).await {
        Ok(f) => f,
        Err(e) => return crate::middleware::error_response(e.code, info.locale),
    };
    struct Feed {
        state: AppState,
        follower: Follower,
        fair_id: Uuid,
        day: Option<chrono::NaiveDate>,
        last: Option<LiveCounts>,
        first: bool,
    }
    let feed = Feed {
        follower: Follower::new(&state, Topic::Scans, fair.id, Vec::new()),
        state,
        fair_id: fair.id,
        day: q.day,
        last: None,
        first: true,
    };
    let stream = futures_util::stream::unfold(feed, |mut f| async move {
        loop {
            if !f.first {
                f.follower.next(Some(FALLBACK)).await?;
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
    stream_response(stream)
}

/// A stream of bare `name` events, one per (gap-limited) change.
fn pings(follower: Follower, name: &'static str) -> Response {
    let stream = futures_util::stream::unfold(follower, move |mut f| async move {
        f.next(None).await?;
        let event = Event::default().event(name).data(name);
        Some((Ok::<Event, Infallible>(event), f))
    });
    stream_response(stream)
}

/// An open floor plan: `booths` whenever the fair's booths changed.
pub async fn plan_events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let info = request_info(&req);
    let fair = match fairlink::booths::fair_by_slug(&state.ctx.db, &slug).await {
        Ok(f) => f,
        Err(e) => return crate::middleware::error_response(e.code, info.locale),
    };
    let follower = Follower::new(&state, Topic::Booths, fair.id, Vec::new());
    pings(follower, "booths")
}

/// A buyer's or exhibitor's meetings: `meetings` whenever one of theirs changed.
pub async fn meetings_events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let info = request_info(&req);
    let user = match require_role(info.user.as_ref(), &[Role::Visitor, Role::Exhibitor]) {
        Ok(u) => u.clone(),
        Err(e) => return crate::middleware::error_response(e.code, info.locale),
    };
    let fair = match fairlink::booths::fair_by_slug(&state.ctx.db, &slug).await {
        Ok(f) => f,
        Err(e) => return crate::middleware::error_response(e.code, info.locale),
    };
    let mut who = vec![user.id];
    if user.role == Role::Exhibitor {
        match fairlink::firms::profile::membership(state.ctx.db.read(), user.id).await {
            Ok(Some((firm, _))) => who.push(firm),
            Ok(None) => {}
            Err(e) => return crate::middleware::error_response(e.code, info.locale),
        }
    }
    let follower = Follower::new(&state, Topic::Meetings, fair.id, who);
    pings(follower, "meetings")
}

/// Keeps this instance's shared booth statuses true to changes made on any
/// instance: statuses read before a change serve no reader who comes
/// after it.
pub async fn forget_changed_maps(state: AppState) {
    let mut changes = state.ctx.db.changes(Topic::Booths);
    let mut stopping = state.stopping.subscribe();
    loop {
        let change = tokio::select! {
            c = changes.recv() => c,
            _ = stopping.changed() => return,
        };
        if let Err(RecvError::Closed) = change {
            return;
        }
        state
            .ctx
            .map_generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}
