//! Tables behind badges, gates and check-in.

pub mod badge_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "badge_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub public_key: Vec<u8>,
        pub secret: Vec<u8>,
        pub created_at: DateTimeUtc,
        pub retired_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod badge {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "badges")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub kind: String,
        pub user_id: Option<Uuid>,
        pub firm_id: Option<Uuid>,
        pub name: String,
        pub organisation: String,
        pub email: Option<String>,
        pub valid_from: Date,
        pub valid_to: Date,
        #[sea_orm(column_type = "Text")]
        pub areas: String,
        pub key_id: i32,
        #[sea_orm(column_type = "Text")]
        pub token: String,
        pub status: String,
        pub revoked_at: Option<DateTimeUtc>,
        pub revoke_reason: Option<String>,
        pub lead_consent: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod gate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "gates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub code: String,
        pub name_vi: String,
        pub name_en: String,
        pub area: String,
        #[sea_orm(column_type = "Text")]
        pub kinds: String,
        pub reentry: bool,
        pub max_entries_per_day: Option<i32>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod device {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "scan_devices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub name: String,
        pub token_hash: String,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
        pub last_seen_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod scan {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "scans")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub badge_id: Option<Uuid>,
        pub gate_id: Uuid,
        pub device_id: Option<Uuid>,
        pub staff_id: Option<Uuid>,
        pub direction: String,
        pub scanned_at: DateTimeUtc,
        pub received_at: DateTimeUtc,
        pub day: Date,
        pub verdict: String,
        pub reason: String,
        pub offline: bool,
        pub conflict: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod presence {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "presence")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub badge_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub area: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        pub inside: bool,
        pub entries: i32,
        pub last_gate: Option<Uuid>,
        pub last_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod lead {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "leads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub fair_id: Uuid,
        pub firm_id: Uuid,
        pub badge_id: Uuid,
        pub captured_by: Option<Uuid>,
        #[sea_orm(column_type = "Text")]
        pub notes: String,
        pub rating: i32,
        #[sea_orm(column_type = "Text")]
        pub tags: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
