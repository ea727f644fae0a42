//! Meeting figures. Per generated instance: scheduled weight, upper bound,
//! ratio and seconds, beside the plain greedy; then re-scheduling after one
//! cancellation and after one new request. Then recommendations: ranking
//! 5,000 suppliers for each of 1,000 buyers, beside sorting 5,000 numbers.
//!
//! `cargo run --release --example meetings_bench [-- small large extra-large ranking] [--seed N]`

use fairlink::meetings::generate::{Spec, generate};
use fairlink::meetings::instance::{Location, Request};
use fairlink::meetings::{Instance, Options, greedy, reschedule, schedule};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1u64);
    let mut specs: Vec<Spec> = [Spec::SMALL, Spec::LARGE, Spec::EXTRA_LARGE]
        .into_iter()
        .filter(|s| args.iter().any(|a| a == s.name))
        .collect();
    let named = |n: &str| args.iter().any(|a| a == n);
    let everything = specs.is_empty() && !named("ranking");
    if everything {
        specs = vec![Spec::SMALL, Spec::LARGE, Spec::EXTRA_LARGE];
    }
    if !specs.is_empty() {
        println!(
            "{:<12} {:>8} {:>6} {:>6} | {:>8} {:>8} {:>8} {:>7} | {:>8} {:>7} | {:>6}",
            "instance",
            "requests",
            "slots",
            "tables",
            "weight",
            "bound",
            "ratio",
            "seconds",
            "greedy",
            "ratio",
            "gaps"
        );
    }
    for spec in specs {
        let inst = Instance::new(generate(&spec, seed)).expect("generated instances are valid");
        if let Some(dir) = args
            .iter()
            .position(|a| a == "--write")
            .and_then(|i| args.get(i + 1))
        {
            let path = format!("{dir}/{}.json", spec.name);
            std::fs::write(&path, inst.to_json()).expect("instance written");
            println!("{path} written");
        }
        let limit = if spec.name == "extra-large" { 30 } else { 5 };
        let options = Options {
            time_limit: Duration::from_secs(limit),
            seed,
            ..Options::default()
        };
        let g = greedy(&inst);
        inst.check(&g).expect("greedy schedule keeps every rule");
        let gw = inst.weight(&g);
        let out = schedule(&inst, &options);
        inst.check(&out.schedule)
            .expect("schedule keeps every rule");
        let bound = out.upper_bound.unwrap_or(0);
        println!(
            "{:<12} {:>8} {:>6} {:>6} | {:>8} {:>8} {:>7.3}% {:>7.2} | {:>8} {:>6.2}% | {:>6}",
            spec.name,
            inst.requests(),
            inst.slots(),
            inst.tables(),
            out.weight,
            bound,
            100.0 * out.ratio(),
            out.seconds,
            gw,
            100.0 * gw as f64 / bound.max(1) as f64,
            out.gaps
        );
        println!(
            "{:<12} relaxation steps: {}",
            spec.name, out.bound_iterations
        );

        // One cancellation: the heaviest scheduled, non-fixed meeting goes.
        let mut cancelled = inst.spec.clone();
        let fixed: std::collections::HashSet<&str> =
            cancelled.fixed.iter().map(|f| f.request.as_str()).collect();
        if let Some(m) = out
            .schedule
            .meetings
            .iter()
            .find(|m| !fixed.contains(m.request.as_str()))
        {
            let id = m.request.clone();
            cancelled.requests.retain(|r| r.id != id);
            let next = Instance::new(cancelled).expect("still valid");
            let t = Instant::now();
            let re = reschedule(&next, &out.schedule);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            next.check(&re.schedule)
                .expect("re-schedule keeps every rule");
            let moved = moved(&out.schedule, &re.schedule);
            println!(
                "{:<12} re-schedule after one cancellation: {ms:.1} ms, weight {} (was {}), confirmed meetings moved: {moved}",
                spec.name, re.weight, out.weight
            );
        }
        // One new accepted request: a buyer and a supplier not yet paired,
        // both free in a slot they can attend.
        let mut added = inst.spec.clone();
        let (a, b) = new_pair(&inst, &out.schedule);
        added.requests.push(Request {
            id: "new-1".into(),
            from: a,
            to: b,
            weight: 5,
            location: Location::Booth,
        });
        let next = Instance::new(added).expect("still valid");
        let t = Instant::now();
        let re = reschedule(&next, &out.schedule);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        next.check(&re.schedule)
            .expect("re-schedule keeps every rule");
        let placed = re.schedule.meetings.iter().any(|m| m.request == "new-1");
        println!(
            "{:<12} re-schedule after one new request: {ms:.1} ms, new request placed: {placed}, confirmed meetings moved: {}",
            spec.name,
            moved(&out.schedule, &re.schedule)
        );
    }
    if everything || named("ranking") {
        ranking(seed);
    }
}

/// Ranking 5,000 generated suppliers for 1,000 generated buyers.
fn ranking(seed: u64) {
    use fairlink::firms::vocabulary::{CERTIFICATES, MARKETS, MATERIALS, PROCESSES, Term};
    use fairlink::meetings::matching::{LANGUAGES, Need, Offer, OfferKey, rank};
    let mut rng = fairlink::meetings::solve::Rng::new(seed);
    let mut some = |terms: &[Term], most: usize| -> Vec<String> {
        let n = 1 + rng.below(most);
        (0..n)
            .map(|_| terms[rng.below(terms.len())].code.to_string())
            .collect()
    };
    let chapters = [
        "8708", "8714", "8544", "8536", "6006", "5407", "4107", "6406", "3926", "7318",
    ];
    let offers: Vec<Offer> = (0..5000)
        .map(|i| Offer {
            hs_codes: vec![format!("{}{:02}", chapters[i % chapters.len()], i % 97)],
            processes: some(PROCESSES, 4),
            materials: some(MATERIALS, 3),
            certificates: some(CERTIFICATES, 2)
                .into_iter()
                .map(|c| (c, i % 3 != 0))
                .collect(),
            markets: some(MARKETS, 4),
            languages: some(LANGUAGES, 2),
        })
        .collect();
    let needs: Vec<Need> = (0..1000)
        .map(|i| Need {
            hs_codes: vec![format!(
                "{}{:02}",
                chapters[i % chapters.len()],
                (i * 7) % 97
            )],
            processes: some(PROCESSES, 3),
            materials: some(MATERIALS, 2),
            certificates: some(CERTIFICATES, 1),
            markets: some(MARKETS, 2),
            languages: some(LANGUAGES, 2),
        })
        .collect();
    let t = Instant::now();
    let keys: Vec<OfferKey> = offers.iter().map(Offer::key).collect();
    let compile_ms = t.elapsed().as_secs_f64() * 1e3;
    let mut times = Vec::with_capacity(needs.len());
    let mut found = 0usize;
    for need in &needs {
        let t = Instant::now();
        let key = need.key();
        let top = rank(&key, &keys, 20);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        found += top.len();
    }
    let mut baseline = Vec::with_capacity(needs.len());
    for i in 0..needs.len() {
        let mut numbers: Vec<u64> = (0..5000u64)
            .map(|x| x.wrapping_mul(0x9E37_79B9 + i as u64) % 1000)
            .collect();
        let t = Instant::now();
        numbers.sort_unstable();
        baseline.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(&numbers);
    }
    let pct = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * q) as usize]
    };
    println!(
        "ranking      5,000 suppliers (compiled once in {compile_ms:.1} ms), top 20 for each of 1,000 buyers: p50 {:.0} µs, p99 {:.0} µs ({} recommendations shown); baseline, sorting 5,000 numbers: p50 {:.0} µs, p99 {:.0} µs",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        found,
        pct(&mut baseline, 0.5),
        pct(&mut baseline, 0.99)
    );
}

/// Meetings of `before` whose slot or table differs in `after`.
fn moved(before: &fairlink::meetings::Schedule, after: &fairlink::meetings::Schedule) -> usize {
    let now: std::collections::HashMap<&str, (&str, Option<u32>)> = after
        .meetings
        .iter()
        .map(|m| (m.request.as_str(), (m.slot.as_str(), m.table)))
        .collect();
    before
        .meetings
        .iter()
        .filter(|m| {
            now.get(m.request.as_str())
                .is_some_and(|&(s, t)| s != m.slot || t != m.table)
        })
        .count()
}

/// A buyer and a supplier without a request between them who are both free
/// (and present) in some slot of `schedule`.
fn new_pair(inst: &Instance, schedule: &fairlink::meetings::Schedule) -> (String, String) {
    let k = inst.slots();
    let mut busy = vec![false; inst.participants() * k];
    for m in &schedule.meetings {
        let r = inst.request_index[&m.request] as usize;
        let s = inst.slot_index[&m.slot] as usize;
        busy[inst.req_a[r] as usize * k + s] = true;
        busy[inst.req_b[r] as usize * k + s] = true;
    }
    let free = |p: usize, s: usize| !busy[p * k + s] && !inst.away[p * k + s];
    let paired: std::collections::HashSet<(u32, u32)> = (0..inst.requests())
        .flat_map(|r| {
            [
                (inst.req_a[r], inst.req_b[r]),
                (inst.req_b[r], inst.req_a[r]),
            ]
        })
        .collect();
    let kind = |p: usize| inst.spec.participants[p].kind;
    for b in (0..inst.participants()).filter(|&p| kind(p) == fairlink::meetings::Kind::Buyer) {
        for s in (0..inst.participants()).filter(|&p| kind(p) == fairlink::meetings::Kind::Supplier)
        {
            if !paired.contains(&(b as u32, s as u32)) && (0..k).any(|t| free(b, t) && free(s, t)) {
                return (
                    inst.spec.participants[b].id.clone(),
                    inst.spec.participants[s].id.clone(),
                );
            }
        }
    }
    // Everybody is booked where present: the first pair without a request.
    let buyer = (0..inst.participants())
        .find(|&p| kind(p) == fairlink::meetings::Kind::Buyer)
        .unwrap_or(0);
    let supplier = (0..inst.participants())
        .find(|&p| {
            kind(p) == fairlink::meetings::Kind::Supplier
                && !paired.contains(&(buyer as u32, p as u32))
        })
        .unwrap_or(0);
    (
        inst.spec.participants[buyer].id.clone(),
        inst.spec.participants[supplier].id.clone(),
    )
}
