//! Static files built into the binary: the pinned nhsuk-frontend build (see
//! `scripts/vendor-nhsuk-frontend`) and Candour's own small script. Served with long cache lifetimes
//! under a versioned path, so an upgrade changes every URL.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// nhsuk-frontend's version, part of every asset URL.
pub const NHSUK_VERSION: &str = "10.6.1";
/// Where assets are served from.
pub const ASSET_PATH: &str = "/assets/10.6.1";

/// Candour's script: marks the page as JavaScript-enabled and starts nhsuk-frontend's components (a module
/// file, because the Content-Security-Policy forbids inline script).
const CANDOUR_JS: &str = r#"import { initAll } from "./nhsuk-frontend.min.js";
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
"#;

/// (path under [`ASSET_PATH`], content type, bytes)
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "nhsuk-frontend.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/nhsuk-frontend/nhsuk-frontend.min.css"),
    ),
    (
        "nhsuk-frontend.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/nhsuk-frontend/nhsuk-frontend.min.js"),
    ),
    (
        "manifest.json",
        "application/manifest+json",
        include_bytes!("../../assets/nhsuk-frontend/manifest.json"),
    ),
    (
        "images/favicon.ico",
        "image/x-icon",
        include_bytes!("../../assets/nhsuk-frontend/images/favicon.ico"),
    ),
    (
        "images/favicon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/favicon.svg"),
    ),
    (
        "images/nhsuk-icon-180.png",
        "image/png",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-180.png"),
    ),
    (
        "images/nhsuk-icon-192.png",
        "image/png",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-192.png"),
    ),
    (
        "images/nhsuk-icon-512.png",
        "image/png",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-512.png"),
    ),
    (
        "images/nhsuk-icon-arrow-down-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-down-circle.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-down.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-down.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-left-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-left-circle.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-left.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-left.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-right-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-right-circle.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-right.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-right.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-up-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up-circle.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-up-down.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up-down.svg"),
    ),
    (
        "images/nhsuk-icon-arrow-up.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-arrow-up.svg"),
    ),
    (
        "images/nhsuk-icon-chevron-down-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-chevron-down-circle.svg"),
    ),
    (
        "images/nhsuk-icon-chevron-left-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-chevron-left-circle.svg"),
    ),
    (
        "images/nhsuk-icon-chevron-right-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-chevron-right-circle.svg"),
    ),
    (
        "images/nhsuk-icon-chevron-up-circle.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-chevron-up-circle.svg"),
    ),
    (
        "images/nhsuk-icon-cross.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-cross.svg"),
    ),
    (
        "images/nhsuk-icon-mask.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-mask.svg"),
    ),
    (
        "images/nhsuk-icon-minus.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-minus.svg"),
    ),
    (
        "images/nhsuk-icon-plus.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-plus.svg"),
    ),
    (
        "images/nhsuk-icon-search.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-search.svg"),
    ),
    (
        "images/nhsuk-icon-tick.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-tick.svg"),
    ),
    (
        "images/nhsuk-icon-user.svg",
        "image/svg+xml",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-icon-user.svg"),
    ),
    (
        "images/nhsuk-opengraph-image.png",
        "image/png",
        include_bytes!("../../assets/nhsuk-frontend/images/nhsuk-opengraph-image.png"),
    ),
    ("candour.js", "text/javascript; charset=utf-8", CANDOUR_JS.as_bytes()),
];

/// `GET /assets/{version}/{*path}`
pub async fn serve(Path((version, path)): Path<(String, String)>) -> Response {
    if version != NHSUK_VERSION {
        return StatusCode::NOT_FOUND.into_response();
    }
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, ctype, bytes)) => (
            [
                (header::CONTENT_TYPE, *ctype),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_and_script_are_built_in() {
        let css = FILES
            .iter()
            .find(|f| f.0 == "nhsuk-frontend.min.css")
            .map(|f| f.2.len())
            .unwrap_or(0);
        assert!(css > 100_000, "nhsuk-frontend CSS missing or truncated ({css} bytes)");
        assert!(FILES.iter().any(|f| f.0 == "images/favicon.svg"));
    }
}
