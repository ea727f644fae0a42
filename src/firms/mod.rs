//! Firms: the exhibiting companies, their members and certificates.

mod sector;
mod tax_code;
pub mod vocabulary;

pub use sector::SectorGroup;
pub use tax_code::TaxCode;

#[cfg(feature = "db")]
pub mod audit;
#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
pub mod identity;
#[cfg(feature = "db")]
pub mod profile;
#[cfg(feature = "db")]
pub mod review;
#[cfg(feature = "db")]
pub mod search;
#[cfg(feature = "db")]
mod service;
#[cfg(feature = "db")]
pub mod transfer;
#[cfg(feature = "db")]
pub mod uploads;
#[cfg(feature = "db")]
pub use service::*;

/// The status a firm's profile is in.
pub mod status {
    pub const DRAFT: &str = "draft";
    pub const SUBMITTED: &str = "submitted";
    pub const CHANGES_REQUESTED: &str = "changes_requested";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
    /// Withdrawn by the firm itself (its tax code is free again).
    pub const WITHDRAWN: &str = "withdrawn";
    pub const ALL: [&str; 6] = [
        DRAFT,
        SUBMITTED,
        CHANGES_REQUESTED,
        APPROVED,
        REJECTED,
        WITHDRAWN,
    ];
}

/// The columns of a firm import file, in order; the first row names them.
pub const IMPORT_COLUMNS: &[&str] = &[
    "tax_code",
    "legal_name",
    "name_en",
    "sector_group",
    "province",
    "address",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "employees",
    "revenue_band",
    "founded_year",
    "processes",
    "materials",
    "markets",
    "products",
    "description_vi",
    "description_en",
];
