//! Demo data: a Hanoi supporting-industry fair with about 900 firms across
//! the three sector groups (about 320 holding international certificates),
//! a few hundred visitors, an organiser and a staff account.
//!
//! Deterministic (a fixed pseudo-random sequence) and idempotent: when the
//! demo fair exists nothing is written. Everything goes in one transaction.
//! All addresses end in `.example`, so demo mail can never reach anyone.

use crate::accounts::entity::user;
use crate::accounts::{Role, hash_password};
use crate::db::Db;
use crate::fairs::entity::fair;
use crate::firms::entity::{certificate, firm, member, product, tag};
use crate::firms::{SectorGroup, TaxCode, status};
use crate::text::slug;
use crate::{Locale, Result};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::collections::HashSet;
use uuid::Uuid;

pub const DEMO_FAIR_SLUG: &str = "hanoi-sif-2026";
/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "fairlink-demo-2026";
pub const DEMO_ORGANISER: &str = "organiser@fairlink.example";
pub const DEMO_STAFF: &str = "staff@fairlink.example";
pub const DEMO_VISITOR: &str = "visitor@fairlink.example";
pub const DEMO_EXHIBITOR: &str = "exhibitor@fairlink.example";

const FIRMS_COMPONENTS: usize = 450;
const FIRMS_TEXTILE: usize = 250;
const FIRMS_HIGH_TECH: usize = 200;
const FIRMS_PENDING: usize = 30;
const FIRMS_CERTIFIED: usize = 320;
const VISITORS: usize = 300;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub already_present: bool,
    pub firms: usize,
    pub certified_firms: usize,
    pub certificates: usize,
    pub visitors: usize,
    pub users: usize,
}

/// SplitMix64: small, fast, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn uuid(&mut self) -> Uuid {
        let bytes = ((self.next() as u128) << 64 | self.next() as u128).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// (Vietnamese, English) activity names per sector group.
const ACTIVITIES_COMPONENTS: &[(&str, &str)] = &[
    ("Cơ khí Chính xác", "Precision Engineering"),
    ("Khuôn mẫu", "Mould and Die"),
    ("Đúc Kim loại", "Metal Casting"),
    ("Nhựa Kỹ thuật", "Engineering Plastics"),
    ("Linh kiện Ô tô", "Auto Parts"),
    ("Phụ tùng Xe máy", "Motorcycle Parts"),
    ("Dập Kim loại", "Metal Stamping"),
    ("Cao su Kỹ thuật", "Technical Rubber"),
    ("Bu lông Ốc vít", "Fasteners"),
    ("Lò xo", "Springs"),
    ("Gia công CNC", "CNC Machining"),
    ("Xử lý Bề mặt", "Surface Finishing"),
    ("Dây điện Ô tô", "Wire Harness"),
];
const ACTIVITIES_TEXTILE: &[(&str, &str)] = &[
    ("Sợi", "Yarn"),
    ("Dệt", "Weaving"),
    ("Nhuộm", "Dyeing"),
    ("Phụ liệu May", "Garment Accessories"),
    ("Da thuộc", "Leather Tanning"),
    ("Đế giày", "Shoe Soles"),
    ("Vải Kỹ thuật", "Technical Fabrics"),
    ("Khóa kéo", "Zippers"),
    ("Chỉ may", "Sewing Thread"),
    ("Bao bì Dệt", "Woven Packaging"),
];
const ACTIVITIES_HIGH_TECH: &[(&str, &str)] = &[
    ("Điện tử", "Electronics"),
    ("Lắp ráp Bo mạch", "PCB Assembly"),
    ("Vật liệu Mới", "Advanced Materials"),
    ("Tự động hóa", "Automation"),
    ("Cảm biến", "Sensors"),
    ("Thiết bị Y tế", "Medical Devices"),
    ("Quang học", "Optics"),
    ("Phần mềm Nhúng", "Embedded Software"),
    ("Cơ điện tử", "Mechatronics"),
];
/// Brand words: (Vietnamese, without diacritics for the English name).
const BRANDS: &[&str] = &[
    "Thăng Long",
    "Hồng Hà",
    "Sông Đà",
    "Hà Thành",
    "Kinh Bắc",
    "Đông Anh",
    "Tân Á",
    "Việt Hưng",
    "Phú Thịnh",
    "An Phát",
    "Hòa Bình",
    "Minh Khang",
    "Đại Dương",
    "Trường Sơn",
    "Sao Mai",
    "Hưng Thịnh",
    "Thành Công",
    "Toàn Cầu",
    "Bình Minh",
    "Phương Đông",
    "Nam Việt",
    "Long Biên",
    "Gia Lâm",
    "Quang Minh",
    "Nội Bài",
    "Việt Nhật",
    "Việt Hàn",
    "Tiến Bộ",
    "Hải Âu",
    "Ngọc Hà",
    "Lạc Hồng",
    "Hoàng Long",
    "Kim Sơn",
    "Phúc An",
    "Tân Tiến",
    "Đức Giang",
    "Tràng An",
    "Bắc Hà",
    "Hà Đông",
    "Sóc Sơn",
    "Mê Linh",
    "Thạch Thất",
    "Đồng Tâm",
    "Vạn Xuân",
    "Hợp Nhất",
    "Tín Nghĩa",
    "Thái Sơn",
    "Châu Á",
    "Hưng Long",
    "Kim Liên",
    "Bảo Minh",
    "Tân Phong",
    "Thiên Phú",
    "Xuân Mai",
    "Đại Việt",
    "Hạ Long",
    "Tây Hồ",
    "Ba Đình",
    "Hoàn Kiếm",
    "Cầu Giấy",
];
const FORMS: &[(&str, &str)] = &[
    ("Công ty TNHH", "Co., Ltd."),
    ("Công ty Cổ phần", "Joint Stock Company"),
];
/// Industrial zones: (Vietnamese address tail, province code).
const ZONES: &[(&str, &str)] = &[
    ("KCN Thăng Long, Đông Anh, Hà Nội", "ha_noi"),
    ("KCN Bắc Thăng Long, Đông Anh, Hà Nội", "ha_noi"),
    ("KCN Nội Bài, Sóc Sơn, Hà Nội", "ha_noi"),
    ("KCN Quang Minh, Mê Linh, Hà Nội", "ha_noi"),
    ("KCN Sài Đồng B, Long Biên, Hà Nội", "ha_noi"),
    ("KCN Phú Nghĩa, Chương Mỹ, Hà Nội", "ha_noi"),
    ("KCN Thạch Thất – Quốc Oai, Hà Nội", "ha_noi"),
    ("KCN Nam Thăng Long, Bắc Từ Liêm, Hà Nội", "ha_noi"),
    ("CCN Ngọc Hồi, Thanh Trì, Hà Nội", "ha_noi"),
    ("CCN Phú Thị, Gia Lâm, Hà Nội", "ha_noi"),
    ("KCN Hà Nội – Đài Tư, Long Biên, Hà Nội", "ha_noi"),
    ("KCN Quế Võ, Bắc Ninh", "bac_ninh"),
    ("KCN Yên Phong, Bắc Ninh", "bac_ninh"),
    ("KCN Thăng Long II, Hưng Yên", "hung_yen"),
    ("KCN Bình Xuyên, Phú Thọ", "phu_tho"),
    ("KCN Đình Vũ, Hải Phòng", "hai_phong"),
    ("KCN Yên Bình, Thái Nguyên", "thai_nguyen"),
];
const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Đức", "Minh", "Thanh", "Quang", "Hữu", "Thu", "Ngọc", "Hoàng", "Thùy", "Xuân",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương",
    "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Ngọc", "Phong", "Phương", "Quân", "Quỳnh",
    "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tuấn", "Việt", "Yến",
];
/// Buyers: (person name, company, mail domain).
const BUYER_NAMES: &[&str] = &[
    "Tanaka Hiroshi",
    "Suzuki Yuki",
    "Sato Kenji",
    "Watanabe Aiko",
    "Yamamoto Takeshi",
    "Nakamura Emi",
    "Kobayashi Daisuke",
    "Kim Min-jun",
    "Lee Seo-yeon",
    "Park Ji-hoon",
    "Choi Yu-na",
    "Jung Hyun-woo",
    "Anna Müller",
    "Marco Rossi",
    "Sophie Martin",
    "Lars Eriksson",
    "Emma de Vries",
    "Jan Kowalski",
    "Chen Wei",
    "Lin Mei-ling",
];
const BUYER_COMPANIES: &[(&str, &str)] = &[
    ("Toyota Motor Vietnam", "toyota-vn"),
    ("Honda Vietnam", "honda-vn"),
    ("Yamaha Motor Vietnam", "yamaha-vn"),
    ("Canon Vietnam", "canon-vn"),
    ("Samsung Electronics Vietnam", "samsung-vn"),
    ("LG Electronics Vietnam", "lg-vn"),
    ("Panasonic Vietnam", "panasonic-vn"),
    ("Denso Manufacturing Vietnam", "denso-vn"),
    ("Piaggio Vietnam", "piaggio-vn"),
    ("Hyundai Thành Công", "hyundai-tc"),
    ("Bosch Vietnam", "bosch-vn"),
    ("Brother Industries Vietnam", "brother-vn"),
    ("Kyocera Vietnam", "kyocera-vn"),
    ("Sumitomo Electric Vietnam", "sumitomo-vn"),
    ("Yazaki EDS Vietnam", "yazaki-vn"),
    ("Nidec Vietnam", "nidec-vn"),
    ("Fujikura Vietnam", "fujikura-vn"),
    ("Decathlon Sourcing", "decathlon-sourcing"),
    ("Fast Retailing Vietnam", "fastretailing-vn"),
    ("Siemens Vietnam", "siemens-vn"),
];
const ISSUERS: &[&str] = &[
    "Bureau Veritas Việt Nam",
    "SGS Việt Nam",
    "TÜV Rheinland Việt Nam",
    "QUACERT",
    "DNV Việt Nam",
    "Intertek Việt Nam",
];

fn person_name(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        rng.pick(FAMILY),
        rng.pick(MIDDLE),
        rng.pick(GIVEN)
    )
}

/// Creates the demo fair unless it is there already.
pub async fn run(db: &Db, now: DateTime<Utc>) -> Result<SeedReport> {
    let exists = fair::Entity::find()
        .filter(fair::Column::Slug.eq(DEMO_FAIR_SLUG))
        .count(db.read())
        .await?
        > 0;
    if exists {
        return Ok(SeedReport {
            already_present: true,
            ..Default::default()
        });
    }
    // One hash for every demo account: hashing hundreds would take minutes.
    let password_hash = hash_password(DEMO_PASSWORD).await?;
    let mut rng = Rng(0x4649_4C4E_4B32_3032); // "FILNK202"
    let mut report = SeedReport::default();

    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
    let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
    let demo_fair = fair::ActiveModel {
        id: Set(rng.uuid()),
        slug: Set(DEMO_FAIR_SLUG.into()),
        name_vi: Set("Hội chợ Công nghiệp Hỗ trợ Hà Nội 2026".into()),
        name_en: Set("Hanoi Supporting Industries Fair 2026".into()),
        venue_vi: Set("Trung tâm Hội chợ Triển lãm Quốc gia (VEC), Đông Anh, Hà Nội".into()),
        venue_en: Set("Vietnam Exhibition Center (VEC), Dong Anh, Hanoi".into()),
        city: Set("Hà Nội".into()),
        starts_on: Set(d(2026, 12, 16)),
        ends_on: Set(d(2026, 12, 18)),
        opens_at: Set(t(8, 30)),
        closes_at: Set(t(17, 30)),
        time_zone: Set(crate::format::DEFAULT_TIME_ZONE.into()),
        created_at: Set(now),
    };

    let mut users: Vec<user::ActiveModel> = Vec::new();
    let mut new_user = |rng: &mut Rng, email: String, name: String, role: Role, locale: Locale| {
        let id = rng.uuid();
        users.push(user::ActiveModel {
            id: Set(id),
            email: Set(email),
            name: Set(name),
            password_hash: Set(password_hash.clone()),
            role: Set(role.as_str().into()),
            locale: Set(locale.as_str().into()),
            created_at: Set(now),
            updated_at: Set(now),
            disabled_at: Set(None),
            email_verified_at: Set(Some(now)),
        });
        id
    };
    new_user(
        &mut rng,
        DEMO_ORGANISER.into(),
        "Ban Tổ chức Hội chợ".into(),
        Role::Organiser,
        Locale::Vi,
    );
    new_user(
        &mut rng,
        DEMO_STAFF.into(),
        "Nguyễn Văn Kiểm".into(),
        Role::Staff,
        Locale::Vi,
    );
    new_user(
        &mut rng,
        DEMO_VISITOR.into(),
        "Tanaka Hiroshi".into(),
        Role::Visitor,
        Locale::En,
    );

    // Visitors: foreign buyers and Vietnamese purchasers.
    for i in 0..VISITORS {
        let (_company, domain) = *rng.pick(BUYER_COMPANIES);
        let (name, locale) = if rng.chance(55) {
            (rng.pick(BUYER_NAMES).to_string(), Locale::En)
        } else {
            (person_name(&mut rng), Locale::Vi)
        };
        let email = format!("{}.{i:03}@{domain}.example", slug(&name).replace('-', "."));
        new_user(&mut rng, email, name, Role::Visitor, locale);
        report.visitors += 1;
    }
    report.visitors += 1; // the documented demo visitor

    // Firms.
    let mut firms = Vec::new();
    let mut members = Vec::new();
    let mut certificates = Vec::new();
    let mut products = Vec::new();
    let mut tags = Vec::new();
    let mut names = HashSet::new();
    let mut tax_codes = HashSet::new();
    let plan = [
        (
            SectorGroup::Components,
            FIRMS_COMPONENTS,
            ACTIVITIES_COMPONENTS,
        ),
        (
            SectorGroup::TextileLeather,
            FIRMS_TEXTILE,
            ACTIVITIES_TEXTILE,
        ),
        (SectorGroup::HighTech, FIRMS_HIGH_TECH, ACTIVITIES_HIGH_TECH),
    ];
    let total: usize = plan.iter().map(|p| p.1).sum();
    // Spread the pending and certified firms evenly over the list.
    let pending_every = total / FIRMS_PENDING;
    let approved_total = total - FIRMS_PENDING;
    let mut index = 0usize;
    let mut approved_index = 0usize;
    for (group, count, activities) in plan {
        for _ in 0..count {
            let (activity_vi, activity_en, brand, form_vi, form_en) = loop {
                let (a_vi, a_en) = *rng.pick(activities);
                let brand = *rng.pick(BRANDS);
                let (f_vi, f_en) = *rng.pick(FORMS);
                if names.insert((a_vi, brand)) {
                    break (a_vi, a_en, brand, f_vi, f_en);
                }
            };
            let brand_en = title_ascii(brand);
            let legal_name = format!("{form_vi} {activity_vi} {brand}");
            let name_en = format!("{brand_en} {activity_en} {form_en}");
            let tax_code = loop {
                let mut nine = [0u8; 9];
                nine[0] = 0;
                nine[1] = 1; // Hanoi codes start with 01.
                for digit in nine.iter_mut().skip(2) {
                    *digit = rng.below(10) as u8;
                }
                if let Some(code) = TaxCode::from_nine(nine)
                    && tax_codes.insert(code.as_str().to_string())
                {
                    break code;
                }
            };
            let (zone, province) = if rng.chance(80) {
                *rng.pick(&ZONES[..11])
            } else {
                *rng.pick(&ZONES[11..])
            };
            let site = slug(&format!("{brand_en} {activity_en}"));
            let firm_id = rng.uuid();
            let contact = if index == 0 {
                DEMO_EXHIBITOR.to_string()
            } else {
                format!("lienhe@{site}.example")
            };
            let contact_name = person_name(&mut rng);
            let pending =
                index % pending_every == pending_every / 2 && index / pending_every < FIRMS_PENDING;
            // Exactly FIRMS_CERTIFIED of the approved firms, evenly spread.
            let certified = !pending
                && (approved_index * FIRMS_CERTIFIED) / approved_total
                    != ((approved_index + 1) * FIRMS_CERTIFIED) / approved_total;
            if !pending {
                approved_index += 1;
            }
            firms.push(firm::ActiveModel {
                id: Set(firm_id),
                tax_code: Set(tax_code.as_str().into()),
                legal_name: Set(legal_name.clone()),
                name_en: Set(name_en.clone()),
                sector_group: Set(group.as_str().into()),
                province: Set(province.into()),
                address: Set(format!(
                    "Lô {}-{}, {zone}",
                    ["CN", "A", "B", "C"][rng.below(4)],
                    1 + rng.below(40)
                )),
                website: Set(rng.chance(70).then(|| format!("https://{site}.example"))),
                employees: Set(Some(20 + rng.below(1500) as i32)),
                founded_year: Set(Some(1995 + rng.below(28) as i32)),
                status: Set(if pending {
                    status::SUBMITTED
                } else {
                    status::APPROVED
                }
                .into()),
                created_at: Set(now),
                updated_at: Set(now),
                contact_name: Set(Some(contact_name.clone())),
                contact_email: Set(Some(contact.clone())),
                contact_phone: Set(Some(format!("+84 24 3{:03} {:04}", rng.below(1000), rng.below(10_000)))),
                revenue_band: Set(Some(rng.pick(crate::firms::vocabulary::REVENUE_BANDS).code.to_string())),
                description_vi: Set(Some(format!(
                    "{legal_name} chuyên {} cho các nhà sản xuất trong và ngoài nước, với hệ thống quản lý chất lượng và đội ngũ kỹ thuật giàu kinh nghiệm.",
                    activity_vi.to_lowercase()
                ))),
                description_en: Set(Some(format!(
                    "{name_en} specialises in {} for manufacturers in Vietnam and abroad, backed by a quality system and an experienced engineering team.",
                    activity_en.to_lowercase()
                ))),
                customers: Set(rng.chance(40).then(|| {
                    let (c, _) = *rng.pick(BUYER_COMPANIES);
                    c.to_string()
                })),
                logo_upload_id: Set(None),
                submitted_at: Set(Some(now)),
                decided_at: Set((!pending).then_some(now)),
                decision_note: Set(None),
                search_body: Set(None),
            });
            let user_id = new_user(
                &mut rng,
                contact.clone(),
                contact_name.clone(),
                Role::Exhibitor,
                Locale::Vi,
            );
            let (catalogue, processes, materials) = activity_profile(activity_en);
            let mut offered: Vec<&(&str, &str, &str)> = Vec::new();
            for _ in 0..(2 + rng.below(3)) {
                let item = rng.pick(catalogue);
                if !offered.contains(&item) {
                    offered.push(item);
                }
            }
            for (i, (vi, en, hs)) in offered.into_iter().enumerate() {
                products.push(product::ActiveModel {
                    id: Set(rng.uuid()),
                    firm_id: Set(firm_id),
                    name_vi: Set(vi.to_string()),
                    name_en: Set(en.to_string()),
                    hs_code: Set(Some(hs.to_string())),
                    position: Set(i as i32),
                });
            }
            let mut firm_tags: Vec<(&str, &str)> = Vec::new();
            for p in processes
                .iter()
                .filter(|_| rng.chance(75))
                .chain(processes.first())
            {
                firm_tags.push(("process", p));
            }
            for m in materials
                .iter()
                .filter(|_| rng.chance(70))
                .chain(materials.first())
            {
                firm_tags.push(("material", m));
            }
            for _ in 0..(1 + rng.below(4)) {
                firm_tags.push(("market", *rng.pick(MARKET_CODES)));
            }
            firm_tags.sort();
            firm_tags.dedup();
            for (kind, code) in firm_tags {
                tags.push(tag::ActiveModel {
                    firm_id: Set(firm_id),
                    kind: Set(kind.to_string()),
                    code: Set(code.to_string()),
                });
            }
            members.push(member::ActiveModel {
                firm_id: Set(firm_id),
                user_id: Set(user_id),
                is_admin: Set(true),
                created_at: Set(now),
            });
            if certified {
                report.certified_firms += 1;
                for kind in certificate_kinds(&mut rng, group) {
                    let year = 2022 + rng.below(4) as i32;
                    let issued = d(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32);
                    let expires = d(year + 3, issued.month(), issued.day());
                    certificates.push(certificate::ActiveModel {
                        id: Set(rng.uuid()),
                        firm_id: Set(firm_id),
                        kind: Set(kind.into()),
                        number: Set(format!("VN{year}-{:05}", rng.below(100_000))),
                        issuer: Set((*rng.pick(ISSUERS)).into()),
                        issued_on: Set(issued),
                        expires_on: Set(Some(expires)),
                        verified_at: Set(rng.chance(80).then_some(now)),
                        created_at: Set(now),
                        other_name: Set(None),
                        upload_id: Set(None),
                        verified_by: Set(None),
                    });
                    report.certificates += 1;
                }
            }
            index += 1;
            report.firms += 1;
        }
    }
    report.users = users.len();

    let txn = db.begin().await?;
    fair::Entity::insert(demo_fair).exec(&txn).await?;
    insert_chunked(&txn, users).await?;
    let firm_ids: Vec<Uuid> = firms.iter().filter_map(|f| f.id.clone().take()).collect();
    insert_chunked(&txn, firms).await?;
    insert_chunked(&txn, members).await?;
    insert_chunked(&txn, certificates).await?;
    insert_chunked(&txn, products).await?;
    insert_chunked(&txn, tags).await?;
    for id in firm_ids {
        crate::firms::profile::reindex(&txn, id).await?;
    }
    txn.commit().await?;
    tracing::info!(?report, "demo data created");
    Ok(report)
}

const MARKET_CODES: &[&str] = &[
    "jp", "jp", "kr", "kr", "eu", "us", "cn", "tw", "asean", "asean", "vn", "vn", "vn",
];

type Catalogue = &'static [(&'static str, &'static str, &'static str)];

/// What a firm of an activity makes (Vietnamese, English, HS code), the
/// processes it runs and the materials it works.
fn activity_profile(
    activity_en: &str,
) -> (Catalogue, &'static [&'static str], &'static [&'static str]) {
    match activity_en {
        "Precision Engineering" | "CNC Machining" => (
            &[
                ("Trục truyền động", "Drive shafts", "848310"),
                ("Bánh răng", "Gears", "848340"),
                (
                    "Chi tiết máy chính xác",
                    "Precision machined parts",
                    "848790",
                ),
                ("Bạc lót", "Bushings", "848330"),
            ],
            &["cnc_machining", "heat_treatment", "surface_treatment"],
            &["steel", "stainless_steel", "aluminium", "brass"],
        ),
        "Mould and Die" => (
            &[
                ("Khuôn ép nhựa", "Injection moulds", "848071"),
                ("Khuôn dập", "Stamping dies", "820730"),
                ("Đồ gá", "Jigs and fixtures", "847990"),
            ],
            &["mould_making", "cnc_machining", "heat_treatment"],
            &["steel", "aluminium"],
        ),
        "Metal Casting" => (
            &[
                ("Vỏ hộp số", "Gearbox housings", "870840"),
                ("Nắp quy lát", "Cylinder heads", "840991"),
                ("Chi tiết đúc nhôm", "Aluminium castings", "761699"),
            ],
            &["die_casting", "sand_casting", "cnc_machining"],
            &["aluminium", "zinc_alloy", "cast_iron"],
        ),
        "Engineering Plastics" => (
            &[
                ("Ốp nhựa xe máy", "Motorcycle plastic covers", "871410"),
                ("Vỏ thiết bị điện tử", "Electronics enclosures", "392690"),
                ("Bánh răng nhựa", "Plastic gears", "392690"),
            ],
            &["injection_moulding", "mould_making", "powder_coating"],
            &["engineering_plastics", "abs", "polypropylene"],
        ),
        "Auto Parts" | "Motorcycle Parts" => (
            &[
                ("Má phanh", "Brake pads", "870830"),
                ("Giảm xóc", "Shock absorbers", "870880"),
                ("Vành xe", "Wheel rims", "870870"),
                ("Ống xả", "Exhaust pipes", "870892"),
                ("Xích tải", "Drive chains", "731511"),
            ],
            &["stamping", "welding", "cnc_machining", "surface_treatment"],
            &["steel", "aluminium", "rubber"],
        ),
        "Metal Stamping" => (
            &[
                ("Chi tiết dập", "Stamped parts", "732690"),
                ("Giá đỡ", "Brackets", "830249"),
                ("Vỏ kim loại", "Metal housings", "732690"),
            ],
            &["stamping", "welding", "powder_coating"],
            &["steel", "stainless_steel", "copper"],
        ),
        "Technical Rubber" => (
            &[
                ("Gioăng cao su", "Rubber gaskets", "401693"),
                ("Phớt chắn dầu", "Oil seals", "401693"),
                ("Ống cao su", "Rubber hoses", "400942"),
            ],
            &["rubber_moulding", "extrusion"],
            &["rubber", "silicone"],
        ),
        "Fasteners" | "Springs" => (
            &[
                ("Bu lông", "Bolts", "731815"),
                ("Đai ốc", "Nuts", "731816"),
                ("Lò xo nén", "Compression springs", "732020"),
                ("Vít", "Screws", "731814"),
            ],
            &["forging", "heat_treatment", "surface_treatment"],
            &["steel", "stainless_steel"],
        ),
        "Surface Finishing" => (
            &[
                ("Chi tiết mạ kẽm", "Zinc-plated parts", "732690"),
                ("Chi tiết sơn tĩnh điện", "Powder-coated parts", "732690"),
            ],
            &["surface_treatment", "powder_coating"],
            &["steel", "aluminium"],
        ),
        "Wire Harness" => (
            &[
                ("Bó dây điện ô tô", "Automotive wire harnesses", "854430"),
                ("Cáp tín hiệu", "Signal cables", "854442"),
            ],
            &["wire_harness", "injection_moulding"],
            &["copper", "polypropylene"],
        ),
        "Yarn" | "Weaving" | "Dyeing" | "Technical Fabrics" => (
            &[
                ("Sợi cotton", "Cotton yarn", "520512"),
                ("Vải dệt thoi", "Woven fabrics", "520812"),
                ("Vải polyester", "Polyester fabrics", "540752"),
                ("Vải kỹ thuật", "Technical textiles", "591190"),
            ],
            &["spinning", "weaving", "knitting", "dyeing"],
            &["cotton", "polyester", "nylon"],
        ),
        "Garment Accessories" | "Zippers" | "Sewing Thread" => (
            &[
                ("Khóa kéo", "Zippers", "960719"),
                ("Chỉ may", "Sewing thread", "540110"),
                ("Nhãn dệt", "Woven labels", "580710"),
                ("Cúc áo", "Buttons", "960629"),
            ],
            &["weaving", "injection_moulding", "dyeing"],
            &["polyester", "nylon", "brass"],
        ),
        "Leather Tanning" => (
            &[
                ("Da bò thuộc", "Tanned cowhide", "410792"),
                ("Da giày", "Shoe leather", "410799"),
            ],
            &["tanning", "dyeing"],
            &["leather"],
        ),
        "Shoe Soles" => (
            &[
                ("Đế giày cao su", "Rubber soles", "640620"),
                ("Đế EVA", "EVA midsoles", "640620"),
            ],
            &["sole_moulding", "rubber_moulding"],
            &["rubber", "synthetic_leather"],
        ),
        "Woven Packaging" => (
            &[
                ("Bao dệt PP", "PP woven bags", "630532"),
                ("Hộp carton", "Carton boxes", "481910"),
            ],
            &["weaving", "extrusion"],
            &["polypropylene", "paperboard"],
        ),
        "Electronics" | "PCB Assembly" => (
            &[
                ("Bo mạch điện tử", "Printed circuit assemblies", "853400"),
                ("Bộ nguồn", "Power supplies", "850440"),
                ("Mô-đun điều khiển", "Control modules", "853710"),
            ],
            &["pcb_assembly", "smt", "wire_harness"],
            &["fr4", "electronic_components", "copper"],
        ),
        "Sensors" | "Automation" | "Mechatronics" => (
            &[
                ("Cảm biến nhiệt độ", "Temperature sensors", "902519"),
                ("Cảm biến áp suất", "Pressure sensors", "902620"),
                ("Bộ điều khiển PLC", "PLC controllers", "853710"),
                ("Robot gắp", "Pick-and-place robots", "847950"),
            ],
            &["pcb_assembly", "cnc_machining", "smt"],
            &["electronic_components", "aluminium"],
        ),
        "Medical Devices" => (
            &[
                ("Dụng cụ y tế", "Medical instruments", "901890"),
                (
                    "Linh kiện thiết bị y tế",
                    "Medical device components",
                    "901890",
                ),
            ],
            &["injection_moulding", "cnc_machining"],
            &["stainless_steel", "engineering_plastics", "silicone"],
        ),
        "Optics" => (
            &[
                ("Thấu kính", "Lenses", "900190"),
                ("Linh kiện quang học", "Optical components", "900190"),
            ],
            &["cnc_machining", "surface_treatment"],
            &["glass", "engineering_plastics"],
        ),
        _ => (
            &[
                ("Vật liệu kỹ thuật", "Technical materials", "381800"),
                ("Linh kiện in 3D", "3D-printed parts", "392690"),
                ("Phần mềm nhúng", "Embedded firmware", "852380"),
            ],
            &["additive_manufacturing", "injection_moulding"],
            &["ceramics", "engineering_plastics"],
        ),
    }
}

fn certificate_kinds(rng: &mut Rng, group: SectorGroup) -> Vec<&'static str> {
    let mut kinds = vec!["iso_9001"];
    let extra: &[(&str, u64)] = match group {
        SectorGroup::Components => &[("iatf_16949", 45), ("iso_14001", 30), ("iso_45001", 15)],
        SectorGroup::TextileLeather => &[
            ("oeko_tex", 50),
            ("bsci", 40),
            ("lwg", 25),
            ("iso_14001", 20),
        ],
        SectorGroup::HighTech => &[("iso_14001", 35), ("iso_13485", 25), ("iso_45001", 15)],
    };
    for (kind, percent) in extra {
        if rng.chance(*percent) {
            kinds.push(kind);
        }
    }
    kinds
}

/// "Thăng Long" → "Thang Long".
fn title_ascii(s: &str) -> String {
    crate::text::fold(s)
        .split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn insert_chunked<A>(txn: &sea_orm::DatabaseTransaction, rows: Vec<A>) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(200).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_titles() {
        assert_eq!(title_ascii("Thăng Long"), "Thang Long");
        assert_eq!(title_ascii("Đông Anh"), "Dong Anh");
    }

    #[test]
    fn the_sequence_is_fixed() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        for _ in 0..100 {
            assert_eq!(a.next(), b.next());
        }
    }
}
