//! Delivery against real components: an SMTP server on loopback (Python aiosmtpd, installed by CI from
//! scripts/requirements.txt) and an HTTP receiver, on both backends.

use crate::helpers::*;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use candour_core::outbox::{Channel, Planned, MAX_ATTEMPTS};
use candour_deliver::{verify, Deliverer, SmtpConfig, LEASE};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const SECRET: &[u8] = b"test-webhook-secret";

struct Smtp {
    child: Child,
    _dir: TempDir,
    mail: std::path::PathBuf,
    port: u16,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    fn config(&self, scheme: &str) -> SmtpConfig {
        SmtpConfig::from_url(
            &format!("{scheme}://127.0.0.1:{}", self.port),
            "Candour <candour@example.nhs.uk>",
        )
        .unwrap()
    }

    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.mail.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .collect()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real SMTP server writing to a maildir; `None` (test skipped) only outside CI when aiosmtpd is absent.
async fn smtp_server() -> Option<Smtp> {
    smtp_server_with(&[]).await
}

/// As [`smtp_server`], with extra aiosmtpd options (e.g. `--tlscert`).
async fn smtp_server_with(options: &[&std::ffi::OsStr]) -> Option<Smtp> {
    let have = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must install aiosmtpd (scripts/requirements.txt)"
        );
        eprintln!("skipping: python3 -m pip install aiosmtpd to run the SMTP delivery tests");
        return None;
    }
    let dir = TempDir::new();
    let mail = dir.0.join("mail");
    let port = free_port();
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(options)
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&mail)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned by `Smtp` from here, so it is killed and reaped on every path, including a failed start.
    let smtp = Smtp {
        child,
        _dir: dir,
        mail,
        port,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Some(smtp);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not start on port {}", smtp.port);
}

#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    fail: Arc<Mutex<bool>>,
}

async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    let state = r.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let state = state.clone();
            async move {
                state
                    .seen
                    .lock()
                    .unwrap()
                    .push((headers, String::from_utf8_lossy(&body).into_owned()));
                if *state.fail.lock().unwrap() {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, r)
}

fn deliveries(hook: &str) -> Vec<Planned> {
    vec![
        Planned {
            destination: "org_cso".into(),
            name: "Clinical Safety Officer".into(),
            channel: Channel::Email,
            address: "cso@example.nhs.uk".into(),
            purpose: candour_core::outbox::Purpose::Routed,
        },
        Planned {
            destination: "supplier_safety".into(),
            name: "Supplier".into(),
            channel: Channel::Webhook,
            address: hook.into(),
            purpose: candour_core::outbox::Purpose::Routed,
        },
    ]
}

#[tokio::test]
async fn messages_written_with_the_report_are_delivered_by_smtp_and_signed_webhook() {
    let Some(smtp) = smtp_server().await else { return };
    for db in backends().await {
        let (hook, rx) = receiver().await;
        let mut req = create_req(example("device_incident"));
        req.deliveries = deliveries(&hook);
        let created = db.store.create_report(req).await.unwrap();
        let pending = db
            .store
            .outbox(Some("pending"), Some(&created.reference.to_string()))
            .await
            .unwrap();
        assert_eq!(
            pending.len(),
            2,
            "written in the same transaction as the report ({})",
            db.name()
        );

        let cfg = smtp.config("smtp");
        let d = Deliverer::new(db.store.clone(), Some(cfg), Some(SECRET.to_vec())).unwrap();
        assert_eq!(d.run_once(chrono::Utc::now()).await.unwrap(), 2);
        assert_eq!(d.run_once(chrono::Utc::now()).await.unwrap(), 0, "nothing sent twice");

        let reference = created.reference.to_string();
        // Both backends' first report has the same reference; the message id (also the Message-ID) is unique.
        let email_id = pending.iter().find(|m| m.channel == "email").unwrap().id;
        let mail = smtp.messages();
        let ours: Vec<&String> = mail
            .iter()
            .filter(|m| m.contains(&format!("<{email_id}@candour>")))
            .collect();
        assert_eq!(ours.len(), 1, "{}: {} messages in the mailbox", db.name(), mail.len());
        assert!(ours[0].contains(&reference));
        assert!(ours[0].contains("text/html") && ours[0].contains("text/plain"));
        assert!(
            !ours[0].contains("Grace Nwosu"),
            "the reporter's identity never leaves Candour"
        );

        let seen = rx.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1);
        let (headers, body) = &seen[0];
        let sig = headers["candour-signature"].to_str().unwrap();
        assert!(verify(
            SECRET,
            sig,
            body,
            chrono::Utc::now(),
            chrono::Duration::minutes(5)
        ));
        assert!(!verify(
            b"wrong",
            sig,
            body,
            chrono::Utc::now(),
            chrono::Duration::minutes(5)
        ));
        let hook_id = pending.iter().find(|m| m.channel == "webhook").unwrap().id;
        assert_eq!(headers["idempotency-key"], hook_id.to_string());
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["reference"], reference);

        let sent = db.store.outbox(Some("sent"), Some(&reference)).await.unwrap();
        assert_eq!(sent.len(), 2);
        let audit = db.store.audit_for("report", &reference).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "outbox.sent").count(), 2);
        assert!(candour::ops::audit_verify(&db.store).await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn failures_back_off_then_dead_letter_where_admins_see_them() {
    let db = sqlite().await;
    let (hook, rx) = receiver().await;
    *rx.fail.lock().unwrap() = true;
    let mut req = create_req(example("clinical_safety"));
    req.deliveries = deliveries(&hook)
        .into_iter()
        .filter(|p| p.channel == Channel::Webhook)
        .collect();
    let created = db.store.create_report(req).await.unwrap();
    let d = Deliverer::new(db.store.clone(), None, Some(SECRET.to_vec())).unwrap();
    let t0 = chrono::Utc::now();
    assert_eq!(d.run_once(t0).await.unwrap(), 1);
    let m = &db.store.outbox(Some("pending"), None).await.unwrap()[0];
    assert_eq!(m.attempts, 1);
    assert!(m.last_error.as_deref().unwrap().contains("500"));
    assert!(m.next_attempt_at > t0 + chrono::Duration::seconds(29), "backs off");
    assert_eq!(d.run_once(t0).await.unwrap(), 0, "not retried before its time");
    let mut t = t0;
    for _ in 1..MAX_ATTEMPTS {
        t += chrono::Duration::hours(2);
        assert_eq!(d.run_once(t).await.unwrap(), 1);
    }
    let dead = db.store.outbox(Some("dead"), None).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, MAX_ATTEMPTS);
    assert_eq!(rx.seen.lock().unwrap().len() as i64, MAX_ATTEMPTS);
    let audit = db
        .store
        .audit_for("report", &created.reference.to_string())
        .await
        .unwrap();
    assert_eq!(audit.last().unwrap().action, "outbox.dead");

    // Nothing reached the supplier: it is escalated at once (to the CSO, by email), not reminded.
    assert_eq!(d.chase_once(t).await.unwrap(), 1);
    assert_eq!(d.chase_once(t + chrono::Duration::days(3)).await.unwrap(), 0);
    let steps = db.store.chase_steps(created.id).await.unwrap();
    assert_eq!(
        (steps.len(), steps[0].step.as_str(), steps[0].told.as_str()),
        (1, "escalation", "org_cso")
    );
    assert!(steps[0].note.contains("could not be delivered"), "{}", steps[0].note);
    let queued = db.store.outbox(Some("pending"), None).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        (queued[0].purpose.as_str(), queued[0].address.as_str()),
        ("escalation", "clinical.safety@example.nhs.uk")
    );

    let app = spawn_app_on(db).await;
    let admin = app
        .login_as("admin", vec![candour::ops::parse_grant("admin").unwrap()])
        .await;
    let v: serde_json::Value = app
        .client
        .get(app.url("/api/v1/outbox?status=dead"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    let page = |q: &str| {
        let (client, url, admin) = (
            app.client.clone(),
            app.url(&format!("/api/v1/outbox?{q}")),
            admin.clone(),
        );
        async move { client.get(url).bearer_auth(admin).send().await.unwrap() }
    };
    let all: serde_json::Value = page("limit=1").await.json().await.unwrap();
    assert_eq!(all.as_array().unwrap().len(), 1, "a page of one");
    let next: serde_json::Value = page(&format!("limit=1&after={}", all[0]["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next.as_array().unwrap().len(), 1, "the escalation, on the next page");
    assert_ne!(next[0]["id"], all[0]["id"]);
    assert_eq!(page("limit=0").await.status(), 422);
    let handler = app
        .login_as("h.rzx", vec![candour::ops::parse_grant("handler@RZX").unwrap()])
        .await;
    assert_eq!(
        app.client
            .get(app.url("/api/v1/outbox"))
            .bearer_auth(&handler)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let per_report: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/reports/{}/deliveries", created.reference)))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(per_report[0]["status"], "dead");
}

#[tokio::test]
async fn a_sender_that_dies_mid_send_leaves_the_message_due_again_with_the_same_id() {
    for db in backends().await {
        let (hook, rx) = receiver().await;
        let mut req = create_req(example("clinical_safety"));
        req.deliveries = deliveries(&hook)
            .into_iter()
            .filter(|p| p.channel == Channel::Webhook)
            .collect();
        db.store.create_report(req).await.unwrap();
        let t0 = chrono::Utc::now();
        // A sender claims the message, then "crashes" before recording anything.
        let claimed = db.store.claim_outbox(t0, 10, LEASE, &["webhook"]).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert!(
            db.store
                .claim_outbox(t0, 10, LEASE, &["webhook"])
                .await
                .unwrap()
                .is_empty(),
            "leased, not claimable twice"
        );
        let d = Deliverer::new(db.store.clone(), None, Some(SECRET.to_vec())).unwrap();
        assert_eq!(
            d.run_once(t0 + chrono::Duration::seconds(30)).await.unwrap(),
            0,
            "lease still held"
        );
        assert_eq!(
            d.run_once(t0 + LEASE + chrono::Duration::seconds(1)).await.unwrap(),
            1,
            "lease expired: due again"
        );
        let key = rx.seen.lock().unwrap()[0].0["idempotency-key"].clone();
        assert_eq!(key, claimed[0].id.to_string(), "{}", db.name());
        assert_eq!(db.store.outbox(Some("sent"), None).await.unwrap()[0].attempts, 2);
    }
}

#[tokio::test]
async fn a_person_at_a_destination_acknowledges_once_through_the_signed_link() {
    for db in backends().await {
        let app = spawn_app_on(db).await;
        let admin = app
            .login_as("admin", vec![candour::ops::parse_grant("admin").unwrap()])
            .await;
        let (hook, rx) = receiver().await;
        let mut req = create_req(example("clinical_safety"));
        req.deliveries = deliveries(&hook)
            .into_iter()
            .filter(|p| p.channel == Channel::Webhook)
            .collect();
        let created = app.db.store.create_report(req).await.unwrap();
        let d = Deliverer::with_public_url(
            app.db.store.clone(),
            None,
            Some(SECRET.to_vec()),
            Some(app.base.clone()),
        )
        .unwrap();
        assert_eq!(d.run_once(chrono::Utc::now()).await.unwrap(), 1);
        let body = rx.seen.lock().unwrap()[0].1.clone();
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        let link = json["ack_url"].as_str().unwrap().to_string();
        assert!(link.starts_with(&format!("{}/ack/", app.base)), "{link}");

        let page = app.client.get(&link).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains(&created.reference.to_string()) && html.contains("<form method=\"post\">"));
        let empty = app
            .client
            .post(&link)
            .form(&[("name", " "), ("role", "CSO")])
            .send()
            .await
            .unwrap();
        assert_eq!(empty.status(), 422);
        let ok = app
            .client
            .post(&link)
            .form(&[("name", "Dr Ada <b>Obi</b>"), ("role", "Supplier CSO")])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        assert!(ok.text().await.unwrap().contains("Thank you"));
        let again = app
            .client
            .post(&link)
            .form(&[("name", "Someone Else"), ("role", "Other")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            again.contains("Already acknowledged") && again.contains("Dr Ada &lt;b&gt;Obi&lt;/b&gt;"),
            "single use, escaped: {again}"
        );
        let mut forged = link.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert_eq!(app.client.get(&forged).send().await.unwrap().status(), 404);

        let v: serde_json::Value = app
            .client
            .get(app.url(&format!("/api/v1/reports/{}", created.reference)))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["responses"].as_array().unwrap().len(), 1, "{}", app.db.name());
        assert_eq!(v["responses"][0]["method"], "link");
        assert_eq!(
            v["no_human_acknowledged"], false,
            "a person at a destination has acknowledged"
        );
        let audit = app
            .db
            .store
            .audit_for("report", &created.reference.to_string())
            .await
            .unwrap();
        assert_eq!(
            audit.iter().filter(|e| e.action == "destination.acknowledged").count(),
            1
        );
        assert!(candour::ops::audit_verify(&app.db.store).await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn staff_record_phone_acknowledgements_and_justify_not_notifying() {
    let app = spawn_app().await;
    let handler = app
        .login_as("h.rzx", vec![candour::ops::parse_grant("handler@RZX").unwrap()])
        .await;
    let reference = &submit(&app, &example("cyber_incident")).await;
    let post = |dest: &str, body: serde_json::Value| {
        let app = &app;
        let handler = handler.clone();
        let url = app.url(&format!("/api/v1/reports/{reference}/destinations/{dest}/responses"));
        async move {
            app.client
                .post(url)
                .bearer_auth(handler)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let v: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/reports/{reference}")))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["no_human_acknowledged"], true);
    let r = post("nhs_csoc", serde_json::json!({"kind": "acknowledged", "name": "J. Reed", "role": "CSOC", "method": "phone", "at": "2099-01-01T00:00:00Z"})).await;
    assert_eq!(r.status(), 422, "not in the future");
    let called = (chrono::Utc::now() - chrono::Duration::minutes(20)).to_rfc3339();
    let r = post("nhs_csoc", serde_json::json!({"kind": "acknowledged", "name": "CSOC analyst J. Reed", "role": "CSOC incident response", "method": "phone", "at": called})).await;
    assert_eq!(r.status(), 201);
    let recorded: serde_json::Value = r.json().await.unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(recorded["at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&called).unwrap(),
        "when they answered, as staff recorded it"
    );
    let r = post(
        "ico_dspt",
        serde_json::json!({"kind": "not_notified", "role": "Data Protection Officer"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["path"], "note");
    let r = post("ico_dspt", serde_json::json!({"kind": "not_notified", "role": "Data Protection Officer", "note": "No personal data involved: imaging workstations hold no patient records locally (checked with the PACS supplier)."})).await;
    assert_eq!(r.status(), 201);
    let r = post(
        "mhra_yellow_card",
        serde_json::json!({"kind": "acknowledged", "name": "X", "role": "Y", "method": "phone"}),
    )
    .await;
    assert_eq!(r.status(), 422, "not routed there");
    let r = post(
        "nhs_csoc",
        serde_json::json!({"kind": "acknowledged", "name": "X", "role": "Y", "method": "pigeon"}),
    )
    .await;
    assert_eq!(r.status(), 422);
    let v: serde_json::Value = app
        .client
        .get(app.url(&format!("/api/v1/reports/{reference}")))
        .bearer_auth(&handler)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = v["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acknowledged", "not_notified"]);
    assert_eq!(v["no_human_acknowledged"], false);
    assert!(v["responses"][0]["recorded_by"].as_str().unwrap().contains("h.rzx"));
}

#[tokio::test]
async fn an_unanswered_destination_is_reminded_then_escalated_once_each() {
    let Some(smtp) = smtp_server().await else { return };
    use candour_core::routing::{decide, OrgFacts, Tables};
    let t = taxonomy();
    let tables = Tables::embedded(&t).unwrap();
    for db in backends().await {
        let mut req = create_req(example("clinical_safety"));
        let decision = decide(&tables, &t, &req.report, OrgFacts::default(), req.now);
        req.deliveries = candour_core::outbox::plan(&decision, &tables.directory);
        req.routing = Some(decision);
        assert!(req.deliveries.iter().any(|p| p.destination == "supplier_safety"));
        let created = db.store.create_report(req).await.unwrap();
        let reference = created.reference.to_string();
        let cfg = smtp.config("smtp");
        let d = Deliverer::new(db.store.clone(), Some(cfg), None).unwrap();
        let now = chrono::Utc::now();
        let routed = d.run_once(now).await.unwrap();
        assert!(routed >= 2, "{}", db.name());
        assert_eq!(
            d.chase_once(now + chrono::Duration::hours(2)).await.unwrap(),
            0,
            "too soon"
        );

        // Ten days on nobody has answered: the CSO and the supplier are both reminded, once.
        let later = now + chrono::Duration::days(10);
        assert_eq!(d.chase_once(later).await.unwrap(), 2, "{}", db.name());
        assert_eq!(d.chase_once(later).await.unwrap(), 0, "never twice");
        assert_eq!(d.run_once(later).await.unwrap(), 2);
        // Mail bodies may be quoted-printable: join soft line breaks before searching.
        let mail = || {
            smtp.messages()
                .into_iter()
                .map(|m| m.replace("=\r\n", "").replace("=\n", "").replace("=40", "@"))
                .collect::<Vec<_>>()
        };
        let ours = |needle: &str| {
            mail()
                .into_iter()
                .filter(|m| m.contains(&reference) && m.contains(needle))
                .count()
        };
        let before = ours("ESCALATION");

        // The CSO answers by phone; the supplier still does not, so a day later it is escalated to the CSO.
        let staff = user(candour_core::identity::Role::Handler, Some("RZX")).can().unwrap();
        db.store
            .record_response(
                Some(&staff),
                candour_store::NewResponse {
                    by: candour_store::Responder::Staff {
                        reference: created.reference.clone(),
                        destination: "org_cso".into(),
                    },
                    kind: "acknowledged".into(),
                    name: "Dr A. Shah".into(),
                    role: "Clinical Safety Officer".into(),
                    method: "phone".into(),
                    note: None,
                    now: later,
                },
            )
            .await
            .unwrap();
        let last = later + chrono::Duration::hours(25);
        assert_eq!(d.chase_once(last).await.unwrap(), 1, "{}", db.name());
        assert_eq!(
            d.chase_once(last + chrono::Duration::days(5)).await.unwrap(),
            0,
            "then people take over"
        );
        assert_eq!(d.run_once(last).await.unwrap(), 1);
        assert_eq!(ours("ESCALATION") - before, 1);
        let esc = mail()
            .into_iter()
            .find(|m| m.contains(&reference) && m.contains("ESCALATION"))
            .unwrap();
        assert!(
            esc.contains("To: clinical.safety@example.nhs.uk"),
            "escalated to the CSO:\n{esc}"
        );
        assert!(esc.contains("Subject: Escalation: "));
        assert!(esc.contains("clinical.safety@supplier.example"), "names whom to chase");

        let steps = db.store.chase_steps(created.id).await.unwrap();
        let got: Vec<(&str, &str)> = steps
            .iter()
            .map(|s| (s.destination.as_str(), s.step.as_str()))
            .collect();
        assert!(got.contains(&("org_cso", "reminder")) && got.contains(&("supplier_safety", "reminder")));
        assert!(got.contains(&("supplier_safety", "escalation")));
        assert_eq!(got.len(), 3);
        let audit = db.store.audit_for("report", &reference).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "destination.reminder").count(), 2);
        assert_eq!(audit.iter().filter(|e| e.action == "destination.escalation").count(), 1);
        assert!(candour::ops::audit_verify(&db.store).await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn email_to_a_server_that_requires_starttls_goes_encrypted_to_a_trusted_certificate_or_not_at_all() {
    // A test CA and a server certificate it signed (webpki refuses a self-signed end entity).
    let certs = TempDir::new();
    let f = |n: &str| certs.0.join(n);
    std::fs::write(
        f("ext.cnf"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let openssl = |args: &[&std::ffi::OsStr]| {
        Command::new("openssl")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let os = |p: &std::path::Path| p.as_os_str().to_owned();
    let (ca, ca_key, csr, cert, key, ext) = (
        f("ca.pem"),
        f("ca.key"),
        f("leaf.csr"),
        f("cert.pem"),
        f("key.pem"),
        f("ext.cnf"),
    );
    let made = openssl(&[
        "req".as_ref(),
        "-x509".as_ref(),
        "-newkey".as_ref(),
        "rsa:2048".as_ref(),
        "-nodes".as_ref(),
        "-days".as_ref(),
        "2".as_ref(),
        "-subj".as_ref(),
        "/CN=Candour test CA".as_ref(),
        "-keyout".as_ref(),
        &os(&ca_key),
        "-out".as_ref(),
        &os(&ca),
    ]) && openssl(&[
        "req".as_ref(),
        "-newkey".as_ref(),
        "rsa:2048".as_ref(),
        "-nodes".as_ref(),
        "-subj".as_ref(),
        "/CN=localhost".as_ref(),
        "-keyout".as_ref(),
        &os(&key),
        "-out".as_ref(),
        &os(&csr),
    ]) && openssl(&[
        "x509".as_ref(),
        "-req".as_ref(),
        "-in".as_ref(),
        &os(&csr),
        "-CA".as_ref(),
        &os(&ca),
        "-CAkey".as_ref(),
        &os(&ca_key),
        "-CAcreateserial".as_ref(),
        "-days".as_ref(),
        "2".as_ref(),
        "-extfile".as_ref(),
        &os(&ext),
        "-out".as_ref(),
        &os(&cert),
    ]);
    if !made {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must install openssl");
        eprintln!("skipping: openssl is needed to make a test certificate");
        return;
    }
    let Some(smtp) = smtp_server_with(&[
        "--tlscert".as_ref(),
        cert.as_os_str(),
        "--tlskey".as_ref(),
        key.as_os_str(),
    ])
    .await
    else {
        return;
    };
    let db = sqlite().await;
    let mut req = create_req(example("device_incident"));
    req.deliveries = deliveries("http://127.0.0.1:9/unused")
        .into_iter()
        .filter(|p| p.channel == Channel::Email)
        .collect();
    let created = db.store.create_report(req).await.unwrap();
    let reference = created.reference.to_string();
    let state = || async {
        let m = db.store.outbox(None, Some(&reference)).await.unwrap().remove(0);
        (m.status, m.last_error.unwrap_or_default())
    };
    let t0 = chrono::Utc::now();

    // Plain SMTP: the server refuses to take the message before STARTTLS; it stays pending.
    let plain = Deliverer::new(db.store.clone(), Some(smtp.config("smtp")), None).unwrap();
    assert_eq!(plain.run_once(t0).await.unwrap(), 1);
    let (status, error) = state().await;
    assert_eq!(status, "pending");
    assert!(error.contains("STARTTLS"), "{error}");

    // STARTTLS to a certificate nobody vouched for: refused too.
    let untrusted = Deliverer::new(db.store.clone(), Some(smtp.config("smtp+starttls")), None).unwrap();
    assert_eq!(untrusted.run_once(t0 + chrono::Duration::hours(1)).await.unwrap(), 1);
    let (status, error) = state().await;
    assert_eq!(status, "pending", "{error}");

    // Trusting the server's CA: delivered, encrypted.
    let mut cfg = smtp.config("smtp+starttls");
    cfg.ca_pem = Some(std::fs::read(&ca).unwrap());
    let trusted = Deliverer::new(db.store.clone(), Some(cfg), None).unwrap();
    assert_eq!(trusted.run_once(t0 + chrono::Duration::hours(3)).await.unwrap(), 1);
    let (status, error) = state().await;
    assert_eq!(status, "sent", "{error}");
    assert_eq!(smtp.messages().iter().filter(|m| m.contains(&reference)).count(), 1);
}

/// Clinical safety reviews are chased by email: once a day per project, to each CSO of the project's
/// organisation who gave an address, listing what is overdue; nothing for a project with nothing due, and
/// nothing to another organisation's CSO.
#[tokio::test]
async fn overdue_clinical_safety_reviews_are_emailed_to_the_organisations_cso_once_a_day() {
    use candour_core::clinical::{CsoRecord, HazardInput, HazardTypes, RiskScheme, SafetyProject};
    use candour_core::identity::{ManageHazards, Role};
    let Some(smtp) = smtp_server().await else { return };
    for db in backends().await {
        let s = &db.store;
        let now = chrono::Utc::now();
        let scheme = RiskScheme::dcb0129_example().unwrap();
        for (ods, email) in [("RZX", "cso.rzx@example.nhs.uk"), ("RZY", "cso.rzy@example.nhs.uk")] {
            let cso = user(Role::ClinicalSafetyOfficer, Some(ods));
            let manage = cso.can::<ManageHazards>().unwrap();
            let rec: CsoRecord = serde_json::from_value(serde_json::json!({
                "ods_code": ods, "name": "Dr A CSO", "username": format!("cso.{ods}"), "email": email
            }))
            .unwrap();
            s.put_cso(&manage, rec, now).await.unwrap();
            let project: SafetyProject = serde_json::from_value(serde_json::json!({
                "ods_code": ods, "name": format!("EPR at {ods}"), "system": "EPR 1", "standard": "DCB0160",
                "intended_use": "Records", "lifecycle_phase": "live"
            }))
            .unwrap();
            let p = s
                .create_safety_project(&manage, project, scheme.reference(), now)
                .await
                .unwrap();
            if ods == "RZX" {
                let input: HazardInput = serde_json::from_value(serde_json::json!({
                    "name": "Results filed to the wrong patient", "description": "Merge fault",
                    "initial": { "likelihood": "Medium", "severity": "Major" }, "status": "open",
                    "review_due": (now.date_naive() - chrono::Duration::days(3)).to_string()
                }))
                .unwrap();
                let h = input
                    .validate(&scheme, &HazardTypes::default_types().unwrap(), &[])
                    .unwrap();
                s.import_hazards(&manage, p.id, vec![h], "test".into(), now)
                    .await
                    .unwrap();
            }
        }
        let before = smtp.messages().len();
        let d = Deliverer::new(s.clone(), Some(smtp.config("smtp")), None).unwrap();
        assert_eq!(d.remind_reviews_once(now).await.unwrap(), 1, "{}", db.name());
        assert_eq!(
            d.remind_reviews_once(now).await.unwrap(),
            0,
            "once a day ({})",
            db.name()
        );
        let mail = smtp.messages();
        assert_eq!(mail.len(), before + 1);
        let newest = mail
            .iter()
            .find(|m| m.contains("EPR at RZX") && m.contains("OVERDUE"))
            .unwrap_or_else(|| panic!("{mail:?}"));
        assert!(newest.contains("cso.rzx@example.nhs.uk") && newest.contains("Hazard H-001"));
        assert!(!mail.iter().any(|m| m.contains("EPR at RZY")), "nothing due there");
    }
}
