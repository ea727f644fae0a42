//! Badges and check-in: signing keys, issuing and revoking badges, gates,
//! the verdict on a scan, and the upload of a scanner's offline queue.

use super::desk::*;
use super::entity::{badge, badge_key, device, gate, presence, scan};
use super::token::{self, BadgeKind, Claims, PublicKey, TokenError};
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::{Change, Db, Topic};
use crate::fairs::entity::fair;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const ACTIVE: &str = "active";
pub const REVOKED: &str = "revoked";
// ---------------------------------------------------------------------------
// Signing keys
// ---------------------------------------------------------------------------

/// What a badge key's seed is sealed with: its id, so that a sealed seed
/// copied onto another key's row does not open.
fn seed_purpose(id: i32) -> Vec<u8> {
    format!("badge key {id}").into_bytes()
}

/// A badge key's seed, opened with the master key (see `secret`).
fn seed_of(k: &badge_key::Model) -> Result<(u8, [u8; 32])> {
    let id = u8::try_from(k.id).map_err(Error::internal)?;
    let plain = if crate::secret::is_sealed(&k.secret) {
        crate::secret::open(&k.secret, &seed_purpose(k.id))?
    } else {
        // Stored before seeds were sealed, until `seal_plain_keys` runs.
        k.secret.clone()
    };
    let seed: [u8; 32] = plain
        .try_into()
        .map_err(|_| Error::internal("a badge key is not 32 bytes"))?;
    Ok((id, seed))
}

/// Seals the seeds still stored in clear (keys made before seeds were
/// sealed); run at every start. Returns how many it sealed.
pub async fn seal_plain_keys(db: &Db) -> Result<u64> {
    let mut sealed = 0;
    for k in badge_key::Entity::find().all(db.read()).await? {
        if crate::secret::is_sealed(&k.secret) {
            continue;
        }
        let (_, seed) = seed_of(&k)?;
        let done = badge_key::Entity::update_many()
            .col_expr(
                badge_key::Column::Secret,
                Expr::value(crate::secret::seal(&seed, &seed_purpose(k.id))?),
            )
            .filter(badge_key::Column::Id.eq(k.id))
            .filter(badge_key::Column::Secret.eq(k.secret.clone()))
            .exec(db.write())
            .await?;
        sealed += done.rows_affected;
    }
    if sealed > 0 {
        tracing::info!(sealed, "badge key seeds sealed with the master key");
    }
    Ok(sealed)
}

/// The key new badges are signed with: the newest one not retired, made on
/// first use.
pub async fn signing_key(db: &Db, now: DateTime<Utc>) -> Result<(u8, [u8; 32])> {
    let current = badge_key::Entity::find()
        .filter(badge_key::Column::RetiredAt.is_null())
        .order_by_desc(badge_key::Column::Id)
        .one(db.read())
        .await?;
    match current {
        Some(k) => seed_of(&k),
        None => add_key(db, now).await,
    }
}

/// Adds a signing key: badges issued from now on are signed with it, and
/// older keys stay trusted until they are retired.
pub async fn add_key(db: &Db, now: DateTime<Utc>) -> Result<(u8, [u8; 32])> {
    for _ in 0..5 {
        let last = badge_key::Entity::find()
            .order_by_desc(badge_key::Column::Id)
            .one(db.read())
            .await?
            .map(|k| k.id)
            .unwrap_or(0);
        if last >= 255 {
            return Err(Error::internal("all 255 badge key ids are used"));
        }
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(Error::internal)?;
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let row = badge_key::ActiveModel {
            id: Set(last + 1),
            public_key: Set(public.as_bytes().to_vec()),
            secret: Set(crate::secret::seal(&seed, &seed_purpose(last + 1))?),
            created_at: Set(now),
            retired_at: Set(None),
        };
        match badge_key::Entity::insert(row)
            .exec_without_returning(db.write())
            .await
        {
            Ok(_) => return Ok(((last + 1) as u8, seed)),
            // Another instance added one at the same moment: take it.
            Err(e) if crate::db::unique_violation(&e) => {
                if let Some(k) = badge_key::Entity::find_by_id(last + 1)
                    .one(db.read())
                    .await?
                {
                    return seed_of(&k);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::internal("could not add a badge key"))
}

/// Retires a key: tokens it signed are refused from now on (badges signed
/// with it must be issued again).
pub async fn retire_key(db: &Db, user: &SessionUser, key_id: u8, now: DateTime<Utc>) -> Result<()> {
    require_role(Some(user), &[Role::Organiser])?;
    let done = badge_key::Entity::update_many()
        .col_expr(badge_key::Column::RetiredAt, Expr::value(now))
        .filter(badge_key::Column::Id.eq(i32::from(key_id)))
        .filter(badge_key::Column::RetiredAt.is_null())
        .exec(db.write())
        .await?;
    if done.rows_affected == 0 {
        return Err(ErrorCode::NotFound.into());
    }
    Ok(())
}

/// The public keys scanners trust (every key not retired).
pub async fn trusted_keys<C: ConnectionTrait>(conn: &C) -> Result<Vec<PublicKey>> {
    Ok(badge_key::Entity::find()
        .filter(badge_key::Column::RetiredAt.is_null())
        .order_by_asc(badge_key::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|k| {
            Some(PublicKey {
                id: u8::try_from(k.id).ok()?,
                key: token::base32::encode(&k.public_key),
            })
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Badges
// ---------------------------------------------------------------------------

/// A badge to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadgeInput {
    pub fair_id: Uuid,
    pub kind: BadgeKind,
    pub user_id: Option<Uuid>,
    pub firm_id: Option<Uuid>,
    pub name: String,
    pub organisation: String,
    pub email: Option<String>,
    /// The fair's first and last day when absent.
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// The kind's areas when empty.
    pub areas: Vec<String>,
    pub lead_consent: bool,
}

/// A badge as its holder and the organisers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    pub id: Uuid,
    pub fair_id: Uuid,
    pub kind: BadgeKind,
    pub name: String,
    pub organisation: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub areas: Vec<String>,
    /// What the QR code carries.
    pub token: String,
    pub status: String,
    pub lead_consent: bool,
}

impl TryFrom<badge::Model> for Badge {
    type Error = Error;

    fn try_from(b: badge::Model) -> Result<Badge> {
        Ok(Badge {
            id: b.id,
            fair_id: b.fair_id,
            kind: BadgeKind::parse(&b.kind).ok_or_else(|| Error::internal("badge kind"))?,
            name: b.name,
            organisation: b.organisation,
            valid_from: b.valid_from,
            valid_to: b.valid_to,
            areas: serde_json::from_str(&b.areas).unwrap_or_default(),
            token: b.token,
            status: b.status,
            lead_consent: b.lead_consent,
        })
    }
}

fn clean(value: &str, field: &'static str, max: usize) -> Result<String> {
    crate::text::field(value, field, 1, max)
}

/// A scanner's reason, one line (it is stored and shown, never trusted).
fn squash(value: &str) -> String {
    crate::mail::templates::header_safe(value)
}

/// Issues a badge, signed with the current key (inside the caller's
/// transaction). A person has one badge per fair: issuing again for the
/// same account returns `already_exists`.
pub async fn issue_in<C: ConnectionTrait>(
    conn: &C,
    input: &BadgeInput,
    key: (u8, [u8; 32]),
    now: DateTime<Utc>,
) -> Result<Badge> {
    let f = fair::Entity::find_by_id(input.fair_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let name = clean(&input.name, "name", 200)?;
    let organisation = crate::text::field(&input.organisation, "organisation", 0, 200)?;
    let valid_from = input.valid_from.unwrap_or(f.starts_on);
    let valid_to = input.valid_to.unwrap_or(f.ends_on);
    if valid_from > valid_to {
        return Err(Error::field(ErrorCode::InvalidField, "valid_to"));
    }
    let areas = if input.areas.is_empty() {
        default_areas(input.kind)
    } else {
        let mut areas = Vec::new();
        for a in &input.areas {
            let a = if a.trim() == EVERYWHERE {
                EVERYWHERE.to_string()
            } else {
                crate::text::code(a, "areas")?.to_ascii_lowercase()
            };
            if !areas.contains(&a) {
                areas.push(a);
            }
        }
        areas
    };
    let email = match input.email.as_deref().map(str::trim) {
        Some(e) if !e.is_empty() => Some(crate::accounts::Email::parse(e)?.into_string()),
        _ => None,
    };
    let id = Uuid::now_v7();
    let claims = Claims {
        badge: id,
        fair: input.fair_id,
        kind: input.kind,
        key_id: key.0,
        valid_from,
        valid_to,
    };
    let text = token::sign(&claims, &key.1);
    let row = badge::ActiveModel {
        id: Set(id),
        fair_id: Set(input.fair_id),
        kind: Set(input.kind.as_str().into()),
        user_id: Set(input.user_id),
        firm_id: Set(input.firm_id),
        name: Set(name),
        organisation: Set(organisation),
        email: Set(email),
        valid_from: Set(valid_from),
        valid_to: Set(valid_to),
        areas: Set(serde_json::to_string(&areas).map_err(Error::internal)?),
        key_id: Set(i32::from(key.0)),
        token: Set(text),
        status: Set(ACTIVE.into()),
        revoked_at: Set(None),
        revoke_reason: Set(None),
        lead_consent: Set(input.lead_consent),
        created_at: Set(now),
    };
    let model = badge::Entity::insert(row)
        .exec_with_returning(conn)
        .await
        .map_err(|e| {
            if crate::db::unique_violation(&e) {
                Error::new(ErrorCode::BadgeExists)
            } else {
                e.into()
            }
        })?;
    model.try_into()
}

/// Issues a badge (organisers: press, VIP, staff, walk-ins at the desk).
pub async fn issue(
    db: &Db,
    user: &SessionUser,
    input: &BadgeInput,
    now: DateTime<Utc>,
) -> Result<Badge> {
    require_role(Some(user), &[Role::Organiser])?;
    let key = signing_key(db, now).await?;
    let txn = db.begin().await?;
    let b = issue_in(&txn, input, key, now).await?;
    crate::firms::audit::record(
        &txn,
        Some(user.id),
        "badge.issued",
        "badge",
        Some(b.id),
        serde_json::json!({ "kind": b.kind.as_str(), "name": b.name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(b)
}

/// Revokes a badge: every gate refuses it from the next scan (scanners
/// without network from their next sync of the revocation list).
pub async fn revoke(
    db: &Db,
    user: &SessionUser,
    badge_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(user), &[Role::Organiser])?;
    let reason = clean(reason, "reason", 200)?;
    let txn = db.begin().await?;
    let done = badge::Entity::update_many()
        .col_expr(badge::Column::Status, Expr::value(REVOKED))
        .col_expr(badge::Column::RevokedAt, Expr::value(now))
        .col_expr(badge::Column::RevokeReason, Expr::value(reason.clone()))
        .filter(badge::Column::Id.eq(badge_id))
        .filter(badge::Column::Status.eq(ACTIVE))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ErrorCode::NotFound.into());
    }
    crate::firms::audit::record(
        &txn,
        Some(user.id),
        "badge.revoked",
        "badge",
        Some(badge_id),
        serde_json::json!({ "reason": reason }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Badges of a fair revoked since `since` (all when `None`): what scanners
/// sync to refuse them offline.
pub async fn revoked_since<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<Uuid>> {
    let mut q = badge::Entity::find()
        .filter(badge::Column::FairId.eq(fair_id))
        .filter(badge::Column::Status.eq(REVOKED));
    if let Some(t) = since {
        q = q.filter(badge::Column::RevokedAt.gte(t));
    }
    Ok(q.all(conn).await?.into_iter().map(|b| b.id).collect())
}

// ---------------------------------------------------------------------------
// Gates
// ---------------------------------------------------------------------------

/// Adds a gate or changes the one with the same code.
pub async fn save_gate(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    input: &GateInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    require_role(Some(user), &[Role::Organiser])?;
    let code = crate::text::code(&input.code, "code")?.to_ascii_uppercase();
    let area = crate::text::code(&input.area, "area")?.to_ascii_lowercase();
    if input.max_entries_per_day.is_some_and(|n| n < 1) {
        return Err(Error::field(ErrorCode::InvalidField, "max_entries_per_day"));
    }
    let kinds: Vec<&str> = input.kinds.iter().map(|k| k.as_str()).collect();
    let txn = db.begin().await?;
    fair::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let existing = gate::Entity::find()
        .filter(gate::Column::FairId.eq(fair_id))
        .filter(gate::Column::Code.eq(code.as_str()))
        .one(&txn)
        .await?;
    let id = existing.as_ref().map(|g| g.id).unwrap_or_else(Uuid::now_v7);
    let row = gate::ActiveModel {
        id: Set(id),
        fair_id: Set(fair_id),
        code: Set(code),
        name_vi: Set(clean(&input.name_vi, "name_vi", 120)?),
        name_en: Set(clean(&input.name_en, "name_en", 120)?),
        area: Set(area),
        kinds: Set(serde_json::to_string(&kinds).map_err(Error::internal)?),
        reentry: Set(input.reentry),
        max_entries_per_day: Set(input.max_entries_per_day),
        created_at: Set(existing.map(|g| g.created_at).unwrap_or(now)),
    };
    gate::Entity::insert(row)
        .on_conflict(
            OnConflict::column(gate::Column::Id)
                .update_columns([
                    gate::Column::NameVi,
                    gate::Column::NameEn,
                    gate::Column::Area,
                    gate::Column::Kinds,
                    gate::Column::Reentry,
                    gate::Column::MaxEntriesPerDay,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------
// Scans and verdicts
// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// The offline queue
// ---------------------------------------------------------------------------

/// What an upload did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingested {
    /// Scans recorded now.
    pub recorded: usize,
    /// Scans recorded before (the upload was sent again).
    pub duplicates: usize,
    /// Admissions the server would have refused: the badge was inside
    /// already (admitted at another gate without network). Kept, flagged.
    pub conflicts: usize,
}

/// Scans per transaction when an offline queue is recorded.
const INGEST_CHUNK: usize = 500;

/// Records a scanner's offline queue, each scan once however often it is
/// sent, in scan time order. The scanner's decisions stand (the person went
/// in or not on them); presence follows them, and an admission the server
/// would have refused is flagged as a conflict instead of lost.
pub async fn ingest(
    db: &Db,
    fair_id: Uuid,
    mut scans: Vec<OfflineScan>,
    now: DateTime<Utc>,
) -> Result<Ingested> {
    // A queue is made at the door, within days of being sent: a scan
    // claimed a day ahead of the server or over a year behind is a broken
    // clock or a forgery, and the whole queue is refused with nothing
    // recorded (the scanner keeps it and shows the error).
    let earliest = now - chrono::Duration::days(400);
    let latest = now + chrono::Duration::days(1);
    if scans
        .iter()
        .any(|s| s.scan.at < earliest || s.scan.at > latest)
    {
        return Err(Error::field(ErrorCode::InvalidField, "at"));
    }
    scans.sort_by_key(|s| (s.scan.at, s.scan.id));
    // Keys, gates and time zones, read once for the whole upload.
    let gate_ids: Vec<Uuid> = scans
        .iter()
        .map(|s| s.scan.gate_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known = Known::load(db.read(), &gate_ids).await?;
    let all_here = gate_ids.iter().all(|g| {
        known
            .gates
            .get(g)
            .is_some_and(|(g, _)| g.fair_id == fair_id)
    });
    if !all_here {
        return Err(Error::field(ErrorCode::NotFound, "gate"));
    }
    let mut report = Ingested::default();
    for chunk in scans.chunks(INGEST_CHUNK) {
        let batch: Vec<Pending> = chunk
            .iter()
            .map(|s| Pending {
                scan: s.scan.clone(),
                offline: Some((s.outcome, s.reason.clone())),
                claims: None,
            })
            .collect();
        let txn = db.begin().await?;
        let decided = decide(&txn, &batch, now, Some(&known)).await?;
        txn.commit().await?;
        db.announce(Change::new(Topic::Scans, fair_id));
        for d in decided {
            if d.duplicate {
                report.duplicates += 1;
            } else {
                report.recorded += 1;
                report.conflicts += usize::from(d.conflict);
            }
        }
    }
    Ok(report)
}

// ---------------------------------------------------------------------------
// Deciding scans, many in one transaction
// ---------------------------------------------------------------------------

/// A scan to decide: online (the server decides), or from an offline queue
/// (the scanner decided; the server records it).
#[derive(Debug, Clone)]
struct Pending {
    scan: Scan,
    offline: Option<(Outcome, String)>,
    /// The token, checked already (by the gatekeeper, before the batch).
    claims: Option<std::result::Result<Claims, TokenError>>,
}

/// What deciding needs that seldom changes: the trusted keys, the gates and
/// their fairs' time zones.
#[derive(Debug, Clone, Default)]
struct Known {
    keys: token::Keyring,
    gates: HashMap<Uuid, (gate::Model, Vec<String>)>,
    zones: HashMap<Uuid, String>,
}

impl Known {
    async fn load<C: ConnectionTrait>(conn: &C, gate_ids: &[Uuid]) -> Result<Known> {
        let keys = token::Keyring::new(&trusted_keys(conn).await?);
        let gates: HashMap<Uuid, (gate::Model, Vec<String>)> = gate::Entity::find()
            .filter(gate::Column::Id.is_in(gate_ids.to_vec()))
            .all(conn)
            .await?
            .into_iter()
            .map(|g| {
                let kinds = serde_json::from_str(&g.kinds).unwrap_or_default();
                (g.id, (g, kinds))
            })
            .collect();
        let fair_ids: Vec<Uuid> = gates
            .values()
            .map(|(g, _)| g.fair_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let zones: HashMap<Uuid, String> = fair::Entity::find()
            .filter(fair::Column::Id.is_in(fair_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|f| (f.id, f.time_zone))
            .collect();
        Ok(Known { keys, gates, zones })
    }

    fn covers(&self, gate_ids: &[Uuid]) -> bool {
        gate_ids.iter().all(|g| self.gates.contains_key(g))
    }
}

/// A decided scan.
#[derive(Debug, Clone)]
struct Decided {
    verdict: Verdict,
    /// Recorded before: the verdict is the one given then.
    duplicate: bool,
    conflict: bool,
}

/// A badge, an area, a day.
type PresenceKey = (Uuid, String, NaiveDate);

/// Where a badge is, as scans are decided in order.
#[derive(Debug, Clone, Copy, Default)]
struct Here {
    inside: bool,
    entries: i32,
    gate: Option<Uuid>,
    at: Option<DateTime<Utc>>,
}

/// The fair day of an instant, in the fair's time zone.
fn fair_day(at: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    crate::format::day_in(time_zone, at)
}

/// The checks that need no presence: token, badge, day, area, list.
fn static_checks(
    g: &gate::Model,
    kinds: &[String],
    claims: std::result::Result<Claims, TokenError>,
    b: Option<&badge::Model>,
    day: NaiveDate,
) -> std::result::Result<Holder, (&'static str, Option<Holder>)> {
    let claims = claims.map_err(|e| (e.as_str(), None))?;
    let Some(b) = b.filter(|b| b.fair_id == g.fair_id) else {
        return Err(("unknown_badge", None));
    };
    let holder = Holder {
        badge: b.id,
        name: b.name.clone(),
        organisation: b.organisation.clone(),
        kind: claims.kind,
    };
    if b.status != ACTIVE {
        return Err(("revoked", Some(holder)));
    }
    if day < claims.valid_from || day > claims.valid_to {
        return Err(("wrong_day", Some(holder)));
    }
    let areas: Vec<String> = serde_json::from_str(&b.areas).unwrap_or_default();
    if !areas.iter().any(|a| a == EVERYWHERE || *a == g.area) {
        return Err(("wrong_area", Some(holder)));
    }
    if !kinds.is_empty() && !kinds.iter().any(|k| k == claims.kind.as_str()) {
        return Err(("not_on_list", Some(holder)));
    }
    Ok(holder)
}

/// Decides `batch` in order inside the caller's transaction and records
/// every scan. Presence rows of the badges involved are created if missing
/// and locked (PostgreSQL) in one order before they are read, so batches
/// on several instances serialise per badge and never admit one twice.
async fn decide<C: ConnectionTrait>(
    conn: &C,
    batch: &[Pending],
    now: DateTime<Utc>,
    known: Option<&Known>,
) -> Result<Vec<Decided>> {
    let backend = conn.get_database_backend();
    let ids: Vec<Uuid> = batch.iter().map(|p| p.scan.id).collect();
    let mut seen: HashMap<Uuid, scan::Model> = scan::Entity::find()
        .filter(scan::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let gate_ids: Vec<Uuid> = batch
        .iter()
        .map(|p| p.scan.gate_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let loaded;
    let known = match known {
        Some(k) if k.covers(&gate_ids) => k,
        _ => {
            loaded = Known::load(conn, &gate_ids).await?;
            &loaded
        }
    };
    let (keys, gates, zones) = (&known.keys, &known.gates, &known.zones);
    let claims: Vec<std::result::Result<Claims, TokenError>> = batch
        .iter()
        .map(|p| {
            if p.offline.is_some() && seen.contains_key(&p.scan.id) {
                // An upload sent again: nothing to decide, nothing to show.
                Err(TokenError::Malformed)
            } else if let Some(c) = p.claims {
                c
            } else {
                match gates.get(&p.scan.gate_id) {
                    Some((g, _)) => token::verify_with(&p.scan.token, keys, g.fair_id),
                    None => Err(TokenError::Malformed),
                }
            }
        })
        .collect();
    let badge_ids: Vec<Uuid> = claims
        .iter()
        .filter_map(|c| c.as_ref().ok().map(|c| c.badge))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let badges: HashMap<Uuid, badge::Model> = if badge_ids.is_empty() {
        HashMap::new()
    } else {
        badge::Entity::find()
            .filter(badge::Column::Id.is_in(badge_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|b| (b.id, b))
            .collect()
    };
    // The static checks, and the presence each passing scan needs.
    struct Step {
        day: NaiveDate,
        fair_id: Uuid,
        checked: std::result::Result<Holder, (&'static str, Option<Holder>)>,
        forced: bool,
    }
    let mut steps = Vec::with_capacity(batch.len());
    let mut wanted: Vec<PresenceKey> = Vec::new();
    for (p, c) in batch.iter().zip(claims) {
        let Some((g, kinds)) = gates.get(&p.scan.gate_id) else {
            return Err(Error::field(ErrorCode::NotFound, "gate"));
        };
        let tz = zones.get(&g.fair_id).map(String::as_str).unwrap_or("");
        let day = fair_day(p.scan.at, tz);
        let b = c.as_ref().ok().and_then(|c| badges.get(&c.badge));
        let mut checked = static_checks(g, kinds, c, b, day);
        // A badge the server would have refused (revoked, wrong day ...)
        // that an offline scanner let in: it is inside all the same, so
        // presence follows, and the scan is flagged.
        let forced = checked.is_err()
            && matches!((&p.offline, b), (Some((o, _)), Some(b)) if o.entered() && b.fair_id == g.fair_id);
        if forced && let Some(b) = b {
            checked = Ok(Holder {
                badge: b.id,
                name: b.name.clone(),
                organisation: b.organisation.clone(),
                kind: BadgeKind::parse(&b.kind).unwrap_or(BadgeKind::Visitor),
            });
        }
        if let Ok(h) = &checked
            && !seen.contains_key(&p.scan.id)
        {
            wanted.push((h.badge, g.area.clone(), day));
        }
        steps.push(Step {
            day,
            fair_id: g.fair_id,
            checked,
            forced,
        });
    }
    wanted.sort();
    wanted.dedup();
    let mut state: HashMap<PresenceKey, Here> = HashMap::new();
    if !wanted.is_empty() {
        for part in wanted.chunks(100) {
            presence::Entity::insert_many(part.iter().map(|(b, a, d)| presence::ActiveModel {
                badge_id: Set(*b),
                area: Set(a.clone()),
                day: Set(*d),
                inside: Set(false),
                entries: Set(0),
                last_gate: Set(None),
                last_at: Set(None),
            }))
            .on_conflict(
                OnConflict::columns([
                    presence::Column::BadgeId,
                    presence::Column::Area,
                    presence::Column::Day,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
        }
        let wanted_badges: Vec<Uuid> = wanted
            .iter()
            .map(|k| k.0)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut q = presence::Entity::find()
            .filter(presence::Column::BadgeId.is_in(wanted_badges))
            .order_by_asc(presence::Column::BadgeId)
            .order_by_asc(presence::Column::Area)
            .order_by_asc(presence::Column::Day);
        if backend == DbBackend::Postgres {
            q = sea_orm::QuerySelect::lock_exclusive(q);
        }
        for p in q.all(conn).await? {
            state.insert(
                (p.badge_id, p.area, p.day),
                Here {
                    inside: p.inside,
                    entries: p.entries,
                    gate: p.last_gate,
                    at: p.last_at,
                },
            );
        }
    }
    let mut touched: HashSet<PresenceKey> = HashSet::new();
    let mut rows = Vec::new();
    let mut out = Vec::with_capacity(batch.len());
    for (p, step) in batch.iter().zip(steps) {
        let s = &p.scan;
        if let Some(done) = seen.get(&s.id) {
            let outcome = Outcome::parse(&done.verdict).unwrap_or(Outcome::Refused);
            out.push(Decided {
                verdict: Verdict::new(s.id, outcome, &done.reason, step.checked.ok()),
                duplicate: true,
                conflict: done.conflict,
            });
            continue;
        }
        let (g, _) = &gates[&s.gate_id];
        let (outcome, reason, holder, conflict) = match step.checked {
            Err((reason, holder)) => match &p.offline {
                // An offline admission of a badge the server knows nothing
                // of at this fair (another fair's, forged, unknown): the
                // person went in, and the scan is flagged.
                Some((outcome, why)) => {
                    let conflict = s.direction == Direction::In && outcome.entered();
                    (*outcome, squash(why), holder, conflict)
                }
                None => (Outcome::Refused, reason.to_string(), holder, false),
            },
            Ok(holder) => {
                let key = (holder.badge, g.area.clone(), step.day);
                let here = state.entry(key.clone()).or_default();
                let standing = Standing {
                    inside: here.inside,
                    entries: here.entries,
                };
                let (outcome, reason, conflict) = match &p.offline {
                    None => {
                        let (o, why) =
                            rule(standing, g.reentry, g.max_entries_per_day, s.direction);
                        (o, why.to_string(), false)
                    }
                    Some((outcome, why)) => {
                        let limit = entry_limit(g.reentry, g.max_entries_per_day);
                        let conflict = s.direction == Direction::In
                            && outcome.entered()
                            && (step.forced || here.inside || here.entries >= limit);
                        (*outcome, squash(why), conflict)
                    }
                };
                let after = standing.after(s.direction, outcome);
                here.inside = after.inside;
                here.entries = after.entries;
                if outcome != Outcome::Refused {
                    here.gate = Some(g.id);
                    here.at = Some(s.at);
                    touched.insert(key);
                }
                (outcome, reason, Some(holder), conflict)
            }
        };
        let reason: String = reason.chars().take(32).collect();
        rows.push(scan::ActiveModel {
            id: Set(s.id),
            fair_id: Set(step.fair_id),
            badge_id: Set(holder.as_ref().map(|h| h.badge)),
            gate_id: Set(s.gate_id),
            device_id: Set(s.device_id),
            staff_id: Set(s.staff_id),
            direction: Set(s.direction.as_str().into()),
            scanned_at: Set(s.at),
            received_at: Set(now),
            day: Set(step.day),
            verdict: Set(outcome.as_str().into()),
            reason: Set(reason.clone()),
            offline: Set(p.offline.is_some()),
            conflict: Set(conflict),
        });
        // The same scan twice in one batch: the second is a duplicate.
        seen.insert(
            s.id,
            scan::Model {
                id: s.id,
                fair_id: step.fair_id,
                badge_id: holder.as_ref().map(|h| h.badge),
                gate_id: s.gate_id,
                device_id: s.device_id,
                staff_id: s.staff_id,
                direction: s.direction.as_str().into(),
                scanned_at: s.at,
                received_at: now,
                day: step.day,
                verdict: outcome.as_str().into(),
                reason: reason.clone(),
                offline: p.offline.is_some(),
                conflict,
            },
        );
        out.push(Decided {
            verdict: Verdict::new(s.id, outcome, &reason, holder),
            duplicate: false,
            conflict,
        });
    }
    for part in rows.chunks(100) {
        scan::Entity::insert_many(part.to_vec())
            .on_conflict(OnConflict::column(scan::Column::Id).do_nothing().to_owned())
            .exec_without_returning(conn)
            .await?;
    }
    let mut touched: Vec<PresenceKey> = touched.into_iter().collect();
    touched.sort();
    for part in touched.chunks(100) {
        presence::Entity::insert_many(part.iter().map(|key| {
            let p = state[key];
            presence::ActiveModel {
                badge_id: Set(key.0),
                area: Set(key.1.clone()),
                day: Set(key.2),
                inside: Set(p.inside),
                entries: Set(p.entries),
                last_gate: Set(p.gate),
                last_at: Set(p.at),
            }
        }))
        .on_conflict(
            OnConflict::columns([
                presence::Column::BadgeId,
                presence::Column::Area,
                presence::Column::Day,
            ])
            .update_columns([
                presence::Column::Inside,
                presence::Column::Entries,
                presence::Column::LastGate,
                presence::Column::LastAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(out)
}

/// Decides one scan online and records it, in one transaction. Two gates
/// scanning the same badge at once admit it once. A scan id seen before
/// gets the answer it got then.
pub async fn check(db: &Db, s: &Scan, now: DateTime<Utc>) -> Result<Verdict> {
    let batch = [Pending {
        scan: s.clone(),
        offline: None,
        claims: None,
    }];
    let txn = db.begin().await?;
    let mut decided = decide(&txn, &batch, now, None).await?;
    txn.commit().await?;
    decided
        .pop()
        .map(|d| d.verdict)
        .ok_or_else(|| Error::internal("no verdict"))
}

type Ticket = (
    Scan,
    std::result::Result<Claims, TokenError>,
    tokio::sync::oneshot::Sender<Result<Verdict>>,
);

/// Decides online scans for one app instance: scans that arrive while a
/// transaction is under way are decided together in the next one, so a
/// busy door costs a few transactions per second, not one per scan. Tokens
/// are checked by the callers, in parallel, before they queue; keys, gates
/// and time zones are read at most every [`KNOWN_FOR`] (a retired key or a
/// changed gate takes effect within it), outside the transaction. The
/// answers are the ones [`check`] would give, one by one, in arrival order.
#[derive(Clone, Debug)]
pub struct Gatekeeper {
    tx: tokio::sync::mpsc::Sender<Ticket>,
    shared: std::sync::Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    db: Db,
    known: std::sync::Mutex<Option<(std::sync::Arc<Known>, std::time::Instant)>>,
    /// Held by the one caller that reads keys and gates afresh.
    loading: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// How long a gatekeeper trusts the keys and gates it read.
pub const KNOWN_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl Shared {
    /// What is known, if it covers `gate_ids`, and its age.
    fn current(&self, gate_ids: &[Uuid]) -> Option<(std::sync::Arc<Known>, std::time::Duration)> {
        let k = self.known.lock().ok()?;
        let (known, at) = k.as_ref()?;
        known
            .covers(gate_ids)
            .then(|| (known.clone(), at.elapsed()))
    }

    /// Keys and gates no older than [`KNOWN_FOR`]. From half that age on,
    /// one caller reads them afresh while the others go on with what is
    /// known; when nothing usable is known, one caller reads and the
    /// others wait for it (a door's worth of scans never reads together).
    async fn known(
        self: &std::sync::Arc<Self>,
        gate_ids: &[Uuid],
    ) -> Result<std::sync::Arc<Known>> {
        if let Some((known, age)) = self.current(gate_ids)
            && age < KNOWN_FOR
        {
            if age >= KNOWN_FOR / 2
                && let Ok(guard) = self.loading.clone().try_lock_owned()
            {
                let shared = self.clone();
                tokio::spawn(async move {
                    let _guard = guard;
                    let _ = shared.load(&[]).await;
                });
            }
            return Ok(known);
        }
        let _guard = self.loading.lock().await;
        if let Some((known, age)) = self.current(gate_ids)
            && age < KNOWN_FOR
        {
            return Ok(known);
        }
        self.load(gate_ids).await
    }

    /// Reads afresh the gates asked for and those known already.
    async fn load(&self, gate_ids: &[Uuid]) -> Result<std::sync::Arc<Known>> {
        let mut ids: HashSet<Uuid> = gate_ids.iter().copied().collect();
        if let Ok(k) = self.known.lock()
            && let Some((known, _)) = k.as_ref()
        {
            ids.extend(known.gates.keys().copied());
        }
        let ids: Vec<Uuid> = ids.into_iter().collect();
        let fresh = std::sync::Arc::new(Known::load(self.db.read(), &ids).await?);
        if let Ok(mut k) = self.known.lock() {
            *k = Some((fresh.clone(), std::time::Instant::now()));
        }
        Ok(fresh)
    }
}

/// Scans decided in one transaction at most.
const GATE_BATCH: usize = 256;

impl Gatekeeper {
    /// Starts the deciding task; it ends when the last handle is dropped.
    pub fn start(db: Db) -> Gatekeeper {
        let shared = std::sync::Arc::new(Shared {
            db: db.clone(),
            known: std::sync::Mutex::new(None),
            loading: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Ticket>(4 * GATE_BATCH);
        let writer = shared.clone();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut tickets = vec![first];
                while tickets.len() < GATE_BATCH {
                    match rx.try_recv() {
                        Ok(t) => tickets.push(t),
                        Err(_) => break,
                    }
                }
                let batch: Vec<Pending> = tickets
                    .iter()
                    .map(|(s, c, _)| Pending {
                        scan: s.clone(),
                        offline: None,
                        claims: Some(*c),
                    })
                    .collect();
                let gate_ids: Vec<Uuid> = batch.iter().map(|p| p.scan.gate_id).collect();
                let decided = async {
                    let known = writer.known(&gate_ids).await?;
                    let txn = writer.db.begin().await?;
                    let decided = decide(&txn, &batch, Utc::now(), Some(&known)).await?;
                    txn.commit().await?;
                    let fairs: HashSet<Uuid> = gate_ids
                        .iter()
                        .filter_map(|g| known.gates.get(g).map(|(g, _)| g.fair_id))
                        .collect();
                    Ok::<_, Error>((decided, fairs))
                }
                .await;
                match decided {
                    Ok((decided, fairs)) => {
                        for ((_, _, answer), d) in tickets.into_iter().zip(decided) {
                            let _ = answer.send(Ok(d.verdict));
                        }
                        for f in fairs {
                            writer.db.announce(Change::new(Topic::Scans, f));
                        }
                    }
                    Err(e) => {
                        for (_, _, answer) in tickets {
                            let _ = answer.send(Err(Error::new(e.code)));
                        }
                    }
                }
            }
        });
        Gatekeeper { tx, shared }
    }

    /// The verdict on one scan.
    pub async fn check(&self, scan: Scan) -> Result<Verdict> {
        let known = self.shared.known(&[scan.gate_id]).await?;
        if !known.covers(&[scan.gate_id]) {
            return Err(Error::field(ErrorCode::NotFound, "gate"));
        }
        let fair = known
            .gates
            .get(&scan.gate_id)
            .map(|(g, _)| g.fair_id)
            .ok_or_else(|| Error::field(ErrorCode::NotFound, "gate"))?;
        let claims = token::verify_with(&scan.token, &known.keys, fair);
        let (answer, verdict) = tokio::sync::oneshot::channel();
        self.tx
            .send((scan, claims, answer))
            .await
            .map_err(|_| Error::new(ErrorCode::Unavailable))?;
        verdict
            .await
            .map_err(|_| Error::new(ErrorCode::Unavailable))?
    }
}

// ---------------------------------------------------------------------------
// Scanner devices
// ---------------------------------------------------------------------------

impl From<device::Model> for DeviceView {
    fn from(d: device::Model) -> DeviceView {
        DeviceView {
            id: d.id,
            fair_id: d.fair_id,
            name: d.name,
            created_at: d.created_at,
            revoked_at: d.revoked_at,
            last_seen_at: d.last_seen_at,
        }
    }
}

/// Registers a scanner device for a fair. Returns it with its bearer
/// token, shown this once (the database keeps its hash).
pub async fn add_device(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(DeviceView, String)> {
    require_role(Some(user), &[Role::Organiser])?;
    let name = clean(name, "name", 120)?;
    let txn = db.begin().await?;
    fair::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let secret = crate::accounts::random_token();
    let row = device::ActiveModel {
        id: Set(Uuid::now_v7()),
        fair_id: Set(fair_id),
        name: Set(name),
        token_hash: Set(crate::accounts::hash_token(&secret)),
        created_by: Set(Some(user.id)),
        created_at: Set(now),
        revoked_at: Set(None),
        last_seen_at: Set(None),
    };
    let d = device::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    crate::firms::audit::record(
        &txn,
        Some(user.id),
        "device.added",
        "scan_device",
        Some(d.id),
        serde_json::json!({ "name": d.name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((d.into(), secret))
}

/// Revokes a device: its token is refused from the next request.
pub async fn revoke_device(
    db: &Db,
    user: &SessionUser,
    device_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(user), &[Role::Organiser])?;
    let txn = db.begin().await?;
    let done = device::Entity::update_many()
        .col_expr(device::Column::RevokedAt, Expr::value(now))
        .filter(device::Column::Id.eq(device_id))
        .filter(device::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ErrorCode::NotFound.into());
    }
    crate::firms::audit::record(
        &txn,
        Some(user.id),
        "device.revoked",
        "scan_device",
        Some(device_id),
        serde_json::json!({}),
        now,
    )
    .await?;
    let fair_id = device::Entity::find_by_id(device_id)
        .one(&txn)
        .await?
        .map(|d| d.fair_id);
    txn.commit().await?;
    // Every instance forgets the device now, whichever page or endpoint
    // revoked it (their caches would trust it a few seconds longer).
    if let Some(fair_id) = fair_id {
        db.announce(Change::new(Topic::Devices, fair_id).for_people([device_id]));
    }
    Ok(())
}

/// The devices of a fair.
pub async fn devices(db: &Db, user: &SessionUser, fair_id: Uuid) -> Result<Vec<DeviceView>> {
    require_role(Some(user), &[Role::Organiser])?;
    Ok(device::Entity::find()
        .filter(device::Column::FairId.eq(fair_id))
        .order_by_asc(device::Column::CreatedAt)
        .all(db.read())
        .await?
        .into_iter()
        .map(DeviceView::from)
        .collect())
}

/// The device a bearer token belongs to: `unauthenticated` for an unknown
/// or revoked token.
pub async fn device_for_token(db: &Db, token: &str) -> Result<DeviceView> {
    let d = device::Entity::find()
        .filter(device::Column::TokenHash.eq(crate::accounts::hash_token(token.trim())))
        .filter(device::Column::RevokedAt.is_null())
        .one(db.read())
        .await?
        .ok_or(ErrorCode::Unauthenticated)?;
    Ok(d.into())
}

/// Notes that a device was heard from (at most once a minute per device).
pub async fn device_seen(db: &Db, device_id: Uuid, now: DateTime<Utc>) -> Result<()> {
    device::Entity::update_many()
        .col_expr(device::Column::LastSeenAt, Expr::value(now))
        .filter(device::Column::Id.eq(device_id))
        .filter(
            sea_orm::Condition::any()
                .add(device::Column::LastSeenAt.is_null())
                .add(device::Column::LastSeenAt.lt(now - chrono::Duration::minutes(1))),
        )
        .exec(db.write())
        .await?;
    Ok(())
}

/// A fair's gates, by code, as scanners and the badge desk see them.
pub async fn fair_gates<C: ConnectionTrait>(conn: &C, fair_id: Uuid) -> Result<Vec<GateView>> {
    Ok(gate::Entity::find()
        .filter(gate::Column::FairId.eq(fair_id))
        .order_by_asc(gate::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(|g| GateView {
            id: g.id,
            rules: GateInput {
                kinds: serde_json::from_str::<Vec<String>>(&g.kinds)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|k| BadgeKind::parse(k))
                    .collect(),
                code: g.code,
                name_vi: g.name_vi,
                name_en: g.name_en,
                area: g.area,
                reentry: g.reentry,
                max_entries_per_day: g.max_entries_per_day,
            },
        })
        .collect())
}

/// Keys, revocations and gates for a fair's scanners.
pub async fn sync_data(
    db: &Db,
    fair_id: Uuid,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<SyncData> {
    let f = fair::Entity::find_by_id(fair_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let gates = fair_gates(db.read(), fair_id).await?;
    Ok(SyncData {
        fair_id,
        time_zone: f.time_zone,
        keys: trusted_keys(db.read()).await?,
        revoked: revoked_since(db.read(), fair_id, since).await?,
        gates,
        server_time: now,
    })
}

/// The fair a gate belongs to.
pub async fn gate_fair(db: &Db, gate_id: Uuid) -> Result<Uuid> {
    Ok(gate::Entity::find_by_id(gate_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?
        .fair_id)
}

// ---------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------

fn printable(b: &badge::Model, f: &fair::Model) -> Result<super::print::Printable> {
    Ok(super::print::Printable {
        name: b.name.clone(),
        organisation: b.organisation.clone(),
        kind: BadgeKind::parse(&b.kind).ok_or_else(|| Error::internal("badge kind"))?,
        fair_vi: f.name_vi.clone(),
        fair_en: f.name_en.clone(),
        dates: crate::format::date_range(b.valid_from, b.valid_to, crate::Locale::Vi),
        token: b.token.clone(),
        badge_id: b.id.to_string(),
    })
}

/// A badge's A6 PDF: its file name and bytes.
async fn a6_of(db: &Db, b: &badge::Model) -> Result<(String, Vec<u8>)> {
    let f = fair::Entity::find_by_id(b.fair_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let pdf = super::print::a6(&printable(b, &f)?)?;
    Ok((
        format!("badge-{}.pdf", &b.id.simple().to_string()[..12]),
        pdf,
    ))
}

/// The badges a user holds (their own, one per fair).
pub async fn my_badges(db: &Db, user: &SessionUser) -> Result<Vec<Badge>> {
    badge::Entity::find()
        .filter(badge::Column::UserId.eq(user.id))
        .filter(badge::Column::Status.eq(ACTIVE))
        .order_by_desc(badge::Column::CreatedAt)
        .all(db.read())
        .await?
        .into_iter()
        .map(Badge::try_from)
        .collect()
}

/// A badge as an A6 PDF, for its holder or an organiser (anyone else gets
/// `not_found`, as if there were none). Returns the file name and bytes.
pub async fn badge_pdf(db: &Db, user: &SessionUser, badge_id: Uuid) -> Result<(String, Vec<u8>)> {
    let b = visible_badge(db, user, badge_id).await?;
    a6_of(db, &b).await
}

/// A badge its reader may see: their own, their firm's staff badge, or any
/// for organisers. Anything else is `not_found`, as if there were none.
async fn visible_badge(db: &Db, user: &SessionUser, badge_id: Uuid) -> Result<badge::Model> {
    let b = badge::Entity::find_by_id(badge_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if user.role == Role::Organiser || b.user_id == Some(user.id) {
        return Ok(b);
    }
    if user.role == Role::Exhibitor
        && let Some(firm_id) = b.firm_id
        && crate::firms::profile::membership(db.read(), user.id)
            .await?
            .is_some_and(|(f, _)| f == firm_id)
    {
        return Ok(b);
    }
    Err(ErrorCode::NotFound.into())
}

/// One badge, for whoever may see it (see [`badge_pdf`]).
pub async fn badge_by_id(db: &Db, user: &SessionUser, badge_id: Uuid) -> Result<Badge> {
    Badge::try_from(visible_badge(db, user, badge_id).await?)
}

/// A fair's active badges (of one kind, or all), four to an A4 sheet, by
/// name: organisers print them in batches.
pub async fn badge_sheets(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    kind: Option<BadgeKind>,
) -> Result<Vec<u8>> {
    require_role(Some(user), &[Role::Organiser])?;
    let f = fair::Entity::find_by_id(fair_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let mut q = badge::Entity::find()
        .filter(badge::Column::FairId.eq(fair_id))
        .filter(badge::Column::Status.eq(ACTIVE));
    if let Some(k) = kind {
        q = q.filter(badge::Column::Kind.eq(k.as_str()));
    }
    let rows = q.order_by_asc(badge::Column::Name).all(db.read()).await?;
    let printables = rows
        .iter()
        .map(|b| printable(b, &f))
        .collect::<Result<Vec<_>>>()?;
    super::print::sheets(&printables)
}

/// A badge as an A6 PDF for its mail (no access check: the mail goes to
/// the holder).
pub async fn badge_pdf_for_mail(db: &Db, badge_id: Uuid) -> Result<(String, Vec<u8>)> {
    let b = badge::Entity::find_by_id(badge_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    a6_of(db, &b).await
}

/// Queues a badge's mail to its holder (inside the caller's transaction):
/// the QR code inline, the A6 PDF attached when the mail is sent.
async fn mail_badge<C: ConnectionTrait>(
    conn: &C,
    b: &Badge,
    to: &crate::accounts::entity::user::Model,
    f: &fair::Model,
    links: &crate::mail::Links,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::mail::{Attachment, OutboundMail, Template};
    let locale = crate::Locale::parse(&to.locale).unwrap_or_default();
    let (vi, en) = super::print::kind_label(b.kind);
    let qr = super::qr::Grid::new(&b.token)?.png(5);
    crate::mail::enqueue(
        conn,
        OutboundMail {
            to_email: to.email.clone(),
            to_name: to.name.clone(),
            locale,
            template: Template::Badge {
                name: b.name.clone(),
                fair: match locale {
                    crate::Locale::Vi => f.name_vi.clone(),
                    crate::Locale::En => f.name_en.clone(),
                },
                kind: match locale {
                    crate::Locale::Vi => vi.to_lowercase(),
                    crate::Locale::En => en.to_lowercase(),
                },
                dates: crate::format::date_range(b.valid_from, b.valid_to, locale),
                link: links.badges(),
            },
            idempotency_key: format!("badge:{}", b.id),
            attachments: vec![
                Attachment {
                    filename: "badge-qr.png".into(),
                    content_type: "image/png".into(),
                    content: qr,
                    inline_id: Some(crate::mail::BADGE_QR_CID.into()),
                },
                Attachment {
                    filename: "badge.pdf".into(),
                    content_type: crate::mail::BADGE_LATER.into(),
                    content: b.id.to_string().into_bytes(),
                    inline_id: None,
                },
            ],
            secret: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// What a visitor says when registering for a fair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The company the visitor comes from (printed on the badge).
    pub organisation: String,
    /// Sourcing for an OEM: a buyer's badge (opens the B2B area).
    pub buyer: bool,
    /// Exhibitors may save the visitor as a lead by scanning the badge.
    pub lead_consent: bool,
}

/// Registers a visitor for a fair: the badge is issued at once and mailed
/// (QR inline, A6 PDF attached). One badge per person and fair.
pub async fn register(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    input: &Registration,
    links: &crate::mail::Links,
    now: DateTime<Utc>,
) -> Result<Badge> {
    require_role(Some(user), &[Role::Visitor])?;
    let f = fair::Entity::find_by_id(fair_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let fair: crate::fairs::Fair = f.clone().into();
    if !fair.registration_open(fair_day(now, &f.time_zone)) {
        return Err(ErrorCode::RegistrationClosed.into());
    }
    let key = signing_key(db, now).await?;
    let txn = db.begin().await?;
    let person = crate::accounts::entity::user::Entity::find_by_id(user.id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::Unauthenticated)?;
    let badge = issue_in(
        &txn,
        &BadgeInput {
            fair_id,
            kind: if input.buyer {
                BadgeKind::Buyer
            } else {
                BadgeKind::Visitor
            },
            user_id: Some(user.id),
            firm_id: None,
            name: person.name.clone(),
            organisation: input.organisation.clone(),
            email: Some(person.email.clone()),
            valid_from: None,
            valid_to: None,
            areas: vec![],
            lead_consent: input.lead_consent,
        },
        key,
        now,
    )
    .await?;
    crate::firms::audit::record(
        &txn,
        Some(user.id),
        "badge.registered",
        "badge",
        Some(badge.id),
        serde_json::json!({ "kind": badge.kind.as_str() }),
        now,
    )
    .await?;
    mail_badge(&txn, &badge, &person, &f, links, now).await?;
    txn.commit().await?;
    Ok(badge)
}
