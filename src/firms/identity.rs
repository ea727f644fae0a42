//! Who an approved firm is (its legal names, tax code, website and logo)
//! changes only with the organisers' approval.
//!
//! An approved firm is public: buyers find it in the catalogue, its booths
//! carry its name, its invoices its tax code. A change to any of those is
//! held as the firm's pending identity while the approved one stays public
//! (the firm keeps its bookings and meetings meanwhile); organisers approve
//! it, and only then does it show, or reject it with a reason. Both are
//! written to the audit log and mailed to the firm's admins. Firms not yet
//! approved change freely: nothing of them is public.

use super::entity::{firm, upload};
use super::{audit, status};
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::Db;
use crate::mail::{Links, Template};
use crate::{Error, ErrorCode, Locale, Result};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The fields that say who a firm is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub legal_name: String,
    pub name_en: String,
    pub tax_code: String,
    pub website: Option<String>,
    pub logo_upload_id: Option<Uuid>,
}

/// The profile fields an identity covers (named as in the form).
pub const FIELDS: [&str; 4] = ["legal_name", "name_en", "tax_code", "website"];

impl Identity {
    /// The identity a firm shows now.
    pub fn of(f: &firm::Model) -> Identity {
        Identity {
            legal_name: f.legal_name.clone(),
            name_en: f.name_en.clone(),
            tax_code: f.tax_code.clone(),
            website: f.website.clone(),
            logo_upload_id: f.logo_upload_id,
        }
    }
}

/// The identity a firm asked for and the organisers have not decided yet.
pub fn pending(f: &firm::Model) -> Option<Identity> {
    f.identity_change
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
}

/// What the firm's own form shows: the identity waiting for review if
/// there is one, else the approved one.
pub fn wanted(f: &firm::Model) -> Identity {
    pending(f).unwrap_or_else(|| Identity::of(f))
}

/// Holds `to` as `f`'s identity for the organisers to review (inside the
/// caller's transaction). Asking for the identity the firm shows now
/// withdraws the change waiting for review. A pending logo replaced by
/// another is deleted.
pub(crate) async fn hold<C: ConnectionTrait>(
    conn: &C,
    f: &firm::Model,
    to: Identity,
    by: &SessionUser,
    now: DateTime<Utc>,
) -> Result<()> {
    let live = Identity::of(f);
    let before = pending(f);
    if before.as_ref() == Some(&to) {
        return Ok(());
    }
    if let Some(old) = before.as_ref().and_then(|p| p.logo_upload_id)
        && Some(old) != to.logo_upload_id
        && Some(old) != live.logo_upload_id
    {
        upload::Entity::delete_by_id(old).exec(conn).await?;
    }
    let withdrawn = to == live;
    let json = if withdrawn {
        None
    } else {
        Some(serde_json::to_string(&to).map_err(Error::internal)?)
    };
    firm::Entity::update_many()
        .col_expr(firm::Column::IdentityChange, Expr::value(json))
        .col_expr(
            firm::Column::IdentityChangeAt,
            Expr::value((!withdrawn).then_some(now)),
        )
        .filter(firm::Column::Id.eq(f.id))
        .exec(conn)
        .await?;
    audit::record(
        conn,
        Some(by.id),
        if withdrawn {
            "firm.identity_change_withdrawn"
        } else {
            "firm.identity_change_requested"
        },
        "firm",
        Some(f.id),
        serde_json::json!({ "from": live, "to": to }),
        now,
    )
    .await?;
    Ok(())
}

/// The organisers' decision on a firm's pending identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reason: String },
}

/// Approves or rejects the identity an approved firm asked for. Approving
/// makes it the firm's (refused with `tax_code_taken` when another firm
/// holds the new tax code by now); either way the admins are mailed.
pub async fn decide(
    db: &Db,
    organiser: &SessionUser,
    firm_id: Uuid,
    decision: Decision,
    links: &Links,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let reason = match &decision {
        Decision::Approve => None,
        Decision::Reject { reason } => {
            let r = reason.trim().to_string();
            let n = r.chars().count();
            if !(5..=2000).contains(&n) {
                return Err(Error::field(ErrorCode::InvalidField, "reason"));
            }
            Some(r)
        }
    };
    let txn = db.begin().await?;
    let f = firm::Entity::find_by_id(firm_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let Some(to) = pending(&f) else {
        return Err(ErrorCode::WrongState.into());
    };
    let live = Identity::of(&f);
    // Compare-and-set: the change decided is the one still pending.
    let cleared = firm::Entity::update_many()
        .col_expr(firm::Column::IdentityChange, Expr::value(None::<String>))
        .col_expr(
            firm::Column::IdentityChangeAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .filter(firm::Column::Id.eq(firm_id))
        .filter(firm::Column::IdentityChange.eq(f.identity_change.clone()))
        .exec(&txn)
        .await?;
    if cleared.rows_affected != 1 {
        return Err(ErrorCode::WrongState.into());
    }
    let approved = decision == Decision::Approve;
    if approved {
        if to.tax_code != live.tax_code
            && firm::Entity::find()
                .filter(firm::Column::TaxCode.eq(to.tax_code.as_str()))
                .filter(firm::Column::Id.ne(firm_id))
                .one(&txn)
                .await?
                .is_some()
        {
            return Err(Error::field(ErrorCode::TaxCodeTaken, "tax_code"));
        }
        firm::Entity::update_many()
            .col_expr(firm::Column::LegalName, Expr::value(to.legal_name.clone()))
            .col_expr(firm::Column::NameEn, Expr::value(to.name_en.clone()))
            .col_expr(firm::Column::TaxCode, Expr::value(to.tax_code.clone()))
            .col_expr(firm::Column::Website, Expr::value(to.website.clone()))
            .col_expr(firm::Column::LogoUploadId, Expr::value(to.logo_upload_id))
            .col_expr(firm::Column::UpdatedAt, Expr::value(now))
            .filter(firm::Column::Id.eq(firm_id))
            .exec(&txn)
            .await
            .map_err(|e| {
                if crate::db::unique_violation(&e) {
                    Error::field(ErrorCode::TaxCodeTaken, "tax_code")
                } else {
                    e.into()
                }
            })?;
        if let Some(old) = live.logo_upload_id
            && Some(old) != to.logo_upload_id
        {
            upload::Entity::delete_by_id(old).exec(&txn).await?;
        }
        super::profile::reindex(&txn, firm_id).await?;
    } else if let Some(logo) = to.logo_upload_id
        && Some(logo) != live.logo_upload_id
    {
        upload::Entity::delete_by_id(logo).exec(&txn).await?;
    }
    audit::record(
        &txn,
        Some(organiser.id),
        if approved {
            "firm.identity_change_approved"
        } else {
            "firm.identity_change_rejected"
        },
        "firm",
        Some(firm_id),
        serde_json::json!({ "from": live, "to": to, "reason": reason }),
        now,
    )
    .await?;
    let shown = if approved { &to } else { &live };
    let key = format!("firm_identity:{}", Uuid::now_v7());
    let reason = reason.unwrap_or_default();
    super::review::mail_admins(
        &txn,
        firm_id,
        &key,
        |locale| {
            let firm = match locale {
                Locale::Vi => shown.legal_name.clone(),
                Locale::En => shown.name_en.clone(),
            };
            if approved {
                Template::FirmIdentityApproved {
                    firm,
                    link: links.firm(firm_id),
                }
            } else {
                Template::FirmIdentityRejected {
                    firm,
                    reason: reason.clone(),
                    link: links.own_firm(),
                }
            }
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An approved firm's identity waiting for review, as organisers list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub firm_id: Uuid,
    pub live: Identity,
    pub wanted: Identity,
    pub asked_at: Option<DateTime<Utc>>,
}

/// The identity changes waiting for review, oldest first.
pub async fn pending_list(db: &Db, organiser: &SessionUser, limit: u64) -> Result<Vec<PendingRow>> {
    use sea_orm::QueryOrder;
    require_role(Some(organiser), &[Role::Organiser])?;
    Ok(firm::Entity::find()
        .filter(firm::Column::IdentityChange.is_not_null())
        .filter(firm::Column::Status.eq(status::APPROVED))
        .order_by_asc(firm::Column::IdentityChangeAt)
        .limit(limit)
        .all(db.read())
        .await?
        .into_iter()
        .filter_map(|f| {
            Some(PendingRow {
                firm_id: f.id,
                wanted: pending(&f)?,
                live: Identity::of(&f),
                asked_at: f.identity_change_at,
            })
        })
        .collect())
}
