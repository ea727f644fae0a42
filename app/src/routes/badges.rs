//! Badges and the doors: a visitor's registration and badges, the scanner,
//! the organisers' badge desk and live figures, exhibitor staff badges and
//! leads.

use crate::api::badges::{
    AddDevice, BadgeCard, CaptureLead, IssueWalkIn, NameStaff, RegisterVisitor, RevokeDevice,
    SaveGate, UpdateLead, WithdrawStaff, get_badge_desk, get_leads, get_live, get_my_badges,
    get_registration, get_scanner, get_staff_badges,
};
use crate::components::forms::{Field, FormAlert, Submit, TextArea, action_error};
use crate::components::guard::RequireRole;
use crate::components::pager::Pager;
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use crate::islands::live::{LiveBoard, LiveLabels};
use crate::islands::scanner::{Scanner, ScannerGate, ScannerLabels};
use fairlink::Locale;
use fairlink::accounts::Role;
use fairlink::badges::BadgeKind;
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub(crate) fn loading() -> impl IntoView {
    view! { <p class="loading">{t(Key::CommonLoading)}</p> }
}

pub(crate) fn slug() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.with(|p| p.get("slug").unwrap_or_default())
}

pub fn kind_key(kind: BadgeKind) -> Key {
    match kind {
        BadgeKind::Visitor => Key::BadgeKindVisitor,
        BadgeKind::Buyer => Key::BadgeKindBuyer,
        BadgeKind::Exhibitor => Key::BadgeKindExhibitor,
        BadgeKind::Press => Key::BadgeKindPress,
        BadgeKind::Vip => Key::BadgeKindVip,
        BadgeKind::Staff => Key::BadgeKindStaff,
    }
}

pub(crate) fn error_alert(e: crate::api::AppError, locale: Locale) -> AnyView {
    view! { <p class="alert alert--error" role="alert">{e.message(locale)}</p> }.into_any()
}

/// A badge with its QR code, as the holder (or the desk) sees it.
#[component]
fn BadgeView(b: BadgeCard) -> impl IntoView {
    let locale = use_locale().get_untracked();
    let fair = if locale == Locale::Vi {
        b.fair_name_vi.clone()
    } else {
        b.fair_name_en.clone()
    };
    view! {
        <article class="card badge-card" id=format!("badge-{}", b.id)>
            <div class="badge-card__qr" inner_html=b.qr_svg.clone()></div>
            <div class="badge-card__text">
                <p class="muted">{fair}</p>
                <h3>{b.name.clone()}</h3>
                {(!b.organisation.is_empty()).then(|| view! { <p>{b.organisation.clone()}</p> })}
                <p><span class=format!("badge badge--{}", b.kind.as_str())>{tr(locale, kind_key(b.kind))}</span></p>
                <p>{format::date_range(b.valid_from, b.valid_to, locale)}</p>
                <p class="muted">
                    {if b.lead_consent { tr(locale, Key::BadgesConsentYes) } else { tr(locale, Key::BadgesConsentNo) }}
                </p>
                <p class="badge-card__code">
                    <span class="muted">{tr(locale, Key::BadgesCode)}": "</span>
                    <code data-token=b.token.clone()>{b.token.clone()}</code>
                </p>
                <p><a class="button" href=format!("/badges/{}.pdf", b.id)>{tr(locale, Key::BadgesDownload)}</a></p>
            </div>
        </article>
    }
}

/// /badges: the reader's badges.
#[component]
pub fn MyBadgesPage() -> impl IntoView {
    view! {
        <Title text=t(Key::BadgesTitle) />
        <RequireRole roles=&Role::ALL>
            <MyBadges />
        </RequireRole>
    }
}

#[component]
fn MyBadges() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let data = Resource::new(|| (), |_| get_my_badges());
    let registered = move || query.with(|q| q.get("registered").is_some());
    view! {
        <section class="panel">
            <h1>{t(Key::BadgesTitle)}</h1>
            {move || registered().then(|| view! { <p class="alert alert--success" role="status">{t(Key::BadgesRegistered)}</p> })}
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) if list.is_empty() => view! { <p>{t(Key::BadgesNone)}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|b| {
                            let slug = b.fair_slug.clone();
                            view! {
                                <BadgeView b />
                                <p>
                                    <a href=format!("/fairs/{slug}/meetings")>{t(Key::MeetingsTitle)}</a>" · "
                                    <a href=format!("/fairs/{slug}/agenda")>{t(Key::AgendaTitle)}</a>
                                </p>
                            }
                        }).collect_view().into_any(),
                        Err(e) => error_alert(e, locale.get_untracked()),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// /fairs/:slug/register: a visitor registers and gets a badge by mail.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let data = Resource::new(slug, get_registration);
    let register = ServerAction::<RegisterVisitor>::new();
    let error = action_error(register);
    view! {
        <Title text=t(Key::RegisterTitle) />
        <RequireRole roles=&[Role::Visitor]>
            <section class="panel panel--narrow">
                <h1>{t(Key::RegisterTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        match data.await {
                            Ok(info) => {
                                let fair_name = info.fair.name(l).to_string();
                                let dates = format::date_range(info.fair.starts_on, info.fair.ends_on, l);
                                let body = if let Some(id) = info.badge {
                                    view! {
                                        <p class="alert" role="status">{tr(l, Key::RegisterAlready)}</p>
                                        <p><a class="button button--primary" href=format!("/badges#badge-{id}")>{tr(l, Key::BadgesTitle)}</a></p>
                                    }.into_any()
                                } else if !info.open {
                                    view! { <p class="alert alert--error" role="alert">{tr(l, Key::ErrorRegistrationClosed)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=register attr:class="form">
                                            <FormAlert error />
                                            <input type="hidden" name="slug" value=info.fair.slug.clone() />
                                            <Field name="organisation" label=Key::RegisterOrganisation required=false error />
                                            <label class="check">
                                                <input type="checkbox" name="buyer" value="on" />
                                                {tr(l, Key::RegisterBuyer)}
                                            </label>
                                            <label class="check">
                                                <input type="checkbox" name="lead_consent" value="on" />
                                                {tr(l, Key::RegisterConsent)}
                                            </label>
                                            <Submit label=Key::RegisterSubmit />
                                        </ActionForm>
                                    }.into_any()
                                };
                                view! {
                                    <p><strong>{fair_name}</strong>" · "{dates}</p>
                                    {body}
                                }.into_any()
                            }
                            Err(e) => error_alert(e, l),
                        }
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

fn scanner_labels(l: Locale) -> ScannerLabels {
    let pairs = |items: &[(&str, Key)]| {
        items
            .iter()
            .map(|(k, key)| (k.to_string(), tr(l, *key).to_string()))
            .collect::<Vec<_>>()
    };
    ScannerLabels {
        gate: tr(l, Key::ScanGate).into(),
        direction: tr(l, Key::ScanDirection).into(),
        direction_in: tr(l, Key::ScanIn).into(),
        direction_out: tr(l, Key::ScanOut).into(),
        code: tr(l, Key::ScanCode).into(),
        check: tr(l, Key::ScanCheck).into(),
        camera_start: tr(l, Key::ScanCameraStart).into(),
        camera_stop: tr(l, Key::ScanCameraStop).into(),
        camera_failed: tr(l, Key::ScanCameraFailed).into(),
        online: tr(l, Key::ScanOnline).into(),
        offline: tr(l, Key::ScanOffline).into(),
        queued: tr(l, Key::ScanQueued).into(),
        last_sync: tr(l, Key::ScanLastSync).into(),
        never_synced: tr(l, Key::ScanNeverSynced).into(),
        decided_offline: tr(l, Key::ScanDecidedOffline).into(),
        tap_to_close: tr(l, Key::ScanTapToClose).into(),
        clock_off: tr(l, Key::ScanClockOff).into(),
        outcomes: pairs(&[
            ("admitted", Key::OutcomeAdmitted),
            ("reentry", Key::OutcomeReentry),
            ("exit", Key::OutcomeExit),
            ("warning", Key::OutcomeWarning),
            ("refused", Key::OutcomeRefused),
        ]),
        reasons: pairs(&[
            ("ok", Key::ReasonOk),
            ("reentry", Key::ReasonReentry),
            ("exit", Key::ReasonExit),
            ("not_inside", Key::ReasonNotInside),
            ("malformed", Key::ReasonMalformed),
            ("unknown_key", Key::ReasonUnknownKey),
            ("bad_signature", Key::ReasonBadSignature),
            ("wrong_fair", Key::ReasonWrongFair),
            ("unknown_badge", Key::ReasonUnknownBadge),
            ("unknown_gate", Key::ReasonUnknownGate),
            ("revoked", Key::ReasonRevoked),
            ("wrong_day", Key::ReasonWrongDay),
            ("wrong_area", Key::ReasonWrongArea),
            ("not_on_list", Key::ReasonNotOnList),
            ("already_inside", Key::ReasonAlreadyInside),
            ("no_reentry", Key::ReasonNoReentry),
            ("entry_limit", Key::ReasonEntryLimit),
        ]),
        kinds: BadgeKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), tr(l, kind_key(*k)).to_string()))
            .collect(),
    }
}

/// /fairs/:slug/scan: the scanner at the doors (door staff, organisers).
#[component]
pub fn ScannerPage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let data = Resource::new(slug, get_scanner);
    view! {
        <Title text=t(Key::ScanTitle) />
        <RequireRole roles=&[Role::Organiser, Role::Staff]>
            <script src="/scanner.js"></script>
            <section class="panel panel--scanner">
                <h1>{t(Key::ScanTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        match data.await {
                            Ok(s) if s.sync.gates.is_empty() => view! { <p class="alert">{tr(l, Key::ScanNoGates)}</p> }.into_any(),
                            Ok(s) => {
                                let gates = s.sync.gates.iter().map(|g| ScannerGate {
                                    id: g.id,
                                    name: format!("{} · {}", g.rules.code, if l == Locale::Vi { &g.rules.name_vi } else { &g.rules.name_en }),
                                }).collect::<Vec<_>>();
                                view! {
                                    <p class="muted">{s.fair.name(l).to_string()}</p>
                                    <Scanner
                                        fair_id=s.fair.id
                                        time_zone=s.fair.time_zone.clone()
                                        gates
                                        sync=s.sync
                                        labels=scanner_labels(l)
                                    />
                                }.into_any()
                            }
                            Err(e) => error_alert(e, l),
                        }
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// /scan: the fairs a door staff member can scan at.
#[component]
pub fn ScanIndexPage() -> impl IntoView {
    let locale = use_locale();
    let fairs = Resource::new(|| (), |_| crate::api::badges::get_scan_fairs());
    view! {
        <Title text=t(Key::ScanTitle) />
        <RequireRole roles=&[Role::Organiser, Role::Staff]>
            <section class="panel panel--narrow">
                <h1>{t(Key::ScanTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        match fairs.await {
                            Ok(list) => view! {
                                <ul class="link-list">
                                    {list.into_iter().map(|f| view! {
                                        <li><a href=format!("/fairs/{}/scan", f.slug)>{f.name(l).to_string()}</a></li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => error_alert(e, l),
                        }
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// /organiser/fairs/:slug/badges: walk-in desk, printing, gates, devices.
#[component]
pub fn BadgeDeskPage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                slug(),
                query.with(|q| q.get("issued").and_then(|v| uuid::Uuid::parse_str(&v).ok())),
            )
        },
        |(slug, issued)| get_badge_desk(slug, issued),
    );
    let walk_in = ServerAction::<IssueWalkIn>::new();
    let gate = ServerAction::<SaveGate>::new();
    let device = ServerAction::<AddDevice>::new();
    let revoke = ServerAction::<RevokeDevice>::new();
    let rotate = ServerAction::<crate::api::badges::RotateKey>::new();
    let retire = ServerAction::<crate::api::badges::RetireKey>::new();
    let door = ServerAction::<crate::api::badges::SetDoorStaff>::new();
    let keys_error = action_error(retire);
    let walk_in_error = action_error(walk_in);
    let gate_error = action_error(gate);
    let device_error = action_error(device);
    view! {
        <Title text=t(Key::DeskTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <section class="panel">
                <crate::routes::review::OrganiserNav />
                <h1>{t(Key::DeskTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        let d = match data.await {
                            Ok(d) => d,
                            Err(e) => return error_alert(e, l),
                        };
                        let slug = d.fair.slug.clone();
                        let kinds = BadgeKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str()>{tr(l, kind_key(*k))}</option>
                        }).collect_view();
                        let kind_checks = BadgeKind::ALL.iter().map(|k| view! {
                            <label class="check"><input type="checkbox" name="kinds[]" value=k.as_str() />{tr(l, kind_key(*k))}</label>
                        }).collect_view();
                        let prints = BadgeKind::ALL.iter().map(|k| view! {
                            <li><a href=format!("/organiser/fairs/{}/badges.pdf?kind={}", slug, k.as_str())>{tr(l, kind_key(*k))}</a></li>
                        }).collect_view();
                        let gates = d.gates.iter().map(|g| {
                            let kinds = if g.rules.kinds.is_empty() {
                                tr(l, Key::DeskEveryKind).to_string()
                            } else {
                                g.rules.kinds.iter().map(|k| tr(l, kind_key(*k))).collect::<Vec<_>>().join(", ")
                            };
                            view! {
                                <tr>
                                    <td>{g.rules.code.clone()}</td>
                                    <td>{if l == Locale::Vi { g.rules.name_vi.clone() } else { g.rules.name_en.clone() }}</td>
                                    <td>{g.rules.area.clone()}</td>
                                    <td>{kinds}</td>
                                    <td>{if g.rules.reentry { tr(l, Key::CommonYes) } else { tr(l, Key::CommonNo) }}</td>
                                    <td>{g.rules.max_entries_per_day.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
                                </tr>
                            }
                        }).collect_view();
                        let zone = d.fair.time_zone.clone();
                        let devices = d.devices.clone().into_iter().map(|dev| {
                            let seen = dev.last_seen_at.map(|t| format::datetime(t, &zone, l)).unwrap_or_else(|| "—".into());
                            let (slug, device_id) = (slug.clone(), dev.id.to_string());
                            view! {
                                <tr>
                                    <td>{dev.name.clone()}</td>
                                    <td>{seen}</td>
                                    <td>
                                        {if dev.revoked_at.is_some() {
                                            view! { <span class="badge badge--revoked">{tr(l, Key::DeskRevoked)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=revoke attr:class="inline-form">
                                                    <input type="hidden" name="slug" value=slug.clone() />
                                                    <input type="hidden" name="device" value=device_id.clone() />
                                                    <button type="submit" class="button button--small">{tr(l, Key::DeskRevoke)}</button>
                                                </ActionForm>
                                            }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let (slug_walk, slug_gate, slug_dev) = (slug.clone(), slug.clone(), slug.clone());
                        let keys = d.keys.clone().into_iter().map(|k| {
                            let slug = slug.clone();
                            let state = match (k.retired_at, k.signing) {
                                (Some(at), _) => format!("{} {}", tr(l, Key::DeskKeyRetired), format::datetime(at, &zone, l)),
                                (None, true) => tr(l, Key::DeskKeySigning).to_string(),
                                (None, false) => tr(l, Key::DeskKeyTrusted).to_string(),
                            };
                            view! {
                                <tr>
                                    <td>{k.id}</td>
                                    <td>{format::datetime(k.created_at, &zone, l)}</td>
                                    <td>{state}</td>
                                    <td>{format::integer(k.badges as i64, l)}</td>
                                    <td>
                                        {k.retired_at.is_none().then(|| view! {
                                            <ActionForm action=retire attr:class="inline-form">
                                                <input type="hidden" name="slug" value=slug.clone() />
                                                <input type="hidden" name="key" value=k.id.to_string() />
                                                <button type="submit" class="button button--small">{tr(l, Key::DeskKeyRetire)}</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let staff_rows = d.staff.clone().into_iter().map(|p| {
                            let slug = slug.clone();
                            view! {
                                <tr>
                                    <td>{p.name.clone()}</td>
                                    <td>{p.email.clone()}</td>
                                    <td>{if p.on_fair { tr(l, Key::CommonYes) } else { tr(l, Key::CommonNo) }}</td>
                                    <td>
                                        <ActionForm action=door attr:class="inline-form">
                                            <input type="hidden" name="slug" value=slug />
                                            <input type="hidden" name="staff" value=p.user_id.to_string() />
                                            <input type="hidden" name="on" value=if p.on_fair { "false" } else { "true" } />
                                            <button type="submit" class="button button--small">
                                                {tr(l, if p.on_fair { Key::DeskStaffOff } else { Key::DeskStaffOn })}
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let no_staff = d.staff.is_empty();
                        let slug_keys = slug.clone();
                        view! {
                            <p class="muted">{d.fair.name(l).to_string()}</p>
                            <nav class="subnav subnav--fair">
                                <a href=format!("/organiser/fairs/{slug}/live")>{tr(l, Key::LiveTitle)}</a>
                                <a href=format!("/fairs/{slug}/scan")>{tr(l, Key::ScanTitle)}</a>
                            </nav>
                            <h2 id="walk-in">{tr(l, Key::DeskWalkIn)}</h2>
                            {d.issued.clone().map(|b| view! {
                                <div id="issued">
                                    <p class="alert alert--success" role="status">{tr(l, Key::DeskIssued)}</p>
                                    <BadgeView b />
                                </div>
                            })}
                            <ActionForm action=walk_in attr:class="form">
                                <FormAlert error=walk_in_error />
                                <input type="hidden" name="slug" value=slug_walk.clone() />
                                <Field name="name" label=Key::FieldName error=walk_in_error />
                                <Field name="organisation" label=Key::RegisterOrganisation required=false error=walk_in_error />
                                <Field name="email" label=Key::FieldEmail kind="email" required=false error=walk_in_error />
                                <div class="field">
                                    <label for="f-kind">{tr(l, Key::DeskKind)}</label>
                                    <select id="f-kind" name="kind">{kinds}</select>
                                </div>
                                <Submit label=Key::DeskIssue />
                            </ActionForm>
                            <h2>{tr(l, Key::DeskPrint)}</h2>
                            <ul class="link-list">
                                <li><a href=format!("/organiser/fairs/{slug}/badges.pdf")>{tr(l, Key::DeskPrintAll)}</a></li>
                                {prints}
                            </ul>
                            <h2 id="gates">{tr(l, Key::DeskGates)}</h2>
                            // Focusable: on a phone the table scrolls sideways, and
                            // a keyboard must reach it too.
                            <div class="table-wrap" tabindex="0" role="region" aria-labelledby="gates"><table class="table">
                                <thead><tr>
                                    <th>{tr(l, Key::DeskCode)}</th><th>{tr(l, Key::DeskGateName)}</th><th>{tr(l, Key::DeskArea)}</th>
                                    <th>{tr(l, Key::DeskList)}</th><th>{tr(l, Key::DeskReentry)}</th><th>{tr(l, Key::DeskMaxEntries)}</th>
                                </tr></thead>
                                <tbody>{gates}</tbody>
                            </table></div>
                            <ActionForm action=gate attr:class="form">
                                <FormAlert error=gate_error />
                                <input type="hidden" name="slug" value=slug_gate.clone() />
                                <Field name="code" label=Key::DeskCode error=gate_error />
                                <Field name="name_vi" label=Key::DeskNameVi error=gate_error />
                                <Field name="name_en" label=Key::DeskNameEn error=gate_error />
                                <Field name="area" label=Key::DeskArea value="hall" error=gate_error />
                                <fieldset><legend>{tr(l, Key::DeskList)}</legend>{kind_checks}</fieldset>
                                <label class="check"><input type="checkbox" name="reentry" value="on" checked=true />{tr(l, Key::DeskReentry)}</label>
                                <Field name="max_entries_per_day" label=Key::DeskMaxEntries kind="number" required=false error=gate_error />
                                <Submit label=Key::DeskSaveGate />
                            </ActionForm>
                            <h2 id="devices">{tr(l, Key::DeskDevices)}</h2>
                            <p class="muted">{tr(l, Key::DeskDevicesHint)}</p>
                            {d.new_token.clone().map(|token| {
                                let shown = token.clone();
                                view! {
                                    <div class="alert alert--success" role="status">
                                        <p>{tr(l, Key::DeskTokenOnce)}</p>
                                        <code class="token" data-device-token=token>{shown}</code>
                                    </div>
                                }
                            })}
                            <div class="table-wrap"><table class="table">
                                <thead><tr><th>{tr(l, Key::DeskDeviceName)}</th><th>{tr(l, Key::DeskLastSeen)}</th><th><span class="visually-hidden">{tr(l, Key::DeskRevoke)}</span></th></tr></thead>
                                <tbody>{devices}</tbody>
                            </table></div>
                            <ActionForm action=device attr:class="form">
                                <FormAlert error=device_error />
                                <input type="hidden" name="slug" value=slug_dev.clone() />
                                <Field name="name" label=Key::DeskDeviceName error=device_error />
                                <Submit label=Key::DeskAddDevice />
                            </ActionForm>
                            <h2 id="staff">{tr(l, Key::DeskStaff)}</h2>
                            <p class="muted">{tr(l, Key::DeskStaffHint)}</p>
                            {if no_staff {
                                view! { <p>{tr(l, Key::DeskStaffNone)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap"><table class="table">
                                        <thead><tr>
                                            <th scope="col">{tr(l, Key::FieldName)}</th>
                                            <th scope="col">{tr(l, Key::FieldEmail)}</th>
                                            <th scope="col">{tr(l, Key::DeskStaffOnFair)}</th>
                                            <th scope="col"><span class="visually-hidden">{tr(l, Key::DeskStaffChange)}</span></th>
                                        </tr></thead>
                                        <tbody>{staff_rows}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            <h2 id="keys">{tr(l, Key::DeskKeys)}</h2>
                            <p class="muted">{tr(l, Key::DeskKeysHint)}</p>
                            <FormAlert error=keys_error />
                            <div class="table-wrap"><table class="table">
                                <thead><tr>
                                    <th scope="col">{tr(l, Key::DeskKeyNumber)}</th>
                                    <th scope="col">{tr(l, Key::DeskKeyMade)}</th>
                                    <th scope="col">{tr(l, Key::DeskKeyState)}</th>
                                    <th scope="col">{tr(l, Key::DeskKeyBadges)}</th>
                                    <th scope="col"><span class="visually-hidden">{tr(l, Key::DeskKeyRetire)}</span></th>
                                </tr></thead>
                                <tbody>{keys}</tbody>
                            </table></div>
                            <ActionForm action=rotate attr:class="form">
                                <input type="hidden" name="slug" value=slug_keys />
                                <button type="submit" class="button">{tr(l, Key::DeskKeyRotate)}</button>
                            </ActionForm>
                        }.into_any()
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

fn live_labels(l: Locale) -> LiveLabels {
    LiveLabels {
        inside: tr(l, Key::LiveInside).into(),
        came: tr(l, Key::LiveCame).into(),
        entries: tr(l, Key::LiveEntries).into(),
        exits: tr(l, Key::LiveExits).into(),
        refused: tr(l, Key::LiveRefused).into(),
        conflicts: tr(l, Key::LiveConflicts).into(),
        per_hour: tr(l, Key::LivePerHour).into(),
        by_gate: tr(l, Key::LiveByGate).into(),
        by_kind: tr(l, Key::LiveByKind).into(),
        by_area: tr(l, Key::LiveByArea).into(),
        gate: tr(l, Key::DeskGateName).into(),
        kind: tr(l, Key::DeskKind).into(),
        area: tr(l, Key::DeskArea).into(),
        updated: tr(l, Key::LiveUpdated).into(),
        live: tr(l, Key::LiveConnected).into(),
        paused: tr(l, Key::LivePaused).into(),
        kinds: BadgeKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), tr(l, kind_key(*k)).to_string()))
            .collect(),
        vi: l == Locale::Vi,
    }
}

/// /organiser/fairs/:slug/live: who is inside, entries per hour, by gate
/// and kind, following the doors as they scan.
#[component]
pub fn LivePage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let query = use_query_map();
    let day = move || {
        query.with(|q| {
            q.get("day")
                .and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        })
    };
    let data = Resource::new(move || (slug(), day()), |(slug, day)| get_live(slug, day));
    view! {
        <Title text=t(Key::LiveTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <section class="panel">
                <crate::routes::review::OrganiserNav />
                <h1>{t(Key::LiveTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        match data.await {
                            Ok(p) => view! {
                                <p class="muted">{p.fair.name(l).to_string()}" · "{p.counts.day.map(|d| format::date(d, l)).unwrap_or_default()}</p>
                                <LiveBoard
                                    events=format!(
                                        "/organiser/fairs/{}/live/events{}",
                                        p.fair.slug,
                                        day().map(|d| format!("?day={d}")).unwrap_or_default()
                                    )
                                    time_zone=p.fair.time_zone.clone()
                                    counts=p.counts
                                    labels=live_labels(l)
                                />
                            }.into_any(),
                            Err(e) => error_alert(e, l),
                        }
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// /fairs/:slug/staff: an exhibiting firm names its booth staff.
#[component]
pub fn StaffBadgesPage() -> impl IntoView {
    let locale = use_locale();
    let slug = slug();
    let data = Resource::new(slug, get_staff_badges);
    let add = ServerAction::<NameStaff>::new();
    let withdraw = ServerAction::<WithdrawStaff>::new();
    let error = action_error(add);
    view! {
        <Title text=t(Key::StaffBadgesTitle) />
        <RequireRole roles=&[Role::Exhibitor]>
            <section class="panel">
                <h1>{t(Key::StaffBadgesTitle)}</h1>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        let p = match data.await {
                            Ok(p) => p,
                            Err(e) => return error_alert(e, l),
                        };
                        let used = p.badges.len().to_string();
                        let quota = p.quota.to_string();
                        let slug = p.fair.slug.clone();
                        let full = p.badges.len() as i64 >= p.quota;
                        let list = p.badges.into_iter().map(|b| {
                            let id = b.id;
                            let slug = slug.clone();
                            view! {
                                <BadgeView b />
                                <ActionForm action=withdraw attr:class="inline-form">
                                    <input type="hidden" name="slug" value=slug.clone() />
                                    <input type="hidden" name="badge" value=id.to_string() />
                                    <button type="submit" class="button button--small">{tr(l, Key::StaffWithdraw)}</button>
                                </ActionForm>
                            }
                        }).collect_view();
                        view! {
                            <p class="muted">{p.fair.name(l).to_string()}</p>
                            <p class="staff-quota">{tr_args(l, Key::StaffQuota, &[("used", &used), ("quota", &quota)])}</p>
                            {(p.quota == 0).then(|| view! { <p class="alert">{tr(l, Key::StaffNoBooth)}</p> })}
                            {(!full).then(|| view! {
                                <ActionForm action=add attr:class="form">
                                    <FormAlert error />
                                    <input type="hidden" name="slug" value=slug.clone() />
                                    <Field name="name" label=Key::FieldName error />
                                    <Field name="email" label=Key::FieldEmail kind="email" required=false error />
                                    <Submit label=Key::StaffAdd />
                                </ActionForm>
                            })}
                            <FormAlert error />
                            {list}
                        }.into_any()
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}

/// /firm/leads: the firm's leads; a badge scanned (or typed) at the booth
/// adds one; exports as CSV or XLSX.
#[component]
pub fn LeadsPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let page = move || query.with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()));
    let data = Resource::new(page, get_leads);
    let capture = ServerAction::<CaptureLead>::new();
    let update = ServerAction::<UpdateLead>::new();
    let error = action_error(capture);
    let update_error = action_error(update);
    let saved = move || query.with(|q| q.get("saved").is_some() || q.get("updated").is_some());
    view! {
        <Title text=t(Key::LeadsTitle) />
        <RequireRole roles=&[Role::Exhibitor]>
            <section class="panel">
                <h1>{t(Key::LeadsTitle)}</h1>
                {move || saved().then(|| view! { <p class="alert alert--success" role="status">{t(Key::LeadsSaved)}</p> })}
                <h2>{t(Key::LeadsCapture)}</h2>
                <p class="muted">{t(Key::LeadsHint)}</p>
                <ActionForm action=capture attr:class="form">
                    <FormAlert error />
                    <Field name="code" label=Key::BadgesCode error />
                    <TextArea name="notes" label=Key::LeadsNotes error />
                    <Field name="rating" label=Key::LeadsRating kind="number" required=false error />
                    <Field name="tags" label=Key::LeadsTags hint=Key::LeadsTagsHint required=false error />
                    <Submit label=Key::LeadsSave />
                </ActionForm>
                <h2>{t(Key::LeadsList)}</h2>
                <p>
                    <a class="button" href="/firm/leads.csv">{t(Key::LeadsCsv)}</a>" "
                    <a class="button" href="/firm/leads.xlsx">{t(Key::LeadsXlsx)}</a>
                </p>
                <FormAlert error=update_error />
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let l = locale.get_untracked();
                        match data.await {
                            Ok(list) if list.rows.is_empty() && list.page == 0 => view! { <p>{tr(l, Key::LeadsNone)}</p> }.into_any(),
                            Ok(list) => {
                            let older = list.has_more.then(|| format!("/firm/leads?page={}", list.page + 1));
                            let newer = (list.page > 0).then(|| format!("/firm/leads?page={}", list.page - 1));
                            let cards = list.rows.into_iter().map(|lead| view! {
                                <article class="card lead" id=format!("lead-{}", lead.id)>
                                    <h3>{lead.name.clone()}</h3>
                                    <p>{lead.organisation.clone()}{lead.email.clone().map(|e| format!(" · {e}"))}</p>
                                    <p class="muted">{tr(l, kind_key(lead.kind))}" · "{format::datetime(lead.updated_at, "Asia/Ho_Chi_Minh", l)}</p>
                                    <ActionForm action=update attr:class="form form--compact">
                                        <input type="hidden" name="lead" value=lead.id.to_string() />
                                        <div class="field">
                                            <label for=format!("notes-{}", lead.id)>{tr(l, Key::LeadsNotes)}</label>
                                            <textarea id=format!("notes-{}", lead.id) name="notes" rows="3">{crate::components::server_text(&lead.notes)}</textarea>
                                        </div>
                                        <div class="field">
                                            <label for=format!("rating-{}", lead.id)>{tr(l, Key::LeadsRating)}</label>
                                            <input id=format!("rating-{}", lead.id) name="rating" type="number" min="0" max="5" value=lead.rating.to_string() />
                                        </div>
                                        <div class="field">
                                            <label for=format!("tags-{}", lead.id)>{tr(l, Key::LeadsTags)}</label>
                                            <input id=format!("tags-{}", lead.id) name="tags" value=lead.tags.join(", ") />
                                        </div>
                                        <button type="submit" class="button button--small">{tr(l, Key::LeadsUpdate)}</button>
                                    </ActionForm>
                                </article>
                            }).collect_view();
                            view! {
                                {cards}
                                <Pager newer=newer older=older />
                            }.into_any()
                            }
                            Err(e) => error_alert(e, l),
                        }
                    })}
                </Suspense>
            </section>
        </RequireRole>
    }
}
