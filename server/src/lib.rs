//! The Fairlink server: wires configuration, the database, the leptos app
//! and the HTTP stack together.

pub mod backup;
pub mod config;
pub mod files;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod middleware;
pub mod page_cache;
pub mod scanner;
pub mod telemetry;

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use config::Config;
use fairlink::db::Db;
use fairlink_app::api::ctx::AppContext;
use fairlink_app::{App, shell};
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, ResponseOptions, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Everything a request handler may need. Cloned for every request by
/// every layer that reads it: one reference count, not a deep copy.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub ctx: AppContext,
    pub config: Arc<Config>,
    pub page_cache: Arc<page_cache::PageCache>,
    /// This instance's HTTP figures, for `/metrics`.
    pub http: metrics::Http,
    /// Per-address limits on the expensive reads.
    pub limiter: limits::Limiter,
    /// Decides online scans, many per transaction.
    pub gatekeeper: fairlink::badges::Gatekeeper,
    /// Scanner devices and gates, remembered between scans.
    pub scanner: Arc<scanner::Cache>,
    /// Set once the server is stopping: long-lived responses (event
    /// streams) end so that the server can finish.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("fairlink")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// Runs for every server-rendered page and server-function call: hands the
/// app its context and gives pages a Content-Security-Policy that admits
/// exactly their own inline scripts.
fn request_context(ctx: AppContext) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(ctx.clone());
        // The nonce the security-headers layer made for this request, so
        // that the page and its policy agree even if the header set here
        // does not reach the response.
        if let Some(nonce) = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<middleware::PageNonce>().cloned())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
        if let (Some(nonce), Some(res)) =
            (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
            && let Ok(value) = HeaderValue::from_str(&middleware::page_csp(&nonce.to_string()))
        {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}

/// An address under /api/ that names no server function.
async fn api_not_found(req: axum::extract::Request) -> axum::response::Response {
    let locale = req
        .extensions()
        .get::<fairlink::Locale>()
        .copied()
        .unwrap_or_default();
    middleware::error_response(fairlink::ErrorCode::NotFound, locale)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready for traffic: the database answers and the server is not stopping
/// (a load balancer takes a stopping instance out while it drains).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if *state.stopping.borrow() {
        return (StatusCode::SERVICE_UNAVAILABLE, "stopping");
    }
    match state.ctx.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context = request_context(state.ctx.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/api/scanner/v1/openapi.json", get(scanner::openapi))
        .route("/api/scanner/v1/fairs/{fair}/sync", get(scanner::sync))
        .route("/api/scanner/v1/verdict", axum::routing::post(scanner::verdict))
        .route(
            "/api/scanner/v1/fairs/{fair}/scans",
            axum::routing::post(scanner::upload).layer(axum::extract::DefaultBodyLimit::max(scanner::UPLOAD_MAX_BYTES)),
        )
        .route("/api/organiser/fairs/{fair}/devices", axum::routing::post(scanner::add_device))
        .route("/api/organiser/devices/{id}/revoke", axum::routing::post(scanner::revoke_device))
        .route("/files/{id}", get(files::download))
        .route("/organiser/export/{name}", get(files::export))
        .route("/bookings/{id}/invoice.pdf", get(files::invoice))
        .route("/badges/{id}", get(files::badge))
        .route("/organiser/fairs/{slug}/badges.pdf", get(files::badge_sheets))
        .route("/organiser/fairs/{slug}/live/events", get(live::events))
        .route("/fairs/{slug}/plan/events", get(live::plan_events))
        .route("/fairs/{slug}/meetings/events", get(live::meetings_events))
        .route("/firm/leads.csv", get(files::leads_csv))
        .route("/fairs/{slug}/needs", axum::routing::post(files::save_need))
        .route("/fairs/{slug}/blocked", axum::routing::post(files::set_blocked))
        .route("/fairs/{slug}/agenda.ics", get(files::agenda_ics))
        .route("/calendar/{token}/{file}", get(files::feed_ics))
        .route("/firm/leads.xlsx", get(files::leads_xlsx))
        .route("/organiser/halls/{id}/{name}", get(files::plan_export))
        .route(
            "/organiser/halls/{id}/plan",
            axum::routing::post(files::plan_import)
                .layer(axum::extract::DefaultBodyLimit::max(files::PLAN_MAX_BYTES)),
        )
        .route(
            "/firm/certificates",
            axum::routing::post(files::add_certificate)
                .layer(axum::extract::DefaultBodyLimit::max(files::body_limit_for("/firm/certificates"))),
        )
        .route(
            "/firm/logo",
            axum::routing::post(files::set_logo).layer(axum::extract::DefaultBodyLimit::max(files::body_limit_for("/firm/logo"))),
        )
        .route("/firm/capabilities", axum::routing::post(files::set_capabilities))
        .route(
            "/organiser/import",
            axum::routing::post(files::upload_import)
                .layer(axum::extract::DefaultBodyLimit::max(files::body_limit_for("/organiser/import"))),
        )
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn(middleware::form_hygiene))
        .layer(axum::middleware::from_fn_with_state(state.clone(), page_cache::page_cache))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::request_info))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::origin_check))
        .layer(RequestBodyLimitLayer::new(files::body_limit_for("/organiser/import")))
        .layer(axum::middleware::from_fn(middleware::body_limit))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(axum::middleware::from_fn(middleware::canonical_path))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    // The route matched, never the path: paths carry secrets
                    // (`/reset/{token}`, `/calendar/{token}/…`).
                    let route = req
                        .extensions()
                        .get::<axum::extract::MatchedPath>()
                        .map_or("unmatched", |p| p.as_str());
                    tracing::info_span!("request", method = %req.method(), route = %route, request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Opens and migrates the database named by the configuration, with the
/// master key in place.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot open DATABASE_URL={}: {e}",
            fairlink::db::redact(&config.database_url)
        )
    })?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    secure(config, &db).await?;
    Ok(db)
}

/// Installs the master key (unless this process has one already) and
/// checks it against the database, then seals the secrets still stored in
/// clear. An instance with another key than its database's stops here.
pub async fn secure(config: &Config, db: &Db) -> anyhow::Result<()> {
    if !fairlink::secret::is_installed() {
        fairlink::secret::install(config.load_master_key()?);
    }
    fairlink::secret::check_against(db)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail.unwrap_or_else(|| e.code.to_string())))?;
    fairlink::badges::seal_plain_keys(db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot seal the badge keys: {e}"))?;
    Ok(())
}

pub fn state(config: Config, db: Db) -> AppState {
    let page_cache = Arc::new(page_cache::PageCache::new(Duration::from_secs(
        config.page_cache_seconds,
    )));
    let limiter = limits::Limiter::new(
        (config.search_rate > 0.0).then_some(limits::Rate {
            per_second: config.search_rate,
            // At least one request, however low the rate.
            burst: (3.0 * config.search_rate).max(1.0),
        }),
        (config.sync_rate > 0.0).then_some(limits::Rate {
            per_second: config.sync_rate,
            burst: (10.0 * config.sync_rate).max(1.0),
        }),
    );
    let scanner = Arc::new(scanner::Cache::default());
    let forget = {
        let scanner = scanner.clone();
        fairlink_app::api::ctx::ForgetDevice(Some(Arc::new(move |device| scanner.forget(device))))
    };
    AppState(Arc::new(Shared {
        leptos_options: leptos_options(&config),
        gatekeeper: fairlink::badges::Gatekeeper::start(db.clone()),
        scanner,
        stopping: Arc::new(tokio::sync::watch::channel(false).0),
        ctx: AppContext {
            db,
            secure_cookies: config.secure_cookies(),
            public_url: config.public_url.clone(),
            links: fairlink::mail::Links::new(&config.public_url),
            mail_wake: fairlink::mail::Wake::new(),
            map_statuses: Default::default(),
            map_generation: Default::default(),
            map_read: Default::default(),
            forget_device: forget,
        },
        config: Arc::new(config),
        page_cache,
        http: metrics::Http::default(),
        limiter,
    }))
}

/// Background upkeep: expired sessions and old sign-in attempts; booth holds
/// whose time ran out (their booths go to the waiting list or back on sale);
/// meeting requests left unanswered past their time.
fn spawn_workers(db: Db, links: fairlink::mail::Links, wake: fairlink::mail::Wake) {
    let holds_db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            match fairlink::booths::expire_holds(&holds_db, &links, chrono::Utc::now()).await {
                Ok(n) if n > 0 => {
                    tracing::info!(holds = n, "expired booth holds ended");
                    wake.notify();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "ending expired holds failed"),
            }
        }
    });
    let requests_db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match fairlink::meetings::service::expire_requests(&requests_db, chrono::Utc::now())
                .await
            {
                Ok(n) if n > 0 => {
                    tracing::info!(requests = n, "unanswered meeting requests expired")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiring meeting requests failed"),
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match fairlink::accounts::purge_expired(&db, chrono::Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
        }
    });
}

/// The mail transport the configuration asks for.
pub fn mail_transport(config: &Config) -> anyhow::Result<fairlink::mail::delivery::Transport> {
    use fairlink::mail::delivery::Transport;
    match &config.smtp_url {
        Some(url) => Transport::smtp(url).map_err(|e| anyhow::anyhow!("SMTP_URL: {e}")),
        None => Transport::folder(&config.mail_dir)
            .map_err(|e| anyhow::anyhow!("FAIRLINK_MAIL_DIR={}: {e}", config.mail_dir.display())),
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    mail_worker: tokio::task::JoinHandle<()>,
    /// How long draining goes on, and how long what is in flight may take
    /// after it.
    drain: Duration,
    stop: Duration,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves until the process is told to stop (SIGINT, SIGTERM): drains
    /// (`/readyz` answers 503 while requests are still served), stops
    /// listening, lets requests in flight and the mail worker's batch
    /// finish, and gives up on them after the stop deadline.
    pub async fn wait(self) -> anyhow::Result<()> {
        let Running {
            mut handle,
            shutdown,
            mail_worker,
            drain,
            stop,
            ..
        } = self;
        let mut stopping = shutdown.subscribe();
        let deadline = async {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(drain + stop).await;
        };
        let served = tokio::select! {
            served = &mut handle => Some(served),
            _ = deadline => None,
        };
        let _ = shutdown.send(true);
        let Some(served) = served else {
            tracing::warn!(
                seconds = stop.as_secs(),
                "requests still in flight at the stop deadline: ending anyway"
            );
            handle.abort();
            return Ok(());
        };
        if tokio::time::timeout(stop, mail_worker).await.is_err() {
            tracing::warn!(
                "the mail batch did not end by the stop deadline: its mails are sent again later"
            );
        }
        served??;
        Ok(())
    }

    /// Stops accepting, lets requests in flight finish, lets the mail worker
    /// finish its batch.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.handle.await;
        let _ = self.mail_worker.await;
    }
}

/// Binds `config.addr` (port 0 picks a free port) and serves in the
/// background until stopped or until the process is told to end.
pub async fn start(config: Config, db: Db) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on FAIRLINK_ADDR={}: {e}", config.addr))?;
    let addr = listener.local_addr()?;
    // Pages stream in several writes: without TCP_NODELAY, Nagle's algorithm
    // and delayed ACKs hold each response back by up to 40 ms.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    secure(&config, &db).await?;
    let mut config = config;
    if config.addr.port() == 0 && config.public_url.ends_with(":0") {
        config.public_url = format!("http://{addr}");
    }
    let transport = mail_transport(&config)?;
    let mut delivery = fairlink::mail::delivery::DeliveryConfig::new(config.mail_from.clone());
    delivery.message_id_domain = config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("fairlink.example")
        .split(':')
        .next()
        .unwrap_or("fairlink.example")
        .to_string();
    let state = state(config, db.clone());
    spawn_workers(
        db.clone(),
        state.ctx.links.clone(),
        state.ctx.mail_wake.clone(),
    );
    let tx = state.stopping.clone();
    let mut rx = tx.subscribe();
    // Changes made on any instance reach the pages connected to this one.
    let follow_db = db.clone();
    let follow_stop = tx.subscribe();
    let (listening, ready) = tokio::sync::oneshot::channel();
    tokio::spawn(async move { follow_db.follow_changes(follow_stop, listening).await });
    // Changes made from here on are heard (unless the database is away:
    // then the listener keeps trying on its own).
    let _ = tokio::time::timeout(Duration::from_secs(5), ready).await;
    tokio::spawn(live::forget_changed_maps(state.clone()));
    tokio::spawn(scanner::forget_revoked_devices(state.clone()));
    let mail_worker = tokio::spawn(fairlink::mail::delivery::run(
        db,
        transport,
        delivery,
        state.ctx.mail_wake.notifier(),
        tx.subscribe(),
    ));
    let stopping = state.stopping.clone();
    let drain = Duration::from_secs(state.config.drain_seconds);
    let stop = Duration::from_secs(state.config.stop_seconds);
    let app = router(state);
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let signalled = tokio::select! {
                _ = rx.wait_for(|stop| *stop) => false,
                _ = shutdown_signal() => true,
            };
            if signalled {
                // Not ready any more, still serving: the balancer takes
                // the instance out before it stops listening.
                let _ = stopping.send(true);
                if !drain.is_zero() {
                    tracing::info!(seconds = drain.as_secs(), "draining");
                    tokio::time::sleep(drain).await;
                }
            }
        })
        .await
    });
    Ok(Running {
        addr,
        handle,
        shutdown: tx,
        mail_worker,
        drain,
        stop,
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}
