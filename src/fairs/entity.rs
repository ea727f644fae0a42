//! Tables behind fairs.

pub mod fair {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fairs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub slug: String,
        pub name_vi: String,
        pub name_en: String,
        pub venue_vi: String,
        pub venue_en: String,
        pub city: String,
        pub starts_on: Date,
        pub ends_on: Date,
        pub opens_at: Time,
        pub closes_at: Time,
        pub time_zone: String,
        pub created_at: DateTimeUtc,
        pub vat_percent: Option<i32>,
        pub hold_minutes: Option<i32>,
        pub booking_opens_on: Option<Date>,
        pub booking_closes_on: Option<Date>,
        pub registration_closes_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl From<Model> for super::super::Fair {
        fn from(m: Model) -> Self {
            super::super::Fair {
                id: m.id,
                slug: m.slug,
                name_vi: m.name_vi,
                name_en: m.name_en,
                venue_vi: m.venue_vi,
                venue_en: m.venue_en,
                city: m.city,
                starts_on: m.starts_on,
                ends_on: m.ends_on,
                opens_at: m.opens_at,
                closes_at: m.closes_at,
                time_zone: m.time_zone,
                vat_percent: m.vat_percent.unwrap_or(super::super::DEFAULT_VAT_PERCENT),
                hold_minutes: m.hold_minutes.unwrap_or(super::super::DEFAULT_HOLD_MINUTES),
                booking_opens_on: m.booking_opens_on,
                booking_closes_on: m.booking_closes_on,
                registration_closes_on: m.registration_closes_on,
            }
        }
    }
}
