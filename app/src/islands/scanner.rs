//! The scanner at the doors: a phone's camera or a handheld scanner that
//! types the code and Enter. Online, the server decides each scan (one
//! admission per badge, whatever other gates do); when the network drops,
//! the page decides by itself from its last sync (signature, revocations,
//! fair day, area, list, its own history), keeps every scan in IndexedDB
//! (surviving a reload) and uploads the queue when the network returns.
//!
//! Browser APIs (IndexedDB, camera, BarcodeDetector, sound, the service
//! worker that keeps the page for offline reloads) are reached through the
//! small script `/scanner.js`; the decisions, the signature checks and the
//! QR decoder for browsers without BarcodeDetector are Rust, compiled to
//! wasm.

use super::label;
use fairlink::badges::{Direction, Light, SyncData};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Everything the scanner says, already in the staff member's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerLabels {
    pub gate: String,
    pub direction: String,
    pub direction_in: String,
    pub direction_out: String,
    pub code: String,
    pub check: String,
    pub camera_start: String,
    pub camera_stop: String,
    pub camera_failed: String,
    pub online: String,
    pub offline: String,
    /// "{n} scans waiting to upload".
    pub queued: String,
    /// "Last sync {time}".
    pub last_sync: String,
    pub never_synced: String,
    pub decided_offline: String,
    pub tap_to_close: String,
    /// The server refused this device's clock.
    pub clock_off: String,
    /// Outcome code → title.
    pub outcomes: Vec<(String, String)>,
    /// Reason code → explanation.
    pub reasons: Vec<(String, String)>,
    /// Badge kind code → name.
    pub kinds: Vec<(String, String)>,
}

/// A gate in the scanner's menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerGate {
    pub id: Uuid,
    pub name: String,
}

/// What the verdict screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub light: Light,
    pub outcome: String,
    pub reason: String,
    pub name: Option<String>,
    pub organisation: Option<String>,
    pub kind: Option<String>,
    pub offline: bool,
    pub seq: u64,
}

fn light_class(l: Light) -> &'static str {
    match l {
        Light::Green => "verdict verdict--green",
        Light::Amber => "verdict verdict--amber",
        Light::Red => "verdict verdict--red",
    }
}

/// Decodes a QR code from an RGBA frame (the camera's, drawn on a canvas):
/// the fallback for browsers without BarcodeDetector.
pub fn decode_rgba(width: usize, height: usize, rgba: &[u8]) -> Option<String> {
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return None;
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        // Integer luma (BT.601).
        ((u32::from(rgba[i]) * 77 + u32::from(rgba[i + 1]) * 150 + u32::from(rgba[i + 2]) * 29)
            >> 8) as u8
    });
    img.detect_grids()
        .into_iter()
        .find_map(|g| g.decode().ok().map(|(_, text)| text))
}

#[island]
pub fn Scanner(
    fair_id: Uuid,
    time_zone: String,
    gates: Vec<ScannerGate>,
    sync: SyncData,
    labels: ScannerLabels,
) -> impl IntoView {
    let first_gate = gates.first().map(|g| g.id);
    let gate = RwSignal::new(first_gate);
    let direction = RwSignal::new(Direction::In);
    let online = RwSignal::new(true);
    let clock_off = RwSignal::new(false);
    let queued = RwSignal::new(0usize);
    let last_sync = RwSignal::new(None::<String>);
    let shown = RwSignal::new(None::<Shown>);
    let camera = RwSignal::new(false);
    let ready = RwSignal::new(false);
    let camera_error = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let video_ref = NodeRef::<leptos::html::Video>::new();
    let labels = StoredValue::new(labels);

    #[cfg(feature = "hydrate")]
    let run = browser::start(browser::Setup {
        fair_id,
        time_zone: time_zone.clone(),
        sync,
        gate,
        direction,
        online,
        clock_off,
        queued,
        last_sync,
        shown,
        ready,
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (&sync, &time_zone, fair_id, ready);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = code.get_untracked();
        code.set(String::new());
        if text.trim().is_empty() {
            return;
        }
        #[cfg(feature = "hydrate")]
        run.scan(text);
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
        if let Some(input) = input_ref.get_untracked() {
            let _ = input.focus();
        }
    };
    let toggle_camera = move |_| {
        let on = !camera.get_untracked();
        camera.set(on);
        camera_error.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(video) = video_ref.get_untracked() {
            run.camera(on, video, camera, camera_error);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = video_ref;
    };
    let close = move |_| {
        shown.set(None);
        if let Some(input) = input_ref.get_untracked() {
            let _ = input.focus();
        }
    };

    let gate_options = gates
        .iter()
        .map(|g| view! { <option value=g.id.to_string()>{g.name.clone()}</option> })
        .collect_view();
    let l = labels.get_value();
    view! {
        <div
            class="scanner"
            data-fair=fair_id.to_string()
            data-offline-ready=move || ready.get().to_string()
        >
            <p class="alert alert--error" role="alert" hidden=move || !clock_off.get()>{l.clock_off.clone()}</p>
            <div class="scanner__status" role="status" aria-live="polite">
                <span
                    class="scanner__net"
                    class:scanner__net--offline=move || !online.get()
                    data-online=move || if online.get() { "true" } else { "false" }
                >
                    {move || labels.with_value(|l| if online.get() { l.online.clone() } else { l.offline.clone() })}
                </span>
                <span class="scanner__queued" data-queued=move || queued.get().to_string()>
                    {move || labels.with_value(|l| l.queued.replace("{n}", &queued.get().to_string()))}
                </span>
                <span class="scanner__sync">
                    {move || labels.with_value(|l| match last_sync.get() {
                        Some(t) => l.last_sync.replace("{time}", &t),
                        None => l.never_synced.clone(),
                    })}
                </span>
            </div>
            <div class="scanner__setup">
                <label class="field">
                    <span>{l.gate.clone()}</span>
                    <select
                        name="gate"
                        prop:value=move || gate.get().map(|g| g.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            gate.set(Uuid::parse_str(&v).ok());
                            #[cfg(feature = "hydrate")]
                            browser::remember_gate(&v);
                        }
                    >
                        {gate_options}
                    </select>
                </label>
                <fieldset class="scanner__direction">
                    <legend>{l.direction.clone()}</legend>
                    <label class="check">
                        <input
                            type="radio"
                            name="direction"
                            value="in"
                            prop:checked=move || direction.get() == Direction::In
                            on:change=move |_| direction.set(Direction::In)
                        />
                        {l.direction_in.clone()}
                    </label>
                    <label class="check">
                        <input
                            type="radio"
                            name="direction"
                            value="out"
                            prop:checked=move || direction.get() == Direction::Out
                            on:change=move |_| direction.set(Direction::Out)
                        />
                        {l.direction_out.clone()}
                    </label>
                </fieldset>
            </div>
            <form class="scanner__form" on:submit=submit>
                <label for="scan-code">{l.code.clone()}</label>
                <div class="scanner__row">
                    <input
                        id="scan-code"
                        name="code"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        autofocus=true
                        node_ref=input_ref
                        prop:value=move || code.get()
                        on:input=move |ev| code.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button button--primary">{l.check.clone()}</button>
                </div>
            </form>
            <div class="scanner__camera">
                <button type="button" class="button" on:click=toggle_camera aria-pressed=move || camera.get().to_string()>
                    {move || labels.with_value(|l| if camera.get() { l.camera_stop.clone() } else { l.camera_start.clone() })}
                </button>
                <p class="alert alert--error" role="alert" hidden=move || !camera_error.get()>{l.camera_failed.clone()}</p>
                <video class="scanner__video" node_ref=video_ref muted=true playsinline=true hidden=move || !camera.get()></video>
            </div>
            {move || shown.get().map(|s| {
                let l = labels.get_value();
                view! {
                    <div
                        class=light_class(s.light)
                        role="alert"
                        data-outcome=s.outcome.clone()
                        data-reason=s.reason.clone()
                        data-offline=s.offline.to_string()
                        on:click=close
                    >
                        <p class="verdict__title">{label(&l.outcomes, &s.outcome).to_string()}</p>
                        <p class="verdict__reason">{label(&l.reasons, &s.reason).to_string()}</p>
                        {s.name.clone().map(|n| view! { <p class="verdict__name">{n}</p> })}
                        {s.organisation.clone().filter(|o| !o.is_empty()).map(|o| view! { <p class="verdict__org">{o}</p> })}
                        {s.kind.clone().map(|k| view! { <p class="verdict__kind">{label(&l.kinds, &k).to_string()}</p> })}
                        {s.offline.then(|| view! { <p class="verdict__offline">{l.decided_offline.clone()}</p> })}
                        <p class="verdict__close">{l.tap_to_close.clone()}</p>
                    </div>
                }
            })}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    //! The scanner's life in the browser.

    use super::Shown;
    use fairlink::badges::{Desk, Direction, OfflineScan, Scan, SyncData, Verdict};
    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use serde::{Deserialize, Serialize};
    use std::cell::RefCell;
    use std::rc::Rc;
    use uuid::Uuid;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = open)]
        fn store_open() -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = put)]
        fn store_put(json: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = all)]
        fn store_all(fair: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = markSent)]
        fn store_mark_sent(ids: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = getMeta)]
        fn meta_get(key: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = setMeta)]
        fn meta_set(key: &str, json: &str) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = request)]
        fn http(method: &str, url: &str, body: &str, timeout_ms: u32) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = uuid)]
        fn new_uuid() -> String;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = beep)]
        fn beep(light: &str);
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = keepOffline)]
        fn keep_offline() -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = startCamera)]
        fn start_camera(
            video: &web_sys::HtmlVideoElement,
            on_code: &Closure<dyn FnMut(String)>,
            decode: &Closure<dyn FnMut(u32, u32, js_sys::Uint8ClampedArray) -> Option<String>>,
        ) -> js_sys::Promise;
        #[wasm_bindgen(js_namespace = FairlinkScanner, js_name = stopCamera)]
        fn stop_camera();
    }

    /// A scan as the page keeps it.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct Record {
        id: Uuid,
        fair: Uuid,
        /// 1 once the server has it.
        sent: u8,
        badge: Option<Uuid>,
        scan: OfflineScan,
    }

    #[derive(Deserialize)]
    struct Answer {
        status: u16,
        text: String,
    }

    async fn call(method: &str, url: &str, body: &str, timeout_ms: u32) -> Option<Answer> {
        let v = wasm_bindgen_futures::JsFuture::from(http(method, url, body, timeout_ms))
            .await
            .ok()?;
        let text = v.as_string()?;
        serde_json::from_str(&text).ok()
    }

    async fn wait(p: js_sys::Promise) -> Option<JsValue> {
        wasm_bindgen_futures::JsFuture::from(p).await.ok()
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }

    fn navigator_online() -> bool {
        web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true)
    }

    const GATE_KEY: &str = "fairlink.scanner.gate";

    pub fn remember_gate(id: &str) {
        if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = s.set_item(GATE_KEY, id);
        }
    }

    fn remembered_gate() -> Option<Uuid> {
        let s = web_sys::window().and_then(|w| w.local_storage().ok().flatten())?;
        Uuid::parse_str(&s.get_item(GATE_KEY).ok()??).ok()
    }

    pub struct Setup {
        pub fair_id: Uuid,
        pub time_zone: String,
        pub sync: SyncData,
        pub gate: RwSignal<Option<Uuid>>,
        pub direction: RwSignal<Direction>,
        pub online: RwSignal<bool>,
        /// The server said this device's clock is off.
        pub clock_off: RwSignal<bool>,
        pub queued: RwSignal<usize>,
        pub last_sync: RwSignal<Option<String>>,
        pub shown: RwSignal<Option<Shown>>,
        pub ready: RwSignal<bool>,
    }

    struct State {
        setup: Setup,
        desk: RefCell<Desk>,
        sync: RefCell<SyncData>,
        seq: std::cell::Cell<u64>,
        flushing: std::cell::Cell<bool>,
        hide: RefCell<Option<leptos::prelude::TimeoutHandle>>,
    }

    /// The running scanner (cheap to copy into event handlers).
    #[derive(Clone, Copy)]
    pub struct Run(StoredValue<Rc<State>, LocalStorage>);

    pub fn start(setup: Setup) -> Run {
        if let Some(g) = remembered_gate().filter(|g| setup.sync.gates.iter().any(|x| x.id == *g)) {
            setup.gate.set(Some(g));
        }
        let state = Rc::new(State {
            desk: RefCell::new(Desk::new(&setup.sync)),
            sync: RefCell::new(setup.sync.clone()),
            setup,
            seq: std::cell::Cell::new(0),
            flushing: std::cell::Cell::new(false),
            hide: RefCell::new(None),
        });
        let run = Run(StoredValue::new_local(state));
        Effect::new(move |_| {
            spawn_local(async move { run.boot().await });
        });
        run
    }

    impl Run {
        fn state(&self) -> Rc<State> {
            self.0.get_value()
        }

        fn sync_key(&self) -> String {
            format!("sync:{}", self.state().setup.fair_id)
        }

        fn clock(&self, at: chrono::DateTime<chrono::Utc>) -> String {
            let zone = fairlink::format::offset_or_default(&self.state().setup.time_zone);
            at.with_timezone(&zone).format("%H:%M:%S").to_string()
        }

        async fn boot(self) {
            let st = self.state();
            wait(store_open()).await;
            // A newer sync kept from before (the page may be an older copy).
            if let Some(text) = wait(meta_get(&self.sync_key()))
                .await
                .and_then(|v| v.as_string())
                && let Ok(kept) = serde_json::from_str::<SyncData>(&text)
                && kept.server_time > st.sync.borrow().server_time
            {
                self.take_sync(kept, false).await;
            }
            // The history of scans: what this scanner has seen decides later.
            let mut pending = 0;
            for r in self.records().await {
                if let Some(badge) = r.badge {
                    let s = &r.scan;
                    st.desk.borrow_mut().note(
                        badge,
                        s.scan.gate_id,
                        s.scan.direction,
                        s.outcome,
                        s.scan.at,
                    );
                }
                if r.sent == 0 {
                    pending += 1;
                }
            }
            st.setup.queued.set(pending);
            let kept = wait(keep_offline()).await.and_then(|v| v.as_bool());
            st.setup.ready.set(kept.unwrap_or(false));
            // Back online: upload at once.
            if let Some(w) = web_sys::window() {
                let on = Closure::<dyn FnMut()>::new(move || {
                    spawn_local(async move { self.refresh().await });
                });
                let _ = w.add_event_listener_with_callback("online", on.as_ref().unchecked_ref());
                on.forget();
                let off = Closure::<dyn FnMut()>::new(move || self.state().setup.online.set(false));
                let _ = w.add_event_listener_with_callback("offline", off.as_ref().unchecked_ref());
                off.forget();
            }
            self.refresh().await;
            let every = std::time::Duration::from_secs(15);
            if let Ok(handle) = set_interval_with_handle(
                move || spawn_local(async move { self.refresh().await }),
                every,
            ) {
                // Runs as long as the page.
                let _ = handle;
            }
        }

        async fn records(&self) -> Vec<Record> {
            let fair = self.state().setup.fair_id.to_string();
            wait(store_all(&fair))
                .await
                .and_then(|v| v.as_string())
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default()
        }

        /// Sync, then upload the queue.
        async fn refresh(self) {
            let st = self.state();
            if !navigator_online() {
                st.setup.online.set(false);
                return;
            }
            let since = st.sync.borrow().server_time;
            let url = format!(
                "/api/scanner/v1/fairs/{}/sync?since={}",
                st.setup.fair_id,
                since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            );
            match call("GET", &url, "", 8000).await {
                Some(a) if a.status == 200 => {
                    if let Ok(newer) = serde_json::from_str::<SyncData>(&a.text) {
                        self.take_sync(newer, true).await;
                    }
                    st.setup.online.set(true);
                }
                Some(_) => st.setup.online.set(true),
                None => {
                    st.setup.online.set(false);
                    return;
                }
            }
            self.flush().await;
        }

        async fn take_sync(&self, newer: SyncData, fresh: bool) {
            let st = self.state();
            st.desk.borrow_mut().update(&newer);
            let merged = {
                let mut kept = st.sync.borrow_mut();
                let mut revoked = kept.revoked.clone();
                for r in &newer.revoked {
                    if !revoked.contains(r) {
                        revoked.push(*r);
                    }
                }
                *kept = SyncData { revoked, ..newer };
                kept.clone()
            };
            if let Ok(text) = serde_json::to_string(&merged) {
                wait(meta_set(&self.sync_key(), &text)).await;
            }
            let at = if fresh { now() } else { merged.server_time };
            st.setup.last_sync.set(Some(self.clock(at)));
        }

        /// Uploads the scans the server has not seen, a thousand at a time.
        async fn flush(&self) {
            let st = self.state();
            if st.flushing.replace(true) {
                return;
            }
            let pending: Vec<Record> = self
                .records()
                .await
                .into_iter()
                .filter(|r| r.sent == 0)
                .collect();
            let url = format!("/api/scanner/v1/fairs/{}/scans", st.setup.fair_id);
            let mut left = pending.len();
            for part in pending.chunks(1000) {
                let scans: Vec<&OfflineScan> = part.iter().map(|r| &r.scan).collect();
                let body = serde_json::json!({ "scans": scans }).to_string();
                match call("POST", &url, &body, 30_000).await {
                    Some(a) if a.status == 200 => {
                        let ids: Vec<Uuid> = part.iter().map(|r| r.id).collect();
                        let ids = serde_json::to_string(&ids).unwrap_or_default();
                        wait(store_mark_sent(&ids)).await;
                        left -= part.len();
                    }
                    Some(_) => break,
                    None => {
                        st.setup.online.set(false);
                        break;
                    }
                }
            }
            st.setup.queued.set(left);
            st.flushing.set(false);
        }

        /// One scan: the server's verdict when it answers in time, the
        /// page's own otherwise.
        pub fn scan(self, text: String) {
            spawn_local(async move { self.decide(text).await });
        }

        async fn decide(self, text: String) {
            let st = self.state();
            let Some(gate_id) = st.setup.gate.get_untracked() else {
                return;
            };
            let direction = st.setup.direction.get_untracked();
            let scan = Scan {
                id: Uuid::parse_str(&new_uuid()).unwrap_or_default(),
                token: text.trim().to_string(),
                gate_id,
                direction,
                at: now(),
                device_id: None,
                staff_id: None,
            };
            let mut verdict = None;
            if navigator_online() {
                let body = serde_json::to_string(&scan).unwrap_or_default();
                match call("POST", "/api/scanner/v1/verdict", &body, 2500).await {
                    Some(a) if a.status == 200 => {
                        st.setup.online.set(true);
                        st.setup.clock_off.set(false);
                        verdict = serde_json::from_str::<Verdict>(&a.text).ok();
                    }
                    Some(a) if a.status < 500 => {
                        st.setup.online.set(true);
                        // Refused for a clock more than a few minutes off:
                        // decided here meanwhile, and staff told to set it.
                        if a.text.contains("\"clock_skew\"") {
                            st.setup.clock_off.set(true);
                        }
                    }
                    _ => st.setup.online.set(false),
                }
            } else {
                st.setup.online.set(false);
            }
            let record = match verdict {
                Some(v) => {
                    let badge = v.holder.as_ref().map(|h| h.badge);
                    if let Some(b) = badge {
                        st.desk
                            .borrow_mut()
                            .note(b, gate_id, direction, v.outcome, scan.at);
                    }
                    self.show(Shown {
                        light: v.light,
                        outcome: v.outcome.as_str().into(),
                        reason: v.reason.clone(),
                        name: v.holder.as_ref().map(|h| h.name.clone()),
                        organisation: v.holder.as_ref().map(|h| h.organisation.clone()),
                        kind: v.holder.as_ref().map(|h| h.kind.as_str().to_string()),
                        offline: false,
                        seq: 0,
                    });
                    Record {
                        id: scan.id,
                        fair: st.setup.fair_id,
                        sent: 1,
                        badge,
                        scan: OfflineScan {
                            scan,
                            outcome: v.outcome,
                            reason: v.reason,
                        },
                    }
                }
                None => {
                    let d = st
                        .desk
                        .borrow_mut()
                        .decide(&scan.token, gate_id, direction, scan.at);
                    self.show(Shown {
                        light: d.light,
                        outcome: d.outcome.as_str().into(),
                        reason: d.reason.clone(),
                        name: None,
                        organisation: None,
                        kind: d.claims.map(|c| c.kind.as_str().to_string()),
                        offline: true,
                        seq: 0,
                    });
                    Record {
                        id: scan.id,
                        fair: st.setup.fair_id,
                        sent: 0,
                        badge: d.claims.map(|c| c.badge),
                        scan: OfflineScan {
                            scan,
                            outcome: d.outcome,
                            reason: d.reason,
                        },
                    }
                }
            };
            if let Ok(json) = serde_json::to_string(&record) {
                wait(store_put(&json)).await;
            }
            if record.sent == 0 {
                st.setup.queued.update(|n| *n += 1);
            }
            if record.sent == 0 && navigator_online() {
                self.flush().await;
            }
        }

        fn show(&self, mut s: Shown) {
            let st = self.state();
            let seq = st.seq.get() + 1;
            st.seq.set(seq);
            s.seq = seq;
            beep(match s.light {
                fairlink::badges::Light::Green => "green",
                fairlink::badges::Light::Amber => "amber",
                fairlink::badges::Light::Red => "red",
            });
            st.setup.shown.set(Some(s));
            if let Some(h) = st.hide.borrow_mut().take() {
                h.clear();
            }
            let shown = st.setup.shown;
            let handle = set_timeout_with_handle(
                move || {
                    if shown.with_untracked(|s| s.as_ref().is_some_and(|s| s.seq == seq)) {
                        shown.set(None);
                    }
                },
                std::time::Duration::from_millis(2500),
            );
            *st.hide.borrow_mut() = handle.ok();
        }

        /// Starts or stops the camera.
        pub fn camera(
            self,
            on: bool,
            video: web_sys::HtmlVideoElement,
            camera: RwSignal<bool>,
            failed: RwSignal<bool>,
        ) {
            if !on {
                stop_camera();
                return;
            }
            let last = Rc::new(RefCell::new((String::new(), 0.0f64)));
            let on_code = Closure::<dyn FnMut(String)>::new(move |text: String| {
                // The same code held in front of the camera counts once.
                let t = js_sys::Date::now();
                let mut l = last.borrow_mut();
                if l.0 == text && t - l.1 < 3000.0 {
                    return;
                }
                *l = (text.clone(), t);
                self.scan(text);
            });
            let decode =
                Closure::<dyn FnMut(u32, u32, js_sys::Uint8ClampedArray) -> Option<String>>::new(
                    |w: u32, h: u32, data: js_sys::Uint8ClampedArray| {
                        super::decode_rgba(w as usize, h as usize, &data.to_vec())
                    },
                );
            let started = start_camera(&video, &on_code, &decode);
            on_code.forget();
            decode.forget();
            spawn_local(async move {
                let ok = wait(started)
                    .await
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false);
                if !ok {
                    camera.set(false);
                    failed.set(true);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_decoder_reads_a_badge_code() {
        let text = "FL1ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).unwrap();
        let width = code.width();
        let (scale, quiet) = (6, 4);
        let size = (width + 2 * quiet) * scale;
        let mut rgba = vec![255u8; size * size * 4];
        for y in 0..size {
            for x in 0..size {
                let (mx, my) = (
                    (x / scale).checked_sub(quiet),
                    (y / scale).checked_sub(quiet),
                );
                if let (Some(mx), Some(my)) = (mx, my)
                    && mx < width
                    && my < width
                    && code[(mx, my)] == qrcode::Color::Dark
                {
                    let i = (y * size + x) * 4;
                    rgba[i..i + 3].copy_from_slice(&[0, 0, 0]);
                }
            }
        }
        assert_eq!(decode_rgba(size, size, &rgba).as_deref(), Some(text));
        assert_eq!(decode_rgba(size, size, &vec![255u8; size * size * 4]), None);
        assert_eq!(decode_rgba(10, 10, &[0u8; 12]), None);
    }
}
