use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

/// The organiser's scheduling runs: stored, so that every instance of the
/// app shows a run's progress and result, and one run of a fair goes at a
/// time.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("schedule_runs")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid("started_by"))
                // running, done, failed or interrupted.
                .col(string_len("status", 16))
                // Per mille, 0 to 1000.
                .col(integer("progress"))
                // The report as JSON, once done.
                .col(text_null("report"))
                // The error code, once failed.
                .col(string_len_null("error", 64))
                .col(timestamp_with_time_zone("started_at"))
                // The heartbeat: a running run whose heartbeat stopped was
                // interrupted.
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .foreign_key(&mut fk(
                    "schedule_runs",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "schedule_runs",
                    "started_by",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("schedule_runs", &["fair_id", "started_at"], false))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("schedule_runs").to_owned())
            .await
    }
}
