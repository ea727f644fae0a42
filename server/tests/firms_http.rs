//! Firms over HTTP: registration with an uploaded certificate, review,
//! the catalogue, files, import and export, and who may do what.

use chrono::Utc;
use fairlink::accounts::{self, NewAccount, Role};
use fairlink::db::Db;
use fairlink::firms::entity::{certificate, upload};
use fairlink::{Locale, db_test};
use fairlink_server::Running;
use fairlink_server::config::Config;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n";

async fn serve(db: &Db) -> Running {
    let mail_dir = std::env::temp_dir().join(format!(
        "fairlink-firms-mail-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let config = Config::from_lookup(|k| match k {
        "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
        "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
        // These tests read the catalogue right after changing it.
        "FAIRLINK_PAGE_CACHE_SECONDS" => Some("0".to_string()),
        _ => None,
    })
    .unwrap();
    fairlink_server::start(config, db.clone()).await.unwrap()
}

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

/// A client signed in to a new account whose address is confirmed.
async fn signed_in(db: &Db, base: &str, email: &str, role: Role) -> reqwest::Client {
    let user = accounts::create_account(
        db,
        NewAccount {
            email: email.into(),
            name: "Lương Thị Mai".into(),
            password: PASSWORD.into(),
            role,
            locale: Locale::Vi,
        },
        Utc::now(),
    )
    .await
    .unwrap();
    fairlink::testing::confirm_email(db, user.id).await;
    let c = client(base);
    let (status, _) = post(
        &c,
        base,
        "/api/auth/login",
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    c
}

fn profile_form<'a>(tax_code: &'a str, name: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("legal_name", name),
        ("name_en", "Thang Long Die Casting Co., Ltd."),
        ("tax_code", tax_code),
        ("sector_group", "components"),
        ("address", "Lô CN-3, KCN Thăng Long, Đông Anh"),
        ("province", "ha_noi"),
        ("website", ""),
        ("contact_name", "Lương Thị Mai"),
        ("contact_email", "mai@ducthanglong.example"),
        ("contact_phone", "024 3888 1234"),
        ("employees", "250"),
        ("revenue_band", ""),
        ("founded_year", "2009"),
        ("description_vi", "Đúc áp lực vỏ hộp số cho xe máy."),
        (
            "description_en",
            "Die-cast gearbox housings for motorcycles.",
        ),
        ("customers", ""),
    ]
}

fn certificate_form(filename: &str, bytes: Vec<u8>, mime: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text("kind", "iatf_16949")
        .text("other_name", "")
        .text("number", "IATF-0412345")
        .text("issuer", "TÜV Rheinland Việt Nam")
        .text("issued_on", "2024-05-01")
        .text("expires_on", "2027-04-30")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(filename.to_string())
                .mime_str(mime)
                .unwrap(),
        )
}

db_test! {
    async fn a_firm_registers_is_approved_and_is_found(db: Db) {
        fairlink::seed::run(&db, Utc::now()).await.unwrap();
        let srv = serve(&db).await;
        let base = srv.url();
        let ex = signed_in(&db, &base, "mai@ducthanglong.example", Role::Exhibitor).await;
        let (status, body) = post(&ex, &base, "/api/firm/save", &profile_form("0314409058", "Công ty TNHH Đúc Thăng Long Mới")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let res = ex.post(format!("{base}/firm/certificates")).multipart(certificate_form("IATF 16949.pdf", PDF.to_vec(), "application/pdf")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(res.headers()["location"].to_str().unwrap().contains("saved=certificate"));
        let res = ex.post(format!("{base}/firm/capabilities")).form(&[("processes", "die_casting"), ("processes", "cnc_machining"), ("markets", "jp")]).send().await.unwrap();
        assert!(res.headers()["location"].to_str().unwrap().contains("saved=capabilities"));
        let (status, _) = post(&ex, &base, "/api/firm/submit", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let mine: Value = ex.post(format!("{base}/api/firm/mine")).send().await.unwrap().json().await.unwrap();
        let firm_id = mine["firm"]["id"].as_str().unwrap().to_string();
        assert_eq!(mine["firm"]["status"], "submitted");
        assert_eq!(mine["firm"]["processes"], serde_json::json!(["die_casting", "cnc_machining"]));
        let cert_id = mine["firm"]["certificates"][0]["id"].as_str().unwrap().to_string();
        let scan = mine["firm"]["certificates"][0]["scan"].as_str().unwrap().to_string();

        // Not yet public.
        let anon = reqwest::Client::new();
        assert_eq!(anon.get(format!("{base}/exhibitors/{firm_id}")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let html = anon.get(format!("{base}/exhibitors?q=duc+thang+long+moi")).send().await.unwrap().text().await.unwrap();
        assert!(!html.contains("Đúc Thăng Long Mới"));
        // The scan: the firm and organisers only.
        let file = ex.get(format!("{base}/files/{scan}")).send().await.unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.headers()["content-type"], "application/pdf");
        assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
        assert_eq!(anon.get(format!("{base}/files/{scan}")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let other = signed_in(&db, &base, "other@firm.example", Role::Exhibitor).await;
        assert_eq!(other.get(format!("{base}/files/{scan}")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        // Only organisers decide; organisers verify and approve.
        let (status, _) = post(&ex, &base, "/api/admin/decide", &[("id", &firm_id), ("decision", "approve"), ("reason", "")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let org = signed_in(&db, &base, "boss@fairlink.example", Role::Organiser).await;
        assert_eq!(org.get(format!("{base}/files/{scan}")).send().await.unwrap().status(), StatusCode::OK);
        let queue = org.get(format!("{base}/organiser/firms")).send().await.unwrap().text().await.unwrap();
        assert!(queue.contains("Công ty TNHH Đúc Thăng Long Mới"));
        let (status, body) = post(&org, &base, "/api/admin/verify_certificate", &[("firm", &firm_id), ("certificate", &cert_id), ("verified", "true")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = post(&org, &base, "/api/admin/decide", &[("id", &firm_id), ("decision", "approve"), ("reason", "")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = post(&org, &base, "/api/admin/decide", &[("id", &firm_id), ("decision", "approve"), ("reason", "")]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        // Now anyone finds it, typing without diacritics.
        let html = anon.get(format!("{base}/exhibitors?q=duc+thang+long+moi")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("/exhibitors/{firm_id}")), "found in the catalogue");
        let html = anon.get(format!("{base}/exhibitors?certificate=iatf_16949&market=jp&q=thang+long+moi")).header("accept-language", "en").send().await.unwrap().text().await.unwrap();
        assert!(html.contains("Thang Long Die Casting Co., Ltd."));
        let page = anon.get(format!("{base}/exhibitors/{firm_id}")).header("accept-language", "en").send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let page = page.text().await.unwrap();
        assert!(page.contains("Die-cast gearbox housings for motorcycles."));
        assert!(page.contains("Verified"));
        assert!(!page.contains("mai@ducthanglong.example"), "contacts are for signed-in readers");
        let bad = anon.get(format!("{base}/exhibitors?market=atlantis")).send().await.unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        srv.stop().await;
    }
}

db_test! {
    async fn uploads_and_roles_are_checked(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        let visitor = signed_in(&db, &base, "v@buyer.example", Role::Visitor).await;
        let (status, _) = post(&visitor, &base, "/api/firm/save", &profile_form("0314409058", "Công ty Khách")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let res = visitor.post(format!("{base}/firm/certificates")).multipart(certificate_form("a.pdf", PDF.to_vec(), "application/pdf")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let ex = signed_in(&db, &base, "ex@firm.example", Role::Exhibitor).await;
        // No firm yet.
        let res = ex.post(format!("{base}/firm/certificates")).multipart(certificate_form("a.pdf", PDF.to_vec(), "application/pdf")).send().await.unwrap();
        assert!(res.headers()["location"].to_str().unwrap().contains("error=no_firm"));
        post(&ex, &base, "/api/firm/save", &profile_form("0314409058", "Công ty TNHH Đúc Thăng Long Mới")).await;
        for (name, bytes, mime, code) in [
            ("scan.pdf", b"MZ\x90\x00this is no pdf".to_vec(), "application/pdf", "invalid_file"),
            ("scan.png", PDF.to_vec(), "image/png", "invalid_file"),
            ("../../etc/passwd.pdf", PDF.to_vec(), "application/pdf", "invalid_file"),
        ] {
            let res = ex.post(format!("{base}/firm/certificates")).multipart(certificate_form(name, bytes, mime)).send().await.unwrap();
            let location = res.headers()["location"].to_str().unwrap().to_string();
            assert!(location.contains(&format!("error={code}")), "{name}: {location}");
        }
        // Too large: refused from its announced size.
        let mut big = PDF.to_vec();
        big.resize(fairlink::firms::uploads::SCAN_MAX_BYTES + 200 * 1024, b' ');
        let res = ex.post(format!("{base}/firm/certificates")).multipart(certificate_form("big.pdf", big, "application/pdf")).send().await;
        match res {
            Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
            Err(e) => assert!(e.is_request(), "{e}"),
        }
        assert_eq!(upload::Entity::find().count(db.read()).await.unwrap(), 0, "nothing stored");
        assert_eq!(certificate::Entity::find().count(db.read()).await.unwrap(), 0);

        // Organiser-only pages and files.
        for path in ["/organiser/firms", "/organiser/figures", "/organiser/import"] {
            assert_eq!(ex.get(format!("{base}{path}")).send().await.unwrap().status(), StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(ex.get(format!("{base}/organiser/export/catalogue.csv")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
        let (status, _) = post(&ex, &base, "/api/admin/firm_queue", &[("status", ""), ("page", "0")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        srv.stop().await;
    }
}

db_test! {
    async fn organisers_import_and_export(db: Db) {
        let srv = serve(&db).await;
        let base = srv.url();
        let org = signed_in(&db, &base, "boss@fairlink.example", Role::Organiser).await;
        let header = fairlink::firms::IMPORT_COLUMNS.join(",");
        let good = format!(
            "{header}\n0314409058,Công ty TNHH Nhựa Nhập Khẩu,Imported Plastics Co,components,Hà Nội,Lô 9 KCN Thăng Long,,Lê Văn Tư,tu@import.example,024 3999 0000,80,,2012,injection_moulding,abs,jp,Ốp nhựa|Plastic covers|3926.90,,\n"
        );
        let broken = good.replace("0314409058", "0314409059");
        for (csv, ok) in [(broken, false), (good, true)] {
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("firms.csv").mime_str("text/csv").unwrap());
            let res = org.post(format!("{base}/organiser/import")).multipart(form).send().await.unwrap();
            let location = res.headers()["location"].to_str().unwrap().to_string();
            let file = location.split("file=").nth(1).unwrap().to_string();
            let page = org.get(format!("{base}{location}")).send().await.unwrap().text().await.unwrap();
            if ok {
                assert!(page.contains("Nhập dữ liệu"), "the preview offers the import");
                let (status, body) = post(&org, &base, "/api/admin/import_apply", &[("file", &file)]).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            } else {
                assert!(page.contains("Mã số thuế không hợp lệ."), "the error is listed");
                let (status, body) = post(&org, &base, "/api/admin/import_apply", &[("file", &file)]).await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
                assert_eq!(body["code"], "import_invalid");
            }
        }
        let html = reqwest::get(format!("{base}/exhibitors?q=nhua+nhap+khau")).await.unwrap().text().await.unwrap();
        assert!(html.contains("Công ty TNHH Nhựa Nhập Khẩu"));

        let csv = org.get(format!("{base}/organiser/export/catalogue.csv")).send().await.unwrap();
        assert_eq!(csv.status(), StatusCode::OK);
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(csv.text().await.unwrap().contains("Công ty TNHH Nhựa Nhập Khẩu"));
        let xlsx = org.get(format!("{base}/organiser/export/approvals.xlsx")).send().await.unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
        assert_eq!(org.get(format!("{base}/organiser/export/secrets.txt")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let figures = org.get(format!("{base}/organiser/figures")).send().await.unwrap().text().await.unwrap();
        assert!(figures.contains("<svg"), "charts are drawn on the server");
        srv.stop().await;
    }
}

db_test! {
    async fn names_are_text_in_every_page_head_and_form(db: Db) {
        use fairlink::firms::entity::firm;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let srv = serve(&db).await;
        let base = srv.url();
        let ex = signed_in(&db, &base, "mai@ducthanglong.example", Role::Exhibitor).await;
        // Names with markup are refused where they are typed...
        let mut form = profile_form("0314409058", "Zz</title><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">");
        let (status, body) = post(&ex, &base, "/api/firm/save", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_field"), Some("legal_name")));
        form[0].1 = "Công ty TNHH Đúc Thăng Long";
        let evil_description = "</textarea><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">";
        let (_, d) = form.iter_mut().find(|(k, _)| *k == "description_en").unwrap();
        *d = evil_description;
        let (status, body) = post(&ex, &base, "/api/firm/save", &form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // ...and a name stored before that rule, or by an import, is still
        // only text in the page's title.
        let evil = "Zz</title><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">";
        let id = firm::Entity::find().one(db.read()).await.unwrap().unwrap().id;
        firm::Entity::update_many()
            .col_expr(firm::Column::LegalName, Expr::value(evil))
            .col_expr(firm::Column::NameEn, Expr::value(evil))
            .col_expr(firm::Column::Status, Expr::value("approved"))
            .filter(firm::Column::Id.eq(id))
            .exec(db.write())
            .await
            .unwrap();
        for lang in ["vi", "en"] {
            let page = reqwest::Client::new()
                .get(format!("{base}/exhibitors/{id}"))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let head = &page[..page.find("</head>").expect("a head")];
            let title = &head[head.find("<title>").expect("a title")..];
            let title = &title[..title.find("</title>").expect("a closed title") + "</title>".len()];
            assert_eq!(title.matches("</title>").count(), 1, "{lang}: {title}");
            assert!(title.starts_with("<title>Zz&lt;/title&gt;&lt;meta"), "{lang}: {title}");
            assert!(!page.contains("<meta http-equiv"), "{lang}: markup in the page");
        }
        // The firm's own form shows the description as text.
        let page = ex.get(format!("{base}/firm")).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("<meta http-equiv"), "markup out of a textarea");
        assert!(page.contains("&lt;/textarea&gt;&lt;meta http-equiv"), "the description shown as typed");
        srv.stop().await;
    }
}
