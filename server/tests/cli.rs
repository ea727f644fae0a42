//! The `fairlink` binary as an operator uses it.

use fairlink::db::Db;
use fairlink::db_test;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn fairlink(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fairlink"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("FAIRLINK_ADDR")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn help_lists_the_commands() {
    let out = fairlink(&["--help"], &[], None);
    assert!(out.status.success());
    let help = text(&out);
    for command in ["serve", "migrate", "admin", "seed-demo"] {
        assert!(help.contains(command), "{help}");
    }
    let out = fairlink(&["admin", "create", "--help"], &[], None);
    assert!(text(&out).contains("--email") && text(&out).contains("--role"));
}

#[test]
fn bad_configuration_names_the_variable() {
    let out = fairlink(&["migrate"], &[("FAIRLINK_ADDR", "not-an-address")], None);
    assert!(!out.status.success());
    assert!(text(&out).contains("FAIRLINK_ADDR"), "{}", text(&out));
    let out = fairlink(
        &["migrate"],
        &[("DATABASE_URL", "mysql://root@localhost/x")],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("DATABASE_URL"), "{}", text(&out));
}

#[test]
fn migrate_creates_the_sqlite_file_and_its_folder() {
    let dir = std::env::temp_dir().join(format!("fairlink-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/nested/fairlink.db?mode=rwc", dir.display());
    let out = fairlink(&["migrate"], &[("DATABASE_URL", url.as_str())], None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(dir.join("nested/fairlink.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

db_test! {
    async fn operator_commands(db: Db) {
        let url = db.url().to_string();
        let env = [("DATABASE_URL", url.as_str())];
        let out = fairlink(&["migrate"], &env, None);
        assert!(out.status.success(), "{}", text(&out));

        let out = fairlink(
            &["admin", "create", "--email", "Chu.Tich@Fair.example", "--role", "organiser", "--name", "Chủ tịch"],
            &env,
            Some("a long organiser password\n"),
        );
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("chu.tich@fair.example (organiser)"), "{}", text(&out));
        let organiser = fairlink::accounts::sign_in(&db, "chu.tich@fair.example", "a long organiser password", "127.0.0.1", chrono::Utc::now())
            .await
            .unwrap();
        assert_eq!(organiser.role, fairlink::accounts::Role::Organiser);
        assert_eq!(organiser.name, "Chủ tịch");

        let out = fairlink(&["admin", "create", "--email", "chu.tich@fair.example"], &env, Some("another long password\n"));
        assert!(!out.status.success());
        assert!(text(&out).contains("email_taken"), "{}", text(&out));
        let out = fairlink(&["admin", "create", "--email", "x@fair.example"], &env, Some("short\n"));
        assert!(!out.status.success());
        assert!(text(&out).contains("password_too_short"), "{}", text(&out));
        let out = fairlink(&["admin", "create", "--email", "x@fair.example", "--role", "king"], &env, Some("long enough pw\n"));
        assert!(!out.status.success());

        let out = fairlink(&["seed-demo"], &env, None);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("900 firms (320 certified"), "{}", text(&out));
        let out = fairlink(&["seed-demo"], &env, None);
        assert!(out.status.success());
        assert!(text(&out).contains("already present"), "{}", text(&out));
    }
}
