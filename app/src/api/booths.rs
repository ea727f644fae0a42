//! Booths: the map, holding and confirming, applications; the organisers'
//! fair set-up, plans, bookings, allocation and figures.

use super::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use fairlink::booths::plan::{LineError, Plan};
use fairlink::booths::pricing::Price;
use fairlink::fairs::Fair;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapBooth {
    pub id: Uuid,
    pub code: String,
    pub hall: String,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
    /// SVG points of an odd space ("x,y x,y ..."), decimetres.
    pub points: Option<String>,
    pub zone: String,
    pub type_code: String,
    pub area_m2: i64,
    pub price: Price,
    pub status: String,
    pub firm: Option<String>,
    pub firm_en: Option<String>,
    pub firm_id: Option<Uuid>,
    pub mine: bool,
    pub my_claim: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapFeature {
    pub hall: String,
    pub kind: String,
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapHall {
    pub id: Uuid,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub w: i32,
    pub d: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

impl Named {
    pub fn name(&self, locale: fairlink::Locale) -> &str {
        match locale {
            fairlink::Locale::Vi => &self.name_vi,
            fairlink::Locale::En => &self.name_en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothTypeRow {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub price_per_m2: i64,
    pub surcharge_percent: i32,
    pub furniture: bool,
}

/// A fair's map, as far as the reader may see it.
#[cfg(feature = "ssr")]
impl From<fairlink::booths::entity::hall::Model> for MapHall {
    fn from(h: fairlink::booths::entity::hall::Model) -> Self {
        MapHall {
            id: h.id,
            code: h.code,
            name_vi: h.name_vi,
            name_en: h.name_en,
            w: h.width_dm,
            d: h.depth_dm,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<fairlink::booths::entity::zone::Model> for Named {
    fn from(z: fairlink::booths::entity::zone::Model) -> Self {
        Named {
            code: z.code,
            name_vi: z.name_vi,
            name_en: z.name_en,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<fairlink::booths::entity::booth_type::Model> for BoothTypeRow {
    fn from(t: fairlink::booths::entity::booth_type::Model) -> Self {
        BoothTypeRow {
            code: t.code,
            name_vi: t.name_vi,
            name_en: t.name_en,
            price_per_m2: t.price_per_m2,
            surcharge_percent: t.surcharge_percent,
            furniture: t.furniture,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairMapData {
    pub fair: Fair,
    pub halls: Vec<MapHall>,
    pub zones: Vec<Named>,
    pub types: Vec<BoothTypeRow>,
    pub features: Vec<MapFeature>,
    pub booths: Vec<MapBooth>,
    /// The reader may hold booths now (an approved firm, booking open).
    pub can_book: bool,
    pub booking_open: bool,
    /// Why the reader cannot book, as an error code ("" when they can).
    pub why_not: String,
}

/// A fair map's parts as the pages use them: halls, zones, booth types,
/// features, booths.
#[cfg(feature = "ssr")]
type MapParts = (
    Vec<MapHall>,
    Vec<Named>,
    Vec<BoothTypeRow>,
    Vec<MapFeature>,
    Vec<MapBooth>,
);

#[cfg(feature = "ssr")]
fn map_data(map: fairlink::booths::FairMap) -> MapParts {
    let hall_code = |id: Uuid| {
        map.halls
            .iter()
            .find(|h| h.id == id)
            .map(|h| h.code.clone())
            .unwrap_or_default()
    };
    let features = map
        .features
        .iter()
        .map(|f| MapFeature {
            hall: hall_code(f.hall_id),
            kind: f.kind.clone(),
            x: f.x_dm,
            y: f.y_dm,
            w: f.w_dm,
            d: f.d_dm,
            label: f.label.clone(),
        })
        .collect();
    let booths = map
        .booths
        .into_iter()
        .map(|b| MapBooth {
            id: b.id,
            code: b.code,
            hall: b.hall_code,
            x: b.x,
            y: b.y,
            w: b.w,
            d: b.d,
            points: b.polygon.map(|p| {
                p.iter()
                    .map(|[x, y]| format!("{x},{y}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            zone: b.zone_code,
            type_code: b.type_code,
            area_m2: b.area_m2,
            price: b.price,
            status: b.status.as_str().into(),
            firm: b.firm_name,
            firm_en: b.firm_name_en,
            firm_id: b.firm_id,
            mine: b.mine,
            my_claim: b.my_claim,
        })
        .collect();
    (
        map.halls.into_iter().map(MapHall::from).collect(),
        map.zones.into_iter().map(Named::from).collect(),
        map.types.into_iter().map(BoothTypeRow::from).collect(),
        features,
        booths,
    )
}

/// The map of a fair: one hall (by code; the first when `hall` is empty),
/// or every hall when `hall` is `*`.
#[server(endpoint = "booths/map")]
pub async fn get_fair_map(slug: String, hall: String) -> Result<FairMapData, AppError> {
    use fairlink::ErrorCode;
    let app = super::ctx::app()?;
    let viewer = super::ctx::request().user;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let (viewer_firm, reason) = fairlink::booths::booking_rights(&app.db, viewer.as_ref()).await?;
    let mut why_not = reason.map(|c| c.as_str().to_string()).unwrap_or_default();
    let now = Utc::now();
    let booking_open = fair.booking_open(
        now.with_timezone(&fairlink::format::offset_or_default(&fair.time_zone))
            .date_naive(),
    );
    if why_not.is_empty() && !booking_open {
        why_not = ErrorCode::BookingClosed.as_str().into();
    }
    // No hall named: the first; "*": every hall.
    let mut hall = hall.trim().to_ascii_uppercase();
    let only = (hall != "*").then_some(hall.as_str());
    let map = fairlink::booths::hall_map(&app.db, fair.id, only, viewer_firm, now).await?;
    let (halls, zones, types, mut features, mut booths) = map_data(map);
    if hall.is_empty() {
        hall = halls.first().map(|h| h.code.clone()).unwrap_or_default();
    }
    if hall != "*" && !hall.is_empty() {
        if !halls.iter().any(|h| h.code == hall) {
            return Err(ErrorCode::NotFound.into());
        }
        features.retain(|f| f.hall == hall);
        booths.retain(|b| b.hall == hall);
    }
    Ok(FairMapData {
        fair,
        halls,
        zones,
        types,
        features,
        booths,
        can_book: why_not.is_empty(),
        booking_open,
        why_not,
    })
}

/// The status of every booth of a fair, for the map's live update.
#[server(endpoint = "booths/statuses", input = leptos::server_fn::codec::GetUrl)]
pub async fn booth_statuses(fair: Uuid) -> Result<Vec<(Uuid, String)>, AppError> {
    use super::ctx::MAP_STATUSES_FRESH;
    use std::time::Instant;
    let app = super::ctx::app()?;
    use std::sync::atomic::Ordering::SeqCst;
    // The same for every reader: read at most once a second per instance
    // while no booth changes, and by one reader at a time. A reader that
    // had to wait takes what a read begun after it asked found (the maps
    // told of a change together make one read, not one each).
    let asked = Instant::now();
    let cached = |waited: bool| {
        app.map_statuses.lock().ok().and_then(|cache| {
            cache
                .get(&fair)
                .filter(|(began, generation, _)| {
                    if waited && *began >= asked {
                        return true;
                    }
                    *generation == app.map_generation.load(SeqCst)
                        && began.elapsed() < MAP_STATUSES_FRESH
                })
                .map(|(_, _, statuses)| statuses.clone())
        })
    };
    if let Some(statuses) = cached(false) {
        return Ok(statuses);
    }
    let _reading = app.map_read.lock().await;
    if let Some(statuses) = cached(true) {
        return Ok(statuses);
    }
    let began = Instant::now();
    let generation = app.map_generation.load(SeqCst);
    let map = fairlink::booths::fair_map(&app.db, fair, None, Utc::now()).await?;
    let statuses: Vec<(Uuid, String)> = map
        .booths
        .into_iter()
        .map(|b| (b.id, b.status.as_str().to_string()))
        .collect();
    if let Ok(mut cache) = app.map_statuses.lock() {
        // Fairs are few; a stale fair's entry is dropped when another is read.
        cache.retain(|_, (began, _, _)| began.elapsed() < MAP_STATUSES_FRESH);
        // Kept with the change count from before the read: booths changed
        // while they were read make it stale at once for later readers.
        cache.insert(fair, (began, generation, statuses.clone()));
    }
    Ok(statuses)
}

/// Holds a booth for the reader's firm.
#[server(endpoint = "booths/hold")]
pub async fn hold_booth(booth: Uuid) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let claim = fairlink::booths::hold(&app.db, &user, booth, Utc::now()).await?;
    super::ctx::redirect_form_post(&format!(
        "/bookings?held={}#claim-{}",
        claim.booth_code, claim.id
    ));
    Ok(claim.id)
}

/// Confirms a hold, with the extras ticked.
#[server(endpoint = "booths/confirm")]
pub async fn confirm_booking(
    claim: Uuid,
    power_3kw: Option<String>,
    furniture: Option<String>,
    storage: Option<String>,
    internet: Option<String>,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let extras: Vec<String> = [
        ("power_3kw", power_3kw),
        ("furniture", furniture),
        ("storage", storage),
        ("internet", internet),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(k, _)| k.to_string())
    .collect();
    let booked =
        fairlink::booths::confirm(&app.db, &user, claim, &extras, &app.links, Utc::now()).await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!(
        "/bookings?confirmed={}#claim-{claim}",
        booked.booth_code
    ));
    Ok(())
}

/// Gives a hold up.
#[server(endpoint = "booths/give_up")]
pub async fn give_up_booking(claim: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::booths::give_up(&app.db, &user, claim, &app.links, Utc::now()).await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post("/bookings?released=1");
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub id: Uuid,
    pub fair_slug: String,
    pub booth: String,
    pub hall: String,
    pub zone: String,
    pub type_code: String,
    pub area_m2: i64,
    pub firm_id: Uuid,
    pub firm: String,
    pub state: String,
    pub held_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub price: Price,
    pub options: Vec<String>,
    pub invoice_no: Option<String>,
    pub offered: bool,
}

#[cfg(feature = "ssr")]
impl From<fairlink::booths::ClaimView> for Claim {
    fn from(c: fairlink::booths::ClaimView) -> Self {
        Claim {
            id: c.id,
            fair_slug: c.fair_slug,
            booth: c.booth_code,
            hall: c.hall_code,
            zone: c.zone_code,
            type_code: c.type_code,
            area_m2: c.area_m2,
            firm_id: c.firm_id,
            firm: c.firm_name,
            state: c.state,
            held_until: c.held_until,
            created_at: c.created_at,
            confirmed_at: c.confirmed_at,
            paid_at: c.paid_at,
            price: c.price,
            options: c.options,
            invoice_no: c.invoice_no,
            offered: c.offered,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wish {
    pub id: Uuid,
    pub firm: String,
    pub firm_id: Uuid,
    pub area_m2: i32,
    pub type_code: String,
    pub zone: Option<String>,
    pub preferences: Vec<String>,
    pub avoid: Vec<String>,
    pub status: String,
    pub booth: Option<String>,
    pub created_at: DateTime<Utc>,
    pub certified: bool,
}

#[cfg(feature = "ssr")]
impl From<fairlink::booths::ApplicationView> for Wish {
    fn from(a: fairlink::booths::ApplicationView) -> Self {
        Wish {
            id: a.id,
            firm: a.firm_name,
            firm_id: a.firm_id,
            area_m2: a.area_m2,
            type_code: a.type_code,
            zone: a.zone,
            preferences: a.preferences,
            avoid: a.avoid_names,
            status: a.status,
            booth: a.booth,
            created_at: a.created_at,
            certified: a.certified,
        }
    }
}

/// What an exhibitor's booking page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyBookings {
    pub fair: Option<Fair>,
    pub claims: Vec<Claim>,
    pub application: Option<Wish>,
    pub zones: Vec<Named>,
    pub types: Vec<BoothTypeRow>,
    /// "" when the firm may book; else the error code that explains why not.
    pub why_not: String,
}

#[server(endpoint = "booths/mine")]
pub async fn get_my_bookings() -> Result<MyBookings, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let now = Utc::now();
    let claims = fairlink::booths::my_claims(&app.db, &user, now)
        .await?
        .into_iter()
        .map(Claim::from)
        .collect();
    let fair = fairlink::fairs::featured_fair(&app.db, now.date_naive()).await?;
    let (_, reason) = fairlink::booths::booking_rights(&app.db, Some(&user)).await?;
    let why_not = reason.map(|c| c.as_str().to_string()).unwrap_or_default();
    let (application, zones, types) = match &fair {
        Some(f) => {
            let setup = fairlink::booths::setup(&app.db, f.id).await?;
            (
                fairlink::booths::my_application(&app.db, &user, f.id)
                    .await?
                    .map(Wish::from),
                setup.zones.into_iter().map(Named::from).collect(),
                setup.types.into_iter().map(BoothTypeRow::from).collect(),
            )
        }
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(MyBookings {
        fair,
        claims,
        application,
        zones,
        types,
        why_not,
    })
}

/// Applies for space at a fair (or changes a pending application).
/// `avoid` lists competitors' tax codes, separated by commas or spaces.
#[server(endpoint = "booths/apply")]
#[allow(clippy::too_many_arguments)]
pub async fn apply_for_space(
    fair: Uuid,
    area_m2: String,
    type_code: String,
    zone: String,
    pref1: String,
    pref2: String,
    pref3: String,
    avoid: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::{Error, ErrorCode};
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let area: i32 = area_m2
        .trim()
        .parse()
        .map_err(|_| Error::field(ErrorCode::InvalidField, "area_m2"))?;
    let mut avoid_ids = Vec::new();
    for code in avoid
        .split([',', ' ', ';', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .take(20)
    {
        let tax = fairlink::firms::TaxCode::parse(code)
            .map_err(|_| Error::field(ErrorCode::InvalidField, "avoid"))?;
        let found = fairlink::booths::firm_by_tax_code(&app.db, &tax)
            .await?
            .ok_or(Error::field(ErrorCode::InvalidField, "avoid"))?;
        avoid_ids.push(found);
    }
    let wish = fairlink::booths::WishInput {
        area_m2: area,
        type_code,
        zone,
        preferences: vec![pref1, pref2, pref3],
        avoid: avoid_ids,
    };
    fairlink::booths::apply(&app.db, &user, fair, &wish, Utc::now()).await?;
    super::ctx::redirect_form_post("/bookings?applied=1#application");
    Ok(())
}

#[server(endpoint = "booths/withdraw")]
pub async fn withdraw_application(fair: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::booths::withdraw(&app.db, &user, fair, Utc::now()).await?;
    super::ctx::redirect_form_post("/bookings?withdrawn=1#application");
    Ok(())
}

// ---------------------------------------------------------------------------
// Organisers
// ---------------------------------------------------------------------------

#[server(endpoint = "organiser/fairs")]
pub async fn get_fairs() -> Result<Vec<Fair>, AppError> {
    use fairlink::accounts::Role;
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    Ok(fairlink::booths::fairs(&app.db).await?)
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
fn fair_input(
    slug: String,
    name_vi: String,
    name_en: String,
    venue_vi: String,
    venue_en: String,
    city: String,
    starts_on: String,
    ends_on: String,
    opens_at: String,
    closes_at: String,
    time_zone: String,
    vat_percent: String,
    hold_minutes: String,
    booking_opens_on: String,
    booking_closes_on: String,
    registration_closes_on: String,
) -> Result<fairlink::booths::FairInput, AppError> {
    use fairlink::{Error, ErrorCode};
    let date = |v: &str, field: &'static str| {
        NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| Error::field(ErrorCode::InvalidField, field))
    };
    let opt_date = |v: &str, field: &'static str| {
        if v.trim().is_empty() {
            Ok(None)
        } else {
            date(v, field).map(Some)
        }
    };
    let time = |v: &str, field: &'static str| {
        chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M")
            .map_err(|_| Error::field(ErrorCode::InvalidField, field))
    };
    let number = |v: &str, field: &'static str| {
        v.trim()
            .parse::<i32>()
            .map_err(|_| Error::field(ErrorCode::InvalidField, field))
    };
    Ok(fairlink::booths::FairInput {
        slug,
        name_vi,
        name_en,
        venue_vi,
        venue_en,
        city,
        starts_on: date(&starts_on, "starts_on")?,
        ends_on: date(&ends_on, "ends_on")?,
        opens_at: time(&opens_at, "opens_at")?,
        closes_at: time(&closes_at, "closes_at")?,
        time_zone,
        vat_percent: number(&vat_percent, "vat_percent")?,
        hold_minutes: number(&hold_minutes, "hold_minutes")?,
        booking_opens_on: opt_date(&booking_opens_on, "booking_opens_on")?,
        booking_closes_on: opt_date(&booking_closes_on, "booking_closes_on")?,
        registration_closes_on: opt_date(&registration_closes_on, "registration_closes_on")?,
    })
}

/// Creates a fair, or changes it when `fair` names one.
#[server(endpoint = "organiser/fair/save")]
#[allow(clippy::too_many_arguments)]
pub async fn save_fair(
    fair: Option<Uuid>,
    slug: String,
    name_vi: String,
    name_en: String,
    venue_vi: String,
    venue_en: String,
    city: String,
    starts_on: String,
    ends_on: String,
    opens_at: String,
    closes_at: String,
    time_zone: String,
    vat_percent: String,
    hold_minutes: String,
    booking_opens_on: String,
    booking_closes_on: String,
    registration_closes_on: String,
) -> Result<String, AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let input = fair_input(
        slug,
        name_vi,
        name_en,
        venue_vi,
        venue_en,
        city,
        starts_on,
        ends_on,
        opens_at,
        closes_at,
        time_zone,
        vat_percent,
        hold_minutes,
        booking_opens_on,
        booking_closes_on,
        registration_closes_on,
    )?;
    let now = Utc::now();
    let slug = match fair {
        Some(id) => {
            fairlink::booths::update_fair(&app.db, &organiser, id, &input, now).await?;
            slug_of(&app, id).await?
        }
        None => {
            let id = fairlink::booths::create_fair(&app.db, &organiser, &input, now).await?;
            slug_of(&app, id).await?
        }
    };
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{slug}?saved=fair"));
    Ok(slug)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRow {
    pub day: NaiveDate,
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRow {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub sector_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallRow {
    pub hall: MapHall,
    pub booths: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairSetup {
    pub fair: Fair,
    pub days: Vec<DayRow>,
    pub zones: Vec<ZoneRow>,
    pub types: Vec<BoothTypeRow>,
    pub halls: Vec<HallRow>,
}

#[server(endpoint = "organiser/fair")]
pub async fn get_fair_setup(slug: String) -> Result<FairSetup, AppError> {
    use fairlink::accounts::Role;
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let setup = fairlink::booths::setup(&app.db, fair.id).await?;
    let days = fairlink::booths::day_hours(&app.db, &fair)
        .await?
        .into_iter()
        .map(|d| DayRow {
            day: d.day,
            opens_at: d.opens_at.format("%H:%M").to_string(),
            closes_at: d.closes_at.format("%H:%M").to_string(),
        })
        .collect();
    Ok(FairSetup {
        days,
        zones: setup
            .zones
            .into_iter()
            .map(|z| ZoneRow {
                code: z.code,
                name_vi: z.name_vi,
                name_en: z.name_en,
                sector_group: z.sector_group,
            })
            .collect(),
        types: setup.types.into_iter().map(BoothTypeRow::from).collect(),
        halls: setup
            .halls
            .into_iter()
            .map(|h| HallRow {
                booths: setup
                    .booths_per_hall
                    .iter()
                    .find(|(id, _)| *id == h.id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
                hall: MapHall::from(h),
            })
            .collect(),
        fair: setup.fair,
    })
}

#[cfg(feature = "ssr")]
async fn slug_of(app: &super::ctx::AppContext, fair: Uuid) -> Result<String, AppError> {
    Ok(fairlink::booths::fair_slug(&app.db, fair).await?)
}

#[server(endpoint = "organiser/fair/zone")]
pub async fn save_zone(
    fair: Uuid,
    code: String,
    name_vi: String,
    name_en: String,
    sector_group: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let input = fairlink::booths::ZoneInput {
        code,
        name_vi,
        name_en,
        sector_group: Some(sector_group),
    };
    fairlink::booths::save_zone(&app.db, &organiser, fair, &input, Utc::now()).await?;
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}?saved=zone#zones",
        slug_of(&app, fair).await?
    ));
    Ok(())
}

#[server(endpoint = "organiser/fair/type")]
pub async fn save_booth_type(
    fair: Uuid,
    code: String,
    name_vi: String,
    name_en: String,
    price_per_m2: String,
    surcharge_percent: String,
    furniture: Option<String>,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::{Error, ErrorCode};
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let price: i64 = price_per_m2
        .trim()
        .replace(['.', ',', ' '], "")
        .parse()
        .map_err(|_| Error::field(ErrorCode::InvalidField, "price_per_m2"))?;
    let surcharge: i32 = surcharge_percent
        .trim()
        .parse()
        .map_err(|_| Error::field(ErrorCode::InvalidField, "surcharge_percent"))?;
    let input = fairlink::booths::TypeInput {
        code,
        name_vi,
        name_en,
        price_per_m2: price,
        surcharge_percent: surcharge,
        furniture: furniture.is_some(),
    };
    fairlink::booths::save_booth_type(&app.db, &organiser, fair, &input, Utc::now()).await?;
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}?saved=type#types",
        slug_of(&app, fair).await?
    ));
    Ok(())
}

#[server(endpoint = "organiser/fair/hall")]
pub async fn save_hall(
    fair: Uuid,
    code: String,
    name_vi: String,
    name_en: String,
    width: String,
    depth: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let input = fairlink::booths::HallInput {
        code,
        name_vi,
        name_en,
        width,
        depth,
    };
    fairlink::booths::save_hall(&app.db, &organiser, fair, &input, Utc::now()).await?;
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}?saved=hall#halls",
        slug_of(&app, fair).await?
    ));
    Ok(())
}

#[server(endpoint = "organiser/fair/hours")]
pub async fn set_hours(
    fair: Uuid,
    day: String,
    opens_at: String,
    closes_at: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::{Error, ErrorCode};
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let time = |v: &str, field: &'static str| {
        chrono::NaiveTime::parse_from_str(v.trim(), "%H:%M")
            .map_err(|_| Error::field(ErrorCode::InvalidField, field))
    };
    let hours = fairlink::booths::DayHours {
        day: NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| Error::field(ErrorCode::InvalidField, "day"))?,
        opens_at: time(&opens_at, "opens_at")?,
        closes_at: time(&closes_at, "closes_at")?,
    };
    fairlink::booths::set_day_hours(&app.db, &organiser, fair, &hours, Utc::now()).await?;
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}?saved=hours#days",
        slug_of(&app, fair).await?
    ));
    Ok(())
}

/// A hall's plan for the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HallEditor {
    pub fair: Fair,
    pub hall: MapHall,
    pub halls: Vec<MapHall>,
    pub plan: Plan,
    pub zones: Vec<String>,
    pub types: Vec<String>,
    /// Booths with a live hold or booking (they cannot be removed).
    pub booked: Vec<String>,
}

#[server(endpoint = "organiser/hall")]
pub async fn get_hall_editor(slug: String, code: String) -> Result<HallEditor, AppError> {
    use fairlink::ErrorCode;
    use fairlink::accounts::Role;
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let setup = fairlink::booths::setup(&app.db, fair.id).await?;
    let hall = setup
        .halls
        .iter()
        .find(|h| h.code == code.to_ascii_uppercase())
        .ok_or(ErrorCode::NotFound)?;
    let (h, plan, ctx) = fairlink::booths::hall_plan(&app.db, hall.id).await?;
    let map = fairlink::booths::fair_map(&app.db, fair.id, None, Utc::now()).await?;
    let booked = map
        .booths
        .iter()
        .filter(|b| {
            b.hall_id == h.id
                && matches!(
                    b.status,
                    fairlink::booths::BoothStatus::Held
                        | fairlink::booths::BoothStatus::Reserved
                        | fairlink::booths::BoothStatus::Sold
                )
        })
        .map(|b| b.code.clone())
        .collect();
    Ok(HallEditor {
        fair,
        hall: MapHall::from(h),
        halls: setup.halls.into_iter().map(MapHall::from).collect(),
        plan,
        zones: ctx.zones,
        types: ctx.types,
        booked,
    })
}

/// What saving a plan did: counts, or every problem with its item number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSaved {
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub errors: Vec<LineError>,
}

/// Saves a plan from the editor (the plan as JSON).
#[server(endpoint = "organiser/hall/plan")]
pub async fn save_hall_plan(hall: Uuid, plan: String) -> Result<PlanSaved, AppError> {
    use fairlink::accounts::Role;
    use fairlink::{Error, ErrorCode};
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let plan: Plan =
        serde_json::from_str(&plan).map_err(|_| Error::field(ErrorCode::InvalidField, "plan"))?;
    Ok(
        match fairlink::booths::save_plan(&app.db, &organiser, hall, &plan, Utc::now()).await? {
            Ok(r) => PlanSaved {
                added: r.added,
                changed: r.changed,
                removed: r.removed,
                errors: Vec::new(),
            },
            Err(errors) => PlanSaved {
                added: 0,
                changed: 0,
                removed: 0,
                errors,
            },
        },
    )
}

#[server(endpoint = "organiser/bookings")]
pub async fn get_fair_bookings(
    slug: String,
    state: String,
    page: Option<u64>,
) -> Result<(Fair, Vec<Claim>, u64, bool), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let claims = fairlink::booths::fair_claims(
        &app.db,
        &organiser,
        fair.id,
        &state,
        page.unwrap_or(0),
        Utc::now(),
    )
    .await?;
    Ok((
        fair,
        claims.rows.into_iter().map(Claim::from).collect(),
        claims.page,
        claims.has_more,
    ))
}

#[cfg(feature = "ssr")]
async fn bookings_page(app: &super::ctx::AppContext, claim: Uuid) -> String {
    let slug = fairlink::booths::slug_of_claim(&app.db, claim)
        .await
        .unwrap_or_default();
    format!("/organiser/fairs/{slug}/bookings")
}

#[server(endpoint = "organiser/booking/paid")]
pub async fn mark_paid(claim: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    fairlink::booths::mark_paid(&app.db, &organiser, claim, &app.links, Utc::now()).await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!(
        "{}?saved=paid#claim-{claim}",
        bookings_page(&app, claim).await
    ));
    Ok(())
}

/// Cancels (`ending` = "cancel") or releases ("release") a hold or booking.
#[server(endpoint = "organiser/booking/end")]
pub async fn end_booking(claim: Uuid, ending: String, reason: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::booths::Ending;
    use fairlink::{Error, ErrorCode};
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let ending = match ending.as_str() {
        "cancel" => Ending::Cancel,
        "release" => Ending::Release,
        _ => return Err(Error::field(ErrorCode::InvalidField, "ending").into()),
    };
    let page = bookings_page(&app, claim).await;
    fairlink::booths::end_claim(
        &app.db,
        &organiser,
        claim,
        ending,
        &reason,
        &app.links,
        Utc::now(),
    )
    .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("{page}?saved=ended"));
    Ok(())
}

/// Moves a hold or booking to another booth (by code): to a free booth it
/// moves; onto another firm's booth it swaps.
#[server(endpoint = "organiser/booking/move")]
pub async fn move_booking(claim: Uuid, booth: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let (target, other) = fairlink::booths::booth_of_claim_fair(&app.db, claim, &booth).await?;
    let now = Utc::now();
    match other {
        Some(other) if other != claim => {
            fairlink::booths::swap_claims(&app.db, &organiser, claim, other, &app.links, now)
                .await?
        }
        _ => {
            fairlink::booths::move_claim(&app.db, &organiser, claim, target, &app.links, now)
                .await?
        }
    }
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!(
        "{}?saved=moved#claim-{claim}",
        bookings_page(&app, claim).await
    ));
    Ok(())
}

#[server(endpoint = "organiser/booth/block")]
pub async fn block_booth(booth: Uuid, blocked: bool, back: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    // Checked before anything is done: a page to go back to that is not
    // ours refuses the request.
    let back = if back.is_empty() {
        "/organiser/fairs".to_string()
    } else {
        super::safe_next(Some(&back)).ok_or(fairlink::Error::field(
            fairlink::ErrorCode::InvalidField,
            "back",
        ))?
    };
    fairlink::booths::set_blocked(&app.db, &organiser, booth, blocked, Utc::now()).await?;
    super::ctx::redirect_form_post(&back);
    Ok(())
}

/// The allocation as proposed now, with the applications behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllocationView {
    pub fair: Fair,
    pub applications: Vec<Wish>,
    pub assignment: fairlink::booths::allocator::Assignment,
    pub policy: fairlink::booths::allocator::Policy,
    pub millis: f64,
}

/// The allocation policy from the form: empty fields keep the defaults,
/// anything else must be known criteria and a tolerance from 0 to 100 %.
#[cfg(feature = "ssr")]
fn policy_of(
    order: &str,
    tolerance: &str,
) -> Result<fairlink::booths::allocator::Policy, fairlink::Error> {
    use fairlink::booths::allocator::{Criterion, Policy};
    use fairlink::{Error, ErrorCode};
    let mut policy = Policy::default();
    let mut parsed = Vec::new();
    for c in order.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        parsed.push(match c {
            "earlier" => Criterion::Earlier,
            "certified" => Criterion::Certified,
            "returning" => Criterion::Returning,
            _ => return Err(Error::field(ErrorCode::InvalidField, "order")),
        });
    }
    if !parsed.is_empty() {
        policy.order = parsed;
    }
    let tolerance = tolerance.trim();
    if !tolerance.is_empty() {
        policy.area_tolerance_percent = tolerance
            .parse::<i64>()
            .ok()
            .filter(|t| (0..=100).contains(t))
            .ok_or(Error::field(ErrorCode::InvalidField, "tolerance"))?;
    }
    Ok(policy)
}

#[server(endpoint = "organiser/allocation")]
pub async fn get_allocation(
    slug: String,
    order: String,
    tolerance: String,
) -> Result<AllocationView, AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let started = std::time::Instant::now();
    let (problem, assignment) = fairlink::booths::propose(
        &app.db,
        &organiser,
        fair.id,
        policy_of(&order, &tolerance)?,
        Utc::now(),
    )
    .await?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let applications = fairlink::booths::applications(&app.db, &organiser, fair.id)
        .await?
        .into_iter()
        .map(Wish::from)
        .collect();
    Ok(AllocationView {
        fair,
        applications,
        assignment,
        policy: problem.policy,
        millis,
    })
}

/// Accepts the allocation as proposed with this policy.
#[server(endpoint = "organiser/allocation/accept")]
pub async fn accept_allocation(
    fair: Uuid,
    order: String,
    tolerance: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let now = Utc::now();
    let (_, assignment) = fairlink::booths::propose(
        &app.db,
        &organiser,
        fair,
        policy_of(&order, &tolerance)?,
        now,
    )
    .await?;
    let placements: Vec<(Uuid, String)> = assignment
        .placed
        .iter()
        .filter_map(|p| Some((p.application.parse().ok()?, p.booth.clone())))
        .collect();
    let report = fairlink::booths::accept_allocation(
        &app.db,
        &organiser,
        fair,
        &placements,
        &app.links,
        now,
    )
    .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}/allocation?booked={}&waitlisted={}&skipped={}",
        slug_of(&app, fair).await?,
        report.booked,
        report.waitlisted,
        report.skipped
    ));
    Ok(())
}

/// Places one application on a booth by hand (an edit of the proposal).
#[server(endpoint = "organiser/allocation/place")]
pub async fn place_application(
    fair: Uuid,
    application: Uuid,
    booth: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::{Error, ErrorCode};
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let report = fairlink::booths::accept_allocation(
        &app.db,
        &organiser,
        fair,
        &[(application, booth.trim().to_ascii_uppercase())],
        &app.links,
        Utc::now(),
    )
    .await?;
    if report.booked == 0 {
        return Err(Error::field(ErrorCode::BoothTaken, "booth").into());
    }
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}/allocation?booked=1",
        slug_of(&app, fair).await?
    ));
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureRow {
    pub key: String,
    pub free: u64,
    pub held: u64,
    pub reserved: u64,
    pub sold: u64,
    pub blocked: u64,
    pub m2_total: i64,
    pub m2_sold: i64,
    pub booked: i64,
    pub paid: i64,
    pub taken_percent: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoothFiguresView {
    pub map: FairMapData,
    pub total: FigureRow,
    pub by_zone: Vec<FigureRow>,
    pub by_type: Vec<FigureRow>,
    pub by_hall: Vec<FigureRow>,
    pub applications: Vec<(String, u64)>,
}

#[server(endpoint = "organiser/booth_figures")]
pub async fn get_booth_figures(slug: String) -> Result<BoothFiguresView, AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let (map, f) =
        fairlink::booths::booth_figures(&app.db, &organiser, fair.id, Utc::now()).await?;
    let row = |r: fairlink::booths::FigureRow| FigureRow {
        taken_percent: r.taken_percent(),
        key: r.key,
        free: r.free,
        held: r.held,
        reserved: r.reserved,
        sold: r.sold,
        blocked: r.blocked,
        m2_total: r.m2_total,
        m2_sold: r.m2_sold,
        booked: r.booked,
        paid: r.paid,
    };
    let (halls, zones, types, features, booths) = map_data(map);
    Ok(BoothFiguresView {
        map: FairMapData {
            fair,
            halls,
            zones,
            types,
            features,
            booths,
            can_book: false,
            booking_open: false,
            why_not: String::new(),
        },
        total: row(f.total),
        by_zone: f.by_zone.into_iter().map(row).collect(),
        by_type: f.by_type.into_iter().map(row).collect(),
        by_hall: f.by_hall.into_iter().map(row).collect(),
        applications: f.applications,
    })
}
