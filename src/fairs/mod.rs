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
}

impl Fair {
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
        };
        assert_eq!(fair.days().len(), 3);
        assert_eq!(fair.name(Locale::En), "Fair");
        assert_eq!(fair.name(Locale::Vi), "Hội chợ");
    }
}
