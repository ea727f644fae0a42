//! The interactive parts of pages, hydrated in the browser. Islands get
//! what they show as props (already translated and formatted on the
//! server), so the browser carries no translation tables or formatting
//! rules it does not need.

use leptos::prelude::*;

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
