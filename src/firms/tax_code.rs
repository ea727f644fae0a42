use crate::{Error, ErrorCode};
use std::fmt;

/// A Vietnamese enterprise tax code (mã số thuế): ten digits whose tenth is a
/// check digit, optionally followed by a three-digit branch suffix
/// ("0314409058-001").
///
/// Check digit: 10 − (Σ wᵢ·dᵢ mod 11) over the first nine digits with
/// weights 31, 29, 23, 19, 17, 13, 7, 5, 3. When the sum is divisible by 11
/// the formula gives 10, which no single digit can carry: such prefixes are
/// never issued.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode(String);

const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The check digit for nine leading digits, if one exists.
pub fn check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    let digit = 10 - (sum % 11);
    (digit <= 9).then_some(digit as u8)
}

impl TaxCode {
    /// Parses a code as people write it: spaces anywhere ("0314 409 058"),
    /// the branch after a dash with or without spaces ("0314409058 - 001").
    /// The result is normalised ("0314409058-001").
    pub fn parse(input: &str) -> Result<TaxCode, Error> {
        let bad = || Error::field(ErrorCode::InvalidTaxCode, "tax_code");
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let (main, branch) = match s.split_once('-') {
            Some((m, b)) => (m, Some(b)),
            None => (s.as_str(), None),
        };
        if main.len() != 10 || !main.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if let Some(b) = branch
            && (b.len() != 3 || !b.bytes().all(|c| c.is_ascii_digit()) || b == "000")
        {
            return Err(bad());
        }
        let digits: Vec<u8> = main.bytes().map(|b| b - b'0').collect();
        let mut first = [0u8; 9];
        first.copy_from_slice(&digits[..9]);
        if check_digit(&first) != Some(digits[9]) {
            return Err(bad());
        }
        Ok(TaxCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds a valid code from nine digits (demo data, tests).
    pub fn from_nine(first_nine: [u8; 9]) -> Option<TaxCode> {
        let check = check_digit(&first_nine)?;
        let s: String = first_nine
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect();
        Some(TaxCode(s))
    }
}

impl fmt::Display for TaxCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_valid_code_passes() {
        assert_eq!(TaxCode::parse("0314409058").unwrap().as_str(), "0314409058");
        assert_eq!(
            TaxCode::parse(" 0314409058-001 ").unwrap().as_str(),
            "0314409058-001"
        );
    }

    #[test]
    fn wrong_check_digits_and_shapes_fail() {
        for bad in [
            "0314409059",
            "031440905",
            "03144090588",
            "03144O9058",
            "0314409058-01",
            "0314409058-000",
            "0314409058-abc",
            "",
            "-001",
        ] {
            assert!(TaxCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn whitespace_and_the_branch_dash_are_tolerated() {
        assert_eq!(
            TaxCode::parse("0314 409 058").unwrap().as_str(),
            "0314409058"
        );
        assert_eq!(
            TaxCode::parse("0314409058 - 001").unwrap().as_str(),
            "0314409058-001"
        );
        assert_eq!(
            TaxCode::parse("\t0314409058-002\n").unwrap().as_str(),
            "0314409058-002"
        );
        assert!(TaxCode::parse("031-440-9058").is_err());
        assert!(TaxCode::parse("0314409058--001").is_err());
        assert!(TaxCode::parse("0314409058-").is_err());
    }

    #[test]
    fn generated_codes_always_parse() {
        let mut seed = 12345u64;
        let mut made = 0;
        for _ in 0..1000 {
            let mut nine = [0u8; 9];
            for d in nine.iter_mut() {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                *d = ((seed >> 33) % 10) as u8;
            }
            if let Some(code) = TaxCode::from_nine(nine) {
                assert!(TaxCode::parse(code.as_str()).is_ok());
                made += 1;
            }
        }
        // Roughly 9 in 11 prefixes have a check digit.
        assert!(made > 700, "{made}");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_prefix_with_its_check_digit_parses(digits in proptest::array::uniform9(0u8..10)) {
            if let Some(code) = TaxCode::from_nine(digits) {
                prop_assert_eq!(TaxCode::parse(code.as_str()).unwrap(), code);
            }
        }

        #[test]
        fn any_one_changed_digit_is_caught(
            digits in proptest::array::uniform9(0u8..10),
            position in 0usize..10,
            step in 1u8..10,
        ) {
            if let Some(code) = TaxCode::from_nine(digits) {
                let mut bytes = code.as_str().as_bytes().to_vec();
                bytes[position] = b'0' + (bytes[position] - b'0' + step) % 10;
                let changed = String::from_utf8(bytes).unwrap();
                prop_assert!(TaxCode::parse(&changed).is_err(), "{} passed", changed);
            }
        }

        #[test]
        fn branches_keep_their_suffix(digits in proptest::array::uniform9(0u8..10), branch in 1u16..1000) {
            if let Some(code) = TaxCode::from_nine(digits) {
                let written = format!(" {} - {branch:03} ", code.as_str());
                let parsed = TaxCode::parse(&written).unwrap();
                prop_assert_eq!(parsed.as_str(), format!("{}-{branch:03}", code.as_str()));
            }
        }

        #[test]
        fn no_input_panics(input in ".{0,40}") {
            let _ = TaxCode::parse(&input);
        }
    }
}
