//! Intake: from a submitted body to a report ready to store. Shared by the HTTP handler and the CLI, so
//! every way in applies the same steps: patient identifiers removed from every shared free-text field
//! (the originals are not kept), validation against the taxonomy in force, the organisation's sign-in
//! policy, and the routing decision (made once, at receipt, and kept with the report).

use crate::error::ApiError;
use crate::AppState;
use candour_core::identity::Principal;
use candour_core::report::ReportBody;
use candour_core::routing::{decide, OrgFacts};
use candour_store::{CreateReport, Idempotency};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What redaction removed from one field (kinds only: never the removed text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RedactionNote {
    /// The field, e.g. `narrative`.
    pub field: String,
    /// Placeholder kinds, e.g. `NHS_NUMBER`, `NAME`, one per span.
    pub types: Vec<String>,
    /// Where, in the text as submitted (Unicode scalar values; end exclusive).
    pub spans: Vec<(usize, usize)>,
}

/// Replace patient identifiers in every shared free-text field of `body`, names found in one field being
/// removed from all. Returns what was removed, field by field.
pub fn redact(r: &candour_redact::Redactor, body: &mut ReportBody) -> Vec<RedactionNote> {
    let mut fields = body.shared_free_text_mut();
    let texts: Vec<String> = fields.iter().map(|(_, t)| t.to_string()).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let out = r.redact_all(&refs);
    let mut notes = Vec::new();
    for ((path, text), red) in fields.iter_mut().zip(out) {
        if red.spans.is_empty() {
            continue;
        }
        notes.push(RedactionNote {
            field: path.clone(),
            types: red.spans.iter().map(|s| s.kind.as_str().to_string()).collect(),
            spans: red.spans.iter().map(|s| (s.start, s.end)).collect(),
        });
        **text = red.text;
    }
    notes
}

/// Facts assumed for an organisation Candour has no record of. Both true: routing then starts the NIS and
/// DSPT decision clocks, and a person records why a notification is not needed, rather than a legal
/// duty being missed because the organisation was not configured.
pub const UNKNOWN_ORG: OrgFacts = OrgFacts { oes: true, dspt: true };

/// Store a prepared report and count it (a replayed Idempotency-Key is not a new report).
pub async fn store(st: &AppState, req: CreateReport) -> Result<candour_store::Created, candour_store::StoreError> {
    let created = st.store.create_report(req).await?;
    if !created.replayed {
        st.metrics
            .reports_created
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(created)
}

/// Validate, check the organisation's policy, and route a submitted report.
pub async fn prepare(
    st: &AppState,
    who: &Principal,
    mut body: ReportBody,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<(CreateReport, Vec<RedactionNote>), ApiError> {
    let notes = redact(&st.redactor, &mut body);
    let valid = body.validate(&st.taxonomy, now)?;
    let org = st.store.organisation(valid.ods().as_str()).await?;
    if *who == Principal::Anonymous {
        if let Some(o) = org.as_ref().filter(|o| o.require_sign_in) {
            return Err(ApiError::Unauthorized(format!(
                "{} asks reporters to sign in before reporting",
                o.name
            )));
        }
    }
    let facts = org.map(|o| o.facts()).unwrap_or(UNKNOWN_ORG);
    let tables = st.routing.tables();
    let routing = decide(&tables, &st.taxonomy, &valid, facts, now);
    let deliveries = candour_core::outbox::plan(&routing, &tables.directory);
    Ok((
        CreateReport {
            report: valid,
            taxonomy_version: st.taxonomy.version.clone(),
            actor: who.actor(),
            idempotency,
            routing: Some(routing),
            deliveries,
            now,
            tracking_hash: None,
            attachments_from_draft: None,
        },
        notes,
    ))
}
