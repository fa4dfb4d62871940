//! A report's destinations on its workspace page: where it went and which rule sent it there, what was
//! sent, who there has acknowledged it (or the reminders and escalations while nobody has), and the form
//! where staff record an answer given by phone, email or in person, or a reasoned decision not to notify.

use super::workspace::{acting, render_report, ActForm};
use super::{c, csrf, esc, see_other};
use crate::api::{self, ReportView, ResponseBody};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::routing::{Directory, Method};
use candour_store::OutboxMessage;
use serde_json::{json, Value};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    candour_core::time::london(t)
}

fn sent_text(m: &OutboxMessage) -> String {
    let what = match m.purpose.as_str() {
        "reminder" => "Reminder",
        "escalation" => "Escalation",
        "patient_risk" => "Patient risk, told at once",
        "impact_review" => "CSO review requested",
        _ => "Report",
    };
    let state = match (m.status.as_str(), m.sent_at) {
        ("sent", Some(at)) => format!("sent {}", when(at)),
        ("dead", _) => format!(
            "NOT DELIVERED after {} attempts: {}",
            m.attempts,
            m.last_error.as_deref().unwrap_or("unknown error")
        ),
        _ => match &m.last_error {
            Some(e) => format!("waiting to retry ({e})"),
            None => "waiting to send".into(),
        },
    };
    format!("{what} by {} to {}: {state}", m.channel, m.address)
}

fn other_contacts(directory: &Directory, destination: &str) -> Vec<String> {
    directory
        .get(destination)
        .map(|d| {
            d.contacts
                .iter()
                .filter(|c| matches!(c.method, Method::Phone | Method::Web))
                .map(|c| {
                    let how = if c.method == Method::Phone { "Phone" } else { "Web" };
                    format!("{how}: {} ({})", c.value, c.hours)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let li: String = items.iter().map(|i| format!("<li>{}</li>", esc(i))).collect();
    format!("<ul class=\"nhsuk-list nhsuk-list--bullet nhsuk-body-s\">{li}</ul>")
}

/// The "Where it went" table.
pub(super) fn table(v: &ReportView, messages: &[OutboxMessage], directory: &Directory) -> String {
    let Some(routing) = &v.routing else {
        return "<h2>Where it went</h2><p>This report was not routed.</p>".into();
    };
    let rows: Vec<Vec<Value>> = routing
        .decision
        .routes
        .iter()
        .map(|r| {
            let why: Vec<String> = r
                .because
                .iter()
                .map(|b| format!("{} (rule {})", b.reason, b.rule))
                .collect();
            let mut sent: Vec<String> = messages
                .iter()
                .filter(|m| m.destination == r.destination)
                .map(sent_text)
                .collect();
            if sent.is_empty() {
                sent.push("Nothing sent electronically: contact them directly".into());
            }
            sent.extend(other_contacts(directory, &r.destination));
            let answers: Vec<String> = v
                .responses
                .iter()
                .filter(|x| x.destination == r.destination)
                .map(|x| match x.kind.as_str() {
                    "acknowledged" => format!(
                        "Acknowledged by {} ({}), {}, {}",
                        x.name,
                        x.role,
                        x.method.replace('_', " "),
                        when(x.at)
                    ),
                    _ => format!(
                        "Deliberately not notified: {} ({}, {}, {})",
                        x.note.as_deref().unwrap_or(""),
                        x.name,
                        x.role,
                        when(x.at)
                    ),
                })
                .collect();
            let chased: Vec<String> = v
                .chasing
                .iter()
                .filter(|x| x.destination == r.destination)
                .map(|x| {
                    let told = if x.messages == 0 {
                        "nothing could be sent: phone them".to_string()
                    } else if x.told.is_empty() || x.told == r.destination {
                        "sent".to_string()
                    } else {
                        format!(
                            "sent to {}",
                            directory.get(&x.told).map_or(x.told.as_str(), |d| d.name.as_str())
                        )
                    };
                    format!("{} {}: {told}", capitalise(&x.step), when(x.at))
                })
                .collect();
            let answer = if answers.is_empty() {
                format!(
                    "<strong class=\"nhsuk-tag nhsuk-tag--orange\">No human has acknowledged</strong>{}",
                    list(&chased)
                )
            } else {
                list(&[answers, chased].concat())
            };
            vec![
                json!({ "html": format!("<strong>{}</strong>{}", esc(&r.name), list(&why)) }),
                json!({ "html": list(&sent) }),
                json!({ "html": answer }),
            ]
        })
        .collect();
    c(
        "tables",
        json!({ "caption": "Where it went, and who has answered", "responsive": true,
                "head": [{ "text": "Destination and why" }, { "text": "Sent" }, { "text": "Answer" }],
                "rows": rows }),
    )
}

fn capitalise(s: &str) -> String {
    let mut ch = s.chars();
    ch.next()
        .map(|f| f.to_uppercase().chain(ch).collect())
        .unwrap_or_default()
}

/// The form where staff record a destination's answer. Field ids are `response-<field>`.
pub(super) fn form(v: &ReportView, token: &str, sent: Option<&ActForm>, errors: &[(String, String)]) -> String {
    let Some(routing) = &v.routing else {
        return String::new();
    };
    let mine = sent.filter(|f| f.action == "respond");
    let value = |k: &str| mine.and_then(|f| f.fields.get(k).cloned()).unwrap_or_default();
    let err = |k: &str| {
        errors
            .iter()
            .find(|(i, _)| i == &format!("response-{k}"))
            .map(|(_, t)| json!({ "text": t }))
    };
    let radios = |id: &str, legend: &str, items: Vec<(String, String)>, hint: Option<&str>| {
        let chosen = value(id);
        let items: Vec<Value> = items
            .iter()
            .map(|(v, t)| json!({ "value": v, "text": t, "checked": chosen == *v }))
            .collect();
        c(
            "radios",
            json!({ "idPrefix": format!("response-{id}"), "name": id,
                    "fieldset": { "legend": { "text": legend, "classes": "nhsuk-fieldset__legend--s" } },
                    "hint": hint.map(|h| json!({ "text": h })), "errorMessage": err(id), "items": items }),
        )
    };
    let dests = routing
        .decision
        .routes
        .iter()
        .map(|r| (r.destination.clone(), r.name.clone()))
        .collect();
    let kinds = vec![
        ("acknowledged".to_string(), "A person there acknowledged it".to_string()),
        ("not_notified".to_string(), "We decided not to notify them".to_string()),
    ];
    let methods = vec![
        ("phone".to_string(), "By phone".to_string()),
        ("email".to_string(), "By email".to_string()),
        ("in_person".to_string(), "In person".to_string()),
    ];
    let input = |id: &str, label: &str, hint: &str| {
        c(
            "input",
            json!({ "id": format!("response-{id}"), "name": id, "label": { "text": label },
                    "hint": { "text": hint }, "value": value(id), "errorMessage": err(id) }),
        )
    };
    format!(
        "<form method=\"post\" action=\"/workspace/reports/{r}/responses\" novalidate>{csrf}\
         <input type=\"hidden\" name=\"action\" value=\"respond\">\
         <input type=\"hidden\" name=\"expected_revision\" value=\"{rev}\">\
         <h3>Record an answer from a destination</h3>{dest}{kind}{name}{role}{method}{note}{button}</form>",
        r = esc(&v.reference),
        csrf = csrf::field(token),
        rev = v.revision,
        dest = radios("destination", "Which destination", dests, None),
        kind = radios("kind", "What happened", kinds, None),
        name = input(
            "name",
            "Their name",
            "For a decision not to notify: who decided (you, if left blank)"
        ),
        role = input(
            "role",
            "Their role",
            "For example: CSOC analyst, Data Protection Officer"
        ),
        method = radios(
            "method",
            "How they acknowledged it",
            methods,
            Some("Only for an acknowledgement")
        ),
        note = c(
            "textarea",
            json!({ "id": "response-note", "name": "note", "label": { "text": "Note" },
                    "hint": { "text": "Required when you decide not to notify a body: say why" },
                    "value": value("note"), "errorMessage": err("note") })
        ),
        button = c(
            "button",
            json!({ "text": "Record the answer", "classes": "nhsuk-button--secondary" })
        ),
    )
}

/// `POST /workspace/reports/{reference}/responses`: the same checks, scope and audit as
/// `POST /api/v1/reports/{reference}/destinations/{destination}/responses`.
pub async fn respond(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(f): Form<ActForm>,
) -> Response {
    let here = format!("/workspace/reports/{reference}");
    let (who, _) = match acting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let get = |k: &str| f.fields.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    let destination = get("destination").unwrap_or_else(|| {
        errors.push(("response-destination".to_string(), "Choose the destination".to_string()));
        String::new()
    });
    let kind = get("kind").unwrap_or_else(|| {
        errors.push(("response-kind".to_string(), "Choose what happened".to_string()));
        String::new()
    });
    if errors.is_empty() {
        let body = ResponseBody {
            kind,
            name: get("name"),
            role: get("role").unwrap_or_default(),
            method: get("method"),
            note: get("note"),
            at: None,
        };
        match api::save_response(&st, &who, &reference, destination, body).await {
            Ok(_) => return see_other(&here),
            Err(ApiError::Invalid(v)) => errors.extend(v.errors.iter().map(|e| {
                let msg = match (e.path.as_str(), e.code.as_str()) {
                    ("role", _) => "Enter their role".to_string(),
                    ("name", _) => "Enter the name of the person who acknowledged it".to_string(),
                    ("method", _) => "Choose how they acknowledged it".to_string(),
                    ("note", _) => "Say why you decided not to notify them".to_string(),
                    _ => e.message.clone(),
                };
                (format!("response-{}", e.path), msg)
            })),
            Err(ApiError::Forbidden(m)) => errors.push(("response-destination".into(), m)),
            Err(ApiError::NotFound(_)) => {
                return render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await
            }
            Err(e) => {
                tracing::error!(error = %e, "recording a destination's answer failed");
                errors.push((
                    "response-destination".into(),
                    "Sorry, that did not save. Try again.".into(),
                ));
            }
        }
    }
    render_report(
        &st,
        &who,
        &headers,
        &reference,
        Some(&f),
        &errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
