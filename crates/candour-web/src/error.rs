//! The one place errors become HTTP responses: RFC 9457 problem+json, with field paths for bad input.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_core::lifecycle::LifecycleError;
use candour_core::{FieldError, ValidationErrors};
use candour_store::StoreError;
use serde::Serialize;

/// Why a request failed, as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON, or a value has the wrong type or an unknown enum value.
    #[error("{message}")]
    BadJson {
        /// Path of the offending field (`.` for the whole body).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A value has the wrong type, an unknown enum value, or a required field is missing.
    #[error("{message}")]
    WrongType {
        /// Path of the offending field.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// Fields failed validation.
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    /// The transition is not allowed from the current status.
    #[error("{0}")]
    Transition(String),
    /// No such resource (or not visible to the caller).
    #[error("{0} not found")]
    NotFound(String),
    /// Stale revision.
    #[error("{0}")]
    Conflict(String),
    /// Idempotency key reused with another body.
    #[error("this Idempotency-Key was already used for a different request body")]
    IdempotencyMismatch,
    /// Sign-in needed.
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Body too large.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// Wrong content type.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// Too many attempts.
    #[error("too many requests; try again shortly")]
    RateLimited,
    /// Something broke on our side; details are logged, not returned.
    #[error("internal error")]
    Internal(String),
    /// The store cannot take work now.
    #[error("the service is temporarily unavailable")]
    Unavailable,
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened, for people.
    pub detail: String,
    /// Field-level problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use ApiError::*;
        match self {
            BadJson { .. } => (
                StatusCode::BAD_REQUEST,
                "bad-json",
                "The request body could not be read",
            ),
            Invalid(_) | WrongType { .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "Some fields are not valid",
            ),
            Transition(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-transition",
                "That change is not allowed now",
            ),
            NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Conflict(_) => (StatusCode::CONFLICT, "stale-revision", "The report has changed"),
            IdempotencyMismatch => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
            ),
            Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Sign-in required"),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Request too large"),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Wrong content type",
            ),
            RateLimited => (StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
            Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Temporarily unavailable",
            ),
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (status, slug, title) = self.parts();
        let errors = match self {
            ApiError::Invalid(v) => v.errors.clone(),
            ApiError::BadJson { path, message } | ApiError::WrongType { path, message } => {
                vec![FieldError {
                    path: path.clone(),
                    code: "invalid".into(),
                    message: message.clone(),
                }]
            }
            ApiError::Transition(m) => vec![FieldError {
                path: "action".into(),
                code: "not_allowed".into(),
                message: m.clone(),
            }],
            ApiError::IdempotencyMismatch => vec![FieldError {
                path: "Idempotency-Key".into(),
                code: "reused".into(),
                message: "use a new key for a different request".into(),
            }],
            _ => Vec::new(),
        };
        Problem {
            kind: format!("https://candour.invalid/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("report".into()),
            StoreError::Conflict { .. } => ApiError::Conflict(e.to_string()),
            StoreError::IdempotencyMismatch => ApiError::IdempotencyMismatch,
            StoreError::Lifecycle(LifecycleError::Invalid(v)) => ApiError::Invalid(v),
            StoreError::Lifecycle(l @ LifecycleError::NotAllowed { .. }) => ApiError::Transition(l.to_string()),
            StoreError::Constraint(c) => constraint(&c),
            StoreError::Unavailable => ApiError::Unavailable,
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Named constraints become field errors; anything unexpected is internal.
fn constraint(name: &str) -> ApiError {
    let field = match name {
        "users_username_unique" | "users_pk" => Some(("username", "is already taken")),
        "idempotency_pk" => Some(("Idempotency-Key", "was already used")),
        "organisations_ods_code_format" | "safety_projects_ods_code_format" => Some(("ods_code", "is not an ODS code")),
        "hazards_scheme_is_the_projects" => Some(("initial", "must use the safety project's risk scheme")),
        "report_assignments_assignee_known" => Some(("assignee", "is not an active account")),
        "report_assignments_assignee_can_act" => Some(("assignee", "cannot act on this organisation's reports")),
        "cso_record_missing" => Some((
            "cso",
            "has no record for you in this organisation: add your CSO record (profession, registration, training, \
             appointment) before signing off",
        )),
        "cso_record_incomplete" => Some((
            "cso",
            "record is incomplete: add your profession, registration body and number, training evidence and \
             appointment date before signing off",
        )),
        "risk_schemes_pk" => Some((
            "version",
            "of this scheme is already stored, and a stored version never changes: store the change as a new version",
        )),
        "risk_schemes_immutable" => return ApiError::Conflict("a stored risk scheme version cannot be changed".into()),
        "hazard_links_once" => Some(("report", "is already linked to this hazard in the same way")),
        "safety_projects_organisation_and_standard_fixed" => Some((
            "standard",
            "and the organisation of a safety project cannot change: start a new project",
        )),
        "hazard_links_new_hazard_has_details" => Some(("hazard", "is needed to record a new hazard")),
        "hazard_links_names_a_hazard" => Some(("hazard", "names the recorded hazard")),
        "safety_documents_immutable" => return ApiError::Conflict("an issued document cannot be changed".into()),
        "safety_documents_log_changed" => {
            return ApiError::Conflict(
                "the hazard log has changed since you read the draft: read the current draft and approve that".into(),
            )
        }
        "cyber_case_kind" => Some((
            "reference",
            "is not a cyber incident, suspicious activity or vulnerability",
        )),
        "disclosure_vulnerability_only" => Some((
            "reference",
            "is not a vulnerability: disclosure timelines are for vulnerabilities",
        )),
        "advisories_version_once" => {
            return ApiError::Conflict(
                "that advisory version was published meanwhile: reload and publish the next version".into(),
            )
        }
        "advisories_immutable" | "clinical_impacts_immutable" | "clinical_impact_reviews_immutable" => {
            return ApiError::Conflict(
                "a published advisory, an impact assessment or its review cannot be changed".into(),
            )
        }
        "cyber_case_closed" => {
            return ApiError::Conflict("the report is closed or withdrawn: reopen it to change its cyber record".into())
        }
        "cyber_events_discovered_after" => Some(("discovered_at", "cannot be before the event time")),
        "hazard_links_same_organisation" => Some((
            "report",
            "belongs to another organisation: a report is triaged into its own organisation's hazard logs",
        )),
        _ => None,
    };
    match field {
        Some((path, msg)) => ApiError::Invalid(ValidationErrors::one(path, "conflict", msg)),
        None => ApiError::Internal(format!("constraint {name}")),
    }
}
