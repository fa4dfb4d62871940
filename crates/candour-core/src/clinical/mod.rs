//! Clinical risk management to DCB0129 / DCB0160 (issue 6): risk schemes as versioned data and the hazard
//! model with its rules. Pure: storage, pages and documents build on these types.

pub mod compliance;
pub mod cso;
pub mod docs;
pub mod document;
pub mod hazard;
pub mod project;
pub mod review;
pub mod scheme;
pub mod triage;

pub use compliance::{Answer, ComplianceAnswer, ComplianceRow};
pub use cso::{CsoRecord, REGISTRATION_BODIES};
pub use document::{Block, Document, DocumentKind, Section};
pub use hazard::{
    AssessmentInput, Control, ControlKind, ControlState, Hazard, HazardInput, HazardStatus, HazardTypes, Implementer,
    Provenance,
};
pub use project::{ProjectPerson, SafetyProject, Standard};
pub use review::{DueReview, ReviewSubject};
pub use scheme::{Acceptability, Assessment, RiskScheme, SchemeError, SchemeRef};
pub use triage::{Rescore, TriageKind, Triaged};

/// A hazard's stable id from its number in the project: `H-001`.
pub fn hazard_id(number: i64) -> String {
    format!("H-{number:03}")
}

/// A hazard's number from its id (`H-001`, `h-1`, `1`).
pub fn hazard_number(id: &str) -> Option<i64> {
    let t = id.trim();
    let digits = t.strip_prefix("H-").or_else(|| t.strip_prefix("h-")).unwrap_or(t);
    digits.parse().ok().filter(|n: &i64| *n > 0)
}

#[cfg(test)]
mod tests;
