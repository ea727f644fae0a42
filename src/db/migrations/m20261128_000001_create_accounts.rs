use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("users")
                .col(pk_uuid("id"))
                .col(string_len_uniq("email", 254))
                .col(string_len("name", 200))
                .col(string_len("password_hash", 255))
                .col(string_len("role", 16))
                .col(string_len("locale", 8))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("disabled_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("users", &["role"], false)).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                // The SHA-256 of the cookie's token: a stolen table opens no session.
                .col(string_len("id", 64).primary_key())
                .col(uuid("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(string_len_null("ip", 64))
                .col(string_len_null("user_agent", 255))
                .foreign_key(&mut fk(
                    "sessions",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("sessions", &["user_id"], false))
            .await?;
        m.create_index(index("sessions", &["expires_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("login_attempts")
                .col(big_pk_auto("id"))
                .col(string_len("email", 254))
                .col(string_len("ip", 64))
                .col(boolean("succeeded"))
                .col(timestamp_with_time_zone("attempted_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("login_attempts", &["email", "attempted_at"], false))
            .await?;
        m.create_index(index("login_attempts", &["ip", "attempted_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("invites")
                .col(pk_uuid("id"))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len("email", 254))
                .col(string_len("name", 200))
                .col(string_len("role", 16))
                .col(uuid("invited_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(uuid_null("user_id"))
                .foreign_key(&mut fk(
                    "invites",
                    "invited_by",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "invites",
                    "user_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("invites", &["email"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["invites", "login_attempts", "sessions", "users"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
