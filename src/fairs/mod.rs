//! Fairs: what, where and when.

use crate::Locale;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A fair as pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fair {
    pub id: Uuid,
    pub slug: String,
    pub name_vi: String,
    pub name_en: String,
    pub venue_vi: String,
    pub venue_en: String,
    pub city: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
    pub time_zone: String,
    /// VAT on booths, in percent.
    #[serde(default = "default_vat")]
    pub vat_percent: i32,
    /// How long a picked booth stays held for its firm to confirm.
    #[serde(default = "default_hold")]
    pub hold_minutes: i32,
    /// Firms may pick booths from this day (in the fair's time zone)...
    #[serde(default)]
    pub booking_opens_on: Option<NaiveDate>,
    /// ... to this day, inclusive.
    #[serde(default)]
    pub booking_closes_on: Option<NaiveDate>,
    /// Visitors and firms may register until this day.
    #[serde(default)]
    pub registration_closes_on: Option<NaiveDate>,
}

/// VAT on booth rental in Vietnam unless a fair says otherwise.
pub const DEFAULT_VAT_PERCENT: i32 = 8;
/// Minutes a picked booth stays held unless a fair says otherwise.
pub const DEFAULT_HOLD_MINUTES: i32 = 15;

fn default_vat() -> i32 {
    DEFAULT_VAT_PERCENT
}

fn default_hold() -> i32 {
    DEFAULT_HOLD_MINUTES
}

impl Fair {
    /// Booking is open on `today` (a date in the fair's time zone).
    pub fn booking_open(&self, today: NaiveDate) -> bool {
        self.booking_opens_on.is_none_or(|d| today >= d)
            && self.booking_closes_on.is_none_or(|d| today <= d)
    }

    /// Whether visitors may still register on `today` (the fair's day).
    pub fn registration_open(&self, today: NaiveDate) -> bool {
        self.registration_closes_on.is_none_or(|d| today <= d) && today <= self.ends_on
    }

    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Vi => &self.name_vi,
            Locale::En => &self.name_en,
        }
    }

    pub fn venue(&self, locale: Locale) -> &str {
        match locale {
            Locale::Vi => &self.venue_vi,
            Locale::En => &self.venue_en,
        }
    }

    /// The fair's days, first to last.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.starts_on
            .iter_days()
            .take_while(|d| *d <= self.ends_on)
            .take(62)
            .collect()
    }
}

#[cfg(feature = "db")]
pub mod entity;
#[cfg(feature = "db")]
mod service;
#[cfg(feature = "db")]
pub use service::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_days_inclusive() {
        let fair = Fair {
            id: Uuid::nil(),
            slug: "x".into(),
            name_vi: "Hội chợ".into(),
            name_en: "Fair".into(),
            venue_vi: "".into(),
            venue_en: "".into(),
            city: "Hà Nội".into(),
            starts_on: NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            opens_at: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            closes_at: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            time_zone: "Asia/Ho_Chi_Minh".into(),
            vat_percent: 8,
            hold_minutes: 15,
            booking_opens_on: NaiveDate::from_ymd_opt(2026, 9, 1),
            booking_closes_on: NaiveDate::from_ymd_opt(2026, 12, 10),
            registration_closes_on: None,
        };
        assert!(fair.booking_open(NaiveDate::from_ymd_opt(2026, 12, 10).unwrap()));
        assert!(!fair.booking_open(NaiveDate::from_ymd_opt(2026, 12, 11).unwrap()));
        assert!(!fair.booking_open(NaiveDate::from_ymd_opt(2026, 8, 31).unwrap()));
        assert_eq!(fair.days().len(), 3);
        assert_eq!(fair.name(Locale::En), "Fair");
        assert_eq!(fair.name(Locale::Vi), "Hội chợ");
    }
}
