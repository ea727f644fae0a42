//! The public catalogue of exhibitors and each firm's page. A GET form:
//! searching works without JavaScript and every result page has an address.

use crate::api::firms::{Card, catalogue, get_firm};
use crate::components::firm_view::{FirmProfile, options, sector_key, sector_options, term};
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use fairlink::Locale;
use fairlink::firms::vocabulary::{CERTIFICATES, MARKETS, PROVINCES};
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Params {
    q: String,
    sector: String,
    certificate: String,
    market: String,
    province: String,
    sort: String,
    page: u64,
}

impl Params {
    fn href(&self, page: u64) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("sector", &self.sector),
            ("certificate", &self.certificate),
            ("market", &self.market),
            ("province", &self.province),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={}", encode(v)));
            }
        }
        if page > 0 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/exhibitors".to_string()
        } else {
            format!("/exhibitors?{}", parts.join("&"))
        }
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[component]
pub fn Catalogue() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            let get = |k: &str| q.get(k).unwrap_or_default();
            Params {
                q: get("q"),
                sector: get("sector"),
                certificate: get("certificate"),
                market: get("market"),
                province: get("province"),
                sort: get("sort"),
                page: get("page").parse().unwrap_or(0),
            }
        })
    };
    let results = Resource::new(params, |p| {
        catalogue(
            p.q,
            p.sector,
            p.certificate,
            p.market,
            p.province,
            p.sort,
            p.page,
        )
    });
    let p = params();
    let lang = locale.get_untracked();
    let certificate_options: Vec<(String, String)> = options(CERTIFICATES, lang)
        .into_iter()
        .filter(|(c, _)| c != "other")
        .collect();
    let sort_options = vec![
        (
            "name".to_string(),
            tr(lang, Key::CatalogueSortName).to_string(),
        ),
        (
            "newest".to_string(),
            tr(lang, Key::CatalogueSortNewest).to_string(),
        ),
        (
            "size".to_string(),
            tr(lang, Key::CatalogueSortSize).to_string(),
        ),
    ];
    view! {
        <Title text=t(Key::CatalogueTitle) />
        <section class="panel">
            <h1>{t(Key::CatalogueTitle)}</h1>
            <p>{t(Key::CatalogueIntro)}</p>
            <form method="get" action="/exhibitors" class="search-form" role="search">
                <div class="field search-form__text">
                    <label for="f-q">{t(Key::CatalogueSearch)}</label>
                    <input id="f-q" type="search" name="q" value=p.q.clone() placeholder=t(Key::CatalogueSearchHint) />
                </div>
                <crate::components::forms::Select name="sector" label=Key::CatalogueSector options=sector_options(lang) empty=Key::CatalogueAny value=p.sector.clone() />
                <crate::components::forms::Select name="certificate" label=Key::CatalogueCertificate options=certificate_options empty=Key::CatalogueAny value=p.certificate.clone() />
                <crate::components::forms::Select name="market" label=Key::CatalogueMarket options=options(MARKETS, lang) empty=Key::CatalogueAny value=p.market.clone() />
                <crate::components::forms::Select name="province" label=Key::CatalogueProvince options=options(PROVINCES, lang) empty=Key::CatalogueAny value=p.province.clone() />
                <crate::components::forms::Select name="sort" label=Key::CatalogueSort options=sort_options value=p.sort.clone() />
                <button type="submit" class="button button--primary">{t(Key::CatalogueSubmit)}</button>
            </form>
        </section>
        <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
            {move || Suspend::new(async move {
                let p = params();
                match results.await {
                    Ok(r) => {
                        let pages = r.total.div_ceil(r.page_size.max(1));
                        let newer = (r.page > 0).then(|| p.href(r.page - 1));
                        let older = (r.page + 1 < pages).then(|| p.href(r.page + 1));
                        let total = r.total;
                        let shown = move || tr_args(locale.get(), Key::CatalogueFound, &[("count", &format::integer(total as i64, locale.get()))]);
                        let page_of = move || tr_args(
                            locale.get(),
                            Key::CataloguePage,
                            &[("page", &(r.page + 1).to_string()), ("pages", &pages.max(1).to_string())],
                        );
                        let cards = r.cards.into_iter().map(|c| view! { <FirmCard card=c /> }).collect_view();
                        view! {
                            <p class="results-count" role="status">{shown}</p>
                            <ul class="cards">{cards}</ul>
                            <nav class="pager" aria-label=t(Key::CataloguePages)>
                                {newer.map(|h| view! { <a href=h rel="prev">{t(Key::CataloguePrev)}</a> })}
                                <span>{page_of}</span>
                                {older.map(|h| view! { <a href=h rel="next">{t(Key::CatalogueNext)}</a> })}
                            </nav>
                        }
                        .into_any()
                    }
                    Err(e) => {
                        #[cfg(feature = "ssr")]
                        crate::api::ctx::set_page_status(e.code.http_status());
                        view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn FirmCard(card: Card) -> impl IntoView {
    let locale = use_locale();
    let Card {
        id,
        legal_name,
        name_en,
        sector_group,
        province,
        certificates,
        markets,
        products_vi,
        products_en,
        logo,
        ..
    } = card;
    let name = move || {
        if locale.get() == Locale::En {
            name_en.clone()
        } else {
            legal_name.clone()
        }
    };
    let products = move || {
        if locale.get() == Locale::En {
            products_en.join(", ")
        } else {
            products_vi.join(", ")
        }
    };
    view! {
        <li class="card">
            {logo.map(|l| view! { <img class="card__logo" src=format!("/files/{l}") alt="" width="48" height="48" /> })}
            <h2 class="card__title"><a href=format!("/exhibitors/{id}")>{name}</a></h2>
            <p class="muted">{t(sector_key(&sector_group))} " · " {term(PROVINCES, province)}</p>
            <p class="card__products">{products}</p>
            <ul class="tags">
                {certificates.into_iter().map(|c| view! { <li class="tag--certified">"✓ " {term(CERTIFICATES, c)}</li> }).collect_view()}
            </ul>
            <p class="muted card__markets">
                {move || markets.iter().map(|m| fairlink::firms::vocabulary::label(MARKETS, m, locale.get())).collect::<Vec<_>>().join(" · ")}
            </p>
        </li>
    }
}

#[component]
pub fn FirmPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<uuid::Uuid>().ok()));
    let firm = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_firm(id).await,
            None => Err(fairlink::ErrorCode::NotFound.into()),
        }
    });
    view! {
        <section class="panel">
            <p><a href="/exhibitors">{t(Key::CatalogueBack)}</a></p>
            <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
                {move || Suspend::new(async move {
                    match firm.await {
                        Ok(f) => {
                            let title = if locale.get_untracked() == Locale::En { f.name_en.clone() } else { f.legal_name.clone() };
                            view! {
                                <Title text=title />
                                <FirmProfile firm=f />
                            }
                            .into_any()
                        }
                        Err(e) => {
                            #[cfg(feature = "ssr")]
                            crate::api::ctx::set_page_status(e.code.http_status());
                            view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
