//! Fairs, plans and booths: setting up, importing plans, holding and
//! confirming under contention, expiry, organisers' changes, the waiting
//! list, the allocation, authorization — against SQLite and PostgreSQL.

use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use fairlink::accounts::Role;
use fairlink::booths::entity::{application, claim};
use fairlink::booths::plan::Problem;
use fairlink::booths::{
    self, BoothStatus, Ending, WishInput, allocator, application_state, claim_state,
};
use fairlink::db::Db;
use fairlink::mail::Links;
use fairlink::mail::entity::{attachment, outbox};
use fairlink::testing::{booth_fixture, users};
use fairlink::{ErrorCode, db_test};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// Now, to the millisecond (PostgreSQL keeps microseconds, not nanoseconds).
fn clock() -> chrono::DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(3)
}

fn links() -> Links {
    Links::new("https://fair.example")
}

async fn status_of(db: &Db, fair_id: Uuid, booth: Uuid) -> BoothStatus {
    booths::fair_map(db, fair_id, None, Utc::now())
        .await
        .unwrap()
        .booths
        .iter()
        .find(|b| b.id == booth)
        .unwrap()
        .status
}

/// Reads a PDF's text with a real PDF reader (pypdf).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("fairlink-pdf-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let python = std::env::var("FAIRLINK_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args(["-c", "import sys, pypdf; r = pypdf.PdfReader(sys.argv[1]); print(''.join(p.extract_text() for p in r.pages))"])
        .arg(&path)
        .output()
        .expect("python3 with pypdf (installed by the test command)");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "pypdf failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

db_test! {
    async fn hold_confirm_invoice_and_mail(db: Db) {
        let fx = booth_fixture(&db, 40).await;
        let now = clock();
        let firm = users(&db, 1, Role::Exhibitor, "buyer").await.remove(0);
        // A-0001 is a corner: 9 m² × 2,500,000, +10 %, extras, VAT 8 %.
        let corner = fx.booths[0];
        let held = booths::hold(&db, &firm, corner, now).await.unwrap();
        assert_eq!(held.state, claim_state::HELD);
        assert_eq!(held.held_until, Some(now + Duration::minutes(15)));
        assert_eq!(status_of(&db, fx.fair_id, corner).await, BoothStatus::Held);
        // The firm sees it as its own.
        let map = booths::fair_map(&db, fx.fair_id, Some(held.firm_id), now).await.unwrap();
        let mine = map.booths.iter().find(|b| b.id == corner).unwrap();
        assert!(mine.mine && mine.my_claim == Some(held.id));
        assert_eq!(booths::confirm(&db, &firm, held.id, &["teleporter".into()], &links(), now).await.unwrap_err().code, ErrorCode::InvalidField);
        let booked = booths::confirm(&db, &firm, held.id, &["power_3kw".into(), "internet".into()], &links(), now + Duration::minutes(5)).await.unwrap();
        assert_eq!(booked.state, claim_state::CONFIRMED);
        assert_eq!(booked.price.base, 22_500_000);
        assert_eq!(booked.price.surcharge, 2_250_000);
        assert_eq!(booked.price.options, 2_300_000);
        assert_eq!(booked.price.vat, (22_500_000 + 2_250_000 + 2_300_000) * 8 / 100);
        assert_eq!(booked.price.total, 27_050_000 + 2_164_000);
        assert_eq!(booked.invoice_no.as_deref(), Some("PF2030-00001"));
        assert_eq!(status_of(&db, fx.fair_id, corner).await, BoothStatus::Reserved);
        // Confirming twice does nothing more.
        assert_eq!(booths::confirm(&db, &firm, held.id, &[], &links(), now).await.unwrap_err().code, ErrorCode::WrongState);

        // The mail carries the invoice; a real PDF reader finds the text.
        let mail = outbox::Entity::find().filter(outbox::Column::Template.eq("booking")).one(db.read()).await.unwrap().unwrap();
        assert_eq!(mail.to_email, firm.email);
        assert!(mail.subject.contains("A-0001"), "{}", mail.subject);
        let files = attachment::Entity::find().filter(attachment::Column::OutboxId.eq(mail.id)).all(db.read()).await.unwrap();
        assert_eq!(files.len(), 1);
        // Stored as a reference; the PDF is made when the mail goes out.
        assert_eq!(files[0].content_type, fairlink::mail::INVOICE_LATER);
        let files = fairlink::mail::delivery::resolve_attachments(&db, files).await.unwrap();
        assert_eq!(files[0].content_type, "application/pdf");
        assert_eq!(files[0].filename, "PF2030-00001.pdf");
        let text = pdf_text(&files[0].content);
        for expected in ["HÓA ĐƠN TẠM TÍNH", "PF2030-00001", "Công ty TNHH Linh kiện buyer 0", "A-0001", "29.214.000", "Điện 3 kW thêm", "Thuế GTGT / VAT 8%"] {
            assert!(text.contains(expected), "{expected:?} missing from the invoice:\n{text}");
        }
        // The same invoice on demand, for the firm and the organisers.
        let (name, pdf) = booths::invoice(&db, &firm, held.id).await.unwrap();
        assert_eq!(name, "PF2030-00001.pdf");
        assert!(pdf_text(&pdf).contains("29.214.000"));
        assert!(booths::invoice(&db, &fx.organiser, held.id).await.is_ok());

        // Paid: sold on the map, mailed.
        booths::mark_paid(&db, &fx.organiser, held.id, &links(), now).await.unwrap();
        assert_eq!(status_of(&db, fx.fair_id, corner).await, BoothStatus::Sold);
        assert_eq!(booths::mark_paid(&db, &fx.organiser, held.id, &links(), now).await.unwrap_err().code, ErrorCode::WrongState);
        assert_eq!(outbox::Entity::find().filter(outbox::Column::Template.eq("booking")).count(db.read()).await.unwrap(), 2);
        let mine = booths::my_claims(&db, &firm, now).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].state, claim_state::PAID);
        // A second booking takes the next invoice number.
        let second = booths::hold(&db, &firm, fx.booths[5], now).await.unwrap();
        let second = booths::confirm(&db, &firm, second.id, &[], &links(), now).await.unwrap();
        assert_eq!(second.invoice_no.as_deref(), Some("PF2030-00002"));
        assert_eq!(second.price.total, 22_500_000 + 1_800_000);
    }
}

db_test! {
    async fn a_taken_booth_is_refused_cleanly(db: Db) {
        let fx = booth_fixture(&db, 10).await;
        let now = clock();
        let firms = users(&db, 2, Role::Exhibitor, "rival").await;
        booths::hold(&db, &firms[0], fx.booths[3], now).await.unwrap();
        let err = booths::hold(&db, &firms[1], fx.booths[3], now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::BoothTaken);
        assert_eq!(claim::Entity::find().count(db.read()).await.unwrap(), 1, "nothing half-written");
        // Blocked booths are not for sale; unknown booths do not exist.
        booths::set_blocked(&db, &fx.organiser, fx.booths[4], true, now).await.unwrap();
        assert_eq!(booths::hold(&db, &firms[1], fx.booths[4], now).await.unwrap_err().code, ErrorCode::BoothTaken);
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[4]).await, BoothStatus::Blocked);
        assert_eq!(booths::hold(&db, &firms[1], Uuid::now_v7(), now).await.unwrap_err().code, ErrorCode::NotFound);
        // A firm holds three booths at most at once.
        for b in &fx.booths[5..8] {
            booths::hold(&db, &firms[1], *b, now).await.unwrap();
        }
        assert_eq!(booths::hold(&db, &firms[1], fx.booths[8], now).await.unwrap_err().code, ErrorCode::TooManyHolds);
    }
}

db_test! {
    async fn holds_expire_by_the_clock(db: Db) {
        let fx = booth_fixture(&db, 10).await;
        let t0 = clock();
        let firms = users(&db, 2, Role::Exhibitor, "clock").await;
        let a = booths::hold(&db, &firms[0], fx.booths[0], t0).await.unwrap();
        // Within the 15 minutes the booth stays taken.
        assert_eq!(booths::hold(&db, &firms[1], fx.booths[0], t0 + Duration::minutes(14)).await.unwrap_err().code, ErrorCode::BoothTaken);
        // After them, the hold reads as free and another firm may take it.
        let later = t0 + Duration::minutes(15) + Duration::seconds(1);
        let map = booths::fair_map(&db, fx.fair_id, None, later).await.unwrap();
        assert_eq!(map.booths[0].status, BoothStatus::Free);
        let b = booths::hold(&db, &firms[1], fx.booths[0], later).await.unwrap();
        // The first firm's late confirmation is refused, nothing changes.
        let err = booths::confirm(&db, &firms[0], a.id, &[], &links(), later).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::WrongState, "its hold was ended when the other firm took the booth");
        let row = claim::Entity::find_by_id(a.id).one(db.read()).await.unwrap().unwrap();
        assert_eq!(row.state, claim_state::EXPIRED);
        assert_eq!(row.live_booth_id, None);
        assert_eq!(claim::Entity::find_by_id(b.id).one(db.read()).await.unwrap().unwrap().state, claim_state::HELD);

        // A hold that runs out during confirmation: refused with hold_expired,
        // the claim ended in the same breath.
        let c = booths::hold(&db, &firms[0], fx.booths[1], t0).await.unwrap();
        let err = booths::confirm(&db, &firms[0], c.id, &[], &links(), t0 + Duration::minutes(15)).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::HoldExpired);
        let row = claim::Entity::find_by_id(c.id).one(db.read()).await.unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.live_booth_id, row.invoice_no), (claim_state::EXPIRED, None, None));
        // Refused confirmations take no invoice number: the first booking has 00001.
        let d = booths::hold(&db, &firms[1], fx.booths[4], t0).await.unwrap();
        let d = booths::confirm(&db, &firms[1], d.id, &[], &links(), t0).await.unwrap();
        assert_eq!(d.invoice_no.as_deref(), Some("PF2030-00001"));

        // The worker ends what is due, and only that.
        booths::hold(&db, &firms[0], fx.booths[2], t0).await.unwrap();
        booths::hold(&db, &firms[0], fx.booths[3], t0 + Duration::minutes(10)).await.unwrap();
        assert_eq!(booths::expire_holds(&db, &links(), t0 + Duration::minutes(16)).await.unwrap(), 1, "only A-0003's hold is due");
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[2]).await, BoothStatus::Free);
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[3]).await, BoothStatus::Held);
        assert_eq!(booths::expire_holds(&db, &links(), t0 + Duration::minutes(16)).await.unwrap(), 0);
    }
}

/// Many firms at once (from `instances` app instances, each its own pool)
/// try to hold the last `free` booths: exactly `free` succeed, everyone else
/// hears "booth taken", and the database holds one live claim per booth.
async fn race(db: &Db, attempts: usize, free: usize, instances: usize) {
    let fx = booth_fixture(db, free + 20).await;
    let now = clock();
    // Sell all but the last `free` booths first.
    let sold = users(db, 20, Role::Exhibitor, "early").await;
    for (i, b) in fx.booths[..20].iter().enumerate() {
        booths::hold(db, &sold[i], *b, now).await.unwrap();
    }
    let firms = users(db, attempts, Role::Exhibitor, "racer").await;
    let targets: Vec<Uuid> = fx.booths[20..].to_vec();
    let mut pools = vec![db.clone()];
    for _ in 1..instances {
        pools.push(Db::connect(db.url()).await.unwrap());
    }
    let mut tasks = Vec::new();
    for (i, firm) in firms.into_iter().enumerate() {
        let db = pools[i % pools.len()].clone();
        let booth = targets[i % targets.len()];
        tasks.push(tokio::spawn(async move {
            booths::hold(&db, &firm, booth, now).await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.code, ErrorCode::BoothTaken, "{e}"),
        }
    }
    assert_eq!(won, free);
    let live = claim::Entity::find()
        .filter(claim::Column::LiveBoothId.is_in(targets.clone()))
        .all(db.read())
        .await
        .unwrap();
    assert_eq!(live.len(), free);
    let mut seen = std::collections::HashSet::new();
    assert!(
        live.iter().all(|c| seen.insert(c.booth_id)),
        "one live claim per booth"
    );
    assert_eq!(
        claim::Entity::find().count(db.read()).await.unwrap() as usize,
        20 + free,
        "no stray rows"
    );
}

db_test! {
    async fn racing_for_the_last_booths(db: Db) {
        let instances = if db.url().starts_with("postgres") { 2 } else { 1 };
        race(&db, 200, 20, instances).await;
    }
}

db_test! {
    async fn organisers_move_swap_cancel_and_the_waiting_list(db: Db) {
        let fx = booth_fixture(&db, 20).await;
        let now = clock();
        let firms = users(&db, 3, Role::Exhibitor, "ops").await;
        let a = booths::hold(&db, &firms[0], fx.booths[1], now).await.unwrap();
        let a = booths::confirm(&db, &firms[0], a.id, &[], &links(), now).await.unwrap();
        let b = booths::hold(&db, &firms[1], fx.booths[2], now).await.unwrap();
        let b = booths::confirm(&db, &firms[1], b.id, &[], &links(), now).await.unwrap();
        // Move A to the corner A-0001: the price follows the booth.
        booths::move_claim(&db, &fx.organiser, a.id, fx.booths[0], &links(), now).await.unwrap();
        let moved = booths::my_claims(&db, &firms[0], now).await.unwrap().remove(0);
        assert_eq!(moved.booth_code, "A-0001");
        assert_eq!(moved.price.surcharge, 2_250_000);
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[1]).await, BoothStatus::Free);
        // Moving onto a taken booth is refused.
        assert_eq!(booths::move_claim(&db, &fx.organiser, a.id, fx.booths[2], &links(), now).await.unwrap_err().code, ErrorCode::BoothTaken);
        // Swap A and B.
        booths::swap_claims(&db, &fx.organiser, a.id, b.id, &links(), now).await.unwrap();
        assert_eq!(booths::my_claims(&db, &firms[0], now).await.unwrap()[0].booth_code, "A-0003");
        assert_eq!(booths::my_claims(&db, &firms[1], now).await.unwrap()[0].booth_code, "A-0001");
        // Firm C waits for a 9 m² inline booth.
        let wish = WishInput { area_m2: 9, type_code: "inline".into(), zone: "COMP".into(), preferences: vec![], avoid: vec![] };
        let app = booths::apply(&db, &firms[2], fx.fair_id, &wish, now).await.unwrap();
        application::Entity::update_many()
            .col_expr(application::Column::Status, sea_orm::sea_query::Expr::value(application_state::WAITLISTED))
            .filter(application::Column::Id.eq(app))
            .exec(db.write())
            .await
            .unwrap();
        // Cancelling A's booking (now on A-0003, inline) offers the booth to C.
        booths::end_claim(&db, &fx.organiser, a.id, Ending::Cancel, "Chưa thanh toán", &links(), now).await.unwrap();
        let offered = booths::my_claims(&db, &firms[2], now).await.unwrap();
        assert_eq!(offered.len(), 1);
        assert_eq!((offered[0].booth_code.as_str(), offered[0].state.as_str(), offered[0].offered), ("A-0003", claim_state::HELD, true));
        assert_eq!(offered[0].held_until, Some(now + Duration::hours(booths::OFFER_HOURS)));
        assert_eq!(booths::my_application(&db, &firms[2], fx.fair_id).await.unwrap().unwrap().status, application_state::OFFERED);
        booths::confirm(&db, &firms[2], offered[0].id, &[], &links(), now).await.unwrap();
        let app = booths::my_application(&db, &firms[2], fx.fair_id).await.unwrap().unwrap();
        assert_eq!((app.status.as_str(), app.booth.as_deref()), (application_state::ALLOCATED, Some("A-0003")));
        // Every change was logged and mailed.
        let log = fairlink::firms::audit::history(&db, "claim", a.id).await.unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        for action in ["booking.confirmed", "booking.moved", "booking.swapped", "booking.cancelled"] {
            assert!(actions.contains(&action), "{action} missing from {actions:?}");
        }
        let subjects: Vec<String> = outbox::Entity::find().all(db.read()).await.unwrap().into_iter().map(|m| m.subject).collect();
        assert!(subjects.iter().any(|s| s.contains("Hủy đặt gian hàng A-0003") || s.contains("Booking of booth A-0003 cancelled")), "{subjects:?}");
        assert!(subjects.iter().any(|s| s.contains("A-0003") && (s.contains("Có gian hàng trống") || s.contains("A booth for"))), "{subjects:?}");
    }
}

db_test! {
    async fn booths_freed_at_once_offer_each_waiting_firm_one_booth(db: Db) {
        let fx = booth_fixture(&db, 40).await;
        let now = clock();
        let booked = users(&db, 16, Role::Exhibitor, "freed").await;
        let waiting = users(&db, 8, Role::Exhibitor, "waiting").await;
        let mut claims = Vec::new();
        for (i, f) in booked.iter().enumerate() {
            // Inline booths (the corners are A-0001 and A-0020).
            let c = booths::hold(&db, f, fx.booths[1 + i], now).await.unwrap();
            claims.push(booths::confirm(&db, f, c.id, &[], &links(), now).await.unwrap().id);
        }
        // Eight firms wait; every freed booth fits every wish.
        let wish = WishInput { area_m2: 9, type_code: "inline".into(), zone: "COMP".into(), preferences: vec![], avoid: vec![] };
        for (i, f) in waiting.iter().enumerate() {
            let app = booths::apply(&db, f, fx.fair_id, &wish, now + Duration::seconds(i as i64)).await.unwrap();
            application::Entity::update_many()
                .col_expr(application::Column::Status, sea_orm::sea_query::Expr::value(application_state::WAITLISTED))
                .filter(application::Column::Id.eq(app))
                .exec(db.write())
                .await
                .unwrap();
        }
        // All sixteen bookings are cancelled at the same moment, on
        // PostgreSQL by two instances (two pools) taking turns.
        let other = if db.url().starts_with("postgres") { Db::connect(db.url()).await.unwrap() } else { db.clone() };
        let links = links();
        let ends = claims.iter().enumerate().map(|(i, c)| {
            let on = if i % 2 == 0 { &db } else { &other };
            booths::end_claim(on, &fx.organiser, *c, Ending::Cancel, "Hủy", &links, now)
        });
        for r in futures_util::future::join_all(ends).await {
            r.unwrap();
        }
        // Each waiting firm is offered one booth, and only one.
        for f in &waiting {
            let offered = booths::my_claims(&db, f, now).await.unwrap();
            assert_eq!(offered.len(), 1, "one offer for one application: {offered:?}");
            assert!(offered[0].offered);
        }
        let offers = outbox::Entity::find()
            .all(db.read())
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.contains("Có gian hàng trống") || m.subject.contains("A booth for"))
            .count();
        assert_eq!(offers, 8, "one offer mail each");
        // The other eight booths are free for anyone.
        let freed = &fx.booths[1..17];
        let statuses = futures_util::future::join_all(freed.iter().map(|b| status_of(&db, fx.fair_id, *b))).await;
        assert_eq!(statuses.iter().filter(|s| **s == BoothStatus::Free).count(), 8, "{statuses:?}");
    }
}

db_test! {
    async fn the_organisers_list_of_bookings_comes_a_page_at_a_time_in_booth_order(db: Db) {
        let n = booths::CLAIMS_PAGE as usize + 5;
        let fx = booth_fixture(&db, n).await;
        let now = clock();
        let firm = users(&db, 1, Role::Exhibitor, "manybooths").await.remove(0);
        // Booked from the last booth to the first.
        for b in fx.booths.iter().rev() {
            let c = booths::hold(&db, &firm, *b, now).await.unwrap();
            booths::confirm(&db, &firm, c.id, &[], &links(), now).await.unwrap();
        }
        let first = booths::fair_claims(&db, &fx.organiser, fx.fair_id, "live", 0, now).await.unwrap();
        let second = booths::fair_claims(&db, &fx.organiser, fx.fair_id, "live", 1, now).await.unwrap();
        assert_eq!((first.rows.len(), first.has_more), (booths::CLAIMS_PAGE as usize, true));
        assert_eq!((second.rows.len(), second.has_more), (5, false));
        let codes: Vec<String> = first.rows.iter().chain(&second.rows).map(|c| c.booth_code.clone()).collect();
        let expected: Vec<String> = (1..=n).map(|i| format!("A-{i:04}")).collect();
        assert_eq!(codes, expected, "booth order across the pages");
        let confirmed = booths::fair_claims(&db, &fx.organiser, fx.fair_id, "confirmed", 1, now).await.unwrap();
        assert_eq!(confirmed.rows.len(), 5);
        assert_eq!(
            booths::fair_claims(&db, &fx.organiser, fx.fair_id, "sold", 0, now).await.unwrap_err().field,
            Some("state")
        );
    }
}

db_test! {
    async fn allocation_proposes_and_books(db: Db) {
        let fx = booth_fixture(&db, 40).await;
        let now = clock();
        let firms = users(&db, 6, Role::Exhibitor, "alloc").await;
        let firm_ids: Vec<Uuid> = {
            let mut ids = Vec::new();
            for f in &firms {
                ids.push(fairlink::firms::profile::membership(db.read(), f.id).await.unwrap().unwrap().0);
            }
            ids
        };
        let wish = |prefs: &[&str], avoid: Vec<Uuid>| WishInput {
            area_m2: 9,
            type_code: "inline".into(),
            zone: String::new(),
            preferences: prefs.iter().map(|p| p.to_string()).collect(),
            avoid,
        };
        booths::apply(&db, &firms[0], fx.fair_id, &wish(&["A-0005"], vec![firm_ids[1]]), now).await.unwrap();
        booths::apply(&db, &firms[1], fx.fair_id, &wish(&["A-0006", "A-0010"], vec![]), now + Duration::seconds(1)).await.unwrap();
        booths::apply(&db, &firms[2], fx.fair_id, &wish(&["A-0005"], vec![]), now + Duration::seconds(2)).await.unwrap();
        // Bad wishes are refused field by field.
        let mut bad = wish(&["Z-9"], vec![]);
        assert_eq!(booths::apply(&db, &firms[3], fx.fair_id, &bad, now).await.unwrap_err().field, Some("preferences"));
        bad.preferences.clear();
        bad.type_code = "throne".into();
        assert_eq!(booths::apply(&db, &firms[3], fx.fair_id, &bad, now).await.unwrap_err().field, Some("type_code"));
        // Only organisers propose and accept.
        assert_eq!(booths::propose(&db, &firms[0], fx.fair_id, allocator::Policy::default(), now).await.unwrap_err().code, ErrorCode::Forbidden);
        let (_, proposal) = booths::propose(&db, &fx.organiser, fx.fair_id, allocator::Policy::default(), now).await.unwrap();
        let of = |i: usize| proposal.placed.iter().find(|p| p.firm == firm_ids[i].to_string()).unwrap().booth.clone();
        assert_eq!(of(0), "A-0005");
        assert_ne!(of(1), "A-0006", "firm 1 must not sit next to firm 0, who listed it");
        assert_eq!(of(1), "A-0010");
        assert_ne!(of(2), "A-0005");
        assert_eq!(proposal.first_choice_bound, 2);
        let placements: Vec<(Uuid, String)> = proposal.placed.iter().map(|p| (p.application.parse().unwrap(), p.booth.clone())).collect();
        let report = booths::accept_allocation(&db, &fx.organiser, fx.fair_id, &placements, &links(), now).await.unwrap();
        assert_eq!((report.booked, report.skipped), (3, 0));
        for (i, f) in firms.iter().take(3).enumerate() {
            let c = booths::my_claims(&db, f, now).await.unwrap();
            assert_eq!(c.len(), 1, "firm {i}");
            assert_eq!(c[0].state, claim_state::CONFIRMED);
            assert!(c[0].invoice_no.is_some());
        }
        // Accepting the same proposal again books nothing twice.
        let again = booths::accept_allocation(&db, &fx.organiser, fx.fair_id, &placements, &links(), now).await.unwrap();
        assert_eq!((again.booked, again.skipped), (0, 3));
    }
}

db_test! {
    async fn roles_and_other_firms_are_kept_out(db: Db) {
        let fx = booth_fixture(&db, 10).await;
        let now = clock();
        let firms = users(&db, 2, Role::Exhibitor, "guard").await;
        let staff = users(&db, 1, Role::Staff, "door").await.remove(0);
        let visitor = users(&db, 1, Role::Visitor, "buyer").await.remove(0);
        let mine = booths::hold(&db, &firms[0], fx.booths[0], now).await.unwrap();
        // Another firm cannot confirm, give up, or read my invoice.
        assert_eq!(booths::confirm(&db, &firms[1], mine.id, &[], &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(booths::give_up(&db, &firms[1], mine.id, &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
        booths::confirm(&db, &firms[0], mine.id, &[], &links(), now).await.unwrap();
        assert_eq!(booths::invoice(&db, &firms[1], mine.id).await.unwrap_err().code, ErrorCode::NotFound);
        for who in [&staff, &visitor] {
            assert_eq!(booths::invoice(&db, who, mine.id).await.unwrap_err().code, ErrorCode::Forbidden);
            assert_eq!(booths::hold(&db, who, fx.booths[1], now).await.unwrap_err().code, ErrorCode::Forbidden);
        }
        // Only organisers edit plans, mark payments, move and cancel.
        let (_, plan, _) = booths::hall_plan(&db, fx.hall_id).await.unwrap();
        for who in [&staff, &visitor, &firms[0]] {
            assert_eq!(booths::save_plan(&db, who, fx.hall_id, &plan, now).await.unwrap_err().code, ErrorCode::Forbidden);
            assert_eq!(booths::import_plan(&db, who, fx.hall_id, "kind,x,y\n", now).await.unwrap_err().code, ErrorCode::Forbidden);
            assert_eq!(booths::mark_paid(&db, who, mine.id, &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
            assert_eq!(booths::end_claim(&db, who, mine.id, Ending::Cancel, "", &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
            assert_eq!(booths::move_claim(&db, who, mine.id, fx.booths[3], &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
            assert_eq!(booths::fair_claims(&db, who, fx.fair_id, "", 0, now).await.unwrap_err().code, ErrorCode::Forbidden);
        }
        // A firm not yet approved cannot book.
        let pending = users(&db, 1, Role::Exhibitor, "pending").await.remove(0);
        let (pending_firm, _) = fairlink::firms::profile::membership(db.read(), pending.id).await.unwrap().unwrap();
        fairlink::firms::entity::firm::Entity::update_many()
            .col_expr(fairlink::firms::entity::firm::Column::Status, sea_orm::sea_query::Expr::value("submitted"))
            .filter(fairlink::firms::entity::firm::Column::Id.eq(pending_firm))
            .exec(db.write())
            .await
            .unwrap();
        assert_eq!(booths::hold(&db, &pending, fx.booths[2], now).await.unwrap_err().code, ErrorCode::FirmNotApproved);
        // Outside the booking window, nobody holds.
        let mut fair = booths::fair_by_slug(&db, &booths::fairs(&db).await.unwrap()[0].slug).await.unwrap();
        fair.booking_closes_on = Some(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        booths::update_fair(&db, &fx.organiser, fx.fair_id, &input_of(&fair), now).await.unwrap();
        assert_eq!(booths::hold(&db, &firms[1], fx.booths[2], now).await.unwrap_err().code, ErrorCode::BookingClosed);
    }
}

fn input_of(f: &fairlink::fairs::Fair) -> booths::FairInput {
    booths::FairInput {
        slug: f.slug.clone(),
        name_vi: f.name_vi.clone(),
        name_en: f.name_en.clone(),
        venue_vi: f.venue_vi.clone(),
        venue_en: f.venue_en.clone(),
        city: f.city.clone(),
        starts_on: f.starts_on,
        ends_on: f.ends_on,
        opens_at: f.opens_at,
        closes_at: f.closes_at,
        time_zone: f.time_zone.clone(),
        vat_percent: f.vat_percent,
        hold_minutes: f.hold_minutes,
        booking_opens_on: f.booking_opens_on,
        booking_closes_on: f.booking_closes_on,
        registration_closes_on: f.registration_closes_on,
    }
}

db_test! {
    async fn plans_import_with_line_errors_and_keep_bookings(db: Db) {
        let fx = booth_fixture(&db, 4).await;
        let now = clock();
        let bad = "kind,code,x,y,width,depth,type,zone\n\
                   booth,B-1,3,3,3,3,inline,COMP\n\
                   booth,B-2,4,3,3,3,inline,COMP\n\
                   booth,B-3,10,3,-3,3,inline,COMP\n\
                   booth,B-4,20,3,3,3,inline,NOWHERE\n";
        let errors = booths::import_plan(&db, &fx.organiser, fx.hall_id, bad, now).await.unwrap().unwrap_err();
        let found: Vec<(usize, Problem)> = errors.iter().map(|e| (e.line, e.problem)).collect();
        assert_eq!(found, vec![(3, Problem::Overlap), (4, Problem::NegativeSize), (5, Problem::UnknownZone)]);
        assert_eq!(booths::hall_plan(&db, fx.hall_id).await.unwrap().1.booths.len(), 4, "nothing changed");
        // A booked booth cannot vanish from the plan.
        let firm = users(&db, 1, Role::Exhibitor, "kept").await.remove(0);
        booths::hold(&db, &firm, fx.booths[0], now).await.unwrap();
        let without_first = "kind,code,x,y,width,depth,type,zone\nbooth,A-0002,6,3,3,3,inline,COMP\n";
        let errors = booths::import_plan(&db, &fx.organiser, fx.hall_id, without_first, now).await.unwrap().unwrap_err();
        assert_eq!((errors[0].problem, errors[0].detail.as_str()), (Problem::Booked, "A-0001"));
        // A good file replaces the plan: moved, added, removed, features.
        let good = "kind,code,x,y,width,depth,type,zone,price,label,polygon\n\
                    booth,A-0001,3,3,3,3,corner,COMP,,,\n\
                    booth,A-0002,9,3,6,3,inline,COMP,,,\n\
                    booth,A-0100,,,,,inline,COMP,,,20 3; 26 3; 26 9; 23 9; 23 6; 20 6\n\
                    aisle,,0,9.5,60,2,,,,,\n\
                    pillar,,30,10,0.6,0.6,,,,,\n";
        let report = booths::import_plan(&db, &fx.organiser, fx.hall_id, good, now).await.unwrap().unwrap();
        assert_eq!((report.added, report.changed, report.removed, report.features), (1, 1, 2, 2));
        let (_, plan, _) = booths::hall_plan(&db, fx.hall_id).await.unwrap();
        let l_shape = plan.booths.iter().find(|b| b.code == "A-0100").unwrap();
        assert_eq!(l_shape.area_m2(), 27);
        // The plan as exported reads back the same.
        let again = booths::import_plan(&db, &fx.organiser, fx.hall_id, &booths::plan::to_csv(&plan), now).await.unwrap().unwrap();
        assert_eq!((again.added, again.changed, again.removed), (0, 0, 0));
    }
}

db_test! {
    async fn setting_up_a_fair(db: Db) {
        let fx = booth_fixture(&db, 4).await;
        let now = clock();
        let setup = booths::setup(&db, fx.fair_id).await.unwrap();
        assert_eq!(setup.zones.len(), 1);
        assert_eq!(setup.types.len(), 2);
        // Bad input names its field.
        let mut input = input_of(&setup.fair);
        input.ends_on = input.starts_on - Duration::days(1);
        assert_eq!(booths::update_fair(&db, &fx.organiser, fx.fair_id, &input, now).await.unwrap_err().field, Some("ends_on"));
        input = input_of(&setup.fair);
        input.vat_percent = 99;
        assert_eq!(booths::update_fair(&db, &fx.organiser, fx.fair_id, &input, now).await.unwrap_err().field, Some("vat_percent"));
        // Slugs are unique.
        let err = booths::create_fair(&db, &fx.organiser, &input_of(&setup.fair), now).await.unwrap_err();
        assert_eq!(err.field, Some("slug"));
        // Hours per day.
        let day = setup.fair.starts_on;
        let late = booths::DayHours { day, opens_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(), closes_at: NaiveTime::from_hms_opt(20, 0, 0).unwrap() };
        booths::set_day_hours(&db, &fx.organiser, fx.fair_id, &late, now).await.unwrap();
        let hours = booths::day_hours(&db, &setup.fair).await.unwrap();
        assert_eq!(hours.len(), 3);
        assert_eq!(hours[0], late);
        assert_eq!(hours[1].closes_at, setup.fair.closes_at);
        let outside = booths::DayHours { day: day - Duration::days(3), ..late.clone() };
        assert_eq!(booths::set_day_hours(&db, &fx.organiser, fx.fair_id, &outside, now).await.unwrap_err().field, Some("day"));
        // A hall cannot shrink under its booths.
        let mut hall = booths::HallInput { code: "A".into(), name_vi: "Nhà A".into(), name_en: "Hall A".into(), width: "10".into(), depth: "10".into() };
        assert_eq!(booths::save_hall(&db, &fx.organiser, fx.fair_id, &hall, now).await.unwrap_err().field, Some("width"));
        hall.width = "16".into();
        assert_eq!(booths::save_hall(&db, &fx.organiser, fx.fair_id, &hall, now).await.unwrap(), fx.hall_id);
        hall.width = "-3".into();
        assert_eq!(booths::save_hall(&db, &fx.organiser, fx.fair_id, &hall, now).await.unwrap_err().field, Some("width"));
        let big = users(&db, 1, Role::Organiser, "org2").await.remove(0);
        let zone = booths::ZoneInput { code: "TEXT".into(), name_vi: "Dệt may".into(), name_en: "Textile".into(), sector_group: Some("food".into()) };
        assert_eq!(booths::save_zone(&db, &big, fx.fair_id, &zone, now).await.unwrap_err().field, Some("sector_group"));
    }
}
