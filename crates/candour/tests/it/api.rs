//! The HTTP API, end to end over a real socket.

use crate::helpers::*;
use candour_core::identity::Grant;
use candour_store::Organisation;
use serde_json::{json, Value};

const KINDS: [&str; 5] = [
    "clinical_safety",
    "cyber_incident",
    "suspicious_activity",
    "vulnerability",
    "device_incident",
];

async fn post(app: &App, path: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut r = app.client.post(app.url(path)).json(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

async fn get(app: &App, path: &str, token: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], status);
    v
}

async fn count(app: &App, token: &str) -> usize {
    let v: Value = get(app, "/api/v1/reports?limit=500", token).await.json().await.unwrap();
    v["items"].as_array().unwrap().len()
}

fn grant(s: &str) -> Vec<Grant> {
    vec![candour::ops::parse_grant(s).unwrap()]
}

#[tokio::test]
async fn every_documented_example_is_accepted_and_reads_back() {
    for app in apps().await {
        let admin = app.login_as("admin", grant("admin")).await;
        for kind in KINDS {
            let body = example(kind);
            let r = post(&app, "/api/v1/reports", None, &body).await;
            assert_eq!(r.status(), 201, "{kind} on {}", app.db.name());
            let loc = r.headers()["location"].to_str().unwrap().to_string();
            let created: Value = r.json().await.unwrap();
            assert_eq!(
                loc,
                format!("/api/v1/reports/{}", created["reference"].as_str().unwrap())
            );
            let got: Value = get(&app, &loc, &admin).await.json().await.unwrap();
            assert_eq!(got["report"]["title"], body["title"]);
            assert_eq!(got["status"], "received");
            assert_eq!(got["acknowledged"], false);
            assert_eq!(got["revision"], 1);
        }
        assert_eq!(count(&app, &admin).await, 5);
    }
}

#[tokio::test]
async fn bad_input_is_a_clear_problem_naming_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let admin = app.login_as("admin", grant("admin")).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = example("clinical_safety");
        f(&mut v);
        v
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("wrong type", with(&|v| v["title"] = json!(5)), 422, "title"),
        ("unknown enum", with(&|v| v["kind"] = json!("printer_jam")), 422, "kind"),
        (
            "unknown field",
            with(&|v| v["narative"] = json!("typo")),
            422,
            "narative",
        ),
        (
            "invalid ODS code",
            with(&|v| v["ods_code"] = json!("R!")),
            422,
            "ods_code",
        ),
        (
            "future occurred_at",
            with(&|v| v["occurred_at"] = json!("2999-01-01T00:00:00Z")),
            422,
            "occurred_at",
        ),
        (
            "missing narrative",
            with(&|v| {
                v.as_object_mut().unwrap().remove("narrative");
            }),
            422,
            "narrative",
        ),
        (
            "missing kind",
            with(&|v| {
                v.as_object_mut().unwrap().remove("kind");
            }),
            422,
            "kind",
        ),
        (
            "unknown harm level",
            with(&|v| v["patients"][0]["physical_harm"] = json!("catastrophic")),
            422,
            "patients[0].physical_harm",
        ),
        (
            "bad timestamp",
            with(&|v| v["occurred_at"] = json!("yesterday")),
            422,
            "occurred_at",
        ),
    ];
    for (what, body, status, path) in cases {
        let p = problem(post(&app, "/api/v1/reports", None, &body).await, status).await;
        let paths: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert!(paths.contains(&path), "{what}: {paths:?} {p}");
    }
    // Malformed JSON: 400.
    let r = app
        .client
        .post(app.url("/api/v1/reports"))
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .unwrap();
    problem(r, 400).await;
    // Not JSON at all: 415.
    let r = app
        .client
        .post(app.url("/api/v1/reports"))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    problem(r, 415).await;
    // Oversize: 413.
    let big = with(&|v| v["narrative"] = json!("x".repeat(100_000)));
    problem(post(&app, "/api/v1/reports", None, &big).await, 413).await;
    assert_eq!(count(&app, &admin).await, 0, "nothing partially written");
    assert_eq!(
        candour::ops::audit_verify(&app.db.store).await.unwrap(),
        Ok(2),
        "only the account and its sign-in are audited"
    );
}

#[tokio::test]
async fn transitions_over_http_with_revisions_audit_and_conflicts() {
    for app in apps().await {
        let handler = app.login_as("handler.rzx", grant("handler@RZX")).await;
        let created: Value = post(&app, "/api/v1/reports", None, &example("clinical_safety"))
            .await
            .json()
            .await
            .unwrap();
        let reference = created["reference"].as_str().unwrap();
        let path = format!("/api/v1/reports/{reference}/transitions");

        // Missing revision, unknown action, action not allowed yet, unknown report.
        let p = problem(
            post(
                &app,
                &path,
                Some(&handler),
                &json!({"action": "acknowledge", "role": "Handler"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["path"], "expected_revision");
        problem(
            post(
                &app,
                &path,
                Some(&handler),
                &json!({"expected_revision": 1, "action": "delete"}),
            )
            .await,
            422,
        )
        .await;
        let p = problem(
            post(
                &app,
                &path,
                Some(&handler),
                &json!({"expected_revision": 1, "action": "triage"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["path"], "action");
        problem(
            post(
                &app,
                "/api/v1/reports/CS-2026-999999/transitions",
                Some(&handler),
                &json!({"expected_revision": 1, "action": "triage"}),
            )
            .await,
            404,
        )
        .await;
        problem(
            post(
                &app,
                "/api/v1/reports/not-a-ref/transitions",
                Some(&handler),
                &json!({"expected_revision": 1, "action": "triage"}),
            )
            .await,
            404,
        )
        .await;

        // Acknowledge: the signed-in human's name is recorded.
        let r = post(
            &app,
            &path,
            Some(&handler),
            &json!({"expected_revision": 1, "action": "acknowledge", "role": "Incident handler", "method": "phone"}),
        )
        .await;
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["acknowledgement"]["name"], "Test handler.rzx");
        assert_eq!(v["acknowledgement"]["method"], "phone");
        assert_eq!(v["revision"], 2);
        // Stale revision: 409.
        problem(
            post(
                &app,
                &path,
                Some(&handler),
                &json!({"expected_revision": 1, "action": "triage"}),
            )
            .await,
            409,
        )
        .await;
        // Close without feedback: field error.
        for (rev, body) in [
            (2, json!({"action": "triage"})),
            (3, json!({"action": "resolve", "summary": "Fixed"})),
        ] {
            let mut b = body;
            b["expected_revision"] = json!(rev);
            assert_eq!(post(&app, &path, Some(&handler), &b).await.status(), 200);
        }
        let p = problem(
            post(
                &app,
                &path,
                Some(&handler),
                &json!({"expected_revision": 4, "action": "close"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["path"], "feedback");
        let v: Value = post(
            &app,
            &path,
            Some(&handler),
            &json!({"expected_revision": 4, "action": "close", "feedback": "Thank you: fixed in 24.3.2."}),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            (v["status"].as_str(), v["feedback"].as_str()),
            (Some("closed"), Some("Thank you: fixed in 24.3.2."))
        );

        let revs: Value = get(&app, &format!("/api/v1/reports/{reference}/revisions"), &handler)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(revs.as_array().unwrap().len(), 5);
        // Handlers may not read the audit log; an auditor may.
        problem(
            get(&app, &format!("/api/v1/reports/{reference}/audit"), &handler).await,
            403,
        )
        .await;
        let auditor = app.login_as("auditor", grant("auditor")).await;
        let audit: Value = get(&app, &format!("/api/v1/reports/{reference}/audit"), &auditor)
            .await
            .json()
            .await
            .unwrap();
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "report.create",
                "report.transition.acknowledge",
                "report.transition.triage",
                "report.transition.resolve",
                "report.transition.close"
            ]
        );
    }
}

#[tokio::test]
async fn organisation_scope_and_credentials() {
    let app = spawn_app().await;
    let created: Value = post(&app, "/api/v1/reports", None, &example("clinical_safety"))
        .await
        .json()
        .await
        .unwrap();
    let reference = created["reference"].as_str().unwrap();
    problem(app.client.get(app.url("/api/v1/reports")).send().await.unwrap(), 401).await;
    problem(get(&app, "/api/v1/reports", "not-a-real-token").await, 401).await;
    let other = app.login_as("handler.rzy", grant("handler@RZY")).await;
    problem(get(&app, &format!("/api/v1/reports/{reference}"), &other).await, 404).await;
    assert_eq!(count(&app, &other).await, 0);
    // Signing out ends the session, and is audited.
    let leaving = app.login_as("leaving.soon", grant("handler@RZY")).await;
    assert_eq!(get(&app, "/api/v1/me", &leaving).await.status(), 200);
    let r = app
        .client
        .delete(app.url("/api/v1/sessions"))
        .bearer_auth(&leaving)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    problem(get(&app, "/api/v1/me", &leaving).await, 401).await;
    let head = app.db.store.audit_page(0, 100).await.unwrap();
    assert_eq!(head.last().unwrap().action, "session.delete");
    let reporter = app.login_as("just.a.reporter", grant("reporter")).await;
    problem(get(&app, "/api/v1/reports", &reporter).await, 403).await;
    problem(
        post(
            &app,
            "/api/v1/users",
            Some(&other),
            &json!({"username": "x.y.z", "display_name": "X", "password": "a-long-password", "grants": []}),
        )
        .await,
        403,
    )
    .await;
    // Wrong password: 401, and repeated failures are throttled.
    for _ in 0..10 {
        let r = post(
            &app,
            "/api/v1/sessions",
            None,
            &json!({"username": "handler.rzy", "password": "wrong-password"}),
        )
        .await;
        assert_eq!(r.status(), 401);
    }
    problem(
        post(
            &app,
            "/api/v1/sessions",
            None,
            &json!({"username": "handler.rzy", "password": "correct-horse-battery"}),
        )
        .await,
        429,
    )
    .await;
}

#[tokio::test]
async fn confidential_identity_only_for_cso_and_admin_and_each_read_audited() {
    for app in apps().await {
        let body = example("device_incident");
        assert_eq!(body["confidential"], true);
        let created: Value = post(&app, "/api/v1/reports", None, &body).await.json().await.unwrap();
        let reference = created["reference"].as_str().unwrap().to_string();
        let path = format!("/api/v1/reports/{reference}");
        let handler = app.login_as("handler.rzx", grant("handler@RZX")).await;
        let v: Value = get(&app, &path, &handler).await.json().await.unwrap();
        assert_eq!(v["reporter_withheld"], true);
        assert!(v["report"]["reporter"]["name"].is_null() && v["report"]["reporter"]["email"].is_null());
        let revs: Value = get(&app, &format!("{path}/revisions"), &handler)
            .await
            .json()
            .await
            .unwrap();
        assert!(
            revs[0]["body"]["reporter"]["name"].is_null(),
            "revisions withhold it too"
        );
        let cso_other_org = app.login_as("cso.rzy", grant("clinical_safety_officer@RZY")).await;
        assert_eq!(get(&app, &path, &cso_other_org).await.status(), 404);
        let cso = app.login_as("cso.rzx", grant("clinical_safety_officer@RZX")).await;
        let v: Value = get(&app, &path, &cso).await.json().await.unwrap();
        assert_eq!(v["reporter_withheld"], false);
        assert_eq!(v["report"]["reporter"]["name"], "Grace Nwosu");
        let audit = app.db.store.audit_for("report", &reference).await.unwrap();
        let reads: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "report.read_confidential_identity")
            .collect();
        assert_eq!(reads.len(), 1, "{}", app.db.name());
        assert!(reads[0].actor.contains("cso.rzx"));
    }
}

#[tokio::test]
async fn idempotency_key_on_create() {
    let app = spawn_app().await;
    let body = example("suspicious_activity");
    let send = |b: Value, key: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/v1/reports"))
                .header("Idempotency-Key", key)
                .json(&b)
                .send()
                .await
                .unwrap()
        }
    };
    let a = send(body.clone(), "double-click-1").await;
    assert_eq!(a.status(), 201);
    let ra: Value = a.json().await.unwrap();
    let b = send(body.clone(), "double-click-1").await;
    assert_eq!(b.status(), 201);
    assert_eq!(b.headers()["idempotent-replayed"], "true");
    let rb: Value = b.json().await.unwrap();
    assert_eq!(ra, rb);
    let mut changed = body;
    changed["title"] = json!("Something else");
    let p = problem(send(changed, "double-click-1").await, 422).await;
    assert_eq!(p["errors"][0]["path"], "Idempotency-Key");
    let admin = app.login_as("admin", grant("admin")).await;
    assert_eq!(count(&app, &admin).await, 1);
}

#[tokio::test]
async fn organisation_policy_can_require_sign_in() {
    let app = spawn_app().await;
    app.db
        .store
        .put_organisation(
            &admin().can::<candour_core::identity::ManageOrganisations>().unwrap(),
            Organisation {
                ods_code: "RZX".into(),
                name: "Northshire".into(),
                require_sign_in: true,
                nis_oes: true,
                dspt: true,
                keep_originals: false,
            },
        )
        .await
        .unwrap();
    problem(
        post(&app, "/api/v1/reports", None, &example("clinical_safety")).await,
        401,
    )
    .await;
    let reporter = app.login_as("staff.member", grant("reporter")).await;
    assert_eq!(
        post(&app, "/api/v1/reports", Some(&reporter), &example("clinical_safety"))
            .await
            .status(),
        201
    );
    // Other organisations still take anonymous reports.
    assert_eq!(
        post(&app, "/api/v1/reports", None, &example("vulnerability"))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn list_filters_and_cursor_over_http() {
    let app = spawn_app().await;
    for _ in 0..3 {
        for kind in KINDS {
            assert_eq!(post(&app, "/api/v1/reports", None, &example(kind)).await.status(), 201);
        }
    }
    let admin = app.login_as("admin", grant("admin")).await;
    let mut seen = std::collections::HashSet::new();
    let mut url = "/api/v1/reports?limit=4".to_string();
    loop {
        let v: Value = get(&app, &url, &admin).await.json().await.unwrap();
        for i in v["items"].as_array().unwrap() {
            assert!(seen.insert(i["reference"].as_str().unwrap().to_string()));
        }
        match v["next_cursor"].as_str() {
            Some(c) => url = format!("/api/v1/reports?limit=4&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 15);
    let v: Value = get(&app, "/api/v1/reports?kind=vulnerability&urgency=routine", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    let v: Value = get(&app, "/api/v1/reports?min_harm=low&organisation=RZX", &admin)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        3,
        "the device incidents with low harm"
    );
    problem(get(&app, "/api/v1/reports?kind=printer", &admin).await, 400).await;
    let p = problem(get(&app, "/api/v1/reports?min_harm=awful", &admin).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "min_harm");
    problem(get(&app, "/api/v1/reports?limit=0", &admin).await, 422).await;
    problem(get(&app, "/api/v1/reports?cursor=zzz", &admin).await, 422).await;
}

#[tokio::test]
async fn openapi_health_readiness_and_metrics() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for p in [
        "/reports",
        "/reports/{reference}",
        "/reports/{reference}/transitions",
        "/reports/{reference}/revisions",
        "/reports/{reference}/audit",
        "/sessions",
        "/users",
        "/me",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing from OpenAPI");
    }
    for s in [
        "ReportBody",
        "ReportView",
        "TransitionBody",
        "Problem",
        "CyberBlock",
        "PatientHarm",
    ] {
        assert!(doc["components"]["schemas"][s].is_object(), "schema {s} missing");
    }
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    let home = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("/api/v1/openapi.json") && home.contains("0300 303 5222"));
    assert_eq!(app.client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    post(&app, "/api/v1/reports", None, &example("clinical_safety")).await;
    let m = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains(r#"candour_http_requests_total{method="POST",route="/api/v1/reports",status="201"} 1"#),
        "{m}"
    );
    assert!(m.contains("candour_reports_created_total 1"));
    problem(
        app.client.get(app.url("/api/v1/nothing-here")).send().await.unwrap(),
        404,
    )
    .await;
}

#[tokio::test]
async fn amending_over_http_names_fields_inside_the_report() {
    let app = spawn_app().await;
    let handler = app.login_as("handler.rzx", grant("handler@RZX")).await;
    let created: Value = post(&app, "/api/v1/reports", None, &example("clinical_safety"))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/reports/{}", created["reference"].as_str().unwrap());
    let put = |body: Value| {
        let app = &app;
        let path = path.clone();
        let handler = handler.clone();
        async move {
            app.client
                .put(app.url(&path))
                .bearer_auth(handler)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let mut report = example("clinical_safety");
    report["urgency"] = json!("immediate");
    let v: Value = put(json!({"expected_revision": 1, "report": report}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v["revision"].as_i64(), v["report"]["urgency"].as_str()),
        (Some(2), Some("immediate"))
    );
    let mut bad = example("clinical_safety");
    bad["urgency"] = json!("whenever");
    let p = problem(put(json!({"expected_revision": 2, "report": bad})).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "report.urgency");
    let mut other_kind = example("vulnerability");
    other_kind["ods_code"] = json!("RZX");
    let p = problem(put(json!({"expected_revision": 2, "report": other_kind})).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "report.kind");
    problem(
        put(json!({"expected_revision": 1, "report": example("clinical_safety")})).await,
        409,
    )
    .await;
    let p = problem(put(json!({"report": example("clinical_safety")})).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "expected_revision");
    assert_eq!(
        app.client
            .put(app.url(&path))
            .json(&json!({"expected_revision": 2, "report": example("clinical_safety")}))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[tokio::test]
async fn every_report_is_routed_at_receipt_and_the_reasons_and_clocks_are_shown() {
    for app in apps().await {
        let admin = app.login_as("admin", grant("admin")).await;
        let can = admin_can();
        app.db
            .store
            .put_organisation(
                &can,
                Organisation {
                    ods_code: "RZX".into(),
                    name: "Northshire".into(),
                    require_sign_in: false,
                    nis_oes: true,
                    dspt: true,
                    keep_originals: false,
                },
            )
            .await
            .unwrap();
        let created: Value = post(&app, "/api/v1/reports", None, &example("cyber_incident"))
            .await
            .json()
            .await
            .unwrap();
        let v: Value = get(
            &app,
            &format!("/api/v1/reports/{}", created["reference"].as_str().unwrap()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
        let routes = v["routing"]["decision"]["routes"].as_array().unwrap();
        let ids: Vec<&str> = routes.iter().map(|r| r["destination"].as_str().unwrap()).collect();
        for want in ["org_cso", "nhs_csoc", "ico_dspt", "dhsc_nis"] {
            assert!(ids.contains(&want), "{want} missing from {ids:?} on {}", app.db.name());
        }
        let nis = routes.iter().find(|r| r["destination"] == "dhsc_nis").unwrap();
        assert_eq!(nis["because"][0]["rule"], "cyber-nis");
        assert_eq!(nis["due"]["started_from"], "aware_at");
        assert_eq!(
            nis["due"]["due_at"], "2026-11-23T06:50:00Z",
            "72 h after the example's aware_at"
        );
        // The clocks are listed soonest first, each running or overdue now.
        let clocks = v["routing"]["clocks"].as_array().unwrap();
        let due: Vec<&str> = clocks.iter().map(|c| c["due_at"].as_str().unwrap()).collect();
        assert!(due.windows(2).all(|w| w[0] <= w[1]), "{due:?}");
        // The example became known on 20 Nov 2026 06:50 UTC: its 24 h CSOC clock is long overdue.
        let csoc = clocks.iter().find(|c| c["obligation"] == "csoc_report").unwrap();
        assert_eq!(csoc["state"]["state"], "overdue");
        let phone = clocks.iter().find(|c| c["obligation"] == "urgent_phone_now").unwrap();
        assert_eq!(phone["destination"], "nhs_csoc");
        assert!(clocks
            .iter()
            .all(|c| c["state"]["state"] == "running" || c["state"]["state"] == "overdue"));
        // A GP practice is not an operator of essential services: no NIS route.
        app.db
            .store
            .put_organisation(
                &can,
                Organisation {
                    ods_code: "Z99001".into(),
                    name: "Millbrook Surgery".into(),
                    require_sign_in: false,
                    nis_oes: false,
                    dspt: true,
                    keep_originals: false,
                },
            )
            .await
            .unwrap();
        let mut gp = example("cyber_incident");
        gp["ods_code"] = json!("Z99001");
        let created: Value = post(&app, "/api/v1/reports", None, &gp).await.json().await.unwrap();
        let v: Value = get(
            &app,
            &format!("/api/v1/reports/{}", created["reference"].as_str().unwrap()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
        let ids: Vec<&str> = v["routing"]["decision"]["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["destination"].as_str().unwrap())
            .collect();
        assert!(!ids.contains(&"dhsc_nis") && ids.contains(&"ico_dspt"), "{ids:?}");
    }
}

fn admin_can() -> candour_core::identity::Can<candour_core::identity::ManageOrganisations> {
    admin().can().unwrap()
}

#[tokio::test]
async fn patient_identifiers_are_removed_before_anything_is_stored_or_shared() {
    for app in apps().await {
        let admin = app.login_as("admin", grant("admin")).await;
        let mut body = example("clinical_safety");
        body["title"] = json!("Wrong allergy shown for Mrs Siobhan O'Connor");
        body["narrative"] = json!("Patient Siobhan O'Connor (NHS 943 476 5919, DOB 03/04/1951, lives at 12 Mill Lane, LS6 2AB) was shown another patient's allergies after the 24.3.1 upgrade. O'Connor was given 500 mg amoxicillin at 14:30 on Ward 12, bed 4.");
        body["immediate_actions"] = json!("Called her son on 07700 900123.");
        // The preview shows exactly what would be stored, and stores nothing.
        let p: Value = post(&app, "/api/v1/reports/preview", None, &body)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(p["problems"], json!([]));
        let preview = p["report"]["narrative"].as_str().unwrap().to_string();
        assert_eq!(count(&app, &admin).await, 0);

        let r = post(&app, "/api/v1/reports", None, &body).await;
        assert_eq!(r.status(), 201);
        let created: Value = r.json().await.unwrap();
        let fields: Vec<&str> = created["redactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["title", "narrative", "immediate_actions"], "{}", app.db.name());
        let v: Value = get(
            &app,
            &format!("/api/v1/reports/{}", created["reference"].as_str().unwrap()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
        let stored = serde_json::to_string(&v["report"]).unwrap();
        for leaked in [
            "Siobhan",
            "O'Connor",
            "O\\u0027Connor",
            "943 476 5919",
            "03/04/1951",
            "Mill Lane",
            "LS6 2AB",
            "07700 900123",
        ] {
            assert!(
                !stored.contains(leaked),
                "{leaked} reached storage on {}: {stored}",
                app.db.name()
            );
        }
        let narrative = v["report"]["narrative"].as_str().unwrap();
        assert_eq!(narrative, preview, "what was previewed is what was stored");
        for kept in ["24.3.1", "500 mg amoxicillin", "14:30", "Ward 12", "bed 4"] {
            assert!(
                narrative.contains(kept),
                "clinical content {kept:?} was damaged: {narrative}"
            );
        }
        assert!(narrative.contains("[NHS NUMBER]") && narrative.contains("[NAME]"));
        // The reporter's own identity is not a shared field: it is kept (and protected by role).
        assert_eq!(v["report"]["reporter"]["name"], "Alex Morgan");
        // Revisions hold only the redacted text too.
        let revs: Value = get(
            &app,
            &format!("/api/v1/reports/{}/revisions", created["reference"].as_str().unwrap()),
            &admin,
        )
        .await
        .json()
        .await
        .unwrap();
        assert!(!serde_json::to_string(&revs).unwrap().contains("943 476 5919"));
    }
}

#[tokio::test]
async fn pasted_indicators_come_back_typed_refanged_and_marked_for_correlation() {
    let app = spawn_app().await;
    let analyst = app
        .login_as(
            "cyber.rzx",
            vec![candour::ops::parse_grant("cyber_analyst@RZX").unwrap()],
        )
        .await;
    let paste = json!({"text": "Blocked hxxps://login-nhs[.]example-portal[.]xyz/owa from 10.4.5.6 and 185.220.101.4, \
        payload invoice.xlsm md5 44D88612FEA8A8F36DE82E1278ABB02F, again 185.220.101.4, CVE-2024-3400"});
    let r = post(&app, "/api/v1/indicators/extract", Some(&analyst), &paste).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let got: Vec<(String, String, bool, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["value"].as_str().unwrap().to_string(),
                i["defanged"].as_bool().unwrap(),
                i["excluded"].is_null(),
            )
        })
        .collect();
    let want = [
        ("url", "https://login-nhs.example-portal.xyz/owa", true, true),
        ("ipv4", "10.4.5.6", false, false),
        ("ipv4", "185.220.101.4", false, true),
        ("file_name", "invoice.xlsm", false, true),
        ("md5", "44d88612fea8a8f36de82e1278abb02f", false, true),
        ("cve", "CVE-2024-3400", false, true),
    ];
    let want: Vec<(String, String, bool, bool)> = want
        .iter()
        .map(|(k, v, d, e)| (k.to_string(), v.to_string(), *d, *e))
        .collect();
    assert_eq!(
        got, want,
        "each once, in order; the private address does not link incidents"
    );
    assert_eq!(
        post(&app, "/api/v1/indicators/extract", None, &paste).await.status(),
        401
    );
    let bad = post(
        &app,
        "/api/v1/indicators/extract",
        Some(&analyst),
        &json!({"txt": "1.2.3.4"}),
    )
    .await;
    let p = problem(bad, 422).await;
    assert!(p.to_string().contains("txt"), "{p}");
    let huge = json!({"text": "185.220.101.4 ".repeat(10_000)});
    assert_eq!(
        post(&app, "/api/v1/indicators/extract", Some(&analyst), &huge)
            .await
            .status(),
        413
    );
}

/// Validate a STIX bundle with the OASIS validator (stix2-validator 3.2.0, installed by CI).
fn stix_validator(bundle: &str) -> Option<(bool, String)> {
    let have = std::process::Command::new("python3")
        .args(["-c", "import stix2validator"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must install stix2-validator (scripts/requirements.txt)"
        );
        eprintln!("skipping: python3 -m pip install stix2-validator==3.2.0 to validate STIX");
        return None;
    }
    let dir = TempDir::new();
    let path = dir.0.join("bundle.json");
    std::fs::write(&path, bundle).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys\nfrom stix2validator import validate_file, ValidationOptions, print_results\n\
             r = validate_file(sys.argv[1], ValidationOptions(version='2.1'))\nprint_results(r)\n\
             sys.exit(0 if r.is_valid else 1)",
        ])
        .arg(&path)
        .output()
        .unwrap();
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

#[tokio::test]
async fn a_cyber_incident_exports_as_a_stix_bundle_the_oasis_validator_accepts() {
    let app = spawn_app().await;
    let analyst = app
        .login_as(
            "cyber.stix",
            vec![candour::ops::parse_grant("cyber_analyst@RZX").unwrap()],
        )
        .await;
    let mut body = example("cyber_incident");
    body["cyber"]["indicators_raw"] = json!(
        "hxxps://login-nhs[.]example-portal[.]xyz/owa 185.220.101.4 10.1.2.3 update.evil-cdn.ru \
         it-support@nhs-verify.com invoice_0423.xlsm 44d88612fea8a8f36de82e1278abb02f CVE-2024-3400 \
         https://www.example.com/help"
    );
    let created: Value = post(&app, "/api/v1/reports", None, &body).await.json().await.unwrap();
    let reference = created["reference"].as_str().unwrap();
    let r = get(&app, &format!("/api/v1/reports/{reference}/stix?tlp=green"), &analyst).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/stix+json"));
    let text = r.text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let objects = v["objects"].as_array().unwrap();
    let of = |t: &str| objects.iter().filter(|o| o["type"] == t).count();
    assert_eq!(of("incident"), 1);
    assert_eq!(of("vulnerability"), 1);
    assert_eq!(
        of("indicator"),
        6,
        "url, address, domain, sender, file name, hash: not the private address or the common domain"
    );
    assert_eq!(of("observed-data"), 1);
    let incident = objects.iter().find(|o| o["type"] == "incident").unwrap();
    let ext = &incident["extensions"][candour_export::stix::INCIDENT_CORE];
    assert_eq!(ext["determination"], "suspected");
    assert_eq!(
        incident["object_marking_refs"][0],
        candour_export::stix::Tlp::Green.marking()
    );
    assert!(!text.contains("10.1.2.3"), "private addresses are not shared");
    let reporter = body["reporter"]["name"].as_str().unwrap_or("Rachel Okoye");
    assert!(!text.contains(reporter), "the reporter never appears");
    // The same report exports with the same ids.
    let again = get(&app, &format!("/api/v1/reports/{reference}/stix?tlp=green"), &analyst)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(again, text);
    if let Some((ok, out)) = stix_validator(&text) {
        assert!(ok, "stix2-validator rejected the bundle:\n{out}");
    }

    let p = problem(
        get(&app, &format!("/api/v1/reports/{reference}/stix?tlp=purple"), &analyst).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["path"], "tlp");
    let clinical: Value = post(&app, "/api/v1/reports", None, &example("clinical_safety"))
        .await
        .json()
        .await
        .unwrap();
    let p = problem(
        get(
            &app,
            &format!("/api/v1/reports/{}/stix", clinical["reference"].as_str().unwrap()),
            &analyst,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["path"], "reference");
}

#[tokio::test]
async fn a_vulnerability_is_scored_and_a_malformed_cvss_vector_is_named() {
    let app = spawn_app().await;
    let cso = app
        .login_as(
            "cso.cvss",
            vec![candour::ops::parse_grant("clinical_safety_officer@RZY").unwrap()],
        )
        .await;
    let mut bad = example("vulnerability");
    bad["vulnerability"]["cvss_vector"] = json!("CVSS:3.1/AV:N/AC:Q/PR:N/UI:R/S:U/C:H/I:L/A:N");
    let p = problem(post(&app, "/api/v1/reports", None, &bad).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "vulnerability.cvss_vector");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("is not a CVSS"));

    let good = example("vulnerability");
    let created: Value = post(&app, "/api/v1/reports", None, &good).await.json().await.unwrap();
    let v: Value = get(
        &app,
        &format!("/api/v1/reports/{}", created["reference"].as_str().unwrap()),
        &cso,
    )
    .await
    .json()
    .await
    .unwrap();
    // AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:L/A:N by the v3.1 formulas: exploitability 1.62, impact 4.22, 5.9.
    assert_eq!(v["cvss"]["score"], 5.9);
    assert_eq!(v["cvss"]["severity"], "medium");
    assert_eq!(v["cvss"]["version"], "3.1");
}

/// The hazard log over HTTP: a CSO starts a DCB0160 project and records a hazard whose rating is looked up
/// (a typed rating is refused), changes it at the revision seen (a stale change is a 409), and every version
/// is kept; a handler may read but not change; another organisation sees nothing.
#[tokio::test]
async fn a_cso_keeps_a_hazard_log_over_http() {
    use candour_core::identity::Role;
    use candour_core::OdsCode;
    let app = spawn_app().await;
    let grant = |role, org: &str| {
        vec![Grant {
            role,
            org: Some(OdsCode::parse(org).unwrap()),
        }]
    };
    let cso = app.login_as("cso.rzx", grant(Role::ClinicalSafetyOfficer, "RZX")).await;
    let handler = app.login_as("handler.rzx", grant(Role::Handler, "RZX")).await;
    let stranger = app.login_as("cso.rx1", grant(Role::ClinicalSafetyOfficer, "RX1")).await;

    let scheme: Value = get(&app, "/api/v1/risk-schemes/default", &handler)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(scheme["warnings"], json!([]));
    assert_eq!(scheme["scheme"]["matrix"][0], json!([1, 1, 2, 2, 3]));

    let project = json!({ "ods_code": "RZX", "name": "CareFlow EPR deployment", "system": "CareFlow EPR 8.2",
        "standard": "DCB0160", "intended_use": "Inpatient electronic patient record", "lifecycle_phase": "live" });
    problem(
        post(&app, "/api/v1/safety-projects", Some(&handler), &project).await,
        403,
    )
    .await;
    let mut bad = project.clone();
    bad["lifecycle_phase"] = "beta".into();
    let v = problem(post(&app, "/api/v1/safety-projects", Some(&cso), &bad).await, 422).await;
    assert!(v.to_string().contains("lifecycle_phase"), "{v}");
    let r = post(&app, "/api/v1/safety-projects", Some(&cso), &project).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let hazards = format!("/api/v1/safety-projects/{id}/hazards");

    let mut hazard = json!({ "name": "Allergy banner shows the previous patient's allergies",
        "description": "After switching records in two tabs the allergy banner does not refresh.",
        "types": ["WrongPatient", "Allergy"], "initial": { "likelihood": "Medium", "severity": "Major" },
        "status": "open" });
    let mut typed = hazard.clone();
    typed["initial"]["rating"] = 1.into();
    let v = problem(post(&app, &hazards, Some(&cso), &typed).await, 422).await;
    assert!(v.to_string().contains("rating"), "{v}");
    let r = post(&app, &hazards, Some(&cso), &hazard).await;
    assert_eq!(r.status(), 201);
    let h: Value = r.json().await.unwrap();
    assert_eq!(
        (h["hazard_id"].as_str(), h["revision"].as_i64()),
        (Some("H-001"), Some(1))
    );
    assert_eq!(h["hazard"]["initial"]["rating"], 3);

    hazard["controls"] = json!([{ "description": "Banner refreshes on every record switch", "kind": "design",
        "implementer": "manufacturer", "state": "implemented" }]);
    hazard["residual"] = json!({ "likelihood": "Very Low", "severity": "Major" });
    let change = json!({ "expected_revision": 1, "hazard": hazard });
    let put = |token: &str, body: &Value| {
        app.client
            .put(app.url(&format!("{hazards}/1")))
            .bearer_auth(token)
            .json(body)
            .send()
    };
    let r = put(&cso, &change).await.unwrap();
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(
        (h["revision"].as_i64(), h["hazard"]["residual"]["rating"].as_i64()),
        (Some(2), Some(2))
    );
    let v = problem(put(&cso, &change).await.unwrap(), 409).await;
    assert!(v.to_string().contains("revision 1; it is now at revision 2"), "{v}");
    problem(put(&handler, &change).await.unwrap(), 403).await;

    let list: Value = get(&app, &hazards, &handler).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let history: Value = get(&app, &format!("{hazards}/1/history"), &handler)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);
    problem(get(&app, &hazards, &stranger).await, 404).await;
    problem(get(&app, &format!("{hazards}/7/history"), &cso).await, 404).await;
}

/// Clinical governance over HTTP: a report is triaged into the hazard log (new hazard, then realised and
/// re-scored), which flags the safety case for review; reviews are scheduled and recorded; the CSO keeps
/// only their own record and cannot approve until it is complete; approving names the hash of the draft
/// read (a stale one is a 409), issues the CSCR with its hazard log, and clears the flag; issued documents
/// come back as HTML and PDF; the checklist needs evidence for "Yes"; the log exports to XLSX and CSV and a
/// supplier's log imports into a DCB0160 project with provenance, all rows or none.
#[tokio::test]
async fn a_report_flows_into_the_hazard_log_and_the_cso_signs_off_the_safety_case() {
    use candour_core::identity::Role;
    use candour_core::OdsCode;
    let app = spawn_app().await;
    let g = |role| {
        vec![Grant {
            role,
            org: Some(OdsCode::parse("RZX").unwrap()),
        }]
    };
    let cso = app.login_as("cso.rzx", g(Role::ClinicalSafetyOfficer)).await;
    let handler = app.login_as("handler.rzx", g(Role::Handler)).await;
    let r = post(&app, "/api/v1/reports", None, &example("clinical_safety")).await;
    assert_eq!(r.status(), 201);
    let reference = r.json::<Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let project = json!({ "ods_code": "RZX", "name": "Candour ward EPR", "system": "CareFlow EPR 8.2",
        "standard": "DCB0129", "intended_use": "Inpatient records", "lifecycle_phase": "live" });
    let id = post(&app, "/api/v1/safety-projects", Some(&cso), &project)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/api/v1/safety-projects/{id}");

    let new_hazard = json!({ "report": reference, "kind": "new_hazard", "note": "Banner missing on drug chart",
        "hazard": { "name": "Allergy banner not shown", "description": "Banner hidden after upgrade (seen for 943 476 5919)",
                    "initial": { "likelihood": "Medium", "severity": "Major" }, "status": "open",
                    "controls": [{ "description": "Banner render test", "kind": "test", "implementer": "manufacturer",
                                   "state": "verified", "evidence": ["TC-1"], "effectiveness_verified": true }],
                    "residual": { "likelihood": "Low", "severity": "Major" } } });
    problem(
        post(&app, &format!("{base}/triage"), Some(&handler), &new_hazard).await,
        403,
    )
    .await;
    let r = post(&app, &format!("{base}/triage"), Some(&cso), &new_hazard).await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    assert_eq!(
        (t["link"]["hazard_id"].as_str(), t["safety_case_review"].as_bool()),
        (Some("H-001"), Some(true))
    );
    let described = t["hazard"]["hazard"]["description"].as_str().unwrap();
    assert!(
        !described.contains("943 476 5919") && described.starts_with("Banner hidden"),
        "redacted: {described}"
    );
    let failed = json!({ "report": reference, "kind": "control_failed", "hazard_id": "H-001", "control": 1 });
    let v = problem(post(&app, &format!("{base}/triage"), Some(&cso), &failed).await, 422).await;
    assert!(
        v.to_string().contains("expected_revision") || v.to_string().contains("residual"),
        "{v}"
    );
    let failed = json!({ "report": reference, "kind": "control_failed", "hazard_id": "H-001", "control": 1,
        "expected_revision": 1, "rescore": { "residual": { "likelihood": "Medium", "severity": "Major" } } });
    let t: Value = post(&app, &format!("{base}/triage"), Some(&cso), &failed)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["hazard"]["revision"], 2, "{t}");
    assert_eq!(t["hazard"]["hazard"]["controls"][0]["effectiveness_verified"], false);
    assert_eq!(t["link"]["risk_changed"], true);
    let links: Value = get(&app, &format!("{base}/links"), &handler)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links.as_array().unwrap().len(), 2);

    let reviews: Value = get(&app, &format!("{base}/reviews"), &handler)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        reviews["due"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["subject"] == "hazard:1"),
        "{reviews}"
    );
    let v = problem(
        post(
            &app,
            &format!("{base}/reviews"),
            Some(&cso),
            &json!({ "subject": "the lot", "outcome": "" }),
        )
        .await,
        422,
    )
    .await;
    assert!(
        v.to_string().contains("subject") && v.to_string().contains("outcome"),
        "{v}"
    );
    let r = post(
        &app,
        &format!("{base}/reviews"),
        Some(&cso),
        &json!({ "subject": "H-001", "outcome": "Reviewed after the incident" }),
    )
    .await;
    assert_eq!(r.status(), 201);

    let draft = get(&app, &format!("{base}/documents/cscr/draft?format=json"), &cso).await;
    assert_eq!(draft.status(), 200);
    let hash = draft.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let text = draft.text().await.unwrap();
    assert!(
        text.contains("Allergy banner not shown"),
        "the draft is built from the log"
    );
    let approve = |h: &str| json!({ "content_hash": h });
    let v = problem(
        post(
            &app,
            &format!("{base}/documents/cscr/approve"),
            Some(&cso),
            &approve(&hash),
        )
        .await,
        422,
    )
    .await;
    assert!(v.to_string().contains("cso"), "{v}");
    problem(
        post(
            &app,
            &format!("{base}/documents/cscr/approve"),
            Some(&handler),
            &approve(&hash),
        )
        .await,
        403,
    )
    .await;
    let put_cso = |body: Value| {
        app.client
            .put(app.url("/api/v1/cso-records/me"))
            .bearer_auth(&cso)
            .json(&body)
            .send()
    };
    let mut rec = json!({ "ods_code": "RZX", "name": "Dr Priya Raman", "username": "someone.else",
        "profession": "Doctor", "registration_body": "GMC", "registration_number": "7654321",
        "training_evidence": ["Digital clinical safety training 2025"], "appointed_on": "2026-01-05" });
    let v = problem(put_cso(rec.clone()).await.unwrap(), 422).await;
    assert!(
        v.to_string().contains("username"),
        "never on someone else's behalf: {v}"
    );
    rec["username"] = "cso.rzx".into();
    assert_eq!(put_cso(rec).await.unwrap().status(), 200);
    let v = problem(
        post(
            &app,
            &format!("{base}/documents/cscr/approve"),
            Some(&cso),
            &approve(&"0".repeat(64)),
        )
        .await,
        409,
    )
    .await;
    assert!(v.to_string().contains("changed since you read it"), "{v}");
    // The signer's record is now on the draft, so it is read again before approving.
    let draft = get(&app, &format!("{base}/documents/cscr/draft?format=json"), &cso).await;
    let hash = draft.headers()["x-content-sha256"].to_str().unwrap().to_string();
    let r = post(
        &app,
        &format!("{base}/documents/cscr/approve"),
        Some(&cso),
        &approve(&hash),
    )
    .await;
    assert_eq!(r.status(), 201);
    let issued: Value = r.json().await.unwrap();
    let kinds: Vec<_> = issued
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap().to_string(), d["version"].as_i64().unwrap()))
        .collect();
    assert_eq!(kinds, [("hazard_log".to_string(), 1), ("cscr".to_string(), 1)]);
    assert_eq!(issued[1]["content_hash"], hash.as_str());
    assert_eq!(issued[1]["registration"], "GMC 7654321");
    let projects: Value = get(&app, "/api/v1/safety-projects", &cso).await.json().await.unwrap();
    assert!(projects[0]["safety_case_review"].is_null(), "{projects}");
    let pdf = get(&app, &format!("{base}/documents/cscr/1?format=pdf"), &handler).await;
    assert_eq!(pdf.headers()["x-content-sha256"].to_str().unwrap(), hash);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let html = get(&app, &format!("{base}/documents/cscr/1?format=html"), &handler)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Clinical Safety Case Report") && html.contains("Dr Priya Raman"),
        "approved by"
    );

    let answer = |body: Value| {
        app.client
            .put(app.url(&format!("{base}/compliance")))
            .bearer_auth(&cso)
            .json(&body)
            .send()
    };
    let v = problem(
        answer(json!({ "clause": "2.1.1", "answer": "yes", "evidence": [], "note": "" }))
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(v.to_string().contains("evidence"), "{v}");
    assert_eq!(
        answer(json!({ "clause": "2.1.1", "answer": "yes", "evidence": ["CRMP v1"], "note": "" }))
            .await
            .unwrap()
            .status(),
        200
    );
    let csv = get(&app, &format!("{base}/compliance?format=csv"), &handler)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("2.1.1") && l.contains("Yes") && l.contains("CRMP v1")),
        "{csv}"
    );

    let xlsx = get(&app, &format!("{base}/hazard-log?format=xlsx"), &handler).await;
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let csv = get(&app, &format!("{base}/hazard-log?format=csv"), &handler)
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("Hazard name") && csv.contains("Allergy banner not shown"));

    let deployer = json!({ "ods_code": "RZX", "name": "CareFlow go-live", "system": "CareFlow EPR 8.2",
        "standard": "DCB0160", "intended_use": "Inpatient records", "lifecycle_phase": "pre-deployment" });
    let did = post(&app, "/api/v1/safety-projects", Some(&cso), &deployer)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let import = |body: String| {
        app.client
            .post(app.url(&format!(
                "/api/v1/safety-projects/{did}/import?format=csv&supplier=Northwind&document=Hazard%20log%20v1"
            )))
            .bearer_auth(&cso)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let broken = csv.replacen(",Major,", ",Huge,", 1);
    let v = problem(import(broken).await.unwrap(), 422).await;
    assert!(
        v.to_string().contains("row 2") && v.to_string().contains("severity"),
        "{v}"
    );
    let none: Value = get(&app, &format!("/api/v1/safety-projects/{did}/hazards"), &cso)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0, "nothing half-imported");
    let r = import(csv).await.unwrap();
    assert_eq!(r.status(), 201);
    let adopted: Value = r.json().await.unwrap();
    assert_eq!(adopted[0]["hazard"]["provenance"]["supplier"], "Northwind");
    assert_eq!(adopted[0]["hazard"]["provenance"]["source_hazard_id"], "H-001");
    assert_eq!(adopted[0]["hazard"]["status"], "open");
}

/// Custom risk schemes: stored whole-checked (a broken matrix is named), warned about under the NHS profile
/// when multiplicative or relabelled, never overwritten; a project chooses one at creation and keeps it,
/// and its hazards are rated by its matrix and name it in every assessment.
#[tokio::test]
async fn a_project_can_use_its_own_risk_scheme() {
    use candour_core::identity::Role;
    use candour_core::OdsCode;
    let app = spawn_app().await;
    let g = |role| {
        vec![Grant {
            role,
            org: Some(OdsCode::parse("RZX").unwrap()),
        }]
    };
    let cso = app.login_as("cso.rzx", g(Role::ClinicalSafetyOfficer)).await;
    let handler = app.login_as("handler.rzx", g(Role::Handler)).await;
    let default: Value = get(&app, "/api/v1/risk-schemes/default", &cso)
        .await
        .json()
        .await
        .unwrap();
    let mut local = default["scheme"].clone();
    local["id"] = "northshire-local".into();
    local["version"] = 1.into();
    local["name"] = "Northshire local scheme".into();
    local["severity"][4]["label"] = "Disaster".into();
    let banded: Vec<Vec<u8>> = (1..=5u8)
        .map(|l| (1..=5u8).map(|s| (l * s).div_ceil(5)).collect())
        .collect();
    local["matrix"] = json!(banded);
    let mut broken = local.clone();
    broken["matrix"] = json!([[1, 2], [2, 3]]);
    let v = problem(post(&app, "/api/v1/risk-schemes", Some(&cso), &broken).await, 422).await;
    assert!(v.to_string().contains("matrix"), "{v}");
    problem(post(&app, "/api/v1/risk-schemes", Some(&handler), &local).await, 403).await;
    let r = post(&app, "/api/v1/risk-schemes", Some(&cso), &local).await;
    assert_eq!(r.status(), 201);
    let stored: Value = r.json().await.unwrap();
    let warnings = stored["warnings"].to_string();
    assert!(
        warnings.contains("likelihood × severity") && warnings.contains("Disaster"),
        "{warnings}"
    );
    let v = problem(post(&app, "/api/v1/risk-schemes", Some(&cso), &local).await, 422).await;
    assert!(v.to_string().contains("version"), "a stored version never changes: {v}");
    let all: Value = get(&app, "/api/v1/risk-schemes", &handler).await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);

    let mut project = json!({ "ods_code": "RZX", "name": "Local EPR", "system": "EPR 2", "standard": "DCB0160",
        "intended_use": "Records", "lifecycle_phase": "live", "scheme": { "id": "nowhere", "version": 1 } });
    let v = problem(post(&app, "/api/v1/safety-projects", Some(&cso), &project).await, 422).await;
    assert!(v.to_string().contains("scheme"), "{v}");
    project["scheme"] = json!({ "id": "northshire-local", "version": 1 });
    let p: Value = post(&app, "/api/v1/safety-projects", Some(&cso), &project)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["scheme"], json!({ "id": "northshire-local", "version": 1 }));
    let id = p["id"].as_str().unwrap();
    let hazard = json!({ "name": "Downtime", "description": "EPR unavailable",
        "initial": { "likelihood": "Low", "severity": "Disaster" }, "status": "open" });
    let h: Value = post(
        &app,
        &format!("/api/v1/safety-projects/{id}/hazards"),
        Some(&cso),
        &hazard,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        h["hazard"]["initial"]["rating"], 2,
        "Low (2) × Disaster (5) = 10, band 2, by this scheme's matrix"
    );
    assert_eq!(
        h["hazard"]["initial"]["scheme"],
        json!({ "id": "northshire-local", "version": 1 })
    );
    let mut change = project.clone();
    change["scheme"] = json!({ "id": "dcb0129-ig-v3.2-example", "version": 1 });
    let r = app
        .client
        .put(app.url(&format!("/api/v1/safety-projects/{id}")))
        .bearer_auth(&cso)
        .json(&change)
        .send()
        .await
        .unwrap();
    let v = problem(r, 422).await;
    assert!(v.to_string().contains("cannot change"), "{v}");
    let csv = get(
        &app,
        &format!("/api/v1/safety-projects/{id}/hazard-log?format=csv"),
        &cso,
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(csv.contains("Disaster"), "exported with the project's own labels");
}

/// Validate CSAF 2.0 documents with the BSI/secvisogram validator library (schema and every mandatory
/// test; `npm ci` installs it).
fn csaf_validator(docs: &[(&str, &Value)]) -> Option<(bool, String)> {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    if !std::path::Path::new(&format!("{root}/node_modules/@secvisogram/csaf-validator-lib")).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must run npm ci (csaf-validator-lib)"
        );
        eprintln!("skipping: npm ci to validate CSAF");
        return None;
    }
    let dir = TempDir::new();
    let mut args = vec![format!("{root}/scripts/check_csaf.mjs")];
    for (name, doc) in docs {
        let p = dir.0.join(name);
        std::fs::write(&p, serde_json::to_string_pretty(doc).unwrap()).unwrap();
        args.push(p.to_string_lossy().into_owned());
    }
    let out = std::process::Command::new("node")
        .args(&args)
        .current_dir(&root)
        .output()
        .unwrap();
    Some((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

async fn send(app: &App, method: reqwest::Method, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_cyber_incident_is_worked_assessed_reviewed_exported_and_only_then_closed() {
    let app = spawn_app().await;
    let analyst = app
        .login_as(
            "cyber.case",
            vec![candour::ops::parse_grant("cyber_analyst@RZX").unwrap()],
        )
        .await;
    let cso = app
        .login_as(
            "cso.case",
            vec![candour::ops::parse_grant("clinical_safety_officer@RZX").unwrap()],
        )
        .await;
    let created: Value = post(&app, "/api/v1/reports", None, &example("cyber_incident"))
        .await
        .json()
        .await
        .unwrap();
    let reference = created["reference"].as_str().unwrap().to_string();
    let base = format!("/api/v1/reports/{reference}/cyber");

    // Bad input names its field, and nothing is stored.
    let p = problem(
        post(&app, &format!("{base}/indicators"), Some(&analyst), &json!({"indicators": [
            {"kind": "ipv4", "value": "203.0.113.300"}, {"kind": "sha256", "value": "abc"}, {"kind": "colour", "value": "red"}
        ], "tlp": "purple"})).await,
        422,
    )
    .await;
    let paths: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "tlp",
            "indicators[0].value",
            "indicators[1].value",
            "indicators[2].kind"
        ],
        "{p}"
    );
    // The test app's body limit is 64 KB, so the paste limit is 32 KB: a longer paste is a field error.
    let big = "x".repeat(candour_web::cyber::paste_limit(64 * 1024) + 1);
    let p = problem(
        post(
            &app,
            &format!("{base}/indicators"),
            Some(&analyst),
            &json!({ "text": big }),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(
        (p["errors"][0]["path"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("text"), Some("too_long")),
        "{p}"
    );
    let case: Value = get(&app, &base, &analyst).await.json().await.unwrap();
    assert_eq!(case["indicators"].as_array().unwrap().len(), 0);

    // A paste: defanged forms understood, private addresses kept but excluded from sharing.
    let r = post(&app, &format!("{base}/indicators"), Some(&analyst), &json!({
        "text": "Beacon to hxxps://login-nhs[.]example-portal[.]xyz/owa from 10.1.2.3 and 185.220.101.4; dropper invoice_0423.xlsm 44d88612fea8a8f36de82e1278abb02f",
        "is_ioc": true, "tlp": "TLP:AMBER+STRICT"
    })).await;
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert!(added["changed"].as_i64().unwrap() >= 5, "{added}");
    let evt = json!({"event_at": "2026-11-01T08:00:00Z", "discovered_at": "2026-10-31T08:00:00Z", "summary": "Phishing email opened"});
    let p = problem(post(&app, &format!("{base}/events"), Some(&analyst), &evt).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "discovered_at");
    let evt = json!({"event_at": "2026-11-01T08:00:00Z", "discovered_at": "2026-11-02T08:00:00Z", "summary": "Phishing email opened on a ward PC"});
    assert_eq!(
        post(&app, &format!("{base}/events"), Some(&analyst), &evt)
            .await
            .status(),
        201
    );
    let task: Value = post(
        &app,
        &format!("{base}/tasks"),
        Some(&analyst),
        &json!({"title": "Reset the account", "status": "open"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let tid = task["id"].as_str().unwrap();
    let done = json!({"expected_revision": 1, "task": {"title": "Reset the account", "status": "done"}});
    let p = problem(
        send(
            &app,
            reqwest::Method::PUT,
            &format!("{base}/tasks/{tid}"),
            &analyst,
            &done,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["path"], "outcome");

    // Closure needs the assessment, then the CSO's review of it.
    let tr = format!("/api/v1/reports/{reference}/transitions");
    for (rev, b) in [
        (
            1,
            json!({"action": "acknowledge", "role": "Cyber analyst", "method": "web"}),
        ),
        (2, json!({"action": "triage"})),
        (3, json!({"action": "resolve", "summary": "Contained"})),
    ] {
        let mut b = b;
        b["expected_revision"] = json!(rev);
        assert_eq!(post(&app, &tr, Some(&analyst), &b).await.status(), 200);
    }
    let close = json!({"expected_revision": 4, "action": "close", "feedback": "Thank you: the account was secured"});
    let p = problem(post(&app, &tr, Some(&analyst), &close).await, 422).await;
    assert_eq!(
        (p["errors"][0]["path"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("clinical_impact"), Some("required"))
    );
    let impact = json!({"expected_version": 0, "impact": {"level": "none", "summary": "", "diagnostics_delayed": 12}});
    let p = problem(
        post(&app, &format!("{base}/impact"), Some(&analyst), &impact).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["path"], "level", "none cannot list effects: {p}");
    let impact = json!({"expected_version": 0, "impact": {"level": "moderate", "summary": "Pathology requesting on paper for six hours", "services_affected": ["Pathology"], "diagnostics_delayed": 12,
        "downtime": [{"procedure": "Paper requesting", "from": "2026-11-01T09:00:00Z", "to": "2026-11-01T15:00:00Z"}]}});
    assert_eq!(
        post(&app, &format!("{base}/impact"), Some(&analyst), &impact)
            .await
            .status(),
        201
    );
    let p = problem(post(&app, &tr, Some(&analyst), &close).await, 422).await;
    assert_eq!(p["errors"][0]["code"], "cso_review_required");
    // The organisation's CSO is asked for the review, by the directory's electronic route.
    let sent: Value = get(&app, &format!("/api/v1/reports/{reference}/deliveries"), &analyst)
        .await
        .json()
        .await
        .unwrap();
    let asks: Vec<&Value> = sent
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("CSO review needed"))
        })
        .collect();
    assert_eq!(asks.len(), 1, "{sent}");
    assert_eq!(asks[0]["destination"], "org_cso");
    assert!(
        asks[0]["body"].as_str().unwrap_or("").contains("CSO REVIEW NEEDED"),
        "{}",
        asks[0]
    );
    let review = json!({"version": 1, "note": "Reviewed with the pathology lead: no harm"});
    assert_eq!(
        post(&app, &format!("{base}/impact/reviews"), Some(&analyst), &review)
            .await
            .status(),
        403
    );
    assert_eq!(
        post(&app, &format!("{base}/impact/reviews"), Some(&cso), &review)
            .await
            .status(),
        201
    );

    // Exports.
    let text = get(&app, &format!("{base}/csoc"), &analyst).await.text().await.unwrap();
    for want in [
        "TLP:AMBER",
        "RZX",
        "Level: moderate",
        "Reviewed by the Clinical Safety Officer",
        "185.220.101.4",
        "Paper requesting",
    ] {
        assert!(text.contains(want), "CSOC text lacks {want}:\n{text}");
    }
    assert!(!text.contains("10.1.2.3"), "excluded indicators are not sent");
    let html = get(&app, &format!("{base}/csoc?format=html"), &analyst).await;
    assert!(html.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(html
        .text()
        .await
        .unwrap()
        .contains("<h1>Cyber security incident report"));
    let j: Value = get(&app, &format!("{base}/csoc?format=json"), &analyst)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(j["clinical_impact"]["assessment"]["level"], "moderate");
    assert_eq!(j["organisation"]["ods_code"], "RZX");
    let misp: Value = get(&app, &format!("{base}/misp"), &analyst).await.json().await.unwrap();
    let attrs = misp["Event"]["Attribute"].as_array().unwrap();
    assert!(
        attrs.iter().all(|a| a["to_ids"] == true) && attrs.iter().any(|a| a["type"] == "md5"),
        "{misp}"
    );
    assert!(attrs.iter().all(|a| a["value"] != "10.1.2.3"));
    assert_eq!(misp["Event"]["Tag"][0]["name"], "tlp:amber");
    let stix = get(&app, &format!("/api/v1/reports/{reference}/stix"), &analyst)
        .await
        .text()
        .await
        .unwrap();
    if let Some((ok, out)) = stix_validator(&stix) {
        assert!(ok, "stix2-validator rejected the bundle:\n{out}");
    }
    // The bundle is marked with the strictest label it holds: a GREEN incident with AMBER+STRICT indicators
    // is never shared as GREEN (STIX's TLP 1.0 markings have no AMBER+STRICT, so it goes out as RED), and
    // asking for a looser label does not loosen it.
    let r = send(
        &app,
        reqwest::Method::PUT,
        &format!("{base}/marking"),
        &analyst,
        &json!({"tlp": "TLP:GREEN"}),
    )
    .await;
    assert_eq!(r.status(), 200);
    for q in ["", "?tlp=clear"] {
        let bundle: Value = get(&app, &format!("/api/v1/reports/{reference}/stix{q}"), &analyst)
            .await
            .json()
            .await
            .unwrap();
        let objects = bundle["objects"].as_array().unwrap();
        let incident = objects.iter().find(|o| o["type"] == "incident").unwrap();
        assert_eq!(
            incident["object_marking_refs"][0],
            candour_export::stix::Tlp::Red.marking(),
            "{q}"
        );
        assert!(
            objects.iter().any(|o| o["type"] == "indicator"),
            "confirmed IOCs are shared"
        );
    }
    // A linked safety report must exist.
    let bad = json!({"expected_version": 1, "impact": {"level": "moderate", "summary": "Pathology delayed",
        "safety_events": [{"description": "Delayed result", "harm": "low", "report": "CS-2026-999999"}]}});
    let p = problem(post(&app, &format!("{base}/impact"), Some(&analyst), &bad).await, 422).await;
    assert_eq!(p["errors"][0]["path"], "safety_events[0].report", "{p}");
    let closed = post(&app, &tr, Some(&analyst), &close).await;
    assert_eq!(closed.status(), 200);
}

#[tokio::test]
async fn a_vulnerability_runs_its_disclosure_clock_escalates_patient_risk_and_publishes_valid_csaf() {
    let app = spawn_app().await;
    let handler = app
        .login_as("vuln.handler", vec![candour::ops::parse_grant("handler@RZY").unwrap()])
        .await;
    let created: Value = post(&app, "/api/v1/reports", None, &example("vulnerability"))
        .await
        .json()
        .await
        .unwrap();
    let reference = created["reference"].as_str().unwrap().to_string();
    let base = format!("/api/v1/reports/{reference}/cyber");
    let case: Value = get(&app, &base, &handler).await.json().await.unwrap();
    assert!(case["days_to_publication"].as_i64().unwrap() >= 89, "{case}");
    assert_eq!(case["closure_blocked_by"][0]["path"], "clinical_impact");

    let p = problem(
        send(
            &app,
            reqwest::Method::PUT,
            &format!("{base}/disclosure"),
            &handler,
            &json!({"agreed_publication": "2030-01-01"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["path"], "agreed_publication");
    let r = send(
        &app,
        reqwest::Method::PUT,
        &format!("{base}/disclosure"),
        &handler,
        &json!({"patient_risk": true}),
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let days = v["days_to_publication"].as_i64().unwrap();
    assert!(
        (28..=30).contains(&days),
        "patient risk shortens the timeline to 30 days: {days}"
    );
    assert!(v["disclosure_timeline"]["escalate"].as_bool().unwrap());
    let told: Vec<&str> = v["escalations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["destination"].as_str().unwrap())
        .collect();
    assert_eq!(told, ["org_cso", "org_escalation"]);
    let r = send(
        &app,
        reqwest::Method::PUT,
        &format!("{base}/disclosure"),
        &handler,
        &json!({"patient_risk": true, "exploited_in_wild": true}),
    )
    .await;
    let v: Value = r.json().await.unwrap();
    assert!(v["days_to_publication"].as_i64().unwrap() <= 7);
    assert_eq!(v["escalations"].as_array().unwrap().len(), 2, "told once");

    // CSAF: both profiles pass the validator's schema and mandatory tests.
    post(
        &app,
        &format!("{base}/indicators"),
        Some(&handler),
        &json!({"text": "CVE-2026-12345"}),
    )
    .await;
    let adv: Value = get(&app, &format!("{base}/csaf?fixed_version=4.0.1"), &handler)
        .await
        .json()
        .await
        .unwrap();
    let vex: Value = get(
        &app,
        &format!("{base}/csaf?profile=csaf_vex&fixed_version=4.0.1"),
        &handler,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(adv["vulnerabilities"][0]["cve"], "CVE-2026-12345");
    assert_eq!(
        adv["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseSeverity"],
        "MEDIUM"
    );
    let name = |d: &Value| candour_export::cyber::csaf_file_name(d["document"]["tracking"]["id"].as_str().unwrap());
    if let Some((ok, out)) = csaf_validator(&[(&name(&adv), &adv), (&name(&vex), &vex)]) {
        assert!(ok, "CSAF validator:\n{out}");
    }
    let mut broken = adv.clone();
    broken["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseScore"] = json!(9.8);
    if let Some((ok, out)) = csaf_validator(&[("broken.json", &broken)]) {
        assert!(
            !ok && out.contains("6_1_9"),
            "the validator must catch a wrong score:\n{out}"
        );
    }
    let r = app
        .client
        .post(app.url(&format!("{base}/advisories?profile=csaf_vex&fixed_version=4.0.1")))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let published: Value = r.json().await.unwrap();
    assert_eq!(
        (
            published["version"].as_i64(),
            published["content_hash"].as_str().map(str::len)
        ),
        (Some(1), Some(64))
    );
    let next: Value = get(
        &app,
        &format!("{base}/csaf?profile=csaf_vex&fixed_version=4.0.1"),
        &handler,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(next["document"]["tracking"]["version"], "2");
    assert_eq!(
        next["document"]["tracking"]["revision_history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
