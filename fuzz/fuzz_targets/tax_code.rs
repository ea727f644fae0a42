//! Tax codes as people type them (the firm form, join requests, the
//! competitors of a booth application, import rows). What parses is
//! normalised to ten digits, or ten digits, a dash and a branch, with a
//! right check digit; it parses again to itself.

#![no_main]

use fairlink::ErrorCode;
use fairlink::firms::TaxCode;
use libfuzzer_sys::fuzz_target;

const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let code = match TaxCode::parse(&text) {
        Ok(code) => code,
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidTaxCode);
            assert_eq!(e.field, Some("tax_code"));
            return;
        }
    };
    let s = code.as_str();
    assert_eq!(code.to_string(), s);
    let (main, branch) = match s.split_once('-') {
        Some((m, b)) => (m, Some(b)),
        None => (s, None),
    };
    assert!(
        main.len() == 10 && main.bytes().all(|b| b.is_ascii_digit()),
        "{s:?} from {text:?}"
    );
    if let Some(b) = branch {
        assert!(
            b.len() == 3 && b.bytes().all(|c| c.is_ascii_digit()) && b != "000",
            "{s:?} from {text:?}"
        );
    }
    // The check digit, worked out again here.
    let digits: Vec<u32> = main.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits[..9].iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    assert_eq!(10 - sum % 11, digits[9], "{s:?} has a wrong check digit");
    let mut nine = [0u8; 9];
    for (n, d) in nine.iter_mut().zip(&digits) {
        *n = *d as u8;
    }
    assert_eq!(
        TaxCode::from_nine(nine)
            .map(|c| c.as_str().to_string())
            .as_deref(),
        Some(main)
    );
    // Normalised: parsing it again changes nothing.
    assert_eq!(TaxCode::parse(s).ok(), Some(code.clone()));
    // Nothing but whitespace was dropped: the digits and the dash are the
    // input's, in order.
    let kept: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(kept, s, "{text:?}");
});
