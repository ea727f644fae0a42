//! Form pieces: labelled fields that show their own errors, an alert for
//! errors that belong to no field, a submit button that shows progress.

use crate::api::AppError;
use crate::i18n::{Key, t, use_locale};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The error of an action's last run, if it failed.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    })
}

#[component]
pub fn Field(
    /// The input's name: the server function's argument.
    name: &'static str,
    label: Key,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<Key>,
    #[prop(default = true)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    let id = format!("f-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let mine = move || error.get().filter(|e| e.is_about(name));
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if mine().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field--invalid=move || mine().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                value=value
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="field__hint" id=hint_id>{t(h)}</p> })}
            {move || {
                mine().map(|e| view! {
                    <p class="field__error" id=error_id.clone()>{e.message(locale.get())}</p>
                })
            }}
        </div>
    }
}

/// Errors that concern no single field.
#[component]
pub fn FormAlert(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let locale = use_locale();
    move || {
        error.get().filter(|e| e.field.is_none()).map(|e| {
            view! {
                <p class="alert alert--error" role="alert">{e.message(locale.get())}</p>
            }
        })
    }
}

#[component]
pub fn Submit(label: Key) -> impl IntoView {
    view! { <button type="submit" class="button button--primary">{t(label)}</button> }
}

/// A multi-line text field.
#[component]
pub fn TextArea(
    name: &'static str,
    label: Key,
    #[prop(optional)] hint: Option<Key>,
    #[prop(default = false)] required: bool,
    #[prop(optional, into)] value: Option<String>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    let id = format!("f-{name}");
    let hint_id = format!("{id}-hint");
    let mine = move || error.get().filter(|e| e.is_about(name));
    view! {
        <div class="field" class:field--invalid=move || mine().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <textarea
                id=id
                name=name
                rows="4"
                required=required
                aria-invalid=move || mine().is_some().then_some("true")
                aria-describedby=hint.map(|_| hint_id.clone())
            >
                {super::server_text(&value.unwrap_or_default())}
            </textarea>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{t(h)}</p> })}
            {move || mine().map(|e| view! { <p class="field__error">{e.message(locale.get())}</p> })}
        </div>
    }
}

/// A choice from a list of (value, label) options, with an empty "any" or
/// "choose" option first when `empty` is given.
#[component]
pub fn Select(
    name: &'static str,
    label: Key,
    options: Vec<(String, String)>,
    #[prop(optional)] empty: Option<Key>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] error: Option<Signal<Option<AppError>>>,
) -> impl IntoView {
    let locale = use_locale();
    let id = format!("f-{name}");
    let current = value.unwrap_or_default();
    let mine = move || error.and_then(|e| e.get()).filter(|e| e.is_about(name));
    view! {
        <div class="field" class:field--invalid=move || mine().is_some()>
            <label for=id.clone()>{t(label)}</label>
            <select id=id name=name aria-invalid=move || mine().is_some().then_some("true")>
                {empty.map(|k| view! { <option value="">{t(k)}</option> })}
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == current;
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect_view()}
            </select>
            {move || mine().map(|e| view! { <p class="field__error">{e.message(locale.get())}</p> })}
        </div>
    }
}

/// The outcome a plain form route put in the address (`?error=code&field=f`
/// or `?saved=what`), as an error for the forms on the page.
pub fn query_error() -> Signal<Option<AppError>> {
    let query = leptos_router::hooks::use_query_map();
    Signal::derive(move || {
        query.with(|q| {
            q.get("error").map(|code| AppError {
                code: fairlink::ErrorCode::parse(&code).unwrap_or(fairlink::ErrorCode::BadRequest),
                field: q.get("field"),
                retry_after: None,
            })
        })
    })
}

/// The error of an action, or else the one in the address.
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let from_action = action_error(action);
    let from_query = query_error();
    Signal::derive(move || from_action.get().or_else(|| from_query.get()))
}
