//! Tables behind floor plans and booths.

pub mod day {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fair_days")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub fair_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        pub opens_at: Time,
        pub closes_at: Time,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod zone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "zones")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub code: String,
        pub name_vi: String,
        pub name_en: String,
        pub sector_group: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod booth_type {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "booth_types")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub code: String,
        pub name_vi: String,
        pub name_en: String,
        pub price_per_m2: i64,
        pub surcharge_percent: i32,
        pub furniture: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod hall {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "halls")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub code: String,
        pub name_vi: String,
        pub name_en: String,
        pub width_dm: i32,
        pub depth_dm: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod booth {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "booths")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub hall_id: Uuid,
        pub code: String,
        pub zone_id: Uuid,
        pub type_id: Uuid,
        pub x_dm: i32,
        pub y_dm: i32,
        pub w_dm: i32,
        pub d_dm: i32,
        #[sea_orm(column_type = "Text", nullable)]
        pub polygon: Option<String>,
        pub blocked: bool,
        pub price_override: Option<i64>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod feature {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "plan_features")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub hall_id: Uuid,
        pub kind: String,
        pub x_dm: i32,
        pub y_dm: i32,
        pub w_dm: i32,
        pub d_dm: i32,
        pub label: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod claim {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "booth_claims")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub booth_id: Uuid,
        pub firm_id: Uuid,
        pub state: String,
        pub live_booth_id: Option<Uuid>,
        pub held_until: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub confirmed_at: Option<DateTimeUtc>,
        pub paid_at: Option<DateTimeUtc>,
        pub ended_at: Option<DateTimeUtc>,
        pub base_price: i64,
        pub surcharge: i64,
        #[sea_orm(column_type = "Text")]
        pub options: String,
        pub options_price: i64,
        pub vat: i64,
        pub total: i64,
        pub invoice_no: Option<String>,
        pub created_by: Option<Uuid>,
        pub application_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod application {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "booth_applications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub firm_id: Uuid,
        pub area_m2: i32,
        pub type_code: String,
        pub zone_id: Option<Uuid>,
        #[sea_orm(column_type = "Text")]
        pub preferences: String,
        #[sea_orm(column_type = "Text")]
        pub avoid: String,
        pub status: String,
        pub booth_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
pub mod counter {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoice_counters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub fair_id: Uuid,
        pub last: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
