use super::index;
use sea_orm_migration::{prelude::*, schema::*};

/// Hardening:
/// - sign-up, password resets and invitation acceptance counted per client
///   address like sign-in (one table of attempts, by action);
/// - settings the instances share (the master key's check value);
/// - the outbox keeps a mail's secret link sealed apart from its body, and
///   forgets it once the mail is sent;
/// - an approved firm's identity change waits for review beside the
///   approved identity; a rejected firm gives its tax code up.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Every row so far was a sign-in.
        m.alter_table(
            Table::alter()
                .table("login_attempts")
                .add_column(string_len("action", 16).default("sign_in"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "login_attempts",
            &["action", "ip", "attempted_at"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("settings")
                .col(string_len("name", 64).primary_key())
                .col(binary("value"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("outbox")
                .add_column(binary_null("secret"))
                .to_owned(),
        )
        .await?;
        for mut col in [
            text_null("identity_change"),
            timestamp_with_time_zone_null("identity_change_at"),
            string_len_null("released_tax_code", 14),
        ] {
            m.alter_table(
                Table::alter()
                    .table("firms")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        // Door staff scan at the fairs they are put on; the staff accounts
        // there are now stay on every fair there is, as before.
        m.create_table(
            Table::create()
                .table("fair_staff")
                .col(uuid("fair_id"))
                .col(uuid("user_id"))
                .col(uuid_null("added_by"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("fair_id").col("user_id"))
                .foreign_key(&mut super::fk(
                    "fair_staff",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut super::fk(
                    "fair_staff",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("fair_staff", &["user_id"], false))
            .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO fair_staff (fair_id, user_id, added_by, created_at) \
                 SELECT f.id, u.id, NULL, f.created_at FROM fairs f, users u WHERE u.role = 'staff'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("fair_staff").to_owned())
            .await?;
        for col in ["identity_change", "identity_change_at", "released_tax_code"] {
            m.alter_table(Table::alter().table("firms").drop_column(col).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("outbox")
                .drop_column("secret")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("settings").to_owned())
            .await?;
        super::drop_indexes(m, &[("login_attempts", &["action", "ip", "attempted_at"])]).await?;
        m.alter_table(
            Table::alter()
                .table("login_attempts")
                .drop_column("action")
                .to_owned(),
        )
        .await
    }
}
