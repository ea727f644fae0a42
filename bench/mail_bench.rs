//! Outbox throughput beside lettre sending directly, in one run, to the
//! same local SMTP server. Run by bench/mail.sh.
//!
//! Both sides send the same rendered mail with the same concurrency over a
//! pooled SMTP transport. The outbox side also claims rows, reads
//! attachments and marks each row sent in the database: that bookkeeping is
//! what the comparison measures.

use chrono::Utc;
use fairlink::Locale;
use fairlink::db::Db;
use fairlink::mail::delivery::{self, DeliveryConfig, Transport};
use fairlink::mail::{self, OutboundMail, Template};
use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn mail_for(i: usize, run: &str) -> OutboundMail {
    OutboundMail {
        to_email: format!("buyer{i}@bench.example"),
        to_name: "Nguyễn Văn Mua".into(),
        locale: Locale::Vi,
        template: Template::VerifyEmail {
            name: "Nguyễn Văn Mua".into(),
            link: format!("https://fair.example/verify/{run}-{i}"),
        },
        idempotency_key: format!("bench:{run}:{i}"),
        attachments: Vec::new(),
        secret: None,
    }
}

async fn direct(smtp: &str, n: usize, concurrency: usize, cfg: &DeliveryConfig) -> f64 {
    use futures_util::StreamExt;
    let transport = Transport::smtp(smtp).expect("smtp url");
    // The same message the outbox would build, from a row rendered the same way.
    let messages: Vec<_> = (0..n)
        .map(|i| {
            let m = mail_for(i, "direct");
            let r = mail::render(&m.template, m.locale);
            let row = fairlink::mail::entity::outbox::Model {
                id: uuid::Uuid::now_v7(),
                idempotency_key: m.idempotency_key,
                to_email: m.to_email,
                to_name: m.to_name,
                locale: "vi".into(),
                template: "verify_email".into(),
                data: String::new(),
                subject: r.subject,
                text_body: r.text,
                html_body: r.html,
                status: "sending".into(),
                attempts: 1,
                next_attempt_at: Utc::now(),
                lease_until: None,
                claimed_by: None,
                last_error: None,
                created_at: Utc::now(),
                sent_at: None,
                secret: None,
            };
            delivery::build_message(&row, &[], cfg).expect("message")
        })
        .collect();
    let start = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(messages.into_iter().map(|m| {
        let t = transport.clone();
        async move { t.send(m).await }
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    let elapsed = start.elapsed();
    assert!(results.iter().all(|r| r.is_ok()), "direct sends failed");
    n as f64 / elapsed.as_secs_f64()
}

async fn outbox(
    db: &Db,
    smtp: &str,
    n: usize,
    concurrency: usize,
    round: usize,
    cfg: &DeliveryConfig,
) -> (f64, f64) {
    let run = format!("outbox-{round}-{}", uuid::Uuid::new_v4().simple());
    let t0 = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let txn = db.begin().await.unwrap();
        for i in chunk {
            mail::enqueue(&txn, mail_for(*i, &run), Utc::now())
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
    }
    let enqueue_rate = n as f64 / t0.elapsed().as_secs_f64();
    let transport = Transport::smtp(smtp).expect("smtp url");
    let mut cfg = cfg.clone();
    cfg.concurrency = concurrency;
    cfg.batch = 100;
    let start = Instant::now();
    let mut sent = 0;
    while sent < n {
        let pass = delivery::deliver_once(db, &transport, &cfg).await.unwrap();
        assert_eq!(pass.failed, 0, "outbox sends failed");
        if pass.claimed == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        sent += pass.sent;
    }
    (n as f64 / start.elapsed().as_secs_f64(), enqueue_rate)
}

#[tokio::main]
async fn main() {
    let smtp = arg("--smtp", "smtp://127.0.0.1:2525");
    let n: usize = arg("--messages", "2000").parse().unwrap();
    let concurrency: usize = arg("--concurrency", "8").parse().unwrap();
    let rounds: usize = arg("--rounds", "2").parse().unwrap();
    let database = arg("--database", "");
    let dir = std::env::temp_dir().join(format!("fairlink-mail-bench-{}", std::process::id()));
    let url = if database.is_empty() {
        format!("sqlite://{}/bench.db?mode=rwc", dir.display())
    } else {
        database
    };
    let db = Db::connect(&url).await.expect("database");
    db.migrate().await.expect("migrate");
    let cfg = DeliveryConfig::new("Fairlink <no-reply@bench.example>".parse().unwrap());
    println!(
        "mail throughput to {smtp}: {n} messages a run, concurrency {concurrency}, database {}",
        fairlink::db::redact(&url).split('?').next().unwrap_or("")
    );
    // Warm up the SMTP server and both code paths.
    direct(&smtp, 100, concurrency, &cfg).await;
    outbox(&db, &smtp, 100, concurrency, 0, &cfg).await;
    let (mut d_sum, mut o_sum) = (0.0, 0.0);
    for round in 1..=rounds {
        let d = direct(&smtp, n, concurrency, &cfg).await;
        let (o, enqueue) = outbox(&db, &smtp, n, concurrency, round, &cfg).await;
        println!(
            "  round {round}: lettre direct {d:8.0} msg/s   outbox {o:8.0} msg/s   ratio {:5.1}%   (enqueue {enqueue:.0} msg/s)",
            100.0 * o / d
        );
        d_sum += d;
        o_sum += o;
    }
    println!(
        "  mean:    lettre direct {:8.0} msg/s   outbox {:8.0} msg/s   ratio {:5.1}%   (target: outbox >= 50% of direct)",
        d_sum / rounds as f64,
        o_sum / rounds as f64,
        100.0 * o_sum / d_sum
    );
    let _ = std::fs::remove_dir_all(dir);
}
