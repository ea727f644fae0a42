//! Badge signing keys as organisers manage them: which there are, a new one
//! to sign with from now on (rotation), and retiring an old one. A retired
//! key's badges are refused at every door; retiring re-signs the active
//! badges it signed with the newest key first, so nobody is turned away
//! who was not meant to be (their holders get the new code by mail or at
//! the desk; the old paper badges stop working).

use super::entity::{badge, badge_key};
use super::token::{self, Claims};
use super::{ACTIVE, BadgeKind, add_key, signing_key};
use crate::accounts::{Role, SessionUser, require_role};
use crate::db::{Change, Db, Topic};
use crate::{Error, ErrorCode, Result};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};

/// A signing key as the badge desk lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub id: u8,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
    /// New badges are signed with it.
    pub signing: bool,
    /// Active badges signed with it.
    pub badges: u64,
}

/// Every key, newest first.
pub async fn list(db: &Db) -> Result<Vec<KeyView>> {
    let keys = badge_key::Entity::find()
        .order_by_desc(badge_key::Column::Id)
        .all(db.read())
        .await?;
    let newest_live = keys.iter().find(|k| k.retired_at.is_none()).map(|k| k.id);
    let mut out = Vec::with_capacity(keys.len());
    for k in keys {
        let badges = badge::Entity::find()
            .filter(badge::Column::KeyId.eq(k.id))
            .filter(badge::Column::Status.eq(ACTIVE))
            .count(db.read())
            .await?;
        out.push(KeyView {
            id: u8::try_from(k.id).map_err(Error::internal)?,
            signing: Some(k.id) == newest_live,
            created_at: k.created_at,
            retired_at: k.retired_at,
            badges,
        });
    }
    Ok(out)
}

/// Makes a new key that signs every badge from now on; the others stay
/// trusted until retired. Returns its id.
pub async fn rotate(db: &Db, by: Option<&SessionUser>, now: DateTime<Utc>) -> Result<u8> {
    if let Some(u) = by {
        require_role(Some(u), &[Role::Organiser])?;
    }
    let (id, _) = add_key(db, now).await?;
    crate::firms::audit::record(
        db.write(),
        by.map(|u| u.id),
        "badge_key.rotated",
        "badge_key",
        None,
        serde_json::json!({ "key": id }),
        now,
    )
    .await?;
    Ok(id)
}

/// What retiring a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retired {
    /// Active badges re-signed with the newest key.
    pub reissued: u64,
    /// The key they were re-signed with.
    pub with: u8,
}

/// Retires key `id`: its active badges are re-signed with the newest other
/// key (made first when there is none), then the key is refused everywhere.
/// Scanners learn of it at their next sync.
pub async fn retire(
    db: &Db,
    by: Option<&SessionUser>,
    id: u8,
    now: DateTime<Utc>,
) -> Result<Retired> {
    if let Some(u) = by {
        require_role(Some(u), &[Role::Organiser])?;
    }
    let key = badge_key::Entity::find_by_id(i32::from(id))
        .one(db.read())
        .await?
        .filter(|k| k.retired_at.is_none())
        .ok_or_else(|| Error::field(ErrorCode::NotFound, "key"))?;
    let mut with = signing_key(db, now).await?;
    if with.0 == id {
        with = add_key(db, now).await?;
    }
    let txn = db.begin().await?;
    // Retire first (compare-and-set on "not retired"), so that no badge is
    // signed with it while its badges are re-signed.
    let done = badge_key::Entity::update_many()
        .col_expr(badge_key::Column::RetiredAt, Expr::value(now))
        .filter(badge_key::Column::Id.eq(key.id))
        .filter(badge_key::Column::RetiredAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(ErrorCode::WrongState.into());
    }
    let signed = badge::Entity::find()
        .filter(badge::Column::KeyId.eq(key.id))
        .filter(badge::Column::Status.eq(ACTIVE))
        .all(&txn)
        .await?;
    let mut fairs = std::collections::HashSet::new();
    for b in &signed {
        let claims = Claims {
            badge: b.id,
            fair: b.fair_id,
            kind: BadgeKind::parse(&b.kind).ok_or_else(|| Error::internal("bad badge kind"))?,
            key_id: with.0,
            valid_from: b.valid_from,
            valid_to: b.valid_to,
        };
        badge::Entity::update_many()
            .col_expr(
                badge::Column::Token,
                Expr::value(token::sign(&claims, &with.1)),
            )
            .col_expr(badge::Column::KeyId, Expr::value(i32::from(with.0)))
            .filter(badge::Column::Id.eq(b.id))
            .filter(badge::Column::KeyId.eq(key.id))
            .exec(&txn)
            .await?;
        fairs.insert(b.fair_id);
    }
    crate::firms::audit::record(
        &txn,
        by.map(|u| u.id),
        "badge_key.retired",
        "badge_key",
        None,
        serde_json::json!({ "key": id, "reissued": signed.len(), "with": with.0 }),
        now,
    )
    .await?;
    txn.commit().await?;
    for fair in fairs {
        db.announce(Change::new(Topic::Scans, fair));
    }
    Ok(Retired {
        reissued: signed.len() as u64,
        with: with.0,
    })
}
