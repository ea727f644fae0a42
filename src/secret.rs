//! Secrets at rest: what the database must keep but nobody reading it may
//! use (badge signing seeds, the links of mails not sent yet) is sealed
//! with the instance's master key, ChaCha20-Poly1305 from `ring` (already
//! compiled in for TLS; no cipher of our own).
//!
//! The master key comes from `FAIRLINK_MASTER_KEY` (base64, 32 bytes) or
//! from a file (`FAIRLINK_MASTER_KEY_FILE`, by default `./data/master.key`,
//! made on first start); every instance on one database needs the same key.
//! The database keeps a sealed check value, so an instance started with
//! another key refuses to start instead of failing at the first badge. A
//! backup of the database holds no usable secret: the key is backed up on
//! its own.
//!
//! Sealed bytes are `FLS1`, a random 96-bit nonce, then the ciphertext and
//! its tag. Each purpose seals with its own associated data (a badge key's
//! seed with its id), so a sealed value moved to another row does not open.

use crate::{Error, Result};
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::sync::OnceLock;

const MAGIC: &[u8; 4] = b"FLS1";

/// A 256-bit master key.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey(bytes)
    }

    /// A new random key.
    pub fn generate() -> Result<MasterKey> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(Error::internal)?;
        Ok(MasterKey(bytes))
    }

    /// Reads the key as written by [`MasterKey::to_base64`] (standard or
    /// URL-safe base64 of 32 bytes, spaces and line ends around ignored).
    pub fn from_base64(text: &str) -> Option<MasterKey> {
        use base64::Engine;
        let text = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .ok()?;
        Some(MasterKey(bytes.try_into().ok()?))
    }

    pub fn to_base64(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(self.0)
    }

    fn aead(&self) -> Result<LessSafeKey> {
        let key = UnboundKey::new(&CHACHA20_POLY1305, &self.0)
            .map_err(|_| Error::internal("bad master key"))?;
        Ok(LessSafeKey::new(key))
    }

    /// `plain` sealed under this key with `purpose` as associated data.
    pub fn seal(&self, plain: &[u8], purpose: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(Error::internal)?;
        let mut in_out = plain.to_vec();
        self.aead()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose),
                &mut in_out,
            )
            .map_err(|_| Error::internal("sealing failed"))?;
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + in_out.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&in_out);
        Ok(out)
    }

    /// The plain bytes of a value [`MasterKey::seal`]ed with `purpose`;
    /// an error for anything else (another key, another purpose, damage).
    pub fn open(&self, sealed: &[u8], purpose: &[u8]) -> Result<Vec<u8>> {
        let rest = sealed
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| Error::internal("not a sealed value"))?;
        if rest.len() < NONCE_LEN {
            return Err(Error::internal("a sealed value is cut short"));
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(Error::internal)?;
        let mut in_out = body.to_vec();
        let plain = self
            .aead()?
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose),
                &mut in_out,
            )
            .map_err(|_| Error::internal("a sealed value does not open with this key"))?;
        Ok(plain.to_vec())
    }
}

/// Whether bytes are a sealed value (rather than a secret stored in clear
/// before sealing existed).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

static KEY: OnceLock<MasterKey> = OnceLock::new();

/// Makes `key` this process's master key. The first key installed stays:
/// installing another one later is refused (`false`), so that nothing
/// sealed under the first becomes unreadable while the process runs.
pub fn install(key: MasterKey) -> bool {
    *KEY.get_or_init(|| key.clone()) == key
}

/// Whether a master key is installed in this process.
pub fn is_installed() -> bool {
    KEY.get().is_some()
}

/// This process's master key.
pub fn key() -> Result<&'static MasterKey> {
    KEY.get()
        .ok_or_else(|| Error::internal("no master key installed (see secret::install)"))
}

/// Seals with this process's master key.
pub fn seal(plain: &[u8], purpose: &[u8]) -> Result<Vec<u8>> {
    key()?.seal(plain, purpose)
}

/// Opens with this process's master key.
pub fn open(sealed: &[u8], purpose: &[u8]) -> Result<Vec<u8>> {
    key()?.open(sealed, purpose)
}

/// What a new database records, and an existing one checks, so that an
/// instance with the wrong key stops at once.
const CHECK_NAME: &str = "master_key_check";
const CHECK_PURPOSE: &[u8] = b"fairlink master key check";
const CHECK_PLAIN: &[u8] = b"fairlink";

/// Checks this process's master key against the database: the first
/// instance records a sealed check value, every later one must open it.
pub async fn check_against(db: &crate::db::Db) -> Result<()> {
    use crate::db::settings;
    let key = key()?;
    match settings::get(db.read(), CHECK_NAME).await? {
        Some(sealed) => {
            key.open(&sealed, CHECK_PURPOSE).map_err(|_| {
                Error::internal(
                    "the master key differs from the one this database was sealed with: \
                     give every instance the same FAIRLINK_MASTER_KEY (or key file)",
                )
            })?;
        }
        None => {
            let sealed = key.seal(CHECK_PLAIN, CHECK_PURPOSE)?;
            settings::put_new(db.write(), CHECK_NAME, &sealed).await?;
            // Another instance may have recorded its own at the same moment.
            let stored = settings::get(db.read(), CHECK_NAME)
                .await?
                .ok_or_else(|| Error::internal("the key check vanished"))?;
            key.open(&stored, CHECK_PURPOSE)
                .map_err(|_| Error::internal("another instance started with another master key"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_and_purpose_only() {
        let key = MasterKey::from_bytes([1u8; 32]);
        let other = MasterKey::from_bytes([2u8; 32]);
        let sealed = key.seal(b"seed bytes", b"badge key 1").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(10).any(|w| w == b"seed bytes"));
        assert_eq!(key.open(&sealed, b"badge key 1").unwrap(), b"seed bytes");
        assert!(key.open(&sealed, b"badge key 2").is_err());
        assert!(other.open(&sealed, b"badge key 1").is_err());
        let mut damaged = sealed.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert!(key.open(&damaged, b"badge key 1").is_err());
        assert!(key.open(b"FLS1", b"badge key 1").is_err());
        assert!(key.open(&[7u8; 32], b"badge key 1").is_err());
        // Two seals of one value differ (a fresh nonce each).
        assert_ne!(sealed, key.seal(b"seed bytes", b"badge key 1").unwrap());
    }

    #[test]
    fn keys_round_trip_through_base64() {
        let key = MasterKey::generate().unwrap();
        assert_eq!(MasterKey::from_base64(&key.to_base64()), Some(key.clone()));
        assert_eq!(
            MasterKey::from_base64(&format!("  {}\n", key.to_base64())),
            Some(key)
        );
        assert_eq!(MasterKey::from_base64("c2hvcnQ="), None);
        assert_eq!(MasterKey::from_base64("not base64 at all!"), None);
    }
}
