//! The public "report a problem" journey at `/report`: one question per page, answers kept in a
//! server-side draft (cookie `candour_draft`) until submitted, "check your answers", then the report goes
//! through exactly the same intake as the API (redaction, validation, routing, outbox).
//!
//! Pages are data ([`PAGES`]): each names its fields, and validation is the domain's own
//! (`ReportBody::validate`), with errors shown on the page that owns the field.

use super::{c, csrf, esc, page, see_other, Page};
use crate::AppState;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use candour_core::identity::Principal;
use candour_core::report::ReportBody;
use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The draft cookie.
pub const DRAFT_COOKIE: &str = "candour_draft";
/// How long an unsent draft is kept.
const DRAFT_HOURS: i64 = 24;

/// A draft: form field name → value, exactly as typed.
pub(super) type Draft = BTreeMap<String, String>;

/// Draft key set once the reporter has reached "check your answers".
const REVIEWED: &str = "_reviewed";

/// How a field is asked.
#[derive(Clone, Copy)]
enum Ask {
    Text,
    Email,
    Tel,
    Long,
    When,
    /// Radios from a taxonomy value set.
    Set(&'static str),
    /// Radios from fixed (value, label, hint) options.
    Choice(&'static [(&'static str, &'static str, &'static str)]),
    YesNo,
}

struct Field {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    ask: Ask,
    /// Only for these kinds (empty: every kind).
    kinds: &'static [&'static str],
}

const fn f(name: &'static str, label: &'static str, hint: &'static str, ask: Ask) -> Field {
    Field {
        name,
        label,
        hint,
        ask,
        kinds: &[],
    }
}

const fn k(kinds: &'static [&'static str], field: Field) -> Field {
    Field { kinds, ..field }
}

struct PageSpec {
    slug: &'static str,
    title: &'static str,
    fields: &'static [Field],
}

const KINDS: &[(&str, &str, &str)] = &[
    (
        "clinical_safety",
        "A clinical safety problem with an IT system",
        "For example, wrong or missing information on screen, a failed order or result, or a system outage affecting care.",
    ),
    (
        "cyber_incident",
        "A cyber security incident at my organisation",
        "For example, ransomware, a compromised account, malware or a data breach.",
    ),
    (
        "suspicious_activity",
        "Something suspicious",
        "For example, a phishing email, an odd phone call or a USB stick left lying around.",
    ),
    (
        "vulnerability",
        "A vulnerability in an NHS system",
        "A security weakness you have found in software or a service used by the NHS.",
    ),
    (
        "device_incident",
        "A problem with a medical or implanted device",
        "For example, a pump, monitor, implant or its software behaving wrongly.",
    ),
    ("not_sure", "I'm not sure", "We will help you choose."),
];

const IDENTITY: &[(&str, &str, &str)] = &[
    (
        "named",
        "Give my name",
        "The people handling your report can contact you and tell you what happened.",
    ),
    (
        "confidential",
        "Give my name in confidence",
        "Only the Clinical Safety Officer and administrators can see who you are; every time they look is recorded.",
    ),
    (
        "anonymous",
        "Stay anonymous",
        "Nobody can see who you are. You can still follow your report with the tracking link we give you.",
    ),
];

const PAGES: &[PageSpec] = &[
    PageSpec {
        slug: "kind",
        title: "What is the problem about?",
        fields: &[f("kind", "What is the problem about?", "", Ask::Choice(KINDS))],
    },
    PageSpec {
        slug: "urgency",
        title: "Are patients being harmed now, or at immediate risk?",
        fields: &[
            f(
                "patients_harmed_now",
                "Are patients being harmed now, or at immediate risk?",
                "",
                Ask::Set("patients_harmed_now"),
            ),
            f("urgency", "How urgent is it?", "", Ask::Set("urgency")),
        ],
    },
    PageSpec {
        slug: "details",
        title: "What happened?",
        fields: &[
            f("ods_code", "Your organisation's ODS code", "For example, RZX. Ask your IT service desk if you do not know it.", Ask::Text),
            f("organisation_name", "Your organisation's name", "", Ask::Text),
            f("event_type", "What kind of event was it?", "", Ask::Set("event_type")),
            f("title", "Summary", "One line, for example: Allergy banner not shown on drug chart.", Ask::Text),
            f(
                "narrative",
                "What happened?",
                "Do not include patient names, NHS numbers or other details that identify a patient: we remove any we find, but describe the problem, not the person.",
                Ask::Long,
            ),
            f("immediate_actions", "What has been done so far? (optional)", "", Ask::Long),
            f("occurred_at", "When did it happen? (optional)", "UK time.", Ask::When),
            f("detected_at", "When was it noticed? (optional)", "UK time.", Ask::When),
            f("aware_at", "When did you become aware that it needed reporting? (optional)", "UK time. Reporting deadlines start from this moment.", Ask::When),
            k(&["clinical_safety", "device_incident", "cyber_incident"], f("system.product", "Which system or product is involved?", "For example, the EPR or app name.", Ask::Text)),
            k(&["clinical_safety", "device_incident", "cyber_incident"], f("system.supplier", "Who supplies it?", "", Ask::Text)),
            k(&["clinical_safety", "device_incident", "cyber_incident"], f("system.version", "Version (optional)", "Often shown under Help or About.", Ask::Text)),
            k(&["clinical_safety", "device_incident", "cyber_incident"], f("system.module", "Module or screen (optional)", "", Ask::Text)),
            k(&["cyber_incident"], f("cyber.classification", "What type of incident is it?", "", Ask::Set("cyber_classification"))),
            k(&["cyber_incident"], f("cyber.investigation_stage", "How far has the investigation got?", "", Ask::Set("investigation_stage"))),
            k(&["cyber_incident"], f("cyber.request_type", "What do you need from NHS CSOC?", "", Ask::Set("csoc_request_type"))),
            k(&["cyber_incident"], f("cyber.contact.name", "Single point of contact: name", "", Ask::Text)),
            k(&["cyber_incident"], f("cyber.contact.role", "Single point of contact: role", "", Ask::Text)),
            k(&["cyber_incident"], f("cyber.contact.email", "Single point of contact: email (optional)", "", Ask::Email)),
            k(&["cyber_incident"], f("cyber.contact.phone", "Single point of contact: phone (optional)", "", Ask::Tel)),
            k(&["cyber_incident"], f("cyber.local_reference", "Your local incident reference (optional)", "For example, a service desk or Defender incident number.", Ask::Text)),
            k(&["cyber_incident"], f("cyber.local_reference_url", "Link to it (optional)", "", Ask::Text)),
            k(&["cyber_incident"], f("cyber.suppliers_involved", "Third-party suppliers involved (optional)", "One per line.", Ask::Long)),
            k(&["cyber_incident"], f("cyber.impact.assets", "Affected assets (optional)", "One per line, including any medical devices.", Ask::Long)),
            k(&["cyber_incident"], f("cyber.impact.services", "Affected services (optional)", "One per line.", Ask::Long)),
            k(&["cyber_incident"], f("cyber.impact.patients", "What has it done to patient care?", "For example: none known; appointments postponed; downtime procedures in use.", Ask::Text)),
            k(&["cyber_incident"], f("cyber.indicators_raw", "Indicators of compromise (optional)", "Paste addresses, domains, file hashes or email senders.", Ask::Long)),
            k(&["vulnerability"], f("vulnerability.affected_product", "Which product or service is affected?", "", Ask::Text)),
            k(&["vulnerability"], f("vulnerability.affected_version", "Which version? (optional)", "", Ask::Text)),
            k(&["vulnerability"], f("vulnerability.description", "Describe the vulnerability", "", Ask::Long)),
            k(&["vulnerability"], f("vulnerability.cvss_vector", "CVSS vector (optional)", "For example, CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Ask::Text)),
            k(&["device_incident"], f("device.device_name", "Device name", "", Ask::Text)),
            k(&["device_incident"], f("device.manufacturer", "Manufacturer (optional)", "", Ask::Text)),
            k(&["device_incident"], f("device.gtin", "GTIN or barcode number (optional)", "The 14-digit number after (01) on the label.", Ask::Text)),
            k(&["device_incident"], f("device.lot", "Lot or batch (optional)", "", Ask::Text)),
            k(&["device_incident"], f("device.serial", "Serial number (optional)", "", Ask::Text)),
            k(&["device_incident"], f("device.expiry", "Expiry date (optional)", "", Ask::Text)),
            k(&["device_incident"], f("device.implanted", "Is the device implanted?", "", Ask::YesNo)),
            k(&["suspicious_activity"], f("suspicious.channel", "How did it reach you?", "", Ask::Set("suspicious_channel"))),
            k(&["suspicious_activity"], f("suspicious.interacted", "Did anyone click, reply, plug it in or give information?", "", Ask::YesNo)),
        ],
    },
    PageSpec {
        slug: "patients",
        title: "Was a patient harmed?",
        fields: &[
            f("patient.physical_harm", "Physical harm to the patient most affected", "Choose none if no patient was involved.", Ask::Set("physical_harm")),
            f("patient.psychological_harm", "Psychological harm to that patient", "", Ask::Set("psychological_harm")),
            f("patient.clinical_outcome", "What happened to the patient? (optional)", "Do not identify the patient.", Ask::Text),
            f("safeguarding_concern", "Is there a safeguarding concern?", "A risk of abuse or neglect to a child or adult. The safeguarding lead will be told.", Ask::YesNo),
        ],
    },
    PageSpec {
        slug: "about-you",
        title: "About you",
        fields: &[
            f("identity", "Do you want to give your name?", "If you are worried about speaking up, you can also talk to your organisation's Freedom to Speak Up guardian.", Ask::Choice(IDENTITY)),
            f("reporter.name", "Your name (optional if anonymous)", "", Ask::Text),
            f("reporter.role", "Your role (optional)", "", Ask::Set("reporter_role")),
            f("reporter.email", "Email (optional)", "", Ask::Email),
            f("reporter.phone", "Phone (optional)", "", Ask::Tel),
        ],
    },
];

fn spec(slug: &str) -> Option<&'static PageSpec> {
    PAGES.iter().find(|p| p.slug == slug)
}

fn applies(field: &Field, draft: &Draft) -> bool {
    field.kinds.is_empty() || draft.get("kind").is_some_and(|k| field.kinds.contains(&k.as_str()))
}

fn next_after(slug: &str, draft: &Draft) -> String {
    match slug {
        "kind" if draft.get("kind").map(String::as_str) == Some("not_sure") => "/report/help".into(),
        "kind" => "/report/urgency".into(),
        "urgency" if needs_urgent_contacts(draft) => "/report/urgent".into(),
        "urgency" => "/report/details".into(),
        "details" => "/report/patients".into(),
        "patients" => "/report/screenshots".into(),
        "screenshots" => "/report/about-you".into(),
        _ => "/report/check".into(),
    }
}

fn back_of(slug: &str) -> &'static str {
    match slug {
        "kind" => "/report",
        "urgency" => "/report/kind",
        "details" => "/report/urgency",
        "patients" => "/report/details",
        "screenshots" => "/report/patients",
        "about-you" => "/report/screenshots",
        _ => "/report/about-you",
    }
}

fn needs_urgent_contacts(d: &Draft) -> bool {
    let kind = d.get("kind").map(String::as_str).unwrap_or_default();
    let urgent = matches!(d.get("urgency").map(String::as_str), Some("urgent" | "immediate"));
    d.get("patients_harmed_now").map(String::as_str) == Some("yes")
        || (urgent && matches!(kind, "cyber_incident" | "suspicious_activity"))
}

/// London wall-clock `YYYY-MM-DDTHH:MM` (a `datetime-local` value) to UTC RFC 3339.
fn london_to_utc(v: &str) -> Option<String> {
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M").ok()?;
    let t = chrono_tz::Europe::London.from_local_datetime(&naive).earliest()?;
    Some(t.with_timezone(&Utc).to_rfc3339())
}

fn lines(v: Option<&String>) -> Vec<String> {
    v.map(|s| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

/// Build the report body the API would receive from the draft.
fn body_json(d: &Draft) -> Value {
    let g = |k: &str| d.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let s = |k: &str| g(k).map(Value::String).unwrap_or(Value::Null);
    let yes = |k: &str| g(k).as_deref() == Some("yes");
    let when = |k: &str| match g(k) {
        Some(v) => london_to_utc(&v).map(Value::String).unwrap_or(Value::String(v)),
        None => Value::Null,
    };
    let kind = g("kind").unwrap_or_default();
    let mut b = Map::new();
    b.insert("kind".into(), Value::String(kind.clone()));
    b.insert("event_type".into(), Value::String(g("event_type").unwrap_or_default()));
    b.insert(
        "ods_code".into(),
        Value::String(g("ods_code").unwrap_or_default().to_uppercase()),
    );
    b.insert("organisation_name".into(), s("organisation_name"));
    b.insert("title".into(), Value::String(g("title").unwrap_or_default()));
    b.insert("narrative".into(), Value::String(g("narrative").unwrap_or_default()));
    b.insert("immediate_actions".into(), s("immediate_actions"));
    for t in ["occurred_at", "detected_at", "aware_at"] {
        b.insert(t.into(), when(t));
    }
    b.insert(
        "patients_harmed_now".into(),
        Value::String(g("patients_harmed_now").unwrap_or_default()),
    );
    b.insert("urgency".into(), Value::String(g("urgency").unwrap_or_default()));
    b.insert("safeguarding_concern".into(), Value::Bool(yes("safeguarding_concern")));
    let patients = match g("patient.physical_harm") {
        Some(p) => json!([{
            "physical_harm": p,
            "psychological_harm": g("patient.psychological_harm").unwrap_or_else(|| "none".into()),
            "clinical_outcome": s("patient.clinical_outcome"),
        }]),
        None => json!([]),
    };
    b.insert("patients".into(), patients);
    let identity = g("identity").unwrap_or_else(|| "anonymous".into());
    let anonymous = identity == "anonymous";
    b.insert("confidential".into(), Value::Bool(identity == "confidential"));
    b.insert(
        "reporter".into(),
        if anonymous {
            json!({ "anonymous": true, "role": s("reporter.role") })
        } else {
            json!({
                "anonymous": false,
                "name": s("reporter.name"),
                "role": s("reporter.role"),
                "email": s("reporter.email"),
                "phone": s("reporter.phone"),
            })
        },
    );
    if g("system.product").is_some() || g("system.supplier").is_some() || kind == "clinical_safety" {
        b.insert(
            "system".into(),
            json!({
                "product": g("system.product").unwrap_or_default(),
                "supplier": g("system.supplier").unwrap_or_default(),
                "version": s("system.version"),
                "module": s("system.module"),
            }),
        );
    }
    match kind.as_str() {
        "cyber_incident" => {
            let contact = json!({
                "name": g("cyber.contact.name").unwrap_or_default(),
                "role": g("cyber.contact.role").unwrap_or_default(),
                "email": s("cyber.contact.email"),
                "phone": s("cyber.contact.phone"),
                "single_point_of_contact": true,
            });
            let refs = match g("cyber.local_reference") {
                Some(r) => json!([{ "reference": r, "url": s("cyber.local_reference_url") }]),
                None => json!([]),
            };
            b.insert(
                "cyber".into(),
                json!({
                    "contacts": [contact],
                    "local_references": refs,
                    "suppliers_involved": lines(d.get("cyber.suppliers_involved")),
                    "investigation_stage": g("cyber.investigation_stage").unwrap_or_default(),
                    "classification": g("cyber.classification").unwrap_or_default(),
                    "impact": {
                        "assets": lines(d.get("cyber.impact.assets")),
                        "services": lines(d.get("cyber.impact.services")),
                        "patients": g("cyber.impact.patients").unwrap_or_default(),
                    },
                    "indicators_raw": s("cyber.indicators_raw"),
                    "request_type": g("cyber.request_type").unwrap_or_default(),
                }),
            );
        }
        "vulnerability" => {
            b.insert(
                "vulnerability".into(),
                json!({
                    "affected_product": g("vulnerability.affected_product").unwrap_or_default(),
                    "affected_version": s("vulnerability.affected_version"),
                    "description": g("vulnerability.description").unwrap_or_default(),
                    "cvss_vector": s("vulnerability.cvss_vector"),
                }),
            );
        }
        "device_incident" => {
            b.insert(
                "device".into(),
                json!({
                    "device_name": g("device.device_name").unwrap_or_default(),
                    "manufacturer": s("device.manufacturer"),
                    "gtin": s("device.gtin"),
                    "lot": s("device.lot"),
                    "serial": s("device.serial"),
                    "expiry": s("device.expiry"),
                    "implanted": yes("device.implanted"),
                }),
            );
        }
        "suspicious_activity" => {
            b.insert(
                "suspicious".into(),
                json!({
                    "channel": g("suspicious.channel").unwrap_or_default(),
                    "interacted": yes("suspicious.interacted"),
                }),
            );
        }
        _ => {}
    }
    Value::Object(b)
}

/// The form field a domain validation path belongs to.
fn field_of(path: &str) -> String {
    let p = path
        .replace("patients[0].", "patient.")
        .replace("cyber.contacts[0].", "cyber.contact.")
        .replace("cyber.local_references[0].reference", "cyber.local_reference")
        .replace("cyber.local_references[0].url", "cyber.local_reference_url");
    match p.as_str() {
        "reporter.anonymous" | "confidential" => "identity".into(),
        "patients" => "patient.physical_harm".into(),
        "cyber.contacts" | "cyber.contacts[0]" => "cyber.contact.email".into(),
        "system" => "system.product".into(),
        _ if p.starts_with("cyber.suppliers_involved") => "cyber.suppliers_involved".into(),
        _ if p.starts_with("cyber.impact.assets") => "cyber.impact.assets".into(),
        _ if p.starts_with("cyber.impact.services") => "cyber.impact.services".into(),
        _ => p,
    }
}

/// A page message for a domain error on a form field: what to do, in the question's own words.
fn page_message(field: &str, code: &str, message: &str) -> String {
    let Some(fld) = PAGES.iter().flat_map(|p| p.fields.iter()).find(|f| f.name == field) else {
        return message.to_string();
    };
    let what = fld.label.trim_end_matches(" (optional)").trim_end_matches('?');
    let lower = {
        let mut c = what.chars();
        c.next()
            .map(|f| f.to_lowercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    match (code, fld.ask) {
        ("required", Ask::Set(_) | Ask::Choice(_) | Ask::YesNo) | ("unknown_value", Ask::Set(_) | Ask::Choice(_)) => {
            format!("Select an answer: {lower}")
        }
        ("required", _) => format!("Enter an answer: {lower}"),
        _ => format!("{what}: {message}"),
    }
}

/// Validate the whole draft as the API would; errors keyed by form field, worded for the page.
fn validate(st: &AppState, d: &Draft) -> Result<ReportBody, Vec<(String, String)>> {
    let body: ReportBody = match serde_json::from_value(body_json(d)) {
        Ok(b) => b,
        Err(_) => {
            let kind_ok = d
                .get("kind")
                .is_some_and(|k| KINDS.iter().any(|(v, _, _)| v == k && *v != "not_sure"));
            let message = if kind_ok {
                "Some answers could not be read: check each page and try again"
            } else {
                "Select what the problem is about"
            };
            return Err(vec![("kind".into(), message.into())]);
        }
    };
    match body.clone().validate(&st.taxonomy, Utc::now()) {
        Ok(_) => Ok(body),
        Err(v) => Err(v
            .errors
            .into_iter()
            .map(|e| {
                let field = field_of(&e.path);
                let message = page_message(&field, &e.code, &e.message);
                (field, message)
            })
            .collect()),
    }
}

fn field_id(name: &str) -> String {
    name.replace('.', "-")
}

fn options(st: &AppState, ask: Ask) -> Vec<(String, String, String)> {
    match ask {
        Ask::Set(set) => st
            .taxonomy
            .set(set)
            .iter()
            .map(|e| (e.code.clone(), e.label.clone(), String::new()))
            .collect(),
        Ask::Choice(c) => c
            .iter()
            .map(|(v, l, h)| (v.to_string(), l.to_string(), h.to_string()))
            .collect(),
        Ask::YesNo => vec![
            ("yes".into(), "Yes".into(), String::new()),
            ("no".into(), "No".into(), String::new()),
        ],
        _ => Vec::new(),
    }
}

fn render_field(st: &AppState, fld: &Field, value: Option<&String>, error: Option<&String>, heading: bool) -> String {
    let id = field_id(fld.name);
    let hint = (!fld.hint.is_empty()).then(|| json!({ "text": fld.hint }));
    let err = error.map(|e| json!({ "text": e }));
    let v = value.cloned().unwrap_or_default();
    let label_classes = if heading { "nhsuk-label--l" } else { "nhsuk-label--s" };
    match fld.ask {
        Ask::Text | Ask::Email | Ask::Tel | Ask::When => {
            let (ty, auto) = match fld.ask {
                Ask::Email => ("email", Some("email")),
                Ask::Tel => ("tel", Some("tel")),
                Ask::When => ("datetime-local", None),
                _ => ("text", None),
            };
            let mut p = json!({
                "id": id, "name": fld.name, "type": ty, "value": v,
                "label": { "text": fld.label, "classes": label_classes, "isPageHeading": heading },
            });
            if let Some(a) = auto {
                p["autocomplete"] = json!(a);
            }
            if let Some(h) = hint {
                p["hint"] = h;
            }
            if let Some(e) = err {
                p["errorMessage"] = e;
            }
            c("input", p)
        }
        Ask::Long => {
            let mut p = json!({
                "id": id, "name": fld.name, "value": v, "rows": 5,
                "label": { "text": fld.label, "classes": label_classes, "isPageHeading": heading },
            });
            if let Some(h) = hint {
                p["hint"] = h;
            }
            if let Some(e) = err {
                p["errorMessage"] = e;
            }
            c("textarea", p)
        }
        Ask::Set(_) | Ask::Choice(_) | Ask::YesNo => {
            let items: Vec<Value> = options(st, fld.ask)
                .into_iter()
                .map(|(code, label, h)| {
                    let mut i = json!({ "value": code, "text": label, "checked": v == code });
                    if !h.is_empty() {
                        i["hint"] = json!({ "text": h });
                    }
                    i
                })
                .collect();
            let legend_classes = if heading {
                "nhsuk-fieldset__legend--l"
            } else {
                "nhsuk-fieldset__legend--s"
            };
            let mut p = json!({
                "idPrefix": id, "name": fld.name, "items": items,
                "fieldset": { "legend": { "text": fld.label, "classes": legend_classes, "isPageHeading": heading } },
            });
            if let Some(h) = hint {
                p["hint"] = h;
            }
            if let Some(e) = err {
                p["errorMessage"] = e;
            }
            c("radios", p)
        }
    }
}

pub(super) async fn load(st: &AppState, headers: &HeaderMap) -> Option<(String, Draft)> {
    let id = super::cookie(headers, DRAFT_COOKIE)?;
    let data = st.store.draft(&id, Utc::now()).await.ok()??;
    let d: Draft = serde_json::from_str(&data).ok()?;
    Some((id, d))
}

pub(super) async fn save(st: &AppState, id: &str, d: &Draft) -> Result<(), Response> {
    let data = serde_json::to_string(d).map_err(|e| internal(&e.to_string()))?;
    st.store
        .put_draft(id, &data, Utc::now() + chrono::Duration::hours(DRAFT_HOURS))
        .await
        .map_err(|e| internal(&e.to_string()))
}

pub(super) fn internal(e: &str) -> Response {
    tracing::error!(error = e, "journey failed");
    super::error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Sorry, there is a problem with the service",
        "Your answers are saved. Try again in a few minutes. If patients are at risk now, phone your local escalation route.",
    )
}

pub(super) fn expired() -> Response {
    let mut r = see_other("/report");
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(super) fn with_cookies(mut r: Response, cookies: &[Option<String>]) -> Response {
    for c in cookies.iter().flatten() {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

pub(super) fn secure(st: &AppState) -> bool {
    st.config.secure_cookies
}

/// Contacts from the routing directory for a destination id: "name: value (hours)".
fn contacts(st: &AppState, id: &str) -> Vec<(String, String, String)> {
    st.routing
        .tables()
        .directory
        .get(id)
        .map(|d| {
            d.contacts
                .iter()
                .map(|c| (d.name.clone(), c.value.clone(), c.hours.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn phones(st: &AppState, id: &str) -> String {
    st.routing
        .tables()
        .directory
        .get(id)
        .map(|d| {
            d.contacts
                .iter()
                .filter(|c| c.method == candour_core::routing::Method::Phone)
                .map(|c| format!("{} ({})", c.value, c.hours))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// `GET /report`: the start page.
pub async fn start_page(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (token, set) = csrf::token(&headers, secure(&st));
    let csoc = phones(&st, "nhs_csoc");
    let bridge = phones(&st, "nhse_service_bridge");
    let main = format!(
        r#"<h1>Report a safety problem</h1>
<p>Use this service to report a problem with a health IT system, a cyber security incident, something suspicious, a vulnerability, or a problem with a medical or implanted device. It takes about 2 minutes.</p>
<p>We send your report to everyone who must know: your Clinical Safety Officer, the supplier, and national bodies such as NHS England's Cyber Security Operations Centre. We keep chasing until a person has acknowledged it, and you can follow it with a private link.</p>
{warn}
<form method="post" action="/report/start" novalidate>{field}{button}</form>"#,
        warn = c(
            "warning-callout",
            json!({
                "heading": "If patients are at risk right now",
                "headingLevel": "2",
                "html": format!(
                    "<p>Make patients safe first and phone your local escalation route (your site duty manager or on-call team).</p><p>For an urgent cyber incident, phone NHS CSOC on {} at any time.</p><p>For a national NHS system, phone the NHS England Service Bridge on {}.</p>",
                    esc(&csoc), esc(&bridge)
                ),
            })
        ),
        field = csrf::field(&token),
        button = c("button", json!({ "text": "Start now" })),
    );
    with_cookies(
        page(
            StatusCode::OK,
            Page {
                title: "Report a safety problem",
                back: None,
                main,
                has_errors: false,
            },
        ),
        &[set],
    )
}

/// `POST /report/start`: open a draft.
pub async fn start(State(st): State<AppState>, headers: HeaderMap, Form(form): Form<Draft>) -> Response {
    if !csrf::check(&headers, form.get(csrf::FIELD).map(String::as_str)) {
        return forbidden();
    }
    let (id, _) = crate::auth::new_token();
    if let Err(r) = save(&st, &id, &Draft::new()).await {
        return r;
    }
    let cookie = super::set_cookie(DRAFT_COOKIE, &id, DRAFT_HOURS * 3600, secure(&st));
    with_cookies(see_other("/report/kind"), &[Some(cookie)])
}

pub(super) fn forbidden() -> Response {
    super::error_page(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "For your security, forms only work for a while. Go back, refresh the page and try again.",
    )
}

fn render_step(st: &AppState, spec: &PageSpec, d: &Draft, errors: &[(String, String)], token: &str) -> Response {
    let fields: Vec<&Field> = spec.fields.iter().filter(|f| applies(f, d)).collect();
    let single = fields.len() == 1;
    let mut main = String::new();
    if !errors.is_empty() {
        let list: Vec<Value> = errors
            .iter()
            .map(|(f, m)| json!({ "text": m, "href": format!("#{}", field_id(f)) }))
            .collect();
        main.push_str(&c(
            "error-summary",
            json!({ "titleText": "There is a problem", "errorList": list }),
        ));
    }
    if !single {
        main.push_str(&format!("<h1 class=\"nhsuk-heading-l\">{}</h1>", esc(spec.title)));
    }
    main.push_str(&format!(
        "<form method=\"post\" action=\"/report/{}\" novalidate>{}",
        spec.slug,
        csrf::field(token)
    ));
    for fld in &fields {
        let err = errors.iter().find(|(f, _)| f == fld.name).map(|(_, m)| m);
        main.push_str(&render_field(st, fld, d.get(fld.name), err, single));
    }
    main.push_str(&c("button", json!({ "text": "Continue" })));
    main.push_str("</form>");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        Page {
            title: spec.title,
            back: Some(back_of(spec.slug)),
            main,
            has_errors: !errors.is_empty(),
        },
    )
}

/// `GET /report/{step}`
pub async fn step_page(State(st): State<AppState>, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    let Some(spec) = spec(&slug) else {
        return super::error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "Check the address and try again.",
        );
    };
    let Some((_, d)) = load(&st, &headers).await else {
        return expired();
    };
    let (token, set) = csrf::token(&headers, secure(&st));
    with_cookies(render_step(&st, spec, &d, &[], &token), &[set])
}

/// `POST /report/{step}`: keep the answers, check this page's fields, go on.
pub async fn step_post(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(form): Form<Draft>,
) -> Response {
    let Some(spec) = spec(&slug) else {
        return super::error_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "Check the address and try again.",
        );
    };
    if !csrf::check(&headers, form.get(csrf::FIELD).map(String::as_str)) {
        return forbidden();
    }
    let Some((id, mut d)) = load(&st, &headers).await else {
        return expired();
    };
    for fld in spec.fields {
        match form.get(fld.name) {
            Some(v) => {
                d.insert(fld.name.to_string(), v.clone());
            }
            None => {
                d.remove(fld.name);
            }
        }
    }
    if let Err(r) = save(&st, &id, &d).await {
        return r;
    }
    if d.get("kind").map(String::as_str) == Some("not_sure") {
        // Not a kind of report yet: help them choose one.
        return see_other("/report/help");
    }
    let mine: Vec<&str> = spec.fields.iter().filter(|f| applies(f, &d)).map(|f| f.name).collect();
    let mut errors: Vec<(String, String)> = match validate(&st, &d) {
        Ok(_) => Vec::new(),
        Err(e) => e.into_iter().filter(|(f, _)| mine.contains(&f.as_str())).collect(),
    };
    // Questions the domain model answers with a default must still be asked here.
    for fld in spec.fields.iter().filter(|f| applies(f, &d)) {
        let required =
            matches!(fld.ask, Ask::Set(_) | Ask::Choice(_) | Ask::YesNo) && !fld.label.ends_with("(optional)");
        if required && d.get(fld.name).is_none_or(|v| v.is_empty()) && !errors.iter().any(|(f, _)| f == fld.name) {
            errors.push((
                fld.name.to_string(),
                format!("Select an answer: {}", fld.label.to_lowercase()),
            ));
        }
    }
    // In the order the questions appear on the page.
    errors.sort_by_key(|(f, _)| spec.fields.iter().position(|x| x.name == f).unwrap_or(usize::MAX));
    errors.dedup_by(|a, b| a.0 == b.0);
    if !errors.is_empty() {
        let (token, _) = csrf::token(&headers, secure(&st));
        return render_step(&st, spec, &d, &errors, &token);
    }
    // Once they have seen "check your answers", a change takes them straight back there (the check page
    // lists anything a changed answer now needs). Urgent contacts are still shown first.
    let next = next_after(&slug, &d);
    if d.contains_key(REVIEWED) && next != "/report/urgent" && next != "/report/help" {
        return see_other("/report/check");
    }
    see_other(&next)
}

/// `GET /report/help`: for "I'm not sure".
pub async fn help() -> Response {
    let mut main = String::from("<h1>Which kind of problem is it?</h1>");
    for (_, label, hint) in KINDS.iter().filter(|k| k.0 != "not_sure") {
        main.push_str(&format!(
            "<h2 class=\"nhsuk-heading-s\">{}</h2><p>{}</p>",
            esc(label),
            esc(hint)
        ));
    }
    main.push_str("<p>If it could be more than one, choose the one that puts patients at most risk: we pass it on to everyone who needs to know.</p>");
    main.push_str("<p><a href=\"/report/kind\">Choose the kind of problem</a></p>");
    page(
        StatusCode::OK,
        Page {
            title: "Which kind of problem is it?",
            back: Some("/report/kind"),
            main,
            has_errors: false,
        },
    )
}

/// `GET /report/urgent`: who to phone now.
pub async fn urgent(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some((_, d)) = load(&st, &headers).await else {
        return expired();
    };
    let kind = d.get("kind").map(String::as_str).unwrap_or_default();
    let mut main = String::from("<h1>Phone now, then finish this report</h1>");
    if d.get("patients_harmed_now").map(String::as_str) == Some("yes") {
        let local: Vec<String> = contacts(&st, "org_escalation")
            .into_iter()
            .map(|(n, v, h)| format!("<li>{}: <strong>{}</strong> ({})</li>", esc(&n), esc(&v), esc(&h)))
            .collect();
        main.push_str(&c(
            "warning-callout",
            json!({
                "heading": "Patients are at risk",
                "headingLevel": "2",
                "html": format!("<p>Make patients safe first. Phone your local escalation route now:</p><ul>{}</ul>", local.join("")),
            }),
        ));
    }
    if matches!(kind, "cyber_incident" | "suspicious_activity") {
        main.push_str(&c(
            "inset-text",
            json!({
                "html": format!(
                    "<p>Phone NHS England's Cyber Security Operations Centre (CSOC), 24 hours a day: <strong>{}</strong>.</p><p>Have ready: your organisation and ODS code, a contact name and number, what you have seen and when, which systems and services are affected, and what it is doing to patient care.</p><p>Phoning CSOC does not meet your legal duties (NIS, data protection): this report starts those clocks for you.</p>",
                    esc(&phones(&st, "nhs_csoc"))
                ),
            }),
        ));
    }
    main.push_str("<p><a class=\"nhsuk-link\" href=\"/report/details\">Continue your report</a></p>");
    page(
        StatusCode::OK,
        Page {
            title: "Phone now, then finish this report",
            back: Some("/report/urgency"),
            main,
            has_errors: false,
        },
    )
}

fn answer_text(st: &AppState, fld: &Field, v: &str) -> String {
    match fld.ask {
        Ask::Set(_) | Ask::Choice(_) | Ask::YesNo => options(st, fld.ask)
            .into_iter()
            .find(|(code, _, _)| code == v)
            .map(|(_, l, _)| l)
            .unwrap_or_else(|| v.to_string()),
        _ => v.to_string(),
    }
}

/// `GET /report/check`: check your answers.
pub async fn check_page(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some((id, mut d)) = load(&st, &headers).await else {
        return expired();
    };
    if !d.contains_key(REVIEWED) && !d.contains_key("submitted") {
        d.insert(REVIEWED.into(), "1".into());
        if let Err(r) = save(&st, &id, &d).await {
            return r;
        }
    }
    let (token, set) = csrf::token(&headers, secure(&st));
    let files = st.store.attachments(Some(&id), None).await.unwrap_or_default();
    with_cookies(render_check(&st, &d, &files, &[], &token), &[set])
}

fn render_check(
    st: &AppState,
    d: &Draft,
    files: &[candour_store::AttachmentInfo],
    errors: &[(String, String)],
    token: &str,
) -> Response {
    let mut main = String::new();
    if !errors.is_empty() {
        let list: Vec<Value> = errors
            .iter()
            .map(|(f, m)| {
                let page = PAGES
                    .iter()
                    .find(|p| p.fields.iter().any(|x| x.name == f))
                    .map(|p| p.slug)
                    .unwrap_or("kind");
                json!({ "text": m, "href": format!("/report/{page}#{}", field_id(f)) })
            })
            .collect();
        main.push_str(&c(
            "error-summary",
            json!({ "titleText": "There is a problem", "errorList": list }),
        ));
    }
    main.push_str("<h1>Check your answers before sending your report</h1>");
    for spec in PAGES {
        let rows: Vec<Value> = spec
            .fields
            .iter()
            .filter(|f| applies(f, d))
            .map(|fld| {
                let v = d.get(fld.name).map(String::as_str).unwrap_or_default();
                json!({
                    "key": { "text": fld.label.trim_end_matches(" (optional)") },
                    "value": { "text": if v.is_empty() { "Not given".to_string() } else { answer_text(st, fld, v) } },
                    "actions": { "items": [{
                        "href": format!("/report/{}#{}", spec.slug, field_id(fld.name)),
                        "text": "Change",
                        "visuallyHiddenText": fld.label.to_lowercase(),
                    }] },
                })
            })
            .collect();
        main.push_str(&format!("<h2 class=\"nhsuk-heading-m\">{}</h2>", esc(spec.title)));
        main.push_str(&c("summary-list", json!({ "rows": rows })));
        if spec.slug == "patients" {
            let names: Vec<String> = files.iter().map(|f| f.filename.clone()).collect();
            main.push_str("<h2 class=\"nhsuk-heading-m\">Screenshots</h2>");
            main.push_str(&c(
                "summary-list",
                json!({ "rows": [{
                    "key": { "text": "Screenshots" },
                    "value": { "text": if names.is_empty() { "None".to_string() } else { names.join(", ") } },
                    "actions": { "items": [{ "href": "/report/screenshots", "text": "Change", "visuallyHiddenText": "screenshots" }] },
                }] }),
            ));
        }
    }
    main.push_str(&share_preview(st, d, token));
    main.push_str("<h2 class=\"nhsuk-heading-m\">Now send your report</h2><p>Before it is shared, we remove patient names, NHS numbers and other identifiers we find in what you wrote, as shown above.</p>");
    main.push_str(&format!(
        "<form method=\"post\" action=\"/report/submit\" novalidate>{}{}</form>",
        csrf::field(token),
        c("button", json!({ "text": "Send report", "preventDoubleClick": true }))
    ));
    page(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        Page {
            title: "Check your answers",
            back: Some("/report/about-you"),
            main,
            has_errors: !errors.is_empty(),
        },
    )
}

/// Words the reporter put back (kept in the draft as a JSON list).
fn released(d: &Draft) -> Vec<String> {
    d.get(RELEASED)
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// Draft key for the words put back.
const RELEASED: &str = "released";

fn field_label(path: &str) -> String {
    if path == "title" {
        return "Summary".into();
    }
    PAGES
        .iter()
        .flat_map(|p| p.fields.iter())
        .find(|f| f.name == path)
        .map(|f| f.label.trim_end_matches(" (optional)").to_string())
        .unwrap_or_else(|| path.replace(['.', '_'], " "))
}

/// "What we will share": each field with something removed, as it will be stored, and a form to put back
/// words that are not about a patient (only kinds the reporter may undo; see `intake::RELEASABLE`).
fn share_preview(st: &AppState, d: &Draft, token: &str) -> String {
    let Ok(mut body) = validate(st, d) else {
        return String::new();
    };
    let (_, previews, _) = crate::intake::redact_releasing(&st.redactor, &mut body, &released(d));
    if previews.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<h2 class=\"nhsuk-heading-m\" id=\"share\">What we will share</h2>\
         <p>We removed what looked like patient details from what you wrote. This is what others will see.</p>",
    );
    let mut items = Vec::new();
    for p in &previews {
        out.push_str(&format!(
            "<h3 class=\"nhsuk-heading-s\">{}</h3>{}",
            esc(&field_label(&p.field)),
            c(
                "inset-text",
                json!({ "html": format!("<p>{}</p>", esc(&p.redacted).replace('\n', "<br>")) })
            )
        ));
        for (w, kind) in &p.releasable {
            if items.iter().any(|i: &Value| i["value"] == json!(w)) {
                continue;
            }
            let why = match kind {
                candour_redact::Kind::Name => "we took it for a name",
                candour_redact::Kind::Date => "we took it for a date that could identify someone",
                candour_redact::Kind::Age => "we took it for an age",
                candour_redact::Kind::Address => "we took it for an address",
                candour_redact::Kind::HospitalNumber => "we took it for a hospital number",
                _ => "we took it for a web address",
            };
            items.push(json!({ "value": w, "text": format!("\u{201c}{w}\u{201d} ({why})"),
                               "checked": p.released.contains(w) }));
        }
    }
    if !items.is_empty() {
        out.push_str(&format!(
            "<form method=\"post\" action=\"/report/check/keep\" novalidate>{}{}{}</form>",
            csrf::field(token),
            c(
                "checkboxes",
                json!({ "idPrefix": "keep", "name": "keep",
                        "fieldset": { "legend": { "text": "Put back words that are not about a patient", "classes": "nhsuk-fieldset__legend--s" } },
                        "hint": { "text": "For example the name of a computer system or a ward. Leave anything about a patient covered." },
                        "items": items })
            ),
            c("button", json!({ "text": "Update what we share", "classes": "nhsuk-button--secondary" }))
        ));
    }
    out
}

/// `POST /report/check/keep`: the words the reporter puts back (only words offered on the check page).
pub async fn keep(
    State(st): State<AppState>,
    headers: HeaderMap,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let token = pairs.iter().find(|(k, _)| k == csrf::FIELD).map(|(_, v)| v.as_str());
    if !csrf::check(&headers, token) {
        return forbidden();
    }
    let Some((id, mut d)) = load(&st, &headers).await else {
        return expired();
    };
    let offered: Vec<String> = match validate(&st, &d) {
        Ok(mut body) => crate::intake::redact_releasing(&st.redactor, &mut body, &[])
            .1
            .into_iter()
            .flat_map(|p| p.releasable.into_iter().map(|(w, _)| w))
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut chosen: Vec<String> = pairs
        .into_iter()
        .filter(|(k, v)| k == "keep" && offered.contains(v))
        .map(|(_, v)| v)
        .collect();
    chosen.dedup();
    d.insert(
        RELEASED.into(),
        serde_json::to_string(&chosen).unwrap_or_else(|_| "[]".into()),
    );
    if let Err(r) = save(&st, &id, &d).await {
        return r;
    }
    see_other("/report/check#share")
}

/// The reporter's tracking token for a draft: derived (HMAC) from the draft id, so sending twice (a double
/// click, a refresh) yields the same report and the same link.
async fn tracking_token(st: &AppState, draft_id: &str) -> Result<String, Response> {
    use hmac::Mac;
    let key = st
        .store
        .app_secret("tracking-links")
        .await
        .map_err(|e| internal(&e.to_string()))?;
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(|e| internal(&e.to_string()))?;
    m.update(draft_id.as_bytes());
    Ok(hex::encode(m.finalize().into_bytes()))
}

/// `POST /report/submit`
pub async fn submit(
    State(st): State<AppState>,
    axum::Extension(ip): axum::Extension<crate::limit::ClientIp>,
    headers: HeaderMap,
    Form(form): Form<Draft>,
) -> Response {
    if !csrf::check(&headers, form.get(csrf::FIELD).map(String::as_str)) {
        return forbidden();
    }
    if !st
        .submissions
        .allow(ip.0, st.config.submit_per_minute, std::time::Instant::now())
    {
        return super::error_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many reports from your network just now",
            &format!(
                "Wait a minute, then go back and submit again: your answers are kept. If patients are at risk now, \
                 use your local escalation route (ask switchboard for the site duty manager). For an urgent cyber \
                 incident phone the NHS England CSOC: {}.",
                phones(&st, "nhs_csoc")
            ),
        );
    }
    let Some((id, d)) = load(&st, &headers).await else {
        return expired();
    };
    if d.contains_key("submitted") {
        return see_other("/report/confirmation");
    }
    let body = match validate(&st, &d) {
        Ok(b) => b,
        Err(errors) => {
            let (token, _) = csrf::token(&headers, secure(&st));
            let files = st.store.attachments(Some(&id), None).await.unwrap_or_default();
            return render_check(&st, &d, &files, &errors, &token);
        }
    };
    let token = match tracking_token(&st, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let idem = candour_store::Idempotency {
        key: format!("web-draft:{}", crate::auth::token_hash(&id)),
        request_hash: crate::auth::token_hash(&serde_json::to_string(&d).unwrap_or_default()),
    };
    let released = released(&d);
    let (mut req, _) =
        match crate::intake::prepare_releasing(&st, &Principal::Anonymous, body, Some(idem), Utc::now(), &released)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                let (t, _) = csrf::token(&headers, secure(&st));
                let files = st.store.attachments(Some(&id), None).await.unwrap_or_default();
                return render_check(&st, &d, &files, &[("kind".into(), e.to_string())], &t);
            }
        };
    req.tracking_hash = Some(crate::auth::token_hash(&token));
    req.attachments_from_draft = Some(id.clone());
    let created = match crate::intake::store(&st, req).await {
        Ok(c) => c,
        Err(e) => return internal(&e.to_string()),
    };
    if !released.is_empty() && !created.replayed {
        // Audited by digest: the words themselves stay in the report where they were put back.
        let event = candour_core::audit::AuditEvent {
            actor: Principal::Anonymous.actor(),
            action: "report.redaction_released".into(),
            object_type: "report".into(),
            object_id: created.reference.to_string(),
            before_digest: None,
            after_digest: Some(crate::auth::token_hash(&released.join("\n"))),
        };
        if let Err(e) = st.store.record_event(event).await {
            return internal(&e.to_string());
        }
    }
    // Forget the answers (the report now holds their redacted form); keep only what the confirmation needs.
    let mut done = Draft::new();
    done.insert("submitted".into(), created.reference.to_string());
    if let Err(r) = save(&st, &id, &done).await {
        return r;
    }
    see_other("/report/confirmation")
}

/// `GET /report/confirmation`
pub async fn confirmation(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some((id, d)) = load(&st, &headers).await else {
        return expired();
    };
    let Some(reference) = d.get("submitted") else {
        return see_other("/report/check");
    };
    let token = match tracking_token(&st, &id).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let record = st
        .store
        .report_by_tracking(&crate::auth::token_hash(&token))
        .await
        .ok()
        .flatten();
    let routes: Vec<String> = record
        .as_ref()
        .and_then(|r| r.routing.as_ref())
        .map(|rt| rt.routes.iter().map(|r| format!("<li>{}</li>", esc(&r.name))).collect())
        .unwrap_or_default();
    let urgent = record
        .as_ref()
        .map(|r| {
            let b = r.report.body();
            b.patients_harmed_now == "yes" || b.urgency != "routine"
        })
        .unwrap_or(false);
    let mut main = format!(
        r#"<div class="nhsuk-card nhsuk-card--confirmation"><div class="nhsuk-card__content"><h1 class="nhsuk-card__heading">Report sent</h1><p class="nhsuk-body-l">Your reference is <strong id="reference">{}</strong></p></div></div>
<h2>Where it has gone</h2><ul>{}</ul>
<h2>What happens next</h2><p>Each of these will be asked to confirm that a person has read your report. We keep reminding them until someone does. Do not assume it has been acted on until you see a named person on your tracking page.</p>
<h2>Follow your report</h2><p>Keep this private link. It is the only way to follow your report without an account, and anyone with it can see its progress (not your name):</p>
<p><a class="nhsuk-link" id="tracking-link" href="/track/{}">Track report {}</a></p>"#,
        esc(reference),
        routes.join(""),
        esc(&token),
        esc(reference),
    );
    if urgent {
        main.push_str(&c(
            "warning-callout",
            json!({
                "heading": "If it is urgent, phone as well",
                "headingLevel": "2",
                "html": format!(
                    "<p>Local escalation: phone your site duty manager or on-call team. Cyber incidents: NHS CSOC on {}.</p>",
                    esc(&phones(&st, "nhs_csoc"))
                ),
            }),
        ));
    }
    let mut r = page(
        StatusCode::OK,
        Page {
            title: "Report sent",
            back: None,
            main,
            has_errors: false,
        },
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn london_times_become_utc_across_the_clock_change() {
        assert_eq!(
            london_to_utc("2026-07-01T09:00").as_deref(),
            Some("2026-07-01T08:00:00+00:00")
        );
        assert_eq!(
            london_to_utc("2026-12-01T09:00").as_deref(),
            Some("2026-12-01T09:00:00+00:00")
        );
        // 01:30 on 29 March 2026 does not exist in London (clocks go forward at 01:00).
        assert_eq!(london_to_utc("2026-03-29T01:30"), None);
        assert_eq!(london_to_utc("yesterday"), None);
    }

    #[test]
    fn domain_error_paths_map_to_the_form_fields_that_own_them() {
        assert_eq!(field_of("patients[0].physical_harm"), "patient.physical_harm");
        assert_eq!(field_of("cyber.contacts[0].name"), "cyber.contact.name");
        assert_eq!(field_of("cyber.impact.assets[2]"), "cyber.impact.assets");
        assert_eq!(field_of("ods_code"), "ods_code");
        assert_eq!(field_of("cyber.contacts[0]"), "cyber.contact.email");
        assert_eq!(field_of("cyber.contacts"), "cyber.contact.email");
        assert_eq!(field_of("system"), "system.product");
        for p in PAGES {
            for f in p.fields {
                assert_eq!(field_of(f.name), f.name, "{} must map to itself", f.name);
            }
        }
    }

    #[test]
    fn page_messages_say_which_question_and_what_to_do() {
        assert_eq!(
            page_message("ods_code", "required", "is required"),
            "Enter an answer: your organisation's ODS code"
        );
        assert_eq!(
            page_message("event_type", "required", "is required (one of: incident, outcome)"),
            "Select an answer: what kind of event was it"
        );
        assert!(
            page_message("cyber.contact.email", "invalid", "is not an email address")
                .starts_with("Single point of contact: email: ")
        );
        assert_eq!(page_message("nowhere", "required", "is required"), "is required");
    }

    #[test]
    fn anonymous_reporters_send_no_contact_details() {
        let mut d = Draft::new();
        d.insert("identity".into(), "anonymous".into());
        d.insert("reporter.name".into(), "Alex Morgan".into());
        let b = body_json(&d);
        assert_eq!(b["reporter"]["anonymous"], json!(true));
        assert!(b["reporter"].get("name").is_none());
    }
}
