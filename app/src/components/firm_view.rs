//! A firm's profile as a page shows it: for the public catalogue, for the
//! firm itself, for the organisers' review.

use crate::api::firms::{Certificate, Firm};
use crate::i18n::{Key, t, tr, use_locale};
use fairlink::Locale;
use fairlink::firms::vocabulary::{
    self, CERTIFICATES, MARKETS, MATERIALS, PROCESSES, PROVINCES, REVENUE_BANDS,
};
use fairlink::format;
use leptos::prelude::*;

/// The name of a vocabulary code in the reader's language.
pub fn term(
    list: &'static [vocabulary::Term],
    code: String,
) -> impl Fn() -> String + Send + Sync + 'static {
    let locale = use_locale();
    move || vocabulary::label(list, &code, locale.get())
}

pub fn sector_key(group: &str) -> Key {
    match group {
        "textile_leather" => Key::SectorTextileLeather,
        "high_tech" => Key::SectorHighTech,
        _ => Key::SectorComponents,
    }
}

pub fn certificate_name(c: &Certificate, locale: Locale) -> String {
    match &c.other_name {
        Some(other) if c.kind == "other" => other.clone(),
        _ => vocabulary::label(CERTIFICATES, &c.kind, locale),
    }
}

fn tags(list: &'static [vocabulary::Term], codes: Vec<String>) -> impl IntoView {
    view! {
        <ul class="tags">
            {codes.into_iter().map(|c| view! { <li>{term(list, c)}</li> }).collect_view()}
        </ul>
    }
}

#[component]
pub fn CertificateList(
    certificates: Vec<Certificate>,
    #[prop(optional)] with_scans: bool,
) -> impl IntoView {
    let locale = use_locale();
    if certificates.is_empty() {
        return view! { <p class="muted">{t(Key::FirmNoCertificates)}</p> }.into_any();
    }
    let items = certificates
        .into_iter()
        .map(|c| {
            let name = {
                let c = c.clone();
                move || certificate_name(&c, locale.get())
            };
            let valid = {
                let c = c.clone();
                move || match c.expires_on {
                    Some(e) => format!("{} – {}", format::date(c.issued_on, locale.get()), format::date(e, locale.get())),
                    None => format::date(c.issued_on, locale.get()),
                }
            };
            let scan = with_scans.then_some(c.scan).flatten();
            view! {
                <li class="certificate" class:certificate--verified=c.verified>
                    <strong>{name}</strong>
                    {c.verified.then(|| view! { <span class="badge badge--sent">{t(Key::FirmVerified)}</span> })}
                    {(!c.verified).then(|| view! { <span class="badge">{t(Key::FirmUnverified)}</span> })}
                    <span class="muted">{format!("{} · {}", c.number, c.issuer)}</span>
                    <span class="muted">{valid}</span>
                    {c.expires_before_fair.then(|| view! {
                        <p class="alert alert--error" role="note">{t(Key::FirmExpiresBeforeFair)}</p>
                    })}
                    {scan.map(|id| view! { <a href=format!("/files/{id}")>{t(Key::FirmScan)}</a> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="certificates">{items}</ul> }.into_any()
}

/// The profile itself.
#[component]
pub fn FirmProfile(firm: Firm, #[prop(optional)] with_scans: bool) -> impl IntoView {
    let locale = use_locale();
    let Firm {
        legal_name,
        name_en,
        tax_code,
        sector_group,
        province,
        address,
        website,
        contact_name,
        contact_email,
        contact_phone,
        employees,
        revenue_band,
        founded_year,
        description_vi,
        description_en,
        customers,
        logo,
        products,
        processes,
        materials,
        markets,
        certificates,
        ..
    } = firm;
    let (title, other_name) = {
        let (vi, en) = (legal_name.clone(), name_en.clone());
        (
            move || {
                if locale.get() == Locale::En {
                    en.clone()
                } else {
                    vi.clone()
                }
            },
            {
                let (vi, en) = (legal_name, name_en);
                move || {
                    if locale.get() == Locale::En {
                        vi.clone()
                    } else {
                        en.clone()
                    }
                }
            },
        )
    };
    let description = move || match locale.get() {
        Locale::En => description_en.clone().or_else(|| description_vi.clone()),
        Locale::Vi => description_vi.clone().or_else(|| description_en.clone()),
    };
    let number = move |n: i32| format::integer(n as i64, locale.get());
    let product_rows = products
        .into_iter()
        .map(|p| {
            let name = move || {
                if locale.get() == Locale::En {
                    p.name_en.clone()
                } else {
                    p.name_vi.clone()
                }
            };
            view! { <tr><td>{name}</td><td>{p.hs_code.clone().unwrap_or_default()}</td></tr> }
        })
        .collect_view();
    view! {
        <header class="firm-head">
            {logo.map(|id| view! { <img class="firm-head__logo" src=format!("/files/{id}") alt="" width="96" height="96" /> })}
            <div>
                <h1>{title}</h1>
                <p class="muted">{other_name}</p>
                <p>
                    <span class="badge">{t(sector_key(&sector_group))}</span>
                    " "
                    <span class="badge">{term(PROVINCES, province)}</span>
                </p>
            </div>
        </header>
        {move || description().map(|d| view! { <p class="firm-description">{d}</p> })}
        <dl class="facts facts--grid">
            <div><dt>{t(Key::FirmTaxCode)}</dt><dd>{tax_code}</dd></div>
            <div><dt>{t(Key::FirmAddress)}</dt><dd>{address}</dd></div>
            {founded_year.map(|y| view! { <div><dt>{t(Key::FirmFounded)}</dt><dd>{y}</dd></div> })}
            {employees.map(|n| view! { <div><dt>{t(Key::FirmEmployees)}</dt><dd>{move || number(n)}</dd></div> })}
            {revenue_band.map(|r| view! { <div><dt>{t(Key::FirmRevenue)}</dt><dd>{term(REVENUE_BANDS, r)}</dd></div> })}
            {website.map(|w| view! {
                <div><dt>{t(Key::FirmWebsite)}</dt><dd><a href=w.clone() rel="nofollow noopener" target="_blank">{w.clone()}</a></dd></div>
            })}
            {contact_name.map(|c| view! { <div><dt>{t(Key::FirmContact)}</dt><dd>{c}</dd></div> })}
            {contact_email.map(|e| view! { <div><dt>{t(Key::FieldEmail)}</dt><dd><a href=format!("mailto:{e}")>{e.clone()}</a></dd></div> })}
            {contact_phone.map(|p| view! { <div><dt>{t(Key::FirmPhone)}</dt><dd>{p}</dd></div> })}
            {customers.map(|c| view! { <div><dt>{t(Key::FirmCustomers)}</dt><dd>{c}</dd></div> })}
        </dl>
        <section aria-labelledby="products-h">
            <h2 id="products-h">{t(Key::FirmProducts)}</h2>
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">{t(Key::FirmProduct)}</th><th scope="col">{t(Key::FirmHsCode)}</th></tr></thead>
                    <tbody>{product_rows}</tbody>
                </table>
            </div>
        </section>
        <section class="capabilities" aria-labelledby="capabilities-h">
            <h2 id="capabilities-h">{t(Key::FirmCapabilities)}</h2>
            <h3>{t(Key::FirmProcesses)}</h3>
            {tags(PROCESSES, processes)}
            <h3>{t(Key::FirmMaterials)}</h3>
            {tags(MATERIALS, materials)}
            <h3>{t(Key::FirmMarkets)}</h3>
            {tags(MARKETS, markets)}
        </section>
        <section aria-labelledby="certificates-h">
            <h2 id="certificates-h">{t(Key::FirmCertificates)}</h2>
            <CertificateList certificates=certificates with_scans=with_scans />
        </section>
    }
}

/// The firm's status, in words.
pub fn status_key(status: &str) -> Key {
    match status {
        "submitted" => Key::FirmStatusSubmitted,
        "changes_requested" => Key::FirmStatusChangesRequested,
        "approved" => Key::FirmStatusApproved,
        "rejected" => Key::FirmStatusRejected,
        "withdrawn" => Key::FirmStatusWithdrawn,
        _ => Key::FirmStatusDraft,
    }
}

/// Options for a select over a vocabulary.
pub fn options(list: &'static [vocabulary::Term], locale: Locale) -> Vec<(String, String)> {
    list.iter()
        .map(|t| (t.code.to_string(), t.label(locale).to_string()))
        .collect()
}

/// The three sector groups as select options.
pub fn sector_options(locale: Locale) -> Vec<(String, String)> {
    fairlink::firms::SectorGroup::ALL
        .iter()
        .map(|g| {
            (
                g.as_str().to_string(),
                tr(locale, sector_key(g.as_str())).to_string(),
            )
        })
        .collect()
}
