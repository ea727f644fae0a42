use super::index;
use sea_orm_migration::prelude::*;

/// Every online scan writes its scan row and its badge's presence; each
/// index on them is one more page written per scan. Live counts filter
/// presence by day only (an index holding `inside` moved an entry at every
/// entry and exit), and nothing reads scans by badge.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in [
            ("presence", "ix_presence_day_inside"),
            ("scans", "ix_scans_badge_id_scanned_at"),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        m.create_index(index("presence", &["day"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_presence_day")
                .table("presence")
                .to_owned(),
        )
        .await?;
        m.create_index(index("presence", &["day", "inside"], false))
            .await?;
        m.create_index(index("scans", &["badge_id", "scanned_at"], false))
            .await?;
        Ok(())
    }
}
