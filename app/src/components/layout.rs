//! The frame around every page: header with navigation, language switch and
//! sign-out; the main area; the footer.

use crate::api::auth::{SetLocale, SignOut};
use crate::i18n::{Key, t, use_locale};
use crate::use_session;
use fairlink::accounts::Role;
use leptos::prelude::*;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_session();
    let signed_in = move || session.0.with(|u| u.is_some());
    let is_organiser = move || {
        session
            .0
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::Organiser))
    };
    let is_exhibitor = move || {
        session
            .0
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::Exhibitor))
    };

    view! {
        <a class="skip-link" href="#main">{t(Key::NavSkip)}</a>
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true">"F"</span>
                    <span class="brand__name">{t(Key::AppName)}</span>
                </a>
                <nav class="site-nav" aria-label=t(Key::NavMain)>
                    <ul>
                        <li><a href="/">{t(Key::NavHome)}</a></li>
                        <li><a href="/exhibitors">{t(Key::NavExhibitors)}</a></li>
                        <Show when=is_exhibitor>
                            <li><a href="/firm">{t(Key::NavMyFirm)}</a></li>
                            <li><a href="/bookings">{t(Key::NavBooths)}</a></li>
                        </Show>
                        <Show when=is_organiser>
                            <li><a href="/organiser">{t(Key::NavOrganiser)}</a></li>
                        </Show>
                        <Show
                            when=signed_in
                            fallback=|| view! {
                                <li><a href="/login">{t(Key::NavSignIn)}</a></li>
                                <li><a class="button button--small" href="/signup">{t(Key::NavSignUp)}</a></li>
                            }
                        >
                            <li><a href="/account">{t(Key::NavAccount)}</a></li>
                            <li><SignOutButton /></li>
                        </Show>
                    </ul>
                </nav>
                <LanguageSwitch />
            </div>
        </header>
        <main id="main" class="site-main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>{t(Key::FooterTagline)}</p>
        </footer>
    }
}

/// One button that switches to the other language: a form post; the page
/// comes back in the new language, and the choice sticks (cookie, and the
/// account for signed-in users).
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    let action = ServerAction::<SetLocale>::new();
    view! {
        <ActionForm action=action attr:class="lang-switch">
            <input type="hidden" name="locale" value=move || locale.get().other().as_str() />
            <button
                type="submit"
                class="lang-switch__button"
                aria-label=t(Key::LangSwitchHint)
                lang=move || locale.get().other().as_str()
            >
                {t(Key::LangOther)}
            </button>
        </ActionForm>
    }
}

#[component]
pub fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=action attr:class="inline-form">
            <button type="submit" class="link-button">{t(Key::NavSignOut)}</button>
        </ActionForm>
    }
}
