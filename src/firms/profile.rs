//! A firm's profile: registering it, keeping it up to date, and reading it
//! (all of it for its members and organisers, the approved profile for
//! everyone else).

use super::entity::{certificate, firm, member, product, tag, upload};
use super::vocabulary::{self, CERTIFICATES, MARKETS, MATERIALS, PROCESSES, REVENUE_BANDS};
use super::{SectorGroup, TaxCode, audit, status, uploads};
use crate::accounts::{DisplayName, Email, Role, SessionUser};
use crate::db::Db;
use crate::text::multiline as text;
use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};
use uuid::Uuid;

/// The profile form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileInput {
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: String,
    pub sector_group: String,
    pub address: String,
    pub province: String,
    pub website: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub employees: String,
    pub revenue_band: String,
    pub founded_year: String,
    pub description_vi: String,
    pub description_en: String,
    pub customers: String,
}

/// A profile that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProfile {
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: TaxCode,
    pub sector_group: SectorGroup,
    pub address: String,
    pub province: &'static str,
    pub website: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub employees: Option<i32>,
    pub revenue_band: Option<&'static str>,
    pub founded_year: Option<i32>,
    pub description_vi: Option<String>,
    pub description_en: Option<String>,
    pub customers: Option<String>,
}

fn optional(value: &str, field: &'static str, max: usize) -> Result<Option<String>> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        text(value, field, 1, max).map(Some)
    }
}

fn number(value: &str, field: &'static str, min: i32, max: i32) -> Result<Option<i32>> {
    let v: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.' && *c != ',')
        .collect();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Error::field(ErrorCode::InvalidField, field)),
    }
}

/// A phone number as people write it: digits with +, spaces, dots, dashes
/// and brackets; 8 to 15 digits.
fn phone(value: &str) -> Result<String> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = (8..=15).contains(&digits)
        && v.len() <= 30
        && v.chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    if ok {
        Ok(v.to_string())
    } else {
        Err(Error::field(ErrorCode::InvalidField, "contact_phone"))
    }
}

fn website(value: &str) -> Result<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let with_scheme = if v.starts_with("http://") || v.starts_with("https://") {
        v.to_string()
    } else {
        format!("https://{v}")
    };
    let host = with_scheme
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("");
    let ok = with_scheme.len() <= 300
        && !with_scheme
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"'".contains(c))
        && host.contains('.')
        && !host.starts_with('.');
    if ok {
        Ok(Some(with_scheme))
    } else {
        Err(Error::field(ErrorCode::InvalidField, "website"))
    }
}

/// Checks every field; the first failing field is named in the error.
pub fn validate(input: &ProfileInput, today: NaiveDate) -> Result<ValidProfile> {
    Ok(ValidProfile {
        legal_name: crate::text::field(&input.legal_name, "legal_name", 3, 300)?,
        name_en: crate::text::field(&input.name_en, "name_en", 2, 300)?,
        tax_code: TaxCode::parse(&input.tax_code)?,
        sector_group: SectorGroup::parse(input.sector_group.trim())
            .ok_or(Error::field(ErrorCode::InvalidField, "sector_group"))?,
        address: text(&input.address, "address", 5, 500)?,
        province: vocabulary::province(&input.province)
            .map(|p| p.code)
            .ok_or(Error::field(ErrorCode::InvalidField, "province"))?,
        website: website(&input.website)?,
        contact_name: DisplayName::parse(&input.contact_name)
            .map_err(|_| Error::field(ErrorCode::InvalidField, "contact_name"))?
            .into_string(),
        contact_email: Email::parse(&input.contact_email)
            .map_err(|_| Error::field(ErrorCode::InvalidEmail, "contact_email"))?
            .into_string(),
        contact_phone: phone(&input.contact_phone)?,
        employees: number(&input.employees, "employees", 1, 1_000_000)?,
        revenue_band: match input.revenue_band.trim() {
            "" => None,
            code => Some(
                vocabulary::find(REVENUE_BANDS, code)
                    .ok_or(Error::field(ErrorCode::InvalidField, "revenue_band"))?
                    .code,
            ),
        },
        founded_year: number(&input.founded_year, "founded_year", 1900, today.year())?,
        description_vi: optional(&input.description_vi, "description_vi", 4000)?,
        description_en: optional(&input.description_en, "description_en", 4000)?,
        customers: optional(&input.customers, "customers", 1000)?,
    })
}

/// The firm a user belongs to, and whether they are one of its admins.
pub async fn membership<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
) -> Result<Option<(Uuid, bool)>> {
    Ok(member::Entity::find()
        .filter(member::Column::UserId.eq(user_id))
        .one(conn)
        .await?
        .map(|m| (m.firm_id, m.is_admin)))
}

/// The firm `user` may edit: their own, as an exhibitor.
pub(crate) async fn own_firm<C: ConnectionTrait>(conn: &C, user: &SessionUser) -> Result<Uuid> {
    if user.role != Role::Exhibitor {
        return Err(ErrorCode::Forbidden.into());
    }
    membership(conn, user.id)
        .await?
        .map(|(f, _)| f)
        .ok_or_else(|| ErrorCode::NoFirm.into())
}

/// The approved firm `user` acts for: a firm not approved (a draft, one
/// under review, a rejected one) may not meet buyers or take leads.
pub async fn approved_firm<C: ConnectionTrait>(conn: &C, user: &SessionUser) -> Result<Uuid> {
    let id = own_firm(conn, user).await?;
    let f = firm::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NoFirm)?;
    if f.status != status::APPROVED {
        return Err(ErrorCode::FirmNotApproved.into());
    }
    Ok(id)
}

/// The firm `user` administers.
pub(super) async fn admin_firm<C: ConnectionTrait>(conn: &C, user: &SessionUser) -> Result<Uuid> {
    if user.role != Role::Exhibitor {
        return Err(ErrorCode::Forbidden.into());
    }
    match membership(conn, user.id).await? {
        Some((firm, true)) => Ok(firm),
        Some((_, false)) => Err(ErrorCode::Forbidden.into()),
        None => Err(ErrorCode::NoFirm.into()),
    }
}

async fn tax_code_owner<C: ConnectionTrait>(conn: &C, code: &TaxCode) -> Result<Option<Uuid>> {
    Ok(firm::Entity::find()
        .filter(firm::Column::TaxCode.eq(code.as_str()))
        .one(conn)
        .await?
        .map(|f| f.id))
}

/// Creates the user's firm (they become its first admin) or updates it.
/// One tax code, one firm: another firm's code is refused with
/// `tax_code_taken` (the page then offers to ask to join that firm).
pub async fn save_profile(
    db: &Db,
    user: &SessionUser,
    input: &ProfileInput,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    if user.role != Role::Exhibitor {
        return Err(ErrorCode::Forbidden.into());
    }
    let p = validate(input, now.date_naive())?;
    let txn = db.begin().await?;
    let existing = membership(&txn, user.id).await?;
    if existing.is_none() && !user.email_verified {
        // A firm is registered under a tax code only by someone whose
        // address is confirmed (no squatting from throwaway addresses).
        return Err(Error::field(ErrorCode::EmailUnverified, "email"));
    }
    if let Some(owner) = tax_code_owner(&txn, &p.tax_code).await?
        && existing.map(|(f, _)| f) != Some(owner)
    {
        return Err(Error::field(ErrorCode::TaxCodeTaken, "tax_code"));
    }
    let firm_id = match existing {
        Some((firm_id, is_admin)) => {
            let before = firm::Entity::find_by_id(firm_id)
                .one(&txn)
                .await?
                .ok_or(ErrorCode::NotFound)?;
            let mut am: firm::ActiveModel = before.clone().into();
            apply(&mut am, &p, now);
            let mut changed = changed_fields(&before, &p);
            if before.status == status::APPROVED {
                // Who an approved firm is changes only with the organisers'
                // approval: the approved identity stays public meanwhile.
                let current = super::identity::wanted(&before);
                let asked = super::identity::Identity {
                    legal_name: p.legal_name.clone(),
                    name_en: p.name_en.clone(),
                    tax_code: p.tax_code.as_str().to_string(),
                    website: p.website.clone(),
                    logo_upload_id: current.logo_upload_id,
                };
                am.legal_name = Set(before.legal_name.clone());
                am.name_en = Set(before.name_en.clone());
                am.tax_code = Set(before.tax_code.clone());
                am.website = Set(before.website.clone());
                changed.retain(|c| !super::identity::FIELDS.contains(c));
                if asked != current {
                    if !is_admin {
                        return Err(Error::field(ErrorCode::Forbidden, "legal_name"));
                    }
                    am.update(&txn).await?;
                    super::identity::hold(&txn, &before, asked, user, now).await?;
                } else {
                    am.update(&txn).await?;
                }
            } else if before.released_tax_code.is_some() {
                // A rejected or withdrawn firm keeps its code given up
                // until it submits again.
                am.tax_code = Set(before.tax_code.clone());
                am.released_tax_code = Set(Some(p.tax_code.as_str().to_string()));
                am.update(&txn).await?;
            } else {
                am.update(&txn).await.map_err(|e| {
                    if crate::db::unique_violation(&e) {
                        Error::field(ErrorCode::TaxCodeTaken, "tax_code")
                    } else {
                        e.into()
                    }
                })?;
            }
            if !changed.is_empty() {
                audit::record(
                    &txn,
                    Some(user.id),
                    "firm.updated",
                    "firm",
                    Some(firm_id),
                    serde_json::json!({ "changed": changed }),
                    now,
                )
                .await?;
            }
            firm_id
        }
        None => {
            let firm_id = Uuid::now_v7();
            let mut am = firm::ActiveModel {
                id: Set(firm_id),
                status: Set(status::DRAFT.to_string()),
                created_at: Set(now),
                logo_upload_id: Set(None),
                submitted_at: Set(None),
                decided_at: Set(None),
                decision_note: Set(None),
                search_body: Set(None),
                ..Default::default()
            };
            apply(&mut am, &p, now);
            am.insert(&txn).await.map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    Error::field(ErrorCode::TaxCodeTaken, "tax_code")
                }
                _ => e.into(),
            })?;
            member::ActiveModel {
                firm_id: Set(firm_id),
                user_id: Set(user.id),
                is_admin: Set(true),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
            audit::record(
                &txn,
                Some(user.id),
                "firm.registered",
                "firm",
                Some(firm_id),
                serde_json::json!({ "tax_code": p.tax_code.as_str() }),
                now,
            )
            .await?;
            firm_id
        }
    };
    reindex(&txn, firm_id).await?;
    txn.commit().await?;
    Ok(firm_id)
}

fn apply(am: &mut firm::ActiveModel, p: &ValidProfile, now: DateTime<Utc>) {
    am.tax_code = Set(p.tax_code.as_str().to_string());
    am.legal_name = Set(p.legal_name.clone());
    am.name_en = Set(p.name_en.clone());
    am.sector_group = Set(p.sector_group.as_str().to_string());
    am.province = Set(p.province.to_string());
    am.address = Set(p.address.clone());
    am.website = Set(p.website.clone());
    am.employees = Set(p.employees);
    am.founded_year = Set(p.founded_year);
    am.contact_name = Set(Some(p.contact_name.clone()));
    am.contact_email = Set(Some(p.contact_email.clone()));
    am.contact_phone = Set(Some(p.contact_phone.clone()));
    am.revenue_band = Set(p.revenue_band.map(str::to_string));
    am.description_vi = Set(p.description_vi.clone());
    am.description_en = Set(p.description_en.clone());
    am.customers = Set(p.customers.clone());
    am.updated_at = Set(now);
}

fn changed_fields(before: &firm::Model, p: &ValidProfile) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name: &'static str, same: bool| {
        if !same {
            changed.push(name);
        }
    };
    check("legal_name", before.legal_name == p.legal_name);
    check("name_en", before.name_en == p.name_en);
    check("tax_code", before.tax_code == p.tax_code.as_str());
    check(
        "sector_group",
        before.sector_group == p.sector_group.as_str(),
    );
    check("address", before.address == p.address);
    check("province", before.province == p.province);
    check("website", before.website == p.website);
    check("employees", before.employees == p.employees);
    check("founded_year", before.founded_year == p.founded_year);
    check(
        "contact",
        before.contact_email.as_deref() == Some(p.contact_email.as_str()),
    );
    check(
        "description",
        before.description_vi == p.description_vi && before.description_en == p.description_en,
    );
    changed
}

/// A product line with its HS code ("8708.99" or "87089990").
pub async fn add_product(
    db: &Db,
    user: &SessionUser,
    name_vi: &str,
    name_en: &str,
    hs_code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let name_vi = text(name_vi, "name_vi", 2, 200)?;
    let name_en = text(name_en, "name_en", 2, 200)?;
    let hs = parse_hs_code(hs_code)?;
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let count = product::Entity::find()
        .filter(product::Column::FirmId.eq(firm_id))
        .all(&txn)
        .await?
        .len();
    if count >= 50 {
        return Err(Error::field(ErrorCode::InvalidField, "name_vi"));
    }
    product::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(firm_id),
        name_vi: Set(name_vi.clone()),
        name_en: Set(name_en),
        hs_code: Set(hs),
        position: Set(count as i32),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(user.id),
        "firm.product_added",
        "firm",
        Some(firm_id),
        serde_json::json!({ "product": name_vi }),
        now,
    )
    .await?;
    reindex(&txn, firm_id).await?;
    txn.commit().await?;
    Ok(())
}

/// HS codes: 4 to 10 digits, dots and spaces allowed in between.
pub fn parse_hs_code(value: &str) -> Result<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let digits: String = v.chars().filter(|c| *c != '.' && *c != ' ').collect();
    if digits.len() >= 4
        && digits.len() <= 10
        && digits.len().is_multiple_of(2)
        && digits.chars().all(|c| c.is_ascii_digit())
    {
        Ok(Some(digits))
    } else {
        Err(Error::field(ErrorCode::InvalidField, "hs_code"))
    }
}

pub async fn remove_product(
    db: &Db,
    user: &SessionUser,
    product_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let removed = product::Entity::delete_many()
        .filter(product::Column::Id.eq(product_id))
        .filter(product::Column::FirmId.eq(firm_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ErrorCode::NotFound.into());
    }
    audit::record(
        &txn,
        Some(user.id),
        "firm.product_removed",
        "firm",
        Some(firm_id),
        serde_json::json!({ "product": product_id }),
        now,
    )
    .await?;
    reindex(&txn, firm_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Which vocabulary a tag comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    Process,
    Material,
    Market,
}

impl TagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Process => "process",
            TagKind::Material => "material",
            TagKind::Market => "market",
        }
    }

    pub fn vocabulary(self) -> &'static [vocabulary::Term] {
        match self {
            TagKind::Process => PROCESSES,
            TagKind::Material => MATERIALS,
            TagKind::Market => MARKETS,
        }
    }
}

/// Replaces a firm's processes, materials and markets in one go.
pub async fn set_capabilities(
    db: &Db,
    user: &SessionUser,
    processes: &[String],
    materials: &[String],
    markets: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    replace_tags(&txn, firm_id, TagKind::Process, processes).await?;
    replace_tags(&txn, firm_id, TagKind::Material, materials).await?;
    replace_tags(&txn, firm_id, TagKind::Market, markets).await?;
    audit::record(
        &txn,
        Some(user.id),
        "firm.capabilities_set",
        "firm",
        Some(firm_id),
        serde_json::json!({ "processes": processes, "materials": materials, "markets": markets }),
        now,
    )
    .await?;
    reindex(&txn, firm_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces the tags of one kind (codes checked against the vocabulary).
pub(super) async fn replace_tags<C: ConnectionTrait>(
    conn: &C,
    firm_id: Uuid,
    kind: TagKind,
    codes: &[String],
) -> Result<()> {
    let field = match kind {
        TagKind::Process => "processes",
        TagKind::Material => "materials",
        TagKind::Market => "markets",
    };
    let mut clean: Vec<&'static str> = Vec::new();
    for code in codes {
        let term = vocabulary::find(kind.vocabulary(), code.trim())
            .ok_or(Error::field(ErrorCode::InvalidField, field))?;
        if !clean.contains(&term.code) {
            clean.push(term.code);
        }
    }
    tag::Entity::delete_many()
        .filter(tag::Column::FirmId.eq(firm_id))
        .filter(tag::Column::Kind.eq(kind.as_str()))
        .exec(conn)
        .await?;
    if !clean.is_empty() {
        tag::Entity::insert_many(clean.into_iter().map(|code| tag::ActiveModel {
            firm_id: Set(firm_id),
            kind: Set(kind.as_str().to_string()),
            code: Set(code.to_string()),
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// A certificate as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateInput {
    pub kind: String,
    pub other_name: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: String,
    pub expires_on: String,
}

fn date(value: &str, field: &'static str) -> Result<NaiveDate> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .map_err(|_| Error::field(ErrorCode::InvalidField, field))
}

/// Adds a certificate with its scan (PDF or image), checked and stored in
/// one transaction: a refused file leaves nothing behind.
pub async fn add_certificate(
    db: &Db,
    user: &SessionUser,
    input: &CertificateInput,
    scan: Option<(String, Vec<u8>)>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let kind = vocabulary::find(CERTIFICATES, input.kind.trim())
        .ok_or(Error::field(ErrorCode::InvalidField, "kind"))?
        .code;
    let other_name = if kind == "other" {
        Some(text(&input.other_name, "other_name", 2, 100)?)
    } else {
        None
    };
    let number = text(&input.number, "number", 2, 100)?;
    let issuer = text(&input.issuer, "issuer", 2, 200)?;
    let issued_on = date(&input.issued_on, "issued_on")?;
    if issued_on > now.date_naive() {
        return Err(Error::field(ErrorCode::InvalidField, "issued_on"));
    }
    let expires_on = match input.expires_on.trim() {
        "" => None,
        v => Some(date(v, "expires_on")?),
    };
    if expires_on.is_some_and(|e| e <= issued_on) {
        return Err(Error::field(ErrorCode::InvalidField, "expires_on"));
    }
    if let Some((name, bytes)) = &scan {
        uploads::check(uploads::Purpose::CertificateScan, name, bytes)?;
    }
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let upload_id = match scan {
        Some((name, bytes)) => Some(
            uploads::store(
                &txn,
                uploads::Purpose::CertificateScan,
                Some(firm_id),
                &name,
                bytes,
                Some(user.id),
                now,
            )
            .await?,
        ),
        None => None,
    };
    let id = Uuid::now_v7();
    certificate::ActiveModel {
        id: Set(id),
        firm_id: Set(firm_id),
        kind: Set(kind.to_string()),
        number: Set(number.clone()),
        issuer: Set(issuer),
        issued_on: Set(issued_on),
        expires_on: Set(expires_on),
        verified_at: Set(None),
        created_at: Set(now),
        other_name: Set(other_name),
        upload_id: Set(upload_id),
        verified_by: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Some(user.id),
        "certificate.added",
        "firm",
        Some(firm_id),
        serde_json::json!({ "kind": kind, "number": number }),
        now,
    )
    .await?;
    reindex(&txn, firm_id).await?;
    txn.commit().await?;
    Ok(id)
}

pub async fn remove_certificate(
    db: &Db,
    user: &SessionUser,
    certificate_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let cert = certificate::Entity::find_by_id(certificate_id)
        .filter(certificate::Column::FirmId.eq(firm_id))
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    certificate::Entity::delete_by_id(cert.id)
        .exec(&txn)
        .await?;
    if let Some(upload_id) = cert.upload_id {
        upload::Entity::delete_by_id(upload_id).exec(&txn).await?;
    }
    audit::record(
        &txn,
        Some(user.id),
        "certificate.removed",
        "firm",
        Some(firm_id),
        serde_json::json!({ "kind": cert.kind, "number": cert.number }),
        now,
    )
    .await?;
    reindex(&txn, firm_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets the firm's logo (PNG, JPEG or WebP up to 1 MB).
pub async fn set_logo(
    db: &Db,
    user: &SessionUser,
    filename: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<()> {
    uploads::check(uploads::Purpose::Logo, filename, &bytes)?;
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let f = firm::Entity::find_by_id(firm_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NoFirm)?;
    let old = f.logo_upload_id;
    let id = uploads::store(
        &txn,
        uploads::Purpose::Logo,
        Some(firm_id),
        filename,
        bytes,
        Some(user.id),
        now,
    )
    .await?;
    if f.status == status::APPROVED {
        // A logo is part of who the firm is: it waits for review.
        if !matches!(membership(&txn, user.id).await?, Some((_, true))) {
            return Err(Error::field(ErrorCode::Forbidden, "logo"));
        }
        let mut asked = super::identity::wanted(&f);
        asked.logo_upload_id = Some(id);
        super::identity::hold(&txn, &f, asked, user, now).await?;
        txn.commit().await?;
        return Ok(());
    }
    firm::Entity::update_many()
        .col_expr(firm::Column::LogoUploadId, Expr::value(id))
        .filter(firm::Column::Id.eq(firm_id))
        .exec(&txn)
        .await?;
    if let Some(old) = old {
        upload::Entity::delete_by_id(old).exec(&txn).await?;
    }
    audit::record(
        &txn,
        Some(user.id),
        "firm.updated",
        "firm",
        Some(firm_id),
        serde_json::json!({ "changed": ["logo"] }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `viewer` may see a file: logos are public; certificate scans are
/// for the firm's members and organisers.
pub async fn file_for(
    db: &Db,
    viewer: Option<&SessionUser>,
    upload_id: Uuid,
) -> Result<upload::Model> {
    let file = uploads::get(db.read(), upload_id).await?;
    if file.purpose == uploads::Purpose::Logo.as_str() {
        return Ok(file);
    }
    let allowed = match viewer {
        Some(u) if u.role == Role::Organiser => true,
        Some(u) => match (file.firm_id, membership(db.read(), u.id).await?) {
            (Some(f), Some((mine, _))) => f == mine,
            _ => false,
        },
        None => false,
    };
    if allowed {
        Ok(file)
    } else {
        Err(ErrorCode::NotFound.into())
    }
}

/// Sends the profile to the organisers for approval.
pub async fn submit(db: &Db, user: &SessionUser, now: DateTime<Utc>) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = admin_firm(&txn, user).await?;
    let f = firm::Entity::find_by_id(firm_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if ![
        status::DRAFT,
        status::CHANGES_REQUESTED,
        status::REJECTED,
        status::WITHDRAWN,
    ]
    .contains(&f.status.as_str())
    {
        return Err(ErrorCode::WrongState.into());
    }
    // A firm that gave its tax code up takes it back, if nobody else did.
    reclaim_tax_code(&txn, &f).await?;
    firm::Entity::update_many()
        .col_expr(firm::Column::Status, Expr::value(status::SUBMITTED))
        .col_expr(firm::Column::SubmittedAt, Expr::value(now))
        .filter(firm::Column::Id.eq(firm_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(user.id),
        "firm.submitted",
        "firm",
        Some(firm_id),
        serde_json::json!({ "from": f.status, "to": status::SUBMITTED }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A firm's admin withdraws its application (a draft, or a profile under
/// review, sent back or rejected): its tax code is free again for whoever
/// rightly holds it. Submitting again takes it back if it is still free.
pub async fn withdraw(db: &Db, user: &SessionUser, now: DateTime<Utc>) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = admin_firm(&txn, user).await?;
    let f = firm::Entity::find_by_id(firm_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if ![
        status::DRAFT,
        status::SUBMITTED,
        status::CHANGES_REQUESTED,
        status::REJECTED,
    ]
    .contains(&f.status.as_str())
    {
        return Err(ErrorCode::WrongState.into());
    }
    let done = firm::Entity::update_many()
        .col_expr(firm::Column::Status, Expr::value(status::WITHDRAWN))
        .filter(firm::Column::Id.eq(firm_id))
        .filter(firm::Column::Status.eq(f.status.clone()))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ErrorCode::WrongState.into());
    }
    release_tax_code(&txn, &f).await?;
    audit::record(
        &txn,
        Some(user.id),
        "firm.withdrawn",
        "firm",
        Some(firm_id),
        serde_json::json!({ "from": f.status, "to": status::WITHDRAWN }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The tax code a firm is known by: the one it gave up while rejected or
/// withdrawn, else its own.
pub fn shown_tax_code(f: &firm::Model) -> String {
    f.released_tax_code
        .clone()
        .unwrap_or_else(|| f.tax_code.clone())
}

/// Gives a firm's tax code up (inside the caller's transaction): the code
/// moves to `released_tax_code` and `tax_code` takes a placeholder that no
/// real code can equal (`~` and 13 random letters), so that another firm
/// may register the code.
pub(crate) async fn release_tax_code<C: ConnectionTrait>(conn: &C, f: &firm::Model) -> Result<()> {
    if f.released_tax_code.is_some() {
        return Ok(());
    }
    let placeholder: String = {
        let token = crate::accounts::random_token();
        let letters: String = token
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(13)
            .collect();
        format!("~{letters}")
    };
    firm::Entity::update_many()
        .col_expr(
            firm::Column::ReleasedTaxCode,
            Expr::value(f.tax_code.clone()),
        )
        .col_expr(firm::Column::TaxCode, Expr::value(placeholder))
        .filter(firm::Column::Id.eq(f.id))
        .filter(firm::Column::TaxCode.eq(f.tax_code.clone()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Takes a given-up tax code back: `tax_code_taken` when another firm has
/// registered it meanwhile.
async fn reclaim_tax_code<C: ConnectionTrait>(conn: &C, f: &firm::Model) -> Result<()> {
    let Some(code) = f.released_tax_code.clone() else {
        return Ok(());
    };
    let taken = firm::Entity::find()
        .filter(firm::Column::TaxCode.eq(code.clone()))
        .filter(firm::Column::Id.ne(f.id))
        .one(conn)
        .await?
        .is_some();
    if taken {
        return Err(Error::field(ErrorCode::TaxCodeTaken, "tax_code"));
    }
    firm::Entity::update_many()
        .col_expr(firm::Column::TaxCode, Expr::value(code))
        .col_expr(firm::Column::ReleasedTaxCode, Expr::value(None::<String>))
        .filter(firm::Column::Id.eq(f.id))
        .exec(conn)
        .await
        .map_err(|e| {
            if crate::db::unique_violation(&e) {
                Error::field(ErrorCode::TaxCodeTaken, "tax_code")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// A product line as pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductView {
    pub id: Uuid,
    pub name_vi: String,
    pub name_en: String,
    pub hs_code: Option<String>,
}

/// A certificate as pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateView {
    pub id: Uuid,
    pub kind: String,
    pub other_name: Option<String>,
    pub number: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub verified: bool,
    pub has_scan: bool,
    pub upload_id: Option<Uuid>,
    /// Verified, but expires before the fair ends: both sides are warned.
    pub expires_before_fair: bool,
}

/// A member as the firm's page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberView {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// Everything about a firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: Uuid,
    pub status: String,
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: String,
    /// The identity an approved firm asked for, waiting for the organisers
    /// (members and organisers only).
    pub pending_identity: Option<super::identity::Identity>,
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
    pub logo_upload_id: Option<Uuid>,
    pub decision_note: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub products: Vec<ProductView>,
    pub processes: Vec<String>,
    pub materials: Vec<String>,
    pub markets: Vec<String>,
    pub certificates: Vec<CertificateView>,
    /// Only for the firm's members and organisers.
    pub members: Vec<MemberView>,
}

impl Profile {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Vi => &self.legal_name,
            Locale::En => &self.name_en,
        }
    }
}

/// A firm's profile as `viewer` may see it: approved firms are public;
/// other firms exist only for their members and for organisers (everyone
/// else gets `not_found`, which reveals nothing).
pub async fn profile(
    db: &Db,
    viewer: Option<&SessionUser>,
    firm_id: Uuid,
    fair_ends: Option<NaiveDate>,
) -> Result<Profile> {
    let conn = db.read();
    let f = firm::Entity::find_by_id(firm_id)
        .one(conn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let insider = match viewer {
        Some(u) if u.role == Role::Organiser => true,
        Some(u) => membership(conn, u.id)
            .await?
            .is_some_and(|(mine, _)| mine == firm_id),
        None => false,
    };
    if f.status != status::APPROVED && !insider {
        return Err(ErrorCode::NotFound.into());
    }
    let products = product::Entity::find()
        .filter(product::Column::FirmId.eq(firm_id))
        .order_by_asc(product::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|p| ProductView {
            id: p.id,
            name_vi: p.name_vi,
            name_en: p.name_en,
            hs_code: p.hs_code,
        })
        .collect();
    let tags = tag::Entity::find()
        .filter(tag::Column::FirmId.eq(firm_id))
        .all(conn)
        .await?;
    let codes = |kind: TagKind| -> Vec<String> {
        let mut v: Vec<String> = tags
            .iter()
            .filter(|t| t.kind == kind.as_str())
            .map(|t| t.code.clone())
            .collect();
        // Vocabulary order, not insertion order.
        v.sort_by_key(|c| {
            kind.vocabulary()
                .iter()
                .position(|t| t.code == c)
                .unwrap_or(usize::MAX)
        });
        v
    };
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::FirmId.eq(firm_id))
        .order_by_asc(certificate::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| CertificateView {
            id: c.id,
            expires_before_fair: c.verified_at.is_some()
                && matches!((c.expires_on, fair_ends), (Some(e), Some(f)) if e < f),
            kind: c.kind,
            other_name: c.other_name,
            number: c.number,
            issuer: c.issuer,
            issued_on: c.issued_on,
            expires_on: c.expires_on,
            verified: c.verified_at.is_some(),
            has_scan: c.upload_id.is_some(),
            upload_id: if insider { c.upload_id } else { None },
        })
        .collect();
    let members = if insider {
        use crate::accounts::entity::user;
        let links = member::Entity::find()
            .filter(member::Column::FirmId.eq(firm_id))
            .all(conn)
            .await?;
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(links.iter().map(|m| m.user_id).collect::<Vec<_>>()))
            .all(conn)
            .await?;
        links
            .iter()
            .filter_map(|m| {
                users
                    .iter()
                    .find(|u| u.id == m.user_id)
                    .map(|u| MemberView {
                        user_id: u.id,
                        name: u.name.clone(),
                        email: u.email.clone(),
                        is_admin: m.is_admin,
                    })
            })
            .collect()
    } else {
        Vec::new()
    };
    let (processes, materials, markets) = (
        codes(TagKind::Process),
        codes(TagKind::Material),
        codes(TagKind::Market),
    );
    let pending_identity = if insider {
        super::identity::pending(&f)
    } else {
        None
    };
    let tax_code = shown_tax_code(&f);
    Ok(Profile {
        id: f.id,
        status: f.status,
        legal_name: f.legal_name,
        name_en: f.name_en,
        tax_code,
        pending_identity,
        sector_group: f.sector_group,
        province: f.province,
        address: f.address,
        website: f.website,
        contact_name: if insider || viewer.is_some() {
            f.contact_name
        } else {
            None
        },
        contact_email: if insider || viewer.is_some() {
            f.contact_email
        } else {
            None
        },
        contact_phone: if insider || viewer.is_some() {
            f.contact_phone
        } else {
            None
        },
        employees: f.employees,
        revenue_band: f.revenue_band,
        founded_year: f.founded_year,
        description_vi: f.description_vi,
        description_en: f.description_en,
        customers: f.customers,
        logo_upload_id: f.logo_upload_id,
        decision_note: if insider { f.decision_note } else { None },
        submitted_at: f.submitted_at,
        products,
        processes,
        materials,
        markets,
        certificates,
        members,
    })
}

/// The text the catalogue searches: names, products and HS codes,
/// processes, materials, markets and certificates in both languages, the
/// province; folded (no diacritics, lower case) and reduced to plain
/// tokens, so that SQLite FTS5 and PostgreSQL see the same words.
pub fn search_body(
    f: &firm::Model,
    products: &[product::Model],
    tags: &[tag::Model],
    certificates: &[certificate::Model],
) -> String {
    let mut parts: Vec<String> = vec![f.legal_name.clone(), f.name_en.clone(), f.tax_code.clone()];
    if let Some(p) = vocabulary::find(vocabulary::PROVINCES, &f.province) {
        parts.push(p.vi.to_string());
        parts.push(p.en.to_string());
    }
    for p in products {
        parts.push(p.name_vi.clone());
        parts.push(p.name_en.clone());
        if let Some(hs) = &p.hs_code {
            parts.push(hs.clone());
        }
    }
    for t in tags {
        let list = match t.kind.as_str() {
            "process" => PROCESSES,
            "material" => MATERIALS,
            _ => MARKETS,
        };
        if let Some(term) = vocabulary::find(list, &t.code) {
            parts.push(term.vi.to_string());
            parts.push(term.en.to_string());
        }
    }
    for c in certificates {
        if let Some(term) = vocabulary::find(CERTIFICATES, &c.kind) {
            parts.push(term.en.to_string());
        }
        if let Some(other) = &c.other_name {
            parts.push(other.clone());
        }
    }
    normalise(&parts.join(" "))
}

/// Folds text to the plain tokens both search engines index.
pub fn normalise(text: &str) -> String {
    let folded = crate::text::fold(text);
    let mut out = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Recomputes a firm's search text and its index entry (in the caller's
/// transaction).
pub async fn reindex<C: ConnectionTrait>(conn: &C, firm_id: Uuid) -> Result<()> {
    let Some(f) = firm::Entity::find_by_id(firm_id).one(conn).await? else {
        return Ok(());
    };
    let products = product::Entity::find()
        .filter(product::Column::FirmId.eq(firm_id))
        .all(conn)
        .await?;
    let tags = tag::Entity::find()
        .filter(tag::Column::FirmId.eq(firm_id))
        .all(conn)
        .await?;
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::FirmId.eq(firm_id))
        .all(conn)
        .await?;
    let body = search_body(&f, &products, &tags, &certificates);
    write_index(conn, firm_id, &body).await
}

pub(super) async fn write_index<C: ConnectionTrait>(
    conn: &C,
    firm_id: Uuid,
    body: &str,
) -> Result<()> {
    firm::Entity::update_many()
        .col_expr(firm::Column::SearchBody, Expr::value(body.to_string()))
        .filter(firm::Column::Id.eq(firm_id))
        .exec(conn)
        .await?;
    if conn.get_database_backend() == DbBackend::Sqlite {
        let id = sea_orm::Value::from(firm_id);
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT OR IGNORE INTO firm_search_keys (firm_id) VALUES (?)",
            [id.clone()],
        ))
        .await?;
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "DELETE FROM firm_fts WHERE rowid = (SELECT key FROM firm_search_keys WHERE firm_id = ?)",
            [id.clone()],
        ))
        .await?;
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO firm_fts (rowid, body) SELECT key, ? FROM firm_search_keys WHERE firm_id = ?",
            [sea_orm::Value::from(body.to_string()), id],
        ))
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProfileInput {
        ProfileInput {
            legal_name: "Công ty TNHH Nhựa Hà Nội".into(),
            name_en: "Hanoi Plastics Co., Ltd.".into(),
            tax_code: "0314409058".into(),
            sector_group: "components".into(),
            address: "Lô CN-5, KCN Thăng Long, Đông Anh".into(),
            province: "Hà Nội".into(),
            website: "nhuahanoi.vn".into(),
            contact_name: "Nguyễn Văn An".into(),
            contact_email: "an@nhuahanoi.vn".into(),
            contact_phone: "+84 24 3888 9999".into(),
            employees: "1.200".into(),
            revenue_band: "50b_200b".into(),
            founded_year: "2004".into(),
            description_vi: "Ép phun linh kiện nhựa cho xe máy.".into(),
            description_en: "".into(),
            customers: "".into(),
        }
    }

    #[test]
    fn a_good_profile_passes_and_is_normalised() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let p = validate(&input(), today).unwrap();
        assert_eq!(p.province, "ha_noi");
        assert_eq!(p.website.as_deref(), Some("https://nhuahanoi.vn"));
        assert_eq!(p.employees, Some(1200));
        assert_eq!(p.description_en, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        type Breaker = fn(&mut ProfileInput);
        let cases: Vec<(Breaker, &str)> = vec![
            (|i| i.legal_name = "A".into(), "legal_name"),
            (|i| i.tax_code = "0314409059".into(), "tax_code"),
            (|i| i.province = "Atlantis".into(), "province"),
            (|i| i.website = "not a site".into(), "website"),
            (|i| i.contact_email = "nope".into(), "contact_email"),
            (|i| i.contact_phone = "12".into(), "contact_phone"),
            (|i| i.employees = "-3".into(), "employees"),
            (|i| i.founded_year = "2999".into(), "founded_year"),
            (|i| i.sector_group = "food".into(), "sector_group"),
            (|i| i.revenue_band = "huge".into(), "revenue_band"),
        ];
        for (break_it, field) in cases {
            let mut i = input();
            break_it(&mut i);
            assert_eq!(
                validate(&i, today).unwrap_err().field,
                Some(field),
                "{field}"
            );
        }
    }

    #[test]
    fn hs_codes() {
        assert_eq!(parse_hs_code("8708.99").unwrap().as_deref(), Some("870899"));
        assert_eq!(
            parse_hs_code(" 8708 99 90 ").unwrap().as_deref(),
            Some("87089990")
        );
        assert_eq!(parse_hs_code("").unwrap(), None);
        assert!(parse_hs_code("87A8").is_err());
        assert!(parse_hs_code("870").is_err());
    }

    #[test]
    fn search_text_is_plain_folded_tokens() {
        assert_eq!(
            normalise("Công ty TNHH Nhựa Hà Nội (OEKO-TEX®)"),
            "cong ty tnhh nhua ha noi oeko tex"
        );
        assert_eq!(normalise("Đúc áp lực; IATF 16949"), "duc ap luc iatf 16949");
    }
}
