use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("firms")
                .col(pk_uuid("id"))
                // 10 digits, or 13 with the branch suffix: "0314409058-001".
                .col(string_len_uniq("tax_code", 14))
                .col(string_len("legal_name", 300))
                .col(string_len("name_en", 300))
                .col(string_len("sector_group", 32))
                .col(string_len("province", 100))
                .col(string_len("address", 500))
                .col(string_len_null("website", 300))
                .col(integer_null("employees"))
                .col(integer_null("founded_year"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("firms", &["status", "sector_group"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("firm_members")
                .col(uuid("firm_id"))
                .col(uuid_uniq("user_id"))
                .col(boolean("is_admin"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("firm_id").col("user_id"))
                .foreign_key(&mut fk(
                    "firm_members",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "firm_members",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("certificates")
                .col(pk_uuid("id"))
                .col(uuid("firm_id"))
                .col(string_len("kind", 40))
                .col(string_len("number", 100))
                .col(string_len("issuer", 200))
                .col(date("issued_on"))
                .col(date_null("expires_on"))
                .col(timestamp_with_time_zone_null("verified_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "certificates",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("certificates", &["firm_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["certificates", "firm_members", "firms"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
