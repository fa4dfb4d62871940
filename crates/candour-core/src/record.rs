//! A stored report: the validated body plus its lifecycle state, and the pure rule for changing it.

use crate::error::ValidationErrors;
use crate::lifecycle::{self, AckMethod, Action, LifecycleError, Status};
use crate::reference::Reference;
use crate::report::{ReportBody, ValidReport};
use crate::taxonomy::Taxonomy;
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who acknowledged a report, when and how: always a named human.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Acknowledgement {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// How.
    pub method: AckMethod,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The signed-in account that recorded it.
    pub recorded_by: String,
}

/// The lifecycle state of a report (everything that changes after submission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct State {
    /// Current status.
    pub status: Status,
    /// The human acknowledgement, once made (kept through reopen).
    pub acknowledgement: Option<Acknowledgement>,
    /// Feedback to the reporter, set on close.
    pub feedback: Option<String>,
    /// The note, summary or reason given with the latest transition.
    pub last_note: Option<String>,
}

/// A report as stored: identity, revision, body and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    /// Internal id.
    pub id: Uuid,
    /// Human-friendly reference.
    pub reference: Reference,
    /// Revision number, from 1; every change adds one (LFPSE semantics).
    pub revision: i64,
    /// Taxonomy version the body was validated under.
    pub taxonomy_version: String,
    /// The report.
    pub report: ValidReport,
    /// Lifecycle state.
    pub state: State,
    /// When first stored.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// Where it was routed when received, and why (kept as decided then).
    pub routing: Option<crate::routing::Decision>,
}

/// One revision: a full snapshot of the report after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Revision {
    /// Revision number.
    pub revision: i64,
    /// What caused it: `create` or a lifecycle action name.
    pub action: String,
    /// Who (audit actor label).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
    /// State after the change.
    pub state: State,
    /// The report body after the change.
    pub body: ReportBody,
}

impl ReportRecord {
    /// A freshly submitted report: it is received automatically as it is stored.
    pub fn new_received(
        id: Uuid,
        reference: Reference,
        taxonomy_version: String,
        report: ValidReport,
        routing: Option<crate::routing::Decision>,
        now: DateTime<Utc>,
    ) -> Result<Self, LifecycleError> {
        let status = lifecycle::next(Status::Submitted, &Action::Receive, false)?;
        // Microseconds: what every backend stores, so a record reads back exactly as written.
        let now = now.trunc_subsecs(6);
        Ok(Self {
            id,
            reference,
            revision: 1,
            taxonomy_version,
            report,
            state: State {
                status,
                acknowledgement: None,
                feedback: None,
                last_note: None,
            },
            created_at: now,
            updated_at: now,
            routing,
        })
    }

    /// The record after `action` by `actor` at `now`; the revision goes up by one.
    pub fn apply(&self, mut action: Action, actor: &str, now: DateTime<Utc>) -> Result<Self, LifecycleError> {
        action.validate()?;
        let now = now.trunc_subsecs(6);
        let status = lifecycle::next(self.state.status, &action, self.state.acknowledgement.is_some())?;
        let mut state = self.state.clone();
        state.status = status;
        state.last_note = match &action {
            Action::Triage { note } | Action::StartInvestigation { note } => note.clone(),
            Action::MakeSafe { note } => Some(note.clone()),
            Action::Resolve { summary } => Some(summary.clone()),
            Action::Reopen { reason } | Action::Withdraw { reason } => Some(reason.clone()),
            Action::Close { .. } | Action::Acknowledge { .. } | Action::Receive => None,
        };
        match action {
            Action::Acknowledge { name, role, method } => {
                state.acknowledgement = Some(Acknowledgement {
                    name,
                    role,
                    method,
                    at: now,
                    recorded_by: actor.to_string(),
                });
            }
            Action::Close { feedback } => state.feedback = Some(feedback),
            Action::Reopen { .. } => state.feedback = None,
            _ => {}
        }
        Ok(Self {
            revision: self.revision + 1,
            state,
            updated_at: now,
            ..self.clone()
        })
    }

    /// The record after its content is amended (a handler re-grading harm, adding detail). The revision
    /// goes up by one and the body is validated under the taxonomy in force.
    ///
    /// Rules: a closed or withdrawn report is reopened before it is changed; the kind never changes (it
    /// is in the reference); and the reporter's identity, anonymity and confidentiality are the
    /// reporter's, so they are carried over whatever the new body says.
    pub fn amend(&self, mut body: ReportBody, t: &Taxonomy, now: DateTime<Utc>) -> Result<Self, LifecycleError> {
        if self.state.status.is_terminal() {
            return Err(LifecycleError::NotAllowed {
                action: "update",
                from: self.state.status,
                allowed: "any status but closed and withdrawn (reopen it first)".into(),
            });
        }
        let cur = self.report.body();
        if body.kind != cur.kind {
            return Err(ValidationErrors::one(
                "kind",
                "immutable",
                "a report's kind cannot change; submit a new report instead",
            )
            .into());
        }
        body.reporter = cur.reporter.clone();
        body.confidential = cur.confidential;
        let now = now.trunc_subsecs(6);
        let report = body.validate(t, now)?;
        Ok(Self {
            revision: self.revision + 1,
            taxonomy_version: t.version.clone(),
            report,
            updated_at: now,
            ..self.clone()
        })
    }

    /// The snapshot stored as this record's latest revision.
    pub fn snapshot(&self, action: &str, actor: &str) -> Revision {
        Revision {
            revision: self.revision,
            action: action.to_string(),
            actor: actor.to_string(),
            at: self.updated_at,
            state: self.state.clone(),
            body: self.report.body().clone(),
        }
    }

    /// SHA-256 (hex) of everything about the record, for audit digests: a domain tag, then the record's
    /// JSON written straight into the hash (no intermediate tree or string). The field order of
    /// [`DigestView`] and of the types it holds is part of the digest; `digest_is_pinned` fails if
    /// it changes, because every stored digest would then stop matching.
    pub fn digest(&self) -> String {
        use sha2::Digest as _;
        let mut h = HashWriter(sha2::Sha256::new());
        h.0.update(b"candour-record-v2\n");
        let view = DigestView {
            id: &self.id,
            reference: &self.reference,
            revision: self.revision,
            taxonomy_version: &self.taxonomy_version,
            body: self.report.body(),
            state: &self.state,
            routing: self.routing.as_ref(),
        };
        // Writing into a hasher cannot fail, and none of these types fails to serialise; if one ever
        // did, the digest would differ from the stored one and `audit verify` would say so.
        let _ = serde_json::to_writer(&mut h, &view);
        hex::encode(h.0.finalize())
    }

    /// The digest format before `candour-record-v2` (canonical JSON of a built tree), kept so that
    /// `audit verify` still accepts records last changed by an earlier version.
    pub fn digest_v1(&self) -> String {
        crate::audit::digest(&serde_json::json!({
            "id": self.id,
            "reference": self.reference,
            "revision": self.revision,
            "taxonomy_version": self.taxonomy_version,
            "body": self.report.body(),
            "state": self.state,
            "routing": self.routing,
        }))
    }

    /// Whether `want` (a stored audit digest) is this record's digest in any accepted format.
    pub fn matches_digest(&self, want: &str) -> bool {
        self.digest() == want || self.digest_v1() == want
    }
}

/// What [`ReportRecord::digest`] hashes, borrowed, in a fixed field order.
#[derive(Serialize)]
struct DigestView<'a> {
    id: &'a Uuid,
    reference: &'a Reference,
    revision: i64,
    taxonomy_version: &'a str,
    body: &'a ReportBody,
    state: &'a State,
    routing: Option<&'a crate::routing::Decision>,
}

/// Lets `serde_json` write straight into a SHA-256 state.
struct HashWriter(sha2::Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(&mut self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReportKind;
    use crate::taxonomy::Taxonomy;

    fn record() -> ReportRecord {
        let body: ReportBody = serde_json::from_value(serde_json::json!({
            "kind": "clinical_safety", "event_type": "risk", "ods_code": "RX1", "title": "t", "narrative": "n",
            "patients_harmed_now": "no", "urgency": "routine", "reporter": {"anonymous": true},
            "system": {"product": "P", "supplier": "S"}
        }))
        .unwrap();
        let t = Taxonomy::embedded().unwrap();
        let now = Utc::now();
        let v = body.validate(&t, now).unwrap();
        ReportRecord::new_received(
            Uuid::nil(),
            Reference::new(ReportKind::ClinicalSafety, 2026, 1),
            t.version,
            v,
            None,
            now,
        )
        .unwrap()
    }

    fn fixed_record() -> ReportRecord {
        let mut r = record();
        let at = DateTime::parse_from_rfc3339("2026-03-29T00:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        r.taxonomy_version = "pinned-1".into();
        r.created_at = at;
        r.updated_at = at;
        r
    }

    #[test]
    fn digest_is_pinned() {
        // If this fails, a field of the record (or of a type inside it) was renamed, reordered or
        // re-encoded: every digest already in an audit log would stop matching its record. Add a new
        // format (as `candour-record-v2` was added beside v1) instead of changing this one.
        let r = fixed_record();
        assert_eq!(r.digest(), PINNED_V2);
    }

    const PINNED_V2: &str = "570c5d1b2d062141e08941520b98d90a66f0045986adb368e651d4139001ea2b";

    /// A record with a routing decision, as the store writes and reads it back (each part as JSON text).
    fn routed_record() -> ReportRecord {
        let mut r = record();
        let t = Taxonomy::embedded().unwrap();
        let tables = crate::routing::Tables::embedded(&t).unwrap();
        let org = crate::routing::OrgFacts { oes: true, dspt: true };
        r.routing = Some(crate::routing::decide(&tables, &t, &r.report, org, r.created_at));
        r
    }

    #[test]
    fn digest_survives_a_store_round_trip_and_accepts_the_old_format() {
        let r = routed_record();
        let body: ReportBody = serde_json::from_str(&serde_json::to_string(r.report.body()).unwrap()).unwrap();
        let back = ReportRecord {
            report: ValidReport::from_stored(body).unwrap(),
            state: serde_json::from_str(&serde_json::to_string(&r.state).unwrap()).unwrap(),
            routing: serde_json::from_str(&serde_json::to_string(&r.routing).unwrap()).unwrap(),
            ..r.clone()
        };
        assert_eq!(back.digest(), r.digest());
        assert_ne!(r.digest(), r.digest_v1());
        assert!(back.matches_digest(&r.digest_v1()));
        assert!(back.matches_digest(&r.digest()));
        let mut other = r.clone();
        other.revision += 1;
        assert!(!other.matches_digest(&r.digest()));
        assert!(!other.matches_digest(&r.digest_v1()));
    }

    #[test]
    fn new_reports_are_received_at_revision_one() {
        let r = record();
        assert_eq!((r.state.status, r.revision), (Status::Received, 1));
    }

    #[test]
    fn acknowledge_records_the_human_and_bumps_the_revision() {
        let r = record();
        let a = r
            .apply(
                Action::Acknowledge {
                    name: " Dr Jane Patel ".into(),
                    role: "CSO".into(),
                    method: AckMethod::Phone,
                },
                "user:1",
                Utc::now(),
            )
            .unwrap();
        assert_eq!(a.revision, 2);
        assert_eq!(a.state.status, Status::Acknowledged);
        let ack = a.state.acknowledgement.as_ref().unwrap();
        assert_eq!(
            (ack.name.as_str(), ack.method, ack.recorded_by.as_str()),
            ("Dr Jane Patel", AckMethod::Phone, "user:1")
        );
        assert_ne!(a.digest(), r.digest());
    }

    #[test]
    fn amend_keeps_kind_and_reporter_and_refuses_closed_reports() {
        let r = record();
        let t = Taxonomy::embedded().unwrap();
        let mut body = r.report.body().clone();
        body.urgency = "immediate".into();
        body.reporter.anonymous = false;
        body.reporter.name = Some("Somebody Else".into());
        let a = r.amend(body.clone(), &t, Utc::now()).unwrap();
        assert_eq!((a.revision, a.report.body().urgency.as_str()), (2, "immediate"));
        assert!(
            a.report.body().reporter.anonymous && a.report.body().reporter.name.is_none(),
            "reporter is the reporter's"
        );
        let mut other = body.clone();
        other.kind = ReportKind::Vulnerability;
        let e = r.amend(other, &t, Utc::now()).unwrap_err();
        assert!(e.to_string().contains("kind"), "{e}");
        let mut bad = body.clone();
        bad.urgency = "whenever".into();
        assert!(matches!(r.amend(bad, &t, Utc::now()), Err(LifecycleError::Invalid(_))));
        let mut closed = r.clone();
        closed.state.status = Status::Closed;
        assert!(matches!(
            closed.amend(body, &t, Utc::now()),
            Err(LifecycleError::NotAllowed { .. })
        ));
    }

    #[test]
    fn refused_transitions_leave_no_new_revision() {
        let r = record();
        assert!(r
            .apply(Action::Close { feedback: "x".into() }, "u", Utc::now())
            .is_err());
        assert!(r
            .apply(Action::Withdraw { reason: "".into() }, "u", Utc::now())
            .is_err());
    }
}
