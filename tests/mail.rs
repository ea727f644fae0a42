//! The outbox against real databases and a real SMTP server (aiosmtpd).

use chrono::Utc;
use fairlink::db::Db;
use fairlink::mail::delivery::{self, DeliveryConfig, Transport};
use fairlink::mail::entity::outbox;
use fairlink::mail::{self, Attachment, OutboundMail, Template, status};
use fairlink::testing::SmtpServer;
use fairlink::{ErrorCode, Locale, db_test};
use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::collections::HashSet;
use std::time::Duration;

fn config() -> DeliveryConfig {
    let mut cfg = DeliveryConfig::new("Hội chợ Fairlink <no-reply@fair.example>".parse().unwrap());
    cfg.base_backoff = Duration::from_millis(200);
    cfg.max_backoff = Duration::from_secs(2);
    cfg
}

fn verify_mail(to: &str, name: &str, key: &str) -> OutboundMail {
    OutboundMail {
        to_email: to.into(),
        to_name: name.into(),
        locale: Locale::Vi,
        template: Template::VerifyEmail {
            name: name.into(),
            link: format!("https://fair.example/verify/{key}"),
        },
        idempotency_key: key.into(),
        attachments: Vec::new(),
        secret: None,
    }
}

async fn queue(db: &Db, mail: OutboundMail) -> bool {
    let txn = db.begin().await.unwrap();
    let queued = mail::enqueue(&txn, mail, Utc::now()).await.unwrap();
    txn.commit().await.unwrap();
    queued
}

async fn rows(db: &Db) -> Vec<outbox::Model> {
    outbox::Entity::find().all(db.read()).await.unwrap()
}

db_test! {
    async fn delivers_with_headers_both_parts_and_vietnamese_intact(db: Db) {
        let smtp = SmtpServer::start();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let cfg = config();
        assert!(queue(&db, verify_mail("lan@nhuahanoi.example", "Nguyễn Thị Lan", "k1")).await);
        let pass = delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
        assert_eq!((pass.claimed, pass.sent, pass.failed), (1, 1, 0));

        let raw = smtp.wait_for(1).remove(0);
        let msg = MessageParser::default().parse(&raw).unwrap();
        let from = msg.from().unwrap().first().unwrap();
        assert_eq!(from.name(), Some("Hội chợ Fairlink"));
        assert_eq!(from.address(), Some("no-reply@fair.example"));
        let to = msg.to().unwrap().first().unwrap();
        assert_eq!(to.name(), Some("Nguyễn Thị Lan"));
        assert_eq!(to.address(), Some("lan@nhuahanoi.example"));
        assert_eq!(msg.subject(), Some("Xác nhận địa chỉ email của bạn"));
        assert!(msg.date().is_some());
        let row = rows(&db).await.remove(0);
        assert_eq!(msg.message_id(), Some(format!("{}@fair.example", row.id).as_str()));
        let text = msg.body_text(0).unwrap();
        assert!(text.contains("Xin chào Nguyễn Thị Lan,"), "{text}");
        assert!(text.contains("https://fair.example/verify/k1"));
        let html = msg.body_html(0).unwrap();
        assert!(html.contains("Xác nhận email"), "{html}");
        assert_eq!(msg.text_body_count(), 1);
        assert_eq!(msg.html_body_count(), 1);
        // The subject travelled encoded, never as raw 8-bit bytes.
        let head = String::from_utf8_lossy(&raw[..raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(raw.len())]).to_string();
        assert!(head.contains("Subject: =?utf-8?"), "{head}");

        assert_eq!(row.status, status::SENT);
        assert!(row.sent_at.is_some());
        assert_eq!(row.attempts, 1);
    }
}

db_test! {
    async fn the_same_event_queues_one_mail(db: Db) {
        assert!(queue(&db, verify_mail("a@x.example", "A", "event-1")).await);
        assert!(!queue(&db, verify_mail("a@x.example", "A", "event-1")).await);
        assert_eq!(rows(&db).await.len(), 1);
        // A bad address is refused where the mail is queued, with nothing written.
        let txn = db.begin().await.unwrap();
        let err = mail::enqueue(&txn, verify_mail("not an address", "B", "event-2"), Utc::now()).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidEmail);
        drop(txn);
        assert_eq!(rows(&db).await.len(), 1);
    }
}

db_test! {
    async fn an_smtp_outage_loses_nothing(db: Db) {
        let mut smtp = SmtpServer::reserve();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let cfg = config();
        for i in 0..3 {
            queue(&db, verify_mail(&format!("u{i}@x.example"), "Trần Văn Bình", &format!("outage-{i}"))).await;
        }
        let pass = delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
        assert_eq!((pass.sent, pass.failed), (0, 3));
        let first = rows(&db).await;
        for r in &first {
            assert_eq!(r.status, status::QUEUED);
            assert_eq!(r.attempts, 1);
            assert!(r.next_attempt_at > Utc::now() - chrono::Duration::milliseconds(50));
            assert!(r.last_error.as_deref().is_some_and(|e| !e.is_empty()));
        }
        // Not due yet: nothing is claimed.
        assert_eq!(delivery::deliver_once(&db, &transport, &cfg).await.unwrap().claimed, 0);

        tokio::time::sleep(Duration::from_millis(300)).await;
        let pass = delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
        assert_eq!(pass.failed, 3);
        let second = rows(&db).await;
        for (a, b) in first.iter().zip(&second) {
            assert_eq!(b.attempts, 2);
            // The wait doubled.
            assert!(b.next_attempt_at - b.created_at > a.next_attempt_at - a.created_at);
        }

        smtp.resume();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while rows(&db).await.iter().any(|r| r.status != status::SENT) {
            assert!(std::time::Instant::now() < deadline, "mail stayed queued");
            delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(smtp.wait_for(3).len(), 3);
    }
}

db_test! {
    async fn dead_mail_can_be_sent_again(db: Db) {
        let mut smtp = SmtpServer::reserve();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let mut cfg = config();
        cfg.max_attempts = 2;
        cfg.base_backoff = Duration::from_millis(10);
        queue(&db, verify_mail("dead@x.example", "Dead", "dead-1")).await;
        for _ in 0..2 {
            delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        let row = rows(&db).await.remove(0);
        assert_eq!(row.status, status::DEAD);
        assert_eq!(delivery::deliver_once(&db, &transport, &cfg).await.unwrap().claimed, 0);
        let counts = mail::counts(&db).await.unwrap();
        assert!(counts.contains(&("dead", 1)));
        assert_eq!(mail::list(&db, Some("dead"), 0, 10).await.unwrap().len(), 1);

        mail::retry(&db, row.id, Utc::now()).await.unwrap();
        assert_eq!(mail::retry(&db, row.id, Utc::now()).await.unwrap_err().code, ErrorCode::NotFound);
        smtp.resume();
        let pass = delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
        assert_eq!(pass.sent, 1);
        assert_eq!(mail::get(&db, row.id).await.unwrap().status, status::SENT);
        smtp.wait_for(1);
    }
}

db_test! {
    async fn two_workers_deliver_500_mails_exactly_once(db: Db) {
        let smtp = SmtpServer::start();
        for i in 0..500 {
            queue(&db, verify_mail(&format!("buyer{i}@x.example"), "Buyer", &format!("race-{i}"))).await;
        }
        // Two instances: separate connection pools on one database.
        let mut workers = Vec::new();
        for w in 0..2 {
            let db = Db::connect(db.url()).await.unwrap();
            let transport = Transport::smtp(&smtp.url()).unwrap();
            let mut cfg = config();
            cfg.worker_id = format!("worker-{w}");
            cfg.batch = 20;
            workers.push(tokio::spawn(async move {
                let mut sent = 0;
                loop {
                    let pass = delivery::deliver_once(&db, &transport, &cfg).await.unwrap();
                    if pass.claimed == 0 {
                        break;
                    }
                    sent += pass.sent;
                }
                sent
            }));
        }
        let mut total = 0;
        let mut per_worker = Vec::new();
        for w in workers {
            let n = w.await.unwrap();
            per_worker.push(n);
            total += n;
        }
        assert_eq!(total, 500, "{per_worker:?}");
        let received = smtp.wait_for(500);
        assert_eq!(received.len(), 500);
        let ids: HashSet<String> = received
            .iter()
            .map(|raw| MessageParser::default().parse(raw).unwrap().message_id().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 500, "every message exactly once");
        let sent = outbox::Entity::find()
            .filter(outbox::Column::Status.eq(status::SENT))
            .count(db.read())
            .await
            .unwrap();
        assert_eq!(sent, 500);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(smtp.messages().len(), 500, "nothing arrived late, twice");
    }
}

db_test! {
    async fn a_worker_whose_lease_ran_out_leaves_the_mail_to_its_new_worker(db: Db) {
        let smtp = SmtpServer::start();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let (mut slow, mut other) = (config(), config());
        slow.worker_id = "slow".into();
        other.worker_id = "other".into();
        slow.lease = Duration::from_secs(60);
        queue(&db, verify_mail("late@x.example", "Late", "late-1")).await;
        // The slow worker claims the mail but stalls past its lease; the
        // other claims it then.
        let stalled = delivery::claim(&db, &slow, Utc::now()).await.unwrap();
        assert_eq!(stalled.len(), 1);
        let later = Utc::now() + chrono::Duration::seconds(61);
        let taken = delivery::claim(&db, &other, later).await.unwrap();
        assert_eq!(taken.len(), 1);
        // The slow worker comes back to its batch: it sends nothing and
        // records nothing.
        let pass = delivery::send_claimed(&db, &transport, &slow, stalled).await.unwrap();
        assert_eq!((pass.claimed, pass.sent, pass.failed, pass.lost), (1, 0, 0, 1));
        let row = rows(&db).await.remove(0);
        assert_eq!((row.status.as_str(), row.claimed_by.as_deref()), (status::SENDING, Some("other")));
        // Its new worker sends it, once.
        let pass = delivery::send_claimed(&db, &transport, &other, taken).await.unwrap();
        assert_eq!((pass.sent, pass.lost), (1, 0));
        assert_eq!(rows(&db).await.remove(0).status, status::SENT);
        assert_eq!(smtp.wait_for(1).len(), 1);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(smtp.messages().len(), 1, "sent once");
    }
}

db_test! {
    async fn a_crash_after_sending_repeats_at_most_that_mail(db: Db) {
        let smtp = SmtpServer::start();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let mut cfg = config();
        cfg.lease = Duration::from_secs(60);
        queue(&db, verify_mail("crash@x.example", "Crash", "crash-1")).await;
        // A worker claims and sends, then dies before marking the row sent.
        let claimed = delivery::claim(&db, &cfg, Utc::now()).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let message = delivery::build_message(&claimed[0], &[], &cfg).unwrap();
        transport.send(message).await.unwrap();
        // While its lease holds, nobody else takes the row.
        cfg.worker_id = "successor".into();
        assert!(delivery::claim(&db, &cfg, Utc::now()).await.unwrap().is_empty());
        // After the lease, another worker sends it again: the same Message-ID.
        let later = Utc::now() + chrono::Duration::seconds(61);
        let again = delivery::claim(&db, &cfg, later).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 2);
        transport.send(delivery::build_message(&again[0], &[], &cfg).unwrap()).await.unwrap();
        let received = smtp.wait_for(2);
        let ids: Vec<String> = received
            .iter()
            .map(|r| MessageParser::default().parse(r).unwrap().message_id().unwrap().to_string())
            .collect();
        assert_eq!(ids[0], ids[1]);
    }
}

db_test! {
    async fn header_injection_never_reaches_the_wire(db: Db) {
        let smtp = SmtpServer::start();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let evil = "Lan\r\nBcc: victim@evil.example\r\nX-Injected: yes";
        queue(&db, verify_mail("lan@x.example", evil, "inject-1")).await;
        delivery::deliver_once(&db, &transport, &config()).await.unwrap();
        let raw = smtp.wait_for(1).remove(0);
        let text = String::from_utf8_lossy(&raw);
        let head = &text[..text.find("\r\n\r\n").unwrap_or(text.len())];
        for line in head.lines() {
            assert!(!line.to_ascii_lowercase().starts_with("bcc:"), "{head}");
            assert!(!line.starts_with("X-Injected"), "{head}");
        }
        // aiosmtpd records the envelope: one recipient, the intended one.
        let rcpt = head.lines().find(|l| l.starts_with("X-RcptTo:")).unwrap();
        assert_eq!(rcpt.trim(), "X-RcptTo: lan@x.example");
    }
}

db_test! {
    async fn attachments_and_inline_images_travel(db: Db) {
        let smtp = SmtpServer::start();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Fairlink//EN\r\nEND:VCALENDAR\r\n";
        let png: Vec<u8> = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3];
        let mut m = verify_mail("att@x.example", "Att", "attach-1");
        m.attachments = vec![
            Attachment {
                filename: "lich-hen.ics".into(),
                content_type: "text/calendar; charset=utf-8".into(),
                content: ics.as_bytes().to_vec(),
                inline_id: None,
            },
            Attachment {
                filename: "badge.png".into(),
                content_type: "image/png".into(),
                content: png.clone(),
                inline_id: Some("badge-qr".into()),
            },
        ];
        queue(&db, m).await;
        delivery::deliver_once(&db, &transport, &config()).await.unwrap();
        let raw = smtp.wait_for(1).remove(0);
        let msg = MessageParser::default().parse(&raw).unwrap();
        let names: Vec<String> = msg.attachments().filter_map(|a| a.attachment_name().map(str::to_string)).collect();
        assert!(names.contains(&"lich-hen.ics".to_string()), "{names:?}");
        let cal = msg.attachments().find(|a| a.attachment_name() == Some("lich-hen.ics")).unwrap();
        // Text parts travel in MIME's canonical CRLF form; the Maildir that
        // aiosmtpd writes stores lines with LF, so compare lines.
        let lines = |b: &[u8]| String::from_utf8_lossy(b).replace("\r\n", "\n");
        assert_eq!(lines(cal.contents()), lines(ics.as_bytes()));
        let image = msg.attachments().find(|a| a.content_id() == Some("badge-qr")).unwrap();
        assert_eq!(image.contents(), png.as_slice());
        assert!(msg.body_text(0).unwrap().contains("Xin chào Att"));
    }
}

db_test! {
    async fn without_smtp_mail_lands_in_a_folder(db: Db) {
        let dir = std::env::temp_dir().join(format!("fairlink-mail-{}", uuid::Uuid::new_v4().simple()));
        let transport = Transport::folder(&dir).unwrap();
        queue(&db, verify_mail("f@x.example", "Phạm Thu", "folder-1")).await;
        let pass = delivery::deliver_once(&db, &transport, &config()).await.unwrap();
        assert_eq!(pass.sent, 1);
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().and_then(|e| e.to_str()), Some("eml"));
        let raw = std::fs::read(&files[0]).unwrap();
        let msg = MessageParser::default().parse(&raw).unwrap();
        assert_eq!(msg.subject(), Some("Xác nhận địa chỉ email của bạn"));
        let _ = std::fs::remove_dir_all(dir);
    }
}

db_test! {
    async fn a_mails_live_link_is_never_readable_in_the_outbox(db: Db) {
        use fairlink::accounts::{self, NewAccount, Role};
        let smtp = SmtpServer::start();
        let transport = Transport::smtp(&smtp.url()).unwrap();
        let links = mail::Links::new("https://fair.example");
        let now = Utc::now();
        let user = accounts::create_account(
            &db,
            NewAccount { email: "lan@nhuahanoi.example".into(), name: "Nguyễn Thị Lan".into(), password: "correct horse battery".into(), role: Role::Organiser, locale: Locale::Vi },
            now,
        )
        .await
        .unwrap();
        accounts::request_password_reset(&db, &user.email, &links, now).await.unwrap();
        let row = rows(&db).await.remove(0);
        // Queued: the body, the HTML and the stored template hold a mark,
        // the secret is sealed apart, and the organisers' view shows dots.
        let (text, _) = mail::bodies_to_send(&row).unwrap();
        let start = text.find("https://fair.example/reset/").unwrap() + "https://fair.example/reset/".len();
        let token: String = text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        assert_eq!(token.len(), 43, "{text}");
        for stored in [&row.text_body, &row.html_body, &row.data] {
            assert!(!stored.contains(&token), "the live link is stored in clear");
            assert!(stored.contains(mail::SECRET_MARK));
        }
        let sealed = row.secret.clone().expect("the secret is kept until the mail is sent");
        assert!(fairlink::secret::is_sealed(&sealed));
        assert!(!sealed.windows(token.len()).any(|w| w == token.as_bytes()));
        let shown = mail::get(&db, row.id).await.unwrap();
        assert!(!shown.text_body.contains(&token) && shown.text_body.contains(mail::SECRET_SHOWN), "{}", shown.text_body);
        // Sent: the message carries the working link; then the secret is gone.
        let pass = delivery::deliver_once(&db, &transport, &config()).await.unwrap();
        assert_eq!(pass.sent, 1);
        let raw = smtp.wait_for(1).remove(0);
        let msg = MessageParser::default().parse(&raw).unwrap();
        assert!(msg.body_text(0).unwrap().contains(&format!("https://fair.example/reset/{token}")));
        assert!(msg.body_html(0).unwrap().contains(&format!("https://fair.example/reset/{token}")));
        let row = rows(&db).await.remove(0);
        assert_eq!(row.status, status::SENT);
        assert_eq!(row.secret, None, "forgotten once sent");
        // The link works (it is the account's reset link).
        accounts::check_link(&db, &token, accounts::PASSWORD_RESET, now).await.unwrap();
    }
}
