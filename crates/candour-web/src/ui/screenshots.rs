//! The journey's screenshot step, `/report/screenshots`: the reporter may attach up to [`MAX_FILES`] PNG,
//! JPEG or WebP files of at most [`MAX_BYTES`] each (the type is checked from the file's first bytes, not
//! its name). Each is redacted as it arrives (`candour-image`: OCR, the text engine with the report's own
//! words as context, solid boxes, re-encoded without metadata); only the redacted image is stored and the
//! original is discarded. The reporter sees the redacted preview and can cover anything missed by giving
//! a box's position (no JavaScript needed). Staff who can see the report see the redacted image.

use super::journey::{expired, forbidden, internal, load, secure, with_cookies};
use super::{c, csrf, esc, page, see_other, Page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use candour_core::audit::AuditEvent;
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
    candour_image::decode::media_type(data)
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
            let remove = format!(
                "<form method=\"post\" action=\"/report/screenshots/remove\">{}\
                 <input type=\"hidden\" name=\"id\" value=\"{}\">\
                 <button class=\"nhsuk-button nhsuk-button--secondary nhsuk-button--small\" type=\"submit\">\
                 Remove<span class=\"nhsuk-u-visually-hidden\"> {}</span></button></form>",
                csrf::field(&token),
                a.id,
                esc(&a.filename)
            );
            let cover = format!(
                "<details class=\"nhsuk-details\" id=\"cover-{id}\"><summary class=\"nhsuk-details__summary\"><span class=\"nhsuk-details__summary-text\">\
                 Cover something we missed<span class=\"nhsuk-u-visually-hidden\"> in {name}</span></span></summary>\
                 <div class=\"nhsuk-details__text\"><p>Give the box to cover in pixels, measured from the top left corner of the picture, \
                 or drag across the picture to mark it. Anything inside it is blacked out for good.</p>\
                 <form method=\"post\" action=\"/report/screenshots/cover\" novalidate>{csrf}\
                 <input type=\"hidden\" name=\"id\" value=\"{id}\">{x}{y}{w}{h}\
                 <button class=\"nhsuk-button nhsuk-button--secondary nhsuk-button--small\" type=\"submit\">Cover this area</button></form></div></details>",
                name = esc(&a.filename),
                csrf = csrf::field(&token),
                id = a.id,
                x = number_input(&a.id.to_string(), "x", "From the left"),
                y = number_input(&a.id.to_string(), "y", "From the top"),
                w = number_input(&a.id.to_string(), "width", "Width"),
                h = number_input(&a.id.to_string(), "height", "Height"),
            );
            format!(
                "<li class=\"nhsuk-u-margin-bottom-5\"><p><strong>{name}</strong> ({size})</p>\
                 <div><img src=\"/report/screenshots/{id}\" alt=\"{name} with patient details covered in black\" class=\"nhsuk-image__img\" data-cover=\"{id}\"></div>\
                 <p class=\"nhsuk-body-s\">Black boxes cover what looked like patient details. Check nothing is left, such as a name or number.</p>\
                 {cover}{remove}</li>",
                name = esc(&a.filename),
                size = human_size(a.size),
                id = a.id,
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
                    "hint": { "text": format!("PNG, JPEG or WebP, up to 5 MB each. You can add {room} more.") },
                    "attributes": { "accept": "image/png,image/jpeg,image/webp" },
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
            json!({ "html": "<p>Screenshots often show patient details. We black them out before anyone else sees your screenshot, and we do not keep the original. You can check the result and cover anything we missed.</p>" })
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
    let Some((id, draft)) = load(&st, &headers).await else {
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
                Some(format!("{name} is not a PNG, JPEG or WebP image"))
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
    let context = draft_text(&draft);
    // The organisation's policy may keep each original, encrypted, for its CSO (never without a key).
    let keep = match (&st.config.originals, draft.get("ods_code")) {
        (Some(sealer), Some(ods)) => match st.store.organisation(ods).await {
            Ok(Some(o)) if o.keep_originals => Some(sealer.clone()),
            Ok(_) => None,
            Err(e) => return internal(&e.to_string()),
        },
        _ => None,
    };
    for (filename, data) in files {
        let original = match &keep {
            Some(sealer) => match sealer.seal(&data, crate::originals::IMAGE_AAD) {
                Ok(s) => Some(s),
                Err(e) => return internal(&e.to_string()),
            },
            None => None,
        };
        let red = match st.screenshots.redact(st.redactor.clone(), data, context.clone()).await {
            Ok(r) => r,
            Err(e) => {
                let e = format!("{filename}: {e}");
                return render(&st, &headers, &id, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
            }
        };
        // Fail closed: what OCR cannot read it cannot check, so an image with no readable text is refused
        // rather than shared with nothing covered.
        if red.words_read == 0 {
            let e = format!(
                "We could not read any text in {filename}, so we cannot check it for patient details. Take the \
                 screenshot again the right way up, or describe what it showed in words"
            );
            return render(&st, &headers, &id, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let redaction = match serde_json::to_string(&red.boxes) {
            Ok(j) => j,
            Err(e) => return internal(&e.to_string()),
        };
        let a = candour_store::NewAttachment {
            draft_id: id.clone(),
            filename,
            media_type: "image/png".into(),
            data: red.png,
            redaction: Some(redaction),
            original,
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

fn number_input(id: &str, name: &str, label: &str) -> String {
    format!(
        "<div class=\"nhsuk-form-group nhsuk-u-display-inline-block nhsuk-u-margin-right-3\">\
         <label class=\"nhsuk-label\" for=\"{name}-{id}\">{label}</label>\
         <input class=\"nhsuk-input nhsuk-input--width-4\" id=\"{name}-{id}\" name=\"{name}\" type=\"text\" inputmode=\"numeric\" spellcheck=\"false\"></div>"
    )
}

/// The reporter's own words so far: names in them are looked for in the screenshot too.
fn draft_text(draft: &impl serde::Serialize) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.len() > 2 => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(draft) {
        walk(&v, &mut out);
    }
    out
}

/// An image that may show patient details: never cached, never sniffed as anything else.
pub(super) fn image_response(media_type: &'static str, data: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, media_type),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        data,
    )
        .into_response()
}

fn png_response(data: Vec<u8>) -> Response {
    image_response("image/png", data)
}

/// `GET /report/screenshots/{id}`: the redacted preview, to the holder of the draft only.
pub async fn image(State(st): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    let Some((id, _)) = load(&st, &headers).await else {
        return expired();
    };
    let Ok(file) = uuid::Uuid::parse_str(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match st.store.attachment_data(file, Some(&id), None).await {
        Ok(Some((_, data, _))) => png_response(data),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => internal(&e.to_string()),
    }
}

/// The "cover something we missed" form: a box in image pixels.
#[derive(Debug, Deserialize)]
pub struct CoverForm {
    csrf: Option<String>,
    id: String,
    x: Option<String>,
    y: Option<String>,
    width: Option<String>,
    height: Option<String>,
}

/// `POST /report/screenshots/cover`: black out a box the reporter gives, on the stored redacted image.
pub async fn cover(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<CoverForm>) -> Response {
    if !csrf::check(&headers, f.csrf.as_deref()) {
        return forbidden();
    }
    let Some((id, _)) = load(&st, &headers).await else {
        return expired();
    };
    let Ok(file) = uuid::Uuid::parse_str(&f.id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (held, data, boxes) = match st.store.attachment_data(file, Some(&id), None).await {
        Ok(Some(x)) => x,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(&e.to_string()),
    };
    let num = |v: &Option<String>, what: &str| -> Result<u32, String> {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("Enter {what} of the area to cover, in pixels"))?
            .parse::<u32>()
            .map_err(|_| format!("{what} of the area to cover must be a whole number of pixels, like 120"))
    };
    let rect = match (|| {
        Ok::<_, String>(candour_image::Rect {
            x: num(&f.x, "How far from the left")?,
            y: num(&f.y, "How far from the top")?,
            w: num(&f.width, "The width")?,
            h: num(&f.height, "The height")?,
        })
    })() {
        Ok(r) => r,
        Err(e) => return render(&st, &headers, &id, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    // Our own stored PNG: the pixel limits apply, not the upload size limit (a re-encoded photo can be
    // larger than the JPEG it came from).
    let limits = candour_image::Limits {
        max_bytes: usize::MAX,
        ..st.screenshots.limits
    };
    let _permit = match st.screenshots.permit().await {
        Ok(p) => p,
        Err(e) => return internal(&e.to_string()),
    };
    let drawn = tokio::task::spawn_blocking(move || candour_image::add_boxes(&data, &limits, &[rect])).await;
    let (png, added) = match drawn {
        Ok(Ok(x)) => x,
        Ok(Err(candour_image::HandBoxError::Outside { width, height, .. })) => {
            let e = format!(
                "The area to cover must start inside the picture, which is {width} pixels wide and {height} high"
            );
            return render(&st, &headers, &id, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Ok(Err(e)) => return internal(&e.to_string()),
        Err(e) => return internal(&e.to_string()),
    };
    let mut all: Vec<candour_image::Redaction> = serde_json::from_str(&boxes).unwrap_or_default();
    all.extend(added);
    let redaction = match serde_json::to_string(&all) {
        Ok(j) => j,
        Err(e) => return internal(&e.to_string()),
    };
    match st
        .store
        .redraw_attachment(&id, file, &held.sha256, png, redaction)
        .await
    {
        Ok(_) => {}
        Err(candour_store::StoreError::Constraint(_)) => {
            let e = "The screenshot changed while you were covering this area (perhaps in another tab). Check it \
                     and cover the area again";
            return render(&st, &headers, &id, Some(e), StatusCode::CONFLICT).await;
        }
        Err(e) => return internal(&e.to_string()),
    }
    see_other("/report/screenshots")
}

/// `GET /workspace/reports/{reference}/screenshots/{id}`: the redacted screenshot, to staff who can see the
/// report; each view is audited.
pub async fn staff_image(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    Path((reference, file)): Path<(String, String)>,
) -> Response {
    let Ok(Caller(who)) = caller else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let rec = match crate::api::load(&st, &who, &reference).await {
        Ok((_, rec)) => rec,
        Err(e) => return e.into_response(),
    };
    let Ok(file) = uuid::Uuid::parse_str(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (info, data) = match st.store.attachment_data(file, None, Some(rec.id)).await {
        Ok(Some((info, data, _))) => (info, data),
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(&e.to_string()),
    };
    let event = AuditEvent {
        actor: who.actor(),
        action: "report.view_screenshot".into(),
        object_type: "report".into(),
        object_id: rec.reference.to_string(),
        before_digest: None,
        after_digest: Some(info.sha256),
    };
    if let Err(e) = st.store.record_event(event).await {
        return internal(&e.to_string());
    }
    png_response(data)
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
