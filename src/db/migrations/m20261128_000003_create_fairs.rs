use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("fairs")
                .col(pk_uuid("id"))
                .col(string_len_uniq("slug", 100))
                .col(string_len("name_vi", 300))
                .col(string_len("name_en", 300))
                .col(string_len("venue_vi", 300))
                .col(string_len("venue_en", 300))
                .col(string_len("city", 100))
                .col(date("starts_on"))
                .col(date("ends_on"))
                .col(time("opens_at"))
                .col(time("closes_at"))
                .col(string_len("time_zone", 64))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("fairs").to_owned()).await
    }
}
