//! The scanner API (`/api/scanner/v1/…`, described in `openapi.json`): what
//! scanners use to sync keys, revocations and gates, to ask for a verdict,
//! and to upload the scans they decided without network. Devices send
//! `Authorization: Bearer <token>` (organisers make and revoke tokens);
//! door staff and organisers on the scanner page use their session.
//! Answers are JSON; errors are `{"code", "message"}` in the caller's
//! language with a 4xx status.

use crate::AppState;
use crate::middleware::error_response;
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use fairlink::accounts::{Role, require_role};
use fairlink::badges::{self, OfflineScan, Scan};
use fairlink::{Error, ErrorCode, Locale};
use fairlink_app::api::ctx::RequestInfo;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// An offline queue of 10,000 scans fits with room to spare.
pub const UPLOAD_MAX_BYTES: usize = 8 * 1024 * 1024;
/// Scans in one upload at most.
pub const UPLOAD_MAX_SCANS: usize = 20_000;

/// The OpenAPI description of this API.
pub const OPENAPI: &str = include_str!("scanner_openapi.json");

/// Who is calling: a device of one fair, or a signed-in person.
enum Caller {
    Device {
        id: Uuid,
        fair_id: Uuid,
    },
    Person {
        user: fairlink::accounts::SessionUser,
    },
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Whether a request carries a device token (such requests cannot come
/// from another site's page: a browser would not send the header without
/// asking first, and nothing here answers that question).
pub fn is_device_request(headers: &HeaderMap) -> bool {
    bearer(headers).is_some()
}

fn fail(e: Error, locale: Locale) -> Response {
    error_response(e.code, locale)
}

/// How long an instance trusts a device token it looked up: a revoked
/// token is refused at once by the instance that revoked it, and by the
/// others within this time.
pub const DEVICE_TTL: Duration = Duration::from_secs(5);

/// From this age on, a remembered device is checked again by one request,
/// in the background, while the others keep using it (a whole door's
/// requests never wait on the database together).
const DEVICE_RECHECK: Duration = Duration::from_secs(3);

/// What an instance remembers between scans, so that a verdict costs no
/// database round trip but its own: devices by token (for
/// [`DEVICE_TTL`]), and the fair of each gate (which never changes).
#[derive(Default)]
pub struct Cache {
    devices: Mutex<HashMap<String, Remembered>>,
    gates: Mutex<HashMap<Uuid, Uuid>>,
    /// Door staff found on a fair's door, and when.
    staff: Mutex<HashMap<(Uuid, Uuid), Instant>>,
}

struct Remembered {
    id: Uuid,
    fair: Uuid,
    at: Instant,
    rechecking: bool,
}

/// A device token as remembered.
enum Known {
    /// Usable without asking the database.
    Fresh(Uuid, Uuid),
    /// Still valid, and this request checks it again in the background.
    Recheck(Uuid, Uuid),
    Unknown,
}

impl Cache {
    fn device(&self, hash: &str) -> Known {
        let Ok(mut devices) = self.devices.lock() else {
            return Known::Unknown;
        };
        let Some(d) = devices.get_mut(hash) else {
            return Known::Unknown;
        };
        let age = d.at.elapsed();
        if age >= DEVICE_TTL {
            Known::Unknown
        } else if age >= DEVICE_RECHECK && !d.rechecking {
            d.rechecking = true;
            Known::Recheck(d.id, d.fair)
        } else {
            Known::Fresh(d.id, d.fair)
        }
    }

    fn remember(&self, hash: String, id: Uuid, fair: Uuid) {
        if let Ok(mut devices) = self.devices.lock() {
            if devices.len() > 10_000 {
                devices.retain(|_, d| d.at.elapsed() < DEVICE_TTL);
            }
            devices.insert(
                hash,
                Remembered {
                    id,
                    fair,
                    at: Instant::now(),
                    rechecking: false,
                },
            );
        }
    }

    /// Forgets a token (it is no longer valid).
    fn forget_token(&self, hash: &str) {
        if let Ok(mut devices) = self.devices.lock() {
            devices.remove(hash);
        }
    }

    /// Forgets a device (it was revoked here).
    pub fn forget(&self, device_id: Uuid) {
        if let Ok(mut devices) = self.devices.lock() {
            devices.retain(|_, d| d.id != device_id);
        }
    }

    /// Whether `user` was found on `fair`'s door less than [`DEVICE_TTL`] ago.
    fn staff_on(&self, user: Uuid, fair: Uuid) -> bool {
        self.staff
            .lock()
            .ok()
            .and_then(|s| s.get(&(user, fair)).copied())
            .is_some_and(|at| at.elapsed() < DEVICE_TTL)
    }

    fn remember_staff(&self, user: Uuid, fair: Uuid) {
        if let Ok(mut s) = self.staff.lock() {
            if s.len() > 10_000 {
                s.retain(|_, at| at.elapsed() < DEVICE_TTL);
            }
            s.insert((user, fair), Instant::now());
        }
    }

    /// Forgets every device (revocations may have been missed).
    fn forget_all(&self) {
        if let Ok(mut devices) = self.devices.lock() {
            devices.clear();
        }
    }

    async fn gate_fair(&self, db: &fairlink::db::Db, gate_id: Uuid) -> Result<Uuid, Error> {
        if let Some(f) = self
            .gates
            .lock()
            .ok()
            .and_then(|g| g.get(&gate_id).copied())
        {
            return Ok(f);
        }
        let fair = badges::gate_fair(db, gate_id).await?;
        if let Ok(mut gates) = self.gates.lock() {
            gates.insert(gate_id, fair);
        }
        Ok(fair)
    }
}

/// Looks a device token up in the database and remembers the answer (a
/// token no longer valid is forgotten).
async fn check_device(state: &AppState, token: &str, hash: String) -> Result<(Uuid, Uuid), Error> {
    match badges::device_for_token(&state.ctx.db, token).await {
        Ok(d) => {
            let _ = badges::device_seen(&state.ctx.db, d.id, Utc::now()).await;
            state.scanner.remember(hash, d.id, d.fair_id);
            Ok((d.id, d.fair_id))
        }
        Err(e) => {
            state.scanner.forget_token(&hash);
            Err(e)
        }
    }
}

async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    info: &RequestInfo,
) -> Result<Caller, Error> {
    if let Some(token) = bearer(headers) {
        let hash = fairlink::accounts::hash_token(token.trim());
        match state.scanner.device(&hash) {
            Known::Fresh(id, fair_id) => return Ok(Caller::Device { id, fair_id }),
            Known::Recheck(id, fair_id) => {
                let (state, token) = (state.clone(), token.to_string());
                tokio::spawn(async move {
                    let _ = check_device(&state, &token, hash).await;
                });
                return Ok(Caller::Device { id, fair_id });
            }
            Known::Unknown => {
                let (id, fair_id) = check_device(state, token, hash).await?;
                return Ok(Caller::Device { id, fair_id });
            }
        }
    }
    let user = require_role(info.user.as_ref(), &[Role::Staff, Role::Organiser])?;
    Ok(Caller::Person { user: user.clone() })
}

impl Caller {
    /// A device speaks for its own fair only; door staff for the fairs
    /// they are on (remembered like devices, a few seconds).
    async fn may_use(&self, state: &AppState, fair_id: Uuid) -> Result<(), Error> {
        match self {
            Caller::Device { fair_id: own, .. } if *own != fair_id => {
                Err(Error::new(ErrorCode::Forbidden))
            }
            Caller::Device { .. } => Ok(()),
            Caller::Person { user } if user.role == Role::Organiser => Ok(()),
            Caller::Person { user } => {
                if state.scanner.staff_on(user.id, fair_id) {
                    return Ok(());
                }
                badges::door::may_scan(state.ctx.db.read(), user, fair_id).await?;
                state.scanner.remember_staff(user.id, fair_id);
                Ok(())
            }
        }
    }

    /// Stamps a scan with who made it (what the client says is ignored).
    fn stamp(&self, s: &mut Scan) {
        match self {
            Caller::Device { id, .. } => {
                s.device_id = Some(*id);
                s.staff_id = None;
            }
            Caller::Person { user } => {
                s.device_id = None;
                s.staff_id = Some(user.id);
            }
        }
    }
}

/// Forgets devices revoked on any instance, from any page, as soon as the
/// revocation is announced.
pub async fn forget_revoked_devices(state: AppState) {
    use tokio::sync::broadcast::error::RecvError;
    let mut changes = state.ctx.db.changes(fairlink::db::Topic::Devices);
    let mut stopping = state.stopping.subscribe();
    loop {
        let change = tokio::select! {
            c = changes.recv() => c,
            _ = stopping.changed() => return,
        };
        match change {
            Ok(c) if !c.people.is_empty() => {
                for device in c.people {
                    state.scanner.forget(device);
                }
            }
            Ok(_) | Err(RecvError::Lagged(_)) => state.scanner.forget_all(),
            Err(RecvError::Closed) => return,
        }
    }
}

fn info(req: &Request) -> RequestInfo {
    req.extensions()
        .get::<RequestInfo>()
        .cloned()
        .unwrap_or_default()
}

/// A JSON body, or `bad_request` in the caller's language.
async fn json<T: serde::de::DeserializeOwned>(req: Request, limit: usize) -> Result<T, Error> {
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| Error::new(ErrorCode::PayloadTooLarge))?;
    serde_json::from_slice(&bytes).map_err(|_| Error::new(ErrorCode::BadRequest))
}

#[derive(Deserialize)]
pub struct SyncQuery {
    since: Option<DateTime<Utc>>,
}

/// `GET /api/scanner/v1/fairs/{fair}/sync?since=…`
pub async fn sync(
    State(state): State<AppState>,
    Path(fair_id): Path<Uuid>,
    Query(q): Query<SyncQuery>,
    req: Request,
) -> Response {
    let info = info(&req);
    let headers = req.headers().clone();
    drop(req);
    let run = async {
        let who = caller(&state, &headers, &info).await?;
        who.may_use(&state, fair_id).await?;
        badges::sync_data(&state.ctx.db, fair_id, q.since, Utc::now()).await
    };
    match run.await {
        Ok(data) => Json(data).into_response(),
        Err(e) => fail(e, info.locale),
    }
}

/// `POST /api/scanner/v1/verdict`: one scan, decided online.
pub async fn verdict(State(state): State<AppState>, req: Request) -> Response {
    let info = info(&req);
    let headers = req.headers().clone();
    let run = async {
        let who = caller(&state, &headers, &info).await?;
        let mut s: Scan = json(req, 16 * 1024).await?;
        if s.token.len() > 512 {
            return Err(Error::field(ErrorCode::InvalidField, "token"));
        }
        let fair_id = state.scanner.gate_fair(&state.ctx.db, s.gate_id).await?;
        who.may_use(&state, fair_id).await?;
        who.stamp(&mut s);
        s.at = badges::online_scan_time(s.at, state.config.door_now())?;
        state.gatekeeper.check(s).await
    };
    match run.await {
        Ok(v) => Json(v).into_response(),
        Err(e) => fail(e, info.locale),
    }
}

#[derive(Deserialize)]
struct Upload {
    scans: Vec<OfflineScan>,
}

/// `POST /api/scanner/v1/fairs/{fair}/scans`: an offline queue.
pub async fn upload(
    State(state): State<AppState>,
    Path(fair_id): Path<Uuid>,
    req: Request,
) -> Response {
    let info = info(&req);
    let headers = req.headers().clone();
    let run = async {
        let who = caller(&state, &headers, &info).await?;
        who.may_use(&state, fair_id).await?;
        let mut upload: Upload = json(req, UPLOAD_MAX_BYTES).await?;
        if upload.scans.len() > UPLOAD_MAX_SCANS {
            return Err(Error::new(ErrorCode::PayloadTooLarge));
        }
        for s in &mut upload.scans {
            if s.scan.token.len() > 512
                || s.reason.len() > 64
                || s.reason.chars().any(char::is_control)
            {
                return Err(Error::field(ErrorCode::InvalidField, "scans"));
            }
            who.stamp(&mut s.scan);
        }
        badges::ingest(
            &state.ctx.db,
            fair_id,
            upload.scans,
            state.config.door_now(),
        )
        .await
    };
    match run.await {
        Ok(r) => Json(r).into_response(),
        Err(e) => fail(e, info.locale),
    }
}

/// `GET /api/scanner/v1/openapi.json`
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        OPENAPI,
    )
        .into_response()
}

#[derive(Deserialize)]
struct NewDevice {
    name: String,
}

/// `POST /api/organiser/fairs/{fair}/devices` (organisers): a device and
/// its token, shown once.
pub async fn add_device(
    State(state): State<AppState>,
    Path(fair_id): Path<Uuid>,
    req: Request,
) -> Response {
    let info = info(&req);
    let run = async {
        let user = require_role(info.user.as_ref(), &[Role::Organiser])?.clone();
        let body: NewDevice = json(req, 16 * 1024).await?;
        badges::add_device(&state.ctx.db, &user, fair_id, &body.name, Utc::now()).await
    };
    match run.await {
        Ok((device, token)) => {
            Json(serde_json::json!({ "device": device, "token": token })).into_response()
        }
        Err(e) => fail(e, info.locale),
    }
}

/// `POST /api/organiser/devices/{id}/revoke` (organisers).
pub async fn revoke_device(
    State(state): State<AppState>,
    Path(device_id): Path<Uuid>,
    req: Request,
) -> Response {
    let info = info(&req);
    drop(req);
    let run = async {
        let user = require_role(info.user.as_ref(), &[Role::Organiser])?.clone();
        badges::revoke_device(&state.ctx.db, &user, device_id, Utc::now()).await?;
        state.scanner.forget(device_id);
        Ok::<(), Error>(())
    };
    match run.await {
        Ok(()) => Json(serde_json::json!({ "revoked": device_id })).into_response(),
        Err(e) => fail(e, info.locale),
    }
}
