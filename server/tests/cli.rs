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
        .env("FAIRLINK_MASTER_KEY", fairlink::testing::TEST_MASTER_KEY)
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

        // Badge keys: the demo fair's badges were signed with key 1.
        let out = fairlink(&["keys", "list"], &env, None);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("key   1") && text(&out).contains("signs new badges"), "{}", text(&out));
        let out = fairlink(&["keys", "rotate"], &env, None);
        assert!(text(&out).contains("key 2 signs new badges"), "{}", text(&out));
        let out = fairlink(&["keys", "retire", "1"], &env, None);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("re-signed with key 2"), "{}", text(&out));
        let moved: u64 = text(&out).split_whitespace().skip_while(|w| *w != "retired;").nth(1).unwrap().parse().unwrap();
        assert!(moved > 0, "{}", text(&out));
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use fairlink::badges::entity::badge;
        let still_old = badge::Entity::find().filter(badge::Column::KeyId.eq(1)).filter(badge::Column::Status.eq("active")).count(db.read()).await.unwrap();
        assert_eq!(still_old, 0, "every active badge re-signed");
        let out = fairlink(&["keys", "retire", "1"], &env, None);
        assert!(!out.status.success());
        assert!(text(&out).contains("no key 1"), "{}", text(&out));
        // The seeds are sealed: another master key cannot use this database.
        let other = [("DATABASE_URL", url.as_str()), ("FAIRLINK_MASTER_KEY", "b3RoZXIgbWFzdGVyIGtleSBvZiAzMiBieXRlcyEhISE=")];
        let out = fairlink(&["keys", "list"], &other, None);
        assert!(!out.status.success());
        assert!(text(&out).contains("master key differs"), "{}", text(&out));
        let out = fairlink(&["keys", "list"], &[("DATABASE_URL", url.as_str()), ("FAIRLINK_MASTER_KEY", "short")], None);
        assert!(!out.status.success());
        assert!(text(&out).contains("FAIRLINK_MASTER_KEY"), "{}", text(&out));
    }
}

#[test]
fn a_missing_master_key_file_is_made_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("fairlink-key-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("fair.db").display());
    let key_file = dir.join("keys").join("master.key");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fairlink"));
    let out = cmd
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .env_remove("FAIRLINK_MASTER_KEY")
        .env("FAIRLINK_MASTER_KEY_FILE", &key_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert!(
        fairlink::secret::MasterKey::from_base64(&key).is_some(),
        "{key}"
    );
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Made once: the next start reads the same key.
    let out = Command::new(env!("CARGO_BIN_EXE_fairlink"))
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .env_remove("FAIRLINK_MASTER_KEY")
        .env("FAIRLINK_MASTER_KEY_FILE", &key_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn allocate_reads_and_writes_the_documented_format() {
    let dir = std::env::temp_dir().join(format!("fairlink-allocate-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("plan.json");
    let output = dir.join("assignment.json");
    // Two rival firms want the same corner; the third wants what is left.
    std::fs::write(
        &input,
        r#"{
          "booths": [
            {"code": "A-01", "hall": "A", "zone": "COMP", "type": "corner", "x": 0, "y": 0, "w": 30, "d": 30},
            {"code": "A-02", "hall": "A", "zone": "COMP", "type": "corner", "x": 30, "y": 0, "w": 30, "d": 30},
            {"code": "A-03", "hall": "A", "zone": "COMP", "type": "corner", "x": 200, "y": 0, "w": 30, "d": 30},
            {"code": "A-04", "hall": "A", "zone": "COMP", "type": "corner", "x": 400, "y": 0, "w": 30, "d": 30, "available": false}
          ],
          "applications": [
            {"id": "app-1", "firm": "f1", "area_m2": 9, "type": "corner", "zone": "COMP", "preferences": ["A-01"], "applied_at": 100},
            {"id": "app-2", "firm": "f2", "area_m2": 9, "type": "corner", "zone": "COMP", "preferences": ["A-01", "A-02"], "avoid": ["f1"], "applied_at": 200, "certified": true},
            {"id": "app-3", "firm": "f3", "area_m2": 9, "type": "corner", "applied_at": 300},
            {"id": "app-4", "firm": "f4", "area_m2": 36, "type": "island", "applied_at": 400}
          ],
          "policy": {"order": ["earlier"], "area_tolerance_percent": 20, "adjacency_gap_dm": 10}
        }"#,
    )
    .unwrap();
    let out = fairlink(
        &[
            "allocate",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("placed 3 of 4 applications"),
        "{}",
        text(&out)
    );
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    let placed: Vec<(String, String)> = result["placed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["application"].as_str().unwrap().to_string(),
                p["booth"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Earliest first: app-1 gets its first choice; app-2 must not sit next
    // to f1, so not A-02 either: it gets the far booth; app-3 what is left.
    assert!(
        placed.contains(&("app-1".into(), "A-01".into())),
        "{placed:?}"
    );
    assert!(
        placed.contains(&("app-2".into(), "A-03".into())),
        "{placed:?}"
    );
    assert!(
        placed.contains(&("app-3".into(), "A-02".into())),
        "{placed:?}"
    );
    assert!(
        !placed.iter().any(|(_, b)| b == "A-04"),
        "an unavailable booth was given out"
    );
    let not_placed = result["not_placed"].as_array().unwrap();
    assert_eq!(not_placed.len(), 1);
    assert_eq!(not_placed[0]["application"], "app-4");
    assert_eq!(not_placed[0]["reason"], "no_matching_booth");
    assert!(
        result["first_choice_bound"].as_u64().unwrap() >= result["first_choices"].as_u64().unwrap()
    );

    // Bad input: a clear message naming the file, and a failure status.
    std::fs::write(&input, r#"{"booths": [{"code": 1}]}"#).unwrap();
    let out = fairlink(&["allocate", "--input", input.to_str().unwrap()], &[], None);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not an allocation problem"),
        "{}",
        text(&out)
    );

    // The generated example reads back and allocates.
    let example = dir.join("example.json");
    let out = fairlink(
        &[
            "allocate",
            "--example",
            "60x40",
            "--output",
            example.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = fairlink(
        &["allocate", "--input", example.to_str().unwrap()],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("of 40 applications"), "{}", text(&out));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn schedule_reads_and_writes_the_documented_format() {
    let dir = std::env::temp_dir().join(format!("fairlink-schedule-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, output, again) = (
        dir.join("instance.json"),
        dir.join("schedule.json"),
        dir.join("again.json"),
    );
    let run = |args: &[&str]| fairlink(args, &[], None);
    // A generated example goes through and keeps every rule.
    let out = run(&[
        "schedule",
        "--example",
        "small",
        "--output",
        input.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&[
        "schedule",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--seconds",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let report = text(&out);
    assert!(
        report.contains("of at most") && report.contains("greedy"),
        "{report}"
    );
    let inst =
        fairlink::meetings::Instance::parse(&std::fs::read_to_string(&input).unwrap()).unwrap();
    let first =
        fairlink::meetings::Schedule::parse(&std::fs::read_to_string(&output).unwrap()).unwrap();
    inst.check(&first).unwrap();
    assert!(inst.weight(&first) > inst.weight(&fairlink::meetings::greedy(&inst)));

    // Re-scheduling after a cancellation keeps every other meeting in place.
    let gone = first.meetings[0].request.clone();
    let mut spec = inst.spec.clone();
    spec.requests.retain(|r| r.id != gone);
    spec.fixed.retain(|f| f.request != gone);
    std::fs::write(&input, serde_json::to_string(&spec).unwrap()).unwrap();
    let out = run(&[
        "schedule",
        "--input",
        input.to_str().unwrap(),
        "--previous",
        output.to_str().unwrap(),
        "--output",
        again.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let second =
        fairlink::meetings::Schedule::parse(&std::fs::read_to_string(&again).unwrap()).unwrap();
    for m in first.meetings.iter().filter(|m| m.request != gone) {
        assert!(second.meetings.contains(m), "{m:?} moved");
    }

    // Bad input: the file and the offending item are named, nothing written.
    std::fs::remove_file(&again).unwrap();
    std::fs::write(
        &input,
        r#"{"slots": [{"id": "a", "start": "2027-03-10T09:00:00+07:00", "minutes": 30}],
            "tables": 2, "participants": [{"id": "p1", "kind": "buyer"}],
            "requests": [{"id": "r1", "from": "p1", "to": "p9", "weight": 1, "location": "table"}]}"#,
    )
    .unwrap();
    let out = run(&[
        "schedule",
        "--input",
        input.to_str().unwrap(),
        "--output",
        again.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let message = text(&out);
    assert!(
        message.contains("instance.json") && message.contains("r1") && message.contains("p9"),
        "{message}"
    );
    assert!(!again.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

db_test! {
    async fn a_backup_taken_under_load_restores_to_a_consistent_fair(db: Db) {
        use chrono::Utc;
        use fairlink::accounts::{self, NewAccount, Role};
        use fairlink_server::backup::row_counts;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        fairlink::seed::run(&db, Utc::now()).await.unwrap();
        let before = row_counts(&db).await.unwrap();
        let dir = std::env::temp_dir().join(format!("fairlink-backup-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("fair.backup");
        let url = db.url().to_string();
        let cli = |args: Vec<String>, url: String| {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                fairlink(&args, &[("DATABASE_URL", &url)], None)
            })
        };

        // Load: sign-ups (an account and its mail, in one transaction each)
        // go on while the backup is taken.
        let (stop, done) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
        let load = {
            let (db, stop, done) = (db.clone(), stop.clone(), done.clone());
            let links = fairlink::mail::Links::new("https://fair.example.vn");
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let account = NewAccount { email: format!("load{i}@backup.example"), name: format!("Load {i}"), password: "correct horse battery".into(), role: Role::Visitor, locale: fairlink::Locale::Vi };
                    accounts::sign_up(&db, account, "127.0.0.1", &links, Utc::now()).await.unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        };
        while done.load(Ordering::Relaxed) < 5 {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let out = cli(vec!["backup".into(), "--output".into(), file.display().to_string()], url.clone()).await.unwrap();
        assert!(out.status.success(), "{}", text(&out));
        stop.store(true, Ordering::Relaxed);
        load.await.unwrap();
        // A second backup to the same file is refused (nothing overwritten).
        let again = cli(vec!["backup".into(), "--output".into(), file.display().to_string()], url.clone()).await.unwrap();
        assert!(!again.status.success());
        assert!(text(&again).contains("exists already"), "{}", text(&again));

        // Restored into a new database.
        let fresh = match db.backend() {
            sea_orm::DbBackend::Postgres => fairlink::testing::TestDb::empty(fairlink::testing::Backend::Postgres).await,
            _ => None,
        };
        let target = match &fresh {
            Some(t) => t.url.clone(),
            None => format!("sqlite://{}?mode=rwc", dir.join("restored.db").display()),
        };
        let out = cli(vec!["restore".into(), "--input".into(), file.display().to_string()], target.clone()).await.unwrap();
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains("restored from"), "{}", text(&out));
        let restored = Db::connect(&target).await.unwrap();
        let after = row_counts(&restored).await.unwrap();
        for ((table, b), (_, a)) in before.iter().zip(&after) {
            if matches!(*table, "users" | "outbox") {
                assert!(a >= b, "{table}: {a} restored, {b} before the load");
            } else {
                assert_eq!(a, b, "{table}");
            }
        }
        // A consistent snapshot: every account the load made is there with
        // its mail, or neither is.
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let load_users = fairlink::accounts::entity::user::Entity::find()
            .filter(fairlink::accounts::entity::user::Column::Email.like("load%@backup.example"))
            .count(restored.read()).await.unwrap();
        let load_mails = fairlink::mail::entity::outbox::Entity::find()
            .filter(fairlink::mail::entity::outbox::Column::ToEmail.like("load%@backup.example"))
            .count(restored.read()).await.unwrap();
        assert_eq!(load_users, load_mails);
        assert!(load_users >= 5, "{load_users}");
        // The restored fair serves: its demo organiser signs in.
        let organiser = accounts::sign_in(&restored, "organiser@fairlink.example", "fairlink-demo-2026", "127.0.0.1", Utc::now()).await;
        assert!(organiser.is_ok(), "{organiser:?}");
        // SQLite: an existing database is replaced only when asked.
        if fresh.is_none() {
            let out = cli(vec!["restore".into(), "--input".into(), file.display().to_string()], target.clone()).await.unwrap();
            assert!(!out.status.success());
            assert!(text(&out).contains("--replace"), "{}", text(&out));
        }
        restored.close().await.ok();
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `fairlink serve` as a process of its own on `url`, with its port.
fn spawn_serve(url: &str, mail_dir: &std::path::Path) -> (std::process::Child, String) {
    spawn_serve_with(url, mail_dir, &[])
}

/// The same, with more settings.
fn spawn_serve_with(
    url: &str,
    mail_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_fairlink"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("FAIRLINK_ADDR", format!("127.0.0.1:{port}"))
        .env("FAIRLINK_MAIL_DIR", mail_dir)
        .env("LEPTOS_SITE_ROOT", mail_dir.join("no-site"))
        .env("FAIRLINK_MASTER_KEY", fairlink::testing::TEST_MASTER_KEY)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

async fn wait_ready(base: &str) {
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status() == reqwest::StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{base} did not become ready");
}

/// What one client of the kill test was told, to be found afterwards.
#[derive(Default)]
struct Answered {
    signups: std::collections::HashSet<String>,
    bookings: Vec<uuid::Uuid>,
    scans: Vec<(uuid::Uuid, String)>,
}

impl Answered {
    fn total(&self) -> usize {
        self.signups.len() + self.bookings.len() + self.scans.len()
    }
}

db_test! {
    async fn an_instance_killed_mid_load_loses_no_answered_write_and_the_other_carries_on(db: Db) {
        use fairlink::accounts::Role;
        use fairlink::badges::{self, GateInput};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use std::collections::HashSet;
        use std::sync::{Arc, Mutex};
        let dir = std::env::temp_dir().join(format!("fairlink-kill-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        // A fair to book and to enter: booths, firms signed in, a gate, a
        // scanner, badges.
        let fx = fairlink::testing::booth_fixture_today(&db, 400).await;
        let now = chrono::Utc::now();
        let firms = fairlink::testing::users(&db, 6, Role::Exhibitor, "killex").await;
        let mut firm_sessions = Vec::new();
        for f in &firms {
            firm_sessions.push(fairlink::accounts::open_session(&db, f.id, None, None, now).await.unwrap().token);
        }
        let gate = GateInput {
            code: "K".into(),
            name_vi: "Cổng K".into(),
            name_en: "Gate K".into(),
            area: "hall".into(),
            kinds: vec![],
            reentry: true,
            max_entries_per_day: None,
        };
        let gate_id = badges::save_gate(&db, &fx.organiser, fx.fair_id, &gate, now).await.unwrap();
        let (_, device) = badges::add_device(&db, &fx.organiser, fx.fair_id, "K1", now).await.unwrap();
        let mut badge_tokens = Vec::new();
        for i in 0..60 {
            let input = fairlink::testing::visitor_badge(fx.fair_id, &format!("Khách {i}"));
            badge_tokens.push(badges::issue(&db, &fx.organiser, &input, now).await.unwrap().token);
        }
        let booths = Arc::new(fx.booths.clone());
        let (firm_sessions, badge_tokens) = (Arc::new(firm_sessions), Arc::new(badge_tokens));
        // Two instances on one database; killed whatever happens to the test.
        struct Reaper(Vec<std::process::Child>);
        impl Drop for Reaper {
            fn drop(&mut self) {
                for c in &mut self.0 {
                    let _ = c.kill();
                    let _ = c.wait();
                }
            }
        }
        let (a, base_a) = spawn_serve(db.url(), &dir);
        let (b, base_b) = spawn_serve(db.url(), &dir);
        let mut procs = Reaper(vec![a, b]);
        wait_ready(&base_a).await;
        wait_ready(&base_b).await;
        // Clients alternate between them: sign-ups (an account, its
        // session and its confirmation mail, in one transaction), bookings
        // (a hold, then its confirmation with its invoice number and its
        // mail) and scans at the gate.
        let answered: Arc<Mutex<Answered>> = Arc::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let next_booth = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut clients = Vec::new();
        for c in 0..9 {
            let (answered, stop, bases) = (answered.clone(), stop.clone(), [base_a.clone(), base_b.clone()]);
            let (booths, next_booth, firm_sessions, badge_tokens, device) =
                (booths.clone(), next_booth.clone(), firm_sessions.clone(), badge_tokens.clone(), device.clone());
            clients.push(tokio::spawn(async move {
                let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().unwrap();
                let mut i = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let base = &bases[(c + i) % 2];
                    i += 1;
                    let done = match c % 3 {
                        0 => {
                            let email = format!("c{c}-{i}@kill.example");
                            let res = http
                                .post(format!("{base}/api/auth/signup"))
                                .header("origin", base.as_str())
                                .form(&[("name", "Khách"), ("email", email.as_str()), ("password", "correct horse battery"), ("role", "visitor")])
                                .send()
                                .await;
                            let ok = matches!(res, Ok(ref r) if r.status() == reqwest::StatusCode::OK);
                            if ok {
                                answered.lock().unwrap().signups.insert(email);
                            }
                            ok
                        }
                        1 => {
                            let n = next_booth.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(booth) = booths.get(n) else { break };
                            let session = format!("fl_session={}", firm_sessions[n % firm_sessions.len()]);
                            let hold = http
                                .post(format!("{base}/api/booths/hold"))
                                .header("origin", base.as_str())
                                .header("cookie", &session)
                                .form(&[("booth", booth.to_string())])
                                .send()
                                .await;
                            let claim = match hold {
                                Ok(r) if r.status() == reqwest::StatusCode::OK => r.json::<uuid::Uuid>().await.ok(),
                                _ => None,
                            };
                            // The confirmation goes to the other instance.
                            let base = &bases[(c + i) % 2];
                            let confirmed = match claim {
                                Some(claim) => http
                                    .post(format!("{base}/api/booths/confirm"))
                                    .header("origin", base.as_str())
                                    .header("cookie", &session)
                                    .form(&[("claim", claim.to_string())])
                                    .send()
                                    .await
                                    .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
                                    .then_some(claim),
                                None => None,
                            };
                            if let Some(claim) = confirmed {
                                answered.lock().unwrap().bookings.push(claim);
                            }
                            confirmed.is_some()
                        }
                        _ => {
                            let id = uuid::Uuid::now_v7();
                            let body = serde_json::json!({
                                "id": id,
                                "token": badge_tokens[(c * 7 + i) % badge_tokens.len()],
                                "gate_id": gate_id,
                                "direction": if i.is_multiple_of(2) { "in" } else { "out" },
                                "at": chrono::Utc::now(),
                            });
                            let res = http
                                .post(format!("{base}/api/scanner/v1/verdict"))
                                .bearer_auth(&device)
                                .json(&body)
                                .send()
                                .await;
                            let verdict = match res {
                                Ok(r) if r.status() == reqwest::StatusCode::OK => r
                                    .json::<serde_json::Value>()
                                    .await
                                    .ok()
                                    .and_then(|v| v["outcome"].as_str().map(str::to_string)),
                                _ => None,
                            };
                            let ok = verdict.is_some();
                            if let Some(v) = verdict {
                                answered.lock().unwrap().scans.push((id, v));
                            }
                            ok
                        }
                    };
                    if !done {
                        // A dead instance: a pause before the next try.
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    }
                }
            }));
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let enough = |a: &Answered| !a.signups.is_empty() && a.bookings.len() >= 10 && a.scans.len() >= 10;
        while !enough(&answered.lock().unwrap()) {
            assert!(std::time::Instant::now() < deadline, "the load did not start");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // kill -9 of instance A in the middle of the load.
        procs.0[0].kill().unwrap();
        procs.0[0].wait().unwrap();
        let at_kill = answered.lock().unwrap().total();
        // PostgreSQL: every connection of the database is cut as well (what
        // the instances see when the server restarts); B reconnects by itself.
        if db.backend() == sea_orm::DbBackend::Postgres {
            use sea_orm::{ConnectionTrait, Statement};
            let cut = db.read().query_one_raw(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )).await.unwrap().unwrap();
            assert!(cut.try_get::<i64>("", "n").unwrap() > 0);
        }
        // B carries on.
        while answered.lock().unwrap().total() < at_kill + 60 {
            assert!(std::time::Instant::now() < deadline, "B did not carry on");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for c in clients {
            c.await.unwrap();
        }
        let answered = std::mem::take(&mut *answered.lock().unwrap());
        // (A new handle: the test's own connections were cut too.)
        let db = Db::connect(db.url()).await.unwrap();
        // Every answered sign-up is in the database, whole: its account
        // and its mail; nothing half-written (no account without its mail).
        use fairlink::accounts::entity::user;
        use fairlink::mail::entity::outbox;
        let users: HashSet<String> = user::Entity::find()
            .filter(user::Column::Email.like("%@kill.example"))
            .all(db.read()).await.unwrap().into_iter().map(|u| u.email).collect();
        for email in &answered.signups {
            assert!(users.contains(email), "{email} was answered but is missing");
        }
        let mails = outbox::Entity::find()
            .filter(outbox::Column::ToEmail.like("%@kill.example"))
            .count(db.read()).await.unwrap();
        assert_eq!(mails as usize, users.len(), "an account without its mail, or a mail without its account");
        // Every answered booking is confirmed, with its invoice number; no
        // booth has two live claims; each confirmation has its mail.
        use fairlink::booths::entity::claim;
        let claims = claim::Entity::find().filter(claim::Column::FairId.eq(fx.fair_id)).all(db.read()).await.unwrap();
        let confirmed: HashSet<uuid::Uuid> = claims
            .iter()
            .filter(|c| c.state == "confirmed" && c.invoice_no.is_some())
            .map(|c| c.id)
            .collect();
        for id in &answered.bookings {
            assert!(confirmed.contains(id), "booking {id} was answered but is not confirmed");
        }
        let mut live = HashSet::new();
        for c in claims.iter().filter(|c| ["held", "confirmed", "paid"].contains(&c.state.as_str())) {
            assert!(live.insert(c.booth_id), "booth {} has two live claims", c.booth_id);
        }
        let booking_mails = outbox::Entity::find()
            .filter(outbox::Column::ToEmail.like("killex%"))
            .count(db.read()).await.unwrap();
        assert_eq!(booking_mails as usize, confirmed.len(), "a booking without its mail, or a mail without its booking");
        // Every answered scan is recorded with the verdict given; no badge
        // is inside twice.
        use fairlink::badges::entity::scan;
        let scans: std::collections::HashMap<uuid::Uuid, scan::Model> = scan::Entity::find()
            .filter(scan::Column::FairId.eq(fx.fair_id))
            .all(db.read()).await.unwrap().into_iter().map(|s| (s.id, s)).collect();
        for (id, verdict) in &answered.scans {
            let s = scans.get(id).unwrap_or_else(|| panic!("scan {id} was answered but is missing"));
            assert_eq!(&s.verdict, verdict, "scan {id}");
        }
        let mut balance: std::collections::HashMap<uuid::Uuid, i64> = Default::default();
        for s in scans.values() {
            let d = match s.verdict.as_str() {
                "admitted" | "reentry" => 1,
                "exit" => -1,
                _ => 0,
            };
            *balance.entry(s.badge_id.unwrap()).or_default() += d;
        }
        assert!(balance.values().all(|b| *b == 0 || *b == 1), "a badge inside twice: {balance:?}");
        // SQLite: the file is sound after the kill.
        if db.backend() == sea_orm::DbBackend::Sqlite {
            use sea_orm::{ConnectionTrait, Statement};
            let row = db.read().query_one_raw(Statement::from_string(sea_orm::DbBackend::Sqlite, "PRAGMA integrity_check")).await.unwrap().unwrap();
            assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "ok");
        }
        // B still answers, and a restarted A joins again.
        let (a2, base_a2) = spawn_serve(db.url(), &dir);
        procs.0.push(a2);
        wait_ready(&base_a2).await;
        wait_ready(&base_b).await;
        drop(procs);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

db_test! {
    async fn a_stopping_instance_drains_before_it_stops_listening(db: Db) {
        let dir = std::env::temp_dir().join(format!("fairlink-drain-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let (mut child, base) = spawn_serve_with(db.url(), &dir, &[("FAIRLINK_DRAIN_SECONDS", "2")]);
        wait_ready(&base).await;
        let started = std::time::Instant::now();
        let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(term.success());
        // Told to stop: not ready, still serving.
        let mut drained = false;
        for _ in 0..100 {
            let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
            if ready.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                drained = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(drained, "/readyz says 503 while draining");
        let page = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(page.status(), reqwest::StatusCode::OK, "requests are still served while draining");
        // Then it stops listening and ends by itself.
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(started.elapsed() < std::time::Duration::from_secs(30), "the instance did not end");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        assert!(status.success(), "{status}");
        assert!(started.elapsed() >= std::time::Duration::from_secs(2), "it drained first");
        assert!(reqwest::get(format!("{base}/healthz")).await.is_err(), "no longer listening");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A process's resident memory now and at its peak, in MiB.
fn memory_mib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap()
            / 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// One counter from `/metrics`.
async fn metric(base: &str, name: &str) -> u64 {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
}

db_test! {
    async fn password_floods_keep_memory_bounded_and_bogus_links_hash_nothing(db: Db) {
        use futures_util::future::join_all;
        let dir = std::env::temp_dir().join(format!("fairlink-flood-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        // Behind a proxy, so that each request can come from its own
        // address, as a botnet's would: the per-address limits do not help.
        let (child, base) = spawn_serve_with(db.url(), &dir, &[("FAIRLINK_TRUST_PROXY", "true")]);
        struct Reaper(std::process::Child);
        impl Drop for Reaper {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        let proc = Reaper(child);
        wait_ready(&base).await;
        let http = reqwest::Client::new();
        let post = |path: &'static str, form: Vec<(&'static str, String)>, from: String| {
            let (http, base) = (http.clone(), base.clone());
            async move {
                let res = http
                    .post(format!("{base}{path}"))
                    .header("origin", base.as_str())
                    .header("x-forwarded-for", from)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                let retry = res.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
                (res.status().as_u16(), retry)
            }
        };
        // Warm up: one sign-up, so the baseline includes one hash's memory.
        let (status, _) = post("/api/auth/signup", vec![("name", "Khách".into()), ("email", "warm@flood.example".into()), ("password", "correct horse battery".into()), ("role", "visitor".into())], "10.0.0.1".into()).await;
        assert_eq!(status, 200);
        let (baseline, _) = memory_mib(proc.0.id());
        let hashed_before = metric(&base, "fairlink_password_hashes_total").await;

        // 256 bogus reset links, 64 at a time: refused, and not one hash.
        for round in 0..4 {
            let answers = join_all((0..64).map(|i| {
                post("/api/auth/reset", vec![("token", format!("bogus-{round}-{i}")), ("password", "a whole new password".into())], format!("10.1.{round}.{i}"))
            }))
            .await;
            for (status, _) in answers {
                assert_eq!(status, 410, "a bogus link is gone, not hashed");
            }
        }
        for round in 0..2 {
            let answers = join_all((0..64).map(|i| {
                post("/api/auth/accept_invite", vec![("token", format!("bogus-{round}-{i}")), ("password", "a whole new password".into())], format!("10.2.{round}.{i}"))
            }))
            .await;
            for (status, _) in answers {
                assert_eq!(status, 410);
            }
        }
        assert_eq!(metric(&base, "fairlink_password_hashes_total").await, hashed_before);

        // 256 real sign-ups, 64 at a time, each from its own address: each
        // is served or turned away with 503 and Retry-After, and memory
        // stays near where it was.
        let mut served = 0;
        for round in 0..4 {
            let answers = join_all((0..64).map(|i| {
                post("/api/auth/signup", vec![("name", "Khách".into()), ("email", format!("f{round}-{i}@flood.example")), ("password", "correct horse battery".into()), ("role", "visitor".into())], format!("10.3.{round}.{i}"))
            }))
            .await;
            for (status, retry) in answers {
                match status {
                    200 => served += 1,
                    503 => assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)), "503 without Retry-After"),
                    other => panic!("sign-up under load answered {other}"),
                }
            }
        }
        assert!(served >= 64, "only {served} of 256 sign-ups were served");
        let (now_rss, peak) = memory_mib(proc.0.id());
        eprintln!("memory: {baseline} MiB before the flood, peak {peak} MiB, {now_rss} MiB after");
        assert!(peak <= baseline + 200, "memory grew from {baseline} MiB to a {peak} MiB peak");
        drop(proc);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn request_logs_name_the_route_never_a_secret_in_the_path() {
    let dir = std::env::temp_dir().join(format!("fairlink-logs-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("fair.db").display());
    let log_path = dir.join("serve.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fairlink"))
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("FAIRLINK_ADDR", format!("127.0.0.1:{port}"))
        .env("FAIRLINK_MAIL_DIR", dir.join("mail"))
        .env("LEPTOS_SITE_ROOT", dir.join("no-site"))
        .env("FAIRLINK_MASTER_KEY", fairlink::testing::TEST_MASTER_KEY)
        .env("FAIRLINK_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(std::fs::File::create(&log_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let secret = "SeCrEtTokenThatMustNotBeLogged0123456789abc";
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        wait_ready(&base).await;
        for path in [
            format!("/reset/{secret}"),
            format!("/verify/{secret}"),
            format!("/invite/{secret}"),
            format!("/calendar/{secret}/agenda.ics"),
            format!("/reset/{secret}/"),
        ] {
            let _ = reqwest::get(format!("{base}{path}")).await.unwrap();
        }
        // A cross-origin post is logged, without its path either.
        let _ = reqwest::Client::new()
            .post(format!("{base}/calendar/{secret}/agenda.ics"))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
    });
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.contains("/reset/{token}") || logs.contains("/reset/:token"),
        "the route is logged: {logs}"
    );
    assert!(logs.contains("/calendar/{token}/{file}"), "{logs}");
    assert!(
        !logs.contains(secret),
        "a secret from a path reached the log:\n{logs}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
