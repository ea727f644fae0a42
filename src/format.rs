//! Numbers, money, dates and times as each language writes them.
//!
//! Vietnamese groups thousands with dots ("25.000.000 ₫") and writes dates
//! day first ("28/11/2026"); English groups with commas ("VND 25,000,000").
//! Times are shown in the fair's time zone; Vietnam keeps UTC+7 all year.

use crate::Locale;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike, Utc};

/// The time zone every fair uses unless it says otherwise.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// UTC offsets of the zones fairs in the region use. None of them observes
/// daylight saving time, so a fixed offset is exact.
pub fn zone_offset(zone: &str) -> Option<FixedOffset> {
    let hours = match zone {
        "Asia/Ho_Chi_Minh" | "Asia/Saigon" | "Asia/Bangkok" | "Asia/Jakarta" | "Asia/Vientiane"
        | "Asia/Phnom_Penh" => 7,
        "Asia/Singapore" | "Asia/Kuala_Lumpur" | "Asia/Shanghai" | "Asia/Taipei"
        | "Asia/Manila" | "Asia/Hong_Kong" => 8,
        "Asia/Tokyo" | "Asia/Seoul" => 9,
        "UTC" | "Etc/UTC" => 0,
        _ => return None,
    };
    FixedOffset::east_opt(hours * 3600)
}

/// The calendar day of `at` in `zone` (a fair's time zone).
pub fn day_in(zone: &str, at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    // Checked: at the ends of chrono's range the local time does not exist
    // (a forged scan time must not panic the server).
    at.naive_utc()
        .checked_add_offset(offset_or_default(zone))
        .map_or_else(|| at.date_naive(), |local| local.date())
}

pub fn offset_or_default(zone: &str) -> FixedOffset {
    zone_offset(zone)
        .or_else(|| zone_offset(DEFAULT_TIME_ZONE))
        .unwrap_or_else(|| FixedOffset::east_opt(7 * 3600).expect("valid offset"))
}

/// An integer with thousands grouped the locale's way.
pub fn integer(value: i64, locale: Locale) -> String {
    let separator = match locale {
        Locale::Vi => '.',
        Locale::En => ',',
    };
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(ch);
    }
    out
}

/// An amount of Vietnamese đồng (which has no minor unit).
pub fn vnd(amount: i64, locale: Locale) -> String {
    match locale {
        Locale::Vi => format!("{} ₫", integer(amount, locale)),
        Locale::En => format!("VND {}", integer(amount, locale)),
    }
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_VI: [&str; 7] = [
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ Nhật",
];

/// A calendar date: "28/11/2026" or "28 Nov 2026".
pub fn date(d: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::Vi => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
        Locale::En => format!(
            "{} {} {}",
            d.day(),
            MONTHS_EN[d.month0() as usize],
            d.year()
        ),
    }
}

/// A date with its weekday: "Thứ Bảy, 28/11/2026" or "Saturday, 28 Nov 2026".
pub fn date_long(d: NaiveDate, locale: Locale) -> String {
    let weekday = d.weekday().num_days_from_monday() as usize;
    match locale {
        Locale::Vi => format!("{}, {}", WEEKDAYS_VI[weekday], date(d, locale)),
        Locale::En => format!("{}, {}", WEEKDAYS_EN[weekday], date(d, locale)),
    }
}

/// A span of days: "26–28/11/2026" or "26–28 Nov 2026" when the month is shared.
pub fn date_range(start: NaiveDate, end: NaiveDate, locale: Locale) -> String {
    if start == end {
        return date(start, locale);
    }
    if start.year() == end.year() && start.month() == end.month() {
        return match locale {
            Locale::Vi => format!("{:02}–{}", start.day(), date(end, locale)),
            Locale::En => format!("{}–{}", start.day(), date(end, locale)),
        };
    }
    format!("{} – {}", date(start, locale), date(end, locale))
}

/// A time of day on the 24-hour clock, which both languages use on fair
/// schedules: "08:30".
pub fn time(t: NaiveTime) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// An instant shown in a time zone: "14:30 28/11/2026" or "28 Nov 2026, 14:30".
pub fn datetime(at: DateTime<Utc>, zone: &str, locale: Locale) -> String {
    let local = at.with_timezone(&offset_or_default(zone));
    let (d, t) = (local.date_naive(), local.time());
    match locale {
        Locale::Vi => format!("{} {}", time(t), date(d, locale)),
        Locale::En => format!("{}, {}", date(d, locale), time(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_group_thousands_per_locale() {
        assert_eq!(integer(0, Locale::Vi), "0");
        assert_eq!(integer(999, Locale::En), "999");
        assert_eq!(integer(1000, Locale::Vi), "1.000");
        assert_eq!(integer(1234567, Locale::En), "1,234,567");
        assert_eq!(integer(-25000000, Locale::Vi), "-25.000.000");
        assert_eq!(integer(i64::MIN, Locale::En), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn money_in_dong() {
        assert_eq!(vnd(25_000_000, Locale::Vi), "25.000.000 ₫");
        assert_eq!(vnd(25_000_000, Locale::En), "VND 25,000,000");
    }

    #[test]
    fn dates_per_locale() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(date(d, Locale::Vi), "28/11/2026");
        assert_eq!(date(d, Locale::En), "28 Nov 2026");
        assert_eq!(date_long(d, Locale::Vi), "Thứ Bảy, 28/11/2026");
        assert_eq!(date_long(d, Locale::En), "Saturday, 28 Nov 2026");
        let s = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(date_range(s, d, Locale::Vi), "26–28/11/2026");
        assert_eq!(date_range(s, d, Locale::En), "26–28 Nov 2026");
        let e = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(date_range(d, e, Locale::En), "28 Nov 2026 – 1 Dec 2026");
    }

    #[test]
    fn instants_shown_in_the_fair_zone() {
        // 07:30 UTC is 14:30 in Hanoi.
        let at = DateTime::parse_from_rfc3339("2026-11-28T07:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            datetime(at, "Asia/Ho_Chi_Minh", Locale::Vi),
            "14:30 28/11/2026"
        );
        assert_eq!(
            datetime(at, "Asia/Ho_Chi_Minh", Locale::En),
            "28 Nov 2026, 14:30"
        );
        assert_eq!(datetime(at, "Asia/Tokyo", Locale::En), "28 Nov 2026, 16:30");
        // An unknown zone falls back to the default, never panics.
        assert_eq!(datetime(at, "Mars/Olympus", Locale::Vi), "14:30 28/11/2026");
        // Crossing midnight changes the local date.
        let late = DateTime::parse_from_rfc3339("2026-11-28T18:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            datetime(late, "Asia/Ho_Chi_Minh", Locale::Vi),
            "01:00 29/11/2026"
        );
    }
}
