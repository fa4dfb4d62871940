//! Intake: from a submitted body to a report ready to store. Shared by the HTTP handler and the CLI, so
//! every way in applies the same checks: validation against the taxonomy in force, the organisation's
//! sign-in policy, and the routing decision (made once, at receipt, and kept with the report).

use crate::error::ApiError;
use crate::AppState;
use candour_core::identity::Principal;
use candour_core::report::ReportBody;
use candour_core::routing::{decide, OrgFacts};
use candour_store::{CreateReport, Idempotency};
use chrono::{DateTime, Utc};

/// Facts assumed for an organisation Candour has no record of. Both true: routing then starts the NIS and
/// DSPT decision clocks, and a person records why a notification is not needed, rather than a legal
/// duty being missed because the organisation was not configured.
pub const UNKNOWN_ORG: OrgFacts = OrgFacts { oes: true, dspt: true };

/// Validate, check the organisation's policy, and route a submitted report.
pub async fn prepare(
    st: &AppState,
    who: &Principal,
    body: ReportBody,
    idempotency: Option<Idempotency>,
    now: DateTime<Utc>,
) -> Result<CreateReport, ApiError> {
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
    let routing = decide(&st.routing, &st.taxonomy, &valid, facts, now);
    let deliveries = candour_core::outbox::plan(&routing, &st.routing.directory);
    Ok(CreateReport {
        report: valid,
        taxonomy_version: st.taxonomy.version.clone(),
        actor: who.actor(),
        idempotency,
        routing: Some(routing),
        deliveries,
        now,
    })
}
