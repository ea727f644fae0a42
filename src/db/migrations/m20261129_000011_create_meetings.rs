use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

/// B2B meetings: what buyers source, the fair's meeting programme (slots and
/// tables), requests between a buyer and a supplier firm, the times each
/// side cannot attend, the scheduled meetings, feedback, and the secret
/// calendar feed of each person.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("buyer_needs")
                .col(uuid("user_id").primary_key())
                .col(string_len("company", 200))
                .col(string_len("country", 64))
                // JSON lists of codes from the firms' vocabulary.
                .col(text("hs_codes"))
                .col(text("processes"))
                .col(text("materials"))
                .col(text("certificates"))
                .col(text("markets"))
                .col(text("languages"))
                .col(string_len("volume", 200))
                .col(string_len("moq", 200))
                .col(text("description"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "buyer_needs",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("meeting_programmes")
                .col(uuid("fair_id").primary_key())
                .col(integer("tables"))
                // A pending request expires after this many hours.
                .col(integer("request_hours"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "meeting_programmes",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("meeting_slots")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(integer("minutes"))
                .foreign_key(&mut fk(
                    "meeting_slots",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_slots", &["fair_id", "starts_at"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("meeting_requests")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid("buyer_id"))
                .col(uuid("firm_id"))
                // buyer | supplier | organiser
                .col(string_len("asked_by", 16))
                .col(uuid("created_by"))
                .col(text("message"))
                // pending | accepted | declined | expired | cancelled
                .col(string_len("status", 16))
                .col(integer("weight"))
                // table | booth
                .col(string_len("location", 8))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .foreign_key(&mut fk(
                    "meeting_requests",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "meeting_requests",
                    "buyer_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "meeting_requests",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // One request per buyer and firm at a fair: asking again reopens it.
        m.create_index(index(
            "meeting_requests",
            &["fair_id", "buyer_id", "firm_id"],
            true,
        ))
        .await?;
        m.create_index(index("meeting_requests", &["firm_id", "fair_id"], false))
            .await?;
        m.create_index(index("meeting_requests", &["fair_id", "status"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("meeting_unavailable")
                .col(uuid("slot_id"))
                // The buyer's user id, or the supplier's firm id.
                .col(uuid("party"))
                .primary_key(Index::create().col("slot_id").col("party"))
                .foreign_key(&mut fk(
                    "meeting_unavailable",
                    "slot_id",
                    "meeting_slots",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("meeting_unavailable", &["party"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("meetings")
                .col(uuid("request_id").primary_key())
                .col(uuid("fair_id"))
                .col(uuid("slot_id"))
                // NULL at the supplier's booth.
                .col(integer_null("table_no"))
                .col(timestamp_with_time_zone("scheduled_at"))
                .col(timestamp_with_time_zone_null("held_at"))
                .foreign_key(&mut fk(
                    "meetings",
                    "request_id",
                    "meeting_requests",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "meetings",
                    "slot_id",
                    "meeting_slots",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        // A table holds one meeting per slot (NULLs, booth meetings, are distinct).
        m.create_index(index("meetings", &["slot_id", "table_no"], true))
            .await?;
        m.create_index(index("meetings", &["fair_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("meeting_feedback")
                .col(uuid("request_id"))
                // buyer | supplier
                .col(string_len("side", 16))
                // held | no_show
                .col(string_len("outcome", 16))
                // none | sample | quotation | order
                .col(string_len("follow_up", 16))
                .col(text("note"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("request_id").col("side"))
                .foreign_key(&mut fk(
                    "meeting_feedback",
                    "request_id",
                    "meeting_requests",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("calendar_feeds")
                .col(uuid("user_id").primary_key())
                // SHA-256 of the secret in the feed's address, hex.
                .col(string_len("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "calendar_feeds",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("calendar_feeds", &["token_hash"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "calendar_feeds",
            "meeting_feedback",
            "meetings",
            "meeting_unavailable",
            "meeting_requests",
            "meeting_slots",
            "meeting_programmes",
            "buyer_needs",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
