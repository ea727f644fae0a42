//! The organiser's dashboard: figures, and inviting door staff.

use crate::api::admin::{
    InviteCreated, InviteStaff, InviteState, dashboard_figures, invite_link, list_invites,
};
use crate::components::forms::{Field, FormAlert, Submit, action_error};
use crate::components::guard::RequireRole;
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use crate::routes::account::role_key;
use fairlink::accounts::Role;
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Organiser() -> impl IntoView {
    view! {
        <Title text=t(Key::OrganiserTitle) />
        <RequireRole roles=&[Role::Organiser]>
            <Dashboard />
        </RequireRole>
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let locale = use_locale();
    let figures = Resource::new(|| (), |_| dashboard_figures());
    let invite = ServerAction::<InviteStaff>::new();
    let invites = Resource::new(|| (), |_| list_invites());
    let error = action_error(invite);
    let query = use_query_map();
    // After the form post, the new invitation's token comes back in the address.
    let from_query = Resource::new(
        move || query.with(|q| q.get("invite")),
        |token| async move {
            match token {
                Some(token) => invite_link(token).await.ok(),
                None => None,
            }
        },
    );
    let number = move |n: u64| format::integer(n as i64, locale.get());

    view! {
        <section class="panel">
            <crate::routes::review::OrganiserNav />
            <h1>{t(Key::OrganiserTitle)}</h1>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(o) => {
                            let accounts = o.accounts.into_iter().map(|(role, n)| view! {
                                <li><strong>{move || number(n)}</strong><span>{move || tr(locale.get(), role_key(role))}</span></li>
                            }).collect_view();
                            view! {
                                <h2>{t(Key::OrganiserAccounts)}</h2>
                                <ul class="stats__list">{accounts}</ul>
                                <h2>{t(Key::OrganiserFirms)}</h2>
                                <ul class="stats__list">
                                    <li><strong>{move || number(o.firms_approved)}</strong><span>{t(Key::OrganiserFirmsApproved)}</span></li>
                                    <li><strong>{move || number(o.firms_certified)}</strong><span>{t(Key::OrganiserFirmsCertified)}</span></li>
                                </ul>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="panel">
            <h2>{t(Key::OrganiserInviteTitle)}</h2>
            {move || {
                let created: Option<InviteCreated> = from_query.get().flatten();
                created.map(|c| view! {
                    <div class="alert alert--success" role="status">
                        <p>{tr_args(locale.get(), Key::OrganiserInviteCreated, &[("name", &c.name)])}</p>
                        <p><code class="invite-link">{c.link.clone()}</code></p>
                    </div>
                })
            }}
            <ActionForm action=invite attr:class="form form--inline" attr:novalidate=true>
                <FormAlert error=error />
                <Field name="name" label=Key::FieldName autocomplete="off" error=error />
                <Field name="email" label=Key::FieldEmail kind="email" autocomplete="off" error=error />
                <Submit label=Key::OrganiserInviteSubmit />
            </ActionForm>
            <h3>{t(Key::OrganiserInvites)}</h3>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match invites.await {
                        Ok(rows) if rows.is_empty() => view! { <p>{t(Key::OrganiserNoInvites)}</p> }.into_any(),
                        Ok(rows) => {
                            let body = rows.into_iter().map(|row| {
                                let state = match row.state {
                                    InviteState::Pending => Key::OrganiserInvitePending,
                                    InviteState::Accepted => Key::OrganiserInviteAccepted,
                                    InviteState::Expired => Key::OrganiserInviteExpired,
                                };
                                view! {
                                    <tr>
                                        <td>{row.name}</td>
                                        <td>{row.email}</td>
                                        <td>{t(state)}</td>
                                        <td>{move || format::datetime(row.sent_at, format::DEFAULT_TIME_ZONE, locale.get())}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap">
                                    <table>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t(Key::TableName)}</th>
                                                <th scope="col">{t(Key::TableEmail)}</th>
                                                <th scope="col">{t(Key::TableStatus)}</th>
                                                <th scope="col">{t(Key::TableSent)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{body}</tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
