//! "My firm": an exhibitor registers their firm, keeps its profile up to
//! date, adds products, capabilities, certificates and a logo, invites
//! colleagues, answers requests to join, and submits it for approval.

use crate::api::firms::{
    AddProduct, AnswerRequest, Firm, InviteMember, MyFirm, RemoveCertificate, RemoveProduct,
    RequestToJoin, SaveFirm, SubmitFirm, WithdrawFirm, get_my_firm,
};
use crate::components::firm_view::{certificate_name, options, sector_options, status_key};
use crate::components::forms::{
    Field, FormAlert, Select, Submit, TextArea, form_error, query_error,
};
use crate::components::guard::RequireRole;
use crate::i18n::{Key, t, use_locale};
use fairlink::accounts::Role;
use fairlink::firms::vocabulary::{
    self, CERTIFICATES, MARKETS, MATERIALS, PROCESSES, PROVINCES, REVENUE_BANDS,
};
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MyFirmPage() -> impl IntoView {
    view! {
        <Title text=t(Key::FirmMineTitle) />
        <RequireRole roles=&[Role::Exhibitor]>
            <MyFirmContent />
        </RequireRole>
    }
}

#[component]
fn MyFirmContent() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new(|| (), |_| get_my_firm());
    let query = use_query_map();
    let saved = move || query.with(|q| q.get("saved"));
    view! {
        {move || saved().map(|what| {
            let key = match what.as_str() {
                "submitted" => Key::FirmSavedSubmitted,
                "invited" => Key::FirmSavedInvited,
                "requested" => Key::FirmSavedRequested,
                "withdrawn" => Key::FirmSavedWithdrawn,
                _ => Key::FirmSaved,
            };
            view! { <p class="alert alert--success" role="status">{t(key)}</p> }
        })}
        <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(MyFirm { firm: None, email_verified, .. }) => view! { <Register verified=email_verified /> }.into_any(),
                    Ok(MyFirm { firm: Some(f), is_admin, requests, .. }) => view! { <Manage firm=f is_admin=is_admin requests=requests /> }.into_any(),
                    Err(e) => view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Register(verified: bool) -> impl IntoView {
    let join = ServerAction::<RequestToJoin>::new();
    let join_error = form_error(join);
    if !verified {
        // A firm is registered under a tax code only from a confirmed
        // address: say so first, rather than refuse the filled-in form.
        return view! {
            <section class="panel panel--narrow">
                <h1>{t(Key::FirmRegisterTitle)}</h1>
                <p class="alert" role="note">{t(Key::FirmConfirmFirst)}</p>
                <crate::routes::account::ResendVerification />
            </section>
        }
        .into_any();
    }
    view! {
        <section class="panel">
            <h1>{t(Key::FirmRegisterTitle)}</h1>
            <p>{t(Key::FirmRegisterIntro)}</p>
            <ProfileForm firm=None />
        </section>
        <section class="panel panel--narrow" id="join">
            <h2>{t(Key::FirmJoinTitle)}</h2>
            <p>{t(Key::FirmJoinIntro)}</p>
            <ActionForm action=join attr:class="form" attr:novalidate=true>
                <FormAlert error=join_error />
                <Field name="tax_code" label=Key::FirmTaxCode error=join_error />
                <Submit label=Key::FirmJoinSubmit />
            </ActionForm>
        </section>
    }
    .into_any()
}

/// The profile form, empty for a new firm or filled from the firm.
#[component]
fn ProfileForm(firm: Option<Firm>) -> impl IntoView {
    let locale = use_locale();
    let lang = locale.get_untracked();
    let action = ServerAction::<SaveFirm>::new();
    let error = form_error(action);
    let f = firm.unwrap_or_else(|| Firm {
        id: uuid::Uuid::nil(),
        status: String::new(),
        legal_name: String::new(),
        name_en: String::new(),
        tax_code: String::new(),
        pending: None,
        sector_group: String::new(),
        province: "ha_noi".into(),
        address: String::new(),
        website: None,
        contact_name: None,
        contact_email: None,
        contact_phone: None,
        employees: None,
        revenue_band: None,
        founded_year: None,
        description_vi: None,
        description_en: None,
        customers: None,
        logo: None,
        decision_note: None,
        products: Vec::new(),
        processes: Vec::new(),
        materials: Vec::new(),
        markets: Vec::new(),
        certificates: Vec::new(),
        members: Vec::new(),
    });
    // An approved firm's form shows the identity it asked for while the
    // organisers review it (saving it again changes nothing).
    let (legal_name, name_en, tax_code, website) = match &f.pending {
        Some(p) => (
            p.legal_name.clone(),
            p.name_en.clone(),
            p.tax_code.clone(),
            p.website.clone(),
        ),
        None => (
            f.legal_name.clone(),
            f.name_en.clone(),
            f.tax_code.clone(),
            f.website.clone(),
        ),
    };
    let taken = move || {
        error
            .get()
            .is_some_and(|e| e.code == fairlink::ErrorCode::TaxCodeTaken)
    };
    view! {
        <ActionForm action=action attr:class="form form--two" attr:novalidate=true>
            <FormAlert error=error />
            <Show when=taken>
                <p class="alert"><a href="#join">{t(Key::FirmAskToJoin)}</a></p>
            </Show>
            <Field name="legal_name" label=Key::FirmLegalName value=legal_name error=error />
            <Field name="name_en" label=Key::FirmNameEn value=name_en error=error />
            <Field name="tax_code" label=Key::FirmTaxCode value=tax_code hint=Key::FirmTaxCodeHint error=error />
            <Select name="sector_group" label=Key::CatalogueSector options=sector_options(lang) empty=Key::FormChoose value=f.sector_group.clone() error=error />
            <Field name="address" label=Key::FirmAddress value=f.address.clone() error=error />
            <Select name="province" label=Key::CatalogueProvince options=options(PROVINCES, lang) value=f.province.clone() error=error />
            <Field name="website" label=Key::FirmWebsite kind="url" required=false value=website.unwrap_or_default() error=error />
            <Field name="contact_name" label=Key::FirmContact value=f.contact_name.clone().unwrap_or_default() error=error />
            <Field name="contact_email" label=Key::FieldEmail kind="email" value=f.contact_email.clone().unwrap_or_default() error=error />
            <Field name="contact_phone" label=Key::FirmPhone kind="tel" value=f.contact_phone.clone().unwrap_or_default() error=error />
            <Field name="employees" label=Key::FirmEmployees kind="number" required=false value=f.employees.map(|n| n.to_string()).unwrap_or_default() error=error />
            <Select name="revenue_band" label=Key::FirmRevenue options=options(REVENUE_BANDS, lang) empty=Key::FormChoose value=f.revenue_band.clone().unwrap_or_default() error=error />
            <Field name="founded_year" label=Key::FirmFounded kind="number" required=false value=f.founded_year.map(|n| n.to_string()).unwrap_or_default() error=error />
            <TextArea name="description_vi" label=Key::FirmDescriptionVi value=f.description_vi.clone().unwrap_or_default() error=error />
            <TextArea name="description_en" label=Key::FirmDescriptionEn value=f.description_en.clone().unwrap_or_default() error=error />
            <TextArea name="customers" label=Key::FirmCustomers hint=Key::FirmCustomersHint value=f.customers.clone().unwrap_or_default() error=error />
            <Submit label=Key::FirmSave />
        </ActionForm>
    }
}

#[component]
fn Manage(
    firm: Firm,
    is_admin: bool,
    requests: Vec<crate::api::firms::JoinRequest>,
) -> impl IntoView {
    let locale = use_locale();
    let lang = locale.get_untracked();
    let submit = ServerAction::<SubmitFirm>::new();
    let submit_error = form_error(submit);
    let withdraw = ServerAction::<WithdrawFirm>::new();
    let withdraw_error = form_error(withdraw);
    let can_submit = is_admin
        && ["draft", "changes_requested", "rejected", "withdrawn"].contains(&firm.status.as_str());
    let can_withdraw = is_admin
        && ["draft", "submitted", "changes_requested", "rejected"].contains(&firm.status.as_str());
    let pending = firm.pending.clone();
    let name = if lang == fairlink::Locale::En {
        firm.name_en.clone()
    } else {
        firm.legal_name.clone()
    };
    let status = status_key(&firm.status);
    let note = firm.decision_note.clone();
    let approved = firm.status == "approved";
    let id = firm.id;
    view! {
        <section class="panel">
            <h1>{name}</h1>
            <p class="status-line">
                {t(Key::FirmStatus)} ": " <span class=format!("badge badge--firm-{}", firm.status)>{t(status)}</span>
                {approved.then(|| view! { " " <a href=format!("/exhibitors/{id}")>{t(Key::FirmSeePublic)}</a> })}
            </p>
            {note.map(|n| view! { <div class="alert" role="note"><p><strong>{t(Key::FirmOrganiserNote)}</strong></p><p>{n}</p></div> })}
            {pending.map(|p| view! {
                <div class="alert" role="note">
                    <p><strong>{t(Key::FirmPendingTitle)}</strong></p>
                    <p>{t(Key::FirmPendingIntro)}</p>
                    <dl class="facts facts--stacked">
                        <div><dt>{t(Key::FirmLegalName)}</dt><dd>{p.legal_name}</dd></div>
                        <div><dt>{t(Key::FirmNameEn)}</dt><dd>{p.name_en}</dd></div>
                        <div><dt>{t(Key::FirmTaxCode)}</dt><dd>{p.tax_code}</dd></div>
                        <div><dt>{t(Key::FirmWebsite)}</dt><dd>{p.website.unwrap_or_else(|| "—".into())}</dd></div>
                    </dl>
                </div>
            })}
            {can_submit.then(|| view! {
                <ActionForm action=submit attr:class="form">
                    <FormAlert error=submit_error />
                    <p>{t(Key::FirmSubmitIntro)}</p>
                    <Submit label=Key::FirmSubmit />
                </ActionForm>
            })}
            {can_withdraw.then(|| view! {
                <details>
                    <summary>{t(Key::FirmWithdrawTitle)}</summary>
                    <ActionForm action=withdraw attr:class="form">
                        <FormAlert error=withdraw_error />
                        <p>{t(Key::FirmWithdrawIntro)}</p>
                        <button type="submit" class="button">{t(Key::FirmWithdraw)}</button>
                    </ActionForm>
                </details>
            })}
        </section>
        <section class="panel" id="profile">
            <h2>{t(Key::FirmProfileTitle)}</h2>
            <ProfileForm firm=Some(firm.clone()) />
        </section>
        <Products firm=firm.clone() />
        <Capabilities firm=firm.clone() />
        <Certificates firm=firm.clone() />
        <Logo firm=firm.clone() />
        <Members firm=firm is_admin=is_admin requests=requests />
    }
}

#[component]
fn Products(firm: Firm) -> impl IntoView {
    let add = ServerAction::<AddProduct>::new();
    let error = form_error(add);
    let remove = ServerAction::<RemoveProduct>::new();
    let rows = firm
        .products
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <td>{p.name_vi.clone()}</td>
                    <td>{p.name_en.clone()}</td>
                    <td>{p.hs_code.clone().unwrap_or_default()}</td>
                    <td>
                        <ActionForm action=remove attr:class="inline-form">
                            <input type="hidden" name="id" value=p.id.to_string() />
                            <button type="submit" class="link-button">{t(Key::FormRemove)}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="products">
            <h2>{t(Key::FirmProducts)}</h2>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::FirmProductVi)}</th>
                            <th scope="col">{t(Key::FirmProductEn)}</th>
                            <th scope="col">{t(Key::FirmHsCode)}</th>
                            <th scope="col"><span class="visually-hidden">{t(Key::FormRemove)}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h3>{t(Key::FirmAddProduct)}</h3>
            <ActionForm action=add attr:class="form form--inline" attr:novalidate=true>
                <FormAlert error=error />
                <Field name="name_vi" label=Key::FirmProductVi error=error />
                <Field name="name_en" label=Key::FirmProductEn error=error />
                <Field name="hs_code" label=Key::FirmHsCode required=false hint=Key::FirmHsCodeHint error=error />
                <Submit label=Key::FirmAddProduct />
            </ActionForm>
        </section>
    }
}

pub(crate) fn checkboxes(
    name: &'static str,
    list: &'static [vocabulary::Term],
    chosen: &[String],
    lang: fairlink::Locale,
) -> AnyView {
    list.iter()
        .map(|term| {
            let checked = chosen.iter().any(|c| c == term.code);
            view! {
                <label class="check">
                    <input type="checkbox" name=name value=term.code checked=checked />
                    {term.label(lang)}
                </label>
            }
        })
        .collect_view()
        .into_any()
}

#[component]
fn Capabilities(firm: Firm) -> impl IntoView {
    let lang = use_locale().get_untracked();
    let error = query_error();
    view! {
        <section class="panel" id="capabilities">
            <h2>{t(Key::FirmCapabilities)}</h2>
            <form method="post" action="/firm/capabilities" class="form">
                <FormAlert error=error />
                <fieldset class="choice choice--grid">
                    <legend>{t(Key::FirmProcesses)}</legend>
                    {checkboxes("processes", PROCESSES, &firm.processes, lang)}
                </fieldset>
                <fieldset class="choice choice--grid">
                    <legend>{t(Key::FirmMaterials)}</legend>
                    {checkboxes("materials", MATERIALS, &firm.materials, lang)}
                </fieldset>
                <fieldset class="choice choice--grid">
                    <legend>{t(Key::FirmMarkets)}</legend>
                    {checkboxes("markets", MARKETS, &firm.markets, lang)}
                </fieldset>
                <Submit label=Key::FirmSave />
            </form>
        </section>
    }
}

#[component]
fn Certificates(firm: Firm) -> impl IntoView {
    let locale = use_locale();
    let lang = locale.get_untracked();
    let remove = ServerAction::<RemoveCertificate>::new();
    let error = query_error();
    let items = firm
        .certificates
        .into_iter()
        .map(|c| {
            let name = {
                let c = c.clone();
                move || certificate_name(&c, locale.get())
            };
            let expires = c.expires_on.map(|e| format::date(e, lang)).unwrap_or_default();
            view! {
                <li class="certificate">
                    <strong>{name}</strong>
                    {if c.verified {
                        view! { <span class="badge badge--sent">{t(Key::FirmVerified)}</span> }.into_any()
                    } else {
                        view! { <span class="badge">{t(Key::FirmUnverified)}</span> }.into_any()
                    }}
                    <span class="muted">{format!("{} · {} · {}", c.number, c.issuer, expires)}</span>
                    {c.expires_before_fair.then(|| view! { <p class="alert alert--error" role="note">{t(Key::FirmExpiresBeforeFair)}</p> })}
                    {c.scan.map(|id| view! { <a href=format!("/files/{id}")>{t(Key::FirmScan)}</a> })}
                    <ActionForm action=remove attr:class="inline-form">
                        <input type="hidden" name="id" value=c.id.to_string() />
                        <button type="submit" class="link-button">{t(Key::FormRemove)}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="certificates">
            <h2>{t(Key::FirmCertificates)}</h2>
            <ul class="certificates">{items}</ul>
            <h3>{t(Key::FirmAddCertificate)}</h3>
            <form method="post" action="/firm/certificates" enctype="multipart/form-data" class="form form--inline" novalidate>
                <FormAlert error=error />
                <Select name="kind" label=Key::FirmCertificateKind options=options(CERTIFICATES, lang) empty=Key::FormChoose error=error />
                <Field name="other_name" label=Key::FirmCertificateOther required=false error=error />
                <Field name="number" label=Key::FirmCertificateNumber error=error />
                <Field name="issuer" label=Key::FirmCertificateIssuer error=error />
                <Field name="issued_on" label=Key::FirmCertificateIssued kind="date" error=error />
                <Field name="expires_on" label=Key::FirmCertificateExpires kind="date" required=false error=error />
                <Field name="file" label=Key::FirmCertificateScan kind="file" required=false hint=Key::FirmCertificateScanHint error=error />
                <Submit label=Key::FirmAddCertificate />
            </form>
        </section>
    }
}

#[component]
fn Logo(firm: Firm) -> impl IntoView {
    let error = query_error();
    view! {
        <section class="panel panel--narrow" id="logo">
            <h2>{t(Key::FirmLogo)}</h2>
            {firm.logo.map(|id| view! { <img src=format!("/files/{id}") alt=t(Key::FirmLogo) width="96" height="96" /> })}
            <form method="post" action="/firm/logo" enctype="multipart/form-data" class="form" novalidate>
                <Field name="file" label=Key::FirmLogoFile kind="file" hint=Key::FirmLogoHint error=error />
                <Submit label=Key::FirmSave />
            </form>
        </section>
    }
}

#[component]
fn Members(
    firm: Firm,
    is_admin: bool,
    requests: Vec<crate::api::firms::JoinRequest>,
) -> impl IntoView {
    let locale = use_locale();
    let invite = ServerAction::<InviteMember>::new();
    let error = form_error(invite);
    let answer = ServerAction::<AnswerRequest>::new();
    let members = firm
        .members
        .into_iter()
        .map(|m| {
            view! {
                <li>
                    {m.name.clone()} " · " <span class="muted">{m.email.clone()}</span>
                    {m.is_admin.then(|| view! { " " <span class="badge">{t(Key::FirmAdmin)}</span> })}
                </li>
            }
        })
        .collect_view();
    let pending = requests
        .into_iter()
        .map(|r| {
            let (accept_id, decline_id) = (r.id.to_string(), r.id.to_string());
            let when = move || format::datetime(r.created_at, format::DEFAULT_TIME_ZONE, locale.get());
            view! {
                <li>
                    {format!("{} <{}>", r.name, r.email)} " · " <span class="muted">{when}</span>
                    <ActionForm action=answer attr:class="inline-form">
                        <input type="hidden" name="id" value=accept_id />
                        <input type="hidden" name="accept" value="true" />
                        <button type="submit" class="button button--small">{t(Key::FirmAccept)}</button>
                    </ActionForm>
                    <ActionForm action=answer attr:class="inline-form">
                        <input type="hidden" name="id" value=decline_id />
                        <input type="hidden" name="accept" value="false" />
                        <button type="submit" class="link-button">{t(Key::FirmDecline)}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="members">
            <h2>{t(Key::FirmMembers)}</h2>
            <ul class="plain-list">{members}</ul>
            {is_admin.then(|| view! {
                <h3>{t(Key::FirmRequests)}</h3>
                <ul class="plain-list">{pending}</ul>
                <h3>{t(Key::FirmInvite)}</h3>
                <ActionForm action=invite attr:class="form form--inline" attr:novalidate=true>
                    <FormAlert error=error />
                    <Field name="name" label=Key::FieldName error=error />
                    <Field name="email" label=Key::FieldEmail kind="email" error=error />
                    <Submit label=Key::FirmInvite />
                </ActionForm>
            })}
        </section>
    }
}
