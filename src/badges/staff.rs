//! Exhibitor staff badges: an exhibiting firm names the people who work
//! its booth, up to a quota that grows with the space it booked.

use super::entity::badge;
use super::service::{ACTIVE, Badge, BadgeInput, REVOKED, issue_in, signing_key};
use super::token::BadgeKind;
use crate::accounts::{Role, SessionUser};
use crate::booths::entity::{booth, claim};
use crate::db::Db;
use crate::firms::entity::firm;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Staff badges a firm may name for `area_m2` booked in `bookings` booths:
/// two per booth, and one more per full 9 m² (a 9 m² shell scheme: 3; two
/// of them: 6; a 36 m² island: 6).
pub fn staff_quota(area_m2: i64, bookings: usize) -> i64 {
    if bookings == 0 {
        return 0;
    }
    2 * bookings as i64 + area_m2.max(0) / 9
}

/// A firm's staff badges for one fair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffBadges {
    pub quota: i64,
    pub badges: Vec<Badge>,
}

/// The firm `user` names staff for: their own, as an exhibitor.
async fn own_firm<C: ConnectionTrait>(conn: &C, user: &SessionUser) -> Result<Uuid> {
    if user.role != Role::Exhibitor {
        return Err(ErrorCode::Forbidden.into());
    }
    crate::firms::profile::membership(conn, user.id)
        .await?
        .map(|(f, _)| f)
        .ok_or_else(|| ErrorCode::NoFirm.into())
}

/// The quota from the firm's confirmed (or paid) booths at the fair.
async fn quota<C: ConnectionTrait>(conn: &C, fair_id: Uuid, firm_id: Uuid) -> Result<i64> {
    let booths: Vec<Uuid> = claim::Entity::find()
        .select_only()
        .column(claim::Column::BoothId)
        .filter(claim::Column::FairId.eq(fair_id))
        .filter(claim::Column::FirmId.eq(firm_id))
        .filter(claim::Column::State.is_in(["confirmed", "paid"]))
        .into_tuple()
        .all(conn)
        .await?;
    if booths.is_empty() {
        return Ok(0);
    }
    let area: i64 = booth::Entity::find()
        .filter(booth::Column::Id.is_in(booths.clone()))
        .all(conn)
        .await?
        .iter()
        .map(|b| b.area_m2())
        .sum();
    Ok(staff_quota(area, booths.len()))
}

fn named(conn_fair: Uuid, firm_id: Uuid) -> sea_orm::Select<badge::Entity> {
    badge::Entity::find()
        .filter(badge::Column::FairId.eq(conn_fair))
        .filter(badge::Column::FirmId.eq(firm_id))
        .filter(badge::Column::Kind.eq(BadgeKind::Exhibitor.as_str()))
        .filter(badge::Column::Status.eq(ACTIVE))
}

/// The firm's staff badges at a fair, and how many it may name.
pub async fn staff_badges(db: &Db, user: &SessionUser, fair_id: Uuid) -> Result<StaffBadges> {
    let firm_id = own_firm(db.read(), user).await?;
    let badges = named(fair_id, firm_id)
        .all(db.read())
        .await?
        .into_iter()
        .map(Badge::try_from)
        .collect::<Result<Vec<_>>>()?;
    Ok(StaffBadges {
        quota: quota(db.read(), fair_id, firm_id).await?,
        badges,
    })
}

/// Names one person of the firm's booth staff: an exhibitor badge in the
/// firm's name. Refused with `staff_quota_full` past the quota, however
/// many of the firm's people name staff at once (the firm's row is locked
/// on PostgreSQL; SQLite writes one transaction at a time).
pub async fn name_staff(
    db: &Db,
    user: &SessionUser,
    fair_id: Uuid,
    name: &str,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Badge> {
    let email = email.trim();
    let email = if email.is_empty() {
        None
    } else {
        Some(
            crate::accounts::Email::parse(email)
                .map_err(|_| Error::field(ErrorCode::InvalidEmail, "email"))?
                .as_str()
                .to_string(),
        )
    };
    let key = signing_key(db, now).await?;
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let f = firm::Entity::find_by_id(firm_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NoFirm)?;
    let allowed = quota(&txn, fair_id, firm_id).await?;
    let used = named(fair_id, firm_id).count(&txn).await? as i64;
    if used >= allowed {
        return Err(ErrorCode::StaffQuotaFull.into());
    }
    let input = BadgeInput {
        fair_id,
        kind: BadgeKind::Exhibitor,
        user_id: None,
        firm_id: Some(firm_id),
        name: name.to_string(),
        organisation: f.legal_name.clone(),
        email,
        valid_from: None,
        valid_to: None,
        areas: Vec::new(),
        lead_consent: false,
    };
    let badge = issue_in(&txn, &input, key, now).await?;
    txn.commit().await?;
    Ok(badge)
}

/// Takes back a staff badge of the firm (the place in the quota is free
/// again; scanners learn of it at their next sync).
pub async fn withdraw_staff(
    db: &Db,
    user: &SessionUser,
    badge_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let firm_id = own_firm(&txn, user).await?;
    let done = badge::Entity::update_many()
        .col_expr(badge::Column::Status, Expr::value(REVOKED))
        .col_expr(badge::Column::RevokedAt, Expr::value(now))
        .col_expr(
            badge::Column::RevokeReason,
            Expr::value("withdrawn by the firm"),
        )
        .filter(badge::Column::Id.eq(badge_id))
        .filter(badge::Column::FirmId.eq(firm_id))
        .filter(badge::Column::Kind.eq(BadgeKind::Exhibitor.as_str()))
        .filter(badge::Column::Status.eq(ACTIVE))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(ErrorCode::NotFound.into());
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_grows_with_the_space() {
        assert_eq!(staff_quota(0, 0), 0);
        assert_eq!(staff_quota(9, 1), 3);
        assert_eq!(staff_quota(18, 2), 6);
        assert_eq!(staff_quota(36, 1), 6);
        assert_eq!(staff_quota(12, 1), 3);
    }
}
