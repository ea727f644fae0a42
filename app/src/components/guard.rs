//! Pages for some roles only. The server functions behind them check the
//! role again: this only decides what the page shows (and its status).

use crate::i18n::{Key, t};
use crate::use_session;
use fairlink::accounts::Role;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn RequireRole(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || match session.0.get() {
        None => {
            #[cfg(feature = "ssr")]
            crate::api::ctx::set_page_status(401);
            let next = location.pathname.get_untracked();
            let href = format!("/login?next={}", encode_path(&next));
            EitherOf3::A(view! {
                <section class="panel panel--narrow">
                    <p class="alert" role="alert">{t(Key::GuardSignInNeeded)}</p>
                    <a class="button button--primary" href=href>{t(Key::NavSignIn)}</a>
                </section>
            })
        }
        Some(user) if !roles.contains(&user.role) => {
            #[cfg(feature = "ssr")]
            crate::api::ctx::set_page_status(403);
            EitherOf3::B(view! {
                <section class="panel panel--narrow">
                    <p class="alert alert--error" role="alert">{t(Key::GuardForbidden)}</p>
                </section>
            })
        }
        Some(_) => EitherOf3::C(children()),
    }
}

/// Percent-encodes what a path may not carry inside a query value.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
