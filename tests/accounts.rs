//! Account services against real databases: SQLite and PostgreSQL.

use chrono::{Duration, Utc};
use fairlink::accounts::{
    self, NewAccount, Role, SESSION_IDLE_TIMEOUT, SESSION_LIFETIME, require_role,
};
use fairlink::db::Db;
use fairlink::mail::Links;
use fairlink::mail::entity::outbox;
use fairlink::{ErrorCode, Locale, db_test};
use sea_orm::EntityTrait;

const PASSWORD: &str = "correct horse battery";

fn links() -> Links {
    Links::new("https://fair.example")
}

/// The mails queued so far, oldest first.
async fn outbox_rows(db: &Db) -> Vec<outbox::Model> {
    let mut rows = outbox::Entity::find().all(db.read()).await.unwrap();
    rows.sort_by_key(|r| r.created_at);
    rows
}

/// A queued mail's text as it will be sent (its secret in place).
fn text_of(row: &outbox::Model) -> String {
    fairlink::mail::bodies_to_send(row).unwrap().0
}

/// The token at the end of the first link to `path` in a mail's text.
fn token_in(text: &str, path: &str) -> String {
    let start = text.find(&format!("https://fair.example/{path}/")).unwrap()
        + "https://fair.example/".len()
        + path.len()
        + 1;
    text[start..].split_whitespace().next().unwrap().to_string()
}

fn account(email: &str, role: Role) -> NewAccount {
    NewAccount {
        email: email.into(),
        name: "Nguyễn Thị Lan".into(),
        password: PASSWORD.into(),
        role,
        locale: Locale::Vi,
    }
}

db_test! {
    async fn creates_accounts_and_refuses_duplicates(db: Db) {
        let now = Utc::now();
        let user = accounts::create_account(&db, account("  Lan@NhuaHaNoi.vn ", Role::Visitor), now)
            .await
            .unwrap();
        assert_eq!(user.email, "lan@nhuahanoi.vn");
        assert_eq!(user.name, "Nguyễn Thị Lan");
        assert_eq!(user.role, Role::Visitor);

        let again = accounts::create_account(&db, account("lan@nhuahanoi.vn", Role::Exhibitor), now).await;
        let err = again.unwrap_err();
        assert_eq!(err.code, ErrorCode::EmailTaken);
        assert_eq!(err.field, Some("email"));

        let short = NewAccount { password: "short".into(), ..account("b@x.vn", Role::Visitor) };
        assert_eq!(accounts::create_account(&db, short, now).await.unwrap_err().code, ErrorCode::PasswordTooShort);
        let bad_email = account("not an email", Role::Visitor);
        assert_eq!(accounts::create_account(&db, bad_email, now).await.unwrap_err().code, ErrorCode::InvalidEmail);

        // Public sign-up cannot make organisers or staff.
        for role in [Role::Organiser, Role::Staff] {
            let err = accounts::sign_up(&db, account("c@x.vn", role), "127.0.0.1", &links(), now).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidRole);
        }
        assert!(accounts::find_by_email(&db, "c@x.vn").await.unwrap().is_none());
        let counts = accounts::count_by_role(&db).await.unwrap();
        assert!(counts.contains(&(Role::Visitor, 1)));
        assert!(counts.contains(&(Role::Organiser, 0)));
    }
}

db_test! {
    async fn stored_passwords_are_argon2id_hashes(db: Db) {
        use fairlink::accounts::entity::user;
        use sea_orm::EntityTrait;
        let created = accounts::create_account(&db, account("hash@x.vn", Role::Visitor), Utc::now()).await.unwrap();
        let row = user::Entity::find_by_id(created.id).one(db.read()).await.unwrap().unwrap();
        assert!(row.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", row.password_hash);
        assert!(!row.password_hash.contains(PASSWORD));
    }
}

db_test! {
    async fn checks_passwords(db: Db) {
        let now = Utc::now();
        accounts::create_account(&db, account("lan@x.vn", Role::Exhibitor), now).await.unwrap();
        let ok = accounts::sign_in(&db, "LAN@x.vn", PASSWORD, "10.0.0.1", now).await.unwrap();
        assert_eq!(ok.role, Role::Exhibitor);
        let wrong = accounts::sign_in(&db, "lan@x.vn", "wrong password!", "10.0.0.1", now).await;
        assert_eq!(wrong.unwrap_err().code, ErrorCode::InvalidCredentials);
        let nobody = accounts::sign_in(&db, "nobody@x.vn", PASSWORD, "10.0.0.1", now).await;
        assert_eq!(nobody.unwrap_err().code, ErrorCode::InvalidCredentials);
        let sql = accounts::sign_in(&db, "' OR '1'='1", "' OR '1'='1", "10.0.0.1", now).await;
        assert_eq!(sql.unwrap_err().code, ErrorCode::InvalidCredentials);
    }
}

db_test! {
    async fn failed_sign_ins_slow_down_without_locking_the_owner_out(db: Db) {
        use fairlink::accounts::throttle::{SIGN_IN_FREE_PER_ACCOUNT, SIGN_IN_FREE_PER_IP, SIGN_IN_FREE_PER_PAIR};
        let now = Utc::now();
        let s = Duration::seconds;
        accounts::create_account(&db, account("target@x.vn", Role::Visitor), now).await.unwrap();
        for _ in 0..SIGN_IN_FREE_PER_PAIR {
            let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidCredentials);
        }
        // The guesser waits a second now, then two, then four...
        let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now).await.unwrap_err();
        assert_eq!((e.code, e.retry_after), (ErrorCode::TooManyAttempts, Some(1)));
        let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now + s(1)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
        let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now + s(2)).await.unwrap_err();
        assert_eq!((e.code, e.retry_after), (ErrorCode::TooManyAttempts, Some(1)));
        let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now + s(3)).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
        let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now + s(4)).await.unwrap_err();
        assert_eq!((e.code, e.retry_after), (ErrorCode::TooManyAttempts, Some(3)));
        // ...while the owner, from their own address, signs in at once.
        assert!(accounts::sign_in(&db, "target@x.vn", PASSWORD, "10.9.9.9", now + s(4)).await.is_ok());
        // A success ends the account's count.
        assert!(accounts::sign_in(&db, "target@x.vn", "guess guess guess", "10.0.0.2", now + s(5)).await.unwrap_err().code == ErrorCode::InvalidCredentials);

        // Guesses at one account from many addresses slow the account down,
        // a little: the owner waits seconds, never a quarter of an hour.
        let t = now + Duration::hours(2);
        for i in 0..SIGN_IN_FREE_PER_ACCOUNT {
            let e = accounts::sign_in(&db, "target@x.vn", "guess guess guess", &format!("10.1.0.{i}"), t).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidCredentials);
        }
        let e = accounts::sign_in(&db, "target@x.vn", PASSWORD, "10.9.9.9", t).await.unwrap_err();
        assert_eq!((e.code, e.retry_after), (ErrorCode::TooManyAttempts, Some(1)));
        assert!(accounts::sign_in(&db, "target@x.vn", PASSWORD, "10.9.9.9", t + s(1)).await.is_ok());

        // One address guessing across many accounts is slowed down too.
        let t = now + Duration::hours(4);
        for i in 0..SIGN_IN_FREE_PER_IP {
            let e = accounts::sign_in(&db, &format!("user{i}@x.vn"), "guess guess guess", "10.6.6.6", t).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidCredentials);
        }
        let e = accounts::sign_in(&db, "other@x.vn", "guess guess guess", "10.6.6.6", t).await.unwrap_err();
        assert_eq!((e.code, e.retry_after), (ErrorCode::TooManyAttempts, Some(1)));
        // Another address is not.
        let e = accounts::sign_in(&db, "other@x.vn", "guess guess guess", "10.6.6.7", t).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidCredentials);
    }
}

db_test! {
    async fn bogus_links_and_floods_cost_no_password_hashing(db: Db) {
        use fairlink::accounts::throttle::Action;
        let now = Utc::now();
        // A reset link that does not exist is refused before any hashing,
        // and an address trying many is stopped.
        let limit = Action::Reset.limit().max;
        for i in 0..limit {
            let e = accounts::reset_password(&db, &format!("bogus-{i}"), "a whole new password", "10.7.7.7", now).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::LinkInvalid);
        }
        let e = accounts::reset_password(&db, "bogus-x", "a whole new password", "10.7.7.7", now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::TooManyAttempts);
        assert!(e.retry_after.is_some_and(|s| s > 0 && s <= 15 * 60), "{e:?}");
        // The same for invitations.
        for i in 0..Action::Invite.limit().max {
            let e = accounts::accept_invite(&db, &format!("bogus-{i}"), PASSWORD, Locale::Vi, "10.7.7.8", now).await.unwrap_err();
            assert_eq!(e.code, ErrorCode::InviteInvalid);
        }
        let e = accounts::accept_invite(&db, "bogus-x", PASSWORD, Locale::Vi, "10.7.7.8", now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::TooManyAttempts);
        // Sign-ups from one address: every attempt counts.
        for i in 0..Action::SignUp.limit().max {
            accounts::sign_up(&db, account(&format!("s{i}@x.vn"), Role::Visitor), "10.7.7.9", &links(), now).await.unwrap();
        }
        let e = accounts::sign_up(&db, account("one-more@x.vn", Role::Visitor), "10.7.7.9", &links(), now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::TooManyAttempts);
        assert!(accounts::find_by_email(&db, "one-more@x.vn").await.unwrap().is_none());
        // A taken address is refused before hashing and before counting.
        let e = accounts::sign_up(&db, account("s0@x.vn", Role::Visitor), "10.7.7.10", &links(), now).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::EmailTaken);
        // Later, the address may again.
        accounts::sign_up(&db, account("one-more@x.vn", Role::Visitor), "10.7.7.9", &links(), now + Duration::minutes(11)).await.unwrap();
    }
}

db_test! {
    async fn sessions_open_resolve_and_expire(db: Db) {
        let now = Utc::now();
        let user = accounts::create_account(&db, account("s@x.vn", Role::Organiser), now).await.unwrap();
        let s = accounts::open_session(&db, user.id, Some("10.0.0.1"), Some("test"), now).await.unwrap();
        assert!(s.token.len() >= 43);
        let found = accounts::session_user(&db, &s.token, now).await.unwrap().unwrap();
        assert_eq!(found, user);
        // Tokens are stored hashed: the raw token is nowhere in the table.
        {
            use fairlink::accounts::entity::session;
            use sea_orm::EntityTrait;
            let rows = session::Entity::find().all(db.read()).await.unwrap();
            assert_eq!(rows.len(), 1);
            assert_ne!(rows[0].id, s.token);
        }
        assert!(accounts::session_user(&db, "forged-token", now).await.unwrap().is_none());
        assert!(accounts::session_user(&db, "", now).await.unwrap().is_none());

        // Idle too long: gone.
        let idle = now + SESSION_IDLE_TIMEOUT + Duration::seconds(1);
        assert!(accounts::session_user(&db, &s.token, idle).await.unwrap().is_none());
        // Used regularly, it still ends at its lifetime.
        let s2 = accounts::open_session(&db, user.id, None, None, now).await.unwrap();
        let mut t = now;
        while t < now + SESSION_LIFETIME - Duration::days(1) {
            t += Duration::days(5);
            if t < now + SESSION_LIFETIME {
                assert!(accounts::session_user(&db, &s2.token, t).await.unwrap().is_some(), "alive at {t}");
            }
        }
        let end = now + SESSION_LIFETIME + Duration::seconds(1);
        assert!(accounts::session_user(&db, &s2.token, end).await.unwrap().is_none());

        // Sign-out ends it at once; purge removes the dead ones.
        let s3 = accounts::open_session(&db, user.id, None, None, now).await.unwrap();
        accounts::close_session(&db, &s3.token).await.unwrap();
        assert!(accounts::session_user(&db, &s3.token, now).await.unwrap().is_none());
        let purged = accounts::purge_expired(&db, end).await.unwrap();
        assert_eq!(purged, 2);
    }
}

db_test! {
    async fn role_guard_follows_the_stored_role(db: Db) {
        let now = Utc::now();
        for (email, role) in [
            ("o@x.vn", Role::Organiser),
            ("e@x.vn", Role::Exhibitor),
            ("v@x.vn", Role::Visitor),
            ("st@x.vn", Role::Staff),
        ] {
            let u = accounts::create_account(&db, account(email, role), now).await.unwrap();
            let s = accounts::open_session(&db, u.id, None, None, now).await.unwrap();
            let seen = accounts::session_user(&db, &s.token, now).await.unwrap();
            let allowed = require_role(seen.as_ref(), &[Role::Organiser]);
            if role == Role::Organiser {
                assert!(allowed.is_ok());
            } else {
                assert_eq!(allowed.unwrap_err().code, ErrorCode::Forbidden, "{role}");
            }
        }
    }
}

db_test! {
    async fn changing_the_password_ends_other_sessions(db: Db) {
        let now = Utc::now();
        let u = accounts::create_account(&db, account("p@x.vn", Role::Visitor), now).await.unwrap();
        let here = accounts::open_session(&db, u.id, None, None, now).await.unwrap();
        let elsewhere = accounts::open_session(&db, u.id, None, None, now).await.unwrap();
        let err = accounts::change_password(&db, u.id, "not the password", "a brand new password", Some(&here.token), now)
            .await
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::WrongPassword);
        let err = accounts::change_password(&db, u.id, PASSWORD, "short", Some(&here.token), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::PasswordTooShort);
        accounts::change_password(&db, u.id, PASSWORD, "a brand new password", Some(&here.token), now).await.unwrap();
        assert!(accounts::session_user(&db, &here.token, now).await.unwrap().is_some());
        assert!(accounts::session_user(&db, &elsewhere.token, now).await.unwrap().is_none());
        assert!(accounts::sign_in(&db, "p@x.vn", "a brand new password", "1.1.1.1", now).await.is_ok());
        assert_eq!(
            accounts::sign_in(&db, "p@x.vn", PASSWORD, "1.1.1.1", now).await.unwrap_err().code,
            ErrorCode::InvalidCredentials
        );
    }
}

db_test! {
    async fn staff_invitations_work_once(db: Db) {
        let now = Utc::now();
        let organiser = accounts::create_account(&db, account("boss@x.vn", Role::Organiser), now).await.unwrap();
        let visitor = accounts::create_account(&db, account("v@x.vn", Role::Visitor), now).await.unwrap();
        assert_eq!(
            accounts::invite_staff(&db, &visitor, "door@x.vn", "Door", &links(), now).await.unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            accounts::invite_staff(&db, &organiser, "v@x.vn", "Taken", &links(), now).await.unwrap_err().code,
            ErrorCode::EmailTaken
        );
        let token = accounts::invite_staff(&db, &organiser, "door@x.vn", "Trần Văn Cửa", &links(), now).await.unwrap();
        let invite = accounts::find_invite(&db, &token, now).await.unwrap();
        assert_eq!(invite.email, "door@x.vn");
        assert_eq!(invite.role, Role::Staff);
        let staff = accounts::accept_invite(&db, &token, PASSWORD, Locale::En, "127.0.0.1", now).await.unwrap();
        assert_eq!(staff.role, Role::Staff);
        assert_eq!(staff.name, "Trần Văn Cửa");
        assert_eq!(
            accounts::accept_invite(&db, &token, PASSWORD, Locale::En, "127.0.0.1", now).await.unwrap_err().code,
            ErrorCode::InviteInvalid
        );
        let listed = accounts::list_invites(&db, 10).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].accepted_at.is_some());

        let late = accounts::invite_staff(&db, &organiser, "late@x.vn", "Late", &links(), now).await.unwrap();
        let after = now + Duration::days(8);
        assert_eq!(accounts::find_invite(&db, &late, after).await.unwrap_err().code, ErrorCode::InviteInvalid);
        assert_eq!(
            accounts::accept_invite(&db, &late, PASSWORD, Locale::Vi, "127.0.0.1", after).await.unwrap_err().code,
            ErrorCode::InviteInvalid
        );
        assert!(accounts::find_by_email(&db, "late@x.vn").await.unwrap().is_none());
    }
}

db_test! {
    async fn racing_sign_ups_for_one_address_create_one_account(db: Db) {
        let now = Utc::now();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let input = NewAccount { name: format!("Racer {i}"), ..account("race@x.vn", Role::Visitor) };
                accounts::sign_up(&db, input, "127.0.0.1", &links(), now).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(e.code, ErrorCode::EmailTaken),
            }
        }
        assert_eq!(ok, 1);
    }
}

db_test! {
    async fn concurrent_writes_never_see_a_locked_database(db: Db) {
        let now = Utc::now();
        let u = accounts::create_account(&db, account("busy@x.vn", Role::Visitor), now).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..64 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let s = accounts::open_session(&db, u.id, Some(&format!("10.1.0.{i}")), None, now).await?;
                accounts::set_locale(&db, u.id, if i % 2 == 0 { Locale::En } else { Locale::Vi }).await?;
                accounts::session_user(&db, &s.token, now).await
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap().unwrap().is_some());
        }
    }
}

db_test! {
    async fn migrations_run_twice_harmlessly(db: Db) {
        db.migrate().await.unwrap();
        db.migrate().await.unwrap();
        db.ping().await.unwrap();
    }
}

/// Several instances starting at once on a new database: every one comes
/// up, and every migration is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_at_once_migrate_a_new_database_once() {
    use fairlink::testing::{Backend, TestDb};
    use sea_orm::{ConnectionTrait, Statement};
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(fresh) = TestDb::empty(backend).await else {
            continue;
        };
        let starts: Vec<_> = (0..4)
            .map(|_| {
                let url = fresh.url.clone();
                tokio::spawn(async move { Db::connect(&url).await?.migrate().await })
            })
            .collect();
        for start in starts {
            start
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        }
        let counts = fresh
            .db
            .read()
            .query_one_raw(Statement::from_string(
                fresh.db.backend(),
                "SELECT COUNT(*) AS n, COUNT(DISTINCT version) AS d FROM seaql_migrations",
            ))
            .await
            .unwrap()
            .unwrap();
        let (n, d): (i64, i64) = (
            counts.try_get("", "n").unwrap(),
            counts.try_get("", "d").unwrap(),
        );
        // As many as a single, undisturbed start records.
        let Some(alone) = TestDb::new(backend).await else {
            continue;
        };
        let expected = alone
            .db
            .read()
            .query_one_raw(Statement::from_string(
                alone.db.backend(),
                "SELECT COUNT(*) AS n FROM seaql_migrations",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!((n, d), (expected, expected), "{backend:?}");
        assert!(expected >= 12, "{backend:?}: {expected} migrations");
    }
}

db_test! {
    async fn sign_up_queues_the_confirmation_mail_with_the_account(db: Db) {
        let now = Utc::now();
        let user = accounts::sign_up(&db, account("new@x.vn", Role::Visitor), "127.0.0.1", &links(), now).await.unwrap();
        assert!(!user.email_verified);
        let rows = outbox_rows(&db).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].template, "verify_email");
        assert_eq!(rows[0].to_email, "new@x.vn");
        assert_eq!(rows[0].locale, "vi");
        // A refused sign-up queues nothing.
        assert!(accounts::sign_up(&db, account("new@x.vn", Role::Visitor), "127.0.0.1", &links(), now).await.is_err());
        assert_eq!(outbox_rows(&db).await.len(), 1);

        let token = token_in(&text_of(&rows[0]), "verify");
        accounts::check_link(&db, &token, accounts::VERIFY_EMAIL, now).await.unwrap();
        let verified = accounts::verify_email(&db, &token, now).await.unwrap();
        assert!(verified.email_verified);
        assert_eq!(accounts::verify_email(&db, &token, now).await.unwrap_err().code, ErrorCode::LinkInvalid);
        // A reset token is no confirmation token, and the other way round.
        assert_eq!(
            accounts::check_link(&db, &token, accounts::PASSWORD_RESET, now).await.unwrap_err().code,
            ErrorCode::LinkInvalid
        );
        assert!(!accounts::resend_verification(&db, user.id, &links(), now).await.unwrap());
    }
}

db_test! {
    async fn password_reset_links_work_once_and_expire(db: Db) {
        let now = Utc::now();
        let user = accounts::create_account(&db, account("forgot@x.vn", Role::Exhibitor), now).await.unwrap();
        let other_session = accounts::open_session(&db, user.id, None, None, now).await.unwrap();

        // Unknown addresses get the same answer, and no mail.
        accounts::request_password_reset(&db, "nobody@x.vn", &links(), now).await.unwrap();
        assert!(outbox_rows(&db).await.is_empty());
        assert_eq!(
            accounts::request_password_reset(&db, "not an address", &links(), now).await.unwrap_err().code,
            ErrorCode::InvalidEmail
        );

        accounts::request_password_reset(&db, "FORGOT@x.vn", &links(), now).await.unwrap();
        let rows = outbox_rows(&db).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].template, "password_reset");
        assert_eq!(rows[0].subject, "Đặt lại mật khẩu Fairlink");
        let token = token_in(&text_of(&rows[0]), "reset");

        let short = accounts::reset_password(&db, &token, "short", "127.0.0.1", now).await.unwrap_err();
        assert_eq!(short.code, ErrorCode::PasswordTooShort);
        let u = accounts::reset_password(&db, &token, "a whole new password", "127.0.0.1", now).await.unwrap();
        assert_eq!(u.id, user.id);
        assert!(u.email_verified, "the mail reached the address");
        assert!(accounts::session_user(&db, &other_session.token, now).await.unwrap().is_none());
        assert!(accounts::sign_in(&db, "forgot@x.vn", "a whole new password", "1.2.3.4", now).await.is_ok());
        assert_eq!(
            accounts::reset_password(&db, &token, "yet another password", "127.0.0.1", now).await.unwrap_err().code,
            ErrorCode::LinkInvalid
        );

        // Links expire after an hour; at most three mails an hour.
        accounts::request_password_reset(&db, "forgot@x.vn", &links(), now).await.unwrap();
        let late_token = token_in(&text_of(outbox_rows(&db).await.last().unwrap()), "reset");
        let later = now + chrono::Duration::minutes(61);
        assert_eq!(
            accounts::reset_password(&db, &late_token, "password after expiry", "127.0.0.1", later).await.unwrap_err().code,
            ErrorCode::LinkInvalid
        );
        accounts::request_password_reset(&db, "forgot@x.vn", &links(), now).await.unwrap();
        accounts::request_password_reset(&db, "forgot@x.vn", &links(), now).await.unwrap();
        assert_eq!(outbox_rows(&db).await.len(), 3);
    }
}

db_test! {
    async fn a_new_password_voids_the_other_reset_links(db: Db) {
        let now = Utc::now();
        accounts::create_account(&db, account("twice@x.vn", Role::Visitor), now).await.unwrap();
        accounts::request_password_reset(&db, "twice@x.vn", &links(), now).await.unwrap();
        accounts::request_password_reset(&db, "twice@x.vn", &links(), now).await.unwrap();
        let rows = outbox_rows(&db).await;
        let (first, second) = (token_in(&text_of(&rows[0]), "reset"), token_in(&text_of(&rows[1]), "reset"));
        assert_ne!(first, second);
        accounts::reset_password(&db, &second, "a whole new password", "127.0.0.1", now).await.unwrap();
        // The first link, still in the mailbox, no longer works.
        assert_eq!(
            accounts::check_link(&db, &first, accounts::PASSWORD_RESET, now).await.unwrap_err().code,
            ErrorCode::LinkInvalid
        );
        assert_eq!(
            accounts::reset_password(&db, &first, "the attacker's password", "127.0.0.1", now).await.unwrap_err().code,
            ErrorCode::LinkInvalid
        );
        // Changing the password voids them too.
        accounts::request_password_reset(&db, "twice@x.vn", &links(), now).await.unwrap();
        let third = token_in(&text_of(outbox_rows(&db).await.last().unwrap()), "reset");
        let user = accounts::find_by_email(&db, "twice@x.vn").await.unwrap().unwrap();
        accounts::change_password(&db, user.id, "a whole new password", "another new password", None, now).await.unwrap();
        assert_eq!(
            accounts::check_link(&db, &third, accounts::PASSWORD_RESET, now).await.unwrap_err().code,
            ErrorCode::LinkInvalid
        );
    }
}
