//! Badges and check-in: signed tokens (round trip, every bit flip, random
//! forgeries, retired keys), QR images read by an independent decoder, and
//! the doors (one admission under concurrent scans at two gates, an offline
//! queue uploaded twice recorded once, exit and re-entry rules) — against
//! SQLite and PostgreSQL.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fairlink::accounts::Role;
use fairlink::badges::entity::{presence, scan};
use fairlink::badges::token::{self, base32};
use fairlink::badges::{
    self, BadgeInput, BadgeKind, Claims, Direction, GateInput, Light, OfflineScan, Outcome, Scan,
    TokenError,
};
use fairlink::db::Db;
use fairlink::mail::entity::{attachment, outbox};
use fairlink::testing::{booth_fixture, users};
use fairlink::{ErrorCode, db_test};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

/// The fair of the token tests' badges.
const FAIR: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_2030);

fn claims() -> Claims {
    Claims {
        badge: Uuid::now_v7(),
        fair: FAIR,
        kind: BadgeKind::Visitor,
        key_id: 1,
        valid_from: NaiveDate::from_ymd_opt(2030, 3, 10).unwrap(),
        valid_to: NaiveDate::from_ymd_opt(2030, 3, 12).unwrap(),
    }
}

/// A deterministic byte stream (xorshift), for forgeries.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn tokens_round_trip_and_every_bit_flip_is_refused() {
    let secret = [42u8; 32];
    let keys = vec![token::public_key(1, &secret)];
    let c = claims();
    let text = token::sign(&c, &secret);
    assert_eq!(token::verify(&text, &keys, FAIR), Ok(c));
    // Typed by a handheld scanner: lower case, a line end.
    assert_eq!(
        token::verify(&format!("{}\r\n", text.to_lowercase()), &keys, FAIR),
        Ok(c)
    );
    let bytes = base32::decode(&text[token::PREFIX.len()..]).unwrap();
    let mut flips = 0;
    for i in 0..bytes.len() * 8 {
        let mut forged = bytes.clone();
        forged[i / 8] ^= 1 << (i % 8);
        let forged = format!("{}{}", token::PREFIX, base32::encode(&forged));
        assert!(
            token::verify(&forged, &keys, FAIR).is_err(),
            "bit {i} flipped and accepted"
        );
        flips += 1;
    }
    assert_eq!(flips, 93 * 8);
    // Every character of the text changed to every other letter or digit.
    for i in 0..text.len() {
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".chars() {
            let mut t: Vec<char> = text.chars().collect();
            if t[i] == c {
                continue;
            }
            t[i] = c;
            let t: String = t.into_iter().collect();
            assert!(token::verify(&t, &keys, FAIR).is_err(), "{t}");
        }
    }
}

#[test]
fn random_forgeries_are_refused() {
    let secret = [9u8; 32];
    let keys = vec![token::public_key(1, &secret)];
    let good = base32::decode(&token::sign(&claims(), &secret)[3..]).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut bad_signature = 0;
    for n in 0..100_000 {
        let mut forged = good.clone();
        if n % 2 == 0 {
            // Well-formed claims (version, kind, key id kept), random
            // signature.
            for b in forged[29..].iter_mut() {
                *b = rng.next() as u8;
            }
        } else {
            // Everything random but the version and key id.
            for b in forged[1..].iter_mut() {
                *b = rng.next() as u8;
            }
            forged[2] = 1;
        }
        let text = format!("{}{}", token::PREFIX, base32::encode(&forged));
        match token::verify(&text, &keys, FAIR) {
            Ok(c) => panic!("forgery {n} accepted: {c:?}"),
            Err(TokenError::BadSignature) => bad_signature += 1,
            Err(_) => {}
        }
    }
    assert!(
        bad_signature >= 50_000,
        "the even half reach the signature check"
    );
    // Not a token at all.
    for junk in ["", "FL1", "FL2AAAA", "hello", "FL1!!!!", &"A".repeat(400)] {
        assert_eq!(
            token::verify(junk, &keys, FAIR),
            Err(TokenError::Malformed),
            "{junk:?}"
        );
    }
}

#[test]
fn keys_rotate_and_retired_keys_are_refused() {
    let (old, new) = ([1u8; 32], [2u8; 32]);
    let mut c = claims();
    let by_old = token::sign(&c, &old);
    c.key_id = 2;
    let by_new = token::sign(&c, &new);
    let both = vec![token::public_key(1, &old), token::public_key(2, &new)];
    assert!(token::verify(&by_old, &both, FAIR).is_ok());
    assert!(token::verify(&by_new, &both, FAIR).is_ok());
    let only_new = vec![token::public_key(2, &new)];
    assert_eq!(
        token::verify(&by_old, &only_new, FAIR),
        Err(TokenError::UnknownKey)
    );
    assert!(token::verify(&by_new, &only_new, FAIR).is_ok());
    // A token naming key 2 but signed with key 1's secret.
    assert_eq!(
        token::verify(&token::sign(&c, &old), &both, FAIR),
        Err(TokenError::BadSignature)
    );
}

/// Runs `zbarimg` (Debian's zbar-tools) on a PNG and returns what it read.
fn zbar(png: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("fairlink-qr-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("badge.png");
    std::fs::write(&path, png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&path)
        .output()
        .expect("zbarimg runs (apt-get install zbar-tools; scripts/setup.sh installs it)");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "zbarimg read nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Rasterises a PDF (pdftoppm, Debian's poppler-utils) and reads every QR
/// code on every page with zbarimg: the texts, sorted.
fn zbar_pdf(pdf: &[u8]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("fairlink-pdf-{}", Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("badges.pdf"), pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png"])
        .arg(dir.join("badges.pdf"))
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm runs (apt-get install poppler-utils; scripts/setup.sh installs it)");
    assert!(status.success());
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw"])
        .args(&pages)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "zbarimg read nothing: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut texts: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    texts.sort();
    texts
}

#[test]
fn an_independent_decoder_reads_the_qr_image() {
    let text = token::sign(&claims(), &[5u8; 32]);
    let grid = badges::qr::Grid::new(&text).unwrap();
    assert_eq!((grid.version, grid.width), (6, 41), "version 6 at level M");
    assert_eq!(zbar(&grid.png(6)), text);
    let svg = grid.svg(240);
    assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
}

// ---------------------------------------------------------------------------
// The doors
// ---------------------------------------------------------------------------

/// 2030-03-10, 09:00 in Hanoi.
fn opening() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 10, 2, 0, 0).unwrap()
}

fn gate(code: &str, area: &str, reentry: bool) -> GateInput {
    GateInput {
        code: code.into(),
        name_vi: format!("Cổng {code}"),
        name_en: format!("Gate {code}"),
        area: area.into(),
        kinds: vec![],
        reentry,
        max_entries_per_day: None,
    }
}

fn visitor(fair_id: Uuid, name: &str) -> BadgeInput {
    BadgeInput {
        fair_id,
        kind: BadgeKind::Visitor,
        user_id: None,
        firm_id: None,
        name: name.into(),
        organisation: "Toyota Motor Vietnam".into(),
        email: None,
        valid_from: None,
        valid_to: None,
        areas: vec![],
        lead_consent: true,
    }
}

fn scan(token: &str, gate: Uuid, direction: Direction, at: DateTime<Utc>) -> Scan {
    Scan {
        id: Uuid::now_v7(),
        token: token.into(),
        gate_id: gate,
        direction,
        at,
        device_id: None,
        staff_id: None,
    }
}

db_test! {
    async fn gates_decide_by_the_rules(db: Db) {
        let fx = booth_fixture(&db, 2).await;
        let t = opening();
        let org = &fx.organiser;
        let north = badges::save_gate(&db, org, fx.fair_id, &gate("N", "hall", true), t).await.unwrap();
        let once = badges::save_gate(&db, org, fx.fair_id, &gate("S", "hall", false), t).await.unwrap();
        let vip = badges::save_gate(&db, org, fx.fair_id, &gate("VIP", "vip", true), t).await.unwrap();
        let b = badges::issue(&db, org, &visitor(fx.fair_id, "Nguyễn Văn An"), t).await.unwrap();
        let check = |s: Scan| {
            let db = db.clone();
            async move { badges::check(&db, &s, t).await.unwrap() }
        };
        let v = check(scan(&b.token, north, Direction::In, t)).await;
        assert_eq!((v.outcome, v.light, v.reason.as_str()), (Outcome::Admitted, Light::Green, "ok"));
        assert_eq!(v.holder.as_ref().unwrap().name, "Nguyễn Văn An");
        // Inside already: refused at any gate of the hall.
        let v = check(scan(&b.token, once, Direction::In, t + Duration::minutes(1))).await;
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "already_inside"));
        // The VIP lounge is not on a visitor's badge.
        let v = check(scan(&b.token, vip, Direction::In, t)).await;
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "wrong_area"));
        // Out, then in again: amber re-entry at the north gate.
        let v = check(scan(&b.token, north, Direction::Out, t + Duration::hours(1))).await;
        assert_eq!((v.outcome, v.light), (Outcome::Exit, Light::Green));
        let v = check(scan(&b.token, north, Direction::Out, t + Duration::hours(1))).await;
        assert_eq!((v.outcome, v.light, v.reason.as_str()), (Outcome::Warning, Light::Amber, "not_inside"));
        let v = check(scan(&b.token, north, Direction::In, t + Duration::hours(2))).await;
        assert_eq!((v.outcome, v.light, v.reason.as_str()), (Outcome::Reentry, Light::Amber, "reentry"));
        // A gate without re-entry refuses a second entry the same day.
        check(scan(&b.token, north, Direction::Out, t + Duration::hours(3))).await;
        let v = check(scan(&b.token, once, Direction::In, t + Duration::hours(3))).await;
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "no_reentry"));
        // The next day starts afresh; the day after the fair does not open.
        let v = check(scan(&b.token, once, Direction::In, t + Duration::days(1))).await;
        assert_eq!(v.outcome, Outcome::Admitted);
        let v = check(scan(&b.token, north, Direction::In, t + Duration::days(3))).await;
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "wrong_day"));
        // A scan sent again gets the same answer and is recorded once.
        let s = scan(&b.token, north, Direction::Out, t + Duration::days(1) + Duration::hours(1));
        let first = check(s.clone()).await;
        let again = check(s.clone()).await;
        assert_eq!((first.outcome, again.outcome), (Outcome::Exit, Outcome::Exit));
        assert_eq!(scan::Entity::find().filter(scan::Column::Id.eq(s.id)).count(db.read()).await.unwrap(), 1);
        // Revoked: refused everywhere, and listed for scanners to sync.
        badges::revoke(&db, org, b.id, "Thẻ bị mất", t).await.unwrap();
        let v = check(scan(&b.token, north, Direction::In, t + Duration::days(2))).await;
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "revoked"));
        assert_eq!(badges::revoked_since(db.read(), fx.fair_id, None).await.unwrap(), vec![b.id]);
        // Junk and a forged badge id.
        let v = check(scan("not a badge", north, Direction::In, t)).await;
        assert_eq!((v.outcome, v.reason.as_str(), v.holder), (Outcome::Refused, "malformed", None));
        // Every scan is stored, refused ones too.
        let stored = scan::Entity::find().filter(scan::Column::FairId.eq(fx.fair_id)).count(db.read()).await.unwrap();
        assert_eq!(stored, 13);
        // Only organisers issue badges and set gates up.
        let firm = &users(&db, 1, Role::Exhibitor, "gatecrash").await[0];
        assert_eq!(badges::issue(&db, firm, &visitor(fx.fair_id, "X"), t).await.unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(badges::save_gate(&db, firm, fx.fair_id, &gate("Z", "hall", true), t).await.unwrap_err().code, ErrorCode::Forbidden);
    }
}

db_test! {
    async fn concurrent_scans_at_two_gates_admit_once(db: Db) {
        let fx = booth_fixture(&db, 2).await;
        let t = opening();
        let org = &fx.organiser;
        let gates = [
            badges::save_gate(&db, org, fx.fair_id, &gate("A", "hall", true), t).await.unwrap(),
            badges::save_gate(&db, org, fx.fair_id, &gate("B", "hall", true), t).await.unwrap(),
        ];
        let b = badges::issue(&db, org, &visitor(fx.fair_id, "Trần Thị Bình"), t).await.unwrap();
        // Two app instances on PostgreSQL, one writer on SQLite.
        let mut pools = vec![db.clone()];
        if db.url().starts_with("postgres") {
            pools.push(Db::connect(db.url()).await.unwrap());
        }
        // Each instance decides through its batching gatekeeper, and one
        // scan in four goes the direct way, one transaction each.
        let keepers: Vec<badges::Gatekeeper> = pools.iter().map(|p| badges::Gatekeeper::start(p.clone())).collect();
        let mut tasks = Vec::new();
        for i in 0..200 {
            let db = pools[i % pools.len()].clone();
            let keeper = keepers[i % keepers.len()].clone();
            let s = scan(&b.token, gates[i % 2], Direction::In, t + Duration::milliseconds(i as i64));
            tasks.push(tokio::spawn(async move {
                if i % 4 == 0 { badges::check(&db, &s, t).await } else { keeper.check(s).await }
            }));
        }
        let mut admitted = 0;
        for task in tasks {
            let v = task.await.unwrap().unwrap();
            match v.outcome {
                Outcome::Admitted => admitted += 1,
                Outcome::Refused => assert_eq!(v.reason, "already_inside"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(admitted, 1);
        let p = presence::Entity::find().filter(presence::Column::BadgeId.eq(b.id)).all(db.read()).await.unwrap();
        assert_eq!((p.len(), p[0].inside, p[0].entries), (1, true, 1));
        assert_eq!(scan::Entity::find().filter(scan::Column::BadgeId.eq(b.id)).count(db.read()).await.unwrap(), 200);
    }
}

db_test! {
    async fn an_offline_queue_is_recorded_once_and_conflicts_flagged(db: Db) {
        let fx = booth_fixture(&db, 2).await;
        let t = opening();
        let org = &fx.organiser;
        let gates = [
            badges::save_gate(&db, org, fx.fair_id, &gate("E1", "hall", true), t).await.unwrap(),
            badges::save_gate(&db, org, fx.fair_id, &gate("E2", "hall", true), t).await.unwrap(),
        ];
        let mut tokens = Vec::new();
        for i in 0..50 {
            tokens.push(badges::issue(&db, org, &visitor(fx.fair_id, &format!("Khách {i}")), t).await.unwrap());
        }
        // 5,000 scans: each badge goes in and out 50 times at gate E1,
        // as an offline scanner decided them.
        let mut queue = Vec::new();
        for round in 0..50i64 {
            for (i, b) in tokens.iter().enumerate() {
                // Badge i is scanned i seconds into the round.
                let at = t + Duration::minutes(round * 10) + Duration::seconds(i as i64);
                let (direction, outcome) = if round % 2 == 0 {
                    (Direction::In, if round == 0 { Outcome::Admitted } else { Outcome::Reentry })
                } else {
                    (Direction::Out, Outcome::Exit)
                };
                queue.push(OfflineScan {
                    scan: scan(&b.token, gates[0], direction, at),
                    outcome,
                    reason: outcome.as_str().into(),
                });
            }
        }
        assert_eq!(queue.len(), 2_500);
        let more: Vec<OfflineScan> = queue
            .iter()
            .map(|s| OfflineScan { scan: Scan { id: Uuid::now_v7(), at: s.scan.at + Duration::hours(10), ..s.scan.clone() }, ..s.clone() })
            .collect();
        queue.extend(more);
        assert_eq!(queue.len(), 5_000);
        let first = badges::ingest(&db, fx.fair_id, queue.clone(), t).await.unwrap();
        assert_eq!((first.recorded, first.duplicates, first.conflicts), (5_000, 0, 0));
        // The scanner did not hear the answer and sends it all again.
        let again = badges::ingest(&db, fx.fair_id, queue.clone(), t).await.unwrap();
        assert_eq!((again.recorded, again.duplicates), (0, 5_000));
        assert_eq!(scan::Entity::find().filter(scan::Column::FairId.eq(fx.fair_id)).count(db.read()).await.unwrap(), 5_000);
        // Everyone ended outside (the last round is an exit).
        let inside = presence::Entity::find().filter(presence::Column::Inside.eq(true)).count(db.read()).await.unwrap();
        assert_eq!(inside, 0);
        // Two gates without network both let badge 0 in: kept, flagged.
        let b = &tokens[0];
        let late = t + Duration::hours(20);
        let pair = vec![
            OfflineScan { scan: scan(&b.token, gates[0], Direction::In, late), outcome: Outcome::Reentry, reason: "reentry".into() },
            OfflineScan { scan: scan(&b.token, gates[1], Direction::In, late + Duration::seconds(5)), outcome: Outcome::Reentry, reason: "reentry".into() },
        ];
        let r = badges::ingest(&db, fx.fair_id, pair, t).await.unwrap();
        assert_eq!((r.recorded, r.conflicts), (2, 1));
        // Online, the badge is inside: the next scan in is refused.
        let v = badges::check(&db, &scan(&b.token, gates[1], Direction::In, late + Duration::minutes(1)), t).await.unwrap();
        assert_eq!(v.reason, "already_inside");
        // A badge revoked while a gate was offline and let in there: it is
        // inside all the same, and the scan is flagged.
        let c = &tokens[1];
        badges::revoke(&db, org, c.id, "Mất thẻ", t).await.unwrap();
        let late_in = vec![OfflineScan { scan: scan(&c.token, gates[0], Direction::In, late), outcome: Outcome::Reentry, reason: "reentry".into() }];
        let r = badges::ingest(&db, fx.fair_id, late_in, t).await.unwrap();
        assert_eq!((r.recorded, r.conflicts), (1, 1));
        // A queue naming a gate of no fair is refused whole.
        let stray = vec![OfflineScan { scan: scan(&b.token, Uuid::now_v7(), Direction::In, late), outcome: Outcome::Admitted, reason: "ok".into() }];
        assert_eq!(badges::ingest(&db, fx.fair_id, stray, t).await.unwrap_err().code, ErrorCode::NotFound);
    }
}

db_test! {
    async fn a_badge_of_one_fair_is_refused_at_another_online_and_flagged_offline(db: Db) {
        let a = booth_fixture(&db, 1).await;
        let b = booth_fixture(&db, 1).await;
        let t = opening();
        let gate_a = badges::save_gate(&db, &a.organiser, a.fair_id, &gate("A1", "hall", true), t).await.unwrap();
        let gate_b = badges::save_gate(&db, &b.organiser, b.fair_id, &gate("B1", "hall", true), t).await.unwrap();
        let of_a = badges::issue(&db, &a.organiser, &visitor(a.fair_id, "Trần Văn An"), t).await.unwrap();
        assert!(of_a.token.starts_with("FL2"), "{}", of_a.token);
        let keys = badges::trusted_keys(db.read()).await.unwrap();
        // Keys are shared, the binding is in the signature.
        assert!(token::verify(&of_a.token, &keys, a.fair_id).is_ok());
        assert_eq!(token::verify(&of_a.token, &keys, b.fair_id).unwrap_err(), TokenError::WrongFair);
        // Online at fair B's gate: refused.
        let v = badges::check(&db, &scan(&of_a.token, gate_b, Direction::In, t), t).await.unwrap();
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "wrong_fair"));
        // Offline, fair B's scanner decides with fair B's sync: refused.
        let sync = badges::sync_data(&db, b.fair_id, None, t).await.unwrap();
        let mut desk = badges::Desk::new(&sync);
        let d = desk.decide(&of_a.token, gate_b, Direction::In, t);
        assert_eq!((d.outcome, d.reason.as_str()), (Outcome::Refused, "wrong_fair"));
        // A scanner that let it in all the same (an older one, or a typed
        // code): the upload records the admission and flags it.
        let let_in = vec![OfflineScan { scan: scan(&of_a.token, gate_b, Direction::In, t), outcome: Outcome::Admitted, reason: "ok".into() }];
        let r = badges::ingest(&db, b.fair_id, let_in, t).await.unwrap();
        assert_eq!((r.recorded, r.conflicts), (1, 1));
        // At its own fair it is admitted.
        let v = badges::check(&db, &scan(&of_a.token, gate_a, Direction::In, t), t).await.unwrap();
        assert_eq!(v.outcome, Outcome::Admitted);
    }
}

db_test! {
    async fn badge_keys_are_sealed_at_rest(db: Db) {
        use fairlink::badges::entity::badge_key;
        let fx = booth_fixture(&db, 1).await;
        badges::issue(&db, &fx.organiser, &visitor(fx.fair_id, "Vũ Thị Bình"), opening()).await.unwrap();
        let (id, seed) = badges::signing_key(&db, opening()).await.unwrap();
        let row = badge_key::Entity::find_by_id(i32::from(id)).one(db.read()).await.unwrap().unwrap();
        assert!(fairlink::secret::is_sealed(&row.secret));
        assert!(!row.secret.windows(32).any(|w| w == seed), "the seed is stored in clear");
        // A seed stored in clear (before sealing existed) is sealed at start.
        badge_key::Entity::update_many()
            .col_expr(badge_key::Column::Secret, sea_orm::sea_query::Expr::value(seed.to_vec()))
            .filter(badge_key::Column::Id.eq(i32::from(id)))
            .exec(db.write())
            .await
            .unwrap();
        assert_eq!(badges::signing_key(&db, opening()).await.unwrap(), (id, seed));
        assert_eq!(badges::seal_plain_keys(&db).await.unwrap(), 1);
        let row = badge_key::Entity::find_by_id(i32::from(id)).one(db.read()).await.unwrap().unwrap();
        assert!(fairlink::secret::is_sealed(&row.secret));
        assert_eq!(badges::signing_key(&db, opening()).await.unwrap(), (id, seed));
    }
}

db_test! {
    async fn signing_keys_are_made_rotated_and_retired(db: Db) {
        let fx = booth_fixture(&db, 2).await;
        let t = opening();
        let org = &fx.organiser;
        let north = badges::save_gate(&db, org, fx.fair_id, &gate("N", "hall", true), t).await.unwrap();
        let first = badges::issue(&db, org, &visitor(fx.fair_id, "Lê Văn Cường"), t).await.unwrap();
        let keys = badges::trusted_keys(db.read()).await.unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(token::verify(&first.token, &keys, fx.fair_id).unwrap().badge, first.id);
        // Rotation: new badges use the new key, old ones stay good.
        let (id, _) = badges::add_key(&db, t).await.unwrap();
        assert_eq!(id, 2);
        let second = badges::issue(&db, org, &visitor(fx.fair_id, "Phạm Thị Dung"), t).await.unwrap();
        let keys = badges::trusted_keys(db.read()).await.unwrap();
        assert_eq!(token::verify(&second.token, &keys, fx.fair_id).unwrap().key_id, 2);
        assert!(token::verify(&first.token, &keys, fx.fair_id).is_ok());
        // Retiring key 1 turns its badges away at the gate.
        badges::retire_key(&db, org, 1, t).await.unwrap();
        let v = badges::check(&db, &scan(&first.token, north, Direction::In, t), t).await.unwrap();
        assert_eq!((v.outcome, v.reason.as_str()), (Outcome::Refused, "unknown_key"));
        let v = badges::check(&db, &scan(&second.token, north, Direction::In, t), t).await.unwrap();
        assert_eq!(v.outcome, Outcome::Admitted);
        // The holder's A6 badge and the organiser's A4 sheets (four to a
        // page) carry codes an independent decoder reads.
        let mut mine = visitor(fx.fair_id, "Đỗ Thị Giang");
        let holder = users(&db, 1, Role::Visitor, "holder").await.remove(0);
        mine.user_id = Some(holder.id);
        let own = badges::issue(&db, org, &mine, t).await.unwrap();
        let (name, pdf) = badges::badge_pdf(&db, &holder, own.id).await.unwrap();
        assert!(name.ends_with(".pdf") && pdf.starts_with(b"%PDF-"));
        assert_eq!(zbar_pdf(&pdf), vec![own.token.clone()]);
        assert_eq!(badges::my_badges(&db, &holder).await.unwrap(), vec![own.clone()]);
        // Someone else's badge is not there for them.
        let other = users(&db, 1, Role::Visitor, "other").await.remove(0);
        assert_eq!(badges::badge_pdf(&db, &other, own.id).await.unwrap_err().code, ErrorCode::NotFound);
        for i in 0..3 {
            badges::issue(&db, org, &visitor(fx.fair_id, &format!("Khách đoàn {i}")), t).await.unwrap();
        }
        let sheets = badges::badge_sheets(&db, org, fx.fair_id, Some(BadgeKind::Visitor)).await.unwrap();
        let read = zbar_pdf(&sheets);
        assert_eq!(read.len(), 6, "every active visitor badge: first, second, own and three more");
        assert!(read.contains(&own.token) && read.contains(&second.token));
        assert_eq!(badges::badge_sheets(&db, &other, fx.fair_id, None).await.unwrap_err().code, ErrorCode::Forbidden);
        // One badge per person and fair.
        let someone = users(&db, 1, Role::Visitor, "twice").await[0].id;
        let mut input = visitor(fx.fair_id, "Hoàng Văn Em");
        input.user_id = Some(someone);
        badges::issue(&db, org, &input, t).await.unwrap();
        assert_eq!(badges::issue(&db, org, &input, t).await.unwrap_err().code, ErrorCode::BadgeExists);
    }
}

db_test! {
    async fn visitors_register_and_get_their_badge_by_mail(db: Db) {
        let fx = booth_fixture(&db, 2).await;
        let now = Utc.with_ymd_and_hms(2030, 2, 1, 3, 0, 0).unwrap();
        let links = fairlink::mail::Links::new("https://fair.example");
        let visitor = users(&db, 1, Role::Visitor, "reg").await.remove(0);
        let input = badges::Registration { organisation: "Yamaha Motor Vietnam".into(), buyer: true, lead_consent: true };
        let b = badges::register(&db, &visitor, fx.fair_id, &input, &links, now).await.unwrap();
        assert_eq!((b.kind, b.organisation.as_str(), b.lead_consent), (BadgeKind::Buyer, "Yamaha Motor Vietnam", true));
        assert_eq!(b.areas, vec!["hall".to_string(), "b2b".to_string()]);
        assert_eq!(badges::my_badges(&db, &visitor).await.unwrap(), vec![b.clone()]);
        // Once per fair.
        assert_eq!(badges::register(&db, &visitor, fx.fair_id, &input, &links, now).await.unwrap_err().code, ErrorCode::BadgeExists);
        // The mail: the QR code inline, the A6 PDF made when it is sent.
        let mail = outbox::Entity::find().filter(outbox::Column::ToEmail.eq(visitor.email.clone())).one(db.read()).await.unwrap().unwrap();
        assert_eq!(mail.template, "badge");
        assert!(mail.html_body.contains("cid:badge-qr"), "{}", mail.html_body);
        let files = attachment::Entity::find().filter(attachment::Column::OutboxId.eq(mail.id)).all(db.read()).await.unwrap();
        let files = fairlink::mail::delivery::resolve_attachments(&db, files).await.unwrap();
        let qr = files.iter().find(|f| f.content_id.as_deref() == Some("badge-qr")).unwrap();
        assert_eq!(zbar(&qr.content), b.token);
        let pdf = files.iter().find(|f| f.content_type == "application/pdf").unwrap();
        assert_eq!(zbar_pdf(&pdf.content), vec![b.token.clone()]);
        // Exhibitors and organisers do not register as visitors; late
        // visitors are turned away.
        let firm = users(&db, 1, Role::Exhibitor, "regfirm").await.remove(0);
        assert_eq!(badges::register(&db, &firm, fx.fair_id, &input, &links, now).await.unwrap_err().code, ErrorCode::Forbidden);
        let late = users(&db, 1, Role::Visitor, "late").await.remove(0);
        let after = Utc.with_ymd_and_hms(2030, 3, 13, 3, 0, 0).unwrap();
        assert_eq!(badges::register(&db, &late, fx.fair_id, &input, &links, after).await.unwrap_err().code, ErrorCode::RegistrationClosed);
        assert!(badges::my_badges(&db, &late).await.unwrap().is_empty());
    }
}

async fn book(db: &Db, firm: &fairlink::accounts::SessionUser, booth: Uuid) {
    let links = fairlink::mail::Links::new("http://fairlink.test");
    let now = Utc::now();
    let held = fairlink::booths::hold(db, firm, booth, now).await.unwrap();
    fairlink::booths::confirm(db, firm, held.id, &[], &links, now)
        .await
        .unwrap();
}

db_test! {
    async fn staff_badges_follow_the_booked_space(db: Db) {
        use fairlink::badges::staff;
        let fx = booth_fixture(&db, 4).await;
        let now = Utc::now();
        let firms = users(&db, 2, Role::Exhibitor, "staffquota").await;
        let (a, b) = (&firms[0], &firms[1]);
        // No booth, no staff badges.
        assert_eq!(staff::staff_badges(&db, a, fx.fair_id).await.unwrap().quota, 0);
        let full = staff::name_staff(&db, a, fx.fair_id, "Lê Văn Bình", "", now).await.unwrap_err();
        assert_eq!(full.code, ErrorCode::StaffQuotaFull);
        // Two 9 m² booths: two badges each and one per 9 m².
        book(&db, a, fx.booths[1]).await;
        book(&db, a, fx.booths[2]).await;
        assert_eq!(staff::staff_badges(&db, a, fx.fair_id).await.unwrap().quota, 6);
        // Ten named at once: six get a badge, never more.
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let (db, a) = (db.clone(), a.clone());
                tokio::spawn(async move {
                    staff::name_staff(&db, &a, fx.fair_id, &format!("Nhân viên {i}"), "", now).await
                })
            })
            .collect();
        let (mut named, mut refused) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => named += 1,
                Err(e) => {
                    assert_eq!(e.code, ErrorCode::StaffQuotaFull);
                    refused += 1;
                }
            }
        }
        assert_eq!((named, refused), (6, 4));
        let mine = staff::staff_badges(&db, a, fx.fair_id).await.unwrap();
        assert_eq!(mine.badges.len(), 6);
        assert!(mine.badges.iter().all(|b| b.kind == BadgeKind::Exhibitor));
        let first = mine.badges[0].id;
        // The firm prints its own staff badges; another firm cannot see them.
        assert!(badges::badge_pdf(&db, a, first).await.is_ok());
        assert_eq!(badges::badge_pdf(&db, b, first).await.unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(staff::staff_badges(&db, b, fx.fair_id).await.unwrap().badges.len(), 0);
        // Withdrawn: the place is free again and scanners learn of it.
        assert_eq!(staff::withdraw_staff(&db, b, first, now).await.unwrap_err().code, ErrorCode::NotFound);
        staff::withdraw_staff(&db, a, first, now).await.unwrap();
        assert!(badges::revoked_since(db.read(), fx.fair_id, None).await.unwrap().contains(&first));
        staff::name_staff(&db, a, fx.fair_id, "Phạm Thị Hoa", "hoa@firm.example", now).await.unwrap();
        // Bad input and the wrong role.
        let e = staff::name_staff(&db, a, fx.fair_id, "Ai đó", "not an address", now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidEmail);
        let visitor = &users(&db, 1, Role::Visitor, "staffvisitor").await[0];
        let e = staff::name_staff(&db, visitor, fx.fair_id, "X", "", now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden);
    }
}

db_test! {
    async fn a_firms_leads_come_a_page_at_a_time(db: Db) {
        use fairlink::badges::leads::{self, LEADS_PAGE, LeadInput};
        let fx = booth_fixture(&db, 1).await;
        let now = Utc::now();
        let firm = users(&db, 1, Role::Exhibitor, "leadpages").await.remove(0);
        book(&db, &firm, fx.booths[0]).await;
        let n = LEADS_PAGE as usize + 5;
        let input = LeadInput { notes: String::new(), rating: 3, tags: vec![] };
        for i in 0..n {
            let badge = badges::issue(&db, &fx.organiser, &visitor(fx.fair_id, &format!("Khách {i}")), now).await.unwrap();
            leads::capture(&db, &firm, &badge.token, &input, now + chrono::Duration::seconds(i as i64)).await.unwrap();
        }
        let first = leads::leads_page(&db, &firm, 0).await.unwrap();
        let second = leads::leads_page(&db, &firm, 1).await.unwrap();
        assert_eq!((first.rows.len(), first.has_more), (LEADS_PAGE as usize, true));
        assert_eq!((second.rows.len(), second.has_more), (5, false));
        assert_eq!(first.rows[0].name, format!("Khách {}", n - 1), "newest first");
        let mut ids: Vec<_> = first.rows.iter().chain(&second.rows).map(|l| l.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "every lead once across the pages");
        // The export keeps them all.
        assert_eq!(leads::lead_rows(&db, &firm).await.unwrap().len(), n + 1);
    }
}

db_test! {
    async fn leads_are_captured_with_consent_and_kept_to_the_firm(db: Db) {
        use fairlink::badges::leads::{self, LeadInput};
        let fx = booth_fixture(&db, 3).await;
        let now = Utc::now();
        let org = &fx.organiser;
        let agreed = badges::issue(&db, org, &visitor(fx.fair_id, "Trần Thị Mai"), now).await.unwrap();
        let mut no = visitor(fx.fair_id, "Không Đồng Ý");
        no.lead_consent = false;
        let refused = badges::issue(&db, org, &no, now).await.unwrap();
        let firms = users(&db, 4, Role::Exhibitor, "leads").await;
        let (a, b, absent, unapproved) = (&firms[0], &firms[1], &firms[2], &firms[3]);
        let input = LeadInput {
            notes: "Cần mẫu vỏ hộp số\r\nGửi báo giá tuần sau".into(),
            rating: 4,
            tags: vec!["sample, Quotation".into(), "sample".into()],
        };
        // Leads are taken by the fair's exhibitors: a firm with no booth
        // there, and a firm not approved, take none.
        let e = leads::capture(&db, absent, &agreed.token, &input, now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NotExhibiting);
        book(&db, unapproved, fx.booths[2]).await;
        {
            use fairlink::firms::entity::{firm, member};
            use sea_orm::sea_query::Expr;
            let mine = member::Entity::find().filter(member::Column::UserId.eq(unapproved.id)).one(db.read()).await.unwrap().unwrap();
            firm::Entity::update_many()
                .col_expr(firm::Column::Status, Expr::value("rejected"))
                .filter(firm::Column::Id.eq(mine.firm_id))
                .exec(db.write())
                .await
                .unwrap();
        }
        let e = leads::capture(&db, unapproved, &agreed.token, &input, now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::FirmNotApproved);
        assert!(leads::leads(&db, unapproved).await.unwrap().is_empty());
        book(&db, a, fx.booths[0]).await;
        book(&db, b, fx.booths[1]).await;
        let lead = leads::capture(&db, a, &format!("  {}\n", agreed.token), &input, now).await.unwrap();
        assert_eq!((lead.name.as_str(), lead.rating), ("Trần Thị Mai", 4));
        assert_eq!(lead.tags, vec!["sample".to_string(), "quotation".to_string()]);
        assert_eq!(lead.notes, "Cần mẫu vỏ hộp số\nGửi báo giá tuần sau");
        // Scanned again: the same lead, edited.
        let again = leads::capture(&db, a, &agreed.token, &LeadInput { rating: 5, ..input.clone() }, now).await.unwrap();
        assert_eq!(again.id, lead.id);
        let list = leads::leads(&db, a).await.unwrap();
        assert_eq!((list.len(), list[0].rating), (1, 5));
        // No consent, a forged code, a rating out of range, the wrong role.
        let e = leads::capture(&db, a, &refused.token, &input, now).await.unwrap_err();
        assert_eq!((e.code, e.field), (ErrorCode::NoLeadConsent, Some("code")));
        let e = leads::capture(&db, a, "FL1NOTABADGE", &input, now).await.unwrap_err();
        assert_eq!((e.code, e.field), (ErrorCode::InvalidField, Some("code")));
        let e = leads::capture(&db, a, &agreed.token, &LeadInput { rating: 9, ..input.clone() }, now).await.unwrap_err();
        assert_eq!((e.code, e.field), (ErrorCode::InvalidField, Some("rating")));
        let e = leads::capture(&db, a, &agreed.token, &LeadInput { notes: "a\u{7}b".into(), ..input.clone() }, now).await.unwrap_err();
        assert_eq!((e.code, e.field), (ErrorCode::InvalidField, Some("notes")));
        assert_eq!(leads::capture(&db, org, &agreed.token, &input, now).await.unwrap_err().code, ErrorCode::Forbidden);
        // Another firm sees none of them and cannot edit them.
        assert!(leads::leads(&db, b).await.unwrap().is_empty());
        let e = leads::update(&db, b, lead.id, &input, now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(leads::leads(&db, a).await.unwrap()[0].rating, 5);
        // Its own capture of the same badge is its own lead.
        leads::capture(&db, b, &agreed.token, &input, now).await.unwrap();
        assert_eq!(leads::leads(&db, b).await.unwrap().len(), 1);
        assert_eq!(leads::leads(&db, a).await.unwrap().len(), 1);
        // The export: a header and the lead; a formula is defused.
        let formula = LeadInput { notes: "=HYPERLINK(\"http://evil\")".into(), ..input.clone() };
        leads::update(&db, a, lead.id, &formula, now).await.unwrap();
        let rows = leads::lead_rows(&db, a).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][0], "Trần Thị Mai");
        assert!(rows[1][6].starts_with("'="), "{}", rows[1][6]);
        // A revoked badge no longer gives a lead.
        badges::revoke(&db, org, agreed.id, "Mất thẻ", now).await.unwrap();
        let e = leads::capture(&db, a, &agreed.token, &input, now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
    }
}

db_test! {
    async fn live_counts_follow_the_doors(db: Db) {
        use fairlink::badges::live::live_counts;
        let fx = booth_fixture(&db, 1).await;
        let t = opening();
        let org = &fx.organiser;
        let north = badges::save_gate(&db, org, fx.fair_id, &gate("N", "hall", true), t).await.unwrap();
        let b2b = badges::save_gate(&db, org, fx.fair_id, &gate("B2B", "b2b", true), t).await.unwrap();
        let mut tokens = Vec::new();
        for name in ["Một", "Hai", "Ba"] {
            tokens.push(badges::issue(&db, org, &visitor(fx.fair_id, name), t).await.unwrap().token);
        }
        let mut buyer = visitor(fx.fair_id, "Suzuki Taro");
        buyer.kind = BadgeKind::Buyer;
        let buyer = badges::issue(&db, org, &buyer, t).await.unwrap().token;
        let m = Duration::minutes;
        for (token, g, dir, at) in [
            (&tokens[0], north, Direction::In, t),
            (&tokens[1], north, Direction::In, t + m(30)),
            (&tokens[2], north, Direction::In, t + m(75)),
            (&buyer, north, Direction::In, t + m(80)),
            (&buyer, b2b, Direction::In, t + m(90)),
            (&tokens[0], north, Direction::Out, t + m(120)),
            (&tokens[1], north, Direction::In, t + m(125)),
        ] {
            badges::check(&db, &scan(token, g, dir, at), at).await.unwrap();
        }
        let day = NaiveDate::from_ymd_opt(2030, 3, 10);
        let c = live_counts(&db, fx.fair_id, day, t + m(130)).await.unwrap();
        assert_eq!((c.inside, c.came, c.entries, c.exits, c.refused, c.conflicts), (3, 4, 5, 1, 1, 0));
        // 09:00 and 09:30, then 10:15, 10:20 and 10:30 (Hanoi time).
        assert_eq!((c.per_hour[9], c.per_hour[10], c.per_hour.iter().sum::<i64>()), (2, 3, 5));
        let n = c.by_gate.iter().find(|g| g.code == "N").unwrap();
        assert_eq!((n.entries, n.exits, n.refused), (4, 1, 1));
        let b = c.by_gate.iter().find(|g| g.code == "B2B").unwrap();
        assert_eq!(b.entries, 1);
        let kind = |k: BadgeKind| c.by_kind.iter().find(|x| x.kind == k).map(|x| (x.inside, x.came));
        assert_eq!(kind(BadgeKind::Visitor), Some((2, 3)));
        assert_eq!(kind(BadgeKind::Buyer), Some((1, 1)));
        assert_eq!(c.by_area, vec![("b2b".to_string(), 1), ("hall".to_string(), 3)]);
        // The day before: nothing.
        let before = live_counts(&db, fx.fair_id, NaiveDate::from_ymd_opt(2030, 3, 9), t).await.unwrap();
        assert_eq!((before.inside, before.entries, before.per_hour.iter().sum::<i64>()), (0, 0, 0));
        assert_eq!(before.by_gate.len(), 2);
    }
}
