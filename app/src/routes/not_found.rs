use crate::i18n::{Key, t};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::api::ctx::set_page_status(404);
    view! {
        <Title text=t(Key::NotfoundTitle) />
        <section class="panel panel--narrow">
            <h1>{t(Key::NotfoundTitle)}</h1>
            <p>{t(Key::NotfoundBody)}</p>
            <a class="button" href="/">{t(Key::NotfoundHome)}</a>
        </section>
    }
}
