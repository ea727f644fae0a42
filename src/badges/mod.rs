//! Badges and check-in at the doors.
//!
//! A badge's QR code carries a signed token ([`token`]): scanners verify it
//! with public keys alone, so a gate keeps deciding when the network drops.
//! The services below the `db` feature issue and revoke badges, decide
//! scans online (one admission per badge, however many gates scan it at
//! once) and record the queues scanners filled while offline, each scan
//! once.

pub mod desk;
pub mod leads;
pub mod live;
pub mod token;

#[cfg(feature = "db")]
pub mod door;
#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
pub mod keys;
#[cfg(feature = "db")]
pub mod print;
#[cfg(feature = "db")]
pub mod qr;
#[cfg(feature = "db")]
mod service;
#[cfg(feature = "db")]
pub mod staff;

pub use desk::*;
#[cfg(feature = "db")]
pub use service::*;
pub use token::{BadgeKind, Claims, PublicKey, TokenError};
