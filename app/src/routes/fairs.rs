//! Fairs for organisers: the list and set-up of fairs (days, zones, booth
//! types, halls), the plan editor of a hall, bookings, the allocation of
//! applications, and booth figures with the plan as a heat map.

use crate::api::AppError;
use crate::api::booths::{
    AcceptAllocation, EndBooking, FairMapData, FigureRow, MarkPaid, MoveBooking, PlaceApplication,
    SaveBoothType, SaveFair, SaveHall, SaveZone, SetHours, get_allocation, get_booth_figures,
    get_fair_bookings, get_fair_setup, get_fairs, get_hall_editor,
};
use crate::components::forms::{Field, FormAlert, Submit, form_error, query_error};
use crate::components::guard::RequireRole;
use crate::components::pager::Pager;
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use crate::islands::plan_editor::{EditorLabels, PlanEditor};
use crate::routes::booths::{HallPlan, application_key, claim_key};
use crate::routes::review::OrganiserNav;
use fairlink::accounts::Role;
use fairlink::fairs::Fair;
use fairlink::{Locale, format};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn error_view(e: AppError, locale: RwSignal<Locale>) -> AnyView {
    view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }
        .into_any()
}

fn fair_name(f: &Fair, locale: Locale) -> String {
    if locale == Locale::Vi {
        f.name_vi.clone()
    } else {
        f.name_en.clone()
    }
}

fn loading() -> impl IntoView {
    view! { <p class="loading">{t(Key::CommonLoading)}</p> }
}

/// The pages of one fair.
#[component]
fn FairNav(slug: String) -> impl IntoView {
    view! {
        <nav class="subnav subnav--fair" aria-label=t(Key::FairsNav)>
            <a href=format!("/organiser/fairs/{slug}")>{t(Key::FairsSetup)}</a>
            <a href=format!("/organiser/fairs/{slug}/bookings")>{t(Key::FairsBookings)}</a>
            <a href=format!("/organiser/fairs/{slug}/allocation")>{t(Key::AllocTitle)}</a>
            <a href=format!("/organiser/fairs/{slug}/figures")>{t(Key::BoothFiguresTitle)}</a>
            <a href=format!("/fairs/{slug}/plan")>{t(Key::PlanTitle)}</a>
            <a href=format!("/organiser/fairs/{slug}/badges")>{t(Key::DeskTitle)}</a>
            <a href=format!("/organiser/fairs/{slug}/live")>{t(Key::LiveTitle)}</a>
            <a href=format!("/organiser/fairs/{slug}/meetings")>{t(Key::ProgrammeTitle)}</a>
        </nav>
    }
}

fn saved_notice() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("saved")).map(
            |_| view! { <p class="alert alert--success" role="status">{t(Key::FairsSaved)}</p> },
        )
    }
}

fn param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get(name).unwrap_or_default())
}

/// The fields of a fair, filled with `fair` when it exists.
#[component]
fn FairFields(fair: Option<Fair>, error: Signal<Option<AppError>>) -> impl IntoView {
    let v = |f: fn(&Fair) -> String| fair.as_ref().map(f);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    view! {
        <Field name="slug" label=Key::FairsSlug hint=Key::FairsSlugHint value=v(|f| f.slug.clone()).unwrap_or_default() error=error />
        <Field name="name_vi" label=Key::FairsNameVi value=v(|f| f.name_vi.clone()).unwrap_or_default() error=error />
        <Field name="name_en" label=Key::FairsNameEn value=v(|f| f.name_en.clone()).unwrap_or_default() error=error />
        <Field name="venue_vi" label=Key::FairsVenueVi value=v(|f| f.venue_vi.clone()).unwrap_or_default() error=error />
        <Field name="venue_en" label=Key::FairsVenueEn value=v(|f| f.venue_en.clone()).unwrap_or_default() error=error />
        <Field name="city" label=Key::FairsCity value=v(|f| f.city.clone()).unwrap_or_default() error=error />
        <div class="form__row">
            <Field name="starts_on" label=Key::FairsStartsOn kind="date" value=v(|f| f.starts_on.format("%Y-%m-%d").to_string()).unwrap_or_default() error=error />
            <Field name="ends_on" label=Key::FairsEndsOn kind="date" value=v(|f| f.ends_on.format("%Y-%m-%d").to_string()).unwrap_or_default() error=error />
        </div>
        <div class="form__row">
            <Field name="opens_at" label=Key::FairsOpensAt kind="time" value=v(|f| f.opens_at.format("%H:%M").to_string()).unwrap_or_else(|| "09:00".into()) error=error />
            <Field name="closes_at" label=Key::FairsClosesAt kind="time" value=v(|f| f.closes_at.format("%H:%M").to_string()).unwrap_or_else(|| "17:00".into()) error=error />
        </div>
        <Field name="time_zone" label=Key::FairsTimeZone value=v(|f| f.time_zone.clone()).unwrap_or_else(|| "Asia/Ho_Chi_Minh".into()) error=error />
        <div class="form__row">
            <Field name="vat_percent" label=Key::FairsVat kind="number" value=v(|f| f.vat_percent.to_string()).unwrap_or_else(|| "8".into()) error=error />
            <Field name="hold_minutes" label=Key::FairsHoldMinutes kind="number" value=v(|f| f.hold_minutes.to_string()).unwrap_or_else(|| "15".into()) error=error />
        </div>
        <div class="form__row">
            <Field name="booking_opens_on" label=Key::FairsBookingOpens kind="date" required=false value=date(fair.as_ref().and_then(|f| f.booking_opens_on)).unwrap_or_default() error=error />
            <Field name="booking_closes_on" label=Key::FairsBookingCloses kind="date" required=false value=date(fair.as_ref().and_then(|f| f.booking_closes_on)).unwrap_or_default() error=error />
            <Field name="registration_closes_on" label=Key::FairsRegistrationCloses kind="date" required=false value=date(fair.as_ref().and_then(|f| f.registration_closes_on)).unwrap_or_default() error=error />
        </div>
    }
}

/// /organiser/fairs
#[component]
pub fn FairsPage() -> impl IntoView {
    view! {
        <Title text=t(Key::FairsTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <FairsContent />
        </RequireRole>
    }
}

#[component]
fn FairsContent() -> impl IntoView {
    let locale = use_locale();
    let fairs = Resource::new(|| (), |_| get_fairs());
    let save = ServerAction::<SaveFair>::new();
    let error = form_error(save);
    view! {
        <section class="panel">
            <OrganiserNav />
            <h1>{t(Key::FairsTitle)}</h1>
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match fairs.await {
                        Ok(list) if list.is_empty() => view! { <p>{t(Key::FairsNone)}</p> }.into_any(),
                        Ok(list) => {
                            let rows = list.into_iter().map(|f| {
                                let slug = f.slug.clone();
                                let dates = format::date_range(f.starts_on, f.ends_on, locale.get_untracked());
                                view! {
                                    <tr>
                                        <th scope="row"><a href=format!("/organiser/fairs/{slug}")>{fair_name(&f, locale.get_untracked())}</a></th>
                                        <td>{dates}</td>
                                        <td>{f.city.clone()}</td>
                                        <td><FairNav slug=slug /></td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap"><table>
                                    <thead><tr>
                                        <th scope="col">{t(Key::TableName)}</th>
                                        <th scope="col">{t(Key::HomeDates)}</th>
                                        <th scope="col">{t(Key::FairsCity)}</th>
                                        <th scope="col"><span class="visually-hidden">{t(Key::FairsNav)}</span></th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table></div>
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
        <section class="panel">
            <h2>{t(Key::FairsCreate)}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormAlert error=error />
                <FairFields fair=None error=error />
                <Submit label=Key::FairsCreate />
            </ActionForm>
        </section>
    }
}

/// /organiser/fairs/:slug: settings, days, zones, booth types, halls.
#[component]
pub fn FairSetupPage() -> impl IntoView {
    view! {
        <Title text=t(Key::FairsSetup) />
        <RequireRole roles=&[Role::Organiser]>
            <FairSetupContent />
        </RequireRole>
    }
}

#[component]
fn FairSetupContent() -> impl IntoView {
    let locale = use_locale();
    let slug = param("slug");
    let data = Resource::new(slug, get_fair_setup);
    let save = ServerAction::<SaveFair>::new();
    let zone = ServerAction::<SaveZone>::new();
    let booth_type = ServerAction::<SaveBoothType>::new();
    let hall = ServerAction::<SaveHall>::new();
    let hours = ServerAction::<SetHours>::new();
    let error = form_error(save);
    let zone_error = form_error(zone);
    let type_error = form_error(booth_type);
    let hall_error = form_error(hall);
    let hours_error = form_error(hours);
    view! {
        <section class="panel">
            <OrganiserNav />
            {saved_notice()}
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(s) => {
                            let fair_id = s.fair.id;
                            let slug = s.fair.slug.clone();
                            let days = s.days.into_iter().map(|d| {
                                let day = d.day.format("%Y-%m-%d").to_string();
                                view! {
                                    <li>
                                        <ActionForm action=hours attr:class="form form--inline">
                                            <input type="hidden" name="fair" value=fair_id.to_string() />
                                            <input type="hidden" name="day" value=day.clone() />
                                            <strong class="day-label">{format::date_long(d.day, locale.get_untracked())}</strong>
                                            <label>{t(Key::FairsOpensAt)}" "<input type="time" name="opens_at" value=d.opens_at.clone() /></label>
                                            <label>{t(Key::FairsClosesAt)}" "<input type="time" name="closes_at" value=d.closes_at.clone() /></label>
                                            <button type="submit" class="button button--small">{t(Key::FairsSave)}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view();
                            let zones = s.zones.into_iter().map(|z| view! {
                                <tr><th scope="row">{z.code}</th><td>{z.name_vi}</td><td>{z.name_en}</td><td>{z.sector_group.unwrap_or_default()}</td></tr>
                            }).collect_view();
                            let types = s.types.into_iter().map(|ty| view! {
                                <tr>
                                    <th scope="row">{ty.code}</th><td>{ty.name_vi}</td><td>{ty.name_en}</td>
                                    <td class="num">{move || format::vnd(ty.price_per_m2, locale.get())}</td>
                                    <td class="num">{format!("{}%", ty.surcharge_percent)}</td>
                                    <td>{if ty.furniture { "✓" } else { "" }}</td>
                                </tr>
                            }).collect_view();
                            let halls = s.halls.into_iter().map(|h| {
                                let href = format!("/organiser/fairs/{slug}/halls/{}", h.hall.code);
                                view! {
                                    <tr>
                                        <th scope="row"><a href=href>{h.hall.code.clone()}</a></th>
                                        <td>{h.hall.name_vi.clone()}</td><td>{h.hall.name_en.clone()}</td>
                                        <td class="num">{format!("{} × {} m", fairlink::booths::plan::metres(h.hall.w), fairlink::booths::plan::metres(h.hall.d))}</td>
                                        <td class="num">{h.booths}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <p class="eyebrow">{fair_name(&s.fair, locale.get_untracked())}</p>
                                <h1>{t(Key::FairsSetup)}</h1>
                                <FairNav slug=slug.clone() />
                                <details class="fold" open=false>
                                    <summary>{t(Key::FairsSettings)}</summary>
                                    <ActionForm action=save attr:class="form" attr:novalidate=true>
                                        <FormAlert error=error />
                                        <input type="hidden" name="fair" value=fair_id.to_string() />
                                        <FairFields fair=Some(s.fair.clone()) error=error />
                                        <Submit label=Key::FairsSave />
                                    </ActionForm>
                                </details>
                                <h2 id="days">{t(Key::FairsDays)}</h2>
                                <FormAlert error=hours_error />
                                <ul class="plain-list">{days}</ul>
                                <h2 id="zones">{t(Key::FairsZones)}</h2>
                                <div class="table-wrap"><table>
                                    <thead><tr><th scope="col">{t(Key::FairsCode)}</th><th scope="col">"Tiếng Việt"</th><th scope="col">"English"</th><th scope="col">{t(Key::FairsSectorGroup)}</th></tr></thead>
                                    <tbody>{zones}</tbody>
                                </table></div>
                                <ActionForm action=zone attr:class="form form--inline" attr:novalidate=true>
                                    <FormAlert error=zone_error />
                                    <input type="hidden" name="fair" value=fair_id.to_string() />
                                    <Field name="code" label=Key::FairsCode error=zone_error />
                                    <Field name="name_vi" label=Key::FairsNameVi error=zone_error />
                                    <Field name="name_en" label=Key::FairsNameEn error=zone_error />
                                    <Field name="sector_group" label=Key::FairsSectorGroup required=false error=zone_error />
                                    <Submit label=Key::FairsSaveZone />
                                </ActionForm>
                                <h2 id="types">{t(Key::FairsTypes)}</h2>
                                <div class="table-wrap"><table>
                                    <thead><tr>
                                        <th scope="col">{t(Key::FairsCode)}</th><th scope="col">"Tiếng Việt"</th><th scope="col">"English"</th>
                                        <th scope="col" class="num">{t(Key::FairsPricePerM2)}</th><th scope="col" class="num">{t(Key::FairsSurcharge)}</th><th scope="col">{t(Key::FairsFurniture)}</th>
                                    </tr></thead>
                                    <tbody>{types}</tbody>
                                </table></div>
                                <ActionForm action=booth_type attr:class="form form--inline" attr:novalidate=true>
                                    <FormAlert error=type_error />
                                    <input type="hidden" name="fair" value=fair_id.to_string() />
                                    <Field name="code" label=Key::FairsCode error=type_error />
                                    <Field name="name_vi" label=Key::FairsNameVi error=type_error />
                                    <Field name="name_en" label=Key::FairsNameEn error=type_error />
                                    <Field name="price_per_m2" label=Key::FairsPricePerM2 error=type_error />
                                    <Field name="surcharge_percent" label=Key::FairsSurcharge kind="number" value="0" error=type_error />
                                    <label class="check"><input type="checkbox" name="furniture" value="on" />{t(Key::FairsFurniture)}</label>
                                    <Submit label=Key::FairsSaveType />
                                </ActionForm>
                                <h2 id="halls">{t(Key::FairsHalls)}</h2>
                                <div class="table-wrap"><table>
                                    <thead><tr>
                                        <th scope="col">{t(Key::FairsCode)}</th><th scope="col">"Tiếng Việt"</th><th scope="col">"English"</th>
                                        <th scope="col" class="num">{t(Key::FairsHallSize)}</th><th scope="col" class="num">{t(Key::FairsBoothCount)}</th>
                                    </tr></thead>
                                    <tbody>{halls}</tbody>
                                </table></div>
                                <ActionForm action=hall attr:class="form form--inline" attr:novalidate=true>
                                    <FormAlert error=hall_error />
                                    <input type="hidden" name="fair" value=fair_id.to_string() />
                                    <Field name="code" label=Key::FairsCode error=hall_error />
                                    <Field name="name_vi" label=Key::FairsNameVi error=hall_error />
                                    <Field name="name_en" label=Key::FairsNameEn error=hall_error />
                                    <Field name="width" label=Key::FairsHallWidth error=hall_error />
                                    <Field name="depth" label=Key::FairsHallDepth error=hall_error />
                                    <Submit label=Key::FairsSaveHall />
                                </ActionForm>
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The labels of the plan editor.
fn editor_labels(locale: Locale) -> EditorLabels {
    let s = |k: Key| tr(locale, k).to_string();
    EditorLabels {
        add: s(Key::EditorAdd),
        delete: s(Key::EditorDelete),
        rotate: s(Key::EditorRotate),
        duplicate: s(Key::EditorDuplicate),
        copies: s(Key::EditorCopies),
        undo: s(Key::EditorUndo),
        save: s(Key::EditorSave),
        saving: s(Key::FormWorking),
        snap: s(Key::EditorSnap),
        grid: s(Key::EditorGrid),
        code: s(Key::BoothCode),
        zone: s(Key::PlanZone),
        booth_type: s(Key::BoothType),
        x: s(Key::EditorX),
        y: s(Key::EditorY),
        width: s(Key::EditorWidth),
        depth: s(Key::EditorDepth),
        hint: s(Key::EditorHint),
        saved: s(Key::EditorSaved),
        unsaved: s(Key::EditorUnsaved),
        booked: s(Key::EditorBooked),
        line: s(Key::ImportLine),
        problems: fairlink::booths::plan::Problem::ALL
            .iter()
            .map(|p| {
                let text = Key::from_name(&format!("plan.problem.{}", p.as_str()))
                    .map(|k| tr(locale, k).to_string())
                    .unwrap_or_else(|| p.as_str().to_string());
                (p.as_str().to_string(), text)
            })
            .collect(),
        error: s(Key::ErrorInternal),
    }
}

/// /organiser/fairs/:slug/halls/:code: the plan editor, import and export.
#[component]
pub fn HallPage() -> impl IntoView {
    view! {
        <Title text=t(Key::EditorTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <HallContent />
        </RequireRole>
    }
}

#[component]
fn HallContent() -> impl IntoView {
    let locale = use_locale();
    let slug = param("slug");
    let code = param("code");
    let query = use_query_map();
    let data = Resource::new(move || (slug(), code()), |(s, c)| get_hall_editor(s, c));
    let error = query_error();
    // Line errors of a refused import, carried back in the address.
    let problems = move || {
        query.with(|q| {
            q.get("problems")
                .and_then(|p| {
                    serde_json::from_str::<Vec<fairlink::booths::plan::LineError>>(&p).ok()
                })
                .unwrap_or_default()
        })
    };
    let count = move || query.with(|q| q.get("count").and_then(|c| c.parse::<usize>().ok()));
    view! {
        <section class="panel panel--wide">
            <OrganiserNav />
            {saved_notice()}
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(h) => {
                            let slug = h.fair.slug.clone();
                            let here = format!("/organiser/fairs/{slug}/halls/{}", h.hall.code);
                            let tabs = h.halls.iter().map(|o| {
                                let current = o.code == h.hall.code;
                                view! { <a class="tab" href=format!("/organiser/fairs/{slug}/halls/{}", o.code) aria-current=current.then_some("page")>{o.code.clone()}</a> }
                            }).collect_view();
                            let name = if locale.get_untracked() == Locale::Vi { h.hall.name_vi.clone() } else { h.hall.name_en.clone() };
                            let rows = problems().into_iter().map(|p| {
                                let text = Key::from_name(&format!("plan.problem.{}", p.problem.as_str())).map(|k| tr(locale.get_untracked(), k)).unwrap_or(p.problem.as_str());
                                view! { <tr><td class="num">{p.line}</td><td>{text}</td><td><code>{p.detail}</code></td></tr> }
                            }).collect_view();
                            let shown = problems().len();
                            view! {
                                <p class="eyebrow">{fair_name(&h.fair, locale.get_untracked())}</p>
                                <h1>{tr_args(locale.get_untracked(), Key::EditorHeading, &[("hall", &h.hall.code), ("name", &name)])}</h1>
                                <FairNav slug=slug.clone() />
                                <nav class="tabs" aria-label=t(Key::PlanHalls)>{tabs}</nav>
                                <PlanEditor
                                    hall=h.hall.id
                                    hall_w=h.hall.w
                                    hall_d=h.hall.d
                                    plan=h.plan.clone()
                                    zones=h.zones.clone()
                                    types=h.types.clone()
                                    booked=h.booked.clone()
                                    labels=editor_labels(locale.get_untracked())
                                />
                                <h2 id="import">{t(Key::EditorImportTitle)}</h2>
                                <p class="muted">{t(Key::EditorImportIntro)}</p>
                                <FormAlert error=error />
                                {(shown > 0).then(|| view! {
                                    <p>{tr_args(locale.get_untracked(), Key::EditorProblems, &[("count", &count().unwrap_or(shown).to_string())])}</p>
                                    <div class="table-wrap"><table class="problems">
                                        <thead><tr><th scope="col" class="num">{t(Key::ImportLine)}</th><th scope="col">{t(Key::ImportReason)}</th><th scope="col">{t(Key::EditorDetail)}</th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table></div>
                                })}
                                <form class="form form--inline" method="post" enctype="multipart/form-data" action=format!("/organiser/halls/{}/plan", h.hall.id)>
                                    <input type="hidden" name="back" value=here />
                                    <div class="field">
                                        <label for="f-plan-file">{t(Key::EditorFile)}</label>
                                        <input id="f-plan-file" type="file" name="file" accept=".csv,.json,text/csv,application/json" required=true />
                                    </div>
                                    <button type="submit" class="button button--primary">{t(Key::EditorImport)}</button>
                                </form>
                                <p>
                                    {t(Key::EditorExport)}": "
                                    <a href=format!("/organiser/halls/{}/plan.csv", h.hall.id)>"CSV"</a>" · "
                                    <a href=format!("/organiser/halls/{}/plan.json", h.hall.id)>"JSON"</a>
                                </p>
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// /organiser/fairs/:slug/bookings?state=
#[component]
pub fn FairBookingsPage() -> impl IntoView {
    view! {
        <Title text=t(Key::FairsBookings) />
        <RequireRole roles=&[Role::Organiser]>
            <FairBookingsContent />
        </RequireRole>
    }
}

#[component]
fn FairBookingsContent() -> impl IntoView {
    let locale = use_locale();
    let slug = param("slug");
    let query = use_query_map();
    let state = move || query.with(|q| q.get("state").unwrap_or_else(|| "live".into()));
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()));
    let data = Resource::new(
        move || (slug(), state(), page()),
        |(s, st, p)| get_fair_bookings(s, st, p),
    );
    let paid = ServerAction::<MarkPaid>::new();
    let end = ServerAction::<EndBooking>::new();
    let moved = ServerAction::<MoveBooking>::new();
    let error = query_error();
    view! {
        <section class="panel panel--wide">
            <OrganiserNav />
            {saved_notice()}
            <FormAlert error=error />
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((fair, claims, page, has_more)) => {
                            let slug = fair.slug.clone();
                            let current = state();
                            let page_link = |n: u64| format!("/organiser/fairs/{slug}/bookings?state={current}&page={n}");
                            let older = has_more.then(|| page_link(page + 1));
                            let newer = (page > 0).then(|| page_link(page - 1));
                            let filters = ["live", "held", "confirmed", "paid", "cancelled", "released", "expired"].into_iter().map(|s| {
                                let label = if s == "live" { tr(locale.get_untracked(), Key::FairsLive) } else { tr(locale.get_untracked(), claim_key(s)) };
                                view! { <a class="tab" href=format!("/organiser/fairs/{slug}/bookings?state={s}") aria-current=(s == current).then_some("page")>{label}</a> }
                            }).collect_view();
                            let total: i64 = claims.iter().map(|c| c.price.total).sum();
                            let n = claims.len();
                            let rows = claims.into_iter().map(|c| {
                                let id = c.id;
                                let live = matches!(c.state.as_str(), "held" | "confirmed" | "paid");
                                view! {
                                    <tr id=format!("claim-{}", c.id)>
                                        <th scope="row">{c.booth.clone()}</th>
                                        <td>{c.firm.clone()}</td>
                                        <td><span class=format!("badge badge--{}", c.state)>{t(claim_key(&c.state))}</span>{c.offered.then(|| view! { " " <span class="badge">{t(Key::FairsOffer)}</span> })}</td>
                                        <td class="num">{move || format::vnd(c.price.total, locale.get())}</td>
                                        <td>{c.invoice_no.clone().map(|no| view! { <a href=format!("/bookings/{}/invoice.pdf", c.id)>{no}</a> })}</td>
                                        <td class="actions">
                                            {(c.state == "confirmed").then(|| view! {
                                                <ActionForm action=paid attr:class="inline-form">
                                                    <input type="hidden" name="claim" value=id.to_string() />
                                                    <button type="submit" class="button button--small">{t(Key::FairsMarkPaid)}</button>
                                                </ActionForm>
                                            })}
                                            {live.then(|| view! {
                                                <ActionForm action=moved attr:class="inline-form">
                                                    <input type="hidden" name="claim" value=id.to_string() />
                                                    <label><span class="visually-hidden">{t(Key::FairsMoveTo)}</span>
                                                        <input type="text" name="booth" size="6" placeholder=tr(locale.get_untracked(), Key::BoothCode) required=true /></label>
                                                    <button type="submit" class="button button--small">{t(Key::FairsMove)}</button>
                                                </ActionForm>
                                                <ActionForm action=end attr:class="inline-form">
                                                    <input type="hidden" name="claim" value=id.to_string() />
                                                    <select name="ending" aria-label=tr(locale.get_untracked(), Key::FairsEnd)>
                                                        <option value="cancel">{t(Key::FairsCancel)}</option>
                                                        <option value="release">{t(Key::FairsRelease)}</option>
                                                    </select>
                                                    <label><span class="visually-hidden">{t(Key::FairsReason)}</span>
                                                        <input type="text" name="reason" size="14" placeholder=tr(locale.get_untracked(), Key::FairsReason) /></label>
                                                    <button type="submit" class="button button--small button--danger">{t(Key::FairsEnd)}</button>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <p class="eyebrow">{fair_name(&fair, locale.get_untracked())}</p>
                                <h1>{t(Key::FairsBookings)}</h1>
                                <FairNav slug=slug.clone() />
                                <nav class="tabs">{filters}</nav>
                                <p class="muted">{move || tr_args(locale.get(), Key::FairsBookingsCount, &[("count", &n.to_string()), ("total", &format::vnd(total, locale.get()))])}</p>
                                <div class="table-wrap"><table>
                                    <thead><tr>
                                        <th scope="col">{t(Key::BoothCode)}</th><th scope="col">{t(Key::BoothExhibitor)}</th><th scope="col">{t(Key::TableStatus)}</th>
                                        <th scope="col" class="num">{t(Key::PriceTotal)}</th><th scope="col">{t(Key::FairsInvoice)}</th><th scope="col">{t(Key::FairsActions)}</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table></div>
                                <Pager newer=newer older=older />
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// /organiser/fairs/:slug/allocation?order=&tolerance=
#[component]
pub fn AllocationPage() -> impl IntoView {
    view! {
        <Title text=t(Key::AllocTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <AllocationContent />
        </RequireRole>
    }
}

const ORDERS: [(&str, Key); 4] = [
    ("returning,certified,earlier", Key::AllocOrderReturning),
    ("certified,returning,earlier", Key::AllocOrderCertified),
    ("earlier", Key::AllocOrderEarlier),
    ("certified,earlier", Key::AllocOrderCertifiedOnly),
];

#[component]
fn AllocationContent() -> impl IntoView {
    let locale = use_locale();
    let slug = param("slug");
    let query = use_query_map();
    let order = move || query.with(|q| q.get("order").unwrap_or_else(|| ORDERS[0].0.to_string()));
    let tolerance = move || query.with(|q| q.get("tolerance").unwrap_or_else(|| "20".into()));
    let data = Resource::new(
        move || (slug(), order(), tolerance()),
        |(s, o, tl)| get_allocation(s, o, tl),
    );
    let maps = Resource::new(slug, |s| crate::api::booths::get_fair_map(s, "*".into()));
    let accept = ServerAction::<AcceptAllocation>::new();
    let place = ServerAction::<PlaceApplication>::new();
    let accept_error = form_error(accept);
    let place_error = form_error(place);
    let result = move || {
        query.with(|q| {
            q.get("booked").map(|b| {
                tr_args(
                    locale.get(),
                    Key::AllocAccepted,
                    &[
                        ("booked", &b),
                        (
                            "waitlisted",
                            &q.get("waitlisted").unwrap_or_else(|| "0".into()),
                        ),
                        ("skipped", &q.get("skipped").unwrap_or_else(|| "0".into())),
                    ],
                )
            })
        })
    };
    view! {
        <section class="panel panel--wide">
            <OrganiserNav />
            {move || result().map(|r| view! { <p class="alert alert--success" role="status">{r}</p> })}
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    let (view_data, map) = (data.await, maps.await);
                    match (view_data, map) {
                        (Ok(a), Ok(map)) => {
                            let slug = a.fair.slug.clone();
                            let current = order();
                            let order_options = ORDERS.iter().map(|(v, k)| view! { <option value=*v selected=*v == current>{t(*k)}</option> }).collect_view();
                            let pending = a.applications.iter().filter(|w| w.status == "pending").count();
                            let placed = a.assignment.placed.len();
                            let quality = format!("{:.1}", a.assignment.quality() * 100.0);
                            let firsts = a.assignment.first_choices;
                            let bound = a.assignment.first_choice_bound;
                            let millis = format!("{:.0}", a.millis);
                            let placed_rows = a.assignment.placed.iter().map(|p| view! {
                                <tr><td>{p.firm.clone()}</td><th scope="row">{p.booth.clone()}</th>
                                <td>{p.choice.map(|c| tr_args(locale.get_untracked(), Key::AllocChoice, &[("rank", &c.to_string())])).unwrap_or_else(|| tr(locale.get_untracked(), Key::AllocBestFit).to_string())}</td></tr>
                            }).collect_view();
                            let unplaced_rows = a.assignment.not_placed.iter().map(|p| {
                                let reason = match p.reason {
                                    fairlink::booths::allocator::Unplaced::NoMatchingBooth => Key::AllocNoMatchingBooth,
                                    fairlink::booths::allocator::Unplaced::AllTaken => Key::AllocAllTaken,
                                    fairlink::booths::allocator::Unplaced::CompetitorAdjacent => Key::AllocCompetitorAdjacent,
                                };
                                view! { <tr><td>{p.firm.clone()}</td><td>{t(reason)}</td></tr> }
                            }).collect_view();
                            let app_options = a.applications.iter().filter(|w| matches!(w.status.as_str(), "pending" | "waitlisted")).map(|w| {
                                view! { <option value=w.id.to_string()>{format!("{} — {} m² {}", w.firm, w.area_m2, w.type_code)}</option> }
                            }).collect_view();
                            let all_apps = a.applications.iter().map(|w| view! {
                                <tr>
                                    <td>{w.firm.clone()}{w.certified.then(|| view! { " " <span class="badge badge--certified">"ISO"</span> })}</td>
                                    <td>{format!("{} m² · {} · {}", w.area_m2, w.type_code, w.zone.clone().unwrap_or_default())}</td>
                                    <td>{w.preferences.join(", ")}</td>
                                    <td><span class=format!("badge badge--{}", w.status)>{t(application_key(&w.status))}</span>{w.booth.clone().map(|b| format!(" {b}"))}</td>
                                </tr>
                            }).collect_view();
                            // The proposal on the plan: proposed booths stand out.
                            let proposal = map.halls.iter().map(|h| {
                                let mut d: FairMapData = map.clone();
                                d.booths.retain(|b| b.hall == h.code);
                                d.features.retain(|f| f.hall == h.code);
                                d.can_book = false;
                                d.why_not = String::new();
                                for b in d.booths.iter_mut() {
                                    if let Some(p) = a.assignment.placed.iter().find(|p| p.booth == b.code) {
                                        b.status = "proposed".into();
                                        b.firm = Some(p.firm.clone());
                                        b.firm_en = None;
                                    }
                                }
                                let name = if locale.get_untracked() == Locale::Vi { h.name_vi.clone() } else { h.name_en.clone() };
                                view! {
                                    <h3>{format!("{} — {}", h.code, name)}</h3>
                                    <HallPlan data=d live=false statuses=vec!["free", "proposed", "held", "reserved", "sold", "blocked"] />
                                }
                            }).collect_view();
                            let fair_id = a.fair.id;
                            view! {
                                <p class="eyebrow">{fair_name(&a.fair, locale.get_untracked())}</p>
                                <h1>{t(Key::AllocTitle)}</h1>
                                <FairNav slug=slug.clone() />
                                <p class="muted">{t(Key::AllocIntro)}</p>
                                <form method="get" class="form form--inline">
                                    <div class="field">
                                        <label for="f-order">{t(Key::AllocPolicy)}</label>
                                        <select id="f-order" name="order">{order_options}</select>
                                    </div>
                                    <div class="field">
                                        <label for="f-tolerance">{t(Key::AllocTolerance)}</label>
                                        <input id="f-tolerance" type="number" name="tolerance" min="0" max="100" value=tolerance() />
                                    </div>
                                    <button type="submit" class="button">{t(Key::AllocRerun)}</button>
                                </form>
                                <ul class="stats__list">
                                    <li><strong>{pending}</strong><span>{t(Key::AllocPending)}</span></li>
                                    <li><strong>{placed}</strong><span>{t(Key::AllocPlaced)}</span></li>
                                    <li><strong>{format!("{firsts} / {bound}")}</strong><span>{t(Key::AllocFirstChoices)}</span></li>
                                    <li><strong>{format!("{quality}%")}</strong><span>{t(Key::AllocQuality)}</span></li>
                                    <li><strong>{format!("{millis} ms")}</strong><span>{t(Key::AllocTime)}</span></li>
                                </ul>
                                <ActionForm action=accept attr:class="form form--inline">
                                    <FormAlert error=accept_error />
                                    <input type="hidden" name="fair" value=fair_id.to_string() />
                                    <input type="hidden" name="order" value=order() />
                                    <input type="hidden" name="tolerance" value=tolerance() />
                                    <button type="submit" class="button button--primary" disabled=placed == 0>{t(Key::AllocAccept)}</button>
                                </ActionForm>
                                {proposal}
                                <h2>{t(Key::AllocPlacedTitle)}</h2>
                                <div class="table-wrap"><table>
                                    <thead><tr><th scope="col">{t(Key::BoothExhibitor)}</th><th scope="col">{t(Key::BoothCode)}</th><th scope="col">{t(Key::AllocGranted)}</th></tr></thead>
                                    <tbody>{placed_rows}</tbody>
                                </table></div>
                                <h2>{t(Key::AllocNotPlacedTitle)}</h2>
                                <div class="table-wrap"><table>
                                    <thead><tr><th scope="col">{t(Key::BoothExhibitor)}</th><th scope="col">{t(Key::ImportReason)}</th></tr></thead>
                                    <tbody>{unplaced_rows}</tbody>
                                </table></div>
                                <h2>{t(Key::AllocManual)}</h2>
                                <ActionForm action=place attr:class="form form--inline" attr:novalidate=true>
                                    <FormAlert error=place_error />
                                    <input type="hidden" name="fair" value=fair_id.to_string() />
                                    <div class="field">
                                        <label for="f-application">{t(Key::AllocApplication)}</label>
                                        <select id="f-application" name="application">{app_options}</select>
                                    </div>
                                    <Field name="booth" label=Key::BoothCode error=place_error />
                                    <Submit label=Key::AllocPlace />
                                </ActionForm>
                                <h2>{t(Key::AllocApplications)}</h2>
                                <div class="table-wrap"><table>
                                    <thead><tr><th scope="col">{t(Key::BoothExhibitor)}</th><th scope="col">{t(Key::AllocWish)}</th><th scope="col">{t(Key::AllocPreferences)}</th><th scope="col">{t(Key::TableStatus)}</th></tr></thead>
                                    <tbody>{all_apps}</tbody>
                                </table></div>
                            }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// /organiser/fairs/:slug/figures
#[component]
pub fn BoothFiguresPage() -> impl IntoView {
    view! {
        <Title text=t(Key::BoothFiguresTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <BoothFiguresContent />
        </RequireRole>
    }
}

#[component]
fn FigureTable(title: Key, rows: Vec<FigureRow>, names: Vec<(String, String)>) -> impl IntoView {
    let locale = use_locale();
    let body = rows
        .into_iter()
        .map(|r| {
            let name = names.iter().find(|(c, _)| *c == r.key).map(|(_, n)| n.clone()).unwrap_or(r.key.clone());
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td class="num">{r.free}</td>
                    <td class="num">{r.held}</td>
                    <td class="num">{r.reserved}</td>
                    <td class="num">{r.sold}</td>
                    <td class="num">{r.blocked}</td>
                    <td class="num">{format!("{} / {}", r.m2_sold, r.m2_total)}</td>
                    <td class="num">{move || format::vnd(r.booked, locale.get())}</td>
                    <td class="num">{move || format::vnd(r.paid, locale.get())}</td>
                    <td class="num"><span class="meter">{format!("{}%", r.taken_percent)}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t(title)}</h2>
        <div class="table-wrap"><table class="figures">
            <thead><tr>
                <th scope="col"></th>
                <th scope="col" class="num">{t(Key::BoothStatusFree)}</th>
                <th scope="col" class="num">{t(Key::BoothStatusHeld)}</th>
                <th scope="col" class="num">{t(Key::BoothStatusReserved)}</th>
                <th scope="col" class="num">{t(Key::BoothStatusSold)}</th>
                <th scope="col" class="num">{t(Key::BoothStatusBlocked)}</th>
                <th scope="col" class="num">{t(Key::BoothFiguresM2)}</th>
                <th scope="col" class="num">{t(Key::BoothFiguresBooked)}</th>
                <th scope="col" class="num">{t(Key::BoothFiguresPaid)}</th>
                <th scope="col" class="num">{t(Key::BoothFiguresTaken)}</th>
            </tr></thead>
            <tbody>{body}</tbody>
        </table></div>
    }
}

#[component]
fn BoothFiguresContent() -> impl IntoView {
    let locale = use_locale();
    let slug = param("slug");
    let data = Resource::new(slug, get_booth_figures);
    view! {
        <section class="panel panel--wide">
            <OrganiserNav />
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(f) => {
                            let l = locale.get_untracked();
                            let slug = f.map.fair.slug.clone();
                            let zone_names: Vec<(String, String)> = f.map.zones.iter().map(|z| (z.code.clone(), z.name(l).to_string())).collect();
                            let type_names: Vec<(String, String)> = f.map.types.iter().map(|ty| (ty.code.clone(), if l == Locale::Vi { ty.name_vi.clone() } else { ty.name_en.clone() })).collect();
                            let hall_names: Vec<(String, String)> = f.map.halls.iter().map(|h| (h.code.clone(), format!("{} — {}", h.code, if l == Locale::Vi { &h.name_vi } else { &h.name_en }))).collect();
                            let heat: Vec<(String, u32)> = f.by_zone.iter().map(|r| (r.key.clone(), r.taken_percent)).collect();
                            let total = f.total.clone();
                            let apps = f.applications.iter().map(|(s, n)| view! { <li><strong>{*n}</strong><span>{t(application_key(s))}</span></li> }).collect_view();
                            let maps = f.map.halls.iter().map(|h| {
                                let mut d = f.map.clone();
                                d.booths.retain(|b| b.hall == h.code);
                                d.features.retain(|x| x.hall == h.code);
                                let name = hall_names.iter().find(|(c, _)| *c == h.code).map(|(_, n)| n.clone()).unwrap_or_default();
                                view! { <h3>{name}</h3><HallPlan data=d heat=heat.clone() live=false /> }
                            }).collect_view();
                            view! {
                                <p class="eyebrow">{fair_name(&f.map.fair, l)}</p>
                                <h1>{t(Key::BoothFiguresTitle)}</h1>
                                <FairNav slug=slug />
                                <ul class="stats__list">
                                    <li><strong>{total.sold + total.reserved}</strong><span>{t(Key::BoothFiguresBookedBooths)}</span></li>
                                    <li><strong>{total.held}</strong><span>{t(Key::BoothStatusHeld)}</span></li>
                                    <li><strong>{total.free}</strong><span>{t(Key::BoothStatusFree)}</span></li>
                                    <li><strong>{format!("{} m²", total.m2_sold)}</strong><span>{t(Key::BoothFiguresM2Sold)}</span></li>
                                    <li><strong>{move || format::vnd(total.booked, locale.get())}</strong><span>{t(Key::BoothFiguresBooked)}</span></li>
                                    <li><strong>{move || format::vnd(total.paid, locale.get())}</strong><span>{t(Key::BoothFiguresPaid)}</span></li>
                                </ul>
                                <FigureTable title=Key::BoothFiguresByZone rows=f.by_zone.clone() names=zone_names />
                                <FigureTable title=Key::BoothFiguresByType rows=f.by_type.clone() names=type_names />
                                <FigureTable title=Key::BoothFiguresByHall rows=f.by_hall.clone() names=hall_names.clone() />
                                <h2>{t(Key::AllocApplications)}</h2>
                                <ul class="stats__list">{apps}</ul>
                                <h2>{t(Key::BoothFiguresHeat)}</h2>
                                <p class="muted">{t(Key::BoothFiguresHeatIntro)}</p>
                                <ul class="heat-legend">
                                    <li><span class="swatch booth--heat-0"></span>"0–19%"</li>
                                    <li><span class="swatch booth--heat-1"></span>"20–39%"</li>
                                    <li><span class="swatch booth--heat-2"></span>"40–59%"</li>
                                    <li><span class="swatch booth--heat-3"></span>"60–79%"</li>
                                    <li><span class="swatch booth--heat-4"></span>"80–100%"</li>
                                </ul>
                                {maps}
                            }.into_any()
                        }
                        Err(e) => error_view(e, locale),
                    }
                })}
            </Suspense>
        </section>
    }
}
