//! The journey's screenshot step, `/report/screenshots`: the reporter may attach up to [`MAX_FILES`] PNG or
//! JPEG files of at most [`MAX_BYTES`] each (the type is checked from the file's first bytes, not its name).
//! Screenshots often show patient details, so they are kept with the report and shown to nobody until they
//! can be redacted; staff see only that they exist.

use super::journey::{expired, forbidden, internal, load, secure, with_cookies};
use super::{c, csrf, esc, page, see_other, Page};
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use serde_json::json;

/// Most files per report.
pub const MAX_FILES: i64 = 5;
/// Largest file, bytes.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Largest upload request (every file at once, with room for the form fields).
pub const BODY_LIMIT: usize = MAX_FILES as usize * MAX_BYTES + 64 * 1024;

/// The media type a file's first bytes show, if it is one Candour takes.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if s.trim().is_empty() {
        "screenshot".into()
    } else {
        s
    }
}

fn human_size(n: i64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (n + 1023) / 1024)
    }
}

async fn render(st: &AppState, headers: &HeaderMap, id: &str, error: Option<&str>, status: StatusCode) -> Response {
    let held = st.store.attachments(Some(id), None).await.unwrap_or_default();
    let (token, set) = csrf::token(headers, secure(st));
    let list: String = held
        .iter()
        .map(|a| {
            format!(
                "<li>{} ({}) <form method=\"post\" action=\"/report/screenshots/remove\" class=\"nhsuk-u-display-inline\">{}\
                 <input type=\"hidden\" name=\"id\" value=\"{}\">\
                 <button class=\"nhsuk-button nhsuk-button--secondary nhsuk-button--small nhsuk-u-margin-bottom-0\" type=\"submit\">\
                 Remove<span class=\"nhsuk-u-visually-hidden\"> {}</span></button></form></li>",
                esc(&a.filename),
                human_size(a.size),
                csrf::field(&token),
                a.id,
                esc(&a.filename)
            )
        })
        .collect();
    let held_html = if held.is_empty() {
        String::new()
    } else {
        format!("<h2 class=\"nhsuk-heading-s\">Attached</h2><ul class=\"nhsuk-list\">{list}</ul>")
    };
    let summary = error
        .map(|e| {
            c(
                "error-summary",
                json!({ "titleText": "There is a problem", "errorList": [{ "text": e, "href": "#screenshots" }] }),
            )
        })
        .unwrap_or_default();
    let room = MAX_FILES - held.len() as i64;
    let upload = if room > 0 {
        c(
            "file-upload",
            json!({ "id": "screenshots", "name": "screenshots", "multiple": true,
                    "label": { "text": "Choose screenshots", "classes": "nhsuk-label--s" },
                    "hint": { "text": format!("PNG or JPEG, up to 5 MB each. You can add {room} more.") },
                    "attributes": { "accept": "image/png,image/jpeg" },
                    "errorMessage": error.map(|e| json!({ "text": e })) }),
        )
    } else {
        format!("<p>You have attached the most we can take ({MAX_FILES}).</p>")
    };
    let main = format!(
        "{summary}<h1>Add screenshots (optional)</h1>\
         <p>A screenshot of what the system showed helps the people who fix it.</p>{inset}{held_html}\
         <form method=\"post\" action=\"/report/screenshots\" enctype=\"multipart/form-data\" novalidate>{csrf}{upload}{button}</form>",
        inset = c(
            "inset-text",
            json!({ "html": "<p>Screenshots often show patient details. We keep yours safely with your report and show them to nobody until patient details can be removed from them.</p>" })
        ),
        csrf = csrf::field(&token),
        button = c("button", json!({ "text": "Continue" })),
    );
    with_cookies(
        page(
            status,
            Page {
                title: "Add screenshots",
                back: Some("/report/patients"),
                main,
                has_errors: error.is_some(),
            },
        ),
        &[set],
    )
}

/// `GET /report/screenshots`
pub async fn show(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let Some((id, _)) = load(&st, &headers).await else {
        return expired();
    };
    render(&st, &headers, &id, None, StatusCode::OK).await
}

/// `POST /report/screenshots` (multipart): hold the chosen files against the draft, then go on; a file
/// that is too big, not a PNG or JPEG, or one too many is refused by name and nothing of it is kept.
pub async fn upload(State(st): State<AppState>, headers: HeaderMap, mut form: Multipart) -> Response {
    let Some((id, _)) = load(&st, &headers).await else {
        return expired();
    };
    let mut token = None;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut error = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                error = Some(format!(
                    "The upload did not arrive whole ({}). Try again.",
                    e.body_text()
                ));
                break;
            }
        };
        match field.name() {
            Some("csrf") => token = field.text().await.ok(),
            Some("screenshots") => {
                let name = clean_name(field.file_name().unwrap_or("screenshot"));
                match field.bytes().await {
                    Ok(b) if b.is_empty() => {}
                    Ok(b) => files.push((name, b.to_vec())),
                    Err(e) => {
                        error = Some(format!(
                            "The upload did not arrive whole ({}). Try again.",
                            e.body_text()
                        ));
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    if !csrf::check(&headers, token.as_deref()) {
        return forbidden();
    }
    if error.is_none() {
        error = files.iter().find_map(|(name, data)| {
            if data.len() > MAX_BYTES {
                Some(format!("{name} is larger than 5 MB: crop it or save it as a JPEG"))
            } else if sniff(data).is_none() {
                Some(format!("{name} is not a PNG or JPEG image"))
            } else {
                None
            }
        });
    }
    if let Some(e) = error {
        return render(&st, &headers, &id, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let held = st
        .store
        .attachments(Some(&id), None)
        .await
        .map(|v| v.len() as i64)
        .unwrap_or(0);
    if held + files.len() as i64 > MAX_FILES {
        let e = format!(
            "You can attach up to {MAX_FILES} screenshots; choose {} or fewer",
            MAX_FILES - held
        );
        return render(&st, &headers, &id, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let uploaded = !files.is_empty();
    for (filename, data) in files {
        let media_type = sniff(&data).unwrap_or("image/png").to_string();
        let a = candour_store::NewAttachment {
            draft_id: id.clone(),
            filename,
            media_type,
            data,
            max_files: MAX_FILES,
            now: chrono::Utc::now(),
        };
        if let Err(e) = st.store.add_attachment(a).await {
            return internal(&e.to_string());
        }
    }
    // Stay to show what was attached (and allow more); "Continue" with nothing chosen goes on.
    if uploaded {
        see_other("/report/screenshots")
    } else {
        see_other("/report/about-you")
    }
}

/// The remove button's form.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    csrf: Option<String>,
    id: String,
}

/// `POST /report/screenshots/remove`
pub async fn remove(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<RemoveForm>) -> Response {
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return forbidden();
    }
    let Some((id, _)) = load(&st, &headers).await else {
        return expired();
    };
    if let Ok(file) = uuid::Uuid::parse_str(&f.id) {
        if let Err(e) = st.store.remove_attachment(&id, file).await {
            return internal(&e.to_string());
        }
    }
    see_other("/report/screenshots")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_png_and_jpeg_by_their_first_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\me\\Desktop\\ward.png"), "ward.png");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\nc.png"), "abc.png");
        assert_eq!(clean_name(""), "screenshot");
    }
}
