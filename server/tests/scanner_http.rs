//! Badges over HTTP. The scanner API: device tokens (made, used, revoked),
//! who may call it (a visitor may not, another fair's device may not),
//! verdicts, a replayed offline upload recorded once, bad input, and the
//! OpenAPI document naming every route it describes. Badge PDFs: for their
//! holder and organisers only.

use chrono::{TimeZone, Utc};
use fairlink::accounts::Role;
use fairlink::badges::{self, BadgeInput, BadgeKind, GateInput};
use fairlink::db::Db;
use fairlink::db_test;
use fairlink::testing::{booth_fixture, users};
use fairlink_server::Running;
use fairlink_server::config::Config;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use uuid::Uuid;

const PASSWORD: &str = "correct horse battery";

async fn serve(db: &Db) -> Running {
    let mail_dir =
        std::env::temp_dir().join(format!("fairlink-scanner-mail-{}", Uuid::new_v4().simple()));
    let config = Config::from_lookup(|k| match k {
        "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
        "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
        _ => None,
    })
    .unwrap();
    fairlink_server::start(config, db.clone()).await.unwrap()
}

/// A browser of our own pages: cookies, our Origin.
async fn signed_in(base: &str, email: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_str(base).unwrap());
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()
        .unwrap();
    let res = c
        .post(format!("{base}/api/auth/login"))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "sign-in of {email}");
    c
}

/// A handheld device: no cookies, no Origin, its bearer token.
fn device(token: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn answer(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Now, give or take some seconds, as a scanner's clock says it (the
/// server decides online scans at its own time, and refuses a clock more
/// than a few minutes off).
fn now_at(seconds: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

fn scan(token: &str, gate: Uuid, direction: &str, at: &str) -> Value {
    json!({ "id": Uuid::now_v7(), "token": token, "gate_id": gate, "direction": direction, "at": at })
}

db_test! {
    async fn devices_scan_and_upload_through_the_api(db: Db) {
        let fx = fairlink::testing::booth_fixture_today(&db, 2).await;
        let t = Utc::now();
        let org = &fx.organiser;
        let gate = GateInput {
            code: "N".into(),
            name_vi: "Cổng Bắc".into(),
            name_en: "North gate".into(),
            area: "hall".into(),
            kinds: vec![],
            reentry: true,
            max_entries_per_day: None,
        };
        let gate_id = badges::save_gate(&db, org, fx.fair_id, &gate, t).await.unwrap();
        let input = BadgeInput {
            fair_id: fx.fair_id,
            kind: BadgeKind::Buyer,
            user_id: None,
            firm_id: None,
            name: "Satō Hiroshi".into(),
            organisation: "Honda Vietnam".into(),
            email: None,
            valid_from: None,
            valid_to: None,
            areas: vec![],
            lead_consent: true,
        };
        let badge = badges::issue(&db, org, &input, t).await.unwrap();
        let running = serve(&db).await;
        let base = format!("http://{}", running.addr);
        let organiser = signed_in(&base, &org.email).await;

        // An organiser registers a device; its token works once shown.
        let (status, made) = answer(
            organiser
                .post(format!("{base}/api/organiser/fairs/{}/devices", fx.fair_id))
                .json(&json!({ "name": "Cổng Bắc 1" }))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{made}");
        let token = made["token"].as_str().unwrap().to_string();
        let device_id = made["device"]["id"].as_str().unwrap().to_string();
        let scanner = device(&token);

        let (status, sync) = answer(
            scanner
                .get(format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{sync}");
        assert_eq!(sync["keys"].as_array().unwrap().len(), 1);
        assert_eq!(sync["gates"][0]["code"], "N");
        assert_eq!(sync["revoked"], json!([]));
        // The keys it syncs verify the badge offline.
        let keys: Vec<badges::PublicKey> = serde_json::from_value(sync["keys"].clone()).unwrap();
        assert_eq!(badges::token::verify(&badge.token, &keys, fx.fair_id).unwrap().badge, badge.id);

        // A verdict online, as a device (no Origin header: none needed).
        let first = scan(&badge.token, gate_id, "in", &now_at(0));
        let (status, v) = answer(scanner.post(format!("{base}/api/scanner/v1/verdict")).json(&first).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!((v["outcome"].as_str(), v["light"].as_str()), (Some("admitted"), Some("green")));
        assert_eq!(v["holder"]["name"], "Satō Hiroshi");
        // Sent again (the answer was lost): the same answer, one record.
        let (_, again) = answer(scanner.post(format!("{base}/api/scanner/v1/verdict")).json(&first).send().await.unwrap()).await;
        assert_eq!(again["outcome"], "admitted");
        let (_, v) = answer(
            scanner
                .post(format!("{base}/api/scanner/v1/verdict"))
                .json(&scan(&badge.token, gate_id, "in", &now_at(1)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((v["outcome"].as_str(), v["reason"].as_str()), (Some("refused"), Some("already_inside")));

        // An offline queue, uploaded twice: recorded once.
        let queue = json!({ "scans": [
            { "id": Uuid::now_v7(), "token": badge.token, "gate_id": gate_id, "direction": "out", "at": now_at(2), "outcome": "exit", "reason": "exit" },
            { "id": Uuid::now_v7(), "token": badge.token, "gate_id": gate_id, "direction": "in", "at": now_at(3), "outcome": "reentry", "reason": "reentry" },
        ] });
        let url = format!("{base}/api/scanner/v1/fairs/{}/scans", fx.fair_id);
        let (status, r) = answer(scanner.post(&url).json(&queue).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!((r["recorded"].as_u64(), r["duplicates"].as_u64()), (Some(2), Some(0)));
        let (_, r) = answer(scanner.post(&url).json(&queue).send().await.unwrap()).await;
        assert_eq!((r["recorded"].as_u64(), r["duplicates"].as_u64()), (Some(0), Some(2)));

        // Bad input: a clear 4xx in the caller's language, nothing stored.
        let (status, e) = answer(scanner.post(&url).header("content-type", "application/json").body("{\"scans\": [1, 2").send().await.unwrap()).await;
        assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
        let (status, e) = answer(
            scanner
                .post(format!("{base}/api/scanner/v1/verdict"))
                .header("accept-language", "vi")
                .json(&scan(&badge.token, Uuid::now_v7(), "in", &now_at(0)))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{e}");
        assert!(!e["message"].as_str().unwrap().is_empty());

        // A visitor may not use the scanner API, nor register devices.
        let visitor = users(&db, 1, Role::Visitor, "nosy").await.remove(0);
        let nosy = signed_in(&base, &visitor.email).await;
        let (status, _) = answer(nosy.get(format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = answer(nosy.post(format!("{base}/api/scanner/v1/verdict")).json(&first).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = answer(nosy.post(format!("{base}/api/organiser/fairs/{}/devices", fx.fair_id)).json(&json!({ "name": "x" })).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // No token at all, or a made-up one.
        let (status, _) = answer(reqwest::get(format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id)).await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = answer(device("made-up").get(format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // A device speaks for its own fair only.
        let (status, _) = answer(scanner.get(format!("{base}/api/scanner/v1/fairs/{}/sync", Uuid::now_v7())).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Door staff on the scanner page scan with their session, at the
        // fairs they are on only.
        let staff = users(&db, 1, Role::Staff, "door").await.remove(0);
        let door = signed_in(&base, &staff.email).await;
        let (status, _) = answer(door.get(format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "not on this fair's door yet");
        let (status, _) = answer(door.post(format!("{base}/api/scanner/v1/verdict")).json(&scan(&badge.token, gate_id, "out", &now_at(4))).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        badges::door::set_door_staff(&db, org, fx.fair_id, staff.id, true, t).await.unwrap();
        let (status, _) = answer(door.get(format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        // A scanner whose clock is off is told so, and nothing is recorded.
        let (status, e) = answer(door.post(format!("{base}/api/scanner/v1/verdict")).json(&scan(&badge.token, gate_id, "out", &now_at(-3600))).send().await.unwrap()).await;
        assert_eq!((status, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("clock_skew")));
        // Revoked: refused from the next request.
        let (status, _) = answer(organiser.post(format!("{base}/api/organiser/devices/{device_id}/revoke")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let (status, e) = answer(scanner.post(&url).json(&queue).send().await.unwrap()).await;
        assert_eq!((status, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
        // Revoked from the badge desk page (a server function, not the
        // API): refused from the next request too, not seconds later.
        let (_, second) = badges::add_device(&db, org, fx.fair_id, "Cổng Bắc 2", t).await.unwrap();
        let second_id = badges::devices(&db, org, fx.fair_id).await.unwrap().into_iter().find(|d| d.name == "Cổng Bắc 2").unwrap().id;
        let scanner2 = device(&second);
        let sync_url = format!("{base}/api/scanner/v1/fairs/{}/sync", fx.fair_id);
        let (status, _) = answer(scanner2.get(&sync_url).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "known, and now remembered by the instance");
        let slug = fairlink::booths::fair_slug(&db, fx.fair_id).await.unwrap();
        let res = organiser
            .post(format!("{base}/api/badges/device_revoke"))
            .header("origin", base.as_str())
            .form(&[("slug", slug.as_str()), ("device", second_id.to_string().as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let (status, _) = answer(scanner2.get(&sync_url).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a device revoked from the desk page is refused at once");

        // The OpenAPI document is served and every path in it is routed.
        let (status, doc) = answer(reqwest::get(format!("{base}/api/scanner/v1/openapi.json")).await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(paths.len(), 6);
        for p in paths {
            let concrete = p.replace("{fair}", &fx.fair_id.to_string()).replace("{id}", &device_id);
            let method = if doc["paths"][&p].get("get").is_some() { reqwest::Method::GET } else { reqwest::Method::POST };
            let res = reqwest::Client::new().request(method, format!("{base}{concrete}")).send().await.unwrap();
            assert_ne!(res.status(), StatusCode::NOT_FOUND, "{p} is not routed");
        }
        running.stop().await;
    }
}

db_test! {
    async fn badges_print_for_their_holder_and_organisers(db: Db) {
        let fx = booth_fixture(&db, 2).await;
        let t = Utc.with_ymd_and_hms(2030, 3, 10, 2, 0, 0).unwrap();
        let holder = users(&db, 1, Role::Visitor, "holder").await.remove(0);
        let input = BadgeInput {
            fair_id: fx.fair_id,
            kind: BadgeKind::Visitor,
            user_id: Some(holder.id),
            firm_id: None,
            name: "Vũ Minh Khoa".into(),
            organisation: "Samsung Electronics Vietnam".into(),
            email: None,
            valid_from: None,
            valid_to: None,
            areas: vec![],
            lead_consent: false,
        };
        let badge = badges::issue(&db, &fx.organiser, &input, t).await.unwrap();
        let running = serve(&db).await;
        let base = format!("http://{}", running.addr);
        let mine = signed_in(&base, &holder.email).await;
        let res = mine.get(format!("{base}/badges/{}.pdf", badge.id)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF-"));
        // Another visitor: as if there were no such badge.
        let other = users(&db, 1, Role::Visitor, "other").await.remove(0);
        let theirs = signed_in(&base, &other.email).await;
        let (status, _) = answer(theirs.get(format!("{base}/badges/{}.pdf", badge.id)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = answer(reqwest::get(format!("{base}/badges/{}.pdf", badge.id)).await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Batches: organisers only; an unknown kind is a clear 4xx.
        let slug = fairlink::booths::fair_slug(&db, fx.fair_id).await.unwrap();
        let organiser = signed_in(&base, &fx.organiser.email).await;
        let res = organiser.get(format!("{base}/organiser/fairs/{slug}/badges.pdf?kind=visitor")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let (status, _) = answer(organiser.get(format!("{base}/organiser/fairs/{slug}/badges.pdf?kind=astronaut")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = answer(theirs.get(format!("{base}/organiser/fairs/{slug}/badges.pdf")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        running.stop().await;
    }
}

/// Reads server-sent events until one named `counts` arrives.
async fn next_counts(res: &mut reqwest::Response, buf: &mut String) -> Value {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if event.lines().any(|l| l == "event: counts") {
                let data: String = event
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                return serde_json::from_str(&data).unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), res.chunk())
            .await
            .expect("an event within 10 s")
            .unwrap()
            .expect("the stream goes on");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

db_test! {
    async fn live_figures_stream_to_organisers_and_leads_export_to_their_firm(db: Db) {
        let fx = fairlink::testing::booth_fixture_today(&db, 1).await;
        let t = Utc::now();
        let today = fairlink::format::day_in(fairlink::format::DEFAULT_TIME_ZONE, t);
        let org = &fx.organiser;
        let gate = GateInput {
            code: "N".into(),
            name_vi: "Cổng Bắc".into(),
            name_en: "North".into(),
            area: "hall".into(),
            kinds: vec![],
            reentry: true,
            max_entries_per_day: None,
        };
        let north = badges::save_gate(&db, org, fx.fair_id, &gate, t).await.unwrap();
        let mut input = BadgeInput {
            fair_id: fx.fair_id,
            kind: BadgeKind::Visitor,
            user_id: None,
            firm_id: None,
            name: "Đỗ Quang Huy".into(),
            organisation: "Honda Vietnam".into(),
            email: Some("huy@honda.example".into()),
            valid_from: None,
            valid_to: None,
            areas: vec![],
            lead_consent: true,
        };
        let first = badges::issue(&db, org, &input, t).await.unwrap();
        input.name = "Ngô Thị Lan".into();
        let second = badges::issue(&db, org, &input, t).await.unwrap();
        let running = serve(&db).await;
        let base = format!("http://{}", running.addr);
        let slug = fairlink::booths::fair_slug(&db, fx.fair_id).await.unwrap();
        let organiser = signed_in(&base, &org.email).await;
        let url = format!("{base}/organiser/fairs/{slug}/live/events?day={today}");
        let mut stream = organiser.get(&url).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let mut buf = String::new();
        let c = next_counts(&mut stream, &mut buf).await;
        assert_eq!((c["inside"].as_i64(), c["entries"].as_i64()), (Some(0), Some(0)));
        // A scan at the door reaches the open stream without a reload.
        let staff = signed_in(&base, &org.email).await;
        for b in [&first, &second] {
            let s = scan(&b.token, north, "in", &now_at(0));
            let (status, v) = answer(staff.post(format!("{base}/api/scanner/v1/verdict")).json(&s).send().await.unwrap()).await;
            assert_eq!((status, v["outcome"].as_str()), (StatusCode::OK, Some("admitted")));
        }
        let mut c = next_counts(&mut stream, &mut buf).await;
        while c["inside"].as_i64() != Some(2) {
            c = next_counts(&mut stream, &mut buf).await;
        }
        // The entries of the hour it is now in Hanoi.
        let hour = {
            use chrono::Timelike;
            let hanoi = fairlink::format::offset_or_default(fairlink::format::DEFAULT_TIME_ZONE);
            Utc::now().with_timezone(&hanoi).hour() as usize
        };
        let per_hour = &c["per_hour"];
        assert_eq!(c["entries"].as_i64(), Some(2));
        assert!(per_hour[hour].as_i64() == Some(2) || per_hour[hour.saturating_sub(1)].as_i64() == Some(2), "{per_hour}");
        drop(stream);
        // Organisers only.
        let visitor = users(&db, 1, Role::Visitor, "livevisitor").await.remove(0);
        let outsider = signed_in(&base, &visitor.email).await;
        let (status, _) = answer(outsider.get(&url).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Leads: a firm exports its own; a visitor may not; a stranger is asked to sign in.
        let firm = users(&db, 1, Role::Exhibitor, "leadexport").await.remove(0);
        // Leads are taken by the fair's exhibitors: the firm books a booth.
        let held = fairlink::booths::hold(&db, &firm, fx.booths[0], t).await.unwrap();
        fairlink::booths::confirm(&db, &firm, held.id, &[], &fairlink::mail::Links::new(&base), t).await.unwrap();
        let input = fairlink::badges::leads::LeadInput { notes: "Gửi mẫu".into(), rating: 3, tags: vec!["sample".into()] };
        fairlink::badges::leads::capture(&db, &firm, &first.token, &input, t).await.unwrap();
        let exhibitor = signed_in(&base, &firm.email).await;
        let res = exhibitor.get(format!("{base}/firm/leads.csv")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = res.text().await.unwrap();
        assert!(csv.contains("Đỗ Quang Huy") && csv.contains("huy@honda.example"), "{csv}");
        assert!(!csv.contains("Ngô Thị Lan"));
        let res = exhibitor.get(format!("{base}/firm/leads.xlsx")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.bytes().await.unwrap().starts_with(b"PK"));
        let (status, _) = answer(outsider.get(format!("{base}/firm/leads.csv")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = answer(reqwest::get(format!("{base}/firm/leads.csv")).await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        running.stop().await;
    }
}

/// What the scanner decides by itself for a queued entry scan (the badge's
/// signature checked on the device): the person went in.
fn queued(scan: &Value) -> Value {
    let mut q = scan.clone();
    q["outcome"] = json!("admitted");
    q["reason"] = json!("ok");
    q
}

db_test! {
    async fn scans_while_the_database_is_away_are_queued_and_fill_the_gap_after(db: Db) {
        use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter};
        let fx = fairlink::testing::booth_fixture_today(&db, 1).await;
        let t = Utc::now();
        let org = &fx.organiser;
        let gate = GateInput {
            code: "S".into(),
            name_vi: "Cổng Nam".into(),
            name_en: "South gate".into(),
            area: "hall".into(),
            kinds: vec![],
            reentry: true,
            max_entries_per_day: None,
        };
        let gate_id = badges::save_gate(&db, org, fx.fair_id, &gate, t).await.unwrap();
        let mut tokens = Vec::new();
        for i in 0..30 {
            let input = fairlink::testing::visitor_badge(fx.fair_id, &format!("Khách {i}"));
            tokens.push(badges::issue(&db, org, &input, t).await.unwrap().token);
        }
        let (_, token) = badges::add_device(&db, org, fx.fair_id, "Cổng Nam 1", t).await.unwrap();
        let running = serve(&db).await;
        let base = format!("http://{}", running.addr);
        // The scanner gives the network 2.5 s before it decides by itself.
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        let scanner = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(std::time::Duration::from_millis(2500))
            .build()
            .unwrap();
        let at = |i: usize| now_at(i as i64);
        let verdict = |s: Value| {
            let scanner = scanner.clone();
            let base = base.clone();
            async move {
                match scanner.post(format!("{base}/api/scanner/v1/verdict")).json(&s).send().await {
                    Ok(res) => Some(answer(res).await),
                    Err(_) => None,
                }
            }
        };
        // Online before.
        for (i, token) in tokens.iter().enumerate().take(10) {
            let (status, v) = verdict(scan(token, gate_id, "in", &at(i))).await.expect("an answer");
            assert_eq!((status, v["outcome"].as_str()), (StatusCode::OK, Some("admitted")), "{v}");
        }
        let mut queue = Vec::new();
        if db.backend() == DbBackend::Postgres {
            // The database goes away: no new connections, every open one cut.
            let admin = sea_orm::Database::connect(fairlink::testing::pg_admin_url()).await.unwrap();
            let name: String = db
                .read()
                .query_one_raw(sea_orm::Statement::from_string(DbBackend::Postgres, "SELECT current_database()"))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index(0)
                .unwrap();
            admin.execute_unprepared(&format!("ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false")).await.unwrap();
            admin
                .execute_unprepared(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ))
                .await
                .unwrap();
            // The scanner tries, hears an error or nothing, and queues.
            for (i, token) in tokens.iter().enumerate().skip(10).take(10) {
                let s = scan(token, gate_id, "in", &at(i));
                match verdict(s.clone()).await {
                    None => {}
                    Some((status, v)) => assert!(status.is_server_error(), "{status} {v} while the database is away"),
                }
                queue.push(queued(&s));
            }
            let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
            assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE, "not ready without its database");
            // Back: the instance reconnects by itself.
            admin.execute_unprepared(&format!("ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS true")).await.unwrap();
            let mut back = false;
            for _ in 0..300 {
                if reqwest::get(format!("{base}/readyz")).await.is_ok_and(|r| r.status() == StatusCode::OK) {
                    back = true;
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert!(back, "the instance got its database back");
            // Cut once more, as by a quick restart: the connections in the
            // pool are dead, and the next scans still get their verdicts.
            admin
                .execute_unprepared(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ))
                .await
                .unwrap();
        } else {
            // SQLite lives in the app's own process; here the scanner's
            // network is what goes away: it queues without trying.
            for (i, token) in tokens.iter().enumerate().skip(10).take(10) {
                queue.push(queued(&scan(token, gate_id, "in", &at(i))));
            }
        }
        // Online again, then the queue goes up.
        for (i, token) in tokens.iter().enumerate().skip(20) {
            let (status, v) = verdict(scan(token, gate_id, "in", &at(i))).await.expect("an answer");
            assert_eq!((status, v["outcome"].as_str()), (StatusCode::OK, Some("admitted")), "scan {i}: {v}");
        }
        let res = scanner
            .post(format!("{base}/api/scanner/v1/fairs/{}/scans", fx.fair_id))
            .json(&json!({ "scans": queue }))
            .send()
            .await
            .unwrap();
        let (status, report) = answer(res).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["recorded"], 10, "{report}");
        use fairlink::badges::entity::scan as scans;
        let recorded = scans::Entity::find().filter(scans::Column::FairId.eq(fx.fair_id)).count(db.read()).await.unwrap();
        let offline = scans::Entity::find()
            .filter(scans::Column::FairId.eq(fx.fair_id))
            .filter(scans::Column::Offline.eq(true))
            .count(db.read())
            .await
            .unwrap();
        let admitted = scans::Entity::find()
            .filter(scans::Column::FairId.eq(fx.fair_id))
            .filter(scans::Column::Verdict.eq("admitted"))
            .count(db.read())
            .await
            .unwrap();
        assert_eq!((recorded, offline, admitted), (30, 10, 30), "every scan of the day, the gap filled by the queue");
        running.stop().await;
    }
}
