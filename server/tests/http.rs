//! The real server on a free port with a fresh database, spoken to over
//! HTTP, on SQLite and on PostgreSQL.

use chrono::Utc;
use fairlink::accounts::{self, NewAccount, Role};
use fairlink::db::Db;
use fairlink::testing::SmtpServer;
use fairlink::{Locale, db_test};
use fairlink_server::Running;
use fairlink_server::config::Config;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

async fn serve(db: &Db) -> Running {
    serve_with(db, None).await
}

/// The server, sending mail to `smtp` (or into a temporary folder).
async fn serve_with(db: &Db, smtp: Option<&SmtpServer>) -> Running {
    let mail_dir = std::env::temp_dir().join(format!(
        "fairlink-http-mail-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let config = Config::from_lookup(|k| match k {
        "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
        "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
        "SMTP_URL" => smtp.map(|s| s.url()),
        _ => None,
    })
    .unwrap();
    fairlink_server::start(config, db.clone()).await.unwrap()
}

/// The first link to `path` in the text part of a raw mail.
fn link_in(raw: &[u8], path: &str) -> String {
    let msg = mail_parser::MessageParser::default().parse(raw).unwrap();
    let text = msg.body_text(0).unwrap().to_string();
    let start = text.find(&format!("/{path}/")).unwrap();
    let begin = text[..start].rfind("http").unwrap();
    text[begin..].split_whitespace().next().unwrap().to_string()
}

/// A browser-like client: keeps cookies, sends our Origin, does not follow
/// redirects (so tests see them).
fn client(base: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_str(base).unwrap());
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(
    c: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let res = c
        .post(format!("{base}{path}"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn create(db: &Db, email: &str, role: Role) {
    accounts::create_account(
        db,
        NewAccount {
            email: email.into(),
            name: "Phạm Quang Huy".into(),
            password: PASSWORD.into(),
            role,
            locale: Locale::Vi,
        },
        Utc::now(),
    )
    .await
    .unwrap();
}

/// Sends a form post announcing `len` bytes over a raw connection, writes
/// what the server will take, and returns the status line's code and the
/// response text. (An HTTP client library would fail with a broken pipe
/// when the server answers before the body is sent, as it should.)
async fn send_big_body(addr: std::net::SocketAddr, path: &str, len: usize) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len}\r\n\r\nname="
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 64 * 1024];
    let mut sent = 0;
    while sent < len {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
        sent += chunk.len();
        if sent >= 1024 * 1024 {
            break;
        }
    }
    let mut response = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut response),
    )
    .await;
    let text = String::from_utf8_lossy(&response).to_string();
    let code = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, text)
}

async fn user_count(db: &Db) -> u64 {
    accounts::count_by_role(db)
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum()
}

db_test! {
    async fn roles_are_enforced_by_every_server_function(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();

        let anon = client(&base);
        let (status, body) = post(&anon, &base, "/api/admin/overview", &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["code"], "unauthenticated");

        let visitor = client(&base);
        let res = visitor
            .post(format!("{base}/api/auth/signup"))
            .form(&[("name", "Lê Minh Anh"), ("email", "anh@buyer.example"), ("password", PASSWORD), ("role", "visitor")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
        assert!(cookie.starts_with("fl_session="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["user"]["role"], "visitor");
        assert_eq!(body["next"], "/account");

        // The wrong role: 403, not a page and not data.
        for path in ["/api/admin/overview", "/api/admin/invites"] {
            let (status, body) = post(&visitor, &base, path, &[]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
            assert_eq!(body["code"], "forbidden");
        }
        let (status, body) = post(&visitor, &base, "/api/admin/invite_staff", &[("name", "X"), ("email", "x@x.vn")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let page = visitor.get(format!("{base}/organiser")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::FORBIDDEN);

        create(&db, "boss@fairlink.example", Role::Organiser).await;
        let organiser = client(&base);
        let (status, body) =
            post(&organiser, &base, "/api/auth/login", &[("email", "boss@fairlink.example"), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["next"], "/organiser");
        let (status, body) = post(&organiser, &base, "/api/admin/overview", &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let accounts = body["accounts"].as_array().unwrap();
        assert!(accounts.contains(&serde_json::json!(["organiser", 1])), "{body}");
        assert!(accounts.contains(&serde_json::json!(["visitor", 1])), "{body}");
        let page = organiser.get(format!("{base}/organiser")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("Bảng điều khiển ban tổ chức"));

        // Signing out ends the session on the server.
        let (status, _) = post(&organiser, &base, "/api/auth/logout", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = post(&organiser, &base, "/api/admin/overview", &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        srv.stop().await;
    }
}

db_test! {
    async fn forms_work_without_javascript(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        create(&db, "lan@firm.example", Role::Exhibitor).await;
        let c = client(&base);
        let html_post = |path: &str, form: Vec<(&'static str, &'static str)>| {
            c.post(format!("{base}{path}"))
                .header("accept", "text/html,application/xhtml+xml")
                .header("referer", format!("{base}/login"))
                .form(&form)
                .send()
        };
        // A refusal goes back to the form, carrying the error for the page to show.
        let res = html_post("/api/auth/login", vec![("email", "lan@firm.example"), ("password", "wrong password!")]).await.unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(&format!("{base}/login?")) && location.contains("__err="), "{location}");
        let page = c.get(&location).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Email hoặc mật khẩu không đúng."), "the error shows on the page");

        // Success redirects onwards with the session cookie.
        let res = html_post("/api/auth/login", vec![("email", "lan@firm.example"), ("password", PASSWORD)]).await.unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(res.headers()["location"], "/account");
        assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("fl_session="));
        let page = c.get(format!("{base}/account")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("lan@firm.example"));
        srv.stop().await;
    }
}

db_test! {
    async fn cross_origin_posts_are_refused(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        let form = [("name", "Evil"), ("email", "evil@evil.example"), ("password", PASSWORD), ("role", "visitor")];
        let plain = reqwest::Client::new();

        let res = plain.post(format!("{base}/api/auth/signup")).header("origin", "https://evil.example").form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "cross_origin");

        let res = plain.post(format!("{base}/api/auth/signup")).header("origin", "null").form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let res = plain.post(format!("{base}/api/auth/signup")).header("sec-fetch-site", "cross-site").form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // Neither Origin nor Sec-Fetch-Site: refused as well.
        let res = plain.post(format!("{base}/api/auth/signup")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["message"], "Yêu cầu bị từ chối vì không xuất phát từ trang của Fairlink.");
        assert_eq!(user_count(&db).await, 0, "nothing was written");

        // The same request from our own page goes through.
        let res = plain.post(format!("{base}/api/auth/signup")).header("sec-fetch-site", "same-origin").form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(user_count(&db).await, 1);
        srv.stop().await;
    }
}

db_test! {
    async fn wrong_passwords_are_rate_limited(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        create(&db, "target@firm.example", Role::Exhibitor).await;
        let c = client(&base);
        let mut statuses = Vec::new();
        for i in 0..10 {
            let password = format!("wrong password {i}");
            let (status, _) = post(&c, &base, "/api/auth/login", &[("email", "target@firm.example"), ("password", &password)]).await;
            statuses.push(status.as_u16());
        }
        assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
        let (status, body) = post(&c, &base, "/api/auth/login", &[("email", "target@firm.example"), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked even with the right password");
        assert_eq!(body["code"], "too_many_attempts");
        srv.stop().await;
    }
}

db_test! {
    async fn malformed_input_gets_a_clear_4xx_and_changes_nothing(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        let c = client(&base);
        let signup = format!("{base}/api/auth/signup");
        let form_type = "application/x-www-form-urlencoded";

        // Empty body.
        let res = c.post(&signup).header("content-type", form_type).body("").send().await.unwrap();
        let status = res.status();
        let body = res.json::<Value>().await.unwrap();
        assert!(status.is_client_error(), "{status}");
        assert!(fairlink::ErrorCode::parse(body["code"].as_str().unwrap()).is_some(), "{body}");

        // 10 MB body: refused as soon as its size is announced, before it is read.
        let (status, body) = send_big_body(srv.addr, "/api/auth/signup", 10 * 1024 * 1024).await;
        assert_eq!(status, 413, "{body}");
        assert!(body.contains("\"code\":\"payload_too_large\""), "{body}");

        // Invalid UTF-8, raw and percent-encoded.
        let mut raw = b"name=".to_vec();
        raw.extend_from_slice(&[0xff, 0xfe, 0xfd]);
        raw.extend_from_slice(b"&email=raw%40x.vn&password=correct+horse+battery&role=visitor");
        let res = c.post(&signup).header("content-type", form_type).body(raw).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = c
            .post(&signup)
            .header("content-type", form_type)
            .body("name=%FF%FE&email=pct%40x.vn&password=correct+horse+battery&role=visitor")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "bad_request");

        // SQL-looking strings are data, never SQL.
        let (status, body) = post(&c, &base, "/api/auth/signup", &[
            ("name", "Robert"), ("email", "x' OR '1'='1"), ("password", PASSWORD), ("role", "visitor"),
        ]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_email");
        assert_eq!(body["field"], "email");
        let (status, body) = post(&c, &base, "/api/auth/login", &[("email", "' OR 1=1 --"), ("password", "' OR ''='")]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

        // Roles that sign-up cannot give.
        let (status, body) = post(&c, &base, "/api/auth/signup", &[
            ("name", "Sneaky"), ("email", "sneaky@x.vn"), ("password", PASSWORD), ("role", "organiser"),
        ]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_role");
        // A field too short, another missing.
        let (status, body) = post(&c, &base, "/api/auth/signup", &[
            ("name", "Short"), ("email", "short@x.vn"), ("password", "short"), ("role", "visitor"),
        ]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "password_too_short");
        let (status, body) = post(&c, &base, "/api/auth/signup", &[("name", "NoMail"), ("password", PASSWORD)]).await;
        assert!(status.is_client_error(), "{status} {body}");
        // An unknown function.
        let (status, body) = post(&c, &base, "/api/auth/nope", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "not_found");

        assert_eq!(user_count(&db).await, 0, "no account was created by any of it");

        // A name that looks like SQL is stored as the text it is.
        let (status, body) = post(&c, &base, "/api/auth/signup", &[
            ("name", "Robert'); DROP TABLE users;--"), ("email", "bobby@x.vn"), ("password", PASSWORD), ("role", "visitor"),
        ]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user"]["name"], "Robert'); DROP TABLE users;--");
        assert_eq!(user_count(&db).await, 1);
        srv.stop().await;
    }
}

db_test! {
    async fn pages_are_server_rendered_in_both_languages(db: Db) {
        fairlink::seed::run(&db, Utc::now()).await.unwrap();
        let srv = serve(&db).await;
        let base = srv.url();
        let c = reqwest::Client::new();

        let res = c.get(format!("{base}/")).header("accept-language", "vi-VN,vi;q=0.9").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert!(res.headers().contains_key("referrer-policy"));
        assert!(res.headers().contains_key("x-request-id"));
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let html = res.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"vi\""));
        assert!(html.contains("Hội chợ Công nghiệp Hỗ trợ Hà Nội 2026"));
        assert!(html.contains("16–18/12/2026"));
        assert!(html.contains(">870<"), "approved exhibitors counted");
        assert!(html.contains(">320<"), "certified firms counted");
        // The page's inline scripts carry the nonce the policy names.
        let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
        assert!(html.contains(&format!("nonce=\"{nonce}\"")));

        let html = c.get(format!("{base}/")).header("accept-language", "en-US,en;q=0.8").send().await.unwrap().text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\""));
        assert!(html.contains("Hanoi Supporting Industries Fair 2026"));
        assert!(html.contains("16–18 Dec 2026"));

        // The language cookie beats Accept-Language.
        let html = c.get(format!("{base}/")).header("accept-language", "vi").header("cookie", "fl_lang=en").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Hanoi Supporting Industries Fair 2026"));

        let res = c.get(format!("{base}/no/such/page")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("Không tìm thấy trang"));
        let res = c.get(format!("{base}/account")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

        assert_eq!(c.get(format!("{base}/healthz")).send().await.unwrap().status(), StatusCode::OK);
        assert_eq!(c.get(format!("{base}/readyz")).send().await.unwrap().status(), StatusCode::OK);
        srv.stop().await;
    }
}

db_test! {
    async fn the_language_switch_sticks(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        let c = client(&base);
        let res = c.post(format!("{base}/api/prefs/locale")).form(&[("locale", "en")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let cookie = res.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("fl_lang=en;") && cookie.contains("Max-Age=31536000"), "{cookie}");
        let html = c.get(format!("{base}/login")).header("accept-language", "vi").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<html lang=\"en\""));
        let (status, body) = post(&c, &base, "/api/prefs/locale", &[("locale", "fr")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_locale");
        srv.stop().await;
    }
}

db_test! {
    async fn organisers_invite_staff_who_may_only_scan(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        create(&db, "boss@fairlink.example", Role::Organiser).await;
        let organiser = client(&base);
        post(&organiser, &base, "/api/auth/login", &[("email", "boss@fairlink.example"), ("password", PASSWORD)]).await;
        let (status, body) = post(&organiser, &base, "/api/admin/invite_staff", &[("name", "Đỗ Văn Cửa"), ("email", "cua@fairlink.example")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let link = body["link"].as_str().unwrap().to_string();
        assert!(link.starts_with(&format!("{base}/invite/")), "{link}");
        let token = link.rsplit('/').next().unwrap().to_string();

        let staff = client(&base);
        let page = staff.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("Đỗ Văn Cửa"));
        let (status, body) = post(&staff, &base, "/api/auth/accept_invite", &[("token", &token), ("password", "short")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = post(&staff, &base, "/api/auth/accept_invite", &[("token", &token), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user"]["role"], "staff");
        let (status, _) = post(&staff, &base, "/api/admin/overview", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = post(&client(&base), &base, "/api/auth/accept_invite", &[("token", &token), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::GONE, "{body}");
        assert_eq!(staff.get(&link).send().await.unwrap().status(), StatusCode::GONE);

        let (_, invites) = post(&organiser, &base, "/api/admin/invites", &[]).await;
        assert_eq!(invites[0]["state"], "Accepted");
        srv.stop().await;
    }
}

db_test! {
    async fn changing_the_password_signs_out_other_browsers(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        create(&db, "huy@buyer.example", Role::Visitor).await;
        let (a, b) = (client(&base), client(&base));
        for c in [&a, &b] {
            let (status, _) = post(c, &base, "/api/auth/login", &[("email", "huy@buyer.example"), ("password", PASSWORD)]).await;
            assert_eq!(status, StatusCode::OK);
        }
        let (status, body) = post(&a, &base, "/api/auth/password", &[("current_password", "nope nope nope"), ("new_password", "another long password")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "wrong_password");
        let (status, _) = post(&a, &base, "/api/auth/password", &[("current_password", PASSWORD), ("new_password", "another long password")]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(a.get(format!("{base}/account")).send().await.unwrap().status(), StatusCode::OK);
        assert_eq!(b.get(format!("{base}/account")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        srv.stop().await;
    }
}

db_test! {
    async fn the_public_page_cache_never_leaks_a_session(db: Db) {
        fairlink::seed::run(&db, Utc::now()).await.unwrap();
        create(&db, "thu@buyer.example", Role::Visitor).await;
        let srv = serve(&db).await;
        let base = srv.url();
        let anon = reqwest::Client::new();
        let nonce = |csp: &str| csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_string();

        let mut seen = Vec::new();
        for _ in 0..3 {
            let res = anon.get(format!("{base}/")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{:?}", res.headers());
            let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
            let html = res.text().await.unwrap();
            let n = nonce(&csp);
            assert!(html.contains(&format!("nonce=\"{n}\"")), "the page carries the header's nonce");
            assert!(!seen.contains(&n), "every response gets a fresh nonce");
            seen.push(n);
        }

        let signed_in = client(&base);
        post(&signed_in, &base, "/api/auth/login", &[("email", "thu@buyer.example"), ("password", PASSWORD)]).await;
        let html = signed_in.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Xin chào, Phạm Quang Huy"), "signed-in pages are personal");
        let html = anon.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("Phạm Quang Huy"), "and never reach anyone else");
        assert!(html.contains("Đăng nhập"));
        srv.stop().await;
    }
}

db_test! {
    async fn a_forgotten_password_is_reset_through_the_mailed_link(db: Db) {
        let smtp = SmtpServer::start();
        let srv = serve_with(&db, Some(&smtp)).await;
        let base = srv.url();
        create(&db, "quen@firm.example", Role::Exhibitor).await;
        let c = client(&base);
        let (status, _) = post(&c, &base, "/api/auth/forgot", &[("email", "quen@firm.example")]).await;
        assert_eq!(status, StatusCode::OK);
        // Unknown addresses get the same answer.
        let (status, _) = post(&c, &base, "/api/auth/forgot", &[("email", "nobody@firm.example")]).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = post(&c, &base, "/api/auth/forgot", &[("email", "not-an-address")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        let raw = smtp.wait_for(1).remove(0);
        let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(msg.to().unwrap().first().unwrap().address(), Some("quen@firm.example"));
        let link = link_in(&raw, "reset");
        assert!(link.starts_with(&format!("{base}/reset/")), "{link}");
        let token = link.rsplit('/').next().unwrap().to_string();

        let page = c.get(&link).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let (status, body) = post(&c, &base, "/api/auth/reset", &[("token", &token), ("password", "my brand new password")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["next"], "/account?reset=1");
        let (status, _) = post(&client(&base), &base, "/api/auth/login", &[("email", "quen@firm.example"), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = post(&client(&base), &base, "/api/auth/login", &[("email", "quen@firm.example"), ("password", "my brand new password")]).await;
        assert_eq!(status, StatusCode::OK);
        // Spent.
        assert_eq!(c.get(&link).send().await.unwrap().status(), StatusCode::GONE);
        let (status, body) = post(&c, &base, "/api/auth/reset", &[("token", &token), ("password", "another new password")]).await;
        assert_eq!(status, StatusCode::GONE);
        assert_eq!(body["code"], "link_invalid");
        assert_eq!(smtp.messages().len(), 1, "one mail for one known address");
        srv.stop().await;
    }
}

db_test! {
    async fn new_accounts_confirm_their_address(db: Db) {
        let smtp = SmtpServer::start();
        let srv = serve_with(&db, Some(&smtp)).await;
        let base = srv.url();
        let c = client(&base);
        let (status, _) = post(&c, &base, "/api/auth/signup", &[
            ("name", "Hoàng Minh Châu"), ("email", "chau@buyer.example"), ("password", PASSWORD), ("role", "visitor"),
        ]).await;
        assert_eq!(status, StatusCode::OK);
        let account = c.get(format!("{base}/account")).send().await.unwrap().text().await.unwrap();
        assert!(account.contains("Chưa xác nhận"));
        let raw = smtp.wait_for(1).remove(0);
        let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(msg.subject(), Some("Xác nhận địa chỉ email của bạn"));
        assert_eq!(msg.to().unwrap().first().unwrap().name(), Some("Hoàng Minh Châu"));
        let link = link_in(&raw, "verify");
        let token = link.rsplit('/').next().unwrap().to_string();
        // Following the link only shows a button: mail scanners that fetch
        // links confirm nothing.
        assert_eq!(c.get(&link).send().await.unwrap().status(), StatusCode::OK);
        let account = c.get(format!("{base}/account")).send().await.unwrap().text().await.unwrap();
        assert!(account.contains("Chưa xác nhận"));
        let (status, _) = post(&c, &base, "/api/auth/verify", &[("token", &token)]).await;
        assert_eq!(status, StatusCode::OK);
        let account = c.get(format!("{base}/account")).send().await.unwrap().text().await.unwrap();
        assert!(account.contains("Đã xác nhận"), "the account now shows the address confirmed");
        srv.stop().await;
    }
}

db_test! {
    async fn organisers_see_outgoing_mail_and_send_dead_mail_again(db: Db) {
        let mut smtp = SmtpServer::reserve();
        let srv = serve_with(&db, Some(&smtp)).await;
        let base = srv.url();
        create(&db, "boss@fairlink.example", Role::Organiser).await;
        let organiser = client(&base);
        post(&organiser, &base, "/api/auth/login", &[("email", "boss@fairlink.example"), ("password", PASSWORD)]).await;
        let (status, _) = post(&organiser, &base, "/api/admin/invite_staff", &[("name", "Lý Văn Gác"), ("email", "gac@fairlink.example")]).await;
        assert_eq!(status, StatusCode::OK);
        let id = {
            use fairlink::mail::entity::outbox;
            use sea_orm::EntityTrait;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let rows = outbox::Entity::find().all(db.read()).await.unwrap();
                // The first attempt failed and was recorded (queued again, with its error).
                if let Some(r) = rows.iter().find(|r| r.attempts >= 1 && r.status == "queued" && r.last_error.is_some()) {
                    break r.id;
                }
                assert!(std::time::Instant::now() < deadline, "the worker never tried");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        };
        // Make the failed mail dead, as after its last attempt.
        {
            use fairlink::mail::entity::outbox;
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
            outbox::Entity::update_many()
                .col_expr(outbox::Column::Status, Expr::value("dead"))
                .filter(outbox::Column::Id.eq(id))
                .exec(db.write())
                .await
                .unwrap();
        }
        let list = organiser.get(format!("{base}/organiser/mail?status=dead")).send().await.unwrap();
        assert_eq!(list.status(), StatusCode::OK);
        let html = list.text().await.unwrap();
        assert!(html.contains("Lời mời tham gia đội soát vé hội chợ"), "the dead mail is listed");
        let detail = organiser.get(format!("{base}/organiser/mail/{id}")).send().await.unwrap().text().await.unwrap();
        assert!(detail.contains("gac@fairlink.example") && detail.contains("Gửi lại"));

        let visitor = client(&base);
        create(&db, "v@buyer.example", Role::Visitor).await;
        post(&visitor, &base, "/api/auth/login", &[("email", "v@buyer.example"), ("password", PASSWORD)]).await;
        let id_text = id.to_string();
        let (status, _) = post(&visitor, &base, "/api/admin/mail_retry", &[("id", id_text.as_str())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(visitor.get(format!("{base}/organiser/mail")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let (status, _) = post(&visitor, &base, "/api/admin/mail", &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        smtp.resume();
        let (status, body) = post(&organiser, &base, "/api/admin/mail_retry", &[("id", id_text.as_str())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let raw = smtp.wait_for(1).remove(0);
        assert!(link_in(&raw, "invite").starts_with(&format!("{base}/invite/")));
        srv.stop().await;
    }
}

db_test! {
    async fn metrics_count_requests_by_route_and_read_the_fair_from_the_database(db: Db) {
        let server = serve(&db).await;
        let base = server.url();
        let c = reqwest::Client::new();
        for _ in 0..3 {
            assert_eq!(c.get(format!("{base}/healthz")).send().await.unwrap().status(), StatusCode::OK);
        }
        assert_eq!(c.get(format!("{base}/exhibitors/not-a-firm")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        // One mail queued: the outbox shows it.
        accounts::sign_up(&db, NewAccount { email: "metrics@x.vn".into(), name: "M".into(), password: PASSWORD.into(), role: Role::Visitor, locale: Locale::Vi }, "127.0.0.1", &fairlink::mail::Links::new(&base), Utc::now()).await.unwrap();
        let res = c.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        let text = res.text().await.unwrap();
        assert!(text.contains("fairlink_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 3"), "{text}");
        assert!(text.contains("fairlink_http_request_duration_seconds_count{route=\"/healthz\"} 3"), "{text}");
        assert!(text.contains("status=\"404\"}"), "{text}");
        // (Queued, sending or already sent by the worker: one in all.)
        let mails: f64 = text.lines().filter(|l| l.starts_with("fairlink_outbox_mails{")).map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap()).sum();
        assert_eq!(mails, 1.0, "{text}");
        assert!(text.contains("fairlink_meetings_scheduled 0"), "{text}");
        assert!(text.contains("fairlink_database_up 1"), "{text}");
        // Every sample line is "name{labels} number".
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
        server.stop().await;
    }
}

db_test! {
    async fn catalogue_searches_are_limited_per_address(db: Db) {
        let mail_dir = std::env::temp_dir().join(format!("fairlink-http-mail-{}", uuid::Uuid::new_v4().simple()));
        let config = Config::from_lookup(|k| match k {
            "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
            "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
            "FAIRLINK_TRUST_PROXY" => Some("true".to_string()),
            "FAIRLINK_SEARCH_RATE" => Some("0.5".to_string()),
            _ => None,
        })
        .unwrap();
        let server = fairlink_server::start(config, db.clone()).await.unwrap();
        let base = server.url();
        let c = reqwest::Client::new();
        let get = |ip: &'static str, lang: &'static str| {
            c.get(format!("{base}/exhibitors?q=nhua")).header("x-forwarded-for", ip).header("cookie", format!("fl_lang={lang}")).send()
        };
        // A burst of three times the rate (1.5: one), then refused.
        assert_eq!(get("198.51.100.7", "en").await.unwrap().status(), StatusCode::OK);
        let refused = get("198.51.100.7", "en").await.unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=2).contains(&wait), "{wait}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "too_many_attempts");
        // In the reader's language.
        let vi = get("198.51.100.7", "vi").await.unwrap();
        assert_eq!(vi.status(), StatusCode::TOO_MANY_REQUESTS);
        let vi_text = vi.text().await.unwrap();
        let en_text = body["message"].as_str().unwrap_or_default().to_string();
        assert_ne!(vi_text, "");
        assert!(!en_text.is_empty() && !vi_text.contains(&en_text), "{vi_text} / {en_text}");
        // Another address has its own allowance; other pages are not limited.
        assert_eq!(get("203.0.113.8", "en").await.unwrap().status(), StatusCode::OK);
        for _ in 0..5 {
            let res = c.get(format!("{base}/healthz")).header("x-forwarded-for", "198.51.100.7").send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
        }
        server.stop().await;
    }
}

db_test! {
    async fn next_targets_and_form_redirects_never_leave_the_site_or_break(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        create(&db, "boss@fairlink.example", Role::Organiser).await;
        // A plain form post (no JavaScript) signing in with hostile `next`s:
        // a tab (browsers drop it: `//evil.example`), a control character
        // (no header may carry it), a backslash.
        for next in ["/\t/evil.example", "/\u{1}", "/\\evil.example", " //evil.example", "/%2F%2Fevil.example"] {
            let c = client(&base);
            let res = c
                .post(format!("{base}/api/auth/login"))
                .header("accept", "text/html")
                .form(&[("email", "boss@fairlink.example"), ("password", PASSWORD), ("next", next)])
                .send()
                .await
                .unwrap_or_else(|e| panic!("{next:?}: the request failed ({e}): did the server panic?"));
            assert!(res.status().is_redirection(), "{next:?}: {}", res.status());
            let location = res.headers()["location"].to_str().unwrap().to_string();
            // A path of this site: one slash, then nothing a browser reads
            // as a host (`%2F` stays a character of the path).
            assert!(location.starts_with('/') && !location.starts_with("//"), "{next:?} went to {location}");
            assert!(location.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'\\'), "{next:?} went to {location:?}");
            if !next.starts_with("/%2F") {
                assert!(!location.contains("evil"), "{next:?} went to {location}");
            }
        }
        // A slug with a control character in a plain form post: a clear 404,
        // not a dropped connection.
        let visitor = client(&base);
        let (status, _) = post(&visitor, &base, "/api/auth/signup", &[("name", "Lê Minh Anh"), ("email", "anh@buyer.example"), ("password", PASSWORD), ("role", "visitor")]).await;
        assert_eq!(status, StatusCode::OK);
        let res = visitor
            .post(format!("{base}/api/meetings/feed_renew"))
            .header("accept", "text/html")
            .form(&[("slug", "x\u{1}y")])
            .send()
            .await
            .expect("an answer, not a dropped connection");
        assert!(res.status() == StatusCode::NOT_FOUND || res.status().is_redirection(), "{}", res.status());
        // The server is still up.
        assert_eq!(reqwest::get(format!("{base}/healthz")).await.unwrap().status(), StatusCode::OK);
        srv.stop().await;
    }
}

db_test! {
    async fn a_trailing_slash_is_one_address_with_its_limits(db: Db) {
        let mail_dir = std::env::temp_dir().join(format!("fairlink-http-mail-{}", uuid::Uuid::new_v4().simple()));
        let config = Config::from_lookup(|k| match k {
            "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
            "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
            // One search a second, a burst of three.
            "FAIRLINK_SEARCH_RATE" => Some("1".to_string()),
            _ => None,
        })
        .unwrap();
        let srv = fairlink_server::start(config, db.clone()).await.unwrap();
        let base = srv.url();
        let c = client(&base);
        let res = c.get(format!("{base}/exhibitors/?q=khuon")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(res.headers()["location"], "/exhibitors?q=khuon");
        // However many slashes, and never to another host.
        let res = c.get(format!("{base}/exhibitors///")).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/exhibitors");
        let res = c.get(format!("{base}//evil.example/")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = c.post(format!("{base}/api/firms/catalogue/")).form(&[("q", "x")]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // The catalogue's limit holds for the page, whatever the spelling.
        let mut limited = false;
        for _ in 0..6 {
            let res = c.get(format!("{base}/exhibitors?q=khuon")).send().await.unwrap();
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                assert!(res.headers().contains_key("retry-after"));
                limited = true;
                break;
            }
        }
        assert!(limited, "six searches at once pass a limit of a burst of three");
        srv.stop().await;
    }
}
