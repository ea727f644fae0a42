//! What anyone may see.

use super::AppError;
use fairlink::fairs::Fair;
use fairlink::firms::SectorGroup;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeData {
    pub fair: Option<Fair>,
    pub exhibitors: u64,
    pub certified: u64,
    pub by_sector: Vec<(SectorGroup, u64)>,
    pub visitors: u64,
}

#[server(endpoint = "public/home")]
pub async fn home_figures() -> Result<HomeData, AppError> {
    let app = super::ctx::app()?;
    let today = chrono::Utc::now().date_naive();
    let data = fairlink::fairs::home_figures(&app.db, today).await?;
    Ok(HomeData {
        fair: data.fair,
        exhibitors: data.firms.approved,
        certified: data.firms.certified,
        by_sector: data.firms.by_sector,
        visitors: data.visitors,
    })
}
