//! iCalendar (RFC 5545) files for agendas: one VEVENT per meeting, times in
//! the fair's zone (with its VTIMEZONE), text escaped, long lines folded.

use chrono::{DateTime, FixedOffset, Utc};

/// One meeting as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across updates, so calendars replace rather than duplicate.
    pub uid: String,
    pub start: DateTime<Utc>,
    pub minutes: i32,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// Cancelled meetings are sent with STATUS:CANCELLED.
    pub cancelled: bool,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (never inside a character).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn offset_text(o: FixedOffset) -> String {
    let secs = o.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let secs = secs.abs();
    format!("{sign}{:02}{:02}", secs / 3600, secs % 3600 / 60)
}

/// A calendar named `name` in the zone `zone` (an IANA name whose offset is
/// fixed, as Vietnam's is).
pub fn calendar(
    name: &str,
    zone: &str,
    offset: FixedOffset,
    events: &[Event],
    stamp: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let zone = escape(zone);
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Fairlink//Meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{zone}"));
    line(&mut out, "BEGIN:VTIMEZONE");
    line(&mut out, &format!("TZID:{zone}"));
    line(&mut out, "BEGIN:STANDARD");
    line(&mut out, "DTSTART:19700101T000000");
    line(&mut out, &format!("TZOFFSETFROM:{}", offset_text(offset)));
    line(&mut out, &format!("TZOFFSETTO:{}", offset_text(offset)));
    line(&mut out, "END:STANDARD");
    line(&mut out, "END:VTIMEZONE");
    let local = |t: DateTime<Utc>| t.with_timezone(&offset).format("%Y%m%dT%H%M%S").to_string();
    for e in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", escape(&e.uid)));
        line(
            &mut out,
            &format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")),
        );
        line(
            &mut out,
            &format!("SEQUENCE:{}", stamp.timestamp().max(0) / 60 % 1_000_000_000),
        );
        line(&mut out, &format!("DTSTART;TZID={zone}:{}", local(e.start)));
        line(
            &mut out,
            &format!(
                "DTEND;TZID={zone}:{}",
                local(e.start + chrono::Duration::minutes(e.minutes as i64))
            ),
        );
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        line(&mut out, &format!("LOCATION:{}", escape(&e.location)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        line(
            &mut out,
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_folded_escaped_and_end_in_crlf() {
        let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
        let start = DateTime::parse_from_rfc3339("2027-03-10T09:00:00+07:00")
            .expect("date")
            .with_timezone(&Utc);
        let e = Event {
            uid: "r1@fairlink".into(),
            start,
            minutes: 30,
            summary: "Gặp Công ty TNHH Cơ khí Chính xác Hà Nội; bàn 7, khu B2B".into(),
            location: "Bàn 7".into(),
            description: "x".repeat(200),
            cancelled: false,
        };
        let text = calendar("Lịch gặp", "Asia/Ho_Chi_Minh", tz, &[e], start);
        assert!(text.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20270310T090000\r\n"));
        assert!(text.contains("DTEND;TZID=Asia/Ho_Chi_Minh:20270310T093000\r\n"));
        assert!(text.contains("TZOFFSETTO:+0700"));
        assert!(text.contains("Nội\\; bàn 7\\, khu"));
        for l in text.split("\r\n") {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        assert!(!text.replace("\r\n", "").contains('\n'));
    }
}
