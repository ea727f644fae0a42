//! The organiser's view of outgoing mail: what is queued, sent, failed;
//! each message as it went out; failed ones sent again.

use crate::api::admin::{MailRetry, mail_listing, mail_one};
use crate::components::forms::{FormAlert, action_error};
use crate::components::guard::RequireRole;
use crate::i18n::{Key, t, tr, use_locale};
use fairlink::accounts::Role;
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn status_key(status: &str) -> Key {
    match status {
        "queued" => Key::MailStatusQueued,
        "sending" => Key::MailStatusSending,
        "sent" => Key::MailStatusSent,
        "dead" => Key::MailStatusDead,
        _ => Key::MailStatusAll,
    }
}

#[component]
pub fn MailList() -> impl IntoView {
    view! {
        <Title text=t(Key::MailTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <MailListContent />
        </RequireRole>
    }
}

#[component]
fn MailListContent() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let filter = move || query.with(|q| q.get("status")).filter(|s| !s.is_empty());
    let page = move || {
        query
            .with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()))
            .unwrap_or(0)
    };
    let data = Resource::new(
        move || (filter(), page()),
        |(status, page)| mail_listing(status, Some(page)),
    );
    let link = move |status: Option<&str>, page: u64| {
        let mut href = String::from("/organiser/mail");
        let mut sep = '?';
        if let Some(s) = status {
            href.push_str(&format!("{sep}status={s}"));
            sep = '&';
        }
        if page > 0 {
            href.push_str(&format!("{sep}page={page}"));
        }
        href
    };
    view! {
        <section class="panel">
            <p><a href="/organiser">{t(Key::NavOrganiser)}</a></p>
            <h1>{t(Key::MailTitle)}</h1>
            <p>{t(Key::MailIntro)}</p>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    let current = filter();
                    match data.await {
                        Ok(p) => {
                            let total: u64 = p.counts.iter().map(|(_, n)| n).sum();
                            let tabs = std::iter::once((None, total))
                                .chain(p.counts.iter().map(|(s, n)| (Some(s.clone()), *n)))
                                .map(|(s, n)| {
                                    let key = s.as_deref().map(status_key).unwrap_or(Key::MailStatusAll);
                                    let active = s == current;
                                    let href = link(s.as_deref(), 0);
                                    view! {
                                        <li>
                                            <a href=href aria-current=active.then_some("page") class:tab--active=active>
                                                {move || tr(locale.get(), key)} " (" {move || format::integer(n as i64, locale.get())} ")"
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view();
                            let rows = p.rows.iter().cloned().map(|m| {
                                let href = format!("/organiser/mail/{}", m.id);
                                let key = status_key(&m.status);
                                view! {
                                    <tr>
                                        <td>{move || format::datetime(m.created_at, format::DEFAULT_TIME_ZONE, locale.get())}</td>
                                        <td>{m.to_name.clone()} <br /> <span class="muted">{m.to_email.clone()}</span></td>
                                        <td><a href=href>{m.subject.clone()}</a></td>
                                        <td><span class=format!("badge badge--{}", m.status)>{t(key)}</span></td>
                                        <td>{m.attempts}</td>
                                    </tr>
                                }
                            }).collect_view();
                            let empty = p.rows.is_empty();
                            let older = p.has_more.then(|| link(current.as_deref(), p.page + 1));
                            let newer = (p.page > 0).then(|| link(current.as_deref(), p.page - 1));
                            view! {
                                <nav aria-label=t(Key::MailFilter)><ul class="tabs">{tabs}</ul></nav>
                                {if empty {
                                    view! { <p>{t(Key::MailEmpty)}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                            <table>
                                                <thead>
                                                    <tr>
                                                        <th scope="col">{t(Key::MailCreated)}</th>
                                                        <th scope="col">{t(Key::MailTo)}</th>
                                                        <th scope="col">{t(Key::MailSubject)}</th>
                                                        <th scope="col">{t(Key::TableStatus)}</th>
                                                        <th scope="col">{t(Key::MailAttempts)}</th>
                                                    </tr>
                                                </thead>
                                                <tbody>{rows}</tbody>
                                            </table>
                                        </div>
                                    }.into_any()
                                }}
                                <p class="pager">
                                    {newer.map(|h| view! { <a href=h>{t(Key::MailNewer)}</a> })}
                                    " "
                                    {older.map(|h| view! { <a href=h>{t(Key::MailOlder)}</a> })}
                                </p>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn MailDetail() -> impl IntoView {
    view! {
        <Title text=t(Key::MailTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <MailDetailContent />
        </RequireRole>
    }
}

#[component]
fn MailDetailContent() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let query = use_query_map();
    let retried = move || query.with(|q| q.get("retried").is_some());
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<uuid::Uuid>().ok()));
    let mail = Resource::new(id, |id| async move {
        match id {
            Some(id) => mail_one(id).await,
            None => Err(fairlink::ErrorCode::NotFound.into()),
        }
    });
    let retry = ServerAction::<MailRetry>::new();
    let error = action_error(retry);
    let when = move |at: chrono::DateTime<chrono::Utc>| {
        format::datetime(at, format::DEFAULT_TIME_ZONE, locale.get())
    };
    view! {
        <section class="panel">
            <p><a href="/organiser/mail">{t(Key::MailBack)}</a></p>
            <Show when=retried>
                <p class="alert alert--success" role="status">{t(Key::MailRetried)}</p>
            </Show>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match mail.await {
                        Ok(m) => {
                            let dead = m.status == "dead";
                            let key = status_key(&m.status);
                            let id = m.id.to_string();
                            view! {
                                <h1>{m.subject.clone()}</h1>
                                <dl class="facts facts--stacked">
                                    <div><dt>{t(Key::MailTo)}</dt><dd>{format!("{} <{}>", m.to_name, m.to_email)}</dd></div>
                                    <div><dt>{t(Key::TableStatus)}</dt><dd><span class=format!("badge badge--{}", m.status)>{t(key)}</span></dd></div>
                                    <div><dt>{t(Key::MailCreated)}</dt><dd>{move || when(m.created_at)}</dd></div>
                                    <div><dt>{t(Key::MailAttempts)}</dt><dd>{m.attempts}</dd></div>
                                    {m.sent_at.map(|at| view! { <div><dt>{t(Key::MailSentAt)}</dt><dd>{move || when(at)}</dd></div> })}
                                    {(m.status == "queued").then(|| view! { <div><dt>{t(Key::MailNextAttempt)}</dt><dd>{move || when(m.next_attempt_at)}</dd></div> })}
                                    {m.last_error.clone().map(|e| view! { <div><dt>{t(Key::MailLastError)}</dt><dd><code>{e}</code></dd></div> })}
                                </dl>
                                {dead.then(|| view! {
                                    <ActionForm action=retry attr:class="form">
                                        <FormAlert error=error />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <button type="submit" class="button button--primary">{t(Key::MailRetry)}</button>
                                    </ActionForm>
                                })}
                                <pre class="mail-text">{m.text_body.clone()}</pre>
                            }.into_any()
                        }
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::api::ctx::set_page_status(e.code.http_status());
                            view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
