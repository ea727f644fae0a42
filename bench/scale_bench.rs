//! The mixed workload of a fair's busy hour, over HTTP, against real
//! `fairlink serve` processes. Run by bench/scale.sh.
//!
//! Each leg gets a fresh database with the same fixture: one fair with a
//! hall of `--plan-booths` booths whose plan visitors open, a hall of
//! `--booths` booths that firms book, `--exhibitors` approved firms and `--buyers`
//! buyers (each signed in: a session row, as after a login), a meetings
//! programme, four gates, one scanner device and `--badges` visitor
//! badges. A real SMTP server (aiosmtpd) receives the mail. Then
//! `--clients` clients work for `--seconds` seconds, each picking, again
//! and again:
//!
//! - 30 % browse the catalogue (`/exhibitors` with a search, anonymous);
//! - 10 % open the floor plan (an exhibitor, signed in: rendered afresh);
//! - 10 % fetch the booths' statuses (what an open plan does when told of
//!   a change);
//! - 10 % hold a free booth and confirm it (two server-function calls; the
//!   confirmation queues a mail with its invoice);
//! - 30 % scan a badge at a gate (the scanner's online verdict);
//! - 10 % request a meeting (a buyer asks a firm).
//!
//! With two instances the clients alternate between them request by request
//! (a round-robin balancer). Afterwards the instances drain the outbox and
//! stop (SIGTERM), and the database and the SMTP server are checked:
//!
//! - no booth has two live claims, and every booking a client saw confirmed
//!   is confirmed in the database;
//! - no badge is inside twice on one day (entries minus exits is 0 or 1)
//!   and none is admitted as a first entry twice; every scan answered is
//!   recorded with the verdict the scanner was given;
//! - every meeting request answered is recorded, no pair twice;
//! - every mail is sent, and the SMTP server received each exactly once.
//!
//! It prints operations per second, p50/p99 per kind of operation, errors,
//! the CPU each part used (instances, PostgreSQL, this load generator);
//! then each kind of operation alone for `--profile` seconds, with the CPU
//! one costs in the instances and in PostgreSQL (where the bottleneck
//! sits); then the verdict of the checks. It exits non-zero when a check
//! fails.
//!
//!   scale_bench --server PATH [--pg URL] [--legs sqlite,pg1,pg2]
//!               [--seconds 20] [--warmup 3] [--clients 48]
//!               [--plan-booths 500] [--booths 3000] [--exhibitors 600]
//!               [--buyers 400] [--badges 4000]
//!               [--profile 3]
//!
//! `--pg ""` skips the PostgreSQL legs.

use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use fairlink::accounts::{self, Role};
use fairlink::badges::entity::scan;
use fairlink::badges::{self, GateInput};
use fairlink::booths::entity::claim;
use fairlink::db::{Db, redact};
use fairlink::firms::entity::firm;
use fairlink::mail::entity::outbox;
use fairlink::meetings::entity::request;
use fairlink::meetings::views::ProgrammeInput;
use fairlink::testing::{SmtpServer, booth_fixture, replace_db_name, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryResult, Statement,
};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn opt(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn num<T: std::str::FromStr>(name: &str, default: T) -> T {
    match opt(name) {
        Some(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} {v:?} is not a number")),
        None => default,
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What the clients need to know of a leg's fixture.
struct Fixture {
    fair_id: Uuid,
    slug: String,
    booths: Vec<Uuid>,
    exhibitors: Vec<String>,
    buyers: Vec<String>,
    firms: Vec<Uuid>,
    device: String,
    gates: Vec<Uuid>,
    badges: Vec<String>,
}

/// 2030-03-10, 09:00 in Hanoi: the fixture fair's first morning.
fn opening() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 3, 10, 2, 0, 0).unwrap()
}

async fn fixture(
    db: &Db,
    plan_booths: usize,
    booths: usize,
    exhibitors: usize,
    buyers: usize,
    n_badges: usize,
) -> Fixture {
    use fairlink::booths;
    let now = Utc::now();
    // Hall A is the plan the visitors open; hall B holds the booths the
    // firms book (as many as the load may take).
    let fx = booth_fixture(db, plan_booths).await;
    let fair = booths::fair_by_id(db, fx.fair_id).await.expect("fair");
    fairlink::testing::add_hall(db, &fx.organiser, fx.fair_id, "B", booths).await;
    let bookable: Vec<Uuid> = booths::fair_map(db, fx.fair_id, None, now)
        .await
        .expect("map")
        .booths
        .into_iter()
        .filter(|b| b.hall_code == "B")
        .map(|b| b.id)
        .collect();
    let ex = users(db, exhibitors, Role::Exhibitor, "ex").await;
    let bu = users(db, buyers, Role::Visitor, "buyer").await;
    let exhibitor_tokens = sessions(db, &ex).await;
    let buyer_tokens = sessions(db, &bu).await;
    let firms: Vec<Uuid> = firm::Entity::find()
        .all(db.read())
        .await
        .expect("firms")
        .into_iter()
        .map(|f| f.id)
        .collect();
    let slots = (0..8)
        .map(|i| (opening() + ChronoDuration::minutes(30 * i), 30))
        .collect();
    fairlink::meetings::service::save_programme(
        db,
        &fx.organiser,
        fx.fair_id,
        &ProgrammeInput {
            tables: 60,
            request_hours: 72,
            slots,
        },
        now,
    )
    .await
    .expect("programme");
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
            badges::save_gate(db, &fx.organiser, fx.fair_id, &input, now)
                .await
                .expect("gate"),
        );
    }
    let (_, device) = badges::add_device(db, &fx.organiser, fx.fair_id, "gate scanner", now)
        .await
        .expect("device");
    let key = badges::signing_key(db, now).await.expect("key");
    let txn = db.begin().await.expect("begin");
    let mut badge_tokens = Vec::with_capacity(n_badges);
    for i in 0..n_badges {
        let input = fairlink::testing::visitor_badge(fx.fair_id, &format!("Khách {i}"));
        badge_tokens.push(
            badges::issue_in(&txn, &input, key, now)
                .await
                .expect("badge")
                .token,
        );
    }
    txn.commit().await.expect("commit badges");
    Fixture {
        fair_id: fx.fair_id,
        slug: fair.slug,
        booths: bookable,
        exhibitors: exhibitor_tokens,
        buyers: buyer_tokens,
        firms,
        device,
        gates,
        badges: badge_tokens,
    }
}

/// A signed-in session for each, as after a login.
async fn sessions(db: &Db, people: &[accounts::SessionUser]) -> Vec<String> {
    let mut out = Vec::with_capacity(people.len());
    for p in people {
        out.push(
            accounts::open_session(db, p.id, Some("127.0.0.1"), Some("scale bench"), Utc::now())
                .await
                .expect("session")
                .token,
        );
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Catalogue,
    Plan,
    Statuses,
    Booking,
    Scan,
    Meeting,
}

const KINDS: [(Kind, &str, u64); 6] = [
    (Kind::Catalogue, "browse catalogue", 30),
    (Kind::Plan, "open floor plan", 10),
    (Kind::Statuses, "map statuses", 10),
    (Kind::Booking, "hold + confirm", 10),
    (Kind::Scan, "scan a badge", 30),
    (Kind::Meeting, "request meeting", 10),
];

const SEARCHES: &[&str] = &[
    "linh+kien",
    "components",
    "co+khi",
    "nhua",
    "thang+long",
    "ex+12",
    "cong+ty",
    "ha+noi",
    "&sector=components",
    "&province=ha_noi",
    "ex+3&page=2",
    "buyer",
];

/// What became of one operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Done.
    Ok,
    /// Refused for a business reason the user is told (a booth taken by
    /// someone else a moment before, a meeting already asked for).
    Refused,
    /// Anything else: a 5xx, an unexpected 4xx, a broken connection.
    Error,
}

#[derive(Default)]
struct Tally {
    /// Per kind: latencies (µs) of measured operations, refused, errors.
    lat: HashMap<Kind, Vec<u64>>,
    refused: HashMap<Kind, u64>,
    errors: HashMap<Kind, u64>,
    requests: u64,
    /// Examples of errors, for the report.
    samples: Vec<String>,
}

/// What the clients were told, to be found in the database afterwards.
#[derive(Default)]
struct Told {
    confirmed: Vec<Uuid>,
    scans: Vec<(Uuid, String)>,
    requests: Vec<Uuid>,
}

struct Load {
    fx: Fixture,
    bases: Vec<String>,
    http: reqwest::Client,
    taken: Mutex<HashSet<usize>>,
    told: Mutex<Told>,
    next_base: std::sync::atomic::AtomicUsize,
    started: Instant,
}

/// The answer of one request: status and body.
async fn send(req: reqwest::RequestBuilder) -> Result<(u16, String), String> {
    let res = req.send().await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res.text().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// The error code of a refused server-function call.
fn code_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
        .unwrap_or_default()
}

impl Load {
    fn base(&self) -> &str {
        let i = self
            .next_base
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.bases[i % self.bases.len()]
    }

    /// A server-function call from a signed-in page.
    fn call(&self, path: &str, session: &str) -> reqwest::RequestBuilder {
        let base = self.base();
        self.http
            .post(format!("{base}{path}"))
            .header("origin", base)
            .header("cookie", format!("fl_session={session}"))
    }

    async fn run(&self, kind: Kind, rng: &mut Rng, tally: &mut Tally) -> Outcome {
        let fx = &self.fx;
        let classify =
            |r: Result<(u16, String), String>, expected: &[&str], tally: &mut Tally| match r {
                Ok((s, _)) if (200..400).contains(&s) => Outcome::Ok,
                Ok((s, body))
                    if (400..500).contains(&s) && expected.contains(&code_of(&body).as_str()) =>
                {
                    Outcome::Refused
                }
                Ok((s, body)) => {
                    if tally.samples.len() < 5 {
                        tally.samples.push(format!(
                            "{kind:?}: {s} {}",
                            body.chars().take(160).collect::<String>()
                        ));
                    }
                    Outcome::Error
                }
                Err(e) => {
                    if tally.samples.len() < 5 {
                        tally.samples.push(format!("{kind:?}: {e}"));
                    }
                    Outcome::Error
                }
            };
        match kind {
            Kind::Catalogue => {
                tally.requests += 1;
                let q = SEARCHES[rng.below(SEARCHES.len())];
                let base = self.base();
                classify(
                    send(self.http.get(format!("{base}/exhibitors?q={q}"))).await,
                    &[],
                    tally,
                )
            }
            Kind::Plan => {
                tally.requests += 1;
                let who = &fx.exhibitors[rng.below(fx.exhibitors.len())];
                let base = self.base();
                let req = self
                    .http
                    .get(format!("{base}/fairs/{}/plan?hall=A", fx.slug))
                    .header("cookie", format!("fl_session={who}"));
                classify(send(req).await, &[], tally)
            }
            Kind::Statuses => {
                tally.requests += 1;
                let base = self.base();
                let req = self
                    .http
                    .get(format!("{base}/api/booths/statuses?fair={}", fx.fair_id));
                classify(send(req).await, &[], tally)
            }
            Kind::Booking => {
                let who = &fx.exhibitors[rng.below(fx.exhibitors.len())];
                let i = {
                    let taken = self.taken.lock().unwrap();
                    if taken.len() >= fx.booths.len() {
                        return Outcome::Refused;
                    }
                    let mut i = rng.below(fx.booths.len());
                    while taken.contains(&i) {
                        i = rng.below(fx.booths.len());
                    }
                    i
                };
                tally.requests += 1;
                let booth = fx.booths[i].to_string();
                let r = send(
                    self.call("/api/booths/hold", who)
                        .form(&[("booth", booth.as_str())]),
                )
                .await;
                let claim = match &r {
                    Ok((200, body)) => serde_json::from_str::<Uuid>(body).ok(),
                    _ => None,
                };
                let outcome = classify(r, &["booth_taken", "too_many_holds"], tally);
                self.taken.lock().unwrap().insert(i);
                let Some(claim) = claim else {
                    return if outcome == Outcome::Ok {
                        Outcome::Error
                    } else {
                        outcome
                    };
                };
                tally.requests += 1;
                let claim_s = claim.to_string();
                let r = send(
                    self.call("/api/booths/confirm", who)
                        .form(&[("claim", claim_s.as_str()), ("furniture", "on")]),
                )
                .await;
                let outcome = classify(r, &[], tally);
                if outcome == Outcome::Ok {
                    self.told.lock().unwrap().confirmed.push(claim);
                }
                outcome
            }
            Kind::Scan => {
                tally.requests += 1;
                let t = 2 * 3600 + self.started.elapsed().as_secs() as i64;
                let at = opening() + ChronoDuration::seconds(t);
                let id = Uuid::now_v7();
                let body = serde_json::json!({
                    "id": id,
                    "token": fx.badges[rng.below(fx.badges.len())],
                    "gate_id": fx.gates[rng.below(fx.gates.len())],
                    "direction": if rng.below(2) == 0 { "in" } else { "out" },
                    "at": at,
                });
                let base = self.base();
                let req = self
                    .http
                    .post(format!("{base}/api/scanner/v1/verdict"))
                    .bearer_auth(&fx.device)
                    .json(&body);
                let r = send(req).await;
                let verdict = match &r {
                    Ok((200, body)) => serde_json::from_str::<serde_json::Value>(body)
                        .ok()
                        .and_then(|v| {
                            v.get("outcome")
                                .and_then(|o| o.as_str())
                                .map(str::to_string)
                        }),
                    _ => None,
                };
                let outcome = classify(r, &[], tally);
                if let Some(v) = verdict {
                    self.told.lock().unwrap().scans.push((id, v));
                }
                outcome
            }
            Kind::Meeting => {
                tally.requests += 1;
                let who = &fx.buyers[rng.below(fx.buyers.len())];
                let firm = fx.firms[rng.below(fx.firms.len())].to_string();
                let r = send(self.call("/api/meetings/request", who).form(&[
                    ("slug", fx.slug.as_str()),
                    ("counterpart", firm.as_str()),
                    (
                        "message",
                        "Chúng tôi cần nhà cung cấp linh kiện đạt ISO 9001.",
                    ),
                ]))
                .await;
                let id = match &r {
                    Ok((200, body)) => serde_json::from_str::<Uuid>(body).ok(),
                    _ => None,
                };
                let outcome = classify(r, &["wrong_state"], tally);
                if let Some(id) = id {
                    self.told.lock().unwrap().requests.push(id);
                }
                outcome
            }
        }
    }
}

fn pick(rng: &mut Rng) -> Kind {
    let total: u64 = KINDS.iter().map(|k| k.2).sum();
    let mut r = rng.next() % total;
    for (kind, _, w) in KINDS {
        if r < w {
            return kind;
        }
        r -= w;
    }
    Kind::Catalogue
}

/// Runs the clients: `warmup` seconds unmeasured, then `seconds` measured.
async fn drive(
    load: Arc<Load>,
    clients: usize,
    warmup: f64,
    seconds: f64,
    only: Option<Kind>,
) -> (Tally, f64) {
    let measure_from = Instant::now() + Duration::from_secs_f64(warmup);
    let end = measure_from + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let load = load.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((c as u64 + 1) * 0xBF58_476D_1CE4_E5B9));
            let mut tally = Tally::default();
            loop {
                let now = Instant::now();
                if now >= end {
                    break;
                }
                let kind = only.unwrap_or_else(|| pick(&mut rng));
                let measured = now >= measure_from;
                let mut scratch = Tally::default();
                let t = Instant::now();
                let outcome = load.run(kind, &mut rng, &mut scratch).await;
                let us = t.elapsed().as_micros() as u64;
                tally.samples.extend(scratch.samples);
                if !measured {
                    continue;
                }
                tally.requests += scratch.requests;
                match outcome {
                    Outcome::Ok => tally.lat.entry(kind).or_default().push(us),
                    Outcome::Refused => {
                        *tally.refused.entry(kind).or_default() += 1;
                        tally.lat.entry(kind).or_default().push(us);
                    }
                    Outcome::Error => *tally.errors.entry(kind).or_default() += 1,
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for t in tasks {
        let t = t.await.expect("client");
        for (k, v) in t.lat {
            all.lat.entry(k).or_default().extend(v);
        }
        for (k, v) in t.refused {
            *all.refused.entry(k).or_default() += v;
        }
        for (k, v) in t.errors {
            *all.errors.entry(k).or_default() += v;
        }
        all.requests += t.requests;
        if all.samples.len() < 5 {
            all.samples.extend(t.samples.into_iter().take(5));
        }
    }
    (all, seconds)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// CPU seconds (user + system) used so far by a process, if it is there.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields are counted after its ")".
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The ids of every process whose command is `name`.
fn pids_named(name: &str) -> Vec<u32> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == name)
            {
                out.push(pid);
            }
        }
    }
    out
}

/// Busy and total CPU seconds of the whole machine so far.
fn machine_cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let line = stat.lines().next().unwrap_or("");
    let v: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: f64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0.0) + v.get(4).copied().unwrap_or(0.0);
    ((total - idle) / 100.0, total / 100.0)
}

struct CpuMark {
    instances: Vec<f64>,
    postgres: HashMap<u32, f64>,
    me: f64,
    machine: (f64, f64),
    at: Instant,
}

fn cpu_mark(instances: &[u32]) -> CpuMark {
    CpuMark {
        instances: instances
            .iter()
            .map(|p| cpu_seconds(*p).unwrap_or(0.0))
            .collect(),
        postgres: pids_named("postgres")
            .into_iter()
            .filter_map(|p| cpu_seconds(p).map(|s| (p, s)))
            .collect(),
        me: cpu_seconds(std::process::id()).unwrap_or(0.0),
        machine: machine_cpu(),
        at: Instant::now(),
    }
}

struct Instance {
    child: Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start(server: &Path, url: &str, smtp: &str, work: &Path, name: &str) -> Instance {
    let port = free_port();
    let log = std::fs::File::create(work.join(format!("{name}.log"))).expect("log");
    let child = Command::new(server)
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("FAIRLINK_ADDR", format!("127.0.0.1:{port}"))
        .env("SMTP_URL", smtp)
        .env("FAIRLINK_MAIL_DIR", work.join(format!("mail-{name}")))
        .env("LEPTOS_SITE_ROOT", work.join("site"))
        .env("RUST_LOG", "warn")
        .env("FAIRLINK_SEARCH_RATE", "0")
        .env("FAIRLINK_SYNC_RATE", "0")
        .env("FAIRLINK_MASTER_KEY", fairlink::testing::TEST_MASTER_KEY)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start fairlink serve");
    Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn wait_ready(i: &mut Instance) {
    for _ in 0..1200 {
        if let Ok(r) = reqwest::get(format!("{}/readyz", i.base)).await
            && r.status() == reqwest::StatusCode::OK
        {
            return;
        }
        if let Ok(Some(status)) = i.child.try_wait() {
            panic!("{} stopped at start: {status}", i.base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} did not become ready", i.base);
}

/// SIGTERM, then waits for a graceful end.
fn stop(i: &mut Instance) {
    let _ = Command::new("kill")
        .args(["-TERM", &i.child.id().to_string()])
        .status();
    for _ in 0..600 {
        if let Ok(Some(_)) = i.child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = i.child.kill();
    let _ = i.child.wait();
}

async fn rows(db: &Db, sql: &str) -> Vec<QueryResult> {
    db.read()
        .query_all_raw(Statement::from_string(db.backend(), sql.to_string()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn count(db: &Db, sql: &str) -> i64 {
    rows(db, sql).await[0]
        .try_get_by_index::<i64>(0)
        .expect("a count")
}

/// How many of `ids` an entity's query finds, in chunks of 500.
macro_rules! found {
    ($db:expr, $ids:expr, $entity:ident, $filter:expr) => {{
        let mut n = 0usize;
        for chunk in $ids.chunks(500) {
            let q = $entity::Entity::find().filter($entity::Column::Id.is_in(chunk.to_vec()));
            n += $filter(q).count($db.read()).await.expect("count") as usize;
        }
        n
    }};
}

/// The invariants; a line per check, false when one fails.
async fn check(db: &Db, told: &Told, smtp: &SmtpServer) -> (bool, Vec<String>) {
    let mut ok = true;
    let mut lines = Vec::new();
    let mut say = |pass: bool, what: String| {
        ok &= pass;
        lines.push(format!("{} {what}", if pass { "ok  " } else { "FAIL" }));
    };
    let doubled = count(
        db,
        "SELECT COUNT(*) FROM (SELECT booth_id FROM booth_claims WHERE state IN ('held','confirmed','paid') \
         GROUP BY booth_id HAVING COUNT(*) > 1) t",
    )
    .await;
    let confirmed_db = count(
        db,
        "SELECT COUNT(*) FROM booth_claims WHERE state IN ('confirmed','paid')",
    )
    .await;
    let seen = found!(db, &told.confirmed, claim, |q: sea_orm::Select<
        claim::Entity,
    >| {
        q.filter(claim::Column::State.is_in(["confirmed", "paid"]))
    });
    say(
        doubled == 0 && seen == told.confirmed.len(),
        format!(
            "booths: {doubled} booths with two live claims; {seen} of {} bookings confirmed to a client are confirmed in the database ({confirmed_db} in all)",
            told.confirmed.len()
        ),
    );
    let inside_twice = count(
        db,
        "SELECT COUNT(*) FROM (SELECT badge_id, day FROM scans WHERE badge_id IS NOT NULL \
         GROUP BY badge_id, day HAVING SUM(CASE WHEN verdict IN ('admitted','reentry') THEN 1 ELSE 0 END) \
         - SUM(CASE WHEN verdict = 'exit' THEN 1 ELSE 0 END) NOT IN (0, 1) \
         OR SUM(CASE WHEN verdict = 'admitted' THEN 1 ELSE 0 END) > 1) t",
    )
    .await;
    let scans_db = count(db, "SELECT COUNT(*) FROM scans").await;
    let entries = count(
        db,
        "SELECT COUNT(*) FROM scans WHERE verdict IN ('admitted','reentry')",
    )
    .await;
    let mut by_verdict: HashMap<&str, Vec<Uuid>> = HashMap::new();
    for (id, v) in &told.scans {
        by_verdict.entry(v.as_str()).or_default().push(*id);
    }
    let mut same = 0;
    for (verdict, ids) in &by_verdict {
        same += found!(db, ids, scan, |q: sea_orm::Select<scan::Entity>| {
            q.filter(scan::Column::Verdict.eq(*verdict))
        });
    }
    say(
        inside_twice == 0 && same == told.scans.len(),
        format!(
            "scans: {inside_twice} badges inside twice or admitted twice on a day; {same} of {} answered scans recorded with the verdict given ({scans_db} scans, {entries} entries)",
            told.scans.len()
        ),
    );
    let requests = found!(db, &told.requests, request, |q: sea_orm::Select<
        request::Entity,
    >| q);
    let pairs_twice = count(
        db,
        "SELECT COUNT(*) FROM (SELECT fair_id, buyer_id, firm_id FROM meeting_requests \
         GROUP BY fair_id, buyer_id, firm_id HAVING COUNT(*) > 1) t",
    )
    .await;
    say(
        requests == told.requests.len() && pairs_twice == 0,
        format!(
            "meeting requests: {requests} of {} answered requests recorded; {pairs_twice} pairs asked twice",
            told.requests.len()
        ),
    );
    let sent: HashSet<Uuid> = outbox::Entity::find()
        .filter(outbox::Column::Status.eq("sent"))
        .all(db.read())
        .await
        .expect("outbox")
        .into_iter()
        .map(|m| m.id)
        .collect();
    let unsent = count(db, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'").await;
    let mut received: HashMap<Uuid, usize> = HashMap::new();
    let mut strange = 0;
    for m in smtp.messages() {
        let text = String::from_utf8_lossy(&m);
        let id = text
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            .and_then(|l| l.split('<').nth(1))
            .and_then(|s| s.split('@').next())
            .and_then(|s| s.parse::<Uuid>().ok());
        match id {
            Some(id) => *received.entry(id).or_default() += 1,
            None => strange += 1,
        }
    }
    let twice = received.values().filter(|n| **n > 1).count();
    let missing = sent.iter().filter(|id| !received.contains_key(id)).count();
    let unknown = received.keys().filter(|id| !sent.contains(id)).count();
    say(
        twice == 0
            && missing == 0
            && unknown == 0
            && unsent == 0
            && strange == 0
            && !sent.is_empty(),
        format!(
            "mail: {} sent, {unsent} not sent; the SMTP server received {} messages: {twice} twice, {missing} missing, {} unknown",
            sent.len(),
            received.values().sum::<usize>() + strange,
            unknown + strange
        ),
    );
    (ok, lines)
}

async fn drain(db: &Db, deadline: Duration) -> f64 {
    let t = Instant::now();
    while t.elapsed() < deadline {
        if count(
            db,
            "SELECT COUNT(*) FROM outbox WHERE status IN ('queued','sending')",
        )
        .await
            == 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    t.elapsed().as_secs_f64()
}

struct Opts {
    server: PathBuf,
    seconds: f64,
    warmup: f64,
    clients: usize,
    plan_booths: usize,
    booths: usize,
    exhibitors: usize,
    buyers: usize,
    badges: usize,
    profile: f64,
}

/// One leg: a fresh database at `url`, `n` instances. False when a check failed.
async fn leg(title: &str, url: &str, n: usize, o: &Opts) -> bool {
    println!("== {title} ==");
    let work = std::env::temp_dir().join(format!("fairlink-scale-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&work).expect("work dir");
    let db = Db::connect(url).await.expect("open the database");
    db.migrate().await.expect("migrate");
    let t = Instant::now();
    let fx = fixture(
        &db,
        o.plan_booths,
        o.booths,
        o.exhibitors,
        o.buyers,
        o.badges,
    )
    .await;
    println!(
        "  fixture: a plan of {} booths (hall A), {} booths to book (hall B), {} firms, {} buyers, {} badges, 4 gates ({:.1} s)",
        o.plan_booths,
        fx.booths.len(),
        fx.firms.len(),
        fx.buyers.len(),
        fx.badges.len(),
        t.elapsed().as_secs_f64()
    );
    let smtp = SmtpServer::start();
    let mut instances: Vec<Instance> = (0..n)
        .map(|i| start(&o.server, url, &smtp.url(), &work, &format!("instance-{i}")))
        .collect();
    for i in instances.iter_mut() {
        wait_ready(i).await;
    }
    let pids: Vec<u32> = instances.iter().map(|i| i.child.id()).collect();
    let load = Arc::new(Load {
        fx,
        bases: instances.iter().map(|i| i.base.clone()).collect(),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(o.clients)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        taken: Mutex::new(HashSet::new()),
        told: Mutex::new(Told::default()),
        next_base: std::sync::atomic::AtomicUsize::new(0),
        started: Instant::now(),
    });
    // The clients run on their own runtime, so their time is theirs.
    let warmup = o.warmup;
    let before = Arc::new(Mutex::new(None));
    let mark = before.clone();
    let pids_for_mark = pids.clone();
    let marker = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs_f64(warmup)).await;
        *mark.lock().unwrap() = Some(cpu_mark(&pids_for_mark));
    });
    let (tally, seconds) = drive(load.clone(), o.clients, o.warmup, o.seconds, None).await;
    let after = cpu_mark(&pids);
    marker.await.expect("marker");
    let before = before
        .lock()
        .unwrap()
        .take()
        .expect("a mark after the warm-up");
    // Figures.
    let mut all: Vec<u64> = Vec::new();
    let mut total_ops = 0usize;
    let mut total_errors = 0u64;
    println!(
        "  {:<18} {:>8} {:>9} {:>8} {:>7} {:>9} {:>9}",
        "operation", "ops", "ops/s", "refused", "errors", "p50 ms", "p99 ms"
    );
    for (kind, name, _) in KINDS {
        let mut lat = tally.lat.get(&kind).cloned().unwrap_or_default();
        lat.sort_unstable();
        let errors = tally.errors.get(&kind).copied().unwrap_or(0);
        total_ops += lat.len();
        total_errors += errors;
        all.extend(&lat);
        println!(
            "  {:<18} {:>8} {:>9.1} {:>8} {:>7} {:>9.2} {:>9.2}",
            name,
            lat.len(),
            lat.len() as f64 / seconds,
            tally.refused.get(&kind).copied().unwrap_or(0),
            errors,
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
    }
    all.sort_unstable();
    println!(
        "  {:<18} {:>8} {:>9.1} {:>8} {:>7} {:>9.2} {:>9.2}   ({} HTTP requests, {:.0}/s)",
        "all",
        total_ops,
        total_ops as f64 / seconds,
        "",
        total_errors,
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        tally.requests,
        tally.requests as f64 / seconds
    );
    for s in &tally.samples {
        println!("  error: {s}");
    }
    let wall = (after.at - before.at).as_secs_f64().max(0.001);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = |x: f64| x / wall;
    let inst: Vec<String> = after
        .instances
        .iter()
        .zip(&before.instances)
        .map(|(a, b)| format!("{:.2}", per(a - b)))
        .collect();
    let pg: f64 = after
        .postgres
        .iter()
        .map(|(pid, s)| s - before.postgres.get(pid).copied().unwrap_or(0.0))
        .sum();
    println!(
        "  CPU in use, in cores of {}: instances {} | PostgreSQL {:.2} | load generator {:.2} | whole machine {:.2}",
        cores,
        inst.join(" + "),
        per(pg),
        per(after.me - before.me),
        per(after.machine.0 - before.machine.0)
    );
    if o.profile > 0.0 {
        println!(
            "  each operation alone ({} clients, {} s each): rate, latency, and the CPU one costs",
            o.clients, o.profile
        );
        println!(
            "  {:<18} {:>9} {:>9} {:>9} {:>14} {:>14}",
            "operation", "ops/s", "p50 ms", "p99 ms", "app CPU ms/op", "PG CPU ms/op"
        );
        for (kind, name, _) in KINDS {
            let before = cpu_mark(&pids);
            let (alone, secs) = drive(load.clone(), o.clients, 0.0, o.profile, Some(kind)).await;
            let after = cpu_mark(&pids);
            let mut lat = alone.lat.get(&kind).cloned().unwrap_or_default();
            lat.sort_unstable();
            let n = (lat.len() as f64).max(1.0);
            let app: f64 =
                after.instances.iter().sum::<f64>() - before.instances.iter().sum::<f64>();
            let pg: f64 = after
                .postgres
                .iter()
                .map(|(pid, s)| s - before.postgres.get(pid).copied().unwrap_or(0.0))
                .sum();
            let errors = alone.errors.get(&kind).copied().unwrap_or(0);
            println!(
                "  {:<18} {:>9.1} {:>9.2} {:>9.2} {:>14.2} {:>14.2}{}",
                name,
                lat.len() as f64 / secs,
                percentile(&lat, 0.5),
                percentile(&lat, 0.99),
                1000.0 * app / n,
                1000.0 * pg / n,
                if errors > 0 {
                    format!("   {errors} errors")
                } else {
                    String::new()
                }
            );
            for s in alone.samples.iter().take(2) {
                println!("  error: {s}");
            }
        }
    }
    let drained = drain(&db, Duration::from_secs(120)).await;
    println!("  outbox drained {drained:.1} s after the load");
    for i in instances.iter_mut() {
        stop(i);
    }
    let told = std::mem::take(&mut *load.told.lock().unwrap());
    let (ok, lines) = check(&db, &told, &smtp).await;
    for l in lines {
        println!("  {l}");
    }
    drop(db);
    let _ = std::fs::remove_dir_all(&work);
    ok
}

#[tokio::main]
async fn main() {
    // Badge keys are sealed with a master key; the servers started here get the same one.
    fairlink::secret::install(fairlink::testing::test_master_key());
    let o = Opts {
        server: PathBuf::from(opt("--server").expect("--server PATH (the fairlink binary)")),
        seconds: num("--seconds", 20.0),
        warmup: num("--warmup", 3.0),
        clients: num("--clients", 48),
        plan_booths: num("--plan-booths", 500),
        booths: num("--booths", 3000),
        exhibitors: num("--exhibitors", 600),
        buyers: num("--buyers", 400),
        badges: num("--badges", 4000),
        profile: num("--profile", 3.0),
    };
    let pg = opt("--pg")
        .or_else(|| std::env::var("FAIRLINK_BENCH_PG_URL").ok())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let legs = opt("--legs").unwrap_or_else(|| "sqlite,pg1,pg2".into());
    println!(
        "mixed workload: {} clients, {} s measured after {} s of warm-up; {}",
        o.clients,
        o.seconds,
        o.warmup,
        KINDS
            .iter()
            .map(|(_, n, w)| format!("{w} % {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut ok = true;
    for leg_name in legs.split(',') {
        match leg_name {
            "sqlite" => {
                let dir = std::env::temp_dir()
                    .join(format!("fairlink-scale-db-{}", Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("fair.db").display());
                ok &= leg("SQLite, 1 instance", &url, 1, &o).await;
                let _ = std::fs::remove_dir_all(&dir);
            }
            "pg1" | "pg2" if pg.is_empty() => {
                println!("== {leg_name}: SKIPPED (no PostgreSQL URL) ==")
            }
            "pg1" | "pg2" => {
                let n = if leg_name == "pg1" { 1 } else { 2 };
                let name = format!("fairlink_scale_{}_{n}", std::process::id());
                let admin = sea_orm::Database::connect(&pg).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {} does not answer: {e}", redact(&pg))
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create database");
                let title = if n == 1 {
                    "PostgreSQL, 1 instance".to_string()
                } else {
                    format!("PostgreSQL, {n} instances, requests alternating between them")
                };
                ok &= leg(&title, &replace_db_name(&pg, &name), n, &o).await;
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            }
            other => panic!("unknown leg {other:?} (sqlite, pg1, pg2)"),
        }
    }
    if !ok {
        println!("A CHECK FAILED");
        std::process::exit(1);
    }
}
