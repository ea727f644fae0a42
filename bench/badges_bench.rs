//! Check-in figures, in one run, on a fresh SQLite file:
//!
//! a. Verdicts: `--clients` concurrent scanners (64) scanning random badges
//!    of `--badges` (20,000) in and out at 4 gates, each verdict decided and
//!    recorded by the core (`badges::check`, no HTTP): verdicts per second,
//!    p50/p99, beside one-row write transactions on the same database with
//!    the same clients.
//! b. Offline ingest: one upload of `--queue` (10,000) scans, then the same
//!    upload again (all duplicates): scans per second.
//!
//!   badges_bench [--clients 64] [--badges 20000] [--seconds 5] [--queue 10000]
//!   badges_bench --fixture DIR --database URL [--badges 20000] [--queue 10000]

use chrono::{Duration, TimeZone, Utc};
use fairlink::badges::{self, BadgeInput, BadgeKind, Direction, GateInput, OfflineScan, Outcome};
use fairlink::db::Db;
use fairlink::testing::booth_fixture;
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Barrier;
use uuid::Uuid;

fn num(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A deterministic pick (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

struct Rate {
    count: usize,
    seconds: f64,
    latencies: Vec<f64>,
    errors: usize,
}

async fn run_clients<F, Fut>(clients: usize, seconds: f64, work: F) -> Rate
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work = Arc::new(work);
    let gate = Arc::new(Barrier::new(clients));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (work, gate) = (work.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
            let (mut lat, mut errors, mut n) = (Vec::new(), 0, 0u64);
            while Instant::now() < deadline {
                let t = Instant::now();
                if work(c, n).await {
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                } else {
                    errors += 1;
                }
                n += 1;
            }
            (lat, errors)
        }));
    }
    let mut out = Rate {
        count: 0,
        seconds: 0.0,
        latencies: Vec::new(),
        errors: 0,
    };
    for t in tasks {
        let (lat, errors) = t.await.expect("client");
        out.count += lat.len();
        out.latencies.extend(lat);
        out.errors += errors;
    }
    out.seconds = start.elapsed().as_secs_f64();
    out.latencies.sort_by(|a, b| a.total_cmp(b));
    out
}

fn row(name: &str, r: &Rate) {
    println!(
        "  {:<34} {:>8} {:>8.1} {:>9.0} {:>8.2} {:>8.2} {:>7}",
        name,
        r.count,
        r.seconds,
        r.count as f64 / r.seconds,
        percentile(&r.latencies, 0.5),
        percentile(&r.latencies, 0.99),
        r.errors
    );
}

/// A fair with 4 gates (hall, re-entry allowed) and `n` visitor badges.
struct Fixture {
    fair_id: Uuid,
    organiser: fairlink::accounts::SessionUser,
    gates: Vec<Uuid>,
    tokens: Vec<String>,
}

async fn fixture(db: &Db, n_badges: usize) -> Fixture {
    let fx = booth_fixture(db, 1).await;
    let t0 = opening();
    let mut gates = Vec::new();
    for code in ["N1", "N2", "S1", "S2"] {
        let input = GateInput {
            code: code.into(),
            name_vi: format!("Cổng {code}"),
            name_en: format!("Gate {code}"),
            area: "hall".into(),
            kinds: vec![],
            reentry: true,
            max_entries_per_day: None,
        };
        gates.push(
            badges::save_gate(db, &fx.organiser, fx.fair_id, &input, t0)
                .await
                .expect("gate"),
        );
    }
    let t = Instant::now();
    let mut tokens = Vec::with_capacity(n_badges);
    for i in 0..n_badges {
        let input = BadgeInput {
            fair_id: fx.fair_id,
            kind: BadgeKind::Visitor,
            user_id: None,
            firm_id: None,
            name: format!("Khách {i}"),
            organisation: "Bench Co.".into(),
            email: None,
            valid_from: None,
            valid_to: None,
            areas: vec![],
            lead_consent: false,
        };
        tokens.push(
            badges::issue(db, &fx.organiser, &input, t0)
                .await
                .expect("badge")
                .token,
        );
    }
    println!(
        "  {} badges issued in {:.1} s ({:.0}/s, each signed and written in its own transaction)",
        n_badges,
        t.elapsed().as_secs_f64(),
        n_badges as f64 / t.elapsed().as_secs_f64()
    );
    Fixture {
        fair_id: fx.fair_id,
        organiser: fx.organiser,
        gates,
        tokens,
    }
}

/// 2030-03-10, 09:00 in Hanoi: the fixture fair's first morning.
fn opening() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 10, 2, 0, 0).unwrap()
}

/// An offline queue of `n` entries at random gates, a tenth of a second apart.
fn offline_queue(fx: &Fixture, n: usize) -> Vec<OfflineScan> {
    let mut rng = Rng(7);
    (0..n)
        .map(|i| OfflineScan {
            scan: badges::Scan {
                id: Uuid::now_v7(),
                token: fx.tokens[rng.below(fx.tokens.len())].clone(),
                gate_id: fx.gates[rng.below(fx.gates.len())],
                direction: Direction::In,
                at: opening() + Duration::hours(2) + Duration::milliseconds(i as i64 * 100),
                device_id: None,
                staff_id: None,
            },
            outcome: Outcome::Admitted,
            reason: "ok".into(),
        })
        .collect()
}

/// `--fixture DIR --database URL`: fills the database for the HTTP legs of
/// bench/badges.sh and writes what its clients send: tokens.txt, gates.txt,
/// device.txt (a scanner's bearer token), queue.json (an offline upload),
/// fair.txt.
async fn write_fixture(dir: &str, url: &str, n_badges: usize, queue_len: usize) {
    let db = Db::connect(url).await.expect("open");
    db.migrate().await.expect("migrate");
    let fx = fixture(&db, n_badges).await;
    let (_, device) = badges::add_device(&db, &fx.organiser, fx.fair_id, "bench", Utc::now())
        .await
        .expect("device");
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).expect("fixture dir");
    std::fs::write(dir.join("tokens.txt"), fx.tokens.join("\n") + "\n").expect("tokens");
    let gates: Vec<String> = fx.gates.iter().map(|g| g.to_string()).collect();
    std::fs::write(dir.join("gates.txt"), gates.join("\n") + "\n").expect("gates");
    std::fs::write(dir.join("device.txt"), device + "\n").expect("device");
    std::fs::write(dir.join("fair.txt"), fx.fair_id.to_string() + "\n").expect("fair");
    let queue = serde_json::json!({ "scans": offline_queue(&fx, queue_len) });
    std::fs::write(dir.join("queue.json"), queue.to_string()).expect("queue");
}

#[tokio::main]
async fn main() {
    // Badge keys are sealed with a master key; the servers started here get the same one.
    fairlink::secret::install(fairlink::testing::test_master_key());
    let clients = num("--clients", 64);
    let n_badges = num("--badges", 20_000);
    let seconds = num("--seconds", 5) as f64;
    let queue_len = num("--queue", 10_000);
    let args: Vec<String> = std::env::args().collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let (Some(dir), Some(url)) = (opt("--fixture"), opt("--database")) {
        write_fixture(&dir, &url, n_badges, queue_len).await;
        return;
    }
    let dir = std::env::temp_dir().join(format!("fairlink-badges-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = opt("--database")
        .unwrap_or_else(|| format!("sqlite://{}/bench.db?mode=rwc", dir.display()));
    let db = Db::connect(&url).await.expect("open");
    db.migrate().await.expect("migrate");
    println!(
        "badges bench: {} (one instance; the core, no HTTP)",
        fairlink::db::redact(&url)
    );
    let fx = fixture(&db, n_badges).await;
    let t0 = opening();
    let tokens = Arc::new(fx.tokens.clone());
    let gates = Arc::new(fx.gates.clone());
    println!(
        "== badges: online verdicts, {clients} concurrent scanners, {n_badges} badges, 4 gates =="
    );
    println!(
        "  {:<34} {:>8} {:>8} {:>9} {:>8} {:>8} {:>7}",
        "measure", "done", "seconds", "per s", "p50 ms", "p99 ms", "errors"
    );
    let bdb = db.clone();
    let baseline = run_clients(clients, seconds, move |c, n| {
        let db = bdb.clone();
        async move {
            db.write()
                .execute_unprepared(&format!(
                    "INSERT INTO audit_log (at, action, entity, detail) VALUES ('2030-03-10 00:00:00+00:00', 'bench', 'c{c}', '{n}')"
                ))
                .await
                .is_ok()
        }
    })
    .await;
    let keeper = badges::Gatekeeper::start(db.clone());
    let mut results = Vec::new();
    for batched in [true, false] {
        let (vdb, vt, vg, vk) = (db.clone(), tokens.clone(), gates.clone(), keeper.clone());
        let rate = run_clients(clients, seconds, move |c, n| {
            let (db, tokens, gates, keeper) = (vdb.clone(), vt.clone(), vg.clone(), vk.clone());
            async move {
                let mut rng = Rng(((c as u64) << 32) ^ n ^ 0x9E37_79B9_7F4A_7C15);
                let s = badges::Scan {
                    id: Uuid::now_v7(),
                    token: tokens[rng.below(tokens.len())].clone(),
                    gate_id: gates[rng.below(gates.len())],
                    direction: if rng.below(2) == 0 {
                        Direction::In
                    } else {
                        Direction::Out
                    },
                    at: t0 + Duration::seconds(n as i64),
                    device_id: None,
                    staff_id: None,
                };
                if batched {
                    keeper.check(s).await.is_ok()
                } else {
                    badges::check(&db, &s, Utc::now()).await.is_ok()
                }
            }
        })
        .await;
        results.push(rate);
    }
    row("verdicts, gatekeeper (batched)", &results[0]);
    row("verdicts, one transaction each", &results[1]);
    row("baseline: one-row insert txns", &baseline);

    println!("== badges: offline queue upload ({queue_len} scans, one request) ==");
    let queue = offline_queue(&fx, queue_len);
    for pass in ["first upload", "same upload again"] {
        let t = Instant::now();
        let r = badges::ingest(&db, fx.fair_id, queue.clone(), Utc::now())
            .await
            .expect("ingest");
        let s = t.elapsed().as_secs_f64();
        println!(
            "  {:<20} {:>6} recorded {:>6} duplicates {:>5} conflicts  {:>7.2} s  {:>8.0} scans/s",
            pass,
            r.recorded,
            r.duplicates,
            r.conflicts,
            s,
            queue_len as f64 / s
        );
    }
    println!(
        "    targets (through HTTP, later): >= 2,000 verdicts/s with p99 <= 20 ms; ingest >= 5,000 scans/s"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
