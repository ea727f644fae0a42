use super::{drop_indexes, index};
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
        drop_indexes(
            m,
            &[
                ("presence", &["day", "inside"]),
                ("scans", &["badge_id", "scanned_at"]),
            ],
        )
        .await?;
        m.create_index(index("presence", &["day"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(m, &[("presence", &["day"])]).await?;
        m.create_index(index("presence", &["day", "inside"], false))
            .await?;
        m.create_index(index("scans", &["badge_id", "scanned_at"], false))
            .await?;
        Ok(())
    }
}
