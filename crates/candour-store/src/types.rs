//! Values passed to and returned by the [`crate::Store`] port.

use candour_core::identity::{Can, Grant, Principal, TransitionReports};
use candour_core::lifecycle::{Action, Status};
use candour_core::report::ValidReport;
use candour_core::{Reference, ReportKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// A database URL whose password never appears in logs or `Debug` output.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wrap a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }
    /// The URL with its secret, for connecting only.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// True for `postgres://` and `postgresql://`.
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }
    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> String {
        let s = &self.0;
        let Some(scheme_end) = s.find("://") else {
            return s.clone();
        };
        let rest = &s[scheme_end + 3..];
        let Some(at) = rest.find('@') else { return s.clone() };
        let userinfo = &rest[..at];
        match userinfo.find(':') {
            Some(colon) => format!("{}://{}:***{}", &s[..scheme_end], &userinfo[..colon], &rest[at..]),
            None => s.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A request to store a new report.
#[derive(Debug, Clone)]
pub struct CreateReport {
    /// The validated report.
    pub report: ValidReport,
    /// The taxonomy version it was validated under.
    pub taxonomy_version: String,
    /// Audit actor label of the submitter.
    pub actor: String,
    /// Client idempotency key and a hash of the request it came with.
    pub idempotency: Option<Idempotency>,
    /// Where it is routed, decided at intake.
    pub routing: Option<candour_core::routing::Decision>,
    /// Messages to send, written to the outbox in the same transaction as the report.
    pub deliveries: Vec<candour_core::outbox::Planned>,
    /// Current time (passed in so tests control it).
    pub now: DateTime<Utc>,
    /// SHA-256 (hex) of the reporter's secret tracking token, when the web journey issued one.
    pub tracking_hash: Option<String>,
    /// Move the attachments held against this web-journey draft to the report, in the same transaction.
    pub attachments_from_draft: Option<String>,
    /// The report as typed, before redaction, encrypted (organisation policy `keep_originals`).
    pub original: Option<Sealed>,
    /// Keep the draft's screenshot originals with the report: decided at submission by the policy of the
    /// organisation the report is for (false: they are deleted in the same transaction).
    pub keep_draft_originals: bool,
}

/// Something encrypted (AES-256-GCM) under a configured key; the store never sees the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Which key (a digest of it), so that a rotated key is noticed rather than misread.
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// An original kept in the compartment (never its content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginalInfo {
    pub id: Uuid,
    /// `text` (the report as typed) or `image` (a screenshot as uploaded).
    pub kind: String,
    /// For an image: the redacted attachment it is the original of.
    pub attachment_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// An Idempotency-Key and the hash of the request body it was sent with.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The key as sent.
    pub key: String,
    /// SHA-256 of the request body.
    pub request_hash: String,
}

/// What `create_report` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    /// Internal id.
    pub id: Uuid,
    /// The allocated reference.
    pub reference: Reference,
    /// True when this replays an earlier request with the same Idempotency-Key.
    #[serde(skip)]
    pub replayed: bool,
}

/// A lifecycle change.
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    /// Which report.
    pub reference: Reference,
    /// The revision the caller saw; a different stored revision is a conflict.
    pub expected_revision: Option<i64>,
    /// What to do.
    pub action: Action,
    /// Now.
    pub now: DateTime<Utc>,
}

/// An amendment of a report's content.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// Which report.
    pub reference: Reference,
    /// The revision the caller saw; a different stored revision is a conflict.
    pub expected_revision: i64,
    /// The new content (validated inside the transaction, against the current record).
    pub body: candour_core::report::ReportBody,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OutboxMessage {
    /// Message id (the idempotency key receivers see).
    pub id: Uuid,
    /// Report reference.
    pub reference: String,
    /// Destination id.
    pub destination: String,
    /// `email` or `webhook`.
    pub channel: String,
    /// Address or URL.
    pub address: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Next attempt (pending messages).
    pub next_attempt_at: DateTime<Utc>,
    /// Last failure.
    pub last_error: Option<String>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// Sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// `routed`, `reminder` or `escalation`.
    pub purpose: String,
}

/// A destination that was sent a report (or whose every message failed) and has neither acknowledged it
/// nor been escalated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChaseCandidate {
    /// Report id.
    pub report_id: Uuid,
    /// Report reference.
    pub reference: String,
    /// Destination id.
    pub destination: String,
    /// First sent (or, when nothing was delivered, when the last attempt failed).
    pub sent_at: DateTime<Utc>,
    /// At least one message reached it; false when every message to it was dead-lettered.
    pub delivered: bool,
    /// Reminded.
    pub reminded_at: Option<DateTime<Utc>>,
}

/// A chasing step to record, with the messages it queues.
#[derive(Debug, Clone)]
pub struct NewChase {
    /// Report id.
    pub report_id: Uuid,
    /// Report reference.
    pub reference: String,
    /// The plan (step, destination, who is told, messages, opening lines).
    pub plan: candour_core::chase::Plan,
    /// Subject line for its messages.
    pub subject: String,
    /// When.
    pub now: DateTime<Utc>,
}

/// A chasing step taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ChaseRecord {
    /// The destination chased.
    pub destination: String,
    /// `reminder` or `escalation`.
    pub step: String,
    /// Who was told (a destination id).
    pub told: String,
    /// How many messages were queued (0: people must phone; see `note`).
    pub messages: i64,
    /// What was said, and for a phone-only escalation, whom to call.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A response from (or about) one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DestinationResponse {
    /// Destination id.
    pub destination: String,
    /// `acknowledged` or `not_notified`.
    pub kind: String,
    /// The person who acknowledged, or who decided not to notify.
    pub name: String,
    /// Their role.
    pub role: String,
    /// `link`, `phone`, `email`, `in_person` or `web`.
    pub method: String,
    /// The justification (required for `not_notified`).
    pub note: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Who recorded it: `link` (the person themselves) or the staff member's audit label.
    pub recorded_by: String,
}

/// Who is recording a response.
#[derive(Debug, Clone)]
pub enum Responder {
    /// The person at the destination, through the signed link in message `message_id`.
    Link {
        /// Message id from the verified token.
        message_id: Uuid,
    },
    /// Staff, for a report and destination.
    Staff {
        /// Report.
        reference: Reference,
        /// Destination id.
        destination: String,
    },
}

/// A response to record.
#[derive(Debug, Clone)]
pub struct NewResponse {
    /// Who is recording it.
    pub by: Responder,
    /// `acknowledged` or `not_notified`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// How.
    pub method: String,
    /// Justification or note.
    pub note: Option<String>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// What recording a response did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// Report reference.
    pub reference: String,
    /// Destination id.
    pub destination: String,
    /// The acknowledgement in force: the new one, or the earlier one when the destination had already
    /// acknowledged (a link is single use).
    pub response: DestinationResponse,
    /// True when nothing new was recorded because the destination had already acknowledged.
    pub already: bool,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Accepted by the mail server or the receiver.
    Sent,
    /// Failed; try again at this time, or give up (dead letter) when `None`.
    Failed {
        /// Why.
        error: String,
        /// When to retry.
        retry_at: Option<DateTime<Utc>>,
    },
}

/// Filters for listing reports. Every field narrows; none set lists everything in scope.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
pub struct ReportFilter {
    /// Report kind.
    pub kind: Option<ReportKind>,
    /// Status.
    pub status: Option<Status>,
    /// Organisation ODS code.
    pub organisation: Option<String>,
    /// Product name (exact).
    pub system: Option<String>,
    /// Urgency code.
    pub urgency: Option<String>,
    /// Minimum worst physical harm: none / low / moderate / severe / fatal.
    pub min_harm: Option<String>,
    /// Only acknowledged (true) or only unacknowledged (false).
    pub acknowledged: Option<bool>,
    /// Only reports assigned to this username.
    pub assigned_to: Option<String>,
    /// Created at or after (UTC).
    pub from: Option<DateTime<Utc>>,
    /// Created before (UTC).
    pub to: Option<DateTime<Utc>>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size (1–500, default 50).
    pub limit: Option<i64>,
}

/// A report in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReportSummary {
    /// Internal id.
    pub id: Uuid,
    /// Reference.
    pub reference: String,
    /// Kind.
    pub kind: String,
    /// One-line summary.
    pub title: String,
    /// Status.
    pub status: String,
    /// Revision.
    pub revision: i64,
    /// Organisation.
    pub ods_code: String,
    /// Product, if named.
    pub product: Option<String>,
    /// Urgency.
    pub urgency: String,
    /// Worst physical harm rank (0 none … 4 fatal).
    pub max_harm_rank: i64,
    /// Patients harmed now: yes / no / unknown.
    pub patients_harmed_now: String,
    /// Has a human acknowledged it?
    pub acknowledged: bool,
    /// The username it is assigned to.
    pub assigned_to: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Position used for cursors.
    #[serde(skip)]
    pub seq: i64,
}

/// An organisation's reporting policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Organisation {
    /// ODS code.
    pub ods_code: String,
    /// Name.
    pub name: String,
    /// Must reporters sign in to report for this organisation?
    pub require_sign_in: bool,
    /// An operator of essential services under the NIS Regulations.
    #[serde(default)]
    pub nis_oes: bool,
    /// Subject to the Data Security and Protection Toolkit (almost every NHS organisation is).
    #[serde(default = "yes")]
    pub dspt: bool,
    /// Keep reporters' words and screenshots as they were before redaction, encrypted, for the CSO
    /// (default: discard them).
    #[serde(default)]
    pub keep_originals: bool,
}

fn yes() -> bool {
    true
}

impl Organisation {
    /// The facts routing rules depend on.
    pub fn facts(&self) -> candour_core::routing::OrgFacts {
        candour_core::routing::OrgFacts {
            oes: self.nis_oes,
            dspt: self.dspt,
        }
    }
}

/// A new local account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Display name (recorded on acknowledgements).
    pub display_name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Roles.
    pub grants: Vec<Grant>,
    /// Now.
    pub now: DateTime<Utc>,
}

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    /// Id.
    pub id: Uuid,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// argon2id PHC string (never serialised).
    #[serde(skip)]
    pub password_hash: String,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// Roles.
    pub grants: Vec<Grant>,
}

impl UserRecord {
    /// The principal this account acts as.
    pub fn principal(&self) -> Principal {
        Principal::Known {
            id: self.id.to_string(),
            name: self.display_name.clone(),
            grants: self.grants.clone(),
        }
    }
}

/// A new session.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Account.
    pub user_id: Uuid,
    /// SHA-256 of the session token.
    pub token_hash: String,
    /// Now.
    pub now: DateTime<Utc>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// A new API token.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// Account it acts as.
    pub user_id: Uuid,
    /// Label.
    pub name: String,
    /// SHA-256 of the token.
    pub token_hash: String,
    /// Now.
    pub now: DateTime<Utc>,
}

/// Encode a list position as an opaque cursor.
pub fn encode_cursor(seq: i64) -> String {
    format!("s{seq}")
}

/// Decode a cursor made by [`encode_cursor`].
pub fn decode_cursor(c: &str) -> Option<i64> {
    c.strip_prefix('s')?.parse().ok().filter(|n: &i64| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_hides_password() {
        let u = DatabaseUrl::new("postgres://candour:s3cret@db:5432/candour");
        assert_eq!(u.redacted(), "postgres://candour:***@db:5432/candour");
        assert!(!format!("{u:?} {u}").contains("s3cret"));
        assert_eq!(DatabaseUrl::new("sqlite:///tmp/x.db").redacted(), "sqlite:///tmp/x.db");
        assert!(u.is_postgres());
    }

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("42"), None);
        assert_eq!(decode_cursor("s-1"), None);
    }
}

/// A version of the routing tables to store.
#[derive(Debug, Clone)]
pub struct NewRoutingVersion {
    /// The directory, rules and obligations files, already checked together.
    pub files: [String; 3],
    /// The `version` strings inside them.
    pub labels: [String; 3],
    /// What changed and why.
    pub note: String,
    /// When.
    pub now: DateTime<Utc>,
}

/// A stored version of the routing tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RoutingVersion {
    /// Sequence number (1, 2, …).
    pub version: i64,
    /// The directory, rules and obligations files.
    pub files: [String; 3],
    /// The `version` strings inside them, joined with " / ".
    pub labels: String,
    /// What changed and why.
    pub note: String,
    /// Who saved it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// An open report's routing, for the obligations board.
#[derive(Debug, Clone)]
pub struct OpenRouted {
    /// Report reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Organisation.
    pub ods_code: String,
    /// Lifecycle status.
    pub status: String,
    /// A named person in the organisation has acknowledged it.
    pub acknowledged: bool,
    /// `yes` when patients are harmed now.
    pub patients_harmed_now: String,
    /// The routing decision with its clocks.
    pub routing: Option<candour_core::routing::Decision>,
    /// Destinations that have answered (acknowledged, or a recorded decision not to notify).
    pub answered: Vec<String>,
    /// Chasing steps that could send nothing (a phone-only escalation): calls people must make.
    pub calls: Vec<ChaseRecord>,
}

impl OpenRouted {
    /// Has `destination` answered: a response of its own, or, for the organisation's own destinations, the
    /// report's named acknowledgement? Its clocks stop then.
    pub fn answered_by(&self, destination: &str, directory: &candour_core::routing::Directory) -> bool {
        self.answered.iter().any(|d| d == destination)
            || (self.acknowledged && directory.organisation_scoped(destination))
    }
}

/// Who is adding a note.
#[derive(Debug, Clone)]
pub enum NoteAuthor {
    /// The reporter, through their tracking link (the web layer has checked the token): a `reporter` note.
    Reporter,
    /// Staff who may act on the report's organisation: `reporter` or `internal`.
    Staff(Can<TransitionReports>),
}

/// A note to add.
#[derive(Debug, Clone)]
pub struct NewNote {
    /// The report.
    pub reference: Reference,
    /// `reporter` (seen by staff and on the tracking page) or `internal` (staff only).
    pub visibility: String,
    /// The text (already redacted when it came from the reporter).
    pub text: String,
    /// When.
    pub now: DateTime<Utc>,
}

/// A note on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Note {
    /// `reporter` or `internal`.
    pub visibility: String,
    /// `reporter`, or the staff member's audit label.
    pub author: String,
    /// The text.
    pub text: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Who a report is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Assignment {
    /// Username.
    pub assignee: String,
    /// Display name.
    pub assignee_name: String,
    /// Who assigned it.
    pub assigned_by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A file to hold against a draft.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The draft.
    pub draft_id: String,
    /// The name the reporter's device gave it (shown back to them only).
    pub filename: String,
    /// `image/png` or `image/jpeg`, from its first bytes.
    pub media_type: String,
    /// The bytes: the redacted image.
    pub data: Vec<u8>,
    /// The boxes drawn over it and why, as JSON (`None` only for files that were not redacted: never shown).
    pub redaction: Option<String>,
    /// The file as uploaded, sealed, when the organisation keeps originals: stored in the same transaction.
    pub original: Option<Sealed>,
    /// Most files a draft may hold.
    pub max_files: i64,
    /// When.
    pub now: DateTime<Utc>,
}

/// What is known about an attachment (never its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AttachmentInfo {
    /// Id.
    pub id: Uuid,
    /// File name as uploaded.
    pub filename: String,
    /// Media type.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Redacted at upload; files that were not are never shown.
    pub redacted: bool,
}

/// A stored safety project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SafetyProjectRecord {
    pub id: Uuid,
    pub project: candour_core::clinical::SafetyProject,
    /// The risk scheme its hazards are assessed with.
    pub scheme: candour_core::clinical::SchemeRef,
    pub created_at: DateTime<Utc>,
    /// Set when the clinical risk changed (a new hazard, or a hazard re-scored at triage) since the last
    /// safety case report was issued: why the safety case needs review. Cleared by issuing a CSCR.
    pub safety_case_review: Option<String>,
}

/// A hazard as stored: its number in the project, revision and content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HazardRecord {
    pub project_id: Uuid,
    pub number: i64,
    /// `H-001`, stable for the hazard's life.
    pub hazard_id: String,
    pub revision: i64,
    pub hazard: candour_core::clinical::Hazard,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One version of a hazard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HazardRevision {
    pub revision: i64,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub hazard: candour_core::clinical::Hazard,
}

/// Record a new hazard (`number` None) or change one at the revision the editor saw.
#[derive(Debug, Clone)]
pub struct PutHazard {
    pub project_id: Uuid,
    pub number: Option<i64>,
    pub expected_revision: Option<i64>,
    pub hazard: candour_core::clinical::Hazard,
    pub now: DateTime<Utc>,
}

/// A hazard's stable id from its number.
pub fn hazard_id(number: i64) -> String {
    candour_core::clinical::hazard_id(number)
}

/// An incident (report) triaged into a project's hazard log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HazardLink {
    pub id: Uuid,
    pub project_id: Uuid,
    pub number: i64,
    pub hazard_id: String,
    pub report_id: Uuid,
    /// The report's reference (`CAN-…`).
    pub reference: String,
    pub kind: candour_core::clinical::TriageKind,
    /// For a failed control, its index in the hazard's controls.
    pub control_index: Option<i64>,
    pub risk_changed: bool,
    pub note: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A triage answer to record. A new hazard has `number` None and `hazard` Some; a realisation or failed
/// control names the hazard, with `hazard` Some when it was re-scored (changed at `expected_revision`).
#[derive(Debug, Clone)]
pub struct NewTriage {
    pub project_id: Uuid,
    pub report_id: Uuid,
    pub kind: candour_core::clinical::TriageKind,
    pub number: Option<i64>,
    pub expected_revision: Option<i64>,
    pub hazard: Option<candour_core::clinical::Hazard>,
    pub control_index: Option<i64>,
    pub risk_changed: bool,
    pub note: String,
    pub now: DateTime<Utc>,
}

/// A review done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReviewRecord {
    pub id: Uuid,
    pub project_id: Uuid,
    /// `hazard_log`, `controls`, `crmp` or `hazard:N`.
    pub subject: String,
    pub done_on: chrono::NaiveDate,
    pub outcome: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A review to record.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub project_id: Uuid,
    pub subject: candour_core::clinical::ReviewSubject,
    pub done_on: chrono::NaiveDate,
    pub outcome: String,
    pub now: DateTime<Utc>,
}

/// What the review reminder sweep needs about one project.
#[derive(Debug, Clone)]
pub struct ReviewInputs {
    pub project: SafetyProjectRecord,
    /// (number, hazard, the day it was recorded).
    pub hazards: Vec<(i64, candour_core::clinical::Hazard, chrono::NaiveDate)>,
    /// The date each subject was last reviewed.
    pub last: std::collections::HashMap<String, chrono::NaiveDate>,
}

/// Documents a CSO approves together (a CSCR is issued with its hazard log), each at the next version of
/// its kind.
#[derive(Debug, Clone)]
pub struct IssueDocuments {
    pub project_id: Uuid,
    /// The signing CSO's login: their record in the project's organisation must be complete.
    pub cso_username: String,
    /// (version, document): each version must be one more than the last issued of its kind.
    pub documents: Vec<(i64, candour_core::clinical::Document)>,
    /// [`log_state`] of the hazards the documents were drafted from: refused if the log changed since.
    pub log_state: Option<String>,
    pub now: DateTime<Utc>,
}

/// A digest of which revision of each hazard a log holds (number and revision, by number), to tell whether
/// it changed between drafting a document and approving it.
pub fn log_state(hazards: impl Iterator<Item = (i64, i64)>) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for (n, r) in hazards {
        h.update(format!("{n}:{r};").as_bytes());
    }
    hex::encode(h.finalize())
}

/// An issued (approved) safety document. Never changed or removed once issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IssuedDocument {
    pub project_id: Uuid,
    pub kind: candour_core::clinical::DocumentKind,
    pub version: i64,
    /// SHA-256 of the document's canonical JSON: exactly what was approved.
    pub content_hash: String,
    pub approved_by: String,
    /// Professional body and number, as on the CSO's record when they approved.
    pub registration: String,
    pub approved_at: DateTime<Utc>,
    /// The document itself (left out of lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<candour_core::clinical::Document>,
}

// ---- Cyber security as patient safety (issue 7) ----

pub use candour_core::cyber::{
    AdvisoryRecord, Correlation, CyberCase, Escalation, EventRecord, ImpactRecord, IndicatorRecord, TaskRecord,
};

/// An indicator to add (already parsed and normalised by candour-ioc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIndicator {
    pub kind: String,
    pub value: String,
    pub is_ioc: bool,
    pub tlp: candour_core::cyber::Tlp,
    pub excluded: Option<String>,
    pub source: String,
}

/// An advisory to publish.
#[derive(Debug, Clone)]
pub struct NewAdvisory {
    pub profile: String,
    pub tracking_id: String,
    pub version: i64,
    pub body: serde_json::Value,
}

/// A change to a cyber case (each is audited under its own action name).
#[derive(Debug, Clone)]
pub enum CyberChange {
    /// Set the incident's TLP marking.
    Marking(candour_core::cyber::Tlp),
    /// Add indicators; ones already recorded are left as they are.
    AddIndicators(Vec<NewIndicator>),
    /// Mark an indicator as a confirmed IOC or an artifact, and set its TLP.
    UpdateIndicator {
        id: Uuid,
        is_ioc: bool,
        tlp: candour_core::cyber::Tlp,
    },
    /// Add a timeline event.
    AddEvent(candour_core::cyber::TimelineEvent),
    /// Add a task (`id` none) or change one at the revision the editor saw.
    PutTask {
        id: Option<Uuid>,
        expected_revision: Option<i64>,
        task: candour_core::cyber::Task,
    },
    /// Record a new version of the clinical impact assessment (`expected_version`: the latest the assessor
    /// saw, 0 for none). `notify`: when the new version needs a CSO's review, the messages that ask the
    /// organisation's CSO for it, queued in the same transaction.
    Impact {
        expected_version: i64,
        impact: candour_core::cyber::ClinicalImpact,
        notify: Vec<candour_core::chase::Plan>,
    },
    /// Record the disclosure facts; when patients newly face uncontrolled risk, `escalation` holds the
    /// messages that tell the CSO and the urgent route at once (recorded once per destination).
    Disclosure {
        facts: candour_core::cyber::DisclosureFacts,
        escalation: Vec<candour_core::chase::Plan>,
        subject: String,
    },
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CyberChanged {
    /// Rows added or changed.
    pub changed: i64,
    /// Indicators already recorded (for `AddIndicators`).
    pub already: i64,
    /// The id of the event or task, or the impact version, written.
    pub id: Option<String>,
}
