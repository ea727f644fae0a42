//! Badges and check-in: a visitor's registration and badges, the scanner,
//! the organisers' badge desk (walk-in badges, gates, scanner devices) and
//! live figures, exhibitor staff badges and leads.

use super::AppError;
use chrono::NaiveDate;
use fairlink::badges::live::LiveCounts;
use fairlink::badges::{BadgeKind, GateView, SyncData};
use fairlink::fairs::Fair;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A badge as its holder (or the desk that printed it) sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeCard {
    pub id: Uuid,
    pub fair_slug: String,
    pub fair_name_vi: String,
    pub fair_name_en: String,
    pub kind: BadgeKind,
    pub name: String,
    pub organisation: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub areas: Vec<String>,
    pub token: String,
    /// The QR code, as an SVG document.
    pub qr_svg: String,
    pub lead_consent: bool,
}

#[cfg(feature = "ssr")]
fn card(b: fairlink::badges::Badge, fair: &Fair) -> Result<BadgeCard, AppError> {
    let qr_svg = fairlink::badges::qr::Grid::new(&b.token)?.svg(240);
    Ok(BadgeCard {
        id: b.id,
        fair_slug: fair.slug.clone(),
        fair_name_vi: fair.name_vi.clone(),
        fair_name_en: fair.name_en.clone(),
        kind: b.kind,
        name: b.name,
        organisation: b.organisation,
        valid_from: b.valid_from,
        valid_to: b.valid_to,
        areas: b.areas,
        token: b.token,
        qr_svg,
        lead_consent: b.lead_consent,
    })
}

#[cfg(feature = "ssr")]
async fn cards(
    db: &fairlink::db::Db,
    badges: Vec<fairlink::badges::Badge>,
) -> Result<Vec<BadgeCard>, AppError> {
    let fairs = fairlink::booths::fairs(db).await?;
    badges
        .into_iter()
        .filter_map(|b| {
            let fair = fairs.iter().find(|f| f.id == b.fair_id)?;
            Some(card(b, fair))
        })
        .collect()
}

/// The reader's badges.
#[server(endpoint = "badges/mine")]
pub async fn get_my_badges() -> Result<Vec<BadgeCard>, AppError> {
    let user = super::ctx::require_user()?;
    let app = super::ctx::app()?;
    let badges = fairlink::badges::my_badges(&app.db, &user).await?;
    cards(&app.db, badges).await
}

/// What the registration page needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInfo {
    pub fair: Fair,
    pub open: bool,
    /// The reader's badge for this fair, if they have one.
    pub badge: Option<Uuid>,
}

#[server(endpoint = "badges/registration")]
pub async fn get_registration(slug: String) -> Result<RegistrationInfo, AppError> {
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let today = fairlink::format::day_in(&fair.time_zone, chrono::Utc::now());
    let badge = match super::ctx::request().user {
        Some(user) => fairlink::badges::my_badges(&app.db, &user)
            .await?
            .into_iter()
            .find(|b| b.fair_id == fair.id)
            .map(|b| b.id),
        None => None,
    };
    Ok(RegistrationInfo {
        open: fair.registration_open(today),
        fair,
        badge,
    })
}

/// Registers the reader (a visitor) for a fair: the badge is issued and
/// mailed at once.
#[server(endpoint = "badges/register")]
pub async fn register_visitor(
    slug: String,
    organisation: String,
    buyer: Option<String>,
    lead_consent: Option<String>,
) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Visitor])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let input = fairlink::badges::Registration {
        organisation,
        buyer: buyer.is_some(),
        lead_consent: lead_consent.is_some(),
    };
    let badge = fairlink::badges::register(
        &app.db,
        &user,
        fair.id,
        &input,
        &app.links,
        chrono::Utc::now(),
    )
    .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("/badges?registered={}", badge.id));
    Ok(badge.id)
}

/// A gate as the scanner's menu shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerSetup {
    pub fair: Fair,
    /// Keys, revocations and gates (the scanner's menu).
    pub sync: SyncData,
}

/// What the scanner page starts with (door staff and organisers).
#[server(endpoint = "badges/scanner")]
pub async fn get_scanner(slug: String) -> Result<ScannerSetup, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser, Role::Staff])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    fairlink::badges::door::may_scan(app.db.read(), &user, fair.id).await?;
    let sync = fairlink::badges::sync_data(&app.db, fair.id, None, chrono::Utc::now()).await?;
    Ok(ScannerSetup { fair, sync })
}

/// The organisers' badge desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeDesk {
    pub fair: Fair,
    pub gates: Vec<GateView>,
    pub devices: Vec<fairlink::badges::DeviceView>,
    /// A walk-in badge just issued, to print.
    pub issued: Option<BadgeCard>,
    /// A device token just made (shown once).
    pub new_token: Option<String>,
    /// The badge signing keys (shared by every fair).
    pub keys: Vec<KeyRow>,
    /// Every door staff account, and whether it scans at this fair.
    pub staff: Vec<DoorRow>,
}

/// A badge signing key as the desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRow {
    pub id: u8,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub retired_at: Option<chrono::DateTime<chrono::Utc>>,
    pub signing: bool,
    pub badges: u64,
}

/// A door staff account on the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorRow {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub on_fair: bool,
}

/// The cookie that carries a new device token to the page that shows it
/// once (a plain form post cannot carry it otherwise, and a URL would log it).
#[cfg(feature = "ssr")]
const TOKEN_COOKIE: &str = "fl_device_token";

#[server(endpoint = "badges/desk")]
pub async fn get_badge_desk(slug: String, issued: Option<Uuid>) -> Result<BadgeDesk, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let gates = fairlink::badges::fair_gates(app.db.read(), fair.id).await?;
    let devices = fairlink::badges::devices(&app.db, &user, fair.id).await?;
    let issued = match issued {
        Some(id) => {
            let b = fairlink::badges::badge_by_id(&app.db, &user, id).await?;
            Some(card(b, &fair)?)
        }
        None => None,
    };
    let new_token = super::ctx::take_cookie(&app, TOKEN_COOKIE);
    let keys = fairlink::badges::keys::list(&app.db)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            created_at: k.created_at,
            retired_at: k.retired_at,
            signing: k.signing,
            badges: k.badges,
        })
        .collect();
    let staff = fairlink::badges::door::door_staff(&app.db, &user, fair.id)
        .await?
        .into_iter()
        .map(|d| DoorRow {
            user_id: d.user_id,
            name: d.name,
            email: d.email,
            on_fair: d.on_fair,
        })
        .collect();
    Ok(BadgeDesk {
        fair,
        gates,
        devices,
        issued,
        new_token,
        keys,
        staff,
    })
}

/// A new badge signing key signs from now on (the others stay trusted).
#[server(endpoint = "badges/key_rotate")]
pub async fn rotate_key(slug: String) -> Result<u8, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    let id = fairlink::badges::keys::rotate(&app.db, Some(&user), chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{slug}/badges?keys=rotated#keys"));
    Ok(id)
}

/// Retires a key: its active badges are re-signed with the newest key.
#[server(endpoint = "badges/key_retire")]
pub async fn retire_key(slug: String, key: u8) -> Result<u64, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    let done =
        fairlink::badges::keys::retire(&app.db, Some(&user), key, chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{slug}/badges?keys=retired#keys"));
    Ok(done.reissued)
}

/// Puts a door staff account on this fair's door, or takes it off.
#[server(endpoint = "badges/door_staff")]
pub async fn set_door_staff(slug: String, staff: Uuid, on: bool) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    fairlink::badges::door::set_door_staff(&app.db, &user, fair.id, staff, on, chrono::Utc::now())
        .await?;
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{}/badges#staff", fair.slug));
    Ok(())
}

/// A badge made at the walk-in desk, printed on the spot.
#[server(endpoint = "badges/walk_in")]
pub async fn issue_walk_in(
    slug: String,
    name: String,
    organisation: String,
    kind: String,
    email: String,
) -> Result<Uuid, AppError> {
    use fairlink::ErrorCode;
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let kind = BadgeKind::parse(&kind)
        .ok_or_else(|| fairlink::Error::field(ErrorCode::InvalidField, "kind"))?;
    let email = email.trim();
    let input = fairlink::badges::BadgeInput {
        fair_id: fair.id,
        kind,
        user_id: None,
        firm_id: None,
        name,
        organisation,
        email: (!email.is_empty()).then(|| email.to_string()),
        valid_from: None,
        valid_to: None,
        areas: Vec::new(),
        lead_consent: false,
    };
    let b = fairlink::badges::issue(&app.db, &user, &input, chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!(
        "/organiser/fairs/{}/badges?issued={}#issued",
        fair.slug, b.id
    ));
    Ok(b.id)
}

/// Adds a gate or changes the one with the same code.
#[server(endpoint = "badges/gate")]
#[allow(clippy::too_many_arguments)]
pub async fn save_gate(
    slug: String,
    code: String,
    name_vi: String,
    name_en: String,
    area: String,
    kinds: Option<Vec<String>>,
    reentry: Option<String>,
    max_entries_per_day: String,
) -> Result<(), AppError> {
    use fairlink::ErrorCode;
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let mut list = Vec::new();
    for k in kinds.unwrap_or_default() {
        list.push(
            BadgeKind::parse(&k)
                .ok_or_else(|| fairlink::Error::field(ErrorCode::InvalidField, "kinds"))?,
        );
    }
    let max = max_entries_per_day.trim();
    let max =
        if max.is_empty() {
            None
        } else {
            Some(max.parse::<i32>().map_err(|_| {
                fairlink::Error::field(ErrorCode::InvalidField, "max_entries_per_day")
            })?)
        };
    let input = fairlink::badges::GateInput {
        code,
        name_vi,
        name_en,
        area,
        kinds: list,
        reentry: reentry.is_some(),
        max_entries_per_day: max,
    };
    fairlink::badges::save_gate(&app.db, &user, fair.id, &input, chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{}/badges#gates", fair.slug));
    Ok(())
}

/// Makes a scanner device token (shown once on the desk page).
#[server(endpoint = "badges/device")]
pub async fn add_device(slug: String, name: String) -> Result<String, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let (_, token) =
        fairlink::badges::add_device(&app.db, &user, fair.id, &name, chrono::Utc::now()).await?;
    super::ctx::set_short_cookie(&app, TOKEN_COOKIE, &token, 120);
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{}/badges#devices", fair.slug));
    Ok(token)
}

#[server(endpoint = "badges/device_revoke")]
pub async fn revoke_device(slug: String, device: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    fairlink::badges::revoke_device(&app.db, &user, device, chrono::Utc::now()).await?;
    app.forget_device.call(device);
    super::ctx::redirect_form_post(&format!("/organiser/fairs/{slug}/badges#devices"));
    Ok(())
}

/// The live figures page's first figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePage {
    pub fair: Fair,
    pub counts: LiveCounts,
}

#[server(endpoint = "badges/live")]
pub async fn get_live(slug: String, day: Option<NaiveDate>) -> Result<LivePage, AppError> {
    use fairlink::accounts::Role;
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let counts =
        fairlink::badges::live::live_counts(&app.db, fair.id, day, chrono::Utc::now()).await?;
    Ok(LivePage { fair, counts })
}

/// An exhibiting firm's staff badges at a fair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffPage {
    pub fair: Fair,
    pub quota: i64,
    pub badges: Vec<BadgeCard>,
}

#[server(endpoint = "badges/staff")]
pub async fn get_staff_badges(slug: String) -> Result<StaffPage, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let s = fairlink::badges::staff::staff_badges(&app.db, &user, fair.id).await?;
    let badges = s
        .badges
        .into_iter()
        .map(|b| card(b, &fair))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StaffPage {
        fair,
        quota: s.quota,
        badges,
    })
}

#[server(endpoint = "badges/staff_add")]
pub async fn name_staff(slug: String, name: String, email: String) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let fair = fairlink::booths::fair_by_slug(&app.db, &slug).await?;
    let b = fairlink::badges::staff::name_staff(
        &app.db,
        &user,
        fair.id,
        &name,
        &email,
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/fairs/{}/staff#badge-{}", fair.slug, b.id));
    Ok(b.id)
}

#[server(endpoint = "badges/staff_withdraw")]
pub async fn withdraw_staff(slug: String, badge: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    super::slug_arg(&slug)?;
    let app = super::ctx::app()?;
    fairlink::badges::staff::withdraw_staff(&app.db, &user, badge, chrono::Utc::now()).await?;
    super::ctx::redirect_form_post(&format!("/fairs/{slug}/staff"));
    Ok(())
}

/// The firm's leads, a page at a time.
#[server(endpoint = "leads/list")]
pub async fn get_leads(page: Option<u64>) -> Result<fairlink::badges::leads::LeadsPage, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    Ok(fairlink::badges::leads::leads_page(&app.db, &user, page.unwrap_or(0)).await?)
}

#[cfg(feature = "ssr")]
fn lead_input(notes: String, rating: String, tags: String) -> fairlink::badges::leads::LeadInput {
    fairlink::badges::leads::LeadInput {
        notes,
        // Out of range on purpose when unreadable: the core refuses it.
        rating: rating
            .trim()
            .parse()
            .unwrap_or(if rating.trim().is_empty() { 0 } else { -1 }),
        tags: vec![tags],
    }
}

/// Saves a lead from a scanned (or typed) badge code.
#[server(endpoint = "leads/capture")]
pub async fn capture_lead(
    code: String,
    notes: String,
    rating: String,
    tags: String,
) -> Result<Uuid, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let lead = fairlink::badges::leads::capture(
        &app.db,
        &user,
        &code,
        &lead_input(notes, rating, tags),
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/firm/leads?saved={}#lead-{}", lead.id, lead.id));
    Ok(lead.id)
}

#[server(endpoint = "leads/update")]
pub async fn update_lead(
    lead: Uuid,
    notes: String,
    rating: String,
    tags: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::badges::leads::update(
        &app.db,
        &user,
        lead,
        &lead_input(notes, rating, tags),
        chrono::Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/firm/leads?updated={lead}#lead-{lead}"));
    Ok(())
}

/// The fairs a scanner can be opened for (door staff, organisers).
#[server(endpoint = "badges/scan_fairs")]
pub async fn get_scan_fairs() -> Result<Vec<Fair>, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Organiser, Role::Staff])?;
    let app = super::ctx::app()?;
    let mut fairs = fairlink::booths::fairs(&app.db).await?;
    if user.role == Role::Staff {
        // Door staff scan at the fairs they are on.
        let mine = fairlink::badges::door::fairs_of(app.db.read(), user.id).await?;
        fairs.retain(|f| mine.contains(&f.id));
    }
    Ok(fairs)
}
