//! Fairlink's user interface: pages rendered on the server, hydrated in the
//! browser, working without JavaScript too (every form posts to its server
//! function).

pub mod api;
pub mod components;
pub mod i18n;
pub mod routes;

use components::layout::Layout;
use fairlink::Locale;
use fairlink::accounts::SessionUser;
use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};
use serde::{Deserialize, Serialize};

/// What the server tells the page before it hydrates: the language and who
/// is signed in. Written into the HTML as JSON, read back by `hydrate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boot {
    pub locale: Locale,
    pub user: Option<SessionUser>,
}

/// The signed-in user, for every component.
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<Option<SessionUser>>);

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session(RwSignal::new(None)))
}

pub const BOOT_ELEMENT_ID: &str = "fl-boot";

/// JSON that is safe inside a `<script>` element.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
fn boot_json(boot: &Boot) -> String {
    serde_json::to_string(boot)
        .unwrap_or_else(|_| "{}".to_string())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(feature = "ssr")]
fn server_boot() -> Boot {
    let info = api::ctx::request();
    Boot {
        locale: info.locale,
        user: info.user,
    }
}

/// The HTML document around the app (server side).
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let boot = server_boot();
    let lang = boot.locale.as_str();
    let json = boot_json(&boot);
    provide_context(boot);
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="stylesheet" href="/pkg/fairlink.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <script type="application/json" id=BOOT_ELEMENT_ID inner_html=json></script>
                <HydrationScripts options />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let boot = use_context::<Boot>().unwrap_or_default();
    let locale = RwSignal::new(boot.locale);
    provide_context(locale);
    provide_context(Session(RwSignal::new(boot.user)));
    // Effects run only in the browser, after hydration: mark the page live
    // (end-to-end tests wait for it before they interact).
    Effect::new(|_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Fairlink".to_string() } else { format!("{title} · Fairlink") }
        } />
        <Router>
            <Layout>
                <Routes fallback=routes::not_found::NotFound>
                    <Route path=path!("/") view=routes::home::Home ssr=SsrMode::Async />
                    <Route path=path!("/login") view=routes::auth::Login />
                    <Route path=path!("/signup") view=routes::auth::Signup />
                    <Route path=path!("/account") view=routes::account::Account />
                    <Route
                        path=path!("/organiser")
                        view=routes::organiser::Organiser
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=path!("/invite/:token")
                        view=routes::auth::AcceptInvite
                        ssr=SsrMode::Async
                    />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The browser's entry point: reads the boot data and hydrates the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let boot = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(BOOT_ELEMENT_ID))
        .and_then(|e| e.text_content())
        .and_then(|text| serde_json::from_str::<Boot>(&text).ok())
        .unwrap_or_default();
    leptos::mount::hydrate_body(move || {
        provide_context(boot);
        view! { <App /> }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_json_cannot_close_its_script() {
        let boot = Boot {
            locale: Locale::En,
            user: Some(SessionUser {
                id: uuid::Uuid::nil(),
                email: "a@b.vn".into(),
                name: "</script><script>alert(1)</script>".into(),
                role: fairlink::accounts::Role::Visitor,
                locale: Locale::En,
            }),
        };
        let json = boot_json(&boot);
        assert!(!json.contains('<'));
        let back: Boot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, boot);
    }
}
