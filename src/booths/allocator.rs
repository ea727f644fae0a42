//! Assigning booths to applications, all at once: a pure function (a plan
//! and applications in, an assignment with reasons out), for the organisers
//! to review on the map, and for `fairlink allocate` on JSON files.
//!
//! Rules, in order of strength:
//! 1. a booth goes to one application at most, and only if it is free;
//! 2. a booth fits an application: same booth type, same zone when the
//!    application names one, an area within `area_tolerance_percent` of the
//!    area asked for (preferred booths are allowed twice the tolerance);
//! 3. firms an application lists as competitors (in either direction) never
//!    get adjacent booths;
//! 4. applications are served in the policy's priority order, first choices
//!    before second choices before third choices before best fits.
//!
//! Quality: the share of first choices granted, against an upper bound that
//! no assignment can beat: the number of distinct booths that are some
//! application's first choice and fit it (each booth can satisfy one
//! application at most, and an application has one first choice).

use super::geometry::Rect;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booth {
    pub code: String,
    pub hall: String,
    pub zone: String,
    #[serde(rename = "type")]
    pub type_code: String,
    /// Position and size in decimetres.
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub d: i32,
    /// False for booths already sold, held or blocked.
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

impl Booth {
    pub fn rect(&self) -> Rect {
        Rect {
            x: self.x,
            y: self.y,
            w: self.w,
            d: self.d,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub firm: String,
    pub area_m2: i64,
    #[serde(rename = "type")]
    pub type_code: String,
    #[serde(default)]
    pub zone: Option<String>,
    /// Booth codes, best first (three at most are used).
    #[serde(default)]
    pub preferences: Vec<String>,
    /// Firms not to be placed next to.
    #[serde(default)]
    pub avoid: Vec<String>,
    /// When the application came in (seconds since 1970).
    #[serde(default)]
    pub applied_at: i64,
    #[serde(default)]
    pub certified: bool,
    #[serde(default)]
    pub returning: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    Earlier,
    Certified,
    Returning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Priority criteria, strongest first; ties go to the earlier application.
    pub order: Vec<Criterion>,
    pub area_tolerance_percent: i64,
    /// Booths closer than this (decimetres) count as adjacent.
    pub adjacency_gap_dm: i32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            order: vec![
                Criterion::Returning,
                Criterion::Certified,
                Criterion::Earlier,
            ],
            area_tolerance_percent: 25,
            adjacency_gap_dm: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub application: String,
    pub firm: String,
    pub booth: String,
    /// 1, 2 or 3 for a preference granted; absent for a best fit.
    pub choice: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unplaced {
    /// The plan has no booth of this type, zone and size at all.
    NoMatchingBooth,
    /// Matching booths exist, but all went to applications before it.
    AllTaken,
    /// The only free matching booths are next to a listed competitor.
    CompetitorAdjacent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotPlaced {
    pub application: String,
    pub firm: String,
    pub reason: Unplaced,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub placed: Vec<Placement>,
    pub not_placed: Vec<NotPlaced>,
    pub first_choices: usize,
    /// No assignment can grant more first choices than this.
    pub first_choice_bound: usize,
}

impl Assignment {
    /// First choices granted as a share of the bound (1.0 when the bound is 0).
    pub fn quality(&self) -> f64 {
        if self.first_choice_bound == 0 {
            1.0
        } else {
            self.first_choices as f64 / self.first_choice_bound as f64
        }
    }
}

fn fits(b: &Booth, a: &Application, tolerance: i64) -> bool {
    if b.type_code != a.type_code || a.zone.as_ref().is_some_and(|z| *z != b.zone) {
        return false;
    }
    let area = b.rect().area_m2();
    let low = a.area_m2 * (100 - tolerance.min(99)) / 100;
    let high = a.area_m2 * (100 + tolerance) / 100
        + if (a.area_m2 * (100 + tolerance)) % 100 == 0 {
            0
        } else {
            1
        };
    area >= low.max(1) && area <= high
}

/// Orders applications by the policy: strongest criterion first.
fn priority(apps: &[Application], policy: &Policy) -> Vec<usize> {
    let mut order: Vec<usize> = (0..apps.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (&apps[i], &apps[j]);
        for c in &policy.order {
            let o = match c {
                Criterion::Earlier => a.applied_at.cmp(&b.applied_at),
                Criterion::Certified => b.certified.cmp(&a.certified),
                Criterion::Returning => b.returning.cmp(&a.returning),
            };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        a.applied_at.cmp(&b.applied_at).then(a.id.cmp(&b.id))
    });
    order
}

pub fn allocate(booths: &[Booth], apps: &[Application], policy: &Policy) -> Assignment {
    let index: HashMap<&str, usize> = booths
        .iter()
        .enumerate()
        .map(|(i, b)| (b.code.as_str(), i))
        .collect();
    // Neighbours within each hall.
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); booths.len()];
    let mut by_hall: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, b) in booths.iter().enumerate() {
        by_hall.entry(b.hall.as_str()).or_default().push(i);
    }
    for members in by_hall.values() {
        for (k, &i) in members.iter().enumerate() {
            for &j in &members[k + 1..] {
                if booths[i]
                    .rect()
                    .adjacent(&booths[j].rect(), policy.adjacency_gap_dm)
                {
                    neighbours[i].push(j);
                    neighbours[j].push(i);
                }
            }
        }
    }
    let avoid: Vec<HashSet<&str>> = apps
        .iter()
        .map(|a| a.avoid.iter().map(String::as_str).collect())
        .collect();
    // Firm -> firms it must not neighbour, in both directions.
    let mut enemies: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (a, set) in apps.iter().zip(&avoid) {
        for other in set {
            enemies.entry(a.firm.as_str()).or_default().insert(other);
            enemies.entry(other).or_default().insert(a.firm.as_str());
        }
    }
    let mut owner: Vec<Option<&str>> = vec![None; booths.len()];
    let conflicts = |owner: &Vec<Option<&str>>, booth: usize, firm: &str| {
        let Some(bad) = enemies.get(firm) else {
            return false;
        };
        neighbours[booth]
            .iter()
            .any(|&n| owner[n].is_some_and(|f| bad.contains(f)))
    };
    let order = priority(apps, policy);
    let mut placed: Vec<Option<(usize, Option<usize>)>> = vec![None; apps.len()];

    // Preferences, rank by rank, in priority order.
    for rank in 0..3 {
        for &ai in &order {
            if placed[ai].is_some() {
                continue;
            }
            let a = &apps[ai];
            let Some(&bi) = a
                .preferences
                .get(rank)
                .and_then(|code| index.get(code.as_str()))
            else {
                continue;
            };
            let b = &booths[bi];
            if b.available
                && owner[bi].is_none()
                && fits(b, a, policy.area_tolerance_percent * 2)
                && !conflicts(&owner, bi, &a.firm)
            {
                owner[bi] = Some(a.firm.as_str());
                placed[ai] = Some((bi, Some(rank + 1)));
            }
        }
    }
    // Best fit for the rest.
    let mut not_placed = Vec::new();
    for &ai in &order {
        if placed[ai].is_some() {
            continue;
        }
        let a = &apps[ai];
        let mut any_match = false;
        let mut any_free = false;
        let mut best: Option<(i64, &str, usize)> = None;
        for (bi, b) in booths.iter().enumerate() {
            if !b.available || !fits(b, a, policy.area_tolerance_percent) {
                continue;
            }
            any_match = true;
            if owner[bi].is_some() {
                continue;
            }
            any_free = true;
            if conflicts(&owner, bi, &a.firm) {
                continue;
            }
            let score = (b.rect().area_m2() - a.area_m2).abs();
            if best.is_none_or(|(s, code, _)| (score, b.code.as_str()) < (s, code)) {
                best = Some((score, b.code.as_str(), bi));
            }
        }
        match best {
            Some((_, _, bi)) => {
                owner[bi] = Some(a.firm.as_str());
                placed[ai] = Some((bi, None));
            }
            None => not_placed.push(NotPlaced {
                application: a.id.clone(),
                firm: a.firm.clone(),
                reason: if !any_match {
                    Unplaced::NoMatchingBooth
                } else if !any_free {
                    Unplaced::AllTaken
                } else {
                    Unplaced::CompetitorAdjacent
                },
            }),
        }
    }
    let bound = apps
        .iter()
        .filter_map(|a| {
            let bi = *index.get(a.preferences.first()?.as_str())?;
            (booths[bi].available && fits(&booths[bi], a, policy.area_tolerance_percent * 2))
                .then_some(bi)
        })
        .collect::<HashSet<_>>()
        .len();
    let mut placements: Vec<Placement> = placed
        .iter()
        .enumerate()
        .filter_map(|(ai, p)| {
            p.map(|(bi, choice)| Placement {
                application: apps[ai].id.clone(),
                firm: apps[ai].firm.clone(),
                booth: booths[bi].code.clone(),
                choice,
            })
        })
        .collect();
    placements.sort_by(|a, b| a.booth.cmp(&b.booth));
    Assignment {
        first_choices: placements.iter().filter(|p| p.choice == Some(1)).count(),
        placed: placements,
        not_placed,
        first_choice_bound: bound,
    }
}

/// The input of `fairlink allocate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub booths: Vec<Booth>,
    pub applications: Vec<Application>,
    #[serde(default)]
    pub policy: Policy,
}

/// The largest figures a problem may hold: sizes and positions a hall can
/// have, an area a booth can have, tolerances and gaps that mean something
/// (beyond them the arithmetic would overflow, and nothing real is there).
pub const MAX_DM: i32 = 1_000_000;
pub const MAX_AREA_M2: i64 = 100_000;
pub const MAX_TOLERANCE_PERCENT: i64 = 1_000;

impl Problem {
    /// Checks what a file from outside says before it is allocated: sizes
    /// and positions in range, booth codes and application ids once each.
    pub fn check(&self) -> Result<(), String> {
        let mut codes = std::collections::HashSet::new();
        for b in &self.booths {
            if !codes.insert(b.code.as_str()) {
                return Err(format!("booth {:?} appears twice", b.code));
            }
            let sizes = [b.w, b.d].iter().all(|v| (1..=MAX_DM).contains(v));
            let place = [b.x, b.y].iter().all(|v| (-MAX_DM..=MAX_DM).contains(v));
            if !sizes || !place {
                return Err(format!(
                    "booth {:?}: position and size must be within {MAX_DM} dm, sizes at least 1",
                    b.code
                ));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for a in &self.applications {
            if !ids.insert(a.id.as_str()) {
                return Err(format!("application {:?} appears twice", a.id));
            }
            if !(1..=MAX_AREA_M2).contains(&a.area_m2) {
                return Err(format!(
                    "application {:?}: area_m2 must be from 1 to {MAX_AREA_M2}",
                    a.id
                ));
            }
        }
        if !(0..=MAX_TOLERANCE_PERCENT).contains(&self.policy.area_tolerance_percent) {
            return Err(format!(
                "policy: area_tolerance_percent must be from 0 to {MAX_TOLERANCE_PERCENT}"
            ));
        }
        if !(0..=MAX_DM).contains(&self.policy.adjacency_gap_dm) {
            return Err(format!(
                "policy: adjacency_gap_dm must be from 0 to {MAX_DM}"
            ));
        }
        Ok(())
    }
}

/// A generated fair for tests and the bench: `halls` halls of double rows
/// of 3 m booths (one zone per hall; corners at row ends; every tenth booth
/// a 6 m double), and applications whose wishes crowd towards the booths
/// near the entrance (low numbers), as real ones do. Some name one or two
/// competitors of the same zone. Deterministic for a seed.
pub fn generated_fair(booths: usize, applications: usize, seed: u64) -> Problem {
    let mut s = seed | 1;
    let mut next = move |n: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s % n.max(1)
    };
    let zones = ["COMP", "TEXT", "TECH"];
    let per_hall = booths.div_ceil(zones.len());
    let per_row = 40usize;
    let mut out = Vec::with_capacity(booths);
    for (h, zone) in zones.iter().enumerate() {
        let mut x = 0;
        let mut row = 0;
        for i in 0..per_hall {
            if out.len() == booths {
                break;
            }
            if i > 0 && i % per_row == 0 {
                row += 1;
                x = 0;
            }
            let double = i % 10 == 9;
            let w = if double { 60 } else { 30 };
            let end = i % per_row == 0 || i % per_row == per_row - 1;
            out.push(Booth {
                code: format!("{}-{:04}", ["A", "B", "C"][h], i + 1),
                hall: ["A", "B", "C"][h].into(),
                zone: (*zone).into(),
                type_code: if end {
                    "corner".into()
                } else {
                    "inline".into()
                },
                x,
                // Double rows back to back, 3 m aisles between pairs.
                y: (row / 2) * 90 + (row % 2) * 30,
                w,
                d: 30,
                available: next(20) > 0,
            });
            x += w;
        }
    }
    let by_zone: Vec<Vec<usize>> = zones
        .iter()
        .map(|z| {
            out.iter()
                .enumerate()
                .filter(|(_, b)| b.zone == *z)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let apps = (0..applications)
        .map(|i| {
            let z = next(3) as usize;
            let pool = &by_zone[z];
            // Crowding: the square of a uniform draw leans towards the front.
            let pick = |r: u64| pool[((r * r) / (pool.len() as u64)) as usize % pool.len()];
            let first = pick(next(pool.len() as u64));
            let b = &out[first];
            let area = b.rect().area_m2();
            let mut preferences = vec![b.code.clone()];
            for _ in 0..next(3) {
                let other = &out[pick(next(pool.len() as u64))];
                if other.type_code == b.type_code
                    && other.rect().area_m2() == area
                    && !preferences.contains(&other.code)
                {
                    preferences.push(other.code.clone());
                }
            }
            let mut avoid = Vec::new();
            if next(10) == 0 {
                for _ in 0..1 + next(2) {
                    avoid.push(format!("firm-{}", next(applications as u64)));
                }
            }
            Application {
                id: format!("app-{i}"),
                firm: format!("firm-{i}"),
                area_m2: area,
                type_code: b.type_code.clone(),
                zone: (next(10) < 7).then(|| zones[z].to_string()),
                preferences,
                avoid,
                applied_at: 1_780_000_000 + i as i64 * 60,
                certified: next(3) == 0,
                returning: next(4) == 0,
            }
        })
        .collect();
    Problem {
        booths: out,
        applications: apps,
        policy: Policy::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn booth(code: &str, x: i32, zone: &str) -> Booth {
        Booth {
            code: code.into(),
            hall: "A".into(),
            zone: zone.into(),
            type_code: "inline".into(),
            x,
            y: 0,
            w: 30,
            d: 30,
            available: true,
        }
    }

    fn app(id: &str, firm: &str, prefs: &[&str], at: i64) -> Application {
        Application {
            id: id.into(),
            firm: firm.into(),
            area_m2: 9,
            type_code: "inline".into(),
            zone: None,
            preferences: prefs.iter().map(|s| s.to_string()).collect(),
            avoid: Vec::new(),
            applied_at: at,
            certified: false,
            returning: false,
        }
    }

    #[test]
    fn preferences_by_priority_then_best_fit() {
        let booths = vec![
            booth("A1", 0, "z"),
            booth("A2", 30, "z"),
            booth("A3", 60, "z"),
            booth("A4", 200, "z"),
        ];
        let apps = vec![
            app("late", "f1", &["A1"], 20),
            app("early", "f2", &["A1", "A2"], 10),
            app("none", "f3", &[], 30),
        ];
        let out = allocate(&booths, &apps, &Policy::default());
        let of = |id: &str| {
            out.placed
                .iter()
                .find(|p| p.application == id)
                .map(|p| (p.booth.clone(), p.choice))
        };
        assert_eq!(of("early"), Some(("A1".into(), Some(1))));
        assert_eq!(
            of("late").unwrap().1,
            None,
            "its only choice went to an earlier application"
        );
        assert_eq!(out.first_choice_bound, 1);
        assert_eq!(out.quality(), 1.0);
    }

    #[test]
    fn competitors_are_never_neighbours() {
        let booths = vec![
            booth("A1", 0, "z"),
            booth("A2", 30, "z"),
            booth("A3", 200, "z"),
        ];
        let mut a = app("a", "honda", &["A1"], 1);
        a.avoid = vec!["yamaha".into()];
        let b = app("b", "yamaha", &["A2"], 2);
        let out = allocate(&booths, &[a, b], &Policy::default());
        let yamaha = out.placed.iter().find(|p| p.firm == "yamaha").unwrap();
        assert_eq!(yamaha.booth, "A3");
    }

    #[test]
    fn reasons_for_what_is_not_placed() {
        let booths = vec![booth("A1", 0, "z")];
        let mut wrong_zone = app("w", "f1", &[], 1);
        wrong_zone.zone = Some("other".into());
        let out = allocate(
            &booths,
            &[app("a", "f0", &[], 0), wrong_zone, app("b", "f2", &[], 2)],
            &Policy::default(),
        );
        assert_eq!(out.placed.len(), 1);
        let reason = |id: &str| {
            out.not_placed
                .iter()
                .find(|n| n.application == id)
                .unwrap()
                .reason
        };
        assert_eq!(reason("w"), Unplaced::NoMatchingBooth);
        assert_eq!(reason("b"), Unplaced::AllTaken);
    }

    fn arb_problem() -> impl Strategy<Value = (Vec<Booth>, Vec<Application>)> {
        (4usize..40, 1usize..40, any::<u64>()).prop_map(|(nb, na, seed)| {
            let mut s = seed | 1;
            let mut next = move |n: u64| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s % n
            };
            let zones = ["c", "t", "h"];
            let types = ["inline", "corner"];
            let booths: Vec<Booth> = (0..nb)
                .map(|i| Booth {
                    code: format!("B{i}"),
                    hall: format!("H{}", i % 2),
                    zone: zones[next(3) as usize].into(),
                    type_code: types[next(2) as usize].into(),
                    x: (i as i32 / 2) * 30,
                    y: (next(3) as i32) * 30,
                    w: 30,
                    d: [30, 60][next(2) as usize],
                    available: next(10) > 0,
                })
                .collect();
            let apps: Vec<Application> = (0..na)
                .map(|i| Application {
                    id: format!("a{i}"),
                    firm: format!("f{}", next(na as u64 + 3)),
                    area_m2: [9, 18][next(2) as usize],
                    type_code: types[next(2) as usize].into(),
                    zone: (next(2) == 0).then(|| zones[next(3) as usize].to_string()),
                    preferences: (0..next(4))
                        .map(|_| format!("B{}", next(nb as u64)))
                        .collect(),
                    avoid: (0..next(3))
                        .map(|_| format!("f{}", next(na as u64 + 3)))
                        .collect(),
                    applied_at: next(1000) as i64,
                    certified: next(2) == 0,
                    returning: next(3) == 0,
                })
                .collect();
            (booths, apps)
        })
    }

    #[test]
    fn a_fair_of_1500_booths_and_1200_applications() {
        let p = generated_fair(1500, 1200, 7);
        assert_eq!(p.booths.len(), 1500);
        let out = allocate(&p.booths, &p.applications, &p.policy);
        assert_eq!(out.placed.len() + out.not_placed.len(), 1200);
        assert!(
            out.first_choice_bound > 300,
            "wishes crowd, but not onto a handful of booths"
        );
        assert!(
            out.quality() >= 0.95,
            "first choices {} of bound {}",
            out.first_choices,
            out.first_choice_bound
        );
        // Every application that could be placed somewhere was placed.
        assert!(
            out.not_placed
                .iter()
                .all(|n| n.reason != Unplaced::NoMatchingBooth)
        );
    }

    proptest! {
        #[test]
        fn every_rule_holds((booths, apps) in arb_problem()) {
            let policy = Policy::default();
            let out = allocate(&booths, &apps, &policy);
            let by_code: HashMap<&str, &Booth> = booths.iter().map(|b| (b.code.as_str(), b)).collect();
            let mut used = HashSet::new();
            for p in &out.placed {
                prop_assert!(used.insert(p.booth.clone()), "booth {} given twice", p.booth);
                let b = by_code[p.booth.as_str()];
                let a = apps.iter().find(|a| a.id == p.application).unwrap();
                prop_assert!(b.available);
                prop_assert_eq!(&b.type_code, &a.type_code);
                if let Some(z) = &a.zone { prop_assert_eq!(&b.zone, z); }
                let tolerance = if p.choice.is_some() { policy.area_tolerance_percent * 2 } else { policy.area_tolerance_percent };
                prop_assert!(fits(b, a, tolerance));
            }
            // No competitors side by side.
            for p in &out.placed {
                let a = apps.iter().find(|a| a.id == p.application).unwrap();
                for q in &out.placed {
                    if p.application == q.application { continue; }
                    let adjacent = by_code[p.booth.as_str()].hall == by_code[q.booth.as_str()].hall
                        && by_code[p.booth.as_str()].rect().adjacent(&by_code[q.booth.as_str()].rect(), policy.adjacency_gap_dm);
                    if adjacent {
                        prop_assert!(!a.avoid.contains(&q.firm), "{} next to competitor {}", p.firm, q.firm);
                    }
                }
            }
            prop_assert_eq!(out.placed.len() + out.not_placed.len(), apps.len());
            prop_assert!(out.first_choices <= out.first_choice_bound);
        }
    }
}
