//! Candour's HTTP edge: the JSON API under `/api/v1` (OpenAPI 3.1 at `/api/v1/openapi.json`), health
//! and readiness probes, and Prometheus metrics. Handlers are thin: parse, call the domain and the store,
//! map errors once (see [`error`]).

pub mod ack;
pub mod api;
pub mod auth;
pub mod cyber;
pub mod error;
pub mod hazards;
pub mod intake;
pub mod json;
pub mod limit;
pub mod metrics;
pub mod openapi;
pub mod originals;
pub mod policy;
pub mod safety;
pub mod shots;
pub mod ui;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;
use candour_core::Taxonomy;
use candour_store::DynStore;
use std::sync::Arc;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// How long a sign-in session lasts.
    pub session_ttl: chrono::Duration,
    /// Mark cookies `Secure` (Candour is served over TLS: its public URL is `https://`).
    pub secure_cookies: bool,
    /// Anonymous report submissions allowed per network address per minute (0: no limit).
    pub submit_per_minute: u32,
    /// The address people use to reach Candour (for `security.txt`'s canonical links); none: the request's
    /// Host header is not trusted, so links are relative to `http://localhost`.
    pub public_url: Option<String>,
    /// Encrypts originals kept by organisation policy (none: originals are discarded whatever the policy).
    pub originals: Option<Arc<originals::Sealer>>,
    /// Days to acknowledge a researcher's vulnerability report (none: the disclosure policy's).
    pub disclosure_ack_days: Option<i64>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            body_limit: 256 * 1024,
            session_ttl: chrono::Duration::hours(8),
            secure_cookies: false,
            submit_per_minute: 0,
            public_url: None,
            originals: None,
            disclosure_ack_days: None,
        }
    }
}

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: DynStore,
    /// Taxonomy in force for new reports.
    pub taxonomy: Arc<Taxonomy>,
    /// Routing tables in force for new reports (replaced whole when an administrator saves a version).
    pub routing: candour_core::routing::InForce,
    /// Removes patient identifiers from shared free text at intake.
    pub redactor: Arc<candour_redact::Redactor>,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// The OpenAPI document, built once.
    pub openapi: Arc<bytes::Bytes>,
    /// Sign-in throttle.
    pub throttle: Arc<api::Throttle>,
    /// Anonymous submission limit.
    pub submissions: Arc<limit::SubmitLimiter>,
    /// Screenshot redaction (OCR started on first use).
    pub screenshots: Arc<shots::Screenshots>,
    /// Coordinated disclosure presets in force.
    pub disclosure: Arc<candour_core::cyber::DisclosurePolicy>,
}

impl AppState {
    /// Build the state around a store, with the routing tables shipped in this build.
    pub fn new(
        store: DynStore,
        taxonomy: Taxonomy,
        config: WebConfig,
    ) -> Result<Self, candour_core::routing::TableError> {
        let routing = candour_core::routing::Tables::embedded(&taxonomy)?;
        let mut disclosure = cyber::policy();
        if let Some(d) = config.disclosure_ack_days {
            disclosure.ack_days = d;
        }
        Ok(Self {
            disclosure: Arc::new(disclosure),
            store,
            routing: candour_core::routing::InForce::new(0, routing),
            redactor: Arc::new(candour_redact::Redactor::new()),
            taxonomy: Arc::new(taxonomy),
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            openapi: Arc::new(openapi::document()),
            throttle: Arc::new(api::Throttle::default()),
            submissions: Arc::new(limit::SubmitLimiter::default()),
            screenshots: Arc::new(shots::Screenshots::default()),
        })
    }
}

/// The largest hazard-log spreadsheet accepted for import.
pub const IMPORT_LIMIT: usize = 20 * 1024 * 1024;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let api = Router::new()
        .route("/reports", post(api::create_report).get(api::list_reports))
        .route("/reports/preview", post(api::preview_report))
        .route("/reports/{reference}", get(api::get_report).put(api::update_report))
        .route("/reports/{reference}/transitions", post(api::transition))
        .route("/reports/{reference}/revisions", get(api::revisions))
        .route("/reports/{reference}/audit", get(api::report_audit))
        .route("/reports/{reference}/deliveries", get(api::report_deliveries))
        .route("/reports/{reference}/stix", get(api::report_stix))
        .route("/reports/{reference}/cyber", get(cyber::get_case))
        .route("/reports/{reference}/cyber/indicators", post(cyber::add_indicators))
        .route(
            "/reports/{reference}/cyber/indicators/{id}",
            axum::routing::patch(cyber::update_indicator),
        )
        .route(
            "/reports/{reference}/cyber/marking",
            axum::routing::put(cyber::set_marking),
        )
        .route("/reports/{reference}/cyber/events", post(cyber::add_event))
        .route("/reports/{reference}/cyber/tasks", post(cyber::add_task))
        .route(
            "/reports/{reference}/cyber/tasks/{id}",
            axum::routing::put(cyber::update_task),
        )
        .route("/reports/{reference}/cyber/impact", post(cyber::record_impact))
        .route("/reports/{reference}/cyber/impact/reviews", post(cyber::review_impact))
        .route(
            "/reports/{reference}/cyber/disclosure",
            axum::routing::put(cyber::set_disclosure),
        )
        .route("/reports/{reference}/cyber/csoc", get(cyber::csoc_report))
        .route("/reports/{reference}/cyber/misp", get(cyber::misp))
        .route("/reports/{reference}/cyber/csaf", get(cyber::csaf_draft))
        .route("/reports/{reference}/cyber/advisories", post(cyber::publish))
        .route("/outbox", get(api::outbox))
        .route(
            "/reports/{reference}/destinations/{destination}/responses",
            post(api::record_response),
        )
        .route("/sessions", post(api::sign_in).delete(api::sign_out))
        .route("/me", get(api::me))
        .route("/users", get(api::list_users).post(api::create_user))
        .route("/taxonomy", get(api::taxonomy))
        .route("/indicators/extract", post(api::extract_indicators))
        .route("/risk-schemes", get(hazards::schemes).post(hazards::create_scheme))
        .route("/risk-schemes/default", get(hazards::default_scheme))
        .route("/safety-projects", get(hazards::projects).post(hazards::create_project))
        .route(
            "/safety-projects/{id}/hazards",
            get(hazards::hazards).post(hazards::create_hazard),
        )
        .route("/safety-projects/{id}/hazards/{number}", put(hazards::change_hazard))
        .route("/safety-projects/{id}/hazards/{number}/history", get(hazards::history))
        .route("/safety-projects/{id}", put(hazards::update_project))
        .route("/safety-projects/{id}/triage", post(safety::triage_report))
        .route("/safety-projects/{id}/links", get(safety::links))
        .route(
            "/safety-projects/{id}/reviews",
            get(safety::reviews).post(safety::add_review),
        )
        .route("/safety-projects/{id}/documents", get(safety::documents))
        .route("/safety-projects/{id}/documents/{kind}/draft", get(safety::draft))
        .route("/safety-projects/{id}/documents/{kind}/approve", post(safety::approve))
        .route("/safety-projects/{id}/documents/{kind}/{version}", get(safety::issued))
        .route(
            "/safety-projects/{id}/compliance",
            get(safety::compliance_list).put(safety::compliance_answer),
        )
        .route("/safety-projects/{id}/hazard-log", get(safety::export))
        .route(
            "/safety-projects/{id}/import",
            post(safety::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route("/cso-records", get(safety::cso_records))
        .route("/cso-records/me", put(safety::put_cso))
        .route("/openapi.json", get(api::openapi))
        .fallback(api::not_found);
    Router::new()
        .route("/", get(ui::journey::start_page))
        .route("/ack/{token}", get(ack::show).post(ack::record))
        .route("/assets/{version}/{*path}", get(ui::assets::serve))
        .route("/report", get(ui::journey::start_page))
        .route("/report/start", post(ui::journey::start))
        .route("/report/help", get(ui::journey::help))
        .route("/report/urgent", get(ui::journey::urgent))
        .route("/report/check", get(ui::journey::check_page))
        .route(
            "/report/screenshots",
            get(ui::screenshots::show)
                .post(ui::screenshots::upload)
                .layer(DefaultBodyLimit::max(ui::screenshots::BODY_LIMIT)),
        )
        .route("/report/screenshots/remove", post(ui::screenshots::remove))
        .route("/report/screenshots/cover", post(ui::screenshots::cover))
        .route("/report/check/keep", post(ui::journey::keep))
        .route("/report/screenshots/{id}", get(ui::screenshots::image))
        .route(
            "/workspace/reports/{reference}/screenshots/{id}",
            get(ui::screenshots::staff_image),
        )
        .route(
            "/workspace/reports/{reference}/originals/{id}",
            get(ui::originals::read),
        )
        .route("/report/submit", post(ui::journey::submit))
        .route("/report/confirmation", get(ui::journey::confirmation))
        .route(
            "/report/{step}",
            get(ui::journey::step_page).post(ui::journey::step_post),
        )
        .route("/track/{token}", get(ui::track::show).post(ui::track::add))
        .route("/.well-known/security.txt", get(ui::security::security_txt))
        .route("/security/policy", get(ui::security::policy))
        .route(
            "/sign-in",
            get(ui::workspace::sign_in_page).post(ui::workspace::sign_in),
        )
        .route("/sign-out", post(ui::workspace::sign_out))
        .route("/workspace", get(ui::workspace::queue))
        .route("/workspace/reports/{reference}", get(ui::workspace::report))
        .route("/workspace/reports/{reference}/cyber", get(ui::cyber::case_page))
        .route(
            "/workspace/reports/{reference}/cyber/{action}",
            post(ui::cyber::post_form),
        )
        .route("/workspace/obligations", get(ui::admin::obligations))
        .route("/workspace/outbox", get(ui::admin::outbox))
        .route("/workspace/users", get(ui::admin::users_page).post(ui::admin::add_user))
        .route(
            "/workspace/routing",
            get(ui::admin::routing_page).post(ui::admin::routing_post),
        )
        .route("/workspace/reports/{reference}/actions", post(ui::workspace::act))
        .route("/workspace/reports/{reference}/triage", post(ui::safety::triage))
        .route("/workspace/safety", get(ui::safety::projects))
        .route("/workspace/safety/{id}", get(ui::safety::project))
        .route(
            "/workspace/safety/{id}/hazards/new",
            get(ui::safety::new_hazard).post(ui::safety::create_hazard),
        )
        .route("/workspace/safety/{id}/hazards/{number}", get(ui::safety::hazard))
        .route(
            "/workspace/safety/{id}/hazards/{number}/edit",
            get(ui::safety::edit_hazard).post(ui::safety::change_hazard),
        )
        .route("/workspace/safety/{id}/reviews", post(ui::safety::add_review))
        .route(
            "/workspace/safety/{id}/approve/{kind}",
            get(ui::safety::approval_page).post(ui::safety::approve),
        )
        .route(
            "/workspace/safety/{id}/import",
            post(ui::safety::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT)),
        )
        .route(
            "/workspace/safety/{id}/compliance",
            get(ui::safety::compliance).post(ui::safety::answer),
        )
        .route("/workspace/cso", get(ui::safety::cso).post(ui::safety::save_cso))
        .route(
            "/workspace/reports/{reference}/responses",
            post(ui::destinations::respond),
        )
        .route("/workspace/reports/{reference}/assign", post(ui::notes::assign))
        .route("/workspace/reports/{reference}/notes", post(ui::notes::add))
        .nest("/api/v1", api)
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(ui::security_headers))
        .layer(axum::middleware::from_fn(limit::remember_ip))
        .with_state(state)
}
