//! Tables behind the outbox.

pub mod outbox {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        #[sea_orm(unique)]
        pub idempotency_key: String,
        pub to_email: String,
        pub to_name: String,
        pub locale: String,
        pub template: String,
        #[sea_orm(column_type = "Text")]
        pub data: String,
        pub subject: String,
        #[sea_orm(column_type = "Text")]
        pub text_body: String,
        #[sea_orm(column_type = "Text")]
        pub html_body: String,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub lease_until: Option<DateTimeUtc>,
        pub claimed_by: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
        /// The sealed secret of the link the body marks (see
        /// `mail::SECRET_MARK`); cleared once sent.
        #[sea_orm(column_type = "Blob", nullable)]
        pub secret: Option<Vec<u8>>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attachment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox_attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub outbox_id: Uuid,
        pub filename: String,
        pub content_type: String,
        pub content_id: Option<String>,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
