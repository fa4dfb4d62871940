//! What a routing decision sends: one message per destination and electronic channel (email, signed
//! webhook), rendered from the stored report. Pure: sending is the delivery worker's job.
//!
//! Messages never carry the reporter's identity: recipients outside the organisation have no need of it,
//! and a confidential reporter's name must not leave Candour. They say how to reach the reporter through
//! Candour instead.

use crate::record::ReportRecord;
use crate::routing::{Decision, Directory, Method};
use crate::taxonomy::Taxonomy;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use uuid::Uuid;

/// How a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Email over SMTP.
    Email,
    /// An HMAC-signed HTTP POST.
    Webhook,
}

impl Channel {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }
}

/// Why a message is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// The report, routed to the destination.
    #[default]
    Routed,
    /// Nobody at the destination has acknowledged it: the same report again.
    Reminder,
    /// Still nobody after the reminder: sent to whoever the directory says to escalate to.
    Escalation,
    /// A vulnerability puts patients at uncontrolled risk: told at once (issue 7).
    PatientRisk,
    /// A cyber incident's clinical impact awaits the CSO's review (issue 7).
    ImpactReview,
}

impl Purpose {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Routed => "routed",
            Purpose::Reminder => "reminder",
            Purpose::Escalation => "escalation",
            Purpose::PatientRisk => "patient_risk",
            Purpose::ImpactReview => "impact_review",
        }
    }

    /// From the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Purpose::Routed,
            Purpose::Reminder,
            Purpose::Escalation,
            Purpose::PatientRisk,
            Purpose::ImpactReview,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// A delivery decided at intake, before the report has its reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// The destination the message is about (for an escalation, the one that has not acknowledged).
    pub destination: String,
    /// Destination name.
    pub name: String,
    /// Channel.
    pub channel: Channel,
    /// Email address or URL.
    pub address: String,
    /// Why it is sent.
    #[serde(default)]
    pub purpose: Purpose,
}

impl Planned {
    /// The message id for this delivery of report `report_id`.
    pub fn id(&self, report_id: Uuid) -> Uuid {
        message_id_for(report_id, &self.destination, self.channel, self.purpose)
    }
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Stable id: the same report, destination and channel always give the same id, which receivers use
    /// to discard repeats (delivery is at least once).
    pub id: Uuid,
    /// Destination id.
    pub destination: String,
    /// Channel.
    pub channel: Channel,
    /// Email address or URL.
    pub address: String,
    /// Subject line (email) or event name (webhook).
    pub subject: String,
    /// Plain text (email) or JSON (webhook).
    pub body: String,
}

/// Deliveries for a decision: every email and webhook contact of every chosen destination.
pub fn plan(decision: &Decision, directory: &Directory) -> Vec<Planned> {
    let mut out = Vec::new();
    for route in &decision.routes {
        let Some(dest) = directory.get(&route.destination) else {
            continue;
        };
        for c in &dest.contacts {
            let channel = match c.method {
                Method::Email => Channel::Email,
                Method::Webhook => Channel::Webhook,
                Method::Phone | Method::Web => continue,
            };
            if out
                .iter()
                .any(|p: &Planned| p.destination == route.destination && p.channel == channel)
            {
                continue;
            }
            out.push(Planned {
                destination: route.destination.clone(),
                name: dest.name.clone(),
                channel,
                address: c.value.clone(),
                purpose: Purpose::Routed,
            });
        }
    }
    out
}

/// The message id for a report, destination and channel: derived, so retries and replays agree, and
/// time-ordered, so a batch of new messages appends to the outbox's primary-key index instead of
/// touching a random page of it per message. A UUID v8: the report's UUID v7 timestamp (and its
/// 12 random bits) first, then 62 bits of a name-based hash of destination and channel.
pub fn message_id(report_id: Uuid, destination: &str, channel: Channel) -> Uuid {
    message_id_for(report_id, destination, channel, Purpose::Routed)
}

/// As [`message_id`], for a message sent for `purpose` (a reminder or an escalation has its own id).
pub fn message_id_for(report_id: Uuid, destination: &str, channel: Channel, purpose: Purpose) -> Uuid {
    let name = match purpose {
        Purpose::Routed => format!("{destination}/{}", channel.as_str()),
        other => format!("{destination}/{}/{}", channel.as_str(), other.as_str()),
    };
    let hash = Uuid::new_v5(&report_id, name.as_bytes()).into_bytes();
    let mut b = report_id.into_bytes();
    b[8..].copy_from_slice(&hash[8..]);
    uuid::Builder::from_custom_bytes(b).into_uuid()
}

fn line(s: &mut String, label: &str, value: impl std::fmt::Display) {
    let _ = writeln!(s, "{label}: {value}");
}

/// The subject line for a report's messages.
pub fn subject(r: &ReportRecord, t: &Taxonomy) -> String {
    let b = r.report.body();
    format!(
        "[Candour] {} {}: {} ({})",
        r.reference,
        r.reference.kind().label(),
        b.title,
        t.label("urgency", &b.urgency)
    )
}

/// The outbox entry for a planned delivery: everything but the body, which the delivery worker renders
/// from the stored report when it sends (so the outbox stays small, and a retry carries the latest content).
pub fn queued(r: &ReportRecord, p: &Planned, t: &Taxonomy) -> Message {
    Message {
        id: p.id(r.id),
        destination: p.destination.clone(),
        channel: p.channel,
        address: p.address.clone(),
        subject: subject(r, t),
        body: String::new(),
    }
}

/// Render the message for one planned delivery.
pub fn render(r: &ReportRecord, p: &Planned, t: &Taxonomy) -> Message {
    render_with(r, p, t, "")
}

/// As [`render`], with opening lines (a reminder's or an escalation's) before the report.
pub fn render_with(r: &ReportRecord, p: &Planned, t: &Taxonomy, preamble: &str) -> Message {
    let subject = match p.purpose {
        Purpose::Routed => subject(r, t),
        Purpose::Reminder => format!("Reminder: {}", subject(r, t)),
        Purpose::Escalation => format!("Escalation: {}", subject(r, t)),
        Purpose::PatientRisk => format!("PATIENT RISK: {}", subject(r, t)),
        Purpose::ImpactReview => format!("CSO review needed: {}", subject(r, t)),
    };
    let body = match p.channel {
        Channel::Email if preamble.is_empty() => email_text(r, p, t),
        Channel::Email => format!("{preamble}\n\n{}", email_text(r, p, t)),
        Channel::Webhook => webhook_json(r, p, preamble).to_string(),
    };
    Message {
        id: p.id(r.id),
        destination: p.destination.clone(),
        channel: p.channel,
        address: p.address.clone(),
        subject,
        body,
    }
}

fn email_text(r: &ReportRecord, p: &Planned, t: &Taxonomy) -> String {
    let b = r.report.body();
    let mut s = String::new();
    let _ = writeln!(s, "To: {}\n", p.name);
    let _ = writeln!(s, "A report has been made in Candour that needs your attention.");
    let _ = writeln!(
        s,
        "Please acknowledge it: a named person must confirm it has been seen.\n"
    );
    line(&mut s, "Reference", &r.reference);
    line(&mut s, "Kind", r.reference.kind().label());
    line(&mut s, "Urgency", t.label("urgency", &b.urgency));
    line(
        &mut s,
        "Patients harmed now or at immediate risk",
        t.label("patients_harmed_now", &b.patients_harmed_now),
    );
    line(&mut s, "Event type (LFPSE)", t.label("event_type", &b.event_type));
    line(
        &mut s,
        "Organisation",
        format!("{} {}", b.ods_code, b.organisation_name.as_deref().unwrap_or("")).trim(),
    );
    if let Some(sys) = &b.system {
        line(
            &mut s,
            "System",
            format!(
                "{} by {} version {} {}",
                sys.product,
                sys.supplier,
                sys.version.as_deref().unwrap_or("?"),
                sys.module.as_deref().unwrap_or("")
            )
            .trim(),
        );
    }
    for (name, v) in [
        ("Occurred", b.occurred_at),
        ("Detected", b.detected_at),
        ("Organisation aware", b.aware_at),
    ] {
        if let Some(v) = v {
            line(&mut s, name, crate::time::london(v));
        }
    }
    line(&mut s, "Received", crate::time::london(r.created_at));
    let _ = writeln!(s, "\nTitle: {}\n\nWhat happened:\n{}\n", b.title, b.narrative);
    if let Some(a) = &b.immediate_actions {
        let _ = writeln!(s, "Immediate actions:\n{a}\n");
    }
    for (i, h) in b.patients.iter().enumerate() {
        let _ = writeln!(
            s,
            "Patient {}: physical harm {}, psychological harm {}",
            i + 1,
            t.label("physical_harm", &h.physical_harm),
            t.label("psychological_harm", &h.psychological_harm)
        );
    }
    if b.safeguarding_concern {
        let _ = writeln!(s, "A safeguarding concern has been raised.");
    }
    if let Some(c) = &b.cyber {
        // The NHS England CSOC field set, in its order.
        let _ = writeln!(s, "\nCyber incident (CSOC field set)");
        for ct in &c.contacts {
            let spoc = if ct.single_point_of_contact {
                " (single point of contact)"
            } else {
                ""
            };
            line(
                &mut s,
                "Contact",
                format!(
                    "{}, {}{spoc}, {} {}",
                    ct.name,
                    ct.role,
                    ct.email.as_deref().unwrap_or(""),
                    ct.phone.as_deref().unwrap_or("")
                )
                .trim(),
            );
        }
        line(
            &mut s,
            "Organisation name and ODS code",
            format!("{} {}", b.organisation_name.as_deref().unwrap_or(""), b.ods_code).trim(),
        );
        for lr in &c.local_references {
            line(
                &mut s,
                "Local reference",
                format!("{} {}", lr.reference, lr.url.as_deref().unwrap_or("")).trim(),
            );
        }
        line(
            &mut s,
            "Third-party suppliers involved",
            c.suppliers_involved.join(", "),
        );
        line(
            &mut s,
            "Investigation stage",
            t.label("investigation_stage", &c.investigation_stage),
        );
        line(
            &mut s,
            "Classification",
            t.label("cyber_classification", &c.classification),
        );
        line(&mut s, "Impact on assets", c.impact.assets.join(", "));
        line(&mut s, "Impact on services", c.impact.services.join(", "));
        line(&mut s, "Clinical impact (patients)", &c.impact.patients);
        if let Some(o) = &c.impact.organisational {
            line(&mut s, "Organisational impact", o);
        }
        line(
            &mut s,
            "Indicators of compromise",
            c.indicators_raw.as_deref().unwrap_or("none given"),
        );
        line(&mut s, "Request", t.label("csoc_request_type", &c.request_type));
    }
    if let Some(v) = &r.routing {
        if let Some(route) = v.to(&p.destination) {
            let _ = writeln!(s, "\nWhy you are receiving this:");
            for why in &route.because {
                let _ = writeln!(s, "- {}", why.reason);
            }
            if let Some(d) = &route.due {
                let _ = writeln!(s, "Due: {} by {}", d.name, crate::time::london(d.due_at));
            }
        }
    }
    let _ = writeln!(
        s,
        "\nPlease confirm that a person has seen this (your name and role, one page):\n{}",
        crate::acklink::PLACEHOLDER
    );
    let who = if b.reporter.anonymous {
        "The reporter chose to stay anonymous."
    } else {
        "The reporter can be contacted through Candour."
    };
    let _ = writeln!(s, "\n{who}\nMessage id (quote it in any reply): {}", p.id(r.id));
    s
}

fn webhook_json(r: &ReportRecord, p: &Planned, notice: &str) -> serde_json::Value {
    let mut body = serde_json::to_value(r.report.body()).unwrap_or_default();
    if let Some(o) = body.as_object_mut() {
        // Never the reporter's identity: only whether they are anonymous.
        o.insert(
            "reporter".into(),
            serde_json::json!({"anonymous": r.report.body().reporter.anonymous}),
        );
        o.remove("confidential");
    }
    serde_json::json!({
        "event": format!("report.{}", p.purpose.as_str()),
        "notice": notice,
        "id": p.id(r.id),
        "purpose": p.purpose,
        "destination": p.destination,
        "reference": r.reference,
        "revision": r.revision,
        "received_at": r.created_at,
                "routing": r.routing.as_ref().and_then(|d| d.to(&p.destination)),
        "ack_url": crate::acklink::PLACEHOLDER,
        "report": body,
    })
}

/// Most delivery attempts before a message is dead-lettered for an administrator to look at.
pub const MAX_ATTEMPTS: i64 = 8;

/// Wait before attempt `attempts + 1`: 30 s doubling each time, at most an hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(0, 7) as u32;
    Duration::seconds((30i64 << exp).min(3600))
}

/// When to try again after a failure, or `None` to give up (dead letter).
pub fn retry_at(attempts: i64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (attempts < MAX_ATTEMPTS).then(|| now + backoff(attempts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{Reference, ReportKind};
    use crate::report::ReportBody;
    use crate::routing::{decide, OrgFacts, Tables};

    fn record(file: &str) -> ReportRecord {
        let t = Taxonomy::embedded().unwrap();
        let path = format!("{}/../../docs/examples/{file}.json", env!("CARGO_MANIFEST_DIR"));
        let body: ReportBody = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let now = Utc::now();
        let v = body.validate(&t, now).unwrap();
        let tables = Tables::embedded(&t).unwrap();
        let d = decide(&tables, &t, &v, OrgFacts { oes: true, dspt: true }, now);
        let kind = v.body().kind;
        ReportRecord::new_received(
            Uuid::now_v7(),
            Reference::new(kind, 2026, 7),
            t.version.clone(),
            v,
            Some(d),
            now,
        )
        .unwrap()
    }

    #[test]
    fn plans_email_and_webhook_contacts_only_once_each() {
        let t = Taxonomy::embedded().unwrap();
        let tables = Tables::embedded(&t).unwrap();
        let r = record("cyber_incident");
        let p = plan(r.routing.as_ref().unwrap(), &tables.directory);
        // The CSO has an email contact; the CSOC is phone and ServiceNow only, so nothing is emailed there.
        assert!(p
            .iter()
            .any(|x| x.destination == "org_cso" && x.channel == Channel::Email));
        assert!(!p.iter().any(|x| x.destination == "nhs_csoc"));
        let mut seen = std::collections::BTreeSet::new();
        assert!(p.iter().all(|x| seen.insert((x.destination.clone(), x.channel))));
    }

    #[test]
    fn email_carries_the_csoc_field_set_and_never_the_reporter() {
        let t = Taxonomy::embedded().unwrap();
        let r = record("cyber_incident");
        let p = Planned {
            destination: "org_cso".into(),
            name: "CSO".into(),
            channel: Channel::Email,
            address: "cso@example.nhs.uk".into(),
            purpose: Purpose::Routed,
        };
        let m = render(&r, &p, &t);
        assert!(m
            .subject
            .starts_with("[Candour] CY-2026-000007 Cyber security incident: Ransomware note"));
        for want in [
            "single point of contact",
            "DEF-48213",
            "Investigation stage: Containment",
            "Classification: Ransomware",
            "Clinical impact (patients)",
            "Request: A request for technical support",
            "Why you are receiving this",
        ] {
            assert!(m.body.contains(want), "missing {want:?} in\n{}", m.body);
        }
        // The reporter (Rachel Okoye, cyber.team@…) appears only as the named cyber contact they chose to give,
        // never as "the reporter".
        let device = record("device_incident");
        let dm = render(&device, &p, &t);
        assert!(
            !dm.body.contains("Grace Nwosu") && !dm.body.contains("grace.nwosu"),
            "{}",
            dm.body
        );
        let w = render(
            &device,
            &Planned {
                channel: Channel::Webhook,
                ..p.clone()
            },
            &t,
        );
        assert!(!w.body.contains("Grace Nwosu"));
        let json: serde_json::Value = serde_json::from_str(&w.body).unwrap();
        assert_eq!(json["reporter"], serde_json::Value::Null);
        assert_eq!(json["report"]["reporter"], serde_json::json!({"anonymous": false}));
        assert_eq!(json["id"], serde_json::json!(w.id));
    }

    #[test]
    fn message_ids_are_stable_per_report_destination_and_channel() {
        let id = Uuid::now_v7();
        assert_eq!(
            message_id(id, "org_cso", Channel::Email),
            message_id(id, "org_cso", Channel::Email)
        );
        assert_ne!(
            message_id(id, "org_cso", Channel::Email),
            message_id(id, "org_cso", Channel::Webhook)
        );
        assert_ne!(
            message_id(id, "org_cso", Channel::Email),
            message_id(Uuid::now_v7(), "org_cso", Channel::Email)
        );
        assert_ne!(
            message_id(id, "org_cso", Channel::Email),
            message_id(id, "supplier_safety", Channel::Email)
        );
    }

    #[test]
    fn message_ids_sort_as_their_reports_were_received() {
        let earlier = Uuid::parse_str("019aa7d0-0000-7abc-8000-000000000001").unwrap();
        let later = Uuid::parse_str("019aa7d0-0001-7000-8000-000000000000").unwrap();
        let a = message_id(earlier, "supplier_safety", Channel::Webhook);
        let b = message_id(later, "org_cso", Channel::Email);
        assert!(a.to_string() < b.to_string(), "{a} should sort before {b}");
        assert_eq!(a.get_version_num(), 8);
        assert_eq!(a.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(
            &a.as_bytes()[..6],
            &earlier.as_bytes()[..6],
            "the report's timestamp leads"
        );
    }

    #[test]
    fn backoff_doubles_to_an_hour_then_dead_letters() {
        let now = Utc::now();
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(3), Duration::seconds(240));
        assert_eq!(backoff(20), Duration::seconds(3600));
        assert_eq!(retry_at(1, now), Some(now + Duration::seconds(60)));
        assert_eq!(retry_at(MAX_ATTEMPTS, now), None);
        let _ = ReportKind::ALL;
    }
}
