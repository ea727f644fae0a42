//! Firm queries that the foundation needs (figures for the home page and the
//! organiser). Registration and approval build on these tables.

use super::entity::{certificate, firm};
use super::{SectorGroup, status};
use crate::Result;
use crate::db::Db;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

/// How many approved firms there are, in all and per sector group, and how
/// many of them hold at least one certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirmFigures {
    pub approved: u64,
    pub certified: u64,
    pub by_sector: Vec<(SectorGroup, u64)>,
}

pub async fn figures(db: &Db) -> Result<FirmFigures> {
    let conn = db.read();
    let approved = firm::Entity::find()
        .filter(firm::Column::Status.eq(status::APPROVED))
        .count(conn)
        .await?;
    let certified = firm::Entity::find()
        .filter(firm::Column::Status.eq(status::APPROVED))
        .filter(
            firm::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(certificate::Column::FirmId)
                    .from(certificate::Entity)
                    .to_owned(),
            ),
        )
        .count(conn)
        .await?;
    let rows: Vec<(String, i64)> = firm::Entity::find()
        .select_only()
        .column(firm::Column::SectorGroup)
        .column_as(Expr::col(firm::Column::Id).count(), "n")
        .filter(firm::Column::Status.eq(status::APPROVED))
        .group_by(firm::Column::SectorGroup)
        .into_tuple()
        .all(conn)
        .await?;
    let by_sector = SectorGroup::ALL
        .into_iter()
        .map(|g| {
            let n = rows
                .iter()
                .find(|(s, _)| s == g.as_str())
                .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
            (g, n)
        })
        .collect();
    Ok(FirmFigures {
        approved,
        certified,
        by_sector,
    })
}
