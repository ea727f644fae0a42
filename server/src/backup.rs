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

fn run_tool(name: &str, args: &[&str]) -> anyhow::Result<()> {
    let status = std::process::Command::new(tool(name)?)
        .args(args)
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
        check_sqlite(output).await
    } else {
        let target = output
            .to_str()
            .ok_or_else(|| anyhow!("the path is not UTF-8"))?;
        run_tool(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                "--file",
                target,
                "--dbname",
                url,
            ],
        )
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
        run_tool(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                url,
                source,
            ],
        )?;
    }
    let db = Db::connect(url).await?;
    db.migrate().await?;
    Ok(())
}
