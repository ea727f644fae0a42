//! Form bodies of server functions. `form_is_utf8` is the gate in front of
//! them: a body it lets through must decode, the way server functions
//! decode it (serde_qs, depth 5, not strict, which turns bad bytes into
//! U+FFFD), to text that holds no U+FFFD the sender did not write.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Arguments as `#[server]` generates them: plain text, an optional field
/// and a list (`kinds[]=…`, as the gate form sends badge kinds).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Args {
    email: String,
    password: String,
    next: Option<String>,
    kinds: Option<Vec<String>>,
}

fuzz_target!(|data: &[u8]| {
    let passed = fairlink::text::form_is_utf8(data);
    // server_fn takes the body as a String first, and refuses it otherwise.
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(!passed, "a body that is not UTF-8 passed");
        return;
    };
    let parts: Vec<&[u8]> = data
        .split(|b| *b == b'&')
        .flat_map(|pair| pair.split(|b| *b == b'='))
        .collect();
    if passed {
        // Any standard decoder agrees that the text is text.
        for part in &parts {
            assert!(
                std::str::from_utf8(&percent_decode(part)).is_ok(),
                "passed, yet {:?} does not decode to UTF-8",
                String::from_utf8_lossy(part)
            );
        }
    }
    // A U+FFFD the sender wrote (or percent-encoded) is theirs to keep.
    let written = parts
        .iter()
        .any(|p| String::from_utf8_lossy(&percent_decode(p)).contains('\u{fffd}'));
    let clean = passed && !written;

    let decoder = serde_qs::Config::new(5, false);
    if let Ok(map) = decoder.deserialize_str::<BTreeMap<String, Value>>(text)
        && clean
    {
        for value in map.values() {
            assert_no_replacement(value, text);
        }
    }
    if let Ok(args) = decoder.deserialize_str::<Args>(text)
        && clean
    {
        let mut values = vec![&args.email, &args.password];
        values.extend(args.next.as_ref());
        values.extend(args.kinds.iter().flatten());
        for v in values {
            assert!(!v.contains('\u{fffd}'), "{text:?} decoded to {v:?}");
        }
    }
});

fn assert_no_replacement(value: &Value, text: &str) {
    match value {
        Value::String(s) => assert!(!s.contains('\u{fffd}'), "{text:?} decoded to {s:?}"),
        Value::Array(items) => items.iter().for_each(|v| assert_no_replacement(v, text)),
        Value::Object(map) => map.values().for_each(|v| assert_no_replacement(v, text)),
        _ => {}
    }
}

/// `application/x-www-form-urlencoded` as browsers and serde_qs read it:
/// `+` is a space, `%` and two hex digits a byte, any other `%` itself.
fn percent_decode(part: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (
                part.get(i + 1).copied().and_then(hex),
                part.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}
