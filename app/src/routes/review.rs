//! The organisers' side of firms: the review queue, one firm's review
//! (certificates verified one by one, the decision, the history), the
//! figures with charts, and bulk import and export.

use crate::api::firms::{
    Decide, DecideIdentity, Figures, ImportApply, ReleaseTaxCode, VerifyCertificate, firm_figures,
    firm_queue, firm_review, preview_import,
};
use crate::components::firm_view::{FirmProfile, certificate_name, sector_key, status_key, term};
use crate::components::forms::{FormAlert, Submit, form_error, query_error};
use crate::components::guard::RequireRole;
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use fairlink::Locale;
use fairlink::accounts::Role;
use fairlink::firms::vocabulary::{self, CERTIFICATES, PROVINCES};
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn error_view(e: crate::api::AppError) -> AnyView {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    crate::api::ctx::set_page_status(e.code.http_status());
    view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }
        .into_any()
}

/// Links between the organisers' firm pages.
#[component]
pub fn OrganiserNav() -> impl IntoView {
    view! {
        <nav class="subnav" aria-label=t(Key::NavOrganiser)>
            <a href="/organiser">{t(Key::NavOrganiser)}</a>
            <a href="/organiser/fairs">{t(Key::FairsTitle)}</a>
            <a href="/organiser/firms">{t(Key::ReviewTitle)}</a>
            <a href="/organiser/figures">{t(Key::FiguresTitle)}</a>
            <a href="/organiser/import">{t(Key::ImportTitle)}</a>
            <a href="/organiser/mail">{t(Key::NavMail)}</a>
        </nav>
    }
}

#[component]
pub fn FirmQueue() -> impl IntoView {
    view! {
        <Title text=t(Key::ReviewTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <FirmQueueContent />
        </RequireRole>
    }
}

#[component]
fn FirmQueueContent() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let status = move || {
        query
            .with(|q| q.get("status"))
            .unwrap_or_else(|| "submitted".into())
    };
    let page = move || {
        query
            .with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new(move || (status(), page()), |(s, p)| firm_queue(s, p));
    view! {
        <section class="panel">
            <OrganiserNav />
            <h1>{t(Key::ReviewTitle)}</h1>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    let current = status();
                    match data.await {
                        Ok(q) => {
                            let tabs = q.counts.iter().map(|(s, n)| {
                                let active = *s == current;
                                let (s, n) = (s.clone(), *n);
                                view! {
                                    <li><a href=format!("/organiser/firms?status={s}") aria-current=active.then_some("page") class:tab--active=active>
                                        {t(status_key(&s))} " (" {move || format::integer(n as i64, locale.get())} ")"
                                    </a></li>
                                }
                            }).collect_view();
                            let empty = q.rows.is_empty();
                            let rows = q.rows.into_iter().map(|r| {
                                let when = r.submitted_at.map(|at| move || format::datetime(at, format::DEFAULT_TIME_ZONE, locale.get()));
                                view! {
                                    <tr>
                                        <td><a href=format!("/organiser/firms/{}", r.id)>{r.legal_name.clone()}</a></td>
                                        <td>{r.tax_code.clone()}</td>
                                        <td>{t(sector_key(&r.sector_group))}</td>
                                        <td>{term(PROVINCES, r.province.clone())}</td>
                                        <td>{when}</td>
                                        <td>{format!("{} / {}", r.certificates - r.unverified, r.certificates)}</td>
                                    </tr>
                                }
                            }).collect_view();
                            let older = q.has_more.then(|| format!("/organiser/firms?status={current}&page={}", q.page + 1));
                            let changes = (!q.identity_changes.is_empty()).then(|| {
                                let l = locale.get_untracked();
                                let items = q.identity_changes.into_iter().map(|c| {
                                    let when = c.asked_at.map(|at| format::datetime(at, format::DEFAULT_TIME_ZONE, l));
                                    let what = c.changes.iter().map(|f| tr(l, match f.as_str() {
                                        "legal_name" => Key::FirmLegalName,
                                        "name_en" => Key::FirmNameEn,
                                        "tax_code" => Key::FirmTaxCode,
                                        "website" => Key::FirmWebsite,
                                        _ => Key::ReviewNewLogo,
                                    })).collect::<Vec<_>>().join(", ");
                                    view! {
                                        <li>
                                            <a href=format!("/organiser/firms/{}#identity", c.id)>{c.legal_name.clone()}</a>
                                            " (" {c.name_en.clone()} ") · " {what}
                                            {when.map(|w| view! { " · " <span class="muted">{w}</span> })}
                                        </li>
                                    }
                                }).collect_view();
                                view! {
                                    <section class="alert" aria-labelledby="identity-changes">
                                        <h2 id="identity-changes">{t(Key::ReviewIdentityChanges)}</h2>
                                        <ul class="plain-list">{items}</ul>
                                    </section>
                                }
                            });
                            view! {
                                {changes}
                                <nav aria-label=t(Key::MailFilter)><ul class="tabs">{tabs}</ul></nav>
                                {if empty {
                                    view! { <p>{t(Key::ReviewEmpty)}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap"><table>
                                            <thead><tr>
                                                <th scope="col">{t(Key::FirmLegalName)}</th>
                                                <th scope="col">{t(Key::FirmTaxCode)}</th>
                                                <th scope="col">{t(Key::CatalogueSector)}</th>
                                                <th scope="col">{t(Key::CatalogueProvince)}</th>
                                                <th scope="col">{t(Key::ReviewSubmitted)}</th>
                                                <th scope="col">{t(Key::ReviewVerifiedCertificates)}</th>
                                            </tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table></div>
                                    }.into_any()
                                }}
                                {older.map(|h| view! { <p class="pager"><a href=h>{t(Key::CatalogueNext)}</a></p> })}
                            }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn FirmReview() -> impl IntoView {
    view! {
        <Title text=t(Key::ReviewTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <FirmReviewContent />
        </RequireRole>
    }
}

#[component]
fn FirmReviewContent() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let decided = move || query.with(|q| q.get("decided").is_some());
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<uuid::Uuid>().ok()));
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => firm_review(id).await,
            None => Err(fairlink::ErrorCode::NotFound.into()),
        }
    });
    let decide = ServerAction::<Decide>::new();
    let decide_error = form_error(decide);
    let verify = ServerAction::<VerifyCertificate>::new();
    let identity = ServerAction::<DecideIdentity>::new();
    let identity_error = form_error(identity);
    let release = ServerAction::<ReleaseTaxCode>::new();
    let release_error = form_error(release);
    view! {
        <section class="panel">
            <OrganiserNav />
            <Show when=decided>
                <p class="alert alert--success" role="status">{t(Key::ReviewDecided)}</p>
            </Show>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(r) => {
                            let firm = r.firm;
                            let firm_id = firm.id.to_string();
                            let submitted = firm.status == "submitted";
                            let status = status_key(&firm.status);
                            let checks = firm.certificates.clone().into_iter().map(|c| {
                                let name = { let c = c.clone(); move || certificate_name(&c, locale.get()) };
                                let (firm_id, cert_id) = (firm_id.clone(), c.id.to_string());
                                view! {
                                    <li class="certificate">
                                        <strong>{name}</strong>
                                        <span class="muted">{format!("{} · {}", c.number, c.issuer)}</span>
                                        {c.scan.map(|s| view! { <a href=format!("/files/{s}")>{t(Key::FirmScan)}</a> })}
                                        {(!c.has_scan).then(|| view! { <span class="muted">{t(Key::ReviewNoScan)}</span> })}
                                        <ActionForm action=verify attr:class="inline-form">
                                            <input type="hidden" name="firm" value=firm_id />
                                            <input type="hidden" name="certificate" value=cert_id />
                                            <input type="hidden" name="verified" value=if c.verified { "false" } else { "true" } />
                                            <button type="submit" class="button button--small">
                                                {t(if c.verified { Key::ReviewUnverify } else { Key::ReviewVerify })}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view();
                            let history = r.history.into_iter().map(|h| {
                                let when = move || format::datetime(h.at, format::DEFAULT_TIME_ZONE, locale.get());
                                view! {
                                    <li>
                                        <span class="muted">{when}</span> " · " <strong>{h.action.clone()}</strong>
                                        " · " {h.actor.clone().unwrap_or_default()}
                                        <code class="audit-detail">{h.detail.clone()}</code>
                                    </li>
                                }
                            }).collect_view();
                            view! {
                                <p>{t(Key::FirmStatus)} ": " <span class="badge">{t(status)}</span></p>
                                {submitted.then(|| {
                                    let firm_id = firm_id.clone();
                                    view! {
                                        <ActionForm action=decide attr:class="form decision">
                                            <FormAlert error=decide_error />
                                            <input type="hidden" name="id" value=firm_id />
                                            <div class="field">
                                                <label for="f-reason">{t(Key::ReviewReason)}</label>
                                                <textarea id="f-reason" name="reason" rows="3"></textarea>
                                                <p class="field__hint">{t(Key::ReviewReasonHint)}</p>
                                            </div>
                                            <div class="decision__buttons">
                                                <button type="submit" name="decision" value="approve" class="button button--primary">{t(Key::ReviewApprove)}</button>
                                                <button type="submit" name="decision" value="changes" class="button">{t(Key::ReviewChanges)}</button>
                                                <button type="submit" name="decision" value="reject" class="button">{t(Key::ReviewReject)}</button>
                                            </div>
                                        </ActionForm>
                                    }
                                })}
                                {firm.pending.clone().map(|p| {
                                    let firm_id = firm_id.clone();
                                    let row = |label: Key, before: String, after: String| {
                                        let changed = before != after;
                                        view! {
                                            <tr class:changed=changed>
                                                <th scope="row">{t(label)}</th>
                                                <td>{before}</td>
                                                <td>{if changed { view! { <strong>{after}</strong> }.into_any() } else { view! { {after} }.into_any() }}</td>
                                            </tr>
                                        }
                                    };
                                    let dash = |w: Option<String>| w.unwrap_or_else(|| "—".into());
                                    let logo_changed = p.logo != firm.logo;
                                    view! {
                                        <section id="identity">
                                            <h2>{t(Key::ReviewIdentityTitle)}</h2>
                                            <p>{t(Key::ReviewIdentityIntro)}</p>
                                            <div class="table-wrap"><table>
                                                <thead><tr>
                                                    <th scope="col"><span class="visually-hidden">{t(Key::ReviewField)}</span></th>
                                                    <th scope="col">{t(Key::ReviewNow)}</th>
                                                    <th scope="col">{t(Key::ReviewAsked)}</th>
                                                </tr></thead>
                                                <tbody>
                                                    {row(Key::FirmLegalName, firm.legal_name.clone(), p.legal_name.clone())}
                                                    {row(Key::FirmNameEn, firm.name_en.clone(), p.name_en.clone())}
                                                    {row(Key::FirmTaxCode, firm.tax_code.clone(), p.tax_code.clone())}
                                                    {row(Key::FirmWebsite, dash(firm.website.clone()), dash(p.website.clone()))}
                                                </tbody>
                                            </table></div>
                                            {(logo_changed).then(|| p.logo.map(|l| view! {
                                                <p>{t(Key::ReviewNewLogo)} ": " <a href=format!("/files/{l}")>{t(Key::ReviewOpenLogo)}</a></p>
                                            }))}
                                            <ActionForm action=identity attr:class="form decision">
                                                <FormAlert error=identity_error />
                                                <input type="hidden" name="id" value=firm_id />
                                                <div class="field">
                                                    <label for="f-identity-reason">{t(Key::ReviewReason)}</label>
                                                    <textarea id="f-identity-reason" name="reason" rows="3"></textarea>
                                                    <p class="field__hint">{t(Key::ReviewReasonHint)}</p>
                                                </div>
                                                <div class="decision__buttons">
                                                    <button type="submit" name="decision" value="approve" class="button button--primary">{t(Key::ReviewApproveChange)}</button>
                                                    <button type="submit" name="decision" value="reject" class="button">{t(Key::ReviewRejectChange)}</button>
                                                </div>
                                            </ActionForm>
                                        </section>
                                    }
                                })}
                                {(firm.status != "withdrawn").then(|| {
                                    let firm_id = firm_id.clone();
                                    view! {
                                        <details id="release">
                                            <summary>{t(Key::ReviewReleaseTitle)}</summary>
                                            <p>{t(Key::ReviewReleaseIntro)}</p>
                                            <ActionForm action=release attr:class="form">
                                                <FormAlert error=release_error />
                                                <input type="hidden" name="id" value=firm_id />
                                                <div class="field">
                                                    <label for="f-release-reason">{t(Key::ReviewReason)}</label>
                                                    <textarea id="f-release-reason" name="reason" rows="3" required=true></textarea>
                                                </div>
                                                <button type="submit" class="button">{t(Key::ReviewRelease)}</button>
                                            </ActionForm>
                                        </details>
                                    }
                                })}
                                <section id="certificates">
                                    <h2>{t(Key::ReviewCertificatesTitle)}</h2>
                                    <ul class="certificates">{checks}</ul>
                                </section>
                                <FirmProfile firm=firm with_scans=true />
                                <section>
                                    <h2>{t(Key::ReviewHistory)}</h2>
                                    <ul class="history">{history}</ul>
                                </section>
                            }.into_any()
                        }
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A horizontal bar chart, drawn on the server as SVG.
fn bar_chart(title: String, rows: Vec<(String, u64)>) -> impl IntoView {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let height = rows.len() * 28 + 8;
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, n))| {
            let y = i * 28 + 4;
            let width = (n as f64 / max as f64 * 380.0).round() as u64;
            view! {
                <g>
                    <text x="0" y=y + 16 class="chart__label">{label}</text>
                    <rect x="220" y=y width=width.max(1) height="20" rx="3" class="chart__bar" />
                    <text x=225 + width y=y + 15 class="chart__value">{n}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 660 {height}") width="100%" role="img" aria-label=title>
                {bars}
            </svg>
        </figure>
    }
}

#[component]
pub fn FiguresPage() -> impl IntoView {
    view! {
        <Title text=t(Key::FiguresTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <FiguresContent />
        </RequireRole>
    }
}

#[component]
fn FiguresContent() -> impl IntoView {
    let locale = use_locale();
    let data = Resource::new(|| (), |_| firm_figures());
    view! {
        <section class="panel">
            <OrganiserNav />
            <h1>{t(Key::FiguresTitle)}</h1>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(f) => figures_view(f, locale.get_untracked()).into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
        </section>
    }
}

fn figures_view(f: Figures, lang: Locale) -> impl IntoView {
    let number = |n: u64| format::integer(n as i64, lang);
    let share = if f.approved == 0 {
        0.0
    } else {
        100.0 * f.verified_certified as f64 / f.approved as f64
    };
    let share_text = format!("{share:.1}%");
    let target = f.target_percent;
    let by_sector: Vec<(String, u64)> = f
        .by_sector
        .iter()
        .map(|(s, n)| (tr(lang, sector_key(s)).to_string(), *n))
        .collect();
    let by_province: Vec<(String, u64)> = f
        .by_province
        .iter()
        .take(10)
        .map(|(p, n)| (vocabulary::label(PROVINCES, p, lang), *n))
        .collect();
    let by_status: Vec<(String, u64)> = f
        .by_status
        .iter()
        .map(|(s, n)| (tr(lang, status_key(s)).to_string(), *n))
        .collect();
    let bar = (share * 6.0).round().min(600.0) as u64;
    let target_x = target as u64 * 6;
    let expiring = f
        .expiring
        .into_iter()
        .map(|e| {
            let name = if lang == Locale::En { e.name_en.clone() } else { e.legal_name.clone() };
            view! {
                <tr>
                    <td><a href=format!("/organiser/firms/{}", e.firm_id)>{name}</a></td>
                    <td>{vocabulary::label(CERTIFICATES, &e.kind, lang)}</td>
                    <td>{format::date(e.expires_on, lang)}</td>
                    <td>{tr(lang, if e.verified { Key::FirmVerified } else { Key::FirmUnverified })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ul class="stats__list">
            <li><strong>{number(f.registered)}</strong><span>{tr(lang, Key::FiguresRegistered)}</span></li>
            <li><strong>{number(f.approved)}</strong><span>{tr(lang, Key::FiguresApproved)}</span></li>
            <li><strong>{number(f.verified_certified)}</strong><span>{tr(lang, Key::FiguresCertified)}</span></li>
            <li><strong>{share_text.clone()}</strong><span>{tr_args(lang, Key::FiguresShare, &[("target", &target.to_string())])}</span></li>
        </ul>
        <figure class="chart">
            <figcaption>{tr_args(lang, Key::FiguresShareChart, &[("share", &share_text), ("target", &target.to_string())])}</figcaption>
            <svg viewBox="0 0 620 56" width="100%" role="img" aria-label=tr_args(lang, Key::FiguresShareChart, &[("share", &share_text), ("target", &target.to_string())])>
                <rect x="0" y="12" width="600" height="24" rx="4" class="chart__track" />
                <rect x="0" y="12" width=bar.max(1) height="24" rx="4" class="chart__bar" />
                <line x1=target_x x2=target_x y1="4" y2="44" class="chart__target" />
                <text x=target_x + 4 y="54" class="chart__value">{format!("{target}%")}</text>
            </svg>
        </figure>
        {bar_chart(tr(lang, Key::FiguresBySector).to_string(), by_sector)}
        {bar_chart(tr(lang, Key::FiguresByProvince).to_string(), by_province)}
        {bar_chart(tr(lang, Key::FiguresByStatus).to_string(), by_status)}
        <h2>{tr(lang, Key::FiguresExpiring)}</h2>
        <div class="table-wrap"><table>
            <thead><tr>
                <th scope="col">{tr(lang, Key::FirmLegalName)}</th>
                <th scope="col">{tr(lang, Key::FirmCertificateKind)}</th>
                <th scope="col">{tr(lang, Key::FirmCertificateExpires)}</th>
                <th scope="col">{tr(lang, Key::TableStatus)}</th>
            </tr></thead>
            <tbody>{expiring}</tbody>
        </table></div>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text=t(Key::ImportTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <ImportContent />
        </RequireRole>
    }
}

#[component]
fn ImportContent() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let file = move || query.with(|q| q.get("file").and_then(|f| f.parse::<uuid::Uuid>().ok()));
    let done = move || query.with(|q| Some((q.get("created")?, q.get("updated")?)));
    let preview = Resource::new(file, |f| async move {
        match f {
            Some(f) => preview_import(f).await.map(Some),
            None => Ok(None),
        }
    });
    let apply = ServerAction::<ImportApply>::new();
    let apply_error = form_error(apply);
    let upload_error = query_error();
    view! {
        <section class="panel">
            <OrganiserNav />
            <h1>{t(Key::ImportTitle)}</h1>
            {move || done().map(|(c, u)| view! {
                <p class="alert alert--success" role="status">
                    {tr_args(locale.get(), Key::ImportDone, &[("created", &c), ("updated", &u)])}
                </p>
            })}
            <p>{t(Key::ImportIntro)}</p>
            <p><code>{fairlink::firms::IMPORT_COLUMNS.join(",")}</code></p>
            <form method="post" action="/organiser/import" enctype="multipart/form-data" class="form form--inline">
                <FormAlert error=upload_error />
                <div class="field">
                    <label for="f-file">{t(Key::ImportFile)}</label>
                    <input id="f-file" type="file" name="file" accept=".csv,.xlsx" required />
                </div>
                <Submit label=Key::ImportPreview />
            </form>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(Some(p)) => {
                            let lang = locale.get_untracked();
                            let summary = tr_args(lang, Key::ImportSummary, &[
                                ("file", &p.filename), ("rows", &p.rows.to_string()), ("new", &p.new.to_string()), ("updated", &p.updated.to_string()),
                            ]);
                            if p.errors.is_empty() {
                                let sample = p.sample.into_iter().map(|(line, tax, name, action)| view! {
                                    <tr><td>{line}</td><td>{tax}</td><td>{name}</td><td>{tr(lang, if action == "new" { Key::ImportNew } else { Key::ImportUpdate })}</td></tr>
                                }).collect_view();
                                view! {
                                    <h2>{t(Key::ImportPreviewTitle)}</h2>
                                    <p>{summary}</p>
                                    <div class="table-wrap"><table>
                                        <thead><tr><th scope="col">{t(Key::ImportLine)}</th><th scope="col">{t(Key::FirmTaxCode)}</th><th scope="col">{t(Key::FirmLegalName)}</th><th scope="col">{t(Key::ImportAction)}</th></tr></thead>
                                        <tbody>{sample}</tbody>
                                    </table></div>
                                    <ActionForm action=apply attr:class="form">
                                        <FormAlert error=apply_error />
                                        <input type="hidden" name="file" value=p.file.to_string() />
                                        <Submit label=Key::ImportConfirm />
                                    </ActionForm>
                                }.into_any()
                            } else {
                                let count = p.errors.len();
                                let errors = p.errors.into_iter().take(500).map(|e| {
                                    let reason = fairlink::ErrorCode::parse(&e.reason)
                                        .map(|c| tr(lang, crate::i18n::Key::for_error(c)).to_string())
                                        .unwrap_or_else(|| match e.reason.as_str() {
                                            "duplicate_in_file" => tr(lang, Key::ImportDuplicate).to_string(),
                                            "missing_column" => tr(lang, Key::ImportMissingColumn).to_string(),
                                            other => other.to_string(),
                                        });
                                    view! { <tr><td>{e.line}</td><td><code>{e.column}</code></td><td>{reason}</td></tr> }
                                }).collect_view();
                                view! {
                                    <h2>{t(Key::ImportPreviewTitle)}</h2>
                                    <p>{summary}</p>
                                    <p class="alert alert--error" role="alert">{tr_args(lang, Key::ImportRefused, &[("count", &count.to_string())])}</p>
                                    <div class="table-wrap"><table>
                                        <thead><tr><th scope="col">{t(Key::ImportLine)}</th><th scope="col">{t(Key::ImportColumn)}</th><th scope="col">{t(Key::ImportReason)}</th></tr></thead>
                                        <tbody>{errors}</tbody>
                                    </table></div>
                                }.into_any()
                            }
                        }
                        Ok(None) => ().into_any(),
                        Err(e) => error_view(e),
                    }
                })}
            </Suspense>
            <h2>{t(Key::ExportTitle)}</h2>
            <ul class="plain-list">
                <li>{t(Key::ExportCatalogue)} ": " <a href="/organiser/export/catalogue.csv" download>"CSV"</a> " · " <a href="/organiser/export/catalogue.xlsx" download>"XLSX"</a></li>
                <li>{t(Key::ExportApprovals)} ": " <a href="/organiser/export/approvals.csv" download>"CSV"</a> " · " <a href="/organiser/export/approvals.xlsx" download>"XLSX"</a></li>
            </ul>
        </section>
    }
}
