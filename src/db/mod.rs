//! Connecting to the database (SQLite file by default, PostgreSQL when the
//! URL says so) and migrating it.
//!
//! SQLite runs in WAL mode with foreign keys on and a busy timeout. Writes go
//! through a pool of exactly one connection, so concurrent requests queue for
//! the writer instead of failing with "database is locked"; reads use a pool
//! of their own and never wait for writers. On PostgreSQL both handles share
//! one pool and the database does the locking.

pub mod changes;
pub mod migrations;
pub mod settings;

pub use changes::{Change, Topic};

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Connections of one instance to PostgreSQL.
const PG_POOL_SIZE: u32 = 20;

/// The default database: a file beside the working directory.
pub const DEFAULT_SQLITE_PATH: &str = "./data/fairlink.db";

pub fn default_url() -> String {
    format!("sqlite://{DEFAULT_SQLITE_PATH}?mode=rwc")
}

/// Frames in the SQLite write-ahead log above which the log is started
/// afresh (about 32 MB of pages).
const WAL_RESTART_FRAMES: i64 = 8192;

/// Copies the SQLite write-ahead log back into the database file five times
/// a second from a reader, off the writer's path (PASSIVE: it never blocks
/// readers or the writer, and does what it can). Under a steady stream of
/// commits such a copy never catches the last frame, so the log would only
/// grow (and every page read searches it): once it holds more than
/// [`WAL_RESTART_FRAMES`], the writer itself copies the few frames left
/// between two of its transactions (no other writer can add one meanwhile),
/// and its next commit writes the log from its start. Ends when the
/// database is closed.
async fn checkpoints(read: DatabaseConnection, write: DatabaseConnection) {
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let passive = || Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(PASSIVE)");
    loop {
        tick.tick().await;
        let row = match sea_orm::ConnectionTrait::query_one_raw(&read, passive()).await {
            Ok(row) => row,
            Err(_) => return,
        };
        let frames: i64 = row
            .and_then(|r| r.try_get_by_index::<i64>(1).ok())
            .unwrap_or(0);
        if frames > WAL_RESTART_FRAMES
            && sea_orm::ConnectionTrait::execute_raw(&write, passive())
                .await
                .is_err()
        {
            return;
        }
    }
}

/// Turns Nagle's algorithm off on this process's TCP connections to the
/// database's port. sqlx 0.9.0 leaves it on (sqlx issue 4335, fixed after
/// that release): a statement the kernel sends in two pieces then waits for
/// the server's delayed acknowledgement, 40 ms, and a 10,000-scan upload
/// took three times as long over TCP as over a Unix socket. Called as each
/// pooled connection opens; setting the option twice is harmless. Remove
/// once a sqlx release sets TCP_NODELAY itself.
#[cfg(target_os = "linux")]
fn no_delay_to(port: u16) {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in dir.flatten() {
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<libc::c_int>() else {
            continue;
        };
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|t| t.to_string_lossy().starts_with("socket:"));
        if !is_socket {
            continue;
        }
        // SAFETY: `fd` is open in this process (listed just now; at worst it
        // closed since, and the calls fail with EBADF). getpeername writes
        // at most `len` bytes into `addr`; setsockopt reads one c_int.
        unsafe {
            let mut addr: libc::sockaddr_storage = std::mem::zeroed();
            let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            if libc::getpeername(fd, (&raw mut addr).cast(), &mut len) != 0 {
                continue;
            }
            let peer_port = match libc::c_int::from(addr.ss_family) {
                libc::AF_INET => {
                    u16::from_be((*(&raw const addr).cast::<libc::sockaddr_in>()).sin_port)
                }
                libc::AF_INET6 => {
                    u16::from_be((*(&raw const addr).cast::<libc::sockaddr_in6>()).sin6_port)
                }
                _ => continue,
            };
            if peer_port != port {
                continue;
            }
            let one: libc::c_int = 1;
            libc::setsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&raw const one).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

/// A handle on the database: one handle for reads, one for writes.
#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    url: String,
    /// What this instance hears of changes, a channel per topic (see [`changes`]).
    changes: [tokio::sync::broadcast::Sender<Change>; changes::TOPICS],
    /// PostgreSQL: announcements waiting to be sent (see [`changes`]).
    announcements: Option<tokio::sync::mpsc::Sender<Change>>,
}

impl Db {
    /// Opens the database named by `url` (`sqlite://path?mode=rwc` or
    /// `postgres://...`). The SQLite file and its folder are created if
    /// missing.
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::connect_postgres(url).await
        } else {
            Err(DbErr::Custom(format!(
                "unsupported database URL (expected sqlite:// or postgres://): {}",
                redact(url)
            )))
        }
    }

    async fn connect_sqlite(url: &str) -> Result<Db, DbErr> {
        if let Some(path) = sqlite_path(url)
            && let Some(parent) = std::path::Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
        }
        let open = |max: u32, checkpoints: bool| {
            let mut opts = ConnectOptions::new(url.to_string());
            opts.max_connections(max)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                // A file does not drop connections: no ping on each checkout
                // (each would be one more hop to the connection's thread).
                .test_before_acquire(false)
                .sqlx_logging(false)
                .map_sqlx_sqlite_opts(move |o| {
                    o.create_if_missing(true)
                        .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(10))
                        // The writer does not copy the WAL back into the
                        // file as it commits (a commit that did would wait
                        // for it): see `checkpoints`.
                        .pragma("wal_autocheckpoint", if checkpoints { "1000" } else { "0" })
                        // A log grown large under load shrinks back when it restarts.
                        .pragma("journal_size_limit", "67108864")
                });
            opts
        };
        // The writer first: it switches the file to WAL before readers open it.
        let write = Database::connect(open(1, false)).await?;
        let read = Database::connect(open(8, true)).await?;
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(checkpoints(read.clone(), write.clone()));
        }
        Ok(Db {
            read,
            write,
            url: url.to_string(),
            changes: changes::channels(),
            announcements: None,
        })
    }

    async fn connect_postgres(url: &str) -> Result<Db, DbErr> {
        let mut opts = ConnectOptions::new(url.to_string());
        #[cfg(target_os = "linux")]
        if let Ok(pg) =
            <sea_orm::sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url)
        {
            let port = pg.get_port();
            opts.map_sqlx_postgres_pool_opts(move |pool| {
                pool.after_connect(move |_, _| {
                    no_delay_to(port);
                    Box::pin(async { Ok(()) })
                })
            });
        }
        opts.max_connections(PG_POOL_SIZE)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            // Busy connections go straight to work; one idle for a while is
            // checked first (a restarted server or a proxy may have cut it).
            .test_before_acquire_if_idle_for(Duration::from_secs(10))
            .sqlx_logging(false);
        let conn = Database::connect(opts).await?;
        let channels = changes::channels();
        let announcements = tokio::runtime::Handle::try_current().ok().map(|handle| {
            let (queue, pending) = tokio::sync::mpsc::channel(4096);
            handle.spawn(changes::send_announcements(
                conn.clone(),
                pending,
                channels.clone(),
            ));
            queue
        });
        Ok(Db {
            read: conn.clone(),
            write: conn,
            url: url.to_string(),
            changes: channels,
            announcements,
        })
    }

    /// For queries. Never use it to change data.
    pub fn read(&self) -> &DatabaseConnection {
        &self.read
    }

    /// For statements outside a transaction that change data (rare: prefer
    /// [`Db::begin`]).
    pub fn write(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Starts a write transaction. On SQLite this waits for the single writer.
    ///
    /// On PostgreSQL, pooled connections the server cut (it restarted, or
    /// an administrator ended them) fail on their first statement, and the
    /// pool then drops them. Nothing of the caller's has been sent when
    /// `BEGIN` fails, so it is tried again on another connection: up to
    /// the pool's size, which may be full of such connections.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        let mut tries = 0;
        loop {
            match self.write.begin().await {
                Err(e) if tries < PG_POOL_SIZE && connection_lost(&e) => {
                    tries += 1;
                    tracing::debug!(error = %e, "a pooled connection was cut; trying another");
                }
                r => return r,
            }
        }
    }

    /// The URL this handle was opened with (it may hold a password: see
    /// [`redact`] before showing it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> DbBackend {
        self.read.get_database_backend()
    }

    /// Applies every pending migration.
    /// Brings the schema up to date. On PostgreSQL, instances starting at
    /// once take turns: the first migrates while the others wait on an
    /// advisory lock (held by one connection set aside for it), then find
    /// nothing left to do.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        if self.backend() != DbBackend::Postgres {
            // SQLite: processes on one file take turns through a lock on a
            // file beside it (released when the handle is dropped).
            let _turn = match sqlite_path(&self.url) {
                Some(path) => {
                    let lock = format!("{path}.migrate-lock");
                    let file = tokio::task::spawn_blocking(move || {
                        let file = std::fs::OpenOptions::new()
                            .create(true)
                            .truncate(false)
                            .write(true)
                            .open(&lock)?;
                        file.lock()?;
                        Ok::<_, std::io::Error>(file)
                    })
                    .await
                    .map_err(|e| DbErr::Custom(format!("migration lock: {e}")))?
                    .map_err(|e| DbErr::Custom(format!("migration lock: {e}")))?;
                    Some(file)
                }
                None => None,
            };
            return migrations::Migrator::up(&self.write, None).await;
        }
        // "fairlink" in ASCII: the key every instance locks.
        const KEY: i64 = 0x6661_6972_6c69_6e6b;
        let pool = self.write.get_postgres_connection_pool();
        let mut held = pool
            .acquire()
            .await
            .map_err(|e| DbErr::Custom(format!("migration lock: {e}")))?;
        sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(KEY)
            .execute(&mut *held)
            .await
            .map_err(|e| DbErr::Custom(format!("migration lock: {e}")))?;
        let migrated = migrations::Migrator::up(&self.write, None).await;
        // Unlocked before the connection goes back (also if migrating
        // failed); if unlocking fails, the connection is closed instead,
        // which ends its lock with its session.
        if sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(KEY)
            .execute(&mut *held)
            .await
            .is_err()
        {
            drop(held.detach());
        }
        migrated
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.read.ping().await
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.read.close().await?;
        self.write.close().await
    }
}

/// A statement written with `?` placeholders, numbered (`$1`, `$2` ...) for
/// PostgreSQL.
pub fn statement(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
    let text = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, text, values)
}

/// The connection under a statement is gone: cut by the server
/// (SQLSTATE class 57P: shut down or ended by an administrator; class 08:
/// connection exceptions) or closed under it.
pub fn connection_lost(e: &DbErr) -> bool {
    let (DbErr::Conn(sea_orm::RuntimeErr::SqlxError(se))
    | DbErr::Exec(sea_orm::RuntimeErr::SqlxError(se))
    | DbErr::Query(sea_orm::RuntimeErr::SqlxError(se))) = e
    else {
        return false;
    };
    match se.as_ref() {
        sea_orm::sqlx::Error::Io(_) => true,
        sea_orm::sqlx::Error::Database(d) => d
            .code()
            .is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

/// Whether `e` is a unique index refusing a row, on either engine.
pub fn unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// The file path inside a `sqlite://` URL, if it names a file.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

/// A URL with its password replaced, fit for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(
            sqlite_path("sqlite://./data/x.db?mode=rwc").as_deref(),
            Some("./data/x.db")
        );
        assert_eq!(
            sqlite_path("sqlite:/tmp/y.db").as_deref(),
            Some("/tmp/y.db")
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://fair:s3cret@db.local:5432/fairlink"),
            "postgres://fair:***@db.local:5432/fairlink"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://./data/f.db"), "sqlite://./data/f.db");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn connections_to_the_database_port_go_without_delay() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let other = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let to_db = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let elsewhere = std::net::TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_db.nodelay().unwrap() && !elsewhere.nodelay().unwrap());
        no_delay_to(port);
        assert!(to_db.nodelay().unwrap(), "the database connection");
        assert!(
            !elsewhere.nodelay().unwrap(),
            "another connection is left alone"
        );
    }
}
