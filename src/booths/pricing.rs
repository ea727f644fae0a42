//! What a booth costs: the booth at its price per m² (or a set price), the
//! surcharge for open sides (corner, peninsula, island), options, VAT.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub base: i64,
    pub surcharge: i64,
    pub options: i64,
    pub vat: i64,
    pub total: i64,
}

/// Rounds half up to whole đồng.
fn percent_of(amount: i64, percent: i64) -> i64 {
    (amount * percent + 50) / 100
}

pub fn price(
    area_m2: i64,
    price_per_m2: i64,
    set_price: Option<i64>,
    surcharge_percent: i64,
    options: i64,
    vat_percent: i64,
) -> Price {
    let base = set_price.unwrap_or(area_m2 * price_per_m2);
    let surcharge = percent_of(base, surcharge_percent);
    let net = base + surcharge + options;
    let vat = percent_of(net, vat_percent);
    Price {
        base,
        surcharge,
        options,
        vat,
        total: net + vat,
    }
}

/// Extras a firm may order with its booth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extra {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub price: i64,
}

pub const EXTRAS: &[Extra] = &[
    Extra {
        code: "power_3kw",
        name_vi: "Điện 3 kW thêm",
        name_en: "Extra 3 kW power",
        price: 1_500_000,
    },
    Extra {
        code: "furniture",
        name_vi: "Bộ nội thất (bàn, 2 ghế, kệ)",
        name_en: "Furniture set (table, 2 chairs, shelf)",
        price: 2_500_000,
    },
    Extra {
        code: "storage",
        name_vi: "Kho nhỏ có khóa",
        name_en: "Lockable store room",
        price: 1_000_000,
    },
    Extra {
        code: "internet",
        name_vi: "Internet có dây",
        name_en: "Wired internet",
        price: 800_000,
    },
];

/// The extras named by `codes` (unknown codes are refused), without repeats.
pub fn extras(codes: &[String]) -> Option<Vec<&'static Extra>> {
    let mut out: Vec<&'static Extra> = Vec::new();
    for code in codes {
        let extra = EXTRAS.iter().find(|e| e.code == code.as_str())?;
        if !out.iter().any(|e| e.code == extra.code) {
            out.push(extra);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corner_booth_with_vat() {
        // 9 m² at 2,500,000 ₫/m², corner +10 %, VAT 8 %.
        let p = price(9, 2_500_000, None, 10, 0, 8);
        assert_eq!(p.base, 22_500_000);
        assert_eq!(p.surcharge, 2_250_000);
        assert_eq!(p.vat, 1_980_000);
        assert_eq!(p.total, 26_730_000);
        assert_eq!(p.base + p.surcharge + p.options + p.vat, p.total);
        let set = price(36, 1, Some(50_000_000), 0, 3_000_000, 10);
        assert_eq!(set.total, 58_300_000);
    }
}
