//! Live updates across instances: pages open on instance A hear of changes
//! made through instance B (on PostgreSQL two servers with pools of their
//! own, the news travelling by NOTIFY; on SQLite one database handle, as
//! SQLite serves one instance).

use chrono::Utc;
use fairlink::accounts::{self, Role};
use fairlink::badges::{self, GateInput};
use fairlink::db::Db;
use fairlink::db_test;
use fairlink::meetings::views::ProgrammeInput;
use fairlink::testing::users;
use fairlink_server::Running;
use fairlink_server::config::Config;
use reqwest::StatusCode;
use sea_orm::DbBackend;
use serde_json::Value;
use std::time::Duration;
use uuid::Uuid;

async fn serve(db: &Db) -> Running {
    let mail_dir =
        std::env::temp_dir().join(format!("fairlink-live-mail-{}", Uuid::new_v4().simple()));
    let config = Config::from_lookup(|k| match k {
        "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
        "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
        "FAIRLINK_PAGE_CACHE_SECONDS" => Some("0".to_string()),
        _ => None,
    })
    .unwrap();
    fairlink_server::start(config, db.clone()).await.unwrap()
}

/// How long a test waits for an event. The live board's own fallback read
/// comes only after 30 s, and the other streams have none: an event within
/// this time was caused by the change.
const WAIT: Duration = Duration::from_secs(20);

/// A server-sent event stream, read event by event.
struct Events {
    res: reqwest::Response,
    buf: String,
}

impl Events {
    async fn open(base: &str, path: &str, session: Option<&str>) -> Events {
        let mut req = reqwest::Client::new()
            .get(format!("{base}{path}"))
            .header("accept", "text/event-stream");
        if let Some(s) = session {
            req = req.header("cookie", format!("fl_session={s}"));
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        let kind = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/event-stream"), "{path}: {kind}");
        Events {
            res,
            buf: String::new(),
        }
    }

    /// True when no event comes within `d` (comments, the keep-alives,
    /// are no events).
    async fn quiet(&mut self, d: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + d;
        loop {
            if self.buf.lines().any(|l| l.starts_with("event:")) {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.res.chunk()).await {
                Err(_) => return true,
                Ok(chunk) => {
                    let chunk = chunk
                        .expect("the stream reads")
                        .expect("the stream stays open");
                    self.buf.push_str(&String::from_utf8_lossy(&chunk));
                }
            }
        }
    }

    /// The data of the next event named `name` (others are skipped).
    async fn next(&mut self, name: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut event = "";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(e) = line.strip_prefix("event:") {
                        event = e.trim();
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                if event == name {
                    return data;
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {name:?} event within {WAIT:?}"))
                .expect("the stream reads")
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// A server-function call from a signed-in page.
async fn call(
    base: &str,
    path: &str,
    session: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let res = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("origin", base)
        .header("cookie", format!("fl_session={session}"))
        .form(form)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn session(db: &Db, user: Uuid) -> String {
    accounts::open_session(db, user, None, None, Utc::now())
        .await
        .unwrap()
        .token
}

/// What instance `base` serves as the booths' statuses.
async fn statuses(base: &str, fair: Uuid) -> Vec<(Uuid, String)> {
    let res = reqwest::get(format!("{base}/api/booths/statuses?fair={fair}"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

db_test! {
    async fn changes_made_on_one_instance_reach_pages_open_on_another(db: Db) {
        // The fair is on today: scans at the gates are decided at the
        // server's time.
        let fx = fairlink::testing::booth_fixture_today(&db, 4).await;
        let today = fairlink::format::day_in(fairlink::format::DEFAULT_TIME_ZONE, Utc::now());
        let slot = {
            use chrono::Timelike;
            let hour = Utc::now().with_minute(0).unwrap().with_second(0).unwrap().with_nanosecond(0).unwrap();
            hour + chrono::Duration::hours(2)
        };
        let slug = fairlink::booths::fair_slug(&db, fx.fair_id).await.unwrap();
        let exhibitor = users(&db, 1, Role::Exhibitor, "live-ex").await.remove(0);
        let buyer = users(&db, 2, Role::Visitor, "live-buyer").await;
        let now = Utc::now();
        fairlink::meetings::service::save_programme(
            &db,
            &fx.organiser,
            fx.fair_id,
            &ProgrammeInput {
                tables: 4,
                request_hours: 48,
                slots: vec![(slot, 30)],
            },
            now,
        )
        .await
        .unwrap();
        let gate = badges::save_gate(
            &db,
            &fx.organiser,
            fx.fair_id,
            &GateInput {
                code: "N1".into(),
                name_vi: "Cổng Bắc".into(),
                name_en: "North gate".into(),
                area: "hall".into(),
                kinds: vec![],
                reentry: true,
                max_entries_per_day: None,
            },
            now,
        )
        .await
        .unwrap();
        let (_, device) = badges::add_device(&db, &fx.organiser, fx.fair_id, "gate N1", now)
            .await
            .unwrap();
        let badge = badges::issue(
            &db,
            &fx.organiser,
            &fairlink::testing::visitor_badge(fx.fair_id, "Khách"),
            now,
        )
        .await
        .unwrap();
        let firm_session = session(&db, exhibitor.id).await;
        let buyer_session = session(&db, buyer[0].id).await;
        let other_buyer_session = session(&db, buyer[1].id).await;
        let organiser_session = session(&db, fx.organiser.id).await;

        // Instance B: on PostgreSQL a second pool (another process would
        // have nothing else in common with A); SQLite serves one instance.
        let b_db = if db.backend() == DbBackend::Postgres {
            Db::connect(db.url()).await.unwrap()
        } else {
            db.clone()
        };
        let a = serve(&db).await;
        let b = serve(&b_db).await;
        let (a_url, b_url) = (a.url(), b.url());

        let mut board = Events::open(
            &a_url,
            &format!("/organiser/fairs/{slug}/live/events?day={today}"),
            Some(&organiser_session),
        )
        .await;
        let first: Value = serde_json::from_str(&board.next("counts").await).unwrap();
        assert_eq!(first["entries"], 0, "{first}");
        let mut plan = Events::open(&a_url, &format!("/fairs/{slug}/plan/events"), None).await;
        let mut meetings = Events::open(
            &a_url,
            &format!("/fairs/{slug}/meetings/events"),
            Some(&buyer_session),
        )
        .await;
        let mut others = Events::open(
            &a_url,
            &format!("/fairs/{slug}/meetings/events"),
            Some(&other_buyer_session),
        )
        .await;
        // Signed out, the meetings stream is refused.
        let res = reqwest::get(format!("{a_url}/fairs/{slug}/meetings/events")).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        // A booth held through B: A's map hears it, and A's shared statuses
        // (read just before) are not served stale.
        let booth = fx.booths[0];
        let before = statuses(&a_url, fx.fair_id).await;
        assert!(before.iter().any(|(id, s)| *id == booth && s == "free"), "{before:?}");
        let (status, body) = call(&b_url, "/api/booths/hold", &firm_session, &[("booth", &booth.to_string())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Each event is followed by a read, as an open map does; the hold
        // shows by the read after its event, or no later event comes.
        loop {
            assert_eq!(plan.next("booths").await, "booths");
            let after = statuses(&a_url, fx.fair_id).await;
            if after.iter().any(|(id, s)| *id == booth && s == "held") {
                break;
            }
        }

        // The firm asks the buyer for a meeting through B: the buyer's
        // pages on A hear of it.
        let (status, body) = call(
            &b_url,
            "/api/meetings/request",
            &firm_session,
            &[("slug", &slug), ("counterpart", &buyer[0].id.to_string()), ("message", "Gặp tại gian hàng?")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(meetings.next("meetings").await, "meetings");
        // Another buyer's pages hear nothing of it, and hear of the
        // request made to them.
        assert!(others.quiet(Duration::from_secs(1)).await, "another buyer's page hears of a request not theirs");
        let (status, body) = call(
            &b_url,
            "/api/meetings/request",
            &firm_session,
            &[("slug", &slug), ("counterpart", &buyer[1].id.to_string()), ("message", "")],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(others.next("meetings").await, "meetings");

        // A badge scanned at a gate served by B: A's live board counts it.
        let scan = serde_json::json!({
            "id": Uuid::now_v7(),
            "token": badge.token,
            "gate_id": gate,
            "direction": "in",
            "at": Utc::now(),
        });
        let res = reqwest::Client::new()
            .post(format!("{b_url}/api/scanner/v1/verdict"))
            .bearer_auth(&device)
            .json(&scan)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let verdict: Value = res.json().await.unwrap();
        assert_eq!(verdict["outcome"], "admitted", "{verdict}");
        let counts: Value = serde_json::from_str(&board.next("counts").await).unwrap();
        assert_eq!(counts["entries"], 1, "{counts}");
        assert_eq!(counts["inside"], 1, "{counts}");

        drop((board, plan, meetings, others));
        b.stop().await;
        a.stop().await;
    }
}
