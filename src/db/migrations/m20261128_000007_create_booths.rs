use super::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            integer_null("vat_percent"),
            integer_null("hold_minutes"),
            date_null("booking_opens_on"),
            date_null("booking_closes_on"),
            date_null("registration_closes_on"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("fairs")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("fair_days")
                .col(uuid("fair_id"))
                .col(date("day"))
                .col(time("opens_at"))
                .col(time("closes_at"))
                .primary_key(Index::create().col("fair_id").col("day"))
                .foreign_key(&mut fk(
                    "fair_days",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("zones")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(string_len("code", 20))
                .col(string_len("name_vi", 120))
                .col(string_len("name_en", 120))
                .col(string_len_null("sector_group", 32))
                .foreign_key(&mut fk(
                    "zones",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("zones", &["fair_id", "code"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("booth_types")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(string_len("code", 20))
                .col(string_len("name_vi", 120))
                .col(string_len("name_en", 120))
                .col(big_integer("price_per_m2"))
                .col(integer("surcharge_percent"))
                .col(boolean("furniture"))
                .foreign_key(&mut fk(
                    "booth_types",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("booth_types", &["fair_id", "code"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("halls")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(string_len("code", 20))
                .col(string_len("name_vi", 120))
                .col(string_len("name_en", 120))
                .col(integer("width_dm"))
                .col(integer("depth_dm"))
                .foreign_key(&mut fk(
                    "halls",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("halls", &["fair_id", "code"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("booths")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid("hall_id"))
                .col(string_len("code", 20))
                .col(uuid("zone_id"))
                .col(uuid("type_id"))
                // Positions and sizes in decimetres: whole numbers, no rounding.
                .col(integer("x_dm"))
                .col(integer("y_dm"))
                .col(integer("w_dm"))
                .col(integer("d_dm"))
                .col(text_null("polygon"))
                .col(boolean("blocked"))
                .col(big_integer_null("price_override"))
                .foreign_key(&mut fk(
                    "booths",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "booths",
                    "hall_id",
                    "halls",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "booths",
                    "zone_id",
                    "zones",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "booths",
                    "type_id",
                    "booth_types",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("booths", &["fair_id", "code"], true))
            .await?;
        m.create_index(index("booths", &["hall_id"], false)).await?;
        m.create_table(
            Table::create()
                .table("plan_features")
                .col(pk_uuid("id"))
                .col(uuid("hall_id"))
                .col(string_len("kind", 16))
                .col(integer("x_dm"))
                .col(integer("y_dm"))
                .col(integer("w_dm"))
                .col(integer("d_dm"))
                .col(string_len_null("label", 120))
                .foreign_key(&mut fk(
                    "plan_features",
                    "hall_id",
                    "halls",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("plan_features", &["hall_id"], false))
            .await?;
        m.create_table(
            Table::create()
                .table("booth_claims")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid("booth_id"))
                .col(uuid("firm_id"))
                // held | confirmed | paid | cancelled | expired | released
                .col(string_len("state", 16))
                // The booth while the claim is live (held, confirmed, paid),
                // NULL otherwise: the unique index below is the rule "one live
                // claim per booth", kept by the database on every engine.
                .col(uuid_null("live_booth_id"))
                .col(timestamp_with_time_zone_null("held_until"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(timestamp_with_time_zone_null("ended_at"))
                .col(big_integer("base_price"))
                .col(big_integer("surcharge"))
                // Extras chosen at confirmation (JSON list of option codes).
                .col(text("options"))
                .col(big_integer("options_price"))
                .col(big_integer("vat"))
                .col(big_integer("total"))
                .col(string_len_null("invoice_no", 40))
                .col(uuid_null("created_by"))
                // The application (wish or waitlist place) this claim answers.
                .col(uuid_null("application_id"))
                .foreign_key(&mut fk(
                    "booth_claims",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "booth_claims",
                    "booth_id",
                    "booths",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "booth_claims",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("booth_claims", &["live_booth_id"], true))
            .await?;
        m.create_index(index("booth_claims", &["firm_id", "state"], false))
            .await?;
        m.create_index(index("booth_claims", &["fair_id", "state"], false))
            .await?;
        m.create_index(index("booth_claims", &["state", "held_until"], false))
            .await?;
        m.create_index(index("booth_claims", &["fair_id", "invoice_no"], true))
            .await?;
        m.create_table(
            Table::create()
                .table("invoice_counters")
                .col(uuid("fair_id").primary_key())
                .col(big_integer("last"))
                .foreign_key(&mut fk(
                    "invoice_counters",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("booth_applications")
                .col(pk_uuid("id"))
                .col(uuid("fair_id"))
                .col(uuid("firm_id"))
                .col(integer("area_m2"))
                .col(string_len("type_code", 20))
                .col(uuid_null("zone_id"))
                .col(text("preferences"))
                .col(text("avoid"))
                // pending | allocated | waitlisted | withdrawn
                .col(string_len("status", 16))
                .col(uuid_null("booth_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "booth_applications",
                    "fair_id",
                    "fairs",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "booth_applications",
                    "firm_id",
                    "firms",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("booth_applications", &["fair_id", "status"], false))
            .await?;
        m.create_index(index("booth_applications", &["fair_id", "firm_id"], true))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "invoice_counters",
            "booth_applications",
            "booth_claims",
            "plan_features",
            "booths",
            "halls",
            "booth_types",
            "zones",
            "fair_days",
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
