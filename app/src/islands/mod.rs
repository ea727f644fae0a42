//! The interactive parts of pages, hydrated in the browser. Islands get
//! what they show as props (already translated and formatted on the
//! server), so the browser carries no translation tables or formatting
//! rules it does not need.

use leptos::prelude::*;

pub mod live;
pub mod plan;
pub mod plan_editor;
pub mod scanner;

/// The label for `key` in a code → label table (the key itself if absent).
pub fn label<'a>(pairs: &'a [(String, String)], key: &'a str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or(key)
}

/// A notice that appears when the server says what this page shows has
/// changed (server-sent events named `event` from `events`), with a button
/// that reloads the page. Nothing is reloaded by itself: the reader may be
/// in the middle of typing.
#[island]
pub fn ChangeNotice(events: String, event: String, text: String, action: String) -> impl IntoView {
    let changed = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        if let Ok(source) = web_sys::EventSource::new(&events) {
            let on_change = Closure::<dyn FnMut()>::new(move || changed.set(true));
            let _ =
                source.add_event_listener_with_callback(&event, on_change.as_ref().unchecked_ref());
            on_change.forget();
            // Connected again after a break: changes may have been missed.
            let mut opened = 0u32;
            let on_open = Closure::<dyn FnMut()>::new(move || {
                opened += 1;
                if opened > 1 {
                    changed.set(true);
                }
            });
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            on_open.forget();
            on_cleanup(move || source.close());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (&events, &event);
    let reload = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <p class="alert change-notice" role="status" data-changed=move || changed.get().to_string() hidden=move || !changed.get()>
            {text}" "
            <button type="button" class="button button--small" on:click=reload>{action}</button>
        </p>
    }
}

/// One day of the fair's schedule, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScheduleDay {
    pub day: String,
    pub hours: String,
}

/// A button that shows and hides the fair's day-by-day schedule.
#[island]
pub fn ScheduleToggle(
    show_label: String,
    hide_label: String,
    days: Vec<ScheduleDay>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let items = days
        .into_iter()
        .map(|d| {
            view! {
                <li>
                    <span class="schedule__day">{d.day}</span>
                    <span class="schedule__hours">{d.hours}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <button
            type="button"
            class="link-button schedule-toggle"
            aria-expanded=move || if open.get() { "true" } else { "false" }
            aria-controls="schedule"
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {move || if open.get() { hide_label.clone() } else { show_label.clone() }}
        </button>
        <ol id="schedule" class="schedule" hidden=move || !open.get()>
            {items}
        </ol>
    }
}

/// Minutes and seconds left on a hold, counting down.
#[island]
pub fn Countdown(seconds: i64, expired: String) -> impl IntoView {
    let left = RwSignal::new(seconds.max(0));
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || left.update(|s| *s = (*s - 1).max(0)),
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    view! {
        <span class="countdown" role="timer" aria-live="off">
            {move || {
                let s = left.get();
                if s == 0 { expired.clone() } else { format!("{:02}:{:02}", s / 60, s % 60) }
            }}
        </span>
    }
}
