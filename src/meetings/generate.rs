//! Generated scheduling instances, hard in the ways real programmes are.
//!
//! - **Heavy-tailed popularity.** Suppliers are drawn with probability
//!   proportional to 1 / rank^0.9 (a few suppliers are asked by far more
//!   buyers than they have slots), buyers by 1 / rank^0.6 (some buyers send
//!   many more requests than they can attend).
//! - **Blocked half-days.** Every participant is away for whole half-days:
//!   buyers more often than suppliers, and more often on the afternoons and
//!   the last day (as people do), so some half-days are crowded.
//! - **Tables bind in the crowded slots.** About 40 % of the requests are
//!   table meetings, the rest at the supplier's booth; with the given number
//!   of tables, the morning slots run out of tables while the afternoons
//!   have tables to spare.
//! - Weights 1, 2, 3 or 5 (mostly 1 and 2), two more for hosted buyers (the
//!   tenth most active); requests go either way; about 1 % of the requests
//!   are already confirmed (fixed) where that is feasible.
//!
//! Same spec and seed, same instance.

use super::instance::{Fixed, InstanceSpec, Kind, Location, Participant, Request, Slot};
use super::solve::Rng;
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub name: &'static str,
    pub requests: usize,
    pub buyers: usize,
    pub suppliers: usize,
    pub days: usize,
    pub slots_per_day: usize,
    pub tables: u32,
}

impl Spec {
    pub const SMALL: Spec = Spec {
        name: "small",
        requests: 600,
        buyers: 40,
        suppliers: 160,
        days: 1,
        slots_per_day: 8,
        tables: 12,
    };
    pub const LARGE: Spec = Spec {
        name: "large",
        requests: 12_000,
        buyers: 500,
        suppliers: 2_000,
        days: 2,
        slots_per_day: 8,
        tables: 120,
    };
    pub const EXTRA_LARGE: Spec = Spec {
        name: "extra-large",
        requests: 40_000,
        buyers: 1_600,
        suppliers: 6_000,
        days: 3,
        slots_per_day: 8,
        tables: 300,
    };
}

/// Picks index i with probability proportional to `weights[i]`.
struct Picker {
    cumulative: Vec<f64>,
}

impl Picker {
    fn zipf(n: usize, exponent: f64) -> Picker {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|rank| {
                total += 1.0 / (rank as f64).powf(exponent);
                total
            })
            .collect();
        Picker { cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.cumulative.last().copied().unwrap_or(0.0);
        self.cumulative
            .partition_point(|c| *c <= x)
            .min(self.cumulative.len() - 1)
    }
}

fn slot_start(day: usize, i: usize, per_day: usize) -> DateTime<FixedOffset> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let date = NaiveDate::from_ymd_opt(2027, 3, 10).expect("date") + chrono::Days::new(day as u64);
    // Mornings from 09:00, afternoons from 13:30 (a lunch break between).
    let half = per_day.div_ceil(2);
    let minutes = if i < half {
        9 * 60 + 30 * i
    } else {
        13 * 60 + 30 + 30 * (i - half)
    };
    let naive = date
        .and_hms_opt((minutes / 60) as u32, (minutes % 60) as u32, 0)
        .expect("time");
    tz.from_local_datetime(&naive)
        .single()
        .expect("fixed offset")
}

/// Chance that a participant is away for half-day `h` (0: first morning).
fn away_chance(kind: Kind, h: usize, halves: usize) -> f64 {
    let base = match kind {
        Kind::Buyer => 0.25,
        Kind::Supplier => 0.08,
    };
    let afternoon = if h % 2 == 1 { 0.15 } else { 0.0 };
    let last_day = if halves > 2 && h + 2 >= halves {
        0.15
    } else {
        0.0
    };
    base + afternoon + last_day
}

pub fn generate(spec: &Spec, seed: u64) -> InstanceSpec {
    let mut rng = Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ spec.requests as u64);
    let per_day = spec.slots_per_day;
    let half = per_day.div_ceil(2);
    let mut slots = Vec::new();
    for d in 0..spec.days {
        for i in 0..per_day {
            let start = slot_start(d, i, per_day);
            slots.push(Slot {
                id: format!("d{}-{}", d + 1, start.format("%H%M")),
                start,
                minutes: 30,
            });
        }
    }
    let halves = spec.days * 2;
    let mut participants = Vec::with_capacity(spec.buyers + spec.suppliers);
    for (kind, count, prefix) in [
        (Kind::Buyer, spec.buyers, "b"),
        (Kind::Supplier, spec.suppliers, "s"),
    ] {
        for i in 0..count {
            let mut away: Vec<usize> = (0..halves)
                .filter(|&h| rng.unit() < away_chance(kind, h, halves))
                .collect();
            if away.len() == halves {
                away.remove(rng.below(halves));
            }
            let unavailable = away
                .iter()
                .flat_map(|&h| {
                    let (d, pm) = (h / 2, h % 2 == 1);
                    let range = if pm { half..per_day } else { 0..half };
                    range.map(move |i| d * per_day + i)
                })
                .map(|s| slots[s].id.clone())
                .collect();
            participants.push(Participant {
                id: format!("{prefix}{}", i + 1),
                kind,
                unavailable,
            });
        }
    }
    let buyers = Picker::zipf(spec.buyers, 0.6);
    let suppliers = Picker::zipf(spec.suppliers, 0.9);
    let hosted = spec.buyers.div_ceil(10);
    let mut pairs = HashSet::new();
    let mut requests = Vec::with_capacity(spec.requests);
    let mut tries = 0usize;
    while requests.len() < spec.requests && tries < spec.requests * 50 {
        tries += 1;
        let b = buyers.pick(&mut rng);
        let s = suppliers.pick(&mut rng);
        if !pairs.insert((b, s)) {
            continue;
        }
        let mut weight = match rng.below(20) {
            0..=8 => 1,
            9..=14 => 2,
            15..=17 => 3,
            _ => 5,
        };
        if b < hosted {
            weight += 2;
        }
        let (bid, sid) = (
            participants[b].id.clone(),
            participants[spec.buyers + s].id.clone(),
        );
        let (from, to) = if rng.below(10) < 6 {
            (bid, sid)
        } else {
            (sid, bid)
        };
        let location = if rng.below(10) < 4 {
            Location::Table
        } else {
            Location::Booth
        };
        requests.push(Request {
            id: format!("r{}", requests.len() + 1),
            from,
            to,
            weight,
            location,
        });
    }

    // About 1 % confirmed already, where feasible together.
    let index: std::collections::HashMap<&str, usize> = participants
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut busy = HashSet::new();
    let mut tables_used = vec![0u32; slots.len()];
    let mut fixed = Vec::new();
    for r in &requests {
        if rng.below(100) != 0 {
            continue;
        }
        let (a, b) = (index[r.from.as_str()], index[r.to.as_str()]);
        let s = rng.below(slots.len());
        let sid = &slots[s].id;
        let free = |p: usize| !participants[p].unavailable.contains(sid) && !busy.contains(&(p, s));
        let table_ok = r.location == Location::Booth || tables_used[s] < spec.tables / 2;
        if free(a) && free(b) && table_ok {
            busy.insert((a, s));
            busy.insert((b, s));
            if r.location == Location::Table {
                tables_used[s] += 1;
            }
            fixed.push(Fixed {
                request: r.id.clone(),
                slot: sid.clone(),
                table: None,
            });
        }
    }
    InstanceSpec {
        slots,
        tables: spec.tables,
        participants,
        requests,
        fixed,
    }
}
