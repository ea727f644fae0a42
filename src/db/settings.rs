//! Values the instances on one database share and no migration can know:
//! the master key's check value (see `secret`).

use crate::Result;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

pub mod setting {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "settings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        #[sea_orm(column_type = "Blob")]
        pub value: Vec<u8>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The value stored under `name`, if any.
pub async fn get<C: ConnectionTrait>(conn: &C, name: &str) -> Result<Option<Vec<u8>>> {
    Ok(setting::Entity::find_by_id(name.to_string())
        .one(conn)
        .await?
        .map(|s| s.value))
}

/// Stores `value` under `name` unless a value is there already (the first
/// writer wins).
pub async fn put_new<C: ConnectionTrait>(conn: &C, name: &str, value: &[u8]) -> Result<()> {
    setting::Entity::insert(setting::ActiveModel {
        name: Set(name.to_string()),
        value: Set(value.to_vec()),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
