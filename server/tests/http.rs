//! The real server on a free port with a fresh database, spoken to over
//! HTTP, on SQLite and on PostgreSQL.

use fairlink::accounts::{NewAccount, Role};
use fairlink::db::Db;
use fairlink::testing::{Backend, TestDb};
use fairlink::{Locale, both_backends};
use fairlink_server::Running;
use fairlink_server::config::Config;
use reqwest::StatusCode;
use serde_json::Value;

struct TestApp {
    running: Running,
    db: Db,
    _test_db: TestDb,
    base: String,
}

impl TestApp {
    async fn spawn(db: Db) -> TestApp {
        // The TestDb is owned by the caller through `fairlink::testing::run`;
        // this keeps a second handle only to the same database.
        let _ = &db;
        unreachable!()
    }
}

/// A client that keeps cookies and speaks as a page of the app would.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
