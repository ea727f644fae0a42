//! `fairlink allocate --input`: the allocation problem in JSON (booths,
//! applications, policy), allocated with its own policy. The assignment
//! keeps the allocator's rules, worked out again here in arithmetic that
//! cannot overflow: a booth to one application at most, only when free and
//! of the kind and size asked for, preferences as named, no competitors
//! side by side, and no more first choices than the bound.

#![no_main]

use fairlink::booths::allocator::{self, Application, Assignment, Booth, Problem, Unplaced};
use libfuzzer_sys::fuzz_target;
use std::collections::{HashMap, HashSet};

fuzz_target!(|data: &[u8]| {
    // The command reads the file as text, then parses it.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(problem) = serde_json::from_str::<Problem>(text) else {
        return;
    };
    // As the command does: a problem out of range is refused before it is
    // allocated.
    if problem.check().is_err() {
        return;
    }
    let (booths, apps, policy) = (&problem.booths, &problem.applications, &problem.policy);
    let out = allocator::allocate(booths, apps, policy);

    // Whatever the input: every application is answered once, the counts add up.
    assert_eq!(out.placed.len() + out.not_placed.len(), apps.len());
    let firsts = out.placed.iter().filter(|p| p.choice == Some(1)).count();
    assert_eq!(out.first_choices, firsts);
    assert!(out.first_choices <= out.first_choice_bound, "{out:?}");
    assert!(out.first_choice_bound <= apps.len().min(booths.len()));
    assert!(
        out.placed
            .iter()
            .all(|p| matches!(p.choice, None | Some(1..=3)))
    );
    assert!(out.placed.windows(2).all(|w| w[0].booth <= w[1].booth));
    let written = serde_json::to_string(&out).expect("an assignment writes as JSON");
    assert_eq!(
        serde_json::from_str::<Assignment>(&written).ok().as_ref(),
        Some(&out)
    );

    // Placements name booths and applications by code and id: the rules
    // below need each to name one.
    let booth_at: HashMap<&str, usize> = booths
        .iter()
        .enumerate()
        .map(|(i, b)| (b.code.as_str(), i))
        .collect();
    let app_at: HashMap<&str, usize> = apps
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    if booth_at.len() != booths.len() || app_at.len() != apps.len() {
        return;
    }
    let tolerance = i128::from(policy.area_tolerance_percent);
    let mut answered = HashSet::new();
    let mut owned = HashSet::new();
    let mut held: Vec<(usize, &str)> = Vec::new();
    for p in &out.placed {
        let (bi, ai) = (booth_at[p.booth.as_str()], app_at[p.application.as_str()]);
        let (b, a) = (&booths[bi], &apps[ai]);
        assert!(answered.insert(ai), "{} placed twice", a.id);
        assert!(owned.insert(bi), "{} given twice", b.code);
        assert!(b.available, "{} was not free", b.code);
        assert_eq!(p.firm, a.firm);
        match p.choice {
            Some(rank) => {
                assert_eq!(a.preferences.get(rank - 1), Some(&b.code));
                assert!(
                    fits(b, a, tolerance * 2),
                    "{} does not fit {}",
                    b.code,
                    a.id
                );
            }
            None => assert!(fits(b, a, tolerance), "{} does not fit {}", b.code, a.id),
        }
        held.push((bi, a.firm.as_str()));
    }
    for n in &out.not_placed {
        let ai = app_at[n.application.as_str()];
        assert!(answered.insert(ai), "{} answered twice", n.application);
        let a = &apps[ai];
        let fitting: Vec<usize> = (0..booths.len())
            .filter(|&i| booths[i].available && fits(&booths[i], a, tolerance))
            .collect();
        match n.reason {
            Unplaced::NoMatchingBooth => assert!(fitting.is_empty(), "{} had a booth", a.id),
            Unplaced::AllTaken => assert!(
                !fitting.is_empty() && fitting.iter().all(|i| owned.contains(i)),
                "{} was left a free booth",
                a.id
            ),
            Unplaced::CompetitorAdjacent => assert!(!fitting.is_empty()),
        }
    }

    // Competitors, named either way round, never side by side in a hall.
    let mut enemies: HashSet<(&str, &str)> = HashSet::new();
    for a in apps {
        for other in &a.avoid {
            enemies.insert((a.firm.as_str(), other.as_str()));
            enemies.insert((other.as_str(), a.firm.as_str()));
        }
    }
    let gap = i64::from(policy.adjacency_gap_dm);
    for (k, &(i, f)) in held.iter().enumerate() {
        for &(j, g) in &held[k + 1..] {
            let (lo, hi) = (i.min(j), i.max(j));
            if booths[lo].hall == booths[hi].hall
                && enemies.contains(&(f, g))
                && Wide::of(&booths[lo]).adjacent(&Wide::of(&booths[hi]), gap)
            {
                panic!(
                    "competitors {f} and {g} side by side at {} and {}",
                    booths[lo].code, booths[hi].code
                );
            }
        }
    }
});

/// The allocator's size rule, in 128-bit arithmetic.
fn fits(b: &Booth, a: &Application, tolerance: i128) -> bool {
    if b.type_code != a.type_code || a.zone.as_ref().is_some_and(|z| *z != b.zone) {
        return false;
    }
    let area = i128::from((i64::from(b.w) * i64::from(b.d) + 50) / 100);
    let asked = i128::from(a.area_m2);
    let low = asked * (100 - tolerance.min(99)) / 100;
    let wide = asked * (100 + tolerance);
    let high = wide / 100 + i128::from(wide % 100 != 0);
    area >= low.max(1) && area <= high
}

/// A booth's box in 64-bit arithmetic, with the allocator's idea of
/// neighbours.
#[derive(Clone, Copy)]
struct Wide {
    x: i64,
    y: i64,
    w: i64,
    d: i64,
}

impl Wide {
    fn of(b: &Booth) -> Wide {
        Wide {
            x: b.x.into(),
            y: b.y.into(),
            w: b.w.into(),
            d: b.d.into(),
        }
    }

    fn overlaps(&self, o: &Wide) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.d && o.y < self.y + self.d
    }

    fn touches(&self, o: &Wide) -> bool {
        self.x <= o.x + o.w
            && o.x <= self.x + self.w
            && self.y <= o.y + o.d
            && o.y <= self.y + self.d
    }

    fn adjacent(&self, o: &Wide, gap: i64) -> bool {
        let grown = Wide {
            x: self.x - gap,
            y: self.y - gap,
            w: self.w + 2 * gap,
            d: self.d + 2 * gap,
        };
        !self.overlaps(o) && (grown.overlaps(o) || grown.touches(o))
    }
}
