//! Firms: the public catalogue, a firm's own profile, the organisers' review.

use super::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A catalogue card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: Uuid,
    pub legal_name: String,
    pub name_en: String,
    pub sector_group: String,
    pub province: String,
    pub employees: Option<i32>,
    pub certificates: Vec<String>,
    pub markets: Vec<String>,
    pub products_vi: Vec<String>,
    pub products_en: Vec<String>,
    pub logo: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CataloguePage {
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    pub cards: Vec<Card>,
}

/// The catalogue of approved exhibitors. Empty strings mean "any".
#[server(endpoint = "firms/catalogue")]
pub async fn catalogue(
    q: String,
    sector: String,
    certificate: String,
    market: String,
    province: String,
    sort: String,
    page: u64,
) -> Result<CataloguePage, AppError> {
    use fairlink::firms::search;
    let app = super::ctx::app()?;
    let some = |s: String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let locale = super::ctx::request().locale;
    let query = search::Query {
        text: q.chars().take(200).collect(),
        sector: some(sector),
        certificate: some(certificate),
        market: some(market),
        province: some(province),
        sort: search::Sort::parse(&sort),
        english: locale == fairlink::Locale::En,
        page,
    };
    let r = search::search(&app.db, &query).await?;
    Ok(CataloguePage {
        total: r.total,
        page: r.page,
        page_size: search::PAGE_SIZE,
        cards: r
            .cards
            .into_iter()
            .map(|c| Card {
                id: c.id,
                legal_name: c.legal_name,
                name_en: c.name_en,
                sector_group: c.sector_group,
                province: c.province,
                employees: c.employees,
                certificates: c.verified_certificates,
                markets: c.markets,
                products_vi: c.products_vi,
                products_en: c.products_en,
                logo: c.logo_upload_id,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: Uuid,
    pub name_vi: String,
    pub name_en: String,
    pub hs_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: Uuid,
    pub kind: String,
    pub other_name: Option<String>,
    pub number: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub verified: bool,
    pub has_scan: bool,
    pub scan: Option<Uuid>,
    pub expires_before_fair: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// Who an approved firm asked to become (names, tax code, website, logo),
/// waiting for the organisers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingIdentity {
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: String,
    pub website: Option<String>,
    pub logo: Option<Uuid>,
}

/// A firm's profile, as far as the reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firm {
    pub id: Uuid,
    pub status: String,
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: String,
    /// For its members and organisers: the identity waiting for review.
    pub pending: Option<PendingIdentity>,
    pub sector_group: String,
    pub province: String,
    pub address: String,
    pub website: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub employees: Option<i32>,
    pub revenue_band: Option<String>,
    pub founded_year: Option<i32>,
    pub description_vi: Option<String>,
    pub description_en: Option<String>,
    pub customers: Option<String>,
    pub logo: Option<Uuid>,
    pub decision_note: Option<String>,
    pub products: Vec<Product>,
    pub processes: Vec<String>,
    pub materials: Vec<String>,
    pub markets: Vec<String>,
    pub certificates: Vec<Certificate>,
    pub members: Vec<Member>,
}

#[cfg(feature = "ssr")]
impl From<fairlink::firms::profile::Profile> for Firm {
    fn from(p: fairlink::firms::profile::Profile) -> Self {
        Firm {
            id: p.id,
            status: p.status,
            legal_name: p.legal_name,
            name_en: p.name_en,
            tax_code: p.tax_code,
            pending: p.pending_identity.map(|i| PendingIdentity {
                legal_name: i.legal_name,
                name_en: i.name_en,
                tax_code: i.tax_code,
                website: i.website,
                logo: i.logo_upload_id,
            }),
            sector_group: p.sector_group,
            province: p.province,
            address: p.address,
            website: p.website,
            contact_name: p.contact_name,
            contact_email: p.contact_email,
            contact_phone: p.contact_phone,
            employees: p.employees,
            revenue_band: p.revenue_band,
            founded_year: p.founded_year,
            description_vi: p.description_vi,
            description_en: p.description_en,
            customers: p.customers,
            logo: p.logo_upload_id,
            decision_note: p.decision_note,
            products: p
                .products
                .into_iter()
                .map(|x| Product {
                    id: x.id,
                    name_vi: x.name_vi,
                    name_en: x.name_en,
                    hs_code: x.hs_code,
                })
                .collect(),
            processes: p.processes,
            materials: p.materials,
            markets: p.markets,
            certificates: p
                .certificates
                .into_iter()
                .map(|c| Certificate {
                    id: c.id,
                    kind: c.kind,
                    other_name: c.other_name,
                    number: c.number,
                    issuer: c.issuer,
                    issued_on: c.issued_on,
                    expires_on: c.expires_on,
                    verified: c.verified,
                    has_scan: c.has_scan,
                    scan: c.upload_id,
                    expires_before_fair: c.expires_before_fair,
                })
                .collect(),
            members: p
                .members
                .into_iter()
                .map(|m| Member {
                    name: m.name,
                    email: m.email,
                    is_admin: m.is_admin,
                })
                .collect(),
        }
    }
}

#[cfg(feature = "ssr")]
async fn fair_ends(app: &super::ctx::AppContext) -> Result<Option<NaiveDate>, AppError> {
    Ok(
        fairlink::fairs::featured_fair(&app.db, Utc::now().date_naive())
            .await?
            .map(|f| f.ends_on),
    )
}

/// A firm's public page (or the whole profile, for its members and organisers).
#[server(endpoint = "firms/one")]
pub async fn get_firm(id: Uuid) -> Result<Firm, AppError> {
    let app = super::ctx::app()?;
    let viewer = super::ctx::request().user;
    let ends = fair_ends(&app).await?;
    Ok(
        fairlink::firms::profile::profile(&app.db, viewer.as_ref(), id, ends)
            .await?
            .into(),
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// The signed-in exhibitor's firm, if they have one, with what its admin
/// must act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyFirm {
    pub firm: Option<Firm>,
    pub is_admin: bool,
    pub requests: Vec<JoinRequest>,
    /// The reader's address is confirmed (a firm is registered only then).
    pub email_verified: bool,
}

#[server(endpoint = "firm/mine")]
pub async fn get_my_firm() -> Result<MyFirm, AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let Some((firm_id, is_admin)) =
        fairlink::firms::profile::membership(app.db.read(), user.id).await?
    else {
        return Ok(MyFirm {
            firm: None,
            is_admin: false,
            requests: Vec::new(),
            email_verified: user.email_verified,
        });
    };
    let ends = fair_ends(&app).await?;
    let profile = fairlink::firms::profile::profile(&app.db, Some(&user), firm_id, ends).await?;
    let requests = if is_admin {
        fairlink::firms::review::pending_requests(&app.db, &user)
            .await?
            .into_iter()
            .map(|r| JoinRequest {
                id: r.id,
                name: r.name,
                email: r.email,
                created_at: r.created_at,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(MyFirm {
        firm: Some(profile.into()),
        is_admin,
        requests,
        email_verified: user.email_verified,
    })
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "firm/save")]
pub async fn save_firm(
    legal_name: String,
    name_en: String,
    tax_code: String,
    sector_group: String,
    address: String,
    province: String,
    website: String,
    contact_name: String,
    contact_email: String,
    contact_phone: String,
    employees: String,
    revenue_band: String,
    founded_year: String,
    description_vi: String,
    description_en: String,
    customers: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    let input = fairlink::firms::profile::ProfileInput {
        legal_name,
        name_en,
        tax_code,
        sector_group,
        address,
        province,
        website,
        contact_name,
        contact_email,
        contact_phone,
        employees,
        revenue_band,
        founded_year,
        description_vi,
        description_en,
        customers,
    };
    fairlink::firms::profile::save_profile(&app.db, &user, &input, Utc::now()).await?;
    super::ctx::redirect_form_post("/firm?saved=profile");
    Ok(())
}

#[server(endpoint = "firm/add_product")]
pub async fn add_product(
    name_vi: String,
    name_en: String,
    hs_code: String,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::profile::add_product(&app.db, &user, &name_vi, &name_en, &hs_code, Utc::now())
        .await?;
    super::ctx::redirect_form_post("/firm?saved=products#products");
    Ok(())
}

#[server(endpoint = "firm/remove_product")]
pub async fn remove_product(id: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::profile::remove_product(&app.db, &user, id, Utc::now()).await?;
    super::ctx::redirect_form_post("/firm#products");
    Ok(())
}

#[server(endpoint = "firm/remove_certificate")]
pub async fn remove_certificate(id: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::profile::remove_certificate(&app.db, &user, id, Utc::now()).await?;
    super::ctx::redirect_form_post("/firm#certificates");
    Ok(())
}

#[server(endpoint = "firm/submit")]
pub async fn submit_firm() -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::profile::submit(&app.db, &user, Utc::now()).await?;
    super::ctx::redirect_form_post("/firm?saved=submitted");
    Ok(())
}

/// The firm's admin withdraws its application: its tax code is free again.
#[server(endpoint = "firm/withdraw")]
pub async fn withdraw_firm() -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::profile::withdraw(&app.db, &user, Utc::now()).await?;
    super::ctx::redirect_form_post("/firm?saved=withdrawn");
    Ok(())
}

#[server(endpoint = "firm/invite")]
pub async fn invite_member(name: String, email: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::review::invite_member(&app.db, &user, &email, &name, &app.links, Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post("/firm?saved=invited#members");
    Ok(())
}

#[server(endpoint = "firm/join")]
pub async fn request_to_join(tax_code: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::review::request_to_join(&app.db, &user, &tax_code, &app.links, Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post("/firm?saved=requested");
    Ok(())
}

#[server(endpoint = "firm/answer")]
pub async fn answer_request(id: Uuid, accept: bool) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let user = super::ctx::require(&[Role::Exhibitor])?;
    let app = super::ctx::app()?;
    fairlink::firms::review::answer_request(&app.db, &user, id, accept, &app.links, Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post("/firm#members");
    Ok(())
}

/// A firm in the organisers' review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: Uuid,
    pub legal_name: String,
    pub tax_code: String,
    pub sector_group: String,
    pub province: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub certificates: usize,
    pub unverified: usize,
}

/// An approved firm's change of identity waiting for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRow {
    pub id: Uuid,
    /// The names it shows now.
    pub legal_name: String,
    pub name_en: String,
    /// What it asks to change: legal_name, name_en, tax_code, website, logo.
    pub changes: Vec<String>,
    pub asked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub counts: Vec<(String, u64)>,
    pub rows: Vec<QueueRow>,
    pub page: u64,
    pub has_more: bool,
    /// Approved firms' changes of identity waiting for review.
    pub identity_changes: Vec<IdentityRow>,
}

#[server(endpoint = "admin/firm_queue")]
pub async fn firm_queue(status: String, page: u64) -> Result<Queue, AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let status = if status.is_empty() {
        fairlink::firms::status::SUBMITTED.to_string()
    } else {
        status
    };
    let mut rows =
        fairlink::firms::review::queue(&app.db, &organiser, &status, page.min(10_000), 51).await?;
    let has_more = rows.len() > 50;
    rows.truncate(50);
    let figures =
        fairlink::firms::organiser_figures(&app.db, Utc::now().date_naive(), None).await?;
    let identity_changes = fairlink::firms::identity::pending_list(&app.db, &organiser, 100)
        .await?
        .into_iter()
        .map(|r| {
            let (live, wanted) = (&r.live, &r.wanted);
            let changes = [
                ("legal_name", live.legal_name != wanted.legal_name),
                ("name_en", live.name_en != wanted.name_en),
                ("tax_code", live.tax_code != wanted.tax_code),
                ("website", live.website != wanted.website),
                ("logo", live.logo_upload_id != wanted.logo_upload_id),
            ]
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(field, _)| field.to_string())
            .collect();
            IdentityRow {
                id: r.firm_id,
                legal_name: r.live.legal_name,
                name_en: r.live.name_en,
                changes,
                asked_at: r.asked_at,
            }
        })
        .collect();
    Ok(Queue {
        identity_changes,
        counts: figures
            .by_status
            .into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect(),
        rows: rows
            .into_iter()
            .map(|r| QueueRow {
                id: r.id,
                legal_name: r.legal_name,
                tax_code: r.tax_code,
                sector_group: r.sector_group,
                province: r.province,
                submitted_at: r.submitted_at,
                certificates: r.certificates,
                unverified: r.unverified,
            })
            .collect(),
        page,
        has_more,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub firm: Firm,
    pub history: Vec<HistoryEntry>,
}

#[server(endpoint = "admin/firm_review")]
pub async fn firm_review(id: Uuid) -> Result<Review, AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let ends = fair_ends(&app).await?;
    let firm = fairlink::firms::profile::profile(&app.db, Some(&organiser), id, ends).await?;
    let history = fairlink::firms::audit::history(&app.db, "firm", id)
        .await?
        .into_iter()
        .map(|h| HistoryEntry {
            at: h.at,
            actor: h.actor,
            action: h.action,
            detail: h.detail,
        })
        .collect();
    Ok(Review {
        firm: firm.into(),
        history,
    })
}

#[server(endpoint = "admin/decide")]
pub async fn decide(id: Uuid, decision: String, reason: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::firms::review::Decision;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject { reason },
        "changes" => Decision::RequestChanges { reason },
        _ => {
            return Err(
                fairlink::Error::field(fairlink::ErrorCode::InvalidField, "decision").into(),
            );
        }
    };
    fairlink::firms::review::decide(&app.db, &organiser, id, decision, &app.links, Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("/organiser/firms/{id}?decided=1"));
    Ok(())
}

/// Approves or turns down an approved firm's change of identity.
#[server(endpoint = "admin/identity_decide")]
pub async fn decide_identity(id: Uuid, decision: String, reason: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::firms::identity::Decision;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject { reason },
        _ => {
            return Err(
                fairlink::Error::field(fairlink::ErrorCode::InvalidField, "decision").into(),
            );
        }
    };
    fairlink::firms::identity::decide(&app.db, &organiser, id, decision, &app.links, Utc::now())
        .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("/organiser/firms/{id}?decided=1"));
    Ok(())
}

/// Takes a tax code from the firm holding it, for the firm that rightly
/// holds it.
#[server(endpoint = "admin/release_tax_code")]
pub async fn release_tax_code(id: Uuid, reason: String) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    fairlink::firms::review::release_tax_code(
        &app.db,
        &organiser,
        id,
        &reason,
        &app.links,
        Utc::now(),
    )
    .await?;
    app.mail_wake.notify();
    super::ctx::redirect_form_post(&format!("/organiser/firms/{id}?decided=1"));
    Ok(())
}

#[server(endpoint = "admin/verify_certificate")]
pub async fn verify_certificate(
    firm: Uuid,
    certificate: Uuid,
    verified: bool,
) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    fairlink::firms::review::verify_certificate(
        &app.db,
        &organiser,
        certificate,
        verified,
        Utc::now(),
    )
    .await?;
    super::ctx::redirect_form_post(&format!("/organiser/firms/{firm}#certificates"));
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringRow {
    pub firm_id: Uuid,
    pub legal_name: String,
    pub name_en: String,
    pub kind: String,
    pub expires_on: NaiveDate,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub registered: u64,
    pub by_status: Vec<(String, u64)>,
    pub approved: u64,
    pub by_sector: Vec<(String, u64)>,
    pub by_province: Vec<(String, u64)>,
    pub verified_certified: u64,
    pub target_percent: u32,
    pub expiring: Vec<ExpiringRow>,
}

#[server(endpoint = "admin/firm_figures")]
pub async fn firm_figures() -> Result<Figures, AppError> {
    use fairlink::accounts::Role;
    super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let ends = fair_ends(&app).await?;
    let f = fairlink::firms::organiser_figures(&app.db, Utc::now().date_naive(), ends).await?;
    Ok(Figures {
        registered: f.registered,
        by_status: f
            .by_status
            .into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect(),
        approved: f.approved,
        by_sector: f
            .approved_by_sector
            .into_iter()
            .map(|(s, n)| (s.as_str().to_string(), n))
            .collect(),
        by_province: f.approved_by_province,
        verified_certified: f.verified_certified,
        target_percent: f.target_percent,
        expiring: f
            .expiring
            .into_iter()
            .map(|e| ExpiringRow {
                firm_id: e.firm_id,
                legal_name: e.legal_name,
                name_en: e.name_en,
                kind: e.kind,
                expires_on: e.expires_on,
                verified: e.verified,
            })
            .collect(),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub file: Uuid,
    pub filename: String,
    pub rows: usize,
    pub new: usize,
    pub updated: usize,
    pub errors: Vec<ImportError>,
    pub sample: Vec<(usize, String, String, String)>,
}

#[server(endpoint = "admin/import_preview")]
pub async fn preview_import(file: Uuid) -> Result<ImportPreview, AppError> {
    use fairlink::accounts::Role;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let upload = fairlink::firms::uploads::get(app.db.read(), file).await?;
    if upload.purpose != "import" {
        return Err(fairlink::ErrorCode::NotFound.into());
    }
    let p =
        fairlink::firms::transfer::preview(&app.db, &organiser, &upload.filename, &upload.content)
            .await?;
    Ok(ImportPreview {
        file,
        filename: upload.filename,
        rows: p.rows,
        new: p.new,
        updated: p.updated,
        errors: p
            .errors
            .into_iter()
            .map(|e| ImportError {
                line: e.line,
                column: e.column,
                reason: e.reason,
            })
            .collect(),
        sample: p
            .sample
            .into_iter()
            .map(|(l, t, n, a)| (l, t, n, a.to_string()))
            .collect(),
    })
}

#[server(endpoint = "admin/import_apply")]
pub async fn import_apply(file: Uuid) -> Result<(), AppError> {
    use fairlink::accounts::Role;
    use fairlink::firms::transfer::Imported;
    let organiser = super::ctx::require(&[Role::Organiser])?;
    let app = super::ctx::app()?;
    let upload = fairlink::firms::uploads::get(app.db.read(), file).await?;
    if upload.purpose != "import" {
        return Err(fairlink::ErrorCode::NotFound.into());
    }
    match fairlink::firms::transfer::import(
        &app.db,
        &organiser,
        &upload.filename,
        &upload.content,
        Utc::now(),
    )
    .await?
    {
        Imported::Done { created, updated } => {
            super::ctx::redirect_form_post(&format!(
                "/organiser/import?created={created}&updated={updated}"
            ));
            Ok(())
        }
        Imported::Refused(_) => Err(fairlink::ErrorCode::ImportInvalid.into()),
    }
}
