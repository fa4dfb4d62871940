//! Reading the originals compartment: `/workspace/reports/{ref}/originals/{id}`, for the report's
//! organisation's CSO or an administrator only (`ReadOriginals`); each read is audited before anything is
//! shown, and a wrong key or altered ciphertext is said plainly rather than shown garbled.

use super::{esc, page, Page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use candour_core::audit::AuditEvent;
use candour_core::identity::{Principal, ReadOriginals};

/// May `who` read the originals of a report of organisation `ods`?
pub fn may_read(who: &Principal, ods: &candour_core::OdsCode) -> bool {
    who.can_for::<ReadOriginals>(ods).is_some()
}

/// The report page's section: what is kept (never the content), with links for those who may read it.
pub fn section(reference: &str, kept: &[candour_store::OriginalInfo], may: bool) -> String {
    if kept.is_empty() {
        return String::new();
    }
    let items: String = kept
        .iter()
        .map(|o| {
            let what = if o.kind == "text" {
                "The report as typed"
            } else {
                "A screenshot as uploaded"
            };
            if may {
                format!(
                    "<li><a href=\"/workspace/reports/{}/originals/{}\">{what}</a> (kept {})</li>",
                    esc(reference),
                    o.id,
                    o.created_at.format("%d %b %Y %H:%M UTC")
                )
            } else {
                format!("<li>{what}</li>")
            }
        })
        .collect();
    let note = if may {
        "Your organisation keeps these encrypted, before patient details were removed. Opening one is recorded in the audit log."
    } else {
        "Your organisation keeps these encrypted. Only its Clinical Safety Officer or an administrator can open them."
    };
    format!("<h2 class=\"nhsuk-heading-m\">Originals</h2><p>{note}</p><ul class=\"nhsuk-list nhsuk-list--bullet\">{items}</ul>")
}

/// `GET /workspace/reports/{reference}/originals/{id}`
pub async fn read(
    State(st): State<AppState>,
    caller: Result<Caller, ApiError>,
    Path((reference, id)): Path<(String, String)>,
) -> Response {
    let Ok(Caller(who)) = caller else {
        return super::error_page(
            StatusCode::UNAUTHORIZED,
            "Sign in to continue",
            "Sign in, then open the report again.",
        );
    };
    let rec = match crate::api::load(&st, &who, &reference).await {
        Ok((_, rec)) => rec,
        Err(e) => return e.into_response(),
    };
    if !may_read(&who, rec.report.ods()) {
        return super::error_page(
            StatusCode::FORBIDDEN,
            "You cannot open originals",
            "Only the organisation's Clinical Safety Officer or an administrator can open what was kept before redaction.",
        );
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (info, sealed) = match st.store.original(rec.id, id).await {
        Ok(Some(x)) => x,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return super::journey::internal(&e.to_string()),
    };
    let Some(sealer) = st.config.originals.as_ref() else {
        return super::error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Originals cannot be opened here",
            "This instance has no originals key configured (CANDOUR_ORIGINALS_KEY).",
        );
    };
    // Audited before anything is shown, whether or not it opens.
    let event = AuditEvent {
        actor: who.actor(),
        action: "report.read_original".into(),
        object_type: "report".into(),
        object_id: rec.reference.to_string(),
        before_digest: None,
        after_digest: Some(info.id.to_string()),
    };
    if let Err(e) = st.store.record_event(event).await {
        return super::journey::internal(&e.to_string());
    }
    let aad = if info.kind == "text" {
        crate::originals::TEXT_AAD
    } else {
        crate::originals::IMAGE_AAD
    };
    let plain = match sealer.open(&sealed, aad) {
        Ok(p) => p,
        Err(e) => {
            return super::error_page(StatusCode::CONFLICT, "This original cannot be opened", &e.to_string());
        }
    };
    if info.kind == "image" {
        let media = super::screenshots::sniff(&plain).unwrap_or("application/octet-stream");
        return super::screenshots::image_response(media, plain);
    }
    let pretty = serde_json::from_slice::<serde_json::Value>(&plain)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(&plain).into_owned());
    let back = format!("/workspace/reports/{}", rec.reference);
    let mut resp = page(
        StatusCode::OK,
        Page {
            title: "Original report",
            back: Some(&back),
            main: format!(
                "<h1>{} as typed</h1><p>Before patient details were removed. Do not copy it anywhere shared.</p>\
                 <pre class=\"nhsuk-body-s\">{}</pre>",
                esc(&rec.reference.to_string()),
                esc(&pretty)
            ),
            has_errors: false,
        },
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    resp
}
