//! Routes outside the server functions: uploads (multipart forms), forms
//! with repeated fields, file downloads and exports. Each answers a
//! browser's form post with a redirect back to its page, carrying either
//! `saved=` or `error=` (a stable code the page translates).

use crate::AppState;
use crate::middleware::error_response;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use fairlink::accounts::{Role, SessionUser, require_role};
use fairlink::firms::{profile, transfer, uploads};
use fairlink::{Error, ErrorCode};
use fairlink_app::api::ctx::RequestInfo;
use std::collections::HashMap;
use uuid::Uuid;

fn info(req: &Request) -> RequestInfo {
    req.extensions()
        .get::<RequestInfo>()
        .cloned()
        .unwrap_or_default()
}

fn guard(info: &RequestInfo, roles: &[Role]) -> Result<SessionUser, Box<Response>> {
    require_role(info.user.as_ref(), roles)
        .cloned()
        .map_err(|e| Box::new(error_response(e.code, info.locale)))
}

/// Back to `page`, with the outcome in the address.
fn back(page: &str, anchor: &str, outcome: Result<&str, Error>) -> Response {
    let query = match outcome {
        Ok(saved) => format!("saved={saved}"),
        Err(e) => match e.field {
            Some(f) => format!("error={}&field={f}", e.code),
            None => format!("error={}", e.code),
        },
    };
    let target = format!("{page}?{query}{anchor}");
    // A page built from a path parameter no header can carry (a control
    // character in a slug) names no page of ours.
    if http::HeaderValue::from_str(&target).is_err() {
        return crate::middleware::error_response(
            fairlink::ErrorCode::NotFound,
            fairlink::Locale::default(),
        );
    }
    Redirect::to(&target).into_response()
}

/// Reads a multipart form: text fields, and at most one file.
async fn read_form(
    mut multipart: Multipart,
) -> Result<(HashMap<String, String>, Option<(String, Vec<u8>)>), Error> {
    let mut fields = HashMap::new();
    let mut file = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Error::field(ErrorCode::FileTooLarge, "file"));
            }
            Err(_) => return Err(Error::new(ErrorCode::BadRequest)),
        };
        let name = field.name().unwrap_or("").to_string();
        if let Some(filename) = field.file_name().map(str::to_string) {
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Error::field(ErrorCode::FileTooLarge, "file")
                } else {
                    Error::new(ErrorCode::BadRequest)
                }
            })?;
            if !bytes.is_empty() || !filename.is_empty() {
                file = Some((filename, bytes.to_vec()));
            }
        } else {
            let value = field
                .text()
                .await
                .map_err(|_| Error::new(ErrorCode::BadRequest))?;
            // As in form bodies: no NUL in any text.
            if value.contains('\0') {
                return Err(Error::new(ErrorCode::BadRequest));
            }
            fields.insert(name, value);
        }
    }
    Ok((fields, file))
}

/// POST /firm/certificates: a certificate with its scan.
pub async fn add_certificate(State(state): State<AppState>, req: Request) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Exhibitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let multipart = match Multipart::from_request(req, &state).await {
        Ok(m) => m,
        Err(_) => {
            return back(
                "/firm",
                "#certificates",
                Err(Error::new(ErrorCode::BadRequest)),
            );
        }
    };
    let outcome = async {
        let (fields, file) = read_form(multipart).await?;
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let input = profile::CertificateInput {
            kind: get("kind"),
            other_name: get("other_name"),
            number: get("number"),
            issuer: get("issuer"),
            issued_on: get("issued_on"),
            expires_on: get("expires_on"),
        };
        let file = file.filter(|(name, bytes)| !(name.is_empty() && bytes.is_empty()));
        profile::add_certificate(&state.ctx.db, &user, &input, file, chrono::Utc::now()).await
    }
    .await;
    back("/firm", "#certificates", outcome.map(|_| "certificate"))
}

/// POST /firm/logo
pub async fn set_logo(State(state): State<AppState>, req: Request) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Exhibitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let multipart = match Multipart::from_request(req, &state).await {
        Ok(m) => m,
        Err(_) => return back("/firm", "#logo", Err(Error::new(ErrorCode::BadRequest))),
    };
    let outcome = async {
        let (_, file) = read_form(multipart).await?;
        let (name, bytes) = file.ok_or(Error::field(ErrorCode::InvalidFile, "file"))?;
        profile::set_logo(&state.ctx.db, &user, &name, bytes, chrono::Utc::now()).await
    }
    .await;
    back("/firm", "#logo", outcome.map(|_| "logo"))
}

/// POST /firm/capabilities: checkboxes send one field per ticked box.
pub async fn set_capabilities(State(state): State<AppState>, req: Request) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Exhibitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Ok(axum::Form(pairs)) =
        axum::Form::<Vec<(String, String)>>::from_request(req, &state).await
    else {
        return back(
            "/firm",
            "#capabilities",
            Err(Error::new(ErrorCode::BadRequest)),
        );
    };
    let pick = |key: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let outcome = profile::set_capabilities(
        &state.ctx.db,
        &user,
        &pick("processes"),
        &pick("materials"),
        &pick("markets"),
        chrono::Utc::now(),
    )
    .await;
    back("/firm", "#capabilities", outcome.map(|_| "capabilities"))
}

/// POST /organiser/import: keeps the file, then shows its preview.
pub async fn upload_import(State(state): State<AppState>, req: Request) -> Response {
    let info = info(&req);
    let organiser = match guard(&info, &[Role::Organiser]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let multipart = match Multipart::from_request(req, &state).await {
        Ok(m) => m,
        Err(_) => {
            return back(
                "/organiser/import",
                "",
                Err(Error::new(ErrorCode::BadRequest)),
            );
        }
    };
    let outcome = async {
        let (_, file) = read_form(multipart).await?;
        let (name, bytes) = file.ok_or(Error::field(ErrorCode::InvalidFile, "file"))?;
        let txn = state.ctx.db.begin().await?;
        let id = uploads::store(
            &txn,
            uploads::Purpose::Import,
            None,
            &name,
            bytes,
            Some(organiser.id),
            chrono::Utc::now(),
        )
        .await?;
        txn.commit().await?;
        Ok::<Uuid, Error>(id)
    }
    .await;
    match outcome {
        Ok(id) => Redirect::to(&format!("/organiser/import?file={id}")).into_response(),
        Err(e) => back("/organiser/import", "", Err(e)),
    }
}

/// GET /files/{id}: logos for everyone, certificate scans for the firm's
/// members and organisers, import files for organisers.
pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let Ok(id) = id.parse::<Uuid>() else {
        return error_response(ErrorCode::NotFound, info.locale);
    };
    let file = match profile::file_for(&state.ctx.db, info.user.as_ref(), id).await {
        Ok(f)
            if f.purpose != uploads::Purpose::Import.as_str()
                || info
                    .user
                    .as_ref()
                    .is_some_and(|u| u.role == Role::Organiser) =>
        {
            f
        }
        Ok(_) => return error_response(ErrorCode::NotFound, info.locale),
        Err(e) => return error_response(e.code, info.locale),
    };
    let public = file.purpose == uploads::Purpose::Logo.as_str();
    let mut res = Response::new(Body::from(file.content));
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let encoded: String = file
        .filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, max-age=3600"
        } else {
            "private, no-store"
        }),
    );
    res
}

/// GET /organiser/export/{catalogue|approvals}.{csv|xlsx}
pub async fn export(
    State(state): State<AppState>,
    Path(name): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    if let Err(r) = guard(&info, &[Role::Organiser]) {
        return *r;
    }
    let (what, format) = match name.rsplit_once('.') {
        Some((w, f)) if ["catalogue", "approvals"].contains(&w) && ["csv", "xlsx"].contains(&f) => {
            (w, f)
        }
        _ => return error_response(ErrorCode::NotFound, info.locale),
    };
    let rows = match what {
        "catalogue" => transfer::catalogue_rows(&state.ctx.db).await,
        _ => transfer::approval_rows(&state.ctx.db, info.locale).await,
    };
    let bytes = rows.and_then(|rows| match format {
        "csv" => transfer::to_csv(&rows),
        _ => transfer::to_xlsx(
            &rows,
            if what == "catalogue" {
                "Catalogue"
            } else {
                "Approvals"
            },
        ),
    });
    match bytes {
        Ok(bytes) => table_download(what, format, bytes),
        Err(e) => error_response(e.code, info.locale),
    }
}

/// A table as a download: `fairlink-{what}-{day}.{format}`.
fn table_download(what: &str, format: &str, bytes: Vec<u8>) -> Response {
    let content_type = if format == "csv" {
        "text/csv; charset=utf-8"
    } else {
        uploads::FileKind::Xlsx.content_type()
    };
    let day = chrono::Utc::now().format("%Y-%m-%d");
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"fairlink-{what}-{day}.{format}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /firm/leads.csv`: the reader's firm's leads (its own only).
pub async fn leads_csv(State(state): State<AppState>, req: Request) -> Response {
    leads_export(state, req, "csv").await
}

/// `GET /firm/leads.xlsx`.
pub async fn leads_xlsx(State(state): State<AppState>, req: Request) -> Response {
    leads_export(state, req, "xlsx").await
}

async fn leads_export(state: AppState, req: Request, format: &str) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Exhibitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let bytes = fairlink::badges::leads::lead_rows(&state.ctx.db, &user)
        .await
        .and_then(|rows| match format {
            "csv" => transfer::to_csv(&rows),
            _ => transfer::to_xlsx(&rows, "Leads"),
        });
    match bytes {
        Ok(bytes) => table_download("leads", format, bytes),
        Err(e) => error_response(e.code, info.locale),
    }
}

/// The largest plan file an import takes (with room for the form around it).
pub const PLAN_MAX_BYTES: usize = 2 * 1024 * 1024 + 64 * 1024;

/// The largest body each upload route takes.
pub fn body_limit_for(path: &str) -> usize {
    match path {
        "/firm/certificates" => uploads::SCAN_MAX_BYTES + 64 * 1024,
        "/firm/logo" => uploads::LOGO_MAX_BYTES + 64 * 1024,
        "/organiser/import" => 20 * 1024 * 1024 + 64 * 1024,
        p if p.starts_with("/organiser/halls/") && p.ends_with("/plan") => PLAN_MAX_BYTES,
        p if p.starts_with("/api/scanner/v1/fairs/") && p.ends_with("/scans") => {
            crate::scanner::UPLOAD_MAX_BYTES
        }
        _ => crate::middleware::MAX_BODY_BYTES,
    }
}

/// Percent-encodes everything but unreserved characters (for a query value).
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// GET /bookings/{id}/invoice.pdf: the pro-forma invoice of a booking, for
/// the firm's members and organisers (other firms get "not found").
fn pdf_response(name: &str, pdf: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", encode_component(name)),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        pdf,
    )
        .into_response()
}

/// `GET /badges/{id}` (`….pdf`): a badge as an A6 PDF, for its holder or
/// an organiser.
pub async fn badge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let Some(user) = info.user.clone() else {
        return error_response(ErrorCode::Unauthenticated, info.locale);
    };
    let Ok(id) = id.trim_end_matches(".pdf").parse::<Uuid>() else {
        return error_response(ErrorCode::NotFound, info.locale);
    };
    match fairlink::badges::badge_pdf(&state.ctx.db, &user, id).await {
        Ok((name, pdf)) => pdf_response(&name, pdf),
        Err(e) => error_response(e.code, info.locale),
    }
}

/// `GET /organiser/fairs/{slug}/badges.pdf?kind=…`: a fair's badges, four
/// to an A4 sheet.
pub async fn badge_sheets(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Organiser]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let kind = match q.get("kind").map(String::as_str) {
        None | Some("") => None,
        Some(k) => match fairlink::badges::BadgeKind::parse(k) {
            Some(k) => Some(k),
            None => return error_response(ErrorCode::InvalidField, info.locale),
        },
    };
    let fair = match fairlink::booths::fair_by_slug(&state.ctx.db, &slug).await {
        Ok(f) => f,
        Err(e) => return error_response(e.code, info.locale),
    };
    match fairlink::badges::badge_sheets(&state.ctx.db, &user, fair.id, kind).await {
        Ok(pdf) => pdf_response("badges.pdf", pdf),
        Err(e) => error_response(e.code, info.locale),
    }
}

pub async fn invoice(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Exhibitor, Role::Organiser]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return error_response(ErrorCode::NotFound, info.locale);
    };
    match fairlink::booths::invoice(&state.ctx.db, &user, id).await {
        Ok((name, pdf)) => pdf_response(&name, pdf),
        Err(e) => error_response(e.code, info.locale),
    }
}

/// GET /organiser/halls/{id}/plan.{csv|json}: a hall's plan in the import
/// format.
pub async fn plan_export(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    req: Request,
) -> Response {
    let info = info(&req);
    if let Err(r) = guard(&info, &[Role::Organiser]) {
        return *r;
    }
    let (Ok(id), Some(format)) = (id.parse::<Uuid>(), name.strip_prefix("plan.")) else {
        return error_response(ErrorCode::NotFound, info.locale);
    };
    if !["csv", "json"].contains(&format) {
        return error_response(ErrorCode::NotFound, info.locale);
    }
    match fairlink::booths::hall_plan(&state.ctx.db, id).await {
        Ok((hall, plan, _)) => {
            let (content_type, body) = if format == "csv" {
                (
                    "text/csv; charset=utf-8",
                    fairlink::booths::plan::to_csv(&plan),
                )
            } else {
                ("application/json", fairlink::booths::plan::to_json(&plan))
            };
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"hall-{}.{format}\"",
                            encode_component(&hall.code)
                        ),
                    ),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => error_response(e.code, info.locale),
    }
}

/// The most line errors carried back in the address.
const MAX_PROBLEMS_SHOWN: usize = 30;

/// POST /organiser/halls/{id}/plan: imports a plan file (CSV or JSON). All
/// or nothing: on problems the page gets them back line by line.
pub async fn plan_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let organiser = match guard(&info, &[Role::Organiser]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let Ok(hall) = id.parse::<Uuid>() else {
        return error_response(ErrorCode::NotFound, info.locale);
    };
    let multipart = match Multipart::from_request(req, &state).await {
        Ok(m) => m,
        Err(_) => return error_response(ErrorCode::BadRequest, info.locale),
    };
    let (fields, file) = match read_form(multipart).await {
        Ok(form) => form,
        Err(e) => return back("/organiser/fairs", "", Err(e)),
    };
    let page = fields
        .get("back")
        .and_then(|b| fairlink_app::api::safe_next(Some(b)))
        .filter(|b| b.starts_with("/organiser/") && !b.contains(['?', '#']))
        .unwrap_or_else(|| "/organiser/fairs".to_string());
    let Some((_, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return back(
            &page,
            "#import",
            Err(Error::field(ErrorCode::InvalidFile, "file")),
        );
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return back(
            &page,
            "#import",
            Err(Error::field(ErrorCode::InvalidFile, "file")),
        );
    };
    match fairlink::booths::import_plan(&state.ctx.db, &organiser, hall, &text, chrono::Utc::now())
        .await
    {
        Ok(Ok(_)) => back(&page, "", Ok("plan")),
        Ok(Err(problems)) => {
            let total = problems.len();
            let shown: Vec<_> = problems.into_iter().take(MAX_PROBLEMS_SHOWN).collect();
            let json = serde_json::to_string(&shown).unwrap_or_default();
            Redirect::to(&format!(
                "{page}?error=import_invalid&count={total}&problems={}#import",
                encode_component(&json)
            ))
            .into_response()
        }
        Err(e) => back(&page, "#import", Err(e)),
    }
}

/// The values a form sent under one name (checkboxes), in order.
fn values(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

/// POST /fairs/{slug}/needs: a buyer states what they source.
pub async fn save_need(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Visitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let page = format!("/fairs/{slug}/meetings");
    let Ok(axum::Form(pairs)) =
        axum::Form::<Vec<(String, String)>>::from_request(req, &state).await
    else {
        return back(&page, "#needs", Err(Error::new(ErrorCode::BadRequest)));
    };
    let one = |key: &str| values(&pairs, key).into_iter().next().unwrap_or_default();
    let input = fairlink::meetings::views::NeedInput {
        company: one("company"),
        country: one("country"),
        need: fairlink::meetings::matching::Need {
            hs_codes: vec![one("hs_codes")],
            processes: values(&pairs, "processes"),
            materials: values(&pairs, "materials"),
            certificates: values(&pairs, "certificates"),
            markets: values(&pairs, "markets"),
            languages: values(&pairs, "languages"),
        },
        volume: one("volume"),
        moq: one("moq"),
        description: one("description"),
    };
    let outcome =
        fairlink::meetings::service::save_need(&state.ctx.db, &user, &input, chrono::Utc::now())
            .await;
    back(&page, "#recommendations", outcome.map(|_| "needs"))
}

/// POST /fairs/{slug}/blocked: the slots a buyer or a firm cannot attend.
pub async fn set_blocked(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Visitor, Role::Exhibitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let page = format!("/fairs/{slug}/meetings");
    let Ok(axum::Form(pairs)) =
        axum::Form::<Vec<(String, String)>>::from_request(req, &state).await
    else {
        return back(&page, "#blocked", Err(Error::new(ErrorCode::BadRequest)));
    };
    let Ok(slots) = values(&pairs, "slot")
        .iter()
        .map(|s| s.parse::<Uuid>())
        .collect::<Result<Vec<_>, _>>()
    else {
        return back(
            &page,
            "#blocked",
            Err(Error::field(ErrorCode::InvalidField, "slots")),
        );
    };
    let db = &state.ctx.db;
    let outcome = match fairlink::booths::fair_by_slug(db, &slug).await {
        Ok(fair) => fairlink::meetings::service::set_unavailable(db, &user, fair.id, &slots).await,
        Err(e) => Err(e),
    };
    back(&page, "#blocked", outcome.map(|_| "blocked"))
}

fn calendar_response(text: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"agenda.ics\""),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        text,
    )
        .into_response()
}

/// GET /fairs/{slug}/agenda.ics: the signed-in person's agenda.
pub async fn agenda_ics(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let info = info(&req);
    let user = match guard(&info, &[Role::Visitor, Role::Exhibitor]) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let db = &state.ctx.db;
    let result = async {
        let fair = fairlink::booths::fair_by_slug(db, &slug).await?;
        let items = fairlink::meetings::service::agenda(db, &user, fair.id).await?;
        Ok::<_, Error>(fairlink::meetings::service::agenda_calendar(
            &fair,
            &items,
            info.locale,
            chrono::Utc::now(),
        ))
    }
    .await;
    match result {
        Ok(text) => calendar_response(text),
        Err(e) => error_response(e.code, info.locale),
    }
}

/// GET /calendar/{secret}/{slug}.ics: the agenda behind a feed secret, for
/// calendar programs (no session; the secret is the key).
pub async fn feed_ics(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
) -> Response {
    let db = &state.ctx.db;
    let Some(slug) = file.strip_suffix(".ics") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let result = async {
        let fair = fairlink::booths::fair_by_slug(db, slug).await?;
        let (user, items) = fairlink::meetings::service::feed_agenda(db, &token, fair.id).await?;
        Ok::<_, Error>(fairlink::meetings::service::agenda_calendar(
            &fair,
            &items,
            user.locale,
            chrono::Utc::now(),
        ))
    }
    .await;
    match result {
        Ok(text) => calendar_response(text),
        Err(e) => error_response(e.code, fairlink::Locale::Vi),
    }
}
