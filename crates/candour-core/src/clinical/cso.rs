//! The Clinical Safety Officer registry (issue 6, item 6). DCB0129 §2.3: the CSO is a suitably qualified
//! and experienced clinician with current registration with a professional body. Candour records what the
//! CSO states; it never asserts a registration on anyone's behalf, and it blocks sign-off until the record
//! is complete.

use crate::error::ValidationErrors;
use crate::OdsCode;
use serde::{Deserialize, Serialize};

/// Professional bodies a CSO may be registered with.
pub const REGISTRATION_BODIES: &[&str] = &["GMC", "NMC", "HCPC", "GPhC", "GDC", "GOC", "GOsC", "GCC", "PSNI", "SWE"];

/// A CSO's record, as they gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsoRecord {
    /// The organisation they are CSO for.
    pub ods_code: String,
    pub name: String,
    /// The Candour login this record belongs to: only that person can sign off with it.
    pub username: String,
    /// Where review reminders go (optional).
    #[serde(default)]
    pub email: String,
    /// e.g. "Doctor", "Nurse", "Pharmacist", "Paramedic".
    #[serde(default)]
    pub profession: String,
    /// One of [`REGISTRATION_BODIES`].
    #[serde(default)]
    pub registration_body: String,
    #[serde(default)]
    pub registration_number: String,
    /// Certificates or course records (e.g. "NHS England Digital clinical safety training, 2025").
    #[serde(default)]
    pub training_evidence: Vec<String>,
    #[serde(default)]
    pub appointed_on: Option<chrono::NaiveDate>,
}

impl CsoRecord {
    /// Check what is entered (the ODS code is normalised). An incomplete record may be saved; it just
    /// cannot sign anything off yet (see [`CsoRecord::missing`]).
    pub fn validate(mut self) -> Result<CsoRecord, ValidationErrors> {
        let mut e = ValidationErrors::default();
        match OdsCode::parse(&self.ods_code) {
            Ok(o) => self.ods_code = o.as_str().to_string(),
            Err(_) => e.push("ods_code", "invalid", "Enter the organisation's ODS code, like RZX"),
        }
        if self.name.trim().is_empty() {
            e.push("name", "required", "Enter the CSO's name");
        }
        self.username = self.username.trim().to_string();
        if self.username.is_empty() {
            e.push("username", "required", "Enter the CSO's Candour username");
        }
        self.email = self.email.trim().to_ascii_lowercase();
        if !self.email.is_empty() && (!self.email.contains('@') || self.email.contains(char::is_whitespace)) {
            e.push(
                "email",
                "invalid",
                "Enter an email address like name@nhs.net, or leave it blank",
            );
        }
        let body = self.registration_body.trim();
        if !body.is_empty() && !REGISTRATION_BODIES.iter().any(|b| b.eq_ignore_ascii_case(body)) {
            e.push(
                "registration_body",
                "unknown",
                format!(
                    "'{body}' is not a professional body we know (one of {})",
                    REGISTRATION_BODIES.join(", ")
                ),
            );
        }
        if let Some(b) = REGISTRATION_BODIES.iter().find(|b| b.eq_ignore_ascii_case(body)) {
            self.registration_body = (*b).to_string();
        }
        self.registration_number = self.registration_number.trim().to_string();
        if self.registration_number.chars().any(|c| c.is_control()) || self.registration_number.len() > 32 {
            e.push(
                "registration_number",
                "invalid",
                "Enter the registration number as the body issued it",
            );
        }
        self.training_evidence.retain(|t| !t.trim().is_empty());
        e.into_result(self)
    }

    /// The fields still needed before this CSO can sign off (empty when complete), DCB0129 §2.3.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.profession.trim().is_empty() {
            m.push("profession");
        }
        if self.registration_body.trim().is_empty() {
            m.push("registration_body");
        }
        if self.registration_number.trim().is_empty() {
            m.push("registration_number");
        }
        if self.training_evidence.is_empty() {
            m.push("training_evidence");
        }
        if self.appointed_on.is_none() {
            m.push("appointed_on");
        }
        m
    }

    /// "GMC 7654321", as printed beside a signature.
    pub fn registration(&self) -> String {
        format!("{} {}", self.registration_body, self.registration_number)
    }
}
