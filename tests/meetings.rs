//! B2B meetings against SQLite and PostgreSQL: needs and recommendations,
//! requests (accept, decline, expire, who may see and answer what), blocked
//! slots, scheduling runs that keep earlier meetings, agendas, calendar
//! files read by Python's icalendar, and the secret, revocable feed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fairlink::accounts::{Role, SessionUser};
use fairlink::db::Db;
use fairlink::firms::entity::{certificate, product, tag};
use fairlink::meetings::matching::{Need, Reason};
use fairlink::meetings::service::{self as meet, NeedInput, ProgrammeInput};
use fairlink::meetings::{Location, Options};
use fairlink::testing::{booth_fixture, users};
use fairlink::{ErrorCode, db_test};
use sea_orm::{ActiveModelTrait, Set};
use std::collections::HashSet;
use uuid::Uuid;

fn links() -> fairlink::mail::Links {
    fairlink::mail::Links::new("https://fair.example.vn")
}

fn code(r: Result<impl std::fmt::Debug, fairlink::Error>) -> ErrorCode {
    r.expect_err("refused").code
}

async fn firm_of(db: &Db, u: &SessionUser) -> Uuid {
    fairlink::firms::profile::membership(db.read(), u.id)
        .await
        .unwrap()
        .unwrap()
        .0
}

/// The fair's programme: `slots` half-hour slots from 09:00 (UTC+7) on
/// 10 March 2030, `tables` tables, requests open for 48 hours.
async fn programme(
    db: &Db,
    organiser: &SessionUser,
    fair: Uuid,
    slots: usize,
    tables: i32,
) -> Vec<Uuid> {
    let start = Utc.with_ymd_and_hms(2030, 3, 10, 2, 0, 0).unwrap();
    let input = ProgrammeInput {
        tables,
        request_hours: 48,
        slots: (0..slots)
            .map(|i| (start + Duration::minutes(30 * i as i64), 30))
            .collect(),
    };
    meet::save_programme(db, organiser, fair, &input, Utc::now())
        .await
        .unwrap();
    meet::programme(db, fair)
        .await
        .unwrap()
        .unwrap()
        .slots
        .iter()
        .map(|s| s.id)
        .collect()
}

async fn offer(db: &Db, firm: Uuid, hs: &str, processes: &[&str], certificates: &[(&str, bool)]) {
    let now = Utc::now();
    product::ActiveModel {
        id: Set(Uuid::now_v7()),
        firm_id: Set(firm),
        name_vi: Set("Linh kiện".into()),
        name_en: Set("Parts".into()),
        hs_code: Set(Some(hs.into())),
        position: Set(0),
    }
    .insert(db.write())
    .await
    .unwrap();
    for p in processes {
        tag::ActiveModel {
            firm_id: Set(firm),
            kind: Set("process".into()),
            code: Set(p.to_string()),
        }
        .insert(db.write())
        .await
        .unwrap();
    }
    for (kind, verified) in certificates {
        certificate::ActiveModel {
            id: Set(Uuid::now_v7()),
            firm_id: Set(firm),
            kind: Set(kind.to_string()),
            number: Set("C-1".into()),
            issuer: Set("TÜV".into()),
            issued_on: Set(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()),
            expires_on: Set(None),
            verified_at: Set(verified.then_some(now)),
            created_at: Set(now),
            other_name: Set(None),
            upload_id: Set(None),
            verified_by: Set(None),
        }
        .insert(db.write())
        .await
        .unwrap();
    }
}

db_test! {
    async fn needs_and_recommendations(db: Db) {
        let fx = booth_fixture(&db, 1).await;
        let buyers = users(&db, 2, Role::Visitor, "buyer").await;
        let exhibitors = users(&db, 3, Role::Exhibitor, "maker").await;
        let firms: Vec<Uuid> = futures_util::future::join_all(exhibitors.iter().map(|e| firm_of(&db, e))).await;
        offer(&db, firms[0], "8708.99", &["die_casting"], &[("iatf_16949", true)]).await;
        offer(&db, firms[1], "8708.10", &["die_casting"], &[("iatf_16949", false)]).await;
        offer(&db, firms[2], "6006.10", &["knitting"], &[]).await;
        let need = NeedInput {
            company: "Toyota Tsusho".into(),
            country: "JP".into(),
            need: Need {
                hs_codes: vec!["870899".into()],
                processes: vec!["die_casting".into()],
                certificates: vec!["iatf_16949".into()],
                ..Need::default()
            },
            volume: "20,000 pcs/month".into(),
            moq: "5,000".into(),
            description: "Vỏ hộp số nhôm".into(),
        };
        let now = Utc::now();
        meet::save_need(&db, &buyers[0], &need, now).await.unwrap();
        assert_eq!(meet::need(&db, &buyers[0]).await.unwrap().unwrap().company, "Toyota Tsusho");
        // Only buyers state needs; codes outside the vocabulary are refused.
        assert_eq!(code(meet::save_need(&db, &exhibitors[0], &need, now).await), ErrorCode::Forbidden);
        let mut bad = need.clone();
        bad.need.processes.push("alchemy".into());
        assert_eq!(code(meet::save_need(&db, &buyers[1], &bad, now).await), ErrorCode::InvalidField);
        assert!(meet::need(&db, &buyers[1]).await.unwrap().is_none(), "nothing half-written");

        let recs = meet::recommend_suppliers(&db, &buyers[0], fx.fair_id, 10).await.unwrap();
        let ids: Vec<Uuid> = recs.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![firms[0], firms[1]], "the knitter makes nothing this buyer sources");
        assert!(recs[0].fit.reasons.contains(&Reason::CertificateVerified("iatf_16949".into())));
        assert!(recs[1].fit.reasons.contains(&Reason::CertificateClaimed("iatf_16949".into())));
        assert!(recs[0].fit.points > recs[1].fit.points);
        // The other way round: the firm sees the buyer looking for what it makes.
        let wanted = meet::recommend_buyers(&db, &exhibitors[0], fx.fair_id, 10).await.unwrap();
        assert_eq!(wanted.iter().map(|r| r.id).collect::<Vec<_>>(), vec![buyers[0].id]);
        assert!(meet::recommend_buyers(&db, &exhibitors[2], fx.fair_id, 10).await.unwrap().is_empty());
        assert_eq!(code(meet::recommend_suppliers(&db, &exhibitors[0], fx.fair_id, 10).await), ErrorCode::Forbidden);
        assert_eq!(code(meet::recommend_buyers(&db, &buyers[0], fx.fair_id, 10).await), ErrorCode::Forbidden);
    }
}

db_test! {
    async fn requests_are_accepted_declined_and_expire(db: Db) {
        let fx = booth_fixture(&db, 1).await;
        let buyers = users(&db, 2, Role::Visitor, "buyer").await;
        let exhibitors = users(&db, 3, Role::Exhibitor, "maker").await;
        let firms: Vec<Uuid> = futures_util::future::join_all(exhibitors.iter().map(|e| firm_of(&db, e))).await;
        let now = Utc::now();
        // No programme yet: no requests.
        assert_eq!(code(meet::request_meeting(&db, &buyers[0], fx.fair_id, firms[0], "", now).await), ErrorCode::WrongState);
        programme(&db, &fx.organiser, fx.fair_id, 4, 2).await;
        assert_eq!(code(meet::save_programme(&db, &buyers[0], fx.fair_id, &ProgrammeInput { tables: 1, request_hours: 1, slots: vec![] }, now).await), ErrorCode::Forbidden);

        let r1 = meet::request_meeting(&db, &buyers[0], fx.fair_id, firms[0], "Xin gặp", now).await.unwrap();
        assert_eq!(code(meet::request_meeting(&db, &buyers[0], fx.fair_id, firms[0], "again", now).await), ErrorCode::WrongState);
        // The firm sees it to answer; the buyer sees it waiting.
        let seen = meet::requests(&db, &exhibitors[0], fx.fair_id, 0, now).await.unwrap().rows;
        assert_eq!((seen.len(), seen[0].id, seen[0].to_answer), (1, r1, true));
        assert!(!meet::requests(&db, &buyers[0], fx.fair_id, 0, now).await.unwrap().rows[0].to_answer);
        // Another buyer and another firm see nothing of it and cannot answer it.
        assert!(meet::requests(&db, &buyers[1], fx.fair_id, 0, now).await.unwrap().rows.is_empty());
        assert!(meet::requests(&db, &exhibitors[1], fx.fair_id, 0, now).await.unwrap().rows.is_empty());
        assert_eq!(code(meet::respond(&db, &buyers[1], r1, true, now).await), ErrorCode::NotFound);
        assert_eq!(code(meet::respond(&db, &exhibitors[1], r1, true, now).await), ErrorCode::NotFound);
        assert_eq!(code(meet::cancel(&db, &buyers[1], r1, None, now).await), ErrorCode::NotFound);
        // The asking side cannot accept its own request.
        assert_eq!(code(meet::respond(&db, &buyers[0], r1, true, now).await), ErrorCode::Forbidden);
        meet::respond(&db, &exhibitors[0], r1, true, now).await.unwrap();
        assert_eq!(code(meet::respond(&db, &exhibitors[0], r1, false, now).await), ErrorCode::WrongState);
        assert_eq!(meet::requests(&db, &buyers[0], fx.fair_id, 0, now).await.unwrap().rows[0].status, "accepted");

        // Declined, then asked again: the same request reopens.
        let r2 = meet::request_meeting(&db, &buyers[0], fx.fair_id, firms[1], "", now).await.unwrap();
        meet::respond(&db, &exhibitors[1], r2, false, now).await.unwrap();
        let again = meet::request_meeting(&db, &buyers[0], fx.fair_id, firms[1], "Lần nữa", now).await.unwrap();
        assert_eq!(again, r2);

        // A supplier asks a buyer; answered after 48 hours it has expired.
        let r3 = meet::request_meeting(&db, &exhibitors[2], fx.fair_id, buyers[1].id, "", now).await.unwrap();
        let late = now + Duration::hours(49);
        assert_eq!(meet::requests(&db, &buyers[1], fx.fair_id, 0, late).await.unwrap().rows[0].status, "expired");
        assert_eq!(code(meet::respond(&db, &buyers[1], r3, true, late).await), ErrorCode::WrongState);
        assert_eq!(meet::requests(&db, &buyers[1], fx.fair_id, 0, now).await.unwrap().rows[0].status, "expired", "stored");
        // The sweep expires the rest: r2 (pending again) but not r1 (accepted).
        assert_eq!(meet::expire_requests(&db, late).await.unwrap(), 1);
        let mine = meet::requests(&db, &buyers[0], fx.fair_id, 0, late).await.unwrap().rows;
        let status = |id| mine.iter().find(|r| r.id == id).unwrap().status.clone();
        assert_eq!((status(r1), status(r2)), ("accepted".to_string(), "expired".to_string()));
        // A visitor cannot ask another visitor; staff cannot ask at all.
        assert_eq!(code(meet::request_meeting(&db, &buyers[0], fx.fair_id, buyers[1].id, "", now).await), ErrorCode::NotFound);
        let staff = users(&db, 1, Role::Staff, "staff").await;
        assert_eq!(code(meet::request_meeting(&db, &staff[0], fx.fair_id, firms[0], "", now).await), ErrorCode::Forbidden);
        // The organiser sees every request.
        assert_eq!(meet::requests(&db, &fx.organiser, fx.fair_id, 0, now).await.unwrap().rows.len(), 3);
        // A firm that is not approved (here: rejected) neither asks buyers
        // nor accepts their requests.
        let r4 = meet::request_meeting(&db, &buyers[1], fx.fair_id, firms[1], "", now).await.unwrap();
        {
            use fairlink::firms::entity::firm;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            firm::Entity::update_many()
                .col_expr(firm::Column::Status, Expr::value("rejected"))
                .filter(firm::Column::Id.eq(firms[1]))
                .exec(db.write())
                .await
                .unwrap();
        }
        assert_eq!(code(meet::request_meeting(&db, &exhibitors[1], fx.fair_id, buyers[0].id, "", now).await), ErrorCode::FirmNotApproved);
        assert_eq!(code(meet::respond(&db, &exhibitors[1], r4, true, now).await), ErrorCode::FirmNotApproved);
        // Declining stays possible.
        meet::respond(&db, &exhibitors[1], r4, false, now).await.unwrap();
    }
}

/// Python's icalendar reads the file; returns (summary, start ISO, end ISO, tzid) per event.
fn parse_ics(text: &str) -> Vec<(String, String, String, String)> {
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
for e in cal.walk('VEVENT'):
    s, t = e.decoded('DTSTART'), e.decoded('DTEND')
    print('\t'.join([str(e.get('SUMMARY')), s.isoformat(), t.isoformat(), e['DTSTART'].params.get('TZID', '')]))
"#;
    let python = std::env::var("FAIRLINK_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = std::process::Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (icalendar is installed by make test)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].into(), f[1].into(), f[2].into(), f[3].into())
        })
        .collect()
}

db_test! {
    async fn a_firms_requests_come_a_page_at_a_time_those_to_answer_first(db: Db) {
        let fx = booth_fixture(&db, 1).await;
        let n = meet::REQUESTS_PAGE as usize + 10;
        let buyers = users(&db, n, Role::Visitor, "pagebuyer").await;
        let exhibitor = users(&db, 1, Role::Exhibitor, "pagemaker").await.remove(0);
        let firm = firm_of(&db, &exhibitor).await;
        programme(&db, &fx.organiser, fx.fair_id, 4, 2).await;
        let now = Utc::now();
        let mut asked = Vec::new();
        for (i, b) in buyers.iter().enumerate() {
            let at = now + chrono::Duration::seconds(i as i64);
            asked.push(meet::request_meeting(&db, b, fx.fair_id, firm, "", at).await.unwrap());
        }
        // The firm declines the newest five: they go after every request
        // still waiting for its answer.
        for id in asked.iter().rev().take(5) {
            meet::respond(&db, &exhibitor, *id, false, now).await.unwrap();
        }
        let first = meet::requests(&db, &exhibitor, fx.fair_id, 0, now).await.unwrap();
        let second = meet::requests(&db, &exhibitor, fx.fair_id, 1, now).await.unwrap();
        let third = meet::requests(&db, &exhibitor, fx.fair_id, 2, now).await.unwrap();
        assert_eq!((first.rows.len(), first.has_more), (meet::REQUESTS_PAGE as usize, true));
        assert_eq!((second.rows.len(), second.has_more, second.page), (10, false, 1));
        assert!(third.rows.is_empty() && !third.has_more);
        let all: Vec<Uuid> = first.rows.iter().chain(&second.rows).map(|r| r.id).collect();
        let distinct: std::collections::HashSet<&Uuid> = all.iter().collect();
        assert_eq!(distinct.len(), n, "every request once across the pages");
        assert!(first.rows.iter().all(|r| r.to_answer), "the first page holds those to answer");
        assert_eq!(second.rows.iter().filter(|r| r.status == "declined").count(), 5);
        // Newest first among those to answer.
        assert_eq!(first.rows[0].id, asked[n - 6]);
        // A buyer's own list: their one request.
        let own = meet::requests(&db, &buyers[0], fx.fair_id, 0, now).await.unwrap();
        assert_eq!((own.rows.len(), own.has_more), (1, false));
    }
}

db_test! {
    async fn scheduling_agendas_and_calendar_feeds(db: Db) {
        let fx = booth_fixture(&db, 1).await;
        let buyers = users(&db, 3, Role::Visitor, "buyer").await;
        let exhibitors = users(&db, 3, Role::Exhibitor, "maker").await;
        let firms: Vec<Uuid> = futures_util::future::join_all(exhibitors.iter().map(|e| firm_of(&db, e))).await;
        let slots = programme(&db, &fx.organiser, fx.fair_id, 3, 1).await;
        let now = Utc::now();
        // Every buyer meets every firm (9 meetings for 3 slots: 3 per slot
        // at most), one table: hosted buyer 0 meets at the tables, the rest at booths.
        for (i, b) in buyers.iter().enumerate() {
            for (j, f) in firms.iter().enumerate() {
                let location = if i == 0 { Location::Table } else { Location::Booth };
                meet::arrange_meeting(&db, &fx.organiser, fx.fair_id, &meet::Arrangement { buyer_id: b.id, firm_id: *f, weight: 1 + (i + j) as i32 % 3, location }, now).await.unwrap();
            }
        }
        assert_eq!(code(meet::arrange_meeting(&db, &exhibitors[0], fx.fair_id, &meet::Arrangement { buyer_id: buyers[0].id, firm_id: firms[0], weight: 1, location: Location::Booth }, now).await), ErrorCode::Forbidden);
        // Buyer 1 cannot attend the first slot; firm 2 not the last.
        meet::set_unavailable(&db, &buyers[1], fx.fair_id, &[slots[0]]).await.unwrap();
        meet::set_unavailable(&db, &exhibitors[2], fx.fair_id, &[slots[2]]).await.unwrap();
        assert_eq!(meet::unavailable_slots(&db, &buyers[1], fx.fair_id).await.unwrap(), vec![slots[0]]);
        assert_eq!(code(meet::set_unavailable(&db, &fx.organiser, fx.fair_id, &[slots[0]]).await), ErrorCode::Forbidden);
        assert_eq!(code(meet::set_unavailable(&db, &buyers[1], fx.fair_id, &[Uuid::now_v7()]).await), ErrorCode::InvalidField);

        let options = Options { time_limit: std::time::Duration::from_secs(2), ..Options::default() };
        let mut seen = Vec::new();
        assert_eq!(code(meet::run_schedule(&db, &exhibitors[0], fx.fair_id, &options, &mut |_| {}, Some(&links()), now).await), ErrorCode::Forbidden);
        let report = meet::run_schedule(&db, &fx.organiser, fx.fair_id, &options, &mut |p| seen.push(p), Some(&links()), now).await.unwrap();
        assert_eq!(seen.last(), Some(&1.0));
        // Everybody with a new meeting is mailed the change and the whole agenda.
        let mails = agenda_mails(&db, &buyers[0].email).await;
        assert_eq!(mails.len(), 1);
        let (body, ics) = &mails[0];
        assert!(body.contains(" — "), "{body}");
        let mailed = parse_ics(ics);
        assert_eq!(mailed.len(), meet::agenda(&db, &buyers[0], fx.fair_id).await.unwrap().len());
        assert_eq!(agenda_mails(&db, &exhibitors[0].email).await.len(), 1);
        assert!(report.weight <= report.upper_bound.unwrap());
        assert_eq!(report.added, report.scheduled);
        // The rules, read back from the agendas.
        let mut busy = HashSet::new();
        let mut first = Vec::new();
        for who in buyers.iter().chain(&exhibitors) {
            let items = meet::agenda(&db, who, fx.fair_id).await.unwrap();
            for i in &items {
                assert!(busy.insert((who.id, i.starts_at)), "{} twice at {}", who.name, i.starts_at);
            }
            first.push(items);
        }
        let slot_start = |k: usize| Utc.with_ymd_and_hms(2030, 3, 10, 2, 0, 0).unwrap() + Duration::minutes(30 * k as i64);
        assert!(first[1].iter().all(|i| i.starts_at != slot_start(0)), "buyer 1 blocked the first slot");
        assert!(first[5].iter().all(|i| i.starts_at != slot_start(2)), "firm 2 blocked the last slot");
        let tables: Vec<_> = first[0].iter().map(|i| (i.starts_at, i.table)).collect();
        assert!(tables.iter().all(|(_, t)| *t == Some(1)), "one table: {tables:?}");
        // Each of buyer 0's meetings is in one firm's agenda at the same time.
        for m in &first[0] {
            let firms_view = first[3..].iter().flatten().filter(|i| i.request_id == m.request_id).count();
            assert_eq!(firms_view, 1, "{m:?}");
            assert!(first[3..].iter().flatten().any(|i| i.request_id == m.request_id && i.starts_at == m.starts_at));
        }
        assert!(meet::agenda(&db, &fx.organiser, fx.fair_id).await.is_err());

        // A blocked slot that holds a meeting is refused.
        let taken = first[0][0].starts_at;
        let taken_slot = slots[(0..3).find(|&k| slot_start(k) == taken).unwrap()];
        assert_eq!(code(meet::set_unavailable(&db, &buyers[0], fx.fair_id, &[taken_slot]).await), ErrorCode::WrongState);

        // A cancellation and a new request: earlier meetings keep their place.
        let gone = first[0][0].request_id;
        let gone_firm = meet::requests(&db, &buyers[0], fx.fair_id, 0, now).await.unwrap().rows.into_iter().find(|r| r.id == gone).unwrap().firm_id;
        let told = &exhibitors[firms.iter().position(|f| *f == gone_firm).unwrap()];
        let before_mails = agenda_mails(&db, &told.email).await.len();
        meet::cancel(&db, &buyers[0], gone, Some(&links()), now).await.unwrap();
        let after_mails = agenda_mails(&db, &told.email).await;
        assert_eq!(after_mails.len(), before_mails + 1);
        let last = &after_mails.last().unwrap().0;
        assert!(last.contains("Cancelled") || last.contains("Đã huỷ"), "{last}");
        let extra = users(&db, 1, Role::Visitor, "late").await;
        meet::arrange_meeting(&db, &fx.organiser, fx.fair_id, &meet::Arrangement { buyer_id: extra[0].id, firm_id: firms[0], weight: 3, location: Location::Booth }, now).await.unwrap();
        let again = meet::run_schedule(&db, &fx.organiser, fx.fair_id, &options, &mut |_| {}, Some(&links()), now).await.unwrap();
        assert!(again.added <= 2);
        for (who, before) in buyers.iter().chain(&exhibitors).zip(&first) {
            let after = meet::agenda(&db, who, fx.fair_id).await.unwrap();
            for m in before.iter().filter(|m| m.request_id != gone) {
                assert!(after.iter().any(|a| a.request_id == m.request_id && a.starts_at == m.starts_at && a.table == m.table), "{m:?} moved");
            }
        }

        // The agenda as a calendar file, read by a standard parser.
        let fair = fairlink::booths::fair_by_id(&db, fx.fair_id).await.unwrap();
        let items = meet::agenda(&db, &buyers[0], fx.fair_id).await.unwrap();
        let ics = meet::agenda_calendar(&fair, &items, fairlink::Locale::Vi, now);
        let events = parse_ics(&ics);
        assert_eq!(events.len(), items.len());
        for (e, i) in events.iter().zip(&items) {
            let start = DateTime::parse_from_rfc3339(&e.1).unwrap();
            assert_eq!(start.with_timezone(&Utc), i.starts_at, "{e:?}");
            assert_eq!(start.offset().local_minus_utc(), 7 * 3600, "shown in the fair's time: {e:?}");
            assert_eq!(DateTime::parse_from_rfc3339(&e.2).unwrap() - start, Duration::minutes(30));
            assert_eq!(e.3, "Asia/Ho_Chi_Minh");
            assert!(e.0.starts_with("Gặp "), "{e:?}");
        }

        // The feed: secret, renewed and revoked.
        let token = meet::renew_feed(&db, &buyers[0], now).await.unwrap();
        let (who, feed) = meet::feed_agenda(&db, &token, fx.fair_id).await.unwrap();
        assert_eq!((who.id, feed.len()), (buyers[0].id, items.len()));
        assert_eq!(code(meet::feed_agenda(&db, "not-the-secret", fx.fair_id).await), ErrorCode::NotFound);
        let renewed = meet::renew_feed(&db, &buyers[0], now).await.unwrap();
        assert_ne!(renewed, token);
        assert_eq!(code(meet::feed_agenda(&db, &token, fx.fair_id).await), ErrorCode::NotFound);
        meet::feed_agenda(&db, &renewed, fx.fair_id).await.unwrap();
        meet::revoke_feed(&db, &buyers[0]).await.unwrap();
        assert_eq!(code(meet::feed_agenda(&db, &renewed, fx.fair_id).await), ErrorCode::NotFound);
    }
}

db_test! {
    async fn scheduling_runs_report_progress_one_at_a_time(db: Db) {
        use fairlink::meetings::entity::run;
        use fairlink::meetings::runs;
        use fairlink::meetings::views::{RunStatus, RunView};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let fx = booth_fixture(&db, 1).await;
        let buyers = users(&db, 4, Role::Visitor, "buyer").await;
        let exhibitors = users(&db, 3, Role::Exhibitor, "maker").await;
        let firms: Vec<Uuid> = futures_util::future::join_all(exhibitors.iter().map(|e| firm_of(&db, e))).await;
        // 12 table meetings; 4 slots of 2 tables hold 8.
        programme(&db, &fx.organiser, fx.fair_id, 4, 2).await;
        let now = Utc::now();
        for b in &buyers {
            for f in &firms {
                meet::arrange_meeting(&db, &fx.organiser, fx.fair_id, &meet::Arrangement { buyer_id: b.id, firm_id: *f, weight: 1, location: Location::Table }, now).await.unwrap();
            }
        }
        let options = Options { time_limit: std::time::Duration::from_secs(2), ..Options::default() };
        assert_eq!(code(runs::start_run(&db, &buyers[0], fx.fair_id, options.clone(), None, None, now).await), ErrorCode::Forbidden);
        assert_eq!(code(runs::start_run(&db, &exhibitors[0], fx.fair_id, options.clone(), None, None, now).await), ErrorCode::Forbidden);
        assert_eq!(code(runs::latest_run(&db, &exhibitors[0], fx.fair_id, now).await), ErrorCode::Forbidden);
        assert!(runs::latest_run(&db, &fx.organiser, fx.fair_id, now).await.unwrap().is_none());

        // Started, then followed from the database until it ends.
        let follow = |id: Uuid| {
            let db = db.clone();
            let organiser = fx.organiser.clone();
            async move {
                for _ in 0..1200 {
                    let v: RunView = runs::run_by_id(&db, &organiser, id, Utc::now()).await.unwrap();
                    assert!(matches!(v.status, RunStatus::Running | RunStatus::Done), "{v:?}");
                    assert!((0..=1000).contains(&v.progress));
                    if v.status == RunStatus::Done {
                        return v;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                panic!("the run did not end in a minute");
            }
        };
        let id = runs::start_run(&db, &fx.organiser, fx.fair_id, options.clone(), Some(links()), None, Utc::now()).await.unwrap();
        let done = follow(id).await;
        assert_eq!(done.progress, 1000);
        assert_eq!(done.error, None);
        let report = done.report.clone().unwrap();
        assert_eq!((report.scheduled, report.added, report.unscheduled), (8, 8, 4));
        assert_eq!(report.weight, 8);
        assert_eq!(report.upper_bound, Some(8));
        assert_eq!(meet::scheduled_count(&db, fx.fair_id).await.unwrap(), 8);
        assert_eq!(runs::latest_run(&db, &fx.organiser, fx.fair_id, Utc::now()).await.unwrap(), Some(done.clone()));
        // Each side was mailed its whole agenda (a firm's read once for all its members).
        for who in buyers.iter().chain(&exhibitors) {
            let agenda = meet::agenda(&db, who, fx.fair_id).await.unwrap();
            let mails = agenda_mails(&db, &who.email).await;
            assert_eq!(mails.len(), usize::from(!agenda.is_empty()), "{}", who.email);
            if let Some((_, ics)) = mails.first() {
                assert_eq!(parse_ics(ics).len(), agenda.len(), "{}", who.email);
            }
        }

        // While a run is alive (its heartbeat fresh) another is refused.
        let set_run = |status: &'static str, beat: DateTime<Utc>| {
            let db = db.clone();
            async move {
                run::Entity::update_many()
                    .col_expr(run::Column::Status, Expr::value(status))
                    .col_expr(run::Column::UpdatedAt, Expr::value(beat))
                    .filter(run::Column::Id.eq(id))
                    .exec(db.write())
                    .await
                    .unwrap();
            }
        };
        set_run("running", Utc::now()).await;
        assert_eq!(code(runs::start_run(&db, &fx.organiser, fx.fair_id, options.clone(), None, None, Utc::now()).await), ErrorCode::RunUnderWay);
        assert_eq!(runs::latest_run(&db, &fx.organiser, fx.fair_id, Utc::now()).await.unwrap().unwrap().status, RunStatus::Running);
        // Its heartbeat stopped (its process ended): interrupted, and the next run may start.
        set_run("running", Utc::now() - Duration::seconds(60)).await;
        assert_eq!(runs::latest_run(&db, &fx.organiser, fx.fair_id, Utc::now()).await.unwrap().unwrap().status, RunStatus::Interrupted);
        let next = runs::start_run(&db, &fx.organiser, fx.fair_id, options.clone(), None, None, Utc::now()).await.unwrap();
        assert_ne!(next, id);
        assert_eq!(runs::run_by_id(&db, &fx.organiser, id, Utc::now()).await.unwrap().status, RunStatus::Interrupted);
        // Nothing more fits: the meetings stay, none added.
        let again = follow(next).await.report.unwrap();
        assert_eq!((again.scheduled, again.added, again.unscheduled), (8, 0, 4));
        assert_eq!(meet::scheduled_count(&db, fx.fair_id).await.unwrap(), 8);
        assert_eq!(code(runs::run_by_id(&db, &fx.organiser, Uuid::now_v7(), Utc::now()).await), ErrorCode::NotFound);
    }
}

/// The agenda mails queued for an address, oldest first: (text body, .ics).
async fn agenda_mails(db: &Db, email: &str) -> Vec<(String, String)> {
    use fairlink::mail::entity::{attachment, outbox};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let mut out = Vec::new();
    let mails = outbox::Entity::find()
        .filter(outbox::Column::ToEmail.eq(email))
        .filter(outbox::Column::Template.eq("agenda"))
        .order_by_asc(outbox::Column::Id)
        .all(db.read())
        .await
        .unwrap();
    for m in mails {
        let files = attachment::Entity::find()
            .filter(attachment::Column::OutboxId.eq(m.id))
            .all(db.read())
            .await
            .unwrap();
        assert_eq!(files.len(), 1);
        assert!(
            files[0].content_type.starts_with("text/calendar"),
            "{}",
            files[0].content_type
        );
        out.push((
            m.text_body,
            String::from_utf8(files[0].content.clone()).unwrap(),
        ));
    }
    out
}

db_test! {
    async fn meetings_held_feedback_and_figures(db: Db) {
        use fairlink::badges::{BadgeInput, BadgeKind};
        let fx = booth_fixture(&db, 1).await;
        let buyers = users(&db, 2, Role::Visitor, "buyer").await;
        let exhibitors = users(&db, 2, Role::Exhibitor, "maker").await;
        let firms: Vec<Uuid> = futures_util::future::join_all(exhibitors.iter().map(|e| firm_of(&db, e))).await;
        programme(&db, &fx.organiser, fx.fair_id, 2, 2).await;
        let now = Utc::now();
        for b in &buyers {
            meet::arrange_meeting(&db, &fx.organiser, fx.fair_id, &meet::Arrangement { buyer_id: b.id, firm_id: firms[0], weight: 2, location: Location::Table }, now).await.unwrap();
        }
        let declined = meet::request_meeting(&db, &buyers[1], fx.fair_id, firms[1], "", now).await.unwrap();
        meet::respond(&db, &exhibitors[1], declined, false, now).await.unwrap();
        let options = Options { time_limit: std::time::Duration::from_secs(1), ..Options::default() };
        let report = meet::run_schedule(&db, &fx.organiser, fx.fair_id, &options, &mut |_| {}, None, now).await.unwrap();
        assert_eq!(report.scheduled, 2);

        // Badges: the buyers' own, and a staff badge of firm 0.
        let badge = |user_id: Option<Uuid>, firm_id: Option<Uuid>, kind: BadgeKind| BadgeInput {
            fair_id: fx.fair_id,
            kind,
            user_id,
            firm_id,
            name: "Người gặp".into(),
            organisation: "Công ty".into(),
            email: None,
            valid_from: None,
            valid_to: None,
            areas: vec![],
            lead_consent: false,
        };
        let b0 = fairlink::badges::issue(&db, &fx.organiser, &badge(Some(buyers[0].id), None, BadgeKind::Buyer), now).await.unwrap();
        let b1 = fairlink::badges::issue(&db, &fx.organiser, &badge(Some(buyers[1].id), None, BadgeKind::Buyer), now).await.unwrap();
        let staff = fairlink::badges::issue(&db, &fx.organiser, &badge(None, Some(firms[0]), BadgeKind::Exhibitor), now).await.unwrap();

        // The firm scans buyer 0's badge at the table: their meeting is held.
        let r0 = meet::mark_held(&db, &exhibitors[0], fx.fair_id, &b0.token, now).await.unwrap();
        assert!(meet::agenda(&db, &buyers[0], fx.fair_id).await.unwrap().iter().any(|i| i.request_id == r0 && i.held));
        // The buyer scanning the firm's staff badge finds the same meeting.
        assert_eq!(meet::mark_held(&db, &buyers[0], fx.fair_id, &staff.token, now).await.unwrap(), r0);
        // A forged code; a buyer that firm 1 does not meet; an organiser.
        assert_eq!(code(meet::mark_held(&db, &exhibitors[0], fx.fair_id, "FL1ABCDEFGHIJKLMNOP", now).await), ErrorCode::InvalidField);
        assert_eq!(code(meet::mark_held(&db, &exhibitors[1], fx.fair_id, &b1.token, now).await), ErrorCode::NotFound);
        assert_eq!(code(meet::mark_held(&db, &fx.organiser, fx.fair_id, &b1.token, now).await), ErrorCode::Forbidden);

        // Feedback: held with a quotation; a no-show reported by the firm.
        meet::give_feedback(&db, &buyers[0], r0, "held", "quotation", "Gửi báo giá", now).await.unwrap();
        let r1 = meet::requests(&db, &buyers[1], fx.fair_id, 0, now).await.unwrap().rows.into_iter().find(|r| r.firm_id == firms[0]).unwrap().id;
        meet::give_feedback(&db, &exhibitors[0], r1, "no_show", "none", "", now).await.unwrap();
        assert_eq!(code(meet::give_feedback(&db, &exhibitors[1], r0, "held", "none", "", now).await), ErrorCode::NotFound);
        assert_eq!(code(meet::give_feedback(&db, &buyers[0], r0, "maybe", "none", "", now).await), ErrorCode::InvalidField);
        assert_eq!(code(meet::give_feedback(&db, &buyers[1], r1, "no_show", "order", "", now).await), ErrorCode::InvalidField);
        assert_eq!(code(meet::give_feedback(&db, &buyers[1], declined, "held", "none", "", now).await), ErrorCode::WrongState);

        // The organiser's figures, in total and for the firms' sector.
        let figures = meet::figures(&db, &fx.organiser, fx.fair_id).await.unwrap();
        let total = figures.iter().find(|f| f.sector.is_empty()).unwrap();
        assert_eq!(
            (total.requests, total.accepted, total.declined, total.scheduled, total.held, total.no_shows, total.follow_ups),
            (3, 2, 1, 2, 1, 1, 1)
        );
        assert_eq!(figures.iter().filter(|f| !f.sector.is_empty()).map(|f| f.requests).sum::<u64>(), 3);
        assert_eq!(code(meet::figures(&db, &exhibitors[0], fx.fair_id).await), ErrorCode::Forbidden);
    }
}
