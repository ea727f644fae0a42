//! Door staff of a fair: a staff account scans at the fairs organisers put
//! it on, and at no other (a staff member of one fair's door has no
//! business syncing another fair's badges).

use crate::accounts::entity::user;
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::Db;
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub mod fair_staff {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fair_staff")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub fair_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub added_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Whether `user` may scan at `fair_id`: organisers everywhere, door staff
/// at their fairs; anyone else is `forbidden`.
pub async fn may_scan<C: ConnectionTrait>(
    conn: &C,
    user: &SessionUser,
    fair_id: Uuid,
) -> Result<()> {
    match user.role {
        Role::Organiser => Ok(()),
        Role::Staff => {
            let on = fair_staff::Entity::find_by_id((fair_id, user.id))
                .one(conn)
                .await?
                .is_some();
            if on {
                Ok(())
            } else {
                Err(ErrorCode::Forbidden.into())
            }
        }
        _ => Err(ErrorCode::Forbidden.into()),
    }
}

/// The fairs a staff account scans at.
pub async fn fairs_of<C: ConnectionTrait>(conn: &C, user_id: Uuid) -> Result<Vec<Uuid>> {
    Ok(fair_staff::Entity::find()
        .filter(fair_staff::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.fair_id)
        .collect())
}

/// A door staff member as the badge desk lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DoorStaff {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    /// On this fair's door.
    pub on_fair: bool,
}

/// Every staff account, and whether it is on `fair_id`'s door.
pub async fn door_staff(db: &Db, organiser: &SessionUser, fair_id: Uuid) -> Result<Vec<DoorStaff>> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let on: Vec<Uuid> = fair_staff::Entity::find()
        .filter(fair_staff::Column::FairId.eq(fair_id))
        .all(db.read())
        .await?
        .into_iter()
        .map(|r| r.user_id)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Staff.as_str()))
        .filter(user::Column::DisabledAt.is_null())
        .order_by_asc(user::Column::Name)
        .all(db.read())
        .await?
        .into_iter()
        .map(|u| DoorStaff {
            on_fair: on.contains(&u.id),
            user_id: u.id,
            name: u.name,
            email: u.email,
        })
        .collect())
}

/// Puts a staff account on a fair's door (`on`), or takes it off.
pub async fn set_door_staff(
    db: &Db,
    organiser: &SessionUser,
    fair_id: Uuid,
    staff_id: Uuid,
    on: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(Some(organiser), &[Role::Organiser])?;
    let txn = db.begin().await?;
    let staff = user::Entity::find_by_id(staff_id)
        .one(&txn)
        .await?
        .filter(|u| u.role == Role::Staff.as_str())
        .ok_or_else(|| Error::field(ErrorCode::NotFound, "staff"))?;
    crate::fairs::entity::fair::Entity::find_by_id(fair_id)
        .one(&txn)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    if on {
        add(&txn, fair_id, staff.id, Some(organiser.id), now).await?;
    } else {
        fair_staff::Entity::delete_by_id((fair_id, staff.id))
            .exec(&txn)
            .await?;
    }
    crate::firms::audit::record(
        &txn,
        Some(organiser.id),
        if on {
            "fair.staff_added"
        } else {
            "fair.staff_removed"
        },
        "fair",
        Some(fair_id),
        serde_json::json!({ "staff": staff.name, "email": staff.email }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Puts a staff account on a fair's door (inside the caller's transaction;
/// already there: nothing changes).
pub async fn add<C: ConnectionTrait>(
    conn: &C,
    fair_id: Uuid,
    user_id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    fair_staff::Entity::insert(fair_staff::ActiveModel {
        fair_id: Set(fair_id),
        user_id: Set(user_id),
        added_by: Set(by),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([fair_staff::Column::FairId, fair_staff::Column::UserId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
