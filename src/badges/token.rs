//! What a badge's QR code carries: a compact token signed with Ed25519 and
//! bound to its fair.
//!
//! Layout, 93 bytes before encoding:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version (2) |
//! | 1 | badge kind ([`BadgeKind::code`]) |
//! | 1 | signing key id |
//! | 16 | badge id (a UUID) |
//! | 4 | first valid day, days since 1970-01-01, big-endian |
//! | 4 | last valid day, likewise |
//! | 2 | the fair's tag: the last two bytes of its id |
//! | 64 | Ed25519 signature over `FLBADGE2`, the fair's whole id, then the 29 bytes above |
//!
//! The text is `FL2` followed by the 93 bytes in base32 (RFC 4648 alphabet,
//! upper case, no padding): 152 characters, all in the QR alphanumeric set,
//! so the code is QR version 6 (41 × 41 modules) at error correction level M.
//! A handheld scanner that types the code (keyboard wedge) types nothing
//! but letters and digits. Ed25519 because its signatures are the shortest
//! of the common schemes with a 128-bit security level, verification needs
//! no secret (scanners hold public keys only), and signatures are
//! deterministic (no random source on the signing path).
//!
//! *Bound to a fair.* The signature covers the fair's id, so a badge of one
//! fair never verifies at another's gate, online or offline (keys are
//! shared by all fairs). The two-byte tag only lets a scanner say "another
//! fair's badge" instead of "forged".
//!
//! *Version 1* (`FL1`, 149 characters, no fair) was issued before tokens
//! were bound to fairs. Such tokens stay readable while the key that signed
//! them is trusted; retiring those keys (`fairlink keys retire --reissue`)
//! ends them.
//!
//! This module has no database and compiles to wasm32: the scanner page
//! verifies tokens with it when the network is down.

use chrono::{Days, NaiveDate};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the printed text starts with.
pub const PREFIX: &str = "FL2";
/// Signed bytes are prefixed with this, so a signature made for anything
/// else never verifies as a badge.
const DOMAIN: &[u8] = b"FLBADGE2";
const VERSION: u8 = 2;
const SIGNED_LEN: usize = 29;
const TOKEN_LEN: usize = SIGNED_LEN + 64;

/// Version 1: the same fields without the fair.
const PREFIX_V1: &str = "FL1";
const DOMAIN_V1: &[u8] = b"FLBADGE1";
const VERSION_V1: u8 = 1;
const SIGNED_LEN_V1: usize = 27;
const TOKEN_LEN_V1: usize = SIGNED_LEN_V1 + 64;

/// Who a badge is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeKind {
    Visitor,
    /// A visitor in the hosted-buyer programme.
    Buyer,
    Exhibitor,
    Press,
    Vip,
    /// Organiser staff.
    Staff,
}

impl BadgeKind {
    pub const ALL: [BadgeKind; 6] = [
        BadgeKind::Visitor,
        BadgeKind::Buyer,
        BadgeKind::Exhibitor,
        BadgeKind::Press,
        BadgeKind::Vip,
        BadgeKind::Staff,
    ];

    /// The byte in the token.
    pub fn code(self) -> u8 {
        match self {
            BadgeKind::Visitor => 1,
            BadgeKind::Buyer => 2,
            BadgeKind::Exhibitor => 3,
            BadgeKind::Press => 4,
            BadgeKind::Vip => 5,
            BadgeKind::Staff => 6,
        }
    }

    pub fn from_code(code: u8) -> Option<BadgeKind> {
        BadgeKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The name stored in the database and used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            BadgeKind::Visitor => "visitor",
            BadgeKind::Buyer => "buyer",
            BadgeKind::Exhibitor => "exhibitor",
            BadgeKind::Press => "press",
            BadgeKind::Vip => "vip",
            BadgeKind::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<BadgeKind> {
        BadgeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a token says, once its signature is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub badge: Uuid,
    /// The fair the badge is for (a version 1 token names none: then the
    /// fair it was checked for).
    pub fair: Uuid,
    pub kind: BadgeKind,
    pub key_id: u8,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenError {
    /// Not a badge code at all (wrong prefix, length, characters, version,
    /// kind or dates).
    Malformed,
    /// Signed with a key this scanner does not trust (unknown or retired).
    UnknownKey,
    /// The signature does not match: forged or damaged.
    BadSignature,
    /// A badge of another fair.
    WrongFair,
}

impl TokenError {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed",
            TokenError::UnknownKey => "unknown_key",
            TokenError::BadSignature => "bad_signature",
            TokenError::WrongFair => "wrong_fair",
        }
    }
}

/// A public key scanners trust, with the id tokens name it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKey {
    pub id: u8,
    /// The 32-byte Ed25519 public key, in base32 like the tokens.
    pub key: String,
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

fn day_number(d: NaiveDate) -> u32 {
    u32::try_from((d - EPOCH).num_days()).unwrap_or(0)
}

fn day_of(n: u32) -> Option<NaiveDate> {
    EPOCH.checked_add_days(Days::new(u64::from(n)))
}

/// The tag a token carries for its fair.
fn fair_tag(fair: Uuid) -> [u8; 2] {
    let b = fair.as_bytes();
    [b[14], b[15]]
}

/// The signed part of a token.
fn signed_bytes(c: &Claims) -> [u8; SIGNED_LEN] {
    let mut out = [0u8; SIGNED_LEN];
    out[0] = VERSION;
    out[1] = c.kind.code();
    out[2] = c.key_id;
    out[3..19].copy_from_slice(c.badge.as_bytes());
    out[19..23].copy_from_slice(&day_number(c.valid_from).to_be_bytes());
    out[23..27].copy_from_slice(&day_number(c.valid_to).to_be_bytes());
    out[27..29].copy_from_slice(&fair_tag(c.fair));
    out
}

/// What the signature covers: the domain, the fair's whole id (which the
/// token does not carry: the verifier knows which fair it checks for), and
/// the signed bytes.
fn message(fair: Uuid, signed: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 16 + signed.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(fair.as_bytes());
    m.extend_from_slice(signed);
    m
}

fn message_v1(signed: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN_V1.len() + signed.len());
    m.extend_from_slice(DOMAIN_V1);
    m.extend_from_slice(signed);
    m
}

/// Signs `claims` (bound to `claims.fair`) with `secret`, the 32-byte
/// Ed25519 seed of key `claims.key_id`, and returns the text a QR code
/// carries.
pub fn sign(claims: &Claims, secret: &[u8; 32]) -> String {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(secret);
    let signed = signed_bytes(claims);
    let signature = key.sign(&message(claims.fair, &signed));
    let mut bytes = Vec::with_capacity(TOKEN_LEN);
    bytes.extend_from_slice(&signed);
    bytes.extend_from_slice(&signature.to_bytes());
    format!("{PREFIX}{}", base32::encode(&bytes))
}

/// A version 1 token, as issued before tokens were bound to fairs (for
/// the tests of reading them).
pub fn sign_v1(claims: &Claims, secret: &[u8; 32]) -> String {
    use ed25519_dalek::Signer;
    let key = ed25519_dalek::SigningKey::from_bytes(secret);
    let signed = &signed_bytes(claims)[..SIGNED_LEN_V1];
    let mut signed = signed.to_vec();
    signed[0] = VERSION_V1;
    let signature = key.sign(&message_v1(&signed));
    signed.extend_from_slice(&signature.to_bytes());
    format!("{PREFIX_V1}{}", base32::encode(&signed))
}

/// The badge id a token names, before any check (to find the badge, and so
/// its fair, when the fair is not known yet). Never trust it alone.
pub fn unverified_badge(text: &str) -> Option<Uuid> {
    let text = text.trim().to_ascii_uppercase();
    let (body, len) = if let Some(b) = text.strip_prefix(PREFIX) {
        (b, TOKEN_LEN)
    } else {
        (text.strip_prefix(PREFIX_V1)?, TOKEN_LEN_V1)
    };
    let bytes = base32::decode(body)?;
    if bytes.len() != len {
        return None;
    }
    Uuid::from_slice(&bytes[3..19]).ok()
}

/// The public key of a 32-byte Ed25519 seed, as scanners hold it.
pub fn public_key(id: u8, secret: &[u8; 32]) -> PublicKey {
    let key = ed25519_dalek::SigningKey::from_bytes(secret).verifying_key();
    PublicKey {
        id,
        key: base32::encode(key.as_bytes()),
    }
}

/// Trusted keys, decoded once (decoding a public key costs about as much
/// as checking a signature).
#[derive(Debug, Clone, Default)]
pub struct Keyring(Vec<(u8, VerifyingKey)>);

impl Keyring {
    /// The keys that decode; a damaged one is left out (its tokens are
    /// refused as signed by an unknown key).
    pub fn new(keys: &[PublicKey]) -> Keyring {
        Keyring(
            keys.iter()
                .filter_map(|k| {
                    let bytes: [u8; 32] = base32::decode(&k.key)?.try_into().ok()?;
                    Some((k.id, VerifyingKey::from_bytes(&bytes).ok()?))
                })
                .collect(),
        )
    }
}

/// Checks a scanned or typed token for `fair` against the trusted keys.
/// Spaces and line ends around it are ignored, and so is letter case
/// (handheld scanners type with the keyboard's case).
pub fn verify(text: &str, keys: &[PublicKey], fair: Uuid) -> Result<Claims, TokenError> {
    verify_with(text, &Keyring::new(keys), fair)
}

/// [`verify`] with the keys decoded already.
pub fn verify_with(text: &str, keys: &Keyring, fair: Uuid) -> Result<Claims, TokenError> {
    let text = text.trim().to_ascii_uppercase();
    let (bytes, signed_len) = if let Some(body) = text.strip_prefix(PREFIX) {
        let bytes = base32::decode(body).ok_or(TokenError::Malformed)?;
        if bytes.len() != TOKEN_LEN || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        (bytes, SIGNED_LEN)
    } else if let Some(body) = text.strip_prefix(PREFIX_V1) {
        let bytes = base32::decode(body).ok_or(TokenError::Malformed)?;
        if bytes.len() != TOKEN_LEN_V1 || bytes[0] != VERSION_V1 {
            return Err(TokenError::Malformed);
        }
        (bytes, SIGNED_LEN_V1)
    } else {
        return Err(TokenError::Malformed);
    };
    let key_id = bytes[2];
    let key = keys
        .0
        .iter()
        .find(|(id, _)| *id == key_id)
        .map(|(_, k)| k)
        .ok_or(TokenError::UnknownKey)?;
    let v2 = signed_len == SIGNED_LEN;
    if v2 && bytes[27..29] != fair_tag(fair) {
        return Err(TokenError::WrongFair);
    }
    let signature: [u8; 64] = bytes[signed_len..]
        .try_into()
        .map_err(|_| TokenError::Malformed)?;
    let signature = Signature::from_bytes(&signature);
    let message = if v2 {
        message(fair, &bytes[..signed_len])
    } else {
        message_v1(&bytes[..signed_len])
    };
    // Strict: refuses the malleable and small-order forms plain `verify`
    // lets through.
    key.verify_strict(&message, &signature)
        .map_err(|_| TokenError::BadSignature)?;
    // Only signed bytes are read from here on.
    let kind = BadgeKind::from_code(bytes[1]).ok_or(TokenError::Malformed)?;
    let badge = Uuid::from_slice(&bytes[3..19]).map_err(|_| TokenError::Malformed)?;
    let day = |at: usize| {
        let n = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        day_of(n).ok_or(TokenError::Malformed)
    };
    let (valid_from, valid_to) = (day(19)?, day(23)?);
    if valid_from > valid_to {
        return Err(TokenError::Malformed);
    }
    Ok(Claims {
        badge,
        fair,
        kind,
        key_id,
        valid_from,
        valid_to,
    })
}

/// Base32 (RFC 4648 alphabet, upper case, no padding).
pub mod base32 {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &b in bytes {
            buffer = (buffer << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    /// `None` for any character outside the alphabet, or trailing bits
    /// that are not zero (so each byte string has one spelling only).
    pub fn decode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() * 5 / 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for c in text.bytes() {
            let v = ALPHABET.iter().position(|&a| a == c)? as u32;
            buffer = ((buffer << 5) | v) & 0xFFFF;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out.push((buffer >> bits) as u8);
            }
        }
        if bits >= 5 || buffer & ((1 << bits) - 1) != 0 {
            return None;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            badge: Uuid::from_u128(0x0193_7a2b_1c3d_7e4f_8a9b_0c1d_2e3f_4a5b),
            fair: Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_2026),
            kind: BadgeKind::Exhibitor,
            key_id: 3,
            valid_from: NaiveDate::from_ymd_opt(2027, 3, 10).unwrap(),
            valid_to: NaiveDate::from_ymd_opt(2027, 3, 12).unwrap(),
        }
    }

    #[test]
    fn base32_round_trips_and_has_one_spelling() {
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
            let text = base32::encode(&bytes);
            assert_eq!(base32::decode(&text).as_deref(), Some(bytes.as_slice()));
        }
        assert_eq!(base32::encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32::decode("MZXW6YTBOI").unwrap(), b"foobar");
        // Non-zero trailing bits, a character outside the alphabet.
        assert_eq!(base32::decode("MZXW6YTBOJ"), None);
        assert_eq!(base32::decode("MZXW6YTBO1"), None);
    }

    #[test]
    fn fits_a_version_6_code() {
        let text = sign(&claims(), &[7u8; 32]);
        assert_eq!(text.len(), 152);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        // QR version 6 at level M holds 154 alphanumeric characters
        // (ISO/IEC 18004, table 7).
        assert!(text.len() <= 154);
    }

    #[test]
    fn a_token_verifies_for_its_fair_only() {
        let secret = [7u8; 32];
        let keys = [public_key(3, &secret)];
        let c = claims();
        let text = sign(&c, &secret);
        assert_eq!(verify(&text, &keys, c.fair), Ok(c));
        assert_eq!(unverified_badge(&text), Some(c.badge));
        // Another fair: its tag differs.
        let other = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_9999);
        assert_eq!(verify(&text, &keys, other), Err(TokenError::WrongFair));
        // Another fair with the same tag: the signature still tells.
        let same_tag = Uuid::from_u128(0x0193_ffff_0000_7000_8000_0000_0000_2026);
        assert_eq!(
            verify(&text, &keys, same_tag),
            Err(TokenError::BadSignature)
        );
        // A version 1 token reads for any fair while its key is trusted.
        let old = sign_v1(&c, &secret);
        assert_eq!(old.len(), 149);
        assert!(old.starts_with("FL1"));
        assert_eq!(verify(&old, &keys, other).map(|v| v.badge), Ok(c.badge));
        assert_eq!(unverified_badge(&old), Some(c.badge));
        // A version 1 body behind the version 2 prefix (or the other way) is malformed.
        assert_eq!(
            verify(&format!("FL2{}", &old[3..]), &keys, c.fair),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            verify(&format!("FL1{}", &text[3..]), &keys, c.fair),
            Err(TokenError::Malformed)
        );
    }
}
