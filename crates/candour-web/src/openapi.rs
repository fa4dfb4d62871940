//! The OpenAPI 3.1 document, assembled from the same types the handlers use (schemas by schemars), so
//! it cannot drift from the code without a test noticing.

use crate::api::{
    CreateUserBody, CreatedBody, Me, ReportPage, ReportView, SessionBody, SignIn, TransitionBody, UpdateBody,
};
use crate::error::Problem;
use candour_core::audit::AuditEntry;
use candour_core::record::Revision;
use candour_core::report::ReportBody;
use schemars::generate::SchemaSettings;
use serde_json::{json, Value};

fn problem_responses(codes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for c in codes {
        m.insert(
            (*c).to_string(),
            json!({"description": "Problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
        );
    }
    Value::Object(m)
}

fn ok(code: &str, description: &str, schema: &str) -> Value {
    json!({code: {"description": description, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}})
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn reference_param() -> Value {
    json!({"name": "reference", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{4}-[0-9]{6,}$"}, "example": "CS-2026-000123"})
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description})
}

/// The document as JSON bytes.
pub fn document() -> bytes::Bytes {
    bytes::Bytes::from(serde_json::to_vec(&value()).unwrap_or_default())
}

/// The document as a JSON value.
pub fn value() -> Value {
    let mut g = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let mut schemas = serde_json::Map::new();
    macro_rules! add {
        ($($t:ty => $name:literal),* $(,)?) => {$(
            let s = g.subschema_for::<$t>();
            if !s.as_value().get("$ref").is_some() {
                schemas.insert($name.to_string(), s.to_value());
            }
        )*};
    }
    add!(
        ReportBody => "ReportBody",
                CreatedBody => "CreatedBody",
        crate::api::PreviewBody => "PreviewBody",
        ReportView => "ReportView",
        ReportPage => "ReportPage",
        TransitionBody => "TransitionBody",
        UpdateBody => "UpdateBody",
        Revision => "Revision",
        AuditEntry => "AuditEntry",
        SignIn => "SignIn",
        SessionBody => "SessionBody",
        Me => "Me",
        CreateUserBody => "CreateUserBody",
                Problem => "Problem",
                candour_store::OutboxMessage => "OutboxMessage",
        candour_store::DestinationResponse => "DestinationResponse",
        crate::api::ResponseBody => "ResponseBody",
        crate::api::ExtractBody => "ExtractBody",
        crate::api::Indicator => "Indicator",
        crate::hazards::SchemeView => "SchemeView",
        candour_core::clinical::SafetyProject => "SafetyProject",
        candour_store::SafetyProjectRecord => "SafetyProjectRecord",
        candour_core::clinical::HazardInput => "HazardInput",
        crate::hazards::HazardChange => "HazardChange",
        candour_store::HazardRecord => "HazardRecord",
        candour_store::HazardRevision => "HazardRevision",
        crate::safety::TriageRequest => "TriageRequest",
        crate::safety::TriageResult => "TriageResult",
        candour_store::HazardLink => "HazardLink",
        crate::safety::Reviews => "Reviews",
        crate::safety::ReviewDone => "ReviewDone",
        candour_store::ReviewRecord => "ReviewRecord",
        candour_core::clinical::CsoRecord => "CsoRecord",
        candour_store::IssuedDocument => "IssuedDocument",
        crate::safety::ApprovalRequest => "ApprovalRequest",
        candour_core::clinical::ComplianceAnswer => "ComplianceAnswer",
        candour_core::clinical::ComplianceRow => "ComplianceRow",
        crate::cyber::CaseView => "CaseView",
        crate::cyber::AddIndicators => "AddIndicators",
        crate::cyber::IndicatorUpdate => "IndicatorUpdate",
        crate::cyber::Marking => "Marking",
        candour_core::cyber::TimelineEvent => "TimelineEvent",
        candour_core::cyber::Task => "Task",
        crate::cyber::TaskUpdate => "TaskUpdate",
        crate::cyber::ImpactUpdate => "ImpactUpdate",
        crate::cyber::ImpactReviewRequest => "ImpactReviewRequest",
        candour_core::cyber::ImpactReview => "ImpactReview",
        candour_core::cyber::DisclosureFacts => "DisclosureFacts",
        candour_store::CyberChanged => "CyberChanged",
        candour_store::AdvisoryRecord => "AdvisoryRecord",
    );
    schemas.extend(g.take_definitions(true));
    let bearer = json!([{"bearer": []}, {}]);
    let statuses = [
        "received",
        "acknowledged",
        "triaged",
        "investigating",
        "made_safe",
        "resolved",
        "closed",
        "withdrawn",
    ];
    let kinds = [
        "clinical_safety",
        "cyber_incident",
        "suspicious_activity",
        "vulnerability",
        "device_incident",
    ];
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Candour API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Report clinical safety, cyber security, vulnerability and device problems; follow them until a human acknowledges and closes them. Errors are RFC 9457 problem+json with field paths.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"}
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token or a session token from POST /sessions."}}
        },
        "paths": {
            "/reports": {
                "post": {
                    "operationId": "createReport",
                    "summary": "Submit a report (no sign-in needed unless the organisation requires it)",
                    "security": bearer,
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200}, "description": "Repeat a request safely: the same key and body return the same report."}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportBody"}}}},
                    "responses": merge(ok("201", "Stored durably", "CreatedBody"), problem_responses(&["400", "401", "413", "415", "422"]))
                },
                "get": {
                    "operationId": "listReports",
                    "summary": "List reports in the caller's organisations, newest first",
                    "security": [{"bearer": []}],
                    "parameters": [
                        query("kind", json!({"type": "string", "enum": kinds}), "Report kind"),
                        query("status", json!({"type": "string", "enum": statuses}), "Status"),
                        query("organisation", json!({"type": "string"}), "ODS code"),
                        query("system", json!({"type": "string"}), "Product name"),
                        query("urgency", json!({"type": "string"}), "Urgency code"),
                        query("min_harm", json!({"type": "string", "enum": ["none", "low", "moderate", "severe", "fatal"]}), "Minimum worst physical harm"),
                        query("acknowledged", json!({"type": "boolean"}), "Acknowledged by a human or not"),
                        query("from", json!({"type": "string", "format": "date-time"}), "Created at or after"),
                        query("to", json!({"type": "string", "format": "date-time"}), "Created before"),
                        query("cursor", json!({"type": "string"}), "From next_cursor"),
                        query("limit", json!({"type": "integer", "minimum": 1, "maximum": 500}), "Page size")
                    ],
                    "responses": merge(ok("200", "A page of reports", "ReportPage"), problem_responses(&["400", "401", "403", "422"]))
                }
            },
                        "/reports/preview": {
                "post": {
                    "operationId": "previewReport",
                    "summary": "The report as it would be stored and shared (patient identifiers removed), with any problems; stores nothing",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReportBody"}}}},
                    "responses": merge(ok("200", "Preview", "PreviewBody"), problem_responses(&["400", "413", "415", "422"]))
                }
            },
            "/reports/{reference}": {
                "get": {
                    "operationId": "getReport",
                    "summary": "One report",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param()],
                    "responses": merge(ok("200", "The report", "ReportView"), problem_responses(&["401", "403", "404"]))
                },
                "put": {
                    "operationId": "updateReport",
                    "summary": "Amend a report's content (a new revision; kind and reporter identity cannot change)",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param()],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateBody"}}}},
                    "responses": merge(ok("200", "The report after the change", "ReportView"), problem_responses(&["400", "401", "403", "404", "409", "413", "415", "422"]))
                }
            },
            "/reports/{reference}/transitions": {
                "post": {
                    "operationId": "transitionReport",
                    "summary": "Acknowledge, triage, investigate, make safe, resolve, close (with feedback), reopen or withdraw",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param()],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TransitionBody"}}}},
                    "responses": merge(ok("200", "The report after the change", "ReportView"), problem_responses(&["400", "401", "403", "404", "409", "415", "422"]))
                }
            },
            "/reports/{reference}/revisions": {
                "get": {
                    "operationId": "listRevisions",
                    "summary": "Every revision of a report",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param()],
                    "responses": merge(json!({"200": {"description": "Revisions, oldest first", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Revision"}}}}}}), problem_responses(&["401", "403", "404"]))
                }
            },
            "/reports/{reference}/audit": {
                "get": {
                    "operationId": "reportAudit",
                    "summary": "Audit entries about a report",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param()],
                    "responses": merge(json!({"200": {"description": "Audit entries", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}}}}), problem_responses(&["401", "403", "404"]))
                }
            },
            "/reports/{reference}/stix": {
                "get": {
                    "operationId": "reportStix",
                    "summary": "A cyber incident or suspicious activity as a STIX 2.1 bundle (Incident Core Extension, indicators, deterministic observable ids, TLP)",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param(), query("tlp", json!({"type": "string", "enum": ["clear", "green", "amber", "amber+strict", "red"]}), "TLP marking (default: the case's, else amber); never looser than the case's recorded marking")],
                    "responses": merge(json!({"200": {"description": "STIX 2.1 bundle", "content": {"application/stix+json;version=2.1": {"schema": {"type": "object"}}}}}), problem_responses(&["400", "401", "403", "404", "422"]))
                }
            },
                        "/reports/{reference}/deliveries": {
                "get": {
                    "operationId": "reportDeliveries",
                    "summary": "Where the report's messages went and whether they were delivered",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param()],
                    "responses": merge(json!({"200": {"description": "Outbox messages", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/OutboxMessage"}}}}}}), problem_responses(&["401", "403", "404"]))
                }
            },
                        "/reports/{reference}/destinations/{destination}/responses": {
                "post": {
                    "operationId": "recordDestinationResponse",
                    "summary": "Record a destination's acknowledgement (e.g. by phone) or a justified decision not to notify it",
                    "security": [{"bearer": []}],
                    "parameters": [reference_param(), {"name": "destination", "in": "path", "required": true, "schema": {"type": "string"}, "example": "nhs_csoc"}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResponseBody"}}}},
                    "responses": merge(json!({"201": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DestinationResponse"}}}}, "200": {"description": "Already acknowledged: the earlier acknowledgement", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DestinationResponse"}}}}}), problem_responses(&["400", "401", "403", "404", "415", "422"]))
                }
            },
            "/outbox": {
                "get": {
                    "operationId": "outbox",
                    "summary": "The delivery outbox and dead letters (administrators)",
                    "security": [{"bearer": []}],
                    "parameters": [
                        query("status", json!({"type": "string", "enum": ["pending", "sent", "dead"]}), "Status"),
                        query("after", json!({"type": "string", "format": "uuid"}), "The last message id of the previous page"),
                        query("limit", json!({"type": "integer", "minimum": 1, "maximum": 1000}), "Page size (default 1000)")
                    ],
                    "responses": merge(json!({"200": {"description": "Outbox messages", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/OutboxMessage"}}}}}}), problem_responses(&["400", "401", "403", "422"]))
                }
            },
            "/sessions": {
                "post": {
                    "operationId": "signIn",
                    "summary": "Sign in with a local account",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SignIn"}}}},
                    "responses": merge(ok("201", "Signed in", "SessionBody"), problem_responses(&["400", "401", "415", "429"]))
                },
                "delete": {
                    "operationId": "signOut",
                    "summary": "Sign out",
                    "security": [{"bearer": []}],
                    "responses": {"204": {"description": "Signed out"}}
                }
            },
            "/me": {
                "get": {
                    "operationId": "me",
                    "summary": "Who the caller is",
                    "security": bearer,
                    "responses": merge(ok("200", "The caller", "Me"), problem_responses(&["401"]))
                }
            },
            "/users": {
                "get": {
                    "operationId": "listUsers",
                    "summary": "Accounts (admin)",
                    "security": [{"bearer": []}],
                    "responses": merge(json!({"200": {"description": "Accounts", "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}), problem_responses(&["401", "403"]))
                },
                "post": {
                    "operationId": "createUser",
                    "summary": "Create an account (admin)",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateUserBody"}}}},
                    "responses": merge(json!({"201": {"description": "Created", "content": {"application/json": {"schema": {"type": "object"}}}}}), problem_responses(&["400", "401", "403", "422"]))
                }
            },
            "/indicators/extract": {
                "post": {
                    "operationId": "extractIndicators",
                    "summary": "Indicators of compromise in pasted text: typed, refanged, normalised, each once, with whether each should link incidents",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExtractBody"}}}},
                    "responses": merge(json!({"200": {"description": "Indicators", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}}}}}}), problem_responses(&["400", "401", "403", "413", "415"]))
                }
            },
            "/taxonomy": {
                "get": {
                    "operationId": "taxonomy",
                    "summary": "The value sets in force",
                    "responses": {"200": {"description": "Taxonomy", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }
        }
    });
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        paths.extend(hazard_paths());
        paths.extend(cyber_paths());
    }
    doc
}

fn array_of(schema: &str) -> Value {
    json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{schema}")}})
}

/// Cyber security as patient safety (issue 7).
fn cyber_paths() -> serde_json::Map<String, Value> {
    let r = reference_param();
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let body = |schema: &str| json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let write = |op: &str, summary: &str, req: &str, code: &str, res: &str| {
        json!({
        "operationId": op, "summary": summary, "security": [{"bearer": []}], "requestBody": body(req),
        "responses": merge(ok(code, "Done", res), problem_responses(&["400", "401", "403", "404", "409", "415", "422"]))})
    };
    let doc = |op: &str, summary: &str, media: &str, params: Vec<Value>| {
        json!({"parameters": params, "get": {
        "operationId": op, "summary": summary, "security": [{"bearer": []}],
        "responses": merge(json!({"200": {"description": summary, "content": {media: {"schema": {"type": if media.starts_with("text") { "string" } else { "object" }}}}}}), problem_responses(&["401", "403", "404", "422"]))}})
    };
    let mut m = serde_json::Map::new();
    m.insert("/reports/{reference}/cyber".into(), json!({"parameters": [r.clone()], "get": {
        "operationId": "getCyberCase", "summary": "A cyber incident's, suspicious activity's or vulnerability's working record: TLP, indicators with correlations, timeline, tasks, clinical impact and CSO reviews, disclosure timeline, advisories, and what blocks closure",
        "security": [{"bearer": []}], "responses": merge(ok("200", "Case", "CaseView"), problem_responses(&["401", "403", "404", "422"]))}}));
    m.insert("/reports/{reference}/cyber/indicators".into(), json!({"parameters": [r.clone()], "post": write("addIndicators", "Paste text and/or typed indicators: extracted (defanged forms too), validated, normalised, deduplicated; all or nothing", "AddIndicators", "201", "CyberChanged")}));
    m.insert("/reports/{reference}/cyber/indicators/{id}".into(), json!({"parameters": [r.clone(), id.clone()], "patch": write("updateIndicator", "Mark an indicator as a confirmed IOC or an artifact, and set its TLP", "IndicatorUpdate", "200", "CyberChanged")}));
    m.insert("/reports/{reference}/cyber/marking".into(), json!({"parameters": [r.clone()], "put": write("setCyberMarking", "Set the incident's TLP 2.0 marking", "Marking", "200", "CyberChanged")}));
    m.insert("/reports/{reference}/cyber/events".into(), json!({"parameters": [r.clone()], "post": write("addTimelineEvent", "Add a timeline event (event time and discovery time)", "TimelineEvent", "201", "CyberChanged")}));
    m.insert(
        "/reports/{reference}/cyber/tasks".into(),
        json!({"parameters": [r.clone()], "post": write("addTask", "Add a task", "Task", "201", "CyberChanged")}),
    );
    m.insert("/reports/{reference}/cyber/tasks/{id}".into(), json!({"parameters": [r.clone(), id], "put": write("updateTask", "Change a task at the revision you saw", "TaskUpdate", "200", "CyberChanged")}));
    m.insert("/reports/{reference}/cyber/impact".into(), json!({"parameters": [r.clone()], "post": write("recordClinicalImpact", "Record a new version of the clinical impact assessment (anything but none needs a CSO review before closure)", "ImpactUpdate", "201", "CyberChanged")}));
    m.insert("/reports/{reference}/cyber/impact/reviews".into(), json!({"parameters": [r.clone()], "post": write("reviewClinicalImpact", "A Clinical Safety Officer reviews the latest assessment", "ImpactReviewRequest", "201", "ImpactReview")}));
    m.insert("/reports/{reference}/cyber/disclosure".into(), json!({"parameters": [r.clone()], "put": write("setDisclosure", "Vulnerabilities: exploited in the wild, uncontrolled patient risk (escalated at once; shortens the timeline), agreed publication date", "DisclosureFacts", "200", "CaseView")}));
    let format = query(
        "format",
        json!({"type": "string", "enum": ["text", "json", "html"]}),
        "text (default), json or html",
    );
    m.insert(
        "/reports/{reference}/cyber/csoc".into(),
        doc(
            "csocReport",
            "The NHS England CSOC report",
            "text/plain",
            vec![r.clone(), format],
        ),
    );
    m.insert(
        "/reports/{reference}/cyber/misp".into(),
        doc(
            "mispEvent",
            "A MISP event (to_ids for confirmed IOCs)",
            "application/json",
            vec![r.clone()],
        ),
    );
    let profile = query(
        "profile",
        json!({"type": "string", "enum": ["csaf_security_advisory", "csaf_vex"]}),
        "CSAF profile (default csaf_security_advisory)",
    );
    let fixed = query(
        "fixed_version",
        json!({"type": "string"}),
        "The version that fixes it, if any",
    );
    m.insert(
        "/reports/{reference}/cyber/csaf".into(),
        doc(
            "csafDraft",
            "The next CSAF 2.0 advisory version, as a draft",
            "application/json",
            vec![r.clone(), profile.clone(), fixed.clone()],
        ),
    );
    m.insert("/reports/{reference}/cyber/advisories".into(), json!({"parameters": [r, profile, fixed], "post": {
        "operationId": "publishAdvisory", "summary": "Publish the next CSAF 2.0 version (never changed afterwards)", "security": [{"bearer": []}],
        "responses": merge(ok("201", "Published", "AdvisoryRecord"), problem_responses(&["401", "403", "404", "409", "422"]))}}));
    m
}

/// The hazard log API (issue 6).
fn hazard_paths() -> serde_json::Map<String, Value> {
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let number = json!({"name": "number", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}, "description": "The hazard's number in the project (H-001 is 1)"});
    let body = |schema: &str| json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let list = |d: &str, schema: &str| json!({"200": {"description": d, "content": {"application/json": {"schema": array_of(schema)}}}});
    let mut m = serde_json::Map::new();
    m.insert("/risk-schemes/default".into(), json!({"get": {
        "operationId": "defaultRiskScheme", "summary": "The default risk scheme (DCB0129 IG v3.2 example) and any assessor warnings",
        "security": [{"bearer": []}],
        "responses": merge(ok("200", "Scheme", "SchemeView"), problem_responses(&["401", "403"]))}}));
    m.insert("/risk-schemes".into(), json!({
        "get": {"operationId": "listRiskSchemes", "summary": "The built-in scheme and every stored custom scheme version, with assessor warnings", "security": [{"bearer": []}],
                "responses": merge(list("Schemes", "SchemeView"), problem_responses(&["401", "403"]))},
        "post": {"operationId": "createRiskScheme", "summary": "Store a custom risk scheme version (likelihood and severity levels, lookup matrix, acceptability); checked whole; a stored version never changes",
                 "security": [{"bearer": []}],
                 "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "description": "A risk scheme, shaped like GET /risk-schemes/default's scheme"}}}},
                 "responses": merge(ok("201", "Stored", "SchemeView"), problem_responses(&["400", "401", "403", "415", "422"]))}}));
    m.insert("/safety-projects".into(), json!({
        "get": {"operationId": "listSafetyProjects", "summary": "Safety projects of your organisations", "security": [{"bearer": []}],
                "responses": merge(list("Projects", "SafetyProjectRecord"), problem_responses(&["401", "403"]))},
        "post": {"operationId": "createSafetyProject", "summary": "Start a DCB0129 or DCB0160 safety project (CSO or admin)", "security": [{"bearer": []}],
                 "requestBody": body("SafetyProject"),
                 "responses": merge(ok("201", "Created", "SafetyProjectRecord"), problem_responses(&["400", "401", "403", "404", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/hazards".into(), json!({
        "parameters": [id.clone()],
        "get": {"operationId": "listHazards", "summary": "The project's hazard log, by number", "security": [{"bearer": []}],
                "responses": merge(list("Hazards", "HazardRecord"), problem_responses(&["401", "403", "404"]))},
        "post": {"operationId": "createHazard", "summary": "Record a hazard; ratings are looked up from the project's scheme", "security": [{"bearer": []}],
                 "requestBody": body("HazardInput"),
                 "responses": merge(ok("201", "Created", "HazardRecord"), problem_responses(&["400", "401", "403", "404", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/hazards/{number}".into(), json!({
        "parameters": [id.clone(), number.clone()],
        "put": {"operationId": "changeHazard", "summary": "Change a hazard at the revision you saw (409 if it changed since); never deleted", "security": [{"bearer": []}],
                "requestBody": body("HazardChange"),
                "responses": merge(ok("200", "Changed", "HazardRecord"), problem_responses(&["400", "401", "403", "404", "409", "415", "422"]))}}));
    let kind = json!({"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["cscr", "crmp", "hazard_log"]}});
    let format = |formats: &[&str], default: &str| json!({"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": formats, "default": default}});
    let file = |d: &str| {
        json!({"200": {"description": d, "headers": {"x-content-sha256": {"description": "SHA-256 of the document's canonical JSON: what an approval names", "schema": {"type": "string"}}},
        "content": {"text/html": {}, "application/pdf": {}, "text/markdown": {}, "application/json": {}}}})
    };
    m.insert("/safety-projects/{id}".into(), json!({
        "parameters": [id.clone()],
        "put": {"operationId": "changeSafetyProject", "summary": "Change a project's details (not its organisation or standard)", "security": [{"bearer": []}],
                "requestBody": body("SafetyProject"),
                "responses": merge(ok("200", "Changed", "SafetyProjectRecord"), problem_responses(&["400", "401", "403", "404", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/triage".into(), json!({
        "parameters": [id.clone()],
        "post": {"operationId": "triageReport", "summary": "Triage a report against the hazard log: a new hazard, a realised hazard or a failed control; a changed risk flags the safety case for review",
                 "security": [{"bearer": []}], "requestBody": body("TriageRequest"),
                 "responses": merge(ok("201", "Recorded", "TriageResult"), problem_responses(&["400", "401", "403", "404", "409", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/links".into(), json!({
        "parameters": [id.clone()],
        "get": {"operationId": "hazardLinks", "summary": "The project's safety incident links", "security": [{"bearer": []}],
                "responses": merge(list("Links", "HazardLink"), problem_responses(&["401", "403", "404"]))}}));
    m.insert("/safety-projects/{id}/reviews".into(), json!({
        "parameters": [id.clone()],
        "get": {"operationId": "reviews", "summary": "Reviews due (hazard log, controls, CRMP, each open hazard) and done", "security": [{"bearer": []}],
                "responses": merge(ok("200", "Reviews", "Reviews"), problem_responses(&["401", "403", "404"]))},
        "post": {"operationId": "recordReview", "summary": "Record a review done", "security": [{"bearer": []}], "requestBody": body("ReviewDone"),
                 "responses": merge(ok("201", "Recorded", "ReviewRecord"), problem_responses(&["400", "401", "403", "404", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/documents".into(), json!({
        "parameters": [id.clone()],
        "get": {"operationId": "issuedDocuments", "summary": "Issued (approved) safety documents, newest first", "security": [{"bearer": []}],
                "responses": merge(list("Documents", "IssuedDocument"), problem_responses(&["401", "403", "404"]))}}));
    m.insert("/safety-projects/{id}/documents/{kind}/draft".into(), json!({
        "parameters": [id.clone(), kind.clone(), format(&["html", "pdf", "md", "json"], "html")],
        "get": {"operationId": "draftDocument", "summary": "The next version of a CSCR, CRMP or hazard log, drafted from the records now", "security": [{"bearer": []}],
                "responses": merge(file("The draft"), problem_responses(&["401", "403", "404", "422"]))}}));
    m.insert("/safety-projects/{id}/documents/{kind}/approve".into(), json!({
        "parameters": [id.clone(), kind.clone()],
        "post": {"operationId": "approveDocument", "summary": "The CSO approves the draft they read (named by its hash); blocked until their CSO record is complete; a CSCR is issued with its hazard log",
                 "security": [{"bearer": []}], "requestBody": body("ApprovalRequest"),
                 "responses": merge(json!({"201": {"description": "Issued", "content": {"application/json": {"schema": array_of("IssuedDocument")}}}}), problem_responses(&["400", "401", "403", "404", "409", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/documents/{kind}/{version}".into(), json!({
        "parameters": [id.clone(), kind, {"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}, format(&["html", "pdf", "md", "json"], "html")],
        "get": {"operationId": "issuedDocument", "summary": "An issued version, exactly as approved", "security": [{"bearer": []}],
                "responses": merge(file("The document"), problem_responses(&["401", "403", "404", "422"]))}}));
    m.insert("/safety-projects/{id}/compliance".into(), json!({
        "parameters": [id.clone()],
        "get": {"operationId": "complianceChecklist", "summary": "The DCB0129 or DCB0160 checklist with answers and evidence", "security": [{"bearer": []}],
                "parameters": [format(&["json", "csv"], "json")],
                "responses": merge(list("Checklist", "ComplianceRow"), problem_responses(&["401", "403", "404", "422"]))},
        "put": {"operationId": "answerCompliance", "summary": "Answer one requirement (Yes and Partial need evidence; No needs a note)", "security": [{"bearer": []}],
                "requestBody": body("ComplianceAnswer"),
                "responses": merge(ok("200", "Saved", "ComplianceAnswer"), problem_responses(&["400", "401", "403", "404", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/hazard-log".into(), json!({
        "parameters": [id.clone(), format(&["xlsx", "csv", "json"], "xlsx")],
        "get": {"operationId": "exportHazardLog", "summary": "The hazard log in the NHS template column order (XLSX with data validation and risk colours), CSV or JSON", "security": [{"bearer": []}],
                "responses": merge(json!({"200": {"description": "The log", "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {}, "application/json": {}}}}), problem_responses(&["401", "403", "404", "422"]))}}));
    m.insert("/safety-projects/{id}/import".into(), json!({
        "parameters": [id.clone(), format(&["xlsx", "csv"], "xlsx"),
            {"name": "supplier", "in": "query", "required": false, "schema": {"type": "string"}, "description": "A deploying organisation adopting its supplier's DCB0129 log: provenance kept, transferred controls become local actions"},
            {"name": "document", "in": "query", "required": false, "schema": {"type": "string"}}],
        "post": {"operationId": "importHazardLog", "summary": "Import a hazard log spreadsheet: every row checked, all imported or none", "security": [{"bearer": []}],
                 "requestBody": {"required": true, "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "text/csv": {}}},
                 "responses": merge(json!({"201": {"description": "Imported", "content": {"application/json": {"schema": array_of("HazardRecord")}}}}), problem_responses(&["401", "403", "404", "413", "422"]))}}));
    m.insert("/cso-records".into(), json!({
        "get": {"operationId": "csoRecords", "summary": "CSO records in your organisations", "security": [{"bearer": []}],
                "responses": merge(list("Records", "CsoRecord"), problem_responses(&["401", "403"]))}}));
    m.insert("/cso-records/me".into(), json!({
        "put": {"operationId": "putMyCsoRecord", "summary": "Keep your own CSO record (never someone else's)", "security": [{"bearer": []}],
                "requestBody": body("CsoRecord"),
                "responses": merge(ok("200", "Saved", "CsoRecord"), problem_responses(&["400", "401", "403", "404", "415", "422"]))}}));
    m.insert("/safety-projects/{id}/hazards/{number}/history".into(), json!({
        "parameters": [id, number],
        "get": {"operationId": "hazardHistory", "summary": "Every version of a hazard, oldest first", "security": [{"bearer": []}],
                "responses": merge(list("Versions", "HazardRevision"), problem_responses(&["401", "403", "404"]))}}));
    m
}
