//! Cyber exports beyond STIX (issue 7): the NHS England CSOC report (JSON, a plain-text email body and a
//! printable HTML page), a MISP event, and CSAF 2.0 advisories (`csaf_security_advisory` and `csaf_vex`)
//! for vulnerabilities. Every export carries the case's TLP marking; the reporter's identity never appears
//! except in the CSOC report's contacts, which the reporting organisation gave for that purpose.

use candour_core::cyber::{CyberCase, Tlp};
use candour_core::record::ReportRecord;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::fmt::Write;
use uuid::Uuid;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map(|t| Value::String(ts(t))).unwrap_or(Value::Null)
}

/// The CSOC report as JSON: the field set NHS England's "Report a cyber security incident" page asks for,
/// plus the clinical impact assessment, the timeline, tasks and the indicators that may be shared (excluded
/// ones and those marked TLP:RED are left out).
pub fn csoc_json(r: &ReportRecord, case: &CyberCase) -> Value {
    let b = r.report.body();
    let cy = b.cyber.as_ref();
    let impact = case.impact();
    let review = impact.and_then(|i| case.impact_reviews.iter().find(|v| v.version == i.version));
    let iocs: Vec<Value> = case
        .indicators
        .iter()
        .filter(|i| i.excluded.is_none() && i.tlp != Tlp::Red)
        .map(|i| json!({ "type": i.kind, "value": i.value, "confirmed_ioc": i.is_ioc, "tlp": i.tlp }))
        .collect();
    json!({
        "reference": r.reference.to_string(),
        "tlp": case.tlp,
        "organisation": { "name": b.organisation_name, "ods_code": b.ods_code },
        "request_type": cy.map(|c| c.request_type.clone()),
        "urgency": b.urgency,
        "title": b.title,
        "summary": b.narrative,
        "contacts": cy.map(|c| c.contacts.iter().map(|ct| json!({
            "name": ct.name, "role": ct.role, "email": ct.email, "phone": ct.phone,
            "single_point_of_contact": ct.single_point_of_contact,
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "local_references": cy.map(|c| c.local_references.iter().map(|l| json!({ "reference": l.reference, "url": l.url })).collect::<Vec<_>>()).unwrap_or_default(),
        "suppliers_involved": cy.map(|c| c.suppliers_involved.clone()).unwrap_or_default(),
        "investigation_stage": cy.map(|c| c.investigation_stage.clone()),
        "classification": cy.map(|c| c.classification.clone()),
        "times": { "occurred_at": opt_ts(b.occurred_at), "detected_at": opt_ts(b.detected_at), "aware_at": opt_ts(b.aware_at) },
        "impact": {
            "assets": cy.map(|c| c.impact.assets.clone()).unwrap_or_default(),
            "services": cy.map(|c| c.impact.services.clone()).unwrap_or_default(),
            "organisational": cy.and_then(|c| c.impact.organisational.clone()),
            "patients_as_reported": cy.map(|c| c.impact.patients.clone()),
        },
        "clinical_impact": impact.map(|i| json!({
            "version": i.version,
            "assessment": i.impact,
            "cso_review": review.map(|v| json!({ "by": v.actor, "at": ts(v.at), "note": v.note })),
        })),
        "timeline": case.events.iter().map(|e| json!({
            "event_at": ts(e.event.event_at), "discovered_at": opt_ts(e.event.discovered_at), "summary": e.event.summary,
        })).collect::<Vec<_>>(),
        "tasks": case.tasks.iter().map(|t| json!({
            "title": t.task.title, "status": t.task.status.as_str(), "assignee": t.task.assignee, "outcome": t.task.outcome,
        })).collect::<Vec<_>>(),
        "indicators": iocs,
    })
}

fn line(out: &mut String, label: &str, v: &str) {
    if !v.trim().is_empty() {
        let _ = writeln!(out, "{label}: {v}");
    }
}

/// The CSOC report as a plain-text email body (what a ServiceNow ticket or an email to the CSOC carries).
pub fn csoc_text(r: &ReportRecord, case: &CyberCase) -> String {
    let v = csoc_json(r, case);
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    let mut out = String::new();
    let _ = writeln!(out, "{}", case.tlp.as_str());
    let _ = writeln!(out, "NHS England CSOC cyber security incident report: {}", r.reference);
    let urgent = matches!(s("/urgency").as_str(), "urgent" | "immediate");
    let _ = writeln!(
        out,
        "{}",
        if urgent {
            "URGENT: phone the CSOC now on 0300 303 5222 (24/7) as well as sending this."
        } else {
            "Non-urgent."
        }
    );
    line(
        &mut out,
        "Request",
        match s("/request_type").as_str() {
            "technical_support" => "A request for technical support",
            "informational" => "For informational purposes only",
            other => other,
        },
    );
    let _ = writeln!(out);
    line(
        &mut out,
        "Organisation",
        &format!("{} (ODS {})", s("/organisation/name"), s("/organisation/ods_code")),
    );
    line(&mut out, "Title", &s("/title"));
    line(&mut out, "Classification", &s("/classification"));
    line(&mut out, "Investigation stage", &s("/investigation_stage"));
    line(&mut out, "Occurred", &s("/times/occurred_at"));
    line(&mut out, "Detected", &s("/times/detected_at"));
    line(&mut out, "Aware (clocks start)", &s("/times/aware_at"));
    let _ = writeln!(out, "\nSummary:\n{}\n", s("/summary"));
    let _ = writeln!(out, "Contacts:");
    for c in v["contacts"].as_array().into_iter().flatten() {
        let g = |k: &str| c[k].as_str().unwrap_or("").to_string();
        let spoc = if c["single_point_of_contact"].as_bool() == Some(true) {
            " [single point of contact]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "- {} ({}), {} {}{spoc}",
            g("name"),
            g("role"),
            g("email"),
            g("phone")
        );
    }
    let list = |out: &mut String, title: &str, p: &str| {
        let items: Vec<String> = v
            .pointer(p)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|x| {
                x.as_str().map(String::from).or_else(|| {
                    x["reference"]
                        .as_str()
                        .map(|r| format!("{r} {}", x["url"].as_str().unwrap_or("")))
                })
            })
            .collect();
        if !items.is_empty() {
            let _ = writeln!(out, "{title}:");
            for i in items {
                let _ = writeln!(out, "- {}", i.trim());
            }
        }
    };
    list(&mut out, "Local references", "/local_references");
    list(&mut out, "Third-party suppliers involved", "/suppliers_involved");
    list(&mut out, "Affected assets", "/impact/assets");
    list(&mut out, "Affected services", "/impact/services");
    line(&mut out, "Organisational impact", &s("/impact/organisational"));
    let _ = writeln!(out, "\nClinical impact:");
    match case.impact() {
        None => {
            let _ = writeln!(
                out,
                "Not yet assessed. Reported impact on patients: {}",
                s("/impact/patients_as_reported")
            );
        }
        Some(i) => {
            let c = &i.impact;
            let _ = writeln!(out, "Level: {} (assessment version {})", c.level.as_str(), i.version);
            line(&mut out, "Summary", &c.summary);
            if !c.services_affected.is_empty() {
                line(&mut out, "Clinical services affected", &c.services_affected.join(", "));
            }
            for d in &c.downtime {
                let to = d.to.map(ts).unwrap_or_else(|| "still in use".into());
                let _ = writeln!(out, "Downtime procedure: {} from {} to {to}", d.procedure, ts(d.from));
            }
            let _ = writeln!(
                out,
                "Appointments postponed: {}; procedures postponed: {}; diagnostics delayed: {}; ambulance diversions: {}",
                c.appointments_postponed, c.procedures_postponed, c.diagnostics_delayed, c.ambulance_diversions
            );
            for e in &c.safety_events {
                let _ = writeln!(
                    out,
                    "Patient safety event ({} harm): {}",
                    e.harm.as_str(),
                    e.description
                );
            }
            let reviewed = case.impact_reviews.iter().find(|r| r.version == i.version);
            match reviewed {
                Some(r) => {
                    let _ = writeln!(
                        out,
                        "Reviewed by the Clinical Safety Officer ({}) on {}: {}",
                        r.actor,
                        ts(r.at),
                        r.note
                    );
                }
                None if c.needs_cso_review() => {
                    let _ = writeln!(out, "Clinical Safety Officer review: pending");
                }
                None => {}
            }
        }
    }
    if !case.events.is_empty() {
        let _ = writeln!(out, "\nTimeline (event time / discovered):");
        for e in &case.events {
            let d = e.event.discovered_at.map(ts).unwrap_or_else(|| "not known".into());
            let _ = writeln!(out, "- {} / {d}: {}", ts(e.event.event_at), e.event.summary);
        }
    }
    let iocs = v["indicators"].as_array().cloned().unwrap_or_default();
    if !iocs.is_empty() {
        let _ = writeln!(out, "\nIndicators of compromise (attack identifiers):");
        for i in iocs {
            let conf = if i["confirmed_ioc"].as_bool() == Some(true) {
                "confirmed"
            } else {
                "artifact"
            };
            let _ = writeln!(
                out,
                "- {} {} ({conf}, {})",
                i["type"].as_str().unwrap_or(""),
                i["value"].as_str().unwrap_or(""),
                i["tlp"].as_str().unwrap_or("")
            );
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The CSOC report as a printable HTML page (self-contained, no scripts, no external resources).
pub fn csoc_html(r: &ReportRecord, case: &CyberCase) -> String {
    let text = csoc_text(r, case);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>CSOC report {reference}</title>\
         <style>body{{font-family:Arial,sans-serif;margin:2em;max-width:50em}}pre{{white-space:pre-wrap;font-family:inherit}}\
         .tlp{{font-weight:bold;border:2px solid #000;padding:.2em .5em;display:inline-block}}</style></head>\
         <body><p class=\"tlp\">{tlp}</p><h1>Cyber security incident report {reference}</h1><pre>{body}</pre></body></html>\n",
        reference = esc(&r.reference.to_string()),
        tlp = esc(case.tlp.as_str()),
        body = esc(&text),
    )
}

fn misp_type(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "ipv4" | "ipv6" => ("ip-dst", "Network activity"),
        "domain" => ("domain", "Network activity"),
        "url" => ("url", "Network activity"),
        "email" => ("email-src", "Payload delivery"),
        "md5" => ("md5", "Payload delivery"),
        "sha1" => ("sha1", "Payload delivery"),
        "sha256" => ("sha256", "Payload delivery"),
        "sha512" => ("sha512", "Payload delivery"),
        "file_name" => ("filename", "Payload delivery"),
        "cve" => ("vulnerability", "External analysis"),
        _ => ("text", "Other"),
    }
}

fn misp_tlp(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "tlp:clear",
        Tlp::Green => "tlp:green",
        Tlp::Amber => "tlp:amber",
        Tlp::AmberStrict => "tlp:amber+strict",
        Tlp::Red => "tlp:red",
    }
}

/// A MISP event (the `{"Event": …}` JSON MISP imports): one attribute per non-excluded indicator, `to_ids`
/// set for confirmed IOCs only (artifacts are context, not detections), TLP tags on the event and on
/// attributes marked differently. Uuids derive from the report, so a re-export updates the same event.
pub fn misp_event(r: &ReportRecord, case: &CyberCase) -> Value {
    let b = r.report.body();
    let attrs: Vec<Value> = case
        .indicators
        .iter()
        .filter(|i| i.excluded.is_none() && i.tlp != Tlp::Red)
        .map(|i| {
            let (t, cat) = misp_type(&i.kind);
            let mut a = json!({
                "uuid": Uuid::new_v5(&r.id, format!("misp:{}:{}", i.kind, i.value).as_bytes()).to_string(),
                "type": t, "category": cat, "value": i.value, "to_ids": i.is_ioc,
                "timestamp": i.added_at.timestamp().to_string(), "comment": if i.is_ioc { "confirmed IOC" } else { "artifact" },
            });
            if i.tlp != case.tlp {
                a["Tag"] = json!([{ "name": misp_tlp(i.tlp) }]);
            }
            a
        })
        .collect();
    let threat_level = match b.urgency.as_str() {
        "immediate" => "1",
        "urgent" => "2",
        _ => "3",
    };
    let mut tags = vec![json!({ "name": misp_tlp(case.tlp) })];
    if let Some(c) = b.cyber.as_ref() {
        if !c.classification.is_empty() {
            tags.push(json!({ "name": format!("candour:classification=\"{}\"", c.classification) }));
        }
    }
    json!({ "Event": {
        "uuid": Uuid::new_v5(&r.id, b"misp-event").to_string(),
        "info": format!("{}: {}", r.reference, b.title),
        "date": b.aware_at.or(b.detected_at).unwrap_or(r.created_at).date_naive().to_string(),
        "threat_level_id": threat_level,
        "analysis": if case.impact().is_some() { "1" } else { "0" },
        "distribution": "0",
        "published": false,
        "timestamp": r.updated_at.timestamp().to_string(),
        "Orgc": { "name": b.organisation_name.clone().unwrap_or_else(|| b.ods_code.clone()) },
        "Tag": tags,
        "Attribute": attrs,
    }})
}

/// Who publishes advisories.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// Organisation name.
    pub name: String,
    /// An https URL that identifies it.
    pub namespace: String,
    /// How to reach its security team.
    pub contact: String,
}

/// The CSAF profile of an advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsafProfile {
    /// `csaf_security_advisory`.
    Advisory,
    /// `csaf_vex`.
    Vex,
}

impl CsafProfile {
    /// The `/document/category` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CsafProfile::Advisory => "csaf_security_advisory",
            CsafProfile::Vex => "csaf_vex",
        }
    }
    /// From the category name.
    pub fn parse(s: &str) -> Option<Self> {
        [CsafProfile::Advisory, CsafProfile::Vex]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// CSAF 2.0 has TLP 1.0 labels only: AMBER+STRICT goes out as RED rather than be loosened.
fn csaf_tlp(t: Tlp) -> &'static str {
    match t {
        Tlp::Clear => "WHITE",
        Tlp::Green => "GREEN",
        Tlp::Amber => "AMBER",
        Tlp::AmberStrict | Tlp::Red => "RED",
    }
}

/// The file name CSAF 2.0 §5.1 gives a document: its tracking id lower-cased, every run of other
/// characters than `+`, `-`, a–z and 0–9 replaced by `_`, then `.json`.
pub fn csaf_file_name(tracking_id: &str) -> String {
    let mut out = String::new();
    let mut run = false;
    for ch in tracking_id.to_lowercase().chars() {
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '+' || ch == '-' {
            out.push(ch);
            run = false;
        } else if !run {
            out.push('_');
            run = true;
        }
    }
    out + ".json"
}

/// The tracking id of a report's advisories (`CANDOUR-VU-2026-000001`, `…-VEX`).
pub fn csaf_tracking_id(r: &ReportRecord, profile: CsafProfile) -> String {
    match profile {
        CsafProfile::Advisory => format!("CANDOUR-{}", r.reference),
        CsafProfile::Vex => format!("CANDOUR-{}-VEX", r.reference),
    }
}

/// Why an advisory cannot be drafted from a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsafError {
    /// The field at fault.
    pub path: &'static str,
    /// What to do.
    pub message: String,
}

/// A CSAF 2.0 document for vulnerability report `r` at `version` (1 for the first), released `now`, with
/// the revision history of earlier `published` versions (oldest first: number and date). The product is
/// the affected product and version the researcher gave; a fixed version may be named. `description` is
/// the technical description as it may be published (the caller redacts the researcher's text: proofs of
/// access often quote patient records).
#[allow(clippy::too_many_arguments)]
pub fn csaf(
    r: &ReportRecord,
    case: &CyberCase,
    description: &str,
    profile: CsafProfile,
    publisher: &Publisher,
    fixed_version: Option<&str>,
    history: &[(i64, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<Value, CsafError> {
    let b = r.report.body();
    let v = b.vulnerability.as_ref().ok_or(CsafError {
        path: "reference",
        message: "CSAF advisories are published for vulnerability reports".into(),
    })?;
    let version = history.len() as i64 + 1;
    let product = v.affected_product.trim();
    let affected_version = v.affected_version.as_deref().unwrap_or("unspecified").trim();
    let pid = |ver: &str| {
        format!(
            "CANDOUR-{}-{}",
            r.reference,
            ver.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "-")
        )
    };
    let affected_id = pid(affected_version);
    let cpe_part = |s: &str| {
        s.to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_")
    };
    let vendor = cpe_part(&publisher.name);
    let product_leaf = |ver: &str| {
        json!({ "category": "product_version", "name": ver, "product": {
            "name": format!("{product} {ver}"), "product_id": pid(ver),
            "product_identification_helper": { "cpe": format!("cpe:2.3:a:{vendor}:{}:{}:*:*:*:*:*:*:*", cpe_part(product), cpe_part(ver)) },
        }})
    };
    let mut leaves = vec![product_leaf(affected_version)];
    let mut status = json!({ "known_affected": [affected_id] });
    if let Some(f) = fixed_version
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != affected_version)
    {
        leaves.push(product_leaf(f));
        status["fixed"] = json!([pid(f)]);
    }
    let id = csaf_tracking_id(r, profile);
    let mut revisions: Vec<Value> = history
        .iter()
        .map(|(n, at)| json!({ "number": n.to_string(), "date": ts(*at), "summary": "Published." }))
        .collect();
    revisions.push(json!({ "number": version.to_string(), "date": ts(now), "summary": if version == 1 { "Initial release." } else { "Updated." } }));
    let initial = history.first().map(|(_, at)| *at).unwrap_or(now);
    let remedy = match fixed_version.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => {
            json!({ "category": "vendor_fix", "details": format!("Upgrade {product} to {f}."), "product_ids": [affected_id] })
        }
        None => {
            json!({ "category": "workaround", "details": "No fix is available yet. Follow the mitigations in this advisory and your supplier's guidance; this advisory will be updated.", "product_ids": [affected_id] })
        }
    };
    let mut vuln = json!({
        "title": b.title,
        "notes": [{ "category": "description", "title": "Description", "text": description }],
        "product_status": status,
        "remediations": [remedy],
        "threats": [{ "category": "impact", "details": impact_text(case), "product_ids": [affected_id] }],
    });
    let cves: Vec<&str> = case
        .indicators
        .iter()
        .filter(|i| i.kind == "cve" && i.tlp != Tlp::Red)
        .map(|i| i.value.as_str())
        .collect();
    match cves.first() {
        Some(cve) => vuln["cve"] = json!(cve.to_uppercase()),
        None => vuln["ids"] = json!([{ "system_name": "Candour", "text": r.reference.to_string() }]),
    }
    if let Some(vector) = v.cvss_vector.as_deref() {
        if let Ok(s) = candour_core::scoring::cvss(vector) {
            // CSAF 2.0 carries CVSS v2 and v3 only; a v4 vector goes in a note.
            if s.version.starts_with('3') {
                vuln["scores"] = json!([{ "products": [affected_id], "cvss_v3": {
                    "version": s.version, "vectorString": vector.trim(), "baseScore": s.score, "baseSeverity": s.severity.to_uppercase(),
                }}]);
            } else if let Some(notes) = vuln["notes"].as_array_mut() {
                notes.push(json!({ "category": "other", "title": "CVSS v4.0", "text": format!("{} ({} {})", vector.trim(), s.score, s.nomenclature.unwrap_or_default()) }));
            }
        }
    }
    Ok(json!({
        "document": {
            "category": profile.as_str(),
            "csaf_version": "2.0",
            "lang": "en-GB",
            "title": format!("{product}: {}", b.title),
            "publisher": { "category": "coordinator", "name": publisher.name, "namespace": publisher.namespace, "contact_details": publisher.contact },
            "distribution": { "tlp": { "label": csaf_tlp(case.tlp), "url": "https://www.first.org/tlp/" } },
            "notes": [{ "category": "summary", "title": "Summary", "text": b.narrative }],
            "references": [{ "category": "self", "summary": "Canonical URL of this document",
                "url": format!("{}/.well-known/csaf/{}/{}", publisher.namespace.trim_end_matches('/'), csaf_tlp(case.tlp).to_lowercase(), csaf_file_name(&id)) }],
            "tracking": {
                "id": id, "status": "final", "version": version.to_string(),
                "initial_release_date": ts(initial), "current_release_date": ts(now),
                "revision_history": revisions,
                "generator": { "date": ts(now), "engine": { "name": "Candour", "version": env!("CARGO_PKG_VERSION") } },
            },
        },
        "product_tree": { "branches": [{ "category": "vendor", "name": publisher.name, "branches": [
            { "category": "product_name", "name": product, "branches": leaves }
        ]}]},
        "vulnerabilities": [vuln],
    }))
}

fn impact_text(case: &CyberCase) -> String {
    match case.impact() {
        Some(i) if !i.impact.summary.trim().is_empty() => {
            format!(
                "Clinical impact: {}. {}",
                i.impact.level.as_str(),
                i.impact.summary.trim()
            )
        }
        Some(i) => format!("Clinical impact: {}.", i.impact.level.as_str()),
        None => "The clinical impact has not yet been assessed.".into(),
    }
}
