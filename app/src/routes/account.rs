//! The signed-in user's own page: who they are, their password.

use crate::api::auth::ChangePassword;
use crate::components::forms::{Field, FormAlert, Submit, action_error};
use crate::components::guard::RequireRole;
use crate::i18n::{Key, t, tr, use_locale};
use crate::use_session;
use fairlink::accounts::Role;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn role_key(role: Role) -> Key {
    match role {
        Role::Organiser => Key::RoleOrganiser,
        Role::Exhibitor => Key::RoleExhibitor,
        Role::Visitor => Key::RoleVisitor,
        Role::Staff => Key::RoleStaff,
    }
}

#[component]
pub fn Account() -> impl IntoView {
    view! {
        <Title text=t(Key::AccountTitle) />
        <RequireRole roles=&Role::ALL>
            <AccountContent />
        </RequireRole>
    }
}

#[component]
fn AccountContent() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let action = ServerAction::<ChangePassword>::new();
    let error = action_error(action);
    let query = use_query_map();
    let changed = move || query.with(|q| q.get("changed").is_some() || q.get("reset").is_some());
    let verified = move || query.with(|q| q.get("verified").is_some());
    let user = move || session.0.get();
    view! {
        <section class="panel panel--narrow">
            <h1>{t(Key::AccountTitle)}</h1>
            {move || user().map(|u| view! {
                <dl class="facts facts--stacked">
                    <div><dt>{t(Key::FieldName)}</dt><dd>{u.name.clone()}</dd></div>
                    <div><dt>{t(Key::FieldEmail)}</dt><dd>{u.email.clone()}</dd></div>
                    <div><dt>{t(Key::AccountRole)}</dt><dd>{move || tr(locale.get(), role_key(u.role))}</dd></div>
                    <div>
                        <dt>{t(Key::AccountEmailStatus)}</dt>
                        <dd>{t(if u.email_verified { Key::AccountEmailVerified } else { Key::AccountEmailUnverified })}</dd>
                    </div>
                </dl>
                {(!u.email_verified).then(|| view! { <ResendVerification /> })}
                {(u.role == Role::Staff).then(|| view! { <p class="note">{t(Key::AccountStaffNote)}</p> })}
                <ul class="link-list">
                    {matches!(u.role, Role::Staff | Role::Organiser).then(|| view! { <li><a href="/scan">{t(Key::ScanTitle)}</a></li> })}
                    {(u.role == Role::Exhibitor).then(|| view! { <li><a href="/firm/leads">{t(Key::LeadsTitle)}</a></li> })}
                    <li><a href="/badges">{t(Key::BadgesTitle)}</a></li>
                </ul>
            })}
        </section>
        <section class="panel panel--narrow">
            <h2>{t(Key::AccountChangePassword)}</h2>
            <Show when=changed>
                <p class="alert alert--success" role="status">{t(Key::AccountPasswordChanged)}</p>
            </Show>
            <Show when=verified>
                <p class="alert alert--success" role="status">{t(Key::VerifyDone)}</p>
            </Show>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=error />
                <Field
                    name="current_password"
                    label=Key::FieldCurrentPassword
                    kind="password"
                    autocomplete="current-password"
                    error=error
                />
                <Field
                    name="new_password"
                    label=Key::FieldNewPassword
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::FieldPasswordHint
                    error=error
                />
                <Submit label=Key::AccountChangePassword />
            </ActionForm>
        </section>
    }
}

/// Sends the mail confirming the reader's address again.
#[component]
pub fn ResendVerification() -> impl IntoView {
    let action = ServerAction::<crate::api::auth::ResendVerification>::new();
    let error = action_error(action);
    let query = use_query_map();
    let resent = move || query.with(|q| q.get("resent").is_some());
    view! {
        <Show
            when=resent
            fallback=move || view! {
                <ActionForm action=action attr:class="form">
                    <FormAlert error=error />
                    <button type="submit" class="button">{t(Key::AccountResend)}</button>
                </ActionForm>
            }
        >
            <p class="alert alert--success" role="status">{t(Key::AccountResent)}</p>
        </Show>
    }
}
