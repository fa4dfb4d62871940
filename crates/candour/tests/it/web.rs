//! The public reporting journey over real HTTP (no JavaScript): every page, CSRF, validation on the
//! design system's error summary, a double submit making one report, redaction, and the tracking link.

use crate::helpers::*;
use std::collections::BTreeMap;

/// A browser without JavaScript: keeps cookies, does not follow redirects.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new(app: &App) -> Self {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.base.clone(),
            cookies: BTreeMap::new(),
        }
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let s = v.to_str().unwrap();
            assert!(s.contains("HttpOnly"), "cookies are HttpOnly: {s}");
            let (k, rest) = s.split_once('=').unwrap();
            self.cookies
                .insert(k.to_string(), rest.split(';').next().unwrap().to_string());
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn get(&mut self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let csp = r
            .headers()
            .get("content-security-policy")
            .map(|v| v.to_str().unwrap().to_string());
        assert!(csp.is_some_and(|c| c.contains("script-src 'self'") && !c.contains("unsafe-inline")));
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Post a form with the CSRF token; returns (status, Location or body).
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let mut form: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        form.push((
            "csrf".into(),
            self.cookies.get("candour_csrf").cloned().unwrap_or_default(),
        ));
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(&form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status().as_u16();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        (status, loc.unwrap_or(r.text().await.unwrap()))
    }
}

#[tokio::test]
async fn a_cyber_incident_goes_through_the_whole_journey_without_javascript() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let (s, home) = b.get("/").await;
    assert_eq!(s, 200);
    assert!(
        home.contains("0300 303 5222"),
        "the CSOC line comes from the routing directory"
    );
    assert!(home.contains("/assets/10.6.1/nhsuk-frontend.min.css"));
    let (s, css) = b.get("/assets/10.6.1/nhsuk-frontend.min.css").await;
    assert!(s == 200 && css.contains(".nhsuk-button"));

    // Without the CSRF token nothing happens.
    let r = b
        .client
        .post(format!("{}/report/start", b.base))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    assert_eq!(b.post("/report/start", &[]).await, (303, "/report/kind".into()));
    assert_eq!(
        b.post("/report/kind", &[("kind", "cyber_incident")]).await,
        (303, "/report/urgency".into())
    );
    // Missing answers: 422 with the error summary linking to each field.
    let (s, page) = b.post("/report/urgency", &[]).await;
    assert_eq!(s, 422);
    assert!(
        page.contains("nhsuk-error-summary") && page.contains("href=\"#patients_harmed_now\""),
        "{page}"
    );
    assert!(page.contains("<title>Error: "));
    assert_eq!(
        b.post(
            "/report/urgency",
            &[("patients_harmed_now", "no"), ("urgency", "urgent")]
        )
        .await,
        (303, "/report/urgent".into())
    );
    let (_, urgent) = b.get("/report/urgent").await;
    assert!(urgent.contains("0300 303 5222") && urgent.contains("Have ready"));
    let (s, details) = b.get("/report/details").await;
    assert!(s == 200 && details.contains("cyber.classification") && !details.contains("device.gtin"));
    let (s, page) = b.post("/report/details", &[("ods_code", "not an ods code!")]).await;
    assert_eq!(s, 422);
    assert!(
        page.contains("href=\"#ods_code\""),
        "the ODS code error is on its field"
    );
    let details = [
        ("ods_code", "RZX"),
        ("organisation_name", "Northshire Teaching Hospitals"),
        ("event_type", "incident"),
        ("title", "Ransomware note on pharmacy PCs"),
        (
            "narrative",
            "Ransom note on three pharmacy PCs. Mrs Jane Smith NHS 943 476 5919 had her prescription delayed.",
        ),
        ("occurred_at", "2026-11-20T07:45"),
        ("cyber.classification", "ransomware"),
        ("cyber.investigation_stage", "containment"),
        ("cyber.request_type", "technical_support"),
        ("cyber.contact.name", "Sam Patel"),
        ("cyber.contact.role", "IT security lead"),
        ("cyber.contact.phone", "01632 960 001"),
        ("cyber.impact.assets", "PHARM-PC-01\nPHARM-PC-02"),
        ("cyber.impact.patients", "Prescriptions delayed"),
        ("system.product", "PharmaSys"),
        ("system.supplier", "Northwind"),
    ];
    assert_eq!(
        b.post("/report/details", &details).await,
        (303, "/report/patients".into())
    );
    assert_eq!(
        b.post(
            "/report/patients",
            &[
                ("patient.physical_harm", "low"),
                ("patient.psychological_harm", "none"),
                ("safeguarding_concern", "no")
            ]
        )
        .await,
        (303, "/report/about-you".into())
    );
    assert_eq!(
        b.post(
            "/report/about-you",
            &[("identity", "anonymous"), ("reporter.name", "Alex")]
        )
        .await,
        (303, "/report/check".into())
    );
    let (s, check) = b.get("/report/check").await;
    assert!(s == 200 && check.contains("Ransomware note on pharmacy PCs") && check.contains("Stay anonymous"));

    // A double click sends one report.
    assert_eq!(
        b.post("/report/submit", &[]).await,
        (303, "/report/confirmation".into())
    );
    assert_eq!(
        b.post("/report/submit", &[]).await,
        (303, "/report/confirmation".into())
    );
    let (s, done) = b.get("/report/confirmation").await;
    assert_eq!(s, 200);
    assert!(done.contains("CY-2026-000001") || done.contains("CY-"), "{done}");
    assert!(
        done.contains("NHS England Cyber Security Operations Centre"),
        "where it went is listed"
    );
    let link = done
        .split("href=\"/track/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(link.len(), 64);

    let can = admin().can::<candour_core::identity::ViewReports>().unwrap();
    let all = app.db.store.list_reports(&can, &Default::default()).await.unwrap();
    assert_eq!(all.len(), 1, "one report however often it was sent");
    let reference: candour_core::Reference = all[0].reference.parse().unwrap();
    let rec = app.db.store.get_report(&can, &reference).await.unwrap().unwrap();
    let body = rec.report.body();
    assert!(
        !body.narrative.contains("943 476 5919") && !body.narrative.contains("Jane Smith"),
        "{}",
        body.narrative
    );
    assert!(body.reporter.anonymous && body.reporter.name.is_none());
    assert_eq!(body.cyber.as_ref().unwrap().impact.assets.len(), 2);
    assert_eq!(body.occurred_at.unwrap().to_rfc3339(), "2026-11-20T07:45:00+00:00");

    // The tracking link works without any cookie, and a wrong one finds nothing.
    let mut stranger = Browser::new(&app);
    let (s, track) = stranger.get(&format!("/track/{link}")).await;
    assert_eq!(s, 200);
    assert!(track.contains(&rec.reference.to_string()) && track.contains("No person has acknowledged"));
    let (s, _) = stranger.get(&format!("/track/{}", "0".repeat(64))).await;
    assert_eq!(s, 404);
    // The draft no longer holds the answers.
    let (_, again) = b.get("/report/check").await;
    assert!(!again.contains("Ransomware note"));
}

#[tokio::test]
async fn every_kind_asks_its_own_questions_and_the_pages_render() {
    let app = spawn_app().await;
    for (kind, own, not) in [
        ("clinical_safety", "system.product", "cyber.classification"),
        ("suspicious_activity", "suspicious.channel", "device.gtin"),
        ("vulnerability", "vulnerability.affected_product", "suspicious.channel"),
        ("device_incident", "device.gtin", "vulnerability.cvss_vector"),
    ] {
        let mut b = Browser::new(&app);
        b.get("/report").await;
        b.post("/report/start", &[]).await;
        b.post("/report/kind", &[("kind", kind)]).await;
        let (s, page) = b.get("/report/details").await;
        assert_eq!(s, 200);
        assert!(page.contains(own) && !page.contains(not), "{kind}");
        assert!(
            !page.contains("Page error"),
            "{kind}: a component rejected its parameters"
        );
    }
    let mut b = Browser::new(&app);
    b.get("/report").await;
    b.post("/report/start", &[]).await;
    assert_eq!(
        b.post("/report/kind", &[("kind", "not_sure")]).await,
        (303, "/report/help".into())
    );
    for p in [
        "/report/help",
        "/report/kind",
        "/report/urgency",
        "/report/patients",
        "/report/about-you",
        "/report/check",
    ] {
        let (s, page) = b.get(p).await;
        assert_eq!(s, 200, "{p}");
        assert!(!page.contains("Page error"), "{p}: a component rejected its parameters");
    }
    // No draft: back to the start.
    let mut fresh = Browser::new(&app);
    assert_eq!(fresh.get("/report/check").await.0, 303);
}
