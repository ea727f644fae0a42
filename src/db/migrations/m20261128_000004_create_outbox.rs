use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbox")
                .col(pk_uuid("id"))
                // The same event never queues the same mail twice.
                .col(string_len_uniq("idempotency_key", 200))
                .col(string_len("to_email", 254))
                .col(string_len("to_name", 200))
                .col(string_len("locale", 8))
                .col(string_len("template", 40))
                .col(text("data"))
                .col(string_len("subject", 300))
                .col(text("text_body"))
                .col(text("html_body"))
                // queued | sending | sent | dead
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(string_len_null("claimed_by", 64))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox", &["status", "next_attempt_at"], false))
            .await?;
        m.create_index(index("outbox", &["created_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("outbox_attachments")
                .col(pk_uuid("id"))
                .col(uuid("outbox_id"))
                .col(string_len("filename", 200))
                .col(string_len("content_type", 100))
                .col(string_len_null("content_id", 100))
                .col(blob("content"))
                .foreign_key(&mut fk(
                    "outbox_attachments",
                    "outbox_id",
                    "outbox",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("outbox_attachments", &["outbox_id"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["outbox_attachments", "outbox"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
