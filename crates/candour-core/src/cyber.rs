//! Cyber security as patient safety (issue 7): the working record of a cyber incident or vulnerability
//! beyond what the reporter sent: TLP 2.0 markings, the timeline (event *and* discovery times), tasks, the
//! clinical impact assessment with its Clinical Safety Officer gate, and the coordinated-disclosure
//! timeline with its in-the-wild and patient-risk overrides.
//!
//! The disclosure presets are data (`data/cyber/disclosure.toml`), read at start-up; nothing here does IO.

use crate::error::ValidationErrors;
use crate::reference::Reference;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Longest free text in a timeline event, task or impact note.
pub const MAX_TEXT: usize = 4_000;
/// Longest short field (a title, an assignee, a service name).
pub const MAX_SHORT: usize = 200;

/// Traffic Light Protocol 2.0 (FIRST, 2022).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema, Default)]
pub enum Tlp {
    /// TLP:CLEAR: no limit on disclosure.
    #[serde(rename = "TLP:CLEAR")]
    Clear,
    /// TLP:GREEN: the community.
    #[serde(rename = "TLP:GREEN")]
    Green,
    /// TLP:AMBER: the recipient's organisation and its clients, need to know. The default for an incident.
    #[default]
    #[serde(rename = "TLP:AMBER")]
    Amber,
    /// TLP:AMBER+STRICT: the recipient's organisation only.
    #[serde(rename = "TLP:AMBER+STRICT")]
    AmberStrict,
    /// TLP:RED: named recipients only.
    #[serde(rename = "TLP:RED")]
    Red,
}

impl Tlp {
    /// Every label, least restrictive first.
    pub const ALL: [Tlp; 5] = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red];

    /// `TLP:AMBER+STRICT` and so on.
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// Parse `TLP:AMBER`, `amber`, `amber+strict`… (case-insensitive; TLP 1.0's WHITE is CLEAR).
    pub fn parse(s: &str) -> Option<Tlp> {
        let t = s.trim().to_ascii_uppercase();
        let t = t.strip_prefix("TLP:").unwrap_or(&t);
        Some(match t {
            "CLEAR" | "WHITE" => Tlp::Clear,
            "GREEN" => Tlp::Green,
            "AMBER" => Tlp::Amber,
            "AMBER+STRICT" | "AMBER_STRICT" | "AMBER-STRICT" => Tlp::AmberStrict,
            "RED" => Tlp::Red,
            _ => return None,
        })
    }

    /// The stricter of two markings (an export carries the strictest of what it holds).
    pub fn max(self, other: Tlp) -> Tlp {
        if (other as u8) > (self as u8) {
            other
        } else {
            self
        }
    }
}

fn text(e: &mut ValidationErrors, path: &str, v: &str, max: usize, required: bool) {
    if required && v.trim().is_empty() {
        e.push(path, "required", "Enter this");
    } else if v.chars().count() > max {
        e.push(path, "too_long", format!("Use {max} characters or fewer"));
    }
}

/// One thing that happened, with when it happened and when it was found out (they often differ by weeks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimelineEvent {
    /// When it happened (UTC).
    pub event_at: DateTime<Utc>,
    /// When it was discovered (UTC); none while that is not known.
    #[serde(default)]
    pub discovered_at: Option<DateTime<Utc>>,
    /// What happened.
    pub summary: String,
}

impl TimelineEvent {
    /// Check it against `now` (nothing can be discovered before it happens, or be in the future).
    pub fn validate(&self, now: DateTime<Utc>) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        text(&mut e, "summary", &self.summary, MAX_TEXT, true);
        let slack = Duration::minutes(5);
        if self.event_at > now + slack {
            e.push("event_at", "in_future", "The event time cannot be in the future");
        }
        if let Some(d) = self.discovered_at {
            if d > now + slack {
                e.push(
                    "discovered_at",
                    "in_future",
                    "The discovery time cannot be in the future",
                );
            } else if d < self.event_at {
                e.push(
                    "discovered_at",
                    "before_event",
                    "The discovery time cannot be before the event time",
                );
            }
        }
        e.into_result(())
    }
}

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Open,
    /// Someone is on it.
    InProgress,
    /// Done (with an outcome).
    Done,
    /// Not needed any more (with the reason as its outcome).
    Cancelled,
}

impl TaskStatus {
    /// Every status.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Open,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Cancelled,
    ];
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }
    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<TaskStatus> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A piece of response work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// What needs doing.
    pub title: String,
    /// Who is doing it.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Where it is.
    pub status: TaskStatus,
    /// When it is due.
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// What came of it (required once done or cancelled).
    #[serde(default)]
    pub outcome: Option<String>,
}

impl Task {
    /// Check it.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        text(&mut e, "title", &self.title, MAX_SHORT, true);
        if let Some(a) = &self.assignee {
            text(&mut e, "assignee", a, MAX_SHORT, false);
        }
        let outcome = self.outcome.as_deref().unwrap_or("");
        text(&mut e, "outcome", outcome, MAX_TEXT, false);
        if matches!(self.status, TaskStatus::Done | TaskStatus::Cancelled) && outcome.trim().is_empty() {
            e.push(
                "outcome",
                "required",
                "Say what came of the task before marking it done or cancelled",
            );
        }
        e.into_result(())
    }
}

/// How much a cyber incident or vulnerability affected, or could affect, patient care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImpactLevel {
    /// No effect on patient care (the only level that needs no CSO review).
    None,
    /// Not yet known: treated as an impact until a CSO has looked.
    Unknown,
    /// Care delayed or disrupted without harm.
    Low,
    /// Care significantly disrupted, or harm possible.
    Moderate,
    /// Harm occurred or is likely, or services were suspended.
    Severe,
}

impl ImpactLevel {
    /// Every level.
    pub const ALL: [ImpactLevel; 5] = [
        ImpactLevel::None,
        ImpactLevel::Unknown,
        ImpactLevel::Low,
        ImpactLevel::Moderate,
        ImpactLevel::Severe,
    ];
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ImpactLevel::None => "none",
            ImpactLevel::Unknown => "unknown",
            ImpactLevel::Low => "low",
            ImpactLevel::Moderate => "moderate",
            ImpactLevel::Severe => "severe",
        }
    }
    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<ImpactLevel> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Harm to a patient, on the NHS grading (LFPSE's physical harm levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Harm {
    /// No harm.
    None,
    /// Low harm.
    Low,
    /// Moderate harm.
    Moderate,
    /// Severe harm.
    Severe,
    /// Death.
    Death,
}

impl Harm {
    /// Every grade.
    pub const ALL: [Harm; 5] = [Harm::None, Harm::Low, Harm::Moderate, Harm::Severe, Harm::Death];
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Harm::None => "none",
            Harm::Low => "low",
            Harm::Moderate => "moderate",
            Harm::Severe => "severe",
            Harm::Death => "death",
        }
    }
    /// Parse the snake_case name.
    pub fn parse(s: &str) -> Option<Harm> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A downtime (business continuity) procedure that was invoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Downtime {
    /// Which procedure, e.g. "Paper requesting for pathology".
    pub procedure: String,
    /// From (UTC).
    pub from: DateTime<Utc>,
    /// To (UTC); none while it is still in use.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

/// A hazard in a safety project's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HazardRef {
    /// The safety project.
    pub project_id: Uuid,
    /// The hazard's number (H-001 is 1).
    pub number: i64,
}

/// A patient safety event the incident caused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyEvent {
    /// What happened (no patient identifiers: it is redacted before it is stored).
    pub description: String,
    /// Harm, on the NHS grading.
    pub harm: Harm,
    /// The clinical safety report raised for it, if any.
    #[serde(default)]
    pub report: Option<String>,
    /// The hazard it realises, if any.
    #[serde(default)]
    pub hazard: Option<HazardRef>,
}

/// The clinical impact assessment of a cyber incident or vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicalImpact {
    /// Overall level; anything but `none` needs a CSO review before the report can be closed.
    pub level: ImpactLevel,
    /// In words (redacted before it is stored).
    #[serde(default)]
    pub summary: String,
    /// Clinical services affected, e.g. "Pathology", "Emergency department".
    #[serde(default)]
    pub services_affected: Vec<String>,
    /// Downtime procedures invoked.
    #[serde(default)]
    pub downtime: Vec<Downtime>,
    /// Outpatient appointments postponed.
    #[serde(default)]
    pub appointments_postponed: u32,
    /// Elective procedures postponed.
    #[serde(default)]
    pub procedures_postponed: u32,
    /// Diagnostic tests delayed.
    #[serde(default)]
    pub diagnostics_delayed: u32,
    /// Ambulance diversions.
    #[serde(default)]
    pub ambulance_diversions: u32,
    /// Patient safety events raised.
    #[serde(default)]
    pub safety_events: Vec<SafetyEvent>,
}

impl ClinicalImpact {
    /// True when a Clinical Safety Officer must review this assessment before the report closes.
    pub fn needs_cso_review(&self) -> bool {
        self.level != ImpactLevel::None
    }

    /// True when the figures say patient care was touched.
    pub fn any_effect(&self) -> bool {
        !self.services_affected.is_empty()
            || !self.downtime.is_empty()
            || self.appointments_postponed > 0
            || self.procedures_postponed > 0
            || self.diagnostics_delayed > 0
            || self.ambulance_diversions > 0
            || !self.safety_events.is_empty()
    }

    /// Check it (trimming names). An assessment that says "none" while listing effects is refused: it
    /// would skip the CSO review the effects call for.
    pub fn validate(mut self, now: DateTime<Utc>) -> Result<ClinicalImpact, ValidationErrors> {
        let mut e = ValidationErrors::default();
        text(
            &mut e,
            "summary",
            &self.summary,
            MAX_TEXT,
            self.level != ImpactLevel::None,
        );
        for (i, s) in self.services_affected.iter_mut().enumerate() {
            *s = s.trim().to_string();
            text(&mut e, &format!("services_affected[{i}]"), s, MAX_SHORT, true);
        }
        for (i, d) in self.downtime.iter().enumerate() {
            text(
                &mut e,
                &format!("downtime[{i}].procedure"),
                &d.procedure,
                MAX_SHORT,
                true,
            );
            if d.from > now + Duration::minutes(5) {
                e.push(
                    format!("downtime[{i}].from"),
                    "in_future",
                    "The start cannot be in the future",
                );
            }
            if let Some(to) = d.to {
                if to < d.from {
                    e.push(
                        format!("downtime[{i}].to"),
                        "before_start",
                        "The end cannot be before the start",
                    );
                }
            }
        }
        for (i, s) in self.safety_events.iter_mut().enumerate() {
            text(
                &mut e,
                &format!("safety_events[{i}].description"),
                &s.description,
                MAX_TEXT,
                true,
            );
            if let Some(r) = &s.report {
                match r.trim().parse::<Reference>() {
                    Ok(r) => s.report = Some(r.to_string()),
                    Err(_) => e.push(
                        format!("safety_events[{i}].report"),
                        "invalid",
                        "Give a Candour report reference, like CND-2026-000123",
                    ),
                }
            }
            if let Some(h) = &s.hazard {
                if h.number < 1 {
                    e.push(
                        format!("safety_events[{i}].hazard.number"),
                        "invalid",
                        "Hazard numbers start at 1 (H-001)",
                    );
                }
            }
        }
        if self.level == ImpactLevel::None && self.any_effect() {
            e.push(
                "level",
                "inconsistent",
                "The figures show an effect on patient care, so the clinical impact cannot be none",
            );
        }
        let worst = self.safety_events.iter().map(|s| s.harm).max_by_key(|h| *h as u8);
        if matches!(worst, Some(Harm::Severe | Harm::Death)) && self.level < ImpactLevel::Severe {
            e.push(
                "level",
                "inconsistent",
                "A safety event with severe harm or death makes the clinical impact severe",
            );
        }
        e.into_result(self)
    }
}

/// The Clinical Safety Officer's review of one version of a clinical impact assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImpactReview {
    /// The assessment version reviewed.
    pub version: i64,
    /// What the CSO concluded.
    pub note: String,
    /// Who (their Candour username).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Why a cyber incident or vulnerability cannot be closed yet, if it cannot. `history` is every version of
/// the assessment, oldest first. Once any version needed a CSO review, the latest must have one, whatever
/// its level: downgrading an unreviewed "severe" to "none" does not skip the CSO.
pub fn closure_blocker(history: &[(i64, &ClinicalImpact)], reviews: &[ImpactReview]) -> Option<ValidationErrors> {
    let Some((v, latest)) = history.last() else {
        return Some(ValidationErrors::one(
            "clinical_impact",
            "required",
            "Record the clinical impact assessment before closing (\"none\" is an answer)",
        ));
    };
    let ever = history.iter().any(|(_, ci)| ci.needs_cso_review());
    if ever && !reviews.iter().any(|r| r.version == *v) {
        let why = if latest.needs_cso_review() {
            format!("The clinical impact is {}", latest.level.as_str())
        } else {
            "An earlier version of the assessment found an impact on patient care".to_string()
        };
        return Some(ValidationErrors::one(
            "clinical_impact",
            "cso_review_required",
            format!("{why}: a Clinical Safety Officer must review assessment version {v} before closing"),
        ));
    }
    None
}

/// Coordinated disclosure presets (policy data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosurePolicy {
    /// Version of this table.
    pub version: String,
    /// Days to acknowledge a researcher's report.
    pub ack_days: i64,
    /// Days from receipt to publication by default.
    pub default_days: i64,
    /// Days when the vulnerability is exploited in the wild.
    pub exploited_days: i64,
    /// Longest time to tell users when there is uncontrolled risk to patients.
    pub patient_risk_days: i64,
    /// Longest extension a coordinator may agree beyond the default.
    pub max_extension_days: i64,
}

/// The presets shipped with Candour.
pub const DISCLOSURE_TOML: &str = include_str!("../../../data/cyber/disclosure.toml");

impl DisclosurePolicy {
    /// The shipped presets.
    pub fn embedded() -> Result<DisclosurePolicy, String> {
        Self::from_toml(DISCLOSURE_TOML)
    }

    /// Parse and check a table.
    pub fn from_toml(s: &str) -> Result<DisclosurePolicy, String> {
        let p: DisclosurePolicy = toml::from_str(s).map_err(|e| e.to_string())?;
        for (name, v) in [
            ("ack_days", p.ack_days),
            ("default_days", p.default_days),
            ("exploited_days", p.exploited_days),
            ("patient_risk_days", p.patient_risk_days),
        ] {
            if v < 1 {
                return Err(format!("{name} must be at least 1 day"));
            }
        }
        if p.exploited_days > p.default_days || p.patient_risk_days > p.default_days {
            return Err("the exploited and patient-risk timelines must be no longer than the default".into());
        }
        if p.max_extension_days < 0 {
            return Err("max_extension_days cannot be negative".into());
        }
        Ok(p)
    }
}

/// What is known about a disclosure case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureFacts {
    /// Exploited in the wild (shortens the timeline to the exploited preset).
    #[serde(default)]
    pub exploited_in_wild: bool,
    /// Uncontrolled risk to patients: escalates at once to the CSO and the urgent route, and shortens the
    /// timeline to the patient-risk preset.
    #[serde(default)]
    pub patient_risk: bool,
    /// A publication date agreed with the researcher (at most the policy's extension past the default; it
    /// never lengthens an in-the-wild or patient-risk timeline).
    #[serde(default)]
    pub agreed_publication: Option<NaiveDate>,
}

/// The deadlines of a disclosure case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DisclosureTimeline {
    /// Acknowledge the researcher by then.
    pub acknowledge_by: DateTime<Utc>,
    /// Publish (or tell users) by then.
    pub publish_by: DateTime<Utc>,
    /// Which rule set the publication date.
    pub basis: String,
    /// Escalate to the CSO and the urgent route now.
    pub escalate: bool,
}

impl DisclosureFacts {
    /// Check an agreed date against the policy and the receipt.
    pub fn validate(&self, p: &DisclosurePolicy, received_at: DateTime<Utc>) -> Result<(), ValidationErrors> {
        if let Some(d) = self.agreed_publication {
            let latest = (received_at + Duration::days(p.default_days + p.max_extension_days)).date_naive();
            if d < received_at.date_naive() {
                return Err(ValidationErrors::one(
                    "agreed_publication",
                    "before_receipt",
                    "The agreed date cannot be before the report was received",
                ));
            }
            if d > latest {
                return Err(ValidationErrors::one(
                    "agreed_publication",
                    "too_late",
                    format!(
                        "The policy allows at most {} days' extension: publish by {latest}",
                        p.max_extension_days
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The case's deadlines under policy `p`.
    pub fn timeline(&self, p: &DisclosurePolicy, received_at: DateTime<Utc>) -> DisclosureTimeline {
        let mut publish_by = received_at + Duration::days(p.default_days);
        let mut basis = format!("default: {} days from receipt", p.default_days);
        if let Some(d) = self.agreed_publication {
            // The end of the agreed day in the UK (23:59 BST is 22:59 UTC).
            use chrono::TimeZone;
            if let Some(t) = d
                .and_hms_opt(23, 59, 0)
                .and_then(|t| chrono_tz::Europe::London.from_local_datetime(&t).earliest())
            {
                publish_by = t.with_timezone(&Utc);
                basis = format!("agreed with the researcher: {d}");
            }
        }
        let mut shorten = |days: i64, why: &str| {
            let t = received_at + Duration::days(days);
            if t < publish_by {
                publish_by = t;
                basis = format!("{why}: {days} days from receipt");
            }
        };
        if self.exploited_in_wild {
            shorten(p.exploited_days, "exploited in the wild");
        }
        if self.patient_risk {
            shorten(p.patient_risk_days, "uncontrolled risk to patients");
        }
        DisclosureTimeline {
            acknowledge_by: received_at + Duration::days(p.ack_days),
            publish_by,
            basis,
            escalate: self.patient_risk,
        }
    }
}

/// Whole days from `now` until `t` (negative once past), rounding towards the deadline.
pub fn days_left(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (t - now).num_seconds();
    if secs >= 0 {
        secs / 86_400
    } else {
        -((-secs + 86_399) / 86_400)
    }
}

// ---- Records, as stored ----

/// A destination told at once that a vulnerability puts patients at uncontrolled risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Escalation {
    /// The destination (`org_cso`, `org_escalation`).
    pub destination: String,
    /// Who was told (a destination id; empty when nobody could be sent anything).
    pub told: String,
    /// Messages queued (0: phone only; see `note`).
    pub messages: i64,
    /// What was said, and whom to call.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An indicator of compromise (or an artifact) recorded on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IndicatorRecord {
    pub id: Uuid,
    /// `ipv4`, `domain`, `sha256`… (candour-ioc's kinds).
    pub kind: String,
    /// Normalised value (refanged, lower-cased where the kind is case-blind).
    pub value: String,
    /// A confirmed indicator of compromise (shared as a STIX indicator and a MISP `to_ids` attribute);
    /// false: an artifact seen during the investigation.
    pub is_ioc: bool,
    pub tlp: Tlp,
    /// Why it is never correlated or shared (a private range, a very common domain), if so.
    pub excluded: Option<String>,
    /// Where it came from (`paste`, `report`, `api`).
    pub source: String,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A timeline event as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EventRecord {
    pub id: Uuid,
    #[serde(flatten)]
    pub event: TimelineEvent,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A task as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TaskRecord {
    pub id: Uuid,
    /// From 1; a change is accepted only at the revision the editor saw.
    pub revision: i64,
    #[serde(flatten)]
    pub task: Task,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// One version of a clinical impact assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ImpactRecord {
    pub version: i64,
    pub impact: ClinicalImpact,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A published CSAF advisory (never changed; a new version is published instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AdvisoryRecord {
    pub id: Uuid,
    /// `csaf_security_advisory` or `csaf_vex`.
    pub profile: String,
    /// `/document/tracking/id`.
    pub tracking_id: String,
    pub version: i64,
    /// The CSAF document.
    pub body: serde_json::Value,
    /// SHA-256 of the document as published.
    pub content_hash: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Another report that shares an indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Correlation {
    pub kind: String,
    pub value: String,
    /// The other report, when the caller may see it.
    pub reference: Option<String>,
    /// Its organisation, when the caller may see it.
    pub ods_code: Option<String>,
}

/// The working record of a cyber incident or vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CyberCase {
    pub report_id: Uuid,
    /// The incident's marking (TLP:AMBER until someone changes it).
    pub tlp: Tlp,
    /// Something has been recorded (the marking then governs every export; before, exports ask).
    pub worked: bool,
    /// Disclosure facts (vulnerabilities).
    pub disclosure: DisclosureFacts,
    pub indicators: Vec<IndicatorRecord>,
    /// Oldest event first.
    pub events: Vec<EventRecord>,
    pub tasks: Vec<TaskRecord>,
    /// Every version, oldest first.
    pub impacts: Vec<ImpactRecord>,
    pub impact_reviews: Vec<ImpactReview>,
    /// Newest first.
    pub advisories: Vec<AdvisoryRecord>,
    /// Other reports sharing a (non-excluded) indicator; capped.
    pub correlations: Vec<Correlation>,
    /// Destinations told at once of uncontrolled patient risk.
    pub escalations: Vec<Escalation>,
}

impl CyberCase {
    /// The latest clinical impact assessment.
    pub fn impact(&self) -> Option<&ImpactRecord> {
        self.impacts.last()
    }
}

#[cfg(test)]
mod tests;
