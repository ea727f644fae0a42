//! B2B meetings: /fairs/:slug/meetings (a buyer's needs and recommended
//! suppliers, or a firm's recommended buyers; requests; blocked slots),
//! /fairs/:slug/agenda (the personal agenda, its .ics and feed) and
//! /organiser/fairs/:slug/meetings (the programme and scheduling runs).

use crate::api::meetings::{
    CancelMeeting, GiveFeedback, MarkHeld, RenewFeed, RequestMeeting, RespondMeeting, RevokeFeed,
    RunSchedule, SaveProgramme, get_agenda, get_meetings, get_programme,
};
use crate::components::forms::{Field, FormAlert, Submit, TextArea, action_error, query_error};
use crate::components::guard::RequireRole;
use crate::components::pager::Pager;
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use crate::islands::ChangeNotice;
use crate::routes::badges::{error_alert, loading, slug};
use crate::routes::firm::checkboxes;
use fairlink::Locale;
use fairlink::accounts::Role;
use fairlink::firms::vocabulary::{CERTIFICATES, MARKETS, MATERIALS, PROCESSES};
use fairlink::format;
use fairlink::meetings::matching::LANGUAGES;
use fairlink::meetings::views::RequestView;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

fn status_key(status: &str) -> Key {
    match status {
        "pending" => Key::MeetingsStatusPending,
        "accepted" => Key::MeetingsStatusAccepted,
        "declined" => Key::MeetingsStatusDeclined,
        "expired" => Key::MeetingsStatusExpired,
        _ => Key::MeetingsStatusCancelled,
    }
}

/// /fairs/:slug/meetings
#[component]
pub fn MeetingsPage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()));
    let data = Resource::new(move || (slug(), page()), |(s, p)| get_meetings(s, p));
    let ask = ServerAction::<RequestMeeting>::new();
    let answer = ServerAction::<RespondMeeting>::new();
    let cancel = ServerAction::<CancelMeeting>::new();
    let ask_error = action_error(ask);
    let answer_error = action_error(answer);
    let page_error = query_error();
    let notice = move || {
        query.with(|q| {
            if q.get("sent").is_some() {
                Some(Key::MeetingsSent)
            } else if q.get("answered").is_some() {
                Some(Key::MeetingsAnswered)
            } else if q.get("saved").is_some() {
                Some(Key::MeetingsSaved)
            } else {
                None
            }
        })
    };
    view! {
        <Title text=t(Key::MeetingsTitle) />
        <RequireRole roles=&[Role::Visitor, Role::Exhibitor]>
            <section class="panel">
                <h1>{t(Key::MeetingsTitle)}</h1>
                {move || notice().map(|k| view! { <p class="alert alert--success" role="status">{t(k)}</p> })}
                <FormAlert error=page_error />
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        let p = match data.await {
                            Ok(p) => p,
                            Err(e) => return error_alert(e, l),
                        };
                        let slug = p.fair.slug.clone();
                        let need = p.need.clone().unwrap_or_default();
                        let needs_form = p.buyer.then(|| {
                            let action = format!("/fairs/{slug}/needs");
                            view! {
                                <section id="needs">
                                    <h2>{tr(l, Key::MeetingsNeeds)}</h2>
                                    <p class="muted">{tr(l, Key::MeetingsNeedsHint)}</p>
                                    <form method="post" action=action class="form">
                                        <Field name="company" label=Key::MeetingsCompany value=need.company.clone() error=page_error />
                                        <Field name="country" label=Key::MeetingsCountry required=false value=need.country.clone() error=page_error />
                                        <Field name="hs_codes" label=Key::MeetingsHsCodes hint=Key::MeetingsHsCodesHint required=false value=need.need.hs_codes.join(", ") error=page_error />
                                        <fieldset class="choice choice--grid">
                                            <legend>{tr(l, Key::FirmProcesses)}</legend>
                                            {checkboxes("processes", PROCESSES, &need.need.processes, l)}
                                        </fieldset>
                                        <fieldset class="choice choice--grid">
                                            <legend>{tr(l, Key::FirmMaterials)}</legend>
                                            {checkboxes("materials", MATERIALS, &need.need.materials, l)}
                                        </fieldset>
                                        <fieldset class="choice choice--grid">
                                            <legend>{tr(l, Key::MeetingsCertificates)}</legend>
                                            {checkboxes("certificates", CERTIFICATES, &need.need.certificates, l)}
                                        </fieldset>
                                        <fieldset class="choice choice--grid">
                                            <legend>{tr(l, Key::MeetingsMarkets)}</legend>
                                            {checkboxes("markets", MARKETS, &need.need.markets, l)}
                                        </fieldset>
                                        <fieldset class="choice choice--grid">
                                            <legend>{tr(l, Key::MeetingsLanguages)}</legend>
                                            {checkboxes("languages", LANGUAGES, &need.need.languages, l)}
                                        </fieldset>
                                        <Field name="volume" label=Key::MeetingsVolume required=false value=need.volume.clone() error=page_error />
                                        <Field name="moq" label=Key::MeetingsMoq required=false value=need.moq.clone() error=page_error />
                                        <TextArea name="description" label=Key::MeetingsDescription value=need.description.clone() error=page_error />
                                        <Submit label=Key::MeetingsSaveNeeds />
                                    </form>
                                </section>
                            }
                        });
                        let title = if p.buyer { Key::MeetingsSuppliers } else { Key::MeetingsBuyers };
                        let recs = if p.recommendations.is_empty() {
                            view! { <p class="muted">{tr(l, if p.buyer { Key::MeetingsNoSuppliers } else { Key::MeetingsNoBuyers })}</p> }.into_any()
                        } else {
                            p.recommendations.into_iter().map(|r| {
                                let reasons = r.fit.reasons.iter().map(|x| x.label(l)).collect::<Vec<_>>().join(" · ");
                                let state = r.request.as_ref().map(|(_, s)| s.clone());
                                let can_ask = p.open && !matches!(state.as_deref(), Some("pending") | Some("accepted"));
                                let slug = slug.clone();
                                view! {
                                    <article class="card recommendation">
                                        <h3>{r.name.clone()}" "<span class="badge">{tr_args(l, Key::MeetingsPoints, &[("points", &r.fit.points.to_string())])}</span></h3>
                                        <p class="muted">{reasons}</p>
                                        {state.map(|s| view! { <p class="badge">{tr(l, status_key(&s))}</p> })}
                                        {can_ask.then(|| view! {
                                            <ActionForm action=ask attr:class="form form--compact">
                                                <input type="hidden" name="slug" value=slug.clone() />
                                                <input type="hidden" name="counterpart" value=r.id.to_string() />
                                                <div class="field">
                                                    <label for=format!("msg-{}", r.id)>{tr(l, Key::MeetingsMessage)}</label>
                                                    <input id=format!("msg-{}", r.id) name="message" />
                                                </div>
                                                <button type="submit" class="button button--small">{tr(l, Key::MeetingsAsk)}</button>
                                            </ActionForm>
                                        })}
                                    </article>
                                }
                            }).collect_view().into_any()
                        };
                        let pages = &p.requests;
                        let page_link = |n: u64| format!("/fairs/{slug}/meetings?page={n}#requests");
                        let older = pages.has_more.then(|| page_link(pages.page + 1));
                        let newer = (pages.page > 0).then(|| page_link(pages.page - 1));
                        let requests = p.requests.rows.into_iter().map(|r| request_card(r, p.buyer, slug.clone(), answer, cancel, l)).collect_view();
                        let blocked_form = (!p.slots.is_empty()).then(|| {
                            let action = format!("/fairs/{slug}/blocked");
                            let zone = p.fair.time_zone.clone();
                            let boxes = p.slots.iter().map(|s| {
                                let checked = p.blocked.contains(&s.id);
                                view! {
                                    <label class="check">
                                        <input type="checkbox" name="slot" value=s.id.to_string() checked=checked />
                                        {format::datetime(s.starts_at, &zone, l)}
                                    </label>
                                }
                            }).collect_view();
                            view! {
                                <section id="blocked">
                                    <h2>{tr(l, Key::MeetingsBlocked)}</h2>
                                    <p class="muted">{tr(l, Key::MeetingsBlockedHint)}</p>
                                    <form method="post" action=action class="form">
                                        <fieldset class="choice choice--grid">
                                            <legend>{tr(l, Key::MeetingsSlots)}</legend>
                                            {boxes}
                                        </fieldset>
                                        <Submit label=Key::MeetingsSaveBlocked />
                                    </form>
                                </section>
                            }
                        });
                        view! {
                            {changes_notice(&slug, l)}
                            <p class="muted">{p.fair.name(l).to_string()}" · "<a href=format!("/fairs/{slug}/agenda")>{tr(l, Key::MeetingsAgendaLink)}</a></p>
                            {(!p.open).then(|| view! { <p class="alert">{tr(l, Key::MeetingsClosed)}</p> })}
                            {needs_form}
                            <section id="recommendations">
                                <h2>{tr(l, title)}</h2>
                                <FormAlert error=ask_error />
                                {recs}
                            </section>
                            <section id="requests">
                                <h2>{tr(l, Key::MeetingsRequests)}</h2>
                                <FormAlert error=answer_error />
                                {requests}
                                <Pager newer=newer older=older />
                            </section>
                            {blocked_form}
                        }.into_any()
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// Tells a reader whose meetings changed meanwhile (on any instance).
fn changes_notice(slug: &str, l: Locale) -> impl IntoView {
    view! {
        <ChangeNotice
            events=format!("/fairs/{slug}/meetings/events")
            event="meetings".to_string()
            text=tr(l, Key::MeetingsChangedNotice).to_string()
            action=tr(l, Key::MeetingsReload).to_string()
        />
    }
}

fn request_card(
    r: RequestView,
    buyer: bool,
    slug: String,
    answer: ServerAction<RespondMeeting>,
    cancel: ServerAction<CancelMeeting>,
    l: Locale,
) -> impl IntoView {
    let who = if buyer {
        r.firm.clone()
    } else {
        r.buyer.clone()
    };
    let open = r.status == "pending" || r.status == "accepted";
    let (slug2, slug3) = (slug.clone(), slug.clone());
    view! {
        <article class="card meeting-request" id=format!("request-{}", r.id) data-status=r.status.clone()>
            <h3>{who}" "<span class="badge">{tr(l, status_key(&r.status))}</span></h3>
            {(!r.message.is_empty()).then(|| view! { <p>{r.message.clone()}</p> })}
            {r.to_answer.then(|| view! {
                <ActionForm action=answer attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug.clone() />
                    <input type="hidden" name="request" value=r.id.to_string() />
                    <input type="hidden" name="answer" value="accept" />
                    <button type="submit" class="button button--small button--primary">{tr(l, Key::MeetingsAccept)}</button>
                </ActionForm>
                <ActionForm action=answer attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug2.clone() />
                    <input type="hidden" name="request" value=r.id.to_string() />
                    <input type="hidden" name="answer" value="decline" />
                    <button type="submit" class="button button--small">{tr(l, Key::MeetingsDecline)}</button>
                </ActionForm>
            })}
            {(open && !r.to_answer).then(|| view! {
                <ActionForm action=cancel attr:class="inline-form">
                    <input type="hidden" name="slug" value=slug3.clone() />
                    <input type="hidden" name="request" value=r.id.to_string() />
                    <button type="submit" class="link-button">{tr(l, Key::MeetingsWithdraw)}</button>
                </ActionForm>
            })}
        </article>
    }
}

/// /fairs/:slug/agenda
#[component]
pub fn AgendaPage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let data = Resource::new(slug, get_agenda);
    let renew = ServerAction::<RenewFeed>::new();
    let revoke = ServerAction::<RevokeFeed>::new();
    let held = ServerAction::<MarkHeld>::new();
    let feedback = ServerAction::<GiveFeedback>::new();
    let held_error = action_error(held);
    let feedback_error = action_error(feedback);
    let page_error = query_error();
    let query = use_query_map();
    let fresh = move || {
        renew
            .value()
            .get()
            .and_then(|r| r.ok())
            .or_else(|| query.with(|q| q.get("feed")))
    };
    view! {
        <Title text=t(Key::AgendaTitle) />
        <RequireRole roles=&[Role::Visitor, Role::Exhibitor]>
            <section class="panel">
                <h1>{t(Key::AgendaTitle)}</h1>
                {move || query.with(|q| q.get("held").is_some()).then(|| view! { <p class="alert alert--success" role="status">{t(Key::AgendaMarked)}</p> })}
                {move || query.with(|q| q.get("thanks").is_some()).then(|| view! { <p class="alert alert--success" role="status">{t(Key::AgendaThanks)}</p> })}
                <FormAlert error=page_error />
                <FormAlert error=feedback_error />
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        let p = match data.await {
                            Ok(p) => p,
                            Err(e) => return error_alert(e, l),
                        };
                        let slug = p.fair.slug.clone();
                        let zone = p.fair.time_zone.clone();
                        let items = if p.items.is_empty() {
                            view! { <p>{tr(l, Key::AgendaEmpty)}</p> }.into_any()
                        } else {
                            let fb_slug = slug.clone();
                            let rows = p.items.into_iter().map(|i| {
                                let fb_slug = fb_slug.clone();
                                let place = match (i.table, &i.booth) {
                                    (Some(n), _) => view! { <span>{tr_args(l, Key::AgendaTable, &[("table", &n.to_string())])}</span> }.into_any(),
                                    (None, Some(code)) => view! {
                                        <a href=format!("/fairs/{slug}/plan?booth={code}")>{tr_args(l, Key::AgendaBooth, &[("booth", code)])}</a>
                                    }.into_any(),
                                    (None, None) => view! { <span>{tr(l, Key::AgendaAtBooth)}</span> }.into_any(),
                                };
                                view! {
                                    <tr>
                                        <td data-start=i.starts_at.to_rfc3339()>{format::datetime(i.starts_at, &zone, l)}</td>
                                        <td>{i.minutes.to_string()}" min"</td>
                                        <td>{i.counterpart.clone()}</td>
                                        <td>{place}</td>
                                        <td class="held">{i.held.then(|| tr(l, Key::AgendaHeld))}</td>
                                        <td>
                                            <ActionForm action=feedback attr:class="form form--compact feedback">
                                                <input type="hidden" name="slug" value=fb_slug.clone() />
                                                <input type="hidden" name="request" value=i.request_id.to_string() />
                                                <label>{tr(l, Key::AgendaOutcome)}" "
                                                    <select name="outcome">
                                                        <option value="held">{tr(l, Key::AgendaHeld)}</option>
                                                        <option value="no_show">{tr(l, Key::AgendaNoShow)}</option>
                                                    </select>
                                                </label>
                                                <label>{tr(l, Key::AgendaFollowUp)}" "
                                                    <select name="follow_up">
                                                        <option value="none">{tr(l, Key::AgendaFollowNone)}</option>
                                                        <option value="sample">{tr(l, Key::AgendaFollowSample)}</option>
                                                        <option value="quotation">{tr(l, Key::AgendaFollowQuotation)}</option>
                                                        <option value="order">{tr(l, Key::AgendaFollowOrder)}</option>
                                                    </select>
                                                </label>
                                                <label>{tr(l, Key::AgendaNote)}" "<input name="note" /></label>
                                                <button type="submit" class="button button--small">{tr(l, Key::AgendaSendFeedback)}</button>
                                            </ActionForm>
                                        </td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <table class="table agenda">
                                    <thead><tr>
                                        <th>{tr(l, Key::AgendaWhen)}</th>
                                        <th>{tr(l, Key::AgendaLength)}</th>
                                        <th>{tr(l, Key::AgendaWith)}</th>
                                        <th>{tr(l, Key::AgendaWhere)}</th>
                                        <th>{tr(l, Key::AgendaHeld)}</th>
                                        <th>{tr(l, Key::AgendaFeedback)}</th>
                                    </tr></thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            }.into_any()
                        };
                        let (s1, s2, s3, s4) = (slug.clone(), slug.clone(), slug.clone(), slug.clone());
                        view! {
                            {changes_notice(&slug, l)}
                            <section id="held">
                                <h2>{tr(l, Key::AgendaMarkHeld)}</h2>
                                <p class="muted">{tr(l, Key::AgendaMarkHeldHint)}</p>
                                <ActionForm action=held attr:class="form form--compact">
                                    <FormAlert error=held_error />
                                    <input type="hidden" name="slug" value=s4.clone() />
                                    <Field name="code" label=Key::AgendaCode error=held_error />
                                    <Submit label=Key::AgendaMarkHeld />
                                </ActionForm>
                            </section>
                            <p class="muted">{p.fair.name(l).to_string()}" · "<a href=format!("/fairs/{slug}/meetings")>{tr(l, Key::MeetingsTitle)}</a></p>
                            {items}
                            <p><a class="button" href=format!("/fairs/{slug}/agenda.ics") download="agenda.ics">{tr(l, Key::AgendaDownload)}</a></p>
                            <section id="feed">
                                <h2>{tr(l, Key::AgendaFeed)}</h2>
                                <p class="muted">{tr(l, Key::AgendaFeedHint)}</p>
                                {move || fresh().map(|token| {
                                    let url = format!("/calendar/{token}/{}.ics", s1);
                                    view! { <p class="alert alert--success" role="status">{tr(l, Key::AgendaFeedNew)}" "<code class="feed-url">{url}</code></p> }
                                })}
                                {p.feed.then(|| view! { <p>{tr(l, Key::AgendaFeedOn)}</p> })}
                                <ActionForm action=renew attr:class="inline-form">
                                    <input type="hidden" name="slug" value=s2.clone() />
                                    <button type="submit" class="button button--small">{tr(l, Key::AgendaFeedRenew)}</button>
                                </ActionForm>
                                {p.feed.then(|| view! {
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <input type="hidden" name="slug" value=s3.clone() />
                                        <button type="submit" class="link-button">{tr(l, Key::AgendaFeedRevoke)}</button>
                                    </ActionForm>
                                })}
                            </section>
                        }.into_any()
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// /organiser/fairs/:slug/meetings
#[component]
pub fn ProgrammePage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let data = Resource::new(slug, get_programme);
    let save = ServerAction::<SaveProgramme>::new();
    let run = ServerAction::<RunSchedule>::new();
    let save_error = action_error(save);
    let run_error = action_error(run);
    view! {
        <Title text=t(Key::ProgrammeTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <section class="panel">
                <h1>{t(Key::ProgrammeTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        let p = match data.await {
                            Ok(p) => p,
                            Err(e) => return error_alert(e, l),
                        };
                        let (slug, slug2) = (p.fair.slug.clone(), p.fair.slug.clone());
                        view! {
                            <p class="muted">{p.fair.name(l).to_string()}</p>
                            <p>{tr_args(l, Key::ProgrammeFigures, &[("requests", &p.requests.to_string()), ("accepted", &p.accepted.to_string()), ("scheduled", &p.scheduled.to_string())])}</p>
                            {p.run.as_ref().map(|r| run_status(r, l))}
                            {figures_table(&p.figures, l)}
                            <ActionForm action=run attr:class="form" attr:id="run-schedule">
                                <FormAlert error=run_error />
                                <input type="hidden" name="slug" value=slug.clone() />
                                <p class="muted">{tr(l, Key::ProgrammeRunHint)}</p>
                                <Submit label=Key::ProgrammeRun />
                            </ActionForm>
                            <h2>{tr(l, Key::ProgrammeSetup)}</h2>
                            <ActionForm action=save attr:class="form">
                                <FormAlert error=save_error />
                                <input type="hidden" name="slug" value=slug2.clone() />
                                <Field name="tables" label=Key::ProgrammeTables kind="number" value=p.tables.to_string() error=save_error />
                                <Field name="request_hours" label=Key::ProgrammeRequestHours kind="number" value=p.request_hours.to_string() error=save_error />
                                <TextArea name="slots" label=Key::ProgrammeSlots hint=Key::ProgrammeSlotsHint value=p.slots_text.clone() error=save_error />
                                <Submit label=Key::ProgrammeSave />
                            </ActionForm>
                        }.into_any()
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// Where the latest scheduling run stands. While it runs, the page reloads
/// itself every second (with or without JavaScript) to show its progress.
fn run_status(r: &fairlink::meetings::views::RunView, l: Locale) -> AnyView {
    use fairlink::meetings::views::RunStatus;
    let seconds = format!("{:.1}", r.seconds);
    match (r.status, &r.report) {
        (RunStatus::Running, _) => {
            let percent = (r.progress / 10).to_string();
            view! {
                <Meta http_equiv="refresh" content="1" />
                <div class="run" data-run-status="running" role="status">
                    <p>{tr_args(l, Key::ProgrammeRunning, &[("percent", &percent), ("seconds", &seconds)])}</p>
                    <progress max="1000" value=r.progress.to_string()>{percent.clone()}" %"</progress>
                </div>
            }
            .into_any()
        }
        (RunStatus::Done, Some(report)) => {
            let bound = report.upper_bound.unwrap_or(report.weight);
            let ratio = if bound == 0 {
                "100.0".to_string()
            } else {
                format!("{:.1}", 100.0 * report.weight as f64 / bound as f64)
            };
            view! {
                <p class="alert alert--success" role="status" data-run-status="done">
                    {tr_args(l, Key::ProgrammeRan, &[
                        ("added", &report.added.to_string()),
                        ("weight", &report.weight.to_string()),
                        ("bound", &bound.to_string()),
                        ("ratio", &ratio),
                        ("unscheduled", &report.unscheduled.to_string()),
                        ("seconds", &seconds),
                    ])}
                </p>
            }
            .into_any()
        }
        (RunStatus::Interrupted, _) => view! {
            <p class="alert alert--error" role="alert" data-run-status="interrupted">{tr(l, Key::ProgrammeRunInterrupted)}</p>
        }
        .into_any(),
        _ => {
            let why = tr(l, Key::for_error(r.error.unwrap_or(fairlink::ErrorCode::Internal)));
            view! {
                <p class="alert alert--error" role="alert" data-run-status="failed">{tr(l, Key::ProgrammeRunFailed)}" "{why}</p>
            }
            .into_any()
        }
    }
}

fn sector_name(code: &str, l: Locale) -> String {
    use fairlink::firms::SectorGroup;
    match SectorGroup::parse(code) {
        Some(SectorGroup::Components) => tr(l, Key::SectorComponents).to_string(),
        Some(SectorGroup::TextileLeather) => tr(l, Key::SectorTextileLeather).to_string(),
        Some(SectorGroup::HighTech) => tr(l, Key::SectorHighTech).to_string(),
        None if code.is_empty() => tr(l, Key::ProgrammeAll).to_string(),
        None => code.to_string(),
    }
}

/// Requests, acceptance, meetings held, no-shows and follow-ups per sector.
fn figures_table(
    figures: &[fairlink::meetings::views::SectorFigures],
    l: Locale,
) -> impl IntoView + use<> {
    let rows = figures
        .iter()
        .map(|f| {
            let decided = f.accepted + f.declined + f.expired;
            let rate = (100 * f.accepted + decided / 2)
                .checked_div(decided)
                .map_or_else(|| "—".to_string(), |p| format!("{p} %"));
            view! {
                <tr data-sector=f.sector.clone()>
                    <th scope="row">{sector_name(&f.sector, l)}</th>
                    <td>{f.requests.to_string()}</td>
                    <td>{rate}</td>
                    <td>{f.scheduled.to_string()}</td>
                    <td>{f.held.to_string()}</td>
                    <td>{f.no_shows.to_string()}</td>
                    <td>{f.follow_ups.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{tr(l, Key::ProgrammeFiguresTitle)}</h2>
        <table class="table meeting-figures">
            <thead><tr>
                <th>{tr(l, Key::ProgrammeSector)}</th>
                <th>{tr(l, Key::ProgrammeColRequests)}</th>
                <th>{tr(l, Key::ProgrammeColAcceptance)}</th>
                <th>{tr(l, Key::ProgrammeColScheduled)}</th>
                <th>{tr(l, Key::ProgrammeColHeld)}</th>
                <th>{tr(l, Key::ProgrammeColNoShows)}</th>
                <th>{tr(l, Key::ProgrammeColFollowUps)}</th>
            </tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
