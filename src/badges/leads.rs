//! Lead capture: an exhibitor's staff scan a visitor's badge at the booth
//! and keep the contact with notes, a rating and tags. Only badges whose
//! holder consented (shown on the badge page and printed on the badge)
//! can be captured; a firm sees and exports its own leads alone.

use super::token::BadgeKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What staff note about a lead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadInput {
    pub notes: String,
    /// 0 (not rated) to 5.
    pub rating: i32,
    /// Comma-separated in forms; kept as a list.
    pub tags: Vec<String>,
}

/// Leads shown per page.
pub const LEADS_PAGE: u64 = 50;

/// One page of a firm's leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadsPage {
    pub rows: Vec<Lead>,
    pub page: u64,
    pub has_more: bool,
}

/// A lead as the firm sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub id: Uuid,
    pub badge_id: Uuid,
    pub name: String,
    pub organisation: String,
    pub email: Option<String>,
    pub kind: BadgeKind,
    pub notes: String,
    pub rating: i32,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(feature = "db")]
pub use service::*;

#[cfg(feature = "db")]
mod service {
    use super::*;
    use crate::accounts::{Role, SessionUser};
    use crate::badges::entity::{badge, lead};
    use crate::badges::token::{self, Keyring};
    use crate::badges::{ACTIVE, trusted_keys};
    use crate::db::Db;
    use crate::{Error, ErrorCode, Result};
    use sea_orm::sea_query::OnConflict;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

    const MAX_NOTES: usize = 2000;
    const MAX_TAGS: usize = 12;

    /// Notes keep their lines; other control characters are refused.
    fn clean_notes(notes: &str) -> Result<String> {
        let v = notes.trim().replace("\r\n", "\n");
        if v.chars().count() > MAX_NOTES || v.chars().any(|c| c.is_control() && c != '\n') {
            return Err(Error::field(ErrorCode::InvalidField, "notes"));
        }
        Ok(v)
    }

    fn clean_tags(tags: &[String]) -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for t in tags.iter().flat_map(|t| t.split(',')) {
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            let t = crate::text::field(t, "tags", 1, 40)?.to_lowercase();
            if !out.contains(&t) {
                out.push(t);
            }
        }
        if out.len() > MAX_TAGS {
            return Err(Error::field(ErrorCode::InvalidField, "tags"));
        }
        Ok(out)
    }

    fn checked(input: &LeadInput) -> Result<(String, i32, String)> {
        if !(0..=5).contains(&input.rating) {
            return Err(Error::field(ErrorCode::InvalidField, "rating"));
        }
        let tags = serde_json::to_string(&clean_tags(&input.tags)?).map_err(Error::internal)?;
        Ok((clean_notes(&input.notes)?, input.rating, tags))
    }

    /// The firm whose leads `user` works with: their own, as an exhibitor.
    async fn own_firm(db: &Db, user: &SessionUser) -> Result<Uuid> {
        if user.role != Role::Exhibitor {
            return Err(ErrorCode::Forbidden.into());
        }
        crate::firms::profile::membership(db.read(), user.id)
            .await?
            .map(|(f, _)| f)
            .ok_or_else(|| ErrorCode::NoFirm.into())
    }

    fn view(l: lead::Model, b: &badge::Model) -> Lead {
        Lead {
            id: l.id,
            badge_id: b.id,
            name: b.name.clone(),
            organisation: b.organisation.clone(),
            email: b.email.clone(),
            kind: BadgeKind::parse(&b.kind).unwrap_or(BadgeKind::Visitor),
            notes: l.notes,
            rating: l.rating,
            tags: serde_json::from_str(&l.tags).unwrap_or_default(),
            created_at: l.created_at,
            updated_at: l.updated_at,
        }
    }

    /// Saves the lead a scanned badge gives (or updates it: scanning the same
    /// badge again edits the firm's lead instead of adding a second one).
    pub async fn capture(
        db: &Db,
        user: &SessionUser,
        code: &str,
        input: &LeadInput,
        now: DateTime<Utc>,
    ) -> Result<Lead> {
        let firm_id = crate::firms::profile::approved_firm(db.read(), user).await?;
        let (notes, rating, tags) = checked(input)?;
        let unreadable = || Error::field(ErrorCode::InvalidField, "code");
        // The badge's fair is known only once the badge is found; its
        // token is then checked for that fair.
        let named = token::unverified_badge(code).ok_or_else(unreadable)?;
        let b = badge::Entity::find_by_id(named)
            .one(db.read())
            .await?
            .filter(|b| b.status == ACTIVE)
            .ok_or_else(|| Error::field(ErrorCode::NotFound, "code"))?;
        let keys = Keyring::new(&trusted_keys(db.read()).await?);
        let claims = token::verify_with(code.trim(), &keys, b.fair_id).map_err(|_| unreadable())?;
        if claims.badge != b.id {
            return Err(unreadable());
        }
        // Leads are taken at a fair the firm exhibits at.
        if !crate::booths::exhibits_at(db.read(), b.fair_id, firm_id).await? {
            return Err(Error::field(ErrorCode::NotExhibiting, "code"));
        }
        if !b.lead_consent {
            return Err(Error::field(ErrorCode::NoLeadConsent, "code"));
        }
        let row = lead::ActiveModel {
            id: Set(Uuid::now_v7()),
            fair_id: Set(b.fair_id),
            firm_id: Set(firm_id),
            badge_id: Set(b.id),
            captured_by: Set(Some(user.id)),
            notes: Set(notes),
            rating: Set(rating),
            tags: Set(tags),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let txn = db.begin().await?;
        lead::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([lead::Column::FirmId, lead::Column::BadgeId])
                    .update_columns([
                        lead::Column::Notes,
                        lead::Column::Rating,
                        lead::Column::Tags,
                        lead::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        let saved = lead::Entity::find()
            .filter(lead::Column::FirmId.eq(firm_id))
            .filter(lead::Column::BadgeId.eq(b.id))
            .one(&txn)
            .await?
            .ok_or_else(|| Error::internal("a lead just saved is missing"))?;
        txn.commit().await?;
        Ok(view(saved, &b))
    }

    /// Changes a lead's notes, rating and tags. Another firm's lead is
    /// `not_found`, as if there were none.
    pub async fn update(
        db: &Db,
        user: &SessionUser,
        lead_id: Uuid,
        input: &LeadInput,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let firm_id = own_firm(db, user).await?;
        let (notes, rating, tags) = checked(input)?;
        let done = lead::Entity::update_many()
            .col_expr(lead::Column::Notes, notes.into())
            .col_expr(lead::Column::Rating, rating.into())
            .col_expr(lead::Column::Tags, tags.into())
            .col_expr(lead::Column::UpdatedAt, now.into())
            .filter(lead::Column::Id.eq(lead_id))
            .filter(lead::Column::FirmId.eq(firm_id))
            .exec(db.write())
            .await?;
        if done.rows_affected == 0 {
            return Err(ErrorCode::NotFound.into());
        }
        Ok(())
    }

    /// The firm's leads, newest first (all of them: for exports).
    pub async fn leads(db: &Db, user: &SessionUser) -> Result<Vec<Lead>> {
        let firm_id = own_firm(db, user).await?;
        let rows = lead::Entity::find()
            .filter(lead::Column::FirmId.eq(firm_id))
            .order_by_desc(lead::Column::UpdatedAt)
            .order_by_desc(lead::Column::Id)
            .all(db.read())
            .await?;
        with_badges(db, rows).await
    }

    /// The firm's leads, newest first, [`LEADS_PAGE`] at a time.
    pub async fn leads_page(db: &Db, user: &SessionUser, page: u64) -> Result<LeadsPage> {
        let firm_id = own_firm(db, user).await?;
        let mut rows = lead::Entity::find()
            .filter(lead::Column::FirmId.eq(firm_id))
            .order_by_desc(lead::Column::UpdatedAt)
            .order_by_desc(lead::Column::Id)
            .offset(page.min(10_000) * LEADS_PAGE)
            .limit(LEADS_PAGE + 1)
            .all(db.read())
            .await?;
        let has_more = rows.len() as u64 > LEADS_PAGE;
        rows.truncate(LEADS_PAGE as usize);
        Ok(LeadsPage {
            rows: with_badges(db, rows).await?,
            page,
            has_more,
        })
    }

    /// Leads with what their badges say.
    async fn with_badges(db: &Db, rows: Vec<lead::Model>) -> Result<Vec<Lead>> {
        let ids: Vec<Uuid> = rows.iter().map(|l| l.badge_id).collect();
        let mut badges = std::collections::HashMap::new();
        for part in ids.chunks(500) {
            for b in badge::Entity::find()
                .filter(badge::Column::Id.is_in(part.to_vec()))
                .all(db.read())
                .await?
            {
                badges.insert(b.id, b);
            }
        }
        Ok(rows
            .into_iter()
            .filter_map(|l| {
                let b = badges.get(&l.badge_id)?;
                Some(view(l, b))
            })
            .collect())
    }

    /// The firm's leads as a table (a header row, then one row per lead).
    pub async fn lead_rows(db: &Db, user: &SessionUser) -> Result<Vec<Vec<String>>> {
        let mut rows = vec![
            [
                "name",
                "organisation",
                "email",
                "badge_kind",
                "rating",
                "tags",
                "notes",
                "captured_at",
                "updated_at",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ];
        for l in leads(db, user).await? {
            rows.push(
                [
                    l.name,
                    l.organisation,
                    l.email.unwrap_or_default(),
                    l.kind.as_str().to_string(),
                    l.rating.to_string(),
                    l.tags.join(", "),
                    l.notes,
                    l.created_at.to_rfc3339(),
                    l.updated_at.to_rfc3339(),
                ]
                .iter()
                .map(|v| crate::firms::transfer::cell(v))
                .collect(),
            );
        }
        Ok(rows)
    }
}
