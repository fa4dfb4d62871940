//! The `Store` implementation, written once for both adapters: reads go to the adapter's pool
//! (`reads`), writes to its group-commit writer (`writer`), and the SQL to the backend's `sql` module
//! (which must be in scope where the macro is used).

/// Implement [`crate::Store`] for an adapter struct with fields `reads`, `writer` and `taxonomy`.
macro_rules! store_impl {
    ($store:ty, $backend:literal) => {
        #[async_trait::async_trait]
        impl crate::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }

            async fn create_report(&self, req: CreateReport) -> Result<Created, StoreError> {
                self.writer.create(req).await
            }

            async fn get_report(
                &self,
                can: &Can<ViewReports>,
                reference: &Reference,
            ) -> Result<Option<ReportRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::get_report(&mut c, can, reference).await
            }

            async fn list_reports(
                &self,
                can: &Can<ViewReports>,
                filter: &ReportFilter,
            ) -> Result<Vec<ReportSummary>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::list_reports(&mut c, can, filter, &self.taxonomy).await
            }

            async fn transition(
                &self,
                can: &Can<TransitionReports>,
                req: TransitionRequest,
            ) -> Result<ReportRecord, StoreError> {
                let can = can.clone();
                let t = self.taxonomy.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::transition(c, &can, req, &t).await }))
                    .await
            }

            async fn update_report(
                &self,
                can: &Can<TransitionReports>,
                req: UpdateRequest,
            ) -> Result<ReportRecord, StoreError> {
                let can = can.clone();
                let t = self.taxonomy.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::update_report(c, &can, req, &t).await }))
                    .await
            }

            async fn revisions(&self, report_id: Uuid) -> Result<Vec<Revision>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::revisions(&mut c, report_id).await
            }

            async fn audit_for(&self, object_type: &str, object_id: &str) -> Result<Vec<AuditEntry>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::audit_for(&mut c, object_type, object_id).await
            }

            async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::audit_page(&mut c, after, limit).await
            }

            async fn audit_head(&self) -> Result<ChainHead, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::audit_head_read(&mut c).await
            }

            async fn record_event(&self, event: AuditEvent) -> Result<(), StoreError> {
                self.writer
                    .write(move |c| Box::pin(async move { sql::record_event(c, event, Utc::now()).await }))
                    .await
            }

            async fn put_organisation(
                &self,
                can: &Can<ManageOrganisations>,
                org: Organisation,
            ) -> Result<(), StoreError> {
                let actor = can.actor().to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::put_organisation(c, org, &actor, Utc::now()).await }))
                    .await
            }

            async fn organisation(&self, ods_code: &str) -> Result<Option<Organisation>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::organisation(&mut c, ods_code).await
            }

            async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::organisations(&mut c).await
            }

            async fn create_user(&self, can: &Can<ManageUsers>, user: NewUser) -> Result<UserRecord, StoreError> {
                let actor = can.actor().to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::create_user(c, user, &actor).await }))
                    .await
            }

            async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::user_by_username(&mut c, username).await
            }

            async fn users(&self) -> Result<Vec<UserRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::users(&mut c).await
            }

            async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
                self.writer
                    .write(move |c| Box::pin(async move { sql::create_session(c, session).await }))
                    .await
            }

            async fn user_by_session(
                &self,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> Result<Option<UserRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::user_by_session(&mut c, token_hash, now).await
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
                let h = token_hash.to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::delete_session(c, &h).await }))
                    .await
            }

            async fn create_api_token(&self, can: &Can<ManageUsers>, token: NewApiToken) -> Result<(), StoreError> {
                let actor = can.actor().to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::create_api_token(c, token, &actor).await }))
                    .await
            }

            async fn user_by_api_token(&self, token_hash: &str) -> Result<Option<UserRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::user_by_api_token(&mut c, token_hash).await
            }

            async fn claim_outbox(
                &self,
                now: DateTime<Utc>,
                limit: i64,
                lease: chrono::Duration,
                channels: &[&str],
            ) -> Result<Vec<OutboxMessage>, StoreError> {
                let channels: Vec<String> = channels.iter().map(|c| c.to_string()).collect();
                self.writer
                    .write(move |c| Box::pin(async move { sql::claim_outbox(c, now, limit, lease, &channels).await }))
                    .await
            }

            async fn finish_delivery(
                &self,
                id: Uuid,
                outcome: DeliveryOutcome,
                now: DateTime<Utc>,
            ) -> Result<(), StoreError> {
                self.writer
                    .write(move |c| Box::pin(async move { sql::finish_delivery(c, id, outcome, now).await }))
                    .await
            }

            async fn outbox(
                &self,
                status: Option<&str>,
                reference: Option<&str>,
            ) -> Result<Vec<OutboxMessage>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::outbox(&mut c, status, reference).await
            }

            async fn record_response(
                &self,
                can: Option<&Can<TransitionReports>>,
                r: NewResponse,
            ) -> Result<Recorded, StoreError> {
                let can = can.cloned();
                self.writer
                    .write(move |c| Box::pin(async move { sql::record_response(c, can.as_ref(), r).await }))
                    .await
            }

            async fn responses(&self, report_id: Uuid) -> Result<Vec<DestinationResponse>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::responses(&mut c, report_id).await
            }

            async fn app_secret(&self, name: &str) -> Result<Vec<u8>, StoreError> {
                let name = name.to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::app_secret(c, &name).await }))
                    .await
            }

            async fn chase_candidates(
                &self,
                sent_before: chrono::DateTime<chrono::Utc>,
                org_scoped: &[String],
                limit: i64,
            ) -> Result<Vec<ChaseCandidate>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::chase_candidates(&mut c, sent_before, org_scoped, limit).await
            }

            async fn record_chase(&self, chase: NewChase) -> Result<bool, StoreError> {
                self.writer
                    .write(move |c| Box::pin(async move { sql::record_chase(c, chase).await }))
                    .await
            }

            async fn chase_steps(&self, report_id: Uuid) -> Result<Vec<ChaseRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::chase_steps(&mut c, report_id).await
            }

            async fn put_routing(&self, can: &Can<ManageRouting>, v: NewRoutingVersion) -> Result<i64, StoreError> {
                let actor = can.actor().to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::put_routing(c, v, &actor).await }))
                    .await
            }

            async fn routing_version(&self, version: Option<i64>) -> Result<Option<RoutingVersion>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::routing_version(&mut c, version).await
            }

            async fn routing_versions(&self) -> Result<Vec<RoutingVersion>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::routing_versions(&mut c).await
            }

            async fn open_routed(&self, can: &Can<ViewReports>, limit: i64) -> Result<Vec<OpenRouted>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::open_routed(&mut c, can, limit).await
            }

            async fn outbox_page(
                &self,
                status: Option<&str>,
                after: Option<Uuid>,
                limit: i64,
            ) -> Result<Vec<OutboxMessage>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::outbox_page(&mut c, status, after, limit).await
            }

            async fn add_note(&self, by: NoteAuthor, note: NewNote) -> Result<Note, StoreError> {
                self.writer
                    .write(move |c| Box::pin(async move { sql::add_note(c, by, note).await }))
                    .await
            }

            async fn notes(&self, report_id: Uuid, with_internal: bool) -> Result<Vec<Note>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::notes(&mut c, report_id, with_internal).await
            }

            async fn assign(
                &self,
                can: &Can<TransitionReports>,
                reference: &Reference,
                assignee: Option<String>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<Assignment>, StoreError> {
                let can = can.clone();
                let reference = reference.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::assign(c, &can, &reference, assignee, now).await }))
                    .await
            }

            async fn assignment(&self, report_id: Uuid) -> Result<Option<Assignment>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::assignment(&mut c, report_id).await
            }

            async fn add_attachment(&self, a: NewAttachment) -> Result<AttachmentInfo, StoreError> {
                self.writer
                    .write(move |c| Box::pin(async move { sql::add_attachment(c, a).await }))
                    .await
            }

            async fn attachments(
                &self,
                draft_id: Option<&str>,
                report_id: Option<Uuid>,
            ) -> Result<Vec<AttachmentInfo>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::attachments(&mut c, draft_id, report_id).await
            }

            async fn remove_attachment(&self, draft_id: &str, id: Uuid) -> Result<(), StoreError> {
                let draft_id = draft_id.to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::remove_attachment(c, &draft_id, id).await }))
                    .await
            }

            async fn attachment_data(
                &self,
                id: Uuid,
                draft_id: Option<&str>,
                report_id: Option<Uuid>,
            ) -> Result<Option<(AttachmentInfo, Vec<u8>, String)>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::attachment_data(&mut c, id, draft_id, report_id).await
            }

            async fn create_safety_project(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                project: candour_core::clinical::SafetyProject,
                scheme: candour_core::clinical::SchemeRef,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<SafetyProjectRecord, StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::create_safety_project(c, &can, project, scheme, now).await })
                    })
                    .await
            }

            async fn safety_projects(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
            ) -> Result<Vec<SafetyProjectRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::safety_projects(&mut c, can).await
            }

            async fn safety_project(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                id: Uuid,
            ) -> Result<Option<SafetyProjectRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::safety_project(&mut c, can, id).await
            }

            async fn put_hazard(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                req: PutHazard,
            ) -> Result<HazardRecord, StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::put_hazard(c, &can, req).await }))
                    .await
            }

            async fn hazards(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Uuid,
            ) -> Result<Vec<HazardRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::hazards(&mut c, can, project_id).await
            }

            async fn hazard_history(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Uuid,
                number: i64,
            ) -> Result<Vec<HazardRevision>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::hazard_history(&mut c, can, project_id, number).await
            }

            async fn triage(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                t: NewTriage,
            ) -> Result<(HazardLink, Option<HazardRecord>), StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::triage(c, &can, t).await }))
                    .await
            }

            async fn hazard_links(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Option<Uuid>,
                report_id: Option<Uuid>,
            ) -> Result<Vec<HazardLink>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::hazard_links(&mut c, can, project_id, report_id).await
            }

            async fn update_safety_project(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                id: Uuid,
                project: candour_core::clinical::SafetyProject,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<SafetyProjectRecord, StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::update_safety_project(c, &can, id, project, now).await })
                    })
                    .await
            }

            async fn cyber_case(
                &self,
                can: &Can<ViewReports>,
                reference: &Reference,
            ) -> Result<Option<CyberCase>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::cyber_case(&mut c, can, reference).await
            }

            async fn cyber_change(
                &self,
                can: &Can<TransitionReports>,
                reference: &Reference,
                change: CyberChange,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<CyberChanged, StoreError> {
                let (can, reference) = (can.clone(), reference.clone());
                self.writer
                    .write(move |c| Box::pin(async move { sql::cyber_change(c, &can, &reference, change, now).await }))
                    .await
            }

            async fn review_clinical_impact(
                &self,
                can: &Can<candour_core::identity::SignOffSafety>,
                reference: &Reference,
                version: i64,
                note: String,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<candour_core::cyber::ImpactReview, StoreError> {
                let (can, reference) = (can.clone(), reference.clone());
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::review_impact(c, &can, &reference, version, note, now).await })
                    })
                    .await
            }

            async fn publish_advisory(
                &self,
                can: &Can<TransitionReports>,
                reference: &Reference,
                advisory: NewAdvisory,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<AdvisoryRecord, StoreError> {
                let (can, reference) = (can.clone(), reference.clone());
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::publish_advisory(c, &can, &reference, advisory, now).await })
                    })
                    .await
            }

            async fn record_review(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                r: NewReview,
            ) -> Result<ReviewRecord, StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::record_review(c, &can, r).await }))
                    .await
            }

            async fn reviews(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Uuid,
            ) -> Result<Vec<ReviewRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::reviews(&mut c, can, project_id).await
            }

            async fn review_inputs(&self) -> Result<Vec<ReviewInputs>, StoreError> {
                let mut c = self.reads.acquire().await?;
                let mut out = Vec::new();
                for project in sql::all_safety_projects(&mut c).await? {
                    let hazards = sql::all_hazards(&mut c, project.id).await?;
                    let mut last: std::collections::HashMap<String, chrono::NaiveDate> =
                        std::collections::HashMap::new();
                    for (subject, on) in sql::all_reviews(&mut c, project.id).await? {
                        let e = last.entry(subject).or_insert(on);
                        if on > *e {
                            *e = on;
                        }
                    }
                    out.push(ReviewInputs {
                        project,
                        hazards,
                        last,
                    });
                }
                Ok(out)
            }

            async fn claim_review_reminder(
                &self,
                project_id: Uuid,
                subject: &str,
                due_on: chrono::NaiveDate,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, StoreError> {
                let subject = subject.to_string();
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::claim_review_reminder(c, project_id, &subject, due_on, now).await })
                    })
                    .await
            }

            async fn put_cso(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                rec: candour_core::clinical::CsoRecord,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::put_cso(c, &can, rec, now).await }))
                    .await
            }

            async fn cso_records(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
            ) -> Result<Vec<candour_core::clinical::CsoRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::cso_records(&mut c, |o| can.covers(o)).await
            }

            async fn all_cso_records(&self) -> Result<Vec<candour_core::clinical::CsoRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::cso_records(&mut c, |_| true).await
            }

            async fn issue_documents(
                &self,
                can: &Can<candour_core::identity::SignOffSafety>,
                req: IssueDocuments,
            ) -> Result<Vec<IssuedDocument>, StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::issue_documents(c, &can, req).await }))
                    .await
            }

            async fn issued_documents(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Uuid,
            ) -> Result<Vec<IssuedDocument>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::issued_documents(&mut c, can, project_id).await
            }

            async fn issued_document(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Uuid,
                kind: candour_core::clinical::DocumentKind,
                version: i64,
            ) -> Result<Option<IssuedDocument>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::issued_document(&mut c, can, project_id, kind, version).await
            }

            async fn put_compliance(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                project_id: Uuid,
                answer: candour_core::clinical::ComplianceAnswer,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::put_compliance(c, &can, project_id, answer, now).await })
                    })
                    .await
            }

            async fn compliance_answers(
                &self,
                can: &Can<candour_core::identity::ViewHazards>,
                project_id: Uuid,
            ) -> Result<Vec<candour_core::clinical::ComplianceAnswer>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::compliance_answers(&mut c, can, project_id).await
            }

            async fn put_risk_scheme(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                scheme: candour_core::clinical::RiskScheme,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| Box::pin(async move { sql::put_risk_scheme(c, &can, scheme, now).await }))
                    .await
            }

            async fn risk_scheme(
                &self,
                id: &str,
                version: u32,
            ) -> Result<Option<candour_core::clinical::RiskScheme>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::risk_scheme(&mut c, id, version).await
            }

            async fn risk_schemes(&self) -> Result<Vec<candour_core::clinical::RiskScheme>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::risk_schemes(&mut c).await
            }

            async fn import_hazards(
                &self,
                can: &Can<candour_core::identity::ManageHazards>,
                project_id: Uuid,
                hazards: Vec<candour_core::clinical::Hazard>,
                source: String,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<HazardRecord>, StoreError> {
                let can = can.clone();
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::import_hazards(c, &can, project_id, hazards, source, now).await })
                    })
                    .await
            }

            async fn originals(&self, report_id: Uuid) -> Result<Vec<OriginalInfo>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::originals(&mut c, report_id).await
            }

            async fn original(&self, report_id: Uuid, id: Uuid) -> Result<Option<(OriginalInfo, Sealed)>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::original(&mut c, report_id, id).await
            }

            async fn redraw_attachment(
                &self,
                draft_id: &str,
                id: Uuid,
                from_sha256: &str,
                data: Vec<u8>,
                redaction: String,
            ) -> Result<AttachmentInfo, StoreError> {
                let (draft_id, from) = (draft_id.to_string(), from_sha256.to_string());
                self.writer
                    .write(move |c| {
                        Box::pin(async move { sql::redraw_attachment(c, &draft_id, id, &from, data, redaction).await })
                    })
                    .await
            }

            async fn outbox_message(&self, id: Uuid) -> Result<Option<OutboxMessage>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::outbox_message(&mut c, id).await
            }

            async fn put_draft(
                &self,
                id: &str,
                data: &str,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), StoreError> {
                let (id, data) = (id.to_string(), data.to_string());
                self.writer
                    .write(move |c| Box::pin(async move { sql::put_draft(c, &id, &data, expires_at).await }))
                    .await
            }

            async fn draft(&self, id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<String>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::draft(&mut c, id, now).await
            }

            async fn delete_draft(&self, id: &str) -> Result<(), StoreError> {
                let id = id.to_string();
                self.writer
                    .write(move |c| Box::pin(async move { sql::delete_draft(c, &id).await }))
                    .await
            }

            async fn report_by_tracking(&self, token_hash: &str) -> Result<Option<ReportRecord>, StoreError> {
                let mut c = self.reads.acquire().await?;
                sql::report_by_tracking(&mut c, token_hash).await
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.reads).await?;
                Ok(())
            }
        }
    };
}
pub(crate) use store_impl;
