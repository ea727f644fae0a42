//! Booths for exhibitors: the floor plan of a fair (an SVG that works
//! without JavaScript and comes alive with it), the plain list of booths
//! with a hold button each, and the firm's holds, bookings and application.

use crate::api::AppError;
use crate::api::booths::{
    ApplyForSpace, Claim, ConfirmBooking, FairMapData, GiveUpBooking, HoldBooth, MapBooth, Named,
    WithdrawApplication, get_fair_map, get_my_bookings,
};
use crate::components::forms::{Field, FormAlert, Submit, form_error};
use crate::components::guard::RequireRole;
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use crate::islands::plan::{PlanLabels, PlanMap};
use fairlink::accounts::Role;
use fairlink::booths::pricing::{EXTRAS, Price};
use fairlink::{ErrorCode, Locale, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The label of a booth status.
pub fn status_key(status: &str) -> Key {
    match status {
        "free" => Key::BoothStatusFree,
        "held" => Key::BoothStatusHeld,
        "reserved" => Key::BoothStatusReserved,
        "sold" => Key::BoothStatusSold,
        "blocked" => Key::BoothStatusBlocked,
        "proposed" => Key::BoothStatusProposed,
        _ => Key::BoothStatusFree,
    }
}

/// The label of a claim state.
pub fn claim_key(state: &str) -> Key {
    match state {
        "held" => Key::ClaimHeld,
        "confirmed" => Key::ClaimConfirmed,
        "paid" => Key::ClaimPaid,
        "cancelled" => Key::ClaimCancelled,
        "expired" => Key::ClaimExpired,
        _ => Key::ClaimReleased,
    }
}

/// The label of an application state.
pub fn application_key(state: &str) -> Key {
    match state {
        "pending" => Key::ApplicationPending,
        "allocated" => Key::ApplicationAllocated,
        "waitlisted" => Key::ApplicationWaitlisted,
        "offered" => Key::ApplicationOffered,
        "lapsed" => Key::ApplicationLapsed,
        _ => Key::ApplicationWithdrawn,
    }
}

/// Everything the plan island says, in the reader's language.
pub fn plan_labels(locale: Locale, why_not: &str, statuses: &[&str]) -> PlanLabels {
    let s = |k: Key| tr(locale, k).to_string();
    let why = if why_not.is_empty() {
        String::new()
    } else {
        tr(
            locale,
            Key::for_error(ErrorCode::parse(why_not).unwrap_or(ErrorCode::Forbidden)),
        )
        .to_string()
    };
    let errors = [
        ErrorCode::BoothTaken,
        ErrorCode::TooManyHolds,
        ErrorCode::BookingClosed,
        ErrorCode::FirmNotApproved,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Internal,
    ]
    .into_iter()
    .map(|c| {
        (
            c.as_str().to_string(),
            tr(locale, Key::for_error(c)).to_string(),
        )
    })
    .collect();
    PlanLabels {
        title: s(Key::PlanTitle),
        zone: s(Key::PlanZone),
        any_zone: s(Key::PlanAnyZone),
        size: s(Key::PlanSize),
        any_size: s(Key::PlanAnySize),
        small: s(Key::PlanSmall),
        medium: s(Key::PlanMedium),
        large: s(Key::PlanLarge),
        zoom_in: s(Key::PlanZoomIn),
        zoom_out: s(Key::PlanZoomOut),
        reset: s(Key::PlanReset),
        statuses: statuses
            .iter()
            .map(|c| (c.to_string(), s(status_key(c))))
            .collect(),
        hold: s(Key::PlanHold),
        holding: s(Key::FormWorking),
        area: s(Key::BoothArea),
        price: s(Key::BoothPrice),
        status: s(Key::TableStatus),
        exhibitor: s(Key::BoothExhibitor),
        booth_type: s(Key::BoothType),
        hint: s(Key::PlanHint),
        why_not: why,
        errors,
        yours: s(Key::PlanYours),
        list_link: s(Key::PlanListLink),
    }
}

pub const STATUSES: [&str; 5] = ["free", "held", "reserved", "sold", "blocked"];

fn pairs(named: &[Named], locale: Locale) -> Vec<(String, String)> {
    named
        .iter()
        .map(|n| (n.code.clone(), n.name(locale).to_string()))
        .collect()
}

fn error_view(e: AppError, locale: RwSignal<Locale>) -> AnyView {
    view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }
        .into_any()
}

/// Why the reader cannot book, with the way forward.
#[component]
fn WhyNot(why_not: String, slug: String) -> impl IntoView {
    let locale = use_locale();
    let code = ErrorCode::parse(&why_not);
    let next = format!("/fairs/{slug}/plan");
    code.map(|code| {
        let action = match code {
            ErrorCode::Unauthenticated => Some(view! {
                <a class="button button--small" href=format!("/login?next={next}")>{t(Key::NavSignIn)}</a>
            }.into_any()),
            ErrorCode::FirmNotApproved | ErrorCode::NoFirm => Some(view! {
                <a class="button button--small" href="/firm">{t(Key::NavMyFirm)}</a>
            }.into_any()),
            _ => None,
        };
        view! {
            <p class="note" role="status">{move || tr(locale.get(), Key::for_error(code))} " " {action}</p>
        }
    })
}

/// Tabs of a fair's halls.
#[component]
fn HallTabs(data: FairMapData, base: String, current: String) -> impl IntoView {
    let locale = use_locale();
    let tabs = data
        .halls
        .into_iter()
        .map(|h| {
            let here = h.code == current;
            let href = format!("{base}?hall={}", h.code);
            let name = move || {
                if locale.get() == Locale::Vi {
                    h.name_vi.clone()
                } else {
                    h.name_en.clone()
                }
            };
            view! {
                <a href=href class="tab" aria-current=here.then_some("page")>
                    <strong>{h.code.clone()}</strong>" "{name}
                </a>
            }
        })
        .collect_view();
    view! { <nav class="tabs" aria-label=t(Key::PlanHalls)>{tabs}</nav> }
}

/// A hall's plan as an island, from the page's data.
#[component]
pub fn HallPlan(
    data: FairMapData,
    #[prop(optional)] heat: Option<Vec<(String, u32)>>,
    #[prop(optional)] statuses: Option<Vec<&'static str>>,
    live: bool,
) -> impl IntoView {
    let locale = use_locale().get_untracked();
    let hall = data
        .halls
        .iter()
        .find(|h| data.booths.first().is_some_and(|b| b.hall == h.code))
        .or(data.halls.first())
        .cloned();
    let Some(hall) = hall else {
        return view! { <p class="muted">{t(Key::PlanNoHalls)}</p> }.into_any();
    };
    let statuses = statuses.unwrap_or(STATUSES.to_vec());
    let labels = plan_labels(locale, &data.why_not, &statuses);
    let types = data
        .types
        .iter()
        .map(|t| {
            (
                t.code.clone(),
                if locale == Locale::Vi {
                    t.name_vi.clone()
                } else {
                    t.name_en.clone()
                },
            )
        })
        .collect();
    let list_href = format!("/fairs/{}/booths", data.fair.slug);
    let live = live.then(|| format!("/fairs/{}/plan/events", data.fair.slug));
    view! {
        <PlanMap
            fair=data.fair.id
            hall_w=hall.w
            hall_d=hall.d
            booths=data.booths
            features=data.features
            zones=pairs(&data.zones, locale)
            types=types
            labels=labels
            locale=locale
            can_book=data.can_book
            list_href=list_href
            heat=heat
            live=live
        />
    }
    .into_any()
}

/// /fairs/:slug/plan?hall=A
#[component]
pub fn PlanPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let hall = move || query.with(|q| q.get("hall").unwrap_or_default());
    let data = Resource::new(move || (slug(), hall()), |(s, h)| get_fair_map(s, h));
    view! {
        <Title text=t(Key::PlanTitle) />
        <section class="panel panel--wide">
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => {
                            let name = { let f = d.fair.clone(); move || if locale.get() == Locale::Vi { f.name_vi.clone() } else { f.name_en.clone() } };
                            let current = d.booths.first().map(|b| b.hall.clone()).or(d.halls.first().map(|h| h.code.clone())).unwrap_or_default();
                            let base = format!("/fairs/{}/plan", d.fair.slug);
                            let free = d.booths.iter().filter(|b| b.status == "free").count();
                            view! {
                                <p class="eyebrow">{name}</p>
                                <h1>{t(Key::PlanTitle)}</h1>
                                <HallTabs data=d.clone() base=base current=current />
                                <p class="muted">{move || tr_args(locale.get(), Key::PlanFreeCount, &[("free", &free.to_string())])}</p>
                                <WhyNot why_not=d.why_not.clone() slug=d.fair.slug.clone() />
                                <HallPlan data=d live=true />
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// /fairs/:slug/booths: every booth as a list, free ones with a plain
/// "hold" form (the plan without JavaScript).
#[component]
pub fn BoothListPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let free_only = move || query.with(|q| q.get("free").is_some_and(|v| v == "1"));
    let data = Resource::new(slug, |s| get_fair_map(s, "*".into()));
    // A refused hold comes back here (the address carries the error).
    let hold = ServerAction::<HoldBooth>::new();
    let error = form_error(hold);
    view! {
        <Title text=t(Key::BoothsTitle) />
        <section class="panel panel--wide">
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => {
                            let slug = d.fair.slug.clone();
                            let zones = d.zones.clone();
                            let types = d.types.clone();
                            let zone_name = move |code: &str| zones.iter().find(|z| z.code == code).map(|z| z.name(locale.get_untracked()).to_string()).unwrap_or_else(|| code.to_string());
                            let type_name = move |code: &str| types.iter().find(|t| t.code == code).map(|t| if locale.get_untracked() == Locale::Vi { t.name_vi.clone() } else { t.name_en.clone() }).unwrap_or_else(|| code.to_string());
                            let can_book = d.can_book;
                            let only = free_only();
                            let rows = d.booths.iter().filter(|b| !only || b.status == "free").map(|b: &MapBooth| {
                                let b = b.clone();
                                let id = format!("booth-{}", b.code);
                                let status = b.status.clone();
                                let firm = if locale.get_untracked() == Locale::Vi { b.firm.clone() } else { b.firm_en.clone().or(b.firm.clone()) };
                                view! {
                                    <tr id=id class=format!("booth-row booth-row--{status}")>
                                        <th scope="row">{b.code.clone()}</th>
                                        <td>{zone_name(&b.zone)}</td>
                                        <td>{type_name(&b.type_code)}</td>
                                        <td class="num">{format!("{} m²", b.area_m2)}</td>
                                        <td class="num">{move || format::vnd(b.price.total, locale.get())}</td>
                                        <td><span class=format!("swatch swatch--{status}")></span>{t(status_key(&status))}{firm.map(|f| view! { <span class="muted">" · "{f}</span> })}</td>
                                        <td>
                                            {(can_book && status == "free").then(|| view! {
                                                <form method="post" action="/api/booths/hold" class="inline-form">
                                                    <input type="hidden" name="booth" value=b.id.to_string() />
                                                    <button type="submit" class="button button--small button--primary">{t(Key::PlanHold)}" "{b.code.clone()}</button>
                                                </form>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            let name = { let f = d.fair.clone(); move || if locale.get() == Locale::Vi { f.name_vi.clone() } else { f.name_en.clone() } };
                            view! {
                                <p class="eyebrow">{name}</p>
                                <h1>{t(Key::BoothsTitle)}</h1>
                                <FormAlert error=error />
                                <WhyNot why_not=d.why_not.clone() slug=slug.clone() />
                                <p>
                                    <a href=format!("/fairs/{slug}/plan")>{t(Key::BoothsToPlan)}</a>" · "
                                    {if only {
                                        view! { <a href=format!("/fairs/{slug}/booths")>{t(Key::BoothsShowAll)}</a> }.into_any()
                                    } else {
                                        view! { <a href=format!("/fairs/{slug}/booths?free=1")>{t(Key::BoothsShowFree)}</a> }.into_any()
                                    }}
                                </p>
                                <div class="table-wrap">
                                    <table class="booth-list">
                                        <thead>
                                            <tr>
                                                <th scope="col">{t(Key::BoothCode)}</th>
                                                <th scope="col">{t(Key::PlanZone)}</th>
                                                <th scope="col">{t(Key::BoothType)}</th>
                                                <th scope="col" class="num">{t(Key::BoothArea)}</th>
                                                <th scope="col" class="num">{t(Key::BoothPrice)}</th>
                                                <th scope="col">{t(Key::TableStatus)}</th>
                                                <th scope="col"><span class="visually-hidden">{t(Key::PlanHold)}</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A price with its parts.
#[component]
pub fn PriceBreakdown(price: Price, vat_percent: i32) -> impl IntoView {
    let locale = use_locale();
    let row = move |k: Key, v: i64| {
        view! { <div><dt>{t(k)}</dt><dd class="num">{move || format::vnd(v, locale.get())}</dd></div> }
    };
    view! {
        <dl class="price">
            {row(Key::PriceBase, price.base)}
            {(price.surcharge != 0).then(|| row(Key::PriceSurcharge, price.surcharge))}
            {(price.options != 0).then(|| row(Key::PriceOptions, price.options))}
            <div><dt>{move || tr_args(locale.get(), Key::PriceVat, &[("percent", &vat_percent.to_string())])}</dt><dd class="num">{move || format::vnd(price.vat, locale.get())}</dd></div>
            <div class="price__total"><dt>{t(Key::PriceTotal)}</dt><dd class="num">{move || format::vnd(price.total, locale.get())}</dd></div>
        </dl>
    }
}

/// Seconds until `until` (pages render on the server, where the clock is).
fn seconds_left(until: Option<chrono::DateTime<chrono::Utc>>) -> i64 {
    #[cfg(feature = "ssr")]
    {
        until
            .map(|u| (u - chrono::Utc::now()).num_seconds().max(0))
            .unwrap_or(0)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = until;
        0
    }
}

/// /bookings: the firm's holds (to confirm), bookings and application.
#[component]
pub fn BookingsPage() -> impl IntoView {
    view! {
        <Title text=t(Key::BookingsTitle) />
        <RequireRole roles=&[Role::Exhibitor]>
            <BookingsContent />
        </RequireRole>
    }
}

#[component]
fn BookingsContent() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let data = Resource::new(|| (), |_| get_my_bookings());
    let confirm = ServerAction::<ConfirmBooking>::new();
    let give_up = ServerAction::<GiveUpBooking>::new();
    let apply = ServerAction::<ApplyForSpace>::new();
    let withdraw = ServerAction::<WithdrawApplication>::new();
    let error = form_error(apply);
    let (confirm_error, give_up_error, withdraw_error) = (
        form_error(confirm),
        form_error(give_up),
        form_error(withdraw),
    );
    let page_error = Signal::derive(move || {
        confirm_error
            .get()
            .or_else(|| give_up_error.get())
            .or_else(|| withdraw_error.get())
    });
    let notice = move || {
        query.with(|q| {
            if let Some(code) = q.get("held") {
                Some(tr_args(
                    locale.get(),
                    Key::BookingsHeld,
                    &[("booth", &code)],
                ))
            } else if let Some(code) = q.get("confirmed") {
                Some(tr_args(
                    locale.get(),
                    Key::BookingsConfirmed,
                    &[("booth", &code)],
                ))
            } else if q.get("released").is_some() {
                Some(tr(locale.get(), Key::BookingsReleased).to_string())
            } else if q.get("applied").is_some() {
                Some(tr(locale.get(), Key::BookingsApplied).to_string())
            } else if q.get("withdrawn").is_some() {
                Some(tr(locale.get(), Key::BookingsWithdrawn).to_string())
            } else {
                None
            }
        })
    };
    view! {
        <section class="panel">
            <h1>{t(Key::BookingsTitle)}</h1>
            {move || notice().map(|n| view! { <p class="alert alert--success" role="status">{n}</p> })}
            {move || page_error.get().map(|e| view! { <p class="alert alert--error" role="alert">{e.message(locale.get())}</p> })}
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(m) => {
                            let Some(fair) = m.fair.clone() else {
                                return view! { <p>{t(Key::BookingsNoFair)}</p> }.into_any();
                            };
                            let vat = fair.vat_percent;
                            let slug = fair.slug.clone();
                            let holds: Vec<Claim> = m.claims.iter().filter(|c| c.state == "held").cloned().collect();
                            let booked: Vec<Claim> = m.claims.iter().filter(|c| c.state == "confirmed" || c.state == "paid").cloned().collect();
                            let hold_views = holds.into_iter().map(|c| {
                                let until = c.held_until.map(|u| format::datetime(u, &fair.time_zone, locale.get_untracked())).unwrap_or_default();
                                let seconds = seconds_left(c.held_until);
                                let extras = EXTRAS.iter().map(|x| {
                                    let name = if locale.get_untracked() == Locale::Vi { x.name_vi } else { x.name_en };
                                    view! {
                                        <label class="check">
                                            <input type="checkbox" name=x.code value="on" />
                                            {name}" (+"{format::vnd(x.price, locale.get_untracked())}")"
                                        </label>
                                    }
                                }).collect_view();
                                view! {
                                    <article class="card claim claim--held" id=format!("claim-{}", c.id)>
                                        <h3>{tr_args(locale.get_untracked(), Key::BookingsBooth, &[("booth", &c.booth), ("hall", &c.hall)])}</h3>
                                        <p class="muted">{format!("{} m² · {} · {}", c.area_m2, c.zone, c.type_code)}</p>
                                        <p class="claim__timer">
                                            {tr_args(locale.get_untracked(), Key::BookingsHeldUntil, &[("time", &until)])}" "
                                            <crate::islands::Countdown seconds=seconds expired=tr(locale.get_untracked(), Key::ClaimExpired).to_string() />
                                        </p>
                                        <PriceBreakdown price=c.price vat_percent=vat />
                                        <ActionForm action=confirm attr:class="form">
                                            <input type="hidden" name="claim" value=c.id.to_string() />
                                            <fieldset>
                                                <legend>{t(Key::BookingsExtras)}</legend>
                                                {extras}
                                            </fieldset>
                                            <Submit label=Key::BookingsConfirm />
                                        </ActionForm>
                                        <ActionForm action=give_up attr:class="inline-form">
                                            <input type="hidden" name="claim" value=c.id.to_string() />
                                            <button type="submit" class="button button--small">{t(Key::BookingsGiveUp)}</button>
                                        </ActionForm>
                                    </article>
                                }
                            }).collect_view();
                            let booked_views = booked.into_iter().map(|c| {
                                let options = c.options.iter().filter_map(|o| EXTRAS.iter().find(|x| x.code == o)).map(|x| if locale.get_untracked() == Locale::Vi { x.name_vi } else { x.name_en }).collect::<Vec<_>>().join(", ");
                                view! {
                                    <article class="card claim" id=format!("claim-{}", c.id)>
                                        <h3>{tr_args(locale.get_untracked(), Key::BookingsBooth, &[("booth", &c.booth), ("hall", &c.hall)])}" "
                                            <span class=format!("badge badge--{}", c.state)>{t(claim_key(&c.state))}</span></h3>
                                        <p class="muted">{format!("{} m² · {} · {}", c.area_m2, c.zone, c.type_code)}</p>
                                        {(!options.is_empty()).then(|| view! { <p>{t(Key::BookingsExtras)}": "{options}</p> })}
                                        <PriceBreakdown price=c.price vat_percent=vat />
                                        {c.invoice_no.clone().map(|no| view! {
                                            <p><a href=format!("/bookings/{}/invoice.pdf", c.id)>{tr_args(locale.get_untracked(), Key::BookingsInvoice, &[("number", &no)])}</a></p>
                                        })}
                                    </article>
                                }
                            }).collect_view();
                            let has_claims = !m.claims.iter().all(|c| !matches!(c.state.as_str(), "held" | "confirmed" | "paid"));
                            let application = m.application.clone();
                            let pending = application.as_ref().is_some_and(|a| matches!(a.status.as_str(), "pending" | "waitlisted" | "offered"));
                            let app_view = application.clone().map(|a| {
                                let zone = a.zone.clone().unwrap_or_else(|| tr(locale.get_untracked(), Key::PlanAnyZone).to_string());
                                let prefs = a.preferences.join(", ");
                                view! {
                                    <p>
                                        <span class=format!("badge badge--{}", a.status)>{t(application_key(&a.status))}</span>" "
                                        {format!("{} m² · {} · {}", a.area_m2, a.type_code, zone)}
                                        {(!prefs.is_empty()).then(|| format!(" · {prefs}"))}
                                        {a.booth.clone().map(|b| format!(" → {b}"))}
                                    </p>
                                }
                            });
                            let type_options = m.types.iter().map(|t| {
                                let selected = application.as_ref().is_some_and(|a| a.type_code == t.code);
                                view! { <option value=t.code.clone() selected=selected>{if locale.get_untracked() == Locale::Vi { t.name_vi.clone() } else { t.name_en.clone() }}</option> }
                            }).collect_view();
                            let zone_options = m.zones.iter().map(|z| {
                                let selected = application.as_ref().is_some_and(|a| a.zone.as_deref() == Some(z.code.as_str()));
                                view! { <option value=z.code.clone() selected=selected>{z.name(locale.get_untracked()).to_string()}</option> }
                            }).collect_view();
                            let prefs = application.as_ref().map(|a| a.preferences.clone()).unwrap_or_default();
                            let pref = move |i: usize| prefs.get(i).cloned().unwrap_or_default();
                            let fair_id = fair.id;
                            view! {
                                <p>
                                    <a class="button" href=format!("/fairs/{slug}/plan")>{t(Key::BookingsPickOnPlan)}</a>" "
                                    <a href=format!("/fairs/{slug}/booths?free=1")>{t(Key::BoothsShowFree)}</a>" "
                                    <a href=format!("/fairs/{slug}/staff")>{t(Key::StaffBadgesTitle)}</a>" "
                                    <a href=format!("/fairs/{slug}/meetings")>{t(Key::MeetingsTitle)}</a>" "
                                    <a href=format!("/fairs/{slug}/agenda")>{t(Key::AgendaTitle)}</a>" "
                                    <a href="/firm/leads">{t(Key::LeadsTitle)}</a>
                                </p>
                                {(!m.why_not.is_empty()).then(|| view! { <WhyNot why_not=m.why_not.clone() slug=slug.clone() /> })}
                                {(!has_claims).then(|| view! { <p class="muted">{t(Key::BookingsNone)}</p> })}
                                <div class="cards">{hold_views}{booked_views}</div>
                                <h2 id="application">{t(Key::BookingsApplicationTitle)}</h2>
                                <p class="muted">{t(Key::BookingsApplicationIntro)}</p>
                                {app_view}
                                <ActionForm action=apply attr:class="form" attr:novalidate=true>
                                    <FormAlert error=error />
                                    <input type="hidden" name="fair" value=fair_id.to_string() />
                                    <Field name="area_m2" label=Key::BookingsArea kind="number" value=application.as_ref().map(|a| a.area_m2.to_string()).unwrap_or_else(|| "9".into()) error=error />
                                    <div class="field">
                                        <label for="f-type_code">{t(Key::BoothType)}</label>
                                        <select id="f-type_code" name="type_code">{type_options}</select>
                                    </div>
                                    <div class="field">
                                        <label for="f-zone">{t(Key::PlanZone)}</label>
                                        <select id="f-zone" name="zone">
                                            <option value="">{t(Key::PlanAnyZone)}</option>
                                            {zone_options}
                                        </select>
                                    </div>
                                    <Field name="pref1" label=Key::BookingsPref1 required=false value=pref(0) error=error />
                                    <Field name="pref2" label=Key::BookingsPref2 required=false value=pref(1) error=error />
                                    <Field name="pref3" label=Key::BookingsPref3 required=false value=pref(2) error=error />
                                    <Field name="avoid" label=Key::BookingsAvoid hint=Key::BookingsAvoidHint required=false error=error />
                                    <Submit label=if application.is_some() { Key::BookingsApplyChange } else { Key::BookingsApply } />
                                </ActionForm>
                                {pending.then(|| view! {
                                    <ActionForm action=withdraw attr:class="inline-form">
                                        <input type="hidden" name="fair" value=fair_id.to_string() />
                                        <button type="submit" class="button button--small">{t(Key::BookingsWithdraw)}</button>
                                    </ActionForm>
                                })}
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}
