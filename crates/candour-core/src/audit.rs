//! The tamper-evident audit chain: each entry's hash covers its content and the previous entry's hash.
//!
//! Editing, deleting or reordering any stored entry breaks the chain at that point, which
//! [`verify_chain`] reports as the first broken link.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An audit entry before it is sealed into the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Who: `user:<id> <name>`, `token:<id>`, `anonymous`, or `system`.
    pub actor: String,
    /// What, e.g. `report.create`, `report.transition.acknowledge`, `report.read_confidential`.
    pub action: String,
    /// The kind of object, e.g. `report`, `user`.
    pub object_type: String,
    /// The object's id or reference.
    pub object_id: String,
    /// Digest of the object before the change (none on create and on reads).
    pub before_digest: Option<String>,
    /// Digest of the object after the change (none on reads).
    pub after_digest: Option<String>,
}

/// A sealed entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When (UTC, microsecond precision).
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Object kind.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Digest before.
    pub before_digest: Option<String>,
    /// Digest after.
    pub after_digest: Option<String>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The end of the chain: what the next entry links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// Sequence number of the last entry (0 for an empty chain).
    pub seq: i64,
    /// Hash of the last entry ([`GENESIS`] for an empty chain).
    pub hash: String,
}

impl Default for ChainHead {
    fn default() -> Self {
        Self {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

/// SHA-256 (hex) of a JSON value's canonical serialisation (object keys sorted).
pub fn digest(v: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

fn field(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn entry_hash(seq: i64, at: &DateTime<Utc>, e: &AuditEvent, prev: &str) -> String {
    let mut h = Sha256::new();
    field(&mut h, "candour-audit-v1");
    field(&mut h, &seq.to_string());
    field(&mut h, &at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    field(&mut h, &e.actor);
    field(&mut h, &e.action);
    field(&mut h, &e.object_type);
    field(&mut h, &e.object_id);
    field(&mut h, e.before_digest.as_deref().unwrap_or("-"));
    field(&mut h, e.after_digest.as_deref().unwrap_or("-"));
    field(&mut h, prev);
    hex::encode(h.finalize())
}

impl ChainHead {
    /// Seal `event` as the next entry and advance the head.
    pub fn append(&mut self, event: AuditEvent, at: DateTime<Utc>) -> AuditEntry {
        let at = at.trunc_subsecs(6);
        let seq = self.seq + 1;
        let hash = entry_hash(seq, &at, &event, &self.hash);
        let entry = AuditEntry {
            seq,
            at,
            actor: event.actor,
            action: event.action,
            object_type: event.object_type,
            object_id: event.object_id,
            before_digest: event.before_digest,
            after_digest: event.after_digest,
            prev_hash: std::mem::replace(&mut self.hash, hash.clone()),
            hash,
        };
        self.seq = seq;
        entry
    }
}

/// The first place the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {seq}: {reason}")]
pub struct BrokenLink {
    /// The sequence number where verification failed (the expected one, for a gap).
    pub seq: i64,
    /// What was wrong.
    pub reason: String,
}

/// Incremental verifier: feed entries in stored order; it stops at the first broken link.
#[derive(Debug, Default)]
pub struct Verifier {
    head: ChainHead,
}

impl Verifier {
    /// Check the next entry.
    pub fn check(&mut self, e: &AuditEntry) -> Result<(), BrokenLink> {
        let want = self.head.seq + 1;
        if e.seq != want {
            return Err(BrokenLink {
                seq: want,
                reason: format!("expected entry {want} next but found {} (deleted or reordered)", e.seq),
            });
        }
        if e.prev_hash != self.head.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "does not link to the previous entry's hash".into(),
            });
        }
        let ev = AuditEvent {
            actor: e.actor.clone(),
            action: e.action.clone(),
            object_type: e.object_type.clone(),
            object_id: e.object_id.clone(),
            before_digest: e.before_digest.clone(),
            after_digest: e.after_digest.clone(),
        };
        if entry_hash(e.seq, &e.at, &ev, &e.prev_hash) != e.hash {
            return Err(BrokenLink {
                seq: e.seq,
                reason: "content does not match its hash (edited)".into(),
            });
        }
        self.head = ChainHead {
            seq: e.seq,
            hash: e.hash.clone(),
        };
        Ok(())
    }

    /// How many entries have been verified.
    pub fn verified(&self) -> i64 {
        self.head.seq
    }

    /// The head after the entries verified so far.
    pub fn head(&self) -> &ChainHead {
        &self.head
    }
}

/// Verify a whole chain in order. Returns the number of entries on success.
pub fn verify_chain<'a>(entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<i64, BrokenLink> {
    let mut v = Verifier::default();
    for e in entries {
        v.check(e)?;
    }
    Ok(v.verified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(n: usize) -> Vec<AuditEntry> {
        let mut h = ChainHead::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        (0..n)
            .map(|i| {
                h.append(
                    AuditEvent {
                        actor: "system".into(),
                        action: "report.create".into(),
                        object_type: "report".into(),
                        object_id: format!("CS-2026-{:06}", i + 1),
                        before_digest: None,
                        after_digest: Some(digest(&serde_json::json!({"i": i}))),
                    },
                    t0 + chrono::Duration::nanoseconds(1_234_567 * i as i64),
                )
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn edit_delete_and_reorder_are_each_detected_at_the_right_entry() {
        let mut edited = chain(5);
        edited[2].actor = "user:someone-else".into();
        assert_eq!(verify_chain(&edited).unwrap_err().seq, 3);

        let mut deleted = chain(5);
        deleted.remove(3);
        assert_eq!(verify_chain(&deleted).unwrap_err().seq, 4);

        let mut reordered = chain(5);
        reordered.swap(1, 2);
        assert_eq!(verify_chain(&reordered).unwrap_err().seq, 2);

        // Re-numbering after a delete is caught by the broken hash link.
        let mut renumbered = chain(5);
        renumbered.remove(1);
        for (i, e) in renumbered.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        assert_eq!(verify_chain(&renumbered).unwrap_err().seq, 2);

        let mut truncated_head = chain(5);
        truncated_head.remove(0);
        assert_eq!(verify_chain(&truncated_head).unwrap_err().seq, 1);
    }

    #[test]
    fn digest_is_key_order_independent() {
        let a: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
        assert_eq!(digest(&a), digest(&b));
    }
}

/// Lower-case hex SHA-256 of `bytes` (content hashes of published documents).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Does an audit action change a report's own record (so that its `after_digest` is the digest of the
/// report as stored)? Creation, amendment and lifecycle transitions do; everything else recorded against a
/// report (reads, notes, assignment, attachments, originals, deliveries) carries a digest of its own.
pub fn changes_report(action: &str) -> bool {
    action == "report.create" || action == "report.update" || action.starts_with("report.transition.")
}

#[cfg(test)]
mod changes_report_tests {
    use super::changes_report;

    #[test]
    fn only_content_changes_carry_the_report_digest() {
        for a in ["report.create", "report.update", "report.transition.acknowledge"] {
            assert!(changes_report(a), "{a}");
        }
        for a in [
            "report.attach",
            "report.note_internal",
            "report.assign",
            "report.read_original",
            "report.keep_original",
            "delivery.sent",
        ] {
            assert!(!changes_report(a), "{a}");
        }
    }
}
