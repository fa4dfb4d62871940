//! The hazard log API (issue 6): safety projects and their hazards. Ratings are always looked up from the
//! project's risk scheme; a change names the revision its editor saw; nothing is ever deleted.

use crate::auth::Caller;
use crate::error::ApiError;
use crate::json::{self, JsonBytes};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use candour_core::clinical::{HazardInput, HazardTypes, RiskScheme, SafetyProject};
use candour_core::identity::{ManageHazards, Principal, ViewHazards};
use candour_store::{PutHazard, StoreError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The default risk scheme and what an NHS assessor would query about it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SchemeView {
    pub scheme: serde_json::Value,
    pub warnings: Vec<String>,
}

/// A change to a hazard: the revision the editor saw, and the hazard as it should now be.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardChange {
    pub expected_revision: i64,
    pub hazard: HazardInput,
}

/// The default scheme and hazard types, parsed once (they are built into the binary).
pub(crate) fn scheme() -> ApiResult<&'static RiskScheme> {
    static SCHEME: std::sync::OnceLock<Result<RiskScheme, String>> = std::sync::OnceLock::new();
    SCHEME
        .get_or_init(|| RiskScheme::dcb0129_example().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::Internal(e.clone()))
}

pub(crate) fn types() -> ApiResult<&'static HazardTypes> {
    static TYPES: std::sync::OnceLock<Result<HazardTypes, String>> = std::sync::OnceLock::new();
    TYPES
        .get_or_init(|| HazardTypes::default_types().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::Internal(e.clone()))
}

pub(crate) fn manage(who: &Principal) -> ApiResult<candour_core::identity::Can<ManageHazards>> {
    who.can::<ManageHazards>().ok_or_else(|| {
        ApiError::Forbidden("only a Clinical Safety Officer or an administrator can change hazard logs".into())
    })
}

pub(crate) fn view(who: &Principal) -> ApiResult<candour_core::identity::Can<ViewHazards>> {
    who.can::<ViewHazards>()
        .ok_or_else(|| ApiError::Forbidden("you cannot see hazard logs".into()))
}

pub(crate) fn store_error(what: &str, e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::NotFound(what.into()),
        StoreError::Conflict { expected, current } => ApiError::Conflict(format!(
            "the hazard has changed since revision {expected}; it is now at revision {current}: reload it and make \
             your change again"
        )),
        other => other.into(),
    }
}

pub(crate) fn parse_id(id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id).map_err(|_| ApiError::NotFound("safety project".into()))
}

/// Hazard logs are shared (exported, issued with safety cases, sent to suppliers): patient identifiers typed
/// into a hazard's free text are removed before it is checked or stored, as in reports.
pub(crate) fn redact_hazard(st: &AppState, mut h: HazardInput) -> HazardInput {
    let r = |t: &str| st.redactor.redact(t).text;
    h.name = r(&h.name);
    h.description = r(&h.description);
    h.effects = r(&h.effects);
    h.clinical_impact = r(&h.clinical_impact);
    h.alarp_justification = r(&h.alarp_justification);
    for c in h.causes.iter_mut().chain(h.existing_controls.iter_mut()) {
        *c = r(c);
    }
    for c in &mut h.controls {
        c.description = r(&c.description);
    }
    h
}

/// A project the caller can see, or 404.
pub(crate) async fn project_of(
    st: &AppState,
    who: &Principal,
    id: &str,
) -> ApiResult<candour_store::SafetyProjectRecord> {
    let can = view(who)?;
    st.store
        .safety_project(&can, parse_id(id)?)
        .await?
        .ok_or_else(|| ApiError::NotFound("safety project".into()))
}

async fn custom_types(st: &AppState, who: &Principal, id: &str) -> ApiResult<Vec<String>> {
    Ok(project_of(st, who, id).await?.project.custom_hazard_types)
}

/// `PUT /api/v1/safety-projects/{id}`: change a project's details (not its organisation or standard).
pub async fn update_project(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<candour_store::SafetyProjectRecord>> {
    let can = manage(&who)?;
    let project: SafetyProject = json::parse(&body)?;
    let project = project.validate()?;
    let rec = st
        .store
        .update_safety_project(&can, parse_id(&id)?, project, chrono::Utc::now())
        .await
        .map_err(|e| store_error("safety project", e))?;
    Ok(Json(rec))
}

/// `GET /api/v1/risk-schemes/default`
pub async fn default_scheme(Caller(who): Caller) -> ApiResult<Json<SchemeView>> {
    view(&who)?;
    let s = scheme()?;
    Ok(Json(SchemeView {
        warnings: s.warnings(),
        scheme: serde_json::to_value(s).map_err(|e| ApiError::Internal(e.to_string()))?,
    }))
}

/// `POST /api/v1/safety-projects`
pub async fn create_project(
    State(st): State<AppState>,
    Caller(who): Caller,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let can = manage(&who)?;
    let project: SafetyProject = json::parse(&body)?;
    let project = project.validate()?;
    let rec = st
        .store
        .create_safety_project(&can, project, scheme()?.reference(), chrono::Utc::now())
        .await
        .map_err(|e| store_error("organisation", e))?;
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

/// `GET /api/v1/safety-projects`
pub async fn projects(
    State(st): State<AppState>,
    Caller(who): Caller,
) -> ApiResult<Json<Vec<candour_store::SafetyProjectRecord>>> {
    let can = view(&who)?;
    Ok(Json(st.store.safety_projects(&can).await?))
}

/// `GET /api/v1/safety-projects/{id}/hazards`
pub async fn hazards(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<candour_store::HazardRecord>>> {
    let can = view(&who)?;
    let list = st
        .store
        .hazards(&can, parse_id(&id)?)
        .await
        .map_err(|e| store_error("safety project", e))?;
    Ok(Json(list))
}

/// `POST /api/v1/safety-projects/{id}/hazards`
pub async fn create_hazard(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let can = manage(&who)?;
    let input: HazardInput = json::parse(&body)?;
    let custom = custom_types(&st, &who, &id).await?;
    let hazard = redact_hazard(&st, input).validate(scheme()?, types()?, &custom)?;
    let rec = st
        .store
        .put_hazard(
            &can,
            PutHazard {
                project_id: parse_id(&id)?,
                number: None,
                expected_revision: None,
                hazard,
                now: chrono::Utc::now(),
            },
        )
        .await
        .map_err(|e| store_error("safety project", e))?;
    Ok((StatusCode::CREATED, Json(rec)).into_response())
}

/// `PUT /api/v1/safety-projects/{id}/hazards/{number}`
pub async fn change_hazard(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path((id, number)): Path<(String, i64)>,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Json<candour_store::HazardRecord>> {
    let can = manage(&who)?;
    let change: HazardChange = json::parse(&body)?;
    let custom = custom_types(&st, &who, &id).await?;
    let hazard = redact_hazard(&st, change.hazard).validate(scheme()?, types()?, &custom)?;
    let rec = st
        .store
        .put_hazard(
            &can,
            PutHazard {
                project_id: parse_id(&id)?,
                number: Some(number),
                expected_revision: Some(change.expected_revision),
                hazard,
                now: chrono::Utc::now(),
            },
        )
        .await
        .map_err(|e| store_error("hazard", e))?;
    Ok(Json(rec))
}

/// `GET /api/v1/safety-projects/{id}/hazards/{number}/history`
pub async fn history(
    State(st): State<AppState>,
    Caller(who): Caller,
    Path((id, number)): Path<(String, i64)>,
) -> ApiResult<Json<Vec<candour_store::HazardRevision>>> {
    let can = view(&who)?;
    let h = st
        .store
        .hazard_history(&can, parse_id(&id)?, number)
        .await
        .map_err(|e| store_error("safety project", e))?;
    if h.is_empty() {
        return Err(ApiError::NotFound("hazard".into()));
    }
    Ok(Json(h))
}
