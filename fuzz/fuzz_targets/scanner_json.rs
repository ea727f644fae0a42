//! Scanner API bodies: a scan for a verdict (`Scan`) and an offline queue
//! upload (`{"scans": [...]}` of `OfflineScan`, or the bare list). What
//! decodes writes back and decodes to the same value; each scan goes to an
//! offline gate as a scanner replays its queue, where no made-up token gets
//! in; the server's clock rule for online scans holds for any claimed time.

#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use fairlink::badges::{
    self, Desk, GateInput, GateView, OfflineScan, Outcome, Scan, SyncData, token,
};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use uuid::Uuid;

const FAIR: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_2026);
const GATE: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a7e);

/// The upload body, as the scanner API reads it.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Upload {
    scans: Vec<OfflineScan>,
}

/// A gate that knows no key, so no token verifies there.
fn desk() -> Desk {
    static DESK: OnceLock<Desk> = OnceLock::new();
    DESK.get_or_init(|| {
        Desk::new(&SyncData {
            fair_id: FAIR,
            time_zone: "Asia/Ho_Chi_Minh".into(),
            keys: vec![],
            revoked: vec![],
            gates: vec![GateView {
                id: GATE,
                rules: GateInput {
                    code: "A1".into(),
                    name_vi: "Cổng A1".into(),
                    name_en: "Gate A1".into(),
                    area: "hall".into(),
                    kinds: vec![],
                    reentry: false,
                    max_entries_per_day: Some(1),
                },
            }],
            server_time: Utc.with_ymd_and_hms(2027, 3, 9, 0, 0, 0).unwrap(),
        })
    })
    .clone()
}

fn server_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 10, 2, 0, 0).unwrap()
}

fuzz_target!(|data: &[u8]| {
    if let Ok(scan) = serde_json::from_slice::<Scan>(data) {
        assert_eq!(round_trip(&scan), scan);
        at_the_gate(&mut desk(), &scan, None);
        let now = server_now();
        match badges::online_scan_time(scan.at, now) {
            Ok(at) => {
                assert_eq!(at, now);
                assert!((scan.at - now).abs() <= badges::ONLINE_CLOCK_TOLERANCE);
            }
            Err(_) => assert!((scan.at - now).abs() > badges::ONLINE_CLOCK_TOLERANCE),
        }
    }
    if let Ok(scans) = serde_json::from_slice::<Vec<OfflineScan>>(data) {
        assert_eq!(round_trip(&scans), scans);
        replay(&scans);
    }
    if let Ok(upload) = serde_json::from_slice::<Upload>(data) {
        assert_eq!(round_trip(&upload), upload);
        replay(&upload.scans);
    }
});

fn round_trip<T: Serialize + for<'de> Deserialize<'de>>(value: &T) -> T {
    let bytes = serde_json::to_vec(value).expect("a decoded body writes as JSON");
    serde_json::from_slice(&bytes).expect("a written body decodes")
}

/// The queue as a reloaded scanner replays it: each outcome noted, then the
/// scan decided again.
fn replay(scans: &[OfflineScan]) {
    let mut desk = desk();
    for s in scans {
        assert_eq!(Outcome::parse(s.outcome.as_str()), Some(s.outcome));
        at_the_gate(&mut desk, &s.scan, Some(s.outcome));
    }
}

fn at_the_gate(desk: &mut Desk, scan: &Scan, noted: Option<Outcome>) {
    if let (Some(badge), Some(outcome)) = (token::unverified_badge(&scan.token), noted) {
        desk.note(badge, scan.gate_id, scan.direction, outcome, scan.at);
    }
    let decision = desk.decide(&scan.token, scan.gate_id, scan.direction, scan.at);
    assert_eq!(decision.outcome, Outcome::Refused, "{decision:?}");
    assert_eq!(decision.claims, None);
    let why = ["unknown_gate", "malformed", "unknown_key"];
    assert!(why.contains(&decision.reason.as_str()), "{decision:?}");
}
