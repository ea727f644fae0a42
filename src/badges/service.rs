//! Badges and check-in: signing keys, issuing and revoking badges, gates,
//! the verdict on a scan, and the upload of a scanner's offline queue.

use super::entity::{badge, badge_key, gate, presence, scan};
use super::token::{self, BadgeKind, Claims, PublicKey, TokenError};
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::Db;
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
/// The area list that opens every area (organiser staff).
pub const EVERYWHERE: &str = "*";
/// The main exhibition area.
pub const HALL: &str = "hall";

/// The areas a badge of `kind` opens unless the organiser says otherwise.
pub fn default_areas(kind: BadgeKind) -> Vec<String> {
    let areas: &[&str] = match kind {
        BadgeKind::Visitor => &[HALL],
        BadgeKind::Buyer | BadgeKind::Exhibitor => &[HALL, "b2b"],
        BadgeKind::Press => &[HALL, "press"],
        BadgeKind::Vip => &[HALL, "b2b", "vip"],
        BadgeKind::Staff => &[EVERYWHERE],
    };
    areas.iter().map(|a| a.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Signing keys
// ---------------------------------------------------------------------------

fn seed_of(k: &badge_key::Model) -> Result<(u8, [u8; 32])> {
    let id = u8::try_from(k.id).map_err(Error::internal)?;
    let seed: [u8; 32] = k
        .secret
        .clone()
        .try_into()
        .map_err(|_| Error::internal("a badge key is not 32 bytes"))?;
    Ok((id, seed))
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
            secret: Set(seed.to_vec()),
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

/// `value` with runs of white space made one space, trimmed.
fn squash(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clean(value: &str, field: &'static str, max: usize) -> Result<String> {
    let v = squash(value);
    if v.is_empty() || v.chars().count() > max {
        return Err(Error::field(ErrorCode::InvalidField, field));
    }
    Ok(v)
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
    let organisation = squash(&input.organisation);
    if organisation.chars().count() > 200 {
        return Err(Error::field(ErrorCode::InvalidField, "organisation"));
    }
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
            let a = a.trim().to_ascii_lowercase();
            let ok = a == EVERYWHERE
                || (!a.is_empty()
                    && a.len() <= 20
                    && a.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            if !ok {
                return Err(Error::field(ErrorCode::InvalidField, "areas"));
            }
            if !areas.contains(&a) {
                areas.push(a);
            }
        }
        areas
    };
    let id = Uuid::now_v7();
    let claims = Claims {
        badge: id,
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
        email: Set(input.email.clone()),
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

/// A gate's check-in rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// The area behind the gate ("hall", "vip", "b2b" ...).
    pub area: String,
    /// Badge kinds on its check-in list; empty for every kind.
    pub kinds: Vec<BadgeKind>,
    /// Whether a badge that left may come in again the same day.
    pub reentry: bool,
    /// Entries per badge and day, if limited.
    pub max_entries_per_day: Option<i32>,
}

/// Adds a gate or changes the one with the same code.
pub async fn save_gate(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    input: &GateInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    require_role(Some(user), &[Role::Organiser])?;
    let code = clean(&input.code, "code", 20)?.to_ascii_uppercase();
    let area = clean(&input.area, "area", 20)?.to_ascii_lowercase();
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

/// Going in or coming out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// What the scanner shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Amber,
    Red,
}

/// What happened at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// In, first time today.
    Admitted,
    /// In again after leaving.
    Reentry,
    /// Out.
    Exit,
    /// Let through with a warning (out without having come in).
    Warning,
    /// Turned away.
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Admitted => "admitted",
            Outcome::Reentry => "reentry",
            Outcome::Exit => "exit",
            Outcome::Warning => "warning",
            Outcome::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Admitted,
            Outcome::Reentry,
            Outcome::Exit,
            Outcome::Warning,
            Outcome::Refused,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    pub fn light(self) -> Light {
        match self {
            Outcome::Admitted | Outcome::Exit => Light::Green,
            Outcome::Reentry | Outcome::Warning => Light::Amber,
            Outcome::Refused => Light::Red,
        }
    }

    /// Whether the person went in.
    pub fn entered(self) -> bool {
        matches!(self, Outcome::Admitted | Outcome::Reentry)
    }
}

/// One scan at a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Made by the scanner; a scan sent twice is recorded once.
    pub id: Uuid,
    pub token: String,
    pub gate_id: Uuid,
    pub direction: Direction,
    /// When it was scanned (the scanner's clock).
    pub at: DateTime<Utc>,
    pub device_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
}

/// Who the badge belongs to, as the verdict screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub badge: Uuid,
    pub name: String,
    pub organisation: String,
    pub kind: BadgeKind,
}

/// The answer to a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub scan_id: Uuid,
    pub outcome: Outcome,
    pub light: Light,
    /// Why, as a code the scanner shows in the staff member's language:
    /// ok, reentry, exit, not_inside, malformed, unknown_key, bad_signature,
    /// unknown_badge, revoked, wrong_day, wrong_area, not_on_list,
    /// already_inside, no_reentry, entry_limit.
    pub reason: String,
    pub holder: Option<Holder>,
}

impl Verdict {
    fn new(scan_id: Uuid, outcome: Outcome, reason: &str, holder: Option<Holder>) -> Verdict {
        Verdict {
            scan_id,
            outcome,
            light: outcome.light(),
            reason: reason.to_string(),
            holder,
        }
    }
}

/// What a verdict needs to know of the gate.
#[derive(Debug, Clone)]
struct GateRules {
    gate: gate::Model,
    kinds: Vec<String>,
    time_zone: String,
}

async fn gate_rules<C: ConnectionTrait>(conn: &C, gate_id: Uuid) -> Result<GateRules> {
    let g = gate::Entity::find_by_id(gate_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let f = fair::Entity::find_by_id(g.fair_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok(GateRules {
        kinds: serde_json::from_str(&g.kinds).unwrap_or_default(),
        gate: g,
        time_zone: f.time_zone,
    })
}

/// The fair day of an instant, in the fair's time zone.
fn fair_day(at: DateTime<Utc>, time_zone: &str) -> NaiveDate {
    at.with_timezone(&crate::format::offset_or_default(time_zone))
        .date_naive()
}

/// The checks that need no presence: token, badge, day, area, list.
fn static_checks(
    rules: &GateRules,
    claims: std::result::Result<Claims, TokenError>,
    b: Option<&badge::Model>,
    day: NaiveDate,
) -> std::result::Result<Holder, (&'static str, Option<Holder>)> {
    let claims = claims.map_err(|e| (e.as_str(), None))?;
    let Some(b) = b.filter(|b| b.fair_id == rules.gate.fair_id) else {
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
    if !areas
        .iter()
        .any(|a| a == EVERYWHERE || *a == rules.gate.area)
    {
        return Err(("wrong_area", Some(holder)));
    }
    if !rules.kinds.is_empty() && !rules.kinds.iter().any(|k| k == claims.kind.as_str()) {
        return Err(("not_on_list", Some(holder)));
    }
    Ok(holder)
}

/// Entries a badge may make per day at this gate.
fn entry_limit(g: &gate::Model) -> i32 {
    if g.reentry {
        g.max_entries_per_day.unwrap_or(i32::MAX)
    } else {
        1
    }
}

fn scan_row(s: &Scan, fair_id: Uuid, badge: Option<Uuid>, day: NaiveDate) -> scan::ActiveModel {
    scan::ActiveModel {
        id: Set(s.id),
        fair_id: Set(fair_id),
        badge_id: Set(badge),
        gate_id: Set(s.gate_id),
        device_id: Set(s.device_id),
        staff_id: Set(s.staff_id),
        direction: Set(s.direction.as_str().into()),
        scanned_at: Set(s.at),
        received_at: Set(s.at),
        day: Set(day),
        verdict: Set(String::new()),
        reason: Set(String::new()),
        offline: Set(false),
        conflict: Set(false),
    }
}

/// The verdict already given to a scan id, if any (a scanner that did not
/// hear the answer sends the same scan again).
async fn recorded<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<scan::Model>> {
    Ok(scan::Entity::find_by_id(id).one(conn).await?)
}

/// Decides a scan online and records it, in one transaction. Two gates
/// scanning the same badge at once admit it once: the admission is a
/// guarded update of the badge's presence row, which only one of them can
/// make.
pub async fn check(db: &Db, s: &Scan, now: DateTime<Utc>) -> Result<Verdict> {
    let rules = gate_rules(db.read(), s.gate_id).await?;
    let day = fair_day(s.at, &rules.time_zone);
    let keys = trusted_keys(db.read()).await?;
    let claims = token::verify(&s.token, &keys);
    let b = match &claims {
        Ok(c) => badge::Entity::find_by_id(c.badge).one(db.read()).await?,
        Err(_) => None,
    };
    let fair_id = rules.gate.fair_id;
    let mut row = scan_row(s, fair_id, b.as_ref().map(|b| b.id), day);
    row.received_at = Set(now);
    let holder = match static_checks(&rules, claims, b.as_ref(), day) {
        Ok(h) => h,
        Err((reason, holder)) => {
            let verdict = Verdict::new(s.id, Outcome::Refused, reason, holder);
            row.verdict = Set(Outcome::Refused.as_str().into());
            row.reason = Set(reason.into());
            let inserted = scan::Entity::insert(row)
                .on_conflict(OnConflict::column(scan::Column::Id).do_nothing().to_owned())
                .exec_without_returning(db.write())
                .await?;
            if inserted == 0 {
                return again(db, s.id, verdict.holder).await;
            }
            return Ok(verdict);
        }
    };
    let txn = db.begin().await?;
    if let Some(done) = recorded(&txn, s.id).await? {
        drop(txn);
        return replay(done, Some(holder));
    }
    let backend = txn.get_database_backend();
    let area = rules.gate.area.clone();
    let (outcome, reason) = match s.direction {
        Direction::In => {
            txn.execute_raw(crate::db::statement(
                backend,
                "INSERT INTO presence (badge_id, area, day, inside, entries) \
                 VALUES (?, ?, ?, ?, 0) ON CONFLICT (badge_id, area, day) DO NOTHING",
                vec![
                    holder.badge.into(),
                    area.clone().into(),
                    day.into(),
                    false.into(),
                ],
            ))
            .await?;
            let admitted = txn
                .query_one_raw(crate::db::statement(
                    backend,
                    "UPDATE presence SET inside = ?, entries = entries + 1, last_gate = ?, \
                     last_at = ? \
                     WHERE badge_id = ? AND area = ? AND day = ? AND inside = ? AND entries < ? \
                     RETURNING entries",
                    vec![
                        true.into(),
                        s.gate_id.into(),
                        s.at.into(),
                        holder.badge.into(),
                        area.clone().into(),
                        day.into(),
                        false.into(),
                        entry_limit(&rules.gate).into(),
                    ],
                ))
                .await?;
            match admitted {
                Some(r) if r.try_get::<i32>("", "entries")? <= 1 => (Outcome::Admitted, "ok"),
                Some(_) => (Outcome::Reentry, "reentry"),
                None => {
                    let p = presence::Entity::find_by_id((holder.badge, area.clone(), day))
                        .one(&txn)
                        .await?;
                    let reason = match p {
                        Some(p) if p.inside => "already_inside",
                        _ if !rules.gate.reentry => "no_reentry",
                        _ => "entry_limit",
                    };
                    (Outcome::Refused, reason)
                }
            }
        }
        Direction::Out => {
            let left = txn
                .execute_raw(crate::db::statement(
                    backend,
                    "UPDATE presence SET inside = ?, last_gate = ?, last_at = ? \
                     WHERE badge_id = ? AND area = ? AND day = ? AND inside = ?",
                    vec![
                        false.into(),
                        s.gate_id.into(),
                        s.at.into(),
                        holder.badge.into(),
                        area.into(),
                        day.into(),
                        true.into(),
                    ],
                ))
                .await?;
            if left.rows_affected() == 1 {
                (Outcome::Exit, "exit")
            } else {
                (Outcome::Warning, "not_inside")
            }
        }
    };
    row.verdict = Set(outcome.as_str().into());
    row.reason = Set(reason.into());
    let inserted = scan::Entity::insert(row)
        .on_conflict(OnConflict::column(scan::Column::Id).do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
    if inserted == 0 {
        // The same scan id decided by another request meanwhile: its
        // answer stands, this one changes nothing.
        drop(txn);
        return again(db, s.id, Some(holder)).await;
    }
    txn.commit().await?;
    Ok(Verdict::new(s.id, outcome, reason, Some(holder)))
}

async fn again(db: &Db, id: Uuid, holder: Option<Holder>) -> Result<Verdict> {
    let done = recorded(db.write(), id)
        .await?
        .ok_or_else(|| Error::internal("a scan id seen and then missing"))?;
    replay(done, holder)
}

fn replay(done: scan::Model, holder: Option<Holder>) -> Result<Verdict> {
    let outcome = Outcome::parse(&done.verdict).ok_or_else(|| Error::internal("scan verdict"))?;
    Ok(Verdict::new(done.id, outcome, &done.reason, holder))
}

// ---------------------------------------------------------------------------
// The offline queue
// ---------------------------------------------------------------------------

/// A scan decided by a scanner without network, with what it showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineScan {
    #[serde(flatten)]
    pub scan: Scan,
    /// What the scanner decided (the person went in, or not, on that).
    pub outcome: Outcome,
    pub reason: String,
}

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

/// A badge, an area, a day.
type PresenceKey = (Uuid, String, NaiveDate);

/// Where a badge is, as an upload replays its scans.
#[derive(Debug, Clone, Copy, Default)]
struct Here {
    inside: bool,
    entries: i32,
    gate: Option<Uuid>,
    at: Option<DateTime<Utc>>,
}

/// Scans per transaction when an offline queue is recorded.
const INGEST_CHUNK: usize = 500;

/// Records a scanner's offline queue, each scan once whatever how often it
/// is sent, in scan time order. The scanner's decisions stand (the person
/// went in or not on them); presence follows them, and an admission the
/// server would have refused is flagged as a conflict instead of lost.
pub async fn ingest(
    db: &Db,
    fair_id: Uuid,
    mut scans: Vec<OfflineScan>,
    now: DateTime<Utc>,
) -> Result<Ingested> {
    scans.sort_by_key(|s| (s.scan.at, s.scan.id));
    let gates: HashMap<Uuid, gate::Model> = gate::Entity::find()
        .filter(gate::Column::FairId.eq(fair_id))
        .all(db.read())
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let tz = fair::Entity::find_by_id(fair_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?
        .time_zone;
    if scans.iter().any(|s| !gates.contains_key(&s.scan.gate_id)) {
        return Err(Error::field(ErrorCode::NotFound, "gate"));
    }
    let keys = trusted_keys(db.read()).await?;
    let mut report = Ingested::default();
    for chunk in scans.chunks(INGEST_CHUNK) {
        let r = ingest_chunk(db, fair_id, &gates, &tz, &keys, chunk, now).await?;
        report.recorded += r.recorded;
        report.duplicates += r.duplicates;
        report.conflicts += r.conflicts;
    }
    Ok(report)
}

async fn ingest_chunk(
    db: &Db,
    fair_id: Uuid,
    gates: &HashMap<Uuid, gate::Model>,
    tz: &str,
    keys: &[PublicKey],
    chunk: &[OfflineScan],
    now: DateTime<Utc>,
) -> Result<Ingested> {
    let mut report = Ingested::default();
    let txn = db.begin().await?;
    let ids: Vec<Uuid> = chunk.iter().map(|s| s.scan.id).collect();
    let seen: HashSet<Uuid> = scan::Entity::find()
        .filter(scan::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    // Badge ids come from the tokens (the scanner checked them); a token
    // that does not verify here is recorded without a badge.
    let mut fresh = Vec::new();
    let mut within = HashSet::new();
    for s in chunk {
        if seen.contains(&s.scan.id) || !within.insert(s.scan.id) {
            report.duplicates += 1;
            continue;
        }
        let badge = token::verify(&s.scan.token, keys).ok().map(|c| c.badge);
        fresh.push((s, badge));
    }
    let badge_ids: Vec<Uuid> = fresh.iter().filter_map(|(_, b)| *b).collect();
    let known: HashSet<Uuid> = if badge_ids.is_empty() {
        HashSet::new()
    } else {
        badge::Entity::find()
            .filter(badge::Column::Id.is_in(badge_ids.clone()))
            .filter(badge::Column::FairId.eq(fair_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect()
    };
    // Presence of the badges involved, as the server has it now.
    let mut state: HashMap<PresenceKey, Here> = HashMap::new();
    if !known.is_empty() {
        let mut q = presence::Entity::find()
            .filter(presence::Column::BadgeId.is_in(known.iter().copied().collect::<Vec<_>>()));
        if txn.get_database_backend() == DbBackend::Postgres {
            // Online verdicts on these badges wait until this chunk is in.
            q = sea_orm::QuerySelect::lock_exclusive(q);
        }
        for p in q.all(&txn).await? {
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
    let mut touched = HashSet::new();
    let mut rows = Vec::with_capacity(fresh.len());
    for (s, badge) in fresh {
        let g = &gates[&s.scan.gate_id];
        let day = fair_day(s.scan.at, tz);
        let badge = badge.filter(|b| known.contains(b));
        let mut row = scan_row(&s.scan, fair_id, badge, day);
        row.received_at = Set(now);
        row.offline = Set(true);
        row.verdict = Set(s.outcome.as_str().into());
        row.reason = Set(squash(&s.reason).chars().take(32).collect());
        if let Some(b) = badge {
            let key = (b, g.area.clone(), day);
            let p = state.entry(key.clone()).or_default();
            match (s.scan.direction, s.outcome.entered()) {
                (Direction::In, true) => {
                    if p.inside || p.entries >= entry_limit(g) {
                        row.conflict = Set(true);
                        report.conflicts += 1;
                    }
                    p.inside = true;
                    p.entries += 1;
                    p.gate = Some(g.id);
                    p.at = Some(s.scan.at);
                    touched.insert(key);
                }
                (Direction::Out, _) if s.outcome == Outcome::Exit => {
                    p.inside = false;
                    p.gate = Some(g.id);
                    p.at = Some(s.scan.at);
                    touched.insert(key);
                }
                _ => {}
            }
        }
        rows.push(row);
    }
    report.recorded = rows.len();
    for part in rows.chunks(100) {
        scan::Entity::insert_many(part.to_vec())
            .on_conflict(OnConflict::column(scan::Column::Id).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    let updates: Vec<presence::ActiveModel> = touched
        .into_iter()
        .map(|key| {
            let p = state[&key];
            presence::ActiveModel {
                badge_id: Set(key.0),
                area: Set(key.1),
                day: Set(key.2),
                inside: Set(p.inside),
                entries: Set(p.entries),
                last_gate: Set(p.gate),
                last_at: Set(p.at),
            }
        })
        .collect();
    for part in updates.chunks(100) {
        presence::Entity::insert_many(part.to_vec())
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
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(report)
}
