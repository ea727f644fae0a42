//! Schema migrations, the same on SQLite and PostgreSQL. Files are named
//! `mYYYYMMDD_NNNNNN_verb_table.rs` and never edited once released.

use sea_orm_migration::prelude::*;

mod m20261128_000001_create_accounts;
mod m20261128_000002_create_firms;
mod m20261128_000003_create_fairs;
mod m20261128_000004_create_outbox;
mod m20261128_000005_create_account_tokens;
mod m20261128_000006_extend_firms;
mod m20261128_000007_create_booths;
mod m20261128_000008_create_badges;
mod m20261128_000009_index_presence;
mod m20261128_000010_lighter_scan_indexes;
mod m20261129_000011_create_meetings;
mod m20261129_000012_create_schedule_runs;
mod m20261208_000013_harden;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_create_accounts::Migration),
            Box::new(m20261128_000002_create_firms::Migration),
            Box::new(m20261128_000003_create_fairs::Migration),
            Box::new(m20261128_000004_create_outbox::Migration),
            Box::new(m20261128_000005_create_account_tokens::Migration),
            Box::new(m20261128_000006_extend_firms::Migration),
            Box::new(m20261128_000007_create_booths::Migration),
            Box::new(m20261128_000008_create_badges::Migration),
            Box::new(m20261128_000009_index_presence::Migration),
            Box::new(m20261128_000010_lighter_scan_indexes::Migration),
            Box::new(m20261129_000011_create_meetings::Migration),
            Box::new(m20261129_000012_create_schedule_runs::Migration),
            Box::new(m20261208_000013_harden::Migration),
        ]
    }
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// A plain (or unique) index on some columns of a table.
pub(crate) fn index(
    table: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_")))
        .table(table);
    for column in columns {
        stmt.col(*column);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

/// Drops indexes made by [`index`], named by their table and columns.
pub(crate) async fn drop_indexes(
    m: &SchemaManager<'_>,
    indexes: &[(&'static str, &[&'static str])],
) -> Result<(), DbErr> {
    for (table, columns) in indexes {
        m.drop_index(
            Index::drop()
                .name(format!("ix_{table}_{}", columns.join("_")))
                .table(*table)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}
