//! The store conformance suite: every test runs against each backend.

use crate::helpers::*;
use candour_core::identity::{Role, TransitionReports, ViewReports};
use candour_core::lifecycle::{AckMethod, Action, Status};
use candour_core::ReportKind;
use candour_store::{Idempotency, ReportFilter, StoreError, TransitionRequest};
use std::collections::HashSet;

fn ack() -> Action {
    Action::Acknowledge {
        name: "Dr Priya Raman".into(),
        role: "Clinical Safety Officer".into(),
        method: AckMethod::Web,
    }
}

async fn verify(db: &TestDb) -> Result<i64, String> {
    candour::ops::audit_verify(&db.store).await.unwrap()
}

#[tokio::test]
async fn create_then_read_back_every_kind() {
    for db in backends().await {
        let can = admin().can::<ViewReports>().unwrap();
        for (kind, prefix) in [
            ("clinical_safety", "CS"),
            ("cyber_incident", "CY"),
            ("suspicious_activity", "SA"),
            ("vulnerability", "VU"),
            ("device_incident", "DV"),
        ] {
            let req = create_req(example(kind));
            let body = req.report.body().clone();
            let c = db.store.create_report(req).await.unwrap();
            let r = c.reference.to_string();
            assert!(
                r.starts_with(&format!("{prefix}-")) && r.ends_with("-000001"),
                "{} {r}",
                db.name()
            );
            let rec = db.store.get_report(&can, &c.reference).await.unwrap().unwrap();
            assert_eq!(rec.report.body(), &body, "{}", db.name());
            assert_eq!((rec.revision, rec.state.status), (1, Status::Received));
            assert_eq!(rec.taxonomy_version, taxonomy().version);
        }
        assert_eq!(verify(&db).await, Ok(5), "{}", db.name());
    }
}

#[tokio::test]
async fn references_are_unique_under_concurrent_creates() {
    for db in backends().await {
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .create_report(create_req(example("clinical_safety")))
                    .await
                    .unwrap()
                    .reference
                    .to_string()
            }));
        }
        let mut refs = HashSet::new();
        for t in tasks {
            assert!(refs.insert(t.await.unwrap()));
        }
        let want: HashSet<String> = (1..=40)
            .map(|n| format!("CS-{}-{n:06}", chrono::Utc::now().format("%Y")))
            .collect();
        assert_eq!(refs, want, "{}", db.name());
        assert_eq!(verify(&db).await, Ok(40));
    }
}

#[tokio::test]
async fn lifecycle_revisions_and_optimistic_concurrency() {
    for db in backends().await {
        let p = user(Role::Handler, Some("RZX"));
        let can = p.can::<TransitionReports>().unwrap();
        let c = db
            .store
            .create_report(create_req(example("clinical_safety")))
            .await
            .unwrap();
        let now = chrono::Utc::now();
        let tr = |rev: i64, action: Action| TransitionRequest {
            reference: c.reference.clone(),
            expected_revision: Some(rev),
            action,
            now,
        };

        // Triage before a human acknowledges: refused, nothing written.
        let e = db
            .store
            .transition(&can, tr(1, Action::Triage { note: None }))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Lifecycle(_)), "{e}");
        let r = db.store.transition(&can, tr(1, ack())).await.unwrap();
        assert_eq!((r.revision, r.state.status), (2, Status::Acknowledged));
        assert_eq!(r.state.acknowledgement.as_ref().unwrap().name, "Dr Priya Raman");
        // Stale revision: 409, nothing written.
        let e = db
            .store
            .transition(&can, tr(1, Action::Triage { note: None }))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                StoreError::Conflict {
                    expected: 1,
                    current: 2
                }
            ),
            "{e}"
        );
        for (rev, a) in [
            (
                2,
                Action::Triage {
                    note: Some("Supplier informed".into()),
                },
            ),
            (3, Action::StartInvestigation { note: None }),
            (
                4,
                Action::MakeSafe {
                    note: "Workaround issued".into(),
                },
            ),
            (
                5,
                Action::Resolve {
                    summary: "Fixed in 24.3.2".into(),
                },
            ),
        ] {
            db.store.transition(&can, tr(rev, a)).await.unwrap();
        }
        // Closing needs feedback to the reporter.
        let e = db
            .store
            .transition(&can, tr(6, Action::Close { feedback: " ".into() }))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Lifecycle(_)));
        let closed = db
            .store
            .transition(
                &can,
                tr(
                    6,
                    Action::Close {
                        feedback: "You said…, we did…".into(),
                    },
                ),
            )
            .await
            .unwrap();
        assert_eq!((closed.revision, closed.state.status), (7, Status::Closed));
        assert_eq!(closed.state.feedback.as_deref(), Some("You said…, we did…"));

        let revs = db.store.revisions(c.id).await.unwrap();
        assert_eq!(
            revs.iter().map(|r| r.revision).collect::<Vec<_>>(),
            (1..=7).collect::<Vec<_>>()
        );
        assert_eq!(
            revs.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            [
                "create",
                "acknowledge",
                "triage",
                "start_investigation",
                "make_safe",
                "resolve",
                "close"
            ]
        );
        assert_eq!(revs[6].state.status, Status::Closed);
        let audit = db.store.audit_for("report", &c.reference.to_string()).await.unwrap();
        assert_eq!(audit.len(), 7, "{}", db.name());
        assert!(audit[1].actor.contains("Test Handler"));
        assert_eq!(verify(&db).await, Ok(7));
    }
}

#[tokio::test]
async fn concurrent_transitions_on_one_report_lose_no_update() {
    for db in backends().await {
        let p = admin();
        let can = p.can::<TransitionReports>().unwrap();
        let c = db
            .store
            .create_report(create_req(example("clinical_safety")))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let store = db.store.clone();
            let can = can.clone();
            let reference = c.reference.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .transition(
                        &can,
                        TransitionRequest {
                            reference,
                            expected_revision: Some(1),
                            action: ack(),
                            now: chrono::Utc::now(),
                        },
                    )
                    .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::Conflict { .. }) | Err(StoreError::Lifecycle(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 1, "{}", db.name());
        assert_eq!(db.store.revisions(c.id).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn idempotency_key_returns_the_same_report_and_refuses_a_different_body() {
    for db in backends().await {
        let key = |h: &str| {
            Some(Idempotency {
                key: "k-123".into(),
                request_hash: h.into(),
            })
        };
        let mut a = create_req(example("clinical_safety"));
        a.idempotency = key("hash-a");
        let first = db.store.create_report(a.clone()).await.unwrap();
        let again = db.store.create_report(a).await.unwrap();
        assert_eq!(
            (again.reference.clone(), again.replayed),
            (first.reference.clone(), true)
        );
        let mut b = create_req(example("clinical_safety"));
        b.idempotency = key("hash-b");
        assert!(matches!(
            db.store.create_report(b).await,
            Err(StoreError::IdempotencyMismatch)
        ));
        let can = admin().can::<ViewReports>().unwrap();
        assert_eq!(
            db.store
                .list_reports(&can, &ReportFilter::default())
                .await
                .unwrap()
                .len(),
            1,
            "{}",
            db.name()
        );
    }
}

#[tokio::test]
async fn listing_filters_scope_and_cursor_pagination() {
    for db in backends().await {
        let mut other_org = example("clinical_safety");
        other_org["ods_code"] = "RZY".into();
        other_org["urgency"] = "immediate".into();
        other_org["patients"] = serde_json::json!([{"physical_harm": "severe", "psychological_harm": "none"}]);
        db.store.create_report(create_req(other_org)).await.unwrap();
        for k in [
            "clinical_safety",
            "cyber_incident",
            "suspicious_activity",
            "vulnerability",
            "device_incident",
        ] {
            db.store.create_report(create_req(example(k))).await.unwrap();
        }
        let all = admin().can::<ViewReports>().unwrap();
        let list = |f: ReportFilter| {
            let store = db.store.clone();
            let all = all.clone();
            async move { store.list_reports(&all, &f).await.unwrap() }
        };
        assert_eq!(list(ReportFilter::default()).await.len(), 6);
        assert_eq!(
            list(ReportFilter {
                kind: Some(ReportKind::CyberIncident),
                ..Default::default()
            })
            .await
            .len(),
            1
        );
        // The vulnerability example is also at RZY.
        assert_eq!(
            list(ReportFilter {
                organisation: Some("rzy".into()),
                ..Default::default()
            })
            .await
            .len(),
            2
        );
        assert_eq!(
            list(ReportFilter {
                urgency: Some("immediate".into()),
                ..Default::default()
            })
            .await
            .len(),
            2
        );
        assert_eq!(
            list(ReportFilter {
                min_harm: Some("severe".into()),
                ..Default::default()
            })
            .await
            .len(),
            1
        );
        assert_eq!(
            list(ReportFilter {
                system: Some("CareFlow EPR".into()),
                ..Default::default()
            })
            .await
            .len(),
            2
        );
        assert_eq!(
            list(ReportFilter {
                status: Some(Status::Received),
                acknowledged: Some(false),
                ..Default::default()
            })
            .await
            .len(),
            6
        );
        let future = chrono::Utc::now() + chrono::Duration::hours(1);
        assert_eq!(
            list(ReportFilter {
                from: Some(future),
                ..Default::default()
            })
            .await
            .len(),
            0
        );
        assert_eq!(
            list(ReportFilter {
                to: Some(future),
                ..Default::default()
            })
            .await
            .len(),
            6
        );

        // Pages of 4 then 2, newest first, no overlap.
        let p1 = list(ReportFilter {
            limit: Some(4),
            ..Default::default()
        })
        .await;
        let cursor = candour_store::encode_cursor(p1.last().unwrap().seq);
        let p2 = list(ReportFilter {
            limit: Some(4),
            cursor: Some(cursor),
            ..Default::default()
        })
        .await;
        assert_eq!((p1.len(), p2.len()), (4, 2));
        assert!(p1.last().unwrap().seq > p2[0].seq);

        // A handler at RZY sees only RZY's reports.
        let h = user(Role::Handler, Some("RZY"));
        let scoped = db
            .store
            .list_reports(&h.can::<ViewReports>().unwrap(), &ReportFilter::default())
            .await
            .unwrap();
        assert_eq!(
            scoped.iter().map(|s| s.ods_code.as_str()).collect::<Vec<_>>(),
            ["RZY", "RZY"],
            "{}",
            db.name()
        );
        let rzx = list(ReportFilter {
            organisation: Some("RZX".into()),
            ..Default::default()
        })
        .await;
        let reference = rzx[0].reference.parse().unwrap();
        assert!(db
            .store
            .get_report(&h.can::<ViewReports>().unwrap(), &reference)
            .await
            .unwrap()
            .is_none());
        let e = db
            .store
            .transition(
                &h.can::<TransitionReports>().unwrap(),
                TransitionRequest {
                    reference,
                    expected_revision: Some(1),
                    action: ack(),
                    now: chrono::Utc::now(),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound));
    }
}

async fn seeded(db: &TestDb) {
    let can = admin().can::<TransitionReports>().unwrap();
    for _ in 0..3 {
        let c = db
            .store
            .create_report(create_req(example("clinical_safety")))
            .await
            .unwrap();
        db.store
            .transition(
                &can,
                TransitionRequest {
                    reference: c.reference,
                    expected_revision: Some(1),
                    action: ack(),
                    now: chrono::Utc::now(),
                },
            )
            .await
            .unwrap();
    }
    assert_eq!(verify(db).await, Ok(6));
}

#[tokio::test]
async fn tampering_by_edit_is_detected_at_the_edited_entry() {
    for db in backends().await {
        seeded(&db).await;
        db.exec("UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = 4")
            .await;
        let e = verify(&db).await.unwrap_err();
        assert!(e.contains("entry 4") && e.contains("edited"), "{}: {e}", db.name());
    }
}

#[tokio::test]
async fn tampering_by_delete_is_detected() {
    for db in backends().await {
        seeded(&db).await;
        db.exec("DELETE FROM audit_log WHERE seq = 3").await;
        let e = verify(&db).await.unwrap_err();
        assert!(e.contains("entry 3"), "{}: {e}", db.name());
    }
    for db in backends().await {
        // Removing the newest entry leaves a valid-looking chain: the recorded head catches it.
        seeded(&db).await;
        db.exec("DELETE FROM audit_log WHERE seq = 6").await;
        let e = verify(&db).await.unwrap_err();
        assert!(e.contains("recorded head is entry 6"), "{}: {e}", db.name());
    }
}

#[tokio::test]
async fn tampering_by_reorder_is_detected() {
    for db in backends().await {
        seeded(&db).await;
        db.exec("UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 100;").await;
        let e = verify(&db).await.unwrap_err();
        assert!(e.contains("entry 2"), "{}: {e}", db.name());
    }
}

#[tokio::test]
async fn users_sessions_and_tokens() {
    for db in backends().await {
        candour::ops::add_user(
            &db.store,
            "cso.rzx",
            "Dr Priya Raman",
            "a-long-password",
            vec![candour::ops::parse_grant("clinical_safety_officer@RZX").unwrap()],
        )
        .await
        .unwrap();
        let dup = candour::ops::add_user(&db.store, "cso.rzx", "Someone", "a-long-password", vec![])
            .await
            .unwrap_err();
        assert!(dup.to_string().contains("already taken"), "{dup}");
        let u = db.store.user_by_username("cso.rzx").await.unwrap().unwrap();
        assert_eq!(u.grants.len(), 1);
        assert!(u.password_hash.starts_with("$argon2id$"));
        let token = candour::ops::add_token(&db.store, "cso.rzx", "ci").await.unwrap();
        let hash = candour_web::auth::token_hash(&token);
        assert_eq!(db.store.user_by_api_token(&hash).await.unwrap().unwrap().id, u.id);
        assert!(
            db.store.user_by_api_token(&token).await.unwrap().is_none(),
            "tokens are stored hashed"
        );
        let now = chrono::Utc::now();
        db.store
            .create_session(candour_store::NewSession {
                user_id: u.id,
                token_hash: "h1".into(),
                now,
                expires_at: now + chrono::Duration::hours(1),
            })
            .await
            .unwrap();
        assert!(db.store.user_by_session("h1", now).await.unwrap().is_some());
        assert!(
            db.store
                .user_by_session("h1", now + chrono::Duration::hours(2))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        db.store.delete_session("h1").await.unwrap();
        assert!(db.store.user_by_session("h1", now).await.unwrap().is_none());
        // user.create, api_token.create, session.create and session.delete are all audited.
        assert_eq!(verify(&db).await, Ok(4), "{}", db.name());
    }
}

#[tokio::test]
async fn report_rows_edited_deleted_or_inserted_outside_candour_are_detected() {
    for db in backends().await {
        seeded(&db).await;
        let y = chrono::Utc::now().format("%Y");
        db.exec(&format!("UPDATE reports SET body = replace(body, 'Allergy banner', 'Nothing to see') WHERE reference = 'CS-{y}-000002'")).await;
        let e = verify(&db).await.unwrap_err();
        assert!(
            e.contains(&format!("CS-{y}-000002 does not match")),
            "{}: {e}",
            db.name()
        );
    }
    for db in backends().await {
        seeded(&db).await;
        let y = chrono::Utc::now().format("%Y");
        db.exec(&format!(
            "DELETE FROM report_revisions WHERE report_id = (SELECT id FROM reports WHERE reference = 'CS-{y}-000001'); \
             DELETE FROM reports WHERE reference = 'CS-{y}-000001';"
        ))
        .await;
        let e = verify(&db).await.unwrap_err();
        assert!(
            e.contains(&format!("CS-{y}-000001 is in the audit log but missing")),
            "{}: {e}",
            db.name()
        );
    }
    for db in backends().await {
        seeded(&db).await;
        db.exec("UPDATE reports SET reference = 'CS-1999-000001' WHERE seq = (SELECT MIN(seq) FROM reports)")
            .await;
        let e = verify(&db).await.unwrap_err();
        assert!(e.contains("CS-1999-000001 has no audit trail"), "{}: {e}", db.name());
    }
}

#[tokio::test]
async fn full_pages_of_500_still_lead_to_the_next_page() {
    let app = spawn_app().await;
    for _ in 0..503 {
        app.db
            .store
            .create_report(create_req(example("suspicious_activity")))
            .await
            .unwrap();
    }
    let token = app
        .login_as("admin", vec![candour::ops::parse_grant("admin").unwrap()])
        .await;
    let get = |url: String| {
        let app = &app;
        let token = token.clone();
        async move {
            app.client
                .get(app.url(&url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let p1 = get("/api/v1/reports?limit=500".into()).await;
    assert_eq!(p1["items"].as_array().unwrap().len(), 500);
    let cursor = p1["next_cursor"]
        .as_str()
        .expect("a full page has a next cursor")
        .to_string();
    let p2 = get(format!("/api/v1/reports?limit=500&cursor={cursor}")).await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 3);
    assert!(p2["next_cursor"].is_null());
}

#[tokio::test]
async fn a_double_submit_racing_in_one_batch_stores_one_report() {
    for db in backends().await {
        let mut tasks = Vec::new();
        for i in 0..30 {
            let store = db.store.clone();
            let mut req = create_req(example("clinical_safety"));
            // Ten different keys, each sent three times at once; key 9 once with a different body.
            let (key, hash) = (
                format!("k{}", i % 10),
                if i == 29 {
                    "other".to_string()
                } else {
                    format!("h{}", i % 10)
                },
            );
            req.idempotency = Some(Idempotency {
                key,
                request_hash: hash,
            });
            tasks.push(tokio::spawn(async move { store.create_report(req).await }));
        }
        let mut refs = std::collections::HashMap::new();
        let mut mismatches = 0;
        for (i, t) in tasks.into_iter().enumerate() {
            match t.await.unwrap() {
                Ok(c) => {
                    let prev = refs.insert(i % 10, c.reference.clone());
                    assert!(
                        prev.is_none_or(|p| p == c.reference),
                        "{}: key k{} got two references",
                        db.name(),
                        i % 10
                    );
                }
                Err(StoreError::IdempotencyMismatch) => mismatches += 1,
                Err(e) => panic!("{e}"),
            }
        }
        let can = admin().can::<ViewReports>().unwrap();
        assert_eq!(
            db.store
                .list_reports(&can, &ReportFilter::default())
                .await
                .unwrap()
                .len(),
            10,
            "{}",
            db.name()
        );
        // The odd body out is refused unless it was the first to be stored under k9.
        assert!((1..=2).contains(&mismatches), "{}: {mismatches}", db.name());
        assert_eq!(verify(&db).await, Ok(10));
    }
}

#[tokio::test]
async fn amending_a_report_makes_a_revision_and_keeps_the_reporter() {
    for db in backends().await {
        let p = user(Role::Handler, Some("RZX"));
        let can = p.can::<TransitionReports>().unwrap();
        let view = admin().can::<ViewReports>().unwrap();
        let c = db
            .store
            .create_report(create_req(example("device_incident")))
            .await
            .unwrap();
        let cur = db.store.get_report(&view, &c.reference).await.unwrap().unwrap();
        let mut body = cur.report.body().clone();
        body.patients[0].physical_harm = "moderate".into();
        body.reporter.name = None; // what a handler who cannot see a confidential identity would send back
        let upd = |b: candour_core::report::ReportBody, rev: i64| candour_store::UpdateRequest {
            reference: c.reference.clone(),
            expected_revision: rev,
            body: b,
            now: chrono::Utc::now(),
        };
        let r = db.store.update_report(&can, upd(body.clone(), 1)).await.unwrap();
        assert_eq!(r.revision, 2);
        assert_eq!(r.report.body().patients[0].physical_harm, "moderate");
        assert_eq!(
            r.report.body().reporter.name.as_deref(),
            Some("Grace Nwosu"),
            "{}",
            db.name()
        );
        let moderate = db
            .store
            .list_reports(
                &view,
                &ReportFilter {
                    min_harm: Some("moderate".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(moderate.len(), 1, "summary columns follow the amendment");
        assert!(matches!(
            db.store.update_report(&can, upd(body.clone(), 1)).await,
            Err(StoreError::Conflict { .. })
        ));
        let mut moved = body.clone();
        moved.ods_code = "RZY".into();
        assert!(
            matches!(
                db.store.update_report(&can, upd(moved, 2)).await,
                Err(StoreError::Lifecycle(_))
            ),
            "cannot move it out of scope"
        );
        let revs = db.store.revisions(c.id).await.unwrap();
        assert_eq!(
            revs.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            ["create", "update"]
        );
        assert_eq!(
            revs[0].body.patients[0].physical_harm, "low",
            "history keeps what was first said"
        );
        let audit = db.store.audit_for("report", &c.reference.to_string()).await.unwrap();
        assert_eq!(audit[1].action, "report.update");
        assert_eq!(verify(&db).await, Ok(2));
    }
}

#[tokio::test]
async fn drafts_expire_and_tracking_links_find_their_report() {
    for db in backends().await {
        let now = chrono::Utc::now();
        db.store
            .put_draft("d1", r#"{"kind":"cyber_incident"}"#, now + chrono::Duration::hours(1))
            .await
            .unwrap();
        db.store
            .put_draft("d1", r#"{"kind":"vulnerability"}"#, now + chrono::Duration::hours(1))
            .await
            .unwrap();
        db.store
            .put_draft("old", "{}", now - chrono::Duration::seconds(1))
            .await
            .unwrap();
        assert_eq!(
            db.store.draft("d1", now).await.unwrap().as_deref(),
            Some(r#"{"kind":"vulnerability"}"#),
            "{}: the latest answers win",
            db.name()
        );
        assert_eq!(
            db.store.draft("old", now).await.unwrap(),
            None,
            "{}: expired drafts are gone",
            db.name()
        );
        db.store.delete_draft("d1").await.unwrap();
        assert_eq!(db.store.draft("d1", now).await.unwrap(), None);

        let mut req = create_req(example("clinical_safety"));
        req.tracking_hash = Some("ab".repeat(32));
        let created = db.store.create_report(req).await.unwrap();
        let found = db.store.report_by_tracking(&"ab".repeat(32)).await.unwrap().unwrap();
        assert_eq!(found.reference, created.reference);
        assert!(db.store.report_by_tracking(&"cd".repeat(32)).await.unwrap().is_none());
        // A second report cannot claim the same link.
        let mut dup = create_req(example("clinical_safety"));
        dup.tracking_hash = Some("ab".repeat(32));
        assert!(
            db.store.create_report(dup).await.is_err(),
            "{}: tracking links are unique",
            db.name()
        );
        assert_eq!(verify(&db).await, Ok(1));
    }
}

/// Screenshots' redacted files and their sealed originals move from a draft to its report in the report's
/// transaction, with the report's own sealed original; a removed file takes its original with it; only
/// redacted files are ever handed out.
#[tokio::test]
async fn attachments_and_originals_move_with_the_report_and_nothing_unredacted_is_handed_out() {
    for db in backends().await {
        let s = &db.store;
        let now = chrono::Utc::now();
        let draft = format!("draft-{}", uuid::Uuid::now_v7());
        s.put_draft(&draft, "{}", now + chrono::Duration::hours(1))
            .await
            .unwrap();
        let sealed = |b: u8| candour_store::Sealed {
            key_id: "k1".into(),
            nonce: vec![b; 12],
            ciphertext: vec![b; 40],
        };
        let add = |redaction: Option<String>, original: Option<candour_store::Sealed>| candour_store::NewAttachment {
            draft_id: draft.clone(),
            filename: "screen.png".into(),
            media_type: "image/png".into(),
            data: vec![0x89, b'P', b'N', b'G', 1, 2, 3],
            redaction,
            original,
            max_files: 5,
            now,
        };
        let kept = s.add_attachment(add(Some("[]".into()), Some(sealed(7)))).await.unwrap();
        assert!(kept.redacted);
        let dropped = s.add_attachment(add(Some("[]".into()), Some(sealed(8)))).await.unwrap();
        s.remove_attachment(&draft, dropped.id).await.unwrap();
        let legacy = s.add_attachment(add(None, None)).await.unwrap();
        assert!(!legacy.redacted);
        assert!(
            s.attachment_data(legacy.id, Some(&draft), None)
                .await
                .unwrap()
                .is_none(),
            "{}: an unredacted file is never handed out",
            db.name()
        );
        let (_, data, boxes) = s.attachment_data(kept.id, Some(&draft), None).await.unwrap().unwrap();
        assert_eq!((data.len(), boxes.as_str()), (7, "[]"));
        s.redraw_attachment(
            &draft,
            kept.id,
            &kept.sha256,
            vec![9; 3],
            "[{\"type\":\"BY_HAND\"}]".into(),
        )
        .await
        .unwrap();
        // A box drawn on the version before that one would lose it: refused.
        assert!(matches!(
            s.redraw_attachment(&draft, kept.id, &kept.sha256, vec![8; 3], "[]".into()).await,
            Err(candour_store::StoreError::Constraint(c)) if c == "attachments_changed_meanwhile"
        ));
        assert!(matches!(
            s.redraw_attachment("another-draft", kept.id, &kept.sha256, vec![1], "[]".into())
                .await,
            Err(candour_store::StoreError::NotFound)
        ));

        let mut req = create_req(example("clinical_safety"));
        req.attachments_from_draft = Some(draft.clone());
        req.original = Some(sealed(5));
        req.keep_draft_originals = true;
        let created = s.create_report(req).await.unwrap();
        let originals = s.originals(created.id).await.unwrap();
        let kinds: Vec<&str> = originals.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds.len(), 2, "{}: {kinds:?}", db.name());
        assert!(kinds.contains(&"text") && kinds.contains(&"image"));
        let image = originals.iter().find(|o| o.kind == "image").unwrap();
        assert_eq!(image.attachment_id, Some(kept.id));
        let (_, back) = s.original(created.id, image.id).await.unwrap().unwrap();
        assert_eq!(back, sealed(7));
        assert!(
            s.original(uuid::Uuid::now_v7(), image.id).await.unwrap().is_none(),
            "scoped to its report"
        );
        let (_, data, boxes) = s
            .attachment_data(kept.id, None, Some(created.id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((data, boxes.contains("BY_HAND")), (vec![9; 3], true));
        assert!(
            s.attachment_data(kept.id, Some(&draft), None).await.unwrap().is_none(),
            "no longer the draft's"
        );
        let audit = s.audit_for("report", &created.reference.to_string()).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "report.keep_original"));
        assert!(audit.iter().any(|e| e.action == "report.attach"));
        // A report for an organisation whose policy (at submission) discards originals: the draft's
        // screenshot originals are deleted, not moved, whatever was decided at upload.
        let draft2 = format!("draft-{}", uuid::Uuid::now_v7());
        s.put_draft(&draft2, "{}", now + chrono::Duration::hours(1))
            .await
            .unwrap();
        let mut a2 = add(Some("[]".into()), Some(sealed(9)));
        a2.draft_id = draft2.clone();
        s.add_attachment(a2).await.unwrap();
        let mut req = create_req(example("clinical_safety"));
        req.attachments_from_draft = Some(draft2.clone());
        let plain = s.create_report(req).await.unwrap();
        assert!(s.originals(plain.id).await.unwrap().is_empty(), "{}", db.name());
        assert_eq!(
            s.attachments(None, Some(plain.id)).await.unwrap().len(),
            1,
            "the redacted copy is kept"
        );
        verify(&db).await.unwrap();
    }
}

fn hazard_input(name: &str, likelihood: &str) -> candour_core::clinical::Hazard {
    let input: candour_core::clinical::HazardInput = serde_json::from_value(serde_json::json!({
        "name": name,
        "description": "The allergy banner does not refresh after switching records.",
        "types": ["WrongPatient"],
        "initial": { "likelihood": likelihood, "severity": "Major" },
        "status": "open"
    }))
    .unwrap();
    input
        .validate(
            &candour_core::clinical::RiskScheme::dcb0129_example().unwrap(),
            &candour_core::clinical::HazardTypes::default_types().unwrap(),
            &[],
        )
        .unwrap()
}

/// Hazard logs: projects scoped to their organisation, hazards numbered H-001.., changed only at the
/// revision the editor saw, every version kept, audited, never deleted; concurrent creates never share a
/// number.
#[tokio::test]
async fn hazard_logs_keep_every_version_and_refuse_stale_edits() {
    use candour_core::clinical::{RiskScheme, SafetyProject};
    use candour_core::identity::{ManageHazards, ViewHazards};
    for db in backends().await {
        let s = &db.store;
        let now = chrono::Utc::now();
        let cso = user(Role::ClinicalSafetyOfficer, Some("RZX"));
        let manage = cso.can::<ManageHazards>().unwrap();
        let view = cso.can::<ViewHazards>().unwrap();
        let project: SafetyProject = serde_json::from_value(serde_json::json!({
            "ods_code": "RZX", "name": "CareFlow EPR deployment", "system": "CareFlow EPR 8.2",
            "standard": "DCB0160", "intended_use": "Inpatient electronic patient record", "lifecycle_phase": "live"
        }))
        .unwrap();
        let scheme = RiskScheme::dcb0129_example().unwrap().reference();
        let other = user(Role::ClinicalSafetyOfficer, Some("RX1"));
        assert!(matches!(
            s.create_safety_project(
                &other.can::<ManageHazards>().unwrap(),
                project.clone(),
                scheme.clone(),
                now
            )
            .await,
            Err(StoreError::NotFound)
        ));
        let p = s.create_safety_project(&manage, project, scheme, now).await.unwrap();
        assert_eq!(s.safety_projects(&view).await.unwrap().len(), 1);
        assert!(s
            .safety_projects(&other.can::<ViewHazards>().unwrap())
            .await
            .unwrap()
            .is_empty());
        let put = |number: Option<i64>, expected: Option<i64>, h| candour_store::PutHazard {
            project_id: p.id,
            number,
            expected_revision: expected,
            hazard: h,
            now,
        };
        let h1 = s
            .put_hazard(
                &manage,
                put(None, None, hazard_input("Banner shows the previous patient", "Medium")),
            )
            .await
            .unwrap();
        assert_eq!(
            (h1.hazard_id.as_str(), h1.revision, h1.hazard.initial.rating),
            ("H-001", 1, 3)
        );
        let h1b = s
            .put_hazard(
                &manage,
                put(
                    Some(1),
                    Some(1),
                    hazard_input("Banner shows the previous patient", "Low"),
                ),
            )
            .await
            .unwrap();
        assert_eq!((h1b.revision, h1b.hazard.initial.rating), (2, 3));
        let stale = s
            .put_hazard(&manage, put(Some(1), Some(1), hazard_input("Stale edit", "High")))
            .await;
        assert!(
            matches!(
                stale,
                Err(StoreError::Conflict {
                    expected: 1,
                    current: 2
                })
            ),
            "{}: {stale:?}",
            db.name()
        );
        assert!(matches!(
            s.put_hazard(&manage, put(Some(1), None, hazard_input("Blind edit", "High")))
                .await,
            Err(StoreError::Conflict { .. })
        ));
        assert!(matches!(
            s.put_hazard(&manage, put(Some(99), Some(1), hazard_input("Nothing there", "High")))
                .await,
            Err(StoreError::NotFound)
        ));
        let mut foreign = hazard_input("Another scheme", "High");
        foreign.initial.scheme.version = 2;
        assert!(matches!(
            s.put_hazard(&manage, put(None, None, foreign)).await,
            Err(StoreError::Constraint(_))
        ));
        // Concurrent creates: distinct numbers.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let s = s.clone();
            let manage = manage.clone();
            let req = put(None, None, hazard_input(&format!("Concurrent {i}"), "Low"));
            tasks.push(tokio::spawn(
                async move { s.put_hazard(&manage, req).await.unwrap().number },
            ));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            numbers.push(t.await.unwrap());
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (2..=9).collect::<Vec<i64>>(), "{}", db.name());
        let all = s.hazards(&view, p.id).await.unwrap();
        assert_eq!(all.len(), 9);
        assert_eq!(all[0].hazard.name, "Banner shows the previous patient");
        let history = s.hazard_history(&view, p.id, 1).await.unwrap();
        assert_eq!(history.iter().map(|r| r.revision).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(history[0].hazard.initial.likelihood, "L3");
        assert_eq!(history[1].hazard.initial.likelihood, "L2");
        assert!(matches!(
            s.hazards(&other.can::<ViewHazards>().unwrap(), p.id).await,
            Err(StoreError::NotFound)
        ));
        let audit = s.audit_for("hazard", &format!("{}/H-001", p.id)).await.unwrap();
        assert_eq!(
            audit.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["hazard.create", "hazard.update"]
        );
        assert!(audit[1].before_digest.is_some());
        verify(&db).await.unwrap();
    }
}

/// Clinical governance on both backends: triage links a report to a hazard and flags the safety case when
/// the risk changes; reviews are kept; a CSO whose record is incomplete cannot issue anything; issued
/// documents get the next version, record who approved them and the content hash, clear the flag (a CSCR),
/// and the database itself refuses to change or delete them; an import is all or nothing.
#[tokio::test]
async fn triage_reviews_sign_off_and_immutable_issued_documents() {
    use candour_core::clinical::{
        CsoRecord, Document, DocumentKind, ReviewSubject, RiskScheme, SafetyProject, TriageKind,
    };
    use candour_core::identity::{ManageHazards, SignOffSafety, ViewHazards};
    for db in backends().await {
        let s = &db.store;
        let now = chrono::Utc::now();
        let cso = user(Role::ClinicalSafetyOfficer, Some("RZX"));
        let (manage, view, sign) = (
            cso.can::<ManageHazards>().unwrap(),
            cso.can::<ViewHazards>().unwrap(),
            cso.can::<SignOffSafety>().unwrap(),
        );
        assert!(admin().can::<SignOffSafety>().is_none(), "only a CSO signs off");
        let project: SafetyProject = serde_json::from_value(serde_json::json!({
            "ods_code": "RZX", "name": "CareFlow EPR deployment", "system": "CareFlow EPR 8.2",
            "standard": "DCB0160", "intended_use": "Inpatient electronic patient record", "lifecycle_phase": "live"
        }))
        .unwrap();
        let scheme = RiskScheme::dcb0129_example().unwrap();
        let p = s
            .create_safety_project(&manage, project, scheme.reference(), now)
            .await
            .unwrap();
        let report = s.create_report(create_req(example("clinical_safety"))).await.unwrap();
        let elsewhere = s
            .create_report(create_req(example("suspicious_activity")))
            .await
            .unwrap();
        let refused = s
            .triage(
                &manage,
                candour_store::NewTriage {
                    project_id: p.id,
                    report_id: elsewhere.id,
                    kind: TriageKind::NewHazard,
                    number: None,
                    expected_revision: None,
                    hazard: Some(hazard_input("Not ours", "Low")),
                    control_index: None,
                    risk_changed: true,
                    note: String::new(),
                    now,
                },
            )
            .await;
        assert!(
            matches!(&refused, Err(StoreError::Constraint(c)) if c == "hazard_links_same_organisation"),
            "{}: {refused:?}",
            db.name()
        );
        assert!(s.hazards(&view, p.id).await.unwrap().is_empty(), "nothing half-written");
        let (link, h) = s
            .triage(
                &manage,
                candour_store::NewTriage {
                    project_id: p.id,
                    report_id: report.id,
                    kind: TriageKind::NewHazard,
                    number: None,
                    expected_revision: None,
                    hazard: Some(hazard_input("Allergy banner missing", "Medium")),
                    control_index: None,
                    risk_changed: true,
                    note: "Raised at triage".into(),
                    now,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (link.hazard_id.as_str(), link.risk_changed),
            ("H-001", true),
            "{}",
            db.name()
        );
        assert_eq!(h.unwrap().revision, 1);
        let flagged = s.safety_project(&view, p.id).await.unwrap().unwrap();
        assert!(flagged.safety_case_review.unwrap().contains("H-001"), "{}", db.name());
        let again = s
            .triage(
                &manage,
                candour_store::NewTriage {
                    project_id: p.id,
                    report_id: report.id,
                    kind: TriageKind::Realises,
                    number: Some(1),
                    expected_revision: Some(1),
                    hazard: None,
                    control_index: None,
                    risk_changed: false,
                    note: String::new(),
                    now,
                },
            )
            .await
            .unwrap();
        assert!(!again.0.risk_changed);
        let twice = s
            .triage(
                &manage,
                candour_store::NewTriage {
                    project_id: p.id,
                    report_id: report.id,
                    kind: TriageKind::Realises,
                    number: Some(1),
                    expected_revision: Some(1),
                    hazard: None,
                    control_index: None,
                    risk_changed: false,
                    note: String::new(),
                    now,
                },
            )
            .await;
        assert!(
            matches!(&twice, Err(StoreError::Constraint(c)) if c == "hazard_links_once"),
            "{}: {twice:?}",
            db.name()
        );
        assert_eq!(s.hazard_links(&view, None, Some(report.id)).await.unwrap().len(), 2);
        let stranger = user(Role::ClinicalSafetyOfficer, Some("RX1"));
        assert!(s
            .hazard_links(&stranger.can::<ViewHazards>().unwrap(), Some(p.id), None)
            .await
            .unwrap()
            .is_empty());

        let r = s
            .record_review(
                &manage,
                candour_store::NewReview {
                    project_id: p.id,
                    subject: ReviewSubject::Hazard(1),
                    done_on: now.date_naive(),
                    outcome: "Controls still adequate".into(),
                    now,
                },
            )
            .await
            .unwrap();
        assert_eq!(r.subject, "hazard:1");
        assert!(matches!(
            s.record_review(
                &manage,
                candour_store::NewReview {
                    project_id: p.id,
                    subject: ReviewSubject::Hazard(9),
                    done_on: now.date_naive(),
                    outcome: "x".into(),
                    now
                }
            )
            .await,
            Err(StoreError::NotFound)
        ));
        let inputs = s.review_inputs().await.unwrap();
        assert_eq!(inputs[0].last.get("hazard:1"), Some(&now.date_naive()));

        let doc = |title: &str| Document {
            kind: DocumentKind::Cscr,
            title: title.into(),
            meta: vec![],
            sections: vec![],
        };
        let issue = |docs: Vec<(i64, Document)>| candour_store::IssueDocuments {
            project_id: p.id,
            cso_username: "cso".into(),
            documents: docs,
            log_state: None,
            now,
        };
        assert!(matches!(
            s.issue_documents(&sign, issue(vec![(1, doc("v1"))])).await,
            Err(StoreError::Constraint(c)) if c == "cso_record_missing"
        ));
        let mut rec: CsoRecord = serde_json::from_value(serde_json::json!({
            "ods_code": "RZX", "name": "Dr Priya Raman", "username": "cso", "registration_body": "GMC"
        }))
        .unwrap();
        s.put_cso(&manage, rec.clone(), now).await.unwrap();
        assert!(matches!(
            s.issue_documents(&sign, issue(vec![(1, doc("v1"))])).await,
            Err(StoreError::Constraint(c)) if c == "cso_record_incomplete"
        ));
        rec.profession = "Doctor".into();
        rec.registration_number = "7654321".into();
        rec.training_evidence = vec!["Digital clinical safety training 2025".into()];
        rec.appointed_on = Some(now.date_naive());
        s.put_cso(&manage, rec, now).await.unwrap();
        assert_eq!(s.cso_records(&view).await.unwrap().len(), 1, "saved once, then updated");
        let mut stale = issue(vec![(1, doc("v1"))]);
        stale.log_state = Some(candour_store::log_state([(1i64, 0i64)].into_iter()));
        assert!(
            matches!(s.issue_documents(&sign, stale).await, Err(StoreError::Constraint(c)) if c == "safety_documents_log_changed"),
            "drafted from a revision of H-001 the log has moved past ({})",
            db.name()
        );
        let mut current = issue(vec![(1, doc("v1"))]);
        current.log_state = Some(candour_store::log_state([(1i64, 1i64)].into_iter()));
        let issued = s.issue_documents(&sign, current).await.unwrap();
        assert_eq!(
            (
                issued[0].version,
                issued[0].registration.as_str(),
                issued[0].content_hash.clone()
            ),
            (1, "GMC 7654321", doc("v1").content_hash())
        );
        assert!(s
            .safety_project(&view, p.id)
            .await
            .unwrap()
            .unwrap()
            .safety_case_review
            .is_none());
        assert!(matches!(
            s.issue_documents(&sign, issue(vec![(1, doc("again"))])).await,
            Err(StoreError::Conflict {
                expected: 0,
                current: 1
            })
        ));
        let back = s
            .issued_document(&view, p.id, DocumentKind::Cscr, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.document.unwrap().content_hash(), issued[0].content_hash);
        for sql in [
            "UPDATE safety_documents SET body = '{}'",
            "DELETE FROM safety_documents",
        ] {
            let e = db.try_exec(sql).await.unwrap_err();
            assert!(
                e.to_string().contains("safety_documents_immutable"),
                "{}: {e}",
                db.name()
            );
        }
        assert_eq!(s.issued_documents(&view, p.id).await.unwrap().len(), 1);

        let mut wrong = hazard_input("Other scheme", "Low");
        wrong.initial.scheme.version = 99;
        let before = s.hazards(&view, p.id).await.unwrap().len();
        assert!(s
            .import_hazards(
                &manage,
                p.id,
                vec![hazard_input("Fine", "Low"), wrong],
                "test".into(),
                now
            )
            .await
            .is_err());
        assert_eq!(
            s.hazards(&view, p.id).await.unwrap().len(),
            before,
            "nothing half-imported"
        );
        let added = s
            .import_hazards(
                &manage,
                p.id,
                vec![hazard_input("A", "Low"), hazard_input("B", "High")],
                "test".into(),
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            added.iter().map(|h| h.hazard_id.as_str()).collect::<Vec<_>>(),
            ["H-002", "H-003"]
        );

        let mut local = RiskScheme::dcb0129_example().unwrap();
        local.id = "local".into();
        local.name = "Local".into();
        s.put_risk_scheme(&manage, local.clone(), now).await.unwrap();
        assert!(
            matches!(s.put_risk_scheme(&manage, local.clone(), now).await, Err(StoreError::Constraint(c)) if c == "risk_schemes_pk"),
            "{}",
            db.name()
        );
        assert_eq!(s.risk_scheme("local", 1).await.unwrap(), Some(local));
        assert!(s.risk_scheme("local", 2).await.unwrap().is_none());
        let e = db.try_exec("UPDATE risk_schemes SET name = 'x'").await.unwrap_err();
        assert!(e.to_string().contains("risk_schemes_immutable"), "{}: {e}", db.name());
        verify(&db).await.unwrap();
    }
}

fn indicator(kind: &str, value: &str, excluded: Option<&str>) -> candour_store::NewIndicator {
    candour_store::NewIndicator {
        kind: kind.into(),
        value: value.into(),
        is_ioc: false,
        tlp: candour_core::cyber::Tlp::Amber,
        excluded: excluded.map(String::from),
        source: "paste".into(),
    }
}

#[tokio::test]
async fn cyber_cases_correlate_gate_closure_escalate_once_and_keep_advisories() {
    use candour_core::cyber::{ClinicalImpact, DisclosureFacts, ImpactLevel, Task, TaskStatus, TimelineEvent, Tlp};
    use candour_core::identity::SignOffSafety;
    use candour_store::CyberChange;
    for db in backends().await {
        let s = &db.store;
        let now = chrono::Utc::now();
        let (all, handler) = (
            admin().can::<ViewReports>().unwrap(),
            admin().can::<TransitionReports>().unwrap(),
        );
        let local = user(Role::Handler, Some("RZX"));
        let (local_view, local_change) = (
            local.can::<ViewReports>().unwrap(),
            local.can::<TransitionReports>().unwrap(),
        );
        let a = s
            .create_report(create_req(example("cyber_incident")))
            .await
            .unwrap()
            .reference;
        let mut other = example("cyber_incident");
        other["ods_code"] = "RZY".into();
        let b = s.create_report(create_req(other)).await.unwrap().reference;
        let v = s
            .create_report(create_req(example("vulnerability")))
            .await
            .unwrap()
            .reference;
        let clinical = s
            .create_report(create_req(example("clinical_safety")))
            .await
            .unwrap()
            .reference;
        let kind = s.cyber_case(&all, &clinical).await;
        assert!(
            matches!(&kind, Err(StoreError::Constraint(c)) if c == "cyber_case_kind"),
            "{kind:?}"
        );

        // Indicators: unique per report; shared ones correlate across reports, excluded ones never do, and
        // a report the caller cannot see is counted without its reference.
        let change = |can, r, c| async move { s.cyber_change(can, r, c, now).await };
        let added = change(
            &local_change,
            &a,
            CyberChange::AddIndicators(vec![
                indicator("ipv4", "203.0.113.7", None),
                indicator("domain", "evil.example", None),
                indicator("ipv4", "10.0.0.5", Some("private address range")),
            ]),
        )
        .await
        .unwrap();
        assert_eq!((added.changed, added.already), (3, 0), "{}", db.name());
        let again = change(
            &local_change,
            &a,
            CyberChange::AddIndicators(vec![indicator("ipv4", "203.0.113.7", None)]),
        )
        .await
        .unwrap();
        assert_eq!((again.changed, again.already), (0, 1));
        change(
            &handler,
            &b,
            CyberChange::AddIndicators(vec![
                indicator("ipv4", "203.0.113.7", None),
                indicator("ipv4", "10.0.0.5", Some("private address range")),
            ]),
        )
        .await
        .unwrap();
        let seen_all = s.cyber_case(&all, &a).await.unwrap().unwrap();
        assert_eq!(
            seen_all.correlations.len(),
            1,
            "{}: {:?}",
            db.name(),
            seen_all.correlations
        );
        assert_eq!(
            seen_all.correlations[0].reference.as_deref(),
            Some(b.to_string().as_str())
        );
        let seen_local = s.cyber_case(&local_view, &a).await.unwrap().unwrap();
        assert_eq!(
            (
                seen_local.correlations.len(),
                seen_local.correlations[0].reference.clone()
            ),
            (1, None)
        );
        assert!(
            s.cyber_case(&local_view, &b).await.unwrap().is_none(),
            "another organisation's case is not shown"
        );
        let denied = change(&local_change, &b, CyberChange::Marking(Tlp::Red)).await;
        assert!(matches!(denied, Err(StoreError::NotFound)), "{denied:?}");

        let ind = seen_all
            .indicators
            .iter()
            .find(|i| i.value == "evil.example")
            .unwrap()
            .id;
        change(
            &local_change,
            &a,
            CyberChange::UpdateIndicator {
                id: ind,
                is_ioc: true,
                tlp: Tlp::Green,
            },
        )
        .await
        .unwrap();
        change(&local_change, &a, CyberChange::Marking(Tlp::AmberStrict))
            .await
            .unwrap();

        // Timeline: the database refuses a discovery before the event even if the domain check is skipped.
        let ev = TimelineEvent {
            event_at: now - chrono::Duration::days(3),
            discovered_at: Some(now - chrono::Duration::days(1)),
            summary: "Beacon to evil.example".into(),
        };
        change(&local_change, &a, CyberChange::AddEvent(ev.clone()))
            .await
            .unwrap();
        let bad = TimelineEvent {
            discovered_at: Some(now - chrono::Duration::days(5)),
            ..ev
        };
        let e = change(&local_change, &a, CyberChange::AddEvent(bad)).await;
        assert!(
            matches!(&e, Err(StoreError::Constraint(c)) if c == "cyber_events_discovered_after"),
            "{}: {e:?}",
            db.name()
        );

        // Tasks change only at the revision the editor saw.
        let task = Task {
            title: "Block 203.0.113.7 at the firewall".into(),
            assignee: Some("it.security".into()),
            status: TaskStatus::Open,
            due_on: None,
            outcome: None,
        };
        let t = change(
            &local_change,
            &a,
            CyberChange::PutTask {
                id: None,
                expected_revision: None,
                task: task.clone(),
            },
        )
        .await
        .unwrap();
        let tid: uuid::Uuid = t.id.unwrap().parse().unwrap();
        let done = Task {
            status: TaskStatus::Done,
            outcome: Some("Blocked".into()),
            ..task
        };
        change(
            &local_change,
            &a,
            CyberChange::PutTask {
                id: Some(tid),
                expected_revision: Some(1),
                task: done.clone(),
            },
        )
        .await
        .unwrap();
        let stale = change(
            &local_change,
            &a,
            CyberChange::PutTask {
                id: Some(tid),
                expected_revision: Some(1),
                task: done,
            },
        )
        .await;
        assert!(
            matches!(
                stale,
                Err(StoreError::Conflict {
                    expected: 1,
                    current: 2
                })
            ),
            "{stale:?}"
        );

        let case = s.cyber_case(&local_view, &a).await.unwrap().unwrap();
        assert_eq!(case.tlp, Tlp::AmberStrict);
        assert_eq!(case.events.len(), 1);
        assert_eq!(
            (case.tasks[0].revision, case.tasks[0].task.status),
            (2, TaskStatus::Done)
        );
        let marked = case.indicators.iter().find(|i| i.id == ind).unwrap();
        assert_eq!((marked.is_ioc, marked.tlp), (true, Tlp::Green));

        // Closure: refused without an assessment, and without a CSO review of its latest version.
        let tr = |rev: i64, action: Action| TransitionRequest {
            reference: a.clone(),
            expected_revision: Some(rev),
            action,
            now,
        };
        for (rev, action) in [
            (1, ack()),
            (2, Action::Triage { note: None }),
            (
                3,
                Action::Resolve {
                    summary: "Contained and eradicated".into(),
                },
            ),
        ] {
            s.transition(&local_change, tr(rev, action)).await.unwrap();
        }
        let close = || {
            tr(
                4,
                Action::Close {
                    feedback: "Thank you: the attacker's access was removed".into(),
                },
            )
        };
        let blocked = |r: Result<candour_core::record::ReportRecord, StoreError>, code: &str| match r {
            Err(StoreError::Lifecycle(candour_core::lifecycle::LifecycleError::Invalid(e))) => e.errors[0].code == code,
            _ => false,
        };
        assert!(
            blocked(s.transition(&local_change, close()).await, "required"),
            "{}",
            db.name()
        );
        let impact = ClinicalImpact {
            level: ImpactLevel::Moderate,
            summary: "Pathology requesting on paper for six hours".into(),
            services_affected: vec!["Pathology".into()],
            downtime: vec![],
            appointments_postponed: 0,
            procedures_postponed: 0,
            diagnostics_delayed: 40,
            ambulance_diversions: 0,
            safety_events: vec![],
        };
        change(
            &local_change,
            &a,
            CyberChange::Impact {
                notify: Vec::new(),
                expected_version: 0,
                impact: impact.clone(),
            },
        )
        .await
        .unwrap();
        let racing = change(
            &local_change,
            &a,
            CyberChange::Impact {
                notify: Vec::new(),
                expected_version: 0,
                impact: impact.clone(),
            },
        )
        .await;
        assert!(
            matches!(
                racing,
                Err(StoreError::Conflict {
                    expected: 0,
                    current: 1
                })
            ),
            "{racing:?}"
        );
        assert!(blocked(
            s.transition(&local_change, close()).await,
            "cso_review_required"
        ));
        let cso = user(Role::ClinicalSafetyOfficer, Some("RZX"))
            .can::<SignOffSafety>()
            .unwrap();
        let other_cso = user(Role::ClinicalSafetyOfficer, Some("RZY"))
            .can::<SignOffSafety>()
            .unwrap();
        assert!(matches!(
            s.review_clinical_impact(&other_cso, &a, 1, "No".into(), now).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            s.review_clinical_impact(&cso, &a, 2, "Reviewed".into(), now).await,
            Err(StoreError::Conflict { .. })
        ));
        s.review_clinical_impact(
            &cso,
            &a,
            1,
            "Reviewed with the pathology lead; no harm found".into(),
            now,
        )
        .await
        .unwrap();
        let closed = s.transition(&local_change, close()).await.unwrap();
        assert_eq!(closed.state.status, candour_core::Status::Closed, "{}", db.name());
        assert!(
            db.try_exec("UPDATE clinical_impacts SET level = 'none'").await.is_err(),
            "assessments are never changed"
        );

        // Disclosure: vulnerabilities only; patient risk tells each destination once.
        // A closed case is a record: changing it needs the report reopened.
        let after = change(&local_change, &a, CyberChange::Marking(Tlp::Red)).await;
        assert!(
            matches!(&after, Err(StoreError::Constraint(c)) if c == "cyber_case_closed"),
            "{after:?}"
        );
        let d = change(
            &handler,
            &b,
            CyberChange::Disclosure {
                facts: DisclosureFacts::default(),
                escalation: vec![],
                subject: String::new(),
            },
        )
        .await;
        assert!(
            matches!(&d, Err(StoreError::Constraint(c)) if c == "disclosure_vulnerability_only"),
            "{d:?}"
        );
        // Withdrawing needs no assessment, but an impact awaiting a CSO's review blocks it too.
        let mut severe = impact.clone();
        severe.level = ImpactLevel::Severe;
        change(
            &handler,
            &b,
            CyberChange::Impact {
                notify: Vec::new(),
                expected_version: 0,
                impact: severe,
            },
        )
        .await
        .unwrap();
        let withdraw = TransitionRequest {
            reference: b.clone(),
            expected_revision: Some(1),
            action: Action::Withdraw {
                reason: "Duplicate of another report".into(),
            },
            now,
        };
        assert!(
            blocked(s.transition(&handler, withdraw.clone()).await, "cso_review_required"),
            "{}",
            db.name()
        );
        let none_now = ClinicalImpact {
            level: ImpactLevel::None,
            summary: String::new(),
            services_affected: vec![],
            diagnostics_delayed: 0,
            ..impact.clone()
        };
        change(
            &handler,
            &b,
            CyberChange::Impact {
                notify: Vec::new(),
                expected_version: 1,
                impact: none_now,
            },
        )
        .await
        .unwrap();
        assert!(
            blocked(s.transition(&handler, withdraw).await, "cso_review_required"),
            "downgrading to none does not skip the CSO"
        );
        let vrec = s.get_report(&all, &v).await.unwrap().unwrap();
        let tables = candour_core::routing::Tables::embedded(&taxonomy()).unwrap();
        let plans = |dir| candour_core::chase::patient_risk_plans(&vrec, dir, now);
        let risky = DisclosureFacts {
            patient_risk: true,
            ..Default::default()
        };
        for _ in 0..2 {
            change(
                &handler,
                &v,
                CyberChange::Disclosure {
                    facts: risky.clone(),
                    escalation: plans(&tables.directory),
                    subject: "PATIENT RISK".into(),
                },
            )
            .await
            .unwrap();
        }
        let vcase = s.cyber_case(&all, &v).await.unwrap().unwrap();
        let told: Vec<_> = vcase.escalations.iter().map(|c| c.destination.as_str()).collect();
        assert_eq!(told, ["org_cso", "org_escalation"], "{}", db.name());
        assert!(vcase.disclosure.patient_risk);
        // The phone-only urgent route shows on the obligations board as a call to make.
        let board = s.open_routed(&all, 100).await.unwrap();
        let vrow = board.iter().find(|r| r.reference == v.to_string()).unwrap();
        assert!(
            vrow.calls
                .iter()
                .any(|c| c.step == "patient_risk" && c.destination == "org_escalation"),
            "{}: {:?}",
            db.name(),
            vrow.calls
        );
        // The CSO's email is queued once; the phone-only urgent route says whom to call.
        let queued = s.outbox(None, Some(&v.to_string())).await.unwrap();
        assert_eq!(
            queued
                .iter()
                .filter(|m| m.purpose == "patient_risk" && m.destination == "org_cso")
                .count(),
            1,
            "{queued:?}"
        );
        assert!(
            vcase.escalations[1].note.contains("Switchboard"),
            "{}",
            vcase.escalations[1].note
        );

        // Advisories: a version is published once and never changed.
        let adv = |version| candour_store::NewAdvisory {
            profile: "csaf_vex".into(),
            tracking_id: "RZY-VEX-1".into(),
            version,
            body: serde_json::json!({"document": {"title": "x"}}),
        };
        let p = s.publish_advisory(&handler, &v, adv(1), now).await.unwrap();
        assert_eq!(p.content_hash.len(), 64);
        let dup = s.publish_advisory(&handler, &v, adv(1), now).await;
        assert!(
            matches!(&dup, Err(StoreError::Constraint(c)) if c == "advisories_version_once"),
            "{}: {dup:?}",
            db.name()
        );
        assert!(db.try_exec("DELETE FROM advisories").await.is_err());
        assert_eq!(s.cyber_case(&all, &v).await.unwrap().unwrap().advisories.len(), 1);
        assert!(verify(&db).await.is_ok(), "{}", db.name());
    }
}
