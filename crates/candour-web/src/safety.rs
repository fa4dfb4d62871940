//! Clinical safety governance over HTTP (issue 6): triage of incidents into the hazard log, reviews, the
//! CSO registry, safety documents (drafted from the records, approved by the CSO, issued immutably),
//! the compliance checklist, and hazard-log export and import (including a supplier's log under DCB0160).
//! The workspace pages (`ui::safety`) call the same functions.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::hazards::{manage, parse_id, project_of, scheme_of, store_error, types, view, ApiResult};
use crate::json::{self, JsonBytes};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use candour_core::clinical::compliance::{self, Checklist, ComplianceAnswer, ComplianceRow};
use candour_core::clinical::docs::{self, Approval, CaseInput, IncidentLink};
use candour_core::clinical::{
    hazard_number, review, triage, AssessmentInput, CsoRecord, Document, DocumentKind, Hazard, HazardInput, Rescore,
    ReviewSubject, TriageKind,
};
use candour_core::identity::{Principal, SignOffSafety, ViewReports};
use candour_core::ValidationErrors;
use candour_store::{
    HazardLink, HazardRecord, IssueDocuments, IssuedDocument, NewReview, NewTriage, SafetyProjectRecord,
};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A triage answer for one report.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// The report's reference (`CAN-…`).
    pub report: String,
    pub kind: TriageKind,
    /// For `new_hazard`: the hazard to add.
    #[serde(default)]
    pub hazard: Option<HazardInput>,
    /// For `realises` and `control_failed`: the recorded hazard (`H-003`).
    #[serde(default)]
    pub hazard_id: Option<String>,
    /// The hazard revision the triager saw (needed when re-scoring).
    #[serde(default)]
    pub expected_revision: Option<i64>,
    /// For `control_failed`: which control, counting from 1.
    #[serde(default)]
    pub control: Option<usize>,
    #[serde(default)]
    pub rescore: Rescore,
    #[serde(default)]
    pub note: String,
}

/// What triage recorded.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TriageResult {
    pub link: HazardLink,
    /// The hazard as changed or created (absent when only linked).
    pub hazard: Option<HazardRecord>,
    /// The project now needs its safety case reviewed.
    pub safety_case_review: bool,
}

/// Record a triage answer from a report (shared by the API and the workspace form).
pub(crate) async fn record_triage(
    st: &AppState,
    who: &Principal,
    project_id: &str,
    req: TriageRequest,
) -> ApiResult<TriageResult> {
    let can = manage(who)?;
    let reader = who
        .can::<ViewReports>()
        .ok_or_else(|| ApiError::Forbidden("you cannot see reports".into()))?;
    let project = project_of(st, who, project_id).await?;
    let reference = req.report.trim().parse().map_err(|_| {
        ApiError::Invalid(ValidationErrors::one(
            "report",
            "invalid",
            "Enter a report reference, like CAN-2026-0001",
        ))
    })?;
    let report = st.store.get_report(&reader, &reference).await?.ok_or_else(|| {
        ApiError::Invalid(ValidationErrors::one(
            "report",
            "unknown",
            "There is no report you can see with that reference",
        ))
    })?;
    let note = st.redactor.redact(req.note.trim()).text;
    let custom = &project.project.custom_hazard_types;
    let scheme = scheme_of(st, &project).await?;
    let (number, expected, hazard, risk_changed) = match req.kind {
        TriageKind::NewHazard => {
            let input = req.hazard.ok_or_else(|| {
                ApiError::Invalid(ValidationErrors::one("hazard", "required", "Describe the new hazard"))
            })?;
            let mut h = crate::hazards::redact_hazard(st, input).validate(&scheme, types()?, custom)?;
            if h.raised_on.is_none() {
                h.raised_on = Some(Utc::now().date_naive());
            }
            (None, None, Some(h), true)
        }
        TriageKind::Realises | TriageKind::ControlFailed => {
            let number = req.hazard_id.as_deref().and_then(hazard_number).ok_or_else(|| {
                ApiError::Invalid(ValidationErrors::one(
                    "hazard_id",
                    "required",
                    "Choose the recorded hazard, like H-003",
                ))
            })?;
            let current = st
                .store
                .hazards(&view(who)?, project.id)
                .await?
                .into_iter()
                .find(|h| h.number == number)
                .ok_or_else(|| {
                    ApiError::Invalid(ValidationErrors::one(
                        "hazard_id",
                        "unknown",
                        "This project has no such hazard",
                    ))
                })?;
            let rescoring = req.rescore.initial.is_some() || req.rescore.residual.is_some();
            if rescoring && req.expected_revision.is_none() {
                return Err(ApiError::Invalid(ValidationErrors::one(
                    "expected_revision",
                    "required",
                    "Say which revision of the hazard you re-scored",
                )));
            }
            if req.control == Some(0) {
                return Err(ApiError::Invalid(ValidationErrors::one(
                    "control",
                    "invalid",
                    "Controls are counted from 1",
                )));
            }
            let control = match (req.kind, req.control) {
                (TriageKind::ControlFailed, None) => {
                    return Err(ApiError::Invalid(ValidationErrors::one(
                        "control",
                        "required",
                        "Choose the control that failed (1 for the first)",
                    )))
                }
                (_, c) => c.map(|c| c - 1),
            };
            let t = triage::apply(
                &current.hazard,
                req.kind,
                control,
                &req.rescore,
                &scheme,
                types()?,
                custom,
            )?;
            let changed = t.hazard != current.hazard;
            (
                Some(number),
                req.expected_revision.or(Some(current.revision)),
                changed.then_some(t.hazard),
                t.risk_changed,
            )
        }
    };
    let (link, hazard) = st
        .store
        .triage(
            &can,
            NewTriage {
                project_id: project.id,
                report_id: report.id,
                kind: req.kind,
                number,
                expected_revision: expected,
                hazard,
                control_index: req.control.and_then(|c| i64::try_from(c).ok()),
                risk_changed,
                note,
                now: Utc::now(),
            },
        )
        .await
        .map_err(|e| store_error("safety project or hazard", e))?;
    let flagged = st
        .store
        .safety_project(&view(who)?, project.id)
        .await?
        .is_some_and(|p| p.safety_case_review.is_some());
    Ok(TriageResult {
        link,
        hazard,
        safety_case_review: flagged,
    })
}

/// `POST /api/v1/safety-projects/{id}/triage`
pub async fn triage_report(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let req: TriageRequest = json::parse(&body)?;
    let out = record_triage(&st, &who, &id, req).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/safety-projects/{id}/links`: the project's safety incident links.
pub async fn links(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<HazardLink>>> {
    let p = project_of(&st, &who, &id).await?;
    Ok(Json(st.store.hazard_links(&view(&who)?, Some(p.id), None).await?))
}

/// Reviews due and done.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Reviews {
    pub due: Vec<candour_core::clinical::DueReview>,
    pub done: Vec<candour_store::ReviewRecord>,
}

/// The review schedule of a project as of `today`.
pub(crate) async fn reviews_of(
    st: &AppState,
    who: &Principal,
    p: &SafetyProjectRecord,
    hazards: &[HazardRecord],
    today: NaiveDate,
) -> ApiResult<Reviews> {
    let done = st.store.reviews(&view(who)?, p.id).await?;
    let mut last = std::collections::HashMap::new();
    for r in &done {
        let e = last.entry(r.subject.clone()).or_insert(r.done_on);
        if r.done_on > *e {
            *e = r.done_on;
        }
    }
    let hz: Vec<(i64, &Hazard, NaiveDate)> = hazards
        .iter()
        .map(|h| (h.number, &h.hazard, h.created_at.date_naive()))
        .collect();
    let due = review::schedule(&p.project, p.created_at.date_naive(), &last, &hz, today);
    Ok(Reviews { due, done })
}

/// `GET /api/v1/safety-projects/{id}/reviews`
pub async fn reviews(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Reviews>> {
    let p = project_of(&st, &who, &id).await?;
    let hazards = st.store.hazards(&view(&who)?, p.id).await?;
    Ok(Json(
        reviews_of(&st, &who, &p, &hazards, Utc::now().date_naive()).await?,
    ))
}

/// A review done.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDone {
    /// `hazard_log`, `controls`, `crmp` or a hazard (`H-003`).
    pub subject: String,
    /// Defaults to today.
    #[serde(default)]
    pub done_on: Option<NaiveDate>,
    pub outcome: String,
}

pub(crate) async fn record_review(
    st: &AppState,
    who: &Principal,
    id: &str,
    r: ReviewDone,
) -> ApiResult<candour_store::ReviewRecord> {
    let can = manage(who)?;
    let p = project_of(st, who, id).await?;
    let mut e = ValidationErrors::default();
    let subject =
        ReviewSubject::parse(r.subject.trim()).or_else(|| hazard_number(&r.subject).map(ReviewSubject::Hazard));
    if subject.is_none() {
        e.push(
            "subject",
            "unknown",
            "Choose what was reviewed: the hazard log, the controls, the CRMP or a hazard",
        );
    }
    let today = Utc::now().date_naive();
    let done_on = r.done_on.unwrap_or(today);
    if done_on > today {
        e.push("done_on", "in_future", "A review cannot be recorded before it is done");
    }
    let outcome = st.redactor.redact(r.outcome.trim()).text;
    if outcome.is_empty() {
        e.push("outcome", "required", "Say what the review found, and what changed");
    }
    let subject = e
        .into_result(subject)?
        .ok_or_else(|| ApiError::Internal("subject".into()))?;
    st.store
        .record_review(
            &can,
            NewReview {
                project_id: p.id,
                subject,
                done_on,
                outcome,
                now: Utc::now(),
            },
        )
        .await
        .map_err(|e| store_error("safety project or hazard", e))
}

/// `POST /api/v1/safety-projects/{id}/reviews`
pub async fn add_review(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let r: ReviewDone = json::parse(&body)?;
    let rec = record_review(&st, &who, &id, r).await?;
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

/// `GET /api/v1/cso-records`
pub async fn cso_records(State(st): State<AppState>, Caller(who): Caller) -> ApiResult<Json<Vec<CsoRecord>>> {
    Ok(Json(st.store.cso_records(&view(&who)?).await?))
}

/// Save the signed-in person's own CSO record: Candour never records a registration on someone else's
/// behalf, so `username` must be the caller's.
pub(crate) async fn save_cso(st: &AppState, who: &Principal, rec: CsoRecord) -> ApiResult<CsoRecord> {
    let can = manage(who)?;
    let me = crate::ui::workspace::username_of(st, who).await;
    let rec = rec.validate()?;
    if rec.username != me {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "username",
            "not_yours",
            "You can only keep your own CSO record: each CSO enters their own registration",
        )));
    }
    st.store
        .put_cso(&can, rec.clone(), Utc::now())
        .await
        .map_err(|e| store_error("organisation", e))?;
    Ok(rec)
}

/// `PUT /api/v1/cso-records/me`
pub async fn put_cso(
    State(st): State<AppState>,
    Caller(who): Caller,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<CsoRecord>> {
    let rec: CsoRecord = json::parse(&body)?;
    Ok(Json(save_cso(&st, &who, rec).await?))
}

/// Everything a document is drafted from.
pub(crate) struct Drafting {
    pub project: SafetyProjectRecord,
    /// The risk scheme the project assesses with.
    pub scheme: candour_core::clinical::RiskScheme,
    pub hazards: Vec<HazardRecord>,
    pub issued: Vec<IssuedDocument>,
    pub links: Vec<HazardLink>,
    pub csos: Vec<CsoRecord>,
    pub compliance: Vec<ComplianceRow>,
}

pub(crate) async fn gather(st: &AppState, who: &Principal, id: &str) -> ApiResult<Drafting> {
    let project = project_of(st, who, id).await?;
    let can = view(who)?;
    let hazards = st.store.hazards(&can, project.id).await?;
    let issued = st.store.issued_documents(&can, project.id).await?;
    let links = st.store.hazard_links(&can, Some(project.id), None).await?;
    let csos = st
        .store
        .cso_records(&can)
        .await?
        .into_iter()
        .filter(|c| c.ods_code == project.project.ods_code)
        .collect();
    let list = compliance::checklist(project.project.standard).map_err(|e| ApiError::Internal(e.to_string()))?;
    let answers = st.store.compliance_answers(&can, project.id).await?;
    let compliance = list.rows(&answers);
    let scheme = scheme_of(st, &project).await?.into_owned();
    Ok(Drafting {
        project,
        scheme,
        hazards,
        issued,
        links,
        csos,
        compliance,
    })
}

impl Drafting {
    /// The next version of a kind of document.
    pub fn next_version(&self, kind: DocumentKind) -> i64 {
        self.issued
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.version)
            .max()
            .unwrap_or(0)
            + 1
    }

    /// The CSO who would sign: the signed-in person's record, else the organisation's first.
    pub fn cso_for(&self, username: &str) -> Option<&CsoRecord> {
        self.csos
            .iter()
            .find(|c| c.username == username)
            .or_else(|| self.csos.first())
    }

    /// Draft a document of `kind` at `version`, dated `date`.
    pub fn draft(
        &self,
        kind: DocumentKind,
        version: i64,
        date: NaiveDate,
        signer: Option<&CsoRecord>,
    ) -> ApiResult<Document> {
        let rows: Vec<(String, Hazard)> = self
            .hazards
            .iter()
            .map(|h| (h.hazard_id.clone(), h.hazard.clone()))
            .collect();
        let approvals: Vec<Approval> = self
            .issued
            .iter()
            .map(|d| Approval {
                kind: d.kind,
                version: u32::try_from(d.version).unwrap_or(u32::MAX),
                approved_by: d.approved_by.clone(),
                registration: d.registration.clone(),
                approved_at: d.approved_at.to_rfc3339(),
                content_hash: d.content_hash.clone(),
            })
            .collect();
        let incidents: Vec<IncidentLink> = self
            .links
            .iter()
            .map(|l| IncidentLink {
                reference: l.reference.clone(),
                summary: l.note.clone(),
                hazard_id: l.hazard_id.clone(),
                kind: l.kind.as_str().to_string(),
                at: l.at.date_naive(),
            })
            .collect();
        let input = CaseInput {
            project: &self.project.project,
            scheme: &self.scheme,
            hazards: &rows,
            cso: signer,
            version: u32::try_from(version).unwrap_or(u32::MAX),
            date,
            approvals: &approvals,
            incidents: &incidents,
            compliance: &self.compliance,
        };
        Ok(match kind {
            DocumentKind::Cscr => docs::cscr(&input),
            DocumentKind::Crmp => docs::crmp(&input),
            DocumentKind::HazardLog => docs::hazard_log(&input),
        })
    }
}

fn kind_of(s: &str) -> ApiResult<DocumentKind> {
    DocumentKind::parse(s).ok_or_else(|| ApiError::NotFound("kind of document (cscr, crmp or hazard_log)".into()))
}

/// How to send a document.
#[derive(Debug, Default, Deserialize)]
pub struct FormatQuery {
    pub format: Option<String>,
}

fn download(body: Vec<u8>, media: &str, filename: &str, extra: &[(&str, String)]) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (k, v) in extra {
        if let (Ok(k), Ok(v)) = (header::HeaderName::try_from(*k), HeaderValue::from_str(v)) {
            h.insert(k, v);
        }
    }
    r
}

/// A document as HTML, PDF, Markdown or JSON.
pub(crate) fn render(doc: &Document, format: &str, stem: &str) -> ApiResult<Response> {
    let hash = [("x-content-sha256", doc.content_hash())];
    Ok(match format {
        "html" => {
            let mut r = download(
                candour_export::document::to_html(doc).into_bytes(),
                "text/html; charset=utf-8",
                &format!("{stem}.html"),
                &hash,
            );
            r.headers_mut().remove(header::CONTENT_DISPOSITION);
            r
        }
        "pdf" => download(
            candour_pdf::render(doc),
            "application/pdf",
            &format!("{stem}.pdf"),
            &hash,
        ),
        "md" => download(
            candour_export::document::to_markdown(doc).into_bytes(),
            "text/markdown; charset=utf-8",
            &format!("{stem}.md"),
            &hash,
        ),
        "json" => download(
            serde_json::to_vec_pretty(doc).map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/json",
            &format!("{stem}.json"),
            &hash,
        ),
        other => {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "format",
                "unknown",
                format!("'{other}' is not a format: html, pdf, md or json"),
            )))
        }
    })
}

/// `GET /api/v1/safety-projects/{id}/documents`: issued documents, newest first.
pub async fn documents(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<IssuedDocument>>> {
    let p = project_of(&st, &who, &id).await?;
    Ok(Json(st.store.issued_documents(&view(&who)?, p.id).await?))
}

/// `GET /api/v1/safety-projects/{id}/documents/{kind}/draft?format=`: the next version as it stands now;
/// the `x-content-sha256` header is what an approval must name.
pub async fn draft(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<FormatQuery>,
) -> ApiResult<Response> {
    let kind = kind_of(&kind)?;
    let d = gather(&st, &who, &id).await?;
    let me = crate::ui::workspace::username_of(&st, &who).await;
    let version = d.next_version(kind);
    let doc = d.draft(kind, version, Utc::now().date_naive(), d.cso_for(&me))?;
    render(
        &doc,
        q.format.as_deref().unwrap_or("html"),
        &format!("{}-draft-v{version}", kind.as_str()),
    )
}

/// `GET /api/v1/safety-projects/{id}/documents/{kind}/{version}?format=`: an issued version, exactly as
/// approved.
pub async fn issued(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path((id, kind, version)): Path<(String, String, i64)>,
    Query(q): Query<FormatQuery>,
) -> ApiResult<Response> {
    let kind = kind_of(&kind)?;
    let p = project_of(&st, &who, &id).await?;
    let d = st
        .store
        .issued_document(&view(&who)?, p.id, kind, version)
        .await?
        .and_then(|d| d.document)
        .ok_or_else(|| ApiError::NotFound("issued document".into()))?;
    render(
        &d,
        q.format.as_deref().unwrap_or("html"),
        &format!("{}-v{version}", kind.as_str()),
    )
}

/// An approval: the hash of the draft the CSO read.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    pub content_hash: String,
}

/// Approve the current draft of `kind`, if it is still exactly what the CSO read (`content_hash`). A CSCR
/// is issued together with the hazard log version it relies on.
pub(crate) async fn approve_draft(
    st: &AppState,
    who: &Principal,
    id: &str,
    kind: DocumentKind,
    content_hash: &str,
) -> ApiResult<Vec<IssuedDocument>> {
    let can = who
        .can::<SignOffSafety>()
        .ok_or_else(|| ApiError::Forbidden("only a Clinical Safety Officer can approve safety documents".into()))?;
    let d = gather(st, who, id).await?;
    let me = crate::ui::workspace::username_of(st, who).await;
    let mine = d.csos.iter().find(|c| c.username == me);
    match mine {
        None => {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "cso",
                "missing",
                "You have no CSO record in this organisation: add yours (profession, registration, training, \
                 appointment) before signing off",
            )))
        }
        Some(c) if !c.missing().is_empty() => {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "cso",
                "incomplete",
                format!(
                    "Your CSO record is missing {}: complete it before signing off",
                    c.missing().join(", ")
                ),
            )))
        }
        Some(_) => {}
    }
    let today = Utc::now().date_naive();
    let version = d.next_version(kind);
    let doc = d.draft(kind, version, today, mine)?;
    if doc.content_hash() != content_hash.trim() {
        return Err(ApiError::Conflict(
            "the document has changed since you read it (or was read on another day): read the current draft and \
             approve that"
                .into(),
        ));
    }
    let mut documents = Vec::new();
    if kind == DocumentKind::Cscr {
        let lv = d.next_version(DocumentKind::HazardLog);
        documents.push((lv, d.draft(DocumentKind::HazardLog, lv, today, mine)?));
    }
    documents.push((version, doc));
    st.store
        .issue_documents(
            &can,
            IssueDocuments {
                project_id: d.project.id,
                cso_username: me,
                documents,
                log_state: Some(candour_store::log_state(
                    d.hazards.iter().map(|h| (h.number, h.revision)),
                )),
                now: Utc::now(),
            },
        )
        .await
        .map_err(|e| match e {
            candour_store::StoreError::Conflict { .. } => {
                ApiError::Conflict("another version was issued meanwhile: read the new draft and approve that".into())
            }
            other => store_error("safety project", other),
        })
}

/// `POST /api/v1/safety-projects/{id}/documents/{kind}/approve`
pub async fn approve(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path((id, kind)): Path<(String, String)>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let kind = kind_of(&kind)?;
    let a: ApprovalRequest = json::parse(&body)?;
    let out = approve_draft(&st, &who, &id, kind, &a.content_hash).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/safety-projects/{id}/compliance?format=json|csv`
pub async fn compliance_list(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> ApiResult<Response> {
    let d = gather(&st, &who, &id).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(d.compliance).into_response()),
        "csv" => Ok(download(
            compliance::to_csv(&d.compliance).into_bytes(),
            "text/csv; charset=utf-8",
            &format!("compliance-{}.csv", d.project.project.standard.as_str()),
            &[],
        )),
        other => Err(ApiError::Invalid(ValidationErrors::one(
            "format",
            "unknown",
            format!("'{other}' is not json or csv"),
        ))),
    }
}

pub(crate) async fn answer(
    st: &AppState,
    who: &Principal,
    id: &str,
    a: ComplianceAnswer,
) -> ApiResult<ComplianceAnswer> {
    let can = manage(who)?;
    let p = project_of(st, who, id).await?;
    let list: Checklist = compliance::checklist(p.project.standard).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut a = list.validate(a)?;
    // The checklist is printed in safety case reports, which never change once issued.
    a.note = st.redactor.redact(&a.note).text;
    st.store
        .put_compliance(&can, p.id, a.clone(), Utc::now())
        .await
        .map_err(|e| store_error("safety project", e))?;
    Ok(a)
}

/// `PUT /api/v1/safety-projects/{id}/compliance`
pub async fn compliance_answer(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<ComplianceAnswer>> {
    let a: ComplianceAnswer = json::parse(&body)?;
    Ok(Json(answer(&st, &who, &id, a).await?))
}

/// `GET /api/v1/safety-projects/{id}/hazard-log?format=xlsx|csv|json`
pub async fn export(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> ApiResult<Response> {
    let p = project_of(&st, &who, &id).await?;
    let hazards = st.store.hazards(&view(&who)?, p.id).await?;
    let scheme = scheme_of(&st, &p).await?;
    let rows: Vec<candour_sheets::Row> = hazards
        .iter()
        .map(|h| candour_sheets::Row {
            id: h.hazard_id.clone(),
            hazard: &h.hazard,
        })
        .collect();
    let stem = format!("hazard-log-{}", slug(&p.project.name));
    match q.format.as_deref().unwrap_or("xlsx") {
        "xlsx" => {
            let bytes = candour_sheets::export_xlsx(&p.project.name, &scheme, &rows)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(download(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("{stem}.xlsx"),
                &[],
            ))
        }
        "csv" => {
            let text = candour_sheets::export_csv(&scheme, &rows).map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(download(
                text.into_bytes(),
                "text/csv; charset=utf-8",
                &format!("{stem}.csv"),
                &[],
            ))
        }
        "json" => Ok(download(
            serde_json::to_vec_pretty(&hazards).map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/json",
            &format!("{stem}.json"),
            &[],
        )),
        other => Err(ApiError::Invalid(ValidationErrors::one(
            "format",
            "unknown",
            format!("'{other}' is not xlsx, csv or json"),
        ))),
    }
}

fn slug(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// Import options.
#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    /// `xlsx` or `csv` (default: from the content type).
    pub format: Option<String>,
    /// For a deploying organisation importing its supplier's DCB0129 log: the supplier's name.
    pub supplier: Option<String>,
    /// The supplier's document (name and version).
    pub document: Option<String>,
}

/// Import a spreadsheet into a project: every row checked, all recorded or none.
pub(crate) async fn import_sheet(
    st: &AppState,
    who: &Principal,
    id: &str,
    bytes: &[u8],
    format: candour_sheets::Format,
    supplier: Option<(&str, &str)>,
    source: &str,
) -> ApiResult<Vec<HazardRecord>> {
    let can = manage(who)?;
    let p = project_of(st, who, id).await?;
    let custom = &p.project.custom_hazard_types;
    let scheme = scheme_of(st, &p).await?;
    let rows = candour_sheets::import(bytes, format, &scheme, types()?, custom).map_err(sheet_error)?;
    if rows.is_empty() {
        return Err(ApiError::Invalid(ValidationErrors::one(
            "file",
            "empty",
            "The spreadsheet has no hazards in it",
        )));
    }
    let today = Utc::now().date_naive();
    let mut hazards = Vec::with_capacity(rows.len());
    let mut errors = ValidationErrors::default();
    if supplier.is_none() {
        // Import adds hazards; it never edits them. A row carrying the id of a hazard already in this log
        // (say, this log exported and imported back) would duplicate it.
        let existing: std::collections::HashSet<String> = st
            .store
            .hazards(&view(who)?, p.id)
            .await?
            .into_iter()
            .map(|h| h.hazard_id)
            .collect();
        for r in &rows {
            if let Some(id) =
                r.id.as_deref()
                    .and_then(hazard_number)
                    .map(candour_core::clinical::hazard_id)
            {
                if existing.contains(&id) {
                    errors.push(
                        format!("row {}.Hazard number", r.row),
                        "already_in_log",
                        format!(
                            "{id} is already in this log: change it there, or clear the hazard number to add the row \
                             as a new hazard"
                        ),
                    );
                }
            }
        }
    }
    for r in rows {
        let input = match supplier {
            Some((name, doc)) => {
                let their_id = r.id.clone().unwrap_or_else(|| format!("row {}", r.row));
                r.input.adopt_from_supplier(name, &their_id, doc, today)
            }
            None => r.input,
        };
        match crate::hazards::redact_hazard(st, input).validate(&scheme, types()?, custom) {
            Ok(h) => hazards.push(h),
            Err(v) => {
                for e in v.errors {
                    errors.push(format!("row {}.{}", r.row, e.path), &e.code, e.message);
                }
            }
        }
    }
    let hazards = errors.into_result(hazards)?;
    st.store
        .import_hazards(&can, p.id, hazards, source.to_string(), Utc::now())
        .await
        .map_err(|e| store_error("safety project", e))
}

fn sheet_error(e: candour_sheets::SheetError) -> ApiError {
    use candour_sheets::SheetError as S;
    match e {
        S::Invalid(cells) => {
            let mut v = ValidationErrors::default();
            for c in cells {
                v.push(format!("row {}.{}", c.row, c.column), "invalid", c.message);
            }
            ApiError::Invalid(v)
        }
        S::MissingColumns(cols) => ApiError::Invalid(ValidationErrors::one(
            "file",
            "missing_columns",
            format!("The spreadsheet has no column for: {}", cols.join(", ")),
        )),
        other => ApiError::Invalid(ValidationErrors::one("file", "unreadable", other.to_string())),
    }
}

/// `POST /api/v1/safety-projects/{id}/import?format=xlsx|csv[&supplier=…&document=…]`: the body is the file.
pub async fn import(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = match q.format.as_deref() {
        Some("xlsx") => candour_sheets::Format::Xlsx,
        Some("csv") => candour_sheets::Format::Csv,
        Some(other) => {
            return Err(ApiError::Invalid(ValidationErrors::one(
                "format",
                "unknown",
                format!("'{other}' is not xlsx or csv"),
            )))
        }
        None if ct.starts_with("text/csv") => candour_sheets::Format::Csv,
        None => candour_sheets::Format::Xlsx,
    };
    let supplier = q.supplier.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let document = q
        .document
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("supplier hazard log");
    let source = match supplier {
        Some(s) => format!("supplier {s}: {document}"),
        None => "spreadsheet".to_string(),
    };
    let out = import_sheet(&st, &who, &id, &body, format, supplier.map(|s| (s, document)), &source).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Parse an assessment pair from form fields (`{prefix}-likelihood`, `{prefix}-severity`), if both given.
pub(crate) fn assessment(l: Option<&String>, s: Option<&String>) -> Option<AssessmentInput> {
    match (
        l.map(|x| x.trim()).filter(|x| !x.is_empty()),
        s.map(|x| x.trim()).filter(|x| !x.is_empty()),
    ) {
        (Some(l), Some(s)) => Some(AssessmentInput {
            likelihood: l.into(),
            severity: s.into(),
        }),
        _ => None,
    }
}

/// Identify a project by id (for the pages).
pub(crate) fn project_uuid(id: &str) -> Option<Uuid> {
    parse_id(id).ok()
}
