//! The firms' vocabulary: manufacturing processes, materials, export
//! markets, certificates, revenue bands and provinces, each with a stable
//! code and its name in Vietnamese and English. Profiles store codes; pages
//! and the search index use the names (both languages are indexed, so a
//! buyer finds "đúc áp lực" by typing "die casting").

use crate::Locale;

/// One entry: a stable code, its Vietnamese and English names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub code: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
}

impl Term {
    pub fn label(&self, locale: Locale) -> &'static str {
        match locale {
            Locale::Vi => self.vi,
            Locale::En => self.en,
        }
    }
}

const fn t(code: &'static str, vi: &'static str, en: &'static str) -> Term {
    Term { code, vi, en }
}

pub const PROCESSES: &[Term] = &[
    t("die_casting", "Đúc áp lực", "Die casting"),
    t("sand_casting", "Đúc khuôn cát", "Sand casting"),
    t("forging", "Rèn dập nóng", "Forging"),
    t("cnc_machining", "Gia công CNC", "CNC machining"),
    t("stamping", "Dập kim loại tấm", "Metal stamping"),
    t(
        "injection_moulding",
        "Ép phun nhựa",
        "Plastic injection moulding",
    ),
    t("rubber_moulding", "Đúc cao su", "Rubber moulding"),
    t("extrusion", "Đùn ép", "Extrusion"),
    t("welding", "Hàn", "Welding"),
    t("heat_treatment", "Nhiệt luyện", "Heat treatment"),
    t(
        "surface_treatment",
        "Mạ và xử lý bề mặt",
        "Plating and surface treatment",
    ),
    t("powder_coating", "Sơn tĩnh điện", "Powder coating"),
    t("mould_making", "Chế tạo khuôn mẫu", "Mould and die making"),
    t("pcb_assembly", "Lắp ráp bo mạch (PCBA)", "PCB assembly"),
    t(
        "smt",
        "Dán linh kiện bề mặt (SMT)",
        "Surface-mount technology (SMT)",
    ),
    t(
        "wire_harness",
        "Sản xuất bó dây điện",
        "Wire harness assembly",
    ),
    t("spinning", "Kéo sợi", "Spinning"),
    t("weaving", "Dệt thoi", "Weaving"),
    t("knitting", "Dệt kim", "Knitting"),
    t("dyeing", "Nhuộm và hoàn tất", "Dyeing and finishing"),
    t("tanning", "Thuộc da", "Leather tanning"),
    t("cutting_sewing", "Cắt may", "Cutting and sewing"),
    t("sole_moulding", "Ép đế giày", "Shoe sole moulding"),
    t("additive_manufacturing", "In 3D", "3D printing"),
];

pub const MATERIALS: &[Term] = &[
    t("steel", "Thép", "Steel"),
    t("stainless_steel", "Thép không gỉ", "Stainless steel"),
    t("aluminium", "Nhôm", "Aluminium"),
    t("copper", "Đồng", "Copper"),
    t("brass", "Đồng thau", "Brass"),
    t("zinc_alloy", "Hợp kim kẽm", "Zinc alloy"),
    t("cast_iron", "Gang", "Cast iron"),
    t(
        "engineering_plastics",
        "Nhựa kỹ thuật",
        "Engineering plastics",
    ),
    t("abs", "Nhựa ABS", "ABS plastic"),
    t("polypropylene", "Nhựa PP", "Polypropylene"),
    t("rubber", "Cao su", "Rubber"),
    t("silicone", "Silicone", "Silicone"),
    t("cotton", "Bông", "Cotton"),
    t("polyester", "Polyester", "Polyester"),
    t("nylon", "Nylon", "Nylon"),
    t("leather", "Da thuộc", "Leather"),
    t("synthetic_leather", "Da tổng hợp", "Synthetic leather"),
    t("fr4", "Tấm mạch FR-4", "FR-4 laminate"),
    t(
        "electronic_components",
        "Linh kiện điện tử",
        "Electronic components",
    ),
    t("glass", "Thủy tinh", "Glass"),
    t("ceramics", "Gốm kỹ thuật", "Technical ceramics"),
    t("paperboard", "Giấy bìa", "Paperboard"),
];

pub const MARKETS: &[Term] = &[
    t("jp", "Nhật Bản", "Japan"),
    t("kr", "Hàn Quốc", "Korea"),
    t("cn", "Trung Quốc", "China"),
    t("tw", "Đài Loan", "Taiwan"),
    t("eu", "Liên minh châu Âu", "European Union"),
    t("us", "Hoa Kỳ", "United States"),
    t("asean", "ASEAN", "ASEAN"),
    t("in", "Ấn Độ", "India"),
    t("au", "Úc", "Australia"),
    t("mx", "Mexico", "Mexico"),
    t("vn", "Thị trường trong nước", "Vietnam (domestic)"),
];

pub const CERTIFICATES: &[Term] = &[
    t("iso_9001", "ISO 9001", "ISO 9001"),
    t("iatf_16949", "IATF 16949", "IATF 16949"),
    t("iso_14001", "ISO 14001", "ISO 14001"),
    t("iso_13485", "ISO 13485", "ISO 13485"),
    t("iso_45001", "ISO 45001", "ISO 45001"),
    t("oeko_tex", "OEKO-TEX", "OEKO-TEX"),
    t(
        "lwg",
        "LWG (Leather Working Group)",
        "LWG (Leather Working Group)",
    ),
    t("bsci", "amfori BSCI", "amfori BSCI"),
    t("other", "Chứng chỉ khác", "Other certificate"),
];

pub const REVENUE_BANDS: &[Term] = &[
    t("lt_10b", "Dưới 10 tỷ đồng", "Under VND 10 billion"),
    t("10b_50b", "10–50 tỷ đồng", "VND 10–50 billion"),
    t("50b_200b", "50–200 tỷ đồng", "VND 50–200 billion"),
    t("200b_1000b", "200–1.000 tỷ đồng", "VND 200–1,000 billion"),
    t("gt_1000b", "Trên 1.000 tỷ đồng", "Over VND 1,000 billion"),
];

/// Provinces and centrally-run cities (after the 2025 merger into 34).
pub const PROVINCES: &[Term] = &[
    t("ha_noi", "Hà Nội", "Hanoi"),
    t("ho_chi_minh", "TP. Hồ Chí Minh", "Ho Chi Minh City"),
    t("hai_phong", "Hải Phòng", "Hai Phong"),
    t("da_nang", "Đà Nẵng", "Da Nang"),
    t("can_tho", "Cần Thơ", "Can Tho"),
    t("hue", "Huế", "Hue"),
    t("bac_ninh", "Bắc Ninh", "Bac Ninh"),
    t("hung_yen", "Hưng Yên", "Hung Yen"),
    t("phu_tho", "Phú Thọ", "Phu Tho"),
    t("thai_nguyen", "Thái Nguyên", "Thai Nguyen"),
    t("quang_ninh", "Quảng Ninh", "Quang Ninh"),
    t("ninh_binh", "Ninh Bình", "Ninh Binh"),
    t("thanh_hoa", "Thanh Hóa", "Thanh Hoa"),
    t("nghe_an", "Nghệ An", "Nghe An"),
    t("ha_tinh", "Hà Tĩnh", "Ha Tinh"),
    t("quang_tri", "Quảng Trị", "Quang Tri"),
    t("quang_ngai", "Quảng Ngãi", "Quang Ngai"),
    t("gia_lai", "Gia Lai", "Gia Lai"),
    t("khanh_hoa", "Khánh Hòa", "Khanh Hoa"),
    t("dak_lak", "Đắk Lắk", "Dak Lak"),
    t("lam_dong", "Lâm Đồng", "Lam Dong"),
    t("dong_nai", "Đồng Nai", "Dong Nai"),
    t("tay_ninh", "Tây Ninh", "Tay Ninh"),
    t("dong_thap", "Đồng Tháp", "Dong Thap"),
    t("vinh_long", "Vĩnh Long", "Vinh Long"),
    t("an_giang", "An Giang", "An Giang"),
    t("ca_mau", "Cà Mau", "Ca Mau"),
    t("lao_cai", "Lào Cai", "Lao Cai"),
    t("tuyen_quang", "Tuyên Quang", "Tuyen Quang"),
    t("lang_son", "Lạng Sơn", "Lang Son"),
    t("cao_bang", "Cao Bằng", "Cao Bang"),
    t("dien_bien", "Điện Biên", "Dien Bien"),
    t("lai_chau", "Lai Châu", "Lai Chau"),
    t("son_la", "Sơn La", "Son La"),
];

/// The entry of `list` with `code`.
pub fn find(list: &'static [Term], code: &str) -> Option<&'static Term> {
    list.iter().find(|t| t.code == code)
}

/// The name of `code` in `list`, or the code itself if unknown.
pub fn label(list: &'static [Term], code: &str, locale: Locale) -> String {
    find(list, code).map_or_else(|| code.to_string(), |t| t.label(locale).to_string())
}

/// The province whose Vietnamese or English name (with or without
/// diacritics) or code is `name`.
pub fn province(name: &str) -> Option<&'static Term> {
    let key = crate::text::fold(name.trim());
    PROVINCES.iter().find(|p| {
        p.code == key || crate::text::fold(p.vi) == key || crate::text::fold(p.en) == key || {
            // "TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Ho Chi Minh"
            let bare = key
                .trim_start_matches("thanh pho ")
                .trim_start_matches("tp. ")
                .trim_start_matches("tp ")
                .trim_start_matches("tinh ");
            crate::text::fold(p.vi).trim_start_matches("tp. ") == bare
                || crate::text::fold(p.en).trim_end_matches(" city") == bare
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_names_present() {
        for list in [
            PROCESSES,
            MATERIALS,
            MARKETS,
            CERTIFICATES,
            REVENUE_BANDS,
            PROVINCES,
        ] {
            let codes: HashSet<_> = list.iter().map(|t| t.code).collect();
            assert_eq!(codes.len(), list.len());
            for t in list {
                assert!(!t.vi.is_empty() && !t.en.is_empty());
                assert!(
                    t.code
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                );
            }
        }
        assert_eq!(PROVINCES.len(), 34);
    }

    #[test]
    fn provinces_are_found_however_written() {
        assert_eq!(province("Hà Nội").unwrap().code, "ha_noi");
        assert_eq!(province("ha noi").unwrap().code, "ha_noi");
        assert_eq!(province("Hanoi").unwrap().code, "ha_noi");
        assert_eq!(province("TP. Hồ Chí Minh").unwrap().code, "ho_chi_minh");
        assert_eq!(
            province("Thành phố Hồ Chí Minh").unwrap().code,
            "ho_chi_minh"
        );
        assert_eq!(province("Ho Chi Minh City").unwrap().code, "ho_chi_minh");
        assert_eq!(province("Bắc Ninh").unwrap().code, "bac_ninh");
        assert!(province("Atlantis").is_none());
        assert_eq!(label(MARKETS, "jp", Locale::Vi), "Nhật Bản");
        assert_eq!(label(MARKETS, "zz", Locale::En), "zz");
    }
}
