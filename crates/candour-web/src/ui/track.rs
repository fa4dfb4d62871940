//! The reporter's tracking page, `/track/{token}`: no account, just the secret link from the confirmation
//! page (stored only as its SHA-256). It shows what the reporter may see: status, whether a named human
//! has acknowledged it, where it went and who there has answered, and the feedback when closed. Never
//! the reporter's own identity (anyone holding the link can open it).

use super::{c, esc, page, Page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;

/// `GET /track/{token}`
pub async fn show(State(st): State<AppState>, Path(token): Path<String>) -> Response {
    let not_found = || {
        super::error_page(
            StatusCode::NOT_FOUND,
            "We cannot find that report",
            "Check you copied the whole tracking link. Links never expire.",
        )
    };
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return not_found();
    }
    let record = match st.store.report_by_tracking(&crate::auth::token_hash(&token)).await {
        Ok(Some(r)) => r,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "tracking lookup failed");
            return super::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, there is a problem with the service",
                "Try again later.",
            );
        }
    };
    let responses = st.store.responses(record.id).await.unwrap_or_default();
    let chasing = st.store.chase_steps(record.id).await.unwrap_or_default();
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
                    let answered = responses
                        .iter()
                        .filter(|x| x.destination == r.destination && x.kind == "acknowledged")
                        .map(|x| format!("Read by {} ({})", x.name, x.role))
                        .next()
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
    let main = format!(
        "<h1>Your report: {}</h1>{}<h2>Where it went</h2>{}",
        esc(&record.report.body().title),
        c("summary-list", json!({ "rows": rows })),
        c("summary-list", json!({ "rows": dest_rows })),
    );
    let mut r = page(
        StatusCode::OK,
        Page {
            title: "Your report",
            back: None,
            main,
            has_errors: false,
        },
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}
