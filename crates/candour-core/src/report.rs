//! The report: common fields, kind-specific blocks, and validation into a [`ValidReport`].
//!
//! Input arrives as a [`ReportBody`]; [`ReportBody::validate`] checks every field against the taxonomy and
//! the rules below and returns either a [`ValidReport`] (normalised, safe to store) or every problem found,
//! each naming its field.

use crate::error::ValidationErrors;
use crate::ods::OdsCode;
use crate::reference::ReportKind;
use crate::taxonomy::Taxonomy;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Longest allowed narrative, in characters.
pub const MAX_NARRATIVE: usize = 20_000;
/// Longest allowed short text (names, titles, versions).
pub const MAX_SHORT: usize = 200;
/// Longest allowed medium text (descriptions of impact, actions).
pub const MAX_MEDIUM: usize = 4_000;
/// Most patients on one report (LFPSE allows 100).
pub const MAX_PATIENTS: usize = 100;
/// Clock skew tolerated before a timestamp counts as "in the future".
pub const FUTURE_SKEW_MINUTES: i64 = 5;

/// The health IT system involved: the fields LFPSE lacks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemInvolved {
    /// Product name, e.g. "CareFlow EPR".
    #[serde(default)]
    pub product: String,
    /// Supplier (manufacturer) name.
    #[serde(default)]
    pub supplier: String,
    /// Version or release.
    #[serde(default)]
    pub version: Option<String>,
    /// Module or screen.
    #[serde(default)]
    pub module: Option<String>,
}

/// Harm to one patient, on LFPSE's two axes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientHarm {
    /// `physical_harm` value set: none / low / moderate / severe / fatal.
    pub physical_harm: String,
    /// `psychological_harm` value set: none / low / moderate / severe.
    pub psychological_harm: String,
    /// Clinical outcome in words (LFPSE OT003). No identifiers.
    #[serde(default)]
    pub clinical_outcome: Option<String>,
}

/// Who reported, or that they chose not to say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    /// True when the reporter gives no identity at all.
    #[serde(default)]
    pub anonymous: bool,
    /// Required unless anonymous.
    #[serde(default)]
    pub name: Option<String>,
    /// `reporter_role` value set.
    #[serde(default)]
    pub role: Option<String>,
    /// Email for replies.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone for replies.
    #[serde(default)]
    pub phone: Option<String>,
    /// Why anonymous (LFPSE WhyAnonymous), optional.
    #[serde(default)]
    pub why_anonymous: Option<String>,
    /// LFPSE DataSharingOptOut.
    #[serde(default)]
    pub data_sharing_opt_out: bool,
}

impl Reporter {
    /// Remove what identifies the reporter (for readers who may not see a confidential identity).
    pub fn withhold_identity(&mut self) {
        self.name = None;
        self.email = None;
        self.phone = None;
    }
}

/// A person to contact about a cyber incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Role, e.g. "Head of IT security".
    #[serde(default)]
    pub role: String,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Exactly one contact is the single point of contact.
    #[serde(default)]
    pub single_point_of_contact: bool,
}

/// A local incident reference, e.g. a Microsoft Defender incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalReference {
    /// The reference as the local tool shows it.
    #[serde(default)]
    pub reference: String,
    /// A link to it (http or https).
    #[serde(default)]
    pub url: Option<String>,
}

/// What a cyber incident affected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CyberImpact {
    /// Affected assets, including medical devices.
    #[serde(default)]
    pub assets: Vec<String>,
    /// Affected services.
    #[serde(default)]
    pub services: Vec<String>,
    /// Impact on patients, in words ("none known" is an answer).
    #[serde(default)]
    pub patients: String,
    /// Organisational impact.
    #[serde(default)]
    pub organisational: Option<String>,
}

/// The NHS England CSOC field set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CyberBlock {
    /// Contacts with roles; exactly one single point of contact.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Local incident references with links.
    #[serde(default)]
    pub local_references: Vec<LocalReference>,
    /// Third-party suppliers involved.
    #[serde(default)]
    pub suppliers_involved: Vec<String>,
    /// `investigation_stage` value set.
    #[serde(default)]
    pub investigation_stage: String,
    /// `cyber_classification` value set.
    #[serde(default)]
    pub classification: String,
    /// Impact on assets, services and patients.
    #[serde(default)]
    pub impact: CyberImpact,
    /// Indicators of compromise as pasted (parsed by the cyber engine later).
    #[serde(default)]
    pub indicators_raw: Option<String>,
    /// `csoc_request_type`: informational or technical_support.
    #[serde(default)]
    pub request_type: String,
}

/// A vulnerability in a system used by the NHS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VulnerabilityBlock {
    /// Affected product.
    #[serde(default)]
    pub affected_product: String,
    /// Affected version(s).
    #[serde(default)]
    pub affected_version: Option<String>,
    /// Technical description.
    #[serde(default)]
    pub description: String,
    /// CVSS vector as text, e.g. `CVSS:3.1/AV:N/...` (scored by the cyber engine later).
    #[serde(default)]
    pub cvss_vector: Option<String>,
}

/// A problem with a medical or implanted device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceBlock {
    /// Device name or description.
    #[serde(default)]
    pub device_name: String,
    /// Manufacturer.
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// GS1 GTIN as printed (parsed by the GS1 engine later).
    #[serde(default)]
    pub gtin: Option<String>,
    /// Lot or batch.
    #[serde(default)]
    pub lot: Option<String>,
    /// Serial number.
    #[serde(default)]
    pub serial: Option<String>,
    /// Expiry as printed.
    #[serde(default)]
    pub expiry: Option<String>,
    /// True when the device is implanted.
    #[serde(default)]
    pub implanted: bool,
}

/// Something suspicious: where it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspiciousBlock {
    /// `suspicious_channel` value set.
    #[serde(default)]
    pub channel: String,
    /// Whether anyone clicked, replied, plugged in or gave details.
    #[serde(default)]
    pub interacted: bool,
}

/// A report as submitted (and, once validated, as stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// What the report is about.
    pub kind: ReportKind,
    /// LFPSE event type: incident / outcome / risk / good_care.
    #[serde(default)]
    pub event_type: String,
    /// ODS code of the organisation where it happened.
    #[serde(default)]
    pub ods_code: String,
    /// Organisation name as the reporter gave it.
    #[serde(default)]
    pub organisation_name: Option<String>,
    /// The health IT system involved (required for clinical safety reports).
    #[serde(default)]
    pub system: Option<SystemInvolved>,
    /// A one-line summary.
    #[serde(default)]
    pub title: String,
    /// What happened.
    #[serde(default)]
    pub narrative: String,
    /// What was done at once to reduce harm (LFPSE AC001).
    #[serde(default)]
    pub immediate_actions: Option<String>,
    /// When it happened (UTC).
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it was detected (UTC).
    #[serde(default)]
    pub detected_at: Option<DateTime<Utc>>,
    /// When the organisation became aware: regulatory clocks start here (UTC).
    #[serde(default)]
    pub aware_at: Option<DateTime<Utc>>,
    /// Are patients being harmed now, or at immediate risk: yes / no / unknown.
    #[serde(default)]
    pub patients_harmed_now: String,
    /// Harm per patient.
    #[serde(default)]
    pub patients: Vec<PatientHarm>,
    /// A safeguarding concern was raised.
    #[serde(default)]
    pub safeguarding_concern: bool,
    /// Who reported.
    #[serde(default)]
    pub reporter: Reporter,
    /// Identity kept but visible only to named roles.
    #[serde(default)]
    pub confidential: bool,
    /// routine / urgent / immediate.
    #[serde(default)]
    pub urgency: String,
    /// Cyber incident block (only for `cyber_incident`).
    #[serde(default)]
    pub cyber: Option<CyberBlock>,
    /// Vulnerability block (only for `vulnerability`).
    #[serde(default)]
    pub vulnerability: Option<VulnerabilityBlock>,
    /// Device block (only for `device_incident`).
    #[serde(default)]
    pub device: Option<DeviceBlock>,
    /// Suspicious activity block (only for `suspicious_activity`).
    #[serde(default)]
    pub suspicious: Option<SuspiciousBlock>,
}

/// A report that passed validation: normalised and safe to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    body: ReportBody,
    ods: OdsCode,
}

/// Alias kept for readability at call sites that build input.
pub type NewReport = ReportBody;

impl ValidReport {
    /// The validated body.
    pub fn body(&self) -> &ReportBody {
        &self.body
    }
    /// Give up the wrapper (to edit and re-validate a copy).
    pub fn into_body(self) -> ReportBody {
        self.body
    }
    /// The organisation, already format-checked.
    pub fn ods(&self) -> &OdsCode {
        &self.ods
    }
    /// Re-wrap a body read back from storage, where only validated bodies are written.
    ///
    /// Only the invariant the type carries (a parsed ODS code) is re-checked: taxonomy rules are those of
    /// the version the record was made under, which may no longer be current.
    pub fn from_stored(body: ReportBody) -> Result<Self, ValidationErrors> {
        let ods =
            OdsCode::parse(&body.ods_code).map_err(|e| ValidationErrors::one("ods_code", "invalid", e.to_string()))?;
        Ok(Self { body, ods })
    }
    /// Rank of the worst physical harm across patients (0 = none or no patients).
    pub fn max_physical_rank(&self, t: &Taxonomy) -> u8 {
        self.body
            .patients
            .iter()
            .map(|p| t.rank("physical_harm", &p.physical_harm))
            .max()
            .unwrap_or(0)
    }
    /// The worst physical harm code across patients, LFPSE's national roll-up (`none` with no patients).
    pub fn max_physical_harm(&self, t: &Taxonomy) -> String {
        self.body
            .patients
            .iter()
            .max_by_key(|p| t.rank("physical_harm", &p.physical_harm))
            .map(|p| p.physical_harm.clone())
            .unwrap_or_else(|| "none".to_string())
    }
    /// The product named, if any.
    pub fn product(&self) -> Option<&str> {
        self.body
            .system
            .as_ref()
            .map(|s| s.product.as_str())
            .filter(|s| !s.is_empty())
    }
}

fn clean(s: &mut String) {
    let t = s.trim();
    if t.len() != s.len() {
        *s = t.to_string();
    }
}

fn clean_opt(s: &mut Option<String>) {
    if let Some(v) = s {
        clean(v);
        if v.is_empty() {
            *s = None;
        }
    }
}

struct Checker<'a> {
    t: &'a Taxonomy,
    errs: ValidationErrors,
}

impl Checker<'_> {
    fn required(&mut self, path: &str, v: &str, max: usize) {
        if v.is_empty() {
            self.errs.push(path, "required", "is required");
        } else {
            self.max_len(path, v, max);
        }
    }
    fn max_len(&mut self, path: &str, v: &str, max: usize) {
        let n = v.chars().count();
        if n > max {
            self.errs
                .push(path, "too_long", format!("must be at most {max} characters (has {n})"));
        }
        if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.errs.push(path, "invalid", "contains control characters");
        }
    }
    fn opt(&mut self, path: &str, v: &Option<String>, max: usize) {
        if let Some(v) = v {
            self.max_len(path, v, max);
        }
    }
    fn code(&mut self, path: &str, set: &str, v: &str) {
        if v.is_empty() {
            self.errs.push(
                path,
                "required",
                format!("is required (one of: {})", self.t.allowed(set)),
            );
        } else if self.t.entry(set, v).is_none() {
            self.errs.push(
                path,
                "unknown_value",
                format!("'{v}' is not allowed (one of: {})", self.t.allowed(set)),
            );
        }
    }
    fn email(&mut self, path: &str, v: &Option<String>) {
        if let Some(e) = v {
            let ok = e.len() <= 254
                && e.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
                && !e.chars().any(char::is_whitespace);
            if !ok {
                self.errs.push(path, "invalid", "is not an email address");
            }
        }
    }
    fn phone(&mut self, path: &str, v: &Option<String>) {
        if let Some(p) = v {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let ok = p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) && (7..=15).contains(&digits);
            if !ok {
                self.errs.push(path, "invalid", "is not a phone number");
            }
        }
    }
    fn url(&mut self, path: &str, v: &Option<String>) {
        if let Some(u) = v {
            let ok = (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() > 8
                && u.len() <= 2000
                && !u.chars().any(char::is_whitespace);
            if !ok {
                self.errs.push(path, "invalid", "must be an http or https link");
            }
        }
    }
    fn absent<T>(&mut self, path: &str, v: &Option<T>, kind: &str) {
        if v.is_some() {
            self.errs
                .push(path, "not_allowed", format!("is only for {kind} reports"));
        }
    }
}

impl ReportBody {
    /// Check every field and normalise (trim text, upper-case ODS codes, drop empty optionals).
    ///
    /// `now` is passed in (not read from a clock) so validation stays pure and testable.
    pub fn validate(mut self, t: &Taxonomy, now: DateTime<Utc>) -> Result<ValidReport, ValidationErrors> {
        self.normalise();
        let mut c = Checker {
            t,
            errs: ValidationErrors::default(),
        };
        let b = &self;

        c.code("event_type", "event_type", &b.event_type);
        let ods = match OdsCode::parse(&b.ods_code) {
            Ok(o) => Some(o),
            Err(_) if b.ods_code.is_empty() => {
                c.errs.push("ods_code", "required", "is required");
                None
            }
            Err(e) => {
                c.errs.push("ods_code", "invalid", e.to_string());
                None
            }
        };
        c.opt("organisation_name", &b.organisation_name, MAX_SHORT);
        c.required("title", &b.title, MAX_SHORT);
        c.required("narrative", &b.narrative, MAX_NARRATIVE);
        c.opt("immediate_actions", &b.immediate_actions, MAX_MEDIUM);
        c.code("patients_harmed_now", "patients_harmed_now", &b.patients_harmed_now);
        c.code("urgency", "urgency", &b.urgency);

        // Time: none in the future; detection and awareness cannot precede the event.
        let limit = now + Duration::minutes(FUTURE_SKEW_MINUTES);
        for (name, v) in [
            ("occurred_at", b.occurred_at),
            ("detected_at", b.detected_at),
            ("aware_at", b.aware_at),
        ] {
            if v.is_some_and(|v| v > limit) {
                c.errs.push(name, "in_future", "cannot be in the future");
            }
        }
        if let (Some(o), Some(d)) = (b.occurred_at, b.detected_at) {
            if d < o {
                c.errs
                    .push("detected_at", "before_occurred", "cannot be before occurred_at");
            }
        }
        if let (Some(o), Some(a)) = (b.occurred_at, b.aware_at) {
            if a < o {
                c.errs
                    .push("aware_at", "before_occurred", "cannot be before occurred_at");
            }
        }

        if b.patients.len() > MAX_PATIENTS {
            c.errs.push(
                "patients",
                "too_many",
                format!("at most {MAX_PATIENTS} patients per report"),
            );
        }
        for (i, p) in b.patients.iter().enumerate() {
            c.code(
                &format!("patients[{i}].physical_harm"),
                "physical_harm",
                &p.physical_harm,
            );
            c.code(
                &format!("patients[{i}].psychological_harm"),
                "psychological_harm",
                &p.psychological_harm,
            );
            c.opt(
                &format!("patients[{i}].clinical_outcome"),
                &p.clinical_outcome,
                MAX_MEDIUM,
            );
        }

        let r = &b.reporter;
        if r.anonymous {
            for (f, v) in [("name", &r.name), ("email", &r.email), ("phone", &r.phone)] {
                if v.is_some() {
                    c.errs.push(
                        format!("reporter.{f}"),
                        "not_allowed",
                        "must be empty on an anonymous report (choose confidential to keep your identity private instead)",
                    );
                }
            }
            if b.confidential {
                c.errs.push(
                    "confidential",
                    "not_allowed",
                    "an anonymous report has no identity to keep confidential",
                );
            }
        } else if r.name.is_none() {
            c.errs.push(
                "reporter.name",
                "required",
                "is required unless the report is anonymous",
            );
        }
        c.opt("reporter.name", &r.name, MAX_SHORT);
        if let Some(role) = &r.role {
            c.code("reporter.role", "reporter_role", role);
        }
        c.email("reporter.email", &r.email);
        c.phone("reporter.phone", &r.phone);
        c.opt("reporter.why_anonymous", &r.why_anonymous, MAX_SHORT);

        match &b.system {
            Some(s) => {
                c.required("system.product", &s.product, MAX_SHORT);
                if b.kind == ReportKind::ClinicalSafety {
                    c.required("system.supplier", &s.supplier, MAX_SHORT);
                } else {
                    c.max_len("system.supplier", &s.supplier, MAX_SHORT);
                }
                c.opt("system.version", &s.version, MAX_SHORT);
                c.opt("system.module", &s.module, MAX_SHORT);
            }
            None if b.kind == ReportKind::ClinicalSafety => {
                c.errs.push(
                    "system",
                    "required",
                    "name the health IT system involved (product and supplier)",
                );
            }
            None => {}
        }

        self.check_kind_blocks(&mut c);
        match (c.errs.is_empty(), ods) {
            (true, Some(ods)) => Ok(ValidReport { body: self, ods }),
            _ => Err(c.errs),
        }
    }

    fn check_kind_blocks(&self, c: &mut Checker<'_>) {
        let kind = self.kind;
        let k = kind.as_str();
        let need = |c: &mut Checker<'_>, path: &str, present: bool| {
            if !present {
                c.errs.push(path, "required", format!("is required for {k} reports"));
            }
        };
        if kind != ReportKind::CyberIncident {
            c.absent("cyber", &self.cyber, "cyber_incident");
        }
        if kind != ReportKind::Vulnerability {
            c.absent("vulnerability", &self.vulnerability, "vulnerability");
        }
        if kind != ReportKind::DeviceIncident {
            c.absent("device", &self.device, "device_incident");
        }
        if kind != ReportKind::SuspiciousActivity {
            c.absent("suspicious", &self.suspicious, "suspicious_activity");
        }
        match kind {
            ReportKind::CyberIncident => {
                need(c, "cyber", self.cyber.is_some());
                if let Some(cy) = &self.cyber {
                    if cy.contacts.is_empty() {
                        c.errs.push("cyber.contacts", "required", "give at least one contact");
                    }
                    let spoc = cy.contacts.iter().filter(|x| x.single_point_of_contact).count();
                    if !cy.contacts.is_empty() && spoc != 1 {
                        c.errs.push(
                            "cyber.contacts",
                            "single_point_of_contact",
                            format!("exactly one contact must be the single point of contact ({spoc} are)"),
                        );
                    }
                    for (i, ct) in cy.contacts.iter().enumerate() {
                        c.required(&format!("cyber.contacts[{i}].name"), &ct.name, MAX_SHORT);
                        c.required(&format!("cyber.contacts[{i}].role"), &ct.role, MAX_SHORT);
                        c.email(&format!("cyber.contacts[{i}].email"), &ct.email);
                        c.phone(&format!("cyber.contacts[{i}].phone"), &ct.phone);
                        if ct.email.is_none() && ct.phone.is_none() {
                            c.errs.push(
                                format!("cyber.contacts[{i}]"),
                                "required",
                                "give an email or a phone number",
                            );
                        }
                    }
                    for (i, lr) in cy.local_references.iter().enumerate() {
                        c.required(
                            &format!("cyber.local_references[{i}].reference"),
                            &lr.reference,
                            MAX_SHORT,
                        );
                        c.url(&format!("cyber.local_references[{i}].url"), &lr.url);
                    }
                    for (i, s) in cy.suppliers_involved.iter().enumerate() {
                        c.required(&format!("cyber.suppliers_involved[{i}]"), s, MAX_SHORT);
                    }
                    c.code(
                        "cyber.investigation_stage",
                        "investigation_stage",
                        &cy.investigation_stage,
                    );
                    c.code("cyber.classification", "cyber_classification", &cy.classification);
                    c.code("cyber.request_type", "csoc_request_type", &cy.request_type);
                    c.required("cyber.impact.patients", &cy.impact.patients, MAX_MEDIUM);
                    for (i, a) in cy.impact.assets.iter().enumerate() {
                        c.required(&format!("cyber.impact.assets[{i}]"), a, MAX_SHORT);
                    }
                    for (i, s) in cy.impact.services.iter().enumerate() {
                        c.required(&format!("cyber.impact.services[{i}]"), s, MAX_SHORT);
                    }
                    c.opt("cyber.impact.organisational", &cy.impact.organisational, MAX_MEDIUM);
                    c.opt("cyber.indicators_raw", &cy.indicators_raw, MAX_NARRATIVE);
                }
            }
            ReportKind::Vulnerability => {
                need(c, "vulnerability", self.vulnerability.is_some());
                if let Some(v) = &self.vulnerability {
                    c.required("vulnerability.affected_product", &v.affected_product, MAX_SHORT);
                    c.opt("vulnerability.affected_version", &v.affected_version, MAX_SHORT);
                    c.required("vulnerability.description", &v.description, MAX_NARRATIVE);
                    if let Some(vec) = &v.cvss_vector {
                        c.max_len("vulnerability.cvss_vector", vec, MAX_SHORT);
                        if let Err(why) = crate::scoring::cvss(vec) {
                            c.errs.push(
                                "vulnerability.cvss_vector",
                                "invalid",
                                format!("is not a CVSS 3.0, 3.1 or 4.0 vector ({why})"),
                            );
                        }
                    }
                }
            }
            ReportKind::DeviceIncident => {
                need(c, "device", self.device.is_some());
                if let Some(d) = &self.device {
                    c.required("device.device_name", &d.device_name, MAX_SHORT);
                    for (f, v) in [
                        ("manufacturer", &d.manufacturer),
                        ("gtin", &d.gtin),
                        ("lot", &d.lot),
                        ("serial", &d.serial),
                        ("expiry", &d.expiry),
                    ] {
                        c.opt(&format!("device.{f}"), v, MAX_SHORT);
                    }
                }
            }
            ReportKind::SuspiciousActivity => {
                need(c, "suspicious", self.suspicious.is_some());
                if let Some(s) = &self.suspicious {
                    c.code("suspicious.channel", "suspicious_channel", &s.channel);
                }
            }
            ReportKind::ClinicalSafety => {}
        }
    }

    /// The free-text fields that are shared with others (handlers, suppliers, national bodies) and so
    /// must not carry patient identifiers, with their paths. Deliberately excluded: the reporter's own
    /// identity (restricted by role), cyber contacts and local references (needed to reach people),
    /// indicators of compromise, system and device identifiers (needed for routing and recalls), and the
    /// technical vulnerability fields; none of these is a place for patient details.
    pub fn shared_free_text_mut(&mut self) -> Vec<(String, &mut String)> {
        let mut v: Vec<(String, &mut String)> = vec![
            ("title".into(), &mut self.title),
            ("narrative".into(), &mut self.narrative),
        ];
        if let Some(a) = &mut self.immediate_actions {
            v.push(("immediate_actions".into(), a));
        }
        for (i, p) in self.patients.iter_mut().enumerate() {
            if let Some(o) = &mut p.clinical_outcome {
                v.push((format!("patients[{i}].clinical_outcome"), o));
            }
        }
        if let Some(c) = &mut self.cyber {
            v.push(("cyber.impact.patients".into(), &mut c.impact.patients));
            if let Some(o) = &mut c.impact.organisational {
                v.push(("cyber.impact.organisational".into(), o));
            }
        }
        v
    }

    fn normalise(&mut self) {
        for s in [
            &mut self.event_type,
            &mut self.title,
            &mut self.narrative,
            &mut self.patients_harmed_now,
            &mut self.urgency,
        ] {
            clean(s);
        }
        clean(&mut self.ods_code);
        self.ods_code = self.ods_code.to_ascii_uppercase();
        clean_opt(&mut self.organisation_name);
        clean_opt(&mut self.immediate_actions);
        if let Some(s) = &mut self.system {
            clean(&mut s.product);
            clean(&mut s.supplier);
            clean_opt(&mut s.version);
            clean_opt(&mut s.module);
        }
        for p in &mut self.patients {
            clean(&mut p.physical_harm);
            clean(&mut p.psychological_harm);
            clean_opt(&mut p.clinical_outcome);
        }
        let r = &mut self.reporter;
        for s in [
            &mut r.name,
            &mut r.role,
            &mut r.email,
            &mut r.phone,
            &mut r.why_anonymous,
        ] {
            clean_opt(s);
        }
        if let Some(cy) = &mut self.cyber {
            for ct in &mut cy.contacts {
                clean(&mut ct.name);
                clean(&mut ct.role);
                clean_opt(&mut ct.email);
                clean_opt(&mut ct.phone);
            }
            for lr in &mut cy.local_references {
                clean(&mut lr.reference);
                clean_opt(&mut lr.url);
            }
            cy.suppliers_involved.iter_mut().for_each(clean);
            cy.impact.assets.iter_mut().for_each(clean);
            cy.impact.services.iter_mut().for_each(clean);
            clean(&mut cy.impact.patients);
            clean_opt(&mut cy.impact.organisational);
            for s in [
                &mut cy.investigation_stage,
                &mut cy.classification,
                &mut cy.request_type,
            ] {
                clean(s);
            }
            clean_opt(&mut cy.indicators_raw);
        }
        if let Some(v) = &mut self.vulnerability {
            clean(&mut v.affected_product);
            clean(&mut v.description);
            clean_opt(&mut v.affected_version);
            clean_opt(&mut v.cvss_vector);
        }
        if let Some(d) = &mut self.device {
            clean(&mut d.device_name);
            for s in [
                &mut d.manufacturer,
                &mut d.gtin,
                &mut d.lot,
                &mut d.serial,
                &mut d.expiry,
            ] {
                clean_opt(s);
            }
        }
        if let Some(s) = &mut self.suspicious {
            clean(&mut s.channel);
        }
    }
}

#[cfg(test)]
mod tests;
