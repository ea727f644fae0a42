//! Booths over HTTP: holding, confirming and the invoice without
//! JavaScript, who may call which booth function, and hall plans exported
//! and imported through their own routes.

use chrono::Utc;
use fairlink::accounts::{Role, SessionUser};
use fairlink::booths::plan::{COLUMNS, Plan};
use fairlink::booths::{self, BoothStatus, ClaimView, claim_state};
use fairlink::db::Db;
use fairlink::db_test;
use fairlink::mail::Links;
use fairlink::testing::{booth_fixture, users};
use fairlink_server::Running;
use fairlink_server::config::Config;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use uuid::Uuid;

/// The password `testing::users` gives every account.
const PASSWORD: &str = "correct horse battery";
/// What a browser sends when it submits a form and navigates.
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn serve(db: &Db) -> Running {
    let mail_dir =
        std::env::temp_dir().join(format!("fairlink-booths-mail-{}", Uuid::new_v4().simple()));
    let config = Config::from_lookup(|k| match k {
        "FAIRLINK_ADDR" => Some("127.0.0.1:0".to_string()),
        "FAIRLINK_MAIL_DIR" => Some(mail_dir.display().to_string()),
        // Pages are read right after booths change.
        "FAIRLINK_PAGE_CACHE_SECONDS" => Some("0".to_string()),
        _ => None,
    })
    .unwrap();
    fairlink_server::start(config, db.clone()).await.unwrap()
}

/// Keeps cookies, sends our Origin, does not follow redirects.
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

/// A server-function call as the page's script makes it: the answer is data.
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

/// A plain HTML form submitted by a browser without JavaScript: it accepts
/// HTML and names the page the form was on.
async fn form_post(
    c: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
    referer: &str,
) -> reqwest::Response {
    c.post(format!("{base}{path}"))
        .header("accept", BROWSER_ACCEPT)
        .header("referer", referer)
        .form(form)
        .send()
        .await
        .unwrap()
}

async fn signed_in(base: &str, email: &str) -> reqwest::Client {
    let c = client(base);
    let (status, body) = post(
        &c,
        base,
        "/api/auth/login",
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "sign-in of {email}: {body}");
    c
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location header ({})", res.status()))
        .to_str()
        .unwrap()
        .to_string()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// One value of an address's query, decoded.
fn query_value(url: &str, key: &str) -> Option<String> {
    let without_fragment = url.split('#').next().unwrap_or(url);
    let (_, query) = without_fragment.split_once('?')?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode(v))
    })
}

/// Base64 with the URL-safe alphabet (padding optional).
fn base64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            other => panic!("not base64: {:?}", other as char),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1u32 << bits) - 1;
        }
    }
    out
}

/// The booth ids carried by the page's plain hold forms.
fn hold_forms(html: &str) -> Vec<String> {
    html.split(r#"action="/api/booths/hold""#)
        .skip(1)
        .map(|rest| {
            let form = &rest[..rest.find("</form>").expect("the hold form ends")];
            assert!(
                form.contains(r#"name="booth""#) && form.contains(r#"type="hidden""#),
                "a hidden booth field: {form}"
            );
            let value = form.split(r#"value=""#).nth(1).expect("the booth's id");
            value[..value.find('"').unwrap()].to_string()
        })
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

async fn slug_of(db: &Db, fair_id: Uuid) -> String {
    booths::setup(db, fair_id).await.unwrap().fair.slug
}

/// A claim of the user's firm, as the database has it now.
async fn claim_of(db: &Db, user: &SessionUser, id: Uuid) -> ClaimView {
    booths::my_claims(db, user, Utc::now())
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == id)
        .expect("the claim belongs to the user's firm")
}

async fn status_of(db: &Db, fair_id: Uuid, booth: Uuid) -> BoothStatus {
    booths::fair_map(db, fair_id, None, Utc::now())
        .await
        .unwrap()
        .booths
        .iter()
        .find(|b| b.id == booth)
        .unwrap()
        .status
}

async fn booth_codes(db: &Db, hall: Uuid) -> Vec<String> {
    booths::hall_plan(db, hall)
        .await
        .unwrap()
        .1
        .booths
        .into_iter()
        .map(|b| b.code)
        .collect()
}

/// Posts a plan file to a hall, as the hall page's upload form does.
async fn send_plan(
    c: &reqwest::Client,
    base: &str,
    hall: Uuid,
    file_name: &str,
    body: &str,
    mime: &str,
    back: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("back", back.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(body.as_bytes().to_vec())
                .file_name(file_name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
    c.post(format!("{base}/organiser/halls/{hall}/plan"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

db_test! {
    async fn a_booth_is_held_confirmed_and_invoiced_without_javascript(db: Db) {
        let fx = booth_fixture(&db, 4).await;
        let slug = slug_of(&db, fx.fair_id).await;
        let exhibitors = users(&db, 2, Role::Exhibitor, "stand").await;
        let (first, second) = (&exhibitors[0], &exhibitors[1]);
        let srv = serve(&db).await;
        let base = srv.url();
        let a = signed_in(&base, &first.email).await;
        let b = signed_in(&base, &second.email).await;
        let organiser = signed_in(&base, &fx.organiser.email).await;
        let anon = client(&base);
        let list = format!("{base}/fairs/{slug}/booths");
        let all: Vec<String> = fx.booths.iter().map(Uuid::to_string).collect();

        // The list: every booth, the free ones with a plain form each.
        let page = a.get(&list).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("A-0001") && html.contains("A-0004"), "booth codes listed");
        assert!(html.contains(r#"method="post" action="/api/booths/hold""#), "a plain form, no script needed");
        assert_eq!(sorted(hold_forms(&html)), sorted(all.clone()));
        // Signed out: the same booths, nothing to hold.
        let page = anon.get(&list).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("A-0001"));
        assert!(hold_forms(&html).is_empty(), "no hold forms for a reader who cannot book");

        // Holding: the browser is sent on to its bookings.
        let booth = fx.booths[0].to_string();
        let res = form_post(&a, &base, "/api/booths/hold", &[("booth", &booth)], &list).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let to = location(&res);
        assert!(to.starts_with("/bookings?held=A-0001#claim-"), "{to}");
        let claim_id: Uuid = to.rsplit("#claim-").next().unwrap().parse().unwrap();
        let held = claim_of(&db, first, claim_id).await;
        assert_eq!(held.state, claim_state::HELD);
        assert_eq!(held.booth_id, fx.booths[0]);
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[0]).await, BoothStatus::Held);

        let page = a.get(format!("{base}/bookings")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("A-0001"), "the held booth is shown");
        assert!(html.contains(&format!("claim-{claim_id}")), "with its hold");
        let page = b.get(format!("{base}/bookings")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(!page.text().await.unwrap().contains(&format!("claim-{claim_id}")), "another firm's hold stays private");
        // The other firm's list no longer offers the held booth.
        let html = b.get(&list).send().await.unwrap().text().await.unwrap();
        assert_eq!(sorted(hold_forms(&html)), sorted(all[1..].to_vec()));

        // No invoice for a hold.
        let invoice = format!("{base}/bookings/{claim_id}/invoice.pdf");
        assert_eq!(a.get(&invoice).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        // Confirming with a ticked extra.
        let claim = claim_id.to_string();
        let res = form_post(&a, &base, "/api/booths/confirm", &[("claim", &claim), ("power_3kw", "on")], &format!("{base}/bookings")).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), format!("/bookings?confirmed=A-0001#claim-{claim_id}"));
        let booked = claim_of(&db, first, claim_id).await;
        assert_eq!(booked.state, claim_state::CONFIRMED);
        assert_eq!(booked.options, vec!["power_3kw".to_string()]);
        let invoice_no = booked.invoice_no.clone().expect("an invoice number");
        assert_eq!(invoice_no, "PF2030-00001");
        let html = a.get(format!("{base}/bookings")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("/bookings/{claim_id}/invoice.pdf")), "the page links the invoice");
        // Confirming twice is refused.
        let (status, body) = post(&a, &base, "/api/booths/confirm", &[("claim", &claim)]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "wrong_state");

        // The invoice: the firm and the organisers.
        let res = a.get(&invoice).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        assert_eq!(res.headers()["content-disposition"].to_str().unwrap(), format!("inline; filename=\"{invoice_no}.pdf\""));
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF"), "a PDF");
        let res = organiser.get(&invoice).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
        let res = b.get(&invoice).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "another firm's invoice does not exist for it");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_found");
        let res = anon.get(&invoice).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "unauthenticated");
        let unknown = Uuid::new_v4();
        assert_eq!(a.get(format!("{base}/bookings/{unknown}/invoice.pdf")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        assert_eq!(a.get(format!("{base}/bookings/not-a-booking/invoice.pdf")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

        // Another firm tries the same booth. Called by the page's script: 409 and the code.
        let (status, body) = post(&b, &base, "/api/booths/hold", &[("booth", &booth)]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["code"], "booth_taken");
        // As a plain form: back to the page it came from, the error in the address.
        let res = form_post(&b, &base, "/api/booths/hold", &[("booth", &booth)], &list).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let to = location(&res);
        assert!(to.starts_with(&format!("{list}?")), "{to}");
        let err = query_value(&to, "__err").unwrap_or_else(|| panic!("the error travels in the address: {to}"));
        let err: Value = serde_json::from_slice(&base64url_decode(&err)).unwrap();
        assert_eq!(err["code"], "booth_taken", "{to}");
        assert!(booths::my_claims(&db, second, Utc::now()).await.unwrap().is_empty(), "nothing of the other firm's stays");
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[0]).await, BoothStatus::Reserved);

        // With a script, a hold answers with the claim's id and no redirect.
        let next = fx.booths[1].to_string();
        let res = a.post(format!("{base}/api/booths/hold")).form(&[("booth", next.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get("location").is_none());
        let id: Uuid = res.json::<Value>().await.unwrap().as_str().unwrap().parse().unwrap();
        assert_eq!(claim_of(&db, first, id).await.state, claim_state::HELD);
        srv.stop().await;
    }
}

db_test! {
    async fn booth_functions_check_who_calls_them(db: Db) {
        let fx = booth_fixture(&db, 4).await;
        let slug = slug_of(&db, fx.fair_id).await;
        let exhibitors = users(&db, 2, Role::Exhibitor, "firm").await;
        let (owner_user, rival_user) = (&exhibitors[0], &exhibitors[1]);
        let staff_user = users(&db, 1, Role::Staff, "door").await.remove(0);
        let visitor_user = users(&db, 1, Role::Visitor, "buyer").await.remove(0);
        let now = Utc::now();
        let links = Links::new("http://fair.example");
        // The owner's firm: one booking, one hold.
        let booked = booths::hold(&db, owner_user, fx.booths[0], now).await.unwrap();
        booths::confirm(&db, owner_user, booked.id, &[], &links, now).await.unwrap();
        let held = booths::hold(&db, owner_user, fx.booths[1], now).await.unwrap();
        let plan_before = booths::hall_plan(&db, fx.hall_id).await.unwrap().1;

        let srv = serve(&db).await;
        let base = srv.url();
        let organiser = signed_in(&base, &fx.organiser.email).await;
        let owner = signed_in(&base, &owner_user.email).await;
        let rival = signed_in(&base, &rival_user.email).await;
        let staff = signed_in(&base, &staff_user.email).await;
        let visitor = signed_in(&base, &visitor_user.email).await;
        let anon = client(&base);

        let fair = fx.fair_id.to_string();
        let hall = fx.hall_id.to_string();
        let booked_id = booked.id.to_string();
        let held_id = held.id.to_string();
        // Applied, this would take every booth off the hall.
        let empty_plan = serde_json::to_string(&Plan::default()).unwrap();
        let organiser_calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("/api/organiser/fair/zone", vec![("fair", fair.as_str()), ("code", "ELEC"), ("name_vi", "Điện tử"), ("name_en", "Electronics"), ("sector_group", "components")]),
            ("/api/organiser/hall/plan", vec![("hall", hall.as_str()), ("plan", empty_plan.as_str())]),
            ("/api/organiser/booking/paid", vec![("claim", booked_id.as_str())]),
            ("/api/organiser/booth_figures", vec![("slug", slug.as_str())]),
        ];
        for (path, form) in &organiser_calls {
            for (who, c) in [("staff", &staff), ("exhibitor", &owner), ("visitor", &visitor)] {
                let (status, body) = post(c, &base, path, form).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{who} {path}: {body}");
                assert_eq!(body["code"], "forbidden", "{who} {path}");
            }
            let (status, body) = post(&anon, &base, path, form).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
            assert_eq!(body["code"], "unauthenticated", "{path}");
        }
        let setup = booths::setup(&db, fx.fair_id).await.unwrap();
        assert_eq!(setup.zones.iter().map(|z| z.code.as_str()).collect::<Vec<_>>(), ["COMP"], "no zone added");
        assert_eq!(booths::hall_plan(&db, fx.hall_id).await.unwrap().1, plan_before, "the plan is untouched");
        assert_eq!(claim_of(&db, owner_user, booked.id).await.state, claim_state::CONFIRMED, "not marked paid");

        // Holding is for exhibitors.
        let free = fx.booths[2].to_string();
        for (who, c) in [("visitor", &visitor), ("staff", &staff), ("organiser", &organiser)] {
            let (status, body) = post(c, &base, "/api/booths/hold", &[("booth", free.as_str())]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
            assert_eq!(body["code"], "forbidden");
        }
        let (status, body) = post(&anon, &base, "/api/booths/hold", &[("booth", free.as_str())]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(status_of(&db, fx.fair_id, fx.booths[2]).await, BoothStatus::Free);

        // Another firm's hold can be neither confirmed nor given up.
        let (status, body) = post(&rival, &base, "/api/booths/confirm", &[("claim", held_id.as_str()), ("furniture", "on")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
        let (status, body) = post(&rival, &base, "/api/booths/give_up", &[("claim", held_id.as_str())]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let still = claim_of(&db, owner_user, held.id).await;
        assert_eq!(still.state, claim_state::HELD);
        assert!(still.invoice_no.is_none());
        assert!(booths::my_claims(&db, rival_user, Utc::now()).await.unwrap().is_empty());
        let unknown = Uuid::new_v4().to_string();
        let (status, body) = post(&rival, &base, "/api/booths/confirm", &[("claim", unknown.as_str())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

        // The same calls from an organiser go through.
        let (status, body) = post(&organiser, &base, organiser_calls[0].0, &organiser_calls[0].1).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let setup = booths::setup(&db, fx.fair_id).await.unwrap();
        assert_eq!(setup.zones.iter().map(|z| z.code.as_str()).collect::<Vec<_>>(), ["COMP", "ELEC"]);
        let same_plan = serde_json::to_string(&plan_before).unwrap();
        let (status, body) = post(&organiser, &base, "/api/organiser/hall/plan", &[("hall", hall.as_str()), ("plan", same_plan.as_str())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({ "added": 0, "changed": 0, "removed": 0, "errors": [] }));
        let (status, body) = post(&organiser, &base, "/api/organiser/booking/paid", &[("claim", booked_id.as_str())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(claim_of(&db, owner_user, booked.id).await.state, claim_state::PAID);
        let (status, body) = post(&organiser, &base, "/api/organiser/booth_figures", &[("slug", slug.as_str())]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"]["sold"], 1, "{body}");
        assert_eq!(body["total"]["held"], 1);
        assert_eq!(body["total"]["reserved"], 0);
        assert_eq!(body["total"]["free"], 2);
        srv.stop().await;
    }
}

db_test! {
    async fn hall_plans_are_exported_and_imported(db: Db) {
        let fx = booth_fixture(&db, 4).await;
        let slug = slug_of(&db, fx.fair_id).await;
        let staff_user = users(&db, 1, Role::Staff, "door").await.remove(0);
        let exhibitor_user = users(&db, 1, Role::Exhibitor, "firm").await.remove(0);
        let srv = serve(&db).await;
        let base = srv.url();
        let organiser = signed_in(&base, &fx.organiser.email).await;
        let staff = signed_in(&base, &staff_user.email).await;
        let exhibitor = signed_in(&base, &exhibitor_user.email).await;
        let anon = client(&base);
        let hall = fx.hall_id;
        let original = booth_codes(&db, hall).await;
        assert_eq!(original, ["A-0001", "A-0002", "A-0003", "A-0004"]);
        let header = "kind,code,x,y,width,depth,type,zone,price,label,polygon";
        assert_eq!(COLUMNS.join(","), header);

        // Export.
        let csv_url = format!("{base}/organiser/halls/{hall}/plan.csv");
        let json_url = format!("{base}/organiser/halls/{hall}/plan.json");
        let res = organiser.get(&csv_url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"hall-A.csv\"");
        let exported_csv = res.text().await.unwrap();
        let lines: Vec<&str> = exported_csv.lines().collect();
        assert_eq!(lines[0], header);
        assert_eq!(lines.len(), 1 + original.len(), "{exported_csv}");
        assert_eq!(lines[1], "booth,A-0001,3,3,3,3,corner,COMP,,,");
        assert_eq!(lines[2], "booth,A-0002,6,3,3,3,inline,COMP,,,");
        let res = organiser.get(&json_url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/json");
        let exported_json = res.text().await.unwrap();
        let items: Value = serde_json::from_str(&exported_json).unwrap();
        assert_eq!(items["items"].as_array().unwrap().len(), original.len());
        assert_eq!(items["items"][0], json!({
            "kind": "booth", "code": "A-0001", "x": 3, "y": 3, "width": 3, "depth": 3, "type": "corner", "zone": "COMP"
        }));
        assert_eq!(organiser.get(format!("{base}/organiser/halls/{hall}/plan.xml")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        let nowhere = Uuid::new_v4();
        assert_eq!(organiser.get(format!("{base}/organiser/halls/{nowhere}/plan.csv")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
        for url in [&csv_url, &json_url] {
            for (who, c) in [("staff", &staff), ("exhibitor", &exhibitor)] {
                let res = c.get(url.as_str()).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who} {url}");
                assert_eq!(res.json::<Value>().await.unwrap()["code"], "forbidden");
            }
            assert_eq!(anon.get(url.as_str()).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "{url}");
        }

        // A file with mistakes: every problem with its line, and nothing changes.
        let back = format!("/organiser/fairs/{slug}/halls/A");
        let broken = format!(
            "{header}\n\
             booth,B-1,1,1,3,3,inline,COMP,,,\n\
             booth,B-2,2,2,3,3,inline,COMP,,,\n\
             booth,B-3,10,1,-3,3,inline,COMP,,,\n\
             booth,B-4,20,1,3,3,inline,NOPE,,,\n"
        );
        let res = send_plan(&organiser, &base, hall, "plan.csv", &broken, "text/csv", &back).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert!(to.starts_with(&format!("{back}?error=import_invalid&")), "{to}");
        assert_eq!(query_value(&to, "count").as_deref(), Some("3"), "{to}");
        let problems: Value = serde_json::from_str(&query_value(&to, "problems").expect("problems in the address")).unwrap();
        let found: Vec<(u64, String)> = problems
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["line"].as_u64().unwrap(), p["problem"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(found, [(3, "overlap".to_string()), (4, "negative_size".to_string()), (5, "unknown_zone".to_string())], "{problems}");
        assert_eq!(problems[2]["detail"], "NOPE");
        assert!(problems[0]["detail"].as_str().unwrap().contains("B-1"), "{problems}");
        assert_eq!(booth_codes(&db, hall).await, original, "nothing stored");

        // Only organisers import.
        let new_plan = format!(
            "{header}\n\
             booth,B-1,1,1,3,3,inline,COMP,,,\n\
             booth,B-2,5,1,3,3,corner,COMP,,,\n\
             aisle,,0,5,66,2,,,,,\n"
        );
        for (who, c) in [("staff", &staff), ("exhibitor", &exhibitor)] {
            let res = send_plan(c, &base, hall, "plan.csv", &new_plan, "text/csv", &back).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{who}");
        }
        let res = send_plan(&anon, &base, hall, "plan.csv", &new_plan, "text/csv", &back).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(booth_codes(&db, hall).await, original, "nothing stored");

        // No file: back with the error.
        let form = reqwest::multipart::Form::new().text("back", back.clone());
        let res = organiser.post(format!("{base}/organiser/halls/{hall}/plan")).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = location(&res);
        assert!(to.starts_with(&format!("{back}?error=invalid_file")), "{to}");

        // A good file replaces the plan.
        let res = send_plan(&organiser, &base, hall, "plan.csv", &new_plan, "text/csv", &back).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("{back}?saved=plan"));
        assert_eq!(booth_codes(&db, hall).await, ["B-1", "B-2"]);
        let (_, stored, _) = booths::hall_plan(&db, hall).await.unwrap();
        assert_eq!(stored.features.len(), 1, "the aisle is kept");

        // Round trip: what is exported imports again as it was.
        let csv = organiser.get(&csv_url).send().await.unwrap().text().await.unwrap();
        assert!(csv.contains("aisle,,0,5,66,2,,,,,"), "{csv}");
        let res = send_plan(&organiser, &base, hall, "hall-A.csv", &csv, "text/csv", &back).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("{back}?saved=plan"));
        assert_eq!(booth_codes(&db, hall).await, ["B-1", "B-2"]);
        assert_eq!(organiser.get(&csv_url).send().await.unwrap().text().await.unwrap(), csv, "the same plan");
        let json_plan = organiser.get(&json_url).send().await.unwrap().text().await.unwrap();
        let res = send_plan(&organiser, &base, hall, "hall-A.json", &json_plan, "application/json", &back).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("{back}?saved=plan"));
        assert_eq!(booths::hall_plan(&db, hall).await.unwrap().1, stored, "unchanged by its own JSON");

        // Back goes only to organiser pages.
        let res = send_plan(&organiser, &base, hall, "hall-A.csv", &csv, "text/csv", "https://evil.example/organiser/").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/organiser/fairs?saved=plan");
        srv.stop().await;
    }
}

db_test! {
    async fn the_maps_booth_statuses_follow_a_hold_within_a_second(db: Db) {
        let fx = booth_fixture(&db, 4).await;
        let exhibitor = users(&db, 1, Role::Exhibitor, "map").await.remove(0);
        let srv = serve(&db).await;
        let base = srv.url();
        let anon = client(&base);
        let statuses = || async {
            let res = anon.get(format!("{base}/api/booths/statuses?fair={}", fx.fair_id)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let list: Vec<(Uuid, String)> = res.json().await.unwrap();
            list.into_iter().find(|(id, _)| *id == fx.booths[0]).unwrap().1
        };
        assert_eq!(statuses().await, "free");
        booths::hold(&db, &exhibitor, fx.booths[0], Utc::now()).await.unwrap();
        // Statuses read before the hold serve maps for a second at most:
        // once it has passed, every map sees the hold.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(statuses().await, "held");
        // A second fair's map is not mixed up with this one.
        let other = anon.get(format!("{base}/api/booths/statuses?fair={}", Uuid::new_v4())).send().await.unwrap();
        assert_ne!(other.status(), StatusCode::OK);
        srv.stop().await;
    }
}
