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
        test.db.migrate().await.expect("migrate");
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
