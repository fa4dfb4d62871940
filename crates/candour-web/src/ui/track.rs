//! The reporter's tracking page, `/track/{token}`: no account, just the secret link from the confirmation
//! page (stored only as its SHA-256). It shows what the reporter may see: status, whether a named human
//! has acknowledged it, where it went and who there has answered, and the feedback when closed. Never
//! the reporter's own identity (anyone holding the link can open it).

use super::{c, csrf, esc, page, see_other, Page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Form;
use candour_core::record::ReportRecord;
use serde::Deserialize;
use serde_json::json;

/// Longest piece of added information, in characters.
pub const ADD_MAX: usize = 5000;

fn not_found() -> Response {
    super::error_page(
        StatusCode::NOT_FOUND,
        "We cannot find that report",
        "Check you copied the whole tracking link. Links never expire.",
    )
}

/// The report a tracking token opens, or the page to show instead.
#[allow(clippy::result_large_err)]
async fn find(st: &AppState, token: &str) -> Result<ReportRecord, Response> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    match st.store.report_by_tracking(&crate::auth::token_hash(token)).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(not_found()),
        Err(e) => {
            tracing::error!(error = %e, "tracking lookup failed");
            Err(super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            ))
        }
    }
}

/// Query for the tracking page.
#[derive(Debug, Deserialize)]
pub struct TrackParams {
    added: Option<u8>,
}

/// `GET /track/{token}`
pub async fn show(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<TrackParams>,
) -> Response {
    let record = match find(&st, &token).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    let banner = q.added.map(|_| {
        c(
            "notification-banner",
            json!({ "type": "success", "text": "Thank you: what you added is with the people handling your report." }),
        )
    });
    render(&st, &headers, &token, &record, "", None, banner, StatusCode::OK).await
}

/// The added-information form.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    csrf: Option<String>,
    #[serde(default)]
    more: String,
}

/// `POST /track/{token}`: the reporter adds information. It is redacted like every shared field before it
/// is stored, and audited.
pub async fn add(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<AddForm>,
) -> Response {
    let record = match find(&st, &token).await {
        Ok(r) => r,
        Err(page) => return page,
    };
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return super::error_page(
            StatusCode::FORBIDDEN,
            "Your session has expired",
            "Go back, reload the page and try again.",
        );
    }
    let text = f.more.trim();
    let error = if record.state.status.is_terminal() {
        Some("This report is closed. If something new has happened, make a new report.".to_string())
    } else if text.is_empty() {
        Some("Enter what you want to add".to_string())
    } else if text.chars().count() > ADD_MAX {
        Some(format!("Keep it to {ADD_MAX} characters or fewer"))
    } else {
        None
    };
    if let Some(e) = error {
        return render(
            &st,
            &headers,
            &token,
            &record,
            &f.more,
            Some(&e),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let note = candour_store::NewNote {
        reference: record.reference.clone(),
        visibility: "reporter".into(),
        text: st.redactor.redact(text).text,
        now: chrono::Utc::now(),
    };
    match st.store.add_note(candour_store::NoteAuthor::Reporter, note).await {
        Ok(_) => see_other(&format!("/track/{token}?added=1")),
        Err(e) => {
            tracing::error!(error = %e, "adding information failed");
            render(
                &st,
                &headers,
                &token,
                &record,
                &f.more,
                Some("Sorry, that did not save. Try again."),
                None,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    st: &AppState,
    headers: &HeaderMap,
    token: &str,
    record: &ReportRecord,
    more: &str,
    error: Option<&str>,
    banner: Option<String>,
    status: StatusCode,
) -> Response {
    let responses = st.store.responses(record.id).await.unwrap_or_default();
    let chasing = st.store.chase_steps(record.id).await.unwrap_or_default();
    let tables = st.routing.tables();
    let ack = match &record.state.acknowledgement {
        Some(a) => format!(
            "Acknowledged by {} ({}) on {}",
            a.name,
            a.role,
            candour_core::time::london(a.at)
        ),
        None => "No person has acknowledged this report yet. We are chasing.".to_string(),
    };
    let mut rows = vec![
        json!({ "key": { "text": "Reference" }, "value": { "text": record.reference.to_string() } }),
        json!({ "key": { "text": "Status" }, "value": { "text": record.state.status.as_str().replace('_', " ") } }),
        json!({ "key": { "text": "Acknowledged" }, "value": { "text": ack } }),
        json!({ "key": { "text": "Sent" }, "value": { "text": candour_core::time::london(record.created_at) } }),
    ];
    if let Some(f) = &record.state.feedback {
        rows.push(json!({ "key": { "text": "Feedback to you" }, "value": { "text": f } }));
    }
    let dest_rows: Vec<serde_json::Value> = record
        .routing
        .as_ref()
        .map(|rt| {
            rt.routes
                .iter()
                .map(|r| {
                    // The organisation's own destinations are answered by its named acknowledgement.
                    let org_ack = record
                        .state
                        .acknowledgement
                        .as_ref()
                        .filter(|_| tables.directory.organisation_scoped(&r.destination));
                    let answered = responses
                        .iter()
                        .filter(|x| x.destination == r.destination && x.kind == "acknowledged")
                        .map(|x| format!("Read by {} ({})", x.name, x.role))
                        .next()
                        .or_else(|| org_ack.map(|a| format!("Read by {} ({})", a.name, a.role)))
                        .unwrap_or_else(|| {
                            let chased = chasing
                                .iter()
                                .filter(|c| c.destination == r.destination)
                                .map(|c| format!("; {} on {}", c.step, candour_core::time::london(c.at)))
                                .collect::<String>();
                            format!("Not yet acknowledged by a person{chased}")
                        });
                    json!({ "key": { "text": r.name }, "value": { "text": answered } })
                })
                .collect()
        })
        .unwrap_or_default();
    let notes = st.store.notes(record.id, false).await.unwrap_or_default();
    let added = if notes.is_empty() {
        String::new()
    } else {
        let items: String = notes
            .iter()
            .map(|n| {
                format!(
                    "<li><p class=\"nhsuk-body-s nhsuk-u-margin-bottom-1\">{}</p><p>{}</p></li>",
                    esc(&candour_core::time::london(n.at)),
                    esc(&n.text)
                )
            })
            .collect();
        format!("<h2>What you added</h2><ul class=\"nhsuk-list\">{items}</ul>")
    };
    let (csrf_token, set) = csrf::token(headers, st.config.secure_cookies);
    let form = if record.state.status.is_terminal() {
        "<p>This report is closed. If something new has happened, make a new report.</p>".to_string()
    } else {
        format!(
            "<form method=\"post\" action=\"/track/{t}\" novalidate>{csrf}{area}{button}</form>",
            t = esc(token),
            csrf = csrf::field(&csrf_token),
            area = c(
                "textarea",
                json!({ "id": "more", "name": "more", "value": more,
                        "label": { "text": "Add information", "classes": "nhsuk-label--m", "isPageHeading": false },
                        "hint": { "text": "Anything you have remembered or that has happened since. Do not include patient names or NHS numbers: we remove them." },
                        "errorMessage": error.map(|e| json!({ "text": e })) })
            ),
            button = c("button", json!({ "text": "Add to my report" })),
        )
    };
    let summary = error
        .map(|e| {
            c(
                "error-summary",
                json!({ "titleText": "There is a problem", "errorList": [{ "text": e, "href": "#more" }] }),
            )
        })
        .unwrap_or_default();
    let main = format!(
        "{summary}{banner}<h1>Your report: {}</h1>{}<h2>Where it went</h2>{}{added}{form}",
        esc(&record.report.body().title),
        c("summary-list", json!({ "rows": rows })),
        c("summary-list", json!({ "rows": dest_rows })),
        banner = banner.unwrap_or_default(),
    );
    let mut r = page(
        status,
        Page {
            title: "Your report",
            back: None,
            main,
            has_errors: error.is_some(),
        },
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(v) = set.and_then(|s| HeaderValue::from_str(&s).ok()) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}
