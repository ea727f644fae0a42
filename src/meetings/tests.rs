use super::generate::{Spec, generate};
use super::instance::{Fixed, InstanceSpec, Kind, Location, Participant, Request, Slot};
use super::*;
use chrono::{DateTime, Duration as Minutes, FixedOffset};
use proptest::prelude::*;
use std::time::Duration;

const EXAMPLE: &str = r#"{
  "slots": [
    {"id": "d1-0900", "start": "2027-03-10T09:00:00+07:00", "minutes": 30},
    {"id": "d1-0930", "start": "2027-03-10T09:30:00+07:00", "minutes": 30}
  ],
  "tables": 1,
  "participants": [
    {"id": "p1", "kind": "buyer", "unavailable": ["d1-0900"]},
    {"id": "p2", "kind": "supplier"},
    {"id": "p3", "kind": "buyer"},
    {"id": "p4", "kind": "supplier", "unavailable": []}
  ],
  "requests": [
    {"id": "r1", "from": "p1", "to": "p2", "weight": 3, "location": "table"},
    {"id": "r2", "from": "p3", "to": "p2", "weight": 2, "location": "table"},
    {"id": "r3", "from": "p4", "to": "p3", "weight": 1, "location": "booth"},
    {"id": "r9", "from": "p1", "to": "p4", "weight": 1, "location": "table"}
  ],
  "fixed": [{"request": "r1", "slot": "d1-0930"}]
}"#;

fn quick() -> Options {
    Options {
        time_limit: Duration::from_secs(2),
        seed: 7,
        bound_iterations: 2000,
        kick_rounds: 20,
    }
}

#[test]
fn the_documented_example_is_scheduled_in_the_documented_format() {
    let inst = Instance::parse(EXAMPLE).expect("valid");
    let out = schedule(&inst, &quick());
    inst.check(&out.schedule).expect("every rule kept");
    // r1 is fixed at 09:30 and takes the only table then; p1 is away at
    // 09:00, so r9 cannot happen; r2 meets at 09:00 and r3 at the booth at 09:30.
    assert_eq!(out.weight, 6);
    assert_eq!(out.upper_bound, Some(6));
    assert_eq!(out.schedule.unscheduled, vec!["r9".to_string()]);
    let json: serde_json::Value = serde_json::from_str(&out.schedule.to_json()).expect("json");
    let meetings = json["meetings"].as_array().expect("meetings");
    assert_eq!(meetings.len(), 3);
    let r1 = meetings.iter().find(|m| m["request"] == "r1").expect("r1");
    assert_eq!(r1["slot"], "d1-0930");
    assert_eq!(r1["table"], 1);
    let r3 = meetings.iter().find(|m| m["request"] == "r3").expect("r3");
    assert!(r3["table"].is_null(), "booth meetings have a null table");
    assert_eq!(
        json.as_object().map(|o| o.len()),
        Some(2),
        "only meetings and unscheduled"
    );
    // The file round-trips.
    assert_eq!(
        Schedule::parse(&out.schedule.to_json()).expect("parses"),
        out.schedule
    );
}

fn refused(text: &str) -> String {
    match Instance::parse(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

fn edited(from: &str, to: &str) -> String {
    assert!(EXAMPLE.contains(from), "{from}");
    EXAMPLE.replacen(from, to, 1)
}

#[test]
fn every_format_error_names_the_offending_item() {
    let cases: Vec<(String, &[&str])> = vec![
        ("{\"slots\": [".to_string(), &["malformed JSON", "line"]),
        ("[1, 2]".to_string(), &["expected a JSON object"]),
        (edited("\"tables\": 1,", ""), &["missing \"tables\""]),
        (
            edited("\"tables\": 1,", "\"tables\": -2,"),
            &["\"tables\"", "-2"],
        ),
        (
            edited("\"id\": \"d1-0930\"", "\"id\": \"d1-0900\""),
            &["slots[1]", "duplicate slot id", "d1-0900"],
        ),
        (
            edited("\"id\": \"p3\"", "\"id\": \"p1\""),
            &["participants[2]", "duplicate participant id", "p1"],
        ),
        (
            edited("\"id\": \"r2\"", "\"id\": \"r1\""),
            &["requests[1]", "duplicate request id", "r1"],
        ),
        (
            edited("\"to\": \"p2\"", "\"to\": \"p77\""),
            &["requests[0]", "r1", "p77"],
        ),
        (
            edited("[\"d1-0900\"]", "[\"d9-1200\"]"),
            &["participants[0]", "p1", "d9-1200"],
        ),
        (
            edited("\"kind\": \"buyer\"", "\"kind\": \"visitor\""),
            &["participants[0]", "p1", "visitor"],
        ),
        (
            edited("\"location\": \"booth\"", "\"location\": \"hall\""),
            &["requests[2]", "r3", "hall"],
        ),
        (
            edited("\"weight\": 2", "\"weight\": -1"),
            &["requests[1]", "r2", "-1"],
        ),
        (
            edited("\"weight\": 2", "\"weight\": 0"),
            &["requests[1]", "r2", "weight"],
        ),
        (
            edited("\"from\": \"p3\"", "\"from\": \"p2\""),
            &["requests[1]", "r2", "itself"],
        ),
        (
            edited("\"minutes\": 30}", "\"minutes\": 45}"),
            &["d1-0900", "overlaps", "d1-0930"],
        ),
        (
            edited("\"minutes\": 30}", "\"minutes\": 0}"),
            &["slots[0]", "d1-0900", "minutes"],
        ),
        (
            edited(
                "\"start\": \"2027-03-10T09:00:00+07:00\"",
                "\"start\": \"10 March\"",
            ),
            &["slots[0]", "d1-0900"],
        ),
        (
            edited(
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}",
                "{\"request\": \"r7\", \"slot\": \"d1-0930\"}",
            ),
            &["fixed[0]", "r7"],
        ),
        (
            edited(
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}",
                "{\"request\": \"r1\", \"slot\": \"d2\"}",
            ),
            &["fixed[0]", "r1", "d2"],
        ),
        (
            edited(
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}",
                "{\"request\": \"r1\", \"slot\": \"d1-0900\"}",
            ),
            &["fixed[0]", "r1", "p1", "unavailable", "d1-0900"],
        ),
        (
            edited(
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}",
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}, {\"request\": \"r2\", \"slot\": \"d1-0930\"}",
            ),
            &["fixed[1]", "r2", "p2", "d1-0930", "r1"],
        ),
        (
            edited(
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}",
                "{\"request\": \"r1\", \"slot\": \"d1-0930\"}, {\"request\": \"r1\", \"slot\": \"d1-0930\"}",
            ),
            &["fixed[1]", "r1", "twice"],
        ),
        (
            edited("\"tables\": 1,", "\"tables\": 0,"),
            &["fixed[0]", "r1", "tables"],
        ),
        (
            edited(
                "\"from\": \"p4\", \"to\": \"p3\"",
                "\"from\": \"p1\", \"to\": \"p3\"",
            ),
            &["requests[2]", "r3", "booth", "supplier"],
        ),
        (
            edited("\"slots\": [", "\"slots\": 3, \"x\": ["),
            &["\"slots\" must be a list"],
        ),
    ];
    for (text, needles) in cases {
        let message = refused(&text);
        for needle in needles {
            assert!(
                message.contains(needle),
                "{message:?} should name {needle:?}"
            );
        }
    }
}

#[test]
fn a_schedule_breaking_a_rule_is_named() {
    let inst = Instance::parse(EXAMPLE).expect("valid");
    let ok = schedule(&inst, &quick()).schedule;
    let mut twice = ok.clone();
    twice.meetings.push(twice.meetings[0].clone());
    assert!(inst.check(&twice).unwrap_err().0.contains("twice"));
    let mut away = ok.clone();
    away.meetings.retain(|m| m.request != "r9");
    away.unscheduled.clear();
    away.meetings.push(Meeting {
        request: "r9".into(),
        slot: "d1-0900".into(),
        table: Some(1),
    });
    let message = inst.check(&away).unwrap_err().0;
    assert!(
        message.contains("p1") && message.contains("unavailable"),
        "{message}"
    );
    let mut no_table = ok.clone();
    for m in &mut no_table.meetings {
        if m.request == "r2" {
            m.table = None;
        }
    }
    assert!(inst.check(&no_table).unwrap_err().0.contains("r2"));
    let mut missing = ok;
    missing.unscheduled.clear();
    assert!(inst.check(&missing).unwrap_err().0.contains("r9"));
}

/// Small random instances: buyers, suppliers, slots, tables, absences,
/// requests and perhaps a fixed meeting.
fn small_instance() -> impl Strategy<Value = InstanceSpec> {
    (
        1usize..4,
        1usize..4,
        1usize..5,
        0u32..3,
        proptest::collection::vec(any::<u64>(), 1..10),
        any::<u64>(),
    )
        .prop_map(|(buyers, suppliers, k, tables, reqs, bits)| {
            let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
            let start: DateTime<FixedOffset> =
                DateTime::parse_from_rfc3339("2027-03-10T09:00:00+07:00")
                    .expect("date")
                    .with_timezone(&tz);
            let slots = (0..k)
                .map(|i| {
                    // Two slots a day: later slots fall on the next days.
                    let at = start
                        + Minutes::days((i / 2) as i64)
                        + Minutes::minutes(30 * (i % 2) as i64);
                    Slot {
                        id: format!("s{i}"),
                        start: at,
                        minutes: 30,
                    }
                })
                .collect::<Vec<_>>();
            let mut bit = 0;
            let mut participants = Vec::new();
            for (kind, count, prefix) in
                [(Kind::Buyer, buyers, "b"), (Kind::Supplier, suppliers, "v")]
            {
                for i in 0..count {
                    let unavailable = (0..k)
                        .filter(|_| {
                            bit = (bit + 1) % 64;
                            bits >> bit & 1 == 1 && bits >> ((bit + 7) % 64) & 1 == 1
                        })
                        .map(|s| format!("s{s}"))
                        .collect();
                    participants.push(Participant {
                        id: format!("{prefix}{i}"),
                        kind,
                        unavailable,
                    });
                }
            }
            let requests = reqs
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let b = format!("b{}", x % buyers as u64);
                    let s = format!("v{}", (x >> 8) % suppliers as u64);
                    let (from, to) = if x >> 16 & 1 == 1 { (b, s) } else { (s, b) };
                    let location = if x >> 17 & 1 == 1 {
                        Location::Table
                    } else {
                        Location::Booth
                    };
                    Request {
                        id: format!("r{i}"),
                        from,
                        to,
                        weight: 1 + (x >> 20) as u32 % 5,
                        location,
                    }
                })
                .collect::<Vec<_>>();
            let fixed = if bits & 3 == 0 {
                vec![Fixed {
                    request: "r0".into(),
                    slot: format!("s{}", (bits >> 2) as usize % k),
                    table: None,
                }]
            } else {
                Vec::new()
            };
            InstanceSpec {
                slots,
                tables,
                participants,
                requests,
                fixed,
            }
        })
}

/// The best weight, by trying every slot (or none) for every request.
fn exhaustive(inst: &Instance) -> u64 {
    fn go(
        inst: &Instance,
        r: usize,
        busy: &mut Vec<bool>,
        tables: &mut Vec<u32>,
        rest: u64,
        acc: u64,
        best: &mut u64,
    ) {
        if acc + rest <= *best && r < inst.requests() {
            return;
        }
        if r == inst.requests() {
            *best = (*best).max(acc);
            return;
        }
        let k = inst.slots();
        let (a, b, w) = (
            inst.req_a[r] as usize,
            inst.req_b[r] as usize,
            inst.req_w[r] as u64,
        );
        for s in 0..k {
            let fits = inst.allowed(r, s)
                && !busy[a * k + s]
                && !busy[b * k + s]
                && (!inst.req_table[r] || tables[s] < inst.tables());
            if fits {
                busy[a * k + s] = true;
                busy[b * k + s] = true;
                tables[s] += inst.req_table[r] as u32;
                go(inst, r + 1, busy, tables, rest - w, acc + w, best);
                busy[a * k + s] = false;
                busy[b * k + s] = false;
                tables[s] -= inst.req_table[r] as u32;
            }
        }
        if inst.fixed_slot[r] == super::instance::NONE {
            go(inst, r + 1, busy, tables, rest - w, acc, best);
        }
    }
    let mut best = 0;
    let rest = inst.req_w.iter().map(|w| *w as u64).sum();
    go(
        inst,
        0,
        &mut vec![false; inst.participants() * inst.slots()],
        &mut vec![0; inst.slots()],
        rest,
        0,
        &mut best,
    );
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn schedules_keep_every_rule_and_match_exhaustive_search(spec in small_instance()) {
        // A fixed entry that cannot be kept makes the instance invalid; those
        // refusals are covered above.
        let Ok(inst) = Instance::new(spec) else { return Ok(()) };
        let out = schedule(&inst, &quick());
        prop_assert!(inst.check(&out.schedule).is_ok(), "{:?}", inst.check(&out.schedule));
        let best = exhaustive(&inst);
        let bound = out.upper_bound.expect("a bound");
        prop_assert!(best <= bound, "the bound {} is below the optimum {}", bound, best);
        prop_assert_eq!(out.weight, best);
        prop_assert!(out.weight >= inst.weight(&greedy(&inst)));
        prop_assert_eq!(out.weight, inst.weight(&out.schedule));
        prop_assert_eq!(out.gaps, inst.gaps(&out.schedule));
        for f in &inst.spec.fixed {
            prop_assert!(out.schedule.meetings.iter().any(|m| m.request == f.request && m.slot == f.slot));
        }
    }

    #[test]
    fn rescheduling_keeps_every_standing_meeting(spec in small_instance(), drop in 0usize..10) {
        let Ok(inst) = Instance::new(spec) else { return Ok(()) };
        let before = schedule(&inst, &quick()).schedule;
        let mut changed = inst.spec.clone();
        let gone = changed.requests[drop % changed.requests.len()].id.clone();
        changed.requests.retain(|r| r.id != gone);
        changed.fixed.retain(|f| f.request != gone);
        let (a, b) = (changed.participants[0].id.clone(), changed.participants.last().expect("some").id.clone());
        changed.requests.push(Request { id: "new".into(), from: a, to: b, weight: 4, location: Location::Booth });
        let Ok(next) = Instance::new(changed) else { return Ok(()) };
        let after = reschedule(&next, &before);
        prop_assert!(next.check(&after.schedule).is_ok(), "{:?}", next.check(&after.schedule));
        for m in before.meetings.iter().filter(|m| m.request != gone) {
            prop_assert!(after.schedule.meetings.contains(m), "{:?} moved", m);
        }
    }
}

#[test]
fn idle_gaps_are_closed_at_the_same_weight() {
    // One buyer meets two suppliers; four morning slots; the suppliers are
    // only free in slots 0 and 1 or 0 and 3: the best day has no gap.
    let text = r#"{
      "slots": [
        {"id": "a", "start": "2027-03-10T09:00:00+07:00", "minutes": 30},
        {"id": "b", "start": "2027-03-10T09:30:00+07:00", "minutes": 30},
        {"id": "c", "start": "2027-03-10T10:00:00+07:00", "minutes": 30},
        {"id": "d", "start": "2027-03-10T10:30:00+07:00", "minutes": 30}
      ],
      "tables": 5,
      "participants": [
        {"id": "buyer", "kind": "buyer"},
        {"id": "s1", "kind": "supplier", "unavailable": ["c", "d"]},
        {"id": "s2", "kind": "supplier", "unavailable": ["b", "c"]}
      ],
      "requests": [
        {"id": "r1", "from": "buyer", "to": "s1", "weight": 1, "location": "table"},
        {"id": "r2", "from": "buyer", "to": "s2", "weight": 1, "location": "table"}
      ]
    }"#;
    let inst = Instance::parse(text).expect("valid");
    let out = schedule(&inst, &quick());
    assert_eq!(out.weight, 2);
    assert_eq!(out.gaps, 0, "{:?}", out.schedule);
    let slot = |r: &str| {
        out.schedule
            .meetings
            .iter()
            .find(|m| m.request == r)
            .map(|m| m.slot.clone())
    };
    assert_eq!(
        (slot("r1").as_deref(), slot("r2").as_deref()),
        (Some("b"), Some("a"))
    );
}

#[test]
fn generated_instances_are_valid_repeatable_and_sized_as_asked() {
    let a = generate(&Spec::SMALL, 3);
    assert_eq!(a, generate(&Spec::SMALL, 3));
    assert_ne!(a, generate(&Spec::SMALL, 4));
    let inst = Instance::new(a).expect("valid");
    assert_eq!(inst.requests(), 600);
    assert_eq!(inst.slots(), 8);
    assert_eq!(inst.participants(), 40 + 160);
    assert!(!inst.spec.fixed.is_empty(), "some meetings come confirmed");
    // Heavy tail: the most asked supplier has more requests than slots.
    let mut asked = std::collections::HashMap::new();
    for r in &inst.spec.requests {
        for p in [&r.from, &r.to] {
            if p.starts_with('s') {
                *asked.entry(p.clone()).or_insert(0) += 1;
            }
        }
    }
    assert!(asked.values().max().copied().unwrap_or(0) > inst.slots());
    // Written and read back, it is the same instance.
    let again = Instance::parse(&inst.to_json()).expect("valid");
    assert_eq!(again.spec, inst.spec);
    // The search does better than the greedy here, and reports progress up to the end.
    let mut seen = Vec::new();
    let out = schedule_with_progress(&inst, &quick(), &mut |p| seen.push(p));
    inst.check(&out.schedule).expect("rules kept");
    assert!(out.weight > inst.weight(&greedy(&inst)));
    assert!(out.weight <= out.upper_bound.expect("bound"));
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]) && seen.last() == Some(&1.0),
        "{seen:?}"
    );
}

#[test]
fn two_booth_meetings_beat_one_heavier_table_meeting() {
    // One slot, one table. The heaviest request (at a table) blocks both
    // booth meetings, which together weigh more.
    let inst = Instance::parse(
        r#"{"slots": [{"id": "s0", "start": "2027-03-10T09:00:00+07:00", "minutes": 30}],
            "tables": 1,
            "participants": [{"id": "b0", "kind": "buyer"}, {"id": "b1", "kind": "buyer"},
                             {"id": "v0", "kind": "supplier"}, {"id": "v1", "kind": "supplier"}],
            "requests": [{"id": "r0", "from": "v0", "to": "b0", "weight": 4, "location": "booth"},
                         {"id": "r1", "from": "v1", "to": "b1", "weight": 3, "location": "booth"},
                         {"id": "r2", "from": "v0", "to": "b1", "weight": 4, "location": "table"},
                         {"id": "r3", "from": "v1", "to": "b0", "weight": 5, "location": "table"}]}"#,
    )
    .unwrap();
    assert_eq!(exhaustive(&inst), 7);
    let out = schedule(&inst, &quick());
    assert_eq!(
        out.weight, 7,
        "{:?} bound {:?}",
        out.schedule, out.upper_bound
    );
}
