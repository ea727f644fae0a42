//! Firms: registration, authorization, uploads, review, members, search,
//! import and export, against SQLite and PostgreSQL.

use chrono::{NaiveDate, Utc};
use fairlink::accounts::{self, NewAccount, Role, SessionUser};
use fairlink::db::Db;
use fairlink::firms::entity::{certificate, firm, upload};
use fairlink::firms::profile::{self, CertificateInput, ProfileInput};
use fairlink::firms::review::{self, Decision};
use fairlink::firms::search::{self, Query};
use fairlink::firms::transfer::{self, Imported};
use fairlink::firms::{audit, status};
use fairlink::mail::Links;
use fairlink::mail::entity::outbox;
use fairlink::{ErrorCode, Locale, db_test};
use sea_orm::{EntityTrait, PaginatorTrait};

const PASSWORD: &str = "correct horse battery";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";

fn links() -> Links {
    Links::new("https://fair.example")
}

/// An account whose address is confirmed.
async fn user(db: &Db, email: &str, role: Role) -> SessionUser {
    let u = unconfirmed(db, email, role).await;
    use fairlink::accounts::entity::user;
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(u.id))
        .exec(db.write())
        .await
        .unwrap();
    SessionUser {
        email_verified: true,
        ..u
    }
}

/// An account whose address is not confirmed yet.
async fn unconfirmed(db: &Db, email: &str, role: Role) -> SessionUser {
    accounts::create_account(
        db,
        NewAccount {
            email: email.into(),
            name: "Đặng Thu Hà".into(),
            password: PASSWORD.into(),
            role,
            locale: Locale::Vi,
        },
        Utc::now(),
    )
    .await
    .unwrap()
}

fn profile_input(tax_code: &str, name: &str) -> ProfileInput {
    ProfileInput {
        legal_name: name.into(),
        name_en: "Hanoi Plastics Co., Ltd.".into(),
        tax_code: tax_code.into(),
        sector_group: "components".into(),
        address: "Lô CN-5, KCN Thăng Long, Đông Anh".into(),
        province: "Hà Nội".into(),
        website: "nhuahanoi.example".into(),
        contact_name: "Nguyễn Văn An".into(),
        contact_email: "an@nhuahanoi.example".into(),
        contact_phone: "024 3888 9999".into(),
        employees: "350".into(),
        revenue_band: "50b_200b".into(),
        founded_year: "2004".into(),
        description_vi: "Ép phun linh kiện nhựa cho xe máy và điện tử.".into(),
        description_en: "Plastic injection moulded parts for motorcycles and electronics.".into(),
        customers: "Honda Việt Nam".into(),
    }
}

fn certificate_input(kind: &str) -> CertificateInput {
    CertificateInput {
        kind: kind.into(),
        other_name: String::new(),
        number: "VN2024-00123".into(),
        issuer: "Bureau Veritas Việt Nam".into(),
        issued_on: "2024-03-01".into(),
        expires_on: "2026-12-01".into(),
    }
}

fn fair_end() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2026, 12, 18)
}

db_test! {
    async fn one_tax_code_one_firm(db: Db) {
        let now = Utc::now();
        let a = user(&db, "a@nhuahanoi.example", Role::Exhibitor).await;
        let firm_id = profile::save_profile(&db, &a, &profile_input("0314409058", "Công ty TNHH Nhựa Hà Nội"), now).await.unwrap();
        let p = profile::profile(&db, Some(&a), firm_id, fair_end()).await.unwrap();
        assert_eq!(p.status, status::DRAFT);
        assert_eq!(p.province, "ha_noi");
        assert_eq!(p.members.len(), 1);
        assert!(p.members[0].is_admin);
        // Saving again updates, and records what changed.
        let mut changed = profile_input("0314 409 058", "Công ty TNHH Nhựa Hà Nội Mới");
        changed.employees = "400".into();
        assert_eq!(profile::save_profile(&db, &a, &changed, now).await.unwrap(), firm_id);
        let history = audit::history(&db, "firm", firm_id).await.unwrap();
        assert_eq!(history[0].action, "firm.updated");
        assert!(history[0].detail.contains("legal_name") && history[0].detail.contains("employees"));

        let b = user(&db, "b@other.example", Role::Exhibitor).await;
        let err = profile::save_profile(&db, &b, &profile_input("0314409058-000", "Công ty Khác"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidTaxCode);
        let err = profile::save_profile(&db, &b, &profile_input("0314409058", "Công ty Khác"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::TaxCodeTaken);
        assert_eq!(err.field, Some("tax_code"));
        // A branch is a firm of its own.
        profile::save_profile(&db, &b, &profile_input("0314409058-001", "Chi nhánh Nhựa Hà Nội"), now).await.unwrap();

        for role in [Role::Visitor, Role::Organiser, Role::Staff] {
            let u = user(&db, &format!("{role}@x.example"), role).await;
            let err = profile::save_profile(&db, &u, &profile_input("0100109106", "Công ty Sai Vai"), now).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::Forbidden, "{role}");
        }
    }
}

db_test! {
    async fn drafts_are_private_and_edits_stay_in_their_firm(db: Db) {
        let now = Utc::now();
        let a = user(&db, "a@a.example", Role::Exhibitor).await;
        let b = user(&db, "b@b.example", Role::Exhibitor).await;
        let org = user(&db, "org@fair.example", Role::Organiser).await;
        let visitor = user(&db, "v@buyer.example", Role::Visitor).await;
        let firm_a = profile::save_profile(&db, &a, &profile_input("0314409058", "Công ty A"), now).await.unwrap();
        profile::save_profile(&db, &b, &profile_input("0100109106", "Công ty B"), now).await.unwrap();
        profile::add_product(&db, &a, "Vỏ hộp số", "Gearbox housing", "8708.40", now).await.unwrap();
        let product_a = profile::profile(&db, Some(&a), firm_a, None).await.unwrap().products[0].id;

        // A's draft: invisible to B, to visitors, to anonymous readers; visible to A and organisers.
        for viewer in [Some(&b), Some(&visitor), None] {
            let err = profile::profile(&db, viewer, firm_a, None).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::NotFound);
        }
        assert!(profile::profile(&db, Some(&org), firm_a, None).await.is_ok());
        // B cannot touch A's products; B's edits land in B's firm only.
        assert_eq!(profile::remove_product(&db, &b, product_a, now).await.unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(profile::profile(&db, Some(&a), firm_a, None).await.unwrap().products.len(), 1);
        // Nobody but organisers decides.
        for who in [&a, &b, &visitor] {
            let err = review::decide(&db, who, firm_a, Decision::Approve, &links(), now).await.unwrap_err();
            assert_eq!(err.code, ErrorCode::Forbidden);
        }
        // Not submitted yet: organisers cannot approve either.
        assert_eq!(review::decide(&db, &org, firm_a, Decision::Approve, &links(), now).await.unwrap_err().code, ErrorCode::WrongState);
        profile::submit(&db, &a, now).await.unwrap();
        review::decide(&db, &org, firm_a, Decision::Approve, &links(), now).await.unwrap();
        // Approved: everyone sees it, without the contacts when anonymous, without members unless inside.
        let public = profile::profile(&db, None, firm_a, None).await.unwrap();
        assert!(public.members.is_empty());
        assert_eq!(public.contact_email, None);
        let seen_by_b = profile::profile(&db, Some(&b), firm_a, None).await.unwrap();
        assert!(seen_by_b.members.is_empty());
        assert!(seen_by_b.contact_email.is_some());
    }
}

db_test! {
    async fn bad_uploads_store_nothing(db: Db) {
        let now = Utc::now();
        let a = user(&db, "a@a.example", Role::Exhibitor).await;
        profile::save_profile(&db, &a, &profile_input("0314409058", "Công ty A"), now).await.unwrap();
        let mut big = PDF.to_vec();
        big.resize(fairlink::firms::uploads::SCAN_MAX_BYTES + 1, b' ');
        let cases: Vec<(&str, Vec<u8>, ErrorCode)> = vec![
            ("iso.pdf", big, ErrorCode::FileTooLarge),
            ("iso.pdf", b"MZ\x90\x00 not a pdf".to_vec(), ErrorCode::InvalidFile),
            ("iso.png", PDF.to_vec(), ErrorCode::InvalidFile),
            ("../../etc/passwd.pdf", PDF.to_vec(), ErrorCode::InvalidFile),
        ];
        for (name, bytes, code) in cases {
            let err = profile::add_certificate(&db, &a, &certificate_input("iso_9001"), Some((name.into(), bytes)), now).await.unwrap_err();
            assert_eq!(err.code, code, "{name}");
        }
        assert_eq!(upload::Entity::find().count(db.read()).await.unwrap(), 0);
        assert_eq!(certificate::Entity::find().count(db.read()).await.unwrap(), 0);
        // Bad fields too.
        let mut wrong = certificate_input("iso_9001");
        wrong.expires_on = "2020-01-01".into();
        assert_eq!(profile::add_certificate(&db, &a, &wrong, None, now).await.unwrap_err().field, Some("expires_on"));
        let mut other = certificate_input("other");
        other.other_name = String::new();
        assert_eq!(profile::add_certificate(&db, &a, &other, None, now).await.unwrap_err().field, Some("other_name"));
        assert_eq!(certificate::Entity::find().count(db.read()).await.unwrap(), 0);

        // A good scan is kept, and only insiders may fetch it.
        let id = profile::add_certificate(&db, &a, &certificate_input("iatf_16949"), Some(("Chứng chỉ IATF.pdf".into(), PDF.to_vec())), now).await.unwrap();
        let firm_id = profile::membership(db.read(), a.id).await.unwrap().unwrap().0;
        let p = profile::profile(&db, Some(&a), firm_id, None).await.unwrap();
        let cert = p.certificates.iter().find(|c| c.id == id).unwrap();
        let file = profile::file_for(&db, Some(&a), cert.upload_id.unwrap()).await.unwrap();
        assert_eq!(file.content, PDF);
        assert_eq!(file.content_type, "application/pdf");
        assert_eq!(file.filename, "Chứng chỉ IATF.pdf");
        let stranger = user(&db, "s@s.example", Role::Exhibitor).await;
        assert_eq!(profile::file_for(&db, Some(&stranger), cert.upload_id.unwrap()).await.unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(profile::file_for(&db, None, cert.upload_id.unwrap()).await.unwrap_err().code, ErrorCode::NotFound);
    }
}

db_test! {
    async fn review_decisions_are_mailed_and_audited(db: Db) {
        let now = Utc::now();
        let a = user(&db, "admin@firm.example", Role::Exhibitor).await;
        let org = user(&db, "org@fair.example", Role::Organiser).await;
        let firm_id = profile::save_profile(&db, &a, &profile_input("0314409058", "Công ty TNHH Nhựa Hà Nội"), now).await.unwrap();
        let cert = profile::add_certificate(&db, &a, &certificate_input("iso_9001"), Some(("iso.pdf".into(), PDF.to_vec())), now).await.unwrap();
        profile::submit(&db, &a, now).await.unwrap();
        assert_eq!(profile::submit(&db, &a, now).await.unwrap_err().code, ErrorCode::WrongState);

        let queue = review::queue(&db, &org, status::SUBMITTED, 0, 50).await.unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].unverified, 1);
        let short = review::decide(&db, &org, firm_id, Decision::RequestChanges { reason: "no".into() }, &links(), now).await;
        assert_eq!(short.unwrap_err().field, Some("reason"));
        review::decide(&db, &org, firm_id, Decision::RequestChanges { reason: "Vui lòng tải lên bản scan chứng chỉ ISO 14001.".into() }, &links(), now)
            .await
            .unwrap();
        let p = profile::profile(&db, Some(&a), firm_id, None).await.unwrap();
        assert_eq!(p.status, status::CHANGES_REQUESTED);
        assert_eq!(p.decision_note.as_deref(), Some("Vui lòng tải lên bản scan chứng chỉ ISO 14001."));
        profile::submit(&db, &a, now).await.unwrap();

        review::verify_certificate(&db, &org, cert, true, now).await.unwrap();
        review::decide(&db, &org, firm_id, Decision::Approve, &links(), now).await.unwrap();
        assert_eq!(review::decide(&db, &org, firm_id, Decision::Approve, &links(), now).await.unwrap_err().code, ErrorCode::WrongState);

        let mails = outbox::Entity::find().all(db.read()).await.unwrap();
        let templates: Vec<&str> = mails.iter().map(|m| m.template.as_str()).collect();
        assert!(templates.contains(&"firm_changes_requested"));
        assert!(templates.contains(&"firm_approved"));
        assert!(mails.iter().all(|m| m.to_email == "admin@firm.example"));
        let changes = mails.iter().find(|m| m.template == "firm_changes_requested").unwrap();
        assert!(changes.text_body.contains("ISO 14001"));

        let history = audit::history(&db, "firm", firm_id).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        for expected in ["firm.registered", "certificate.added", "firm.submitted", "firm.decided", "certificate.verified"] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
        let decided = history.iter().find(|h| h.action == "firm.decided").unwrap();
        assert!(decided.actor.as_deref().is_some_and(|a| a.contains("org@fair.example")));
        assert!(decided.detail.contains("\"to\":\"approved\""));

        // The verified certificate expires before the fair ends: flagged.
        let p = profile::profile(&db, None, firm_id, fair_end()).await.unwrap();
        assert!(p.certificates[0].verified);
        assert!(p.certificates[0].expires_before_fair);
        assert!(p.certificates[0].upload_id.is_none(), "outsiders get no scan");
    }
}

db_test! {
    async fn firms_grow_by_invitation_and_by_request(db: Db) {
        let now = Utc::now();
        let admin = user(&db, "admin@firm.example", Role::Exhibitor).await;
        let firm_id = profile::save_profile(&db, &admin, &profile_input("0314409058", "Công ty A"), now).await.unwrap();
        let token = review::invite_member(&db, &admin, "colleague@firm.example", "Bùi Văn Đồng", &links(), now).await.unwrap();
        let joined = accounts::accept_invite(&db, &token, PASSWORD, Locale::Vi, "127.0.0.1", now).await.unwrap();
        assert_eq!(joined.role, Role::Exhibitor);
        assert!(joined.email_verified, "the invitation came to the address");
        assert_eq!(profile::membership(db.read(), joined.id).await.unwrap(), Some((firm_id, false)));
        // Members who are not admins cannot invite.
        let err = review::invite_member(&db, &joined, "x@firm.example", "X", &links(), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);

        let newcomer = user(&db, "new@firm.example", Role::Exhibitor).await;
        let err = profile::save_profile(&db, &newcomer, &profile_input("0314409058", "Công ty A"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::TaxCodeTaken);
        review::request_to_join(&db, &newcomer, "0314409058", &links(), now).await.unwrap();
        let pending = review::pending_requests(&db, &admin).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].email, "new@firm.example");
        review::answer_request(&db, &admin, pending[0].id, true, &links(), now).await.unwrap();
        assert_eq!(profile::membership(db.read(), newcomer.id).await.unwrap(), Some((firm_id, false)));
        let p = profile::profile(&db, Some(&admin), firm_id, None).await.unwrap();
        assert_eq!(p.members.len(), 3);
        let templates: Vec<String> = outbox::Entity::find().all(db.read()).await.unwrap().into_iter().map(|m| m.template).collect();
        for t in ["firm_member_invite", "firm_join_request", "firm_join_answered"] {
            assert!(templates.iter().any(|x| x == t), "{t}");
        }
    }
}

/// A firm of `admin` registered, submitted and approved.
async fn approved(
    db: &Db,
    admin: &SessionUser,
    org: &SessionUser,
    tax_code: &str,
    name: &str,
) -> uuid::Uuid {
    let now = Utc::now();
    let id = profile::save_profile(db, admin, &profile_input(tax_code, name), now)
        .await
        .unwrap();
    profile::submit(db, admin, now).await.unwrap();
    review::decide(db, org, id, Decision::Approve, &links(), now)
        .await
        .unwrap();
    id
}

db_test! {
    async fn an_approved_firms_identity_changes_only_with_the_organisers(db: Db) {
        use fairlink::firms::identity::{self, Decision as IdentityDecision};
        let now = Utc::now();
        let admin = user(&db, "admin@nhua.example", Role::Exhibitor).await;
        let org = user(&db, "org@fair.example", Role::Organiser).await;
        let firm_id = approved(&db, &admin, &org, "0314409058", "Công ty TNHH Nhựa Hà Nội").await;
        assert_eq!(ids(&db, "Nhựa Hà Nội").await, vec![firm_id]);
        // The firm says it is Toyota now, with Toyota's tax code.
        let mut toyota = profile_input("0100112437", "Toyota Motor Vietnam");
        toyota.name_en = "Toyota Motor Vietnam Co., Ltd.".into();
        toyota.employees = "400".into();
        profile::save_profile(&db, &admin, &toyota, now).await.unwrap();
        // The public sees the approved firm, unchanged but for the rest.
        let public = profile::profile(&db, None, firm_id, None).await.unwrap();
        assert_eq!((public.legal_name.as_str(), public.tax_code.as_str()), ("Công ty TNHH Nhựa Hà Nội", "0314409058"));
        assert_eq!(public.employees, Some(400));
        assert_eq!(public.status, status::APPROVED);
        assert!(public.pending_identity.is_none(), "outsiders see no pending change");
        assert!(ids(&db, "Toyota").await.is_empty());
        assert_eq!(ids(&db, "Nhựa Hà Nội").await, vec![firm_id]);
        // The firm sees what waits for review.
        let mine = profile::profile(&db, Some(&admin), firm_id, None).await.unwrap();
        let waiting = mine.pending_identity.expect("a pending identity");
        assert_eq!((waiting.legal_name.as_str(), waiting.tax_code.as_str()), ("Toyota Motor Vietnam", "0100112437"));
        // A member who is not an admin cannot ask for it.
        let token = review::invite_member(&db, &admin, "member@nhua.example", "Bùi Văn Đồng", &links(), now).await.unwrap();
        let member = accounts::accept_invite(&db, &token, PASSWORD, Locale::Vi, "127.0.0.1", now).await.unwrap();
        let err = profile::save_profile(&db, &member, &profile_input("0314409058", "Tên Khác"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        // The organisers see it, and turn it down: nothing changes.
        let list = identity::pending_list(&db, &org, 50).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].live.legal_name, "Công ty TNHH Nhựa Hà Nội");
        assert_eq!(list[0].wanted.legal_name, "Toyota Motor Vietnam");
        assert_eq!(identity::pending_list(&db, &admin, 50).await.unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(identity::decide(&db, &admin, firm_id, IdentityDecision::Approve, &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
        identity::decide(&db, &org, firm_id, IdentityDecision::Reject { reason: "Mã số thuế thuộc doanh nghiệp khác.".into() }, &links(), now).await.unwrap();
        let after = profile::profile(&db, Some(&admin), firm_id, None).await.unwrap();
        assert_eq!(after.legal_name, "Công ty TNHH Nhựa Hà Nội");
        assert!(after.pending_identity.is_none());
        assert_eq!(identity::decide(&db, &org, firm_id, IdentityDecision::Approve, &links(), now).await.unwrap_err().code, ErrorCode::WrongState);
        // A genuine change (a new English name, a new website) approved:
        // public from then on, and searchable.
        let mut renamed = profile_input("0314409058", "Công ty TNHH Nhựa Hà Nội");
        renamed.name_en = "Hanoi Precision Plastics Co., Ltd.".into();
        renamed.website = "precision.example".into();
        profile::save_profile(&db, &admin, &renamed, now).await.unwrap();
        assert_eq!(profile::profile(&db, None, firm_id, None).await.unwrap().name_en, "Hanoi Plastics Co., Ltd.");
        identity::decide(&db, &org, firm_id, IdentityDecision::Approve, &links(), now).await.unwrap();
        let public = profile::profile(&db, None, firm_id, None).await.unwrap();
        assert_eq!(public.name_en, "Hanoi Precision Plastics Co., Ltd.");
        assert_eq!(public.website.as_deref(), Some("https://precision.example"));
        assert_eq!(ids(&db, "Precision").await, vec![firm_id]);
        // Asking for the identity it has withdraws a pending change.
        renamed.name_en = "Something Else Co., Ltd.".into();
        profile::save_profile(&db, &admin, &renamed, now).await.unwrap();
        renamed.name_en = "Hanoi Precision Plastics Co., Ltd.".into();
        profile::save_profile(&db, &admin, &renamed, now).await.unwrap();
        assert!(identity::pending_list(&db, &org, 50).await.unwrap().is_empty());
        // A new logo waits for review too.
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
        profile::set_logo(&db, &admin, "logo.png", PNG.to_vec(), now).await.unwrap();
        assert!(profile::profile(&db, None, firm_id, None).await.unwrap().logo_upload_id.is_none());
        let logo = identity::pending_list(&db, &org, 50).await.unwrap()[0].wanted.logo_upload_id;
        assert!(logo.is_some());
        identity::decide(&db, &org, firm_id, IdentityDecision::Approve, &links(), now).await.unwrap();
        assert_eq!(profile::profile(&db, None, firm_id, None).await.unwrap().logo_upload_id, logo);
        // Every step is in the history, and mailed to the admin.
        let actions: Vec<String> = audit::history(&db, "firm", firm_id).await.unwrap().into_iter().map(|h| h.action).collect();
        for expected in ["firm.identity_change_requested", "firm.identity_change_rejected", "firm.identity_change_approved", "firm.identity_change_withdrawn"] {
            assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
        }
        let templates: Vec<String> = outbox::Entity::find().all(db.read()).await.unwrap().into_iter().map(|m| m.template).collect();
        assert!(templates.iter().any(|t| t == "firm_identity_rejected"));
        assert!(templates.iter().any(|t| t == "firm_identity_approved"));
    }
}

db_test! {
    async fn tax_codes_are_registered_by_confirmed_addresses_and_given_up_on_rejection(db: Db) {
        let now = Utc::now();
        let org = user(&db, "org@fair.example", Role::Organiser).await;
        // An address nobody confirmed registers no firm.
        let throwaway = unconfirmed(&db, "squatter@throwaway.example", Role::Exhibitor).await;
        let err = profile::save_profile(&db, &throwaway, &profile_input("0314409058", "Công ty Giả"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::EmailUnverified);
        assert_eq!(review::request_to_join(&db, &throwaway, "0314409058", &links(), now).await.unwrap_err().code, ErrorCode::EmailUnverified);
        assert_eq!(firm::Entity::find().count(db.read()).await.unwrap(), 0);
        // A squatter with a confirmed address takes the code; rejected, it
        // gives the code up, and the rightful firm registers it.
        let squatter = user(&db, "squatter@confirmed.example", Role::Exhibitor).await;
        let squatted = profile::save_profile(&db, &squatter, &profile_input("0314409058", "Công ty Giả"), now).await.unwrap();
        profile::submit(&db, &squatter, now).await.unwrap();
        let owner = user(&db, "owner@nhuahanoi.example", Role::Exhibitor).await;
        let err = profile::save_profile(&db, &owner, &profile_input("0314409058", "Công ty TNHH Nhựa Hà Nội"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::TaxCodeTaken);
        review::decide(&db, &org, squatted, Decision::Reject { reason: "Không phải chủ sở hữu mã số thuế.".into() }, &links(), now).await.unwrap();
        let rightful = profile::save_profile(&db, &owner, &profile_input("0314409058", "Công ty TNHH Nhựa Hà Nội"), now).await.unwrap();
        // The rejected firm still reads its code, and cannot take it back.
        assert_eq!(profile::profile(&db, Some(&squatter), squatted, None).await.unwrap().tax_code, "0314409058");
        assert_eq!(profile::submit(&db, &squatter, now).await.unwrap_err().code, ErrorCode::TaxCodeTaken);
        // Saving the profile with that code says whose it is now.
        let err = profile::save_profile(&db, &squatter, &profile_input("0314409058", "Công ty Giả Sửa"), now).await.unwrap_err();
        assert_eq!(err.code, ErrorCode::TaxCodeTaken);
        // Withdrawing gives a code up too; submitting again takes it back.
        let other = user(&db, "other@co.example", Role::Exhibitor).await;
        profile::save_profile(&db, &other, &profile_input("0100109106", "Công ty Khác"), now).await.unwrap();
        profile::withdraw(&db, &other, now).await.unwrap();
        assert_eq!(profile::withdraw(&db, &other, now).await.unwrap_err().code, ErrorCode::WrongState);
        profile::submit(&db, &other, now).await.unwrap();
        let late = user(&db, "late@co.example", Role::Exhibitor).await;
        assert_eq!(profile::save_profile(&db, &late, &profile_input("0100109106", "Công ty Muộn"), now).await.unwrap_err().code, ErrorCode::TaxCodeTaken);
        // An organiser takes a code from an approved squatter.
        let bold = user(&db, "bold@squat.example", Role::Exhibitor).await;
        let bold_firm = approved(&db, &bold, &org, "0100112437", "Toyota Giả").await;
        assert_eq!(review::release_tax_code(&db, &squatter, bold_firm, "Không phải chủ sở hữu.", &links(), now).await.unwrap_err().code, ErrorCode::Forbidden);
        review::release_tax_code(&db, &org, bold_firm, "Không phải chủ sở hữu mã số thuế.", &links(), now).await.unwrap();
        assert_eq!(profile::profile(&db, None, bold_firm, None).await.unwrap_err().code, ErrorCode::NotFound);
        let toyota = user(&db, "tmv@toyota.example", Role::Exhibitor).await;
        profile::save_profile(&db, &toyota, &profile_input("0100112437", "Toyota Motor Vietnam"), now).await.unwrap();
        let history = audit::history(&db, "firm", bold_firm).await.unwrap();
        let released = history.iter().find(|h| h.action == "firm.tax_code_released").expect("audited");
        assert!(released.detail.contains("0100112437") && released.actor.as_deref().is_some_and(|a| a.contains("org@fair.example")));
        assert_ne!(rightful, squatted);
    }
}

async fn ids(db: &Db, text: &str) -> Vec<uuid::Uuid> {
    let r = search::search(
        db,
        &Query {
            text: text.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    r.cards.into_iter().map(|c| c.id).collect()
}

db_test! {
    async fn the_catalogue_ignores_diacritics_and_shows_only_approved_firms(db: Db) {
        fairlink::seed::run(&db, Utc::now()).await.unwrap();
        let all = search::search(&db, &Query::default()).await.unwrap();
        assert_eq!(all.total, 870);
        assert_eq!(all.cards.len(), search::PAGE_SIZE as usize);

        let with = search::search(&db, &Query { text: "Nhựa Hà Nội".into(), ..Default::default() }).await.unwrap();
        let without = search::search(&db, &Query { text: "nhua ha noi".into(), ..Default::default() }).await.unwrap();
        assert!(with.total > 0);
        assert_eq!(with, without);
        for card in &with.cards {
            let f = firm::Entity::find_by_id(card.id).one(db.read()).await.unwrap().unwrap();
            assert_eq!(f.status, status::APPROVED);
            assert!(f.search_body.unwrap().contains("nhua"));
        }
        // "đ" folds to "d"; English names of processes find Vietnamese firms.
        assert!(search::search(&db, &Query { text: "dong anh".into(), ..Default::default() }).await.unwrap().total > 0);
        let casting = search::search(&db, &Query { text: "die casting".into(), ..Default::default() }).await.unwrap();
        let duc = search::search(&db, &Query { text: "đúc áp lực".into(), ..Default::default() }).await.unwrap();
        assert!(casting.total > 0);
        assert_eq!(casting.total, duc.total);
        // Filters.
        let japan_iatf = search::search(
            &db,
            &Query { certificate: Some("iatf_16949".into()), market: Some("jp".into()), sector: Some("components".into()), ..Default::default() },
        )
        .await
        .unwrap();
        assert!(japan_iatf.total > 0);
        for card in &japan_iatf.cards {
            assert!(card.markets.contains(&"jp".to_string()));
            assert_eq!(card.sector_group, "components");
        }
        let bac_ninh = search::search(&db, &Query { province: Some("bac_ninh".into()), ..Default::default() }).await.unwrap();
        assert!(bac_ninh.cards.iter().all(|c| c.province == "bac_ninh"));
        assert!(bac_ninh.total < all.total);
        // Unknown codes are refused, not ignored.
        let bad = search::search(&db, &Query { market: Some("atlantis".into()), ..Default::default() }).await;
        assert_eq!(bad.unwrap_err().code, ErrorCode::BadRequest);
        // Pages do not overlap; SQL-looking input is only words.
        let second = search::search(&db, &Query { page: 1, ..Default::default() }).await.unwrap();
        assert!(second.cards.iter().all(|c| !all.cards.iter().any(|d| d.id == c.id)));
        assert!(ids(&db, "'; DROP TABLE firms; --").await.is_empty());
        assert_eq!(firm::Entity::find().count(db.read()).await.unwrap(), 900);
        // Submitted firms never appear, whatever the words.
        let pending = firm::Entity::find().all(db.read()).await.unwrap().into_iter().find(|f| f.status == status::SUBMITTED).unwrap();
        assert!(!ids(&db, &pending.legal_name).await.contains(&pending.id));
    }
}

/// The same queries give the same firms on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_agree_on_search_results() {
    use fairlink::testing::{Backend, TestDb};
    let Some(pg) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let sqlite = TestDb::new(Backend::Sqlite).await.unwrap();
    let now = Utc::now();
    fairlink::seed::run(&sqlite.db, now).await.unwrap();
    fairlink::seed::run(&pg.db, now).await.unwrap();
    let queries = [
        "nhua ha noi",
        "Nhựa Hà Nội",
        "NHỰA",
        "dong anh",
        "Đông Anh",
        "thang long",
        "co khi chinh xac",
        "precision",
        "die casting",
        "đúc áp lực",
        "iatf 16949",
        "oeko tex",
        "japan",
        "nhat ban",
        "han quoc",
        "bac ninh",
        "banh rang",
        "gearbox housing",
        "8708",
        "cam bien ap suat",
        "soi cotton",
        "pcb",
        "khuon",
        "bu long",
        "zzzzz",
    ];
    let mut nonempty = 0;
    for q in queries {
        for page in 0..2 {
            let query = Query {
                text: q.into(),
                page,
                ..Default::default()
            };
            let a = search::search(&sqlite.db, &query).await.unwrap();
            let b = search::search(&pg.db, &query).await.unwrap();
            assert_eq!(a.total, b.total, "{q}");
            let ia: Vec<_> = a.cards.iter().map(|c| c.id).collect();
            let ib: Vec<_> = b.cards.iter().map(|c| c.id).collect();
            assert_eq!(ia, ib, "{q} page {page}");
            if a.total > 0 {
                nonempty += 1;
            }
        }
    }
    assert!(nonempty >= 40, "most queries find something ({nonempty})");
}

fn import_file(rows: usize, broken: &[usize]) -> String {
    let mut out = transfer::COLUMNS.join(",");
    out.push('\n');
    let mut made = 0;
    let mut n = 100_000_000u32;
    while made < rows {
        n += 1;
        let digits: Vec<u8> = format!("{n:09}").bytes().map(|b| b - b'0').collect();
        let mut nine = [0u8; 9];
        nine.copy_from_slice(&digits);
        let Some(code) = fairlink::firms::TaxCode::from_nine(nine) else {
            continue;
        };
        let line = made + 2;
        let tax = if broken.first() == Some(&line) {
            let check = code.as_str().as_bytes()[9] - b'0';
            format!("{}{}", &code.as_str()[..9], (check + 1) % 10)
        } else {
            code.as_str().to_string()
        };
        let province = if broken.get(1) == Some(&line) {
            "Atlantis"
        } else {
            "Bắc Ninh"
        };
        let market = if broken.get(2) == Some(&line) {
            "moon"
        } else {
            "jp;Hàn Quốc"
        };
        out.push_str(&format!(
            "{tax},Công ty Nhập khẩu Số {made},Import Co {made},components,{province},Lô {made} KCN Quế Võ,,Phạm Văn Bình,lienhe{made}@import.example,0222 3888 999,{},,2015,stamping;welding,steel,{market},Giá đỡ|Brackets|8302.49,Mô tả tiếng Việt,\n",
            50 + made % 900
        ));
        made += 1;
    }
    out
}

db_test! {
    async fn imports_are_whole_or_nothing_and_idempotent(db: Db) {
        let now = Utc::now();
        let org = user(&db, "org@fair.example", Role::Organiser).await;
        let broken = import_file(5000, &[120, 2500, 4999]);
        let preview = transfer::preview(&db, &org, "firms.csv", broken.as_bytes()).await.unwrap();
        assert_eq!(preview.errors.len(), 3, "{:?}", preview.errors);
        let outcome = transfer::import(&db, &org, "firms.csv", broken.as_bytes(), now).await.unwrap();
        let Imported::Refused(errors) = outcome else { panic!("a file with errors was imported") };
        assert_eq!(
            errors.iter().map(|e| (e.line, e.column.as_str(), e.reason.as_str())).collect::<Vec<_>>(),
            vec![(120, "tax_code", "invalid_tax_code"), (2500, "province", "invalid_field"), (4999, "markets", "invalid_field")]
        );
        assert_eq!(firm::Entity::find().count(db.read()).await.unwrap(), 0, "nothing was written");

        let fixed = import_file(5000, &[]);
        let preview = transfer::preview(&db, &org, "firms.csv", fixed.as_bytes()).await.unwrap();
        assert_eq!((preview.new, preview.updated, preview.errors.len()), (5000, 0, 0));
        assert_eq!(transfer::import(&db, &org, "firms.csv", fixed.as_bytes(), now).await.unwrap(), Imported::Done { created: 5000, updated: 0 });
        assert_eq!(firm::Entity::find().count(db.read()).await.unwrap(), 5000);
        assert_eq!(transfer::import(&db, &org, "firms.csv", fixed.as_bytes(), now).await.unwrap(), Imported::Done { created: 0, updated: 5000 });
        assert_eq!(firm::Entity::find().count(db.read()).await.unwrap(), 5000);
        // Imported firms are in the catalogue, searchable.
        let found = search::search(&db, &Query { text: "cong ty nhap khau so 42".into(), ..Default::default() }).await.unwrap();
        assert!(found.cards.iter().any(|c| c.legal_name == "Công ty Nhập khẩu Số 42"));
        let japan = search::search(&db, &Query { market: Some("kr".into()), ..Default::default() }).await.unwrap();
        assert_eq!(japan.total, 5000);

        // Exports read back: the catalogue as CSV and XLSX imports as nothing new.
        let rows = transfer::catalogue_rows(&db).await.unwrap();
        assert_eq!(rows.len(), 5001);
        let csv = transfer::to_csv(&rows).unwrap();
        assert_eq!(transfer::import(&db, &org, "catalogue.csv", &csv, now).await.unwrap(), Imported::Done { created: 0, updated: 5000 });
        let xlsx = transfer::to_xlsx(&rows[..101], "Catalogue").unwrap();
        assert_eq!(transfer::import(&db, &org, "catalogue.xlsx", &xlsx, now).await.unwrap(), Imported::Done { created: 0, updated: 100 });
        let approvals = transfer::approval_rows(&db, Locale::En).await.unwrap();
        assert_eq!(approvals.len(), 5001);
        assert_eq!(approvals[1][4], "Bac Ninh");

        // Only organisers import.
        let exhibitor = user(&db, "ex@firm.example", Role::Exhibitor).await;
        assert_eq!(transfer::preview(&db, &exhibitor, "f.csv", fixed.as_bytes()).await.unwrap_err().code, ErrorCode::Forbidden);
    }
}

db_test! {
    async fn organiser_figures_add_up(db: Db) {
        let now = Utc::now();
        fairlink::seed::run(&db, now).await.unwrap();
        let f = fairlink::firms::organiser_figures(&db, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(), fair_end()).await.unwrap();
        assert_eq!(f.registered, 900);
        assert_eq!(f.approved, 870);
        assert_eq!(f.by_status.iter().find(|(s, _)| *s == "submitted").unwrap().1, 30);
        assert_eq!(f.approved_by_province.iter().map(|(_, n)| n).sum::<u64>(), 870);
        assert_eq!(f.approved_by_province[0].0, "ha_noi");
        assert!(f.verified_certified > 200 && f.verified_certified <= 320, "{}", f.verified_certified);
        assert_eq!(f.target_percent, 40);
        assert!(!f.expiring.is_empty());
        assert!(f.expiring.windows(2).all(|w| w[0].expires_on <= w[1].expires_on));
    }
}
