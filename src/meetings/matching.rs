//! Recommendations: how well a supplier fits what a buyer sources, with the
//! reasons shown to both.
//!
//! A transparent sum of points, each with its reason:
//!
//! | match | points |
//! |---|---|
//! | the same HS subheading (6 digits) / heading (4) / chapter (2) | 40 / 25 / 10 (the best pair counts) |
//! | each process the buyer needs and the supplier runs (up to 3) | 15 |
//! | each material (up to 3) | 8 |
//! | each required certificate: verified / claimed but not yet verified / missing | +20 / +8 / −30 |
//! | each market the buyer supplies that the supplier exports to (up to 3) | 6 |
//! | a language both speak | 5 |
//!
//! A supplier is recommended only when it matches something the buyer makes
//! things from (an HS code, a process or a material) and its total is
//! positive. Profiles are compiled once into bit sets, so ranking 5,000
//! suppliers for a buyer takes a few hundred microseconds.

use crate::firms::vocabulary::{CERTIFICATES, MARKETS, MATERIALS, PROCESSES, Term};
use serde::{Deserialize, Serialize};

/// Languages a buyer or a supplier's staff speak at meetings.
pub const LANGUAGES: &[Term] = &[
    Term {
        code: "vi",
        vi: "Tiếng Việt",
        en: "Vietnamese",
    },
    Term {
        code: "en",
        vi: "Tiếng Anh",
        en: "English",
    },
    Term {
        code: "ja",
        vi: "Tiếng Nhật",
        en: "Japanese",
    },
    Term {
        code: "ko",
        vi: "Tiếng Hàn",
        en: "Korean",
    },
    Term {
        code: "zh",
        vi: "Tiếng Trung",
        en: "Chinese",
    },
    Term {
        code: "de",
        vi: "Tiếng Đức",
        en: "German",
    },
    Term {
        code: "fr",
        vi: "Tiếng Pháp",
        en: "French",
    },
];

/// What a buyer sources (codes from the firms' vocabulary).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub hs_codes: Vec<String>,
    pub processes: Vec<String>,
    pub materials: Vec<String>,
    pub certificates: Vec<String>,
    pub markets: Vec<String>,
    pub languages: Vec<String>,
}

/// What a supplier offers, from its firm profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub hs_codes: Vec<String>,
    pub processes: Vec<String>,
    pub materials: Vec<String>,
    /// Certificate kinds, with whether the organiser verified them.
    pub certificates: Vec<(String, bool)>,
    pub markets: Vec<String>,
    pub languages: Vec<String>,
}

/// One reason, as shown next to a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The matching HS code (as the supplier lists it).
    HsCode(String),
    Process(String),
    Material(String),
    CertificateVerified(String),
    CertificateClaimed(String),
    CertificateMissing(String),
    Market(String),
    Language(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fit {
    pub points: i32,
    /// Strongest first.
    pub reasons: Vec<Reason>,
}

fn bits(codes: &[String], terms: &[Term]) -> u64 {
    codes
        .iter()
        .filter_map(|c| terms.iter().position(|t| t.code == c))
        .filter(|i| *i < 64)
        .fold(0, |acc, i| acc | 1 << i)
}

fn codes(set: u64, terms: &[Term]) -> impl Iterator<Item = &'static str> + '_ {
    terms
        .iter()
        .enumerate()
        .filter(move |(i, _)| set >> i & 1 == 1)
        .map(|(_, t)| t.code)
}

/// HS codes as whole numbers of their digits (at least 2), with the count.
fn hs(codes: &[String]) -> Vec<(u32, u8)> {
    codes
        .iter()
        .filter_map(|c| {
            let digits: String = c.chars().filter(char::is_ascii_digit).take(6).collect();
            (digits.len() >= 2).then(|| (digits.parse().unwrap_or(0), digits.len() as u8))
        })
        .collect()
}

/// Points for the best pair: common prefix of 6, 4 or 2 digits.
fn hs_points(need: &[(u32, u8)], offer: &[(u32, u8)]) -> (i32, usize) {
    let mut best = (0, usize::MAX);
    for &(a, la) in need {
        for (j, &(b, lb)) in offer.iter().enumerate() {
            for (len, points) in [(6u8, 40), (4, 25), (2, 10)] {
                if la >= len && lb >= len {
                    let (x, y) = (
                        a / 10u32.pow((la - len) as u32),
                        b / 10u32.pow((lb - len) as u32),
                    );
                    if x == y {
                        if points > best.0 {
                            best = (points, j);
                        }
                        break;
                    }
                }
            }
        }
    }
    best
}

/// A need compiled for fast scoring.
#[derive(Debug, Clone)]
pub struct NeedKey {
    hs: Vec<(u32, u8)>,
    processes: u64,
    materials: u64,
    certificates: u64,
    markets: u64,
    languages: u64,
}

/// An offer compiled for fast scoring.
#[derive(Debug, Clone)]
pub struct OfferKey {
    hs: Vec<(u32, u8)>,
    hs_text: Vec<String>,
    processes: u64,
    materials: u64,
    verified: u64,
    claimed: u64,
    markets: u64,
    languages: u64,
}

impl Need {
    pub fn key(&self) -> NeedKey {
        NeedKey {
            hs: hs(&self.hs_codes),
            processes: bits(&self.processes, PROCESSES),
            materials: bits(&self.materials, MATERIALS),
            certificates: bits(&self.certificates, CERTIFICATES),
            markets: bits(&self.markets, MARKETS),
            languages: bits(&self.languages, LANGUAGES),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.hs_codes.is_empty() && self.processes.is_empty() && self.materials.is_empty()
    }
}

impl Offer {
    pub fn key(&self) -> OfferKey {
        let verified: Vec<String> = self
            .certificates
            .iter()
            .filter(|c| c.1)
            .map(|c| c.0.clone())
            .collect();
        let claimed: Vec<String> = self
            .certificates
            .iter()
            .filter(|c| !c.1)
            .map(|c| c.0.clone())
            .collect();
        let hs_text = self
            .hs_codes
            .iter()
            .filter(|c| c.chars().filter(char::is_ascii_digit).count() >= 2)
            .cloned()
            .collect();
        OfferKey {
            hs: hs(&self.hs_codes),
            hs_text,
            processes: bits(&self.processes, PROCESSES),
            materials: bits(&self.materials, MATERIALS),
            verified: bits(&verified, CERTIFICATES),
            claimed: bits(&claimed, CERTIFICATES),
            markets: bits(&self.markets, MARKETS),
            languages: bits(&self.languages, LANGUAGES),
        }
    }
}

/// The points alone (no reasons): what ranking needs.
pub fn points(need: &NeedKey, offer: &OfferKey) -> Option<i32> {
    let (hs, _) = hs_points(&need.hs, &offer.hs);
    let processes = (need.processes & offer.processes).count_ones().min(3) as i32;
    let materials = (need.materials & offer.materials).count_ones().min(3) as i32;
    if hs == 0 && processes == 0 && materials == 0 {
        return None;
    }
    let verified = (need.certificates & offer.verified).count_ones() as i32;
    let claimed = (need.certificates & offer.claimed & !offer.verified).count_ones() as i32;
    let missing = (need.certificates & !offer.verified & !offer.claimed).count_ones() as i32;
    let markets = (need.markets & offer.markets).count_ones().min(3) as i32;
    let language = if need.languages & offer.languages != 0 {
        5
    } else {
        0
    };
    let total = hs + 15 * processes + 8 * materials + 20 * verified + 8 * claimed - 30 * missing
        + 6 * markets
        + language;
    (total > 0).then_some(total)
}

/// The points with their reasons, strongest first.
pub fn fit(need: &NeedKey, offer: &OfferKey) -> Option<Fit> {
    let points = points(need, offer)?;
    let mut reasons = Vec::new();
    let (hs, at) = hs_points(&need.hs, &offer.hs);
    if hs > 0 {
        reasons.push((
            hs,
            Reason::HsCode(offer.hs_text.get(at).cloned().unwrap_or_default()),
        ));
    }
    for c in codes(need.certificates & offer.verified, CERTIFICATES) {
        reasons.push((20, Reason::CertificateVerified(c.into())));
    }
    reasons.extend(
        codes(need.processes & offer.processes, PROCESSES)
            .take(3)
            .map(|c| (15, Reason::Process(c.into()))),
    );
    reasons.extend(
        codes(need.materials & offer.materials, MATERIALS)
            .take(3)
            .map(|c| (8, Reason::Material(c.into()))),
    );
    for c in codes(
        need.certificates & offer.claimed & !offer.verified,
        CERTIFICATES,
    ) {
        reasons.push((8, Reason::CertificateClaimed(c.into())));
    }
    reasons.extend(
        codes(need.markets & offer.markets, MARKETS)
            .take(3)
            .map(|c| (6, Reason::Market(c.into()))),
    );
    if let Some(c) = codes(need.languages & offer.languages, LANGUAGES).next() {
        reasons.push((5, Reason::Language(c.into())));
    }
    for c in codes(
        need.certificates & !offer.verified & !offer.claimed,
        CERTIFICATES,
    ) {
        reasons.push((-30, Reason::CertificateMissing(c.into())));
    }
    reasons.sort_by_key(|(p, _)| std::cmp::Reverse(*p));
    Some(Fit {
        points,
        reasons: reasons.into_iter().map(|(_, r)| r).collect(),
    })
}

/// The `limit` best offers for a need: (index into `offers`, fit), best
/// first; equal points keep the offers' order.
pub fn rank(need: &NeedKey, offers: &[OfferKey], limit: usize) -> Vec<(usize, Fit)> {
    let mut scored: Vec<(i32, usize)> = offers
        .iter()
        .enumerate()
        .filter_map(|(i, o)| points(need, o).map(|p| (p, i)))
        .collect();
    let by = |a: &(i32, usize), b: &(i32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if scored.len() > limit && limit > 0 {
        scored.select_nth_unstable_by(limit - 1, by);
        scored.truncate(limit);
    }
    scored.truncate(limit);
    scored.sort_by(by);
    scored
        .into_iter()
        .filter_map(|(_, i)| fit(need, &offers[i]).map(|f| (i, f)))
        .collect()
}

impl Reason {
    /// The reason in words, e.g. "IATF 16949 verified", "exports to Japan".
    pub fn label(&self, locale: crate::Locale) -> String {
        use crate::Locale::{En, Vi};
        let term = |terms: &[Term], code: &str| {
            terms
                .iter()
                .find(|t| t.code == code)
                .map(|t| t.label(locale).to_string())
                .unwrap_or_else(|| code.into())
        };
        match (self, locale) {
            (Reason::HsCode(c), _) => format!("HS {c}"),
            (Reason::Process(c), _) => term(PROCESSES, c),
            (Reason::Material(c), _) => term(MATERIALS, c),
            (Reason::CertificateVerified(c), Vi) => {
                format!("{} đã xác minh", term(CERTIFICATES, c))
            }
            (Reason::CertificateVerified(c), En) => format!("{} verified", term(CERTIFICATES, c)),
            (Reason::CertificateClaimed(c), Vi) => {
                format!("{} (chưa xác minh)", term(CERTIFICATES, c))
            }
            (Reason::CertificateClaimed(c), En) => {
                format!("{} (not yet verified)", term(CERTIFICATES, c))
            }
            (Reason::CertificateMissing(c), Vi) => format!("thiếu {}", term(CERTIFICATES, c)),
            (Reason::CertificateMissing(c), En) => format!("no {}", term(CERTIFICATES, c)),
            (Reason::Market(c), Vi) => format!("xuất khẩu sang {}", term(MARKETS, c)),
            (Reason::Market(c), En) => format!("exports to {}", term(MARKETS, c)),
            (Reason::Language(c), Vi) => format!("nói {}", term(LANGUAGES, c).to_lowercase()),
            (Reason::Language(c), En) => format!("speaks {}", term(LANGUAGES, c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Locale;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn buyer() -> Need {
        Need {
            hs_codes: s(&["8708.99"]),
            processes: s(&["die_casting", "cnc_machining"]),
            materials: s(&["aluminium"]),
            certificates: s(&["iatf_16949"]),
            markets: s(&["jp"]),
            languages: s(&["ja", "en"]),
        }
    }

    #[test]
    fn points_and_reasons_follow_the_table() {
        let offer = Offer {
            hs_codes: s(&["870899"]),
            processes: s(&["die_casting"]),
            materials: s(&["aluminium", "steel"]),
            certificates: vec![("iatf_16949".into(), true), ("iso_9001".into(), true)],
            markets: s(&["jp", "kr"]),
            languages: s(&["en", "vi"]),
        };
        let fit = fit(&buyer().key(), &offer.key()).expect("fits");
        assert_eq!(fit.points, 40 + 15 + 8 + 20 + 6 + 5);
        let words: Vec<String> = fit.reasons.iter().map(|r| r.label(Locale::En)).collect();
        assert_eq!(
            words,
            [
                "HS 870899",
                "IATF 16949 verified",
                "Die casting",
                "Aluminium",
                "exports to Japan",
                "speaks English"
            ]
        );
        assert_eq!(fit.reasons[1].label(Locale::Vi), "IATF 16949 đã xác minh");
    }

    #[test]
    fn headings_chapters_claims_and_missing_certificates_weigh_less() {
        let base = Offer {
            hs_codes: s(&["8708.10"]),
            ..Offer::default()
        };
        let need = buyer().key();
        // Same heading 8708: 25; the required IATF is missing: −30; nothing else.
        assert_eq!(
            points(&need, &base.key()),
            None,
            "25 − 30 is not a recommendation"
        );
        let claimed = Offer {
            certificates: vec![("iatf_16949".into(), false)],
            ..base.clone()
        };
        assert_eq!(points(&need, &claimed.key()), Some(25 + 8));
        let chapter = Offer {
            hs_codes: s(&["8714"]),
            certificates: vec![("iatf_16949".into(), true)],
            ..base
        };
        assert_eq!(points(&need, &chapter.key()), Some(10 + 20));
        // Only certificates and markets in common: not a supplier of what is sourced.
        let unrelated = Offer {
            certificates: vec![("iatf_16949".into(), true)],
            markets: s(&["jp"]),
            ..Offer::default()
        };
        assert_eq!(points(&need, &unrelated.key()), None);
    }

    #[test]
    fn ranking_is_best_first_and_stable() {
        let need = buyer().key();
        let offers: Vec<OfferKey> = (0..50)
            .map(|i| {
                Offer {
                    processes: if i % 2 == 0 {
                        s(&["die_casting"])
                    } else {
                        s(&["welding"])
                    },
                    materials: if i % 5 == 0 {
                        s(&["aluminium"])
                    } else {
                        vec![]
                    },
                    certificates: vec![("iatf_16949".into(), i % 3 == 0)],
                    ..Offer::default()
                }
                .key()
            })
            .collect();
        let top = rank(&need, &offers, 5);
        assert_eq!(top.len(), 5);
        let pts: Vec<i32> = top.iter().map(|(_, f)| f.points).collect();
        assert!(pts.windows(2).all(|w| w[0] >= w[1]), "{pts:?}");
        // i = 0 and 30: die casting, aluminium, IATF verified.
        assert_eq!((top[0].0, top[1].0), (0, 30));
        assert_eq!(top[0].1.points, 15 + 8 + 20);
        let all = rank(&need, &offers, 1000);
        assert!(
            all.iter().all(|(i, _)| i % 2 == 0 || i % 5 == 0),
            "welders without aluminium are not suppliers of this need"
        );
    }
}
