//! Junk sent over HTTP to the real server, and the table of who may call
//! what (`docs/authorization.md`), on SQLite and on PostgreSQL.
//!
//! No list of endpoints is written here. The server functions are read from
//! `app/src/api/*.rs` (each `#[server(endpoint = ...)]` and the arguments of
//! the function under it), the routes from `server/src/lib.rs` and the pages
//! from `app/src/lib.rs`. An endpoint is checked the day it is written, and a
//! new guard shows in the table. What the test knows by name is only which
//! real object an argument or a path parameter stands for ("slug" is the test
//! fair's, "claim" a hold of the test firm's). A name it does not know gets a
//! value of its type and is listed when the test ends.
//!
//! The server runs as a process of its own. Its memory can then be read from
//! /proc, and a crash shows as a process that is gone.
//!
//! Two passes:
//! 1. Authorization: every endpoint once as each kind of caller, with
//!    plausible arguments. 401 is "sign in", 403 "refused", anything else means
//!    the handler ran. The table must match `docs/authorization.md`
//!    (`FAIRLINK_WRITE_DOCS=1` rewrites it), and every function whose guard
//!    names roles must refuse the others.
//! 2. Abuse: each argument of each server function in turn replaced by junk
//!    while the others stay plausible; broken bodies; routes and pages with
//!    junk in their paths and queries. No answer may be a 5xx. A refused
//!    request may leave nothing behind, and junk may not be stored at all.

use chrono::{NaiveDate, Utc};
use fairlink::accounts::{Role, SessionUser};
use fairlink::db::Db;
use fairlink::db_test;
use futures_util::StreamExt;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The password `testing::users` gives every account.
const PASSWORD: &str = "correct horse battery";
/// Requests in flight at once: enough to keep two cores busy, few enough
/// that this stays a test of answers and not a load test.
const CONCURRENCY: usize = 8;
/// Whether callers that a function's guard turns away get every junk value.
/// If not, they get only the values that test decoding: the arguments are
/// decoded before the guard runs, and the guard never reads the rest. Set it
/// to `false` if the test grows too slow.
const REFUSED_CALLERS_GET_EVERY_VARIANT: bool = true;
const FORM: &str = "application/x-www-form-urlencoded";

/// Junk for one argument.
const CONTROL: &str = "\u{0}\u{1}\u{7}\r\n\t";
const MARKUP: &str = "</title><script>alert(1)</script>";
const PATH_TRICK: &str = "../../etc/passwd";
const WRONG_TYPES: [&str; 3] = [
    "not-a-number",
    "00000000-0000-0000-0000-00000000000z",
    "2026-13-45",
];
/// The long string (200 KB): enough to find a field without a length limit.
/// One caller per function sends it, one who gets past the guard: the other
/// callers would only add decoding time.
const BIG_TEXT: usize = 200 * 1024;
/// A body over the 1 MiB that server functions take (sent by one caller).
const BIG_BODY: usize = 2 * 1024 * 1024;
/// Junk for a path segment and for a query string.
const PATH_JUNK: [&str; 2] = ["%01", "..%2F..%2F..%2Fetc%2Fpasswd"];
const QUERY_JUNK: [&str; 2] = [
    "?%01=%01&next=%2F%2Fevil.example&page=-1&kind=%FF%FE&day=2026-13-45&since=not-a-date&fair=00000000-0000-0000-0000-00000000000z",
    "?slug=..%2F..%2Fetc%2Fpasswd&q=%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&a[]=1&a[0][1][2][3][4][5][6]=deep&x=",
];

/// Tables whose row counts may change even when every request of a batch
/// was refused:
/// - `sessions`: before each batch the test opens a session for each caller
///   that lost its own, and signing in, up and out open and close them;
/// - `login_attempts`: a refused sign-in, sign-up, password reset or
///   invitation is recorded there on purpose (that is what the throttles
///   count).
///
/// Mail (`outbox`) and the audit log (`audit_log`) are not listed: both are
/// written in the transaction of the change they record. A refused request
/// leaves neither. Where well-formed input succeeded, the changes it made
/// (mail included) are expected and allowed.
const MAY_CHANGE: [&str; 2] = ["sessions", "login_attempts"];

// ---------------------------------------------------------------------------
// Reading the code
// ---------------------------------------------------------------------------

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What an argument's declared type says about the values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Text,
    Uuid,
    Int,
    Bool,
    Date,
    Other,
}

#[derive(Debug, Clone)]
struct Arg {
    name: String,
    ty: Ty,
    optional: bool,
    list: bool,
    declared: String,
}

impl Arg {
    /// Its name in a form: a list is sent as `name[0]=...`, the way serde_qs
    /// reads sequences.
    fn key(&self) -> String {
        if self.list {
            format!("{}[0]", self.name)
        } else {
            self.name.clone()
        }
    }
}

#[derive(Debug, Clone)]
struct ServerFn {
    endpoint: String,
    method: &'static str,
    args: Vec<Arg>,
    /// The roles named by the first `require(&[...])` in the body (every
    /// role for `require_user()`); `None` when the body has no guard.
    guard: Option<Vec<Role>>,
    file: String,
}

impl ServerFn {
    fn has(&self, name: &str) -> bool {
        self.args.iter().any(|a| a.name == name)
    }
}

/// The index of the bracket that closes the one at `open`. String and char
/// literals and line comments are skipped, so brackets inside them do not
/// count.
fn closing(src: &str, open: usize) -> Option<usize> {
    let b = src.as_bytes();
    let (o, c) = match b.get(open)? {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            // 'x' and '\n' are char literals; 'a in a lifetime has no
            // closing quote and is left alone.
            b'\'' => {
                if b.get(i + 1) == Some(&b'\\') {
                    if let Some(k) = b
                        .get(i + 3..)
                        .and_then(|r| r.iter().take(12).position(|x| *x == b'\''))
                    {
                        i += 3 + k;
                    }
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 2;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            x if x == o => depth += 1,
            x if x == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The text without lines that are only a comment.
fn without_comment_lines(src: &str) -> String {
    src.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits at the commas that are not inside `<>`, `()` or `[]`.
fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, ch) in s.char_indices() {
        match ch {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[start..i].to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].to_string());
    out.into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// One parameter, `name: Type` (attributes in front of it dropped).
fn parse_arg(param: &str) -> Option<Arg> {
    let mut p = param.trim();
    while p.starts_with("#[") {
        let end = closing(p, 1)?;
        p = p[end + 1..].trim_start_matches(']').trim();
    }
    let (name, ty) = p.split_once(':')?;
    let name = name.trim().trim_start_matches("mut ").trim().to_string();
    let declared: String = ty.chars().filter(|c| !c.is_whitespace()).collect();
    let mut t = declared.as_str();
    let optional = t.starts_with("Option<") && t.ends_with('>');
    if optional {
        t = &t["Option<".len()..t.len() - 1];
    }
    let list = t.starts_with("Vec<") && t.ends_with('>');
    if list {
        t = &t["Vec<".len()..t.len() - 1];
    }
    let base = t.rsplit("::").next().unwrap_or(t);
    let ty = match base {
        "String" | "str" | "&str" => Ty::Text,
        "Uuid" => Ty::Uuid,
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => Ty::Int,
        "bool" => Ty::Bool,
        "NaiveDate" => Ty::Date,
        _ => Ty::Other,
    };
    Some(Arg {
        name,
        ty,
        optional,
        list,
        declared,
    })
}

fn role_named(name: &str) -> Option<Role> {
    match name {
        "Visitor" => Some(Role::Visitor),
        "Exhibitor" => Some(Role::Exhibitor),
        "Staff" => Some(Role::Staff),
        "Organiser" => Some(Role::Organiser),
        _ => None,
    }
}

/// The guard a function's body starts with.
fn guard_of(body: &str) -> Option<Vec<Role>> {
    let listed = body.find("require(&[");
    let anyone = body.find("require_user()");
    match (listed, anyone) {
        (Some(l), a) if a.is_none_or(|a| l < a) => {
            let rest = &body[l + "require(&[".len()..];
            let list = &rest[..rest.find(']')?];
            Some(
                list.split(',')
                    .filter_map(|r| role_named(r.trim().rsplit("::").next()?))
                    .collect(),
            )
        }
        (_, Some(_)) => Some(vec![
            Role::Visitor,
            Role::Exhibitor,
            Role::Staff,
            Role::Organiser,
        ]),
        _ => None,
    }
}

/// Every `#[server(...)]` function of one source file.
fn parse_server_fns(file: &str, src: &str) -> Vec<ServerFn> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = src[from..].find("#[server") {
        let at = from + found + "#[server".len();
        from = at;
        // `#[server]` without arguments has no endpoint to read.
        let attr = if src.as_bytes().get(at) == Some(&b'(') {
            let Some(close) = closing(src, at) else { break };
            from = close;
            &src[at + 1..close]
        } else {
            ""
        };
        let endpoint = attr
            .split("endpoint")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .unwrap_or("")
            .to_string();
        // Only the GET codecs read the query string; every other function
        // takes a form in a POST.
        let method = if ["GetUrl", "GetJson", "GetCbor"]
            .iter()
            .any(|g| attr.contains(g))
        {
            "GET"
        } else {
            "POST"
        };
        let Some(fn_at) = src[from..].find("async fn ").map(|i| i + from) else {
            break;
        };
        let Some(open) = src[fn_at..].find('(').map(|i| i + fn_at) else {
            break;
        };
        let Some(close) = closing(src, open) else {
            break;
        };
        let params: String = src[open + 1..close]
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let args = split_top(&params)
            .iter()
            .filter_map(|p| parse_arg(p))
            .collect();
        let body = src[close..]
            .find('{')
            .map(|i| i + close)
            .and_then(|o| closing(src, o).map(|c| &src[o..c]))
            .unwrap_or("");
        from = close;
        out.push(ServerFn {
            endpoint,
            method,
            args,
            guard: guard_of(body),
            file: file.to_string(),
        });
    }
    out
}

/// Every server function of the app, in the order of their endpoints.
fn read_server_fns() -> Vec<ServerFn> {
    let dir = repo().join("app/src/api");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        let name = format!(
            "app/src/api/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        out.extend(parse_server_fns(&name, &src));
    }
    out.sort_by(|a, b| a.endpoint.cmp(&b.endpoint));
    out
}

/// Whether `code` calls `name(` (and not `other_name(`).
fn calls(code: &str, name: &str) -> bool {
    let pattern = format!("{name}(");
    code.match_indices(&pattern).any(|(i, _)| {
        !code[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Every `.route("path", method(...))` of the router, one per method (`any`
/// becomes GET and POST).
fn read_routes() -> Vec<(String, &'static str)> {
    let src =
        without_comment_lines(&std::fs::read_to_string(repo().join("server/src/lib.rs")).unwrap());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = src[from..].find(".route(") {
        let open = from + found + ".route".len();
        let Some(close) = closing(&src, open) else {
            break;
        };
        from = close;
        let inner = &src[open + 1..close];
        let Some(path) = inner.split('"').nth(1) else {
            continue;
        };
        let handler = &inner[inner.find(',').unwrap_or(inner.len())..];
        for (name, methods) in [
            ("get", &["GET"][..]),
            ("post", &["POST"][..]),
            ("put", &["PUT"][..]),
            ("patch", &["PATCH"][..]),
            ("delete", &["DELETE"][..]),
            ("any", &["GET", "POST"][..]),
        ] {
            if calls(handler, name) {
                for m in methods {
                    out.push((path.to_string(), *m));
                }
            }
        }
    }
    out
}

/// Every `<Route path=path!("...")` of the app.
fn read_pages() -> Vec<String> {
    let src =
        without_comment_lines(&std::fs::read_to_string(repo().join("app/src/lib.rs")).unwrap());
    src.match_indices("path!(\"")
        .filter_map(|(i, m)| {
            let rest = &src[i + m.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Function(usize),
    Route,
    Page,
}

#[derive(Debug, Clone)]
struct Endpoint {
    /// As declared: `/api/x/y`, `/fairs/{slug}/needs`, `/fairs/:slug/plan`.
    path: String,
    method: &'static str,
    kind: Kind,
}

impl Endpoint {
    fn is_scanner(&self) -> bool {
        self.path.starts_with("/api/scanner/")
    }
}

fn list_endpoints(
    fns: &[ServerFn],
    routes: &[(String, &'static str)],
    pages: &[String],
) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = fns
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.endpoint.is_empty())
        .map(|(i, f)| Endpoint {
            path: format!("/api/{}", f.endpoint),
            method: f.method,
            kind: Kind::Function(i),
        })
        .collect();
    out.extend(routes.iter().map(|(p, m)| Endpoint {
        path: p.clone(),
        method: m,
        kind: Kind::Route,
    }));
    out.extend(pages.iter().map(|p| Endpoint {
        path: p.clone(),
        method: "GET",
        kind: Kind::Page,
    }));
    out.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
    out.dedup_by(|a, b| a.path == b.path && a.method == b.method);
    out
}

/// The name of a path parameter: `{slug}`, `{*rest}`, `:slug`, `*rest`.
fn param_name(seg: &str) -> Option<&str> {
    if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        return Some(inner.trim_start_matches('*'));
    }
    seg.strip_prefix(':')
        .or_else(|| seg.strip_prefix('*'))
        .filter(|s| !s.is_empty())
}

fn params_in(path: &str) -> usize {
    path.split('/').filter(|s| param_name(s).is_some()).count()
}

// ---------------------------------------------------------------------------
// Callers and the test fair
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Caller {
    Anonymous,
    Visitor,
    Exhibitor,
    Staff,
    Organiser,
    /// A scanner device's bearer token (scanner routes only).
    Device,
}

impl Caller {
    const ALL: [Caller; 6] = [
        Caller::Anonymous,
        Caller::Visitor,
        Caller::Exhibitor,
        Caller::Staff,
        Caller::Organiser,
        Caller::Device,
    ];
    const PEOPLE: [Caller; 5] = [
        Caller::Anonymous,
        Caller::Visitor,
        Caller::Exhibitor,
        Caller::Staff,
        Caller::Organiser,
    ];
    const SIGNED_IN: [Caller; 4] = [
        Caller::Visitor,
        Caller::Exhibitor,
        Caller::Staff,
        Caller::Organiser,
    ];

    fn role(self) -> Option<Role> {
        match self {
            Caller::Visitor => Some(Role::Visitor),
            Caller::Exhibitor => Some(Role::Exhibitor),
            Caller::Staff => Some(Role::Staff),
            Caller::Organiser => Some(Role::Organiser),
            Caller::Anonymous | Caller::Device => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Caller::Anonymous => "anonymous",
            Caller::Visitor => "visitor",
            Caller::Exhibitor => "exhibitor",
            Caller::Staff => "staff",
            Caller::Organiser => "organiser",
            Caller::Device => "device",
        }
    }
}

/// What the authorization pass saw one caller get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    NotAsked,
    SignIn,
    Refused,
    Allowed,
}

impl Access {
    fn of(status: u16) -> Access {
        match status {
            401 => Access::SignIn,
            403 => Access::Refused,
            _ => Access::Allowed,
        }
    }

    fn cell(self) -> &'static str {
        match self {
            Access::NotAsked => "–",
            Access::SignIn => "sign in",
            Access::Refused => "✗",
            Access::Allowed => "✓",
        }
    }
}

/// What every cast shares: the fair, its hall and booths, a gate, the
/// device whose token the scanner routes are called with, an import file.
struct Fair {
    id: Uuid,
    slug: String,
    hall_id: Uuid,
    booths: Vec<Uuid>,
    first_day: NaiveDate,
    today: NaiveDate,
    /// The hall's plan as the editor sends it (saving it changes nothing).
    plan_json: String,
    upload_id: Uuid,
    device_token: String,
    organiser: SessionUser,
}

async fn setup_fair(db: &Db) -> Fair {
    let now = Utc::now();
    // Open yesterday to tomorrow: scans, registration and meetings are live.
    // Eight booths: four for each cast.
    let fx = fairlink::testing::booth_fixture_today(db, 8).await;
    let slug = fairlink::booths::setup(db, fx.fair_id)
        .await
        .unwrap()
        .fair
        .slug;
    let gate = fairlink::badges::GateInput {
        code: "G1".into(),
        name_vi: "Cổng chính".into(),
        name_en: "Main gate".into(),
        area: "hall".into(),
        kinds: vec![],
        reentry: true,
        max_entries_per_day: None,
    };
    fairlink::badges::save_gate(db, &fx.organiser, fx.fair_id, &gate, now)
        .await
        .unwrap();
    let (_, device_token) =
        fairlink::badges::add_device(db, &fx.organiser, fx.fair_id, "Cửa A", now)
            .await
            .unwrap();
    let plan = fairlink::booths::hall_plan(db, fx.hall_id).await.unwrap().1;
    let upload_id = fairlink::firms::uploads::store(
        db.write(),
        fairlink::firms::uploads::Purpose::Import,
        None,
        "firms.csv",
        b"tax_code,legal_name\n".to_vec(),
        Some(fx.organiser.id),
        now,
    )
    .await
    .unwrap();
    let today = fairlink::format::day_in(fairlink::format::DEFAULT_TIME_ZONE, now);
    Fair {
        id: fx.fair_id,
        slug,
        hall_id: fx.hall_id,
        booths: fx.booths,
        first_day: today - chrono::Days::new(1),
        today,
        plan_json: serde_json::to_string(&plan).unwrap(),
        upload_id,
        device_token,
        organiser: fx.organiser,
    }
}

/// One caller of each role and the objects they own. The authorization pass
/// and the abuse pass each get a cast of their own. The first pass changes
/// what it touches (a hold confirmed, a device revoked, a tax code released),
/// and the second should start from objects in their first state.
struct Cast {
    users: HashMap<Caller, SessionUser>,
    firm_id: Uuid,
    tax_code: String,
    legal_name: String,
    /// Another exhibitor's firm: what the organiser's firm functions act on.
    other_firm_id: Uuid,
    /// A free booth for the exhibitor to hold (id, code).
    hold: (Uuid, String),
    /// The exhibitor's hold on another booth.
    claim: Uuid,
    /// A booth for the organiser to block.
    block: Uuid,
    /// The code of a booth to move a booking to.
    spare_code: String,
    /// The visitor's badge, consenting to leads.
    badge_id: Uuid,
    badge_token: String,
    /// A device that may be revoked (the scanner routes use another).
    spare_device: Uuid,
    invite_token: String,
    mail_id: Uuid,
    fresh_email: String,
    /// The slug for a new fair (so that saving one never rewrites the test's).
    new_slug: String,
}

fn booth_code(index: usize) -> String {
    format!("A-{:04}", index + 1)
}

async fn setup_cast(db: &Db, fair: &Fair, name: &str, first_booth: usize) -> Cast {
    use fairlink::testing::users;
    let now = Utc::now();
    let tag = Uuid::new_v4().simple().to_string()[..8].to_string();
    let organiser = if first_booth == 0 {
        fair.organiser.clone()
    } else {
        users(db, 1, Role::Organiser, &format!("{name}organiser"))
            .await
            .remove(0)
    };
    let visitor = users(db, 1, Role::Visitor, &format!("{name}visitor"))
        .await
        .remove(0);
    let mut exhibitors = users(db, 2, Role::Exhibitor, &format!("{name}firm")).await;
    let (exhibitor, other) = (exhibitors.remove(0), exhibitors.remove(0));
    let staff = users(db, 1, Role::Staff, &format!("{name}door"))
        .await
        .remove(0);
    // Door staff scan only at the fairs they are on.
    fairlink::badges::door::add(db.write(), fair.id, staff.id, Some(organiser.id), now)
        .await
        .unwrap();
    let (spare, _) = fairlink::badges::add_device(db, &organiser, fair.id, "Dự phòng", now)
        .await
        .unwrap();
    let mut badge = fairlink::testing::visitor_badge(fair.id, &visitor.name);
    badge.user_id = Some(visitor.id);
    badge.lead_consent = true;
    let badge = fairlink::badges::issue(db, &organiser, &badge, now)
        .await
        .unwrap();
    let claim = fairlink::booths::hold(db, &exhibitor, fair.booths[first_booth + 1], now)
        .await
        .unwrap()
        .id;
    let invited = format!("{name}.invited.{tag}@test.example");
    let links = fairlink::mail::Links::new("http://127.0.0.1");
    let invite_token =
        fairlink::accounts::invite_staff(db, &organiser, &invited, "Nhân viên Mời", &links, now)
            .await
            .unwrap();
    use fairlink::mail::entity::outbox;
    let mail_id = outbox::Entity::find()
        .filter(outbox::Column::ToEmail.eq(invited.clone()))
        .one(db.read())
        .await
        .unwrap()
        .expect("the invitation's mail")
        .id;
    let membership = |user: Uuid| async move {
        fairlink::firms::profile::membership(db.read(), user)
            .await
            .unwrap()
            .expect("each test exhibitor has a firm")
            .0
    };
    let firm_id = membership(exhibitor.id).await;
    let other_firm_id = membership(other.id).await;
    let firm = fairlink::firms::entity::firm::Entity::find_by_id(firm_id)
        .one(db.read())
        .await
        .unwrap()
        .unwrap();
    let users = HashMap::from([
        (Caller::Visitor, visitor),
        (Caller::Exhibitor, exhibitor),
        (Caller::Staff, staff),
        (Caller::Organiser, organiser),
    ]);
    Cast {
        users,
        firm_id,
        // The test firms carry branch "-000", which the profile form refuses
        // (a branch is never 000): the form's own spelling is the ten digits.
        tax_code: firm.tax_code.trim_end_matches("-000").to_string(),
        legal_name: firm.legal_name,
        other_firm_id,
        hold: (fair.booths[first_booth], booth_code(first_booth)),
        claim,
        block: fair.booths[first_booth + 2],
        spare_code: booth_code(first_booth + 3),
        badge_id: badge.id,
        badge_token: badge.token,
        spare_device: spare.id,
        invite_token,
        mail_id,
        fresh_email: format!("{name}.new.{tag}@test.example"),
        new_slug: format!("{name}-fair-{tag}"),
    }
}

impl Cast {
    /// A value an honest form would send for this argument, or `None` to
    /// leave it out. Arguments are known by name; a name the test does not
    /// know gets a value of its type and is noted.
    fn plausible(
        &self,
        fair: &Fair,
        f: &ServerFn,
        a: &Arg,
        notes: &mut BTreeSet<String>,
    ) -> Option<String> {
        let ep = f.endpoint.as_str();
        let id = |u: Uuid| Some(u.to_string());
        match a.ty {
            Ty::Uuid => {
                return match a.name.as_str() {
                    // Left out, the function makes a new fair instead of
                    // rewriting the test's own.
                    "fair" if a.optional => None,
                    "fair" => id(fair.id),
                    "hall" => id(fair.hall_id),
                    "booth" if f.has("blocked") => id(self.block),
                    "booth" => id(self.hold.0),
                    "claim" => id(self.claim),
                    "id" if ep.starts_with("admin/mail") => id(self.mail_id),
                    "id" | "firm" if ep.starts_with("admin/") || ep.starts_with("firms/") => {
                        id(self.other_firm_id)
                    }
                    "file" => id(fair.upload_id),
                    "device" => id(self.spare_device),
                    "badge" => id(self.badge_id),
                    "counterpart" => id(self.firm_id),
                    "staff" => id(self.users[&Caller::Staff].id),
                    _ if a.optional => None,
                    // A well-formed id of nothing: the function looks it up
                    // and says so (requests, leads, products... the test has
                    // none of).
                    _ => id(Uuid::new_v4()),
                };
            }
            Ty::Bool => return Some("true".into()),
            // No signing key has number 9: retiring it changes nothing.
            Ty::Int => return Some(if a.name == "key" { "9" } else { "0" }.into()),
            Ty::Date => return Some(fair.today.to_string()),
            Ty::Other => {
                notes.insert(format!("{ep} `{}: {}` (sent 0)", a.name, a.declared));
                return Some("0".into());
            }
            Ty::Text => {}
        }
        let v: String = match a.name.as_str() {
            "slug" if f.args.iter().any(|x| x.name == "fair" && x.optional) => {
                self.new_slug.clone()
            }
            "slug" => fair.slug.clone(),
            "hall" => "A".into(),
            "booth" => self.spare_code.clone(),
            "code" if ep.starts_with("leads/") || ep.starts_with("meetings/") => {
                self.badge_token.clone()
            }
            "code" if ep.contains("gate") => "G2".into(),
            "code" if ep.contains("zone") => "COMP".into(),
            "code" if ep.contains("type") => "inline".into(),
            "code" => "A".into(),
            "token" if ep.contains("invite") => self.invite_token.clone(),
            "token" => "0bogus0token0nobody0was0sent0this0".into(),
            "email" if ep == "auth/login" || ep == "auth/forgot" => {
                self.users[&Caller::Visitor].email.clone()
            }
            "email" => self.fresh_email.clone(),
            // The same password again: a change of password changes nothing
            // for the rest of the test.
            "password" | "current_password" | "new_password" => PASSWORD.into(),
            "name" => "Nguyễn Thị Thử".into(),
            "name_vi" => "Tên thử nghiệm".into(),
            "name_en" => "Test name".into(),
            "role" => "visitor".into(),
            "locale" => "en".into(),
            "purpose" => "reset".into(),
            "next" => "/account".into(),
            "status" if ep.contains("mail") => "queued".into(),
            "status" => "submitted".into(),
            "decision" => "approve".into(),
            "answer" => "accept".into(),
            "outcome" => "useful".into(),
            "follow_up" => "no".into(),
            "reason" => "Kiểm tra lại".into(),
            "note" | "notes" => "Gặp lại sau hội chợ".into(),
            "message" => "Xin chào, chúng tôi muốn gặp.".into(),
            "organisation" => "Công ty Khách".into(),
            "kind" | "kinds" => "visitor".into(),
            "area" => "hall".into(),
            "q" => "linh kiện".into(),
            "province" if ep == "firms/catalogue" => String::new(),
            "province" => "ha_noi".into(),
            "sector_group" => "components".into(),
            "sector"
            | "certificate"
            | "market"
            | "sort"
            | "state"
            | "order"
            | "avoid"
            | "pref2"
            | "pref3"
            | "website"
            | "revenue_band"
            | "customers"
            | "max_entries_per_day"
            | "booking_opens_on"
            | "booking_closes_on"
            | "registration_closes_on" => String::new(),
            "tolerance" => "10".into(),
            "area_m2" => "9".into(),
            "type_code" => "inline".into(),
            "zone" => "COMP".into(),
            "pref1" => self.hold.1.clone(),
            "starts_on" => "2031-05-10".into(),
            "ends_on" => "2031-05-12".into(),
            "opens_at" => "08:30".into(),
            "closes_at" => "17:00".into(),
            "time_zone" => fairlink::format::DEFAULT_TIME_ZONE.into(),
            "vat_percent" => "8".into(),
            "hold_minutes" => "15".into(),
            "venue_vi" => "Trung tâm Triển lãm".into(),
            "venue_en" => "Exhibition Centre".into(),
            "city" => "Hà Nội".into(),
            "price_per_m2" => "2500000".into(),
            "surcharge_percent" => "0".into(),
            // The test hall's own size: its booths stay inside.
            "width" => "66".into(),
            "depth" => "12".into(),
            "day" => fair.first_day.to_string(),
            "plan" => fair.plan_json.clone(),
            "ending" => "release".into(),
            "back" => "/organiser/fairs".into(),
            "legal_name" => self.legal_name.clone(),
            "tax_code" => self.tax_code.clone(),
            "address" => "Lô 1, KCN Thăng Long, Hà Nội".into(),
            "contact_name" => "Lương Thị Mai".into(),
            "contact_email" => "mai@test.example".into(),
            "contact_phone" => "024 3888 1234".into(),
            "employees" => "100".into(),
            "founded_year" => "2010".into(),
            "description_vi" => "Đúc áp lực vỏ hộp số.".into(),
            "description_en" => "Die-cast gearbox housings.".into(),
            "hs_code" => "8708".into(),
            "tables" => "10".into(),
            "request_hours" => "48".into(),
            "slots" => format!("{} 09:00 30", fair.first_day),
            "rating" => "3".into(),
            "tags" => "khuôn".into(),
            // A ticked box: the forms' optional text fields are checkboxes.
            _ if a.optional => "on".into(),
            _ => {
                notes.insert(format!("{ep} `{}: {}` (sent \"thử\")", a.name, a.declared));
                "thử".into()
            }
        };
        Some(v)
    }

    /// The value of a path parameter, known by its name and the segment
    /// before it.
    fn param(&self, fair: &Fair, name: &str, prev: &str, path: &str) -> String {
        match (name, prev) {
            ("slug", _) => fair.slug.clone(),
            ("fair", _) => fair.id.to_string(),
            ("id", "exhibitors" | "firms") => self.other_firm_id.to_string(),
            ("id", "mail") => self.mail_id.to_string(),
            ("id", "files") => fair.upload_id.to_string(),
            ("id", "bookings") => self.claim.to_string(),
            ("id", "badges") => self.badge_id.to_string(),
            ("id", "halls") => fair.hall_id.to_string(),
            ("id", "devices") => self.spare_device.to_string(),
            ("token", "invite") => self.invite_token.clone(),
            ("token", _) => "0bogus0token0nobody0was0sent0this0".into(),
            ("code", _) => "A".into(),
            ("name", _) if path.contains("/export/") => "catalogue.csv".into(),
            ("name", _) => "plan.csv".into(),
            ("file", _) => format!("{}.ics", fair.slug),
            ("rest", _) => "no/such/function".into(),
            _ => Uuid::new_v4().to_string(),
        }
    }

    /// `path` with its parameters filled in; parameter number `junk.0` gets
    /// `junk.1` instead.
    fn fill(&self, fair: &Fair, path: &str, junk: Option<(usize, &str)>) -> String {
        let mut out = Vec::new();
        let (mut prev, mut n) = ("", 0);
        for seg in path.split('/') {
            match param_name(seg) {
                Some(name) => {
                    out.push(match junk {
                        Some((k, j)) if k == n => j.to_string(),
                        _ => self.param(fair, name, prev, path),
                    });
                    n += 1;
                }
                None => out.push(seg.to_string()),
            }
            prev = seg;
        }
        out.join("/")
    }
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

struct Req {
    caller: Caller,
    label: String,
    method: &'static str,
    path: String,
    body: Option<(&'static str, Vec<u8>)>,
    /// The 2 MB body, written over a socket of its own.
    huge: bool,
    /// Junk the server must refuse: it may not leave anything behind, whatever
    /// the answer.
    hostile: bool,
    /// The status this request must get (beyond "not 5xx").
    expect: Option<u16>,
}

struct Answer {
    /// 0: no answer at all.
    status: u16,
    location: String,
    snippet: String,
}

impl Answer {
    fn none(why: impl std::fmt::Display) -> Answer {
        Answer {
            status: 0,
            location: String::new(),
            snippet: why.to_string(),
        }
    }

    /// The request did what it asked: 2xx, or a redirect that is not to an
    /// error (forms outside the API answer failures with `?error=`).
    fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
            || ((300..400).contains(&self.status) && !self.location.contains("error="))
    }
}

fn describe(r: &Req) -> String {
    let mut path: String = r.path.chars().take(140).collect();
    if path.len() < r.path.len() {
        path.push('…');
    }
    format!("{} {} as {} ({})", r.method, path, r.caller.name(), r.label)
}

/// Percent-encodes all but the unreserved characters.
fn encode(s: &str) -> String {
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

fn form_of(values: &[(String, Option<String>)]) -> String {
    values
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{}={}", encode(k), encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

fn values_for(
    f: &ServerFn,
    fair: &Fair,
    cast: &Cast,
    notes: &mut BTreeSet<String>,
) -> Vec<(String, Option<String>)> {
    f.args
        .iter()
        .map(|a| (a.key(), cast.plausible(fair, f, a, notes)))
        .collect()
}

/// The one request of the authorization pass: plausible arguments, an
/// empty form for the other POST routes. (An empty body would not do for
/// server functions: their arguments are decoded before the guard runs, so
/// a missing one answers 400 to everyone, signed in or not.)
fn plain_request(
    e: &Endpoint,
    fns: &[ServerFn],
    caller: Caller,
    fair: &Fair,
    cast: &Cast,
    notes: &mut BTreeSet<String>,
) -> Req {
    let (path, body) = match e.kind {
        Kind::Function(k) => {
            let form = form_of(&values_for(&fns[k], fair, cast, notes));
            if e.method == "GET" {
                (format!("{}?{form}", e.path), None)
            } else {
                (e.path.clone(), Some((FORM, form.into_bytes())))
            }
        }
        Kind::Route | Kind::Page => (
            cast.fill(fair, &e.path, None),
            (e.method != "GET").then(|| (FORM, Vec::new())),
        ),
    };
    Req {
        caller,
        label: "plausible arguments".into(),
        method: e.method,
        path,
        body,
        huge: false,
        hostile: false,
        expect: None,
    }
}

/// The junk for one server function and one caller. `every`: all the
/// values (else only those that test decoding); `big`: this caller also
/// sends the 200 KB string.
fn function_requests(
    f: &ServerFn,
    values: &[(String, Option<String>)],
    caller: Caller,
    every: bool,
    big: bool,
) -> Vec<Req> {
    let get = f.method == "GET";
    let base = format!("/api/{}", f.endpoint);
    let req = |label: String,
               hostile: bool,
               expect: Option<u16>,
               body: Option<(&'static str, Vec<u8>)>,
               path: String| Req {
        caller,
        label,
        method: f.method,
        path,
        body,
        huge: false,
        hostile,
        expect,
    };
    let with = |vals: &[(String, Option<String>)]| -> (Option<(&'static str, Vec<u8>)>, String) {
        let form = form_of(vals);
        if get {
            (None, format!("{base}?{form}"))
        } else {
            (Some((FORM, form.into_bytes())), base.clone())
        }
    };
    let mut out = Vec::new();
    for (k, a) in f.args.iter().enumerate() {
        // A ticked box's value is never read: junk in it is not junk.
        let flag =
            a.optional && a.ty == Ty::Text && !a.list && values[k].1.as_deref() == Some("on");
        // Typed arguments cannot take the wrong type; for text the "wrong
        // type" is just odd text (a number field that gets a word).
        let typed = a.ty != Ty::Text;
        let mut junk: Vec<(String, Option<String>, bool)> =
            vec![("left out".into(), None, !a.optional)];
        let wrong = if every {
            &WRONG_TYPES[..]
        } else {
            &WRONG_TYPES[..1]
        };
        for w in wrong {
            junk.push((format!("wrong type {w:?}"), Some(w.to_string()), typed));
        }
        if every {
            junk.push(("control characters".into(), Some(CONTROL.into()), !flag));
            junk.push(("markup".into(), Some(MARKUP.into()), false));
            junk.push(("path trick".into(), Some(PATH_TRICK.into()), false));
        }
        // A URL of 200 KB is refused by the HTTP stack before the server.
        if big && !get {
            junk.push(("200 KB".into(), Some("x".repeat(BIG_TEXT)), !flag));
        }
        for (what, value, hostile) in junk {
            let mut vals = values.to_vec();
            vals[k].1 = value;
            let (body, path) = with(&vals);
            out.push(req(
                format!("{}: {what}", a.name),
                hostile,
                None,
                body,
                path,
            ));
        }
    }
    let first = values.iter().position(|(_, v)| v.is_some());
    if get {
        if let Some(k) = first {
            let path = format!("{base}?{}=%FF%FE", encode(&values[k].0));
            out.push(req("%FF%FE in the query".into(), true, None, None, path));
        }
        return out;
    }
    // The form with its first value replaced by bytes that are not UTF-8.
    let with_bad = |bad: &[u8]| -> Vec<u8> {
        let mut body = Vec::new();
        match first {
            Some(k) => {
                for (j, (key, v)) in values.iter().enumerate() {
                    let Some(v) = v else { continue };
                    if !body.is_empty() {
                        body.push(b'&');
                    }
                    body.extend_from_slice(encode(key).as_bytes());
                    body.push(b'=');
                    if j == k {
                        body.extend_from_slice(bad);
                    } else {
                        body.extend_from_slice(encode(v).as_bytes());
                    }
                }
            }
            None => {
                body.extend_from_slice(b"x=");
                body.extend_from_slice(bad);
            }
        }
        body
    };
    // Refused by the form check in front of every function, before it runs.
    out.push(req(
        "%FF%FE in the form".into(),
        true,
        Some(400),
        Some((FORM, with_bad(b"%FF%FE"))),
        base.clone(),
    ));
    out.push(req(
        "raw 0xFF bytes in the form".into(),
        true,
        Some(400),
        Some((FORM, with_bad(&[0xff, 0xfe, 0xfd]))),
        base.clone(),
    ));
    let json: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .map(|v| (k.clone(), serde_json::Value::String(v.clone())))
        })
        .collect();
    // A JSON body read as a form is one odd key: junk for a function with a
    // required argument, an empty form for the others.
    let required = f.args.iter().any(|a| !a.optional);
    out.push(req(
        "JSON body sent as a form".into(),
        required,
        None,
        Some((FORM, serde_json::to_vec(&json).unwrap())),
        base.clone(),
    ));
    out.push(req(
        "form body sent as JSON".into(),
        false,
        None,
        Some(("application/json", form_of(values).into_bytes())),
        base.clone(),
    ));
    // Refused from its announced size, before anyone is asked who they are:
    // one caller is enough.
    if caller == Caller::Anonymous {
        let mut r = req("2 MB body".into(), true, Some(413), None, base.clone());
        r.huge = true;
        out.push(r);
    }
    out
}

/// A route or a page with junk in its path parameters and its query.
fn route_requests(e: &Endpoint, fair: &Fair, cast: &Cast, caller: Caller) -> Vec<Req> {
    let long = "a".repeat(500);
    let mut paths = Vec::new();
    for k in 0..params_in(&e.path) {
        for j in PATH_JUNK.iter().copied().chain([long.as_str()]) {
            let shown: String = j.chars().take(30).collect();
            paths.push((
                format!("parameter {} = {shown}", k + 1),
                cast.fill(fair, &e.path, Some((k, j))),
            ));
        }
    }
    let real = cast.fill(fair, &e.path, None);
    paths.push(("trailing slash".into(), format!("{real}/")));
    for (n, q) in QUERY_JUNK.iter().enumerate() {
        let q = if n == 1 {
            format!("{q}{}", "y".repeat(500))
        } else {
            q.to_string()
        };
        paths.push((format!("junk query {}", n + 1), format!("{real}{q}")));
    }
    paths
        .into_iter()
        .map(|(label, path)| Req {
            caller,
            label,
            method: e.method,
            path,
            body: (e.method != "GET").then(|| (FORM, Vec::new())),
            huge: false,
            hostile: false,
            expect: None,
        })
        .collect()
}

struct Client {
    http: reqwest::Client,
    base: String,
    addr: String,
    device_token: String,
    sessions: Mutex<HashMap<Caller, String>>,
}

impl Client {
    fn new(base: &str, device_token: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(CONCURRENCY * 2)
                .build()
                .unwrap(),
            base: base.to_string(),
            addr: base.trim_start_matches("http://").to_string(),
            device_token: device_token.to_string(),
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Gives each signed-in caller of `cast` a live session. Signing in,
    /// up or out, and changing a password, end the caller's own session.
    /// Sessions are opened directly, without a password hash.
    async fn ensure_sessions(&self, db: &Db, cast: &Cast) {
        let now = Utc::now();
        for caller in Caller::SIGNED_IN {
            let user = &cast.users[&caller];
            let token = self.sessions.lock().unwrap().get(&caller).cloned();
            let live = match &token {
                Some(t) => matches!(
                    fairlink::accounts::session_user(db, t, now).await,
                    Ok(Some(u)) if u.id == user.id
                ),
                None => false,
            };
            if !live {
                let fresh = fairlink::accounts::open_session(db, user.id, None, None, now)
                    .await
                    .unwrap()
                    .token;
                self.sessions.lock().unwrap().insert(caller, fresh);
            }
        }
    }

    async fn send(&self, r: &Req) -> Answer {
        if r.huge {
            return self.send_huge(r).await;
        }
        let mut tries = 0;
        loop {
            let method = match r.method {
                "GET" => reqwest::Method::GET,
                "PUT" => reqwest::Method::PUT,
                "PATCH" => reqwest::Method::PATCH,
                "DELETE" => reqwest::Method::DELETE,
                _ => reqwest::Method::POST,
            };
            // The site's own Origin, as a browser sends it; no
            // `Accept: text/html`, so that errors come back as statuses
            // rather than redirects to the page.
            let mut b = self
                .http
                .request(method, format!("{}{}", self.base, r.path))
                .header("origin", &self.base);
            match r.caller {
                Caller::Anonymous => {}
                Caller::Device => {
                    b = b.header("authorization", format!("Bearer {}", self.device_token))
                }
                c => {
                    let token = self.sessions.lock().unwrap().get(&c).cloned();
                    if let Some(t) = token {
                        b = b.header("cookie", format!("fl_session={t}"));
                    }
                }
            }
            if let Some((ct, bytes)) = &r.body {
                b = b.header("content-type", *ct).body(bytes.clone());
            }
            let res = match b.send().await {
                Ok(res) => res,
                Err(e) => return Answer::none(e),
            };
            let status = res.status().as_u16();
            let header = |n: &str| {
                res.headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            let location = header("location");
            let retry = header("retry-after");
            // An event stream never ends: its status is all there is to read.
            let stream = header("content-type").starts_with("text/event-stream");
            let text = if stream {
                String::new()
            } else {
                res.bytes()
                    .await
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default()
            };
            // Password hashing turns requests away with 503 and Retry-After
            // while its threads are busy: asked again later, as a browser
            // would be.
            if status == 503 && !retry.is_empty() && tries < 4 {
                tries += 1;
                let secs = retry.parse::<u64>().unwrap_or(1).clamp(1, 3);
                tokio::time::sleep(Duration::from_secs(secs)).await;
                continue;
            }
            return Answer {
                status,
                location,
                snippet: text.chars().take(300).collect(),
            };
        }
    }

    /// A form that announces 2 MB: written over a socket of its own, with
    /// the answer read while the body is still going out. The server answers
    /// from the announced size alone and closes the connection; a client
    /// that waited to finish writing could see only the reset.
    async fn send_huge(&self, r: &Req) -> Answer {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let stream = match tokio::net::TcpStream::connect(self.addr.as_str()).await {
            Ok(s) => s,
            Err(e) => return Answer::none(e),
        };
        let (mut reader, mut writer) = stream.into_split();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nContent-Type: {FORM}\r\n\
             Content-Length: {BIG_BODY}\r\nConnection: close\r\n\r\n",
            r.path, self.addr, self.base
        );
        let write = tokio::spawn(async move {
            if writer.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < BIG_BODY {
                if writer.write_all(&chunk).await.is_err() {
                    return;
                }
                sent += chunk.len();
            }
        });
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_secs(10), async {
            while !got.windows(4).any(|w| w == b"\r\n\r\n".as_slice()) {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        write.abort();
        let text = String::from_utf8_lossy(&got).into_owned();
        let status = text
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        Answer {
            status,
            location: String::new(),
            snippet: text.chars().take(200).collect(),
        }
    }
}

async fn run_batch(client: &Client, reqs: Vec<Req>) -> Vec<(Req, Answer)> {
    futures_util::stream::iter(reqs)
        .map(|r| async move {
            let a = client.send(&r).await;
            (r, a)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

// ---------------------------------------------------------------------------
// The database as seen from outside
// ---------------------------------------------------------------------------

async fn strings(db: &Db, sql: &str, column: &str) -> Vec<String> {
    db.read()
        .query_all_raw(Statement::from_string(db.backend(), sql.to_string()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| r.try_get::<String>("", column).unwrap())
        .collect()
}

async fn table_names(db: &Db) -> Vec<String> {
    let sql = match db.backend() {
        DbBackend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        _ => {
            "SELECT tablename::text AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        }
    };
    strings(db, sql, "t").await
}

/// Rows per table, in one statement.
async fn counts(db: &Db, tables: &[String]) -> Vec<(String, i64)> {
    let sql = tables
        .iter()
        .map(|t| format!("SELECT CAST('{t}' AS TEXT) AS t, COUNT(*) AS n FROM \"{t}\""))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut out: Vec<(String, i64)> = db
        .read()
        .query_all_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "t").unwrap(),
                r.try_get::<i64>("", "n").unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// "badges +1, leads -2" for the tables that may not change.
fn changes(before: &[(String, i64)], after: &[(String, i64)]) -> Vec<String> {
    before
        .iter()
        .zip(after)
        .filter(|((t, b), (_, a))| a != b && !MAY_CHANGE.contains(&t.as_str()))
        .map(|((t, b), (_, a))| format!("{t} {:+}", a - b))
        .collect()
}

/// Text columns holding the long string (more than 100,000 characters) or a
/// control character from the junk (U+0001). The tables in [`MAY_CHANGE`]
/// are left out: the throttles record the address of a sign-in as it was
/// typed, before it is checked, and they never show it to anyone.
async fn stored_junk(db: &Db, tables: &[String]) -> Vec<String> {
    let backend = db.backend();
    let mut found = Vec::new();
    for t in tables.iter().filter(|t| !MAY_CHANGE.contains(&t.as_str())) {
        let columns = match backend {
            DbBackend::Sqlite => {
                let sql = format!("SELECT name AS c, type AS ty FROM pragma_table_info('{t}')");
                let rows = db
                    .read()
                    .query_all_raw(Statement::from_string(backend, sql))
                    .await
                    .unwrap();
                rows.iter()
                    .filter_map(|r| {
                        let c = r.try_get::<String>("", "c").ok()?;
                        let ty = r
                            .try_get::<String>("", "ty")
                            .unwrap_or_default()
                            .to_ascii_uppercase();
                        // Ids are 16-byte blobs on SQLite (declared `uuid_text`).
                        ((ty.is_empty()
                            || ty.contains("CHAR")
                            || ty.contains("TEXT")
                            || ty.contains("CLOB"))
                            && !ty.contains("UUID"))
                        .then_some(c)
                    })
                    .collect()
            }
            _ => {
                let sql = format!(
                    "SELECT column_name::text AS c FROM information_schema.columns \
                     WHERE table_schema = 'public' AND table_name = '{t}' \
                     AND data_type IN ('text', 'character varying', 'character')"
                );
                strings(db, &sql, "c").await
            }
        };
        for c in columns {
            let has_control = match backend {
                DbBackend::Sqlite => {
                    format!("(typeof(\"{c}\") = 'text' AND instr(\"{c}\", char(1)) > 0)")
                }
                _ => format!("strpos(\"{c}\", chr(1)) > 0"),
            };
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{t}\" WHERE length(\"{c}\") >= 100000 OR {has_control}"
            );
            let n = db
                .read()
                .query_one_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .and_then(|r| r.try_get::<i64>("", "n").ok())
                .unwrap_or(0);
            if n > 0 {
                found.push(format!("{t}.{c}: {n} row(s)"));
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------

/// Ends the server whatever happens to the test.
struct Reaper(std::process::Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `fairlink serve` as a process of its own (as in `cli.rs`), its error
/// output kept in `dir/server.log` for the failure message.
fn spawn_serve_with(url: &str, dir: &Path, env: &[(&str, &str)]) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_fairlink"))
        .arg("serve")
        .env("DATABASE_URL", url)
        .env("FAIRLINK_ADDR", format!("127.0.0.1:{port}"))
        .env("FAIRLINK_MAIL_DIR", dir.join("mail"))
        .env("LEPTOS_SITE_ROOT", dir.join("no-site"))
        .env("FAIRLINK_MASTER_KEY", fairlink::testing::TEST_MASTER_KEY)
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

async fn wait_ready(base: &str) {
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await
            && r.status() == reqwest::StatusCode::OK
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{base} did not become ready");
}

/// A process's resident memory now and at its peak, in MiB (`None` once
/// it is gone).
fn memory_mib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

// ---------------------------------------------------------------------------
// The two passes
// ---------------------------------------------------------------------------

/// Statuses by class: no answer, 1xx, 2xx, 3xx, 4xx, 5xx.
#[derive(Default)]
struct Stats {
    sent: u64,
    by_class: [u64; 6],
}

struct Run<'a> {
    db: &'a Db,
    client: &'a Client,
    fair: &'a Fair,
    endpoints: &'a [Endpoint],
    fns: &'a [ServerFn],
    server: Reaper,
    dir: PathBuf,
    failures: Vec<String>,
    notes: BTreeSet<String>,
    stats: Stats,
    /// What each caller got in the authorization pass, for messages.
    seen: HashMap<(usize, Caller), String>,
}

impl Run<'_> {
    fn alive(&mut self) -> bool {
        matches!(self.server.0.try_wait(), Ok(None))
    }

    /// No 5xx, an answer at all, and the status due where one is.
    fn check(&mut self, r: &Req, a: &Answer) {
        self.stats.sent += 1;
        self.stats.by_class[usize::from((a.status / 100).min(5))] += 1;
        if a.status == 0 {
            self.failures.push(format!(
                "{}: no answer ({}): the connection dropped, as it does when a handler panics",
                describe(r),
                a.snippet
            ));
        } else if a.status >= 500 {
            self.failures
                .push(format!("{}: {} {}", describe(r), a.status, a.snippet));
        } else if let Some(due) = r.expect
            && a.status != due
        {
            self.failures.push(format!(
                "{}: {} where {due} was due: {}",
                describe(r),
                a.status,
                a.snippet
            ));
        }
    }

    /// Nothing half-written: a batch whose requests were all refused leaves
    /// every table as it was, and junk leaves nothing whatever the answer.
    fn check_batch(
        &mut self,
        what: &str,
        answers: &[(Req, Answer)],
        before: &[(String, i64)],
        after: &[(String, i64)],
        hostile: bool,
    ) {
        let changed = changes(before, after);
        if changed.is_empty() {
            return;
        }
        let accepted: Vec<String> = answers
            .iter()
            .filter(|(_, a)| a.succeeded())
            .map(|(r, a)| format!("{} as {} → {}", r.label, r.caller.name(), a.status))
            .collect();
        if accepted.is_empty() {
            self.failures.push(format!(
                "{what}: every request was refused, yet {}: something was half-written",
                changed.join(", ")
            ));
        } else if hostile {
            self.failures.push(format!(
                "{what}: junk was accepted and left rows behind ({}); accepted: {}",
                changed.join(", "),
                accepted.join("; ")
            ));
        }
    }

    /// Every endpoint once as each caller.
    async fn authorization_pass(&mut self, cast: &Cast) -> Vec<[Access; 6]> {
        let (db, client, fair, endpoints, fns) =
            (self.db, self.client, self.fair, self.endpoints, self.fns);
        let mut access = vec![[Access::NotAsked; 6]; endpoints.len()];
        for (i, e) in endpoints.iter().enumerate() {
            client.ensure_sessions(db, cast).await;
            let callers: &[Caller] = if e.is_scanner() {
                &Caller::ALL
            } else {
                &Caller::PEOPLE
            };
            let reqs = callers
                .iter()
                .map(|c| plain_request(e, fns, *c, fair, cast, &mut self.notes))
                .collect();
            for (r, a) in run_batch(client, reqs).await {
                self.check(&r, &a);
                access[i][r.caller as usize] = Access::of(a.status);
                let snippet: String = a.snippet.chars().take(120).collect();
                self.seen
                    .insert((i, r.caller), format!("{} {snippet}", a.status));
            }
            if !self.alive() {
                self.failures.push(format!(
                    "the server ended while {} {} was being called",
                    e.method, e.path
                ));
                break;
            }
        }
        access
    }

    /// Junk to one server function from every caller, in two batches with the
    /// row counts taken around each: junk first, then input that is odd but
    /// well-formed (which may succeed).
    async fn function_abuse(
        &mut self,
        f: &ServerFn,
        cast: &Cast,
        row: [Access; 6],
        tables: &[String],
    ) {
        let (db, client, fair) = (self.db, self.client, self.fair);
        client.ensure_sessions(db, cast).await;
        // The long string goes in as a caller who gets past the guard, where
        // it can reach the database.
        let big = [
            Caller::Organiser,
            Caller::Exhibitor,
            Caller::Visitor,
            Caller::Staff,
        ]
        .into_iter()
        .find(|c| row[*c as usize] == Access::Allowed)
        .unwrap_or(Caller::Anonymous);
        let (mut hostile, mut odd) = (Vec::new(), Vec::new());
        for caller in Caller::PEOPLE {
            let every =
                REFUSED_CALLERS_GET_EVERY_VARIANT || row[caller as usize] == Access::Allowed;
            let values = values_for(f, fair, cast, &mut self.notes);
            for r in function_requests(f, &values, caller, every, caller == big) {
                if r.hostile {
                    hostile.push(r)
                } else {
                    odd.push(r)
                }
            }
        }
        let what = format!("{} /api/{}", f.method, f.endpoint);
        let before = counts(db, tables).await;
        let answers = run_batch(client, hostile).await;
        let middle = counts(db, tables).await;
        for (r, a) in &answers {
            self.check(r, a);
        }
        self.check_batch(&what, &answers, &before, &middle, true);
        let answers = run_batch(client, odd).await;
        let after = counts(db, tables).await;
        for (r, a) in &answers {
            self.check(r, a);
        }
        self.check_batch(&what, &answers, &middle, &after, false);
    }

    /// Junk paths and queries to one route or page. Pages go to the callers
    /// that may see them (and anonymous): the others get the same refusal
    /// page whatever the path holds.
    async fn route_abuse(&mut self, i: usize, cast: &Cast, row: [Access; 6], tables: &[String]) {
        let (db, client, fair, endpoints) = (self.db, self.client, self.fair, self.endpoints);
        let e = &endpoints[i];
        client.ensure_sessions(db, cast).await;
        let callers: Vec<Caller> = match e.kind {
            Kind::Page => std::iter::once(Caller::Anonymous)
                .chain(
                    Caller::SIGNED_IN
                        .into_iter()
                        .filter(|c| row[*c as usize] == Access::Allowed),
                )
                .collect(),
            _ if e.is_scanner() => Caller::ALL.to_vec(),
            _ => Caller::PEOPLE.to_vec(),
        };
        let reqs = callers
            .into_iter()
            .flat_map(|c| route_requests(e, fair, cast, c))
            .collect();
        let what = format!("{} {}", e.method, e.path);
        let before = counts(db, tables).await;
        let answers = run_batch(client, reqs).await;
        let after = counts(db, tables).await;
        for (r, a) in &answers {
            self.check(r, a);
        }
        self.check_batch(&what, &answers, &before, &after, false);
    }

    fn server_log(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

/// The table, as `docs/authorization.md` holds it.
fn markdown(endpoints: &[Endpoint], access: &[[Access; 6]]) -> String {
    let mut s = String::from(
        "# Who may call what\n\
         \n\
         Generated by `server/tests/abuse.rs` from the running code; do not edit by hand.\n\
         The test reads every server function in `app/src/api/`, every route in\n\
         `server/src/lib.rs` and every page in `app/src/lib.rs`. It starts the server on a\n\
         test fair and calls each of them once as each kind of caller, with plausible\n\
         arguments. After a change to who may call what, regenerate the table with\n\
         \n\
         ```sh\n\
         FAIRLINK_WRITE_DOCS=1 cargo test --workspace --test abuse\n\
         ```\n\
         \n\
         and review the difference before committing it.\n\
         \n\
         ✓: the call reached the handler (whatever it then answered, including 400, 404,\n\
         409 or 422 for an argument or an object that was not right); ✗: refused (403);\n\
         \"sign in\": refused until the caller signs in (401); –: not asked (only the\n\
         scanner routes are called with a device's token).\n\
         \n\
         | endpoint | method | anonymous | visitor | exhibitor | staff | organiser | device |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for (e, row) in endpoints.iter().zip(access) {
        s.push_str(&format!("| `{}` | {} |", e.path, e.method));
        for a in row {
            s.push_str(&format!(" {} |", a.cell()));
        }
        s.push('\n');
    }
    s
}

/// The first lines where the file and the table from the code differ.
fn first_differences(file: &str, code: &str) -> String {
    let (f, c): (Vec<&str>, Vec<&str>) = (file.lines().collect(), code.lines().collect());
    let mut out = Vec::new();
    for i in 0..f.len().max(c.len()) {
        if f.get(i) != c.get(i) {
            out.push(format!(
                "  line {}:\n    in the file:   {}\n    from the code: {}",
                i + 1,
                f.get(i).unwrap_or(&"(end of file)"),
                c.get(i).unwrap_or(&"(end of table)")
            ));
            if out.len() == 8 {
                break;
            }
        }
    }
    out.join("\n")
}

db_test! {
    async fn junk_never_breaks_the_server_and_every_endpoint_checks_its_caller(db: Db) {
        let started = Instant::now();
        let fns = read_server_fns();
        let routes = read_routes();
        let pages = read_pages();
        assert!(
            fns.len() > 50 && routes.len() > 10 && pages.len() > 10,
            "the sources were not read as expected: {} server functions, {} routes, {} pages",
            fns.len(),
            routes.len(),
            pages.len()
        );
        let endpoints = list_endpoints(&fns, &routes, &pages);
        let fair = setup_fair(&db).await;
        let first = setup_cast(&db, &fair, "a", 0).await;

        let dir = std::env::temp_dir().join(format!("fairlink-abuse-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let (child, base) = spawn_serve_with(
            db.url(),
            &dir,
            &[
                // Limits would answer 429 for the function, hiding its status.
                ("FAIRLINK_SEARCH_RATE", "0"),
                ("FAIRLINK_SYNC_RATE", "0"),
                // Every page rendered afresh, for every query string.
                ("FAIRLINK_PAGE_CACHE_SECONDS", "0"),
            ],
        );
        let server = Reaper(child);
        let pid = server.0.id();
        wait_ready(&base).await;
        let (rss_start, _) = memory_mib(pid).expect("the server runs");
        let client = Client::new(&base, &fair.device_token);
        let mut run = Run {
            db: &db,
            client: &client,
            fair: &fair,
            endpoints: &endpoints,
            fns: &fns,
            server,
            dir: dir.clone(),
            failures: Vec::new(),
            notes: BTreeSet::new(),
            stats: Stats::default(),
            seen: HashMap::new(),
        };
        for f in fns.iter().filter(|f| f.endpoint.is_empty()) {
            run.failures.push(format!(
                "a server function in {} has no `endpoint = \"...\"`: its address cannot be read from the source",
                f.file
            ));
        }

        // 1. Who may call what.
        let access = run.authorization_pass(&first).await;
        let auth_requests = run.stats.sent;
        // The guard in the source and the answers agree: no session is
        // "sign in", a role the guard does not name is refused, and a role
        // it names is never told to sign in.
        for (i, e) in endpoints.iter().enumerate() {
            let Kind::Function(k) = e.kind else { continue };
            let Some(roles) = &fns[k].guard else { continue };
            let row = access[i];
            let answer = |c: Caller| run.seen.get(&(i, c)).cloned().unwrap_or_default();
            let mut wrong = Vec::new();
            if row[Caller::Anonymous as usize] != Access::SignIn {
                wrong.push(format!(
                    "{} {} ({}) has a guard, yet anonymous got {}",
                    e.method, e.path, fns[k].file, answer(Caller::Anonymous)
                ));
            }
            for caller in Caller::SIGNED_IN {
                let role = caller.role().unwrap();
                let got = row[caller as usize];
                if !roles.contains(&role) && got != Access::Refused {
                    wrong.push(format!(
                        "{} {} requires {roles:?}, yet {} got {} instead of 403",
                        e.method, e.path, caller.name(), answer(caller)
                    ));
                }
                if roles.contains(&role) && got == Access::SignIn {
                    wrong.push(format!(
                        "{} {}: a signed-in {} was told to sign in: {}",
                        e.method, e.path, caller.name(), answer(caller)
                    ));
                }
            }
            run.failures.extend(wrong);
        }
        let table = markdown(&endpoints, &access);
        let docs = repo().join("docs/authorization.md");
        let write = std::env::var("FAIRLINK_WRITE_DOCS").is_ok_and(|v| v == "1");
        let sqlite = db.backend() == DbBackend::Sqlite;
        if write {
            // One writer: the PostgreSQL leg runs at the same time and is
            // compared with the file on the next run.
            if sqlite {
                std::fs::write(&docs, &table).unwrap();
                eprintln!("wrote {}", docs.display());
            }
        } else {
            match std::fs::read_to_string(&docs) {
                Ok(file) if file.replace("\r\n", "\n") == table => {}
                Ok(file) => run.failures.push(format!(
                    "docs/authorization.md differs from what the code does ({:?}):\n{}\n  \
                     Run with FAIRLINK_WRITE_DOCS=1 to rewrite it, then review the change.",
                    db.backend(),
                    first_differences(&file.replace("\r\n", "\n"), &table)
                )),
                Err(e) => run.failures.push(format!(
                    "docs/authorization.md cannot be read ({e}): run with FAIRLINK_WRITE_DOCS=1 to write it"
                )),
            }
        }

        // 2. Junk, from a cast whose objects the first pass left alone.
        let second = setup_cast(&db, &fair, "b", 4).await;
        client.sessions.lock().unwrap().clear();
        let tables = table_names(&db).await;
        for (i, e) in endpoints.iter().enumerate() {
            match e.kind {
                Kind::Function(k) => run.function_abuse(&fns[k], &second, access[i], &tables).await,
                Kind::Route | Kind::Page => run.route_abuse(i, &second, access[i], &tables).await,
            }
            if !run.alive() {
                run.failures.push(format!("the server ended while {} {} was being sent junk", e.method, e.path));
                break;
            }
        }
        for junk in stored_junk(&db, &tables).await {
            run.failures.push(format!(
                "junk was stored: {junk} hold the 200 KB string or control characters"
            ));
        }

        let alive = run.alive();
        let memory = memory_mib(pid).filter(|_| alive);
        match memory {
            None => run.failures.push("the server process is gone".into()),
            Some((_, peak)) if peak > rss_start + 300 => run.failures.push(format!(
                "memory grew from {rss_start} MiB to a {peak} MiB peak"
            )),
            Some(_) => {}
        }
        let s = &run.stats;
        eprintln!(
            "abuse ({:?}): {} requests in {:.0?} ({} for the table); no answer {}, 1xx {}, 2xx {}, 3xx {}, 4xx {}, 5xx {}; \
             memory {} MiB at start, peak {} MiB",
            db.backend(),
            s.sent,
            started.elapsed(),
            auth_requests,
            s.by_class[0],
            s.by_class[1],
            s.by_class[2],
            s.by_class[3],
            s.by_class[4],
            s.by_class[5],
            rss_start,
            memory.map_or("?".to_string(), |(_, peak)| peak.to_string())
        );
        if !run.notes.is_empty() {
            eprintln!(
                "arguments without a known plausible value (give them one in `Cast::plausible`):\n  {}",
                run.notes.iter().cloned().collect::<Vec<_>>().join("\n  ")
            );
        }
        let failures = std::mem::take(&mut run.failures);
        let log = run.server_log();
        drop(run);
        let _ = std::fs::remove_dir_all(&dir);
        if !failures.is_empty() {
            let shown = failures.iter().take(60).cloned().collect::<Vec<_>>().join("\n- ");
            panic!(
                "{} problem(s) ({:?}):\n- {shown}{}\n\nthe server's error output, last lines:\n{log}",
                failures.len(),
                db.backend(),
                if failures.len() > 60 { "\n- …" } else { "" }
            );
        }
    }
}
