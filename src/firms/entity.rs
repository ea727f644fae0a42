//! Tables behind firms.

pub mod firm {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firms")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub tax_code: String,
        pub legal_name: String,
        pub name_en: String,
        pub sector_group: String,
        pub province: String,
        pub address: String,
        pub website: Option<String>,
        pub employees: Option<i32>,
        pub founded_year: Option<i32>,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub contact_name: Option<String>,
        pub contact_email: Option<String>,
        pub contact_phone: Option<String>,
        pub revenue_band: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub description_vi: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub description_en: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub customers: Option<String>,
        pub logo_upload_id: Option<Uuid>,
        pub submitted_at: Option<DateTimeUtc>,
        pub decided_at: Option<DateTimeUtc>,
        #[sea_orm(column_type = "Text", nullable)]
        pub decision_note: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub search_body: Option<String>,
        /// An approved firm's identity waiting for the organisers' review
        /// (JSON of `identity::Identity`), and since when.
        #[sea_orm(column_type = "Text", nullable)]
        pub identity_change: Option<String>,
        pub identity_change_at: Option<DateTimeUtc>,
        /// The tax code a rejected or withdrawn firm gave up: `tax_code`
        /// then holds a placeholder, so that the code is free for the firm
        /// that rightly holds it (see `review::release_tax_code`).
        pub released_tax_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub firm_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub is_admin: bool,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod certificate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        pub kind: String,
        pub number: String,
        pub issuer: String,
        pub issued_on: Date,
        pub expires_on: Option<Date>,
        pub verified_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub other_name: Option<String>,
        pub upload_id: Option<Uuid>,
        pub verified_by: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod product {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_products")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        pub name_vi: String,
        pub name_en: String,
        pub hs_code: Option<String>,
        pub position: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod tag {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_tags")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub firm_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod upload {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "uploads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Option<Uuid>,
        pub purpose: String,
        pub filename: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod join_request {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "firm_join_requests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub firm_id: Uuid,
        pub user_id: Uuid,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub decided_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub actor_id: Option<Uuid>,
        pub action: String,
        pub entity: String,
        pub entity_id: Option<Uuid>,
        #[sea_orm(column_type = "Text")]
        pub detail: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
