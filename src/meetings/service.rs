//! B2B meetings in the database: buyers' needs, recommendations, requests,
//! the programme's slots and tables, scheduling runs, agendas and calendar
//! feeds. Every state change is one transaction; every function checks who
//! may call it.

use super::entity::{feed, meeting, need, programme, request, slot, unavailable};
use super::instance::{
    Fixed, InstanceSpec, Kind, Location, Participant, Request as Req, Schedule, Slot as SlotSpec,
};
use super::matching::{self, Need, Offer, OfferKey};
pub use super::views::*;
use super::{Instance, Options};
use crate::accounts::entity::user;
use crate::accounts::{Role, SessionUser, hash_token, random_token};
use crate::booths::entity::{booth, claim};
use crate::db::{Db, unique_violation};
use crate::firms::entity::{certificate, firm, product, tag};
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Request states.
pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const DECLINED: &str = "declined";
pub const EXPIRED: &str = "expired";
pub const CANCELLED: &str = "cancelled";

/// Each id once (for chunked `IN` queries).
fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    ids.collect::<HashSet<_>>().into_iter().collect()
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Keeps the codes a vocabulary knows, once each, in the given order.
fn known(
    codes: &[String],
    terms: &[crate::firms::vocabulary::Term],
    field: &'static str,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for c in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !terms.iter().any(|t| t.code == c) {
            return Err(Error::field(ErrorCode::InvalidField, field));
        }
        if !out.iter().any(|o| o == c) {
            out.push(c.to_string());
        }
    }
    Ok(out)
}

/// Free text of up to `max` characters (may be empty; line breaks kept).
fn text(value: &str, max: usize, field: &'static str) -> Result<String> {
    crate::text::multiline(value, field, 0, max)
}

/// Saves the buyer's needs (visitors only).
pub async fn save_need(
    db: &Db,
    user: &SessionUser,
    input: &NeedInput,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::firms::vocabulary::{CERTIFICATES, MARKETS, MATERIALS, PROCESSES};
    if user.role != Role::Visitor {
        return Err(ErrorCode::Forbidden.into());
    }
    let company = crate::text::field(&input.company, "company", 0, 200)?;
    if company.is_empty() {
        return Err(Error::field(ErrorCode::InvalidField, "company"));
    }
    let mut hs = Vec::new();
    for code in input
        .need
        .hs_codes
        .iter()
        .flat_map(|c| c.split([',', ' ', ';']))
        .filter(|c| !c.is_empty())
    {
        let clean = crate::firms::profile::parse_hs_code(code)?
            .ok_or(Error::field(ErrorCode::InvalidField, "hs_codes"))?;
        if !hs.contains(&clean) {
            hs.push(clean);
        }
    }
    if hs.len() > 20 {
        return Err(Error::field(ErrorCode::InvalidField, "hs_codes"));
    }
    let row = need::ActiveModel {
        user_id: Set(user.id),
        company: Set(company),
        country: Set(crate::text::field(&input.country, "country", 0, 64)?),
        hs_codes: Set(json_list(&hs)),
        processes: Set(json_list(&known(
            &input.need.processes,
            PROCESSES,
            "processes",
        )?)),
        materials: Set(json_list(&known(
            &input.need.materials,
            MATERIALS,
            "materials",
        )?)),
        certificates: Set(json_list(&known(
            &input.need.certificates,
            CERTIFICATES,
            "certificates",
        )?)),
        markets: Set(json_list(&known(&input.need.markets, MARKETS, "markets")?)),
        languages: Set(json_list(&known(
            &input.need.languages,
            matching::LANGUAGES,
            "languages",
        )?)),
        volume: Set(text(&input.volume, 200, "volume")?),
        moq: Set(text(&input.moq, 200, "moq")?),
        description: Set(text(&input.description, 4000, "description")?),
        updated_at: Set(now),
    };
    let txn = db.begin().await?;
    if need::Entity::find_by_id(user.id).one(&txn).await?.is_some() {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

fn need_of(m: &need::Model) -> NeedInput {
    NeedInput {
        company: m.company.clone(),
        country: m.country.clone(),
        need: Need {
            hs_codes: parse_list(&m.hs_codes),
            processes: parse_list(&m.processes),
            materials: parse_list(&m.materials),
            certificates: parse_list(&m.certificates),
            markets: parse_list(&m.markets),
            languages: parse_list(&m.languages),
        },
        volume: m.volume.clone(),
        moq: m.moq.clone(),
        description: m.description.clone(),
    }
}

/// A buyer's own needs, if stated.
pub async fn need(db: &Db, user: &SessionUser) -> Result<Option<NeedInput>> {
    Ok(need::Entity::find_by_id(user.id)
        .one(db.read())
        .await?
        .as_ref()
        .map(need_of))
}

/// Every approved firm's offer, compiled: (firm id, name, offer).
async fn offers<C: ConnectionTrait>(
    conn: &C,
    only: Option<Uuid>,
) -> Result<Vec<(Uuid, String, OfferKey)>> {
    let mut q =
        firm::Entity::find().filter(firm::Column::Status.eq(crate::firms::status::APPROVED));
    if let Some(id) = only {
        q = q.filter(firm::Column::Id.eq(id));
    }
    let firms = q.order_by_asc(firm::Column::LegalName).all(conn).await?;
    let mut by_firm: HashMap<Uuid, Offer> =
        firms.iter().map(|f| (f.id, Offer::default())).collect();
    let ids: Vec<Uuid> = firms.iter().map(|f| f.id).collect();
    for chunk in ids.chunks(500) {
        for t in tag::Entity::find()
            .filter(tag::Column::FirmId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if let Some(o) = by_firm.get_mut(&t.firm_id) {
                match t.kind.as_str() {
                    "process" => o.processes.push(t.code),
                    "material" => o.materials.push(t.code),
                    "market" => o.markets.push(t.code),
                    _ => {}
                }
            }
        }
        for p in product::Entity::find()
            .filter(product::Column::FirmId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if let (Some(o), Some(hs)) = (by_firm.get_mut(&p.firm_id), p.hs_code) {
                o.hs_codes.push(hs);
            }
        }
        for c in certificate::Entity::find()
            .filter(certificate::Column::FirmId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            if let Some(o) = by_firm.get_mut(&c.firm_id) {
                o.certificates.push((c.kind, c.verified_at.is_some()));
            }
        }
    }
    Ok(firms
        .into_iter()
        .map(|f| {
            let key = by_firm.remove(&f.id).unwrap_or_default().key();
            (f.id, f.legal_name, key)
        })
        .collect())
}

/// Requests between `buyer` (or every buyer) and `firm` (or every firm) at a fair.
async fn request_states<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    buyer: Option<Uuid>,
    firm: Option<Uuid>,
) -> Result<HashMap<(Uuid, Uuid), (Uuid, String)>> {
    let mut q = request::Entity::find().filter(request::Column::FairId.eq(fair_id));
    if let Some(b) = buyer {
        q = q.filter(request::Column::BuyerId.eq(b));
    }
    if let Some(f) = firm {
        q = q.filter(request::Column::FirmId.eq(f));
    }
    Ok(q.all(conn)
        .await?
        .into_iter()
        .map(|r| ((r.buyer_id, r.firm_id), (r.id, r.status)))
        .collect())
}

/// The suppliers that best fit a buyer's needs, best first.
pub async fn recommend_suppliers(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    limit: usize,
) -> Result<Vec<Recommendation>> {
    if user.role != Role::Visitor {
        return Err(ErrorCode::Forbidden.into());
    }
    let Some(n) = need::Entity::find_by_id(user.id).one(db.read()).await? else {
        return Ok(Vec::new());
    };
    let key = need_of(&n).need.key();
    let all = offers(db.read(), None).await?;
    let keys: Vec<OfferKey> = all.iter().map(|(_, _, k)| k.clone()).collect();
    let states = request_states(db.read(), fair_id, Some(user.id), None).await?;
    Ok(matching::rank(&key, &keys, limit.clamp(1, 200))
        .into_iter()
        .map(|(i, fit)| Recommendation {
            id: all[i].0,
            name: all[i].1.clone(),
            fit,
            request: states.get(&(user.id, all[i].0)).cloned(),
        })
        .collect())
}

/// The buyers looking for what the exhibitor's firm makes, best first.
pub async fn recommend_buyers(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    limit: usize,
) -> Result<Vec<Recommendation>> {
    let firm_id = crate::firms::profile::own_firm(db.read(), user).await?;
    let Some((_, _, offer)) = offers(db.read(), Some(firm_id)).await?.pop() else {
        return Ok(Vec::new());
    };
    let needs = need::Entity::find().all(db.read()).await?;
    let states = request_states(db.read(), fair_id, None, Some(firm_id)).await?;
    let mut scored: Vec<(Recommendation, i32)> = needs
        .iter()
        .filter_map(|n| {
            let fit = matching::fit(&need_of(n).need.key(), &offer)?;
            let points = fit.points;
            Some((
                Recommendation {
                    id: n.user_id,
                    name: n.company.clone(),
                    fit,
                    request: states.get(&(n.user_id, firm_id)).cloned(),
                },
                points,
            ))
        })
        .collect();
    scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.name.cmp(&b.0.name)));
    Ok(scored
        .into_iter()
        .take(limit.clamp(1, 200))
        .map(|(r, _)| r)
        .collect())
}

pub(crate) fn require_organiser(user: &SessionUser) -> Result<()> {
    crate::accounts::require_role(Some(user), &[Role::Organiser]).map(|_| ())
}

/// Sets tables, expiry and slots. Slots that hold meetings stay; other
/// slots not in the list are removed; slots may not overlap.
pub async fn save_programme(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    input: &ProgrammeInput,
    now: DateTime<Utc>,
) -> Result<()> {
    require_organiser(organiser)?;
    if !(0..=10_000).contains(&input.tables) {
        return Err(Error::field(ErrorCode::InvalidField, "tables"));
    }
    if !(1..=24 * 60).contains(&input.request_hours) {
        return Err(Error::field(ErrorCode::InvalidField, "request_hours"));
    }
    let mut wanted = input.slots.clone();
    wanted.sort();
    wanted.dedup();
    if wanted.len() > 500 || wanted.iter().any(|(_, m)| !(5..=240).contains(m)) {
        return Err(Error::field(ErrorCode::InvalidField, "slots"));
    }
    if wanted
        .windows(2)
        .any(|w| w[0].0 + Duration::minutes(w[0].1 as i64) > w[1].0)
    {
        return Err(Error::field(ErrorCode::InvalidField, "slots"));
    }
    let txn = db.begin().await?;
    crate::fairs::entity::fair::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let row = programme::ActiveModel {
        fair_id: Set(fair_id),
        tables: Set(input.tables),
        request_hours: Set(input.request_hours),
        updated_at: Set(now),
    };
    if programme::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .is_some()
    {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    let existing = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .all(&txn)
        .await?;
    let used: HashSet<Uuid> = meeting::Entity::find()
        .filter(meeting::Column::FairId.eq(fair_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.slot_id)
        .collect();
    let keep: HashSet<(DateTime<Utc>, i32)> = wanted.iter().copied().collect();
    for s in &existing {
        if !keep.contains(&(s.starts_at, s.minutes)) {
            if used.contains(&s.id) {
                return Err(Error::field(ErrorCode::WrongState, "slots"));
            }
            slot::Entity::delete_by_id(s.id).exec(&txn).await?;
        }
    }
    let have: HashSet<(DateTime<Utc>, i32)> =
        existing.iter().map(|s| (s.starts_at, s.minutes)).collect();
    let mut all: Vec<(DateTime<Utc>, i32)> = existing
        .iter()
        .filter(|s| used.contains(&s.id))
        .map(|s| (s.starts_at, s.minutes))
        .collect();
    all.extend(wanted.iter().copied());
    all.sort();
    all.dedup();
    if all
        .windows(2)
        .any(|w| w[0].0 + Duration::minutes(w[0].1 as i64) > w[1].0)
    {
        return Err(Error::field(ErrorCode::WrongState, "slots"));
    }
    for (start, minutes) in wanted.into_iter().filter(|s| !have.contains(s)) {
        slot::ActiveModel {
            id: Set(Uuid::now_v7()),
            fair_id: Set(fair_id),
            starts_at: Set(start),
            minutes: Set(minutes),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The programme, if the organiser has set one (anyone may read it).
pub async fn programme(db: &Db, fair_id: Uuid) -> Result<Option<Programme>> {
    let Some(p) = programme::Entity::find_by_id(fair_id)
        .one(db.read())
        .await?
    else {
        return Ok(None);
    };
    let slots = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .order_by_asc(slot::Column::StartsAt)
        .all(db.read())
        .await?
        .into_iter()
        .map(|s| SlotView {
            id: s.id,
            starts_at: s.starts_at,
            minutes: s.minutes,
        })
        .collect();
    Ok(Some(Programme {
        tables: p.tables,
        request_hours: p.request_hours,
        slots,
    }))
}

/// A buyer asks a firm, or an exhibitor asks a buyer, for a meeting. Asking
/// again after a decline, an expiry or a cancellation reopens the request.
pub async fn request_meeting(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    counterpart: Uuid,
    message: &str,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let message = text(message, 1000, "message")?;
    let txn = db.begin().await?;
    let (buyer_id, firm_id, asked_by) = match user.role {
        Role::Visitor => {
            let f = firm::Entity::find_by_id(counterpart)
                .one(&txn)
                .await?
                .ok_or(ErrorCode::NotFound)?;
            if f.status != crate::firms::status::APPROVED {
                return Err(ErrorCode::NotFound.into());
            }
            (user.id, f.id, "buyer")
        }
        Role::Exhibitor => {
            let firm_id = crate::firms::profile::approved_firm(&txn, user).await?;
            let b = user::Entity::find_by_id(counterpart)
                .one(&txn)
                .await?
                .ok_or(ErrorCode::NotFound)?;
            if b.role != Role::Visitor.as_str() {
                return Err(ErrorCode::NotFound.into());
            }
            (b.id, firm_id, "supplier")
        }
        _ => return Err(ErrorCode::Forbidden.into()),
    };
    let p = programme::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::WrongState)?;
    let expires = now + Duration::hours(p.request_hours as i64);
    let existing = request::Entity::find()
        .filter(request::Column::FairId.eq(fair_id))
        .filter(request::Column::BuyerId.eq(buyer_id))
        .filter(request::Column::FirmId.eq(firm_id))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(r) if r.status == PENDING || r.status == ACCEPTED => {
            return Err(ErrorCode::WrongState.into());
        }
        Some(r) => {
            let id = r.id;
            let mut a: request::ActiveModel = r.into();
            a.asked_by = Set(asked_by.into());
            a.created_by = Set(user.id);
            a.message = Set(message);
            a.status = Set(PENDING.into());
            a.created_at = Set(now);
            a.expires_at = Set(Some(expires));
            a.decided_at = Set(None);
            a.update(&txn).await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            let row = request::ActiveModel {
                id: Set(id),
                fair_id: Set(fair_id),
                buyer_id: Set(buyer_id),
                firm_id: Set(firm_id),
                asked_by: Set(asked_by.into()),
                created_by: Set(user.id),
                message: Set(message),
                status: Set(PENDING.into()),
                weight: Set(1),
                location: Set("table".into()),
                created_at: Set(now),
                expires_at: Set(Some(expires)),
                decided_at: Set(None),
            };
            match row.insert(&txn).await {
                Ok(_) => id,
                // The same two asked each other at the same moment.
                Err(e) if unique_violation(&e) => return Err(ErrorCode::WrongState.into()),
                Err(e) => return Err(e.into()),
            }
        }
    };
    txn.commit().await?;
    announce(db, fair_id, [buyer_id, firm_id]);
    Ok(id)
}

/// Tells the pages of the people concerned that their meetings changed.
fn announce(db: &Db, fair_id: Uuid, people: impl IntoIterator<Item = Uuid>) {
    db.announce(crate::db::Change::new(crate::db::Topic::Meetings, fair_id).for_people(people));
}

/// An organiser arranges a meeting directly (hosted-buyer programmes): it is
/// accepted at once, with the given priority and place.
pub async fn arrange_meeting(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    arrangement: &Arrangement,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    require_organiser(organiser)?;
    let Arrangement {
        buyer_id,
        firm_id,
        weight,
        location,
    } = *arrangement;
    if !(1..=10).contains(&weight) {
        return Err(Error::field(ErrorCode::InvalidField, "weight"));
    }
    let txn = db.begin().await?;
    programme::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::WrongState)?;
    let b = user::Entity::find_by_id(buyer_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if b.role != Role::Visitor.as_str() {
        return Err(ErrorCode::NotFound.into());
    }
    firm::Entity::find_by_id(firm_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let location = match location {
        Location::Table => "table",
        Location::Booth => "booth",
    };
    let existing = request::Entity::find()
        .filter(request::Column::FairId.eq(fair_id))
        .filter(request::Column::BuyerId.eq(buyer_id))
        .filter(request::Column::FirmId.eq(firm_id))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(r) => {
            let id = r.id;
            let mut a: request::ActiveModel = r.into();
            a.status = Set(ACCEPTED.into());
            a.weight = Set(weight);
            a.location = Set(location.into());
            a.decided_at = Set(Some(now));
            a.update(&txn).await?;
            id
        }
        None => {
            let id = Uuid::now_v7();
            request::ActiveModel {
                id: Set(id),
                fair_id: Set(fair_id),
                buyer_id: Set(buyer_id),
                firm_id: Set(firm_id),
                asked_by: Set("organiser".into()),
                created_by: Set(organiser.id),
                message: Set(String::new()),
                status: Set(ACCEPTED.into()),
                weight: Set(weight),
                location: Set(location.into()),
                created_at: Set(now),
                expires_at: Set(None),
                decided_at: Set(Some(now)),
            }
            .insert(&txn)
            .await?;
            id
        }
    };
    txn.commit().await?;
    announce(db, fair_id, [buyer_id, firm_id]);
    Ok(id)
}

/// Is `user` the buyer of `r`, or a member of its firm?
async fn side_of<C: ConnectionTrait>(
    conn: &C,
    user: &SessionUser,
    r: &request::Model,
) -> Result<Option<&'static str>> {
    Ok(match user.role {
        Role::Visitor if r.buyer_id == user.id => Some("buyer"),
        Role::Exhibitor => match crate::firms::profile::membership(conn, user.id).await? {
            Some((f, _)) if f == r.firm_id => Some("supplier"),
            _ => None,
        },
        _ => None,
    })
}

/// The side asked accepts or declines a pending request. An expired request
/// is marked so and refused.
pub async fn respond(
    db: &Db,
    user: &SessionUser,
    request_id: Uuid,
    accept: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let r = request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let side = side_of(&txn, user, &r).await?.ok_or(ErrorCode::NotFound)?;
    if side == r.asked_by {
        return Err(ErrorCode::Forbidden.into());
    }
    if r.status != PENDING {
        return Err(ErrorCode::WrongState.into());
    }
    if accept && side == "supplier" {
        // A firm no longer approved meets nobody.
        crate::firms::profile::approved_firm(&txn, user).await?;
    }
    let expired = r.expires_at.is_some_and(|e| e <= now);
    let (fair_id, buyer_id, firm_id) = (r.fair_id, r.buyer_id, r.firm_id);
    let mut a: request::ActiveModel = r.into();
    a.status = Set(if expired {
        EXPIRED
    } else if accept {
        ACCEPTED
    } else {
        DECLINED
    }
    .into());
    a.decided_at = Set(Some(now));
    a.update(&txn).await?;
    txn.commit().await?;
    announce(db, fair_id, [buyer_id, firm_id]);
    if expired {
        Err(ErrorCode::WrongState.into())
    } else {
        Ok(())
    }
}

/// Either side withdraws: a pending or accepted request is cancelled and its
/// meeting, if scheduled, freed.
pub async fn cancel(
    db: &Db,
    user: &SessionUser,
    request_id: Uuid,
    links: Option<&crate::mail::Links>,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let r = request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let allowed = user.role == Role::Organiser || side_of(&txn, user, &r).await?.is_some();
    if !allowed {
        return Err(ErrorCode::NotFound.into());
    }
    if r.status != PENDING && r.status != ACCEPTED {
        return Err(ErrorCode::WrongState.into());
    }
    let held = meeting::Entity::find_by_id(r.id).one(&txn).await?;
    meeting::Entity::delete_by_id(r.id).exec(&txn).await?;
    let (fair_id, buyer_id, firm_id) = (r.fair_id, r.buyer_id, r.firm_id);
    let mut a: request::ActiveModel = r.into();
    a.status = Set(CANCELLED.into());
    a.decided_at = Set(Some(now));
    a.update(&txn).await?;
    if let (Some(m), Some(links)) = (held, links) {
        let change = Change {
            buyer_id,
            firm_id,
            slot_id: m.slot_id,
            table: m.table_no,
            cancelled: true,
        };
        tell(
            &txn,
            fair_id,
            &[change],
            links,
            &format!("cancel:{request_id}"),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    announce(db, fair_id, [buyer_id, firm_id]);
    Ok(())
}

/// Marks every pending request past its time as expired; returns how many.
pub async fn expire_requests(db: &Db, now: DateTime<Utc>) -> Result<u64> {
    let result = request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(EXPIRED))
        .col_expr(request::Column::DecidedAt, Expr::value(now))
        .filter(request::Column::Status.eq(PENDING))
        .filter(request::Column::ExpiresAt.lte(now))
        .exec(db.write())
        .await?;
    Ok(result.rows_affected)
}

/// Names of buyers (their company when stated) and firms.
async fn names<C: ConnectionTrait>(
    conn: &C,
    buyers: &[Uuid],
    firms: &[Uuid],
) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, String>)> {
    let mut b: HashMap<Uuid, String> = HashMap::new();
    let mut f: HashMap<Uuid, String> = HashMap::new();
    for chunk in buyers.chunks(500) {
        for u in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            b.insert(u.id, u.name);
        }
        for n in need::Entity::find()
            .filter(need::Column::UserId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            let person = b.get(&n.user_id).cloned().unwrap_or_default();
            b.insert(n.user_id, format!("{} ({person})", n.company));
        }
    }
    for chunk in firms.chunks(500) {
        for x in firm::Entity::find()
            .filter(firm::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            f.insert(x.id, x.legal_name);
        }
    }
    Ok((b, f))
}

/// Meeting requests shown per page.
pub const REQUESTS_PAGE: u64 = 50;

/// The last page anyone is shown (a wild page number reads nothing).
const MAX_PAGE: u64 = 10_000;

/// The requests a buyer sent or received, a firm's, or (organisers) all
/// of the fair's: those waiting for an answer first, then the newest,
/// [`REQUESTS_PAGE`] at a time.
pub async fn requests(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    page: u64,
    now: DateTime<Utc>,
) -> Result<RequestsPage> {
    let mut q = request::Entity::find().filter(request::Column::FairId.eq(fair_id));
    let side = match user.role {
        Role::Visitor => {
            q = q.filter(request::Column::BuyerId.eq(user.id));
            "buyer"
        }
        Role::Exhibitor => {
            q = q.filter(
                request::Column::FirmId.eq(crate::firms::profile::own_firm(db.read(), user).await?),
            );
            "supplier"
        }
        Role::Organiser => "organiser",
        _ => return Err(ErrorCode::Forbidden.into()),
    };
    // Those waiting for an answer first, then the newest.
    let mut rows = q
        .order_by_asc(Expr::cust("CASE WHEN status = 'pending' THEN 0 ELSE 1 END"))
        .order_by_desc(request::Column::CreatedAt)
        .order_by_desc(request::Column::Id)
        .offset(page.min(MAX_PAGE) * REQUESTS_PAGE)
        .limit(REQUESTS_PAGE + 1)
        .all(db.read())
        .await?;
    let has_more = rows.len() as u64 > REQUESTS_PAGE;
    rows.truncate(REQUESTS_PAGE as usize);
    let buyers: Vec<Uuid> = rows.iter().map(|r| r.buyer_id).collect();
    let firms: Vec<Uuid> = rows.iter().map(|r| r.firm_id).collect();
    let (bn, fname) = names(db.read(), &buyers, &firms).await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            // A pending request past its time shows as expired before the sweep.
            let status = if r.status == PENDING && r.expires_at.is_some_and(|e| e <= now) {
                EXPIRED.into()
            } else {
                r.status
            };
            RequestView {
                to_answer: status == PENDING && side != "organiser" && r.asked_by != side,
                buyer: bn.get(&r.buyer_id).cloned().unwrap_or_default(),
                firm: fname.get(&r.firm_id).cloned().unwrap_or_default(),
                id: r.id,
                buyer_id: r.buyer_id,
                firm_id: r.firm_id,
                asked_by: r.asked_by,
                message: r.message,
                status,
                weight: r.weight,
                location: r.location,
                created_at: r.created_at,
                expires_at: r.expires_at,
            }
        })
        .collect();
    Ok(RequestsPage {
        rows,
        page,
        has_more,
    })
}

/// The party a user speaks for in scheduling: a buyer themself, an
/// exhibitor their firm.
async fn party<C: ConnectionTrait>(conn: &C, user: &SessionUser) -> Result<Uuid> {
    match user.role {
        Role::Visitor => Ok(user.id),
        Role::Exhibitor => crate::firms::profile::own_firm(conn, user).await,
        _ => Err(ErrorCode::Forbidden.into()),
    }
}

/// Sets the slots of a fair the user's side cannot attend (replacing the
/// earlier choice). A slot that already holds one of their meetings cannot
/// be blocked: cancel that meeting first.
pub async fn set_unavailable(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    slots: &[Uuid],
) -> Result<()> {
    let txn = db.begin().await?;
    let who = party(&txn, user).await?;
    let fair_slots: HashSet<Uuid> = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let wanted: HashSet<Uuid> = slots.iter().copied().collect();
    if !wanted.is_subset(&fair_slots) {
        return Err(Error::field(ErrorCode::InvalidField, "slots"));
    }
    let side = if user.role == Role::Visitor {
        request::Column::BuyerId
    } else {
        request::Column::FirmId
    };
    let mine: Vec<Uuid> = request::Entity::find()
        .filter(request::Column::FairId.eq(fair_id))
        .filter(side.eq(who))
        .select_only()
        .column(request::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    for chunk in mine.chunks(500) {
        let busy = meeting::Entity::find()
            .filter(meeting::Column::RequestId.is_in(chunk.to_vec()))
            .all(&txn)
            .await?;
        if busy.iter().any(|m| wanted.contains(&m.slot_id)) {
            return Err(Error::field(ErrorCode::WrongState, "slots"));
        }
    }
    unavailable::Entity::delete_many()
        .filter(unavailable::Column::Party.eq(who))
        .filter(unavailable::Column::SlotId.is_in(fair_slots.iter().copied().collect::<Vec<_>>()))
        .exec(&txn)
        .await?;
    for s in wanted {
        unavailable::ActiveModel {
            slot_id: Set(s),
            party: Set(who),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The slots the user's side marked as unavailable at a fair.
pub async fn unavailable_slots(db: &Db, user: &SessionUser, fair_id: Uuid) -> Result<Vec<Uuid>> {
    let who = party(db.read(), user).await?;
    let slots: Vec<Uuid> = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .all(db.read())
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    Ok(unavailable::Entity::find()
        .filter(unavailable::Column::Party.eq(who))
        .filter(unavailable::Column::SlotId.is_in(slots))
        .all(db.read())
        .await?
        .into_iter()
        .map(|u| u.slot_id)
        .collect())
}

/// The scheduler's instance for a fair: accepted requests, slots, tables,
/// absences, and every meeting already scheduled as fixed (slot and table).
pub async fn instance<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
) -> Result<(InstanceSpec, Vec<meeting::Model>)> {
    let p = programme::Entity::find_by_id(fair_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::WrongState)?;
    let slots = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .order_by_asc(slot::Column::StartsAt)
        .all(conn)
        .await?;
    if slots.is_empty() {
        return Err(Error::field(ErrorCode::WrongState, "slots"));
    }
    let tz = crate::format::offset_or_default(
        &crate::fairs::entity::fair::Entity::find_by_id(fair_id)
            .one(conn)
            .await?
            .ok_or(ErrorCode::NotFound)?
            .time_zone,
    );
    let accepted = request::Entity::find()
        .filter(request::Column::FairId.eq(fair_id))
        .filter(request::Column::Status.eq(ACCEPTED))
        .all(conn)
        .await?;
    let held = meeting::Entity::find()
        .filter(meeting::Column::FairId.eq(fair_id))
        .all(conn)
        .await?;
    let slot_ids: Vec<Uuid> = slots.iter().map(|s| s.id).collect();
    let mut away: HashMap<Uuid, Vec<String>> = HashMap::new();
    for chunk in slot_ids.chunks(500) {
        for u in unavailable::Entity::find()
            .filter(unavailable::Column::SlotId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            away.entry(u.party).or_default().push(u.slot_id.to_string());
        }
    }
    let mut participants = Vec::new();
    let mut seen = HashSet::new();
    for r in &accepted {
        for (id, kind) in [(r.buyer_id, Kind::Buyer), (r.firm_id, Kind::Supplier)] {
            if seen.insert(id) {
                participants.push(Participant {
                    id: id.to_string(),
                    kind,
                    unavailable: away.remove(&id).unwrap_or_default(),
                });
            }
        }
    }
    let requests = accepted
        .iter()
        .map(|r| {
            let (b, f) = (r.buyer_id.to_string(), r.firm_id.to_string());
            let (from, to) = if r.asked_by == "supplier" {
                (f, b)
            } else {
                (b, f)
            };
            Req {
                id: r.id.to_string(),
                from,
                to,
                weight: r.weight.max(1) as u32,
                location: if r.location == "booth" {
                    Location::Booth
                } else {
                    Location::Table
                },
            }
        })
        .collect();
    let fixed = held
        .iter()
        .map(|m| Fixed {
            request: m.request_id.to_string(),
            slot: m.slot_id.to_string(),
            table: m.table_no.map(|t| t as u32),
        })
        .collect();
    let spec = InstanceSpec {
        slots: slots
            .iter()
            .map(|s| SlotSpec {
                id: s.id.to_string(),
                start: s.starts_at.with_timezone(&tz),
                minutes: s.minutes as u32,
            })
            .collect(),
        tables: p.tables.max(0) as u32,
        participants,
        requests,
        fixed,
    };
    Ok((spec, held))
}

/// Runs the scheduler for a fair: meetings already scheduled keep their slot
/// and table, accepted requests without one are placed. The search runs
/// outside any transaction; the result is written in one, and refused if
/// the fair's meetings changed meanwhile.
pub async fn run_schedule(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    options: &Options,
    progress: &mut (dyn FnMut(f64) + Send),
    links: Option<&crate::mail::Links>,
    now: DateTime<Utc>,
) -> Result<RunReport> {
    require_organiser(organiser)?;
    let (spec, held) = instance(db.read(), fair_id).await?;
    let inst = match Instance::new(spec.clone()) {
        Ok(i) => i,
        // A kept meeting no longer stands (say, an absence was added by the
        // organiser): schedule around the ones that do.
        Err(_) => Instance::new(InstanceSpec {
            fixed: Vec::new(),
            ..spec
        })
        .map_err(|e| Error::internal(e.0))?,
    };
    let outcome = if inst.spec.fixed.len() == held.len() {
        let options = options.clone();
        let inst2 = inst.clone();
        // The search is CPU-bound: off the async threads.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let job = tokio::task::spawn_blocking(move || {
            super::schedule_with_progress(&inst2, &options, &mut |p| {
                let _ = tx.send(p);
            })
        });
        tokio::pin!(job);
        loop {
            tokio::select! {
                Some(p) = rx.recv() => progress(p),
                done = &mut job => break done.map_err(Error::internal)?,
            }
        }
    } else {
        let previous = Schedule {
            meetings: held
                .iter()
                .map(|m| super::Meeting {
                    request: m.request_id.to_string(),
                    slot: m.slot_id.to_string(),
                    table: m.table_no.map(|t| t as u32),
                })
                .collect(),
            unscheduled: Vec::new(),
        };
        super::reschedule(&inst, &previous)
    };
    progress(1.0);
    inst.check(&outcome.schedule)
        .map_err(|e| Error::internal(e.0))?;
    let before: HashSet<Uuid> = held.iter().map(|m| m.request_id).collect();
    let txn = db.begin().await?;
    // Lock the programme: runs of one fair write one after another.
    programme::Entity::find_by_id(fair_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::WrongState)?;
    let now_held: HashSet<Uuid> = meeting::Entity::find()
        .filter(meeting::Column::FairId.eq(fair_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.request_id)
        .collect();
    if now_held != before {
        return Err(ErrorCode::WrongState.into());
    }
    let mut added = 0;
    let mut changes = Vec::new();
    for m in &outcome.schedule.meetings {
        let (Ok(request_id), Ok(slot_id)) = (m.request.parse::<Uuid>(), m.slot.parse::<Uuid>())
        else {
            return Err(Error::internal("schedule ids"));
        };
        if before.contains(&request_id) {
            continue;
        }
        let Some(r) = request::Entity::find_by_id(request_id)
            .one(&txn)
            .await?
            .filter(|r| r.status == ACCEPTED)
        else {
            return Err(ErrorCode::WrongState.into());
        };
        changes.push(Change {
            buyer_id: r.buyer_id,
            firm_id: r.firm_id,
            slot_id,
            table: m.table.map(|t| t as i32),
            cancelled: false,
        });
        meeting::ActiveModel {
            request_id: Set(request_id),
            fair_id: Set(fair_id),
            slot_id: Set(slot_id),
            table_no: Set(m.table.map(|t| t as i32)),
            scheduled_at: Set(now),
            held_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                ErrorCode::WrongState.into()
            } else {
                Error::from(e)
            }
        })?;
        added += 1;
    }
    if let Some(links) = links {
        tell(
            &txn,
            fair_id,
            &changes,
            links,
            &format!("run:{fair_id}:{}", now.timestamp_micros()),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    if !changes.is_empty() {
        announce(
            db,
            fair_id,
            changes.iter().flat_map(|c| [c.buyer_id, c.firm_id]),
        );
    }
    Ok(RunReport {
        scheduled: outcome.schedule.meetings.len(),
        added,
        unscheduled: outcome.schedule.unscheduled.len(),
        weight: outcome.weight,
        upper_bound: outcome.upper_bound,
        greedy_weight: outcome.greedy_weight,
        seconds: outcome.seconds,
    })
}

/// The agenda of a buyer (their meetings) or an exhibitor (their firm's),
/// in time order.
pub async fn agenda(db: &Db, user: &SessionUser, fair_id: Uuid) -> Result<Vec<AgendaItem>> {
    agenda_of(db.read(), user, fair_id).await
}

async fn agenda_of<C: ConnectionTrait>(
    conn: &C,
    user: &SessionUser,
    fair_id: Uuid,
) -> Result<Vec<AgendaItem>> {
    let who = party(conn, user).await?;
    let buyer = user.role == Role::Visitor;
    Ok(agendas(conn, fair_id, buyer, &[who])
        .await?
        .remove(&who)
        .unwrap_or_default())
}

/// The agendas of several buyers (`buyers`) or firms, each in time order,
/// read in a few queries whatever their number.
async fn agendas<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    buyers: bool,
    parties: &[Uuid],
) -> Result<HashMap<Uuid, Vec<AgendaItem>>> {
    let side = if buyers {
        request::Column::BuyerId
    } else {
        request::Column::FirmId
    };
    let mut reqs: HashMap<Uuid, request::Model> = HashMap::new();
    for chunk in parties.chunks(500) {
        reqs.extend(
            request::Entity::find()
                .filter(request::Column::FairId.eq(fair_id))
                .filter(side.is_in(chunk.to_vec()))
                .filter(request::Column::Status.eq(ACCEPTED))
                .all(conn)
                .await?
                .into_iter()
                .map(|r| (r.id, r)),
        );
    }
    let ids: Vec<Uuid> = reqs.keys().copied().collect();
    let mut meetings = Vec::new();
    for chunk in ids.chunks(500) {
        meetings.extend(
            meeting::Entity::find()
                .filter(meeting::Column::RequestId.is_in(chunk.to_vec()))
                .all(conn)
                .await?,
        );
    }
    let slots: HashMap<Uuid, slot::Model> = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let on_agenda = || meetings.iter().filter_map(|m| reqs.get(&m.request_id));
    let buyer_ids: Vec<Uuid> = distinct(on_agenda().map(|r| r.buyer_id));
    let firm_ids: Vec<Uuid> = distinct(on_agenda().map(|r| r.firm_id));
    let (bn, fname) = names(conn, &buyer_ids, &firm_ids).await?;
    let mut booths: HashMap<Uuid, String> = HashMap::new();
    for chunk in firm_ids.chunks(500) {
        let live = claim::Entity::find()
            .filter(claim::Column::FairId.eq(fair_id))
            .filter(claim::Column::FirmId.is_in(chunk.to_vec()))
            .filter(claim::Column::LiveBoothId.is_not_null())
            .all(conn)
            .await?;
        // One query for the booths' codes, not one per booking.
        let codes: HashMap<Uuid, String> = booth::Entity::find()
            .filter(booth::Column::Id.is_in(live.iter().map(|c| c.booth_id).collect::<Vec<_>>()))
            .all(conn)
            .await?
            .into_iter()
            .map(|b| (b.id, b.code))
            .collect();
        for c in live {
            if let Some(code) = codes.get(&c.booth_id) {
                booths.entry(c.firm_id).or_insert_with(|| code.clone());
            }
        }
    }
    let mut out: HashMap<Uuid, Vec<AgendaItem>> = HashMap::new();
    for m in &meetings {
        let (Some(r), Some(s)) = (reqs.get(&m.request_id), slots.get(&m.slot_id)) else {
            continue;
        };
        let (owner, counterpart) = if buyers {
            (r.buyer_id, fname.get(&r.firm_id))
        } else {
            (r.firm_id, bn.get(&r.buyer_id))
        };
        out.entry(owner).or_default().push(AgendaItem {
            request_id: m.request_id,
            starts_at: s.starts_at,
            minutes: s.minutes,
            counterpart: counterpart.cloned().unwrap_or_default(),
            table: m.table_no,
            booth: booths.get(&r.firm_id).cloned(),
            held: m.held_at.is_some(),
        });
    }
    for items in out.values_mut() {
        items.sort_by_key(|i| (i.starts_at, i.request_id));
    }
    Ok(out)
}

/// A new secret calendar feed address for the user (the old one stops
/// working). Returns the secret for the address.
pub async fn renew_feed(db: &Db, user: &SessionUser, now: DateTime<Utc>) -> Result<String> {
    let token = random_token();
    // One statement: two renewals at once each replace the secret (the
    // later one wins) instead of both inserting and one failing.
    feed::Entity::insert(feed::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(hash_token(&token)),
        created_at: Set(now),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(feed::Column::UserId)
            .update_columns([feed::Column::TokenHash, feed::Column::CreatedAt])
            .to_owned(),
    )
    .exec_without_returning(db.write())
    .await?;
    Ok(token)
}

/// Turns the user's calendar feed off.
pub async fn revoke_feed(db: &Db, user: &SessionUser) -> Result<()> {
    feed::Entity::delete_by_id(user.id).exec(db.write()).await?;
    Ok(())
}

/// The agenda behind a feed secret (NotFound once revoked or renewed).
pub async fn feed_agenda(
    db: &Db,
    token: &str,
    fair_id: Uuid,
) -> Result<(SessionUser, Vec<AgendaItem>)> {
    let f = feed::Entity::find()
        .filter(feed::Column::TokenHash.eq(hash_token(token)))
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let u = user::Entity::find_by_id(f.user_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let user = crate::accounts::to_session_user(&u)?;
    let items = agenda_of(db.read(), &user, fair_id).await?;
    Ok((user, items))
}

/// An agenda as an iCalendar file, in the fair's time zone and the reader's
/// language.
pub fn agenda_calendar(
    fair: &crate::fairs::Fair,
    items: &[AgendaItem],
    locale: crate::Locale,
    now: DateTime<Utc>,
) -> String {
    use super::ics::{Event, calendar};
    use crate::Locale::{En, Vi};
    let fair_name = match locale {
        Vi => &fair.name_vi,
        En => &fair.name_en,
    };
    let events: Vec<Event> = items
        .iter()
        .map(|i| {
            let place = match (i.table, &i.booth, locale) {
                (Some(t), _, Vi) => format!("Bàn {t}, khu gặp gỡ B2B"),
                (Some(t), _, En) => format!("Table {t}, B2B meeting area"),
                (None, Some(b), Vi) => format!("Gian {b}"),
                (None, Some(b), En) => format!("Booth {b}"),
                (None, None, Vi) => "Gian hàng của nhà cung cấp".to_string(),
                (None, None, En) => "The supplier's booth".to_string(),
            };
            let summary = match locale {
                Vi => format!("Gặp {}", i.counterpart),
                En => format!("Meeting: {}", i.counterpart),
            };
            Event {
                uid: format!("{}@fairlink", i.request_id),
                start: i.starts_at,
                minutes: i.minutes,
                summary,
                location: place,
                description: fair_name.clone(),
                cancelled: false,
            }
        })
        .collect();
    let name = match locale {
        Vi => format!("Lịch gặp B2B — {fair_name}"),
        En => format!("B2B meetings — {fair_name}"),
    };
    calendar(
        &name,
        &fair.time_zone,
        crate::format::offset_or_default(&fair.time_zone),
        &events,
        now,
    )
}

/// Whether the user has a calendar feed.
pub async fn has_feed(db: &Db, user: &SessionUser) -> Result<bool> {
    Ok(feed::Entity::find_by_id(user.id)
        .one(db.read())
        .await?
        .is_some())
}

/// How many meetings a fair has scheduled.
pub async fn scheduled_count(db: &Db, fair_id: Uuid) -> Result<usize> {
    use sea_orm::PaginatorTrait;
    Ok(meeting::Entity::find()
        .filter(meeting::Column::FairId.eq(fair_id))
        .count(db.read())
        .await? as usize)
}

/// Reads slots typed one per line, "YYYY-MM-DD HH:MM minutes", in the
/// fair's time zone (blank lines skipped).
pub fn parse_slot_lines(text: &str, zone: &str) -> Result<Vec<(DateTime<Utc>, i32)>> {
    let tz = crate::format::offset_or_default(zone);
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let bad = || Error::field(ErrorCode::InvalidField, "slots");
        let [date, time, minutes] = parts[..] else {
            return Err(bad());
        };
        let at = chrono::NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M")
            .map_err(|_| bad())?;
        let start = at
            .and_local_timezone(tz)
            .single()
            .ok_or_else(bad)?
            .with_timezone(&Utc);
        out.push((start, minutes.parse::<i32>().map_err(|_| bad())?));
    }
    Ok(out)
}

/// A meeting added to (or cancelled from) two agendas.
struct Change {
    buyer_id: Uuid,
    firm_id: Uuid,
    slot_id: Uuid,
    table: Option<i32>,
    cancelled: bool,
}

/// Mails everybody whose agenda the changes touch (a buyer; every member
/// of a firm): the changes in their language and the whole agenda as .ics.
/// Queued in the caller's transaction, so no mail tells of a change that
/// was not saved.
async fn tell<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    changes: &[Change],
    links: &crate::mail::Links,
    key: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::firms::entity::member;
    use crate::mail::{Attachment, OutboundMail, Template};
    if changes.is_empty() {
        return Ok(());
    }
    let fair: crate::fairs::Fair = crate::fairs::entity::fair::Entity::find_by_id(fair_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?
        .into();
    let slots: HashMap<Uuid, DateTime<Utc>> = slot::Entity::find()
        .filter(slot::Column::FairId.eq(fair_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.starts_at))
        .collect();
    let buyer_ids = distinct(changes.iter().map(|c| c.buyer_id));
    let firm_ids = distinct(changes.iter().map(|c| c.firm_id));
    let (buyer_names, firm_names) = names(conn, &buyer_ids, &firm_ids).await?;
    // Who reads each change: the buyer, and the firm's members.
    let mut readers: HashMap<Uuid, Vec<&Change>> = HashMap::new();
    // The members of every firm concerned, in one query.
    let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for chunk in firm_ids.chunks(500) {
        for m in member::Entity::find()
            .filter(member::Column::FirmId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            members.entry(m.firm_id).or_default().push(m.user_id);
        }
    }
    for c in changes {
        readers.entry(c.buyer_id).or_default().push(c);
        for user_id in members.get(&c.firm_id).into_iter().flatten() {
            readers.entry(*user_id).or_default().push(c);
        }
    }
    // The readers' accounts and agendas, each read once for all of them.
    let reader_ids: Vec<Uuid> = readers.keys().copied().collect();
    let mut accounts: HashMap<Uuid, user::Model> = HashMap::new();
    for chunk in reader_ids.chunks(500) {
        accounts.extend(
            user::Entity::find()
                .filter(user::Column::Id.is_in(chunk.to_vec()))
                .all(conn)
                .await?
                .into_iter()
                .map(|u| (u.id, u)),
        );
    }
    let firm_of: HashMap<Uuid, Uuid> = members
        .iter()
        .flat_map(|(firm, users)| users.iter().map(move |u| (*u, *firm)))
        .collect();
    let mut buyer_agendas = agendas(conn, fair_id, true, &buyer_ids).await?;
    // Firms without members have no reader.
    let firms_read: Vec<Uuid> = members.keys().copied().collect();
    let firm_agendas = agendas(conn, fair_id, false, &firms_read).await?;
    for (user_id, mine) in readers {
        let Some(u) = accounts.get(&user_id) else {
            continue;
        };
        let Ok(reader) = crate::accounts::to_session_user(u) else {
            continue;
        };
        let locale = reader.locale;
        let buyer = reader.role == Role::Visitor;
        let lines = mine
            .iter()
            .map(|c| {
                let at = slots
                    .get(&c.slot_id)
                    .map(|t| crate::format::datetime(*t, &fair.time_zone, locale))
                    .unwrap_or_default();
                let who = if buyer {
                    firm_names.get(&c.firm_id)
                } else {
                    buyer_names.get(&c.buyer_id)
                }
                .cloned()
                .unwrap_or_default();
                let place = match (c.table, locale) {
                    (Some(t), crate::Locale::Vi) => format!("bàn {t}"),
                    (Some(t), crate::Locale::En) => format!("table {t}"),
                    (None, crate::Locale::Vi) => "tại gian nhà cung cấp".to_string(),
                    (None, crate::Locale::En) => "at the supplier's booth".to_string(),
                };
                match (c.cancelled, locale) {
                    (true, crate::Locale::Vi) => format!("Đã huỷ: {at} — {who}"),
                    (true, crate::Locale::En) => format!("Cancelled: {at} — {who}"),
                    (false, _) => format!("{at} — {who} — {place}"),
                }
            })
            .collect();
        // A buyer's own agenda; a member's, their firm's (a firm's agenda
        // is read once, however many members it has).
        let items = if buyer {
            buyer_agendas.remove(&user_id).unwrap_or_default()
        } else {
            firm_of
                .get(&user_id)
                .and_then(|f| firm_agendas.get(f))
                .cloned()
                .unwrap_or_default()
        };
        let ics = agenda_calendar(&fair, &items, locale, now);
        crate::mail::enqueue(
            conn,
            OutboundMail {
                to_email: u.email.clone(),
                to_name: u.name.clone(),
                locale,
                template: Template::Agenda {
                    name: u.name.clone(),
                    fair: fair.name(locale).to_string(),
                    changes: lines,
                    link: links.agenda(&fair.slug),
                },
                idempotency_key: format!("agenda:{key}:{user_id}"),
                attachments: vec![Attachment {
                    filename: "agenda.ics".into(),
                    content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                    content: ics.into_bytes(),
                    inline_id: None,
                }],
                secret: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// At the table, one side scans (or types) the other side's badge: their
/// meeting at this fair is marked held. Returns the request's id.
pub async fn mark_held(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    use crate::badges::entity::badge;
    use crate::badges::token::{self, Keyring};
    let me = party(db.read(), user).await?;
    let keys = Keyring::new(&crate::badges::trusted_keys(db.read()).await?);
    let claims = token::verify_with(code.trim(), &keys, fair_id)
        .map_err(|_| Error::field(ErrorCode::InvalidField, "code"))?;
    let not_found = || Error::field(ErrorCode::NotFound, "code");
    let b = badge::Entity::find_by_id(claims.badge)
        .one(db.read())
        .await?
        .filter(|b| b.status == crate::badges::ACTIVE && b.fair_id == fair_id)
        .ok_or_else(not_found)?;
    // A buyer scans a firm's staff badge; a firm scans a buyer's own badge.
    let (buyer_id, firm_id) = if user.role == Role::Visitor {
        (me, b.firm_id.ok_or_else(not_found)?)
    } else {
        (b.user_id.ok_or_else(not_found)?, me)
    };
    let txn = db.begin().await?;
    let r = request::Entity::find()
        .filter(request::Column::FairId.eq(fair_id))
        .filter(request::Column::BuyerId.eq(buyer_id))
        .filter(request::Column::FirmId.eq(firm_id))
        .filter(request::Column::Status.eq(ACCEPTED))
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    let m = meeting::Entity::find_by_id(r.id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::field(ErrorCode::WrongState, "code"))?;
    if m.held_at.is_none() {
        let mut a: meeting::ActiveModel = m.into();
        a.held_at = Set(Some(now));
        a.update(&txn).await?;
    }
    txn.commit().await?;
    announce(db, fair_id, [buyer_id, firm_id]);
    Ok(r.id)
}

/// Outcomes a side reports after a meeting.
pub const OUTCOMES: [&str; 2] = ["held", "no_show"];
/// What came of it.
pub const FOLLOW_UPS: [&str; 4] = ["none", "sample", "quotation", "order"];

/// One side says how a scheduled meeting went (again: replaces its answer).
pub async fn give_feedback(
    db: &Db,
    user: &SessionUser,
    request_id: Uuid,
    outcome: &str,
    follow_up: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use super::entity::feedback;
    if !OUTCOMES.contains(&outcome) {
        return Err(Error::field(ErrorCode::InvalidField, "outcome"));
    }
    if !FOLLOW_UPS.contains(&follow_up) || (outcome == "no_show" && follow_up != "none") {
        return Err(Error::field(ErrorCode::InvalidField, "follow_up"));
    }
    let note = text(note, 2000, "note")?;
    let txn = db.begin().await?;
    let r = request::Entity::find_by_id(request_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let side = side_of(&txn, user, &r).await?.ok_or(ErrorCode::NotFound)?;
    meeting::Entity::find_by_id(r.id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::WrongState)?;
    feedback::Entity::delete_by_id((r.id, side.to_string()))
        .exec(&txn)
        .await?;
    feedback::ActiveModel {
        request_id: Set(r.id),
        side: Set(side.into()),
        outcome: Set(outcome.into()),
        follow_up: Set(follow_up.into()),
        note: Set(note),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The organiser's figures: per sector of the firms, and in total (sector "").
pub async fn figures(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
) -> Result<Vec<SectorFigures>> {
    use super::entity::feedback;
    require_organiser(organiser)?;
    let conn = db.read();
    let requests = request::Entity::find()
        .filter(request::Column::FairId.eq(fair_id))
        .all(conn)
        .await?;
    let meetings: HashMap<Uuid, meeting::Model> = meeting::Entity::find()
        .filter(meeting::Column::FairId.eq(fair_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.request_id, m))
        .collect();
    let ids: Vec<Uuid> = requests.iter().map(|r| r.id).collect();
    let mut notes: HashMap<Uuid, Vec<feedback::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for f in feedback::Entity::find()
            .filter(feedback::Column::RequestId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            notes.entry(f.request_id).or_default().push(f);
        }
    }
    let firm_ids: Vec<Uuid> = distinct(requests.iter().map(|r| r.firm_id));
    let mut sector: HashMap<Uuid, String> = HashMap::new();
    for chunk in firm_ids.chunks(500) {
        for f in firm::Entity::find()
            .filter(firm::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            sector.insert(f.id, f.sector_group);
        }
    }
    let mut by: std::collections::BTreeMap<String, SectorFigures> =
        std::collections::BTreeMap::new();
    for r in &requests {
        let s = sector.get(&r.firm_id).cloned().unwrap_or_default();
        for key in [s, String::new()] {
            let f = by.entry(key.clone()).or_insert_with(|| SectorFigures {
                sector: key,
                ..SectorFigures::default()
            });
            f.requests += 1;
            match r.status.as_str() {
                ACCEPTED => f.accepted += 1,
                DECLINED => f.declined += 1,
                EXPIRED => f.expired += 1,
                _ => {}
            }
            let said = notes.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(m) = meetings.get(&r.id) {
                f.scheduled += 1;
                let held = m.held_at.is_some() || said.iter().any(|n| n.outcome == "held");
                if held {
                    f.held += 1;
                } else if said.iter().any(|n| n.outcome == "no_show") {
                    f.no_shows += 1;
                }
                if said.iter().any(|n| n.follow_up != "none") {
                    f.follow_ups += 1;
                }
            }
        }
    }
    Ok(by.into_values().collect())
}
