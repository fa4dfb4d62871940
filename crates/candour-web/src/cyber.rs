//! Cyber security as patient safety over HTTP (issue 7): a cyber incident's, suspicious activity's or
//! vulnerability's working record: indicators pasted in bulk (typed, normalised, validated, deduplicated,
//! correlated), TLP markings, the timeline, tasks, the clinical impact assessment and the CSO's review
//! (required before closure unless the impact is none), the disclosure timeline with its overrides, and
//! the exports: CSOC report (text, JSON, printable HTML), MISP event, STIX 2.1 and CSAF 2.0. The workspace
//! pages (`ui::cyber`) call the same functions.

use crate::api::{need, parse_reference, ApiResult};
use crate::error::ApiError;
use crate::json::{self, JsonBytes};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use candour_core::cyber::{
    ClinicalImpact, CyberCase, DisclosureFacts, DisclosurePolicy, DisclosureTimeline, ImpactReview, Task,
    TimelineEvent, Tlp,
};
use candour_core::identity::{Principal, SignOffSafety, TransitionReports, ViewReports};
use candour_core::record::ReportRecord;
use candour_core::{Reference, ReportKind, ValidationErrors};
use candour_export::cyber::{CsafProfile, Publisher};
use candour_store::{CyberChange, CyberChanged, NewAdvisory, NewIndicator, StoreError};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest paste of indicators accepted at once (bytes), at most half the request body limit so that a
/// paste too long is answered with a field error rather than a refused request.
pub const MAX_PASTE: usize = 1024 * 1024;

/// The paste limit in force under a request body limit of `body_limit` bytes.
pub fn paste_limit(body_limit: usize) -> usize {
    MAX_PASTE.min(body_limit / 2)
}

/// A TLP label that must be given (an empty one is an error, never a default).
fn tlp_required(path: &str, v: &str) -> Result<Tlp, ValidationErrors> {
    Tlp::parse(v).ok_or_else(|| {
        ValidationErrors::one(
            path,
            if v.trim().is_empty() {
                "required"
            } else {
                "unknown_value"
            },
            "Choose a TLP 2.0 label: TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED",
        )
    })
}
/// The most indicators added at once.
pub const MAX_INDICATORS: usize = 10_000;

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound("report, task or indicator".into()),
        StoreError::Conflict { expected, current } => ApiError::Conflict(format!(
            "this has changed since version {expected}; it is now at version {current}: reload it and make your change again"
        )),
        other => other.into(),
    }
}

/// A case with what is worked out from it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CaseView {
    pub reference: String,
    #[serde(flatten)]
    pub case: CyberCase,
    /// Why the report cannot be closed yet (empty: it can).
    pub closure_blocked_by: Vec<candour_core::FieldError>,
    /// Vulnerabilities: the disclosure deadlines.
    pub disclosure_timeline: Option<DisclosureTimeline>,
    /// Vulnerabilities: days left to publication (negative once past).
    pub days_to_publication: Option<i64>,
    /// Vulnerabilities: when the first advisory was published (the disclosure deadline is then met).
    pub published_at: Option<chrono::DateTime<Utc>>,
}

pub(crate) async fn load_case(st: &AppState, who: &Principal, reference: &str) -> ApiResult<(ReportRecord, CaseView)> {
    let can = need::<ViewReports>(who)?;
    let r = parse_reference(reference)?;
    let rec = st
        .store
        .get_report(&can, &r)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("report {reference}")))?;
    let case = match st.store.cyber_case(&can, &r).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(ApiError::NotFound(format!("report {reference}"))),
        Err(StoreError::Constraint(c)) if c == "cyber_case_kind" => {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "reference",
                "wrong_kind",
                "cyber working records are kept for cyber incidents, suspicious activity and vulnerabilities",
            )))
        }
        Err(e) => return Err(store_error(e)),
    };
    let history: Vec<_> = case.impacts.iter().map(|i| (i.version, &i.impact)).collect();
    let closure_blocked_by = candour_core::cyber::closure_blocker(&history, &case.impact_reviews)
        .filter(|_| matches!(r.kind(), ReportKind::CyberIncident | ReportKind::Vulnerability))
        .map(|e| e.errors)
        .unwrap_or_default();
    let (disclosure_timeline, days) = if r.kind() == ReportKind::Vulnerability {
        let t = case.disclosure.timeline(&st.disclosure, rec.created_at);
        let d = candour_core::cyber::days_left(t.publish_by, Utc::now());
        (Some(t), Some(d))
    } else {
        (None, None)
    };
    let published_at = case.advisories.iter().map(|a| a.at).min();
    Ok((
        rec,
        CaseView {
            reference: r.to_string(),
            case,
            closure_blocked_by,
            disclosure_timeline,
            days_to_publication: days,
            published_at,
        },
    ))
}

/// `GET /api/v1/reports/{reference}/cyber`
pub async fn get_case(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(load_case(&st, &who, &reference).await?.1))
}

async fn change(st: &AppState, who: &Principal, reference: &str, c: CyberChange) -> ApiResult<CyberChanged> {
    let can = need::<TransitionReports>(who)?;
    let r = parse_reference(reference)?;
    st.store
        .cyber_change(&can, &r, c, Utc::now())
        .await
        .map_err(store_error)
}

/// Indicators to add: free text to extract from, and/or typed values to check.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddIndicators {
    /// Pasted text (alerts, logs, emails); defanged forms (`hxxp`, `[.]`) are understood.
    #[serde(default)]
    pub text: String,
    /// Typed values, each checked against its kind.
    #[serde(default)]
    pub indicators: Vec<TypedIndicator>,
    /// Confirmed indicators of compromise (default: artifacts).
    #[serde(default)]
    pub is_ioc: bool,
    /// Their TLP marking (default: the incident's).
    #[serde(default)]
    pub tlp: Option<String>,
}

/// One typed indicator.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TypedIndicator {
    /// ipv4, ipv6, domain, url, email, md5, sha1, sha256, sha512, file_name or cve.
    pub kind: String,
    pub value: String,
}

fn tlp_field(path: &str, v: Option<&str>, default: Tlp) -> Result<Tlp, ValidationErrors> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => Tlp::parse(v).ok_or_else(|| {
            ValidationErrors::one(
                path,
                "unknown_value",
                format!(
                    "'{v}' is not a TLP 2.0 label: use TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED"
                ),
            )
        }),
    }
}

/// Check and normalise what was given; nothing is stored unless all of it is valid.
pub(crate) fn indicators_from(
    req: &AddIndicators,
    incident_tlp: Tlp,
    limit: usize,
) -> Result<Vec<NewIndicator>, ValidationErrors> {
    let mut e = ValidationErrors::default();
    if req.text.len() > limit {
        e.push(
            "text",
            "too_long",
            format!(
                "Paste at most {} KB at a time (this is {} KB): split it",
                limit / 1024,
                req.text.len().div_ceil(1024)
            ),
        );
    }
    let tlp = tlp_field("tlp", req.tlp.as_deref(), incident_tlp);
    let tlp = match tlp {
        Ok(t) => t,
        Err(v) => {
            e.errors.extend(v.errors);
            incident_tlp
        }
    };
    let mut found = if e.is_empty() {
        candour_ioc::unique(candour_ioc::extract(&req.text))
    } else {
        Vec::new()
    };
    for (i, t) in req.indicators.iter().enumerate() {
        match candour_ioc::Kind::parse(t.kind.trim()) {
            None => e.push(
                format!("indicators[{i}].kind"),
                "unknown_value",
                "Choose one of: ipv4, ipv6, domain, url, email, md5, sha1, sha256, sha512, file_name, cve",
            ),
            Some(kind) => match candour_ioc::parse(kind, &t.value) {
                Ok(value) => found.push(candour_ioc::Ioc {
                    kind,
                    value,
                    start: 0,
                    end: 0,
                    defanged: false,
                }),
                Err(why) => e.push(format!("indicators[{i}].value"), "invalid", why.reason),
            },
        }
    }
    if e.is_empty() && found.is_empty() {
        e.push(
            "text",
            "none_found",
            "No indicators were found: paste addresses, domains, URLs, hashes, file names or CVE ids",
        );
    }
    let found = candour_ioc::unique(found);
    if found.len() > MAX_INDICATORS {
        e.push(
            "text",
            "too_many",
            format!(
                "Add at most {MAX_INDICATORS} indicators at a time (found {})",
                found.len()
            ),
        );
    }
    e.into_result(())?;
    Ok(found
        .into_iter()
        .map(|i| NewIndicator {
            excluded: candour_ioc::excluded(&i).map(String::from),
            kind: i.kind.as_str().into(),
            value: i.value,
            is_ioc: req.is_ioc,
            tlp,
            source: if req.text.is_empty() {
                "typed".into()
            } else {
                "paste".into()
            },
        })
        .collect())
}

pub(crate) async fn add_indicators_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    req: AddIndicators,
) -> ApiResult<CyberChanged> {
    let (_, view) = load_case(st, who, reference).await?;
    let list = indicators_from(&req, view.case.tlp, paste_limit(st.config.body_limit))?;
    change(st, who, reference, CyberChange::AddIndicators(list)).await
}

/// `POST /api/v1/reports/{reference}/cyber/indicators`
pub async fn add_indicators(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let req: AddIndicators = json::parse(&body)?;
    let out = add_indicators_for(&st, &who, &reference, req).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

/// A change to one indicator.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorUpdate {
    pub is_ioc: bool,
    pub tlp: String,
}

/// `PATCH /api/v1/reports/{reference}/cyber/indicators/{id}`
pub async fn update_indicator(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path((reference, id)): Path<(String, String)>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<CyberChanged>> {
    let req: IndicatorUpdate = json::parse(&body)?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("indicator".into()))?;
    let tlp = tlp_required("tlp", &req.tlp)?;
    Ok(Json(
        change(
            &st,
            &who,
            &reference,
            CyberChange::UpdateIndicator {
                id,
                is_ioc: req.is_ioc,
                tlp,
            },
        )
        .await?,
    ))
}

/// The incident's marking.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Marking {
    pub tlp: String,
}

/// `PUT /api/v1/reports/{reference}/cyber/marking`
pub async fn set_marking(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<CyberChanged>> {
    let req: Marking = json::parse(&body)?;
    let tlp = tlp_required("tlp", &req.tlp)?;
    Ok(Json(change(&st, &who, &reference, CyberChange::Marking(tlp)).await?))
}

pub(crate) async fn add_event_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    mut ev: TimelineEvent,
) -> ApiResult<CyberChanged> {
    ev.summary = st.redactor.redact(ev.summary.trim()).text;
    ev.validate(Utc::now())?;
    change(st, who, reference, CyberChange::AddEvent(ev)).await
}

/// `POST /api/v1/reports/{reference}/cyber/events`
pub async fn add_event(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let ev: TimelineEvent = json::parse(&body)?;
    let out = add_event_for(&st, &who, &reference, ev).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

/// A task change: the task as it should be, and the revision the editor saw.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskUpdate {
    pub expected_revision: i64,
    pub task: Task,
}

pub(crate) async fn put_task_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    id: Option<Uuid>,
    expected_revision: Option<i64>,
    mut task: Task,
) -> ApiResult<CyberChanged> {
    task.title = st.redactor.redact(task.title.trim()).text;
    task.outcome = task.outcome.map(|o| st.redactor.redact(o.trim()).text);
    task.validate()?;
    change(
        st,
        who,
        reference,
        CyberChange::PutTask {
            id,
            expected_revision,
            task,
        },
    )
    .await
}

/// `POST /api/v1/reports/{reference}/cyber/tasks`
pub async fn add_task(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let task: Task = json::parse(&body)?;
    let out = put_task_for(&st, &who, &reference, None, None, task).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

/// `PUT /api/v1/reports/{reference}/cyber/tasks/{id}`
pub async fn update_task(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path((reference, id)): Path<(String, String)>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<CyberChanged>> {
    let req: TaskUpdate = json::parse(&body)?;
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("task".into()))?;
    Ok(Json(
        put_task_for(&st, &who, &reference, Some(id), Some(req.expected_revision), req.task).await?,
    ))
}

/// A new version of the clinical impact assessment.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactUpdate {
    /// The latest version the assessor saw (0 when there was none).
    pub expected_version: i64,
    pub impact: ClinicalImpact,
}

pub(crate) async fn record_impact_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    req: ImpactUpdate,
) -> ApiResult<CyberChanged> {
    let mut impact = req.impact;
    let r = |t: &str| st.redactor.redact(t.trim()).text;
    impact.summary = r(&impact.summary);
    for s in &mut impact.safety_events {
        s.description = r(&s.description);
    }
    for s in &mut impact.services_affected {
        *s = r(s);
    }
    for d in &mut impact.downtime {
        d.procedure = r(&d.procedure);
    }
    let impact = impact.validate(Utc::now())?;
    // A linked clinical safety report must exist and be one the assessor can see.
    let can = need::<ViewReports>(who)?;
    let mut e = ValidationErrors::default();
    for (i, s) in impact.safety_events.iter().enumerate() {
        if let Some(r) = s.report.as_deref().and_then(|r| r.parse::<Reference>().ok()) {
            if st.store.get_report(&can, &r).await?.is_none() {
                e.push(
                    format!("safety_events[{i}].report"),
                    "not_found",
                    format!("There is no report {r} that you can see"),
                );
            }
        }
    }
    e.into_result(())?;
    // Ask the organisation's CSO for the review an impact on care needs, in the same transaction.
    let notify = if impact.needs_cso_review() {
        let rec = st
            .store
            .get_report(&can, &parse_reference(reference)?)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("report {reference}")))?;
        vec![candour_core::chase::impact_review_plan(
            &rec,
            &st.routing.tables().directory,
            Utc::now(),
        )]
    } else {
        Vec::new()
    };
    change(
        st,
        who,
        reference,
        CyberChange::Impact {
            expected_version: req.expected_version,
            impact,
            notify,
        },
    )
    .await
}

/// `POST /api/v1/reports/{reference}/cyber/impact`
pub async fn record_impact(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let req: ImpactUpdate = json::parse(&body)?;
    let out = record_impact_for(&st, &who, &reference, req).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

/// A CSO's review of an assessment version.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactReviewRequest {
    pub version: i64,
    /// What the CSO concluded.
    pub note: String,
}

pub(crate) async fn review_impact_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    req: ImpactReviewRequest,
) -> ApiResult<ImpactReview> {
    let can = who.can::<SignOffSafety>().ok_or_else(|| {
        ApiError::Forbidden("only a Clinical Safety Officer can review a clinical impact assessment".into())
    })?;
    let note = st.redactor.redact(req.note.trim()).text;
    if note.is_empty() {
        return Err(ValidationErrors::one("note", "required", "Say what the review concluded").into());
    }
    let r = parse_reference(reference)?;
    st.store
        .review_clinical_impact(&can, &r, req.version, note, Utc::now())
        .await
        .map_err(store_error)
}

/// `POST /api/v1/reports/{reference}/cyber/impact/reviews`
pub async fn review_impact(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let req: ImpactReviewRequest = json::parse(&body)?;
    let out = review_impact_for(&st, &who, &reference, req).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

pub(crate) async fn set_disclosure_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    facts: DisclosureFacts,
) -> ApiResult<CaseView> {
    let (rec, view) = load_case(st, who, reference).await?;
    if rec.reference.kind() != ReportKind::Vulnerability {
        return Err(ValidationErrors::one(
            "reference",
            "wrong_kind",
            "disclosure timelines are kept for vulnerabilities",
        )
        .into());
    }
    facts.validate(&st.disclosure, rec.created_at)?;
    let tables = st.routing.tables();
    let escalation = if facts.patient_risk && !view.case.disclosure.patient_risk {
        candour_core::chase::patient_risk_plans(&rec, &tables.directory, Utc::now())
    } else {
        Vec::new()
    };
    let subject = format!("PATIENT RISK: {} {}", rec.reference, rec.report.body().title);
    change(
        st,
        who,
        reference,
        CyberChange::Disclosure {
            facts,
            escalation,
            subject,
        },
    )
    .await?;
    Ok(load_case(st, who, reference).await?.1)
}

/// `PUT /api/v1/reports/{reference}/cyber/disclosure`: record exploitation in the wild, uncontrolled
/// patient risk (escalated at once to the CSO and the urgent route) and an agreed publication date.
pub async fn set_disclosure(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<CaseView>> {
    let facts: DisclosureFacts = json::parse(&body)?;
    Ok(Json(set_disclosure_for(&st, &who, &reference, facts).await?))
}

/// The export format.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
pub struct FormatQuery {
    /// `text` (default), `json` or `html`.
    #[serde(default)]
    pub format: Option<String>,
}

/// `GET /api/v1/reports/{reference}/cyber/csoc?format=text|json|html`: the NHS England CSOC report.
pub async fn csoc_report(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    Query(q): Query<FormatQuery>,
) -> ApiResult<Response> {
    let (rec, view) = load_case(&st, &who, &reference).await?;
    if rec.reference.kind() == ReportKind::Vulnerability {
        return Err(ValidationErrors::one(
            "reference",
            "wrong_kind",
            "vulnerabilities go to the NHS Vulnerability Disclosure Programme, not the CSOC",
        )
        .into());
    }
    Ok(match q.format.as_deref().unwrap_or("text") {
        "json" => Json(candour_export::cyber::csoc_json(&rec, &view.case)).into_response(),
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            candour_export::cyber::csoc_html(&rec, &view.case),
        )
            .into_response(),
        "text" => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            candour_export::cyber::csoc_text(&rec, &view.case),
        )
            .into_response(),
        other => {
            return Err(ValidationErrors::one(
                "format",
                "unknown_value",
                format!("'{other}' is not one of: text, json, html"),
            )
            .into())
        }
    })
}

/// `GET /api/v1/reports/{reference}/cyber/misp`: a MISP event.
pub async fn misp(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
) -> ApiResult<Response> {
    let (rec, view) = load_case(&st, &who, &reference).await?;
    Ok(Json(candour_export::cyber::misp_event(&rec, &view.case)).into_response())
}

fn publisher(st: &AppState) -> Publisher {
    let base = st
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| "https://candour.invalid".into());
    let namespace = if base.starts_with("https://") {
        base
    } else {
        "https://candour.invalid".into()
    };
    Publisher {
        name: "Candour".into(),
        namespace,
        contact: "See /.well-known/security.txt".into(),
    }
}

/// Which CSAF profile.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsafQuery {
    /// `csaf_security_advisory` (default) or `csaf_vex`.
    #[serde(default)]
    pub profile: Option<String>,
    /// The version that fixes it, if any.
    #[serde(default)]
    pub fixed_version: Option<String>,
}

fn profile_of(q: &CsafQuery) -> ApiResult<CsafProfile> {
    let p = q.profile.as_deref().unwrap_or("csaf_security_advisory");
    CsafProfile::parse(p).ok_or_else(|| {
        ValidationErrors::one(
            "profile",
            "unknown_value",
            format!("'{p}' is not one of: csaf_security_advisory, csaf_vex"),
        )
        .into()
    })
}

fn draft(
    st: &AppState,
    rec: &ReportRecord,
    view: &CaseView,
    q: &CsafQuery,
) -> ApiResult<(CsafProfile, serde_json::Value)> {
    let profile = profile_of(q)?;
    let tracking = candour_export::cyber::csaf_tracking_id(rec, profile);
    let mut history: Vec<(i64, chrono::DateTime<Utc>)> = view
        .case
        .advisories
        .iter()
        .filter(|a| a.tracking_id == tracking)
        .map(|a| (a.version, a.at))
        .collect();
    history.sort();
    let description = rec
        .report
        .body()
        .vulnerability
        .as_ref()
        .map(|v| st.redactor.redact(&v.description).text)
        .unwrap_or_default();
    let doc = candour_export::cyber::csaf(
        rec,
        &view.case,
        &description,
        profile,
        &publisher(st),
        q.fixed_version.as_deref(),
        &history,
        Utc::now(),
    )
    .map_err(|e| ApiError::Invalid(ValidationErrors::one(e.path, "wrong_kind", e.message)))?;
    Ok((profile, doc))
}

/// `GET /api/v1/reports/{reference}/cyber/csaf?profile=csaf_vex`: the next CSAF 2.0 version, as a draft.
pub async fn csaf_draft(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    Query(q): Query<CsafQuery>,
) -> ApiResult<Response> {
    let (rec, view) = load_case(&st, &who, &reference).await?;
    let (_, doc) = draft(&st, &rec, &view, &q)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], Json(doc)).into_response())
}

/// `POST /api/v1/reports/{reference}/cyber/advisories?profile=…`: publish the next CSAF version (kept
/// unchanged from then on).
pub async fn publish(
    State(st): State<AppState>,
    crate::auth::Caller(who): crate::auth::Caller,
    Path(reference): Path<String>,
    Query(q): Query<CsafQuery>,
) -> ApiResult<Response> {
    let out = publish_for(&st, &who, &reference, &q).await?;
    Ok((axum::http::StatusCode::CREATED, Json(out)).into_response())
}

pub(crate) async fn publish_for(
    st: &AppState,
    who: &Principal,
    reference: &str,
    q: &CsafQuery,
) -> ApiResult<candour_store::AdvisoryRecord> {
    let can = need::<TransitionReports>(who)?;
    let (rec, view) = load_case(st, who, reference).await?;
    let (profile, doc) = draft(st, &rec, &view, q)?;
    let version = doc
        .pointer("/document/tracking/version")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let r: Reference = rec.reference.clone();
    st.store
        .publish_advisory(
            &can,
            &r,
            NewAdvisory {
                profile: profile.as_str().into(),
                tracking_id: candour_export::cyber::csaf_tracking_id(&rec, profile),
                version,
                body: doc,
            },
            Utc::now(),
        )
        .await
        .map_err(store_error)
}

/// The policy in force.
pub fn policy() -> DisclosurePolicy {
    DisclosurePolicy::embedded().unwrap_or(DisclosurePolicy {
        version: "fallback".into(),
        ack_days: 5,
        default_days: 90,
        exploited_days: 7,
        patient_risk_days: 30,
        max_extension_days: 30,
    })
}
