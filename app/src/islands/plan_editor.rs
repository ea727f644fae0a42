//! The floor plan editor: booths on an SVG that an organiser adds, drags,
//! resizes, rotates by 90°, duplicates in rows and edits field by field,
//! snapped to a grid, with undo. Saving sends the whole plan; the server
//! checks it (overlaps, sizes, zones, booked booths) and either stores all
//! of it or answers with every problem by item.
//!
//! Without JavaScript the server renders the same SVG read-only, and the
//! import form below it does the job.

use fairlink::booths::plan::{LineError, Plan, PlanBooth, metres, parse_metres};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorLabels {
    pub add: String,
    pub delete: String,
    pub rotate: String,
    pub duplicate: String,
    pub copies: String,
    pub undo: String,
    pub save: String,
    pub saving: String,
    pub snap: String,
    pub grid: String,
    pub code: String,
    pub zone: String,
    pub booth_type: String,
    pub x: String,
    pub y: String,
    pub width: String,
    pub depth: String,
    pub hint: String,
    /// "Saved: {added} added, {changed} changed, {removed} removed."
    pub saved: String,
    pub unsaved: String,
    pub booked: String,
    pub line: String,
    /// Problem code → text.
    pub problems: Vec<(String, String)>,
    pub error: String,
}

/// The next code after `code` that the plan does not use yet: the number
/// at its end counts up, keeping its width (A-09 → A-10).
pub fn next_code(code: &str, taken: &[String]) -> String {
    let digits = code
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let (stem, number) = code.split_at(code.len() - digits);
    let mut n: u64 = number.parse().unwrap_or(0);
    let width = digits.max(1);
    loop {
        n += 1;
        let candidate = format!("{stem}{n:0width$}");
        if !taken.contains(&candidate) {
            return candidate;
        }
    }
}

/// Rounds to the grid when snapping.
fn snap_to(v: i32, grid: i32, on: bool) -> i32 {
    if on && grid > 1 {
        ((f64::from(v) / f64::from(grid)).round() as i32) * grid
    } else {
        v
    }
}

/// Where a new booth of `w`×`d` fits: the first free spot scanning the
/// hall in grid steps, else the corner.
pub fn free_spot(plan: &Plan, hall_w: i32, hall_d: i32, w: i32, d: i32, step: i32) -> (i32, i32) {
    let step = step.max(5);
    let clear = |x: i32, y: i32| {
        plan.booths
            .iter()
            .all(|b| x + w <= b.x || b.x + b.w <= x || y + d <= b.y || b.y + b.d <= y)
    };
    let mut y = 0;
    while y + d <= hall_d {
        let mut x = 0;
        while x + w <= hall_w {
            if clear(x, y) {
                return (x, y);
            }
            x += step;
        }
        y += step;
    }
    (0, 0)
}

#[derive(Clone, Copy, PartialEq)]
enum Drag {
    Move {
        index: usize,
        from: (f64, f64),
        start: (i32, i32),
    },
    Resize {
        index: usize,
        from: (f64, f64),
        start: (i32, i32),
    },
}

#[cfg(feature = "hydrate")]
fn svg_point(
    node: NodeRef<leptos::svg::Svg>,
    view_w: f64,
    client_x: f64,
    client_y: f64,
) -> Option<(f64, f64)> {
    use wasm_bindgen::JsCast;
    let svg = node.get_untracked()?;
    let r = svg
        .unchecked_ref::<web_sys::Element>()
        .get_bounding_client_rect();
    if r.width() <= 0.0 {
        return None;
    }
    let scale = view_w / r.width();
    Some((
        (client_x - r.left()) * scale - 20.0,
        (client_y - r.top()) * scale - 20.0,
    ))
}

#[cfg(not(feature = "hydrate"))]
fn svg_point(_: NodeRef<leptos::svg::Svg>, _: f64, _: f64, _: f64) -> Option<(f64, f64)> {
    None
}

fn shift_polygon(b: &mut PlanBooth, dx: i32, dy: i32) {
    if let Some(points) = b.polygon.as_mut() {
        for p in points.iter_mut() {
            p[0] += dx;
            p[1] += dy;
        }
    }
}

#[island]
#[allow(clippy::too_many_arguments)]
pub fn PlanEditor(
    hall: Uuid,
    hall_w: i32,
    hall_d: i32,
    plan: Plan,
    zones: Vec<String>,
    types: Vec<String>,
    booked: Vec<String>,
    labels: EditorLabels,
) -> impl IntoView {
    let margin = 20.0;
    let view_w = f64::from(hall_w) + 2.0 * margin;
    let view_box = format!(
        "{} {} {} {}",
        -margin,
        -margin,
        view_w,
        f64::from(hall_d) + 2.0 * margin
    );
    let plan = RwSignal::new(plan);
    let history = StoredValue::new(Vec::<Plan>::new());
    let selected = RwSignal::new(None::<usize>);
    let snap = RwSignal::new(true);
    let grid = RwSignal::new(5i32);
    let copies = RwSignal::new(3i32);
    let dirty = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let message = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<LineError>::new());
    let drag = StoredValue::new(None::<Drag>);
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let labels = StoredValue::new(labels);
    let booked = StoredValue::new(booked);
    let zones = StoredValue::new(zones);
    let types = StoredValue::new(types);

    // Every change goes through here: the plan before it is kept for undo.
    let change = move |f: &dyn Fn(&mut Plan)| {
        history.update_value(|h| {
            h.push(plan.get_untracked());
            if h.len() > 200 {
                h.remove(0);
            }
        });
        plan.update(|p| f(p));
        dirty.set(true);
        message.set(String::new());
    };
    let undo = move || {
        if let Some(previous) = history.try_update_value(|h| h.pop()).flatten() {
            plan.set(previous);
            selected.update(|s| {
                if s.is_some_and(|i| i >= plan.with_untracked(|p| p.booths.len())) {
                    *s = None;
                }
            });
            dirty.set(true);
        }
    };

    let add = move |_| {
        let (w, d) = (30, 30);
        let step = grid.get_untracked();
        change(&|p: &mut Plan| {
            let taken: Vec<String> = p.booths.iter().map(|b| b.code.clone()).collect();
            let last = p.booths.last().cloned();
            let code = next_code(
                last.as_ref().map(|b| b.code.as_str()).unwrap_or("A-00"),
                &taken,
            );
            let (x, y) = free_spot(p, hall_w, hall_d, w, d, step);
            p.booths.push(PlanBooth {
                code,
                x,
                y,
                w,
                d,
                polygon: None,
                type_code: last
                    .as_ref()
                    .map(|b| b.type_code.clone())
                    .or_else(|| types.with_value(|t| t.first().cloned()))
                    .unwrap_or_default(),
                zone: last
                    .as_ref()
                    .map(|b| b.zone.clone())
                    .or_else(|| zones.with_value(|z| z.first().cloned()))
                    .unwrap_or_default(),
                price: None,
                label: None,
            });
        });
        selected.set(Some(plan.with_untracked(|p| p.booths.len() - 1)));
    };
    let is_booked = move |i: usize| {
        plan.with_untracked(|p| {
            p.booths
                .get(i)
                .map(|b| booked.with_value(|k| k.contains(&b.code)))
        })
        .unwrap_or(false)
    };
    let delete = move |_| {
        let Some(i) = selected.get_untracked() else {
            return;
        };
        if is_booked(i) {
            message.set(labels.with_value(|l| l.booked.clone()));
            return;
        }
        change(&|p: &mut Plan| {
            if i < p.booths.len() {
                p.booths.remove(i);
            }
        });
        selected.set(None);
    };
    let rotate = move |_| {
        let Some(i) = selected.get_untracked() else {
            return;
        };
        change(&|p: &mut Plan| {
            if let Some(b) = p.booths.get_mut(i)
                && b.polygon.is_none()
            {
                std::mem::swap(&mut b.w, &mut b.d);
            }
        });
    };
    let duplicate = move |_| {
        let Some(i) = selected.get_untracked() else {
            return;
        };
        let n = copies.get_untracked().clamp(1, 50);
        change(&|p: &mut Plan| {
            let Some(source) = p.booths.get(i).cloned() else {
                return;
            };
            let mut code = source.code.clone();
            for k in 1..=n {
                let taken: Vec<String> = p.booths.iter().map(|b| b.code.clone()).collect();
                code = next_code(&code, &taken);
                let mut copy = source.clone();
                copy.code = code.clone();
                copy.x = source.x + source.w * k;
                shift_polygon(&mut copy, source.w * k, 0);
                p.booths.push(copy);
            }
        });
    };
    let save = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problems.set(Vec::new());
        let text = plan.with_untracked(|p| serde_json::to_string(p).unwrap_or_default());
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match crate::api::booths::save_hall_plan(hall, text).await {
                Ok(r) if r.errors.is_empty() => {
                    let text = labels.with_value(|l| {
                        l.saved
                            .replace("{added}", &r.added.to_string())
                            .replace("{changed}", &r.changed.to_string())
                            .replace("{removed}", &r.removed.to_string())
                    });
                    message.set(text);
                    dirty.set(false);
                }
                Ok(r) => problems.set(r.errors),
                Err(_) => message.set(labels.with_value(|l| l.error.clone())),
            }
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (text, hall);
    };

    let pointer_down = move |ev: leptos::ev::PointerEvent, index: usize, resize: bool| {
        ev.stop_propagation();
        selected.set(Some(index));
        let Some(from) = svg_point(
            svg_ref,
            view_w,
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        ) else {
            return;
        };
        let start = plan
            .with_untracked(|p| {
                p.booths
                    .get(index)
                    .map(|b| if resize { (b.w, b.d) } else { (b.x, b.y) })
            })
            .unwrap_or((0, 0));
        if resize {
            drag.set_value(Some(Drag::Resize { index, from, start }));
        } else {
            drag.set_value(Some(Drag::Move { index, from, start }));
        }
        // One undo step for the whole drag.
        history.update_value(|h| h.push(plan.get_untracked()));
    };
    let pointer_move = move |ev: leptos::ev::PointerEvent| {
        let Some(d) = drag.get_value() else { return };
        let Some((px, py)) = svg_point(
            svg_ref,
            view_w,
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        ) else {
            return;
        };
        let (on, g) = (snap.get_untracked(), grid.get_untracked());
        match d {
            Drag::Move { index, from, start } => {
                let nx = snap_to(start.0 + (px - from.0).round() as i32, g, on).clamp(0, hall_w);
                let ny = snap_to(start.1 + (py - from.1).round() as i32, g, on).clamp(0, hall_d);
                plan.update(|p| {
                    if let Some(b) = p.booths.get_mut(index) {
                        let (dx, dy) = (nx - b.x, ny - b.y);
                        b.x = nx;
                        b.y = ny;
                        shift_polygon(b, dx, dy);
                    }
                });
            }
            Drag::Resize { index, from, start } => {
                let nw = snap_to(start.0 + (px - from.0).round() as i32, g, on).max(g.max(5));
                let nd = snap_to(start.1 + (py - from.1).round() as i32, g, on).max(g.max(5));
                plan.update(|p| {
                    if let Some(b) = p.booths.get_mut(index)
                        && b.polygon.is_none()
                    {
                        b.w = nw;
                        b.d = nd;
                    }
                });
            }
        }
        dirty.set(true);
    };
    let pointer_up = move |_: leptos::ev::PointerEvent| {
        if drag.get_value().is_some() {
            drag.set_value(None);
            // A click without movement leaves no undo step behind.
            history.update_value(|h| {
                if h.last().is_some_and(|last| *last == plan.get_untracked()) {
                    h.pop();
                }
            });
        }
    };
    let key_down = move |ev: leptos::ev::KeyboardEvent| {
        let key = ev.key();
        if (ev.ctrl_key() || ev.meta_key()) && key == "z" {
            ev.prevent_default();
            undo();
            return;
        }
        let Some(i) = selected.get_untracked() else {
            return;
        };
        let step = grid.get_untracked().max(1);
        let (dx, dy) = match key.as_str() {
            "ArrowLeft" => (-step, 0),
            "ArrowRight" => (step, 0),
            "ArrowUp" => (0, -step),
            "ArrowDown" => (0, step),
            _ => return,
        };
        ev.prevent_default();
        change(&|p: &mut Plan| {
            if let Some(b) = p.booths.get_mut(i) {
                b.x = (b.x + dx).clamp(0, hall_w);
                b.y = (b.y + dy).clamp(0, hall_d);
                shift_polygon(b, dx, dy);
            }
        });
    };

    let features = plan.with_untracked(|p| {
        p.features
            .iter()
            .map(|f| {
                let class = format!("plan-feature plan-feature--{}", f.kind.as_str());
                view! {
                    <g class=class>
                        <rect x=f.x y=f.y width=f.w height=f.d />
                        {f.label.clone().map(|l| view! { <text class="plan-feature__label" x=f.x + 4 y=f.y + f.d / 2 + 4>{l}</text> })}
                    </g>
                }
            })
            .collect_view()
    });

    let booths = move || {
        let sel = selected.get();
        plan.with(|p| {
            p.booths
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let booked_here = booked.with_value(|k| k.contains(&b.code));
                    let mut class = String::from("booth booth--edit");
                    if booked_here {
                        class.push_str(" booth--reserved");
                    }
                    if sel == Some(i) {
                        class.push_str(" booth--selected");
                    }
                    let shape = match &b.polygon {
                        Some(points) => {
                            let pts = points.iter().map(|[x, y]| format!("{x},{y}")).collect::<Vec<_>>().join(" ");
                            view! { <polygon points=pts /> }.into_any()
                        }
                        None => view! { <rect x=b.x y=b.y width=b.w height=b.d /> }.into_any(),
                    };
                    let font = (b.w.min(b.d) / 4).clamp(5, 9);
                    let handle = (sel == Some(i) && b.polygon.is_none()).then(|| {
                        view! {
                            <rect
                                class="booth__handle"
                                x=b.x + b.w - 4
                                y=b.y + b.d - 4
                                width="8"
                                height="8"
                                on:pointerdown=move |ev| pointer_down(ev, i, true)
                            />
                        }
                    });
                    view! {
                        <g class=class data-code=b.code.clone() on:pointerdown=move |ev| pointer_down(ev, i, false)>
                            {shape}
                            <text x=b.x + b.w / 2 y=b.y + b.d / 2 + font / 3 font-size=font text-anchor="middle">{b.code.clone()}</text>
                        </g>
                        {handle}
                    }
                })
                .collect_view()
        })
    };

    // The selected booth's fields.
    let field = move |label: String,
                      value: String,
                      on_set: std::sync::Arc<dyn Fn(String) + Send + Sync>| {
        view! {
            <label class="editor__field">
                <span>{label}</span>
                <input type="text" value=value on:change=move |ev| on_set(event_target_value(&ev)) />
            </label>
        }
    };
    let panel = move || {
        let l = labels.get_value();
        let Some(i) = selected.get() else {
            return view! { <p class="muted">{l.hint.clone()}</p> }.into_any();
        };
        let Some(b) = plan.with(|p| p.booths.get(i).cloned()) else {
            return view! { <p class="muted">{l.hint.clone()}</p> }.into_any();
        };
        let set_code = std::sync::Arc::new(move |v: String| {
            let v = v.trim().to_ascii_uppercase();
            change(&|p: &mut Plan| {
                if let Some(b) = p.booths.get_mut(i) {
                    b.code = v.clone();
                }
            })
        });
        let metre_setter = move |which: u8| -> std::sync::Arc<dyn Fn(String) + Send + Sync> {
            std::sync::Arc::new(move |v: String| {
                if let Some(dm) = parse_metres(&v) {
                    change(&|p: &mut Plan| {
                        if let Some(b) = p.booths.get_mut(i) {
                            match which {
                                0 => {
                                    let dx = dm - b.x;
                                    b.x = dm;
                                    shift_polygon(b, dx, 0);
                                }
                                1 => {
                                    let dy = dm - b.y;
                                    b.y = dm;
                                    shift_polygon(b, 0, dy);
                                }
                                2 => b.w = dm,
                                _ => b.d = dm,
                            }
                        }
                    })
                }
            })
        };
        let zone_options = zones
            .get_value()
            .into_iter()
            .map(|z| {
                let sel = z == b.zone;
                view! { <option value=z.clone() selected=sel>{z.clone()}</option> }
            })
            .collect_view();
        let type_options = types
            .get_value()
            .into_iter()
            .map(|t| {
                let sel = t == b.type_code;
                view! { <option value=t.clone() selected=sel>{t.clone()}</option> }
            })
            .collect_view();
        view! {
            <div class="editor__fields">
                {field(l.code.clone(), b.code.clone(), set_code)}
                <label class="editor__field">
                    <span>{l.booth_type.clone()}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        change(&|p: &mut Plan| if let Some(b) = p.booths.get_mut(i) { b.type_code = v.clone() })
                    }>{type_options}</select>
                </label>
                <label class="editor__field">
                    <span>{l.zone.clone()}</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        change(&|p: &mut Plan| if let Some(b) = p.booths.get_mut(i) { b.zone = v.clone() })
                    }>{zone_options}</select>
                </label>
                {field(format!("{} (m)", l.x), metres(b.x), metre_setter(0))}
                {field(format!("{} (m)", l.y), metres(b.y), metre_setter(1))}
                {field(format!("{} (m)", l.width), metres(b.w), metre_setter(2))}
                {field(format!("{} (m)", l.depth), metres(b.d), metre_setter(3))}
            </div>
        }
        .into_any()
    };

    let problem_list = move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            let l = labels.get_value();
            let items = list
                .into_iter()
                .map(|e| {
                    let text = l
                        .problems
                        .iter()
                        .find(|(k, _)| k == e.problem.as_str())
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    view! { <li>{format!("{} {}: {} ({})", l.line, e.line, text, e.detail)}</li> }
                })
                .collect_view();
            view! { <ul class="alert alert--error editor__problems" role="alert">{items}</ul> }
        })
    };

    let l = labels.get_value();
    view! {
        <div class="editor">
            <div class="plan__toolbar editor__toolbar">
                <button type="button" class="button button--small" on:click=add>{l.add.clone()}</button>
                <button type="button" class="button button--small" disabled=move || selected.get().is_none() on:click=rotate>{l.rotate.clone()}</button>
                <span class="editor__dup">
                    <button type="button" class="button button--small" disabled=move || selected.get().is_none() on:click=duplicate>{l.duplicate.clone()}</button>
                    <label>
                        <span class="visually-hidden">{l.copies.clone()}</span>
                        <input type="number" min="1" max="50" size="3" value="3" on:change=move |ev| copies.set(event_target_value(&ev).parse().unwrap_or(1)) />
                    </label>
                </span>
                <button type="button" class="button button--small button--danger" disabled=move || selected.get().is_none() on:click=delete>{l.delete.clone()}</button>
                <button type="button" class="button button--small" on:click=move |_| undo()>{l.undo.clone()}</button>
                <label class="check">
                    <input type="checkbox" prop:checked=move || snap.get() on:change=move |ev| snap.set(event_target_checked(&ev)) />
                    {l.snap.clone()}
                </label>
                <label>
                    <span>{l.grid.clone()}" "</span>
                    <select on:change=move |ev| grid.set(event_target_value(&ev).parse().unwrap_or(5))>
                        <option value="5">"0.5 m"</option>
                        <option value="10">"1 m"</option>
                        <option value="1">"0.1 m"</option>
                    </select>
                </label>
                <button type="button" class="button button--small button--primary" disabled=move || busy.get() on:click=save>
                    {move || if busy.get() { labels.with_value(|l| l.saving.clone()) } else { labels.with_value(|l| l.save.clone()) }}
                </button>
                <span class="muted editor__state" role="status">
                    {move || if !message.get().is_empty() { message.get() } else if dirty.get() { labels.with_value(|l| l.unsaved.clone()) } else { String::new() }}
                </span>
            </div>
            {problem_list}
            <div class="plan__body">
                <svg
                    node_ref=svg_ref
                    class="plan__svg editor__svg"
                    viewBox=view_box
                    tabindex="0"
                    on:pointermove=pointer_move
                    on:pointerup=pointer_up
                    on:pointerleave=pointer_up
                    on:pointerdown=move |_| selected.set(None)
                    on:keydown=key_down
                >
                    <defs>
                        <pattern id="grid" width="10" height="10" patternUnits="userSpaceOnUse">
                            <path d="M 10 0 L 0 0 0 10" class="plan__grid" />
                        </pattern>
                    </defs>
                    <rect class="plan__hall" x="0" y="0" width=hall_w height=hall_d />
                    <rect x="0" y="0" width=hall_w height=hall_d fill="url(#grid)" />
                    {features}
                    {booths}
                </svg>
                <aside class="plan__details">{panel}</aside>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_count_up_and_skip_used_ones() {
        assert_eq!(next_code("A-09", &[]), "A-10");
        assert_eq!(next_code("A-09", &["A-10".into()]), "A-11");
        assert_eq!(next_code("B7", &[]), "B8");
        assert_eq!(next_code("X", &[]), "X1");
    }

    #[test]
    fn new_booths_go_where_there_is_room() {
        let mut plan = Plan::default();
        assert_eq!(free_spot(&plan, 100, 100, 30, 30, 5), (0, 0));
        plan.booths.push(PlanBooth {
            code: "A-1".into(),
            x: 0,
            y: 0,
            w: 30,
            d: 30,
            polygon: None,
            type_code: "inline".into(),
            zone: "C".into(),
            price: None,
            label: None,
        });
        assert_eq!(free_spot(&plan, 100, 100, 30, 30, 5), (30, 0));
    }
}
