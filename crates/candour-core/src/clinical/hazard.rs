//! The hazard model (issue 6, item 3): what a hazard is, its controls, and its initial and residual
//! assessments, with the rules an assessor checks: the rating is derived from the scheme, only controls
//! that exist reduce residual risk, a verified control has evidence, and a hazard is closed only when its
//! actions are done and its residual risk is acceptable.

use super::scheme::{Assessment, RiskScheme, SchemeError};
use crate::error::ValidationErrors;
use serde::{Deserialize, Serialize};

/// IG status words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardStatus {
    /// Not all of the clinical risk management actions are complete.
    Open,
    /// The manufacturer's actions are complete; some owned by the deploying organisation are not.
    Transferred,
    /// All actions are complete.
    Closed,
}

/// The four kinds of additional control in the IG template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ControlKind {
    Design,
    Test,
    Training,
    BusinessProcess,
}

/// Who puts a control in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Implementer {
    Manufacturer,
    HealthOrganisation,
    ThirdParty,
}

/// Where a control is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ControlState {
    Planned,
    Implemented,
    Verified,
}

/// An additional control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    pub description: String,
    pub kind: ControlKind,
    pub implementer: Implementer,
    pub state: ControlState,
    /// Links or references to the evidence (test ids, documents, commits).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// Has it been shown to work (DCB0129 §6.3)?
    #[serde(default)]
    pub effectiveness_verified: bool,
    /// For a deploying organisation: the supplier's hazard this control was transferred from (DCB0160
    /// import), so the local action can be traced back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transferred_from: Option<String>,
}

impl Control {
    /// Does it exist (and so count towards residual risk)?
    pub fn in_place(&self) -> bool {
        self.state >= ControlState::Implemented
    }
}

/// Where an imported hazard came from (DCB0160 import of a supplier's DCB0129 hazard log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The manufacturer whose log it came from.
    pub supplier: String,
    /// Their hazard id, as in their log.
    pub source_hazard_id: String,
    /// Their log: file name or document reference and version.
    pub source_document: String,
    pub imported_on: chrono::NaiveDate,
}

/// A likelihood and severity as entered (codes or labels); the rating is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    pub likelihood: String,
    pub severity: String,
}

/// A hazard as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardInput {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub causes: Vec<String>,
    #[serde(default)]
    pub effects: String,
    #[serde(default)]
    pub clinical_impact: String,
    /// Types from the default taxonomy or the project's own.
    #[serde(default)]
    pub types: Vec<String>,
    /// Controls already in place that will stay: they count in the initial assessment.
    #[serde(default)]
    pub existing_controls: Vec<String>,
    pub initial: AssessmentInput,
    #[serde(default)]
    pub controls: Vec<Control>,
    /// Defaults to the initial assessment (nothing yet lowers it).
    #[serde(default)]
    pub residual: Option<AssessmentInput>,
    pub status: HazardStatus,
    /// Why the residual risk cannot reasonably be reduced further: needed to close a hazard whose residual
    /// rating is acceptable only as low as reasonably practicable (rating 3 in the NHS example).
    #[serde(default)]
    pub alarp_justification: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub raised_on: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub target_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub review_due: Option<chrono::NaiveDate>,
    /// Set on hazards imported from a supplier's log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// A checked hazard: assessments derived from the scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Hazard {
    pub name: String,
    pub description: String,
    pub causes: Vec<String>,
    pub effects: String,
    pub clinical_impact: String,
    pub types: Vec<String>,
    pub existing_controls: Vec<String>,
    pub initial: Assessment,
    pub controls: Vec<Control>,
    pub residual: Assessment,
    pub status: HazardStatus,
    pub alarp_justification: String,
    pub owner: String,
    pub raised_on: Option<chrono::NaiveDate>,
    pub target_date: Option<chrono::NaiveDate>,
    pub review_due: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl Hazard {
    /// The IG status word.
    pub fn status_label(&self) -> &'static str {
        match self.status {
            HazardStatus::Open => "Open",
            HazardStatus::Transferred => "Transferred",
            HazardStatus::Closed => "Closed",
        }
    }
}

/// The default hazard types, by group.
#[derive(Debug, Clone, Deserialize)]
pub struct HazardTypes {
    pub group: Vec<HazardTypeGroup>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct HazardTypeGroup {
    pub name: String,
    pub types: Vec<String>,
}

impl HazardTypes {
    /// The default taxonomy (`data/clinical/hazard-types.toml`).
    pub fn default_types() -> Result<HazardTypes, SchemeError> {
        toml::from_str(include_str!("../../../../data/clinical/hazard-types.toml"))
            .map_err(|e| SchemeError::Parse(e.to_string()))
    }

    pub fn contains(&self, t: &str) -> bool {
        self.group.iter().any(|g| g.types.iter().any(|x| x == t))
    }
}

fn scheme_error(errors: &mut ValidationErrors, e: SchemeError) {
    match e {
        SchemeError::Invalid { field, message } => errors.push(field, "not_in_scheme", message),
        SchemeError::Parse(m) => errors.push("scheme", "invalid", m),
    }
}

impl HazardInput {
    /// Check a hazard against `scheme`, the default types and the project's own `custom_types`.
    pub fn validate(
        self,
        scheme: &RiskScheme,
        types: &HazardTypes,
        custom_types: &[String],
    ) -> Result<Hazard, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = self.name.trim().to_string();
        if name.is_empty() {
            errors.push("name", "required", "Enter a name for the hazard");
        } else if name.chars().count() > 200 {
            errors.push("name", "too_long", "The name must be 200 characters or fewer");
        }
        if self.description.trim().is_empty() {
            errors.push("description", "required", "Describe the hazard");
        }
        for (i, t) in self.types.iter().enumerate() {
            if !types.contains(t) && !custom_types.iter().any(|c| c == t) {
                errors.push(
                    format!("types[{i}]"),
                    "unknown",
                    format!("'{t}' is not a hazard type of this project"),
                );
            }
        }
        for (i, c) in self.controls.iter().enumerate() {
            if c.description.trim().is_empty() {
                errors.push(format!("controls[{i}].description"), "required", "Describe the control");
            }
            if c.state == ControlState::Verified && c.evidence.iter().all(|e| e.trim().is_empty()) {
                errors.push(
                    format!("controls[{i}].evidence"),
                    "required",
                    "A verified control needs evidence of its verification",
                );
            }
            if c.effectiveness_verified && c.state != ControlState::Verified {
                errors.push(
                    format!("controls[{i}].effectiveness_verified"),
                    "invalid",
                    "Only a verified control can have its effectiveness verified",
                );
            }
        }
        let initial = match scheme.assess("initial", &self.initial.likelihood, &self.initial.severity) {
            Ok(a) => Some(a),
            Err(e) => {
                scheme_error(&mut errors, e);
                None
            }
        };
        let residual_in = self.residual.clone().unwrap_or_else(|| self.initial.clone());
        let residual = match scheme.assess("residual", &residual_in.likelihood, &residual_in.severity) {
            Ok(a) => Some(a),
            Err(e) => {
                scheme_error(&mut errors, e);
                None
            }
        };
        if let (Some(i), Some(r)) = (&initial, &residual) {
            let in_place = self.controls.iter().any(Control::in_place);
            let changed = r.likelihood != i.likelihood || r.severity != i.severity;
            if r.rating > i.rating {
                errors.push(
                    "residual",
                    "higher_than_initial",
                    "The residual risk is higher than the initial risk: re-assess the initial risk instead",
                );
            } else if changed && !in_place {
                errors.push(
                    "residual",
                    "no_control_in_place",
                    "Only controls that are in place reduce risk: no additional control is implemented yet, so the \
                     residual assessment is the initial one",
                );
            }
            match self.status {
                HazardStatus::Closed => {
                    if self.controls.iter().any(|c| !c.in_place()) {
                        errors.push(
                            "status",
                            "controls_planned",
                            "A hazard with planned controls is not closed: implement them or keep it open",
                        );
                    }
                    if scheme
                        .acceptability_of(r.rating)
                        .is_some_and(|a| a.requires_action && a.acceptable_if_alarp)
                        && self.alarp_justification.trim().is_empty()
                    {
                        errors.push(
                            "alarp_justification",
                            "required",
                            format!(
                                "Explain why the residual risk (rated {}) cannot reasonably be reduced further before closing",
                                r.rating
                            ),
                        );
                    }
                    if let Some(a) = scheme.acceptability_of(r.rating).filter(|a| !a.acceptable_if_alarp) {
                        errors.push(
                            "status",
                            "unacceptable",
                            format!(
                                "A hazard whose residual risk is rated {} ({}) cannot be closed",
                                r.rating, a.label
                            ),
                        );
                    }
                }
                HazardStatus::Transferred => {
                    let manufacturer_done = self
                        .controls
                        .iter()
                        .filter(|c| c.implementer == Implementer::Manufacturer)
                        .all(Control::in_place);
                    let deployer_open = self
                        .controls
                        .iter()
                        .any(|c| c.implementer == Implementer::HealthOrganisation && !c.in_place());
                    if !manufacturer_done || !deployer_open {
                        errors.push(
                            "status",
                            "not_transferred",
                            "Transferred means the manufacturer's controls are in place and a control for the health \
                             organisation to implement is still to do",
                        );
                    }
                }
                HazardStatus::Open => {}
            }
        }
        if let (Some(t), Some(r)) = (self.target_date, self.raised_on) {
            if t < r {
                errors.push(
                    "target_date",
                    "before_raised",
                    "The target date is before the hazard was raised",
                );
            }
        }
        match (initial, residual) {
            (Some(initial), Some(residual)) if errors.is_empty() => Ok(Hazard {
                name,
                description: self.description.trim().to_string(),
                causes: self.causes,
                effects: self.effects,
                clinical_impact: self.clinical_impact,
                types: self.types,
                existing_controls: self.existing_controls,
                initial,
                controls: self.controls,
                residual,
                status: self.status,
                alarp_justification: self.alarp_justification,
                owner: self.owner,
                raised_on: self.raised_on,
                target_date: self.target_date,
                review_due: self.review_due,
                provenance: self.provenance,
            }),
            _ => Err(errors),
        }
    }
}

impl HazardInput {
    /// DCB0160: adopt a hazard from a supplier's DCB0129 hazard log into the deploying organisation's log.
    /// Its provenance is kept. The supplier's controls that are in place become existing controls here
    /// (they count in the local initial assessment, which starts from the supplier's residual risk);
    /// controls transferred to the health organisation become local actions, planned until done locally;
    /// other planned supplier controls are listed as existing-control caveats, not counted. The hazard is
    /// open locally until its local actions are done.
    pub fn adopt_from_supplier(
        self,
        supplier: &str,
        source_hazard_id: &str,
        source_document: &str,
        on: chrono::NaiveDate,
    ) -> HazardInput {
        let mut existing: Vec<String> = self
            .existing_controls
            .iter()
            .map(|c| format!("{c} (supplier)"))
            .collect();
        let mut local = Vec::new();
        for c in self.controls {
            match (c.implementer, c.in_place()) {
                (Implementer::HealthOrganisation, _) => local.push(Control {
                    state: ControlState::Planned,
                    evidence: Vec::new(),
                    effectiveness_verified: false,
                    transferred_from: Some(source_hazard_id.to_string()),
                    ..c
                }),
                (_, true) => existing.push(format!("{} (supplier, {:?})", c.description, c.state).to_lowercase()),
                (_, false) => existing.push(format!("Planned by the supplier, not yet in place: {}", c.description)),
            }
        }
        let start = self.residual.clone().unwrap_or_else(|| self.initial.clone());
        HazardInput {
            name: self.name,
            description: self.description,
            causes: self.causes,
            effects: self.effects,
            clinical_impact: self.clinical_impact,
            types: self.types,
            existing_controls: existing,
            initial: start.clone(),
            controls: local,
            residual: Some(start),
            status: HazardStatus::Open,
            alarp_justification: String::new(),
            owner: String::new(),
            raised_on: Some(on),
            target_date: None,
            review_due: None,
            provenance: Some(Provenance {
                supplier: supplier.to_string(),
                source_hazard_id: source_hazard_id.to_string(),
                source_document: source_document.to_string(),
                imported_on: on,
            }),
        }
    }
}
