//! Organisers review firms: approve, reject with a reason, ask for changes;
//! verify certificates one by one. Firms grow: admins invite colleagues,
//! and people ask to join a firm whose tax code they share. Every decision
//! is audited and mailed, in one transaction with the change.

use super::entity::{certificate, firm, join_request, member};
use super::profile::{admin_firm, membership};
use super::{audit, status};
use crate::accounts::entity::{invite, user};
use crate::accounts::{
    DisplayName, Email, Role, SessionUser, hash_token, random_token, require_role,
};
use crate::db::Db;
use crate::mail::{Links, OutboundMail, Template};
use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// What an organiser decides about a submitted firm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: String },
    RequestChanges { reason: String },
}

/// Queues a mail to every admin of a firm (in the caller's transaction).
pub(crate) async fn mail_admins<C: ConnectionTrait>(
    conn: &C,
    firm_id: Uuid,
    key: &str,
    template: impl Fn(Locale) -> Template,
    now: DateTime<Utc>,
) -> Result<()> {
    let admins = member::Entity::find()
        .filter(member::Column::FirmId.eq(firm_id))
        .filter(member::Column::IsAdmin.eq(true))
        .all(conn)
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(admins.iter().map(|m| m.user_id).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    for u in users {
        let locale = Locale::parse(&u.locale).unwrap_or_default();
        crate::mail::enqueue(
            conn,
            OutboundMail {
                to_email: u.email.clone(),
                to_name: u.name.clone(),
                locale,
                template: template(locale),
                idempotency_key: format!("{key}:{}", u.id),
                attachments: Vec::new(),
                secret: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Applies an organiser's decision to a submitted firm.
pub async fn decide(
    db: &Db,
    organiser: &SessionUser,
    firm_id: Uuid,
    decision: Decision,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let (to, reason) = match &decision {
        Decision::Approve => (status::APPROVED, None),
        Decision::Reject { reason } => (status::REJECTED, Some(reason.trim().to_string())),
        Decision::RequestChanges { reason } => {
            (status::CHANGES_REQUESTED, Some(reason.trim().to_string()))
        }
    };
    if let Some(r) = &reason
        && (r.chars().count() < 5 || r.chars().count() > 2000)
    {
        return Err(Error::field(ErrorCode::InvalidField, "reason"));
    }
    let txn = db.begin().await?;
    let f = firm::Entity::find_by_id(firm_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if f.status != status::SUBMITTED {
        return Err(ErrorCode::WrongState.into());
    }
    firm::Entity::update_many()
        .col_expr(firm::Column::Status, Expr::value(to))
        .col_expr(firm::Column::DecidedAt, Expr::value(now))
        .col_expr(firm::Column::DecisionNote, Expr::value(reason.clone()))
        .filter(firm::Column::Id.eq(firm_id))
        .filter(firm::Column::Status.eq(status::SUBMITTED))
        .exec(&txn)
        .await?;
    if to == status::REJECTED {
        // A rejected firm holds no tax code: whoever rightly holds it may
        // register it (the firm takes it back if it submits again and the
        // code is still free).
        super::profile::release_tax_code(&txn, &f).await?;
    }
    audit::record(
        &txn,
        Some(organiser.id),
        "firm.decided",
        "firm",
        Some(firm_id),
        serde_json::json!({ "from": f.status, "to": to, "reason": reason }),
        now,
    )
    .await?;
    let key = format!("firm_decision:{}", Uuid::now_v7());
    let reason = reason.unwrap_or_default();
    mail_admins(
        &txn,
        firm_id,
        &key,
        |locale| {
            let firm = match locale {
                Locale::Vi => f.legal_name.clone(),
                Locale::En => f.name_en.clone(),
            };
            match decision {
                Decision::Approve => Template::FirmApproved {
                    firm,
                    link: links.firm(firm_id),
                },
                Decision::Reject { .. } => Template::FirmRejected {
                    firm,
                    reason: reason.clone(),
                    link: links.own_firm(),
                },
                Decision::RequestChanges { .. } => Template::FirmChangesRequested {
                    firm,
                    reason: reason.clone(),
                    link: links.own_firm(),
                },
            }
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An organiser takes a tax code from the firm holding it (registered by
/// someone who does not rightly hold it) so that the rightful firm can
/// register it: the holding firm is rejected with the reason, its admins
/// are told, and the code is free. Approved firms too: a firm approved by
/// mistake under someone else's code leaves the catalogue.
pub async fn release_tax_code(
    db: &Db,
    organiser: &SessionUser,
    firm_id: Uuid,
    reason: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let reason = reason.trim().to_string();
    if !(5..=2000).contains(&reason.chars().count()) {
        return Err(Error::field(ErrorCode::InvalidField, "reason"));
    }
    let txn = db.begin().await?;
    let f = firm::Entity::find_by_id(firm_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if f.released_tax_code.is_some() {
        return Err(ErrorCode::WrongState.into());
    }
    let done = firm::Entity::update_many()
        .col_expr(firm::Column::Status, Expr::value(status::REJECTED))
        .col_expr(firm::Column::DecidedAt, Expr::value(now))
        .col_expr(firm::Column::DecisionNote, Expr::value(reason.clone()))
        .col_expr(firm::Column::IdentityChange, Expr::value(None::<String>))
        .col_expr(
            firm::Column::IdentityChangeAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(firm::Column::Id.eq(firm_id))
        .filter(firm::Column::Status.eq(f.status.clone()))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ErrorCode::WrongState.into());
    }
    super::profile::release_tax_code(&txn, &f).await?;
    audit::record(
        &txn,
        Some(organiser.id),
        "firm.tax_code_released",
        "firm",
        Some(firm_id),
        serde_json::json!({
            "from": f.status,
            "to": status::REJECTED,
            "tax_code": f.tax_code,
            "reason": reason,
        }),
        now,
    )
    .await?;
    mail_admins(
        &txn,
        firm_id,
        &format!("firm_tax_code_released:{}", Uuid::now_v7()),
        |locale| Template::FirmRejected {
            firm: match locale {
                Locale::Vi => f.legal_name.clone(),
                Locale::En => f.name_en.clone(),
            },
            reason: reason.clone(),
            link: links.own_firm(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Marks a certificate verified (or not) after checking its scan.
pub async fn verify_certificate(
    db: &Db,
    organiser: &SessionUser,
    certificate_id: Uuid,
    verified: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let txn = db.begin().await?;
    let c = certificate::Entity::find_by_id(certificate_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    certificate::Entity::update_many()
        .col_expr(
            certificate::Column::VerifiedAt,
            Expr::value(verified.then_some(now)),
        )
        .col_expr(
            certificate::Column::VerifiedBy,
            Expr::value(verified.then_some(organiser.id)),
        )
        .filter(certificate::Column::Id.eq(certificate_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Some(organiser.id),
        if verified {
            "certificate.verified"
        } else {
            "certificate.unverified"
        },
        "firm",
        Some(c.firm_id),
        serde_json::json!({ "certificate": certificate_id, "kind": c.kind, "number": c.number }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A firm in the organisers' queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub id: Uuid,
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: String,
    pub sector_group: String,
    pub province: String,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub certificates: usize,
    pub unverified: usize,
}

/// Firms in a status (submitted first by default), oldest submission first.
pub async fn queue(
    db: &Db,
    organiser: &SessionUser,
    only: &str,
    page: u64,
    per_page: u64,
) -> Result<Vec<QueueRow>> {
    require_role(Some(organiser), &[Role::Organiser])?;
    if !status::ALL.contains(&only) {
        return Err(Error::field(ErrorCode::BadRequest, "status"));
    }
    let firms = firm::Entity::find()
        .filter(firm::Column::Status.eq(only))
        .order_by_asc(firm::Column::SubmittedAt)
        .order_by_asc(firm::Column::LegalName)
        .offset(page * per_page)
        .limit(per_page)
        .all(db.read())
        .await?;
    let certs = certificate::Entity::find()
        .filter(certificate::Column::FirmId.is_in(firms.iter().map(|f| f.id).collect::<Vec<_>>()))
        .all(db.read())
        .await?;
    Ok(firms
        .into_iter()
        .map(|f| {
            let mine: Vec<_> = certs.iter().filter(|c| c.firm_id == f.id).collect();
            let tax_code = super::profile::shown_tax_code(&f);
            QueueRow {
                certificates: mine.len(),
                unverified: mine.iter().filter(|c| c.verified_at.is_none()).count(),
                id: f.id,
                legal_name: f.legal_name,
                name_en: f.name_en,
                tax_code,
                sector_group: f.sector_group,
                province: f.province,
                status: f.status,
                submitted_at: f.submitted_at,
            }
        })
        .collect())
}

/// A firm's admin invites a colleague by mail. The invitation makes a new
/// account a member of the firm (people who already have an account ask to
/// join instead). Returns the secret token of the link.
pub async fn invite_member(
    db: &Db,
    admin: &SessionUser,
    email: &str,
    name: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<String> {
    let email = Email::parse(email)?;
    let name = DisplayName::parse(name)?;
    let token = random_token();
    let txn = db.begin().await?;
    let firm_id = admin_firm(&txn, admin).await?;
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(Error::field(ErrorCode::EmailTaken, "email"));
    }
    let f = firm::Entity::find_by_id(firm_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    invite::Entity::delete_many()
        .filter(invite::Column::Email.eq(email.as_str()))
        .filter(invite::Column::AcceptedAt.is_null())
        .exec(&txn)
        .await?;
    let id = Uuid::now_v7();
    invite::ActiveModel {
        id: Set(id),
        token_hash: Set(hash_token(&token)),
        email: Set(email.as_str().to_string()),
        name: Set(name.as_str().to_string()),
        role: Set(Role::Exhibitor.as_str().to_string()),
        invited_by: Set(admin.id),
        created_at: Set(now),
        expires_at: Set(now + crate::accounts::INVITE_LIFETIME),
        accepted_at: Set(None),
        user_id: Set(None),
        firm_id: Set(Some(firm_id)),
    }
    .insert(&txn)
    .await?;
    crate::mail::enqueue(
        &txn,
        OutboundMail {
            to_email: email.as_str().to_string(),
            to_name: name.as_str().to_string(),
            locale: admin.locale,
            template: Template::FirmMemberInvite {
                name: name.as_str().to_string(),
                firm: match admin.locale {
                    Locale::Vi => f.legal_name.clone(),
                    Locale::En => f.name_en.clone(),
                },
                inviter: admin.name.clone(),
                link: links.staff_invite(crate::mail::SECRET_MARK),
            },
            idempotency_key: format!("firm_member_invite:{id}"),
            attachments: Vec::new(),
            secret: Some(token.clone()),
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        Some(admin.id),
        "firm.member_invited",
        "firm",
        Some(firm_id),
        serde_json::json!({ "email": email.as_str() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(token)
}

/// Someone whose firm is already registered asks to join it (found by its
/// tax code). Its admins are told by mail.
pub async fn request_to_join(
    db: &Db,
    requester: &SessionUser,
    tax_code: &str,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    if requester.role != Role::Exhibitor {
        return Err(ErrorCode::Forbidden.into());
    }
    if !requester.email_verified {
        return Err(Error::field(ErrorCode::EmailUnverified, "email"));
    }
    let code = super::TaxCode::parse(tax_code)?;
    let txn = db.begin().await?;
    if membership(&txn, requester.id).await?.is_some() {
        return Err(ErrorCode::WrongState.into());
    }
    let f = firm::Entity::find()
        .filter(firm::Column::TaxCode.eq(code.as_str()))
        .one(&txn)
        .await?
        .ok_or(Error::field(ErrorCode::NotFound, "tax_code"))?;
    let pending = join_request::Entity::find()
        .filter(join_request::Column::FirmId.eq(f.id))
        .filter(join_request::Column::UserId.eq(requester.id))
        .filter(join_request::Column::Status.eq("pending"))
        .one(&txn)
        .await?;
    if pending.is_some() {
        return Ok(());
    }
    let id = Uuid::now_v7();
    join_request::ActiveModel {
        id: Set(id),
        firm_id: Set(f.id),
        user_id: Set(requester.id),
        status: Set("pending".into()),
        created_at: Set(now),
        decided_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let who = format!("{} <{}>", requester.name, requester.email);
    mail_admins(
        &txn,
        f.id,
        &format!("firm_join_request:{id}"),
        |locale| Template::FirmJoinRequest {
            firm: match locale {
                Locale::Vi => f.legal_name.clone(),
                Locale::En => f.name_en.clone(),
            },
            requester: who.clone(),
            link: links.own_firm(),
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        Some(requester.id),
        "firm.join_requested",
        "firm",
        Some(f.id),
        serde_json::json!({ "user": requester.email }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A request to join, as the firm's admins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinRequestView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

pub async fn pending_requests(db: &Db, admin: &SessionUser) -> Result<Vec<JoinRequestView>> {
    let firm_id = admin_firm(db.read(), admin).await?;
    let requests = join_request::Entity::find()
        .filter(join_request::Column::FirmId.eq(firm_id))
        .filter(join_request::Column::Status.eq("pending"))
        .order_by_asc(join_request::Column::CreatedAt)
        .all(db.read())
        .await?;
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(requests.iter().map(|r| r.user_id).collect::<Vec<_>>()))
        .all(db.read())
        .await?;
    Ok(requests
        .into_iter()
        .filter_map(|r| {
            users
                .iter()
                .find(|u| u.id == r.user_id)
                .map(|u| JoinRequestView {
                    id: r.id,
                    name: u.name.clone(),
                    email: u.email.clone(),
                    created_at: r.created_at,
                })
        })
        .collect())
}

/// A firm's admin accepts or declines a request to join.
pub async fn answer_request(
    db: &Db,
    admin: &SessionUser,
    request_id: Uuid,
    accept: bool,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = admin_firm(&txn, admin).await?;
    let r = join_request::Entity::find_by_id(request_id)
        .filter(join_request::Column::FirmId.eq(firm_id))
        .filter(join_request::Column::Status.eq("pending"))
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    join_request::Entity::update_many()
        .col_expr(
            join_request::Column::Status,
            Expr::value(if accept { "accepted" } else { "declined" }),
        )
        .col_expr(join_request::Column::DecidedAt, Expr::value(now))
        .filter(join_request::Column::Id.eq(r.id))
        .exec(&txn)
        .await?;
    if accept {
        if membership(&txn, r.user_id).await?.is_some() {
            return Err(ErrorCode::WrongState.into());
        }
        member::ActiveModel {
            firm_id: Set(firm_id),
            user_id: Set(r.user_id),
            is_admin: Set(false),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let f = firm::Entity::find_by_id(firm_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if let Some(u) = user::Entity::find_by_id(r.user_id).one(&txn).await? {
        let locale = Locale::parse(&u.locale).unwrap_or_default();
        crate::mail::enqueue(
            &txn,
            OutboundMail {
                to_email: u.email.clone(),
                to_name: u.name.clone(),
                locale,
                template: Template::FirmJoinAnswered {
                    firm: match locale {
                        Locale::Vi => f.legal_name.clone(),
                        Locale::En => f.name_en.clone(),
                    },
                    accepted: accept,
                    link: links.own_firm(),
                },
                idempotency_key: format!("firm_join_answered:{}", r.id),
                attachments: Vec::new(),
                secret: None,
            },
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        Some(admin.id),
        if accept {
            "firm.join_accepted"
        } else {
            "firm.join_declined"
        },
        "firm",
        Some(firm_id),
        serde_json::json!({ "user": r.user_id }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
