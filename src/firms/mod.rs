//! Firms: the exhibiting companies, their members and certificates.

mod sector;
mod tax_code;

pub use sector::SectorGroup;
pub use tax_code::TaxCode;

#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
mod service;
#[cfg(feature = "db")]
pub use service::*;

/// The status a firm's profile is in.
pub mod status {
    pub const DRAFT: &str = "draft";
    pub const SUBMITTED: &str = "submitted";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
}
