//! The home page: the featured fair, its figures and sector groups.

use crate::api::public::{HomeData, home_figures};
use crate::i18n::{Key, t, tr, tr_args, use_locale};
use crate::islands::{ScheduleDay, ScheduleToggle};
use crate::use_session;
use fairlink::firms::SectorGroup;
use fairlink::format;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Home() -> impl IntoView {
    let data = Resource::new(|| (), |_| home_figures());
    view! {
        <Title text=t(Key::HomeTitle) />
        <Suspense fallback=|| view! { <p class="loading">{t(Key::CommonLoading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <HomeContent data=d /> }.into_any(),
                    Err(e) => {
                        let locale = use_locale();
                        view! { <p class="alert alert--error" role="alert">{move || e.message(locale.get())}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn sector_keys(group: SectorGroup) -> (Key, Key) {
    match group {
        SectorGroup::Components => (Key::SectorComponents, Key::SectorComponentsDesc),
        SectorGroup::TextileLeather => (Key::SectorTextileLeather, Key::SectorTextileLeatherDesc),
        SectorGroup::HighTech => (Key::SectorHighTech, Key::SectorHighTechDesc),
    }
}

#[component]
fn HomeContent(data: HomeData) -> impl IntoView {
    let locale = use_locale();
    let session = use_session();
    let HomeData {
        fair,
        exhibitors,
        certified,
        by_sector,
        visitors,
    } = data;
    let Some(fair) = fair else {
        return view! { <section class="panel"><p>{t(Key::HomeNoFair)}</p></section> }.into_any();
    };
    let plan_href = format!("/fairs/{}/plan", fair.slug);
    let register_href = format!("/fairs/{}/register", fair.slug);
    let days = fair.days();
    let day_count = days.len();
    let fair_name = {
        let fair = fair.clone();
        move || fair.name(locale.get()).to_string()
    };
    let venue = {
        let fair = fair.clone();
        move || fair.venue(locale.get()).to_string()
    };
    let dates = {
        let fair = fair.clone();
        move || format::date_range(fair.starts_on, fair.ends_on, locale.get())
    };
    let hours = {
        let (open, close) = (format::time(fair.opens_at), format::time(fair.closes_at));
        move || {
            tr_args(
                locale.get(),
                Key::HomeHoursValue,
                &[("open", &open), ("close", &close)],
            )
        }
    };
    let number = move |n: u64| format::integer(n as i64, locale.get());
    let schedule = {
        let lang = locale.get_untracked();
        let span = format!(
            "{}–{}",
            format::time(fair.opens_at),
            format::time(fair.closes_at)
        );
        let days = days
            .into_iter()
            .map(|d| ScheduleDay {
                day: format::date_long(d, lang),
                hours: span.clone(),
            })
            .collect::<Vec<_>>();
        view! {
            <ScheduleToggle
                show_label=tr(lang, Key::HomeScheduleShow).to_string()
                hide_label=tr(lang, Key::HomeScheduleHide).to_string()
                days=days
            />
        }
    };
    let welcome = move || {
        session.0.get().map(|u| {
            view! { <p class="hero__welcome">{tr_args(locale.get(), Key::HomeWelcome, &[("name", &u.name)])}</p> }
        })
    };
    let sectors = by_sector
        .into_iter()
        .map(|(group, count)| {
            let (title, desc) = sector_keys(group);
            view! {
                <li class=format!("sector-card sector-card--{}", group.as_str())>
                    <h3>{t(title)}</h3>
                    <p>{t(desc)}</p>
                    <p class="sector-card__count">
                        {move || tr_args(locale.get(), Key::HomeSectorFirms, &[("count", &number(count))])}
                    </p>
                </li>
            }
        })
        .collect_view();

    view! {
        <section class="hero" aria-labelledby="fair-name">
            {welcome}
            <p class="hero__eyebrow">{t(Key::HomeEyebrow)}</p>
            <h1 id="fair-name">{fair_name}</h1>
            <p class="hero__lead">{t(Key::HomeLead)}</p>
            <dl class="facts">
                <div><dt>{t(Key::HomeDates)}</dt><dd>{dates}</dd></div>
                <div><dt>{t(Key::HomeHours)}</dt><dd>{hours}</dd></div>
                <div><dt>{t(Key::HomeVenue)}</dt><dd>{venue}</dd></div>
            </dl>
            <div class="hero__actions">
                <a class="button button--primary" href="/signup?role=visitor">{t(Key::HomeCtaVisitor)}</a>
                <a class="button" href="/signup?role=exhibitor">{t(Key::HomeCtaExhibitor)}</a>
                <a class="button" href=plan_href>{t(Key::HomePlan)}</a>
                <a class="button" href=register_href>{t(Key::RegisterTitle)}</a>
            </div>
            {schedule}
        </section>
        <section class="stats" aria-labelledby="stats-title">
            <h2 id="stats-title">{t(Key::HomeStatsTitle)}</h2>
            <ul class="stats__list">
                <li><strong>{move || number(exhibitors)}</strong><span>{t(Key::HomeStatExhibitors)}</span></li>
                <li><strong>{move || number(certified)}</strong><span>{t(Key::HomeStatCertified)}</span></li>
                <li><strong>{move || number(visitors)}</strong><span>{t(Key::HomeStatVisitors)}</span></li>
                <li><strong>{move || number(day_count as u64)}</strong><span>{t(Key::HomeStatDays)}</span></li>
            </ul>
        </section>
        <section class="sectors" aria-labelledby="sectors-title">
            <h2 id="sectors-title">{t(Key::HomeSectorsTitle)}</h2>
            <ul class="sectors__list">{sectors}</ul>
        </section>
    }
    .into_any()
}
