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
            <p class="form__aside"><a href="/forgot">{t(Key::LoginForgot)}</a></p>
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

#[component]
pub fn Forgot() -> impl IntoView {
    let action = ServerAction::<crate::api::auth::ForgotPassword>::new();
    let error = action_error(action);
    let query = use_query_map();
    let sent = move || query.with(|q| q.get("sent").is_some());
    view! {
        <Title text=t(Key::ForgotTitle) />
        <section class="panel panel--narrow">
            <h1>{t(Key::ForgotTitle)}</h1>
            <Show
                when=sent
                fallback=move || view! {
                    <p>{t(Key::ForgotIntro)}</p>
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormAlert error=error />
                        <Field name="email" label=Key::FieldEmail kind="email" autocomplete="email" error=error />
                        <Submit label=Key::ForgotSubmit />
                    </ActionForm>
                }
            >
                <p class="alert alert--success" role="status">{t(Key::ForgotSent)}</p>
            </Show>
        </section>
    }
}

/// A page reached from a link in a mail: checks the link first, then shows
/// its form (or why the link no longer works).
#[component]
fn LinkPage(purpose: &'static str, title: Key, children: ChildrenFn) -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let check = Resource::new(token, move |token| {
        crate::api::auth::check_link(token, purpose.to_string())
    });
    let locale = use_locale();
    let children = StoredValue::new(children);
    view! {
        <Title text=t(title) />
        <section class="panel panel--narrow">
            <h1>{t(title)}</h1>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(()) => children.with_value(|c| c()).into_any(),
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

#[component]
pub fn Reset() -> impl IntoView {
    let action = ServerAction::<crate::api::auth::ResetPassword>::new();
    let error = action_error(action);
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    view! {
        <LinkPage purpose="reset" title=Key::ResetTitle>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert error=error />
                <input type="hidden" name="token" value=token />
                <Field
                    name="password"
                    label=Key::FieldNewPassword
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::FieldPasswordHint
                    error=error
                />
                <Submit label=Key::ResetSubmit />
            </ActionForm>
        </LinkPage>
    }
}

#[component]
pub fn Verify() -> impl IntoView {
    let action = ServerAction::<crate::api::auth::VerifyEmail>::new();
    let error = action_error(action);
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token")).unwrap_or_default();
    let query = use_query_map();
    // Done: back from the plain form post, or the script's call succeeded.
    let done = move || {
        query.with(|q| q.get("done").is_some()) || action.value().with(|v| matches!(v, Some(Ok(_))))
    };
    view! {
        <Show
            when=done
            fallback=move || view! {
                <LinkPage purpose="verify" title=Key::VerifyTitle>
                    <p>{t(Key::VerifyIntro)}</p>
                    <ActionForm action=action attr:class="form">
                        <FormAlert error=error />
                        <input type="hidden" name="token" value=token />
                        <Submit label=Key::VerifySubmit />
                    </ActionForm>
                </LinkPage>
            }
        >
            <Title text=t(Key::VerifyTitle) />
            <section class="panel panel--narrow">
                <h1>{t(Key::VerifyTitle)}</h1>
                <p class="alert alert--success" role="status">{t(Key::VerifyDone)}</p>
            </section>
        </Show>
    }
}
