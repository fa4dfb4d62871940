//! Server-rendered pages on the NHS.UK design system: the public "report a problem" journey
//! ([`journey`]), the reporter's tracking page ([`track`]) and the shared page furniture (layout, security
//! headers, CSRF). Everything works without JavaScript; the nhsuk-frontend script only enhances.
//!
//! Components come from `candour-html` (ports of nhsuk-frontend's macros, tested against its fixtures);
//! pages pass them the same parameters the Nunjucks macros take, as JSON.

pub mod admin;
pub mod assets;
pub mod csrf;
pub mod cyber;
pub mod destinations;
pub mod journey;
pub mod notes;
pub mod originals;
pub mod safety;
pub mod screenshots;
pub mod security;
pub mod track;
pub mod workspace;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

pub use crate::auth::cookie;
pub use candour_html::escape as esc;

/// Render a component by its nhsuk-frontend name (`radios`, `input`, …) from macro-style parameters.
pub fn c(name: &str, params: Value) -> String {
    match candour_html::render_json(name, params) {
        Ok(html) => html,
        // Parameters are written in this crate and every page is rendered by tests, so this only fires
        // on a programming error; say so on the page rather than failing the whole request.
        Err(e) => {
            tracing::error!(component = name, error = %e, "component parameters rejected");
            format!(
                "<p class=\"nhsuk-error-message\">Page error in {}: {}</p>",
                esc(name),
                esc(&e)
            )
        }
    }
}

/// One page: its title, optional back link, main content, and whether it shows errors (the title then
/// starts "Error: ", as the design system asks).
pub struct Page<'a> {
    /// The `<title>` and usually the `<h1>`.
    pub title: &'a str,
    /// Where the back link goes.
    pub back: Option<&'a str>,
    /// Main content (already escaped markup).
    pub main: String,
    /// The page shows validation errors.
    pub has_errors: bool,
}

/// The whole HTML document around a page.
pub fn layout(p: Page<'_>) -> String {
    let a = assets::ASSET_PATH;
    let title = if p.has_errors {
        format!("Error: {} - Candour", p.title)
    } else {
        format!("{} - Candour", p.title)
    };
    let back = p
        .back
        .map(|href| c("back-link", serde_json::json!({ "href": href, "text": "Back" })))
        .unwrap_or_default();
    let header = c(
        "header",
        serde_json::json!({
            "logo": { "href": "/", "ariaLabel": "Candour homepage" },
            "service": { "text": "Candour: report a safety problem", "href": "/" }
        }),
    );
    let footer = c(
        "footer",
        serde_json::json!({
            "meta": { "items": [
                { "href": "/report", "text": "Report a problem" },
                { "href": "/api/v1/openapi.json", "text": "API (OpenAPI 3.1)" }
            ] },
            "copyright": { "text": "Candour (open source). Fictional demo data." }
        }),
    );
    let skip = c(
        "skip-link",
        serde_json::json!({ "href": "#maincontent", "text": "Skip to main content" }),
    );
    format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#005eb8">
<link rel="icon" href="{a}/images/favicon.ico" sizes="48x48">
<link rel="icon" href="{a}/images/favicon.svg" sizes="any" type="image/svg+xml">
<link rel="apple-touch-icon" href="{a}/images/nhsuk-icon-180.png">
<link rel="stylesheet" href="{a}/nhsuk-frontend.min.css">
<link rel="stylesheet" href="{a}/candour.css">
<script type="module" src="{a}/candour.js"></script>
</head>
<body>
{skip}
{header}
<div class="nhsuk-width-container">
{back}
<main class="nhsuk-main-wrapper" id="maincontent">
{main}
</main>
</div>
{footer}
</body>
</html>"##,
        title = esc(&title),
        main = p.main,
    )
}

/// A page response with the security headers every page carries.
pub fn page(status: StatusCode, p: Page<'_>) -> Response {
    (status, Html(layout(p))).into_response()
}

/// A plain error page (4xx/5xx) on the design system.
pub fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    page(
        status,
        Page {
            title,
            back: None,
            main: format!(
                "<h1>{}</h1><p>{}</p><p><a href=\"/report\">Report a problem</a></p>",
                esc(title),
                esc(detail)
            ),
            has_errors: false,
        },
    )
}

/// Redirect after a successful POST (303: the browser then GETs).
pub fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// Strict security headers for every response: no inline script or style, no framing, no referrer,
/// no MIME sniffing.
pub async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax (so the journey survives following a link back in),
/// `Secure` when Candour is served over TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}
