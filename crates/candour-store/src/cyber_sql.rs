//! The SQL for cyber security as patient safety (issue 7): a cyber incident's or vulnerability's working
//! record (marking, indicators, timeline, tasks, clinical impact and its CSO reviews, disclosure facts,
//! published advisories), and the closure gate. Stamped into each backend's module after `candour_sql!`,
//! whose helpers (`lock_head`, `append`, `load_report`, `record_chase`…) it uses.

macro_rules! cyber_sql {
    ($db:ty) => {
        use candour_core::cyber::{DisclosureFacts, ImpactReview, Task, Tlp};

        const CYBER_KINDS: [candour_core::ReportKind; 3] = [
            candour_core::ReportKind::CyberIncident,
            candour_core::ReportKind::SuspiciousActivity,
            candour_core::ReportKind::Vulnerability,
        ];

        /// Most other reports listed as sharing indicators with one report (a fan-out cap: a widely
        /// shared indicator must not make a page unreadable).
        const CORRELATION_CAP: i64 = 200;

        fn tlp(s: &str) -> Result<Tlp, StoreError> {
            Tlp::parse(s).ok_or_else(|| StoreError::Corrupt(format!("tlp {s}")))
        }

        fn cyber_report(r: ReportRecord) -> Result<ReportRecord, StoreError> {
            if CYBER_KINDS.contains(&r.reference.kind()) {
                Ok(r)
            } else {
                Err(StoreError::Constraint("cyber_case_kind".into()))
            }
        }

        /// The cyber report `reference` if the caller's scope covers its organisation (else `NotFound`).
        async fn cyber_report_in_scope(
            c: &mut Conn,
            reference: &Reference,
            covers: impl Fn(&OdsCode) -> bool,
        ) -> Result<ReportRecord, StoreError> {
            let r = load_report(c, reference)
                .await?
                .filter(|r| covers(r.report.ods()))
                .ok_or(StoreError::NotFound)?;
            cyber_report(r)
        }

        fn audit_event(actor: &str, action: &str, reference: &Reference, what: &serde_json::Value) -> AuditEvent {
            AuditEvent {
                actor: actor.into(),
                action: action.into(),
                object_type: "report".into(),
                object_id: reference.to_string(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(what)),
            }
        }

        async fn impacts_of(c: &mut Conn, report_id: Uuid) -> Result<(Vec<ImpactRecord>, Vec<ImpactReview>), StoreError> {
            let rows = sqlx::query("SELECT version, body, actor, at FROM clinical_impacts WHERE report_id = $1 ORDER BY version")
                .bind(report_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            let mut impacts = Vec::with_capacity(rows.len());
            for r in &rows {
                impacts.push(ImpactRecord {
                    version: r.try_get("version")?,
                    impact: serde_json::from_str(&r.try_get::<String, _>("body")?)?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                });
            }
            let rows = sqlx::query("SELECT version, note, actor, at FROM clinical_impact_reviews WHERE report_id = $1 ORDER BY version")
                .bind(report_id.to_string())
                .fetch_all(&mut *c)
                .await?;
            let mut reviews = Vec::with_capacity(rows.len());
            for r in &rows {
                reviews.push(ImpactReview {
                    version: r.try_get("version")?,
                    note: r.try_get("note")?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                });
            }
            Ok((impacts, reviews))
        }

        /// Why report `r` may not be closed yet: cyber incidents and vulnerabilities need a clinical impact
        /// assessment, and a CSO's review of its latest version unless the impact is none.
        pub(crate) async fn closure_blocker(c: &mut Conn, r: &ReportRecord) -> Result<Option<candour_core::ValidationErrors>, StoreError> {
            if !matches!(r.reference.kind(), candour_core::ReportKind::CyberIncident | candour_core::ReportKind::Vulnerability) {
                return Ok(None);
            }
            let (impacts, reviews) = impacts_of(c, r.id).await?;
            let history: Vec<_> = impacts.iter().map(|i| (i.version, &i.impact)).collect();
            Ok(candour_core::cyber::closure_blocker(&history, &reviews))
        }

        /// A report's cyber case (an empty one, marked TLP:AMBER, until something is recorded).
        pub(crate) async fn cyber_case(c: &mut Conn, can: &Can<ViewReports>, reference: &Reference) -> Result<Option<CyberCase>, StoreError> {
            let Some(r) = get_report(c, can, reference).await? else {
                return Ok(None);
            };
            let r = cyber_report(r)?;
            let id = r.id.to_string();
            let row = sqlx::query("SELECT tlp, disclosure FROM cyber_cases WHERE report_id = $1")
                .bind(&id)
                .fetch_optional(&mut *c)
                .await?;
            let worked = row.is_some();
            let (marking, disclosure) = match row {
                Some(row) => {
                    let d: Option<String> = row.try_get("disclosure")?;
                    (
                        tlp(&row.try_get::<String, _>("tlp")?)?,
                        d.map(|d| serde_json::from_str::<DisclosureFacts>(&d)).transpose()?.unwrap_or_default(),
                    )
                }
                None => (Tlp::default(), DisclosureFacts::default()),
            };
            let rows = sqlx::query(
                "SELECT id, kind, value, is_ioc, tlp, excluded, source, added_by, added_at, updated_at FROM cyber_indicators \
                 WHERE report_id = $1 ORDER BY added_at, kind, value",
            )
            .bind(&id)
            .fetch_all(&mut *c)
            .await?;
            let mut indicators = Vec::with_capacity(rows.len());
            for x in &rows {
                indicators.push(IndicatorRecord {
                    id: uuid(&x.try_get::<String, _>("id")?)?,
                    kind: x.try_get("kind")?,
                    value: x.try_get("value")?,
                    is_ioc: x.try_get::<i64, _>("is_ioc")? != 0,
                    tlp: tlp(&x.try_get::<String, _>("tlp")?)?,
                    excluded: x.try_get("excluded")?,
                    source: x.try_get("source")?,
                    added_by: x.try_get("added_by")?,
                    added_at: x.try_get("added_at")?,
                    updated_at: x.try_get("updated_at")?,
                });
            }
            let rows = sqlx::query("SELECT id, event_at, discovered_at, summary, actor, at FROM cyber_events WHERE report_id = $1 ORDER BY event_at, at")
                .bind(&id)
                .fetch_all(&mut *c)
                .await?;
            let mut events = Vec::with_capacity(rows.len());
            for x in &rows {
                events.push(EventRecord {
                    id: uuid(&x.try_get::<String, _>("id")?)?,
                    event: candour_core::cyber::TimelineEvent {
                        event_at: x.try_get("event_at")?,
                        discovered_at: x.try_get("discovered_at")?,
                        summary: x.try_get("summary")?,
                    },
                    actor: x.try_get("actor")?,
                    at: x.try_get("at")?,
                });
            }
            let rows = sqlx::query("SELECT id, revision, body, actor, at FROM cyber_tasks WHERE report_id = $1 ORDER BY id")
                .bind(&id)
                .fetch_all(&mut *c)
                .await?;
            let mut tasks = Vec::with_capacity(rows.len());
            for x in &rows {
                tasks.push(TaskRecord {
                    id: uuid(&x.try_get::<String, _>("id")?)?,
                    revision: x.try_get("revision")?,
                    task: serde_json::from_str::<Task>(&x.try_get::<String, _>("body")?)?,
                    actor: x.try_get("actor")?,
                    at: x.try_get("at")?,
                });
            }
            let (impacts, impact_reviews) = impacts_of(c, r.id).await?;
            let rows = sqlx::query(
                "SELECT id, profile, tracking_id, version, body, content_hash, actor, at FROM advisories WHERE report_id = $1 \
                 ORDER BY at DESC, version DESC",
            )
            .bind(&id)
            .fetch_all(&mut *c)
            .await?;
            let mut advisories = Vec::with_capacity(rows.len());
            for x in &rows {
                advisories.push(AdvisoryRecord {
                    id: uuid(&x.try_get::<String, _>("id")?)?,
                    profile: x.try_get("profile")?,
                    tracking_id: x.try_get("tracking_id")?,
                    version: x.try_get("version")?,
                    body: serde_json::from_str(&x.try_get::<String, _>("body")?)?,
                    content_hash: x.try_get("content_hash")?,
                    actor: x.try_get("actor")?,
                    at: x.try_get("at")?,
                });
            }
            let rows = sqlx::query(
                "SELECT o.kind, o.value, o.tlp, r.reference, r.ods_code FROM cyber_indicators o JOIN reports r ON r.id = o.report_id \
                 WHERE o.report_id <> $1 AND o.excluded IS NULL AND EXISTS (SELECT 1 FROM cyber_indicators m WHERE m.report_id = $1 \
                 AND m.excluded IS NULL AND m.kind = o.kind AND m.value = o.value) ORDER BY o.kind, o.value, r.reference LIMIT $2",
            )
            .bind(&id)
            .bind(CORRELATION_CAP)
            .fetch_all(&mut *c)
            .await?;
            let mut correlations = Vec::with_capacity(rows.len());
            for x in &rows {
                let ods: String = x.try_get("ods_code")?;
                let visible = OdsCode::parse(&ods).map(|o| can.covers(&o)).unwrap_or(false);
                // Another organisation's TLP:RED indicator is for its named recipients only: not even
                // the fact of a match is shown.
                if !visible && x.try_get::<String, _>("tlp")? == Tlp::Red.as_str() {
                    continue;
                }
                correlations.push(Correlation {
                    kind: x.try_get("kind")?,
                    value: x.try_get("value")?,
                    reference: visible.then(|| x.try_get("reference")).transpose()?,
                    ods_code: visible.then_some(ods),
                });
            }
            let rows = sqlx::query("SELECT destination, told, messages, note, at FROM patient_risk_escalations WHERE report_id = $1 ORDER BY at, destination")
                .bind(&id)
                .fetch_all(&mut *c)
                .await?;
            let mut escalations = Vec::with_capacity(rows.len());
            for x in &rows {
                escalations.push(candour_core::cyber::Escalation {
                    destination: x.try_get("destination")?,
                    told: x.try_get("told")?,
                    messages: x.try_get("messages")?,
                    note: x.try_get("note")?,
                    at: x.try_get("at")?,
                });
            }
            Ok(Some(CyberCase {
                report_id: r.id,
                worked,
                escalations,
                tlp: marking,
                disclosure,
                indicators,
                events,
                tasks,
                impacts,
                impact_reviews,
                advisories,
                correlations,
            }))
        }

        async fn ensure_case(c: &mut Conn, report_id: &str, actor: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO cyber_cases (report_id, tlp, disclosure, updated_by, updated_at) VALUES ($1, $2, NULL, $3, $4) \
                 ON CONFLICT (report_id) DO NOTHING",
            )
            .bind(report_id)
            .bind(Tlp::default().as_str())
            .bind(actor)
            .bind(now)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        /// Apply one change to a report's cyber case, audited. One transaction.
        pub(crate) async fn cyber_change(
            c: &mut Conn,
            can: &Can<TransitionReports>,
            reference: &Reference,
            change: CyberChange,
            now: DateTime<Utc>,
        ) -> Result<CyberChanged, StoreError> {
            let mut head = lock_head(c).await?;
            let r = cyber_report_in_scope(c, reference, |o| can.covers(o)).await?;
            // A closed or withdrawn case is a record: reopen the report to change it (so a new impact
            // goes through the closure gate again).
            if r.state.status.is_terminal() {
                return Err(StoreError::Constraint("cyber_case_closed".into()));
            }
            let id = r.id.to_string();
            let actor = can.actor().to_string();
            ensure_case(c, &id, &actor, now).await?;
            let mut out = CyberChanged { changed: 0, already: 0, id: None };
            let mut chases = Vec::new();
            let (action, what) = match change {
                CyberChange::Marking(t) => {
                    sqlx::query("UPDATE cyber_cases SET tlp = $1, updated_by = $2, updated_at = $3 WHERE report_id = $4")
                        .bind(t.as_str())
                        .bind(&actor)
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *c)
                        .await?;
                    out.changed = 1;
                    ("cyber.marking", serde_json::json!({ "tlp": t }))
                }
                CyberChange::AddIndicators(list) => {
                    for i in &list {
                        let n = sqlx::query(
                            "INSERT INTO cyber_indicators (id, report_id, kind, value, is_ioc, tlp, excluded, source, added_by, added_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) ON CONFLICT (report_id, kind, value) DO NOTHING",
                        )
                        .bind(Uuid::now_v7().to_string())
                        .bind(&id)
                        .bind(&i.kind)
                        .bind(&i.value)
                        .bind(i64::from(i.is_ioc))
                        .bind(i.tlp.as_str())
                        .bind(&i.excluded)
                        .bind(&i.source)
                        .bind(&actor)
                        .bind(now)
                        .execute(&mut *c)
                        .await?
                        .rows_affected();
                        if n == 0 {
                            out.already += 1;
                        } else {
                            out.changed += 1;
                        }
                    }
                    let values: Vec<_> = list.iter().map(|i| serde_json::json!([i.kind, i.value, i.is_ioc, i.tlp])).collect();
                    ("cyber.indicators.add", serde_json::json!({ "indicators": values, "added": out.changed }))
                }
                CyberChange::UpdateIndicator { id: ind, is_ioc, tlp: t } => {
                    let n = sqlx::query("UPDATE cyber_indicators SET is_ioc = $1, tlp = $2, updated_at = $3 WHERE id = $4 AND report_id = $5")
                        .bind(i64::from(is_ioc))
                        .bind(t.as_str())
                        .bind(now)
                        .bind(ind.to_string())
                        .bind(&id)
                        .execute(&mut *c)
                        .await?
                        .rows_affected();
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    out.changed = 1;
                    out.id = Some(ind.to_string());
                    ("cyber.indicator.update", serde_json::json!({ "id": ind, "is_ioc": is_ioc, "tlp": t }))
                }
                CyberChange::AddEvent(ev) => {
                    let eid = Uuid::now_v7();
                    sqlx::query("INSERT INTO cyber_events (id, report_id, event_at, discovered_at, summary, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .bind(eid.to_string())
                        .bind(&id)
                        .bind(ev.event_at)
                        .bind(ev.discovered_at)
                        .bind(&ev.summary)
                        .bind(&actor)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    out.changed = 1;
                    out.id = Some(eid.to_string());
                    ("cyber.event.add", serde_json::to_value(&ev)?)
                }
                CyberChange::PutTask { id: tid, expected_revision, task } => {
                    let body = serde_json::to_string(&task)?;
                    let (tid, action) = match tid {
                        None => {
                            let tid = Uuid::now_v7();
                            sqlx::query("INSERT INTO cyber_tasks (id, report_id, revision, status, body, actor, at) VALUES ($1, $2, 1, $3, $4, $5, $6)")
                                .bind(tid.to_string())
                                .bind(&id)
                                .bind(task.status.as_str())
                                .bind(&body)
                                .bind(&actor)
                                .bind(now)
                                .execute(&mut *c)
                                .await?;
                            (tid, "cyber.task.add")
                        }
                        Some(tid) => {
                            let current: i64 = sqlx::query("SELECT revision FROM cyber_tasks WHERE id = $1 AND report_id = $2")
                                .bind(tid.to_string())
                                .bind(&id)
                                .fetch_optional(&mut *c)
                                .await?
                                .ok_or(StoreError::NotFound)?
                                .try_get("revision")?;
                            let expected = expected_revision.unwrap_or(-1);
                            if expected != current {
                                return Err(StoreError::Conflict { expected, current });
                            }
                            sqlx::query("UPDATE cyber_tasks SET revision = $1, status = $2, body = $3, actor = $4, at = $5 WHERE id = $6")
                                .bind(current + 1)
                                .bind(task.status.as_str())
                                .bind(&body)
                                .bind(&actor)
                                .bind(now)
                                .bind(tid.to_string())
                                .execute(&mut *c)
                                .await?;
                            (tid, "cyber.task.update")
                        }
                    };
                    out.changed = 1;
                    out.id = Some(tid.to_string());
                    (action, serde_json::json!({ "id": tid, "task": task }))
                }
                CyberChange::Impact { expected_version, impact, notify } => {
                    let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM clinical_impacts WHERE report_id = $1")
                        .bind(&id)
                        .fetch_one(&mut *c)
                        .await?
                        .try_get("v")?;
                    if current != expected_version {
                        return Err(StoreError::Conflict { expected: expected_version, current });
                    }
                    sqlx::query("INSERT INTO clinical_impacts (report_id, version, level, body, actor, at) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(&id)
                        .bind(current + 1)
                        .bind(impact.level.as_str())
                        .bind(serde_json::to_string(&impact)?)
                        .bind(&actor)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    out.changed = 1;
                    out.id = Some((current + 1).to_string());
                    // Ask the organisation's CSO for the review this version needs: once per report and
                    // contact (the outbox keeps one message per purpose), which then finds the latest
                    // version in the workspace.
                    let mut asked = Vec::new();
                    for plan in notify.iter().filter(|_| impact.needs_cso_review()) {
                        for m in &plan.messages {
                            let subject = format!("CSO review needed: {} clinical impact {}", r.reference, impact.level.as_str());
                            if queue_message(c, m.id(r.id), r.id, &r.reference.to_string(), m, &subject, &plan.preamble, now).await? {
                                asked.push(m.destination.clone());
                            }
                        }
                    }
                    ("clinical_impact.record", serde_json::json!({ "version": current + 1, "impact": impact, "asked": asked }))
                }
                CyberChange::Disclosure { facts, escalation, subject } => {
                    if r.reference.kind() != candour_core::ReportKind::Vulnerability {
                        return Err(StoreError::Constraint("disclosure_vulnerability_only".into()));
                    }
                    sqlx::query("UPDATE cyber_cases SET disclosure = $1, updated_by = $2, updated_at = $3 WHERE report_id = $4")
                        .bind(serde_json::to_string(&facts)?)
                        .bind(&actor)
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *c)
                        .await?;
                    out.changed = 1;
                    if facts.patient_risk {
                        chases = escalation
                            .into_iter()
                            .map(|plan| NewChase {
                                report_id: r.id,
                                reference: r.reference.to_string(),
                                plan,
                                subject: subject.clone(),
                                now,
                            })
                            .collect();
                    }
                    ("disclosure.update", serde_json::to_value(&facts)?)
                }
            };
            append(c, &mut head, audit_event(&actor, action, reference, &what), now).await?;
            save_head(c, &head).await?;
            // Patient-risk messages: each destination is told once, however often the facts are saved.
            for ch in chases {
                record_escalation(c, ch).await?;
            }
            Ok(out)
        }

        /// Tell one destination at once that patients are at uncontrolled risk: its messages and the record
        /// of it, once per report and destination, audited.
        async fn record_escalation(c: &mut Conn, ch: NewChase) -> Result<(), StoreError> {
            let p = &ch.plan;
            let done = sqlx::query(
                "INSERT INTO patient_risk_escalations (report_id, destination, told, messages, note, at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (report_id, destination) DO NOTHING",
            )
            .bind(ch.report_id.to_string())
            .bind(&p.destination)
            .bind(&p.to)
            .bind(p.messages.len() as i64)
            .bind(&p.preamble)
            .bind(ch.now)
            .execute(&mut *c)
            .await?
            .rows_affected();
            if done == 0 {
                return Ok(());
            }
            for m in &p.messages {
                queue_message(c, m.id(ch.report_id), ch.report_id, &ch.reference, m, &ch.subject, &p.preamble, ch.now).await?;
            }
            let mut head = lock_head(c).await?;
            let what = serde_json::json!({ "destination": p.destination, "told": p.to, "messages": p.messages.len(), "note": p.preamble });
            let ev = AuditEvent {
                actor: "system:patient-risk".into(),
                action: "destination.patient_risk".into(),
                object_type: "report".into(),
                object_id: ch.reference.clone(),
                before_digest: None,
                after_digest: Some(candour_core::audit::digest(&what)),
            };
            append(c, &mut head, ev, ch.now).await?;
            save_head(c, &head).await
        }

        /// A CSO's review of one version of a report's clinical impact assessment (only the latest can be
        /// reviewed: an older one no longer describes the incident).
        pub(crate) async fn review_impact(
            c: &mut Conn,
            can: &Can<SignOffSafety>,
            reference: &Reference,
            version: i64,
            note: String,
            now: DateTime<Utc>,
        ) -> Result<ImpactReview, StoreError> {
            let mut head = lock_head(c).await?;
            let r = cyber_report_in_scope(c, reference, |o| can.covers(o)).await?;
            let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM clinical_impacts WHERE report_id = $1")
                .bind(r.id.to_string())
                .fetch_one(&mut *c)
                .await?
                .try_get("v")?;
            if current == 0 {
                return Err(StoreError::NotFound);
            }
            if current != version {
                return Err(StoreError::Conflict { expected: version, current });
            }
            let rev = ImpactReview {
                version,
                note,
                actor: can.actor().to_string(),
                at: now,
            };
            sqlx::query("INSERT INTO clinical_impact_reviews (report_id, version, note, actor, at) VALUES ($1, $2, $3, $4, $5)")
                .bind(r.id.to_string())
                .bind(version)
                .bind(&rev.note)
                .bind(&rev.actor)
                .bind(now)
                .execute(&mut *c)
                .await?;
            append(c, &mut head, audit_event(&rev.actor, "clinical_impact.review", reference, &serde_json::to_value(&rev)?), now).await?;
            save_head(c, &head).await?;
            Ok(rev)
        }

        /// Publish a CSAF advisory version (kept unchanged from then on).
        pub(crate) async fn publish_advisory(
            c: &mut Conn,
            can: &Can<TransitionReports>,
            reference: &Reference,
            a: NewAdvisory,
            now: DateTime<Utc>,
        ) -> Result<AdvisoryRecord, StoreError> {
            let mut head = lock_head(c).await?;
            let r = cyber_report_in_scope(c, reference, |o| can.covers(o)).await?;
            let text = serde_json::to_string(&a.body)?;
            let rec = AdvisoryRecord {
                id: Uuid::now_v7(),
                profile: a.profile,
                tracking_id: a.tracking_id,
                version: a.version,
                content_hash: candour_core::audit::sha256_hex(text.as_bytes()),
                body: a.body,
                actor: can.actor().to_string(),
                at: now,
            };
            sqlx::query(
                "INSERT INTO advisories (id, report_id, profile, tracking_id, version, body, content_hash, actor, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(rec.id.to_string())
            .bind(r.id.to_string())
            .bind(&rec.profile)
            .bind(&rec.tracking_id)
            .bind(rec.version)
            .bind(&text)
            .bind(&rec.content_hash)
            .bind(&rec.actor)
            .bind(now)
            .execute(&mut *c)
            .await?;
            let what = serde_json::json!({ "profile": rec.profile, "tracking_id": rec.tracking_id, "version": rec.version, "sha256": rec.content_hash });
            append(c, &mut head, audit_event(&rec.actor, "advisory.publish", reference, &what), now).await?;
            save_head(c, &head).await?;
            Ok(rec)
        }
    };
}
