//! Catalogue search over 10,000 firms: server-side time of typical queries
//! (p50 and p99), run in-process on a fresh database. Run by
//! bench/catalogue.sh, which then measures the catalogue page over HTTP.
//!
//!   catalogue_bench --database URL --firms 10000 --runs 50 [--keep]

use chrono::Utc;
use fairlink::accounts::{NewAccount, Role};
use fairlink::db::Db;
use fairlink::firms::search::{self, Query};
use fairlink::firms::transfer::{self, Imported};
use fairlink::firms::{IMPORT_COLUMNS, TaxCode, vocabulary};
use std::time::Instant;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const ACTIVITIES: &[(&str, &str, &str)] = &[
    ("Cơ khí Chính xác", "Precision Engineering", "components"),
    ("Đúc Kim loại", "Metal Casting", "components"),
    ("Nhựa Kỹ thuật", "Engineering Plastics", "components"),
    ("Linh kiện Ô tô", "Auto Parts", "components"),
    ("Cao su Kỹ thuật", "Technical Rubber", "components"),
    ("Dệt may", "Textiles", "textile_leather"),
    ("Da giày", "Footwear Materials", "textile_leather"),
    ("Phụ liệu May", "Garment Accessories", "textile_leather"),
    ("Điện tử", "Electronics", "high_tech"),
    ("Tự động hóa", "Automation", "high_tech"),
];
const BRANDS: &[&str] = &[
    "Thăng Long",
    "Hồng Hà",
    "Sông Đà",
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
    "Nội Bài",
    "Quang Minh",
];
const PRODUCTS: &[&str] = &[
    "Vỏ hộp số|Gearbox housings|870840",
    "Bánh răng|Gears|848340",
    "Gioăng cao su|Rubber gaskets|401693",
    "Bo mạch điện tử|Printed circuit assemblies|853400",
    "Sợi cotton|Cotton yarn|520512",
    "Đế giày cao su|Rubber soles|640620",
    "Khóa kéo|Zippers|960719",
    "Cảm biến áp suất|Pressure sensors|902620",
    "Ốp nhựa xe máy|Motorcycle plastic covers|871410",
];

fn csv_of(n: usize) -> String {
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    let mut out = IMPORT_COLUMNS.join(",");
    out.push('\n');
    let mut made = 0;
    let mut serial = 200_000_000u32;
    while made < n {
        serial += 7;
        let digits: Vec<u8> = format!("{serial:09}").bytes().map(|b| b - b'0').collect();
        let mut nine = [0u8; 9];
        nine.copy_from_slice(&digits);
        let Some(code) = TaxCode::from_nine(nine) else {
            continue;
        };
        let (vi, en, sector) = *rng.pick(ACTIVITIES);
        let brand = *rng.pick(BRANDS);
        let province = rng.pick(vocabulary::PROVINCES).code;
        let process = rng.pick(vocabulary::PROCESSES).code;
        let material = rng.pick(vocabulary::MATERIALS).code;
        let market1 = rng.pick(vocabulary::MARKETS).code;
        let market2 = rng.pick(vocabulary::MARKETS).code;
        let product = *rng.pick(PRODUCTS);
        out.push_str(&format!(
            "{},Công ty TNHH {vi} {brand} {made},{brand} {en} Co {made},{sector},{province},Lô {made} KCN,,Nguyễn Văn An,lienhe{made}@bench.example,024 3888 {:04},{},,2010,{process},{material},{market1};{market2},{product},,\n",
            code.as_str(),
            made % 10_000,
            20 + made % 2000
        ));
        made += 1;
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let n: usize = arg("--firms", "10000").parse().unwrap();
    let runs: usize = arg("--runs", "50").parse().unwrap();
    let dir = std::env::temp_dir().join(format!("fairlink-catalogue-bench-{}", std::process::id()));
    let url = arg(
        "--database",
        &format!("sqlite://{}/bench.db?mode=rwc", dir.display()),
    );
    let db = Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrate");
    let organiser = fairlink::accounts::create_account(
        &db,
        NewAccount {
            email: format!("bench{}@fairlink.example", std::process::id()),
            name: "Bench".into(),
            password: "a long bench password".into(),
            role: Role::Organiser,
            locale: fairlink::Locale::Vi,
        },
        Utc::now(),
    )
    .await
    .expect("organiser");
    let t0 = Instant::now();
    match transfer::import(
        &db,
        &organiser,
        "bench.csv",
        csv_of(n).as_bytes(),
        Utc::now(),
    )
    .await
    .expect("import")
    {
        Imported::Done { created, updated } => println!(
            "catalogue search: {} firms imported ({created} new, {updated} updated) in {:.1} s, database {}",
            created + updated,
            t0.elapsed().as_secs_f64(),
            fairlink::db::redact(&url).split('?').next().unwrap_or("")
        ),
        Imported::Refused(e) => panic!("bench data refused: {:?}", &e[..e.len().min(3)]),
    }
    let q = |text: &str| Query {
        text: text.into(),
        ..Default::default()
    };
    let queries: Vec<(&str, Query)> = vec![
        ("all firms, page 1", Query::default()),
        (
            "all firms, page 40",
            Query {
                page: 40,
                ..Default::default()
            },
        ),
        ("nhua", q("nhua")),
        ("nhựa kỹ thuật", q("nhựa kỹ thuật")),
        ("co khi chinh xac", q("co khi chinh xac")),
        ("thang long", q("thang long")),
        ("dong anh", q("dong anh")),
        ("die casting", q("die casting")),
        ("đúc áp lực", q("đúc áp lực")),
        ("gearbox housings", q("gearbox housings")),
        ("8708", q("8708")),
        ("cam bien ap suat", q("cam bien ap suat")),
        ("ha noi", q("ha noi")),
        ("japan", q("japan")),
        (
            "korea + iatf (filters)",
            Query {
                market: Some("kr".into()),
                certificate: Some("iatf_16949".into()),
                ..Default::default()
            },
        ),
        (
            "sector textile + province",
            Query {
                sector: Some("textile_leather".into()),
                province: Some("bac_ninh".into()),
                ..Default::default()
            },
        ),
        (
            "electronics + japan, by size",
            Query {
                text: "electronics".into(),
                market: Some("jp".into()),
                sort: search::Sort::Size,
                ..Default::default()
            },
        ),
        (
            "rubber, newest",
            Query {
                text: "rubber".into(),
                sort: search::Sort::Newest,
                ..Default::default()
            },
        ),
        ("two rare words", q("sao mai tu dong hoa")),
        ("no match", q("zzzzzz")),
    ];
    for (_, query) in &queries {
        search::search(&db, query).await.expect("warm-up");
    }
    let mut all = Vec::new();
    println!(
        "  {:<32} {:>8} {:>9} {:>9}",
        "query", "results", "p50 ms", "p99 ms"
    );
    for (name, query) in &queries {
        let mut times = Vec::with_capacity(runs);
        let mut total = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let r = search::search(&db, query).await.expect("search");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            total = r.total;
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "  {:<32} {:>8} {:>9.2} {:>9.2}",
            name,
            total,
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
        all.extend(times);
    }
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "  {:<32} {:>8} {:>9.2} {:>9.2}   (target: p99 <= 20 ms per query on SQLite)",
        "all queries",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
    if std::env::args().any(|a| a == "--keep") {
        println!("database kept at {url}");
    } else {
        let _ = std::fs::remove_dir_all(dir);
    }
}
