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
        let (status, body) = (r.status().as_u16(), r.text().await.unwrap());
        assert!(
            !body.contains("Page error in"),
            "a component was given bad parameters: {body}"
        );
        (status, body)
    }

    /// GET bytes (an image), status 200 expected.
    async fn get_bytes(&mut self, path: &str) -> Vec<u8> {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
        assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
        r.bytes().await.unwrap().to_vec()
    }

    /// Post files as the screenshot form does (multipart, with the CSRF token); returns (status, Location
    /// or body).
    async fn upload(&mut self, path: &str, files: &[(&str, Vec<u8>)]) -> (u16, String) {
        let mut form =
            reqwest::multipart::Form::new().text("csrf", self.cookies.get("candour_csrf").cloned().unwrap_or_default());
        if files.is_empty() {
            form = form.part("screenshots", reqwest::multipart::Part::bytes(Vec::new()).file_name(""));
        }
        for (name, data) in files {
            form = form.part(
                "screenshots",
                reqwest::multipart::Part::bytes(data.clone()).file_name(name.to_string()),
            );
        }
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let status = r.status().as_u16();
        let loc = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        (status, loc.unwrap_or(r.text().await.unwrap()))
    }

    /// As [`Browser::post`], with owned fields.
    async fn post_owned(&mut self, path: &str, fields: &[(String, String)]) -> (u16, String) {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post(path, &f).await
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
        let body = loc.unwrap_or(r.text().await.unwrap());
        assert!(
            !body.contains("Page error in"),
            "a component was given bad parameters: {body}"
        );
        (status, body)
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
    // Nothing chosen: a plain message, never a parser's.
    let (s, page) = b.post("/report/kind", &[]).await;
    assert_eq!(s, 422);
    assert!(
        page.contains("Select what the problem is about") && !page.contains("unknown variant"),
        "{page}"
    );
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
        (303, "/report/screenshots".into())
    );
    // Screenshots: PNG, JPEG or WebP only (by their first bytes), at most 5 MB each; redacted as they
    // arrive with real Tesseract (a generated EPR screen with known identifier boxes), the original gone.
    let (s, shots) = b.get("/report/screenshots").await;
    assert!(
        s == 200
            && shots.contains("enctype=\"multipart/form-data\"")
            && shots.contains("accept=\"image/png,image/jpeg,image/webp\"")
    );
    let fonts = candour_image::synth::Fonts::load().unwrap();
    let screen = candour_image::synth::screen(&fonts, 4242);
    let png = candour_image::encode_png(&screen.image).unwrap();
    let (s, to) = b
        .upload("/report/screenshots", &[("ward-screen.png", png.clone())])
        .await;
    assert_eq!((s, to.as_str()), (303, "/report/screenshots"));
    let (_, shots) = b.get("/report/screenshots").await;
    let file_id = shots
        .split("src=\"/report/screenshots/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let preview = b.get_bytes(&format!("/report/screenshots/{file_id}")).await;
    assert!(
        preview.starts_with(b"\x89PNG") && preview != png,
        "the reporter sees the redacted preview"
    );
    let shown = candour_image::decode(&preview, &candour_image::Limits::default()).unwrap();
    let black = |r: &candour_image::Rect| {
        (r.y..r.bottom())
            .flat_map(|y| (r.x..r.right()).map(move |x| (x, y)))
            .filter(|&(x, y)| shown.get_pixel(x, y).0 == [0, 0, 0])
            .count() as f64
            / f64::from(r.w * r.h)
    };
    for (r, l) in &screen.labels {
        if matches!(
            l,
            candour_image::synth::Label::NhsNumber | candour_image::synth::Label::BannerName
        ) {
            assert!(black(r) >= 0.95, "{l:?} at {r:?} not covered in the stored image");
        }
    }
    // The reporter covers an area by hand (no JavaScript): a bad number is refused naming the field.
    let keep = screen
        .labels
        .iter()
        .find(|(_, l)| *l == candour_image::synth::Label::Keep)
        .unwrap()
        .0;
    assert!(black(&keep) < 0.2, "clinical words stay readable");
    let (s, page) = b
        .post(
            "/report/screenshots/cover",
            &[
                ("id", file_id.as_str()),
                ("x", "ten"),
                ("y", "1"),
                ("width", "5"),
                ("height", "5"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains("How far from the left of the area to cover must be a whole number"),
        "{page}"
    );
    let (xs, ys, ws, hs) = (
        keep.x.to_string(),
        keep.y.to_string(),
        keep.w.to_string(),
        keep.h.to_string(),
    );
    assert_eq!(
        b.post(
            "/report/screenshots/cover",
            &[
                ("id", file_id.as_str()),
                ("x", &xs),
                ("y", &ys),
                ("width", &ws),
                ("height", &hs)
            ]
        )
        .await,
        (303, "/report/screenshots".into())
    );
    let preview = b.get_bytes(&format!("/report/screenshots/{file_id}")).await;
    let shown = candour_image::decode(&preview, &candour_image::Limits::default()).unwrap();
    assert_eq!(
        shown.get_pixel(keep.x + 1, keep.y + 1).0,
        [0, 0, 0],
        "the hand-drawn box is in the image"
    );
    let (s, page) = b
        .upload(
            "/report/screenshots",
            &[("evil.png", b"<svg onload=alert(1)>".to_vec())],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("evil.png is not a PNG, JPEG or WebP image") && page.contains("href=\"#screenshots\""));
    let (s, page) = b
        .upload(
            "/report/screenshots",
            &[("huge.png", [png.clone(), vec![0u8; 5 * 1024 * 1024]].concat())],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("huge.png is larger than 5 MB"));
    let (_, shots) = b.get("/report/screenshots").await;
    assert!(shots.contains("ward-screen.png") && !shots.contains("evil.png"));
    let (s, to) = b.upload("/report/screenshots", &[]).await;
    assert_eq!(
        (s, to.as_str()),
        (303, "/report/about-you"),
        "continue with nothing more chosen"
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
    // What we will share: the text as it will be stored. The reporter may put back words taken for a
    // name in text they typed, never an NHS number, and may cover them again.
    let share = |page: &str| {
        page.split("id=\"share\"")
            .nth(1)
            .unwrap()
            .split("Now send your report")
            .next()
            .unwrap()
            .to_string()
    };
    let shared = share(&check);
    assert!(shared.contains("[NAME]") && shared.contains("[NHS NUMBER]") && !shared.contains("943 476 5919"));
    assert!(
        shared.contains("value=\"Jane Smith\"") && !shared.contains("value=\"943 476 5919\""),
        "{shared}"
    );
    assert_eq!(
        b.post(
            "/report/check/keep",
            &[("keep", "Jane Smith"), ("keep", "943 476 5919")]
        )
        .await,
        (303, "/report/check#share".into())
    );
    let shared = share(&b.get("/report/check").await.1);
    assert!(shared.contains("Mrs Jane Smith NHS [NHS NUMBER]"), "{shared}");
    assert_eq!(
        b.post("/report/check/keep", &[]).await,
        (303, "/report/check#share".into())
    );
    let shared = share(&b.get("/report/check").await.1);
    assert!(
        !shared.contains("Jane Smith had") && shared.contains("[NAME]"),
        "{shared}"
    );
    // A change after checking goes straight back to the check page.
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
        (303, "/report/check".into())
    );
    assert!(check.contains("ward-screen.png"), "the screenshot is listed to check");

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
    let files = app.db.store.attachments(None, Some(rec.id)).await.unwrap();
    assert_eq!(files.len(), 1, "the screenshot moved to the report with it");
    assert_eq!(files[0].media_type.as_str(), "image/png");
    assert!(files[0].redacted);
    assert_ne!(files[0].size, png.len() as i64, "the original was not kept");
    let (_, stored, boxes) = app
        .db
        .store
        .attachment_data(files[0].id, None, Some(rec.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, preview, "what is stored is what the reporter saw");
    assert!(boxes.contains("NHS_NUMBER") && boxes.contains("BY_HAND"), "{boxes}");
    let nhs = candour_redact::eval::screen_patient(4242).nhs;
    assert!(
        !boxes.contains(&nhs) && !boxes.contains(&nhs.replace(' ', "")),
        "no OCR text is stored with the boxes"
    );
    let audit = app
        .db
        .store
        .audit_for("report", &rec.reference.to_string())
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.action == "report.attach"));
    // Staff who can see the report see the redacted screenshot; each view is audited. Others get nothing.
    let token = app
        .login_as(
            "shots-admin",
            vec![candour_core::identity::Grant {
                role: candour_core::identity::Role::Admin,
                org: None,
            }],
        )
        .await;
    let shot = format!("/workspace/reports/{}/screenshots/{}", rec.reference, files[0].id);
    let r = app.client.get(app.url(&shot)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), stored);
    let r = app.client.get(app.url(&shot)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let audit = app
        .db
        .store
        .audit_for("report", &rec.reference.to_string())
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.action == "report.view_screenshot"));
    assert_eq!(body.cyber.as_ref().unwrap().impact.assets.len(), 2);
    assert_eq!(body.occurred_at.unwrap().to_rfc3339(), "2026-11-20T07:45:00+00:00");

    // The tracking link works without any cookie, and a wrong one finds nothing.
    let mut stranger = Browser::new(&app);
    let (s, track) = stranger.get(&format!("/track/{link}")).await;
    assert_eq!(s, 200);
    assert!(track.contains(&rec.reference.to_string()) && track.contains("No person has acknowledged"));
    let (s, _) = stranger.get(&format!("/track/{}", "0".repeat(64))).await;
    assert_eq!(s, 404);

    // The reporter adds information: redacted before it is stored, shown back to them and to staff.
    let here = format!("/track/{link}");
    let (s, page) = stranger.post(&here, &[("more", "   ")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("Enter what you want to add") && page.contains("href=\"#more\""));
    let (s, to) = stranger
        .post(
            &here,
            &[("more", "The same note appeared on a third PC. Patient Jane Smith, NHS number 943 476 5919, had her dispensing delayed.")],
        )
        .await;
    assert_eq!((s, to), (303, format!("{here}?added=1")));
    let (_, track) = stranger.get(&format!("{here}?added=1")).await;
    assert!(track.contains("What you added") && track.contains("third PC"));
    assert!(
        !track.contains("943 476 5919") && !track.contains("Jane Smith"),
        "redacted"
    );
    let notes = app.db.store.notes(rec.id, true).await.unwrap();
    assert_eq!((notes.len(), notes[0].visibility.as_str()), (1, "reporter"));
    assert!(!notes[0].text.contains("943 476 5919"));
    let audit = app
        .db
        .store
        .audit_for("report", &rec.reference.to_string())
        .await
        .unwrap();
    assert!(audit.iter().any(|e| e.action == "report.note_reporter"));
    // A forged form (no CSRF token) is refused.
    let forged = reqwest::Client::new()
        .post(app.url(&here))
        .form(&[("more", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

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
        "/report/screenshots",
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

/// The staff workspace without JavaScript: sign-in is needed (and a wrong password refused), the queue
/// shows what waits for a person with patients harmed now first, a CSO acknowledges by name and role and
/// moves the report on, closing needs feedback, a stale form is refused, and another organisation's
/// handler cannot see the report at all.
#[tokio::test]
async fn a_cso_signs_in_acknowledges_and_closes_a_report_in_the_workspace() {
    use candour_core::identity::{Grant, Role};
    use candour_core::ods::OdsCode;
    let app = spawn_app().await;
    let submit = |body: serde_json::Value| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/reports"));
        async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 201);
            r.json::<serde_json::Value>().await.unwrap()["reference"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let calm = submit(example("clinical_safety")).await;
    let mut harmed = example("clinical_safety");
    harmed["title"] = "Allergy banner missing on the drug chart".into();
    harmed["patients_harmed_now"] = "yes".into();
    let harmed = submit(harmed).await;

    // Not signed in: sent to sign in, and back afterwards.
    let mut b = Browser::new(&app);
    let (s, to) = {
        let r = b
            .client
            .get(format!("{}/workspace/reports/{calm}", b.base))
            .send()
            .await
            .unwrap();
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        (s, to.as_str()),
        (303, format!("/sign-in?next=/workspace/reports/{calm}").as_str())
    );

    candour::ops::add_user(
        &app.db.store,
        "cso.rzx",
        "Priya Shah",
        "correct-horse-battery",
        vec![Grant {
            role: Role::ClinicalSafetyOfficer,
            org: Some(OdsCode::parse("RZX").unwrap()),
        }],
    )
    .await
    .unwrap();
    let (s, form) = b.get("/sign-in?next=/workspace").await;
    assert!(s == 200 && form.contains("autocomplete=\"current-password\""));
    let (s, page) = b
        .post(
            "/sign-in",
            &[("username", "cso.rzx"), ("password", "wrong"), ("next", "/workspace")],
        )
        .await;
    assert_eq!(s, 401);
    assert!(page.contains("nhsuk-error-summary") && page.contains("<title>Error: "));
    // An offsite `next` is ignored.
    let (s, to) = b
        .post(
            "/sign-in",
            &[
                ("username", "cso.rzx"),
                ("password", "correct-horse-battery"),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!((s, to.as_str()), (303, "/workspace"));
    assert!(b.cookies.get("candour_session").is_some_and(|c| !c.is_empty()));

    // The queue: both wait for a person; patients harmed now comes first.
    let (s, queue) = b.get("/workspace").await;
    assert_eq!(s, 200);
    assert!(queue.contains("Priya Shah"));
    let waiting = &queue[..queue.find("All reports").unwrap()];
    let (h, c) = (
        waiting.find(&harmed).expect(waiting),
        waiting.find(&calm).expect(waiting),
    );
    assert!(h < c, "patients harmed now is listed first");
    assert!(waiting.contains("Patients harmed now"));
    // Filters: a bad value is named; a good one narrows the list.
    let (s, bad) = b.get("/workspace?status=sleeping").await;
    assert!(s == 422 && bad.contains("href=\"#status\""));
    let (_, closed_only) = b.get("/workspace?status=closed").await;
    let all = &closed_only[closed_only.find("All reports").expect(&closed_only)..];
    assert!(!all.contains(&calm));

    // The report page shows the report and only the actions its status allows.
    let (s, page) = b.get(&format!("/workspace/reports/{calm}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("Acknowledge: I have seen this report"));
    assert!(
        !page.contains("Close, with feedback"),
        "closing is not offered before resolving"
    );
    assert!(page.contains("Where it went and the clocks running"));
    let act = format!("/workspace/reports/{calm}/actions");

    // A missing role is named on the form; nothing changes.
    let (s, page) = b
        .post(
            &act,
            &[
                ("action", "acknowledge"),
                ("expected_revision", "1"),
                ("name", "Priya Shah"),
                ("role", ""),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("href=\"#acknowledge-role\""), "{page}");
    let (s, to) = b
        .post(
            &act,
            &[
                ("action", "acknowledge"),
                ("expected_revision", "1"),
                ("name", "Priya Shah"),
                ("role", "Clinical Safety Officer"),
                ("method", "phone"),
            ],
        )
        .await;
    assert_eq!((s, to.as_str()), (303, format!("/workspace/reports/{calm}").as_str()));
    // The same (now stale) form again: refused, nothing overwritten.
    let (s, page) = b
        .post(
            &act,
            &[
                ("action", "acknowledge"),
                ("expected_revision", "1"),
                ("name", "X"),
                ("role", "Y"),
            ],
        )
        .await;
    assert_eq!(s, 409);
    assert!(page.contains("Someone else changed this report"));

    for (action, rev, field, text) in [
        ("triage", "2", "note", ""),
        ("resolve", "3", "summary", "Supplier fixed the banner in 4.2.1"),
    ] {
        let (s, _) = b
            .post(&act, &[("action", action), ("expected_revision", rev), (field, text)])
            .await;
        assert_eq!(s, 303, "{action}");
    }
    let (s, page) = b
        .post(
            &act,
            &[("action", "close"), ("expected_revision", "4"), ("feedback", "  ")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("href=\"#close-feedback\""));
    let (s, _) = b
        .post(
            &act,
            &[
                ("action", "close"),
                ("expected_revision", "4"),
                ("feedback", "You said the banner was missing; the supplier fixed it."),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page) = b.get(&format!("/workspace/reports/{calm}")).await;
    assert!(page.contains("closed") && page.contains("the supplier fixed it"));
    assert!(page.contains("Priya Shah (Clinical Safety Officer)"));

    // The same record through the API: the acknowledgement carries who, role and how; all audited.
    let token = app
        .login_as(
            "auditor",
            vec![Grant {
                role: Role::Admin,
                org: None,
            }],
        )
        .await;
    let v: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/reports/{calm}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "closed");
    assert_eq!(v["acknowledgement"]["method"], "phone");
    let audit: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/reports/{calm}/audit")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(audit.as_array().unwrap().len(), 5, "create + four changes: {audit}");

    // Another organisation's handler cannot see it.
    candour::ops::add_user(
        &app.db.store,
        "handler.other",
        "Sam Other",
        "correct-horse-battery",
        vec![Grant {
            role: Role::Handler,
            org: Some(OdsCode::parse("RRK").unwrap()),
        }],
    )
    .await
    .unwrap();
    let mut other = Browser::new(&app);
    other.get("/sign-in").await;
    other
        .post(
            "/sign-in",
            &[("username", "handler.other"), ("password", "correct-horse-battery")],
        )
        .await;
    let (s, _) = other.get(&format!("/workspace/reports/{calm}")).await;
    assert_eq!(s, 404);
    let (_, q) = other.get("/workspace").await;
    assert!(!q.contains(&calm));

    // Signing out ends the session on the server too.
    let session = b.cookies.get("candour_session").cloned().unwrap();
    let (s, to) = b.post("/sign-out", &[]).await;
    assert_eq!((s, to.as_str()), (303, "/sign-in"));
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .header("cookie", format!("candour_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn signed_in(app: &App, username: &str, role: candour_core::identity::Role, org: Option<&str>) -> Browser {
    candour::ops::add_user(
        &app.db.store,
        username,
        &format!("Test {username}"),
        "correct-horse-battery",
        vec![candour_core::identity::Grant {
            role,
            org: org.map(|o| candour_core::ods::OdsCode::parse(o).unwrap()),
        }],
    )
    .await
    .unwrap();
    let mut b = Browser::new(app);
    b.get("/sign-in").await;
    let (s, _) = b
        .post(
            "/sign-in",
            &[
                ("username", username),
                ("password", "correct-horse-battery"),
                ("next", "/workspace"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    b
}

#[tokio::test]
async fn staff_see_where_a_report_went_record_an_answer_and_watch_the_clocks() {
    use candour_core::identity::Role;
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/api/v1/reports"))
        .json(&example("clinical_safety"))
        .send()
        .await
        .unwrap();
    let reference = r.json::<serde_json::Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let mut b = signed_in(&app, "admin.one", Role::Admin, None).await;
    let (_, queue) = b.get("/workspace").await;
    for link in ["/workspace/obligations", "/workspace/outbox", "/workspace/routing"] {
        assert!(queue.contains(link), "{link}");
    }
    let page_url = format!("/workspace/reports/{reference}");
    let (s, report) = b.get(&page_url).await;
    assert_eq!(s, 200);
    assert!(report.contains("Where it went, and who has answered"));
    assert!(
        report.contains("(rule clinical-safety-supplier)"),
        "which rule sent it there"
    );
    assert!(report.contains("No human has acknowledged"));
    assert!(report.contains("Report by email to clinical.safety@supplier.example: waiting to send"));
    assert!(report.contains("Phone: 0300 303 5222") || !report.contains("nhs_csoc"));

    let (s, board) = b.get("/workspace/obligations").await;
    assert_eq!(s, 200);
    assert!(board.contains(&reference));
    assert!(board.contains("Supplier acknowledgement within 2 working days"));

    // A phone answer from the supplier: the name and role are needed.
    let act = format!("{page_url}/responses");
    let fields = |name: &'static str, role: &'static str| {
        vec![
            ("action", "respond"),
            ("expected_revision", "1"),
            ("destination", "supplier_safety"),
            ("kind", "acknowledged"),
            ("name", name),
            ("role", role),
            ("method", "phone"),
        ]
    };
    let (s, page) = b.post(&act, &fields("", "")).await;
    assert_eq!(s, 422);
    assert!(page.contains("Enter their role") && page.contains("Enter the name of the person"));
    assert!(page.contains("href=\"#response-role\""));
    let (s, to) = b
        .post(&act, &fields("J. Okafor", "Supplier clinical safety lead"))
        .await;
    assert_eq!((s, to.as_str()), (303, page_url.as_str()));
    let (_, report) = b.get(&page_url).await;
    assert!(report.contains("Acknowledged by J. Okafor (Supplier clinical safety lead), phone"));
    let (_, board) = b.get("/workspace/obligations").await;
    assert!(
        !board.contains("Supplier acknowledgement within 2 working days"),
        "its clock stops when the supplier answers"
    );
    assert!(board.contains("Human acknowledgement within 8 working hours"));
    assert!(!board.contains("Calls to make"));

    // The CSO never answers and their escalation is phone-only: the board lists the call to make
    // until someone records the CSO's answer.
    let admin_can = admin().can::<candour_core::identity::ViewReports>().unwrap();
    let rec = app
        .db
        .store
        .get_report(&admin_can, &reference.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let tables = candour_core::routing::Tables::embedded(&taxonomy()).unwrap();
    let standing = candour_core::chase::Standing {
        sent_at: rec.created_at,
        delivered: true,
        due_at: None,
        urgent: false,
        reminded_at: Some(rec.created_at),
        escalated_at: None,
    };
    let plan = candour_core::chase::plan(
        candour_core::chase::Step::Escalation,
        &rec,
        "org_cso",
        &standing,
        &tables.directory,
    );
    assert!(plan.messages.is_empty(), "the site duty manager is reached by phone");
    assert!(app
        .db
        .store
        .record_chase(candour_store::NewChase {
            report_id: rec.id,
            reference: reference.clone(),
            plan,
            subject: "x".into(),
            now: chrono::Utc::now(),
        })
        .await
        .unwrap());
    let (_, board) = b.get("/workspace/obligations").await;
    assert!(board.contains("Calls to make (1)"), "{board}");
    assert!(board.contains("Switchboard: ask for the site duty manager"));
    let (s, _) = b
        .post(
            &act,
            &[
                ("action", "respond"),
                ("expected_revision", "1"),
                ("destination", "org_cso"),
                ("kind", "acknowledged"),
                ("name", "Dr P. Raman"),
                ("role", "Clinical Safety Officer"),
                ("method", "phone"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, board) = b.get("/workspace/obligations").await;
    assert!(!board.contains("Calls to make"), "answered: no call to make");
    let audit = app.db.store.audit_for("report", &reference).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "destination.acknowledged"));

    // The outbox, a page at a time; a bad filter is named.
    let (s, outbox) = b.get("/workspace/outbox?status=pending").await;
    assert_eq!(s, 200);
    assert!(outbox.contains(&reference) && outbox.contains("Pending: next try"));
    let (s, outbox) = b.get("/workspace/outbox?status=lost").await;
    assert_eq!(s, 422);
    assert!(outbox.contains("&#39;lost&#39; is not pending, sent or dead"));

    // A handler sees the board but not the outbox or the routing tables.
    let mut h = signed_in(&app, "handler.rzx", Role::Handler, Some("RZX")).await;
    assert_eq!(h.get("/workspace/obligations").await.0, 200);
    assert_eq!(h.get("/workspace/outbox").await.0, 403);
    assert_eq!(h.get("/workspace/routing").await.0, 403);
}

#[tokio::test]
async fn an_admin_checks_tries_and_saves_routing_tables_and_a_bad_file_changes_nothing() {
    use candour_core::identity::Role;
    let app = spawn_app().await;
    let token = app
        .login_as("api.admin", vec![candour::ops::parse_grant("admin").unwrap()])
        .await;
    let submit = || async {
        let r = app
            .client
            .post(app.url("/api/v1/reports"))
            .json(&example("clinical_safety"))
            .send()
            .await
            .unwrap();
        let reference = r.json::<serde_json::Value>().await.unwrap()["reference"]
            .as_str()
            .unwrap()
            .to_string();
        app.client
            .get(app.url(&format!("/api/v1/reports/{reference}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    let before = submit().await;
    let reference = before["reference"].as_str().unwrap().to_string();
    let routes = |v: &serde_json::Value| -> Vec<String> {
        v["routing"]["decision"]["routes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["destination"].as_str().unwrap().to_string())
            .collect()
    };
    let mut b = signed_in(&app, "admin.two", Role::Admin, None).await;
    let (s, page) = b.get("/workspace/routing").await;
    assert_eq!(s, 200);
    assert!(page.contains("The tables built into Candour"));
    let [d, r, o] = candour_web::policy::embedded_files();
    let form = |rules: &str, intent: &str, note: &str, reference: &str| {
        vec![
            ("directory".to_string(), d.to_string()),
            ("rules".to_string(), rules.to_string()),
            ("obligations".to_string(), o.to_string()),
            ("intent".to_string(), intent.to_string()),
            ("note".to_string(), note.to_string()),
            ("reference".to_string(), reference.to_string()),
        ]
    };
    // A rule naming a destination that does not exist: refused with file, line and reason.
    let bad = r.replace("destination = \"mhra_yellow_card\"", "destination = \"the_moon\"");
    let line = bad.lines().position(|l| l.contains("the_moon")).unwrap() + 1;
    let (s, page) = b
        .post_owned("/workspace/routing", &form(&bad, "save", "try the moon", ""))
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains(&format!(
            "rules.toml line {line}: rule &#39;device-mhra&#39; names destination &#39;the_moon&#39;"
        )),
        "{page}"
    );
    assert!(page.contains("Nothing was saved: the built-in version stays in force"));
    assert!(page.contains("href=\"#rules\""));
    assert!(app.db.store.routing_versions().await.unwrap().is_empty());

    // LFPSE only for device incidents: tried on the report first, then saved.
    let changed = r.replace(
        "kinds = [\"clinical_safety\", \"device_incident\"]\nto = [{ destination = \"lfpse\" }]",
        "kinds = [\"device_incident\"]\nto = [{ destination = \"lfpse\" }]",
    );
    assert_ne!(changed, r);
    let (s, page) = b
        .post_owned("/workspace/routing", &form(&changed, "check", "", &reference))
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("These tables pass every check"));
    assert!(page.contains("would route it differently"));
    let (s, page) = b
        .post_owned("/workspace/routing", &form(&changed, "check", "", "CS-2026-999999"))
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("There is no report CS-2026-999999"));
    let (s, page) = b
        .post_owned("/workspace/routing", &form(&changed, "save", " ", ""))
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("Say what changed and why"));
    assert!(app.db.store.routing_versions().await.unwrap().is_empty());
    let (s, to) = b
        .post_owned(
            "/workspace/routing",
            &form(&changed, "save", "LFPSE: device incidents only (test)", ""),
        )
        .await;
    assert_eq!((s, to.as_str()), (303, "/workspace/routing?saved=1"));
    let (_, page) = b.get("/workspace/routing?saved=1").await;
    assert!(page.contains("Version 1 saved and in force"));
    assert!(page.contains("LFPSE: device incidents only (test)"));
    let versions = app.db.store.routing_versions().await.unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].created_by.contains("admin.two"));
    let audit = app.db.store.audit_for("routing", "1").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "routing.update");

    // New reports use version 1 at once; the earlier report keeps its decision.
    let after = submit().await;
    assert!(routes(&before).contains(&"lfpse".to_string()));
    assert!(!routes(&after).contains(&"lfpse".to_string()));
    assert_eq!(after["routing"]["decision"]["versions"][1], "candour-rules-1");

    // Another instance (or a restart) picks the saved version up; a stored version that no longer passes
    // its checks leaves the previous tables in force.
    let other = candour_web::AppState::new(app.db.store.clone(), taxonomy(), Default::default()).unwrap();
    assert_eq!(candour_web::policy::refresh(&other).await.unwrap(), 1);
    assert!(!other.routing.tables().rules.rules.iter().any(
        |r| r.id.get_ref() == "patient-safety-lfpse" && r.kinds.contains(&candour_core::ReportKind::ClinicalSafety)
    ));
}

#[tokio::test]
async fn staff_assign_note_filter_and_manage_accounts() {
    use candour_core::identity::Role;
    let app = spawn_app().await;
    let submit = |body: serde_json::Value| {
        let (client, url) = (app.client.clone(), app.url("/api/v1/reports"));
        async move {
            let r = client.post(url).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 201);
            r.json::<serde_json::Value>().await.unwrap()["reference"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let mut severe = example("clinical_safety");
    severe["title"] = "Wrong dose shown after unit conversion".into();
    severe["urgency"] = "routine".into();
    severe["patients"] = serde_json::json!([{"physical_harm": "severe", "psychological_harm": "none"}]);
    let severe = submit(severe).await;
    let cyber = submit(example("cyber_incident")).await;

    let mut admin = signed_in(&app, "admin.three", Role::Admin, None).await;
    // Accounts: a bad form names its fields; a good one is created and listed.
    let (s, page) = admin.get("/workspace/users").await;
    assert_eq!(s, 200);
    assert!(page.contains("admin.three"));
    let (s, page) = admin
        .post(
            "/workspace/users",
            &[
                ("username", "X"),
                ("display_name", ""),
                ("password", "short"),
                ("organisation", "nonsense!"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    for want in [
        "href=\"#username\"",
        "href=\"#password\"",
        "Choose a role",
        "is not an ODS code",
    ] {
        assert!(page.contains(want), "{want}");
    }
    let (s, to) = admin
        .post(
            "/workspace/users",
            &[
                ("username", "h.okafor"),
                ("display_name", "Dr H. Okafor"),
                ("password", "a-long-enough-password"),
                ("role", "handler"),
                ("organisation", "rzx"),
            ],
        )
        .await;
    assert_eq!((s, to.as_str()), (303, "/workspace/users?added=h.okafor"));
    let user = app.db.store.user_by_username("h.okafor").await.unwrap().unwrap();
    assert_eq!(user.grants[0].org.as_ref().unwrap().as_str(), "RZX");

    // Assign: to someone who cannot act on the organisation is refused; to the handler, shown.
    let page_url = format!("/workspace/reports/{severe}");
    admin.get(&page_url).await;
    let act = |what: &str| format!("{page_url}/{what}");
    let (s, page) = admin
        .post(
            &act("assign"),
            &[
                ("action", "assign"),
                ("expected_revision", "1"),
                ("assignee", "nobody.here"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("is not an active account"), "{page}");
    let (s, _) = admin
        .post(
            &act("assign"),
            &[
                ("action", "assign"),
                ("expected_revision", "1"),
                ("assignee", "h.okafor"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page) = admin.get(&page_url).await;
    assert!(page.contains("Assigned to <strong>Dr H. Okafor</strong>"));
    // Codes read as their labels, instants as UK local time.
    assert!(
        page.contains("Severe physical harm") && page.contains("Routine"),
        "labels, not codes"
    );
    assert!(page.contains("20 Nov 2026 08:15 GMT"), "local times");
    assert!(!page.contains("2026-11-20T08:15:00Z"));

    // An internal note: empty refused; identifiers removed; not on the reporter's page.
    let (s, page) = admin
        .post(
            &act("notes"),
            &[("action", "notes"), ("expected_revision", "1"), ("text", " ")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(page.contains("Enter the note"));
    let (s, _) = admin
        .post(
            &act("notes"),
            &[
                ("action", "notes"),
                ("expected_revision", "1"),
                ("text", "Called pharmacy; patient NHS 943 476 5919 reviewed, no harm."),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page) = admin.get(&page_url).await;
    assert!(page.contains("Called pharmacy") && !page.contains("943 476 5919"));
    assert!(page.contains("Audit trail") && page.contains("report.note_internal") && page.contains("report.assign"));
    let audit = app.db.store.audit_for("report", &severe).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "report.assign"));
    assert!(audit.iter().any(|e| e.action == "report.note_internal"));

    // A cyber report's pasted indicators, typed and refanged, with the ones that do not link incidents.
    let (_, page) = admin.get(&format!("/workspace/reports/{cyber}")).await;
    assert!(page.contains("Indicators of compromise (3)"), "{page}");
    assert!(page.contains("<code>http://update-check.example-cdn.com/a.exe</code>"));
    assert!(page.contains("a documentation address (RFC 5737)"));

    // The handler's queue: assigned to me, harm and urgency filters, bad filter values named.
    let mut h = Browser::new(&app);
    h.get("/sign-in").await;
    let (s, _) = h
        .post(
            "/sign-in",
            &[
                ("username", "h.okafor"),
                ("password", "a-long-enough-password"),
                ("next", "/workspace"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let all_reports = |page: &str| page[page.find("All reports").unwrap()..].to_string();
    let (_, q) = h.get("/workspace?assigned=me").await;
    let q = all_reports(&q);
    assert!(q.contains(&severe) && !q.contains(&cyber), "assigned to me");
    let (_, q) = h.get("/workspace?harm=severe").await;
    let q = all_reports(&q);
    assert!(q.contains(&severe) && !q.contains(&cyber), "worst harm at least severe");
    let (_, q) = h.get("/workspace?urgency=routine&sort=oldest").await;
    let q = all_reports(&q);
    assert!(q.contains(&severe) && !q.contains(&cyber));
    let (s, q) = h.get("/workspace?harm=catastrophic&sort=sideways").await;
    assert_eq!(s, 422);
    assert!(q.contains("&#39;catastrophic&#39; is not one of") && q.contains("&#39;sideways&#39; is not newest"));
    // A handler cannot manage accounts.
    assert_eq!(h.get("/workspace/users").await.0, 403);
    // Notes and assignments are audited against reports without upsetting `audit verify` (they carry
    // digests of their own, not the report's).
    assert!(matches!(candour::ops::audit_verify(&app.db.store).await.unwrap(), Ok(n) if n > 0));
}

#[tokio::test]
async fn anonymous_submissions_are_limited_per_address_but_never_signed_in_ones() {
    let db = sqlite().await;
    let state = candour_web::AppState::new(
        db.store.clone(),
        taxonomy(),
        candour_web::WebConfig {
            submit_per_minute: 2,
            ..Default::default()
        },
    )
    .unwrap();
    let app = candour_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let client = reqwest::Client::new();
    let post = |bearer: Option<String>| {
        let (client, url) = (client.clone(), format!("{base}/api/v1/reports"));
        async move {
            let mut r = client.post(url).json(&example("clinical_safety"));
            if let Some(b) = bearer {
                r = r.bearer_auth(b);
            }
            r.send().await.unwrap()
        }
    };
    assert_eq!(post(None).await.status(), 201);
    assert_eq!(post(None).await.status(), 201);
    let refused = post(None).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    candour::ops::add_user(
        &db.store,
        "api.client",
        "Ward system",
        "correct-horse-battery",
        vec![candour::ops::parse_grant("handler@RZX").unwrap()],
    )
    .await
    .unwrap();
    let bearer = candour::ops::add_token(&db.store, "api.client", "ward").await.unwrap();
    assert_eq!(
        post(Some(bearer)).await.status(),
        201,
        "signed-in systems are not limited"
    );
}

#[tokio::test]
async fn researchers_find_security_txt_and_the_disclosure_policy() {
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let r = reqwest::get(app.url("/.well-known/security.txt")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    let expires = text
        .lines()
        .find_map(|l| l.strip_prefix("Expires: "))
        .expect("an Expires field");
    let expires = chrono::DateTime::parse_from_rfc3339(expires).unwrap();
    let now = chrono::Utc::now();
    assert!(
        expires > now && expires < now + chrono::Duration::days(365),
        "in the future, within a year"
    );
    for field in ["Contact: ", "Policy: ", "Canonical: ", "Preferred-Languages: "] {
        assert!(text.lines().any(|l| l.starts_with(field)), "{field}");
    }
    let (s, policy) = b.get("/security/policy").await;
    assert_eq!(s, 200);
    assert!(policy.contains("90 days") && policy.contains("patients could be harmed"));
}

/// By organisation policy the report as typed is kept encrypted; only the organisation's CSO (or an
/// admin) can open it, each opening audited; without a configured key, or without the policy, nothing is
/// kept.
#[tokio::test]
async fn originals_are_kept_encrypted_by_policy_and_opened_only_by_the_cso() {
    use candour_core::identity::{Grant, ManageOrganisations, Role};
    use candour_core::OdsCode;
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let sealer = std::sync::Arc::new(candour_web::originals::Sealer::from_base64(key).unwrap());
    let config = candour_web::WebConfig {
        body_limit: 64 * 1024,
        originals: Some(sealer),
        ..Default::default()
    };
    let app = spawn_app_with(sqlite().await, config).await;
    let can = admin().can::<ManageOrganisations>().unwrap();
    for (ods, keep) in [("RZX", true), ("RX1", false)] {
        app.db
            .store
            .put_organisation(
                &can,
                candour_store::Organisation {
                    ods_code: ods.into(),
                    name: format!("Trust {ods}"),
                    require_sign_in: false,
                    nis_oes: true,
                    dspt: true,
                    keep_originals: keep,
                },
            )
            .await
            .unwrap();
    }
    let submit = |ods: &'static str| {
        let app = &app;
        async move {
            let mut body = example("clinical_safety");
            body["ods_code"] = ods.into();
            body["narrative"] = "The banner showed Mrs Zofia Kowalczyk NHS 943 476 5919 for another patient.".into();
            let r = app
                .client
                .post(app.url("/api/v1/reports"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let v: serde_json::Value = r.json().await.unwrap();
            v["reference"].as_str().unwrap().to_string()
        }
    };
    let kept_ref = submit("RZX").await;
    let plain_ref = submit("RX1").await;
    let viewer = admin().can::<candour_core::identity::ViewReports>().unwrap();
    let rec = |r: String| {
        let app = &app;
        let viewer = &viewer;
        async move {
            app.db
                .store
                .get_report(viewer, &r.parse().unwrap())
                .await
                .unwrap()
                .unwrap()
        }
    };
    let kept = rec(kept_ref.clone()).await;
    assert!(
        !kept.report.body().narrative.contains("5919"),
        "the shared report is redacted"
    );
    let originals = app.db.store.originals(kept.id).await.unwrap();
    assert_eq!(originals.len(), 1);
    assert!(
        app.db
            .store
            .originals(rec(plain_ref).await.id)
            .await
            .unwrap()
            .is_empty(),
        "no policy, nothing kept"
    );
    let (_, sealed) = app.db.store.original(kept.id, originals[0].id).await.unwrap().unwrap();
    assert!(!sealed.ciphertext.windows(4).any(|w| w == b"5919"), "encrypted at rest");

    let path = format!("/workspace/reports/{kept_ref}/originals/{}", originals[0].id);
    let login = |name: &'static str, role: Role| {
        let app = &app;
        async move {
            app.login_as(
                name,
                vec![Grant {
                    role,
                    org: Some(OdsCode::parse("RZX").unwrap()),
                }],
            )
            .await
        }
    };
    let handler = login("handler.rzx", Role::Handler).await;
    let r = app
        .client
        .get(app.url(&path))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a handler cannot open originals");
    let report_page = app
        .client
        .get(app.url(&format!("/workspace/reports/{kept_ref}")))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(report_page.contains("Only its Clinical Safety Officer") && !report_page.contains(&path));
    let cso = login("cso.rzx", Role::ClinicalSafetyOfficer).await;
    let r = app.client.get(app.url(&path)).bearer_auth(&cso).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let text = r.text().await.unwrap();
    assert!(text.contains("Zofia Kowalczyk NHS 943 476 5919"), "{text}");
    let audit = app.db.store.audit_for("report", &kept_ref).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "report.keep_original"));
    assert_eq!(
        audit.iter().filter(|e| e.action == "report.read_original").count(),
        1,
        "the CSO's opening is audited; the handler's refusal opened nothing"
    );
    // Reads and originals recorded against a report do not upset `audit verify`.
    assert!(matches!(candour::ops::audit_verify(&app.db.store).await.unwrap(), Ok(n) if n > 0));

    // A screenshot uploaded for that organisation: the redacted copy is what is shared, the original is
    // kept sealed against the draft (and moves with the report; see the store conformance test).
    let mut b = Browser::new(&app);
    let draft = format!("draft-{}", uuid::Uuid::now_v7());
    app.db
        .store
        .put_draft(
            &draft,
            r#"{"ods_code":"RZX"}"#,
            chrono::Utc::now() + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    b.cookies.insert("candour_draft".into(), draft.clone());
    assert_eq!(b.get("/report/screenshots").await.0, 200);
    // An image OCR can read nothing in is refused, not shared with nothing covered.
    let blank = candour_image::encode_png(&image_of(640, 360)).unwrap();
    let (s, page) = b.upload("/report/screenshots", &[("photo.png", blank)]).await;
    assert_eq!(s, 422);
    assert!(page.contains("We could not read any text in photo.png"), "{page}");
    let fonts = candour_image::synth::Fonts::load().unwrap();
    let png = candour_image::encode_png(&candour_image::synth::screen(&fonts, 77).image).unwrap();
    let (s, _) = b.upload("/report/screenshots", &[("banner.png", png.clone())]).await;
    assert_eq!(s, 303);
    let held = app.db.store.attachments(Some(&draft), None).await.unwrap();
    assert_eq!(held.len(), 1);
    let mut req = create_req(example("clinical_safety"));
    req.attachments_from_draft = Some(draft.clone());
    req.keep_draft_originals = true; // what intake decides for RZX at submission (see intake::prepare)
    let moved = app.db.store.create_report(req).await.unwrap();
    let kept = app.db.store.originals(moved.id).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].kind.as_str(), kept[0].attachment_id),
        ("image", Some(held[0].id))
    );
    let path = format!("/workspace/reports/{}/originals/{}", moved.reference, kept[0].id);
    let r = app.client.get(app.url(&path)).bearer_auth(&cso).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.bytes().await.unwrap().to_vec(),
        png,
        "the CSO opens exactly what was uploaded"
    );

    // The same policy with no key configured keeps nothing.
    let keyless = spawn_app_on(sqlite().await).await;
    keyless
        .db
        .store
        .put_organisation(
            &can,
            candour_store::Organisation {
                ods_code: "RZX".into(),
                name: "Trust RZX".into(),
                require_sign_in: false,
                nis_oes: true,
                dspt: true,
                keep_originals: true,
            },
        )
        .await
        .unwrap();
    let mut body = example("clinical_safety");
    body["ods_code"] = "RZX".into();
    let r = keyless
        .client
        .post(keyless.url("/api/v1/reports"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let reference: String = r.json::<serde_json::Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .into();
    let rec = keyless
        .db
        .store
        .get_report(&viewer, &reference.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(keyless.db.store.originals(rec.id).await.unwrap().is_empty());
}

fn image_of(w: u32, h: u32) -> candour_image::synth::RgbImage {
    candour_image::synth::RgbImage::from_pixel(w, h, candour_image::synth::Rgb([240, 240, 240]))
}

/// A CSO of RZX signed in to the workspace, and a safety project of theirs (by the store, as the API would).
async fn cso_with_project(app: &App, name: &str, standard: &str) -> (Browser, candour_store::SafetyProjectRecord) {
    use candour_core::identity::{Grant, ManageHazards, Role};
    use candour_core::ods::OdsCode;
    let grant = vec![Grant {
        role: Role::ClinicalSafetyOfficer,
        org: Some(OdsCode::parse("RZX").unwrap()),
    }];
    candour::ops::add_user(&app.db.store, "cso.rzx", "Priya Shah", "correct-horse-battery", grant)
        .await
        .unwrap();
    let project: candour_core::clinical::SafetyProject = serde_json::from_value(serde_json::json!({
        "ods_code": "RZX", "name": name, "system": format!("{name} 8.2"), "standard": standard,
        "intended_use": "Inpatient records", "lifecycle_phase": "live"
    }))
    .unwrap();
    let p = app
        .db
        .store
        .create_safety_project(
            &user(Role::ClinicalSafetyOfficer, Some("RZX"))
                .can::<ManageHazards>()
                .unwrap(),
            project,
            candour_core::clinical::RiskScheme::dcb0129_example()
                .unwrap()
                .reference(),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let mut b = Browser::new(app);
    b.get("/sign-in").await;
    b.post(
        "/sign-in",
        &[
            ("username", "cso.rzx"),
            ("password", "correct-horse-battery"),
            ("next", "/workspace"),
        ],
    )
    .await;
    (b, p)
}

/// The clinical safety pages without JavaScript: a CSO triages a report into a new hazard from the report
/// page; the project page shows the safety-case flag, both heat maps (the new hazard counted in its cell),
/// the filterable hazard log and the reviews due; the hazard page shows the incident and its history; the
/// CSO keeps their own record (an incomplete one blocks approval, a bad date is named), records a review,
/// answers the checklist, approves the safety case report (which clears the flag and lists the issued
/// versions), and imports a spreadsheet (a bad one is refused whole).
#[tokio::test]
async fn a_cso_triages_reviews_and_signs_off_in_the_workspace() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/api/v1/reports"))
        .json(&example("clinical_safety"))
        .send()
        .await
        .unwrap();
    let reference = r.json::<serde_json::Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut b, p) = cso_with_project(&app, "CareFlow EPR deployment", "DCB0160").await;
    let (_, queue) = b.get("/workspace").await;
    assert!(queue.contains("/workspace/safety"), "linked from the workspace");
    let (_, list) = b.get("/workspace/safety").await;
    assert!(
        list.contains("CareFlow EPR deployment")
            && list.contains("<th scope=\"col\" class=\"nhsuk-table__header\">Reviews</th>")
    );

    let (s, page) = b.get(&format!("/workspace/reports/{reference}")).await;
    assert!(s == 200 && page.contains("Clinical safety triage") && page.contains("Not yet triaged"));
    let pid = p.id.to_string();
    let path = format!("/workspace/reports/{reference}/triage");
    let (s, page) = b
        .post(
            &path,
            &[
                ("project", &pid),
                ("kind", "new_hazard"),
                ("name", ""),
                ("description", "x"),
                ("new_likelihood", "Medium"),
                ("new_severity", "Major"),
            ],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        page.contains("nhsuk-error-summary") && page.contains("Enter a name for the hazard"),
        "{page}"
    );
    let (s, to) = b
        .post(
            &path,
            &[
                ("project", &pid),
                ("kind", "new_hazard"),
                ("name", "Allergy banner missing"),
                ("description", "Banner hidden after the upgrade"),
                ("new_likelihood", "Medium"),
                ("new_severity", "Major"),
                ("note", "Seen on the morning round"),
            ],
        )
        .await;
    assert_eq!(
        (s, to.as_str()),
        (303, format!("/workspace/reports/{reference}").as_str())
    );
    let (_, page) = b.get(&format!("/workspace/reports/{reference}")).await;
    assert!(
        page.contains("H-001") && page.contains("a new hazard"),
        "the report shows its hazard"
    );
    let stale = [
        ("project", pid.as_str()),
        ("kind", "realises"),
        ("hazard_id", "H-001"),
        ("seen", "2000-01-01T00:00:00Z"),
        ("residual_likelihood", "Low"),
        ("residual_severity", "Major"),
    ];
    let (s, refused) = b.post(&path, &stale).await;
    assert!(
        s == 422 && refused.contains("H-001 changed after this page was shown"),
        "{refused}"
    );
    let at = page
        .find("name=\"seen\" value=\"")
        .expect("the triage form says when it was shown")
        + "name=\"seen\" value=\"".len();
    let seen = page[at..at + page[at..].find('"').unwrap()].to_string();
    let fresh = [
        ("project", pid.as_str()),
        ("kind", "realises"),
        ("hazard_id", "H-001"),
        ("seen", seen.as_str()),
    ];
    let (s, body) = b.post(&path, &fresh).await;
    assert_eq!(
        s,
        303,
        "realised, looked at after the page was shown: {}",
        &body[body.find("nhsuk-error-summary").unwrap_or(0)..]
            [..1500.min(body.len() - body.find("nhsuk-error-summary").unwrap_or(0))]
    );

    let home = format!("/workspace/safety/{pid}");
    let (s, page) = b.get(&home).await;
    assert_eq!(s, 200);
    assert!(page.contains("Safety case review needed") && page.contains(&reference));
    assert_eq!(
        page.matches("class=\"candour-heatmap\"").count(),
        2,
        "initial and residual heat maps"
    );
    assert!(
        page.contains("candour-rating candour-rating--3") && !page.contains(" style="),
        "colours by class: the CSP blocks inline styles"
    );
    let (s, css) = b.get("/assets/10.6.1/candour.css").await;
    assert!(s == 200 && css.contains(".candour-rating--5{background:#d5281b"));
    assert!(
        page.contains("Medium × Major: rating 3, 1 hazard<"),
        "the hazard is counted in its cell"
    );
    assert!(page.contains("Allergy banner missing") && page.contains("Reviews due"));
    let (_, filtered) = b.get(&format!("{home}?status=closed")).await;
    assert!(!filtered.contains("/hazards/1\""), "filtered out");
    let (s, bad) = b.get(&format!("{home}?rating=9")).await;
    assert!(
        s == 200 && bad.contains("&#39;9&#39; is not a rating") || bad.contains("'9' is not a rating"),
        "{bad}"
    );

    let (s, hz) = b.get(&format!("{home}/hazards/1")).await;
    assert!(s == 200 && hz.contains("raised this hazard") && hz.contains(&reference) && hz.contains("History"));

    // Approval needs a complete CSO record, the CSO's own.
    let approval = format!("{home}/approve/cscr");
    let (_, page) = b.get(&approval).await;
    assert!(page.contains("add your CSO record"), "no record yet");
    let (s, form) = b
        .post(
            "/workspace/cso",
            &[
                ("ods_code", "RZX"),
                ("name", "Priya Shah"),
                ("appointed_on", "next week"),
            ],
        )
        .await;
    assert!(s == 422 && form.contains("Enter the date like"));
    let (s, _) = b
        .post(
            "/workspace/cso",
            &[
                ("ods_code", "RZX"),
                ("name", "Priya Shah"),
                ("registration_body", "GMC"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page) = b.get(&approval).await;
    assert!(
        page.contains("your CSO record is missing profession, registration_number"),
        "{page}"
    );
    let (s, _) = b
        .post(
            "/workspace/cso",
            &[
                ("ods_code", "RZX"),
                ("name", "Priya Shah"),
                ("profession", "Doctor"),
                ("registration_body", "GMC"),
                ("registration_number", "7654321"),
                ("training_evidence", "NHS digital clinical safety training 2025"),
                ("appointed_on", "2026-01-05"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, mine) = b.get("/workspace/cso").await;
    assert!(mine.contains("Complete"));

    let (s, _) = b
        .post(
            &format!("{home}/reviews"),
            &[("subject", "hazard:1"), ("outcome", "Banner fix verified on ward 7")],
        )
        .await;
    assert_eq!(s, 303);
    let (s, page) = b
        .post(&format!("{home}/reviews"), &[("subject", "hazard:1"), ("outcome", "")])
        .await;
    assert!(s == 422 && page.contains("Say what the review found"));

    let (s, page) = b
        .post(
            &format!("{home}/compliance"),
            &[("clause", "2.1.1"), ("answer", "Yes"), ("evidence", ""), ("note", "")],
        )
        .await;
    assert_eq!(s, 422, "{page}");
    let (s, _) = b
        .post(
            &format!("{home}/compliance"),
            &[
                ("clause", "2.1.1"),
                ("answer", "Yes"),
                ("evidence", "CRMP v1"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, list) = b.get(&format!("{home}/compliance")).await;
    assert!(list.contains("CRMP v1"));

    let (_, page) = b.get(&home).await;
    assert!(page.contains(&approval), "linked from the project");
    let (_, page) = b.get(&approval).await;
    let at = page
        .find(&format!("action=\"/workspace/safety/{pid}/approve/cscr\""))
        .expect("an approve form for the CSCR");
    let hash_at = page[at..].find("name=\"content_hash\" value=\"").unwrap() + at + 27;
    let hash = page[hash_at..hash_at + 64].to_string();
    let (s, stale) = b
        .post(&format!("{home}/approve/cscr"), &[("content_hash", &"0".repeat(64))])
        .await;
    assert!(s == 409 && stale.contains("changed since you read it"));
    let (s, _) = b
        .post(&format!("{home}/approve/cscr"), &[("content_hash", &hash)])
        .await;
    assert_eq!(s, 303);
    let (_, page) = b.get(&home).await;
    assert!(!page.contains("Safety case review needed"), "cleared by the new CSCR");
    assert!(
        page.contains("Clinical Safety Case Report v1") && page.contains("GMC 7654321") && page.contains(&hash[..12])
    );
    assert!(page.contains("Hazard Log v1"), "issued with it");

    // Import: a broken spreadsheet is refused whole; the export comes back in.
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/safety-projects/{pid}/hazard-log?format=csv")))
        .header("cookie", b.cookie_header())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let upload = |body: String| {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(body.into_bytes()).file_name("log.csv"),
            )
            .text("supplier", "")
            .text("document", "");
        b.client
            .post(app.url(&format!(
                "{home}/import?csrf={}",
                b.cookies.get("candour_csrf").cloned().unwrap_or_default()
            )))
            .header("cookie", b.cookie_header())
            .multipart(form)
            .send()
    };
    let r = upload(csv.replacen(",Major,", ",Huge,", 1)).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(r.text().await.unwrap().contains("row 2"));
    let r = upload(csv.clone()).await.unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text().await.unwrap().contains("H-001 is already in this log"),
        "importing the log back into itself would duplicate it"
    );
    let fresh = csv.replacen("\nH-001,", "\n,", 1);
    let r = upload(fresh).await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let (_, page) = b.get(&home).await;
    assert!(
        page.contains("Hazards (2)"),
        "a row without an id is added beside the first"
    );
}

/// A CSO adds and changes hazards in the workspace: the rating is looked up, a control line that cannot be
/// read and a verified control without evidence are named, identifiers typed into the description are
/// removed, a change made from a stale page is refused, and the hazard page keeps every version.
#[tokio::test]
async fn a_cso_adds_and_changes_a_hazard_in_the_workspace() {
    let app = spawn_app().await;
    let (mut b, p) = cso_with_project(&app, "PathLink LIMS", "DCB0129").await;
    let home = format!("/workspace/safety/{}", p.id);
    let (_, page) = b.get(&home).await;
    assert!(page.contains(&format!("{home}/hazards/new")));
    let (s, form) = b.get(&format!("{home}/hazards/new")).await;
    assert!(s == 200 && form.contains("Design controls, one per line"));
    let mut fields = vec![
        ("name", "Result filed against the wrong patient"),
        (
            "description",
            "A merge moves results to another record, seen for 943 476 5919",
        ),
        ("types", "WrongPatient"),
        ("initial_likelihood", "L3"),
        ("initial_severity", "S4"),
        ("controls_test", "Merge regression suite [manufacturer; verified]"),
        ("residual_likelihood", "L2"),
        ("residual_severity", "S4"),
        ("status", "open"),
    ];
    let (s, page) = b.post(&format!("{home}/hazards/new"), &fields).await;
    assert_eq!(s, 422);
    assert!(page.contains("A verified control needs evidence"), "{page}");
    fields[5] = ("controls_test", "Merge regression suite [manufacturer; finished]");
    let (s, page) = b.post(&format!("{home}/hazards/new"), &fields).await;
    assert!(s == 422 && page.contains("controls_test line 1"), "{page}");
    fields[5] = (
        "controls_test",
        "Merge regression suite [manufacturer; verified; evidence: TC-9; effective]",
    );
    let (s, to) = b.post(&format!("{home}/hazards/new"), &fields).await;
    assert_eq!((s, to.as_str()), (303, format!("{home}/hazards/1").as_str()));
    let (_, hz) = b.get(&format!("{home}/hazards/1")).await;
    assert!(hz.contains("rating 3") && !hz.contains("943 476 5919"), "{hz}");

    let (_, edit) = b.get(&format!("{home}/hazards/1/edit")).await;
    assert!(
        edit.contains("name=\"expected_revision\" value=\"1\"")
            && edit.contains("Merge regression suite [manufacturer; verified; evidence: TC-9; effective]")
    );
    let mut change: Vec<(&str, &str)> = fields.clone();
    change.push(("expected_revision", "1"));
    change[0] = ("name", "Result filed against the wrong patient after a merge");
    let (s, _) = b.post(&format!("{home}/hazards/1/edit"), &change).await;
    assert_eq!(s, 303);
    let (s, stale) = b.post(&format!("{home}/hazards/1/edit"), &change).await;
    assert!(s == 409 && stale.contains("Someone changed this hazard"), "{stale}");
    let (_, hz) = b.get(&format!("{home}/hazards/1")).await;
    assert!(hz.contains("after a merge"));
    for rev in ["2", "1"] {
        let row = format!("<tr class=\"nhsuk-table__row\"><td class=\"nhsuk-table__cell\">{rev}</td>");
        assert!(hz.contains(&row), "revision {rev} in the history");
    }
}

/// The cyber working record in the workspace, without JavaScript: indicators pasted, a timeline event, a
/// task, the clinical impact and the CSO's review, the marking; for a vulnerability the disclosure
/// countdown, the patient-risk override and a published advisory. Bad input comes back on the page.
#[tokio::test]
async fn staff_work_a_cyber_incident_and_a_vulnerability_in_the_workspace() {
    use candour_core::identity::Role;
    let app = spawn_app().await;
    let mut analyst = signed_in(&app, "cyber.analyst", Role::CyberAnalyst, Some("RZX")).await;
    let mut cso = signed_in(&app, "cyber.cso", Role::ClinicalSafetyOfficer, Some("RZX")).await;
    let reference = submit(&app, &example("cyber_incident")).await;
    let page = format!("/workspace/reports/{reference}/cyber");
    let (s, report) = analyst.get(&format!("/workspace/reports/{reference}")).await;
    assert_eq!(s, 200);
    assert!(report.contains(&page), "the report page links to the cyber record");
    let (s, body) = analyst.get(&page).await;
    assert_eq!(s, 200, "{body}");
    assert!(
        body.contains("Not ready to close") && body.contains("No indicators recorded yet"),
        "{body}"
    );
    // Closing from the report page is refused until the clinical impact is dealt with; the error links to
    // the cyber record.
    let act = format!("/workspace/reports/{reference}/actions");
    for (action, rev, field, text) in [
        ("acknowledge", "1", "role", "Cyber analyst"),
        ("triage", "2", "note", ""),
        ("resolve", "3", "summary", "Contained"),
    ] {
        let mut fields = vec![("action", action), ("expected_revision", rev), (field, text)];
        if action == "acknowledge" {
            fields.extend([("name", "Sam Kowalczyk"), ("method", "web")]);
        }
        let (s, _) = analyst.post(&act, &fields).await;
        assert_eq!(s, 303, "{action}");
    }
    let (s, closing) = analyst
        .post(
            &act,
            &[("action", "close"), ("expected_revision", "4"), ("feedback", "Secured")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(
        closing.contains("href=\"#cyber-record\"") && closing.contains("id=\"cyber-record\""),
        "the closure gate's error links to the cyber record"
    );

    let (s, body) = cyber_post(
        &mut analyst,
        &page,
        "indicators",
        &[("text", "nothing to see"), ("tlp", "TLP:AMBER")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        body.contains("There is a problem") && body.contains("No indicators were found"),
        "{body}"
    );
    let (s, _) = cyber_post(
        &mut analyst,
        &page,
        "indicators",
        &[
            (
                "text",
                "C2 at 185.220.101.4 and hxxps://login-nhs[.]example-portal[.]xyz/owa, internal 10.1.2.3",
            ),
            ("is_ioc", "yes"),
            ("tlp", "TLP:AMBER"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (_, body) = analyst.get(&format!("{page}?added=3&already=0")).await;
    assert!(
        body.contains("3 indicator(s) added; 0 already recorded"),
        "the paste's result is shown"
    );
    let (s, body) = cyber_post(
        &mut analyst,
        &page,
        "indicator",
        &[("value", "198.51.100.99"), ("is_ioc", "no"), ("tlp", "TLP:GREEN")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("No indicator with that value"), "{body}");
    let (s, _) = cyber_post(
        &mut analyst,
        &page,
        "indicator",
        &[
            ("value", "hxxps://login-nhs[.]example-portal[.]xyz/owa"),
            ("is_ioc", "no"),
            ("tlp", "TLP:GREEN"),
        ],
    )
    .await;
    assert_eq!(s, 303, "found by its defanged form too");
    let (_, body) = analyst.get(&page).await;
    assert!(
        body.contains("Artifact") && body.contains("nhsuk-tag--green\">TLP:GREEN"),
        "the indicator was changed"
    );
    let (s, body) = cyber_post(
        &mut analyst,
        &page,
        "event",
        &[("event_at", "yesterday"), ("summary", "Beacon seen")],
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("is not a UK time"), "{body}");
    let (s, _) = cyber_post(
        &mut analyst,
        &page,
        "event",
        &[
            ("event_at", "2026-11-01 08:00"),
            ("discovered_at", "2026-11-02 09:30"),
            (
                "summary",
                "Outbound connection to 185.220.101.4 seen in the firewall log",
            ),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let (s, _) = cyber_post(
        &mut analyst,
        &page,
        "task",
        &[("title", "Block the C2 address"), ("assignee", "Sam"), ("due_on", "")],
    )
    .await;
    assert_eq!(s, 303);
    let (_, body) = analyst.get(&page).await;
    for want in [
        "185.220.101.4",
        "Confirmed IOC",
        "Not correlated: ",
        "connection to 185.220.101.4",
        "Block the C2 address",
        "1 Nov 2026 08:00 GMT",
    ] {
        assert!(
            body.contains(want),
            "missing {want}: {}",
            &body[body.find("Timeline").unwrap_or(0)..]
        );
    }
    let task = body
        .split("name=\"task\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (s, body) = cyber_post(
        &mut analyst,
        &page,
        "task-update",
        &[
            ("task", &task),
            ("expected_revision", "1"),
            ("status", "done"),
            ("outcome", ""),
        ],
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("Say what came of the task"), "{body}");
    let (s, _) = cyber_post(
        &mut analyst,
        &page,
        "task-update",
        &[
            ("task", &task),
            ("expected_revision", "1"),
            ("status", "done"),
            ("outcome", "Blocked at the perimeter"),
        ],
    )
    .await;
    assert_eq!(s, 303);

    let (s, body) = cyber_post(
        &mut analyst,
        &page,
        "impact",
        &[
            ("expected_version", "0"),
            ("level", "none"),
            ("appointments_postponed", "3"),
        ],
    )
    .await;
    assert_eq!(s, 422);
    assert!(body.contains("cannot be none"), "{body}");
    let (s, _) = cyber_post(
        &mut analyst,
        &page,
        "impact",
        &[
            ("expected_version", "0"),
            ("level", "moderate"),
            ("summary", "Pathology requested on paper"),
            ("services", "Pathology\nRadiology"),
            ("downtime", "Paper requesting; 2026-11-01 09:00; 2026-11-01 15:00"),
            ("diagnostics_delayed", "40"),
            ("safety_events", "low; A repeat blood test was needed"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    // Saving the form again as shown (as the browser does) records a second version.
    let (s, again) = cyber_post(
        &mut analyst,
        &page,
        "impact",
        &[
            ("expected_version", "1"),
            ("level", "moderate"),
            ("summary", "Pathology requested on paper"),
            ("services", "Pathology\nRadiology"),
            ("downtime", "Paper requesting; 2026-11-01 09:00; 2026-11-01 15:00"),
            ("appointments_postponed", "0"),
            ("procedures_postponed", "0"),
            ("diagnostics_delayed", "40"),
            ("ambulance_diversions", "0"),
            ("safety_events", "low; A repeat blood test was needed"),
        ],
    )
    .await;
    assert_eq!(s, 303, "{again}");
    let (_, body) = analyst.get(&page).await;
    assert!(
        body.contains("CSO review needed before closure")
            && body.contains("Paper requesting from 1 Nov 2026 09:00 GMT"),
        "{body}"
    );
    assert!(!body.contains("Record the review"), "only a CSO reviews");
    assert!(
        body.contains("Pathology requested on paper</textarea>")
            && body.contains("Paper requesting; 2026-11-01 09:00; 2026-11-01 15:00</textarea>"),
        "the assessment form starts from the latest version"
    );
    assert!(
        body.contains("id=\"impact\"") && body.contains("id=\"indicators\""),
        "each form has an id for the error summary to link to"
    );
    let (_, body) = cso.get(&page).await;
    assert!(body.contains("Record the review"));
    let (s, _) = cyber_post(
        &mut cso,
        &page,
        "review",
        &[("version", "2"), ("note", "Harm reviews done; no hazard raised")],
    )
    .await;
    assert_eq!(s, 303);
    let (s, _) = cyber_post(&mut analyst, &page, "marking", &[("tlp", "TLP:RED")]).await;
    assert_eq!(s, 303);
    let (_, body) = analyst.get(&page).await;
    assert!(
        body.contains("Reviewed by") && !body.contains("Not ready to close"),
        "{body}"
    );
    assert!(body.contains("nhsuk-tag--red\">TLP:RED"));

    // A vulnerability: the countdown, the patient-risk override, a published advisory.
    let mut handler = signed_in(&app, "vuln.handler", Role::Handler, Some("RZY")).await;
    let vref = submit(&app, &example("vulnerability")).await;
    let vpage = format!("/workspace/reports/{vref}/cyber");
    let (_, body) = handler.get(&vpage).await;
    assert!(
        body.contains("days to publication") && body.contains("Acknowledge the researcher by"),
        "{body}"
    );
    assert!(
        body.contains("CVSS 3.1 base: <strong>"),
        "the vector is scored on the page"
    );
    let (s, _) = handler
        .post(
            &format!("{vpage}/disclosure"),
            &[("flags", "patient_risk"), ("agreed_publication", "")],
        )
        .await;
    assert_eq!(s, 303);
    let (_, body) = handler.get(&vpage).await;
    assert!(
        body.contains("uncontrolled risk to patients") && body.contains("Told at once of patient risk"),
        "{body}"
    );
    let days: i64 = body
        .split("id=\"countdown\">")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((28..=30).contains(&days), "{days}");
    let (s, _) = handler
        .post(
            &format!("{vpage}/publish"),
            &[("profile", "csaf_vex"), ("fixed_version", "4.0.1")],
        )
        .await;
    assert_eq!(s, 303);
    let (_, body) = handler.get(&vpage).await;
    assert!(body.contains("Published") && body.contains("csaf_vex"), "{body}");
    assert!(
        body.contains("Advisory published"),
        "the countdown stops once an advisory is published"
    );
    // Another organisation's staff cannot see it.
    let (s, _) = analyst.get(&vpage).await;
    assert_eq!(s, 404);
}

async fn cyber_post(b: &mut Browser, page: &str, action: &str, fields: &[(&str, &str)]) -> (u16, String) {
    b.post(&format!("{page}/{action}"), fields).await
}
