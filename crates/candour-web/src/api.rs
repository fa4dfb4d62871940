//! The `/api/v1` handlers.

use crate::auth::{self, Caller};
use crate::error::ApiError;
use crate::json::{self, JsonBytes};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use candour_core::audit::AuditEvent;
use candour_core::identity::{
    Can, Grant, ManageUsers, Principal, TransitionReports, ViewAudit, ViewConfidentialIdentity, ViewReports,
};
use candour_core::lifecycle::Action;
use candour_core::record::{ReportRecord, State as LifecycleState};
use candour_core::report::ReportBody;
use candour_core::{Reference, ValidationErrors};
use candour_store::{Idempotency, NewSession, NewUser, ReportFilter, ReportSummary, TransitionRequest, UpdateRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) type ApiResult<T> = Result<T, ApiError>;

pub(crate) fn parse_reference(s: &str) -> ApiResult<Reference> {
    s.parse().map_err(|_| ApiError::NotFound(format!("report {s}")))
}

pub(crate) fn need<P: candour_core::identity::Permission>(p: &Principal) -> ApiResult<Can<P>> {
    match p {
        Principal::Anonymous => Err(ApiError::Unauthorized(format!("sign in to {}", P::NAME))),
        Principal::Known { .. } => p
            .can::<P>()
            .ok_or_else(|| ApiError::Forbidden(format!("your roles do not allow you to {}", P::NAME))),
    }
}

/// `201` body for a stored report.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CreatedBody {
    /// Human-friendly reference.
    pub reference: String,
    /// Internal id.
    pub id: String,
    /// What was removed from the shared free text before it was stored (kinds and positions only).
    pub redactions: Vec<crate::intake::RedactionNote>,
}

/// `POST /api/v1/reports/preview` response: the report as it would be stored and shared.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PreviewBody {
    /// The report with patient identifiers replaced by placeholders.
    pub report: ReportBody,
    /// What was removed, field by field.
    pub redactions: Vec<crate::intake::RedactionNote>,
    /// Problems that would stop it being accepted (empty when it would be).
    pub problems: Vec<candour_core::FieldError>,
}

/// `POST /api/v1/reports/preview`: show the reporter exactly what will be stored and shared, before
/// anything is stored.
pub async fn preview_report(State(st): State<AppState>, JsonBytes(body): JsonBytes) -> ApiResult<Json<PreviewBody>> {
    let mut report: ReportBody = json::parse(&body)?;
    let redactions = crate::intake::redact(&st.redactor, &mut report);
    let problems = match report.clone().validate(&st.taxonomy, Utc::now()) {
        Ok(_) => Vec::new(),
        Err(e) => e.errors,
    };
    Ok(Json(PreviewBody {
        report,
        redactions,
        problems,
    }))
}

/// `POST /api/v1/reports`: anyone may report; an organisation's policy can require sign-in.
pub async fn create_report(
    State(st): State<AppState>,
    Caller(who): Caller,
    axum::Extension(ip): axum::Extension<crate::limit::ClientIp>,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    if who == Principal::Anonymous
        && !st
            .submissions
            .allow(ip.0, st.config.submit_per_minute, std::time::Instant::now())
    {
        return Err(ApiError::RateLimited);
    }
    let report: ReportBody = json::parse(&body)?;
    let idempotency = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let key = v
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or_else(|| {
                    ApiError::Invalid(ValidationErrors::one(
                        "Idempotency-Key",
                        "invalid",
                        "must be 1 to 200 visible characters",
                    ))
                })?;
            Some(Idempotency {
                key: key.to_string(),
                request_hash: hex::encode(Sha256::digest(&body)),
            })
        }
    };
    let (req, redactions) = crate::intake::prepare(&st, &who, report, idempotency, Utc::now()).await?;
    let created = crate::intake::store(&st, req).await?;
    let reference = created.reference.to_string();
    let location = format!("/api/v1/reports/{reference}");
    let mut res = (
        StatusCode::CREATED,
        Json(CreatedBody {
            reference,
            id: created.id.to_string(),
            redactions,
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if created.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// A report as the API shows it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReportView {
    /// Internal id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Current revision; send it back as `expected_revision` when changing the report.
    pub revision: i64,
    /// Taxonomy version the report was validated under.
    pub taxonomy_version: String,
    /// Lifecycle state.
    #[serde(flatten)]
    pub state: LifecycleState,
    /// Has a named human acknowledged it?
    pub acknowledged: bool,
    /// First stored (UTC).
    pub created_at: DateTime<Utc>,
    /// First stored, UK local time.
    pub created_at_local: String,
    /// When it happened, was detected and became known, in UK local time (GMT or BST).
    pub times_local: TimesLocal,
    /// Last changed (UTC).
    pub updated_at: DateTime<Utc>,
    /// True when the reporter's identity is confidential and withheld from this reader.
    pub reporter_withheld: bool,
    /// The report.
    pub report: ReportBody,
    /// Where it was sent when received, why, and where each clock stands now.
    pub routing: Option<RoutingView>,
    /// Acknowledgements by destinations, and reasoned decisions not to notify one.
    pub responses: Vec<candour_store::DestinationResponse>,
    /// True while no named human anywhere (locally or at any destination) has acknowledged the report.
    pub no_human_acknowledged: bool,
    /// Reminders and escalations sent to destinations that had not acknowledged it.
    pub chasing: Vec<candour_store::ChaseRecord>,
    /// Notes: what the reporter added through their tracking link, and staff's internal notes.
    pub notes: Vec<candour_store::Note>,
    /// Who is working on it.
    pub assignment: Option<candour_store::Assignment>,
    /// Screenshots the reporter attached (what they are, never their content: held back until they can be
    /// redacted).
    pub attachments: Vec<candour_store::AttachmentInfo>,
    /// A vulnerability's CVSS vector, scored.
    pub cvss: Option<candour_core::scoring::CvssScore>,
}

/// A routing decision with its clocks as they stand now.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RoutingView {
    /// The decision as made at receipt.
    pub decision: candour_core::routing::Decision,
    /// Every clock, soonest first.
    pub clocks: Vec<ClockView>,
}

/// One clock.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ClockView {
    /// Destination id.
    pub destination: String,
    /// Obligation id.
    pub obligation: String,
    /// Obligation name.
    pub name: String,
    /// Due (UTC).
    pub due_at: DateTime<Utc>,
    /// Due, UK local time.
    pub due_at_local: String,
    /// Running or overdue, now.
    pub state: candour_core::routing::ClockState,
    /// False when the figure is not verified against a primary source.
    pub verified: bool,
}

fn routing_view(d: &candour_core::routing::Decision, now: DateTime<Utc>) -> RoutingView {
    let mut clocks: Vec<ClockView> = d
        .routes
        .iter()
        .flat_map(|r| {
            r.clocks.iter().map(move |c| ClockView {
                destination: r.destination.clone(),
                obligation: c.obligation.clone(),
                name: c.name.clone(),
                due_at: c.due_at,
                due_at_local: candour_core::time::london(c.due_at),
                state: candour_core::routing::ClockState::at(c.due_at, now),
                verified: c.verified,
            })
        })
        .collect();
    clocks.sort_by_key(|c| c.due_at);
    RoutingView {
        decision: d.clone(),
        clocks,
    }
}

/// Event times shown in UK local time.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TimesLocal {
    /// When it happened.
    pub occurred_at: Option<String>,
    /// When it was detected.
    pub detected_at: Option<String>,
    /// When the organisation became aware.
    pub aware_at: Option<String>,
}

/// Build the view, withholding a confidential reporter's identity unless `may_see_identity`.
pub fn view(r: &ReportRecord, may_see_identity: bool) -> ReportView {
    let mut report = r.report.body().clone();
    let withheld = report.confidential && !may_see_identity;
    if withheld {
        report.reporter.withhold_identity();
    }
    ReportView {
        id: r.id.to_string(),
        reference: r.reference.to_string(),
        revision: r.revision,
        taxonomy_version: r.taxonomy_version.clone(),
        acknowledged: r.state.acknowledgement.is_some(),
        state: r.state.clone(),
        created_at: r.created_at,
        created_at_local: candour_core::time::london(r.created_at),
        times_local: TimesLocal {
            occurred_at: r.report.body().occurred_at.map(candour_core::time::london),
            detected_at: r.report.body().detected_at.map(candour_core::time::london),
            aware_at: r.report.body().aware_at.map(candour_core::time::london),
        },
        updated_at: r.updated_at,
        reporter_withheld: withheld,
        report,
        routing: r.routing.as_ref().map(|d| routing_view(d, Utc::now())),
        responses: Vec::new(),
        no_human_acknowledged: r.state.acknowledgement.is_none(),
        chasing: Vec::new(),
        notes: Vec::new(),
        assignment: None,
        attachments: Vec::new(),
        cvss: r
            .report
            .body()
            .vulnerability
            .as_ref()
            .and_then(|v| v.cvss_vector.as_deref())
            .and_then(|v| candour_core::scoring::cvss(v).ok()),
    }
}

pub(crate) async fn load(
    st: &AppState,
    who: &Principal,
    reference: &str,
) -> ApiResult<(Can<ViewReports>, ReportRecord)> {
    let can = need::<ViewReports>(who)?;
    let r = parse_reference(reference)?;
    let rec = st
        .store
        .get_report(&can, &r)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("report {reference}")))?;
    Ok((can, rec))
}

/// May `who` see this report's (confidential) reporter identity? Only its organisation's CSO or an admin.
fn may_see_identity(who: &Principal, rec: &ReportRecord) -> bool {
    rec.report.body().confidential && who.can_for::<ViewConfidentialIdentity>(rec.report.ods()).is_some()
}

/// Show a record to `who`; a confidential identity is shown only to CSO/admin of its organisation,
/// and that read is audited before the response leaves.
async fn show(st: &AppState, who: &Principal, rec: &ReportRecord) -> ApiResult<ReportView> {
    let may = may_see_identity(who, rec);
    if may {
        st.store
            .record_event(AuditEvent {
                actor: who.actor(),
                action: "report.read_confidential_identity".into(),
                object_type: "report".into(),
                object_id: rec.reference.to_string(),
                before_digest: None,
                after_digest: None,
            })
            .await?;
    }
    let mut v = view(rec, may);
    v.responses = st.store.responses(rec.id).await?;
    v.chasing = st.store.chase_steps(rec.id).await?;
    v.notes = st.store.notes(rec.id, true).await?;
    v.assignment = st.store.assignment(rec.id).await?;
    v.attachments = st.store.attachments(None, Some(rec.id)).await?;
    // Never the reporter's file names to staff: they may carry patient details ("SMITH John 943....png").
    for (i, a) in v.attachments.iter_mut().enumerate() {
        a.filename = format!("screenshot-{}.png", i + 1);
    }
    v.no_human_acknowledged = v.no_human_acknowledged && !v.responses.iter().any(|r| r.kind == "acknowledged");
    Ok(v)
}

/// `GET /api/v1/reports/{reference}`.
pub async fn get_report(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<ReportView>> {
    let (_, rec) = load(&st, &who, &reference).await?;
    Ok(Json(show(&st, &who, &rec).await?))
}

/// `PUT /api/v1/reports/{reference}` body: the amended report and the revision the caller saw.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBody {
    /// The revision the caller last saw (a stale one gets 409).
    pub expected_revision: i64,
    /// The whole report as it should now read. Its kind cannot change, and the reporter's identity,
    /// anonymity and confidentiality are kept as the reporter gave them.
    pub report: ReportBody,
}

/// `PUT /api/v1/reports/{reference}`: amend a report's content (a new revision, audited).
pub async fn update_report(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<ReportView>> {
    let can = need::<TransitionReports>(&who)?;
    let reference = parse_reference(&reference)?;
    let req: UpdateBody = json::parse(&body)?;
    let rec = st
        .store
        .update_report(
            &can,
            UpdateRequest {
                reference,
                expected_revision: req.expected_revision,
                body: req.report,
                now: Utc::now(),
            },
        )
        .await
        .map_err(|e| match e {
            // Field paths are relative to the report inside the request body.
            candour_store::StoreError::Lifecycle(candour_core::lifecycle::LifecycleError::Invalid(mut v)) => {
                for f in &mut v.errors {
                    f.path = format!("report.{}", f.path);
                }
                ApiError::Invalid(v)
            }
            other => other.into(),
        })?;
    Ok(Json(show(&st, &who, &rec).await?))
}

/// A page of reports.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ReportPage {
    /// Reports, newest first.
    pub items: Vec<ReportSummary>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/reports`.
pub async fn list_reports(
    State(st): State<AppState>,
    Caller(who): Caller,
    q: Result<Query<ReportFilter>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<ReportPage>> {
    let Query(mut f) = q.map_err(|e| ApiError::BadJson {
        path: "query".into(),
        message: e.body_text(),
    })?;
    let can = need::<ViewReports>(&who)?;
    if let Some(h) = &f.min_harm {
        if st.taxonomy.entry("physical_harm", h).is_none() {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "min_harm",
                "unknown_value",
                format!(
                    "'{h}' is not allowed (one of: {})",
                    st.taxonomy.allowed("physical_harm")
                ),
            )));
        }
    }
    if f.cursor
        .as_deref()
        .is_some_and(|c| candour_store::decode_cursor(c).is_none())
    {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "cursor",
            "invalid",
            "is not a cursor from this API",
        )));
    }
    let limit = f.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "limit",
            "out_of_range",
            "must be between 1 and 500",
        )));
    }
    f.limit = Some(limit + 1);
    let mut items = st.store.list_reports(&can, &f).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|s| candour_store::encode_cursor(s.seq))
    } else {
        None
    };
    Ok(Json(ReportPage { items, next_cursor }))
}

/// `POST /api/v1/reports/{reference}/transitions` body: an action plus the revision the caller saw.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct TransitionBody {
    /// The revision the caller last saw (required: a stale one gets 409).
    pub expected_revision: i64,
    /// The action and its fields.
    #[serde(flatten)]
    pub action: Action,
}

/// `POST /api/v1/reports/{reference}/transitions`.
pub async fn transition(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<ReportView>> {
    let can = need::<TransitionReports>(&who)?;
    let reference = parse_reference(&reference)?;
    let mut v: serde_json::Value = json::parse(&body)?;
    let obj = v.as_object_mut().ok_or_else(|| ApiError::BadJson {
        path: ".".into(),
        message: "expected a JSON object".into(),
    })?;
    let expected = match obj.remove("expected_revision") {
        Some(serde_json::Value::Number(n)) => n.as_i64().ok_or_else(|| ApiError::BadJson {
            path: "expected_revision".into(),
            message: "must be a whole number".into(),
        })?,
        Some(_) => {
            return Err(ApiError::BadJson {
                path: "expected_revision".into(),
                message: "must be a whole number".into(),
            })
        }
        None => {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "expected_revision",
                "required",
                "send the revision you last saw, so changes made since are not overwritten",
            )))
        }
    };
    // A named human acknowledges: the signed-in person's name is used unless another is given.
    if obj.get("action").and_then(|a| a.as_str()) == Some("acknowledge") && !obj.contains_key("name") {
        obj.insert("name".into(), can.actor_name().into());
    }
    if obj.get("action").and_then(|a| a.as_str()) == Some("receive") {
        return Err(ApiError::Transition(
            "reports are received automatically when stored".into(),
        ));
    }
    let action: Action = json::parse(&serde_json::to_vec(&v).map_err(|e| ApiError::Internal(e.to_string()))?)?;
    let rec = st
        .store
        .transition(
            &can,
            TransitionRequest {
                reference,
                expected_revision: Some(expected),
                action,
                now: Utc::now(),
            },
        )
        .await?;
    Ok(Json(show(&st, &who, &rec).await?))
}

/// `GET /api/v1/reports/{reference}/revisions`.
pub async fn revisions(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<Vec<candour_core::record::Revision>>> {
    let (_, rec) = load(&st, &who, &reference).await?;
    let may = may_see_identity(&who, &rec);
    let revs = revisions_as_seen(&st, &rec, may).await?;
    if may {
        // Audits this read of the confidential identity before the response leaves.
        show(&st, &who, &rec).await?;
    }
    Ok(Json(revs))
}

/// A report's revisions, a confidential reporter's identity withheld unless `may_see_identity`.
async fn revisions_as_seen(
    st: &AppState,
    rec: &ReportRecord,
    may_see_identity: bool,
) -> ApiResult<Vec<candour_core::record::Revision>> {
    let mut revs = st.store.revisions(rec.id).await?;
    if rec.report.body().confidential && !may_see_identity {
        for r in &mut revs {
            r.body.reporter.withhold_identity();
        }
    }
    Ok(revs)
}

/// A report `who` may see, as `GET /api/v1/reports/{reference}` shows it, with its revisions as
/// `GET …/revisions` shows them; a read of a confidential identity is audited once.
pub(crate) async fn load_with_history(
    st: &AppState,
    who: &Principal,
    reference: &str,
) -> ApiResult<(
    ReportView,
    Vec<candour_core::record::Revision>,
    Vec<candour_store::OutboxMessage>,
)> {
    let (_, rec) = load(st, who, reference).await?;
    let view = show(st, who, &rec).await?;
    let revs = revisions_as_seen(st, &rec, may_see_identity(who, &rec)).await?;
    let messages = st.store.outbox(None, Some(&view.reference)).await?;
    Ok((view, revs, messages))
}

/// `GET /api/v1/reports/{reference}/audit`.
pub async fn report_audit(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<Vec<candour_core::audit::AuditEntry>>> {
    let (_, rec) = load(&st, &who, &reference).await?;
    if who.can_for::<ViewAudit>(rec.report.ods()).is_none() {
        return Err(ApiError::Forbidden(format!(
            "your roles do not allow you to {}",
            <ViewAudit as candour_core::identity::Permission>::NAME
        )));
    }
    Ok(Json(st.store.audit_for("report", &rec.reference.to_string()).await?))
}

/// Sign-in request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Sign-in response.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SessionBody {
    /// Bearer token for `Authorization: Bearer …` (also set as an HttpOnly cookie).
    pub token: String,
    /// When it expires (UTC).
    pub expires_at: DateTime<Utc>,
}

/// Failed sign-ins per username, to slow guessing.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const MAX_FAILURES: u32 = 10;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);

impl Throttle {
    fn blocked(&self, user: &str) -> bool {
        self.failures
            .lock()
            .map(|m| {
                m.get(user)
                    .is_some_and(|(n, t)| *n >= MAX_FAILURES && t.elapsed() < FAILURE_WINDOW)
            })
            .unwrap_or(false)
    }
    fn fail(&self, user: &str) {
        if let Ok(mut m) = self.failures.lock() {
            let e = m.entry(user.to_string()).or_insert((0, Instant::now()));
            if e.1.elapsed() >= FAILURE_WINDOW {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }
    fn clear(&self, user: &str) {
        if let Ok(mut m) = self.failures.lock() {
            m.remove(user);
        }
    }
}

/// Check a username and password (throttled per username) and open a session: its token and expiry.
pub(crate) async fn authenticate(st: &AppState, username: &str, password: &str) -> ApiResult<(String, DateTime<Utc>)> {
    if st.throttle.blocked(username) {
        return Err(ApiError::RateLimited);
    }
    let user = st.store.user_by_username(username).await?;
    let phc = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_default();
    let password = password.to_string();
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let user = match user {
        Some(u) if ok && !u.disabled => u,
        _ => {
            st.throttle.fail(username);
            return Err(ApiError::Unauthorized("the username or password is not right".into()));
        }
    };
    st.throttle.clear(username);
    let (token, hash) = auth::new_token();
    let now = Utc::now();
    let expires_at = now + st.config.session_ttl;
    st.store
        .create_session(NewSession {
            user_id: user.id,
            token_hash: hash,
            now,
            expires_at,
        })
        .await?;
    Ok((token, expires_at))
}

/// The session cookie for `token`: HttpOnly, SameSite=Strict, `Secure` when served over TLS.
pub(crate) fn session_cookie(st: &AppState, token: &str) -> String {
    format!(
        "{}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}",
        auth::SESSION_COOKIE,
        st.config.session_ttl.num_seconds(),
        if st.config.secure_cookies { "; Secure" } else { "" }
    )
}

/// `POST /api/v1/sessions`: sign in with a local account.
pub async fn sign_in(State(st): State<AppState>, JsonBytes(body): JsonBytes) -> ApiResult<Response> {
    let req: SignIn = json::parse(&body)?;
    let (token, expires_at) = authenticate(&st, &req.username, &req.password).await?;
    let cookie = session_cookie(&st, &token);
    let mut res = (StatusCode::CREATED, Json(SessionBody { token, expires_at })).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// `DELETE /api/v1/sessions`: sign out.
pub async fn sign_out(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<StatusCode> {
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        st.store.delete_session(&auth::token_hash(t.trim())).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Who the caller is.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Me {
    /// `anonymous` or `user:<id> <name>`.
    pub actor: String,
    /// Roles held.
    pub grants: Vec<Grant>,
}

/// `GET /api/v1/me`.
pub async fn me(Caller(who): Caller) -> Json<Me> {
    let grants = match &who {
        Principal::Known { grants, .. } => grants.clone(),
        Principal::Anonymous => Vec::new(),
    };
    Json(Me {
        actor: who.actor(),
        grants,
    })
}

/// New account request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserBody {
    /// Sign-in name (3–64 of a-z, 0-9, `.`, `-`, `_`).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Password (at least 12 characters).
    pub password: String,
    /// Roles.
    pub grants: Vec<Grant>,
}

/// Check a new account's fields (shared with the CLI).
pub fn check_new_user(username: &str, display_name: &str, password: &str) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let u_ok = (3..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if !u_ok {
        e.push("username", "invalid", "use 3 to 64 of a-z, 0-9, '.', '-' and '_'");
    }
    if display_name.trim().is_empty() || display_name.chars().count() > 200 {
        e.push("display_name", "invalid", "is required (at most 200 characters)");
    }
    if password.chars().count() < 12 {
        e.push("password", "too_short", "must be at least 12 characters");
    }
    e.into_result(())
}

/// `POST /api/v1/users` (admin).
pub async fn create_user(
    State(st): State<AppState>,
    Caller(who): Caller,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let req: CreateUserBody = json::parse(&body)?;
    let user = add_user(&st, &who, req).await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

/// Check and create an account (the API and the workspace share it). Audited by the store.
pub async fn add_user(st: &AppState, who: &Principal, req: CreateUserBody) -> ApiResult<candour_store::UserRecord> {
    let can = need::<ManageUsers>(who)?;
    check_new_user(&req.username, &req.display_name, &req.password)?;
    // An organisation's admin may only grant roles in their own organisation.
    for (i, g) in req.grants.iter().enumerate() {
        let ok = match &g.org {
            Some(o) => can.covers(o),
            None => matches!(can.scope(), candour_core::identity::OrgScope::All),
        };
        if !ok {
            return Err(ApiError::Forbidden(format!(
                "grants[{i}]: you cannot grant roles for that organisation"
            )));
        }
    }
    let password = req.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(st
        .store
        .create_user(
            &can,
            NewUser {
                username: req.username,
                display_name: req.display_name.trim().to_string(),
                password_hash: hash,
                grants: req.grants,
                now: Utc::now(),
            },
        )
        .await?)
}

/// `GET /api/v1/users` (admin).
pub async fn list_users(
    State(st): State<AppState>,
    Caller(who): Caller,
) -> ApiResult<Json<Vec<candour_store::UserRecord>>> {
    need::<ManageUsers>(&who)?;
    Ok(Json(st.store.users().await?))
}

/// `GET /api/v1/taxonomy`: the value sets in force.
pub async fn taxonomy(State(st): State<AppState>) -> Json<candour_core::Taxonomy> {
    Json((*st.taxonomy).clone())
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi(State(st): State<AppState>) -> Response {
    let mut res = (*st.openapi).clone().into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

/// Unknown API path.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("that API path".into())
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(st): State<AppState>) -> ApiResult<&'static str> {
    st.store.ping().await.map_err(|_| ApiError::Unavailable)?;
    Ok("ready")
}

/// `GET /metrics`.
pub async fn metrics(State(st): State<AppState>) -> Response {
    let mut res = st.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    res
}

/// `GET /api/v1/reports/{reference}/deliveries`: where the report's messages went, and whether they got there.
pub async fn report_deliveries(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<Vec<candour_store::OutboxMessage>>> {
    let (_, rec) = load(&st, &who, &reference).await?;
    Ok(Json(st.store.outbox(None, Some(&rec.reference.to_string())).await?))
}

/// Query for the outbox view.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct OutboxQuery {
    /// `pending`, `sent` or `dead`.
    pub status: Option<String>,
    /// The last message id of the previous page.
    pub after: Option<uuid::Uuid>,
    /// Page size, 1–1000 (default 1000).
    pub limit: Option<i64>,
}

/// `GET /api/v1/outbox?status=dead&after=<id>&limit=100`: the delivery outbox (administrators), oldest
/// first, a page at a time (pass the last id seen as `after`).
pub async fn outbox(
    State(st): State<AppState>,
    Caller(who): Caller,
    q: Result<Query<OutboxQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<candour_store::OutboxMessage>>> {
    let Query(q) = q.map_err(|e| ApiError::BadJson {
        path: "query".into(),
        message: e.body_text(),
    })?;
    need::<candour_core::identity::AdministerDelivery>(&who)?;
    if let Some(s) = q.status.as_deref().filter(|s| !["pending", "sent", "dead"].contains(s)) {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "status",
            "unknown_value",
            format!("'{s}' is not one of: pending, sent, dead"),
        )));
    }
    if let Some(l) = q.limit.filter(|l| !(1..=1000).contains(l)) {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "limit",
            "out_of_range",
            format!("{l} is not between 1 and 1000"),
        )));
    }
    Ok(Json(
        st.store
            .outbox_page(q.status.as_deref(), q.after, q.limit.unwrap_or(1000))
            .await?,
    ))
}

/// Staff record of a destination's response.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    /// `acknowledged` (a person at the destination confirmed, e.g. on the phone) or `not_notified` (a
    /// deliberate decision not to notify this body; `note` must justify it).
    pub kind: String,
    /// For `acknowledged`: the person at the destination. For `not_notified`: who decided (defaults to you).
    #[serde(default)]
    pub name: Option<String>,
    /// Their role.
    pub role: String,
    /// `phone`, `email` or `in_person` for an acknowledgement; ignored for `not_notified`.
    #[serde(default)]
    pub method: Option<String>,
    /// Justification (required for `not_notified`) or note.
    #[serde(default)]
    pub note: Option<String>,
    /// When they acknowledged it or the decision was made (default: now; never in the future).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// Check and record staff's record of a destination's response (the API and the workspace share it).
pub async fn save_response(
    st: &AppState,
    who: &Principal,
    reference: &str,
    destination: String,
    b: ResponseBody,
) -> ApiResult<candour_store::Recorded> {
    let can = need::<TransitionReports>(who)?;
    let reference = parse_reference(reference)?;
    let mut e = ValidationErrors::default();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (name, method, note) = match b.kind.as_str() {
        "acknowledged" => {
            let method = text(&b.method).unwrap_or_default();
            if !["phone", "email", "in_person"].contains(&method.as_str()) {
                e.push("method", "unknown_value", "one of: phone, email, in_person");
            }
            let name = text(&b.name);
            if name.is_none() {
                e.push(
                    "name",
                    "required",
                    "name the person at the destination who acknowledged",
                );
            }
            (name.unwrap_or_default(), method, text(&b.note))
        }
        "not_notified" => {
            let note = text(&b.note);
            if note.is_none() {
                e.push(
                    "note",
                    "required",
                    "a decision not to notify needs a recorded justification",
                );
            }
            (
                text(&b.name).unwrap_or_else(|| can.actor_name().to_string()),
                "decision".to_string(),
                note,
            )
        }
        other => {
            e.push(
                "kind",
                "unknown_value",
                format!("'{other}' is not one of: acknowledged, not_notified"),
            );
            (String::new(), String::new(), None)
        }
    };
    if b.role.trim().is_empty() {
        e.push("role", "required", "is required");
    }
    let now = Utc::now();
    if b.at.is_some_and(|at| at > now + chrono::Duration::minutes(1)) {
        e.push("at", "in_future", "cannot be in the future");
    }
    e.into_result(())?;
    let r = candour_store::NewResponse {
        by: candour_store::Responder::Staff { reference, destination },
        kind: b.kind,
        name,
        role: b.role.trim().to_string(),
        method,
        note,
        now: b.at.unwrap_or(now),
    };
    let rec = st.store.record_response(Some(&can), r).await.map_err(|e| match e {
        candour_store::StoreError::Constraint(c) if c == "destination_responses_destination_routed" => {
            ApiError::Invalid(ValidationErrors::one(
                "destination",
                "not_routed",
                "this report was not routed to that destination",
            ))
        }
        other => other.into(),
    })?;
    Ok(rec)
}

/// `POST /api/v1/reports/{reference}/destinations/{destination}/responses`.
pub async fn record_response(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path((reference, destination)): Path<(String, String)>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let b: ResponseBody = json::parse(&body)?;
    let rec = save_response(&st, &who, &reference, destination, b).await?;
    let status = if rec.already {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(rec.response)).into_response())
}

/// `POST /api/v1/indicators/extract` body.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtractBody {
    /// Pasted text: an alert, mail headers, a log excerpt. Defanged forms are understood.
    pub text: String,
}

/// One observable found, and whether it should link incidents.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Indicator {
    /// The observable.
    #[serde(flatten)]
    pub ioc: candour_ioc::Ioc,
    /// Why it should not be used to correlate incidents (private range, very common domain…), if so.
    pub excluded: Option<String>,
}

/// Typed, refanged, normalised observables in `text`, each once, in order.
pub fn indicators(text: &str) -> Vec<Indicator> {
    candour_ioc::unique(candour_ioc::extract(text))
        .into_iter()
        .map(|ioc| Indicator {
            excluded: candour_ioc::excluded(&ioc).map(str::to_string),
            ioc,
        })
        .collect()
}

/// `POST /api/v1/indicators/extract` (staff): the indicators of compromise in pasted text.
pub async fn extract_indicators(Caller(who): Caller, JsonBytes(body): JsonBytes) -> ApiResult<Json<Vec<Indicator>>> {
    need::<ViewReports>(&who)?;
    let b: ExtractBody = json::parse(&body)?;
    Ok(Json(indicators(&b.text)))
}

/// Query for the STIX export.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct StixQuery {
    /// Traffic Light Protocol marking: `clear`, `green`, `amber` (default) or `red`.
    pub tlp: Option<String>,
}

/// `GET /api/v1/reports/{reference}/stix?tlp=amber`: a cyber incident or suspicious activity as a STIX 2.1
/// bundle (Incident Core Extension; indicators from its pasted indicators of compromise).
pub async fn report_stix(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(reference): Path<String>,
    q: Result<Query<StixQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(|e| ApiError::BadJson {
        path: "query".into(),
        message: e.body_text(),
    })?;
    use candour_core::cyber::Tlp as Tlp2;
    use candour_export::stix::Tlp;
    let (can, rec) = load(&st, &who, &reference).await?;
    let kind = rec.report.body().kind;
    if !matches!(
        kind,
        candour_core::ReportKind::CyberIncident | candour_core::ReportKind::SuspiciousActivity
    ) {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "reference",
            "wrong_kind",
            "STIX export is for cyber incidents and suspicious activity",
        )));
    }
    let asked = match q.tlp.as_deref() {
        None => None,
        Some(t) => Some(Tlp2::parse(t).ok_or_else(|| {
            ApiError::Invalid(ValidationErrors::one(
                "tlp",
                "unknown_value",
                format!("'{t}' is not one of: clear, green, amber, amber+strict, red"),
            ))
        })?),
    };
    let case = st.store.cyber_case(&can, &rec.reference).await?;
    // Once a case is worked, its recorded confirmed indicators are what is shared (TLP:RED ones never; the
    // artifacts are context, not detections), and the bundle's one marking is the strictest of the
    // incident's, its shared indicators' and the one asked for: a query never loosens a recorded label.
    let worked = case.as_ref().filter(|c| c.worked || !c.indicators.is_empty());
    let shared: Vec<&candour_core::cyber::IndicatorRecord> = worked
        .iter()
        .flat_map(|c| c.indicators.iter())
        .filter(|i| i.is_ioc && i.excluded.is_none() && i.tlp != Tlp2::Red)
        .collect();
    let floor = worked.map(|c| shared.iter().fold(c.tlp, |t, i| t.max(i.tlp)));
    let label = match (asked, floor) {
        (Some(a), Some(f)) => a.max(f),
        (Some(a), None) => a,
        (None, Some(f)) => f,
        (None, None) => Tlp2::Amber,
    };
    // STIX 2.1's predefined markings are TLP 1.0: AMBER+STRICT goes out as RED rather than be loosened.
    let tlp = match label {
        Tlp2::Clear => Tlp::Clear,
        Tlp2::Green => Tlp::Green,
        Tlp2::Amber => Tlp::Amber,
        Tlp2::AmberStrict | Tlp2::Red => Tlp::Red,
    };
    let iocs = if worked.is_some() {
        candour_ioc::unique(
            shared
                .iter()
                .filter_map(|i| {
                    Some(candour_ioc::Ioc {
                        kind: candour_ioc::Kind::parse(&i.kind)?,
                        value: i.value.clone(),
                        start: 0,
                        end: 0,
                        defanged: false,
                    })
                })
                .collect(),
        )
    } else {
        let raw = rec
            .report
            .body()
            .cyber
            .as_ref()
            .and_then(|c| c.indicators_raw.clone())
            .unwrap_or_default();
        candour_ioc::unique(candour_ioc::extract(&raw))
    };
    let times = candour_export::stix::Times::of(&rec);
    let bundle = candour_export::stix::bundle(&rec, &iocs, tlp, &times);
    Ok((
        [(header::CONTENT_TYPE, "application/stix+json;version=2.1")],
        Json(bundle),
    )
        .into_response())
}
