//! Fairlink domain core: what a supporting-industry trade fair is and what may
//! happen to it.
//!
//! Without the `db` feature this crate holds only value types and rules that
//! the browser needs too (it compiles to wasm32). With `db` it adds the
//! persistence layer (sea-orm entities and migrations) and the services that
//! change state, each inside one transaction.

pub mod accounts;
pub mod badges;
pub mod booths;
pub mod error;
pub mod fairs;
pub mod firms;
pub mod format;
pub mod locale;
pub mod meetings;
pub mod text;

#[cfg(feature = "db")]
pub mod db;
#[cfg(feature = "db")]
pub mod mail;
#[cfg(feature = "db")]
pub mod pdf;
#[cfg(feature = "db")]
pub mod secret;
#[cfg(feature = "db")]
pub mod seed;
#[cfg(feature = "db")]
pub mod testing;

pub use error::{Error, ErrorCode, Result};
pub use locale::Locale;
