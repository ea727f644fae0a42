//! Halls, floor plans and booths: what is for sale, what it costs, who holds
//! it.
//!
//! The value types here (booth status, plan geometry, prices, the plan
//! format and its checks, the allocator) are shared with the browser: the
//! plan editor and the map use them. The services below the `db` feature
//! change state, each in one transaction. The rule "one live claim per
//! booth" is kept by the database itself (a unique index on the booth of a
//! live claim), on SQLite and on PostgreSQL alike.

pub mod allocator;
pub mod geometry;
pub mod plan;
pub mod pricing;

use serde::{Deserialize, Serialize};

/// What a visitor of the map sees of a booth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoothStatus {
    Free,
    /// Held by a firm for a few minutes while it confirms.
    Held,
    /// Booked, not yet paid.
    Reserved,
    /// Booked and paid.
    Sold,
    /// Not for sale (kept by the organisers).
    Blocked,
}

impl BoothStatus {
    pub const ALL: [BoothStatus; 5] = [
        BoothStatus::Free,
        BoothStatus::Held,
        BoothStatus::Reserved,
        BoothStatus::Sold,
        BoothStatus::Blocked,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            BoothStatus::Free => "free",
            BoothStatus::Held => "held",
            BoothStatus::Reserved => "reserved",
            BoothStatus::Sold => "sold",
            BoothStatus::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<BoothStatus> {
        BoothStatus::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

/// The states of a claim on a booth. Live claims (held, confirmed, paid)
/// occupy the booth; the others are history.
pub mod claim_state {
    pub const HELD: &str = "held";
    pub const CONFIRMED: &str = "confirmed";
    pub const PAID: &str = "paid";
    pub const CANCELLED: &str = "cancelled";
    pub const EXPIRED: &str = "expired";
    pub const RELEASED: &str = "released";
    pub const LIVE: [&str; 3] = [HELD, CONFIRMED, PAID];
    pub const ALL: [&str; 6] = [HELD, CONFIRMED, PAID, CANCELLED, EXPIRED, RELEASED];
}

/// The states of an application for space.
pub mod application_state {
    /// Waiting for the allocation.
    pub const PENDING: &str = "pending";
    /// Given a booth.
    pub const ALLOCATED: &str = "allocated";
    /// No space yet: first in line when a matching booth comes free.
    pub const WAITLISTED: &str = "waitlisted";
    /// A freed booth is held for the firm to confirm.
    pub const OFFERED: &str = "offered";
    /// An offer ran out unanswered.
    pub const LAPSED: &str = "lapsed";
    pub const WITHDRAWN: &str = "withdrawn";
    pub const ALL: [&str; 6] = [PENDING, ALLOCATED, WAITLISTED, OFFERED, LAPSED, WITHDRAWN];
}

#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
pub mod invoice;
#[cfg(feature = "db")]
mod service;
#[cfg(feature = "db")]
pub use service::*;
