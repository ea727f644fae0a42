use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = m.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
        for col in [
            string_len_null("contact_name", 200),
            string_len_null("contact_email", 254),
            string_len_null("contact_phone", 40),
            string_len_null("revenue_band", 20),
            text_null("description_vi"),
            text_null("description_en"),
            text_null("customers"),
            uuid_null("logo_upload_id"),
            timestamp_with_time_zone_null("submitted_at"),
            timestamp_with_time_zone_null("decided_at"),
            text_null("decision_note"),
            text_null("search_body"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("firms")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(index("firms", &["province"], false)).await?;
        // The catalogue lists approved firms in name order: covering indexes
        // let it page and count without reading the rows.
        m.create_index(index("firms", &["status", "legal_name", "id"], false))
            .await?;
        m.create_index(index("firms", &["status", "name_en", "id"], false))
            .await?;
        m.create_index(index("firms", &["status", "decided_at"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("firm_products")
                .col(pk_uuid("id"))
                .col(uuid("firm_id"))
                .col(string_len("name_vi", 200))
                .col(string_len("name_en", 200))
                .col(string_len_null("hs_code", 12))
                .col(integer("position"))
                .foreign_key(&mut fk(
                    "firm_products",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("firm_products", &["firm_id"], false))
            .await?;

        // Processes, materials and export markets: codes from the vocabulary.
        m.create_table(
            Table::create()
                .table("firm_tags")
                .col(uuid("firm_id"))
                .col(string_len("kind", 16))
                .col(string_len("code", 40))
                .primary_key(Index::create().col("firm_id").col("kind").col("code"))
                .foreign_key(&mut fk(
                    "firm_tags",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("firm_tags", &["kind", "code"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("uploads")
                .col(pk_uuid("id"))
                .col(uuid_null("firm_id"))
                .col(string_len("purpose", 20))
                .col(string_len("filename", 120))
                .col(string_len("content_type", 60))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(blob("content"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "uploads",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        for col in [
            string_len_null("other_name", 100),
            uuid_null("upload_id"),
            uuid_null("verified_by"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("certificates")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(index("certificates", &["kind"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("action", 60))
                .col(string_len("entity", 30))
                .col(uuid_null("entity_id"))
                .col(text("detail"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_log", &["entity", "entity_id"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("firm_join_requests")
                .col(pk_uuid("id"))
                .col(uuid("firm_id"))
                .col(uuid("user_id"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .foreign_key(&mut fk(
                    "firm_join_requests",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "firm_join_requests",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("firm_join_requests", &["firm_id", "status"], false))
            .await?;

        // Member invitations carry the firm they invite to.
        let mut firm_col = uuid_null("firm_id");
        m.alter_table(
            Table::alter()
                .table("invites")
                .add_column(&mut firm_col)
                .to_owned(),
        )
        .await?;

        // Full-text search over a folded body (no diacritics, lower case),
        // so that both engines see the same plain tokens.
        if sqlite {
            // FTS5 rows are keyed by integers: each firm gets a stable one.
            m.get_connection()
                .execute_unprepared(
                    "CREATE TABLE firm_search_keys (key INTEGER PRIMARY KEY AUTOINCREMENT, \
                     firm_id BLOB NOT NULL UNIQUE REFERENCES firms (id) ON DELETE CASCADE)",
                )
                .await?;
            m.get_connection()
                .execute_unprepared(
                    "CREATE VIRTUAL TABLE firm_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
                )
                .await?;
        } else {
            // "changes_requested" does not fit the first schema's 16 characters.
            m.get_connection()
                .execute_unprepared("ALTER TABLE firms ALTER COLUMN status TYPE varchar(24)")
                .await?;
            m.get_connection()
                .execute_unprepared(
                    "ALTER TABLE firms ADD COLUMN search_tsv tsvector \
                     GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_body, ''))) STORED",
                )
                .await?;
            m.get_connection()
                .execute_unprepared(
                    "CREATE INDEX ix_firms_search_tsv ON firms USING GIN (search_tsv)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            m.get_connection()
                .execute_unprepared("DROP TABLE firm_fts")
                .await?;
            m.get_connection()
                .execute_unprepared("DROP TABLE firm_search_keys")
                .await?;
        }
        for table in [
            "firm_join_requests",
            "audit_log",
            "uploads",
            "firm_tags",
            "firm_products",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
