//! On a report's workspace page: who is working on it (assignment) and its notes (what the reporter added
//! through their tracking link, and staff's internal notes). Note text is redacted like every shared field.

use super::workspace::{acting, render_report, ActForm};
use super::{c, csrf, esc, see_other};
use crate::api::ReportView;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::identity::{Principal, TransitionReports};
use serde_json::json;

/// Longest note, in characters.
pub const NOTE_MAX: usize = 5000;

/// The assignment and notes section. Field ids: `assign-assignee`, `note-text`.
pub(super) fn section(
    v: &ReportView,
    who: &Principal,
    token: &str,
    sent: Option<&ActForm>,
    errors: &[(String, String)],
) -> String {
    let err = |id: &str| errors.iter().find(|(f, _)| f == id).map(|(_, m)| json!({ "text": m }));
    let value = |action: &str, k: &str| {
        sent.filter(|f| f.action == action)
            .and_then(|f| f.fields.get(k).cloned())
            .unwrap_or_default()
    };
    let can_act = who.can::<TransitionReports>().is_some();
    let assigned = match &v.assignment {
        Some(a) => format!(
            "Assigned to <strong>{}</strong> ({}) by {}, {}.",
            esc(&a.assignee_name),
            esc(&a.assignee),
            esc(&a.assigned_by),
            esc(&candour_core::time::london(a.at))
        ),
        None => "Nobody is assigned to this report.".to_string(),
    };
    let form = |action: &str, inner: String| {
        format!(
            "<form method=\"post\" action=\"/workspace/reports/{r}/{action}\" novalidate>{csrf}\
             <input type=\"hidden\" name=\"action\" value=\"{action}\">\
             <input type=\"hidden\" name=\"expected_revision\" value=\"{rev}\">{inner}</form>",
            r = esc(&v.reference),
            csrf = csrf::field(token),
            rev = v.revision,
        )
    };
    let assign = if can_act {
        form(
            "assign",
            format!(
                "{}<div class=\"nhsuk-button-group\">{}{}</div>",
                c(
                    "input",
                    json!({ "id": "assign-assignee", "name": "assignee", "classes": "nhsuk-input--width-20",
                            "label": { "text": "Assign to (username)" },
                            "hint": { "text": "Leave blank to assign it to yourself" },
                            "value": value("assign", "assignee"), "errorMessage": err("assign-assignee") })
                ),
                c(
                    "button",
                    json!({ "text": "Assign", "name": "do", "value": "assign", "classes": "nhsuk-button--secondary" })
                ),
                c(
                    "button",
                    json!({ "text": "Unassign", "name": "do", "value": "clear", "classes": "nhsuk-button--secondary" })
                ),
            ),
        )
    } else {
        String::new()
    };
    let items: String = v
        .notes
        .iter()
        .map(|n| {
            let who = if n.visibility == "reporter" {
                "<strong class=\"nhsuk-tag nhsuk-tag--blue\">From the reporter</strong>".to_string()
            } else {
                format!(
                    "<strong class=\"nhsuk-tag nhsuk-tag--grey\">Internal</strong> {}",
                    esc(&n.author)
                )
            };
            format!(
                "<li><p class=\"nhsuk-body-s nhsuk-u-margin-bottom-1\">{who} {}</p><p>{}</p></li>",
                esc(&candour_core::time::london(n.at)),
                esc(&n.text)
            )
        })
        .collect();
    let notes = if items.is_empty() {
        "<p>No notes yet.</p>".to_string()
    } else {
        format!("<ul class=\"nhsuk-list\">{items}</ul>")
    };
    let add = if can_act {
        form(
            "notes",
            format!(
                "{}{}",
                c(
                    "textarea",
                    json!({ "id": "note-text", "name": "text", "label": { "text": "Add an internal note" },
                            "hint": { "text": "Seen only by staff. Patient identifiers are removed." },
                            "value": value("notes", "text"), "errorMessage": err("note-text") })
                ),
                c(
                    "button",
                    json!({ "text": "Add the note", "classes": "nhsuk-button--secondary" })
                ),
            ),
        )
    } else {
        String::new()
    };
    format!("<h2>Who is working on it</h2><p>{assigned}</p>{assign}<h2>Notes</h2>{notes}{add}")
}

/// `POST /workspace/reports/{reference}/assign`
pub async fn assign(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(f): Form<ActForm>,
) -> Response {
    let here = format!("/workspace/reports/{reference}");
    let (who, can) = match acting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(parsed) = reference.parse() else {
        return render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await;
    };
    let typed = f
        .fields
        .get("assignee")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let assignee = match (f.fields.get("do").map(String::as_str), typed) {
        (Some("clear"), _) => None,
        (_, Some(u)) => Some(u),
        (_, None) => Some(super::workspace::username_of(&st, &who).await),
    };
    match st
        .store
        .assign(&can, &parsed, assignee, chrono::Utc::now())
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => see_other(&here),
        Err(ApiError::Invalid(v)) => {
            let errors: Vec<(String, String)> = v
                .errors
                .iter()
                .map(|e| ("assign-assignee".to_string(), format!("That account {}", e.message)))
                .collect();
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
        Err(ApiError::NotFound(_)) => {
            render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await
        }
        Err(e) => {
            tracing::error!(error = %e, "assigning failed");
            let errors = vec![(
                "assign-assignee".to_string(),
                "Sorry, that did not save. Try again.".to_string(),
            )];
            render_report(
                &st,
                &who,
                &headers,
                &reference,
                Some(&f),
                &errors,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
    }
}

/// `POST /workspace/reports/{reference}/notes`
pub async fn add(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Form(f): Form<ActForm>,
) -> Response {
    let here = format!("/workspace/reports/{reference}");
    let (who, can) = match acting(caller, &headers, f.csrf.as_deref(), &here) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(parsed) = reference.parse() else {
        return render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await;
    };
    let text = f.fields.get("text").map(|s| s.trim()).unwrap_or_default();
    let problem = if text.is_empty() {
        Some("Enter the note".to_string())
    } else if text.chars().count() > NOTE_MAX {
        Some(format!("Keep the note to {NOTE_MAX} characters or fewer"))
    } else {
        None
    };
    if let Some(p) = problem {
        let errors = vec![("note-text".to_string(), p)];
        return render_report(
            &st,
            &who,
            &headers,
            &reference,
            Some(&f),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let note = candour_store::NewNote {
        reference: parsed,
        visibility: "internal".into(),
        text: st.redactor.redact(text).text,
        now: chrono::Utc::now(),
    };
    match st.store.add_note(candour_store::NoteAuthor::Staff(can), note).await {
        Ok(_) => see_other(&here),
        Err(candour_store::StoreError::NotFound) => {
            render_report(&st, &who, &headers, &reference, None, &[], StatusCode::NOT_FOUND).await
        }
        Err(e) => {
            tracing::error!(error = %e, "adding a note failed");
            let errors = vec![(
                "note-text".to_string(),
                "Sorry, that did not save. Try again.".to_string(),
            )];
            render_report(
                &st,
                &who,
                &headers,
                &reference,
                Some(&f),
                &errors,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
    }
}
