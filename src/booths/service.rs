//! Booth services: setting a fair up, storing plans, holding, confirming and
//! managing bookings, applications, the waiting list and the allocation.
//! Each change is one transaction; mail goes out through the outbox inside
//! it.

use super::entity::{application, booth, booth_type, claim, feature, hall, zone};
use super::plan::{self, Context, FeatureKind, LineError, Plan, PlanBooth, PlanFeature, Problem};
use super::pricing::{self, Price};
use super::{BoothStatus, allocator, application_state as app_state, claim_state};
use crate::accounts::entity::user;
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::{Change, Db, Topic};
use crate::fairs::Fair;
use crate::fairs::entity::fair;
use crate::firms::audit;
use crate::firms::entity::{certificate, firm, member};
use crate::mail::templates::BookingEvent;
use crate::mail::{Attachment, Links, OutboundMail, Template};
use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Held booths a firm may have at once (confirmed ones do not count).
pub const MAX_HOLDS_PER_FIRM: u64 = 3;
/// How long a booth offered from the waiting list stays held.
pub const OFFER_HOURS: i64 = 48;
/// Days to pay a pro-forma invoice.
pub const PAYMENT_DAYS: i64 = 14;

// ---------------------------------------------------------------------------
// Setting a fair up
// ---------------------------------------------------------------------------

/// A fair's settings as organisers enter them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairInput {
    pub slug: String,
    pub name_vi: String,
    pub name_en: String,
    pub venue_vi: String,
    pub venue_en: String,
    pub city: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
    pub time_zone: String,
    pub vat_percent: i32,
    pub hold_minutes: i32,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
    pub registration_closes_on: Option<NaiveDate>,
}

use crate::text::{code, field as text};

fn check_fair(input: &FairInput) -> Result<FairInput> {
    let slug = crate::text::slug(&input.slug);
    if slug.is_empty() || slug.len() > 80 {
        return Err(Error::field(ErrorCode::InvalidField, "slug"));
    }
    if input.ends_on < input.starts_on || (input.ends_on - input.starts_on).num_days() > 60 {
        return Err(Error::field(ErrorCode::InvalidField, "ends_on"));
    }
    if input.closes_at <= input.opens_at {
        return Err(Error::field(ErrorCode::InvalidField, "closes_at"));
    }
    if crate::format::zone_offset(input.time_zone.trim()).is_none() {
        return Err(Error::field(ErrorCode::InvalidField, "time_zone"));
    }
    if !(0..=20).contains(&input.vat_percent) {
        return Err(Error::field(ErrorCode::InvalidField, "vat_percent"));
    }
    if !(1..=24 * 60).contains(&input.hold_minutes) {
        return Err(Error::field(ErrorCode::InvalidField, "hold_minutes"));
    }
    if let (Some(a), Some(b)) = (input.booking_opens_on, input.booking_closes_on)
        && b < a
    {
        return Err(Error::field(ErrorCode::InvalidField, "booking_closes_on"));
    }
    Ok(FairInput {
        slug,
        name_vi: text(&input.name_vi, "name_vi", 3, 200)?,
        name_en: text(&input.name_en, "name_en", 3, 200)?,
        venue_vi: text(&input.venue_vi, "venue_vi", 3, 300)?,
        venue_en: text(&input.venue_en, "venue_en", 3, 300)?,
        city: text(&input.city, "city", 2, 80)?,
        time_zone: input.time_zone.trim().to_string(),
        ..input.clone()
    })
}

/// Creates a fair. Returns its id.
pub async fn create_fair(
    db: &Db,
    organiser: &SessionUser,
    input: &FairInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let v = check_fair(input)?;
    let id = Uuid::now_v7();
    let txn = db.begin().await?;
    let row = fair::ActiveModel {
        id: Set(id),
        slug: Set(v.slug.clone()),
        name_vi: Set(v.name_vi),
        name_en: Set(v.name_en),
        venue_vi: Set(v.venue_vi),
        venue_en: Set(v.venue_en),
        city: Set(v.city),
        starts_on: Set(v.starts_on),
        ends_on: Set(v.ends_on),
        opens_at: Set(v.opens_at),
        closes_at: Set(v.closes_at),
        time_zone: Set(v.time_zone),
        created_at: Set(now),
        vat_percent: Set(Some(v.vat_percent)),
        hold_minutes: Set(Some(v.hold_minutes)),
        booking_opens_on: Set(v.booking_opens_on),
        booking_closes_on: Set(v.booking_closes_on),
        registration_closes_on: Set(v.registration_closes_on),
    };
    if let Err(e) = row.insert(&txn).await {
        return Err(if crate::db::unique_violation(&e) {
            Error::field(ErrorCode::InvalidField, "slug")
        } else {
            e.into()
        });
    }
    audit::record(
        &txn,
        Some(organiser.id),
        "fair.created",
        "fair",
        Some(id),
        serde_json::json!({ "slug": v.slug }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes a fair's settings (its address, the slug, stays).
pub async fn update_fair(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    input: &FairInput,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let v = check_fair(input)?;
    let txn = db.begin().await?;
    let current = fair::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let mut row: fair::ActiveModel = current.into();
    row.name_vi = Set(v.name_vi);
    row.name_en = Set(v.name_en);
    row.venue_vi = Set(v.venue_vi);
    row.venue_en = Set(v.venue_en);
    row.city = Set(v.city);
    row.starts_on = Set(v.starts_on);
    row.ends_on = Set(v.ends_on);
    row.opens_at = Set(v.opens_at);
    row.closes_at = Set(v.closes_at);
    row.time_zone = Set(v.time_zone);
    row.vat_percent = Set(Some(v.vat_percent));
    row.hold_minutes = Set(Some(v.hold_minutes));
    row.booking_opens_on = Set(v.booking_opens_on);
    row.booking_closes_on = Set(v.booking_closes_on);
    row.registration_closes_on = Set(v.registration_closes_on);
    row.update(&txn).await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "fair.updated",
        "fair",
        Some(fair_id),
        serde_json::json!({}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn fair_by_slug(db: &Db, slug: &str) -> Result<Fair> {
    fair::Entity::find()
        .filter(fair::Column::Slug.eq(slug))
        .one(db.read())
        .await?
        .map(Fair::from)
        .ok_or_else(|| ErrorCode::NotFound.into())
}

pub async fn fair_by_id(db: &Db, id: Uuid) -> Result<Fair> {
    fair::Entity::find_by_id(id)
        .one(db.read())
        .await?
        .map(Fair::from)
        .ok_or_else(|| ErrorCode::NotFound.into())
}

pub async fn fairs(db: &Db) -> Result<Vec<Fair>> {
    Ok(fair::Entity::find()
        .order_by_desc(fair::Column::StartsOn)
        .all(db.read())
        .await?
        .into_iter()
        .map(Fair::from)
        .collect())
}

/// Opening hours of one day, when they differ from the fair's usual hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayHours {
    pub day: NaiveDate,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
}

/// Every day of the fair with its hours (the usual ones unless set).
pub async fn day_hours(db: &Db, fair: &Fair) -> Result<Vec<DayHours>> {
    use super::entity::day;
    let set = day::Entity::find()
        .filter(day::Column::FairId.eq(fair.id))
        .all(db.read())
        .await?;
    Ok(fair
        .days()
        .into_iter()
        .map(|d| match set.iter().find(|s| s.day == d) {
            Some(s) => DayHours {
                day: d,
                opens_at: s.opens_at,
                closes_at: s.closes_at,
            },
            None => DayHours {
                day: d,
                opens_at: fair.opens_at,
                closes_at: fair.closes_at,
            },
        })
        .collect())
}

/// Sets one day's hours.
pub async fn set_day_hours(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    hours: &DayHours,
    now: DateTime<Utc>,
) -> Result<()> {
    use super::entity::day;
    require_role(Some(organiser), &[Role::Organiser])?;
    let f: Fair = fair::Entity::find_by_id(fair_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?
        .into();
    if !f.days().contains(&hours.day) {
        return Err(Error::field(ErrorCode::InvalidField, "day"));
    }
    if hours.closes_at <= hours.opens_at {
        return Err(Error::field(ErrorCode::InvalidField, "closes_at"));
    }
    let txn = db.begin().await?;
    day::Entity::insert(day::ActiveModel {
        fair_id: Set(fair_id),
        day: Set(hours.day),
        opens_at: Set(hours.opens_at),
        closes_at: Set(hours.closes_at),
    })
    .on_conflict(
        OnConflict::columns([day::Column::FairId, day::Column::Day])
            .update_columns([day::Column::OpensAt, day::Column::ClosesAt])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "fair.hours",
        "fair",
        Some(fair_id),
        serde_json::json!({ "day": hours.day }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A zone, booth type or hall as organisers enter it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub sector_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub price_per_m2: i64,
    pub surcharge_percent: i32,
    pub furniture: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HallInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// Metres, one decimal.
    pub width: String,
    pub depth: String,
}

async fn fair_exists<C: ConnectionTrait>(conn: &C, fair_id: Uuid) -> Result<fair::Model> {
    fair::Entity::find_by_id(fair_id)
        .one(conn)
        .await?
        .ok_or_else(|| ErrorCode::NotFound.into())
}

/// Adds a zone or changes the one with the same code.
pub async fn save_zone(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    input: &ZoneInput,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let code = code(&input.code, "code")?.to_ascii_uppercase();
    let (name_vi, name_en) = (
        text(&input.name_vi, "name_vi", 2, 120)?,
        text(&input.name_en, "name_en", 2, 120)?,
    );
    let sector = match input
        .sector_group
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) if crate::firms::SectorGroup::parse(s).is_some() => Some(s.to_string()),
        Some(_) => return Err(Error::field(ErrorCode::InvalidField, "sector_group")),
        None => None,
    };
    let txn = db.begin().await?;
    fair_exists(&txn, fair_id).await?;
    zone::Entity::insert(zone::ActiveModel {
        id: Set(Uuid::now_v7()),
        fair_id: Set(fair_id),
        code: Set(code.clone()),
        name_vi: Set(name_vi),
        name_en: Set(name_en),
        sector_group: Set(sector),
    })
    .on_conflict(
        OnConflict::columns([zone::Column::FairId, zone::Column::Code])
            .update_columns([
                zone::Column::NameVi,
                zone::Column::NameEn,
                zone::Column::SectorGroup,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "zone.saved",
        "fair",
        Some(fair_id),
        serde_json::json!({ "code": code }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds a booth type or changes the one with the same code.
pub async fn save_booth_type(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    input: &TypeInput,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let code = code(&input.code, "code")?.to_ascii_lowercase();
    let (name_vi, name_en) = (
        text(&input.name_vi, "name_vi", 2, 120)?,
        text(&input.name_en, "name_en", 2, 120)?,
    );
    if !(0..=1_000_000_000).contains(&input.price_per_m2) {
        return Err(Error::field(ErrorCode::InvalidField, "price_per_m2"));
    }
    if !(0..=200).contains(&input.surcharge_percent) {
        return Err(Error::field(ErrorCode::InvalidField, "surcharge_percent"));
    }
    let txn = db.begin().await?;
    fair_exists(&txn, fair_id).await?;
    booth_type::Entity::insert(booth_type::ActiveModel {
        id: Set(Uuid::now_v7()),
        fair_id: Set(fair_id),
        code: Set(code.clone()),
        name_vi: Set(name_vi),
        name_en: Set(name_en),
        price_per_m2: Set(input.price_per_m2),
        surcharge_percent: Set(input.surcharge_percent),
        furniture: Set(input.furniture),
    })
    .on_conflict(
        OnConflict::columns([booth_type::Column::FairId, booth_type::Column::Code])
            .update_columns([
                booth_type::Column::NameVi,
                booth_type::Column::NameEn,
                booth_type::Column::PricePerM2,
                booth_type::Column::SurchargePercent,
                booth_type::Column::Furniture,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "booth_type.saved",
        "fair",
        Some(fair_id),
        serde_json::json!({ "code": code }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds a hall or changes the one with the same code. A hall may not shrink
/// below the booths on it.
pub async fn save_hall(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    input: &HallInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let code = code(&input.code, "code")?.to_ascii_uppercase();
    let (name_vi, name_en) = (
        text(&input.name_vi, "name_vi", 2, 120)?,
        text(&input.name_en, "name_en", 2, 120)?,
    );
    let width = plan::parse_metres(&input.width)
        .filter(|w| (50..=20_000).contains(w))
        .ok_or(Error::field(ErrorCode::InvalidField, "width"))?;
    let depth = plan::parse_metres(&input.depth)
        .filter(|d| (50..=20_000).contains(d))
        .ok_or(Error::field(ErrorCode::InvalidField, "depth"))?;
    let txn = db.begin().await?;
    fair_exists(&txn, fair_id).await?;
    let existing = hall::Entity::find()
        .filter(hall::Column::FairId.eq(fair_id))
        .filter(hall::Column::Code.eq(code.as_str()))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(h) => {
            let booths = booth::Entity::find()
                .filter(booth::Column::HallId.eq(h.id))
                .all(&txn)
                .await?;
            if booths.iter().any(|b| !b.rect().inside(width, depth)) {
                return Err(Error::field(ErrorCode::InvalidField, "width"));
            }
            let mut row: hall::ActiveModel = h.clone().into();
            row.name_vi = Set(name_vi);
            row.name_en = Set(name_en);
            row.width_dm = Set(width);
            row.depth_dm = Set(depth);
            row.update(&txn).await?;
            h.id
        }
        None => {
            let id = Uuid::now_v7();
            hall::ActiveModel {
                id: Set(id),
                fair_id: Set(fair_id),
                code: Set(code.clone()),
                name_vi: Set(name_vi),
                name_en: Set(name_en),
                width_dm: Set(width),
                depth_dm: Set(depth),
            }
            .insert(&txn)
            .await?;
            id
        }
    };
    audit::record(
        &txn,
        Some(organiser.id),
        "hall.saved",
        "hall",
        Some(id),
        serde_json::json!({ "code": code }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

impl booth::Model {
    pub fn rect(&self) -> super::geometry::Rect {
        super::geometry::Rect {
            x: self.x_dm,
            y: self.y_dm,
            w: self.w_dm,
            d: self.d_dm,
        }
    }

    fn points(&self) -> Option<Vec<[i32; 2]>> {
        self.polygon
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
    }

    pub fn area_m2(&self) -> i64 {
        match self.points() {
            Some(p) => (plan::polygon_area_dm2(&p) + 50) / 100,
            None => self.rect().area_m2(),
        }
    }
}

/// Zones, types and halls of a fair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairSetup {
    pub fair: Fair,
    pub zones: Vec<zone::Model>,
    pub types: Vec<booth_type::Model>,
    pub halls: Vec<hall::Model>,
    pub booths_per_hall: Vec<(Uuid, u64)>,
}

/// The address of a fair (its slug).
pub async fn fair_slug(db: &Db, fair_id: Uuid) -> Result<String> {
    Ok(fair_exists(db.read(), fair_id).await?.slug)
}

pub async fn setup(db: &Db, fair_id: Uuid) -> Result<FairSetup> {
    let f: Fair = fair_exists(db.read(), fair_id).await?.into();
    let zones = zone::Entity::find()
        .filter(zone::Column::FairId.eq(fair_id))
        .order_by_asc(zone::Column::Code)
        .all(db.read())
        .await?;
    let types = booth_type::Entity::find()
        .filter(booth_type::Column::FairId.eq(fair_id))
        .order_by_asc(booth_type::Column::PricePerM2)
        .all(db.read())
        .await?;
    let halls = hall::Entity::find()
        .filter(hall::Column::FairId.eq(fair_id))
        .order_by_asc(hall::Column::Code)
        .all(db.read())
        .await?;
    let mut booths_per_hall = Vec::new();
    for h in &halls {
        booths_per_hall.push((
            h.id,
            booth::Entity::find()
                .filter(booth::Column::HallId.eq(h.id))
                .count(db.read())
                .await?,
        ));
    }
    Ok(FairSetup {
        fair: f,
        zones,
        types,
        halls,
        booths_per_hall,
    })
}

async fn hall_context<C: ConnectionTrait>(
    conn: &C,
    hall_id: Uuid,
) -> Result<(
    hall::Model,
    Context,
    Vec<zone::Model>,
    Vec<booth_type::Model>,
)> {
    let h = hall::Entity::find_by_id(hall_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let zones = zone::Entity::find()
        .filter(zone::Column::FairId.eq(h.fair_id))
        .all(conn)
        .await?;
    let types = booth_type::Entity::find()
        .filter(booth_type::Column::FairId.eq(h.fair_id))
        .all(conn)
        .await?;
    let ctx = Context {
        hall_w: h.width_dm,
        hall_d: h.depth_dm,
        zones: zones.iter().map(|z| z.code.clone()).collect(),
        types: types.iter().map(|t| t.code.clone()).collect(),
    };
    Ok((h, ctx, zones, types))
}

/// A hall's plan in the exchange format, for the editor and for export.
pub async fn hall_plan(db: &Db, hall_id: Uuid) -> Result<(hall::Model, Plan, Context)> {
    let (h, ctx, zones, types) = hall_context(db.read(), hall_id).await?;
    let booths = booth::Entity::find()
        .filter(booth::Column::HallId.eq(hall_id))
        .order_by_asc(booth::Column::Code)
        .all(db.read())
        .await?;
    let features = feature::Entity::find()
        .filter(feature::Column::HallId.eq(hall_id))
        .all(db.read())
        .await?;
    let plan = Plan {
        booths: booths
            .iter()
            .map(|b| PlanBooth {
                code: b.code.clone(),
                x: b.x_dm,
                y: b.y_dm,
                w: b.w_dm,
                d: b.d_dm,
                polygon: b.points(),
                type_code: types
                    .iter()
                    .find(|t| t.id == b.type_id)
                    .map(|t| t.code.clone())
                    .unwrap_or_default(),
                zone: zones
                    .iter()
                    .find(|z| z.id == b.zone_id)
                    .map(|z| z.code.clone())
                    .unwrap_or_default(),
                price: b.price_override,
                label: None,
            })
            .collect(),
        features: features
            .iter()
            .filter_map(|f| {
                Some(PlanFeature {
                    kind: FeatureKind::parse(&f.kind)?,
                    x: f.x_dm,
                    y: f.y_dm,
                    w: f.w_dm,
                    d: f.d_dm,
                    label: f.label.clone(),
                })
            })
            .collect(),
    };
    Ok((h, plan, ctx))
}

/// What storing a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanReport {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub features: usize,
}

/// Reads a plan file (CSV or JSON) and stores it as the hall's plan.
/// Either every row is good and the whole plan is stored, or nothing
/// changes and every problem is reported with its line.
pub async fn import_plan(
    db: &Db,
    organiser: &SessionUser,
    hall_id: Uuid,
    file: &str,
    now: DateTime<Utc>,
) -> Result<Result<PlanReport, Vec<LineError>>> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let (_, ctx, _, _) = hall_context(db.read(), hall_id).await?;
    match plan::read(file, &ctx) {
        Ok(p) => store_plan(db, organiser, hall_id, &p, now).await,
        Err(errors) => Ok(Err(errors)),
    }
}

/// Stores a plan built in the editor.
pub async fn save_plan(
    db: &Db,
    organiser: &SessionUser,
    hall_id: Uuid,
    p: &Plan,
    now: DateTime<Utc>,
) -> Result<Result<PlanReport, Vec<LineError>>> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let (_, ctx, _, _) = hall_context(db.read(), hall_id).await?;
    let mut p = p.clone();
    for b in &mut p.booths {
        b.code = b.code.trim().to_ascii_uppercase();
    }
    if let Err(errors) = plan::validate(&p, &ctx) {
        return Ok(Err(errors));
    }
    store_plan(db, organiser, hall_id, &p, now).await
}

async fn store_plan(
    db: &Db,
    organiser: &SessionUser,
    hall_id: Uuid,
    p: &Plan,
    now: DateTime<Utc>,
) -> Result<Result<PlanReport, Vec<LineError>>> {
    let txn = db.begin().await?;
    // The hall, zones and types again, inside the transaction.
    let (h, ctx, zones, types) = hall_context(&txn, hall_id).await?;
    if let Err(errors) = plan::validate(p, &ctx) {
        return Ok(Err(errors));
    }
    let existing = booth::Entity::find()
        .filter(booth::Column::HallId.eq(hall_id))
        .all(&txn)
        .await?;
    // Booth codes are unique across the fair, not only the hall.
    let elsewhere: HashSet<String> = booth::Entity::find()
        .filter(booth::Column::FairId.eq(h.fair_id))
        .filter(booth::Column::HallId.ne(hall_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|b| b.code)
        .collect();
    let mut errors = Vec::new();
    for (i, b) in p.booths.iter().enumerate() {
        if elsewhere.contains(&b.code) {
            errors.push(LineError {
                line: i + 1,
                problem: Problem::DuplicateCode,
                detail: b.code.clone(),
            });
        }
    }
    let wanted: HashSet<&str> = p.booths.iter().map(|b| b.code.as_str()).collect();
    let removed: Vec<&booth::Model> = existing
        .iter()
        .filter(|b| !wanted.contains(b.code.as_str()))
        .collect();
    if !removed.is_empty() {
        let live = claim::Entity::find()
            .filter(
                claim::Column::LiveBoothId.is_in(removed.iter().map(|b| b.id).collect::<Vec<_>>()),
            )
            .all(&txn)
            .await?;
        for c in live {
            if let Some(b) = removed.iter().find(|b| Some(b.id) == c.live_booth_id) {
                errors.push(LineError {
                    line: 0,
                    problem: Problem::Booked,
                    detail: b.code.clone(),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let zone_id = |code: &str| {
        zones
            .iter()
            .find(|z| z.code == code)
            .map(|z| z.id)
            .unwrap_or_default()
    };
    let type_id = |code: &str| {
        types
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.id)
            .unwrap_or_default()
    };
    let mut report = PlanReport::default();
    let removed_ids: Vec<Uuid> = removed.iter().map(|b| b.id).collect();
    if !removed_ids.is_empty() {
        // Old claims on removed booths go with them (history of a booth
        // that no longer exists); live ones were refused above.
        claim::Entity::delete_many()
            .filter(claim::Column::BoothId.is_in(removed_ids.clone()))
            .exec(&txn)
            .await?;
        booth::Entity::delete_many()
            .filter(booth::Column::Id.is_in(removed_ids))
            .exec(&txn)
            .await?;
        report.removed = removed.len();
    }
    for b in &p.booths {
        let polygon = b
            .polygon
            .as_ref()
            .map(|pts| serde_json::to_string(pts).unwrap_or_default());
        match existing.iter().find(|e| e.code == b.code) {
            Some(e) => {
                let changed = e.x_dm != b.x
                    || e.y_dm != b.y
                    || e.w_dm != b.w
                    || e.d_dm != b.d
                    || e.polygon != polygon
                    || e.zone_id != zone_id(&b.zone)
                    || e.type_id != type_id(&b.type_code)
                    || e.price_override != b.price;
                if changed {
                    let mut row: booth::ActiveModel = e.clone().into();
                    row.x_dm = Set(b.x);
                    row.y_dm = Set(b.y);
                    row.w_dm = Set(b.w);
                    row.d_dm = Set(b.d);
                    row.polygon = Set(polygon);
                    row.zone_id = Set(zone_id(&b.zone));
                    row.type_id = Set(type_id(&b.type_code));
                    row.price_override = Set(b.price);
                    row.update(&txn).await?;
                    report.changed += 1;
                }
            }
            None => {
                booth::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    fair_id: Set(h.fair_id),
                    hall_id: Set(hall_id),
                    code: Set(b.code.clone()),
                    zone_id: Set(zone_id(&b.zone)),
                    type_id: Set(type_id(&b.type_code)),
                    x_dm: Set(b.x),
                    y_dm: Set(b.y),
                    w_dm: Set(b.w),
                    d_dm: Set(b.d),
                    polygon: Set(polygon),
                    blocked: Set(false),
                    price_override: Set(b.price),
                }
                .insert(&txn)
                .await?;
                report.added += 1;
            }
        }
    }
    feature::Entity::delete_many()
        .filter(feature::Column::HallId.eq(hall_id))
        .exec(&txn)
        .await?;
    for f in &p.features {
        feature::ActiveModel {
            id: Set(Uuid::now_v7()),
            hall_id: Set(hall_id),
            kind: Set(f.kind.as_str().to_string()),
            x_dm: Set(f.x),
            y_dm: Set(f.y),
            w_dm: Set(f.w),
            d_dm: Set(f.d),
            label: Set(f.label.clone()),
        }
        .insert(&txn)
        .await?;
    }
    report.features = p.features.len();
    audit::record(
        &txn,
        Some(organiser.id),
        "plan.saved",
        "hall",
        Some(hall_id),
        serde_json::json!({ "added": report.added, "changed": report.changed, "removed": report.removed }),
        now,
    )
    .await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, h.fair_id));
    Ok(Ok(report))
}

/// Blocks a booth (kept off sale) or opens it again.
pub async fn set_blocked(
    db: &Db,
    organiser: &SessionUser,
    booth_id: Uuid,
    blocked: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let txn = db.begin().await?;
    let b = booth::Entity::find_by_id(booth_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if blocked
        && claim::Entity::find()
            .filter(claim::Column::LiveBoothId.eq(booth_id))
            .one(&txn)
            .await?
            .is_some_and(|c| c.state != claim_state::HELD || c.held_until.is_some_and(|t| t > now))
    {
        return Err(ErrorCode::BoothTaken.into());
    }
    booth::Entity::update_many()
        .col_expr(booth::Column::Blocked, Expr::value(blocked))
        .filter(booth::Column::Id.eq(booth_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(organiser.id),
        if blocked {
            "booth.blocked"
        } else {
            "booth.unblocked"
        },
        "booth",
        Some(b.id),
        serde_json::json!({ "code": b.code }),
        now,
    )
    .await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, b.fair_id));
    Ok(())
}

// ---------------------------------------------------------------------------
// Reading the map
// ---------------------------------------------------------------------------

/// A booth as the map and lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoothView {
    pub id: Uuid,
    pub code: String,
    pub hall_id: Uuid,
    pub hall_code: String,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
    pub polygon: Option<Vec<[i32; 2]>>,
    pub zone_code: String,
    pub type_code: String,
    pub area_m2: i64,
    pub price: Price,
    pub status: BoothStatus,
    /// The firm on a reserved or sold booth.
    pub firm_id: Option<Uuid>,
    pub firm_name: Option<String>,
    pub firm_name_en: Option<String>,
    /// The viewer's firm holds or booked it.
    pub mine: bool,
    /// The viewer's claim on it, if any.
    pub my_claim: Option<Uuid>,
    pub held_until: Option<DateTime<Utc>>,
}

/// A fair's whole map: halls, zones, types, features and booths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairMap {
    pub fair: Fair,
    pub zones: Vec<zone::Model>,
    pub types: Vec<booth_type::Model>,
    pub halls: Vec<hall::Model>,
    pub features: Vec<feature::Model>,
    pub booths: Vec<BoothView>,
}

fn price_of(b: &booth::Model, t: Option<&booth_type::Model>, vat: i32, extras: i64) -> Price {
    let (per_m2, surcharge) = t
        .map(|t| (t.price_per_m2, i64::from(t.surcharge_percent)))
        .unwrap_or((0, 0));
    pricing::price(
        b.area_m2(),
        per_m2,
        b.price_override,
        surcharge,
        extras,
        i64::from(vat),
    )
}

fn status_of(c: Option<&claim::Model>, blocked: bool, now: DateTime<Utc>) -> BoothStatus {
    match c {
        Some(c) if c.state == claim_state::PAID => BoothStatus::Sold,
        Some(c) if c.state == claim_state::CONFIRMED => BoothStatus::Reserved,
        Some(c) if c.state == claim_state::HELD && c.held_until.is_some_and(|t| t > now) => {
            BoothStatus::Held
        }
        _ if blocked => BoothStatus::Blocked,
        _ => BoothStatus::Free,
    }
}

/// The map as `viewer_firm` sees it (holds past their time read as free).
pub async fn fair_map(
    db: &Db,
    fair_id: Uuid,
    viewer_firm: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<FairMap> {
    hall_map(db, fair_id, None, viewer_firm, now).await
}

/// The same with only the booths of hall `hall` ("": the first hall;
/// every hall, zone and type still listed): what a plan page shows. A hall
/// that is not there has no booths.
pub async fn hall_map(
    db: &Db,
    fair_id: Uuid,
    hall: Option<&str>,
    viewer_firm: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<FairMap> {
    let conn = db.read();
    let f: Fair = fair_exists(conn, fair_id).await?.into();
    let zones = zone::Entity::find()
        .filter(zone::Column::FairId.eq(fair_id))
        .order_by_asc(zone::Column::Code)
        .all(conn)
        .await?;
    let types = booth_type::Entity::find()
        .filter(booth_type::Column::FairId.eq(fair_id))
        .order_by_asc(booth_type::Column::PricePerM2)
        .all(conn)
        .await?;
    let halls = hall::Entity::find()
        .filter(hall::Column::FairId.eq(fair_id))
        .order_by_asc(hall::Column::Code)
        .all(conn)
        .await?;
    let features = feature::Entity::find()
        .filter(feature::Column::HallId.is_in(halls.iter().map(|h| h.id).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    let mut booths = booth::Entity::find().filter(booth::Column::FairId.eq(fair_id));
    let mut claims = claim::Entity::find()
        .filter(claim::Column::FairId.eq(fair_id))
        .filter(claim::Column::LiveBoothId.is_not_null());
    if let Some(code) = hall {
        // A hall of a big fair: its booths only, and only their claims.
        let id = if code.is_empty() {
            halls.first()
        } else {
            halls.iter().find(|h| h.code == code)
        }
        .map(|h| h.id);
        booths = booths.filter(booth::Column::HallId.eq(id.unwrap_or(Uuid::nil())));
        claims = claims.filter(
            claim::Column::BoothId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(booth::Column::Id)
                    .from(booth::Entity)
                    .and_where(booth::Column::HallId.eq(id.unwrap_or(Uuid::nil())))
                    .to_owned(),
            ),
        );
    }
    let booths = booths.order_by_asc(booth::Column::Code).all(conn).await?;
    let claims: HashMap<Uuid, claim::Model> = claims
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.booth_id, c))
        .collect();
    let firm_ids: Vec<Uuid> = claims
        .values()
        .filter(|c| c.state != claim_state::HELD)
        .map(|c| c.firm_id)
        .collect();
    let firms: HashMap<Uuid, firm::Model> = firm::Entity::find()
        .filter(firm::Column::Id.is_in(firm_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let booths = booths
        .into_iter()
        .map(|b| {
            let c = claims.get(&b.id);
            let status = status_of(c, b.blocked, now);
            let t = types.iter().find(|t| t.id == b.type_id);
            let live = c.filter(|_| status != BoothStatus::Free && status != BoothStatus::Blocked);
            let public_firm = live
                .filter(|c| c.state != claim_state::HELD)
                .and_then(|c| firms.get(&c.firm_id));
            let mine = live.is_some_and(|c| Some(c.firm_id) == viewer_firm);
            BoothView {
                id: b.id,
                code: b.code.clone(),
                hall_id: b.hall_id,
                hall_code: halls
                    .iter()
                    .find(|h| h.id == b.hall_id)
                    .map(|h| h.code.clone())
                    .unwrap_or_default(),
                x: b.x_dm,
                y: b.y_dm,
                w: b.w_dm,
                d: b.d_dm,
                polygon: b.points(),
                zone_code: zones
                    .iter()
                    .find(|z| z.id == b.zone_id)
                    .map(|z| z.code.clone())
                    .unwrap_or_default(),
                type_code: t.map(|t| t.code.clone()).unwrap_or_default(),
                area_m2: b.area_m2(),
                price: price_of(&b, t, f.vat_percent, 0),
                status,
                firm_id: public_firm.map(|f| f.id),
                firm_name: public_firm.map(|f| f.legal_name.clone()),
                firm_name_en: public_firm.map(|f| f.name_en.clone()),
                mine,
                my_claim: live.filter(|_| mine).map(|c| c.id),
                held_until: live.filter(|_| mine).and_then(|c| c.held_until),
            }
        })
        .collect();
    Ok(FairMap {
        fair: f,
        zones,
        types,
        halls,
        features,
        booths,
    })
}

// ---------------------------------------------------------------------------
// Holding and confirming
// ---------------------------------------------------------------------------

/// A claim as its firm and the organisers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimView {
    pub id: Uuid,
    pub fair_id: Uuid,
    pub fair_slug: String,
    pub booth_id: Uuid,
    pub booth_code: String,
    pub hall_code: String,
    pub zone_code: String,
    pub type_code: String,
    pub area_m2: i64,
    pub firm_id: Uuid,
    pub firm_name: String,
    pub state: String,
    pub held_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub price: Price,
    pub options: Vec<String>,
    pub invoice_no: Option<String>,
    /// An offer from the waiting list.
    pub offered: bool,
}

/// Whether a firm has a confirmed (or paid) booth at a fair.
pub async fn exhibits_at<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    firm_id: Uuid,
) -> Result<bool> {
    Ok(claim::Entity::find()
        .filter(claim::Column::FairId.eq(fair_id))
        .filter(claim::Column::FirmId.eq(firm_id))
        .filter(claim::Column::State.is_in([claim_state::CONFIRMED, claim_state::PAID]))
        .one(conn)
        .await?
        .is_some())
}

/// The approved firm `user` acts for.
async fn acting_firm<C: ConnectionTrait>(conn: &C, user: &SessionUser) -> Result<firm::Model> {
    require_role(Some(user), &[Role::Exhibitor])?;
    let f = firm::Entity::find()
        .filter(
            firm::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(member::Column::FirmId)
                    .from(member::Entity)
                    .and_where(member::Column::UserId.eq(user.id))
                    .to_owned(),
            ),
        )
        .one(conn)
        .await?
        .ok_or(ErrorCode::NoFirm)?;
    if f.status != crate::firms::status::APPROVED {
        return Err(ErrorCode::FirmNotApproved.into());
    }
    Ok(f)
}

/// A booth and its fair.
async fn booth_and_fair<C: ConnectionTrait>(
    conn: &C,
    booth_id: Uuid,
) -> Result<(booth::Model, fair::Model)> {
    let sql = format!(
        "SELECT {}, {} FROM booths b JOIN fairs f ON f.id = b.fair_id WHERE b.id = ?",
        columns_of::<booth::Entity>("b", "b_"),
        columns_of::<fair::Entity>("f", "f_"),
    );
    let row = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            &sql,
            vec![booth_id.into()],
        ))
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok((
        booth::Model::from_query_result(&row, "b_")?,
        fair::Model::from_query_result(&row, "f_")?,
    ))
}

/// Today in the fair's time zone.
fn fair_today(f: &Fair, now: DateTime<Utc>) -> NaiveDate {
    crate::format::day_in(&f.time_zone, now)
}

/// Holds a free booth for the user's firm for the fair's hold time.
///
/// The firm, the booth and its fair are read first; then one statement
/// inserts the claim, re-checking as it writes that the booth is not
/// blocked and the firm is under its hold limit. The claim carries the booth
/// in its `live_booth_id`, which the database keeps unique: whoever inserts
/// second (on any app instance) inserts nothing and gets `booth_taken`. When
/// the insert is refused, a transaction ends a stale hold on the booth and
/// tries once more, or says why not.
pub async fn hold(
    db: &Db,
    user: &SessionUser,
    booth_id: Uuid,
    now: DateTime<Utc>,
) -> Result<ClaimView> {
    let firm = acting_firm(db.read(), user).await?;
    let (b, f) = booth_and_fair(db.read(), booth_id).await?;
    let f: Fair = f.into();
    if !f.booking_open(fair_today(&f, now)) {
        return Err(ErrorCode::BookingClosed.into());
    }
    if b.blocked {
        return Err(ErrorCode::BoothTaken.into());
    }
    let until = now + Duration::minutes(i64::from(f.hold_minutes));
    let id = Uuid::now_v7();
    let backend = db.backend();
    let insert = crate::db::statement(
        backend,
        "INSERT INTO booth_claims (id, fair_id, booth_id, firm_id, state, live_booth_id, \
         held_until, created_at, base_price, surcharge, options, options_price, vat, total, \
         created_by) \
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '[]', 0, 0, 0, ? \
         WHERE NOT EXISTS (SELECT 1 FROM booths WHERE id = ? AND blocked) \
         AND (SELECT COUNT(*) FROM booth_claims \
              WHERE firm_id = ? AND state = ? AND held_until > ?) < ? \
         ON CONFLICT (live_booth_id) DO NOTHING",
        vec![
            id.into(),
            b.fair_id.into(),
            booth_id.into(),
            firm.id.into(),
            claim_state::HELD.into(),
            booth_id.into(),
            until.into(),
            now.into(),
            user.id.into(),
            booth_id.into(),
            firm.id.into(),
            claim_state::HELD.into(),
            now.into(),
            (MAX_HOLDS_PER_FIRM as i64).into(),
        ],
    );
    if backend == DbBackend::Sqlite {
        // One statement is a transaction of its own, and SQLite's single
        // writer runs it whole: the common case, a free booth, needs no more.
        if db
            .write()
            .execute_raw(insert.clone())
            .await?
            .rows_affected()
            == 1
        {
            db.announce(Change::new(Topic::Booths, b.fair_id));
            return claim_view(db.read(), id).await;
        }
    }
    let txn = db.begin().await?;
    if backend == DbBackend::Postgres {
        // One firm's holds are counted under a lock on the firm's row, so
        // two tabs of one firm cannot both slip under the limit.
        firm::Entity::find_by_id(firm.id)
            .lock_exclusive()
            .one(&txn)
            .await?;
    }
    // A hold whose time ran out still names the booth: end it first.
    end_stale_hold(&txn, booth_id, now).await?;
    match txn.execute_raw(insert).await {
        Ok(r) if r.rows_affected() == 1 => {}
        Ok(_) => {
            // Refused: the booth is someone's (or blocked), or the firm holds enough.
            let live = claim::Entity::find()
                .filter(claim::Column::LiveBoothId.eq(booth_id))
                .one(&txn)
                .await?
                .is_some();
            let blocked = booth::Entity::find_by_id(booth_id)
                .one(&txn)
                .await?
                .is_none_or(|b| b.blocked);
            return Err(if live || blocked {
                ErrorCode::BoothTaken
            } else {
                ErrorCode::TooManyHolds
            }
            .into());
        }
        Err(e) if crate::db::unique_violation(&e) => return Err(ErrorCode::BoothTaken.into()),
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, b.fair_id));
    claim_view(db.read(), id).await
}

/// Ends a hold on `booth_id` whose time has run out (inside the caller's
/// transaction), freeing the booth. Returns the ended claim's id.
async fn end_stale_hold<C: ConnectionTrait>(
    conn: &C,
    booth_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let ended = conn
        .query_one_raw(crate::db::statement(
            conn.get_database_backend(),
            "UPDATE booth_claims SET state = ?, live_booth_id = NULL, ended_at = ? \
             WHERE live_booth_id = ? AND state = ? AND held_until <= ? \
             RETURNING id, application_id",
            vec![
                claim_state::EXPIRED.into(),
                now.into(),
                booth_id.into(),
                claim_state::HELD.into(),
                now.into(),
            ],
        ))
        .await?;
    let Some(row) = ended else { return Ok(None) };
    let id: Uuid = row.try_get("", "id")?;
    let application: Option<Uuid> = row.try_get("", "application_id")?;
    if let Some(app_id) = application {
        application::Entity::update_many()
            .col_expr(application::Column::Status, Expr::value(app_state::LAPSED))
            .col_expr(
                application::Column::BoothId,
                Expr::value(Option::<Uuid>::None),
            )
            .filter(application::Column::Id.eq(app_id))
            .filter(application::Column::Status.eq(app_state::OFFERED))
            .exec(conn)
            .await?;
    }
    Ok(Some(id))
}

/// The next invoice number of a fair ("PF2026-00042").
async fn next_invoice_no<C: ConnectionTrait>(conn: &C, f: &Fair) -> Result<String> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "INSERT INTO invoice_counters (fair_id, last) VALUES ($1, 1) \
                     ON CONFLICT (fair_id) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last"
                }
                _ => {
                    "INSERT INTO invoice_counters (fair_id, last) VALUES (?, 1) \
                     ON CONFLICT (fair_id) DO UPDATE SET last = invoice_counters.last + 1 RETURNING last"
                }
            },
            [f.id.into()],
        ))
        .await?
        .ok_or_else(|| Error::internal("invoice counter returned nothing"))?;
    let last: i64 = row.try_get("", "last")?;
    Ok(format!(
        "PF{}-{last:05}",
        chrono::Datelike::year(&f.starts_on)
    ))
}

/// Confirms a hold: the booking with its price, a pro-forma invoice, a mail
/// with the invoice to the firm. A hold whose time ran out is ended and
/// refused with `hold_expired`.
///
/// The claim with its booth, fair and recipients is read first; the write
/// transaction books it only if it is still the same live hold (held, in
/// time, on the same booth), so what was read is what gets booked.
pub async fn confirm(
    db: &Db,
    user: &SessionUser,
    claim_id: Uuid,
    extras: &[String],
    links: &Links,
    now: DateTime<Utc>,
) -> Result<ClaimView> {
    let chosen = pricing::extras(extras).ok_or(Error::field(ErrorCode::InvalidField, "options"))?;
    let extras_price: i64 = chosen.iter().map(|e| e.price).sum();
    let firm = acting_firm(db.read(), user).await?;
    // An organiser may move the hold to another booth meanwhile: then the
    // claim is read again, once.
    for _ in 0..2 {
        let row = claim_row(db.read(), claim_id).await?;
        if row.claim.firm_id != firm.id {
            return Err(ErrorCode::Forbidden.into());
        }
        if row.claim.state != claim_state::HELD {
            return Err(ErrorCode::WrongState.into());
        }
        let to = FirmMail::of(db.read(), &row).await?;
        let event = if row.claim.application_id.is_some() {
            BookingEvent::Allocated
        } else {
            BookingEvent::Confirmed
        };
        let txn = db.begin().await?;
        let booked = book(
            &txn,
            &row,
            &to,
            &chosen,
            extras_price,
            Some(user.id),
            event,
            links,
            now,
            Some(now),
        )
        .await?;
        if let Some(view) = booked {
            txn.commit().await?;
            db.announce(Change::new(Topic::Booths, row.claim.fair_id));
            return Ok(view);
        }
        // Not the hold that was read any more: nothing of this attempt stays
        // (its invoice number included); say why.
        txn.rollback().await?;
        let txn = db.begin().await?;
        let c = claim::Entity::find_by_id(claim_id)
            .one(&txn)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        if c.state != claim_state::HELD {
            return Err(ErrorCode::WrongState.into());
        }
        if c.held_until.is_none_or(|t| t <= now) {
            end_stale_hold(&txn, c.booth_id, now).await?;
            txn.commit().await?;
            db.announce(Change::new(Topic::Booths, c.fair_id));
            return Err(ErrorCode::HoldExpired.into());
        }
    }
    Err(ErrorCode::WrongState.into())
}

/// Turns a held claim into a booking (inside the caller's transaction):
/// price, invoice number, audit entry, mail. Returns `None` when the claim
/// is no longer held on the booth `row` names, or (with `valid_at`) its hold
/// has run out by then: the caller must then roll back, for the fair's
/// invoice counter has moved.
#[allow(clippy::too_many_arguments)]
async fn book<C: ConnectionTrait>(
    conn: &C,
    row: &ClaimRow,
    to: &FirmMail,
    chosen: &[&pricing::Extra],
    extras_price: i64,
    actor: Option<Uuid>,
    event: BookingEvent,
    links: &Links,
    now: DateTime<Utc>,
    valid_at: Option<DateTime<Utc>>,
) -> Result<Option<ClaimView>> {
    let f: Fair = row.fair.clone().into();
    let price = price_of(
        &row.booth,
        row.booth_type.as_ref(),
        f.vat_percent,
        extras_price,
    );
    let options: Vec<&str> = chosen.iter().map(|e| e.code).collect();
    let options = serde_json::to_string(&options).unwrap_or_default();
    // The fair's invoice counter stays locked from here to the commit (the
    // numbers are gapless): only a few writes follow.
    let invoice_no = next_invoice_no(conn, &f).await?;
    let mut update = claim::Entity::update_many()
        .col_expr(claim::Column::State, Expr::value(claim_state::CONFIRMED))
        .col_expr(
            claim::Column::HeldUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(claim::Column::ConfirmedAt, Expr::value(now))
        .col_expr(claim::Column::BasePrice, Expr::value(price.base))
        .col_expr(claim::Column::Surcharge, Expr::value(price.surcharge))
        .col_expr(claim::Column::Options, Expr::value(options.clone()))
        .col_expr(claim::Column::OptionsPrice, Expr::value(price.options))
        .col_expr(claim::Column::Vat, Expr::value(price.vat))
        .col_expr(claim::Column::Total, Expr::value(price.total))
        .col_expr(claim::Column::InvoiceNo, Expr::value(invoice_no.clone()))
        .filter(claim::Column::Id.eq(row.claim.id))
        .filter(claim::Column::State.eq(claim_state::HELD))
        .filter(claim::Column::BoothId.eq(row.booth.id));
    if let Some(t) = valid_at {
        update = update.filter(claim::Column::HeldUntil.gt(t));
    }
    if update.exec(conn).await?.rows_affected != 1 {
        return Ok(None);
    }
    if let Some(app_id) = row.claim.application_id {
        application::Entity::update_many()
            .col_expr(
                application::Column::Status,
                Expr::value(app_state::ALLOCATED),
            )
            .col_expr(
                application::Column::BoothId,
                Expr::value(Some(row.booth.id)),
            )
            .filter(application::Column::Id.eq(app_id))
            .exec(conn)
            .await?;
    }
    let mut booked = row.clone();
    booked.claim.state = claim_state::CONFIRMED.into();
    booked.claim.held_until = None;
    booked.claim.confirmed_at = Some(now);
    booked.claim.base_price = price.base;
    booked.claim.surcharge = price.surcharge;
    booked.claim.options = options;
    booked.claim.options_price = price.options;
    booked.claim.vat = price.vat;
    booked.claim.total = price.total;
    booked.claim.invoice_no = Some(invoice_no.clone());
    let view = booked.view();
    audit::record(
        conn,
        actor,
        "booking.confirmed",
        "claim",
        Some(row.claim.id),
        serde_json::json!({ "booth": row.booth.code, "invoice": invoice_no, "total": price.total }),
        now,
    )
    .await?;
    send_firm_mail(conn, to, &view, event, "", links, true, now).await?;
    Ok(Some(view))
}

/// Gives up the firm's own hold.
pub async fn give_up(
    db: &Db,
    user: &SessionUser,
    claim_id: Uuid,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm = acting_firm(&txn, user).await?;
    let c = claim::Entity::find_by_id(claim_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if c.firm_id != firm.id {
        return Err(ErrorCode::Forbidden.into());
    }
    if c.state != claim_state::HELD {
        return Err(ErrorCode::WrongState.into());
    }
    end_claim_row(&txn, &c, claim_state::RELEASED, now).await?;
    if let Some(app_id) = c.application_id {
        application::Entity::update_many()
            .col_expr(
                application::Column::Status,
                Expr::value(app_state::WITHDRAWN),
            )
            .filter(application::Column::Id.eq(app_id))
            .exec(&txn)
            .await?;
    }
    offer_to_waitlist(&txn, c.booth_id, links, now).await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, c.fair_id));
    Ok(())
}

async fn end_claim_row<C: ConnectionTrait>(
    conn: &C,
    c: &claim::Model,
    state: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = claim::Entity::update_many()
        .col_expr(claim::Column::State, Expr::value(state))
        .col_expr(
            claim::Column::LiveBoothId,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(claim::Column::EndedAt, Expr::value(now))
        .filter(claim::Column::Id.eq(c.id))
        .filter(claim::Column::State.eq(c.state.as_str()))
        .exec(conn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ErrorCode::WrongState.into());
    }
    Ok(())
}

/// The organisers record the payment of a booking.
pub async fn mark_paid(
    db: &Db,
    organiser: &SessionUser,
    claim_id: Uuid,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let txn = db.begin().await?;
    let c = claim::Entity::find_by_id(claim_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if c.state != claim_state::CONFIRMED {
        return Err(ErrorCode::WrongState.into());
    }
    claim::Entity::update_many()
        .col_expr(claim::Column::State, Expr::value(claim_state::PAID))
        .col_expr(claim::Column::PaidAt, Expr::value(now))
        .filter(claim::Column::Id.eq(claim_id))
        .filter(claim::Column::State.eq(claim_state::CONFIRMED))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "booking.paid",
        "claim",
        Some(claim_id),
        serde_json::json!({ "total": c.total }),
        now,
    )
    .await?;
    let view = claim_view(&txn, claim_id).await?;
    mail_firm(&txn, &view, BookingEvent::Paid, "", links, false, now).await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, c.fair_id));
    Ok(())
}

/// How the organisers end a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// A booking is annulled (unpaid, withdrawn).
    Cancel,
    /// A hold or booking is taken back and the booth freed.
    Release,
}

/// The organisers end a hold or booking; the booth goes to the first firm on
/// the waiting list that fits it, or back on sale.
pub async fn end_claim(
    db: &Db,
    organiser: &SessionUser,
    claim_id: Uuid,
    ending: Ending,
    reason: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let reason = crate::text::multiline(reason, "reason", 0, 500)?;
    let txn = db.begin().await?;
    let c = claim::Entity::find_by_id(claim_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if !claim_state::LIVE.contains(&c.state.as_str()) {
        return Err(ErrorCode::WrongState.into());
    }
    let (state, event) = match ending {
        Ending::Cancel => (claim_state::CANCELLED, BookingEvent::Cancelled),
        Ending::Release => (claim_state::RELEASED, BookingEvent::Released),
    };
    end_claim_row(&txn, &c, state, now).await?;
    if let Some(app_id) = c.application_id {
        application::Entity::update_many()
            .col_expr(
                application::Column::Status,
                Expr::value(app_state::WITHDRAWN),
            )
            .filter(application::Column::Id.eq(app_id))
            .exec(&txn)
            .await?;
    }
    audit::record(
        &txn,
        Some(organiser.id),
        &format!("booking.{state}"),
        "claim",
        Some(claim_id),
        serde_json::json!({ "from": c.state, "reason": reason }),
        now,
    )
    .await?;
    let view = claim_view(&txn, claim_id).await?;
    mail_firm(&txn, &view, event, &reason, links, false, now).await?;
    offer_to_waitlist(&txn, c.booth_id, links, now).await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, c.fair_id));
    Ok(())
}

/// The organisers move a hold or booking to another free booth; the price
/// and invoice follow the new booth.
pub async fn move_claim(
    db: &Db,
    organiser: &SessionUser,
    claim_id: Uuid,
    to_booth: Uuid,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let txn = db.begin().await?;
    let c = claim::Entity::find_by_id(claim_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if !claim_state::LIVE.contains(&c.state.as_str()) {
        return Err(ErrorCode::WrongState.into());
    }
    let target = booth::Entity::find_by_id(to_booth)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if target.fair_id != c.fair_id || target.id == c.booth_id {
        return Err(Error::field(ErrorCode::InvalidField, "booth"));
    }
    if target.blocked {
        return Err(ErrorCode::BoothTaken.into());
    }
    end_stale_hold(&txn, to_booth, now).await?;
    let moved = reassign(&txn, &c, &target).await;
    match moved {
        Err(e) if crate::db::unique_violation(&e) => return Err(ErrorCode::BoothTaken.into()),
        other => other?,
    }
    let from = booth::Entity::find_by_id(c.booth_id)
        .one(&txn)
        .await?
        .map(|b| b.code)
        .unwrap_or_default();
    audit::record(
        &txn,
        Some(organiser.id),
        "booking.moved",
        "claim",
        Some(claim_id),
        serde_json::json!({ "from": from, "to": target.code }),
        now,
    )
    .await?;
    let view = claim_view(&txn, claim_id).await?;
    if c.state != claim_state::HELD {
        mail_firm(&txn, &view, BookingEvent::Moved, "", links, true, now).await?;
    }
    offer_to_waitlist(&txn, c.booth_id, links, now).await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, c.fair_id));
    Ok(())
}

/// Points a claim at another booth and prices it again (bookings keep their
/// extras; a paid booking keeps what was paid on record in the audit log).
async fn reassign<C: ConnectionTrait>(
    conn: &C,
    c: &claim::Model,
    target: &booth::Model,
) -> std::result::Result<(), DbErr> {
    let f = fair::Entity::find_by_id(c.fair_id)
        .one(conn)
        .await?
        .map(Fair::from);
    let t = booth_type::Entity::find_by_id(target.type_id)
        .one(conn)
        .await?;
    let vat = f
        .map(|f| f.vat_percent)
        .unwrap_or(crate::fairs::DEFAULT_VAT_PERCENT);
    let price = price_of(target, t.as_ref(), vat, c.options_price);
    let live = claim_state::LIVE.contains(&c.state.as_str()) && c.state != claim_state::HELD;
    let mut update = claim::Entity::update_many()
        .col_expr(claim::Column::BoothId, Expr::value(target.id))
        .col_expr(claim::Column::LiveBoothId, Expr::value(Some(target.id)));
    if live {
        update = update
            .col_expr(claim::Column::BasePrice, Expr::value(price.base))
            .col_expr(claim::Column::Surcharge, Expr::value(price.surcharge))
            .col_expr(claim::Column::Vat, Expr::value(price.vat))
            .col_expr(claim::Column::Total, Expr::value(price.total));
    }
    update.filter(claim::Column::Id.eq(c.id)).exec(conn).await?;
    Ok(())
}

/// The organisers swap the booths of two live claims.
pub async fn swap_claims(
    db: &Db,
    organiser: &SessionUser,
    a: Uuid,
    b: Uuid,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    if a == b {
        return Err(Error::field(ErrorCode::InvalidField, "other"));
    }
    let txn = db.begin().await?;
    let ca = claim::Entity::find_by_id(a)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let cb = claim::Entity::find_by_id(b)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    for c in [&ca, &cb] {
        if !claim_state::LIVE.contains(&c.state.as_str()) {
            return Err(ErrorCode::WrongState.into());
        }
    }
    if ca.fair_id != cb.fair_id {
        return Err(Error::field(ErrorCode::InvalidField, "other"));
    }
    let ba = booth::Entity::find_by_id(ca.booth_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let bb = booth::Entity::find_by_id(cb.booth_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    // Free one booth first so that the unique rule holds at every step.
    claim::Entity::update_many()
        .col_expr(
            claim::Column::LiveBoothId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(claim::Column::Id.eq(ca.id))
        .exec(&txn)
        .await?;
    reassign(&txn, &cb, &ba).await?;
    reassign(&txn, &ca, &bb).await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "booking.swapped",
        "claim",
        Some(a),
        serde_json::json!({ "a": ba.code, "b": bb.code, "other": b }),
        now,
    )
    .await?;
    for id in [a, b] {
        let view = claim_view(&txn, id).await?;
        if view.state != claim_state::HELD {
            mail_firm(&txn, &view, BookingEvent::Moved, "", links, true, now).await?;
        }
    }
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, ca.fair_id));
    Ok(())
}

/// Ends holds whose time has run out and offers their booths to the
/// waiting list. Run by a worker every few seconds; reads treat such holds
/// as free anyway. Returns how many holds ended.
pub async fn expire_holds(db: &Db, links: &Links, now: DateTime<Utc>) -> Result<u64> {
    let due = claim::Entity::find()
        .filter(claim::Column::State.eq(claim_state::HELD))
        .filter(claim::Column::HeldUntil.lte(now))
        .order_by_asc(claim::Column::HeldUntil)
        .limit(200)
        .all(db.read())
        .await?;
    let mut ended = 0;
    for c in due {
        let txn = db.begin().await?;
        let over = end_stale_hold(&txn, c.booth_id, now).await?.is_some();
        if over {
            offer_to_waitlist(&txn, c.booth_id, links, now).await?;
            ended += 1;
        }
        txn.commit().await?;
        if over {
            db.announce(Change::new(Topic::Booths, c.fair_id));
        }
    }
    Ok(ended)
}

// ---------------------------------------------------------------------------
// Claims as pages show them; invoices
// ---------------------------------------------------------------------------

/// `alias.column AS prefixcolumn` for every column of `E`.
fn columns_of<E: EntityTrait>(alias: &str, prefix: &str) -> String {
    E::Column::iter()
        .map(|c| format!("{alias}.{0} AS {prefix}{0}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A claim with what its view, its price and its mail are made of.
#[derive(Debug, Clone)]
struct ClaimRow {
    claim: claim::Model,
    booth: booth::Model,
    booth_type: Option<booth_type::Model>,
    fair: fair::Model,
    hall_code: String,
    zone_code: String,
    firm_vi: String,
    firm_en: String,
}

/// Claims by id with their booth, type, hall, zone, fair and firm, in one
/// query per thousand claims (in no particular order).
async fn claim_rows<C: ConnectionTrait>(conn: &C, ids: &[Uuid]) -> Result<Vec<ClaimRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let sql = format!(
            "SELECT {}, {}, {}, {}, h.code AS hall_code, z.code AS zone_code, \
             fi.legal_name AS firm_vi, fi.name_en AS firm_en \
             FROM booth_claims c \
             JOIN booths b ON b.id = c.booth_id \
             JOIN fairs f ON f.id = c.fair_id \
             JOIN firms fi ON fi.id = c.firm_id \
             LEFT JOIN booth_types t ON t.id = b.type_id \
             LEFT JOIN halls h ON h.id = b.hall_id \
             LEFT JOIN zones z ON z.id = b.zone_id \
             WHERE c.id IN ({})",
            columns_of::<claim::Entity>("c", "c_"),
            columns_of::<booth::Entity>("b", "b_"),
            columns_of::<booth_type::Entity>("t", "t_"),
            columns_of::<fair::Entity>("f", "f_"),
            vec!["?"; chunk.len()].join(", ")
        );
        let rows = conn
            .query_all_raw(crate::db::statement(
                conn.get_database_backend(),
                &sql,
                chunk.iter().map(|id| (*id).into()).collect(),
            ))
            .await?;
        for r in rows {
            out.push(ClaimRow {
                claim: claim::Model::from_query_result(&r, "c_")?,
                booth: booth::Model::from_query_result(&r, "b_")?,
                booth_type: booth_type::Model::from_query_result_optional(&r, "t_")?,
                fair: fair::Model::from_query_result(&r, "f_")?,
                hall_code: r
                    .try_get::<Option<String>>("", "hall_code")?
                    .unwrap_or_default(),
                zone_code: r
                    .try_get::<Option<String>>("", "zone_code")?
                    .unwrap_or_default(),
                firm_vi: r.try_get("", "firm_vi")?,
                firm_en: r.try_get("", "firm_en")?,
            });
        }
    }
    Ok(out)
}

async fn claim_row<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<ClaimRow> {
    claim_rows(conn, &[id])
        .await?
        .pop()
        .ok_or_else(|| ErrorCode::NotFound.into())
}

impl ClaimRow {
    fn view(&self) -> ClaimView {
        let (c, b) = (&self.claim, &self.booth);
        ClaimView {
            id: c.id,
            fair_id: c.fair_id,
            fair_slug: self.fair.slug.clone(),
            booth_id: c.booth_id,
            booth_code: b.code.clone(),
            hall_code: self.hall_code.clone(),
            zone_code: self.zone_code.clone(),
            type_code: self
                .booth_type
                .as_ref()
                .map(|t| t.code.clone())
                .unwrap_or_default(),
            area_m2: b.area_m2(),
            firm_id: c.firm_id,
            firm_name: self.firm_vi.clone(),
            state: c.state.clone(),
            held_until: c.held_until,
            created_at: c.created_at,
            confirmed_at: c.confirmed_at,
            paid_at: c.paid_at,
            ended_at: c.ended_at,
            // A hold has no price of its own yet: it shows the quote of the
            // booth as it stands (options are chosen on confirming).
            price: if c.state == claim_state::HELD && c.total == 0 {
                price_of(
                    b,
                    self.booth_type.as_ref(),
                    self.fair
                        .vat_percent
                        .unwrap_or(crate::fairs::DEFAULT_VAT_PERCENT),
                    0,
                )
            } else {
                Price {
                    base: c.base_price,
                    surcharge: c.surcharge,
                    options: c.options_price,
                    vat: c.vat,
                    total: c.total,
                }
            },
            options: serde_json::from_str(&c.options).unwrap_or_default(),
            invoice_no: c.invoice_no.clone(),
            offered: c.application_id.is_some() && c.state == claim_state::HELD,
        }
    }
}

async fn claim_view<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<ClaimView> {
    Ok(claim_row(conn, id).await?.view())
}

/// Views of `claims`, in their order.
async fn claim_views<C: ConnectionTrait>(
    conn: &C,
    claims: Vec<claim::Model>,
) -> Result<Vec<ClaimView>> {
    let ids: Vec<Uuid> = claims.iter().map(|c| c.id).collect();
    let mut rows: HashMap<Uuid, ClaimRow> = claim_rows(conn, &ids)
        .await?
        .into_iter()
        .map(|r| (r.claim.id, r))
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| rows.remove(id))
        .map(|r| r.view())
        .collect())
}

/// The holds and bookings of the user's firm, live ones first.
pub async fn my_claims(db: &Db, user: &SessionUser, now: DateTime<Utc>) -> Result<Vec<ClaimView>> {
    require_role(Some(user), &[Role::Exhibitor])?;
    let Some((firm_id, _)) = crate::firms::profile::membership(db.read(), user.id).await? else {
        return Ok(Vec::new());
    };
    let claims = claim::Entity::find()
        .filter(claim::Column::FirmId.eq(firm_id))
        .order_by_desc(claim::Column::CreatedAt)
        .limit(200)
        .all(db.read())
        .await?;
    let mut views = claim_views(db.read(), claims).await?;
    for v in &mut views {
        if v.state == claim_state::HELD && v.held_until.is_none_or(|t| t <= now) {
            v.state = claim_state::EXPIRED.into();
        }
    }
    views.sort_by_key(|v| {
        (
            !claim_state::LIVE.contains(&v.state.as_str()),
            std::cmp::Reverse(v.created_at),
        )
    });
    Ok(views)
}

/// Claims shown per page of the organisers' list.
pub const CLAIMS_PAGE: u64 = 100;

/// One page of a fair's claims.
#[derive(Debug, Clone)]
pub struct ClaimsPage {
    pub rows: Vec<ClaimView>,
    pub page: u64,
    pub has_more: bool,
}

/// A fair's claims for the organisers, filtered by state ("" for live
/// ones), in booth order, [`CLAIMS_PAGE`] at a time.
pub async fn fair_claims(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    state: &str,
    page: u64,
    now: DateTime<Utc>,
) -> Result<ClaimsPage> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let mut values: Vec<sea_orm::Value> = vec![fair_id.into()];
    let which = match state {
        "" | "live" => "c.live_booth_id IS NOT NULL",
        s if claim_state::ALL.contains(&s) => {
            values.push(s.into());
            "c.state = ?"
        }
        _ => return Err(Error::field(ErrorCode::InvalidField, "state")),
    };
    values.push((CLAIMS_PAGE as i64 + 1).into());
    values.push(((page.min(10_000) * CLAIMS_PAGE) as i64).into());
    let sql = format!(
        "SELECT c.id FROM booth_claims c JOIN booths b ON b.id = c.booth_id \
         WHERE c.fair_id = ? AND {which} ORDER BY b.code, c.created_at DESC, c.id LIMIT ? OFFSET ?"
    );
    let mut ids: Vec<Uuid> = Vec::new();
    for row in db
        .read()
        .query_all_raw(crate::db::statement(db.backend(), &sql, values))
        .await?
    {
        ids.push(row.try_get_by_index::<Uuid>(0)?);
    }
    let has_more = ids.len() as u64 > CLAIMS_PAGE;
    ids.truncate(CLAIMS_PAGE as usize);
    let claims = claim::Entity::find()
        .filter(claim::Column::Id.is_in(ids.clone()))
        .all(db.read())
        .await?;
    let mut views = claim_views(db.read(), claims).await?;
    for v in &mut views {
        if v.state == claim_state::HELD && v.held_until.is_none_or(|t| t <= now) {
            v.state = claim_state::EXPIRED.into();
        }
    }
    let order: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    views.sort_by_key(|v| order.get(&v.id).copied().unwrap_or(usize::MAX));
    Ok(ClaimsPage {
        rows: views,
        page,
        has_more,
    })
}

/// The pro-forma invoice of a booking, for its firm's members and the
/// organisers: (file name, PDF).
pub async fn invoice(db: &Db, user: &SessionUser, claim_id: Uuid) -> Result<(String, Vec<u8>)> {
    require_role(Some(user), &[Role::Organiser, Role::Exhibitor])?;
    let c = claim::Entity::find_by_id(claim_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if user.role == Role::Exhibitor {
        let mine = crate::firms::profile::membership(db.read(), user.id)
            .await?
            .map(|(f, _)| f);
        if mine != Some(c.firm_id) {
            // Another firm's invoice does not exist for this reader.
            return Err(ErrorCode::NotFound.into());
        }
    }
    if c.invoice_no.is_none() {
        return Err(ErrorCode::NotFound.into());
    }
    let view = claim_view(db.read(), claim_id).await?;
    let pdf = invoice_pdf(db.read(), &view).await?;
    Ok((
        format!("{}.pdf", view.invoice_no.clone().unwrap_or_default()),
        pdf,
    ))
}

/// The invoice of a booking as it is mailed (no reader's rights to check:
/// the mail goes to the firm's own admins).
pub async fn invoice_for_mail(db: &Db, claim_id: Uuid) -> Result<(String, Vec<u8>)> {
    let view = claim_view(db.read(), claim_id).await?;
    let pdf = invoice_pdf(db.read(), &view).await?;
    Ok((
        format!("{}.pdf", view.invoice_no.clone().unwrap_or_default()),
        pdf,
    ))
}

async fn invoice_pdf<C: ConnectionTrait>(conn: &C, v: &ClaimView) -> Result<Vec<u8>> {
    let f: Fair = fair_exists(conn, v.fair_id).await?.into();
    let firm = firm::Entity::find_by_id(v.firm_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let b = booth::Entity::find_by_id(v.booth_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let t = booth_type::Entity::find_by_id(b.type_id).one(conn).await?;
    let h = hall::Entity::find_by_id(b.hall_id).one(conn).await?;
    let z = zone::Entity::find_by_id(b.zone_id).one(conn).await?;
    let money = |n: i64| crate::format::integer(n, Locale::Vi);
    let issued = v.confirmed_at.unwrap_or(v.created_at);
    let zone_offset = crate::format::offset_or_default(&f.time_zone);
    let issued_day = issued.with_timezone(&zone_offset).date_naive();
    let due = (issued_day + Duration::days(PAYMENT_DAYS))
        .min(f.starts_on.pred_opt().unwrap_or(f.starts_on))
        .max(issued_day);
    let mut lines = vec![(
        match t.as_ref() {
            Some(t) if b.price_override.is_none() => format!(
                "Thuê gian hàng / Booth rental: {} m² × {}",
                b.area_m2(),
                money(t.price_per_m2)
            ),
            _ => "Thuê gian hàng / Booth rental (giá trọn gói / set price)".to_string(),
        },
        money(v.price.base),
    )];
    if v.price.surcharge > 0 {
        lines.push((
            format!(
                "Phụ phí mặt thoáng / Open-side surcharge {}%",
                t.as_ref().map(|t| t.surcharge_percent).unwrap_or(0)
            ),
            money(v.price.surcharge),
        ));
    }
    for code in &v.options {
        if let Some(e) = pricing::EXTRAS.iter().find(|e| e.code == code.as_str()) {
            lines.push((format!("{} / {}", e.name_vi, e.name_en), money(e.price)));
        }
    }
    lines.push((
        format!("Thuế GTGT / VAT {}%", f.vat_percent),
        money(v.price.vat),
    ));
    let data = super::invoice::InvoiceData {
        number: v.invoice_no.clone().unwrap_or_default(),
        issued_on: crate::format::date(issued_day, Locale::Vi),
        due_on: crate::format::date(due, Locale::Vi),
        fair_vi: f.name_vi.clone(),
        fair_en: f.name_en.clone(),
        venue: format!("{} · {} · {}", f.venue_vi, f.city, crate::format::date_range(f.starts_on, f.ends_on, Locale::Vi)),
        buyer_name: firm.legal_name.clone(),
        buyer_tax_code: firm.tax_code.clone(),
        buyer_address: firm.address.clone(),
        booth_summary: format!(
            "Gian hàng / Booth {} · {} {} · {} · {} m²",
            v.booth_code,
            h.as_ref().map(|h| h.name_vi.as_str()).unwrap_or(""),
            h.as_ref().map(|h| format!("/ {}", h.name_en)).unwrap_or_default(),
            z.as_ref().map(|z| format!("{} / {}", z.name_vi, z.name_en)).unwrap_or_default(),
            v.area_m2
        ),
        lines,
        total: format!("{} ₫", money(v.price.total)),
        note: "Hóa đơn tạm tính để thanh toán; hóa đơn GTGT được xuất sau khi nhận thanh toán. \
               This pro-forma invoice is a request for payment; the VAT invoice follows the payment."
            .into(),
    };
    Ok(super::invoice::render(&data))
}

/// Mails a firm's admins (and whoever confirmed) about its booking.
/// Who gets a firm's booking mail, read before any lock is taken.
struct FirmMail {
    fair: fair::Model,
    /// The firm's names, in Vietnamese and in English.
    firm: (String, String),
    /// The firm's administrators.
    users: Vec<user::Model>,
}

impl FirmMail {
    /// Who hears about `row`'s claim.
    async fn of<C: ConnectionTrait>(conn: &C, row: &ClaimRow) -> Result<FirmMail> {
        Ok(FirmMail {
            fair: row.fair.clone(),
            firm: (row.firm_vi.clone(), row.firm_en.clone()),
            users: firm_admins(conn, row.claim.firm_id).await?,
        })
    }
}

async fn firm_admins<C: ConnectionTrait>(conn: &C, firm_id: Uuid) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find()
        .filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(member::Column::UserId)
                    .from(member::Entity)
                    .and_where(member::Column::FirmId.eq(firm_id))
                    .and_where(member::Column::IsAdmin.eq(true))
                    .to_owned(),
            ),
        )
        .all(conn)
        .await?)
}

async fn firm_recipients<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    firm_id: Uuid,
) -> Result<FirmMail> {
    let fair = fair_exists(conn, fair_id).await?;
    let firm = firm::Entity::find_by_id(firm_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok(FirmMail {
        fair,
        firm: (firm.legal_name, firm.name_en),
        users: firm_admins(conn, firm_id).await?,
    })
}

async fn mail_firm<C: ConnectionTrait>(
    conn: &C,
    v: &ClaimView,
    event: BookingEvent,
    note: &str,
    links: &Links,
    with_invoice: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let to = firm_recipients(conn, v.fair_id, v.firm_id).await?;
    send_firm_mail(conn, &to, v, event, note, links, with_invoice, now).await
}

#[allow(clippy::too_many_arguments)]
async fn send_firm_mail<C: ConnectionTrait>(
    conn: &C,
    to: &FirmMail,
    v: &ClaimView,
    event: BookingEvent,
    note: &str,
    links: &Links,
    with_invoice: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let (f, (firm_vi, firm_en)) = (&to.fair, &to.firm);
    // The PDF is made when the mail is sent, outside this transaction.
    let attachment = if with_invoice && v.invoice_no.is_some() {
        Some(Attachment {
            filename: format!("{}.pdf", v.invoice_no.clone().unwrap_or_default()),
            content_type: crate::mail::INVOICE_LATER.into(),
            content: v.id.to_string().into_bytes(),
            inline_id: None,
        })
    } else {
        None
    };
    let key = format!("booking:{}:{}", v.id, Uuid::now_v7());
    for u in &to.users {
        let locale = Locale::parse(&u.locale).unwrap_or_default();
        let template = Template::Booking {
            event,
            firm: match locale {
                Locale::Vi => firm_vi.clone(),
                Locale::En => firm_en.clone(),
            },
            fair: match locale {
                Locale::Vi => f.name_vi.clone(),
                Locale::En => f.name_en.clone(),
            },
            booth: v.booth_code.clone(),
            amount: crate::format::vnd(v.price.total, locale),
            invoice: v.invoice_no.clone().unwrap_or_default(),
            note: note.to_string(),
            link: links.bookings(),
        };
        crate::mail::enqueue(
            conn,
            OutboundMail {
                to_email: u.email.clone(),
                to_name: u.name.clone(),
                locale,
                template,
                idempotency_key: format!("{key}:{}", u.id),
                attachments: attachment.clone().into_iter().collect(),
                secret: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Applications, the waiting list, the allocation
// ---------------------------------------------------------------------------

/// What a firm asks for when it applies for space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WishInput {
    pub area_m2: i32,
    pub type_code: String,
    /// A zone code, or empty for any zone.
    pub zone: String,
    /// Booth codes, best first (three at most).
    pub preferences: Vec<String>,
    /// Firms not to be placed next to.
    pub avoid: Vec<Uuid>,
}

/// An application as pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationView {
    pub id: Uuid,
    pub firm_id: Uuid,
    pub firm_name: String,
    pub area_m2: i32,
    pub type_code: String,
    pub zone: Option<String>,
    pub preferences: Vec<String>,
    pub avoid: Vec<Uuid>,
    pub avoid_names: Vec<String>,
    pub status: String,
    pub booth: Option<String>,
    pub created_at: DateTime<Utc>,
    pub certified: bool,
}

/// Applies for space (or changes the application while it is pending).
pub async fn apply(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    wish: &WishInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let txn = db.begin().await?;
    let firm = acting_firm(&txn, user).await?;
    let f: Fair = fair_exists(&txn, fair_id).await?.into();
    if f.registration_closes_on
        .is_some_and(|d| fair_today(&f, now) > d)
    {
        return Err(ErrorCode::BookingClosed.into());
    }
    if !(1..=2000).contains(&wish.area_m2) {
        return Err(Error::field(ErrorCode::InvalidField, "area_m2"));
    }
    let t = booth_type::Entity::find()
        .filter(booth_type::Column::FairId.eq(fair_id))
        .filter(booth_type::Column::Code.eq(wish.type_code.trim()))
        .one(&txn)
        .await?
        .ok_or(Error::field(ErrorCode::InvalidField, "type_code"))?;
    let zone_id = match wish.zone.trim() {
        "" => None,
        code => Some(
            zone::Entity::find()
                .filter(zone::Column::FairId.eq(fair_id))
                .filter(zone::Column::Code.eq(code))
                .one(&txn)
                .await?
                .ok_or(Error::field(ErrorCode::InvalidField, "zone"))?
                .id,
        ),
    };
    let mut preferences = Vec::new();
    for code in wish
        .preferences
        .iter()
        .map(|p| p.trim().to_ascii_uppercase())
        .filter(|p| !p.is_empty())
        .take(3)
    {
        let exists = booth::Entity::find()
            .filter(booth::Column::FairId.eq(fair_id))
            .filter(booth::Column::Code.eq(code.as_str()))
            .one(&txn)
            .await?
            .is_some();
        if !exists {
            return Err(Error::field(ErrorCode::InvalidField, "preferences"));
        }
        if !preferences.contains(&code) {
            preferences.push(code);
        }
    }
    let avoid: Vec<Uuid> = wish
        .avoid
        .iter()
        .copied()
        .filter(|a| *a != firm.id)
        .take(20)
        .collect();
    let known = firm::Entity::find()
        .filter(firm::Column::Id.is_in(avoid.clone()))
        .count(&txn)
        .await?;
    if known as usize != avoid.len() {
        return Err(Error::field(ErrorCode::InvalidField, "avoid"));
    }
    let existing = application::Entity::find()
        .filter(application::Column::FairId.eq(fair_id))
        .filter(application::Column::FirmId.eq(firm.id))
        .one(&txn)
        .await?;
    let id = match existing {
        Some(a)
            if a.status == app_state::PENDING
                || a.status == app_state::WAITLISTED
                || a.status == app_state::WITHDRAWN
                || a.status == app_state::LAPSED =>
        {
            let mut row: application::ActiveModel = a.clone().into();
            row.area_m2 = Set(wish.area_m2);
            row.type_code = Set(t.code.clone());
            row.zone_id = Set(zone_id);
            row.preferences = Set(serde_json::to_string(&preferences).unwrap_or_default());
            row.avoid = Set(serde_json::to_string(&avoid).unwrap_or_default());
            if a.status == app_state::WITHDRAWN || a.status == app_state::LAPSED {
                row.status = Set(app_state::PENDING.into());
                row.created_at = Set(now);
            }
            row.update(&txn).await?;
            a.id
        }
        Some(_) => return Err(ErrorCode::WrongState.into()),
        None => {
            let id = Uuid::now_v7();
            application::ActiveModel {
                id: Set(id),
                fair_id: Set(fair_id),
                firm_id: Set(firm.id),
                area_m2: Set(wish.area_m2),
                type_code: Set(t.code.clone()),
                zone_id: Set(zone_id),
                preferences: Set(serde_json::to_string(&preferences).unwrap_or_default()),
                avoid: Set(serde_json::to_string(&avoid).unwrap_or_default()),
                status: Set(app_state::PENDING.into()),
                booth_id: Set(None),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            id
        }
    };
    audit::record(
        &txn,
        Some(user.id),
        "application.saved",
        "firm",
        Some(firm.id),
        serde_json::json!({ "fair": fair_id, "area": wish.area_m2, "type": t.code }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Withdraws the firm's pending or waitlisted application.
pub async fn withdraw(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm = acting_firm(&txn, user).await?;
    let done = application::Entity::update_many()
        .col_expr(
            application::Column::Status,
            Expr::value(app_state::WITHDRAWN),
        )
        .filter(application::Column::FairId.eq(fair_id))
        .filter(application::Column::FirmId.eq(firm.id))
        .filter(application::Column::Status.is_in([app_state::PENDING, app_state::WAITLISTED]))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ErrorCode::WrongState.into());
    }
    audit::record(
        &txn,
        Some(user.id),
        "application.withdrawn",
        "firm",
        Some(firm.id),
        serde_json::json!({ "fair": fair_id }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn application_views<C: ConnectionTrait>(
    conn: &C,
    apps: Vec<application::Model>,
) -> Result<Vec<ApplicationView>> {
    let firm_ids: HashSet<Uuid> = apps
        .iter()
        .flat_map(|a| {
            let avoid: Vec<Uuid> = serde_json::from_str(&a.avoid).unwrap_or_default();
            std::iter::once(a.firm_id).chain(avoid)
        })
        .collect();
    let firms: HashMap<Uuid, firm::Model> = firm::Entity::find()
        .filter(firm::Column::Id.is_in(firm_ids.iter().copied().collect::<Vec<_>>()))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| (f.id, f))
        .collect();
    let certified: HashSet<Uuid> = certificate::Entity::find()
        .filter(
            certificate::Column::FirmId.is_in(apps.iter().map(|a| a.firm_id).collect::<Vec<_>>()),
        )
        .filter(certificate::Column::VerifiedAt.is_not_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.firm_id)
        .collect();
    let zone_ids: Vec<Uuid> = apps.iter().filter_map(|a| a.zone_id).collect();
    let zones: HashMap<Uuid, String> = zone::Entity::find()
        .filter(zone::Column::Id.is_in(zone_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|z| (z.id, z.code))
        .collect();
    let booth_ids: Vec<Uuid> = apps.iter().filter_map(|a| a.booth_id).collect();
    let booths: HashMap<Uuid, String> = booth::Entity::find()
        .filter(booth::Column::Id.is_in(booth_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    Ok(apps
        .into_iter()
        .map(|a| {
            let avoid: Vec<Uuid> = serde_json::from_str(&a.avoid).unwrap_or_default();
            ApplicationView {
                id: a.id,
                firm_id: a.firm_id,
                firm_name: firms
                    .get(&a.firm_id)
                    .map(|f| f.legal_name.clone())
                    .unwrap_or_default(),
                area_m2: a.area_m2,
                type_code: a.type_code.clone(),
                zone: a.zone_id.and_then(|z| zones.get(&z).cloned()),
                preferences: serde_json::from_str(&a.preferences).unwrap_or_default(),
                avoid_names: avoid
                    .iter()
                    .filter_map(|f| firms.get(f))
                    .map(|f| f.legal_name.clone())
                    .collect(),
                avoid,
                status: a.status.clone(),
                booth: a.booth_id.and_then(|b| booths.get(&b).cloned()),
                created_at: a.created_at,
                certified: certified.contains(&a.firm_id),
            }
        })
        .collect())
}

/// The firm's application for a fair, if any.
pub async fn my_application(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
) -> Result<Option<ApplicationView>> {
    require_role(Some(user), &[Role::Exhibitor])?;
    let Some((firm_id, _)) = crate::firms::profile::membership(db.read(), user.id).await? else {
        return Ok(None);
    };
    let app = application::Entity::find()
        .filter(application::Column::FairId.eq(fair_id))
        .filter(application::Column::FirmId.eq(firm_id))
        .one(db.read())
        .await?;
    Ok(match app {
        Some(a) => application_views(db.read(), vec![a]).await?.pop(),
        None => None,
    })
}

/// A fair's applications for the organisers, oldest first.
pub async fn applications(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
) -> Result<Vec<ApplicationView>> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let apps = application::Entity::find()
        .filter(application::Column::FairId.eq(fair_id))
        .order_by_asc(application::Column::CreatedAt)
        .all(db.read())
        .await?;
    application_views(db.read(), apps).await
}

/// Firms that exhibited at an earlier fair (a booking confirmed or paid).
async fn returning_firms<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    starts_on: NaiveDate,
) -> Result<HashSet<Uuid>> {
    let earlier: Vec<Uuid> = fair::Entity::find()
        .filter(fair::Column::StartsOn.lt(starts_on))
        .filter(fair::Column::Id.ne(fair_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|f| f.id)
        .collect();
    if earlier.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(claim::Entity::find()
        .filter(claim::Column::FairId.is_in(earlier))
        .filter(claim::Column::State.is_in([claim_state::CONFIRMED, claim_state::PAID]))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.firm_id)
        .collect())
}

/// The allocation problem of a fair as it stands: free booths, pending
/// applications. Application ids and firm ids are the UUIDs as text.
pub async fn allocation_problem(
    db: &Db,
    fair_id: Uuid,
    policy: allocator::Policy,
    now: DateTime<Utc>,
) -> Result<allocator::Problem> {
    let map = fair_map(db, fair_id, None, now).await?;
    let apps = application::Entity::find()
        .filter(application::Column::FairId.eq(fair_id))
        .filter(application::Column::Status.eq(app_state::PENDING))
        .order_by_asc(application::Column::CreatedAt)
        .all(db.read())
        .await?;
    let views = application_views(db.read(), apps).await?;
    let returning = returning_firms(db.read(), fair_id, map.fair.starts_on).await?;
    Ok(allocator::Problem {
        booths: map
            .booths
            .iter()
            .map(|b| allocator::Booth {
                code: b.code.clone(),
                hall: b.hall_code.clone(),
                zone: b.zone_code.clone(),
                type_code: b.type_code.clone(),
                x: b.x,
                y: b.y,
                w: b.w,
                d: b.d,
                available: b.status == BoothStatus::Free,
            })
            .collect(),
        applications: views
            .iter()
            .map(|a| allocator::Application {
                id: a.id.to_string(),
                firm: a.firm_id.to_string(),
                area_m2: i64::from(a.area_m2),
                type_code: a.type_code.clone(),
                zone: a.zone.clone(),
                preferences: a.preferences.clone(),
                avoid: a.avoid.iter().map(Uuid::to_string).collect(),
                applied_at: a.created_at.timestamp(),
                certified: a.certified,
                returning: returning.contains(&a.firm_id),
            })
            .collect(),
        policy,
    })
}

/// A proposal, as the organisers review it.
pub async fn propose(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    policy: allocator::Policy,
    now: DateTime<Utc>,
) -> Result<(allocator::Problem, allocator::Assignment)> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let problem = allocation_problem(db, fair_id, policy, now).await?;
    let assignment = allocator::allocate(&problem.booths, &problem.applications, &problem.policy);
    Ok((problem, assignment))
}

/// What accepting an allocation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AcceptReport {
    pub booked: usize,
    pub waitlisted: usize,
    /// Placements no longer possible (the booth was taken meanwhile).
    pub skipped: usize,
}

/// Books the placements the organisers accepted (possibly edited), in one
/// transaction; pending applications left without a booth join the waiting
/// list.
pub async fn accept_allocation(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    placements: &[(Uuid, String)],
    links: &Links,
    now: DateTime<Utc>,
) -> Result<AcceptReport> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let txn = db.begin().await?;
    fair_exists(&txn, fair_id).await?;
    let mut report = AcceptReport::default();
    let mut used = HashSet::new();
    for (app_id, code) in placements {
        if !used.insert(code.clone()) {
            return Err(Error::field(ErrorCode::InvalidField, "booth"));
        }
        let Some(a) = application::Entity::find_by_id(*app_id).one(&txn).await? else {
            return Err(Error::field(ErrorCode::InvalidField, "application"));
        };
        if a.fair_id != fair_id || a.status != app_state::PENDING {
            report.skipped += 1;
            continue;
        }
        let Some(b) = booth::Entity::find()
            .filter(booth::Column::FairId.eq(fair_id))
            .filter(booth::Column::Code.eq(code.as_str()))
            .one(&txn)
            .await?
        else {
            return Err(Error::field(ErrorCode::InvalidField, "booth"));
        };
        if b.blocked {
            report.skipped += 1;
            continue;
        }
        end_stale_hold(&txn, b.id, now).await?;
        let taken = claim::Entity::find()
            .filter(claim::Column::LiveBoothId.eq(b.id))
            .one(&txn)
            .await?
            .is_some();
        if taken {
            report.skipped += 1;
            continue;
        }
        let claim_id = Uuid::now_v7();
        let row = claim::ActiveModel {
            id: Set(claim_id),
            fair_id: Set(fair_id),
            booth_id: Set(b.id),
            firm_id: Set(a.firm_id),
            state: Set(claim_state::HELD.into()),
            live_booth_id: Set(Some(b.id)),
            held_until: Set(Some(now)),
            created_at: Set(now),
            confirmed_at: Set(None),
            paid_at: Set(None),
            ended_at: Set(None),
            base_price: Set(0),
            surcharge: Set(0),
            options: Set("[]".into()),
            options_price: Set(0),
            vat: Set(0),
            total: Set(0),
            invoice_no: Set(None),
            created_by: Set(Some(organiser.id)),
            application_id: Set(Some(a.id)),
        };
        if let Err(e) = claim::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
        {
            return Err(if crate::db::unique_violation(&e) {
                ErrorCode::BoothTaken.into()
            } else {
                e.into()
            });
        }
        let row = claim_row(&txn, claim_id).await?;
        let to = FirmMail::of(&txn, &row).await?;
        book(
            &txn,
            &row,
            &to,
            &[],
            0,
            Some(organiser.id),
            BookingEvent::Allocated,
            links,
            now,
            None,
        )
        .await?
        .ok_or(ErrorCode::WrongState)?;
        report.booked += 1;
    }
    let left = application::Entity::update_many()
        .col_expr(
            application::Column::Status,
            Expr::value(app_state::WAITLISTED),
        )
        .filter(application::Column::FairId.eq(fair_id))
        .filter(application::Column::Status.eq(app_state::PENDING))
        .exec(&txn)
        .await?;
    report.waitlisted = left.rows_affected as usize;
    audit::record(
        &txn,
        Some(organiser.id),
        "allocation.accepted",
        "fair",
        Some(fair_id),
        serde_json::json!({ "booked": report.booked, "waitlisted": report.waitlisted, "skipped": report.skipped }),
        now,
    )
    .await?;
    txn.commit().await?;
    db.announce(Change::new(Topic::Booths, fair_id));
    Ok(report)
}

/// Offers a booth that just came free to the first firm on the waiting list
/// it fits (same type, the zone asked for, an area within a quarter of the
/// wish): a hold for `OFFER_HOURS`, and a mail.
async fn offer_to_waitlist<C: ConnectionTrait>(
    conn: &C,
    booth_id: Uuid,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(b) = booth::Entity::find_by_id(booth_id).one(conn).await? else {
        return Ok(());
    };
    if b.blocked
        || claim::Entity::find()
            .filter(claim::Column::LiveBoothId.eq(booth_id))
            .one(conn)
            .await?
            .is_some()
    {
        return Ok(());
    }
    let Some(t) = booth_type::Entity::find_by_id(b.type_id).one(conn).await? else {
        return Ok(());
    };
    let waiting = application::Entity::find()
        .filter(application::Column::FairId.eq(b.fair_id))
        .filter(application::Column::Status.eq(app_state::WAITLISTED))
        .filter(application::Column::TypeCode.eq(t.code.as_str()))
        .order_by_asc(application::Column::CreatedAt)
        .all(conn)
        .await?;
    let area = b.area_m2();
    let fits = |a: &application::Model| {
        a.zone_id.is_none_or(|z| z == b.zone_id) && {
            let want = i64::from(a.area_m2);
            area * 4 >= want * 3 && area * 4 <= want * 5
        }
    };
    // The first fitting application still waiting when it is taken: two
    // booths freed at once (on two instances) offer to two firms, never
    // twice to one. The guarded update waits for the other transaction
    // and then finds the application offered already.
    let mut taken = None;
    for a in waiting.into_iter().filter(|a| fits(a)) {
        let r = application::Entity::update_many()
            .col_expr(application::Column::Status, Expr::value(app_state::OFFERED))
            .col_expr(application::Column::BoothId, Expr::value(Some(b.id)))
            .filter(application::Column::Id.eq(a.id))
            .filter(application::Column::Status.eq(app_state::WAITLISTED))
            .exec(conn)
            .await?;
        if r.rows_affected == 1 {
            taken = Some(a);
            break;
        }
    }
    let Some(a) = taken else {
        return Ok(());
    };
    let f: Fair = fair_exists(conn, b.fair_id).await?.into();
    let until = now + Duration::hours(OFFER_HOURS);
    let id = Uuid::now_v7();
    let price = price_of(&b, Some(&t), f.vat_percent, 0);
    claim::ActiveModel {
        id: Set(id),
        fair_id: Set(b.fair_id),
        booth_id: Set(b.id),
        firm_id: Set(a.firm_id),
        state: Set(claim_state::HELD.into()),
        live_booth_id: Set(Some(b.id)),
        held_until: Set(Some(until)),
        created_at: Set(now),
        confirmed_at: Set(None),
        paid_at: Set(None),
        ended_at: Set(None),
        base_price: Set(0),
        surcharge: Set(0),
        options: Set("[]".into()),
        options_price: Set(0),
        vat: Set(0),
        total: Set(0),
        invoice_no: Set(None),
        created_by: Set(None),
        application_id: Set(Some(a.id)),
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        None,
        "waitlist.offered",
        "claim",
        Some(id),
        serde_json::json!({ "booth": b.code, "application": a.id }),
        now,
    )
    .await?;
    let mut view = claim_view(conn, id).await?;
    view.price = price;
    let deadline = crate::format::datetime(until, &f.time_zone, Locale::Vi);
    mail_firm(
        conn,
        &view,
        BookingEvent::Offered,
        &deadline,
        links,
        false,
        now,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------

/// Booth counts, area and money for one zone, type or the whole fair.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FigureRow {
    pub key: String,
    pub free: u64,
    pub held: u64,
    pub reserved: u64,
    pub sold: u64,
    pub blocked: u64,
    pub m2_total: i64,
    pub m2_sold: i64,
    /// Totals of confirmed and paid bookings (VAT included).
    pub booked: i64,
    pub paid: i64,
}

impl FigureRow {
    fn add(&mut self, b: &BoothView, c: Option<&claim::Model>) {
        match b.status {
            BoothStatus::Free => self.free += 1,
            BoothStatus::Held => self.held += 1,
            BoothStatus::Reserved => self.reserved += 1,
            BoothStatus::Sold => self.sold += 1,
            BoothStatus::Blocked => self.blocked += 1,
        }
        self.m2_total += b.area_m2;
        if matches!(b.status, BoothStatus::Reserved | BoothStatus::Sold) {
            self.m2_sold += b.area_m2;
            self.booked += c.map(|c| c.total).unwrap_or(0);
        }
        if b.status == BoothStatus::Sold {
            self.paid += c.map(|c| c.total).unwrap_or(0);
        }
    }

    pub fn count(&self) -> u64 {
        self.free + self.held + self.reserved + self.sold + self.blocked
    }

    /// Share of sellable booths reserved or sold, in percent.
    pub fn taken_percent(&self) -> u32 {
        let sellable = self.count() - self.blocked;
        ((self.reserved + self.sold) * 100)
            .checked_div(sellable)
            .unwrap_or(0) as u32
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoothFigures {
    pub total: FigureRow,
    pub by_zone: Vec<FigureRow>,
    pub by_type: Vec<FigureRow>,
    pub by_hall: Vec<FigureRow>,
    pub applications: Vec<(String, u64)>,
}

pub async fn booth_figures(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(FairMap, BoothFigures)> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let map = fair_map(db, fair_id, None, now).await?;
    let claims: HashMap<Uuid, claim::Model> = claim::Entity::find()
        .filter(claim::Column::FairId.eq(fair_id))
        .filter(claim::Column::LiveBoothId.is_not_null())
        .all(db.read())
        .await?
        .into_iter()
        .map(|c| (c.booth_id, c))
        .collect();
    let mut total = FigureRow {
        key: String::new(),
        ..Default::default()
    };
    let mut zones: Vec<FigureRow> = map
        .zones
        .iter()
        .map(|z| FigureRow {
            key: z.code.clone(),
            ..Default::default()
        })
        .collect();
    let mut types: Vec<FigureRow> = map
        .types
        .iter()
        .map(|t| FigureRow {
            key: t.code.clone(),
            ..Default::default()
        })
        .collect();
    let mut halls: Vec<FigureRow> = map
        .halls
        .iter()
        .map(|h| FigureRow {
            key: h.code.clone(),
            ..Default::default()
        })
        .collect();
    for b in &map.booths {
        let c = claims.get(&b.id);
        total.add(b, c);
        if let Some(r) = zones.iter_mut().find(|r| r.key == b.zone_code) {
            r.add(b, c);
        }
        if let Some(r) = types.iter_mut().find(|r| r.key == b.type_code) {
            r.add(b, c);
        }
        if let Some(r) = halls.iter_mut().find(|r| r.key == b.hall_code) {
            r.add(b, c);
        }
    }
    let mut applications = Vec::new();
    for s in app_state::ALL {
        let n = application::Entity::find()
            .filter(application::Column::FairId.eq(fair_id))
            .filter(application::Column::Status.eq(s))
            .count(db.read())
            .await?;
        applications.push((s.to_string(), n));
    }
    Ok((
        map,
        BoothFigures {
            total,
            by_zone: zones,
            by_type: types,
            by_hall: halls,
            applications,
        },
    ))
}

// ---------------------------------------------------------------------------
// Small lookups for pages
// ---------------------------------------------------------------------------

/// Why `user` cannot book now (`None` when they can): not an exhibitor, no
/// firm, a firm not yet approved. Also the firm, when there is one.
pub async fn booking_rights(
    db: &Db,
    user: Option<&SessionUser>,
) -> Result<(Option<Uuid>, Option<ErrorCode>)> {
    let Some(user) = user else {
        return Ok((None, Some(ErrorCode::Unauthenticated)));
    };
    if user.role != Role::Exhibitor {
        return Ok((None, Some(ErrorCode::Forbidden)));
    }
    let Some((firm_id, _)) = crate::firms::profile::membership(db.read(), user.id).await? else {
        return Ok((None, Some(ErrorCode::NoFirm)));
    };
    let approved = firm::Entity::find_by_id(firm_id)
        .one(db.read())
        .await?
        .is_some_and(|f| f.status == crate::firms::status::APPROVED);
    Ok((
        Some(firm_id),
        (!approved).then_some(ErrorCode::FirmNotApproved),
    ))
}

/// The firm with this tax code.
pub async fn firm_by_tax_code(db: &Db, code: &crate::firms::TaxCode) -> Result<Option<Uuid>> {
    Ok(firm::Entity::find()
        .filter(firm::Column::TaxCode.eq(code.as_str()))
        .one(db.read())
        .await?
        .map(|f| f.id))
}

/// The address of a fair (its slug) by one of its claims.
pub async fn slug_of_claim(db: &Db, claim_id: Uuid) -> Result<String> {
    let c = claim::Entity::find_by_id(claim_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    Ok(fair_exists(db.read(), c.fair_id).await?.slug)
}

/// A booth of the claim's fair by code, and the live claim on it, if any.
pub async fn booth_of_claim_fair(
    db: &Db,
    claim_id: Uuid,
    code: &str,
) -> Result<(Uuid, Option<Uuid>)> {
    let c = claim::Entity::find_by_id(claim_id)
        .one(db.read())
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let b = booth::Entity::find()
        .filter(booth::Column::FairId.eq(c.fair_id))
        .filter(booth::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(db.read())
        .await?
        .ok_or(Error::field(ErrorCode::InvalidField, "booth"))?;
    let live = claim::Entity::find()
        .filter(claim::Column::LiveBoothId.eq(b.id))
        .one(db.read())
        .await?;
    Ok((b.id, live.map(|l| l.id)))
}
