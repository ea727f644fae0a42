//! The languages Fairlink speaks, and how a request chooses one.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Vietnamese: the fair's home language and the default.
    #[default]
    Vi,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Vi, Locale::En];

    pub const fn as_str(self) -> &'static str {
        match self {
            Locale::Vi => "vi",
            Locale::En => "en",
        }
    }

    /// Parses a language tag ("vi", "vi-VN", "en-GB", "EN").
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Locale::Vi),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// Chooses a locale from an `Accept-Language` header, honouring q-values.
    /// Visitors whose languages we do not speak get English (the trade
    /// language of the fair's foreign buyers); no header at all gets
    /// Vietnamese.
    pub fn from_accept_language(header: Option<&str>) -> Locale {
        let Some(header) = header.filter(|h| !h.trim().is_empty()) else {
            return Locale::Vi;
        };
        let mut best: Option<(f32, usize, Locale)> = None;
        for (index, item) in header.split(',').enumerate().take(32) {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut q = 1.0f32;
            for param in parts {
                if let Some(value) = param.trim().strip_prefix("q=") {
                    q = value.trim().parse().unwrap_or(0.0);
                }
            }
            if q.is_nan() || q <= 0.0 {
                continue;
            }
            if let Some(locale) = Locale::parse(tag) {
                let better = match best {
                    None => true,
                    Some((bq, bi, _)) => q > bq || (q == bq && index < bi),
                };
                if better {
                    best = Some((q, index, locale));
                }
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Locale::En)
    }

    /// The other language, for a one-button switch.
    pub const fn other(self) -> Locale {
        match self {
            Locale::Vi => Locale::En,
            Locale::En => Locale::Vi,
        }
    }

    /// The language's own name, as shown on the switch.
    pub const fn native_name(self) -> &'static str {
        match self {
            Locale::Vi => "Tiếng Việt",
            Locale::En => "English",
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tags() {
        assert_eq!(Locale::parse("vi"), Some(Locale::Vi));
        assert_eq!(Locale::parse("vi-VN"), Some(Locale::Vi));
        assert_eq!(Locale::parse("EN_gb"), Some(Locale::En));
        assert_eq!(Locale::parse("ja"), None);
        assert_eq!(Locale::parse(""), None);
    }

    #[test]
    fn accept_language_respects_quality() {
        assert_eq!(Locale::from_accept_language(None), Locale::Vi);
        assert_eq!(Locale::from_accept_language(Some("")), Locale::Vi);
        assert_eq!(
            Locale::from_accept_language(Some("en-US,en;q=0.9")),
            Locale::En
        );
        assert_eq!(
            Locale::from_accept_language(Some("en;q=0.5, vi-VN;q=0.9")),
            Locale::Vi
        );
        assert_eq!(
            Locale::from_accept_language(Some("ja, ko;q=0.8")),
            Locale::En
        );
        assert_eq!(
            Locale::from_accept_language(Some("ja, vi;q=0.1, en;q=0")),
            Locale::Vi
        );
        assert_eq!(
            Locale::from_accept_language(Some(";;;,,,q=abc")),
            Locale::En
        );
    }
}
