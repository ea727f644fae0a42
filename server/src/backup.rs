//! `fairlink backup` and `fairlink restore`.
//!
//! SQLite: the backup is `VACUUM INTO`, a consistent copy taken while the
//! app keeps serving (it reads one snapshot; writers are not held up), then
//! checked with `PRAGMA integrity_check`. Restoring checks the copy, writes
//! it beside the database file and renames it into place (the app must be
//! stopped), then migrates it.
//!
//! PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, taken
//! while the app serves) and `pg_restore --clean --if-exists`, run on the
//! database the URL names; both tools must be installed (Debian:
//! postgresql-client).

use anyhow::{Context, anyhow, bail};
use fairlink::db::Db;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use std::path::{Path, PathBuf};

/// The tables whose rows a backup reports (and a round trip compares).
pub const TABLES: &[&str] = &[
    "users",
    "firms",
    "fairs",
    "booths",
    "booth_claims",
    "badges",
    "scans",
    "presence",
    "meeting_requests",
    "meetings",
    "outbox",
];

/// Rows per table, in the order of [`TABLES`].
pub async fn row_counts(db: &Db) -> anyhow::Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for table in TABLES {
        let row = db
            .read()
            .query_one_raw(Statement::from_string(
                db.backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await?
            .ok_or_else(|| anyhow!("no count for {table}"))?;
        out.push((*table, row.try_get::<i64>("", "n")?));
    }
    Ok(out)
}

fn sqlite_file(url: &str) -> anyhow::Result<PathBuf> {
    fairlink::db::sqlite_path(url)
        .map(PathBuf::from)
        .ok_or_else(|| anyhow!("DATABASE_URL names no SQLite file"))
}

/// Whether an SQLite file passes `PRAGMA integrity_check`.
async fn check_sqlite(path: &Path) -> anyhow::Result<()> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let db = sea_orm::Database::connect(&url)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?
        .ok_or_else(|| anyhow!("no answer to the integrity check"))?;
    let verdict: String = row.try_get_by_index(0)?;
    db.close().await.ok();
    if verdict != "ok" {
        bail!("{} fails the integrity check: {verdict}", path.display());
    }
    Ok(())
}

fn tool(name: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!("{name} is missing: install PostgreSQL's client tools (Debian: apt-get install postgresql-client)")
        })
}

/// A PostgreSQL URL without its password, and the password (for the tools'
/// environment: a command line is readable by every user of the machine).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let Some(at) = url[scheme_end..authority_end]
        .rfind('@')
        .map(|i| scheme_end + i)
    else {
        return (url.to_string(), None);
    };
    let Some(colon) = url[scheme_end..at].find(':').map(|i| scheme_end + i) else {
        return (url.to_string(), None);
    };
    let password = percent_decode(&url[colon + 1..at]);
    (format!("{}{}", &url[..colon], &url[at..]), Some(password))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Only the owner reads a backup.
fn owner_only(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn run_tool(name: &str, args: &[&str], password: Option<&str>) -> anyhow::Result<()> {
    let mut command = std::process::Command::new(tool(name)?);
    command.args(args);
    if let Some(p) = password {
        command.env("PGPASSWORD", p);
    }
    let status = command
        .status()
        .with_context(|| format!("cannot run {name}"))?;
    if !status.success() {
        bail!("{name} failed ({status})");
    }
    Ok(())
}

/// Takes a backup of the database at `url` into `output` (which must not
/// exist yet).
pub async fn backup(url: &str, output: &Path) -> anyhow::Result<()> {
    if output.exists() {
        bail!("{} exists already: choose a new file", output.display());
    }
    if url.starts_with("sqlite:") {
        let file = sqlite_file(url)?;
        if !file.is_file() {
            bail!(
                "{} does not exist: DATABASE_URL names no database",
                file.display()
            );
        }
        let db = Db::connect(url).await?;
        let target = output
            .to_str()
            .ok_or_else(|| anyhow!("the path is not UTF-8"))?;
        db.read()
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "VACUUM INTO ?",
                [target.into()],
            ))
            .await
            .with_context(|| format!("cannot write {}", output.display()))?;
        db.close().await.ok();
        owner_only(output)?;
        check_sqlite(output).await
    } else {
        let target = output
            .to_str()
            .ok_or_else(|| anyhow!("the path is not UTF-8"))?;
        let (url, password) = split_password(url);
        run_tool(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                "--file",
                target,
                "--dbname",
                &url,
            ],
            password.as_deref(),
        )?;
        owner_only(output)
    }
}

/// Restores `input` into the database at `url`, then migrates it. On
/// SQLite the app must be stopped; an existing database is replaced only
/// with `replace`.
pub async fn restore(url: &str, input: &Path, replace: bool) -> anyhow::Result<()> {
    if !input.is_file() {
        bail!("{} is not a file", input.display());
    }
    if url.starts_with("sqlite:") {
        check_sqlite(input).await?;
        let target = sqlite_file(url)?;
        if target.exists() && !replace {
            bail!(
                "{} exists: stop the app and pass --replace to overwrite it",
                target.display()
            );
        }
        let dir = target
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        // Copied beside the target, flushed, then renamed over it: a crash
        // leaves either the old database or the restored one.
        let staged = dir.join(format!(
            ".{}.restoring",
            target.file_name().and_then(|n| n.to_str()).unwrap_or("db")
        ));
        std::fs::copy(input, &staged)
            .with_context(|| format!("cannot copy to {}", staged.display()))?;
        std::fs::File::open(&staged)?.sync_all()?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::remove_file(&side)?;
            }
        }
        std::fs::rename(&staged, &target)?;
    } else {
        let source = input
            .to_str()
            .ok_or_else(|| anyhow!("the path is not UTF-8"))?;
        // A database with tables is replaced only when asked.
        if !replace {
            let db = Db::connect(url).await?;
            let row = db
                .read()
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
                ))
                .await?;
            db.close().await.ok();
            let tables: i64 = match row {
                Some(r) => r.try_get("", "n")?,
                None => 0,
            };
            if tables > 0 {
                bail!(
                    "the database has {tables} tables: stop the app and pass --replace to overwrite it"
                );
            }
        }
        let (url, password) = split_password(url);
        run_tool(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                &url,
                source,
            ],
            password.as_deref(),
        )?;
    }
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn the_password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://fair:s%40cret@db:5432/fairlink?sslmode=require"),
            (
                "postgres://fair@db:5432/fairlink?sslmode=require".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://postgres@127.0.0.1:5432/x"),
            ("postgres://postgres@127.0.0.1:5432/x".to_string(), None)
        );
        assert_eq!(
            split_password("postgres://db/x"),
            ("postgres://db/x".to_string(), None)
        );
    }
}
