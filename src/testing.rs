//! Fresh databases for tests: a SQLite file in a temporary folder, or a new
//! database on the local PostgreSQL server. Both are removed afterwards.
//!
//! PostgreSQL is found at `FAIRLINK_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When the test command has
//! found no server outside CI it sets `FAIRLINK_TEST_PG_SKIP=1`, and the
//! PostgreSQL variant of each test returns at once after saying so.

use crate::db::Db;
use sea_orm::{ConnectionTrait, Database};
use std::future::Future;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn pg_admin_url() -> String {
    std::env::var("FAIRLINK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

pub fn pg_skipped() -> bool {
    std::env::var("FAIRLINK_TEST_PG_SKIP").is_ok_and(|v| v == "1")
}

/// The master key of test processes (and of the servers they start, given
/// as `FAIRLINK_MASTER_KEY`): test data is sealed, like real data.
pub const TEST_MASTER_KEY: &str = "ZmFpcmxpbmsgdGVzdCBtYXN0ZXIga2V5IDMyIGJ5dGU=";

pub fn test_master_key() -> crate::secret::MasterKey {
    crate::secret::MasterKey::from_base64(TEST_MASTER_KEY).expect("the test key is 32 bytes")
}

/// A database that exists for one test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    backend: Backend,
    dir: Option<PathBuf>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A fresh, migrated database; `None` when PostgreSQL is skipped.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        let test = Self::empty(backend).await?;
        test.db.migrate().await.expect("migrate");
        Some(test)
    }

    /// A fresh database without tables; `None` when PostgreSQL is skipped.
    pub async fn empty(backend: Backend) -> Option<TestDb> {
        crate::secret::install(test_master_key());
        let id = uuid::Uuid::new_v4().simple().to_string();
        let test = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("fairlink-test-{id}"));
                std::fs::create_dir_all(&dir).expect("create temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("fairlink.db").display());
                let db = Db::connect(&url).await.expect("open SQLite");
                TestDb {
                    db,
                    url,
                    backend,
                    dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                if pg_skipped() {
                    eprintln!("PostgreSQL leg SKIPPED (FAIRLINK_TEST_PG_SKIP=1)");
                    return None;
                }
                let admin_url = pg_admin_url();
                let name = format!("fairlink_test_{id}");
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin_url} is required for this test: {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = replace_db_name(&admin_url, &name);
                let db = Db::connect(&url)
                    .await
                    .expect("open PostgreSQL test database");
                TestDb {
                    db,
                    url,
                    backend,
                    dir: None,
                    pg_name: Some(name),
                }
            }
        };
        Some(test)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// Swaps the database name in a PostgreSQL URL.
pub fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            let admin_url = pg_admin_url();
            // Drop runs outside any runtime we may block; use a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                        let _ = admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Runs one test body against a fresh database of the given kind.
pub async fn run<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(test) = TestDb::new(backend).await else {
        return;
    };
    body(test.db.clone()).await;
    drop(test);
}

/// Declares a test that runs twice, on a fresh SQLite file and on a fresh
/// PostgreSQL database:
///
/// ```ignore
/// db_test! {
///     async fn signs_in(db: Db) { /* ... */ }
/// }
/// ```
/// gives the tests `signs_in::sqlite` and `signs_in::postgres`.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($db:ident : $ty:ty) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($db: $ty) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::run($crate::testing::Backend::Sqlite, body).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::testing::run($crate::testing::Backend::Postgres, body).await
            }
        }
    };
}

/// A real SMTP server for tests: aiosmtpd (Python) on a free loopback port,
/// keeping every message it accepts in a Maildir. It can be stopped and
/// started again on the same port, to play an outage.
pub struct SmtpServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<std::process::Child>,
}

impl SmtpServer {
    fn python() -> String {
        std::env::var("FAIRLINK_TEST_PYTHON").unwrap_or_else(|_| "python3".to_string())
    }

    /// A free port on loopback (nothing listens there until `start`).
    pub fn reserve() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let dir =
            std::env::temp_dir().join(format!("fairlink-smtp-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("maildir");
        SmtpServer {
            port,
            dir,
            child: None,
        }
    }

    /// Reserves a port and starts the server on it.
    pub fn start() -> SmtpServer {
        let mut s = Self::reserve();
        s.resume();
        s
    }

    /// Starts (again) on the reserved port and waits until it answers.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = std::process::Command::new(Self::python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(self.dir.join("maildir"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd (pip install aiosmtpd) is required for mail tests");
        self.child = Some(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "aiosmtpd did not start on port {}",
                self.port
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Stops the server: connections are refused until `resume`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw, oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.join("maildir").join(sub)) {
                for e in entries.flatten() {
                    let modified = e.metadata().and_then(|m| m.modified()).ok();
                    files.push((modified, e.path()));
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, p)| std::fs::read(p).ok())
            .collect()
    }

    /// Waits until at least `n` messages arrived (or panics after 20 s).
    pub fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{} of {n} messages arrived",
                got.len()
            );
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fair ready for booking, for tests and benches: one zone (`COMP`), two
/// booth types (`inline` at 2,500,000 ₫/m², `corner` +10 %), one hall with
/// `booths` 3 m × 3 m booths in rows of 20 (`A-0001`...), VAT 8 %, booking
/// open every day, holds of 15 minutes.
pub struct BoothFixture {
    pub fair_id: uuid::Uuid,
    pub hall_id: uuid::Uuid,
    pub organiser: crate::accounts::SessionUser,
    /// Booth ids in code order.
    pub booths: Vec<uuid::Uuid>,
}

pub async fn booth_fixture(db: &Db, booths: usize) -> BoothFixture {
    let starts_on = chrono::NaiveDate::from_ymd_opt(2030, 3, 10).expect("date");
    booth_fixture_from(db, booths, starts_on).await
}

/// The same fair, open from yesterday to tomorrow (in Hanoi): for tests of
/// what the server decides at its own time (online scans at the gates).
pub async fn booth_fixture_today(db: &Db, booths: usize) -> BoothFixture {
    let today = crate::format::day_in(crate::format::DEFAULT_TIME_ZONE, chrono::Utc::now());
    booth_fixture_from(db, booths, today - chrono::Days::new(1)).await
}

/// [`booth_fixture`] with a fair of three days from `starts_on`.
pub async fn booth_fixture_from(
    db: &Db,
    booths: usize,
    starts_on: chrono::NaiveDate,
) -> BoothFixture {
    use crate::booths;
    use chrono::{NaiveTime, Utc};
    let now = Utc::now();
    let organiser = users(db, 1, crate::accounts::Role::Organiser, "organiser")
        .await
        .remove(0);
    let fair_id = booths::create_fair(
        db,
        &organiser,
        &booths::FairInput {
            slug: format!("test-fair-{}", uuid::Uuid::new_v4().simple()),
            name_vi: "Hội chợ Công nghiệp hỗ trợ (thử)".into(),
            name_en: "Supporting Industry Fair (test)".into(),
            venue_vi: "Trung tâm Triển lãm, Hà Nội".into(),
            venue_en: "Exhibition Centre, Hanoi".into(),
            city: "Hà Nội".into(),
            starts_on,
            ends_on: starts_on + chrono::Days::new(2),
            opens_at: NaiveTime::from_hms_opt(8, 30, 0).expect("time"),
            closes_at: NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
            time_zone: crate::format::DEFAULT_TIME_ZONE.into(),
            vat_percent: 8,
            hold_minutes: 15,
            booking_opens_on: None,
            booking_closes_on: None,
            registration_closes_on: None,
        },
        now,
    )
    .await
    .expect("create fair");
    booths::save_zone(
        db,
        &organiser,
        fair_id,
        &booths::ZoneInput {
            code: "COMP".into(),
            name_vi: "Linh kiện".into(),
            name_en: "Components".into(),
            sector_group: Some("components".into()),
        },
        now,
    )
    .await
    .expect("zone");
    for (code, surcharge) in [("inline", 0), ("corner", 10)] {
        booths::save_booth_type(
            db,
            &organiser,
            fair_id,
            &booths::TypeInput {
                code: code.into(),
                name_vi: format!("Gian {code}"),
                name_en: format!("Booth {code}"),
                price_per_m2: 2_500_000,
                surcharge_percent: surcharge,
                furniture: true,
            },
            now,
        )
        .await
        .expect("type");
    }
    let hall_id = add_hall(db, &organiser, fair_id, "A", booths).await;
    let map = booths::fair_map(db, fair_id, None, now).await.expect("map");
    BoothFixture {
        fair_id,
        hall_id,
        organiser,
        booths: map.booths.iter().map(|b| b.id).collect(),
    }
}

/// A hall `code` of the fixture's fair with `booths` 3 m × 3 m booths in
/// rows of 20 (`{code}-0001`...), pairs of rows back to back, corner
/// booths at the ends of each row.
pub async fn add_hall(
    db: &Db,
    organiser: &crate::accounts::SessionUser,
    fair_id: uuid::Uuid,
    code: &str,
    booths: usize,
) -> uuid::Uuid {
    use crate::booths::{self, plan};
    let now = chrono::Utc::now();
    let rows = booths.div_ceil(20).max(1) as i32;
    let hall_id = booths::save_hall(
        db,
        organiser,
        fair_id,
        &booths::HallInput {
            code: code.into(),
            name_vi: format!("Nhà {code}"),
            name_en: format!("Hall {code}"),
            width: plan::metres(30 + 20 * 30 + 30),
            depth: plan::metres(30 + rows * 60 + 30),
        },
        now,
    )
    .await
    .expect("hall");
    let p = plan::Plan {
        booths: (0..booths)
            .map(|i| plan::PlanBooth {
                code: format!("{code}-{:04}", i + 1),
                x: 30 + (i % 20) as i32 * 30,
                // Pairs of rows back to back, aisles between pairs.
                y: 30 + (i / 20) as i32 * 60,
                w: 30,
                d: 30,
                polygon: None,
                type_code: if i % 20 == 0 || i % 20 == 19 {
                    "corner".into()
                } else {
                    "inline".into()
                },
                zone: "COMP".into(),
                price: None,
                label: None,
            })
            .collect(),
        features: Vec::new(),
    };
    booths::save_plan(db, organiser, hall_id, &p, now)
        .await
        .expect("save plan")
        .expect("valid plan");
    hall_id
}

/// A visitor badge of `fair_id` for `name` (every day, every area, no
/// consent to leads).
pub fn visitor_badge(fair_id: uuid::Uuid, name: &str) -> crate::badges::BadgeInput {
    crate::badges::BadgeInput {
        fair_id,
        kind: crate::badges::BadgeKind::Visitor,
        user_id: None,
        firm_id: None,
        name: name.into(),
        organisation: "Công ty Khách".into(),
        email: None,
        valid_from: None,
        valid_to: None,
        areas: vec![],
        lead_consent: false,
    }
}

/// `n` accounts of one role, written directly (one password hash for all:
/// hashing thousands would take minutes). Exhibitors each get an approved
/// firm of their own.
pub async fn users(
    db: &Db,
    n: usize,
    role: crate::accounts::Role,
    prefix: &str,
) -> Vec<crate::accounts::SessionUser> {
    use crate::accounts::entity::user;
    use crate::firms::entity::{firm, member};
    use chrono::Utc;
    use sea_orm::{EntityTrait, Set};
    let now = Utc::now();
    let hash = crate::accounts::hash_password("correct horse battery")
        .await
        .expect("hash");
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let mut out = Vec::with_capacity(n);
    let mut user_rows = Vec::new();
    let mut firm_rows = Vec::new();
    let mut member_rows = Vec::new();
    for i in 0..n {
        let id = uuid::Uuid::now_v7();
        let email = format!("{prefix}{i}.{}@test.example", &tag[..8]);
        user_rows.push(user::ActiveModel {
            id: Set(id),
            email: Set(email.clone()),
            name: Set(format!("Người dùng {i}")),
            password_hash: Set(hash.clone()),
            role: Set(role.as_str().into()),
            locale: Set(if i % 2 == 0 { "vi" } else { "en" }.into()),
            created_at: Set(now),
            updated_at: Set(now),
            disabled_at: Set(None),
            email_verified_at: Set(Some(now)),
        });
        if role == crate::accounts::Role::Exhibitor {
            let firm_id = uuid::Uuid::now_v7();
            // Unique, valid tax codes: nine digits and their check digit.
            let mut nine = [0u8; 9];
            let serial =
                (u32::from_str_radix(&tag[..6], 16).unwrap_or(0) as usize * 1000 + i) % 10_000_000;
            nine[0] = 0;
            nine[1] = 1;
            for (k, d) in format!("{serial:07}").bytes().enumerate() {
                nine[2 + k] = d - b'0';
            }
            let tax = crate::firms::TaxCode::from_nine(nine)
                .or_else(|| {
                    nine[8] = (nine[8] + 1) % 10;
                    crate::firms::TaxCode::from_nine(nine)
                })
                .map(|t| t.as_str().to_string())
                .unwrap_or_else(|| format!("01{serial:08}"));
            firm_rows.push(firm::ActiveModel {
                id: Set(firm_id),
                tax_code: Set(format!("{tax}-{:03}", i % 1000)),
                legal_name: Set(format!("Công ty TNHH Linh kiện {prefix} {i}")),
                name_en: Set(format!("{prefix} Components {i} Co., Ltd.")),
                sector_group: Set("components".into()),
                province: Set("ha_noi".into()),
                address: Set(format!("Lô {i}, KCN Thăng Long, Hà Nội")),
                website: Set(None),
                employees: Set(Some(100)),
                founded_year: Set(Some(2010)),
                status: Set(crate::firms::status::APPROVED.into()),
                created_at: Set(now),
                updated_at: Set(now),
                contact_name: Set(None),
                contact_email: Set(None),
                contact_phone: Set(None),
                revenue_band: Set(None),
                description_vi: Set(None),
                description_en: Set(None),
                customers: Set(None),
                logo_upload_id: Set(None),
                submitted_at: Set(Some(now)),
                decided_at: Set(Some(now)),
                decision_note: Set(None),
                search_body: Set(None),
                ..Default::default()
            });
            member_rows.push(member::ActiveModel {
                firm_id: Set(firm_id),
                user_id: Set(id),
                is_admin: Set(true),
                created_at: Set(now),
            });
        }
        out.push(crate::accounts::SessionUser {
            id,
            email,
            name: format!("Người dùng {i}"),
            role,
            locale: if i % 2 == 0 {
                crate::Locale::Vi
            } else {
                crate::Locale::En
            },
            email_verified: true,
        });
    }
    let txn = db.begin().await.expect("begin");
    for chunk in user_rows.chunks(200) {
        user::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .expect("users");
    }
    for chunk in firm_rows.chunks(200) {
        firm::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .expect("firms");
    }
    for chunk in member_rows.chunks(200) {
        member::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await
            .expect("members");
    }
    txn.commit().await.expect("commit");
    out
}

/// Marks an account's address confirmed (as following the mailed link does).
pub async fn confirm_email(db: &Db, user_id: uuid::Uuid) {
    use crate::accounts::entity::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    user::Entity::update_many()
        .col_expr(
            user::Column::EmailVerifiedAt,
            Expr::value(chrono::Utc::now()),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db.write())
        .await
        .expect("confirm the address");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_database_names() {
        assert_eq!(
            replace_db_name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_db_name("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(replace_db_name("postgres://h", "t3"), "postgres://h/t3");
    }
}
