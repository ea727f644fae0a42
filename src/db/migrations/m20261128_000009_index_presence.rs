use super::index;
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
        for (table, name) in [
            ("presence", "ix_presence_day_inside"),
            ("leads", "ix_leads_fair_id"),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
