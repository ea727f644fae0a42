use super::Fair;
use super::entity::fair;
use crate::Result;
use crate::db::Db;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// The fair to feature: the next one that has not ended, or else the most
/// recent one.
pub async fn featured_fair(db: &Db, today: NaiveDate) -> Result<Option<Fair>> {
    let upcoming = fair::Entity::find()
        .filter(fair::Column::EndsOn.gte(today))
        .order_by_asc(fair::Column::StartsOn)
        .one(db.read())
        .await?;
    let found = match upcoming {
        Some(f) => Some(f),
        None => {
            fair::Entity::find()
                .order_by_desc(fair::Column::EndsOn)
                .one(db.read())
                .await?
        }
    };
    Ok(found.map(Fair::from))
}

/// Everything the home page counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeFigures {
    pub fair: Option<Fair>,
    pub firms: crate::firms::FirmFigures,
    pub visitors: u64,
}

pub async fn home_figures(db: &Db, today: NaiveDate) -> Result<HomeFigures> {
    use crate::accounts::{Role, entity::user};
    use sea_orm::PaginatorTrait;
    let fair = featured_fair(db, today).await?;
    let firms = crate::firms::figures(db).await?;
    let visitors = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Visitor.as_str()))
        .count(db.read())
        .await?;
    Ok(HomeFigures {
        fair,
        firms,
        visitors,
    })
}
