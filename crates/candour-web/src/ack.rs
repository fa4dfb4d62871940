//! Acknowledgement links (`/ack/{token}`): a person at a destination confirms, with their name and role,
//! that they have seen a report. The token is signed and expiring (`candour_core::acklink`); a destination
//! acknowledges once. Plain HTML that works without JavaScript; every value is escaped.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use candour_core::acklink;
use candour_store::{NewResponse, Responder};
use chrono::Utc;
use serde::Deserialize;

/// Escape text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} - Candour</title></head><body><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title)
    );
    (status, Html(html)).into_response()
}

async fn message_for(st: &AppState, token: &str) -> Result<candour_store::OutboxMessage, Response> {
    let key = st.store.app_secret("ack_links").await.map_err(|_| {
        page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again",
            "<p>Candour is busy. Please try the link again in a minute.</p>",
        )
    })?;
    let id = acklink::verify(&key, token, Utc::now()).map_err(|e| {
        page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            &format!("<p>{}.</p>", esc(&e.to_string())),
        )
    })?;
    match st.store.outbox_message(id).await {
        Ok(Some(m)) => Ok(m),
        _ => Err(page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            "<p>This acknowledgement link is not valid.</p>",
        )),
    }
}

fn form(m: &candour_store::OutboxMessage, error: Option<&str>) -> String {
    let err = error
        .map(|e| format!("<p role=\"alert\"><strong>There is a problem:</strong> {}</p>", esc(e)))
        .unwrap_or_default();
    format!(
        "<p>Report <strong>{r}</strong>: {s}</p>{err}\
         <form method=\"post\"><p><label for=\"name\">Your name</label><br><input id=\"name\" name=\"name\" autocomplete=\"name\" required></p>\
         <p><label for=\"role\">Your role</label><br><input id=\"role\" name=\"role\" autocomplete=\"organization-title\" required></p>\
         <p><button type=\"submit\">I have seen this report</button></p></form>",
        r = esc(&m.reference),
        s = esc(&m.subject)
    )
}

/// `GET /ack/{token}`.
pub async fn show(State(st): State<AppState>, Path(token): Path<String>) -> Response {
    let m = match message_for(&st, &token).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    page(StatusCode::OK, "Confirm you have seen this report", &form(&m, None))
}

/// The acknowledgement form.
#[derive(Debug, Deserialize)]
pub struct AckForm {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Role.
    #[serde(default)]
    pub role: String,
}

/// `POST /ack/{token}`.
pub async fn record(State(st): State<AppState>, Path(token): Path<String>, Form(f): Form<AckForm>) -> Response {
    let m = match message_for(&st, &token).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let (name, role) = (f.name.trim().to_string(), f.role.trim().to_string());
    if name.is_empty() || role.is_empty() || name.chars().count() > 200 || role.chars().count() > 200 {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Confirm you have seen this report",
            &form(&m, Some("enter your name and your role")),
        );
    }
    let r = NewResponse {
        by: Responder::Link { message_id: m.id },
        kind: "acknowledged".into(),
        name,
        role,
        method: "link".into(),
        note: None,
        now: Utc::now(),
    };
    match st.store.record_response(None, r).await {
        Ok(rec) if rec.already => page(
            StatusCode::OK,
            "Already acknowledged",
            &format!(
                "<p>{} ({}) acknowledged report {} on {}. Thank you.</p>",
                esc(&rec.response.name),
                esc(&rec.response.role),
                esc(&rec.reference),
                esc(&candour_core::time::london(rec.response.at))
            ),
        ),
        Ok(rec) => page(StatusCode::OK, "Thank you", &format!("<p>Your acknowledgement of report {} is recorded. The reporter can now see that a person has seen it.</p>", esc(&rec.reference))),
        Err(_) => page(StatusCode::SERVICE_UNAVAILABLE, "Please try again", "<p>Your acknowledgement could not be saved. Please try again.</p>"),
    }
}
