//! The public catalogue of approved exhibitors: full-text search that
//! ignores diacritics and case (SQLite FTS5; PostgreSQL tsvector with a GIN
//! index), filters, sorting, pages.

use super::entity::{certificate, firm, product, tag};
use super::profile::normalise;
use super::status;
use crate::db::Db;
use crate::{Error, ErrorCode, Result};
use sea_orm::sea_query::{Expr, ExprTrait, Query as SqlQuery};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub const PAGE_SIZE: u64 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By name, A to Z (the default; Vietnamese names for Vietnamese readers).
    #[default]
    Name,
    /// The most recently approved first.
    Newest,
    /// The largest workforce first.
    Size,
}

impl Sort {
    pub fn parse(s: &str) -> Sort {
        match s {
            "newest" => Sort::Newest,
            "size" => Sort::Size,
            _ => Sort::Name,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Newest => "newest",
            Sort::Size => "size",
        }
    }
}

/// What a visitor asked the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub text: String,
    pub sector: Option<String>,
    pub certificate: Option<String>,
    pub market: Option<String>,
    pub province: Option<String>,
    pub sort: Sort,
    /// Sort by the English name.
    pub english: bool,
    pub page: u64,
}

/// The search words: folded, alphanumeric, at most 8 of them.
pub fn tokens(text: &str) -> Vec<String> {
    normalise(text)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(40).collect())
        .take(8)
        .collect()
}

/// A firm as a catalogue card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub id: Uuid,
    pub legal_name: String,
    pub name_en: String,
    pub sector_group: String,
    pub province: String,
    pub employees: Option<i32>,
    pub verified_certificates: Vec<String>,
    pub markets: Vec<String>,
    pub products_vi: Vec<String>,
    pub products_en: Vec<String>,
    pub logo_upload_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Results {
    pub total: u64,
    pub page: u64,
    pub cards: Vec<Card>,
}

fn check_code(
    list: &'static [super::vocabulary::Term],
    code: &Option<String>,
    field: &'static str,
) -> Result<()> {
    match code {
        Some(c) if super::vocabulary::find(list, c).is_none() => {
            Err(Error::field(ErrorCode::BadRequest, field))
        }
        _ => Ok(()),
    }
}

/// Runs a catalogue query: only approved firms, ever.
pub async fn search(db: &Db, q: &Query) -> Result<Results> {
    use super::vocabulary::{CERTIFICATES, MARKETS, PROVINCES};
    check_code(CERTIFICATES, &q.certificate, "certificate")?;
    check_code(MARKETS, &q.market, "market")?;
    check_code(PROVINCES, &q.province, "province")?;
    if let Some(s) = &q.sector
        && super::SectorGroup::parse(s).is_none()
    {
        return Err(Error::field(ErrorCode::BadRequest, "sector"));
    }
    let mut cond = Condition::all().add(firm::Column::Status.eq(status::APPROVED));
    let words = tokens(&q.text);
    if !words.is_empty() {
        cond = cond.add(match db.backend() {
            DbBackend::Postgres => {
                let query = words
                    .iter()
                    .map(|w| format!("{w}:*"))
                    .collect::<Vec<_>>()
                    .join(" & ");
                Expr::cust_with_values(
                    "\"firms\".\"search_tsv\" @@ to_tsquery('simple', $1)",
                    [query],
                )
            }
            _ => {
                let query = words
                    .iter()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" ");
                Expr::cust_with_values(
                    "\"firms\".\"id\" IN (SELECT k.firm_id FROM firm_fts JOIN firm_search_keys k \
                     ON k.key = firm_fts.rowid WHERE firm_fts MATCH ?)",
                    [query],
                )
            }
        });
    }
    if let Some(s) = &q.sector {
        cond = cond.add(firm::Column::SectorGroup.eq(s.as_str()));
    }
    if let Some(p) = &q.province {
        cond = cond.add(firm::Column::Province.eq(p.as_str()));
    }
    if let Some(c) = &q.certificate {
        cond = cond.add(
            firm::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(certificate::Column::FirmId)
                    .from(certificate::Entity)
                    .and_where(certificate::Column::Kind.eq(c.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(m) = &q.market {
        cond = cond.add(
            firm::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(tag::Column::FirmId)
                    .from(tag::Entity)
                    .and_where(tag::Column::Kind.eq("market"))
                    .and_where(tag::Column::Code.eq(m.as_str()))
                    .to_owned(),
            ),
        );
    }
    let base = firm::Entity::find().filter(cond);
    let total = base.clone().count(db.read()).await?;
    let name = if q.english {
        firm::Column::NameEn
    } else {
        firm::Column::LegalName
    };
    let ordered = match q.sort {
        Sort::Name => base.order_by_asc(name),
        Sort::Newest => base
            .order_by_desc(firm::Column::DecidedAt)
            .order_by_asc(name),
        Sort::Size => base
            .order_by(
                Expr::col(firm::Column::Employees).is_null(),
                sea_orm::Order::Asc,
            )
            .order_by_desc(firm::Column::Employees)
            .order_by_asc(name),
    };
    let page = Ord::min(q.page, 10_000);
    let firms = ordered
        .order_by_asc(firm::Column::Id)
        .offset(page * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db.read())
        .await?;
    let ids: Vec<Uuid> = firms.iter().map(|f| f.id).collect();
    let certs = certificate::Entity::find()
        .filter(certificate::Column::FirmId.is_in(ids.clone()))
        .filter(certificate::Column::VerifiedAt.is_not_null())
        .all(db.read())
        .await?;
    let markets = tag::Entity::find()
        .filter(tag::Column::FirmId.is_in(ids.clone()))
        .filter(tag::Column::Kind.eq("market"))
        .all(db.read())
        .await?;
    let products = product::Entity::find()
        .filter(product::Column::FirmId.is_in(ids))
        .order_by_asc(product::Column::Position)
        .all(db.read())
        .await?;
    let cards = firms
        .into_iter()
        .map(|f| {
            let mut verified: Vec<String> = certs
                .iter()
                .filter(|c| c.firm_id == f.id)
                .map(|c| c.kind.clone())
                .collect();
            verified.sort();
            verified.dedup();
            let mine: Vec<&product::Model> = products
                .iter()
                .filter(|p| p.firm_id == f.id)
                .take(3)
                .collect();
            Card {
                verified_certificates: verified,
                markets: markets
                    .iter()
                    .filter(|m| m.firm_id == f.id)
                    .map(|m| m.code.clone())
                    .collect(),
                products_vi: mine.iter().map(|p| p.name_vi.clone()).collect(),
                products_en: mine.iter().map(|p| p.name_en.clone()).collect(),
                id: f.id,
                legal_name: f.legal_name,
                name_en: f.name_en,
                sector_group: f.sector_group,
                province: f.province,
                employees: f.employees,
                logo_upload_id: f.logo_upload_id,
            }
        })
        .collect();
    Ok(Results { total, page, cards })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_words_are_folded_and_bounded() {
        assert_eq!(tokens("  Nhựa   HÀ nội! "), vec!["nhua", "ha", "noi"]);
        assert_eq!(
            tokens("\"; DROP TABLE firms; --"),
            vec!["drop", "table", "firms"]
        );
        assert_eq!(tokens("a b c d e f g h i j").len(), 8);
        assert!(tokens("*** ??? :::").is_empty());
    }
}
