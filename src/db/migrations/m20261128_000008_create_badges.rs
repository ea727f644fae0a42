use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Badge signing keys. The secret never leaves the servers; scanners
        // get the public keys of the keys not retired.
        m.create_table(
            Table::create()
                .table("badge_keys")
                .col(integer("id").primary_key())
                .col(binary("public_key"))
                .col(binary("secret"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("retired_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("badges")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                // visitor | buyer | exhibitor | press | vip | staff
                .col(string_len("kind", 16))
                // The account it belongs to; NULL for staff a firm names
                // without an account.
                .col(uuid_null("user_id"))
                .col(uuid_null("firm_id"))
                .col(string_len("name", 200))
                .col(string_len("organisation", 200))
                .col(string_len_null("email", 254))
                .col(date("valid_from"))
                .col(date("valid_to"))
                // JSON list of the areas it opens ("hall", "vip", "b2b" ...).
                .col(text("areas"))
                .col(integer("key_id"))
                .col(text("token"))
                // active | revoked
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_len_null("revoke_reason", 200))
                // The holder lets exhibitors save them as a lead.
                .col(boolean("lead_consent"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "badges",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "badges",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // One badge per person and fair.
        m.create_index(index("badges", &["fair_id", "user_id"], true))
            .await?;
        m.create_index(index("badges", &["fair_id", "kind"], false))
            .await?;
        m.create_index(index("badges", &["firm_id"], false)).await?;
        m.create_index(index("badges", &["fair_id", "status", "revoked_at"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("gates")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(string_len("code", 20))
                .col(string_len("name_vi", 120))
                .col(string_len("name_en", 120))
                // The area the gate lets people into.
                .col(string_len("area", 20))
                // JSON list of the badge kinds on its check-in list (empty:
                // every kind whose badge opens the area).
                .col(text("kinds"))
                .col(boolean("reentry"))
                .col(integer_null("max_entries_per_day"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "gates",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("gates", &["fair_id", "code"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("scan_devices")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(string_len("name", 120))
                // SHA-256 of the device's bearer token, hex.
                .col(string_len("token_hash", 64))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(timestamp_with_time_zone_null("last_seen_at"))
                .foreign_key(&mut fk(
                    "scan_devices",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("scan_devices", &["token_hash"], true))
            .await?;
        // Every scan, admitted or refused. The id is made by the scanner:
        // an upload sent twice records each scan once.
        m.create_table(
            Table::create()
                .table("scans")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid_null("badge_id"))
                .col(uuid("gate_id"))
                .col(uuid_null("device_id"))
                .col(uuid_null("staff_id"))
                // in | out
                .col(string_len("direction", 8))
                .col(timestamp_with_time_zone("scanned_at"))
                .col(timestamp_with_time_zone("received_at"))
                .col(date("day"))
                // admitted | reentry | exit | refused | warning
                .col(string_len("verdict", 16))
                .col(string_len("reason", 32))
                .col(boolean("offline"))
                // Admitted offline while the server had it inside already
                // (two gates without network): kept, and flagged.
                .col(boolean("conflict"))
                .foreign_key(&mut fk(
                    "scans",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("scans", &["fair_id", "scanned_at"], false))
            .await?;
        m.create_index(index("scans", &["badge_id", "scanned_at"], false))
            .await?;
        // Who is inside which area, per day: the guarded update of this row
        // is what admits a badge once.
        m.create_table(
            Table::create()
                .table("presence")
                .col(uuid("badge_id"))
                .col(string_len("area", 20))
                .col(date("day"))
                .col(boolean("inside"))
                .col(integer("entries"))
                .col(uuid_null("last_gate"))
                .col(timestamp_with_time_zone_null("last_at"))
                .primary_key(Index::create().col("badge_id").col("area").col("day"))
                .foreign_key(&mut fk(
                    "presence",
                    "badge_id",
                    "badges",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("leads")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid("firm_id"))
                .col(uuid("badge_id"))
                .col(uuid_null("captured_by"))
                .col(text("notes"))
                .col(integer("rating"))
                // JSON list of tags.
                .col(text("tags"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "leads",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "leads",
                    "badge_id",
                    "badges",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("leads", &["firm_id", "badge_id"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "leads",
            "presence",
            "scans",
            "scan_devices",
            "gates",
            "badges",
            "badge_keys",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
