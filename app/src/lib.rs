//! Fairlink's user interface: pages rendered on the server as plain HTML
//! whose forms post to server functions, with small interactive islands
//! hydrated in the browser. Everything works without JavaScript; islands
//! add what only a script can do.

pub mod api;
pub mod components;
pub mod i18n;
pub mod islands;
pub mod routes;

use components::layout::Layout;
use fairlink::accounts::SessionUser;
use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The signed-in user, for every component.
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<Option<SessionUser>>);

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session(RwSignal::new(None)))
}

/// The HTML document around the app (server side).
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = api::ctx::request().locale.as_str();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="stylesheet" href="/pkg/fairlink.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The pages. Rendered on the server only: in the browser just the islands
/// inside them come alive.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    let (locale, user) = {
        let info = api::ctx::request();
        (info.locale, info.user)
    };
    #[cfg(not(feature = "ssr"))]
    let (locale, user) = (fairlink::Locale::default(), None::<SessionUser>);
    provide_context(RwSignal::new(locale));
    provide_context(Session(RwSignal::new(user)));

    view! {
        <Title formatter=components::page_title />
        <Router>
            <Layout>
                <Routes fallback=routes::not_found::NotFound>
                    <Route path=path!("/") view=routes::home::Home ssr=SsrMode::Async />
                    <Route path=path!("/login") view=routes::auth::Login />
                    <Route path=path!("/signup") view=routes::auth::Signup />
                    <Route path=path!("/forgot") view=routes::auth::Forgot />
                    <Route path=path!("/reset/:token") view=routes::auth::Reset ssr=SsrMode::Async />
                    <Route path=path!("/verify/:token") view=routes::auth::Verify ssr=SsrMode::Async />
                    <Route path=path!("/account") view=routes::account::Account />
                    <Route
                        path=path!("/organiser")
                        view=routes::organiser::Organiser
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/exhibitors") view=routes::catalogue::Catalogue ssr=SsrMode::Async />
                    <Route path=path!("/exhibitors/:id") view=routes::catalogue::FirmPage ssr=SsrMode::Async />
                    <Route path=path!("/firm") view=routes::firm::MyFirmPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/firms") view=routes::review::FirmQueue ssr=SsrMode::Async />
                    <Route path=path!("/organiser/firms/:id") view=routes::review::FirmReview ssr=SsrMode::Async />
                    <Route path=path!("/organiser/figures") view=routes::review::FiguresPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/import") view=routes::review::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/mail") view=routes::mail::MailList ssr=SsrMode::Async />
                    <Route
                        path=path!("/organiser/mail/:id")
                        view=routes::mail::MailDetail
                        ssr=SsrMode::Async
                    />
                    <Route path=path!("/fairs/:slug/plan") view=routes::booths::PlanPage ssr=SsrMode::Async />
                    <Route path=path!("/fairs/:slug/booths") view=routes::booths::BoothListPage ssr=SsrMode::Async />
                    <Route path=path!("/bookings") view=routes::booths::BookingsPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs") view=routes::fairs::FairsPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug") view=routes::fairs::FairSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/halls/:code") view=routes::fairs::HallPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/bookings") view=routes::fairs::FairBookingsPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/allocation") view=routes::fairs::AllocationPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/figures") view=routes::fairs::BoothFiguresPage ssr=SsrMode::Async />
                    <Route path=path!("/badges") view=routes::badges::MyBadgesPage ssr=SsrMode::Async />
                    <Route path=path!("/scan") view=routes::badges::ScanIndexPage ssr=SsrMode::Async />
                    <Route path=path!("/fairs/:slug/register") view=routes::badges::RegisterPage ssr=SsrMode::Async />
                    <Route path=path!("/fairs/:slug/scan") view=routes::badges::ScannerPage ssr=SsrMode::Async />
                    <Route path=path!("/fairs/:slug/staff") view=routes::badges::StaffBadgesPage ssr=SsrMode::Async />
                    <Route path=path!("/firm/leads") view=routes::badges::LeadsPage ssr=SsrMode::Async />
                    <Route path=path!("/fairs/:slug/meetings") view=routes::meetings::MeetingsPage ssr=SsrMode::Async />
                    <Route path=path!("/fairs/:slug/agenda") view=routes::meetings::AgendaPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/meetings") view=routes::meetings::ProgrammePage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/badges") view=routes::badges::BadgeDeskPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/fairs/:slug/live") view=routes::badges::LivePage ssr=SsrMode::Async />
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

/// The browser's entry point: brings the islands to life.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Mark the page live (end-to-end tests wait for it before they interact).
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
