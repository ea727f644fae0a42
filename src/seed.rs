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
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::collections::HashSet;
use uuid::Uuid;

pub const DEMO_FAIR_SLUG: &str = "hanoi-sif-2026";
/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "fairlink-demo-2026";
pub const DEMO_ORGANISER: &str = "organiser@fairlink.example";
pub const DEMO_STAFF: &str = "staff@fairlink.example";
pub const DEMO_VISITOR: &str = "visitor@fairlink.example";
pub const DEMO_EXHIBITOR: &str = "exhibitor@fairlink.example";
/// The admin of a second exhibiting firm (to try booking against a rival).
pub const DEMO_EXHIBITOR_2: &str = "exhibitor2@fairlink.example";

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
    pub booths: usize,
    pub booths_booked: usize,
    pub applications: usize,
    pub badges: usize,
    pub meetings: usize,
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
        vat_percent: Set(Some(8)),
        hold_minutes: Set(Some(15)),
        booking_opens_on: Set(Some(d(2026, 9, 1))),
        booking_closes_on: Set(Some(d(2026, 12, 10))),
        registration_closes_on: Set(Some(d(2026, 12, 12))),
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
    let mut visitor_orgs: Vec<(Uuid, String, String)> = Vec::new();
    for i in 0..VISITORS {
        let (company, domain) = *rng.pick(BUYER_COMPANIES);
        let (name, locale) = if rng.chance(55) {
            (rng.pick(BUYER_NAMES).to_string(), Locale::En)
        } else {
            (person_name(&mut rng), Locale::Vi)
        };
        let email = format!("{}.{i:03}@{domain}.example", slug(&name).replace('-', "."));
        let id = new_user(&mut rng, email, name.clone(), Role::Visitor, locale);
        visitor_orgs.push((id, name, company.to_string()));
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
            } else if index == 1 {
                DEMO_EXHIBITOR_2.to_string()
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
                ..Default::default()
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

    let badge_key = crate::badges::signing_key(db, now).await?;
    let txn = db.begin().await?;
    let fair_id = demo_fair.id.clone().take().unwrap_or_default();
    fair::Entity::insert(demo_fair).exec(&txn).await?;
    insert_chunked(&txn, users).await?;
    let firm_ids: Vec<Uuid> = firms.iter().filter_map(|f| f.id.clone().take()).collect();
    // Approved firms by sector group, the demo exhibitor's firm left out (it
    // picks its own booth in the demo).
    let exhibitors: Vec<(Uuid, String)> = firms
        .iter()
        .skip(1)
        .filter_map(|f| match (&f.id, &f.status, &f.sector_group) {
            (
                sea_orm::ActiveValue::Set(id),
                sea_orm::ActiveValue::Set(st),
                sea_orm::ActiveValue::Set(g),
            ) if st == status::APPROVED => Some((*id, g.clone())),
            _ => None,
        })
        .collect();
    insert_chunked(&txn, firms).await?;
    insert_chunked(&txn, members).await?;
    insert_chunked(&txn, certificates).await?;
    insert_chunked(&txn, products).await?;
    insert_chunked(&txn, tags).await?;
    for id in firm_ids {
        crate::firms::profile::reindex(&txn, id).await?;
    }
    let (booths, booked, applications) =
        seed_booths(&txn, &mut rng, fair_id, &exhibitors, now).await?;
    report.booths = booths;
    report.booths_booked = booked;
    report.applications = applications;
    report.badges = seed_check_in(&txn, fair_id, &visitor_orgs, badge_key, now).await?;
    txn.commit().await?;
    report.meetings = seed_meetings(db, fair_id, &visitor_orgs, now).await?;
    tracing::info!(?report, "demo data created");
    Ok(report)
}

/// Three halls (components, textile and leather, high tech) of about 300
/// booths in double rows with aisles, a strip of islands and raw space in
/// hall A; about 40 % booked by demo firms of the hall's sector, some paid;
/// a few dozen applications waiting for the allocation.
async fn seed_booths(
    txn: &sea_orm::DatabaseTransaction,
    rng: &mut Rng,
    fair_id: Uuid,
    exhibitors: &[(Uuid, String)],
    now: DateTime<Utc>,
) -> Result<(usize, usize, usize)> {
    use crate::booths::entity::{application, booth, booth_type, claim, feature, hall, zone};
    use crate::booths::pricing;
    let types = [
        (
            "inline",
            "Gian tiêu chuẩn (khung sẵn)",
            "Shell scheme, inline",
            2_500_000i64,
            0i32,
            true,
        ),
        (
            "corner",
            "Gian góc (2 mặt thoáng)",
            "Shell scheme, corner",
            2_500_000,
            10,
            true,
        ),
        (
            "peninsula",
            "Gian bán đảo (3 mặt thoáng)",
            "Peninsula",
            2_400_000,
            15,
            false,
        ),
        (
            "island",
            "Gian đảo (4 mặt thoáng)",
            "Island",
            2_300_000,
            20,
            false,
        ),
        ("raw", "Mặt bằng trống", "Raw space", 1_800_000, 0, false),
    ];
    let mut type_ids = std::collections::HashMap::new();
    for (code, vi, en, price, surcharge, furniture) in types {
        let id = rng.uuid();
        type_ids.insert(code, (id, price, surcharge));
        booth_type::Entity::insert(booth_type::ActiveModel {
            id: Set(id),
            fair_id: Set(fair_id),
            code: Set(code.into()),
            name_vi: Set(vi.into()),
            name_en: Set(en.into()),
            price_per_m2: Set(price),
            surcharge_percent: Set(surcharge),
            furniture: Set(furniture),
        })
        .exec(txn)
        .await?;
    }
    // (hall code, names, width m, rows of blocks, booths per segment,
    // segments, zone code, zone names, sector group)
    let halls = [
        (
            "A",
            "Nhà A",
            "Hall A",
            3usize,
            10usize,
            2usize,
            "COMP",
            "Linh kiện & phụ tùng",
            "Components & spare parts",
            "components",
        ),
        (
            "B",
            "Nhà B",
            "Hall B",
            2,
            7,
            3,
            "TEXT",
            "Dệt may, da giày",
            "Textile, garment, leather",
            "textile_leather",
        ),
        (
            "C",
            "Nhà C",
            "Hall C",
            2,
            7,
            3,
            "TECH",
            "Công nghệ cao",
            "High tech",
            "high_tech",
        ),
    ];
    let mut booths = Vec::new();
    let mut features = Vec::new();
    for (code, vi, en, blocks, per_segment, segments, zone_code, zone_vi, zone_en, group) in halls {
        let zone_id = rng.uuid();
        zone::Entity::insert(zone::ActiveModel {
            id: Set(zone_id),
            fair_id: Set(fair_id),
            code: Set(zone_code.into()),
            name_vi: Set(zone_vi.into()),
            name_en: Set(zone_en.into()),
            sector_group: Set(Some(group.into())),
        })
        .exec(txn)
        .await?;
        // Decimetres: 3 m booths, 3 m aisles, 3 m from the walls.
        let segment_w = per_segment as i32 * 30;
        let width = 30 + segments as i32 * (segment_w + 30);
        let extra_strip = code == "A";
        let depth = 30 + blocks as i32 * 90 + if extra_strip { 90 } else { 0 } + 30;
        let hall_id = rng.uuid();
        hall::Entity::insert(hall::ActiveModel {
            id: Set(hall_id),
            fair_id: Set(fair_id),
            code: Set(code.into()),
            name_vi: Set(vi.into()),
            name_en: Set(en.into()),
            width_dm: Set(width),
            depth_dm: Set(depth),
        })
        .exec(txn)
        .await?;
        let mut add = |code: String, x: i32, y: i32, w: i32, d: i32, t: &str, rng: &mut Rng| {
            booths.push((
                booth::ActiveModel {
                    id: Set(rng.uuid()),
                    fair_id: Set(fair_id),
                    hall_id: Set(hall_id),
                    code: Set(code),
                    zone_id: Set(zone_id),
                    type_id: Set(type_ids[t].0),
                    x_dm: Set(x),
                    y_dm: Set(y),
                    w_dm: Set(w),
                    d_dm: Set(d),
                    polygon: Set(None),
                    blocked: Set(false),
                    price_override: Set(None),
                },
                group,
                t.to_string(),
                (w * d / 100) as i64,
            ));
        };
        let mut n = 0;
        for block in 0..blocks {
            let y0 = 30 + block as i32 * 90;
            for row in 0..2 {
                for seg in 0..segments {
                    let x0 = 30 + seg as i32 * (segment_w + 30);
                    for i in 0..per_segment {
                        n += 1;
                        let end = i == 0 || i == per_segment - 1;
                        add(
                            format!("{code}-{n:03}"),
                            x0 + i as i32 * 30,
                            y0 + row * 30,
                            30,
                            30,
                            if end { "corner" } else { "inline" },
                            rng,
                        );
                    }
                }
            }
            // The aisle below the block.
            features.push((hall_id, "aisle", 30, y0 + 60, width - 60, 30, None));
        }
        // Cross aisles between segments, with a pillar in each.
        for seg in 1..segments {
            let x = 30 + seg as i32 * (segment_w + 30) - 30;
            features.push((hall_id, "aisle", x, 30, 30, blocks as i32 * 90, None));
            features.push((hall_id, "pillar", x + 12, 30 + 72, 6, 6, None));
        }
        if extra_strip {
            let y0 = 30 + blocks as i32 * 90;
            for i in 0..4 {
                n += 1;
                add(
                    format!("{code}-{n:03}"),
                    30 + i * 90,
                    y0,
                    60,
                    60,
                    "island",
                    rng,
                );
            }
            for i in 0..2 {
                n += 1;
                add(
                    format!("{code}-{n:03}"),
                    390 + i * 120,
                    y0,
                    90,
                    60,
                    "raw",
                    rng,
                );
            }
        }
        features.push((
            hall_id,
            "entrance",
            width / 2 - 40,
            depth - 10,
            80,
            10,
            Some(format!("{vi} · {en}")),
        ));
        features.push((
            hall_id,
            "label",
            30,
            4,
            200,
            20,
            Some(format!("{vi} — {zone_vi}")),
        ));
    }
    let booth_count = booths.len();
    // Book about 40 % of the booths to firms of the hall's sector.
    let mut firms_by_group: std::collections::HashMap<&str, Vec<Uuid>> =
        std::collections::HashMap::new();
    for (id, g) in exhibitors {
        firms_by_group.entry(g.as_str()).or_default().push(*id);
    }
    let mut claims = Vec::new();
    let mut booked_firms = HashSet::new();
    let mut invoice = 0i64;
    for (b, group, t, area) in &booths {
        if !rng.chance(40) {
            continue;
        }
        let Some(candidates) = firms_by_group.get(group) else {
            continue;
        };
        // The second demo exhibitor's firm has a booth (it takes leads in
        // the demo); the first picks its own.
        let second = exhibitors.first().map(|(id, _)| *id);
        let firm_id = if let Some(f) =
            second.filter(|f| candidates.contains(f) && !booked_firms.contains(f))
        {
            booked_firms.insert(f);
            Some(f)
        } else {
            loop {
                let f = *rng.pick(candidates);
                if booked_firms.insert(f) {
                    break Some(f);
                }
                if booked_firms.len() >= exhibitors.len() {
                    break None;
                }
            }
        };
        let Some(firm_id) = firm_id else { continue };
        let (_, per_m2, surcharge) = type_ids[t.as_str()];
        let price = pricing::price(*area, per_m2, None, i64::from(surcharge), 0, 8);
        let paid = rng.chance(60);
        invoice += 1;
        let booth_id = b.id.clone().take().unwrap_or_default();
        claims.push(claim::ActiveModel {
            id: Set(rng.uuid()),
            fair_id: Set(fair_id),
            booth_id: Set(booth_id),
            firm_id: Set(firm_id),
            state: Set(if paid {
                crate::booths::claim_state::PAID
            } else {
                crate::booths::claim_state::CONFIRMED
            }
            .into()),
            live_booth_id: Set(Some(booth_id)),
            held_until: Set(None),
            created_at: Set(now),
            confirmed_at: Set(Some(now)),
            paid_at: Set(paid.then_some(now)),
            ended_at: Set(None),
            base_price: Set(price.base),
            surcharge: Set(price.surcharge),
            options: Set("[]".into()),
            options_price: Set(0),
            vat: Set(price.vat),
            total: Set(price.total),
            invoice_no: Set(Some(format!("PF2026-{invoice:05}"))),
            created_by: Set(None),
            application_id: Set(None),
        });
    }
    let booked = claims.len();
    // Applications from firms without a booth, for the allocation.
    let mut applications = Vec::new();
    let free_codes: Vec<(String, &str)> = booths
        .iter()
        .filter(|(b, ..)| {
            !claims
                .iter()
                .any(|c| c.booth_id.clone().take() == b.id.clone().take())
        })
        .filter(|(_, _, t, _)| t == "inline")
        .map(|(b, g, ..)| (b.code.clone().take().unwrap_or_default(), *g))
        .collect();
    for (id, g) in exhibitors
        .iter()
        .filter(|(id, _)| !booked_firms.contains(id))
        .take(40)
    {
        let options: Vec<&String> = free_codes
            .iter()
            .filter(|(_, fg)| fg == g)
            .map(|(c, _)| c)
            .collect();
        let preferences: Vec<String> = (0..rng.below(4))
            .filter_map(|_| {
                options
                    .get(rng.below(options.len().max(1)))
                    .map(|c| c.to_string())
            })
            .collect();
        applications.push(application::ActiveModel {
            id: Set(rng.uuid()),
            fair_id: Set(fair_id),
            firm_id: Set(*id),
            area_m2: Set(9),
            type_code: Set("inline".into()),
            zone_id: Set(None),
            preferences: Set(serde_json::to_string(&preferences).unwrap_or_default()),
            avoid: Set("[]".into()),
            status: Set(crate::booths::application_state::PENDING.into()),
            booth_id: Set(None),
            created_at: Set(now - chrono::Duration::minutes(rng.below(20_000) as i64)),
        });
    }
    let application_count = applications.len();
    insert_chunked(txn, booths.into_iter().map(|b| b.0).collect()).await?;
    insert_chunked(
        txn,
        features
            .into_iter()
            .map(|(hall_id, kind, x, y, w, d, label)| feature::ActiveModel {
                id: Set(rng.uuid()),
                hall_id: Set(hall_id),
                kind: Set(kind.into()),
                x_dm: Set(x),
                y_dm: Set(y),
                w_dm: Set(w),
                d_dm: Set(d),
                label: Set(label),
            })
            .collect(),
    )
    .await?;
    insert_chunked(txn, claims).await?;
    insert_chunked(txn, applications).await?;
    if invoice > 0 {
        crate::booths::entity::counter::Entity::insert(
            crate::booths::entity::counter::ActiveModel {
                fair_id: Set(fair_id),
                last: Set(invoice),
            },
        )
        .exec(txn)
        .await?;
    }
    Ok((booth_count, booked, application_count))
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

/// Gates of the demo fair and badges for its visitors (the demo visitor's
/// among them; every visitor consents to lead capture but one in five).
async fn seed_check_in(
    txn: &sea_orm::DatabaseTransaction,
    fair_id: Uuid,
    visitors: &[(Uuid, String, String)],
    key: (u8, [u8; 32]),
    now: DateTime<Utc>,
) -> Result<usize> {
    use crate::badges::entity::gate;
    use crate::badges::{BadgeInput, BadgeKind};
    let gates = [
        ("N1", "Cổng Bắc", "North entrance", "hall", true, vec![]),
        ("S1", "Cổng Nam", "South entrance", "hall", true, vec![]),
        (
            "B2B",
            "Khu gặp gỡ B2B",
            "B2B meeting area",
            "b2b",
            true,
            vec![],
        ),
        (
            "VIP",
            "Phòng chờ VIP",
            "VIP lounge",
            "vip",
            false,
            vec![BadgeKind::Vip, BadgeKind::Staff],
        ),
    ];
    let rows = gates
        .into_iter()
        .map(|(code, vi, en, area, reentry, kinds)| {
            let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            gate::ActiveModel {
                id: Set(Uuid::now_v7()),
                fair_id: Set(fair_id),
                code: Set(code.into()),
                name_vi: Set(vi.into()),
                name_en: Set(en.into()),
                area: Set(area.into()),
                kinds: Set(serde_json::to_string(&kinds).unwrap_or_else(|_| "[]".into())),
                reentry: Set(reentry),
                max_entries_per_day: Set(None),
                created_at: Set(now),
            }
        });
    gate::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    // The demo door staff member works this fair's door.
    if let Some(staff) = crate::accounts::entity::user::Entity::find()
        .filter(crate::accounts::entity::user::Column::Email.eq(DEMO_STAFF))
        .one(txn)
        .await?
    {
        crate::badges::door::add(txn, fair_id, staff.id, None, now).await?;
    }
    let mut n = 0;
    for (i, (user_id, name, organisation)) in visitors.iter().enumerate() {
        let input = BadgeInput {
            fair_id,
            kind: if i % 10 == 0 {
                BadgeKind::Buyer
            } else {
                BadgeKind::Visitor
            },
            user_id: Some(*user_id),
            firm_id: None,
            name: name.clone(),
            organisation: organisation.clone(),
            email: None,
            valid_from: None,
            valid_to: None,
            areas: Vec::new(),
            lead_consent: i % 5 != 4,
        };
        crate::badges::issue_in(txn, &input, key, now).await?;
        n += 1;
    }
    Ok(n)
}

/// What demo buyers source: (company kind, HS codes, processes, materials,
/// certificates, markets, languages).
type Sourcing = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const SOURCING: &[Sourcing] = &[
    // A Japanese car maker: cast aluminium parts, IATF.
    (
        &["870899", "870840"],
        &["die_casting", "cnc_machining"],
        &["aluminium"],
        &["iatf_16949"],
        &["jp"],
        &["ja", "en"],
    ),
    // A Korean electronics group: harnesses and boards.
    (
        &["854430", "853690"],
        &["wire_harness", "smt"],
        &["copper"],
        &["iso_9001"],
        &["kr"],
        &["ko", "en"],
    ),
    // A European footwear brand: leather and soles.
    (
        &["410719", "640620"],
        &["tanning", "sole_moulding"],
        &["leather"],
        &["lwg"],
        &["eu"],
        &["en"],
    ),
    // A Vietnamese motorbike assembler: plastics and stampings.
    (
        &["871410", "732690"],
        &["injection_moulding", "stamping"],
        &["steel"],
        &["iso_9001"],
        &["vn"],
        &["vi"],
    ),
];

/// The B2B programme of the demo fair: half-hour slots on each fair day
/// (09:00 to 12:00 and 13:30 to 16:30), 40 tables; buyers with needs (the
/// documented visitor among them), meetings arranged and requested with
/// their recommended suppliers, and a scheduled programme. The demo
/// exhibitor's firm also makes cast aluminium engine brackets (HS 8708.99),
/// which the Japanese buyers source.
async fn seed_meetings(
    db: &Db,
    fair_id: Uuid,
    visitors: &[(Uuid, String, String)],
    now: DateTime<Utc>,
) -> Result<usize> {
    use crate::accounts::SessionUser;
    use crate::meetings::service as m;
    use crate::meetings::views::{Arrangement, NeedInput, ProgrammeInput};
    use crate::meetings::{Location, Options, matching::Need};
    let account = |email: &str, role: Role| {
        let email = email.to_string();
        async move {
            let u = user::Entity::find()
                .filter(user::Column::Email.eq(email))
                .one(db.read())
                .await?
                .ok_or(crate::ErrorCode::NotFound)?;
            Ok::<_, crate::Error>(SessionUser {
                id: u.id,
                email: u.email,
                name: u.name,
                role,
                locale: Locale::parse(&u.locale).unwrap_or(Locale::Vi),
                email_verified: true,
            })
        }
    };
    let organiser = account(DEMO_ORGANISER, Role::Organiser).await?;
    let demo_visitor = account(DEMO_VISITOR, Role::Visitor).await?;
    let exhibitor = account(DEMO_EXHIBITOR, Role::Exhibitor).await?;
    let demo_firm = crate::firms::profile::membership(db.read(), exhibitor.id)
        .await?
        .map(|(f, _)| f)
        .ok_or(crate::ErrorCode::NoFirm)?;
    product::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(demo_firm),
        name_vi: Set("Giá đỡ động cơ bằng nhôm đúc".into()),
        name_en: Set("Cast aluminium engine brackets".into()),
        hs_code: Set(Some("870899".into())),
        position: Set(9),
    }
    .insert(db.write())
    .await?;
    if tag::Entity::find_by_id((demo_firm, "process".to_string(), "die_casting".to_string()))
        .one(db.read())
        .await?
        .is_none()
    {
        tag::ActiveModel {
            firm_id: Set(demo_firm),
            kind: Set("process".into()),
            code: Set("die_casting".into()),
        }
        .insert(db.write())
        .await?;
    }

    let tz = crate::format::offset_or_default(crate::format::DEFAULT_TIME_ZONE);
    let mut slots = Vec::new();
    for day in 16..=18 {
        for (h, mi) in [
            (9, 0),
            (9, 30),
            (10, 0),
            (10, 30),
            (11, 0),
            (11, 30),
            (13, 30),
            (14, 0),
            (14, 30),
            (15, 0),
            (15, 30),
            (16, 0),
        ] {
            let local = NaiveDate::from_ymd_opt(2026, 12, day)
                .expect("date")
                .and_hms_opt(h, mi, 0)
                .expect("time");
            slots.push((
                local
                    .and_local_timezone(tz)
                    .single()
                    .expect("fixed offset")
                    .with_timezone(&Utc),
                30,
            ));
        }
    }
    m::save_programme(
        db,
        &organiser,
        fair_id,
        &ProgrammeInput {
            tables: 40,
            request_hours: 72,
            slots,
        },
        now,
    )
    .await?;

    let mut buyers = vec![(
        demo_visitor.clone(),
        "Toyota Tsusho Vietnam".to_string(),
        0usize,
    )];
    for (i, (id, name, company)) in visitors.iter().take(40).enumerate() {
        let u = SessionUser {
            id: *id,
            email: String::new(),
            name: name.clone(),
            role: Role::Visitor,
            locale: Locale::En,
            email_verified: true,
        };
        buyers.push((u, company.clone(), i % SOURCING.len()));
    }
    let list = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    for (i, (buyer, company, profile)) in buyers.iter().enumerate() {
        let (hs, processes, materials, certificates, markets, languages) = SOURCING[*profile];
        let need = NeedInput {
            company: company.clone(),
            country: ["JP", "KR", "DE", "VN"][*profile].into(),
            need: Need {
                hs_codes: list(hs),
                processes: list(processes),
                materials: list(materials),
                certificates: list(certificates),
                markets: list(markets),
                languages: list(languages),
            },
            volume: format!("{} pcs/month", 5_000 * (1 + i % 4)),
            moq: format!("{}", 1_000 * (1 + i % 3)),
            description: String::new(),
        };
        m::save_need(db, buyer, &need, now).await?;
        let recs = m::recommend_suppliers(db, buyer, fair_id, 6).await?;
        for (j, r) in recs.iter().enumerate() {
            if j < 3 {
                let arrangement = Arrangement {
                    buyer_id: buyer.id,
                    firm_id: r.id,
                    weight: 1 + ((i + j) % 3) as i32,
                    location: if j % 2 == 0 {
                        Location::Table
                    } else {
                        Location::Booth
                    },
                };
                m::arrange_meeting(db, &organiser, fair_id, &arrangement, now).await?;
            } else if j < 5 {
                m::request_meeting(
                    db,
                    buyer,
                    fair_id,
                    r.id,
                    "Chúng tôi muốn trao đổi về báo giá và mẫu thử.",
                    now,
                )
                .await?;
            }
        }
    }
    let options = Options {
        time_limit: std::time::Duration::from_secs(1),
        ..Options::default()
    };
    let report = m::run_schedule(db, &organiser, fair_id, &options, &mut |_| {}, None, now).await?;
    Ok(report.scheduled)
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
