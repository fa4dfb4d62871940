//! The delivery worker: takes due messages from the outbox, sends each by SMTP or as an HMAC-signed
//! webhook, and records the outcome (sent; retry later with exponential backoff; or dead letter after
//! [`candour_core::outbox::MAX_ATTEMPTS`]). Messages are leased while being sent, so a crash mid-send
//! leaves them due again: delivery is at least once, and receivers de-duplicate on the message id, which
//! every message carries (`Idempotency-Key` header on webhooks, `Message-ID` on email).

use candour_core::outbox::retry_at;
use candour_store::{DeliveryOutcome, DynStore, OutboxMessage, StoreError};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::Sha256;
use std::time::Duration;

/// Most messages in flight at once.
pub const SEND_CONCURRENCY: usize = 16;

/// How long a claimed message is reserved for one sender before it becomes due again.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// None: only for a relay on the same host or network (`smtp://`).
    Plain,
    /// STARTTLS, required: the message is never sent in clear (`smtp+starttls://`, port 587).
    StartTls,
    /// TLS from the first byte (`smtps://`, port 465).
    Tls,
}

/// Where and as whom to send email.
#[derive(Clone)]
pub struct SmtpConfig {
    /// Mail server host.
    pub host: String,
    /// Port.
    pub port: u16,
    /// From address, e.g. `Candour <candour@example.nhs.uk>`.
    pub from: String,
    /// Connection security.
    pub security: SmtpSecurity,
    /// User name and password, from the URL.
    pub credentials: Option<(String, String)>,
    /// Extra trusted root certificate (PEM), for a server with a private CA.
    pub ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .finish_non_exhaustive()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl SmtpConfig {
    /// Parse `smtp://host:port` (plain, to a local relay), `smtp+starttls://user:password@host:587` or
    /// `smtps://user:password@host:465`. A password is refused over plain SMTP.
    pub fn from_url(url: &str, from: &str) -> Result<Self, DeliveryError> {
        let bad =
            |why: &str| DeliveryError::Config(format!("SMTP URL: {why} (use smtp://, smtp+starttls:// or smtps://)"));
        let (security, rest, default_port) = if let Some(r) = url.strip_prefix("smtp://") {
            (SmtpSecurity::Plain, r, "25")
        } else if let Some(r) = url.strip_prefix("smtp+starttls://") {
            (SmtpSecurity::StartTls, r, "587")
        } else if let Some(r) = url.strip_prefix("smtps://") {
            (SmtpSecurity::Tls, r, "465")
        } else {
            return Err(bad("unknown scheme"));
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let credentials = userinfo.map(|u| {
            let (user, pass) = u.split_once(':').unwrap_or((u, ""));
            (percent_decode(user), percent_decode(pass))
        });
        if credentials.is_some() && security == SmtpSecurity::Plain {
            return Err(bad("a password must not be sent over plain SMTP"));
        }
        let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, default_port));
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = port.parse().map_err(|_| bad("bad port"))?;
        Ok(Self {
            host: host.to_string(),
            port,
            from: from.to_string(),
            security,
            credentials,
            ca_pem: None,
        })
    }

    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let tls = || -> Result<TlsParameters, DeliveryError> {
            let mut b = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.ca_pem {
                let cert = Certificate::from_pem(pem)
                    .map_err(|e| DeliveryError::Config(format!("SMTP CA certificate: {e}")))?;
                b = b.add_root_certificate(cert);
            }
            b.build_rustls()
                .map_err(|e| DeliveryError::Config(format!("SMTP TLS: {e}")))
        };
        let mut t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.host)
            .port(self.port)
            .timeout(Some(Duration::from_secs(15)));
        t = match self.security {
            SmtpSecurity::Plain => t.tls(Tls::None),
            SmtpSecurity::StartTls => t.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => t.tls(Tls::Wrapper(tls()?)),
        };
        if let Some((u, p)) = &self.credentials {
            t = t.credentials(lettre::transport::smtp::authentication::Credentials::new(
                u.clone(),
                p.clone(),
            ));
        }
        Ok(t.build())
    }
}

/// Why delivery could not be set up or a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Bad configuration.
    #[error("delivery configuration: {0}")]
    Config(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The signature header value for a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
pub fn sign(secret: &[u8], timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm cannot be taken.
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Check a signature header (for receivers, and tests): right key, right body, not older than `tolerance`.
pub fn verify(secret: &[u8], header: &str, body: &str, now: DateTime<Utc>, tolerance: chrono::Duration) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    if (now.timestamp() - t).abs() > tolerance.num_seconds() {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&v1).is_ok()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Sends outbox messages.
pub struct Deliverer {
    store: DynStore,
    taxonomy: candour_core::Taxonomy,
    tables: candour_core::routing::InForce,
    reader: candour_core::identity::Can<candour_core::identity::ViewReports>,
    public_url: Option<String>,
    smtp: Option<(SmtpConfig, AsyncSmtpTransport<Tokio1Executor>)>,
    webhook_secret: Option<Vec<u8>>,
    http: reqwest::Client,
}

impl Deliverer {
    /// A deliverer. Without SMTP configured, email stays pending (visible to administrators) rather than
    /// failing; likewise webhooks without a signing secret.
    pub fn new(
        store: DynStore,
        smtp: Option<SmtpConfig>,
        webhook_secret: Option<Vec<u8>>,
    ) -> Result<Self, DeliveryError> {
        Self::with_public_url(store, smtp, webhook_secret, None)
    }

    /// As [`Deliverer::new`], with the address people use to reach Candour, for acknowledgement links
    /// (without it, messages tell people to acknowledge in Candour instead).
    pub fn with_public_url(
        store: DynStore,
        smtp: Option<SmtpConfig>,
        webhook_secret: Option<Vec<u8>>,
        public_url: Option<String>,
    ) -> Result<Self, DeliveryError> {
        let smtp = smtp.map(|c| c.transport().map(|t| (c, t))).transpose()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| DeliveryError::Config(e.to_string()))?;
        let public_url = public_url.map(|u| u.trim_end_matches('/').to_string());
        let taxonomy = candour_core::Taxonomy::embedded().map_err(|e| DeliveryError::Config(e.to_string()))?;
        let tables = candour_core::routing::InForce::new(
            0,
            candour_core::routing::Tables::embedded(&taxonomy).map_err(|e| DeliveryError::Config(e.to_string()))?,
        );
        // The worker reads every report it sends: it acts as a national reader, never as a person.
        let system = candour_core::identity::Principal::Known {
            id: "system:delivery".into(),
            name: "Candour delivery worker".into(),
            grants: vec![candour_core::identity::Grant {
                role: candour_core::identity::Role::Auditor,
                org: None,
            }],
        };
        let reader = system
            .can()
            .ok_or_else(|| DeliveryError::Config("the delivery worker cannot read reports".into()))?;
        Ok(Self {
            store,
            taxonomy,
            tables,
            reader,
            public_url,
            smtp,
            webhook_secret,
            http,
        })
    }

    /// Share the routing tables in force with the web layer, so an administrator's saved version reaches
    /// the worker too.
    pub fn with_routing(mut self, routing: candour_core::routing::InForce) -> Self {
        self.tables = routing;
        self
    }

    fn channels(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.smtp.is_some() {
            v.push("email");
        }
        if self.webhook_secret.is_some() {
            v.push("webhook");
        }
        v
    }

    async fn send_email(&self, m: &OutboxMessage) -> Result<(), String> {
        let Some((cfg, transport)) = &self.smtp else {
            return Err("no mail server configured".into());
        };
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| format!("from address {}: {e}", cfg.from))?;
        let to: Mailbox = m.address.parse().map_err(|e| format!("address {}: {e}", m.address))?;
        let html = format!("<!doctype html><html><body><pre style=\"font-family:sans-serif;white-space:pre-wrap\">{}</pre></body></html>", html_escape(&m.body));
        let email = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(&m.subject)
            .message_id(Some(format!("<{}@candour>", m.id)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(m.body.clone()),
                    )
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html)),
            )
            .map_err(|e| e.to_string())?;
        transport.send(email).await.map(|_| ()).map_err(|e| e.to_string())
    }

    async fn send_webhook(&self, m: &OutboxMessage, now: DateTime<Utc>) -> Result<(), String> {
        let Some(secret) = &self.webhook_secret else {
            return Err("no webhook signing secret configured".into());
        };
        let res = self
            .http
            .post(&m.address)
            .header("content-type", "application/json")
            .header("idempotency-key", m.id.to_string())
            .header("candour-signature", sign(secret, now.timestamp(), &m.body))
            .body(m.body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("receiver answered {}", res.status()))
        }
    }

    /// Claim due messages, send them, record the outcomes. Returns how many were attempted.
    pub async fn run_once(&self, now: DateTime<Utc>) -> Result<usize, DeliveryError> {
        let channels = self.channels();
        if channels.is_empty() {
            return Ok(0);
        }
        // Everything that can fail for the whole batch happens before claiming, so a failure never leaves
        // a batch leased and idle.
        let key = self.store.app_secret("ack_links").await?;
        let batch = self.store.claim_outbox(now, 256, LEASE, &channels).await?;
        let n = batch.len();
        let mut ready = Vec::with_capacity(n);
        for m in batch {
            // A report that cannot be read leaves the body empty, which fails that message alone.
            let m = match self.rendered(m.clone()).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(message = %m.id, error = %e, "cannot render message");
                    m
                }
            };
            ready.push(self.with_ack_link(m, &key, now));
        }
        // Send concurrently, but at most SEND_CONCURRENCY at once (mail relays limit connections per
        // client); the outcomes reach the store together and share commits.
        use futures_util::StreamExt;
        // (The futures are collected first: a lazy `map` inside the stream trips the compiler's
        // higher-ranked `Send` check when the worker is spawned.)
        let sends: Vec<_> = ready.iter().map(|m| self.deliver(m, now)).collect();
        let results: Vec<Result<(), DeliveryError>> = futures_util::stream::iter(sends)
            .buffer_unordered(SEND_CONCURRENCY)
            .collect()
            .await;
        for r in results {
            r?;
        }
        Ok(n)
    }

    /// Render the body from the report as it stands now (an empty body means the report is gone, which
    /// fails the delivery visibly rather than sending nothing).
    async fn rendered(&self, mut m: OutboxMessage) -> Result<OutboxMessage, DeliveryError> {
        let Ok(reference) = m.reference.parse() else {
            return Ok(m);
        };
        let Some(rec) = self.store.get_report(&self.reader, &reference).await? else {
            return Ok(m);
        };
        let channel = if m.channel == "webhook" {
            candour_core::outbox::Channel::Webhook
        } else {
            candour_core::outbox::Channel::Email
        };
        let purpose = candour_core::outbox::Purpose::parse(&m.purpose).unwrap_or_default();
        // An escalation is about one destination and addressed to the one it escalates to.
        let tables = self.tables.tables();
        let directory = &tables.directory;
        let about = directory.get(&m.destination);
        let to = match purpose {
            candour_core::outbox::Purpose::Escalation => about
                .and_then(|d| d.escalate_to.as_ref())
                .and_then(|e| directory.get(e.get_ref())),
            _ => about,
        };
        let planned = candour_core::outbox::Planned {
            destination: m.destination.clone(),
            name: to.map_or_else(|| m.destination.clone(), |d| d.name.clone()),
            channel,
            address: m.address.clone(),
            purpose,
        };
        // A reminder's or escalation's stored body is its opening lines; a routed message's is empty.
        let msg = candour_core::outbox::render_with(&rec, &planned, &self.taxonomy, &m.body);
        m.subject = msg.subject;
        m.body = msg.body;
        Ok(m)
    }

    /// Put a fresh acknowledgement link (or, with no public address, plain directions) into the message.
    fn with_ack_link(&self, mut m: OutboxMessage, key: &[u8], now: DateTime<Utc>) -> OutboxMessage {
        use candour_core::acklink::{token, PLACEHOLDER};
        let link = match &self.public_url {
            Some(base) => format!("{base}/ack/{}", token(key, m.id, now)),
            None => format!("open {} in Candour to acknowledge it", m.reference),
        };
        m.body = m.body.replace(PLACEHOLDER, &link);
        m
    }

    async fn deliver(&self, m: &OutboxMessage, now: DateTime<Utc>) -> Result<(), DeliveryError> {
        {
            let result = if m.body.is_empty() {
                Err(format!(
                    "report {} could not be read to render the message",
                    m.reference
                ))
            } else {
                Ok(())
            };
            let result = match (result, m.channel.as_str()) {
                (Err(e), _) => Err(e),
                (Ok(()), "email") => self.send_email(m).await,
                (Ok(()), "webhook") => self.send_webhook(m, now).await,
                (Ok(()), other) => Err(format!("unknown channel {other}")),
            };
            let outcome = match result {
                Ok(()) => DeliveryOutcome::Sent,
                Err(error) => {
                    tracing::warn!(message = %m.id, reference = %m.reference, destination = %m.destination, %error, "delivery failed");
                    DeliveryOutcome::Failed {
                        error,
                        retry_at: retry_at(m.attempts, now),
                    }
                }
            };
            self.store.finish_delivery(m.id, outcome, Utc::now()).await?;
        }
        Ok(())
    }

    /// Chase destinations that have not acknowledged: record each reminder or escalation now due and
    /// queue its messages (sent by the next [`Deliverer::run_once`]). Returns how many steps were taken.
    pub async fn chase_once(&self, now: DateTime<Utc>) -> Result<usize, DeliveryError> {
        use candour_core::chase::{plan, Standing};
        let tables = self.tables.tables();
        let chasing = tables.policy.chasing;
        let org_scoped: Vec<String> = tables
            .directory
            .destinations
            .iter()
            .map(|d| d.id.get_ref().clone())
            .filter(|id| tables.directory.organisation_scoped(id))
            .collect();
        let soonest = now - chrono::Duration::minutes(i64::from(chasing.urgent_minutes));
        let candidates = self.store.chase_candidates(soonest, &org_scoped, 500).await?;
        let mut taken = 0;
        for cand in candidates {
            let Ok(reference) = cand.reference.parse() else {
                continue;
            };
            let Some(rec) = self.store.get_report(&self.reader, &reference).await? else {
                continue;
            };
            let standing = Standing {
                sent_at: cand.sent_at,
                delivered: cand.delivered,
                due_at: rec
                    .routing
                    .as_ref()
                    .and_then(|d| d.to(&cand.destination))
                    .and_then(|r| r.due.as_ref())
                    .map(|d| d.due_at),
                urgent: rec.report.body().patients_harmed_now == "yes",
                reminded_at: cand.reminded_at,
                escalated_at: None,
            };
            let Some(step) = standing.next(&chasing, now) else {
                continue;
            };
            let chase = candour_store::NewChase {
                report_id: rec.id,
                reference: cand.reference.clone(),
                plan: plan(step, &rec, &cand.destination, &standing, &tables.directory),
                subject: candour_core::outbox::subject(&rec, &self.taxonomy),
                now,
            };
            if self.store.record_chase(chase).await? {
                tracing::info!(reference = %cand.reference, destination = %cand.destination, step = step.as_str(), "chased");
                taken += 1;
            }
        }
        Ok(taken)
    }

    /// Remind Clinical Safety Officers of reviews (issue 6): once a day per safety project, an email to each
    /// CSO of the project's organisation who gave an address, listing the reviews overdue or due within a
    /// week (hazard log, controls, CRMP, each open hazard). Returns how many emails were sent. The same list
    /// is always in the workspace; the email only chases it.
    pub async fn remind_reviews_once(&self, now: DateTime<Utc>) -> Result<usize, DeliveryError> {
        let Some((cfg, transport)) = &self.smtp else {
            return Ok(0);
        };
        let today = now.date_naive();
        // A bad sender address is a configuration error: found before any reminder is claimed.
        let from: Mailbox = cfg
            .from
            .parse()
            .map_err(|e| DeliveryError::Config(format!("from address {}: {e}", cfg.from)))?;
        let csos = self.store.all_cso_records().await?;
        let mut sent = 0;
        for input in self.store.review_inputs().await? {
            let p = &input.project;
            let to: Vec<&str> = csos
                .iter()
                .filter(|c| c.ods_code == p.project.ods_code && !c.email.is_empty())
                .map(|c| c.email.as_str())
                .collect();
            if to.is_empty() {
                continue;
            }
            let hazards: Vec<(i64, &candour_core::clinical::Hazard, chrono::NaiveDate)> =
                input.hazards.iter().map(|(n, h, on)| (*n, h, *on)).collect();
            let due: Vec<candour_core::clinical::DueReview> = candour_core::clinical::review::schedule(
                &p.project,
                p.created_at.date_naive(),
                &input.last,
                &hazards,
                today,
            )
            .into_iter()
            .filter(|r| r.due_on <= today + chrono::Duration::days(7))
            .collect();
            if due.is_empty() || !self.store.claim_review_reminder(p.id, "daily", today, now).await? {
                continue;
            }
            let mut body = format!(
                "Reviews for {} ({}) that are overdue or due within a week:\n\n",
                p.project.name,
                p.project.standard.as_str()
            );
            for r in &due {
                body.push_str(&format!(
                    "- {}: {} {}\n",
                    r.label,
                    if r.overdue { "OVERDUE since" } else { "due" },
                    r.due_on
                ));
            }
            if let Some(url) = &self.public_url {
                body.push_str(&format!("\nRecord each review at {url}/workspace/safety/{}\n", p.id));
            } else {
                body.push_str("\nRecord each review in Candour's workspace, under Clinical safety.\n");
            }
            for addr in to {
                let Ok(mailbox) = addr.parse::<Mailbox>() else {
                    tracing::warn!(address = addr, "a CSO's reminder address is not an email address");
                    continue;
                };
                let email = lettre::Message::builder()
                    .from(from.clone())
                    .to(mailbox)
                    .subject(format!("Clinical safety reviews due: {}", p.project.name))
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.clone());
                match email {
                    Ok(m) => match transport.send(m).await {
                        Ok(_) => sent += 1,
                        Err(e) => tracing::error!(error = %e, project = %p.id, "review reminder not sent"),
                    },
                    Err(e) => tracing::error!(error = %e, "review reminder not built"),
                }
            }
        }
        Ok(sent)
    }

    /// Deliver until the process stops: poll every second when idle, and chase once a minute; look for
    /// clinical safety reviews to remind CSOs of once an hour.
    pub async fn run(self) {
        let mut chased = Utc::now() - chrono::Duration::minutes(1);
        let mut reminded = Utc::now() - chrono::Duration::hours(1);
        loop {
            if Utc::now() - chased >= chrono::Duration::minutes(1) {
                chased = Utc::now();
                if let Err(e) = self.chase_once(chased).await {
                    tracing::error!(error = %e, "chasing failed");
                }
            }
            // Review reminders are daily: looking once an hour is enough.
            if Utc::now() - reminded >= chrono::Duration::hours(1) {
                reminded = Utc::now();
                if let Err(e) = self.remind_reviews_once(reminded).await {
                    tracing::error!(error = %e, "review reminders failed");
                }
            }
            match self.run_once(Utc::now()).await {
                Ok(0) => tokio::time::sleep(Duration::from_secs(1)).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "delivery worker error");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_with_the_right_key_body_and_time() {
        let now = Utc::now();
        let h = sign(b"k", now.timestamp(), "{\"a\":1}");
        assert!(h.starts_with(&format!("t={},v1=", now.timestamp())));
        let five = chrono::Duration::minutes(5);
        assert!(verify(b"k", &h, "{\"a\":1}", now, five));
        assert!(!verify(b"other", &h, "{\"a\":1}", now, five));
        assert!(!verify(b"k", &h, "{\"a\":2}", now, five));
        assert!(
            !verify(b"k", &h, "{\"a\":1}", now + chrono::Duration::minutes(10), five),
            "replayed later"
        );
        assert!(!verify(b"k", "garbage", "{}", now, five));
    }

    #[test]
    fn smtp_urls_parse() {
        let c = SmtpConfig::from_url("smtp://127.0.0.1:2525", "Candour <c@example.nhs.uk>").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("127.0.0.1", 2525, SmtpSecurity::Plain)
        );
        assert!(SmtpConfig::from_url("http://x", "a@b.c").is_err());
        let c = SmtpConfig::from_url(
            "smtp+starttls://candour%40trust.nhs.uk:p%3Ass@smtp.example.nhs.uk",
            "a@b.c",
        )
        .unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("smtp.example.nhs.uk", 587, SmtpSecurity::StartTls)
        );
        assert_eq!(c.credentials, Some(("candour@trust.nhs.uk".into(), "p:ss".into())));
        assert!(!format!("{c:?}").contains("p:ss"), "the password never reaches a log");
        let c = SmtpConfig::from_url("smtps://mail.example:2465", "a@b.c").unwrap();
        assert_eq!((c.port, c.security), (2465, SmtpSecurity::Tls));
        let e = SmtpConfig::from_url("smtp://u:secret@relay:25", "a@b.c").unwrap_err();
        assert!(e.to_string().contains("must not be sent over plain SMTP"), "{e}");
    }
}
