//! Badge codes as scanners and keyboards type them. Any text either
//! verifies to claims that sign back to exactly that text (trimmed, upper
//! case), or is refused, and an offline gate refuses it too. Tokens signed
//! here from the input must verify to what was signed, in any letter case,
//! and not after one character is changed. Base32 has one spelling per byte
//! string.

#![no_main]

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use fairlink::badges::token::{self, BadgeKind, Claims, Keyring, TokenError};
use fairlink::badges::{Desk, Direction, GateInput, GateView, Outcome, SyncData};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use uuid::Uuid;

/// Key 3's seed, the same as in the token tests; its tokens can be made here.
const SEED: [u8; 32] = [7; 32];
const KEY_ID: u8 = 3;
const FAIR: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_2026);
const GATE: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a7e);
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn keyring() -> &'static Keyring {
    static KEYS: OnceLock<Keyring> = OnceLock::new();
    KEYS.get_or_init(|| Keyring::new(&[token::public_key(KEY_ID, &SEED)]))
}

/// An offline scanner of the fair with one hall gate that lets every kind in
/// again; cloned fresh for each input so decisions depend on the input only.
fn desk() -> Desk {
    static DESK: OnceLock<Desk> = OnceLock::new();
    DESK.get_or_init(|| {
        Desk::new(&SyncData {
            fair_id: FAIR,
            time_zone: "Asia/Ho_Chi_Minh".into(),
            keys: vec![token::public_key(KEY_ID, &SEED)],
            revoked: vec![],
            gates: vec![GateView {
                id: GATE,
                rules: GateInput {
                    code: "A1".into(),
                    name_vi: "Cổng A1".into(),
                    name_en: "Gate A1".into(),
                    area: "hall".into(),
                    kinds: vec![],
                    reentry: true,
                    max_entries_per_day: None,
                },
            }],
            server_time: Utc.with_ymd_and_hms(2027, 3, 9, 0, 0, 0).unwrap(),
        })
    })
    .clone()
}

/// 09:00 in Hanoi on 10 March 2027: a fair day.
fn scanned_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 10, 2, 0, 0).unwrap()
}

fn fair_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 10).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    scanned_text(&text);
    base32_has_one_spelling(data, &text);
    signed_here(data);
});

/// Whatever a scanner sends.
fn scanned_text(text: &str) {
    let verdict = token::verify_with(text, keyring(), FAIR);
    let canonical = text.trim().to_ascii_uppercase();
    if let Ok(claims) = verdict {
        assert_eq!(claims.fair, FAIR);
        assert_eq!(claims.key_id, KEY_ID);
        assert!(claims.valid_from <= claims.valid_to);
        // Signatures are deterministic: the claims sign to the text itself.
        let again = if canonical.starts_with(token::PREFIX) {
            token::sign(&claims, &SEED)
        } else {
            token::sign_v1(&claims, &SEED)
        };
        assert_eq!(
            again, canonical,
            "verified text is not what its claims sign to"
        );
        assert_eq!(token::unverified_badge(text), Some(claims.badge));
    }
    // Without a badge id to read, the text is not a token at all.
    if token::unverified_badge(text).is_none() {
        assert_eq!(verdict, Err(TokenError::Malformed));
    }
    // The offline gate decides with the same check.
    let decision = desk().decide(text, GATE, Direction::In, scanned_at());
    match verdict {
        Ok(claims) => assert_eq!(decision.claims, Some(claims)),
        Err(e) => {
            assert_eq!(decision.outcome, Outcome::Refused, "{decision:?}");
            assert_eq!(decision.reason, e.as_str());
            assert_eq!(decision.claims, None);
        }
    }
}

fn base32_has_one_spelling(data: &[u8], text: &str) {
    let encoded = token::base32::encode(data);
    assert_eq!(encoded.len(), (data.len() * 8).div_ceil(5));
    assert!(encoded.bytes().all(|b| ALPHABET.contains(&b)));
    assert_eq!(token::base32::decode(&encoded).as_deref(), Some(data));
    if let Some(bytes) = token::base32::decode(text) {
        assert_eq!(
            token::base32::encode(&bytes),
            text,
            "a second spelling decodes"
        );
    }
}

/// A day from four bytes, as the token counts them (days since 1970).
fn day(bytes: &[u8]) -> Option<NaiveDate> {
    let n = u32::from_be_bytes(bytes.try_into().ok()?);
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_days(Days::new(u64::from(n)))
}

/// Claims made from the input, signed with the trusted seed (or named by
/// another key id, or bound to another fair), checked the way a gate does.
fn signed_here(data: &[u8]) {
    // kind, flags, badge (16), first day (4), last day (4), position,
    // replacement, then another fair's id (16) when the flags ask for one.
    if data.len() < 28 {
        return;
    }
    let kind = BadgeKind::ALL[usize::from(data[0]) % BadgeKind::ALL.len()];
    let flags = data[1];
    let badge = Uuid::from_bytes(data[2..18].try_into().unwrap());
    let (Some(valid_from), Some(valid_to)) = (day(&data[18..22]), day(&data[22..26])) else {
        return;
    };
    let (position, replacement) = (usize::from(data[26]), usize::from(data[27]));
    let fair = match data.get(28..44) {
        Some(other) if flags & 1 == 1 => Uuid::from_bytes(other.try_into().unwrap()),
        _ => FAIR,
    };
    let key_id = if flags & 2 == 2 { flags >> 2 } else { KEY_ID };
    let v1 = flags & 0x80 == 0x80 && flags & 2 == 0;
    let claims = Claims {
        badge,
        fair,
        kind,
        key_id,
        valid_from,
        valid_to,
    };
    let text = if v1 {
        token::sign_v1(&claims, &SEED)
    } else {
        token::sign(&claims, &SEED)
    };
    assert_eq!(text.len(), if v1 { 149 } else { 152 });
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    // What the gate must answer, in the order it checks.
    let tag = |u: Uuid| [u.as_bytes()[14], u.as_bytes()[15]];
    let expected = if key_id != KEY_ID {
        Err(TokenError::UnknownKey)
    } else if !v1 && tag(fair) != tag(FAIR) {
        Err(TokenError::WrongFair)
    } else if !v1 && fair != FAIR {
        Err(TokenError::BadSignature)
    } else if valid_from > valid_to {
        Err(TokenError::Malformed)
    } else {
        // A version 1 token names no fair: it reads as the fair checked for.
        Ok(Claims {
            fair: FAIR,
            ..claims
        })
    };
    assert_eq!(token::verify_with(&text, keyring(), FAIR), expected);
    assert_eq!(token::unverified_badge(&text), Some(badge));
    // Handheld scanners type in the keyboard's case, with a line end.
    let typed = format!(" \t{}\r\n", text.to_ascii_lowercase());
    assert_eq!(token::verify_with(&typed, keyring(), FAIR), expected);
    // One character changed: never accepted.
    let mut changed = text.clone().into_bytes();
    let at = position % changed.len();
    let now = ALPHABET.iter().position(|&c| c == changed[at]).unwrap_or(0);
    changed[at] = ALPHABET[(now + 1 + replacement % 31) % 32];
    let changed = String::from_utf8(changed).unwrap();
    assert!(
        token::verify_with(&changed, keyring(), FAIR).is_err(),
        "{changed} verifies after a change at {at}"
    );
    // At the gate, on a fair day: in once, refused while inside, out.
    let mut desk = desk();
    let first = desk.decide(&text, GATE, Direction::In, scanned_at());
    match expected {
        Ok(c) if c.valid_from <= fair_day() && fair_day() <= c.valid_to => {
            assert_eq!(
                (first.outcome, first.reason.as_str()),
                (Outcome::Admitted, "ok")
            );
            let again = desk.decide(&typed, GATE, Direction::In, scanned_at());
            assert_eq!(
                (again.outcome, again.reason.as_str()),
                (Outcome::Refused, "already_inside")
            );
            let out = desk.decide(&text, GATE, Direction::Out, scanned_at());
            assert_eq!(out.outcome, Outcome::Exit);
        }
        Ok(_) => assert_eq!(
            (first.outcome, first.reason.as_str()),
            (Outcome::Refused, "wrong_day")
        ),
        Err(e) => assert_eq!(
            (first.outcome, first.reason.as_str()),
            (Outcome::Refused, e.as_str())
        ),
    }
}
