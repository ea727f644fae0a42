//! The scheduler's files, as `fairlink schedule` reads them: instance.json
//! and, for a re-schedule, a previous schedule.json. An instance that reads
//! writes out and reads back the same; the greedy schedule of it, and a
//! re-schedule around any schedule the same text holds, keep every rule.

#![no_main]

use fairlink::meetings::{self, Instance, Schedule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // One JSON object may be read as both: the two formats share no key.
    let previous = Schedule::parse(&text).ok();
    if let Some(s) = &previous {
        assert_eq!(Schedule::parse(&s.to_json()).as_ref(), Ok(s));
    }
    let Ok(inst) = Instance::parse(&text) else {
        return;
    };
    let again = Instance::parse(&inst.to_json())
        .unwrap_or_else(|e| panic!("a written instance does not read back: {e}"));
    assert_eq!(again.spec, inst.spec);

    let schedule = meetings::greedy(&inst);
    if let Err(e) = inst.check(&schedule) {
        panic!(
            "the greedy schedule breaks a rule: {e}\n{}",
            schedule.to_json()
        );
    }
    let total: u64 = inst.req_w.iter().map(|&w| u64::from(w)).sum();
    assert!(inst.weight(&schedule) <= total);
    assert_eq!(
        schedule.meetings.len() + schedule.unscheduled.len(),
        inst.requests()
    );

    if let Some(previous) = previous {
        // Any schedule is checked without a panic, right or wrong.
        let _ = inst.check(&previous);
        let outcome = meetings::reschedule(&inst, &previous);
        if let Err(e) = inst.check(&outcome.schedule) {
            panic!(
                "the re-schedule breaks a rule: {e}\n{}",
                outcome.schedule.to_json()
            );
        }
        assert_eq!(outcome.weight, inst.weight(&outcome.schedule));
    }
});
