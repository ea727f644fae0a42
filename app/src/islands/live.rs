//! The organisers' live board: people inside now, entries per hour (a bar
//! chart), by gate, badge kind and area. Rendered on the server with the
//! figures of the moment; in the browser it follows a server-sent event
//! stream and redraws as the doors scan, without reloading.

use fairlink::badges::live::LiveCounts;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveLabels {
    pub inside: String,
    pub came: String,
    pub entries: String,
    pub exits: String,
    pub refused: String,
    pub conflicts: String,
    pub per_hour: String,
    pub by_gate: String,
    pub by_kind: String,
    pub by_area: String,
    pub gate: String,
    pub kind: String,
    pub area: String,
    pub updated: String,
    pub live: String,
    pub paused: String,
    pub kinds: Vec<(String, String)>,
    pub vi: bool,
}

fn grouped(n: i64, vi: bool) -> String {
    fairlink::format::integer(
        n,
        if vi {
            fairlink::Locale::Vi
        } else {
            fairlink::Locale::En
        },
    )
}

/// Bars for 24 hours, as SVG (hours with no entries at either end left out).
fn chart(per_hour: &[i64], title: &str) -> impl IntoView + use<> {
    let first = per_hour.iter().position(|n| *n > 0).unwrap_or(8).min(8);
    let last = per_hour.iter().rposition(|n| *n > 0).unwrap_or(17).max(17);
    let hours: Vec<(usize, i64)> = (first..=last.min(23))
        .map(|h| (h, per_hour.get(h).copied().unwrap_or(0)))
        .collect();
    let max = hours.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (bar, gap, height) = (28.0, 8.0, 160.0);
    let width = hours.len() as f64 * (bar + gap);
    let bars = hours
        .into_iter()
        .enumerate()
        .map(|(i, (h, n))| {
            let x = i as f64 * (bar + gap);
            let hgt = (n as f64 / max as f64) * (height - 30.0);
            let y = height - 20.0 - hgt;
            view! {
                <g class="chart__bar" data-hour=h.to_string() data-count=n.to_string()>
                    <rect x=x y=y width=bar height=hgt><title>{format!("{h:02}:00 — {n}")}</title></rect>
                    <text x=x + bar / 2.0 y=height - 6.0 text-anchor="middle">{format!("{h:02}")}</text>
                    {(n > 0).then(|| view! { <text x=x + bar / 2.0 y=y - 3.0 text-anchor="middle" class="chart__value">{n.to_string()}</text> })}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-label=title.to_string()>
            {bars}
        </svg>
    }
}

#[island]
pub fn LiveBoard(
    events: String,
    time_zone: String,
    counts: LiveCounts,
    labels: LiveLabels,
) -> impl IntoView {
    let counts = RwSignal::new(counts);
    let connected = RwSignal::new(false);
    let labels = StoredValue::new(labels);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        if let Ok(source) = web_sys::EventSource::new(&events) {
            let on_counts = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    if let Some(text) = ev.data().as_string()
                        && let Ok(c) = serde_json::from_str::<LiveCounts>(&text)
                    {
                        counts.set(c);
                        connected.set(true);
                    }
                },
            );
            let _ = source
                .add_event_listener_with_callback("counts", on_counts.as_ref().unchecked_ref());
            on_counts.forget();
            let on_error = Closure::<dyn FnMut()>::new(move || connected.set(false));
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            on_error.forget();
            let on_open = Closure::<dyn FnMut()>::new(move || connected.set(true));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            on_open.forget();
            on_cleanup(move || source.close());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = &events;
    let zone = fairlink::format::offset_or_default(&time_zone);
    let figure = move |value: fn(&LiveCounts) -> i64,
                       label: fn(&LiveLabels) -> &String,
                       class: &'static str| {
        view! {
            <li class=class>
                <strong data-figure=class>{move || labels.with_value(|l| grouped(counts.with(value), l.vi))}</strong>
                <span>{labels.with_value(|l| label(l).clone())}</span>
            </li>
        }
    };
    let figures = view! {
            <ul class="stats__list live__figures">
                {figure(|c| c.inside, |l| &l.inside, "inside")}
                {figure(|c| c.came, |l| &l.came, "came")}
                {figure(|c| c.entries, |l| &l.entries, "entries")}
                {figure(|c| c.exits, |l| &l.exits, "exits")}
                {figure(|c| c.refused, |l| &l.refused, "refused")}
                {figure(|c| c.conflicts, |l| &l.conflicts, "conflicts")}
            </ul>
    }
    .into_any();
    let tables = view! {
            <div class="live__tables">
                <div>
                    <h2>{labels.with_value(|l| l.by_gate.clone())}</h2>
                    <table class="table">
                        <thead><tr>
                            <th>{labels.with_value(|l| l.gate.clone())}</th>
                            <th>{labels.with_value(|l| l.entries.clone())}</th>
                            <th>{labels.with_value(|l| l.exits.clone())}</th>
                            <th>{labels.with_value(|l| l.refused.clone())}</th>
                        </tr></thead>
                        <tbody>
                            {move || counts.with(|c| c.by_gate.iter().map(|g| {
                                let vi = labels.with_value(|l| l.vi);
                                view! {
                                    <tr data-gate=g.code.clone()>
                                        <td>{format!("{} · {}", g.code, if vi { &g.name_vi } else { &g.name_en })}</td>
                                        <td>{grouped(g.entries, vi)}</td>
                                        <td>{grouped(g.exits, vi)}</td>
                                        <td>{grouped(g.refused, vi)}</td>
                                    </tr>
                                }
                            }).collect_view())}
                        </tbody>
                    </table>
                </div>
                <div>
                    <h2>{labels.with_value(|l| l.by_kind.clone())}</h2>
                    <table class="table">
                        <thead><tr>
                            <th>{labels.with_value(|l| l.kind.clone())}</th>
                            <th>{labels.with_value(|l| l.inside.clone())}</th>
                            <th>{labels.with_value(|l| l.came.clone())}</th>
                        </tr></thead>
                        <tbody>
                            {move || counts.with(|c| c.by_kind.iter().map(|k| {
                                let (name, vi) = labels.with_value(|l| (
                                    l.kinds.iter().find(|(c, _)| c == k.kind.as_str()).map(|(_, n)| n.clone()).unwrap_or_default(),
                                    l.vi,
                                ));
                                view! {
                                    <tr data-kind=k.kind.as_str()>
                                        <td>{name}</td>
                                        <td>{grouped(k.inside, vi)}</td>
                                        <td>{grouped(k.came, vi)}</td>
                                    </tr>
                                }
                            }).collect_view())}
                        </tbody>
                    </table>
                    <h2>{labels.with_value(|l| l.by_area.clone())}</h2>
                    <table class="table">
                        <thead><tr>
                            <th>{labels.with_value(|l| l.area.clone())}</th>
                            <th>{labels.with_value(|l| l.inside.clone())}</th>
                        </tr></thead>
                        <tbody>
                            {move || counts.with(|c| c.by_area.iter().map(|(a, n)| {
                                let vi = labels.with_value(|l| l.vi);
                                view! { <tr data-area=a.clone()><td>{a.clone()}</td><td>{grouped(*n, vi)}</td></tr> }
                            }).collect_view())}
                        </tbody>
                    </table>
                </div>
            </div>
    }
    .into_any();
    view! {
        <div class="live">
            <p class="live__status" role="status">
                <span class="live__dot" class:live__dot--on=move || connected.get()></span>
                {move || labels.with_value(|l| if connected.get() { l.live.clone() } else { l.paused.clone() })}
                " · "
                {move || labels.with_value(|l| {
                    let at = counts.with(|c| c.at.map(|t| t.with_timezone(&zone).format("%H:%M:%S").to_string()).unwrap_or_default());
                    l.updated.replace("{time}", &at)
                })}
            </p>
            {figures}
            <h2>{labels.with_value(|l| l.per_hour.clone())}</h2>
            {move || {
                let title = labels.with_value(|l| l.per_hour.clone());
                counts.with(|c| chart(&c.per_hour, &title))
            }}
            {tables}
        </div>
    }
}
