//! The SQL for clinical risk governance (issue 6): triage links, reviews, the CSO registry, issued safety
//! documents, the compliance checklist and hazard-log import. Stamped into each backend's module after
//! `candour_sql!`, whose helpers (`lock_head`, `append`, `project_in_scope`…) it uses.

macro_rules! clinical_sql {
    ($db:ty) => {
        use candour_core::clinical::{ComplianceAnswer, CsoRecord, DocumentKind, TriageKind};
        use candour_core::identity::{ManageHazards, SignOffSafety, ViewHazards};

        fn triage_kind(s: &str) -> Result<TriageKind, StoreError> {
            match s {
                "new_hazard" => Ok(TriageKind::NewHazard),
                "realises" => Ok(TriageKind::Realises),
                "control_failed" => Ok(TriageKind::ControlFailed),
                other => Err(StoreError::Corrupt(format!("triage kind {other}"))),
            }
        }

        fn link_from_row(r: &<$db as sqlx::Database>::Row) -> Result<HazardLink, StoreError> {
            let number: i64 = r.try_get("number")?;
            let risk_changed: i64 = r.try_get("risk_changed")?;
            Ok(HazardLink {
                id: uuid(&r.try_get::<String, _>("id")?)?,
                project_id: uuid(&r.try_get::<String, _>("project_id")?)?,
                number,
                hazard_id: hazard_id(number),
                report_id: uuid(&r.try_get::<String, _>("report_id")?)?,
                reference: r.try_get("reference")?,
                kind: triage_kind(&r.try_get::<String, _>("kind")?)?,
                control_index: r.try_get("control_index")?,
                risk_changed: risk_changed != 0,
                note: r.try_get("note")?,
                actor: r.try_get("actor")?,
                at: r.try_get("at")?,
            })
        }

        /// Record a triage answer: create or re-score the hazard, link the report, flag the safety case for
        /// review when the risk changed. One transaction; audited.
        pub(crate) async fn triage(
            c: &mut Conn,
            can: &Can<ManageHazards>,
            t: NewTriage,
        ) -> Result<(HazardLink, Option<HazardRecord>), StoreError> {
            // The head first: the project (and its flag) is then read inside the serialised write.
            let mut head = lock_head(c).await?;
            let project = project_in_scope(c, t.project_id, |o| can.covers(o)).await?;
            let row = sqlx::query("SELECT reference, ods_code FROM reports WHERE id = $1")
                .bind(t.report_id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound)?;
            let reference: String = row.try_get("reference")?;
            // A report is triaged into its own organisation's hazard logs only: its reference and note are
            // shown to the project's readers and printed in its safety case reports.
            if row.try_get::<String, _>("ods_code")? != project.project.ods_code {
                return Err(StoreError::Constraint("hazard_links_same_organisation".into()));
            }
            let changed = match (&t.kind, t.number, t.hazard.clone()) {
                (TriageKind::NewHazard, None, Some(h)) => Some(
                    put_hazard_in(
                        c,
                        &mut head,
                        can.actor(),
                        &project,
                        PutHazard { project_id: t.project_id, number: None, expected_revision: None, hazard: h, now: t.now },
                    )
                    .await?,
                ),
                (TriageKind::NewHazard, _, _) => return Err(StoreError::Constraint("hazard_links_new_hazard_has_details".into())),
                (_, Some(n), Some(h)) => Some(
                    put_hazard_in(
                        c,
                        &mut head,
                        can.actor(),
                        &project,
                        PutHazard { project_id: t.project_id, number: Some(n), expected_revision: t.expected_revision, hazard: h, now: t.now },
                    )
                    .await?,
                ),
                (_, Some(_), None) => None,
                (_, None, _) => return Err(StoreError::Constraint("hazard_links_names_a_hazard".into())),
            };
            let number = changed.as_ref().map(|h| h.number).or(t.number).ok_or(StoreError::NotFound)?;
            let exists = sqlx::query("SELECT number FROM hazards WHERE project_id = $1 AND number = $2")
                .bind(t.project_id.to_string())
                .bind(number)
                .fetch_optional(&mut *c)
                .await?;
            if exists.is_none() {
                return Err(StoreError::NotFound);
            }
            let link = HazardLink {
                id: Uuid::now_v7(),
                project_id: t.project_id,
                number,
                hazard_id: hazard_id(number),
                report_id: t.report_id,
                reference: reference.clone(),
                kind: t.kind,
                control_index: t.control_index,
                risk_changed: t.risk_changed || t.kind == TriageKind::NewHazard,
                note: t.note,
                actor: can.actor().to_string(),
                at: t.now,
            };
            sqlx::query(
                "INSERT INTO hazard_links (id, project_id, number, report_id, kind, control_index, risk_changed, note, actor, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(link.id.to_string())
            .bind(t.project_id.to_string())
            .bind(number)
            .bind(t.report_id.to_string())
            .bind(link.kind.as_str())
            .bind(link.control_index)
            .bind(i64::from(link.risk_changed))
            .bind(&link.note)
            .bind(&link.actor)
            .bind(t.now)
            .execute(&mut *c)
            .await?;
            if link.risk_changed {
                let why = match link.kind {
                    TriageKind::NewHazard => format!("{reference} raised a new hazard, {}", link.hazard_id),
                    TriageKind::Realises => format!("{reference} realised {} and its risk was re-scored", link.hazard_id),
                    TriageKind::ControlFailed => format!("A control on {} failed ({reference}) and its risk changed", link.hazard_id),
                };
                let reason = match project.safety_case_review {
                    Some(prev) if !prev.contains(&why) => format!("{prev}; {why}"),
                    Some(prev) => prev,
                    None => why,
                };
                sqlx::query("UPDATE safety_projects SET safety_case_review = $1 WHERE id = $2")
                    .bind(&reason)
                    .bind(t.project_id.to_string())
                    .execute(&mut *c)
                    .await?;
            }
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "hazard.link".into(),
                object_type: "hazard".into(),
                object_id: format!("{}/{}", t.project_id, link.hazard_id),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::json!({
                    "report": reference, "kind": link.kind.as_str(), "control": link.control_index,
                    "risk_changed": link.risk_changed, "note": link.note,
                }))),
            };
            append(c, &mut head, ev, t.now).await?;
            save_head(c, &head).await?;
            Ok((link, changed))
        }

        const LINK_COLUMNS: &str = "SELECT l.id, l.project_id, l.number, l.report_id, r.reference, l.kind, l.control_index, \
             l.risk_changed, l.note, l.actor, l.at, p.ods_code FROM hazard_links l JOIN reports r ON r.id = l.report_id \
             JOIN safety_projects p ON p.id = l.project_id";

        /// Triage links of a project or of a report, in projects `can` covers, oldest first.
        pub(crate) async fn hazard_links(
            c: &mut Conn,
            can: &Can<ViewHazards>,
            project_id: Option<Uuid>,
            report_id: Option<Uuid>,
        ) -> Result<Vec<HazardLink>, StoreError> {
            let (q, key) = match (project_id, report_id) {
                (Some(p), _) => (format!("{LINK_COLUMNS} WHERE l.project_id = $1 ORDER BY l.at, l.id"), p),
                (None, Some(r)) => (format!("{LINK_COLUMNS} WHERE l.report_id = $1 ORDER BY l.at, l.id"), r),
                (None, None) => return Ok(Vec::new()),
            };
            let rows = sqlx::query(&q).bind(key.to_string()).fetch_all(&mut *c).await?;
            let mut out = Vec::new();
            for r in &rows {
                let ods: String = r.try_get("ods_code")?;
                if OdsCode::parse(&ods).is_ok_and(|o| can.covers(&o)) {
                    out.push(link_from_row(r)?);
                }
            }
            Ok(out)
        }

        /// Record a review done (audited).
        pub(crate) async fn record_review(c: &mut Conn, can: &Can<ManageHazards>, r: NewReview) -> Result<ReviewRecord, StoreError> {
            project_in_scope(c, r.project_id, |o| can.covers(o)).await?;
            if let candour_core::clinical::ReviewSubject::Hazard(n) = r.subject {
                sqlx::query("SELECT number FROM hazards WHERE project_id = $1 AND number = $2")
                    .bind(r.project_id.to_string())
                    .bind(n)
                    .fetch_optional(&mut *c)
                    .await?
                    .ok_or(StoreError::NotFound)?;
            }
            let mut head = lock_head(c).await?;
            let rec = ReviewRecord {
                id: Uuid::now_v7(),
                project_id: r.project_id,
                subject: r.subject.key(),
                done_on: r.done_on,
                outcome: r.outcome,
                actor: can.actor().into(),
                at: r.now,
            };
            sqlx::query("INSERT INTO clinical_reviews (id, project_id, subject, done_on, outcome, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(rec.id.to_string())
                .bind(rec.project_id.to_string())
                .bind(&rec.subject)
                .bind(rec.done_on)
                .bind(&rec.outcome)
                .bind(&rec.actor)
                .bind(rec.at)
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: rec.actor.clone(),
                action: "clinical_review.record".into(),
                object_type: "safety_project".into(),
                object_id: rec.project_id.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&rec)?)),
            };
            append(c, &mut head, ev, rec.at).await?;
            save_head(c, &head).await?;
            Ok(rec)
        }

        /// A project's reviews, newest first.
        pub(crate) async fn reviews(c: &mut Conn, can: &Can<ViewHazards>, project_id: Uuid) -> Result<Vec<ReviewRecord>, StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let rows = sqlx::query("SELECT id, subject, done_on, outcome, actor, at FROM clinical_reviews WHERE project_id = $1 ORDER BY done_on DESC, at DESC")
                .bind(project_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ReviewRecord {
                        id: uuid(&r.try_get::<String, _>("id")?)?,
                        project_id,
                        subject: r.try_get("subject")?,
                        done_on: r.try_get("done_on")?,
                        outcome: r.try_get("outcome")?,
                        actor: r.try_get("actor")?,
                        at: r.try_get("at")?,
                    })
                })
                .collect()
        }

        /// Note that a reminder for a review due on `due_on` was sent: true the first time only.
        pub(crate) async fn claim_review_reminder(
            c: &mut Conn,
            project_id: Uuid,
            subject: &str,
            due_on: chrono::NaiveDate,
            now: DateTime<Utc>,
        ) -> Result<bool, StoreError> {
            let mut head = lock_head(c).await?;
            let done = sqlx::query(
                "INSERT INTO review_reminders (project_id, subject, due_on, sent_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (project_id, subject, due_on) DO NOTHING",
            )
            .bind(project_id.to_string())
            .bind(subject)
            .bind(due_on)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if done == 1 {
                let ev = AuditEvent {
                    actor: "system:reviews".into(),
                    action: "clinical_review.remind".into(),
                    object_type: "safety_project".into(),
                    object_id: project_id.to_string(),
                    before_digest: None,
                    after_digest: Some(candour_core::audit::digest(&serde_json::json!({"subject": subject, "due_on": due_on}))),
                };
                append(c, &mut head, ev, now).await?;
                save_head(c, &head).await?;
            }
            Ok(done == 1)
        }

        /// Every safety project, for the reminder sweep (system use only).
        pub(crate) async fn all_safety_projects(c: &mut Conn) -> Result<Vec<SafetyProjectRecord>, StoreError> {
            let rows = sqlx::query("SELECT id, body, scheme_id, scheme_version, created_at, ods_code, safety_case_review FROM safety_projects ORDER BY id")
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(project_from_row).collect()
        }

        /// Every hazard of a project, for the reminder sweep (system use only).
        pub(crate) async fn all_hazards(c: &mut Conn, project_id: Uuid) -> Result<Vec<(i64, candour_core::clinical::Hazard, chrono::NaiveDate)>, StoreError> {
            let rows = sqlx::query("SELECT number, body, created_at FROM hazards WHERE project_id = $1 ORDER BY number")
                .bind(project_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    let created: DateTime<Utc> = r.try_get("created_at")?;
                    Ok((r.try_get("number")?, serde_json::from_str(&r.try_get::<String, _>("body")?)?, created.date_naive()))
                })
                .collect()
        }

        /// Every review of a project (system use only).
        pub(crate) async fn all_reviews(c: &mut Conn, project_id: Uuid) -> Result<Vec<(String, chrono::NaiveDate)>, StoreError> {
            let rows = sqlx::query("SELECT subject, done_on FROM clinical_reviews WHERE project_id = $1")
                .bind(project_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| Ok((r.try_get("subject")?, r.try_get("done_on")?))).collect()
        }

        /// Save a CSO's record (audited). The caller has checked that it is the CSO's own.
        pub(crate) async fn put_cso(c: &mut Conn, can: &Can<ManageHazards>, rec: CsoRecord, now: DateTime<Utc>) -> Result<(), StoreError> {
            let ods = OdsCode::parse(&rec.ods_code).map_err(|_| StoreError::Constraint("cso_records_ods_code_format".into()))?;
            if !can.covers(&ods) {
                return Err(StoreError::NotFound);
            }
            let mut head = lock_head(c).await?;
            let before: Option<String> = sqlx::query("SELECT body FROM cso_records WHERE ods_code = $1 AND username = $2")
                .bind(ods.as_str())
                .bind(&rec.username)
                .fetch_optional(&mut *c)
                .await?
                .map(|r| r.try_get("body"))
                .transpose()?;
            let before = before.map(|b| serde_json::from_str::<serde_json::Value>(&b)).transpose()?;
            let body = serde_json::to_string(&rec)?;
            sqlx::query(
                "INSERT INTO cso_records (ods_code, username, body, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (ods_code, username) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            )
            .bind(ods.as_str())
            .bind(&rec.username)
            .bind(&body)
            .bind(now)
            .execute(&mut *c)
            .await?;
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "cso_record.put".into(),
                object_type: "cso_record".into(),
                object_id: format!("{}/{}", ods.as_str(), rec.username),
                before_digest: before.as_ref().map(candour_core::audit::digest),
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&rec)?)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await
        }

        /// CSO records in organisations `can` covers (or all, for `None`), by organisation and name.
        pub(crate) async fn cso_records(c: &mut Conn, covers: impl Fn(&OdsCode) -> bool) -> Result<Vec<CsoRecord>, StoreError> {
            let rows = sqlx::query("SELECT ods_code, body FROM cso_records ORDER BY ods_code, username")
                .fetch_all(&mut *c)
                .await?;
            let mut out = Vec::new();
            for r in &rows {
                let ods: String = r.try_get("ods_code")?;
                if OdsCode::parse(&ods).is_ok_and(|o| covers(&o)) {
                    out.push(serde_json::from_str(&r.try_get::<String, _>("body")?)?);
                }
            }
            Ok(out)
        }

        fn issued_from_row(r: &<$db as sqlx::Database>::Row, with_body: bool) -> Result<IssuedDocument, StoreError> {
            let kind: String = r.try_get("kind")?;
            Ok(IssuedDocument {
                project_id: uuid(&r.try_get::<String, _>("project_id")?)?,
                kind: DocumentKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("document kind {kind}")))?,
                version: r.try_get("version")?,
                content_hash: r.try_get("content_hash")?,
                approved_by: r.try_get("approved_by")?,
                registration: r.try_get("registration")?,
                approved_at: r.try_get("approved_at")?,
                document: if with_body { Some(serde_json::from_str(&r.try_get::<String, _>("body")?)?) } else { None },
            })
        }

        /// Issue documents a CSO approves: each at the next version of its kind, stored with the CSO's name
        /// and registration and the content hash, never changed afterwards. Issuing a CSCR clears the
        /// project's "safety case review needed" flag. All or nothing; audited.
        pub(crate) async fn issue_documents(c: &mut Conn, can: &Can<SignOffSafety>, req: IssueDocuments) -> Result<Vec<IssuedDocument>, StoreError> {
            let mut head = lock_head(c).await?;
            let project = project_in_scope(c, req.project_id, |o| can.covers(o)).await?;
            // The documents were drafted from the log as it was read: if a hazard changed since (a triage, an
            // edit), they no longer describe it and must be read again.
            if let Some(seen) = &req.log_state {
                let rows = sqlx::query("SELECT number, revision FROM hazards WHERE project_id = $1 ORDER BY number")
                    .bind(req.project_id.to_string())
                    .fetch_all(&mut *c)
                    .await?;
                let now: Vec<(i64, i64)> = rows
                    .iter()
                    .map(|r| Ok((r.try_get("number")?, r.try_get("revision")?)))
                    .collect::<Result<_, StoreError>>()?;
                if log_state(now.into_iter()) != *seen {
                    return Err(StoreError::Constraint("safety_documents_log_changed".into()));
                }
            }
            let row = sqlx::query("SELECT body FROM cso_records WHERE ods_code = $1 AND username = $2")
                .bind(&project.project.ods_code)
                .bind(&req.cso_username)
                .fetch_optional(&mut *c)
                .await?
                .ok_or_else(|| StoreError::Constraint("cso_record_missing".into()))?;
            let cso: CsoRecord = serde_json::from_str(&row.try_get::<String, _>("body")?)?;
            if !cso.missing().is_empty() {
                return Err(StoreError::Constraint("cso_record_incomplete".into()));
            }
            let pid = req.project_id.to_string();
            let mut out = Vec::new();
            for (version, doc) in req.documents {
                let last: Option<i64> = sqlx::query("SELECT MAX(version) AS v FROM safety_documents WHERE project_id = $1 AND kind = $2")
                    .bind(&pid)
                    .bind(doc.kind.as_str())
                    .fetch_one(&mut *c)
                    .await?
                    .try_get("v")?;
                let current = last.unwrap_or(0);
                if version != current + 1 {
                    return Err(StoreError::Conflict { expected: version - 1, current });
                }
                let issued = IssuedDocument {
                    project_id: req.project_id,
                    kind: doc.kind,
                    version,
                    content_hash: doc.content_hash(),
                    approved_by: cso.name.clone(),
                    registration: cso.registration(),
                    approved_at: req.now,
                    document: None,
                };
                sqlx::query(
                    "INSERT INTO safety_documents (project_id, kind, version, body, content_hash, approved_by, registration, cso_username, approved_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&pid)
                .bind(doc.kind.as_str())
                .bind(version)
                .bind(serde_json::to_string(&doc)?)
                .bind(&issued.content_hash)
                .bind(&issued.approved_by)
                .bind(&issued.registration)
                .bind(&req.cso_username)
                .bind(req.now)
                .execute(&mut *c)
                .await?;
                if doc.kind == DocumentKind::Cscr {
                    sqlx::query("UPDATE safety_projects SET safety_case_review = NULL WHERE id = $1")
                        .bind(&pid)
                        .execute(&mut *c)
                        .await?;
                }
                let ev = AuditEvent {
                    actor: can.actor().into(),
                    action: "safety_document.issue".into(),
                    object_type: "safety_document".into(),
                    object_id: format!("{pid}/{}/v{version}", doc.kind.as_str()),
                    before_digest: None,
                    after_digest: Some(issued.content_hash.clone()),
                };
                append(c, &mut head, ev, req.now).await?;
                out.push(issued);
            }
            save_head(c, &head).await?;
            Ok(out)
        }

        /// A project's issued documents (without their content), newest first.
        pub(crate) async fn issued_documents(c: &mut Conn, can: &Can<ViewHazards>, project_id: Uuid) -> Result<Vec<IssuedDocument>, StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let rows = sqlx::query(
                "SELECT project_id, kind, version, content_hash, approved_by, registration, approved_at FROM safety_documents \
                 WHERE project_id = $1 ORDER BY approved_at DESC, kind, version DESC",
            )
            .bind(project_id.to_string())
            .fetch_all(&mut *c)
            .await?;
            rows.iter().map(|r| issued_from_row(r, false)).collect()
        }

        /// One issued document with its content.
        pub(crate) async fn issued_document(
            c: &mut Conn,
            can: &Can<ViewHazards>,
            project_id: Uuid,
            kind: DocumentKind,
            version: i64,
        ) -> Result<Option<IssuedDocument>, StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let row = sqlx::query(
                "SELECT project_id, kind, version, body, content_hash, approved_by, registration, approved_at FROM safety_documents \
                 WHERE project_id = $1 AND kind = $2 AND version = $3",
            )
            .bind(project_id.to_string())
            .bind(kind.as_str())
            .bind(version)
            .fetch_optional(&mut *c)
            .await?;
            row.map(|r| issued_from_row(&r, true)).transpose()
        }

        /// Answer one checklist item (audited; the latest answer stands, earlier ones are in the audit log).
        pub(crate) async fn put_compliance(
            c: &mut Conn,
            can: &Can<ManageHazards>,
            project_id: Uuid,
            answer: ComplianceAnswer,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let mut head = lock_head(c).await?;
            let before: Option<String> = sqlx::query("SELECT body FROM compliance_answers WHERE project_id = $1 AND clause = $2")
                .bind(project_id.to_string())
                .bind(&answer.clause)
                .fetch_optional(&mut *c)
                .await?
                .map(|r| r.try_get("body"))
                .transpose()?;
            let before = before.map(|b| serde_json::from_str::<serde_json::Value>(&b)).transpose()?;
            sqlx::query(
                "INSERT INTO compliance_answers (project_id, clause, body, actor, at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (project_id, clause) DO UPDATE SET body = excluded.body, actor = excluded.actor, at = excluded.at",
            )
            .bind(project_id.to_string())
            .bind(&answer.clause)
            .bind(serde_json::to_string(&answer)?)
            .bind(can.actor())
            .bind(now)
            .execute(&mut *c)
            .await?;
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "compliance.answer".into(),
                object_type: "safety_project".into(),
                object_id: format!("{project_id}/{}", answer.clause),
                before_digest: before.as_ref().map(candour_core::audit::digest),
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&answer)?)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await
        }

        /// A project's checklist answers.
        pub(crate) async fn compliance_answers(c: &mut Conn, can: &Can<ViewHazards>, project_id: Uuid) -> Result<Vec<ComplianceAnswer>, StoreError> {
            project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let rows = sqlx::query("SELECT body FROM compliance_answers WHERE project_id = $1 ORDER BY clause")
                .bind(project_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?)).collect()
        }

        /// Import hazards into a project in one transaction: all are recorded, or none. Audited per hazard
        /// and once for the import.
        pub(crate) async fn import_hazards(
            c: &mut Conn,
            can: &Can<ManageHazards>,
            project_id: Uuid,
            hazards: Vec<candour_core::clinical::Hazard>,
            source: String,
            now: DateTime<Utc>,
        ) -> Result<Vec<HazardRecord>, StoreError> {
            let project = project_in_scope(c, project_id, |o| can.covers(o)).await?;
            let mut head = lock_head(c).await?;
            let mut out = Vec::with_capacity(hazards.len());
            for h in hazards {
                out.push(
                    put_hazard_in(c, &mut head, can.actor(), &project, PutHazard { project_id, number: None, expected_revision: None, hazard: h, now })
                        .await?,
                );
            }
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "hazard_log.import".into(),
                object_type: "safety_project".into(),
                object_id: project_id.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::json!({
                    "source": source,
                    "hazards": out.iter().map(|h| h.hazard_id.clone()).collect::<Vec<_>>(),
                }))),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await?;
            Ok(out)
        }

        /// Store a custom risk scheme version (audited). `risk_schemes_pk` if that id and version exist.
        pub(crate) async fn put_risk_scheme(
            c: &mut Conn,
            can: &Can<ManageHazards>,
            scheme: candour_core::clinical::RiskScheme,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            let mut head = lock_head(c).await?;
            sqlx::query("INSERT INTO risk_schemes (id, version, name, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&scheme.id)
                .bind(i64::from(scheme.version))
                .bind(&scheme.name)
                .bind(serde_json::to_string(&scheme)?)
                .bind(can.actor())
                .bind(now)
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "risk_scheme.create".into(),
                object_type: "risk_scheme".into(),
                object_id: format!("{}/v{}", scheme.id, scheme.version),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&scheme)?)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await
        }

        pub(crate) async fn risk_scheme(c: &mut Conn, id: &str, version: u32) -> Result<Option<candour_core::clinical::RiskScheme>, StoreError> {
            let row = sqlx::query("SELECT body FROM risk_schemes WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(i64::from(version))
                .fetch_optional(&mut *c)
                .await?;
            row.map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?)).transpose()
        }

        pub(crate) async fn risk_schemes(c: &mut Conn) -> Result<Vec<candour_core::clinical::RiskScheme>, StoreError> {
            let rows = sqlx::query("SELECT body FROM risk_schemes ORDER BY id, version").fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("body")?)?)).collect()
        }

        /// Change a project's details (audited). Its organisation, standard and scheme stay.
        pub(crate) async fn update_safety_project(
            c: &mut Conn,
            can: &Can<ManageHazards>,
            id: Uuid,
            p: candour_core::clinical::SafetyProject,
            now: DateTime<Utc>,
        ) -> Result<SafetyProjectRecord, StoreError> {
            let mut current = project_in_scope(c, id, |o| can.covers(o)).await?;
            if p.ods_code != current.project.ods_code || p.standard != current.project.standard {
                return Err(StoreError::Constraint("safety_projects_organisation_and_standard_fixed".into()));
            }
            let mut head = lock_head(c).await?;
            let before = candour_core::audit::digest(&serde_json::to_value(&current.project)?);
            sqlx::query("UPDATE safety_projects SET name = $1, body = $2 WHERE id = $3")
                .bind(&p.name)
                .bind(serde_json::to_string(&p)?)
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            let ev = AuditEvent {
                actor: can.actor().into(),
                action: "safety_project.update".into(),
                object_type: "safety_project".into(),
                object_id: id.to_string(),
                before_digest: Some(before),
                after_digest: Some(candour_core::audit::digest(&serde_json::to_value(&p)?)),
            };
            append(c, &mut head, ev, now).await?;
            save_head(c, &head).await?;
            current.project = p;
            Ok(current)
        }
    };
}
