//! Candour's storage port ([`Store`]) and its two adapters: embedded SQLite (the default) and PostgreSQL.
//!
//! Both adapters run the same SQL, written once in `sql.rs` and stamped out per backend, and the same
//! conformance suite (`crates/candour/tests/it/store.rs`). Every write appends to the audit chain in the
//! same transaction as the change it records.

mod adapter;
#[macro_use]
mod clinical_sql;
#[macro_use]
mod cyber_sql;
mod error;
mod migrate;
mod postgres;
mod sql;
mod sqlite;
mod types;
mod writer;

pub use error::StoreError;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
pub use types::*;

use async_trait::async_trait;
use candour_core::audit::{AuditEntry, AuditEvent, ChainHead};
use candour_core::identity::{Can, ManageOrganisations, ManageRouting, ManageUsers, TransitionReports, ViewReports};
use candour_core::record::{ReportRecord, Revision};
use candour_core::Reference;
use std::sync::Arc;
use uuid::Uuid;

/// The storage port. Adapters must pass the conformance suite.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Store a new report (received automatically), allocating its reference. Durable when it returns.
    async fn create_report(&self, req: CreateReport) -> Result<Created, StoreError>;
    /// A report, if it exists and `can` covers its organisation.
    async fn get_report(
        &self,
        can: &Can<ViewReports>,
        reference: &Reference,
    ) -> Result<Option<ReportRecord>, StoreError>;
    /// Reports matching `filter` within `can`'s organisations, newest first.
    async fn list_reports(
        &self,
        can: &Can<ViewReports>,
        filter: &ReportFilter,
    ) -> Result<Vec<ReportSummary>, StoreError>;
    /// Apply a lifecycle action with optimistic concurrency.
    async fn transition(
        &self,
        can: &Can<TransitionReports>,
        req: TransitionRequest,
    ) -> Result<ReportRecord, StoreError>;
    /// Amend a report's content with optimistic concurrency (a new revision; see `ReportRecord::amend`).
    async fn update_report(&self, can: &Can<TransitionReports>, req: UpdateRequest)
        -> Result<ReportRecord, StoreError>;
    /// Every revision of a report, oldest first.
    async fn revisions(&self, report_id: Uuid) -> Result<Vec<Revision>, StoreError>;
    /// Audit entries about one object, oldest first.
    async fn audit_for(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEntry>, StoreError>;
    /// Audit entries with `seq > after`, in order, at most `limit`.
    async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
    /// The recorded end of the chain.
    async fn audit_head(&self) -> Result<ChainHead, StoreError>;
    /// Append an event that changes nothing else (an audited read, a sign-in).
    async fn record_event(&self, event: AuditEvent) -> Result<(), StoreError>;
    /// Create or update an organisation's policy.
    async fn put_organisation(&self, can: &Can<ManageOrganisations>, org: Organisation) -> Result<(), StoreError>;
    /// An organisation's policy, if recorded.
    async fn organisation(&self, ods_code: &str) -> Result<Option<Organisation>, StoreError>;
    /// Every organisation.
    async fn organisations(&self) -> Result<Vec<Organisation>, StoreError>;
    /// Create a local account.
    async fn create_user(&self, can: &Can<ManageUsers>, user: NewUser) -> Result<UserRecord, StoreError>;
    /// An account by username.
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Every account.
    async fn users(&self) -> Result<Vec<UserRecord>, StoreError>;
    /// Record a session (token stored hashed).
    async fn create_session(&self, session: NewSession) -> Result<(), StoreError>;
    /// The account behind an unexpired session.
    async fn user_by_session(
        &self,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<UserRecord>, StoreError>;
    /// End a session.
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Record an API token (stored hashed).
    async fn create_api_token(&self, can: &Can<ManageUsers>, token: NewApiToken) -> Result<(), StoreError>;
    /// The account behind an API token.
    async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError>;
    /// Take up to `limit` messages that are due, leasing them for `lease` (a crashed sender's messages
    /// become due again when the lease ends: delivery is at least once).
    async fn claim_outbox(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        limit: i64,
        lease: chrono::Duration,
        channels: &[&str],
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Record how a delivery attempt ended (audited).
    async fn finish_delivery(
        &self,
        id: Uuid,
        outcome: DeliveryOutcome,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;
    /// Messages by status (`pending`, `sent`, `dead`), oldest first; for one report when `reference` is set.
    async fn outbox(&self, status: Option<&str>, reference: Option<&str>) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Record a destination's acknowledgement (through its link, or by staff holding `can`), or staff's
    /// reasoned decision not to notify it. Audited.
    async fn record_response(
        &self,
        can: Option<&Can<TransitionReports>>,
        r: NewResponse,
    ) -> Result<Recorded, StoreError>;
    /// Every response for a report, oldest first.
    async fn responses(&self, report_id: Uuid) -> Result<Vec<DestinationResponse>, StoreError>;
    /// A key Candour keeps for itself (created at first use, the same for every instance).
    async fn app_secret(&self, name: &str) -> Result<Vec<u8>, StoreError>;
    /// Destinations to consider chasing: sent a report before `sent_before` (or every message to them
    /// dead-lettered), not answered, not escalated, on open reports; oldest first, at most `limit`. A report acknowledged by a named person in its
    /// organisation counts as answered for the `org_scoped` destinations.
    async fn chase_candidates(
        &self,
        sent_before: chrono::DateTime<chrono::Utc>,
        org_scoped: &[String],
        limit: i64,
    ) -> Result<Vec<ChaseCandidate>, StoreError>;
    /// Record a chasing step and queue its messages, once (audited). `false` if it was already taken.
    async fn record_chase(&self, chase: NewChase) -> Result<bool, StoreError>;
    /// The chasing steps taken for a report.
    async fn chase_steps(&self, report_id: Uuid) -> Result<Vec<ChaseRecord>, StoreError>;
    /// Store a new version of the routing tables, already checked (audited); returns its number.
    async fn put_routing(&self, can: &Can<ManageRouting>, v: NewRoutingVersion) -> Result<i64, StoreError>;
    /// The newest stored routing tables (`None`: none stored), or version `version`.
    async fn routing_version(&self, version: Option<i64>) -> Result<Option<RoutingVersion>, StoreError>;
    /// Every stored version of the routing tables, newest first, without their files.
    async fn routing_versions(&self) -> Result<Vec<RoutingVersion>, StoreError>;
    /// Open reports in the caller's scope with their routing and answered destinations (the obligations
    /// board), newest first, at most `limit`.
    async fn open_routed(&self, can: &Can<ViewReports>, limit: i64) -> Result<Vec<OpenRouted>, StoreError>;
    /// A page of the outbox (all reports) by status, in time order, after message `after`; at most `limit`
    /// (1–1000).
    async fn outbox_page(
        &self,
        status: Option<&str>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Add a note to a report (audited).
    async fn add_note(&self, by: NoteAuthor, note: NewNote) -> Result<Note, StoreError>;
    /// A report's notes, oldest first; `internal` ones only when `with_internal`.
    async fn notes(&self, report_id: Uuid, with_internal: bool) -> Result<Vec<Note>, StoreError>;
    /// Assign a report to an account that may act on it, or clear the assignment (audited).
    async fn assign(
        &self,
        can: &Can<TransitionReports>,
        reference: &Reference,
        assignee: Option<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Assignment>, StoreError>;
    /// Who a report is assigned to.
    async fn assignment(&self, report_id: Uuid) -> Result<Option<Assignment>, StoreError>;
    /// Hold a screenshot against a web-journey draft (at most `max_files` per draft).
    async fn add_attachment(&self, a: NewAttachment) -> Result<AttachmentInfo, StoreError>;
    /// Files held against a draft (`draft_id`) or stored with a report (`report_id`); never their bytes.
    async fn attachments(
        &self,
        draft_id: Option<&str>,
        report_id: Option<Uuid>,
    ) -> Result<Vec<AttachmentInfo>, StoreError>;
    /// Take a file back out of a draft.
    async fn remove_attachment(&self, draft_id: &str, id: Uuid) -> Result<(), StoreError>;
    /// A redacted file's bytes and its boxes (JSON), when held by `draft_id` or stored with `report_id`.
    /// Files that were never redacted are not returned to anyone.
    async fn attachment_data(
        &self,
        id: Uuid,
        draft_id: Option<&str>,
        report_id: Option<Uuid>,
    ) -> Result<Option<(AttachmentInfo, Vec<u8>, String)>, StoreError>;
    /// Create a safety project in an organisation `can` covers.
    async fn create_safety_project(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        project: candour_core::clinical::SafetyProject,
        scheme: candour_core::clinical::SchemeRef,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SafetyProjectRecord, StoreError>;
    /// The safety projects `can` covers.
    async fn safety_projects(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
    ) -> Result<Vec<SafetyProjectRecord>, StoreError>;
    /// One project, if `can` covers it.
    async fn safety_project(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        id: Uuid,
    ) -> Result<Option<SafetyProjectRecord>, StoreError>;
    /// Record a new hazard, or change one at the revision its editor saw (`Conflict` otherwise). Hazards are
    /// never deleted; every version is kept and audited.
    async fn put_hazard(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        req: PutHazard,
    ) -> Result<HazardRecord, StoreError>;
    /// A project's hazards, by number (`NotFound` outside `can`).
    async fn hazards(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Uuid,
    ) -> Result<Vec<HazardRecord>, StoreError>;
    /// Every version of a hazard, oldest first.
    async fn hazard_history(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Uuid,
        number: i64,
    ) -> Result<Vec<HazardRevision>, StoreError>;
    /// Record a triage answer from a report: create, link or re-score a hazard; flag the safety case for
    /// review when the risk changed. Returns the link and the hazard as changed (if it was).
    async fn triage(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        t: NewTriage,
    ) -> Result<(HazardLink, Option<HazardRecord>), StoreError>;
    /// Triage links of a project, or of a report, in projects `can` covers.
    async fn hazard_links(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Option<Uuid>,
        report_id: Option<Uuid>,
    ) -> Result<Vec<HazardLink>, StoreError>;
    /// Change a project's details (not its organisation or standard).
    async fn update_safety_project(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        id: Uuid,
        project: candour_core::clinical::SafetyProject,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<SafetyProjectRecord, StoreError>;
    /// A cyber incident's, suspicious activity's or vulnerability's working record (none when the caller
    /// cannot see the report; `Constraint("cyber_case_kind")` for other kinds).
    async fn cyber_case(&self, can: &Can<ViewReports>, reference: &Reference) -> Result<Option<CyberCase>, StoreError>;
    /// Change a cyber case, audited (`Conflict` when a task or assessment changed since it was read).
    async fn cyber_change(
        &self,
        can: &Can<TransitionReports>,
        reference: &Reference,
        change: CyberChange,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<CyberChanged, StoreError>;
    /// A CSO's review of the latest clinical impact assessment (`Conflict` if `version` is not the latest).
    async fn review_clinical_impact(
        &self,
        can: &Can<candour_core::identity::SignOffSafety>,
        reference: &Reference,
        version: i64,
        note: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<candour_core::cyber::ImpactReview, StoreError>;
    /// Publish a CSAF advisory version (`Constraint("advisories_version_once")` if that version exists).
    async fn publish_advisory(
        &self,
        can: &Can<TransitionReports>,
        reference: &Reference,
        advisory: NewAdvisory,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<AdvisoryRecord, StoreError>;
    /// Record a review done.
    async fn record_review(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        r: NewReview,
    ) -> Result<ReviewRecord, StoreError>;
    /// A project's reviews, newest first.
    async fn reviews(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Uuid,
    ) -> Result<Vec<ReviewRecord>, StoreError>;
    /// Every project with its hazards and last review per subject, for the reminder sweep (system use).
    async fn review_inputs(&self) -> Result<Vec<ReviewInputs>, StoreError>;
    /// Note a reminder sent for a review due on `due_on`: true only the first time.
    async fn claim_review_reminder(
        &self,
        project_id: Uuid,
        subject: &str,
        due_on: chrono::NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError>;
    /// Save a CSO's own record.
    async fn put_cso(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        rec: candour_core::clinical::CsoRecord,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;
    /// CSO records in the organisations `can` covers.
    async fn cso_records(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
    ) -> Result<Vec<candour_core::clinical::CsoRecord>, StoreError>;
    /// Every CSO record (system use: reminders).
    async fn all_cso_records(&self) -> Result<Vec<candour_core::clinical::CsoRecord>, StoreError>;
    /// Issue documents the CSO approves, together; blocked unless their record is complete.
    async fn issue_documents(
        &self,
        can: &Can<candour_core::identity::SignOffSafety>,
        req: IssueDocuments,
    ) -> Result<Vec<IssuedDocument>, StoreError>;
    /// A project's issued documents, newest first (without content).
    async fn issued_documents(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Uuid,
    ) -> Result<Vec<IssuedDocument>, StoreError>;
    /// One issued document with its content.
    async fn issued_document(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Uuid,
        kind: candour_core::clinical::DocumentKind,
        version: i64,
    ) -> Result<Option<IssuedDocument>, StoreError>;
    /// Answer a compliance checklist item.
    async fn put_compliance(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        project_id: Uuid,
        answer: candour_core::clinical::ComplianceAnswer,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;
    /// A project's checklist answers.
    async fn compliance_answers(
        &self,
        can: &Can<candour_core::identity::ViewHazards>,
        project_id: Uuid,
    ) -> Result<Vec<candour_core::clinical::ComplianceAnswer>, StoreError>;
    /// Store a custom risk scheme version (checked by the caller); a stored version never changes.
    async fn put_risk_scheme(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        scheme: candour_core::clinical::RiskScheme,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;
    /// A stored custom scheme version.
    async fn risk_scheme(
        &self,
        id: &str,
        version: u32,
    ) -> Result<Option<candour_core::clinical::RiskScheme>, StoreError>;
    /// Every stored custom scheme version, by id and version.
    async fn risk_schemes(&self) -> Result<Vec<candour_core::clinical::RiskScheme>, StoreError>;
    /// Import hazards into a project: all or none.
    async fn import_hazards(
        &self,
        can: &Can<candour_core::identity::ManageHazards>,
        project_id: Uuid,
        hazards: Vec<candour_core::clinical::Hazard>,
        source: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<HazardRecord>, StoreError>;
    /// The originals kept for a report (never their content).
    async fn originals(&self, report_id: Uuid) -> Result<Vec<OriginalInfo>, StoreError>;
    /// One original of a report, sealed (callers decrypt, check permission and audit the read).
    async fn original(&self, report_id: Uuid, id: Uuid) -> Result<Option<(OriginalInfo, Sealed)>, StoreError>;
    /// Replace a draft's redacted file with one with more boxes, drawn on the version whose digest is
    /// `from_sha256` (`NotFound` if it is not that draft's; `Constraint("attachments_changed_meanwhile")` if
    /// it changed since, so that no box drawn meanwhile is lost).
    async fn redraw_attachment(
        &self,
        draft_id: &str,
        id: Uuid,
        from_sha256: &str,
        data: Vec<u8>,
        redaction: String,
    ) -> Result<AttachmentInfo, StoreError>;
    /// One outbox message by id.
    async fn outbox_message(&self, id: Uuid) -> Result<Option<OutboxMessage>, StoreError>;
    /// Save a web-journey draft: the reporter's answers so far, as JSON (their own words, not yet
    /// redacted or shared; kept only until they submit or `expires_at`). Also forgets expired drafts.
    async fn put_draft(
        &self,
        id: &str,
        data: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;
    /// An unexpired draft.
    async fn draft(&self, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<String>, StoreError>;
    /// Forget a draft (on submission).
    async fn delete_draft(&self, id: &str) -> Result<(), StoreError>;
    /// The report a reporter's tracking token (its SHA-256, hex) belongs to. No organisation scope: the
    /// token is the reporter's proof; callers show them only what the reporter may see.
    async fn report_by_tracking(&self, token_hash: &str) -> Result<Option<ReportRecord>, StoreError>;
    /// Check the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A shared store handle.
pub type DynStore = Arc<dyn Store>;

/// Open the store a URL names (`sqlite://path` or `postgres://…`) and run pending migrations.
pub async fn open(url: &DatabaseUrl) -> Result<DynStore, StoreError> {
    if url.is_postgres() {
        Ok(Arc::new(PgStore::connect(url.expose()).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url.expose()).await?))
    }
}
