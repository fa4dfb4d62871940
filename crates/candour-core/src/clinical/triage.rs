//! From an incident to the hazard log (issue 6, item 4; DCB0129 IG §7.2 as WS4 applies it). A safety
//! incident is triaged with three questions: is it a new hazard, the realisation of a recorded hazard, or
//! the failure of a control? The answer creates a hazard, links one, or re-scores one; when the clinical
//! risk changes, the safety case needs review (§7.2.3, §7.3.3).

use super::hazard::{AssessmentInput, Hazard, HazardInput, HazardTypes};
use super::scheme::RiskScheme;
use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};

/// The triage answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriageKind {
    /// A hazard not yet in the log: it is added.
    NewHazard,
    /// A recorded hazard happened: the report is linked to it, and it may be re-scored.
    Realises,
    /// A control on a recorded hazard did not work: its effectiveness is no longer verified and the hazard
    /// is re-scored.
    ControlFailed,
}

impl TriageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TriageKind::NewHazard => "new_hazard",
            TriageKind::Realises => "realises",
            TriageKind::ControlFailed => "control_failed",
        }
    }
}

/// A re-score of a recorded hazard. Each part left out keeps its current value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rescore {
    #[serde(default)]
    pub initial: Option<AssessmentInput>,
    #[serde(default)]
    pub residual: Option<AssessmentInput>,
}

/// What changed in a hazard on triage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triaged {
    pub hazard: Hazard,
    /// Did the clinical risk change (likelihood, severity or rating, initial or residual)?
    pub risk_changed: bool,
}

impl Hazard {
    /// Back to an input, to change and check again.
    pub fn to_input(&self) -> HazardInput {
        HazardInput {
            name: self.name.clone(),
            description: self.description.clone(),
            causes: self.causes.clone(),
            effects: self.effects.clone(),
            clinical_impact: self.clinical_impact.clone(),
            types: self.types.clone(),
            existing_controls: self.existing_controls.clone(),
            initial: AssessmentInput {
                likelihood: self.initial.likelihood.clone(),
                severity: self.initial.severity.clone(),
            },
            controls: self.controls.clone(),
            residual: Some(AssessmentInput {
                likelihood: self.residual.likelihood.clone(),
                severity: self.residual.severity.clone(),
            }),
            status: self.status,
            alarp_justification: self.alarp_justification.clone(),
            owner: self.owner.clone(),
            raised_on: self.raised_on,
            target_date: self.target_date,
            review_due: self.review_due,
            provenance: self.provenance.clone(),
        }
    }

    /// Has the clinical risk changed between `self` and `other`?
    pub fn risk_differs(&self, other: &Hazard) -> bool {
        let key = |h: &Hazard| {
            (
                h.initial.likelihood.clone(),
                h.initial.severity.clone(),
                h.initial.rating,
                h.residual.likelihood.clone(),
                h.residual.severity.clone(),
                h.residual.rating,
            )
        };
        key(self) != key(other)
    }
}

/// Apply a triage answer of `Realises` or `ControlFailed` to a recorded hazard. A failed control
/// (`control`, its index) loses its verified effectiveness and the hazard must be re-scored: at least the
/// residual assessment is required, even if it stays the same, so that someone has looked. A hazard
/// closed before it was realised is reopened.
pub fn apply(
    current: &Hazard,
    kind: TriageKind,
    control: Option<usize>,
    rescore: &Rescore,
    scheme: &RiskScheme,
    types: &HazardTypes,
    custom_types: &[String],
) -> Result<Triaged, ValidationErrors> {
    let mut input = current.to_input();
    match kind {
        TriageKind::NewHazard => {
            return Err(ValidationErrors::one(
                "kind",
                "invalid",
                "A new hazard is recorded from its own details, not applied to a recorded one",
            ))
        }
        TriageKind::Realises => {}
        TriageKind::ControlFailed => {
            let Some(i) = control else {
                return Err(ValidationErrors::one(
                    "control",
                    "required",
                    "Choose the control that failed",
                ));
            };
            let Some(c) = input.controls.get_mut(i) else {
                return Err(ValidationErrors::one(
                    "control",
                    "unknown",
                    format!("The hazard has no control number {}", i + 1),
                ));
            };
            c.effectiveness_verified = false;
            if rescore.residual.is_none() {
                return Err(ValidationErrors::one(
                    "residual",
                    "required",
                    "A control failed: re-assess the residual risk (it may stay the same, but it must be looked at)",
                ));
            }
        }
    }
    if let Some(i) = &rescore.initial {
        input.initial = i.clone();
    }
    if let Some(r) = &rescore.residual {
        input.residual = Some(r.clone());
    }
    if input.status == super::hazard::HazardStatus::Closed {
        input.status = super::hazard::HazardStatus::Open;
    }
    let hazard = input.validate(scheme, types, custom_types)?;
    let risk_changed = hazard.risk_differs(current);
    Ok(Triaged { hazard, risk_changed })
}
