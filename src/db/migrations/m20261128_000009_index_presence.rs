use super::{drop_indexes, index};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Live counts read who is inside on a day.
        m.create_index(index("presence", &["day", "inside"], false))
            .await?;
        // A firm's staff badges, and the leads of a fair.
        m.create_index(index("leads", &["fair_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(
            m,
            &[("presence", &["day", "inside"]), ("leads", &["fair_id"])],
        )
        .await?;
        Ok(())
    }
}
