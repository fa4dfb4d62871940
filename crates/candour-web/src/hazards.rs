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

/// The risk scheme a project assesses with: the built-in default, or the stored custom version it names.
pub(crate) async fn scheme_of(
    st: &AppState,
    p: &candour_store::SafetyProjectRecord,
) -> ApiResult<std::borrow::Cow<'static, RiskScheme>> {
    let d = scheme()?;
    if p.scheme == d.reference() {
        return Ok(std::borrow::Cow::Borrowed(d));
    }
    st.store
        .risk_scheme(&p.scheme.id, p.scheme.version)
        .await?
        .map(std::borrow::Cow::Owned)
        .ok_or_else(|| ApiError::Internal(format!("risk scheme {} v{} is missing", p.scheme.id, p.scheme.version)))
}

fn scheme_problem(e: candour_core::clinical::SchemeError) -> ApiError {
    match e {
        candour_core::clinical::SchemeError::Invalid { field, message } => {
            ApiError::Invalid(candour_core::ValidationErrors::one(field, "invalid", message))
        }
        candour_core::clinical::SchemeError::Parse(m) => {
            ApiError::Invalid(candour_core::ValidationErrors::one("scheme", "invalid", m))
        }
    }
}

/// `POST /api/v1/risk-schemes`: store a custom risk scheme version (CSO or admin). It is checked whole
/// (sizes, unique codes, a matrix that never rates a likelier or worse harm lower, a meaning for every
/// rating); under the NHS profile, a multiplicative or relabelled scheme is stored with warnings.
pub async fn create_scheme(
    State(st): State<AppState>,
    Caller(who): Caller,
    JsonBytes(body): JsonBytes,
) -> ApiResult<Response> {
    let can = manage(&who)?;
    let s: RiskScheme = json::parse(&body)?;
    s.check().map_err(scheme_problem)?;
    if s.id == scheme()?.id {
        return Err(ApiError::Invalid(candour_core::ValidationErrors::one(
            "id",
            "reserved",
            "That is the built-in scheme's id: give your scheme its own",
        )));
    }
    let view = SchemeView {
        warnings: s.warnings(),
        scheme: serde_json::to_value(&s).map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    st.store.put_risk_scheme(&can, s, chrono::Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// `GET /api/v1/risk-schemes`: the built-in scheme and every stored custom version, with warnings.
pub async fn schemes(State(st): State<AppState>, Caller(who): Caller) -> ApiResult<Json<Vec<SchemeView>>> {
    view(&who)?;
    let mut all = vec![scheme()?.clone()];
    all.extend(st.store.risk_schemes().await?);
    all.into_iter()
        .map(|s| {
            Ok(SchemeView {
                warnings: s.warnings(),
                scheme: serde_json::to_value(&s).map_err(|e| ApiError::Internal(e.to_string()))?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()
        .map(Json)
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

/// A project's custom hazard types and its risk scheme.
async fn types_and_scheme(
    st: &AppState,
    who: &Principal,
    id: &str,
) -> ApiResult<(Vec<String>, std::borrow::Cow<'static, RiskScheme>)> {
    let p = project_of(st, who, id).await?;
    let s = scheme_of(st, &p).await?;
    Ok((p.project.custom_hazard_types, s))
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
    let mut project = project.validate()?;
    let current = project_of(&st, &who, &id).await?;
    if project.scheme.take().is_some_and(|r| r != current.scheme) {
        return Err(ApiError::Invalid(candour_core::ValidationErrors::one(
            "scheme",
            "fixed",
            "A project's risk scheme cannot change: its assessments name it. Start a new project to use another scheme",
        )));
    }
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
    let mut project = project.validate()?;
    let chosen = match project.scheme.take() {
        None => scheme()?.reference(),
        Some(r) if r == scheme()?.reference() => r,
        Some(r) => {
            if st.store.risk_scheme(&r.id, r.version).await?.is_none() {
                return Err(ApiError::Invalid(candour_core::ValidationErrors::one(
                    "scheme",
                    "unknown",
                    format!(
                        "There is no risk scheme {} version {}: store it first (POST /api/v1/risk-schemes)",
                        r.id, r.version
                    ),
                )));
            }
            r
        }
    };
    let rec = st
        .store
        .create_safety_project(&can, project, chosen, chrono::Utc::now())
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
    let (custom, s) = types_and_scheme(&st, &who, &id).await?;
    let hazard = redact_hazard(&st, input).validate(&s, types()?, &custom)?;
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
    let (custom, s) = types_and_scheme(&st, &who, &id).await?;
    let hazard = redact_hazard(&st, change.hazard).validate(&s, types()?, &custom)?;
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
