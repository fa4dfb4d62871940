//! Clinical risk management to DCB0129 / DCB0160 (issue 6): risk schemes as versioned data and the hazard
//! model with its rules. Pure: storage, pages and documents build on these types.

pub mod hazard;
pub mod project;
pub mod scheme;

pub use hazard::{
    AssessmentInput, Control, ControlKind, ControlState, Hazard, HazardInput, HazardStatus, HazardTypes, Implementer,
};
pub use project::{ProjectPerson, SafetyProject, Standard};
pub use scheme::{Acceptability, Assessment, RiskScheme, SchemeError, SchemeRef};

#[cfg(test)]
mod tests;
