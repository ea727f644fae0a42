use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(timestamp_with_time_zone_null("email_verified_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("account_tokens")
                .col(pk_uuid("id"))
                .col(uuid("user_id"))
                // password_reset | verify_email
                .col(string_len("purpose", 20))
                // SHA-256 of the token in the link: the table opens nothing.
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk(
                    "account_tokens",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("account_tokens", &["user_id", "purpose"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("account_tokens").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .drop_column("email_verified_at")
                .to_owned(),
        )
        .await
    }
}
