//! The SQL, written once and stamped out for each backend by `candour_sql!`.
//!
//! Both backends accept `$1`-style parameters and `INSERT … ON CONFLICT … RETURNING`; the only textual
//! difference is the row lock taken on the audit head (`FOR UPDATE` on PostgreSQL; SQLite's writer holds
//! the database lock for the whole transaction instead).

/// Stamp the storage functions for one backend: `$db` (sqlx database), `$conn` (its connection type),
/// `$lock` (suffix that locks the audit head row).
macro_rules! candour_sql {
    ($db:ty, $conn:ty, $lock:literal) => {
        use crate::error::StoreError;
        use crate::types::*;
        use candour_core::audit::{AuditEntry, AuditEvent, ChainHead};
        use candour_core::identity::{Can, Grant, OrgScope, TransitionReports, ViewReports};
        use candour_core::record::{ReportRecord, Revision, State};
        use candour_core::report::{ReportBody, ValidReport};
        use candour_core::{OdsCode, Reference};
        use chrono::{DateTime, Datelike, Utc};
        use sqlx::{QueryBuilder, Row};
        use std::collections::{BTreeMap, HashMap};
        use uuid::Uuid;

        type Conn = $conn;

        fn uuid(s: &str) -> Result<Uuid, StoreError> {
            Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("bad uuid {s}: {e}")))
        }

        /// Lock (PostgreSQL) and read the end of the audit chain. Every write starts here, so writes
        /// are serialised in one order and cannot deadlock.
        pub(crate) async fn lock_head(c: &mut Conn) -> Result<ChainHead, StoreError> {
            let row = sqlx::query(concat!("SELECT seq, hash FROM audit_head WHERE id = 1", $lock))
                .fetch_one(&mut *c)
                .await?;
            Ok(ChainHead { seq: row.try_get("seq")?, hash: row.try_get("hash")? })
        }

        async fn save_head(c: &mut Conn, head: &ChainHead) -> Result<(), StoreError> {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(head.seq)
                .bind(&head.hash)
                .execute(&mut *c)
                .await?;
            Ok(())
        }

        async fn append(c: &mut Conn, head: &mut ChainHead, ev: AuditEvent, now: DateTime<Utc>) -> Result<(), StoreError> {
            let e = head.append(ev, now);
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before_digest, after_digest, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(e.seq)
            .bind(e.at)
            .bind(&e.actor)
            .bind(&e.action)
            .bind(&e.object_type)
            .bind(&e.object_id)
            .bind(&e.before_digest)
            .bind(&e.after_digest)
            .bind(&e.prev_hash)
            .bind(&e.hash)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        /// Append one audit event in its own write.
        pub(crate) async fn record_event(c: &mut Conn, ev: AuditEvent, now: DateTime<Utc>) -> Result<(), StoreError> {
            let mut head = lock_head(c).await?;
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await
        }

        /// Rows per multi-row INSERT (well under both backends' bind-parameter limits).
        const CHUNK: usize = 100;

        /// Store new reports together: one idempotency lookup, one reference-counter update per kind and
        /// year, multi-row inserts of the rows, their first revisions, idempotency keys and audit entries,
        /// and one audit-head update. Results come back in request order; a refused request (an
        /// Idempotency-Key reused with a different body) does not affect the others.
        pub(crate) async fn create_reports(c: &mut Conn, reqs: Vec<CreateReport>, t: &candour_core::Taxonomy) -> Result<Vec<Result<Created, StoreError>>, StoreError> {
            let mut head = lock_head(c).await?;
            let n = reqs.len();
            let mut out: Vec<Option<Result<Created, StoreError>>> = (0..n).map(|_| None).collect();

            // Requests made earlier with the same keys.
            let keys: Vec<String> = reqs.iter().filter_map(|r| r.idempotency.as_ref().map(|i| i.key.clone())).collect();
            let mut prior: HashMap<String, (String, Created)> = HashMap::new();
            for chunk in keys.chunks(CHUNK) {
                let mut q: QueryBuilder<$db> = QueryBuilder::new(
                    "SELECT i.key, i.request_hash, i.report_id, r.reference FROM idempotency i JOIN reports r ON r.id = i.report_id WHERE i.key IN (",
                );
                let mut sep = q.separated(", ");
                for k in chunk {
                    sep.push_bind(k.clone());
                }
                sep.push_unseparated(")");
                for row in q.build().fetch_all(&mut *c).await? {
                    let reference: String = row.try_get("reference")?;
                    let created = Created {
                        id: uuid(&row.try_get::<String, _>("report_id")?)?,
                        reference: reference.parse().map_err(StoreError::Corrupt)?,
                        replayed: true,
                    };
                    prior.insert(row.try_get("key")?, (row.try_get("request_hash")?, created));
                }
            }

            // Replays and refusals; a key repeated within this batch is settled once its first use is stored.
            let mut fresh: Vec<(usize, CreateReport)> = Vec::with_capacity(n);
            let mut first_use: HashMap<String, (String, usize)> = HashMap::new();
            let mut repeats: Vec<(usize, usize, bool)> = Vec::new();
            for (i, req) in reqs.into_iter().enumerate() {
                if let Some(idem) = &req.idempotency {
                    if let Some((hash, created)) = prior.get(&idem.key) {
                        out[i] = Some(if *hash == idem.request_hash { Ok(created.clone()) } else { Err(StoreError::IdempotencyMismatch) });
                        continue;
                    }
                    if let Some((hash, j)) = first_use.get(&idem.key) {
                        repeats.push((i, *j, *hash == idem.request_hash));
                        continue;
                    }
                    first_use.insert(idem.key.clone(), (idem.request_hash.clone(), i));
                }
                fresh.push((i, req));
            }

            // References: reserve a block per kind and year.
            let mut wanted: BTreeMap<(&'static str, i32), i64> = BTreeMap::new();
            for (_, r) in &fresh {
                *wanted.entry((r.report.body().kind.as_str(), r.now.year())).or_default() += 1;
            }
            let mut next: BTreeMap<(&'static str, i32), i64> = BTreeMap::new();
            for ((kind, year), count) in wanted {
                let last: i64 = sqlx::query(
                    "INSERT INTO ref_counters (kind, year, last_seq) VALUES ($1, $2, $3) \
                     ON CONFLICT (kind, year) DO UPDATE SET last_seq = ref_counters.last_seq + excluded.last_seq RETURNING last_seq",
                )
                .bind(kind)
                .bind(i64::from(year))
                .bind(count)
                .fetch_one(&mut *c)
                .await?
                .try_get("last_seq")?;
                next.insert((kind, year), last - count + 1);
            }

            let head_time = fresh.iter().map(|(_, r)| r.now).max().unwrap_or_else(Utc::now);
            let mut records = Vec::with_capacity(fresh.len());
            let mut messages = Vec::new();
            let mut attach = Vec::new();
            let mut originals = Vec::new();
            for (i, req) in fresh {
                let kind = req.report.body().kind;
                let year = req.now.year();
                let slot = next.get_mut(&(kind.as_str(), year)).ok_or_else(|| StoreError::Corrupt("no reference block".into()))?;
                let seq = u32::try_from(*slot).map_err(|_| StoreError::Corrupt("reference counter overflow".into()))?;
                *slot += 1;
                let record = ReportRecord::new_received(Uuid::now_v7(), Reference::new(kind, year, seq), req.taxonomy_version, req.report, req.routing, req.now)?;
                let ev = AuditEvent {
                    actor: req.actor.clone(),
                    action: "report.create".into(),
                    object_type: "report".into(),
                    object_id: record.reference.to_string(),
                    before_digest: None,
                    after_digest: Some(record.digest()),
                };
                let entry = head.append(ev, req.now);
                out[i] = Some(Ok(Created { id: record.id, reference: record.reference.clone(), replayed: false }));
                for p in &req.deliveries {
                    messages.push((record.id, record.reference.to_string(), candour_core::outbox::queued(&record, p, t)));
                }
                if let Some(d) = req.attachments_from_draft {
                    attach.push((record.id, record.reference.to_string(), req.actor.clone(), d, req.now, req.keep_draft_originals));
                }
                if let Some(o) = req.original {
                    originals.push((record.id, record.reference.to_string(), req.actor.clone(), o, req.now));
                }
                records.push((record, req.actor, req.idempotency, entry, req.tracking_hash));
            }
            for (i, j, same) in repeats {
                out[i] = Some(match (&out[j], same) {
                    (Some(Ok(c)), true) => Ok(Created { replayed: true, ..c.clone() }),
                    (Some(Ok(_)), false) => Err(StoreError::IdempotencyMismatch),
                    _ => Err(StoreError::Unavailable),
                });
            }

            for chunk in records.chunks(CHUNK) {
                let mut q: QueryBuilder<$db> = QueryBuilder::new(
                    "INSERT INTO reports (id, reference, kind, title, status, revision, ods_code, product, urgency, max_harm_rank, \
                     patients_harmed_now, acknowledged, taxonomy_version, body, state, created_at, updated_at, routing, tracking_hash) ",
                );
                let mut failed = None;
                q.push_values(chunk, |mut b, (r, _, _, _, tracking)| {
                    let body = r.report.body();
                    let routing = r.routing.as_ref().map(serde_json::to_string).transpose();
                    let (json, state, routing) = match (serde_json::to_string(body), serde_json::to_string(&r.state), routing) {
                        (Ok(j), Ok(s), Ok(rt)) => (j, s, rt),
                        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                            failed = Some(e);
                            (String::new(), String::new(), None)
                        }
                    };
                    b.push_bind(r.id.to_string())
                        .push_bind(r.reference.to_string())
                        .push_bind(body.kind.as_str())
                        .push_bind(body.title.clone())
                        .push_bind(r.state.status.as_str())
                        .push_bind(r.revision)
                        .push_bind(r.report.ods().as_str().to_string())
                        .push_bind(r.report.product().map(str::to_string))
                        .push_bind(body.urgency.clone())
                        .push_bind(i64::from(r.report.max_physical_rank(t)))
                        .push_bind(body.patients_harmed_now.clone())
                        .push_bind(false)
                        .push_bind(r.taxonomy_version.clone())
                        .push_bind(json)
                        .push_bind(state)
                        .push_bind(r.created_at)
                        .push_bind(r.updated_at)
                        .push_bind(routing)
                        .push_bind(tracking.clone());
                });
                if let Some(e) = failed {
                    return Err(e.into());
                }
                q.build().execute(&mut *c).await?;

                let mut q: QueryBuilder<$db> =
                    QueryBuilder::new("INSERT INTO report_revisions (report_id, revision, action, actor, at, body, state) ");
                let mut failed = None;
                q.push_values(chunk, |mut b, (r, actor, _, _, _)| {
                    let (json, state) = match (serde_json::to_string(r.report.body()), serde_json::to_string(&r.state)) {
                        (Ok(j), Ok(s)) => (j, s),
                        (Err(e), _) | (_, Err(e)) => {
                            failed = Some(e);
                            (String::new(), String::new())
                        }
                    };
                    b.push_bind(r.id.to_string())
                        .push_bind(r.revision)
                        .push_bind("create")
                        .push_bind(actor.clone())
                        .push_bind(r.updated_at)
                        .push_bind(json)
                        .push_bind(state);
                });
                if let Some(e) = failed {
                    return Err(e.into());
                }
                q.build().execute(&mut *c).await?;

                let keyed: Vec<_> = chunk.iter().filter_map(|(r, _, i, _, _)| i.as_ref().map(|i| (r, i))).collect();
                if !keyed.is_empty() {
                    let mut q: QueryBuilder<$db> = QueryBuilder::new("INSERT INTO idempotency (key, request_hash, report_id, created_at) ");
                    q.push_values(keyed, |mut b, (r, i)| {
                        b.push_bind(i.key.clone()).push_bind(i.request_hash.clone()).push_bind(r.id.to_string()).push_bind(r.created_at);
                    });
                    q.build().execute(&mut *c).await?;
                }

                let mut q: QueryBuilder<$db> = QueryBuilder::new(
                    "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, before_digest, after_digest, prev_hash, hash) ",
                );
                q.push_values(chunk, |mut b, (_, _, _, e, _)| {
                    b.push_bind(e.seq)
                        .push_bind(e.at)
                        .push_bind(e.actor.clone())
                        .push_bind(e.action.clone())
                        .push_bind(e.object_type.clone())
                        .push_bind(e.object_id.clone())
                        .push_bind(e.before_digest.clone())
                        .push_bind(e.after_digest.clone())
                        .push_bind(e.prev_hash.clone())
                        .push_bind(e.hash.clone());
                });
                q.build().execute(&mut *c).await?;
            }
            for chunk in messages.chunks(CHUNK) {
                let mut q: QueryBuilder<$db> = QueryBuilder::new(
                    "INSERT INTO outbox (id, report_id, reference, destination, channel, address, subject, body, status, attempts, \
                     next_attempt_at, last_error, created_at, sent_at) ",
                );
                q.push_values(chunk, |mut b, (report_id, reference, m)| {
                    b.push_bind(m.id.to_string())
                        .push_bind(report_id.to_string())
                        .push_bind(reference.clone())
                        .push_bind(m.destination.clone())
                        .push_bind(m.channel.as_str())
                        .push_bind(m.address.clone())
                        .push_bind(m.subject.clone())
                        .push_bind(m.body.clone())
                        .push_bind("pending")
                        .push_bind(0i64)
                        .push_bind(head_time)
                        .push_bind(None::<String>)
                        .push_bind(head_time)
                        .push_bind(None::<DateTime<Utc>>);
                });
                q.build().execute(&mut *c).await?;
            }
            // Originals kept by organisation policy, encrypted, in the same transaction; audited by digest.
            for (report_id, reference, actor, o, now) in originals {
                sqlx::query(
                    "INSERT INTO originals (id, draft_id, report_id, attachment_id, kind, key_id, nonce, ciphertext, created_at) \
                     VALUES ($1, NULL, $2, NULL, 'text', $3, $4, $5, $6)",
                )
                .bind(Uuid::now_v7().to_string())
                .bind(report_id.to_string())
                .bind(&o.key_id)
                .bind(&o.nonce)
                .bind(&o.ciphertext)
                .bind(now)
                .execute(&mut *c)
                .await?;
                let ev = AuditEvent {
                    actor,
                    action: "report.keep_original".into(),
                    object_type: "report".into(),
                    object_id: reference,
                    before_digest: None,
                    after_digest: Some({
                        use sha2::Digest;
                        hex::encode(sha2::Sha256::digest(&o.ciphertext))
                    }),
                };
                append(c, &mut head, ev, now).await?;
            }
            // A web report's screenshots move from its draft to it, in this transaction, audited by digest.
            for (report_id, reference, actor, draft, now, keep) in attach {
                // Screenshot originals go with the report only if the policy of the organisation it is for,
                // at submission, keeps them; otherwise they are deleted here.
                if keep {
                    sqlx::query("UPDATE originals SET report_id = $1, draft_id = NULL WHERE draft_id = $2")
                        .bind(report_id.to_string())
                        .bind(&draft)
                        .execute(&mut *c)
                        .await?;
                } else {
                    sqlx::query("DELETE FROM originals WHERE draft_id = $1 AND report_id IS NULL")
                        .bind(&draft)
                        .execute(&mut *c)
                        .await?;
                }
                let rows = sqlx::query("UPDATE attachments SET report_id = $1, draft_id = NULL WHERE draft_id = $2 RETURNING sha256")
                    .bind(report_id.to_string())
                    .bind(&draft)
                    .fetch_all(&mut *c)
                    .await?;
                if rows.is_empty() {
                    continue;
                }
                let sums = rows.iter().map(|r| r.try_get::<String, _>("sha256")).collect::<Result<Vec<_>, _>>()?;
                let ev = AuditEvent {
                    actor,
                    action: "report.attach".into(),
                    object_type: "report".into(),
                    object_id: reference,
                    before_digest: None,
                    after_digest: Some(candour_core::audit::digest(&serde_json::json!({ "sha256": sums }))),
                };
                append(c, &mut head, ev, now).await?;
            }
            save_head(c, &head).await?;
            Ok(out.into_iter().map(|o| o.unwrap_or(Err(StoreError::Unavailable))).collect())
        }

        async fn insert_revision(c: &mut Conn, rev: &Revision, id: Uuid) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO report_revisions (report_id, revision, action, actor, at, body, state) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id.to_string())
            .bind(rev.revision)
            .bind(&rev.action)
            .bind(&rev.actor)
            .bind(rev.at)
            .bind(serde_json::to_string(&rev.body)?)
            .bind(serde_json::to_string(&rev.state)?)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        const REPORT_COLUMNS: &str =
            "SELECT id, reference, revision, taxonomy_version, body, state, created_at, updated_at, routing FROM reports";

        fn record_from_row(row: &<$db as sqlx::Database>::Row) -> Result<ReportRecord, StoreError> {
            let id: String = row.try_get("id")?;
            let reference: String = row.try_get("reference")?;
            let body: String = row.try_get("body")?;
            let state: String = row.try_get("state")?;
            let body: ReportBody = serde_json::from_str(&body)?;
            Ok(ReportRecord {
                id: uuid(&id)?,
                reference: reference.parse().map_err(StoreError::Corrupt)?,
                revision: row.try_get("revision")?,
                taxonomy_version: row.try_get("taxonomy_version")?,
                report: ValidReport::from_stored(body).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                state: serde_json::from_str::<State>(&state)?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                routing: row.try_get::<Option<String>, _>("routing")?.map(|r| serde_json::from_str(&r)).transpose()?,
            })
        }

        /// A report by reference, ignoring scope (callers check it).
        pub(crate) async fn load_report(c: &mut Conn, reference: &Reference) -> Result<Option<ReportRecord>, StoreError> {
            let q = format!("{REPORT_COLUMNS} WHERE reference = $1");
            let row = sqlx::query(&q).bind(reference.to_string()).fetch_optional(&mut *c).await?;
            row.as_ref().map(record_from_row).transpose()
        }

        pub(crate) async fn put_draft(c: &mut Conn, id: &str, data: &str, expires_at: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query("DELETE FROM report_drafts WHERE expires_at < $1").bind(Utc::now()).execute(&mut *c).await?;
            // Files held against drafts that are gone (expired, never sent) go with them.
            sqlx::query("DELETE FROM attachments WHERE report_id IS NULL AND draft_id NOT IN (SELECT id FROM report_drafts)")
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM originals WHERE report_id IS NULL AND draft_id NOT IN (SELECT id FROM report_drafts)")
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO report_drafts (id, data, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
            )
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn draft(c: &mut Conn, id: &str, now: DateTime<Utc>) -> Result<Option<String>, StoreError> {
            let row = sqlx::query("SELECT data FROM report_drafts WHERE id = $1 AND expires_at > $2").bind(id).bind(now).fetch_optional(&mut *c).await?;
            row.map(|r| r.try_get("data")).transpose().map_err(Into::into)
        }

        pub(crate) async fn delete_draft(c: &mut Conn, id: &str) -> Result<(), StoreError> {
            sqlx::query("DELETE FROM report_drafts WHERE id = $1").bind(id).execute(&mut *c).await?;
            Ok(())
        }

        pub(crate) async fn report_by_tracking(c: &mut Conn, token_hash: &str) -> Result<Option<ReportRecord>, StoreError> {
            let q = format!("{REPORT_COLUMNS} WHERE tracking_hash = $1");
            let row = sqlx::query(&q).bind(token_hash).fetch_optional(&mut *c).await?;
            row.as_ref().map(record_from_row).transpose()
        }

        pub(crate) async fn get_report(c: &mut Conn, can: &Can<ViewReports>, reference: &Reference) -> Result<Option<ReportRecord>, StoreError> {
            Ok(load_report(c, reference).await?.filter(|r| can.covers(r.report.ods())))
        }

        /// The report a change applies to: in the caller's organisations, and at the revision they saw.
        async fn load_for_change(c: &mut Conn, can: &Can<TransitionReports>, reference: &Reference, expected: Option<i64>) -> Result<ReportRecord, StoreError> {
            let Some(cur) = load_report(c, reference).await?.filter(|r| can.covers(r.report.ods())) else {
                return Err(StoreError::NotFound);
            };
            match expected {
                Some(e) if e != cur.revision => Err(StoreError::Conflict { expected: e, current: cur.revision }),
                _ => Ok(cur),
            }
        }

        /// Store `next` over `cur` (guarded by `cur`'s revision), its revision snapshot and its audit entry.
        /// `action` is `update` or a lifecycle action name.
        async fn save_change(
            c: &mut Conn,
            mut head: ChainHead,
            cur: &ReportRecord,
            next: &ReportRecord,
            action: &str,
            actor: &str,
            t: &candour_core::Taxonomy,
        ) -> Result<(), StoreError> {
            let b = next.report.body();
            let done = sqlx::query(
                "UPDATE reports SET status = $1, revision = $2, acknowledged = $3, state = $4, updated_at = $5, title = $6, ods_code = $7, \
                 product = $8, urgency = $9, max_harm_rank = $10, patients_harmed_now = $11, taxonomy_version = $12, body = $13 \
                 WHERE id = $14 AND revision = $15",
            )
            .bind(next.state.status.as_str())
            .bind(next.revision)
            .bind(next.state.acknowledgement.is_some())
            .bind(serde_json::to_string(&next.state)?)
            .bind(next.updated_at)
            .bind(&b.title)
            .bind(next.report.ods().as_str())
            .bind(next.report.product())
            .bind(&b.urgency)
            .bind(i64::from(next.report.max_physical_rank(t)))
            .bind(&b.patients_harmed_now)
            .bind(&next.taxonomy_version)
            .bind(serde_json::to_string(b)?)
            .bind(cur.id.to_string())
            .bind(cur.revision)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if done != 1 {
                return Err(StoreError::Conflict { expected: cur.revision, current: cur.revision + 1 });
            }
            insert_revision(c, &next.snapshot(action, actor), cur.id).await?;
            let ev = AuditEvent {
                actor: actor.to_string(),
                action: if action == "update" { "report.update".into() } else { format!("report.transition.{action}") },
                object_type: "report".into(),
                object_id: cur.reference.to_string(),
                before_digest: Some(cur.digest()),
                after_digest: Some(next.digest()),
            };
            append(c, &mut head, ev, next.updated_at).await?;
            save_head(c, &head).await
        }

        /// Apply a lifecycle action: revision check, the lifecycle rule, then the change.
        pub(crate) async fn transition(c: &mut Conn, can: &Can<TransitionReports>, req: TransitionRequest, t: &candour_core::Taxonomy) -> Result<ReportRecord, StoreError> {
            let head = lock_head(c).await?;
            let cur = load_for_change(c, can, &req.reference, req.expected_revision).await?;
            let name = req.action.name().as_str();
            let next = cur.apply(req.action, can.actor(), req.now)?;
            // Cyber incidents and vulnerabilities close only after their clinical impact is assessed and,
            // unless it is none, reviewed by a Clinical Safety Officer (issue 7). Withdrawing one (as a
            // duplicate, say) needs no assessment, but an impact that awaits a CSO's review still does.
            let closing = next.state.status == candour_core::Status::Closed;
            let withdrawing = next.state.status == candour_core::Status::Withdrawn;
            if closing || withdrawing {
                if let Some(why) = closure_blocker(c, &cur).await? {
                    if closing || why.errors.iter().any(|e| e.code == "cso_review_required") {
                        return Err(StoreError::Lifecycle(candour_core::lifecycle::LifecycleError::Invalid(why)));
                    }
                }
            }
            save_change(c, head, &cur, &next, name, can.actor(), t).await?;
            Ok(next)
        }

        /// Amend a report's content: revision check, the domain's amend rules, then the change. The caller
        /// must cover the report's organisation before and after.
        pub(crate) async fn update_report(c: &mut Conn, can: &Can<TransitionReports>, req: UpdateRequest, t: &candour_core::Taxonomy) -> Result<ReportRecord, StoreError> {
            let head = lock_head(c).await?;
            let cur = load_for_change(c, can, &req.reference, Some(req.expected_revision)).await?;
            let next = cur.amend(req.body, t, req.now)?;
            if !can.covers(next.report.ods()) {
                return Err(StoreError::Lifecycle(candour_core::lifecycle::LifecycleError::Invalid(
                    candour_core::ValidationErrors::one("ods_code", "not_allowed", "you cannot move a report to an organisation outside your roles"),
                )));
            }
            save_change(c, head, &cur, &next, "update", can.actor(), t).await?;
            Ok(next)
        }

        const OUTBOX_COLUMNS: &str = "SELECT id, reference, destination, channel, address, subject, body, status, attempts, \
            next_attempt_at, last_error, created_at, sent_at, purpose FROM outbox";

        fn outbox_from_row(r: &<$db as sqlx::Database>::Row) -> Result<OutboxMessage, StoreError> {
            Ok(OutboxMessage {
                id: uuid(&r.try_get::<String, _>("id")?)?,
                reference: r.try_get("reference")?,
                destination: r.try_get("destination")?,
                channel: r.try_get("channel")?,
                address: r.try_get("address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                next_attempt_at: r.try_get("next_attempt_at")?,
                last_error: r.try_get("last_error")?,
                created_at: r.try_get("created_at")?,
                sent_at: r.try_get("sent_at")?,
                purpose: r.try_get("purpose")?,
            })
        }

        /// Lease due messages to a sender (in the writer's transaction, so two senders never take the same).
        pub(crate) async fn claim_outbox(c: &mut Conn, now: DateTime<Utc>, limit: i64, lease: chrono::Duration, channels: &[String]) -> Result<Vec<OutboxMessage>, StoreError> {
            if channels.is_empty() {
                return Ok(Vec::new());
            }
            let mut q: QueryBuilder<$db> = QueryBuilder::new(format!("{OUTBOX_COLUMNS} WHERE status = 'pending' AND next_attempt_at <= "));
            q.push_bind(now).push(" AND channel IN (");
            let mut sep = q.separated(", ");
            for ch in channels {
                sep.push_bind(ch.clone());
            }
            sep.push_unseparated(") ORDER BY next_attempt_at LIMIT ");
            q.push_bind(limit);
            let rows = q.build().fetch_all(&mut *c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut m = outbox_from_row(row)?;
                m.attempts += 1;
                m.next_attempt_at = now + lease;
                sqlx::query("UPDATE outbox SET attempts = $1, next_attempt_at = $2 WHERE id = $3")
                    .bind(m.attempts)
                    .bind(m.next_attempt_at)
                    .bind(m.id.to_string())
                    .execute(&mut *c)
                    .await?;
                out.push(m);
            }
            Ok(out)
        }

        /// Record a delivery attempt's end, with its audit entry.
        pub(crate) async fn finish_delivery(c: &mut Conn, id: Uuid, outcome: DeliveryOutcome, now: DateTime<Utc>) -> Result<(), StoreError> {
            let mut head = lock_head(c).await?;
            let (status, action, error, next) = match &outcome {
                DeliveryOutcome::Sent => ("sent", "outbox.sent", None, now),
                DeliveryOutcome::Failed { error, retry_at: Some(t) } => ("pending", "outbox.retry", Some(error.clone()), *t),
                DeliveryOutcome::Failed { error, retry_at: None } => ("dead", "outbox.dead", Some(error.clone()), now),
            };
            let sent_at = (status == "sent").then_some(now);
            let row = sqlx::query(
                "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, sent_at = $4 WHERE id = $5 AND status = 'pending' \
                 RETURNING reference, destination, channel",
            )
            .bind(status)
            .bind(&error)
            .bind(next)
            .bind(sent_at)
            .bind(id.to_string())
            .fetch_optional(&mut *c)
            .await?;
            let Some(row) = row else { return Err(StoreError::NotFound) };
            let reference: String = row.try_get("reference")?;
            let what = serde_json::json!({
                "message": id, "destination": row.try_get::<String, _>("destination")?,
                "channel": row.try_get::<String, _>("channel")?, "status": status, "error": error,
            });
            let ev = AuditEvent {
                actor: "system:delivery".into(),
                action: action.into(),
                object_type: "report".into(),
                object_id: reference,
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&what)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await
        }

        pub(crate) async fn outbox(c: &mut Conn, status: Option<&str>, reference: Option<&str>) -> Result<Vec<OutboxMessage>, StoreError> {
            let mut q: QueryBuilder<$db> = QueryBuilder::new(format!("{OUTBOX_COLUMNS} WHERE 1 = 1"));
            if let Some(s) = status {
                q.push(" AND status = ").push_bind(s.to_string());
            }
            if let Some(r) = reference {
                q.push(" AND reference = ").push_bind(r.to_string());
            }
            q.push(" ORDER BY created_at, id LIMIT 1000");
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter().map(outbox_from_row).collect()
        }

        /// Destinations sent a report (first sent before `sent_before`) that nobody there has answered and
        /// that have not been escalated, on reports still open; oldest first.
        pub(crate) async fn chase_candidates(c: &mut Conn, sent_before: DateTime<Utc>, org_scoped: &[String], limit: i64) -> Result<Vec<ChaseCandidate>, StoreError> {
            let mut q: QueryBuilder<$db> = QueryBuilder::new(
                "SELECT o.report_id, o.reference, o.destination, MIN(COALESCE(o.sent_at, o.next_attempt_at)) AS first_sent, \
                 SUM(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END) AS delivered, \
                 MAX(CASE WHEN s.step = 'reminder' THEN s.at END) AS reminded_at \
                 FROM outbox o JOIN reports r ON r.id = o.report_id \
                 LEFT JOIN chase_steps s ON s.report_id = o.report_id AND s.destination = o.destination \
                 WHERE o.purpose = 'routed' AND (o.status = 'dead' OR (o.status = 'sent' AND o.sent_at <= ",
            );
            q.push_bind(sent_before).push(
                ")) AND r.status NOT IN ('closed', 'withdrawn') \
                 AND NOT EXISTS (SELECT 1 FROM destination_responses d WHERE d.report_id = o.report_id AND d.destination = o.destination) \
                 AND NOT EXISTS (SELECT 1 FROM chase_steps e WHERE e.report_id = o.report_id AND e.destination = o.destination AND e.step = 'escalation')",
            );
            // A named person in the organisation acknowledging the report answers for its own destinations.
            if !org_scoped.is_empty() {
                q.push(" AND NOT (r.acknowledged AND o.destination IN (");
                let mut sep = q.separated(", ");
                for d in org_scoped {
                    sep.push_bind(d.clone());
                }
                sep.push_unseparated("))");
            }
            q.push(" GROUP BY o.report_id, o.reference, o.destination ORDER BY MIN(COALESCE(o.sent_at, o.next_attempt_at)) LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    Ok(ChaseCandidate {
                        report_id: uuid(&r.try_get::<String, _>("report_id")?)?,
                        reference: r.try_get("reference")?,
                        destination: r.try_get("destination")?,
                        sent_at: r.try_get("first_sent")?,
                        delivered: r.try_get::<i64, _>("delivered")? > 0,
                        reminded_at: r.try_get("reminded_at")?,
                    })
                })
                .collect()
        }

        /// Queue one planned message (its body is the opening lines given; the worker adds the report).
        /// `false` when that message (the same id, or the same report, destination, channel and purpose)
        /// is already queued: it is left as it is (delivery is at least once, ids are stable).
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn queue_message(
            c: &mut Conn,
            id: Uuid,
            report_id: Uuid,
            reference: &str,
            m: &candour_core::outbox::Planned,
            subject: &str,
            body: &str,
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let n = sqlx::query(
                "INSERT INTO outbox (id, report_id, reference, destination, channel, address, subject, body, status, attempts, \
                 next_attempt_at, last_error, created_at, sent_at, purpose) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, NULL, $9, NULL, $10) ON CONFLICT DO NOTHING",
            )
            .bind(id.to_string())
            .bind(report_id.to_string())
            .bind(reference)
            .bind(&m.destination)
            .bind(m.channel.as_str())
            .bind(&m.address)
            .bind(subject)
            .bind(body)
            .bind(now)
            .bind(m.purpose.as_str())
            .execute(&mut *c)
            .await?
            .rows_affected();
            Ok(n > 0)
        }

        /// Record a chasing step once, with its messages and its audit entry. `false` when the step was
        /// already taken (another worker got there first): nothing is written.
        pub(crate) async fn record_chase(c: &mut Conn, ch: NewChase) -> Result<bool, StoreError> {
            let mut head = lock_head(c).await?;
            let p = &ch.plan;
            let done = sqlx::query(
                "INSERT INTO chase_steps (report_id, destination, step, told, messages, note, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (report_id, destination, step) DO NOTHING",
            )
            .bind(ch.report_id.to_string())
            .bind(&p.destination)
            .bind(p.step.as_str())
            .bind(&p.to)
            .bind(p.messages.len() as i64)
            .bind(&p.preamble)
            .bind(ch.now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if done == 0 {
                return Ok(false);
            }
            for m in &p.messages {
                queue_message(c, m.id(ch.report_id), ch.report_id, &ch.reference, m, &ch.subject, &p.preamble, ch.now).await?;
            }
            let what = serde_json::json!({
                "destination": p.destination, "step": p.step, "told": p.to, "messages": p.messages.len(), "note": p.preamble,
            });
            let ev = AuditEvent {
                actor: "system:chaser".into(),
                action: format!("destination.{}", p.step.as_str()),
                object_type: "report".into(),
                object_id: ch.reference.clone(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&what)),
            };
            append(c, &mut head, ev, ch.now).await?;
            save_head(c, &head).await?;
            Ok(true)
        }

        fn chase_from_row(r: &<$db as sqlx::Database>::Row) -> Result<ChaseRecord, StoreError> {
            Ok(ChaseRecord {
                destination: r.try_get("destination")?,
                step: r.try_get("step")?,
                told: r.try_get("told")?,
                messages: r.try_get("messages")?,
                note: r.try_get("note")?,
                at: r.try_get("at")?,
            })
        }

        /// Every chasing step taken for a report, in order.
        pub(crate) async fn chase_steps(c: &mut Conn, report_id: Uuid) -> Result<Vec<ChaseRecord>, StoreError> {
            let rows = sqlx::query("SELECT destination, step, told, messages, note, at FROM chase_steps WHERE report_id = $1 ORDER BY at, destination")
                .bind(report_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(chase_from_row).collect()
        }

        /// Store a new version of the routing tables (audited); returns its number.
        pub(crate) async fn put_routing(c: &mut Conn, v: NewRoutingVersion, actor: &str) -> Result<i64, StoreError> {
            let mut head = lock_head(c).await?;
            let last: Option<i64> = sqlx::query("SELECT MAX(version) AS v FROM routing_versions")
                .fetch_one(&mut *c)
                .await?
                .try_get("v")?;
            let version = last.unwrap_or(0) + 1;
            let labels = v.labels.join(" / ");
            sqlx::query(
                "INSERT INTO routing_versions (version, directory, rules, obligations, labels, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(version)
            .bind(&v.files[0])
            .bind(&v.files[1])
            .bind(&v.files[2])
            .bind(&labels)
            .bind(&v.note)
            .bind(actor)
            .bind(v.now)
            .execute(&mut *c)
            .await?;
            let what = serde_json::json!({ "version": version, "labels": labels, "note": v.note, "files": v.files });
            let ev = AuditEvent {
                actor: actor.to_string(),
                action: "routing.update".into(),
                object_type: "routing".into(),
                object_id: version.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&what)),
            };
            append(c, &mut head, ev, v.now).await?;
            save_head(c, &head).await?;
            Ok(version)
        }

        fn routing_from_row(r: &<$db as sqlx::Database>::Row) -> Result<RoutingVersion, StoreError> {
            Ok(RoutingVersion {
                version: r.try_get("version")?,
                files: [r.try_get("directory")?, r.try_get("rules")?, r.try_get("obligations")?],
                labels: r.try_get("labels")?,
                note: r.try_get("note")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
            })
        }

        /// The newest stored version of the routing tables, or one by number.
        pub(crate) async fn routing_version(c: &mut Conn, version: Option<i64>) -> Result<Option<RoutingVersion>, StoreError> {
            let base = "SELECT version, directory, rules, obligations, labels, note, created_by, created_at FROM routing_versions";
            let row = match version {
                Some(v) => sqlx::query(&format!("{base} WHERE version = $1")).bind(v).fetch_optional(&mut *c).await?,
                None => sqlx::query(&format!("{base} ORDER BY version DESC LIMIT 1")).fetch_optional(&mut *c).await?,
            };
            row.as_ref().map(routing_from_row).transpose()
        }

        /// Every stored version, newest first, without the files.
        pub(crate) async fn routing_versions(c: &mut Conn) -> Result<Vec<RoutingVersion>, StoreError> {
            let rows = sqlx::query("SELECT version, '' AS directory, '' AS rules, '' AS obligations, labels, note, created_by, created_at FROM routing_versions ORDER BY version DESC")
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(routing_from_row).collect()
        }

        /// A page of the outbox in id order (time order), after `after`.
        pub(crate) async fn outbox_page(c: &mut Conn, status: Option<&str>, after: Option<Uuid>, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
            let mut q: QueryBuilder<$db> = QueryBuilder::new(format!("{OUTBOX_COLUMNS} WHERE 1 = 1"));
            if let Some(s) = status {
                q.push(" AND status = ").push_bind(s.to_string());
            }
            if let Some(a) = after {
                q.push(" AND id > ").push_bind(a.to_string());
            }
            q.push(" ORDER BY id LIMIT ").push_bind(limit.clamp(1, 1000));
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter().map(outbox_from_row).collect()
        }

        fn response_from_row(r: &<$db as sqlx::Database>::Row) -> Result<DestinationResponse, StoreError> {
            Ok(DestinationResponse {
                destination: r.try_get("destination")?,
                kind: r.try_get("kind")?,
                name: r.try_get("name")?,
                role: r.try_get("role")?,
                method: r.try_get("method")?,
                note: r.try_get("note")?,
                at: r.try_get("at")?,
                recorded_by: r.try_get("recorded_by")?,
            })
        }

        const RESPONSE_COLUMNS: &str = "SELECT destination, kind, name, role, method, note, at, recorded_by FROM destination_responses";

        pub(crate) async fn responses(c: &mut Conn, report_id: Uuid) -> Result<Vec<DestinationResponse>, StoreError> {
            let q = format!("{RESPONSE_COLUMNS} WHERE report_id = $1 ORDER BY at, id");
            let rows = sqlx::query(&q).bind(report_id.to_string()).fetch_all(&mut *c).await?;
            rows.iter().map(response_from_row).collect()
        }

        pub(crate) async fn outbox_message(c: &mut Conn, id: Uuid) -> Result<Option<OutboxMessage>, StoreError> {
            let q = format!("{OUTBOX_COLUMNS} WHERE id = $1");
            let row = sqlx::query(&q).bind(id.to_string()).fetch_optional(&mut *c).await?;
            row.as_ref().map(outbox_from_row).transpose()
        }

        /// Record a response. A destination acknowledges once: a second acknowledgement (a reused link, a
        /// second call) returns the first and records nothing.
        pub(crate) async fn record_response(c: &mut Conn, can: Option<&Can<TransitionReports>>, r: NewResponse) -> Result<Recorded, StoreError> {
            let mut head = lock_head(c).await?;
            let (report_id, reference, destination, recorded_by) = match (&r.by, can) {
                (Responder::Link { message_id }, _) => {
                    let row = sqlx::query("SELECT report_id, reference, destination FROM outbox WHERE id = $1")
                        .bind(message_id.to_string())
                        .fetch_optional(&mut *c)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    (row.try_get::<String, _>("report_id")?, row.try_get::<String, _>("reference")?, row.try_get::<String, _>("destination")?, "link".to_string())
                }
                (Responder::Staff { reference, destination }, Some(can)) => {
                    let rec = load_report(c, reference).await?.filter(|x| can.covers(x.report.ods())).ok_or(StoreError::NotFound)?;
                    let routed = rec.routing.as_ref().is_some_and(|d| d.to(destination).is_some());
                    if !routed {
                        return Err(StoreError::Constraint("destination_responses_destination_routed".into()));
                    }
                    (rec.id.to_string(), rec.reference.to_string(), destination.clone(), can.actor().to_string())
                }
                (Responder::Staff { .. }, None) => return Err(StoreError::NotFound),
            };
            if r.kind == "acknowledged" {
                let q = format!("{RESPONSE_COLUMNS} WHERE report_id = $1 AND destination = $2 AND kind = 'acknowledged' ORDER BY at LIMIT 1");
                let prior = sqlx::query(&q).bind(&report_id).bind(&destination).fetch_optional(&mut *c).await?;
                if let Some(p) = prior {
                    return Ok(Recorded { reference, destination, response: response_from_row(&p)?, already: true });
                }
            }
            let response = DestinationResponse {
                destination: destination.clone(),
                kind: r.kind.clone(),
                name: r.name,
                role: r.role,
                method: r.method,
                note: r.note,
                at: r.now,
                recorded_by,
            };
            sqlx::query(
                "INSERT INTO destination_responses (id, report_id, destination, kind, name, role, method, note, at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(&report_id)
            .bind(&destination)
            .bind(&response.kind)
            .bind(&response.name)
            .bind(&response.role)
            .bind(&response.method)
            .bind(&response.note)
            .bind(response.at)
            .bind(&response.recorded_by)
            .execute(&mut *c)
            .await?;
            let ev = AuditEvent {
                actor: if response.recorded_by == "link" { format!("link:{} {}", response.name, response.role) } else { response.recorded_by.clone() },
                action: format!("destination.{}", response.kind),
                object_type: "report".into(),
                object_id: reference.clone(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&response)?)),
            };
            append(c, &mut head, ev, r.now).await?;
            save_head(c, &head).await?;
            Ok(Recorded { reference, destination, response, already: false })
        }

        /// A named key, created (256 random bits) the first time it is asked for.
        pub(crate) async fn app_secret(c: &mut Conn, name: &str) -> Result<Vec<u8>, StoreError> {
            // Insert-if-absent, then read: two instances asking at once both end up with the winner's key.
            let candidate = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
            sqlx::query("INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(&candidate)
                .execute(&mut *c)
                .await?;
            let value: String = sqlx::query("SELECT value FROM app_secrets WHERE name = $1").bind(name).fetch_one(&mut *c).await?.try_get("value")?;
            Ok(value.into_bytes())
        }

        pub(crate) async fn list_reports(c: &mut Conn, can: &Can<ViewReports>, f: &ReportFilter, t: &candour_core::Taxonomy) -> Result<Vec<ReportSummary>, StoreError> {
            let mut q: QueryBuilder<$db> = QueryBuilder::new(
                "SELECT seq, id, reference, kind, title, status, revision, ods_code, product, urgency, max_harm_rank, \
                 patients_harmed_now, acknowledged, created_at, updated_at, \
                 (SELECT a.assignee FROM report_assignments a WHERE a.report_id = reports.id) AS assigned_to \
                 FROM reports WHERE 1 = 1",
            );
            if let OrgScope::Only(orgs) = can.scope() {
                q.push(" AND ods_code IN (");
                let mut sep = q.separated(", ");
                for o in orgs {
                    sep.push_bind(o.as_str().to_string());
                }
                sep.push_unseparated(")");
            }
            if let Some(k) = f.kind {
                q.push(" AND kind = ").push_bind(k.as_str());
            }
            if let Some(s) = f.status {
                q.push(" AND status = ").push_bind(s.as_str());
            }
            if let Some(o) = &f.organisation {
                q.push(" AND ods_code = ").push_bind(o.trim().to_ascii_uppercase());
            }
            if let Some(p) = &f.system {
                q.push(" AND product = ").push_bind(p.clone());
            }
            if let Some(u) = &f.urgency {
                q.push(" AND urgency = ").push_bind(u.clone());
            }
            if let Some(h) = &f.min_harm {
                q.push(" AND max_harm_rank >= ").push_bind(i64::from(t.rank("physical_harm", h)));
            }
            if let Some(a) = f.acknowledged {
                q.push(" AND acknowledged = ").push_bind(a);
            }
            if let Some(u) = &f.assigned_to {
                q.push(" AND id IN (SELECT report_id FROM report_assignments WHERE assignee = ").push_bind(u.clone()).push(")");
            }
            if let Some(from) = f.from {
                q.push(" AND created_at >= ").push_bind(from);
            }
            if let Some(to) = f.to {
                q.push(" AND created_at < ").push_bind(to);
            }
            if let Some(cursor) = &f.cursor {
                let seq = decode_cursor(cursor).ok_or(StoreError::NotFound)?;
                q.push(" AND seq < ").push_bind(seq);
            }
            // The API allows pages of up to 500 and asks for one more row to learn whether another page
            // follows; the store only bounds the work.
            let limit = f.limit.unwrap_or(50).clamp(1, 1000);
            q.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    Ok(ReportSummary {
                        seq: r.try_get("seq")?,
                        id: uuid(&r.try_get::<String, _>("id")?)?,
                        reference: r.try_get("reference")?,
                        kind: r.try_get("kind")?,
                        title: r.try_get("title")?,
                        status: r.try_get("status")?,
                        revision: r.try_get("revision")?,
                        ods_code: r.try_get("ods_code")?,
                        product: r.try_get("product")?,
                        urgency: r.try_get("urgency")?,
                        max_harm_rank: r.try_get("max_harm_rank")?,
                        patients_harmed_now: r.try_get("patients_harmed_now")?,
                        acknowledged: r.try_get("acknowledged")?,
                        assigned_to: r.try_get("assigned_to")?,
                        created_at: r.try_get("created_at")?,
                        updated_at: r.try_get("updated_at")?,
                    })
                })
                .collect()
        }

        /// Open reports in scope with their routing and the destinations that have answered, newest first.
        pub(crate) async fn open_routed(c: &mut Conn, can: &Can<ViewReports>, limit: i64) -> Result<Vec<OpenRouted>, StoreError> {
            let mut q: QueryBuilder<$db> = QueryBuilder::new(
                "SELECT id, reference, title, ods_code, status, acknowledged, patients_harmed_now, routing FROM reports \
                 WHERE status NOT IN ('closed', 'withdrawn')",
            );
            if let OrgScope::Only(orgs) = can.scope() {
                q.push(" AND ods_code IN (");
                let mut sep = q.separated(", ");
                for o in orgs {
                    sep.push_bind(o.as_str().to_string());
                }
                sep.push_unseparated(")");
            }
            q.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(&mut *c).await?;
            let mut out = Vec::with_capacity(rows.len());
            let mut index = HashMap::new();
            for r in &rows {
                index.insert(r.try_get::<String, _>("id")?, out.len());
                out.push(OpenRouted {
                    reference: r.try_get("reference")?,
                    title: r.try_get("title")?,
                    ods_code: r.try_get("ods_code")?,
                    status: r.try_get("status")?,
                    acknowledged: r.try_get("acknowledged")?,
                    patients_harmed_now: r.try_get("patients_harmed_now")?,
                    routing: r.try_get::<Option<String>, _>("routing")?.map(|x| serde_json::from_str(&x)).transpose()?,
                    answered: Vec::new(),
                    calls: Vec::new(),
                });
            }
            for chunk in index.keys().cloned().collect::<Vec<_>>().chunks(500) {
                let mut q: QueryBuilder<$db> = QueryBuilder::new("SELECT DISTINCT report_id, destination FROM destination_responses WHERE report_id IN (");
                let mut sep = q.separated(", ");
                for id in chunk {
                    sep.push_bind(id.clone());
                }
                sep.push_unseparated(")");
                for r in q.build().fetch_all(&mut *c).await? {
                    if let Some(i) = index.get(&r.try_get::<String, _>("report_id")?) {
                        out[*i].answered.push(r.try_get("destination")?);
                    }
                }
                // Calls to make: phone-only escalations, and the urgent route told of patient risk (issue 7).
                let mut q: QueryBuilder<$db> = QueryBuilder::new(
                    "SELECT report_id, destination, step, told, messages, note, at FROM chase_steps WHERE messages = 0 AND report_id IN (",
                );
                let mut sep = q.separated(", ");
                for id in chunk {
                    sep.push_bind(id.clone());
                }
                sep.push_unseparated(
                    ") UNION ALL SELECT report_id, destination, 'patient_risk' AS step, told, messages, note, at \
                     FROM patient_risk_escalations WHERE messages = 0 AND report_id IN (",
                );
                let mut sep = q.separated(", ");
                for id in chunk {
                    sep.push_bind(id.clone());
                }
                sep.push_unseparated(") ORDER BY at");
                for r in q.build().fetch_all(&mut *c).await? {
                    if let Some(i) = index.get(&r.try_get::<String, _>("report_id")?) {
                        out[*i].calls.push(chase_from_row(&r)?);
                    }
                }
            }
            Ok(out)
        }

        /// Add a note (audited). Staff notes need the report's organisation in scope; the reporter's are
        /// always `reporter` notes.
        pub(crate) async fn add_note(c: &mut Conn, by: NoteAuthor, n: NewNote) -> Result<Note, StoreError> {
            let mut head = lock_head(c).await?;
            let rec = load_report(c, &n.reference).await?.ok_or(StoreError::NotFound)?;
            let (author, visibility) = match &by {
                NoteAuthor::Reporter => ("reporter".to_string(), "reporter".to_string()),
                NoteAuthor::Staff(can) => {
                    if !can.covers(rec.report.ods()) {
                        return Err(StoreError::NotFound);
                    }
                    (can.actor().to_string(), n.visibility.clone())
                }
            };
            let note = Note { visibility, author, text: n.text, at: n.now };
            sqlx::query("INSERT INTO report_notes (id, report_id, visibility, author, text, at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(Uuid::now_v7().to_string())
                .bind(rec.id.to_string())
                .bind(&note.visibility)
                .bind(&note.author)
                .bind(&note.text)
                .bind(note.at)
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: note.author.clone(),
                action: format!("report.note_{}", note.visibility),
                object_type: "report".into(),
                object_id: rec.reference.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&note)?)),
            };
            append(c, &mut head, ev, n.now).await?;
            save_head(c, &head).await?;
            Ok(note)
        }

        /// A report's notes, oldest first (`internal` ones only when `with_internal`).
        pub(crate) async fn notes(c: &mut Conn, report_id: Uuid, with_internal: bool) -> Result<Vec<Note>, StoreError> {
            let q = if with_internal {
                "SELECT visibility, author, text, at FROM report_notes WHERE report_id = $1 ORDER BY at, id"
            } else {
                "SELECT visibility, author, text, at FROM report_notes WHERE report_id = $1 AND visibility = 'reporter' ORDER BY at, id"
            };
            let rows = sqlx::query(q).bind(report_id.to_string()).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| Ok(Note { visibility: r.try_get("visibility")?, author: r.try_get("author")?, text: r.try_get("text")?, at: r.try_get("at")? }))
                .collect()
        }

        /// Assign a report to a person (or clear it), audited. The assignee must be an account that may act
        /// on the report's organisation.
        pub(crate) async fn assign(c: &mut Conn, can: &Can<TransitionReports>, reference: &Reference, assignee: Option<String>, now: DateTime<Utc>) -> Result<Option<Assignment>, StoreError> {
            let mut head = lock_head(c).await?;
            let rec = load_report(c, reference).await?.filter(|r| can.covers(r.report.ods())).ok_or(StoreError::NotFound)?;
            let assignment = match assignee {
                None => {
                    sqlx::query("DELETE FROM report_assignments WHERE report_id = $1").bind(rec.id.to_string()).execute(&mut *c).await?;
                    None
                }
                Some(username) => {
                    let user = user_by_username(c, &username)
                        .await?
                        .filter(|u| !u.disabled)
                        .ok_or_else(|| StoreError::Constraint("report_assignments_assignee_known".into()))?;
                    if user.principal().can_for::<TransitionReports>(rec.report.ods()).is_none() {
                        return Err(StoreError::Constraint("report_assignments_assignee_can_act".into()));
                    }
                    let a = Assignment { assignee: user.username.clone(), assignee_name: user.display_name.clone(), assigned_by: can.actor().to_string(), at: now };
                    sqlx::query(
                        "INSERT INTO report_assignments (report_id, assignee, assignee_name, assigned_by, at) VALUES ($1, $2, $3, $4, $5) \
                         ON CONFLICT (report_id) DO UPDATE SET assignee = excluded.assignee, assignee_name = excluded.assignee_name, \
                         assigned_by = excluded.assigned_by, at = excluded.at",
                    )
                    .bind(rec.id.to_string())
                    .bind(&a.assignee)
                    .bind(&a.assignee_name)
                    .bind(&a.assigned_by)
                    .bind(a.at)
                    .execute(&mut *c)
                    .await?;
                    Some(a)
                }
            };
            let ev = AuditEvent {
                actor: can.actor().to_string(),
                action: "report.assign".into(),
                object_type: "report".into(),
                object_id: rec.reference.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::json!({ "assignee": assignment.as_ref().map(|a| &a.assignee) }))),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await?;
            Ok(assignment)
        }

        /// Who a report is assigned to.
        pub(crate) async fn assignment(c: &mut Conn, report_id: Uuid) -> Result<Option<Assignment>, StoreError> {
            let row = sqlx::query("SELECT assignee, assignee_name, assigned_by, at FROM report_assignments WHERE report_id = $1")
                .bind(report_id.to_string())
                .fetch_optional(&mut *c)
                .await?;
            row.map(|r| Ok(Assignment { assignee: r.try_get("assignee")?, assignee_name: r.try_get("assignee_name")?, assigned_by: r.try_get("assigned_by")?, at: r.try_get("at")? }))
                .transpose()
        }

        /// Hold a file against a draft (at most `max_files`).
        pub(crate) async fn add_attachment(c: &mut Conn, a: NewAttachment) -> Result<AttachmentInfo, StoreError> {
            let held: i64 = sqlx::query("SELECT COUNT(*) AS n FROM attachments WHERE draft_id = $1")
                .bind(&a.draft_id)
                .fetch_one(&mut *c)
                .await?
                .try_get("n")?;
            if held >= a.max_files {
                return Err(StoreError::Constraint("attachments_too_many".into()));
            }
            use sha2::Digest;
            let info = AttachmentInfo {
                id: Uuid::now_v7(),
                filename: a.filename,
                media_type: a.media_type,
                size: a.data.len() as i64,
                sha256: hex::encode(sha2::Sha256::digest(&a.data)),
                redacted: a.redaction.is_some(),
            };
            sqlx::query(
                "INSERT INTO attachments (id, draft_id, report_id, filename, media_type, size, sha256, data, created_at, redaction) \
                 VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(info.id.to_string())
            .bind(&a.draft_id)
            .bind(&info.filename)
            .bind(&info.media_type)
            .bind(info.size)
            .bind(&info.sha256)
            .bind(&a.data)
            .bind(a.now)
            .bind(&a.redaction)
            .execute(&mut *c)
            .await?;
            if let Some(o) = a.original {
                put_draft_original(c, &a.draft_id, info.id, o, a.now).await?;
            }
            Ok(info)
        }

        /// A redacted file's bytes and boxes, if it is held by that draft or stored with that report.
        pub(crate) async fn attachment_data(c: &mut Conn, id: Uuid, draft_id: Option<&str>, report_id: Option<Uuid>) -> Result<Option<(AttachmentInfo, Vec<u8>, String)>, StoreError> {
            let base = "SELECT id, filename, media_type, size, sha256, redaction, data FROM attachments WHERE id = $1 AND redaction IS NOT NULL";
            let row = match (draft_id, report_id) {
                (Some(d), _) => sqlx::query(&format!("{base} AND draft_id = $2 AND report_id IS NULL")).bind(id.to_string()).bind(d.to_string()).fetch_optional(&mut *c).await?,
                (None, Some(r)) => sqlx::query(&format!("{base} AND report_id = $2")).bind(id.to_string()).bind(r.to_string()).fetch_optional(&mut *c).await?,
                (None, None) => None,
            };
            row.map(|r| Ok((attachment_from_row(&r)?, r.try_get("data")?, r.try_get("redaction")?))).transpose()
        }

        /// Replace a draft's file with a further-redacted version (boxes added by the reporter).
        pub(crate) async fn redraw_attachment(c: &mut Conn, draft_id: &str, id: Uuid, from_sha256: &str, data: Vec<u8>, redaction: String) -> Result<AttachmentInfo, StoreError> {
            use sha2::Digest;
            let sha = hex::encode(sha2::Sha256::digest(&data));
            let row = sqlx::query(
                "UPDATE attachments SET data = $1, size = $2, sha256 = $3, redaction = $4 \
                 WHERE id = $5 AND draft_id = $6 AND report_id IS NULL AND redaction IS NOT NULL AND sha256 = $7 \
                 RETURNING id, filename, media_type, size, sha256, redaction",
            )
            .bind(&data)
            .bind(data.len() as i64)
            .bind(sha)
            .bind(redaction)
            .bind(id.to_string())
            .bind(draft_id)
            .bind(from_sha256)
            .fetch_optional(&mut *c)
            .await?;
            if let Some(r) = row {
                return attachment_from_row(&r);
            }
            // Not this draft's, or changed since it was read (another box drawn meanwhile): never overwrite.
            let exists = sqlx::query("SELECT 1 AS one FROM attachments WHERE id = $1 AND draft_id = $2 AND report_id IS NULL")
                .bind(id.to_string())
                .bind(draft_id)
                .fetch_optional(&mut *c)
                .await?;
            Err(if exists.is_some() { StoreError::Constraint("attachments_changed_meanwhile".into()) } else { StoreError::NotFound })
        }

        fn attachment_from_row(r: &<$db as sqlx::Database>::Row) -> Result<AttachmentInfo, StoreError> {
            Ok(AttachmentInfo {
                id: uuid(&r.try_get::<String, _>("id")?)?,
                filename: r.try_get("filename")?,
                media_type: r.try_get("media_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                redacted: r.try_get::<Option<String>, _>("redaction")?.is_some(),
            })
        }

        /// Files held against a draft, or stored with a report.
        pub(crate) async fn attachments(c: &mut Conn, draft_id: Option<&str>, report_id: Option<Uuid>) -> Result<Vec<AttachmentInfo>, StoreError> {
            let base = "SELECT id, filename, media_type, size, sha256, redaction FROM attachments";
            let rows = match (draft_id, report_id) {
                (Some(d), _) => sqlx::query(&format!("{base} WHERE draft_id = $1 ORDER BY id")).bind(d.to_string()).fetch_all(&mut *c).await?,
                (None, Some(r)) => sqlx::query(&format!("{base} WHERE report_id = $1 ORDER BY id")).bind(r.to_string()).fetch_all(&mut *c).await?,
                (None, None) => Vec::new(),
            };
            rows.iter().map(attachment_from_row).collect()
        }

        /// Take a file back out of a draft.
        pub(crate) async fn remove_attachment(c: &mut Conn, draft_id: &str, id: Uuid) -> Result<(), StoreError> {
            sqlx::query("DELETE FROM attachments WHERE id = $1 AND draft_id = $2 AND report_id IS NULL")
                .bind(id.to_string())
                .bind(draft_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM originals WHERE attachment_id = $1 AND draft_id = $2 AND report_id IS NULL")
                .bind(id.to_string())
                .bind(draft_id)
                .execute(&mut *c)
                .await?;
            Ok(())
        }

        /// Keep a screenshot's original, encrypted, against the draft holding its redacted version.
        async fn put_draft_original(c: &mut Conn, draft_id: &str, attachment_id: Uuid, o: Sealed, now: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO originals (id, draft_id, report_id, attachment_id, kind, key_id, nonce, ciphertext, created_at) \
                 VALUES ($1, $2, NULL, $3, 'image', $4, $5, $6, $7)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(draft_id)
            .bind(attachment_id.to_string())
            .bind(&o.key_id)
            .bind(&o.nonce)
            .bind(&o.ciphertext)
            .bind(now)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        fn original_from_row(r: &<$db as sqlx::Database>::Row) -> Result<OriginalInfo, StoreError> {
            Ok(OriginalInfo {
                id: uuid(&r.try_get::<String, _>("id")?)?,
                kind: r.try_get("kind")?,
                attachment_id: r.try_get::<Option<String>, _>("attachment_id")?.map(|s| uuid(&s)).transpose()?,
                created_at: r.try_get("created_at")?,
            })
        }

        /// The originals kept for a report (never their content).
        pub(crate) async fn originals(c: &mut Conn, report_id: Uuid) -> Result<Vec<OriginalInfo>, StoreError> {
            let rows = sqlx::query("SELECT id, kind, attachment_id, created_at FROM originals WHERE report_id = $1 ORDER BY id")
                .bind(report_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(original_from_row).collect()
        }

        /// One original of a report, sealed.
        pub(crate) async fn original(c: &mut Conn, report_id: Uuid, id: Uuid) -> Result<Option<(OriginalInfo, Sealed)>, StoreError> {
            let row = sqlx::query("SELECT id, kind, attachment_id, created_at, key_id, nonce, ciphertext FROM originals WHERE report_id = $1 AND id = $2")
                .bind(report_id.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?;
            row.map(|r| {
                Ok((
                    original_from_row(&r)?,
                    Sealed { key_id: r.try_get("key_id")?, nonce: r.try_get("nonce")?, ciphertext: r.try_get("ciphertext")? },
                ))
            })
            .transpose()
        }

        /// Create a safety project (audited).
        pub(crate) async fn create_safety_project(c: &mut Conn, can: &Can<candour_core::identity::ManageHazards>, p: candour_core::clinical::SafetyProject, scheme: candour_core::clinical::SchemeRef, now: DateTime<Utc>) -> Result<SafetyProjectRecord, StoreError> {
            let ods = OdsCode::parse(&p.ods_code).map_err(|_| StoreError::Constraint("safety_projects_ods_code_format".into()))?;
            if !can.covers(&ods) {
                return Err(StoreError::NotFound);
            }
            let mut head = lock_head(c).await?;
            let rec = SafetyProjectRecord { id: Uuid::now_v7(), project: p, scheme, created_at: now, safety_case_review: None };
            let body = serde_json::to_string(&rec.project)?;
            sqlx::query(
                "INSERT INTO safety_projects (id, ods_code, name, standard, body, scheme_id, scheme_version, next_hazard, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
            )
            .bind(rec.id.to_string())
            .bind(ods.as_str())
            .bind(&rec.project.name)
            .bind(rec.project.standard.as_str())
            .bind(&body)
            .bind(&rec.scheme.id)
            .bind(i64::from(rec.scheme.version))
            .bind(now)
            .execute(&mut *c)
            .await?;
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "safety_project.create".into(),
                object_type: "safety_project".into(),
                object_id: rec.id.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&rec.project)?)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await?;
            Ok(rec)
        }

        fn project_from_row(r: &<$db as sqlx::Database>::Row) -> Result<SafetyProjectRecord, StoreError> {
            let version: i64 = r.try_get("scheme_version")?;
            Ok(SafetyProjectRecord {
                id: uuid(&r.try_get::<String, _>("id")?)?,
                project: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
                scheme: candour_core::clinical::SchemeRef {
                    id: r.try_get("scheme_id")?,
                    version: u32::try_from(version).map_err(|_| StoreError::Corrupt("scheme version".into()))?,
                },
                created_at: r.try_get("created_at")?,
                safety_case_review: r.try_get("safety_case_review")?,
            })
        }

        /// Safety projects `can` covers, by name.
        pub(crate) async fn safety_projects(c: &mut Conn, can: &Can<candour_core::identity::ViewHazards>) -> Result<Vec<SafetyProjectRecord>, StoreError> {
            let rows = sqlx::query("SELECT id, body, scheme_id, scheme_version, created_at, ods_code, safety_case_review FROM safety_projects ORDER BY name, id")
                .fetch_all(&mut *c)
                .await?;
            let mut out = Vec::new();
            for r in &rows {
                let ods: String = r.try_get("ods_code")?;
                if OdsCode::parse(&ods).is_ok_and(|o| can.covers(&o)) {
                    out.push(project_from_row(r)?);
                }
            }
            Ok(out)
        }

        pub(crate) async fn project_in_scope(c: &mut Conn, id: Uuid, covers: impl Fn(&OdsCode) -> bool) -> Result<SafetyProjectRecord, StoreError> {
            let row = sqlx::query("SELECT id, body, scheme_id, scheme_version, created_at, ods_code, safety_case_review FROM safety_projects WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound)?;
            let ods: String = row.try_get("ods_code")?;
            if !OdsCode::parse(&ods).is_ok_and(|o| covers(&o)) {
                return Err(StoreError::NotFound);
            }
            project_from_row(&row)
        }

        /// One project, if `can` covers it.
        pub(crate) async fn safety_project(c: &mut Conn, can: &Can<candour_core::identity::ViewHazards>, id: Uuid) -> Result<Option<SafetyProjectRecord>, StoreError> {
            match project_in_scope(c, id, |o| can.covers(o)).await {
                Ok(p) => Ok(Some(p)),
                Err(StoreError::NotFound) => Ok(None),
                Err(e) => Err(e),
            }
        }

        /// Record a new hazard or change one at the revision its editor saw; every version kept, audited.
        pub(crate) async fn put_hazard(c: &mut Conn, can: &Can<candour_core::identity::ManageHazards>, req: PutHazard) -> Result<HazardRecord, StoreError> {
            let project = project_in_scope(c, req.project_id, |o| can.covers(o)).await?;
            let mut head = lock_head(c).await?;
            let rec = put_hazard_in(c, &mut head, can.actor(), &project, req).await?;
            save_head(c, &head).await?;
            Ok(rec)
        }

        /// [`put_hazard`] inside a write that holds the audit head (the project already checked in scope).
        pub(crate) async fn put_hazard_in(c: &mut Conn, head: &mut ChainHead, actor: &str, project: &SafetyProjectRecord, req: PutHazard) -> Result<HazardRecord, StoreError> {
            if req.hazard.initial.scheme != project.scheme || req.hazard.residual.scheme != project.scheme {
                return Err(StoreError::Constraint("hazards_scheme_is_the_projects".into()));
            }
            let body = serde_json::to_string(&req.hazard)?;
            let after = candour_core::audit::digest(&serde_json::to_value(&req.hazard)?);
            let pid = req.project_id.to_string();
            let status = match req.hazard.status {
                candour_core::clinical::HazardStatus::Open => "open",
                candour_core::clinical::HazardStatus::Transferred => "transferred",
                candour_core::clinical::HazardStatus::Closed => "closed",
            };
            let (number, revision, created_at, before) = match req.number {
                None => {
                    let n: i64 = sqlx::query("UPDATE safety_projects SET next_hazard = next_hazard + 1 WHERE id = $1 RETURNING next_hazard")
                        .bind(&pid)
                        .fetch_one(&mut *c)
                        .await?
                        .try_get("next_hazard")?;
                    let number = n - 1;
                    sqlx::query(
                        "INSERT INTO hazards (project_id, number, revision, name, status, initial_rating, residual_rating, body, created_at, updated_at) \
                         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $8)",
                    )
                    .bind(&pid)
                    .bind(number)
                    .bind(&req.hazard.name)
                    .bind(status)
                    .bind(i64::from(req.hazard.initial.rating))
                    .bind(i64::from(req.hazard.residual.rating))
                    .bind(&body)
                    .bind(req.now)
                    .execute(&mut *c)
                    .await?;
                    (number, 1i64, req.now, None)
                }
                Some(number) => {
                    let row = sqlx::query("SELECT revision, body, created_at FROM hazards WHERE project_id = $1 AND number = $2")
                        .bind(&pid)
                        .bind(number)
                        .fetch_optional(&mut *c)
                        .await?
                        .ok_or(StoreError::NotFound)?;
                    let current: i64 = row.try_get("revision")?;
                    let expected = req.expected_revision.ok_or(StoreError::Conflict { expected: 0, current })?;
                    if expected != current {
                        return Err(StoreError::Conflict { expected, current });
                    }
                    let old: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("body")?)?;
                    sqlx::query(
                        "UPDATE hazards SET revision = $1, name = $2, status = $3, initial_rating = $4, residual_rating = $5, body = $6, updated_at = $7 \
                         WHERE project_id = $8 AND number = $9 AND revision = $10",
                    )
                    .bind(current + 1)
                    .bind(&req.hazard.name)
                    .bind(status)
                    .bind(i64::from(req.hazard.initial.rating))
                    .bind(i64::from(req.hazard.residual.rating))
                    .bind(&body)
                    .bind(req.now)
                    .bind(&pid)
                    .bind(number)
                    .bind(current)
                    .execute(&mut *c)
                    .await?;
                    (number, current + 1, row.try_get("created_at")?, Some(candour_core::audit::digest(&old)))
                }
            };
            sqlx::query("INSERT INTO hazard_revisions (project_id, number, revision, actor, at, body) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&pid)
                .bind(number)
                .bind(revision)
                .bind(actor)
                .bind(req.now)
                .bind(&body)
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: actor.into(),
                action: if before.is_none() { "hazard.create".into() } else { "hazard.update".into() },
                object_type: "hazard".into(),
                object_id: format!("{pid}/{}", hazard_id(number)),
                before_digest: before,
                after_digest: Some(after),
            };
            append(c, head, ev, req.now).await?;
            Ok(HazardRecord { project_id: req.project_id, number, hazard_id: hazard_id(number), revision, hazard: req.hazard, created_at, updated_at: req.now })
        }

        /// A project's hazards, by number.
        pub(crate) async fn hazards(c: &mut Conn, can: &Can<candour_core::identity::ViewHazards>, project_id: Uuid) -> Result<Vec<HazardRecord>, StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let rows = sqlx::query("SELECT number, revision, body, created_at, updated_at FROM hazards WHERE project_id = $1 ORDER BY number")
                .bind(project_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    let number: i64 = r.try_get("number")?;
                    Ok(HazardRecord {
                        project_id,
                        number,
                        hazard_id: hazard_id(number),
                        revision: r.try_get("revision")?,
                        hazard: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
                        created_at: r.try_get("created_at")?,
                        updated_at: r.try_get("updated_at")?,
                    })
                })
                .collect()
        }

        /// Every version of a hazard, oldest first.
        pub(crate) async fn hazard_history(c: &mut Conn, can: &Can<candour_core::identity::ViewHazards>, project_id: Uuid, number: i64) -> Result<Vec<HazardRevision>, StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let rows = sqlx::query("SELECT revision, actor, at, body FROM hazard_revisions WHERE project_id = $1 AND number = $2 ORDER BY revision")
                .bind(project_id.to_string())
                .bind(number)
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(HazardRevision {
                        revision: r.try_get("revision")?,
                        actor: r.try_get("actor")?,
                        at: r.try_get("at")?,
                        hazard: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
                    })
                })
                .collect()
        }

        pub(crate) async fn revisions(c: &mut Conn, id: Uuid) -> Result<Vec<Revision>, StoreError> {
            let rows = sqlx::query(
                "SELECT revision, action, actor, at, body, state FROM report_revisions WHERE report_id = $1 ORDER BY revision",
            )
            .bind(id.to_string())
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(Revision {
                        revision: r.try_get("revision")?,
                        action: r.try_get("action")?,
                        actor: r.try_get("actor")?,
                        at: r.try_get("at")?,
                        body: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
                        state: serde_json::from_str(&r.try_get::<String, _>("state")?)?,
                    })
                })
                .collect()
        }

        fn audit_from_row(r: &<$db as sqlx::Database>::Row) -> Result<AuditEntry, StoreError> {
            Ok(AuditEntry {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                object_type: r.try_get("object_type")?,
                object_id: r.try_get("object_id")?,
                before_digest: r.try_get("before_digest")?,
                after_digest: r.try_get("after_digest")?,
                prev_hash: r.try_get("prev_hash")?,
                hash: r.try_get("hash")?,
            })
        }

        const AUDIT_COLUMNS: &str =
            "SELECT seq, at, actor, action, object_type, object_id, before_digest, after_digest, prev_hash, hash FROM audit_log";

        pub(crate) async fn audit_for(c: &mut Conn, object_type: &str, object_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
            let q = format!("{AUDIT_COLUMNS} WHERE object_type = $1 AND object_id = $2 ORDER BY seq");
            let rows = sqlx::query(&q).bind(object_type).bind(object_id).fetch_all(&mut *c).await?;
            rows.iter().map(audit_from_row).collect()
        }

        pub(crate) async fn audit_page(c: &mut Conn, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
            // A row whose seq was edited to reorder the chain no longer matches its own hash.
            let q = format!("{AUDIT_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2");
            let rows = sqlx::query(&q).bind(after).bind(limit).fetch_all(&mut *c).await?;
            rows.iter().map(audit_from_row).collect()
        }

        pub(crate) async fn audit_head_read(c: &mut Conn) -> Result<ChainHead, StoreError> {
            let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut *c).await?;
            Ok(ChainHead { seq: row.try_get("seq")?, hash: row.try_get("hash")? })
        }

        pub(crate) async fn put_organisation(c: &mut Conn, o: Organisation, actor: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
            let code = OdsCode::parse(&o.ods_code).map_err(|_| StoreError::Constraint("organisations_ods_code_format".into()))?;
            let mut head = lock_head(c).await?;
            sqlx::query(
                "INSERT INTO organisations (ods_code, name, require_sign_in, nis_oes, dspt, keep_originals) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (ods_code) DO UPDATE SET name = excluded.name, require_sign_in = excluded.require_sign_in, \
                 nis_oes = excluded.nis_oes, dspt = excluded.dspt, keep_originals = excluded.keep_originals",
            )
            .bind(code.as_str())
            .bind(&o.name)
            .bind(o.require_sign_in)
            .bind(o.nis_oes)
            .bind(o.dspt)
            .bind(o.keep_originals)
            .execute(&mut *c)
            .await?;
            let ev = AuditEvent {
                actor: actor.into(),
                action: "organisation.put".into(),
                object_type: "organisation".into(),
                object_id: code.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&o)?)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await
        }

        fn org_from_row(r: &<$db as sqlx::Database>::Row) -> Result<Organisation, StoreError> {
            Ok(Organisation {
                ods_code: r.try_get("ods_code")?,
                name: r.try_get("name")?,
                require_sign_in: r.try_get("require_sign_in")?,
                nis_oes: r.try_get("nis_oes")?,
                dspt: r.try_get("dspt")?,
                keep_originals: r.try_get("keep_originals")?,
            })
        }

        pub(crate) async fn organisation(c: &mut Conn, ods: &str) -> Result<Option<Organisation>, StoreError> {
            let row = sqlx::query("SELECT ods_code, name, require_sign_in, nis_oes, dspt, keep_originals FROM organisations WHERE ods_code = $1")
                .bind(ods.trim().to_ascii_uppercase())
                .fetch_optional(&mut *c)
                .await?;
            row.as_ref().map(org_from_row).transpose()
        }

        pub(crate) async fn organisations(c: &mut Conn) -> Result<Vec<Organisation>, StoreError> {
            let rows = sqlx::query("SELECT ods_code, name, require_sign_in, nis_oes, dspt, keep_originals FROM organisations ORDER BY ods_code").fetch_all(&mut *c).await?;
            rows.iter().map(org_from_row).collect()
        }

        pub(crate) async fn create_user(c: &mut Conn, u: NewUser, actor: &str) -> Result<UserRecord, StoreError> {
            let mut head = lock_head(c).await?;
            let id = Uuid::now_v7();
            sqlx::query("INSERT INTO users (id, username, display_name, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id.to_string())
                .bind(&u.username)
                .bind(&u.display_name)
                .bind(&u.password_hash)
                .bind(false)
                .bind(u.now)
                .execute(&mut *c)
                .await?;
            for g in &u.grants {
                sqlx::query("INSERT INTO user_grants (user_id, role, org) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(id.to_string())
                    .bind(g.role.as_str())
                    .bind(g.org.as_ref().map(|o| o.as_str().to_string()).unwrap_or_else(|| "*".into()))
                    .execute(&mut *c)
                    .await?;
            }
            let ev = AuditEvent {
                actor: actor.into(),
                action: "user.create".into(),
                object_type: "user".into(),
                object_id: id.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::json!({
                    "username": u.username, "display_name": u.display_name, "grants": u.grants
                }))),
            };
            append(c, &mut head, ev, u.now).await?;
            save_head(c, &head).await?;
            Ok(UserRecord { id, username: u.username, display_name: u.display_name, password_hash: u.password_hash, disabled: false, grants: u.grants })
        }

        async fn user_where(c: &mut Conn, clause: &str, arg: &str, now: Option<DateTime<Utc>>) -> Result<Option<UserRecord>, StoreError> {
            let q = format!(
                "SELECT u.id, u.username, u.display_name, u.password_hash, u.disabled FROM users u {clause}"
            );
            let mut query = sqlx::query(&q).bind(arg.to_string());
            if let Some(now) = now {
                query = query.bind(now);
            }
            let Some(row) = query.fetch_optional(&mut *c).await? else { return Ok(None) };
            let id: String = row.try_get("id")?;
            let grants = sqlx::query("SELECT role, org FROM user_grants WHERE user_id = $1 ORDER BY role, org")
                .bind(&id)
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|g| {
                    let role: String = g.try_get("role")?;
                    let org: String = g.try_get("org")?;
                    Ok(Grant {
                        role: role.parse().map_err(StoreError::Corrupt)?,
                        org: if org == "*" { None } else { Some(OdsCode::parse(&org).map_err(|e| StoreError::Corrupt(e.to_string()))?) },
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Some(UserRecord {
                id: uuid(&id)?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                password_hash: row.try_get("password_hash")?,
                disabled: row.try_get("disabled")?,
                grants,
            }))
        }

        pub(crate) async fn user_by_username(c: &mut Conn, username: &str) -> Result<Option<UserRecord>, StoreError> {
            user_where(c, "WHERE u.username = $1", username, None).await
        }

        pub(crate) async fn users(c: &mut Conn) -> Result<Vec<UserRecord>, StoreError> {
            let names: Vec<String> = sqlx::query("SELECT username FROM users ORDER BY username")
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|r| r.try_get("username"))
                .collect::<Result<_, _>>()?;
            let mut out = Vec::with_capacity(names.len());
            for n in names {
                if let Some(u) = user_by_username(c, &n).await? {
                    out.push(u);
                }
            }
            Ok(out)
        }

        pub(crate) async fn create_session(c: &mut Conn, s: NewSession) -> Result<(), StoreError> {
            let mut head = lock_head(c).await?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(&s.token_hash)
                .bind(s.user_id.to_string())
                .bind(s.now)
                .bind(s.expires_at)
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: format!("user:{}", s.user_id),
                action: "session.create".into(),
                object_type: "user".into(),
                object_id: s.user_id.to_string(),
                before_digest: None,
                after_digest: None,
            };
            append(c, &mut head, ev, s.now).await?;
            save_head(c, &head).await
        }

        pub(crate) async fn user_by_session(c: &mut Conn, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserRecord>, StoreError> {
            user_where(c, "JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE", token_hash, Some(now)).await
        }

        pub(crate) async fn delete_session(c: &mut Conn, token_hash: &str) -> Result<(), StoreError> {
            let mut head = lock_head(c).await?;
            let row = sqlx::query("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
                .bind(token_hash)
                .fetch_optional(&mut *c)
                .await?;
            let Some(row) = row else { return Ok(()) };
            let user_id: String = row.try_get("user_id")?;
            let ev = AuditEvent {
                actor: format!("user:{user_id}"),
                action: "session.delete".into(),
                object_type: "user".into(),
                object_id: user_id,
                before_digest: None,
                after_digest: None,
            };
            append(c, &mut head, ev, Utc::now()).await?;
            save_head(c, &head).await
        }

        pub(crate) async fn create_api_token(c: &mut Conn, t: NewApiToken, actor: &str) -> Result<(), StoreError> {
            let mut head = lock_head(c).await?;
            sqlx::query("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&t.token_hash)
                .bind(t.user_id.to_string())
                .bind(&t.name)
                .bind(t.now)
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: actor.into(),
                action: "api_token.create".into(),
                object_type: "user".into(),
                object_id: t.user_id.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::json!({"name": t.name}))),
            };
            append(c, &mut head, ev, t.now).await?;
            save_head(c, &head).await
        }

        pub(crate) async fn user_by_api_token(c: &mut Conn, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
            user_where(c, "JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND u.disabled = FALSE", token_hash, None).await
        }
    };
}

pub(crate) mod sqlite {
    candour_sql!(sqlx::Sqlite, sqlx::SqliteConnection, "");
    clinical_sql!(sqlx::Sqlite);
    cyber_sql!(sqlx::Sqlite);
}

pub(crate) mod postgres {
    candour_sql!(sqlx::Postgres, sqlx::PgConnection, " FOR UPDATE");
    clinical_sql!(sqlx::Postgres);
    cyber_sql!(sqlx::Postgres);
}
