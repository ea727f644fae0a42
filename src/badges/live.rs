//! Live figures at the doors: who is inside now, entries per hour, by gate
//! and by badge kind. Read from the database (so every instance sees every
//! other's scans), in a handful of grouped queries.

use super::token::BadgeKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One gate's scans today.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateCount {
    pub gate_id: Uuid,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub entries: i64,
    pub exits: i64,
    pub refused: i64,
}

/// One badge kind today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: BadgeKind,
    /// In the main hall now.
    pub inside: i64,
    /// Came in today (at least once).
    pub came: i64,
}

/// A fair's figures at one moment of one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveCounts {
    pub day: Option<NaiveDate>,
    /// People inside any area now.
    pub inside: i64,
    /// People who came in today.
    pub came: i64,
    /// Entry scans let through (first entries and re-entries).
    pub entries: i64,
    pub exits: i64,
    pub refused: i64,
    /// Offline admissions the server would have refused.
    pub conflicts: i64,
    /// Area → people inside now.
    pub by_area: Vec<(String, i64)>,
    pub by_kind: Vec<KindCount>,
    pub by_gate: Vec<GateCount>,
    /// Entries per hour of the day (fair time), 24 slots.
    pub per_hour: Vec<i64>,
    pub at: Option<DateTime<Utc>>,
}

#[cfg(feature = "db")]
pub use db::live_counts;

#[cfg(feature = "db")]
mod db {
    use super::*;
    use crate::Result;
    use crate::badges::entity::gate;
    use crate::db::{Db, statement};
    use crate::fairs::entity::fair;
    use crate::{Error, ErrorCode};
    use chrono::{Duration, TimeZone};
    use sea_orm::{
        AccessMode, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IsolationLevel,
        QueryFilter, TransactionTrait, Value,
    };
    use std::collections::BTreeMap;

    /// The figures of `fair_id` for `day` (the fair day `now` falls on when
    /// `None`).
    pub async fn live_counts(
        db: &Db,
        fair_id: Uuid,
        day: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<LiveCounts> {
        // One snapshot for every figure: read while scans go on, the
        // figures still agree with each other (inside, entries, per hour).
        let read = db.read();
        let backend = read.get_database_backend();
        let txn = match backend {
            DbBackend::Postgres => {
                read.begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await?
            }
            _ => read.begin().await?,
        };
        let conn = &txn;
        let f = fair::Entity::find_by_id(fair_id)
            .one(conn)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let zone = crate::format::offset_or_default(&f.time_zone);
        let day = day.unwrap_or_else(|| now.with_timezone(&zone).date_naive());
        let start = zone
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| Error::internal("a fair day has no start"))?;
        let end = start + Duration::days(1);
        let mut out = LiveCounts {
            day: Some(day),
            per_hour: vec![0; 24],
            at: Some(now),
            ..LiveCounts::default()
        };

        let mut gates: BTreeMap<Uuid, GateCount> = gate::Entity::find()
            .filter(gate::Column::FairId.eq(fair_id))
            .all(conn)
            .await?
            .into_iter()
            .map(|g| {
                (
                    g.id,
                    GateCount {
                        gate_id: g.id,
                        code: g.code,
                        name_vi: g.name_vi,
                        name_en: g.name_en,
                        ..GateCount::default()
                    },
                )
            })
            .collect();
        let range = || -> Vec<Value> { vec![fair_id.into(), start.into(), end.into()] };
        let rows = conn
            .query_all_raw(statement(
                backend,
                "SELECT gate_id, verdict, COUNT(*), \
                 SUM(CASE WHEN conflict THEN 1 ELSE 0 END) \
                 FROM scans WHERE fair_id = ? AND scanned_at >= ? AND scanned_at < ? \
                 GROUP BY gate_id, verdict",
                range(),
            ))
            .await?;
        for r in rows {
            let gate_id: Uuid = r.try_get_by_index(0)?;
            let verdict: String = r.try_get_by_index(1)?;
            let n: i64 = r.try_get_by_index(2)?;
            let conflicts: i64 = r.try_get_by_index::<Option<i64>>(3)?.unwrap_or(0);
            out.conflicts += conflicts;
            let g = gates.entry(gate_id).or_default();
            match verdict.as_str() {
                "admitted" | "reentry" => {
                    g.entries += n;
                    out.entries += n;
                }
                "exit" => {
                    g.exits += n;
                    out.exits += n;
                }
                "refused" => {
                    g.refused += n;
                    out.refused += n;
                }
                _ => {}
            }
        }
        out.by_gate = gates.into_values().collect();
        out.by_gate.sort_by(|a, b| a.code.cmp(&b.code));

        let hour = match backend {
            DbBackend::Postgres => {
                "CAST(EXTRACT(HOUR FROM scanned_at AT TIME ZONE 'UTC') AS BIGINT)"
            }
            _ => "CAST(strftime('%H', scanned_at) AS INTEGER)",
        };
        let rows = conn
            .query_all_raw(statement(
                backend,
                &format!(
                    "SELECT {hour}, COUNT(*) FROM scans \
                     WHERE fair_id = ? AND scanned_at >= ? AND scanned_at < ? \
                     AND verdict IN ('admitted', 'reentry') GROUP BY 1"
                ),
                range(),
            ))
            .await?;
        let offset_hours = i64::from(zone.local_minus_utc()) / 3600;
        for r in rows {
            let utc_hour: i64 = r.try_get_by_index(0)?;
            let n: i64 = r.try_get_by_index(1)?;
            let h = (utc_hour + offset_hours).rem_euclid(24) as usize;
            out.per_hour[h] += n;
        }

        let here = || -> Vec<Value> { vec![fair_id.into(), day.into()] };
        let rows = conn
            .query_all_raw(statement(
                backend,
                "SELECT b.kind, p.area, SUM(CASE WHEN p.inside THEN 1 ELSE 0 END), COUNT(*) \
                 FROM presence p JOIN badges b ON b.id = p.badge_id \
                 WHERE b.fair_id = ? AND p.day = ? AND p.entries > 0 \
                 GROUP BY b.kind, p.area",
                here(),
            ))
            .await?;
        let mut areas: BTreeMap<String, i64> = BTreeMap::new();
        let mut kinds: BTreeMap<u8, KindCount> = BTreeMap::new();
        for r in rows {
            let kind: String = r.try_get_by_index(0)?;
            let area: String = r.try_get_by_index(1)?;
            let inside: i64 = r.try_get_by_index::<Option<i64>>(2)?.unwrap_or(0);
            let came: i64 = r.try_get_by_index(3)?;
            *areas.entry(area.clone()).or_default() += inside;
            let Some(kind) = BadgeKind::parse(&kind) else {
                continue;
            };
            if area == crate::badges::HALL {
                let k = kinds.entry(kind.code()).or_insert(KindCount {
                    kind,
                    inside: 0,
                    came: 0,
                });
                k.inside += inside;
                k.came += came;
            }
        }
        out.by_area = areas.into_iter().collect();
        out.by_kind = kinds.into_values().collect();

        let row = conn
            .query_one_raw(statement(
                backend,
                "SELECT COUNT(DISTINCT CASE WHEN p.inside THEN p.badge_id END), \
                 COUNT(DISTINCT p.badge_id) \
                 FROM presence p JOIN badges b ON b.id = p.badge_id \
                 WHERE b.fair_id = ? AND p.day = ? AND p.entries > 0",
                here(),
            ))
            .await?;
        if let Some(r) = row {
            out.inside = r.try_get_by_index(0)?;
            out.came = r.try_get_by_index(1)?;
        }
        txn.commit().await?;
        Ok(out)
    }
}
