//! Sign in, sign up, accept an invitation.

use crate::api::auth::{AcceptInvite as AcceptInviteFn, SignIn, SignUp, get_invite};
use crate::components::forms::{Field, FormAlert, Submit, action_error};
use crate::i18n::{Key, t, tr_args, use_locale};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn Login() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action);
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_default();
    view! {
        <Title text=t(Key::LoginTitle) />
        <section class="panel panel--narrow">
            <h1>{t(Key::LoginTitle)}</h1>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=error />
                <input type="hidden" name="next" value=next />
                <Field name="email" label=Key::FieldEmail kind="email" autocomplete="username" error=error />
                <Field
                    name="password"
                    label=Key::FieldPassword
                    kind="password"
                    autocomplete="current-password"
                    error=error
                />
                <Submit label=Key::LoginSubmit />
            </ActionForm>
            <p class="form__aside">
                {t(Key::LoginNoAccount)} " " <a href="/signup">{t(Key::NavSignUp)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn Signup() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = action_error(action);
    let query = use_query_map();
    let exhibitor = move || query.with(|q| q.get("role").as_deref() == Some("exhibitor"));
    let role_error = move || error.get().filter(|e| e.is_about("role"));
    let locale = use_locale();
    view! {
        <Title text=t(Key::SignupTitle) />
        <section class="panel panel--narrow">
            <h1>{t(Key::SignupTitle)}</h1>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=error />
                <fieldset class="choice">
                    <legend>{t(Key::SignupRole)}</legend>
                    <label>
                        <input type="radio" name="role" value="visitor" checked=move || !exhibitor() />
                        {t(Key::SignupRoleVisitor)}
                    </label>
                    <label>
                        <input type="radio" name="role" value="exhibitor" checked=exhibitor />
                        {t(Key::SignupRoleExhibitor)}
                    </label>
                    {move || role_error().map(|e| view! { <p class="field__error">{e.message(locale.get())}</p> })}
                </fieldset>
                <Field name="name" label=Key::FieldName autocomplete="name" error=error />
                <Field name="email" label=Key::FieldEmail kind="email" autocomplete="email" error=error />
                <Field
                    name="password"
                    label=Key::FieldPassword
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::FieldPasswordHint
                    error=error
                />
                <Submit label=Key::SignupSubmit />
            </ActionForm>
            <p class="form__aside">
                {t(Key::SignupHaveAccount)} " " <a href="/login">{t(Key::NavSignIn)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn AcceptInvite() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let invite = Resource::new(token, get_invite);
    let action = ServerAction::<AcceptInviteFn>::new();
    let error = action_error(action);
    let locale = use_locale();
    view! {
        <Title text=t(Key::InviteTitle) />
        <section class="panel panel--narrow">
            <h1>{t(Key::InviteTitle)}</h1>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match invite.await {
                        Ok(info) => view! {
                            <p>
                                {move || tr_args(
                                    locale.get(),
                                    Key::InviteIntro,
                                    &[("name", &info.name), ("email", &info.email)],
                                )}
                            </p>
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <FormAlert error=error />
                                <input type="hidden" name="token" value=token />
                                <Field
                                    name="password"
                                    label=Key::FieldPassword
                                    kind="password"
                                    autocomplete="new-password"
                                    hint=Key::FieldPasswordHint
                                    error=error
                                />
                                <Submit label=Key::InviteSubmit />
                            </ActionForm>
                        }
                        .into_any(),
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::api::ctx::set_page_status(e.code.http_status());
                            view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
