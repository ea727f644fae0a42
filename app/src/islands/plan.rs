//! The floor plan: an SVG rendered on the server (every booth a link to the
//! list of booths, so the plan works without JavaScript), brought to life
//! in the browser: details on hover and focus, filters by zone and size,
//! zoom and pan (wheel, buttons, drag, pinch), holding a booth in one click,
//! and statuses that follow other people's bookings every few seconds.

use super::label;
use crate::api::booths::{MapBooth, MapFeature};
use fairlink::Locale;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// Everything the plan says, already in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLabels {
    pub title: String,
    pub zone: String,
    pub any_zone: String,
    pub size: String,
    pub any_size: String,
    pub small: String,
    pub medium: String,
    pub large: String,
    pub zoom_in: String,
    pub zoom_out: String,
    pub reset: String,
    /// Status code → label.
    pub statuses: Vec<(String, String)>,
    pub hold: String,
    pub holding: String,
    pub area: String,
    pub price: String,
    pub status: String,
    pub exhibitor: String,
    pub booth_type: String,
    pub hint: String,
    /// Why the reader cannot book (empty when they can).
    pub why_not: String,
    /// Error code → message, for errors while holding.
    pub errors: Vec<(String, String)>,
    pub yours: String,
    pub list_link: String,
}

/// Where the plan sits on the screen: left, top, width (browser only).
#[cfg(feature = "hydrate")]
fn svg_box(node: NodeRef<leptos::svg::Svg>) -> Option<(f64, f64, f64)> {
    use wasm_bindgen::JsCast;
    let svg = node.get_untracked()?;
    let r = svg
        .unchecked_ref::<web_sys::Element>()
        .get_bounding_client_rect();
    Some((r.left(), r.top(), r.width()))
}

#[cfg(not(feature = "hydrate"))]
fn svg_box(_: NodeRef<leptos::svg::Svg>) -> Option<(f64, f64, f64)> {
    None
}

/// Size classes the filter offers: up to 9 m², 10–18 m², more.
fn size_class(area: i64) -> &'static str {
    match area {
        ..=9 => "small",
        10..=18 => "medium",
        _ => "large",
    }
}

/// The plan of one hall.
#[island]
#[allow(clippy::too_many_arguments)]
pub fn PlanMap(
    fair: Uuid,
    hall_w: i32,
    hall_d: i32,
    booths: Vec<MapBooth>,
    features: Vec<MapFeature>,
    zones: Vec<(String, String)>,
    types: Vec<(String, String)>,
    labels: PlanLabels,
    locale: Locale,
    can_book: bool,
    /// Where the plain list of booths is (for links without JavaScript).
    list_href: String,
    /// Zone code → share taken in percent: colours booths as a heat map.
    heat: Option<Vec<(String, u32)>>,
    /// Follow other people's bookings: where the booth changes are told.
    live: Option<String>,
) -> impl IntoView {
    let margin = 20.0;
    let full = (
        -margin,
        -margin,
        f64::from(hall_w) + 2.0 * margin,
        f64::from(hall_d) + 2.0 * margin,
    );
    let view_box = RwSignal::new(full);
    let statuses = RwSignal::new(
        booths
            .iter()
            .map(|b| (b.id, b.status.clone()))
            .collect::<HashMap<Uuid, String>>(),
    );
    let selected = RwSignal::new(None::<Uuid>);
    let hovered = RwSignal::new(None::<Uuid>);
    let zone_filter = RwSignal::new(String::new());
    let size_filter = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let booths = StoredValue::new(booths);
    let labels = StoredValue::new(labels);
    let heat = StoredValue::new(heat);
    let zones_sv = StoredValue::new(zones.clone());
    let types_sv = StoredValue::new(types);

    #[cfg(feature = "hydrate")]
    if let Some(events) = live {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        let refresh = move || {
            leptos::task::spawn_local(async move {
                if let Ok(all) = crate::api::booths::booth_statuses(fair).await {
                    statuses.set(all.into_iter().collect());
                }
            });
        };
        // Told of each change (made on any instance); on (re)connecting,
        // whatever happened while the stream was down.
        if let Ok(source) = web_sys::EventSource::new(&events) {
            let on_change = Closure::<dyn FnMut()>::new(refresh);
            let _ = source
                .add_event_listener_with_callback("booths", on_change.as_ref().unchecked_ref());
            source.set_onopen(Some(on_change.as_ref().unchecked_ref()));
            on_change.forget();
            on_cleanup(move || source.close());
        }
        // And now and then besides, should a proxy hold the stream back.
        set_interval(refresh, std::time::Duration::from_secs(60));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (live, fair);

    let status_of = move |id: Uuid| statuses.with(|s| s.get(&id).cloned().unwrap_or_default());
    let visible = move |b: &MapBooth| {
        let z = zone_filter.get();
        let s = size_filter.get();
        (z.is_empty() || b.zone == z) && (s.is_empty() || size_class(b.area_m2) == s)
    };

    let pointers = StoredValue::new(Vec::<(i32, f64, f64)>::new());
    // How far the pointer travelled since it went down: a drag is not a click.
    let moved = StoredValue::new(0.0f64);

    let feature_views = features
        .into_iter()
        .map(|f| {
            let class = format!("plan-feature plan-feature--{}", f.kind);
            let text = f.label.clone().map(|l| {
                view! {
                    <text class="plan-feature__label" x=f.x + 4 y=f.y + f.d / 2 + 4>{l}</text>
                }
            });
            view! {
                <g class=class>
                    {(f.kind != "label").then(|| view! { <rect x=f.x y=f.y width=f.w height=f.d /> })}
                    {text}
                </g>
            }
        })
        .collect_view();

    let booth_views = booths.with_value(|all| {
        all.iter()
            .map(|b| {
                let id = b.id;
                let b2 = b.clone();
                let class = move || {
                    let mut c = format!("booth booth--{}", status_of(id));
                    if let Some(h) = heat.with_value(|h| h.as_ref().map(|h| h.iter().find(|(z, _)| *z == b2.zone).map(|(_, p)| *p).unwrap_or(0))) {
                        c.push_str(&format!(" booth--heat-{}", (h / 20).min(4)));
                    }
                    if !visible(&b2) {
                        c.push_str(" booth--dim");
                    }
                    if b2.mine {
                        c.push_str(" booth--mine");
                    }
                    if selected.get() == Some(id) {
                        c.push_str(" booth--selected");
                    }
                    c
                };
                let shape = match &b.points {
                    Some(points) => view! { <polygon points=points.clone() /> }.into_any(),
                    None => view! { <rect x=b.x y=b.y width=b.w height=b.d /> }.into_any(),
                };
                let font = (b.w.min(b.d) / 4).clamp(5, 9);
                let href = format!("{list_href}#booth-{}", b.code);
                view! {
                    <a
                        href=href
                        class=class
                        data-code=b.code.clone()
                        data-status=move || status_of(id)
                        on:mouseenter=move |_| hovered.set(Some(id))
                        on:mouseleave=move |_| hovered.set(None)
                        on:focus=move |_| hovered.set(Some(id))
                        on:click=move |ev| {
                            ev.prevent_default();
                            if moved.get_value() > 4.0 {
                                return;
                            }
                            message.set(String::new());
                            selected.set(Some(id));
                        }
                    >
                        <title>{b.code.clone()}</title>
                        {shape}
                        <text x=b.x + b.w / 2 y=b.y + b.d / 2 + font / 3 font-size=font text-anchor="middle">{b.code.clone()}</text>
                    </a>
                }
            })
            .collect_view()
    });

    // Zoom around a point given in SVG units.
    let zoom = move |factor: f64, cx: f64, cy: f64| {
        view_box.update(|(x, y, w, h)| {
            let nw = (*w * factor).clamp(full.2 / 12.0, full.2 * 1.5);
            let nh = nw * full.3 / full.2;
            *x = cx - (cx - *x) * nw / *w;
            *y = cy - (cy - *y) * nh / *h;
            *w = nw;
            *h = nh;
        });
    };
    let centre = move || {
        let (x, y, w, h) = view_box.get_untracked();
        (x + w / 2.0, y + h / 2.0)
    };

    // Dragging and pinching.
    let to_svg = move |client_x: f64, client_y: f64| -> Option<(f64, f64, f64)> {
        let (left, top, width) = svg_box(svg_ref)?;
        if width <= 0.0 {
            return None;
        }
        let (x, y, w, _) = view_box.get_untracked();
        let scale = w / width;
        Some((
            x + (client_x - left) * scale,
            y + (client_y - top) * scale,
            scale,
        ))
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        pointers.update_value(|p| {
            p.push((
                ev.pointer_id(),
                f64::from(ev.client_x()),
                f64::from(ev.client_y()),
            ))
        });
        moved.set_value(0.0);
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let (id, cx, cy) = (
            ev.pointer_id(),
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        );
        let before = pointers.get_value();
        let Some(&(_, px, py)) = before.iter().find(|p| p.0 == id) else {
            return;
        };
        if before.len() == 1 {
            if let Some((_, _, scale)) = to_svg(cx, cy) {
                moved.update_value(|m| *m += (cx - px).abs() + (cy - py).abs());
                if moved.get_value() > 4.0 {
                    view_box.update(|(x, y, _, _)| {
                        *x -= (cx - px) * scale;
                        *y -= (cy - py) * scale;
                    });
                }
            }
        } else if before.len() == 2 {
            let other = before.iter().find(|p| p.0 != id).copied();
            if let Some((_, ox, oy)) = other {
                let old = ((px - ox).powi(2) + (py - oy).powi(2)).sqrt();
                let new = ((cx - ox).powi(2) + (cy - oy).powi(2)).sqrt();
                if old > 0.0 && new > 0.0 {
                    if let Some((sx, sy, _)) = to_svg((cx + ox) / 2.0, (cy + oy) / 2.0) {
                        zoom(old / new, sx, sy);
                    }
                    moved.set_value(100.0);
                }
            }
        }
        pointers.update_value(|p| {
            if let Some(e) = p.iter_mut().find(|e| e.0 == id) {
                *e = (id, cx, cy);
            }
        });
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let id = ev.pointer_id();
        pointers.update_value(|p| p.retain(|e| e.0 != id));
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        if let Some((sx, sy, _)) = to_svg(f64::from(ev.client_x()), f64::from(ev.client_y())) {
            zoom(if ev.delta_y() > 0.0 { 1.15 } else { 1.0 / 1.15 }, sx, sy);
        }
    };

    let hold = move |id: Uuid| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        message.set(String::new());
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match crate::api::booths::hold_booth(id).await {
                Ok(claim) => {
                    let code = booths.with_value(|all| {
                        all.iter()
                            .find(|b| b.id == id)
                            .map(|b| b.code.clone())
                            .unwrap_or_default()
                    });
                    let _ = window()
                        .location()
                        .set_href(&format!("/bookings?held={code}#claim-{claim}"));
                }
                Err(e) => {
                    if e.code == fairlink::ErrorCode::BoothTaken {
                        statuses.update(|s| {
                            s.insert(id, "held".into());
                        });
                    }
                    let text = labels.with_value(|l| {
                        l.errors
                            .iter()
                            .find(|(k, _)| k == e.code.as_str())
                            .map(|(_, v)| v.clone())
                            .unwrap_or_else(|| label(&l.errors, "internal").to_string())
                    });
                    message.set(text);
                    busy.set(false);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = id;
    };

    let details = move || {
        let id = selected.get().or_else(|| hovered.get());
        let l = labels.get_value();
        let Some(b) =
            id.and_then(|id| booths.with_value(|all| all.iter().find(|b| b.id == id).cloned()))
        else {
            return view! { <p class="muted">{l.hint.clone()}</p> }.into_any();
        };
        let status = status_of(b.id);
        let zone = zones_sv.with_value(|z| label(z, &b.zone).to_string());
        let booth_type = types_sv.with_value(|t| label(t, &b.type_code).to_string());
        let firm = match locale {
            Locale::Vi => b.firm.clone(),
            Locale::En => b.firm_en.clone().or(b.firm.clone()),
        };
        let can_hold = can_book && status == "free" && selected.get() == Some(b.id);
        let id = b.id;
        view! {
            <h3 class="plan__booth-code">{b.code.clone()} {b.mine.then(|| view! { <span class="badge">{l.yours.clone()}</span> })}</h3>
            <dl class="facts facts--stacked">
                <div><dt>{l.status.clone()}</dt><dd><span class=format!("swatch swatch--{status}")></span>{label(&l.statuses, &status).to_string()}</dd></div>
                <div><dt>{l.zone.clone()}</dt><dd>{zone}</dd></div>
                <div><dt>{l.booth_type.clone()}</dt><dd>{booth_type}</dd></div>
                <div><dt>{l.area.clone()}</dt><dd>{format!("{} m²", b.area_m2)}</dd></div>
                <div><dt>{l.price.clone()}</dt><dd>{fairlink::format::vnd(b.price.total, locale)}</dd></div>
                {firm.map(|f| view! { <div><dt>{l.exhibitor.clone()}</dt><dd>{f}</dd></div> })}
            </dl>
            {can_hold.then(|| view! {
                <button type="button" class="button button--primary" disabled=move || busy.get() on:click=move |_| hold(id)>
                    {move || if busy.get() { labels.with_value(|l| l.holding.clone()) } else { labels.with_value(|l| l.hold.clone()) }}
                </button>
            })}
            {(!can_book && status == "free" && !l.why_not.is_empty()).then(|| view! { <p class="note">{l.why_not.clone()}</p> })}
        }
        .into_any()
    };

    let l = labels.get_value();
    let zone_options = zones
        .iter()
        .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
        .collect_view();
    let legend = l
        .statuses
        .iter()
        .map(|(code, name)| view! { <li><span class=format!("swatch swatch--{code}")></span>{name.clone()}</li> })
        .collect_view();
    let vb = move || {
        let (x, y, w, h) = view_box.get();
        format!("{x:.0} {y:.0} {w:.0} {h:.0}")
    };
    view! {
        <div class="plan">
            <div class="plan__toolbar">
                <label class="plan__filter">
                    <span>{l.zone.clone()}</span>
                    <select on:change=move |ev| zone_filter.set(event_target_value(&ev))>
                        <option value="">{l.any_zone.clone()}</option>
                        {zone_options}
                    </select>
                </label>
                <label class="plan__filter">
                    <span>{l.size.clone()}</span>
                    <select on:change=move |ev| size_filter.set(event_target_value(&ev))>
                        <option value="">{l.any_size.clone()}</option>
                        <option value="small">{l.small.clone()}</option>
                        <option value="medium">{l.medium.clone()}</option>
                        <option value="large">{l.large.clone()}</option>
                    </select>
                </label>
                <div class="plan__zoom" role="group">
                    <button type="button" class="button button--small" aria-label=l.zoom_in.clone() on:click=move |_| { let (cx, cy) = centre(); zoom(1.0 / 1.3, cx, cy) }>"+"</button>
                    <button type="button" class="button button--small" aria-label=l.zoom_out.clone() on:click=move |_| { let (cx, cy) = centre(); zoom(1.3, cx, cy) }>"−"</button>
                    <button type="button" class="button button--small" on:click=move |_| view_box.set(full)>{l.reset.clone()}</button>
                </div>
                <a class="plan__list-link" href=list_href.clone()>{l.list_link.clone()}</a>
            </div>
            <div class="plan__body">
                <svg
                    node_ref=svg_ref
                    class="plan__svg"
                    viewBox=vb
                    role="group"
                    aria-label=l.title.clone()
                    on:pointerdown=on_down
                    on:pointermove=on_move
                    on:pointerup=on_up
                    on:pointercancel=on_up
                    on:wheel=on_wheel
                >
                    <rect class="plan__hall" x="0" y="0" width=hall_w height=hall_d />
                    {feature_views}
                    {booth_views}
                </svg>
                <aside class="plan__details" aria-live="polite">
                    {details}
                    {move || (!message.get().is_empty()).then(|| view! { <p class="alert alert--error" role="alert">{message.get()}</p> })}
                </aside>
            </div>
            <ul class="plan__legend">{legend}</ul>
        </div>
    }
}
