//! Tables behind B2B meetings.

macro_rules! table {
    ($module:ident, $name:literal, { $($body:tt)* }) => {
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $name)]
            pub struct Model {
                $($body)*
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

table!(need, "buyer_needs", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub company: String,
    pub country: String,
    #[sea_orm(column_type = "Text")]
    pub hs_codes: String,
    #[sea_orm(column_type = "Text")]
    pub processes: String,
    #[sea_orm(column_type = "Text")]
    pub materials: String,
    #[sea_orm(column_type = "Text")]
    pub certificates: String,
    #[sea_orm(column_type = "Text")]
    pub markets: String,
    #[sea_orm(column_type = "Text")]
    pub languages: String,
    pub volume: String,
    pub moq: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub updated_at: DateTimeUtc,
});

table!(programme, "meeting_programmes", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fair_id: Uuid,
    pub tables: i32,
    pub request_hours: i32,
    pub updated_at: DateTimeUtc,
});

table!(slot, "meeting_slots", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fair_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub minutes: i32,
});

table!(request, "meeting_requests", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fair_id: Uuid,
    pub buyer_id: Uuid,
    pub firm_id: Uuid,
    pub asked_by: String,
    pub created_by: Uuid,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub status: String,
    pub weight: i32,
    pub location: String,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
});

table!(unavailable, "meeting_unavailable", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub party: Uuid,
});

table!(meeting, "meetings", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: Uuid,
    pub fair_id: Uuid,
    pub slot_id: Uuid,
    pub table_no: Option<i32>,
    pub scheduled_at: DateTimeUtc,
    pub held_at: Option<DateTimeUtc>,
});

table!(feedback, "meeting_feedback", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub side: String,
    pub outcome: String,
    pub follow_up: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub created_at: DateTimeUtc,
});

table!(feed, "calendar_feeds", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub token_hash: String,
    pub created_at: DateTimeUtc,
});

table!(run, "schedule_runs", {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub fair_id: Uuid,
    pub started_by: Uuid,
    pub status: String,
    pub progress: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub report: Option<String>,
    pub error: Option<String>,
    pub started_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
});
