//! Figures about firms: the home page's counts and the organisers' figures.

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

/// A certificate that runs out soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    pub firm_id: uuid::Uuid,
    pub legal_name: String,
    pub name_en: String,
    pub kind: String,
    pub expires_on: chrono::NaiveDate,
    pub verified: bool,
}

/// The organisers' figures for firms.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganiserFigures {
    pub registered: u64,
    pub by_status: Vec<(&'static str, u64)>,
    pub approved: u64,
    pub approved_by_sector: Vec<(SectorGroup, u64)>,
    /// (province code, approved firms), largest first.
    pub approved_by_province: Vec<(String, u64)>,
    /// Approved firms holding at least one verified international certificate.
    pub verified_certified: u64,
    /// The programme's target share of certified firms, in percent.
    pub target_percent: u32,
    /// Certificates that expire within 90 days of `today` (or before the fair ends).
    pub expiring: Vec<Expiring>,
}

/// The city's programme aims at 40% of supporting-industry firms certified
/// to international standards.
pub const CERTIFIED_TARGET_PERCENT: u32 = 40;

pub async fn organiser_figures(
    db: &Db,
    today: chrono::NaiveDate,
    fair_ends: Option<chrono::NaiveDate>,
) -> Result<OrganiserFigures> {
    use sea_orm::QueryOrder;
    let conn = db.read();
    let mut by_status = Vec::new();
    let mut registered = 0;
    for s in status::ALL {
        let n = firm::Entity::find()
            .filter(firm::Column::Status.eq(s))
            .count(conn)
            .await?;
        registered += n;
        by_status.push((s, n));
    }
    let basic = figures(db).await?;
    let provinces: Vec<(String, i64)> = firm::Entity::find()
        .select_only()
        .column(firm::Column::Province)
        .column_as(Expr::col(firm::Column::Id).count(), "n")
        .filter(firm::Column::Status.eq(status::APPROVED))
        .group_by(firm::Column::Province)
        .into_tuple()
        .all(conn)
        .await?;
    let mut approved_by_province: Vec<(String, u64)> = provinces
        .into_iter()
        .map(|(p, n)| (p, u64::try_from(n).unwrap_or(0)))
        .collect();
    approved_by_province.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let verified_certified = firm::Entity::find()
        .filter(firm::Column::Status.eq(status::APPROVED))
        .filter(
            firm::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(certificate::Column::FirmId)
                    .from(certificate::Entity)
                    .and_where(certificate::Column::VerifiedAt.is_not_null())
                    .to_owned(),
            ),
        )
        .count(conn)
        .await?;
    let horizon = fair_ends.map_or(today + chrono::Duration::days(90), |f| {
        Ord::max(f, today + chrono::Duration::days(90))
    });
    let soon = certificate::Entity::find()
        .filter(certificate::Column::ExpiresOn.lte(horizon))
        .filter(certificate::Column::ExpiresOn.gte(today - chrono::Duration::days(30)))
        .order_by_asc(certificate::Column::ExpiresOn)
        .limit(100)
        .all(conn)
        .await?;
    let firms = firm::Entity::find()
        .filter(firm::Column::Id.is_in(soon.iter().map(|c| c.firm_id).collect::<Vec<_>>()))
        .all(conn)
        .await?;
    let expiring = soon
        .into_iter()
        .filter_map(|c| {
            let f = firms.iter().find(|f| f.id == c.firm_id)?;
            Some(Expiring {
                firm_id: f.id,
                legal_name: f.legal_name.clone(),
                name_en: f.name_en.clone(),
                kind: c.kind,
                expires_on: c.expires_on?,
                verified: c.verified_at.is_some(),
            })
        })
        .collect();
    Ok(OrganiserFigures {
        registered,
        by_status,
        approved: basic.approved,
        approved_by_sector: basic.by_sector,
        approved_by_province,
        verified_certified,
        target_percent: CERTIFIED_TARGET_PERCENT,
        expiring,
    })
}
