//! Safety projects (issue 6, item 1): one per health IT system and role, manufacturer under DCB0129 or
//! deploying organisation under DCB0160, with its intended use, scope, lifecycle phase and people.

use crate::error::ValidationErrors;
use crate::OdsCode;
use serde::{Deserialize, Serialize};

/// Which standard the project works to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Standard {
    /// Manufacturer of the health IT system.
    #[serde(rename = "DCB0129")]
    Dcb0129,
    /// Organisation deploying and using it.
    #[serde(rename = "DCB0160")]
    Dcb0160,
}

impl Standard {
    pub fn as_str(self) -> &'static str {
        match self {
            Standard::Dcb0129 => "DCB0129",
            Standard::Dcb0160 => "DCB0160",
        }
    }
}

/// Someone with a role in the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPerson {
    pub name: String,
    /// e.g. "Clinical Safety Officer", "Development lead", "Clinical lead".
    pub role: String,
}

/// A safety project as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyProject {
    /// The organisation whose project it is.
    pub ods_code: String,
    pub name: String,
    /// The health IT system (product and version).
    pub system: String,
    pub standard: Standard,
    pub intended_use: String,
    #[serde(default)]
    pub scope: String,
    /// e.g. "development", "pre-deployment", "live", "decommissioning".
    pub lifecycle_phase: String,
    #[serde(default)]
    pub people: Vec<ProjectPerson>,
    /// Days between scheduled reviews of the hazard log (default 90).
    #[serde(default = "quarterly")]
    pub review_every_days: u32,
    /// Days between reviews of the controls and their evidence (default 180).
    #[serde(default = "half_yearly")]
    pub controls_review_every_days: u32,
    /// Days between reviews of the clinical risk management plan (default 365).
    #[serde(default = "yearly")]
    pub crmp_review_every_days: u32,
    /// Release configuration recorded in the safety case report (version, build, configuration).
    #[serde(default)]
    pub release: String,
    /// Custom hazard types, beside the default taxonomy.
    #[serde(default)]
    pub custom_hazard_types: Vec<String>,
    /// At creation only: the risk scheme (a stored custom scheme's id and version) to assess with; the
    /// DCB0129 IG v3.2 example when absent. A project's scheme never changes: its assessments name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<super::scheme::SchemeRef>,
}

fn quarterly() -> u32 {
    90
}

fn half_yearly() -> u32 {
    180
}

fn yearly() -> u32 {
    365
}

/// Lifecycle phases a project may be in.
pub const PHASES: &[&str] = &[
    "development",
    "pre-deployment",
    "live",
    "modification",
    "decommissioning",
];

impl SafetyProject {
    /// Check it, naming each field at fault; the ODS code is normalised.
    pub fn validate(mut self) -> Result<SafetyProject, ValidationErrors> {
        let mut e = ValidationErrors::default();
        match OdsCode::parse(&self.ods_code) {
            Ok(o) => self.ods_code = o.as_str().to_string(),
            Err(_) => e.push("ods_code", "invalid", "Enter the organisation's ODS code, like RZX"),
        }
        for (field, value, what) in [
            ("name", &self.name, "a name for the project"),
            ("system", &self.system, "the health IT system and its version"),
            ("intended_use", &self.intended_use, "the system's intended use"),
        ] {
            if value.trim().is_empty() {
                e.push(field, "required", format!("Enter {what}"));
            }
        }
        if !PHASES.contains(&self.lifecycle_phase.as_str()) {
            e.push(
                "lifecycle_phase",
                "unknown",
                format!(
                    "'{}' is not a lifecycle phase (one of {})",
                    self.lifecycle_phase,
                    PHASES.join(", ")
                ),
            );
        }
        for (field, days) in [
            ("review_every_days", self.review_every_days),
            ("controls_review_every_days", self.controls_review_every_days),
            ("crmp_review_every_days", self.crmp_review_every_days),
        ] {
            if !(7..=730).contains(&days) {
                e.push(field, "out_of_range", "Reviews are due every 7 to 730 days");
            }
        }
        for (i, t) in self.custom_hazard_types.iter().enumerate() {
            if t.trim().is_empty() || t.len() > 60 {
                e.push(
                    format!("custom_hazard_types[{i}]"),
                    "invalid",
                    "Name each custom hazard type in 1 to 60 characters",
                );
            }
        }
        for (i, p) in self.people.iter().enumerate() {
            if p.name.trim().is_empty() || p.role.trim().is_empty() {
                e.push(format!("people[{i}]"), "required", "Give each person's name and role");
            }
        }
        e.into_result(self)
    }
}
