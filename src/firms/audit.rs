//! The audit log: who did what to which record, when, and what changed.

use super::entity::audit;
use crate::Result;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

/// Records an action inside the caller's transaction.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: Option<Uuid>,
    action: &str,
    entity: &str,
    entity_id: Option<Uuid>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::Entity::insert(audit::ActiveModel {
        at: Set(now),
        actor_id: Set(actor),
        action: Set(action.to_string()),
        entity: Set(entity.to_string()),
        entity_id: Set(entity_id),
        detail: Set(detail.to_string()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// One entry as pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub action: String,
    pub detail: String,
}

/// The history of one record, newest first.
pub async fn history(db: &crate::db::Db, entity: &str, entity_id: Uuid) -> Result<Vec<Entry>> {
    use crate::accounts::entity::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let rows = audit::Entity::find()
        .filter(audit::Column::Entity.eq(entity))
        .filter(audit::Column::EntityId.eq(entity_id))
        .order_by_desc(audit::Column::Id)
        .limit(200)
        .all(db.read())
        .await?;
    let actor_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_id).collect();
    let actors = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(db.read())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| Entry {
            at: r.at,
            actor: r
                .actor_id
                .and_then(|id| actors.iter().find(|u| u.id == id))
                .map(|u| format!("{} <{}>", u.name, u.email)),
            action: r.action,
            detail: r.detail,
        })
        .collect())
}
