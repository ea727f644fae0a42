//! Links to the pages before and after in a paged list.

use crate::i18n::{Key, t};
use leptos::prelude::*;

/// "‹ Previous" and "Next ›" (nothing when the list has one page).
#[component]
pub fn Pager(newer: Option<String>, older: Option<String>) -> impl IntoView {
    (newer.is_some() || older.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label=t(Key::CataloguePages)>
                {newer.map(|h| view! { <a href=h rel="prev">{t(Key::CataloguePrev)}</a> })}
                " "
                {older.map(|h| view! { <a href=h rel="next">{t(Key::CatalogueNext)}</a> })}
            </nav>
        }
    })
}
