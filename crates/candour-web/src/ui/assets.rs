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

// Screenshot previews: drag across the picture to mark an area to cover; this fills the "Cover something
// we missed" form (which works without JavaScript too) in the picture's own pixels.
for (const img of document.querySelectorAll("img[data-cover]")) {
  const id = img.dataset.cover;
  const wrap = img.parentElement;
  wrap.style.position = "relative";
  img.style.cursor = "crosshair";
  img.style.touchAction = "none";
  img.draggable = false;
  const box = document.createElement("div");
  box.hidden = true;
  box.style.position = "absolute";
  box.style.border = "2px solid #d5281b";
  box.style.background = "rgba(0, 0, 0, 0.6)";
  box.style.pointerEvents = "none";
  wrap.appendChild(box);
  let start = null;
  const at = (e) => {
    const r = img.getBoundingClientRect();
    return [Math.max(0, Math.min(r.width, e.clientX - r.left)), Math.max(0, Math.min(r.height, e.clientY - r.top))];
  };
  const draw = (a, b) => {
    box.style.left = `${img.offsetLeft + Math.min(a[0], b[0])}px`;
    box.style.top = `${img.offsetTop + Math.min(a[1], b[1])}px`;
    box.style.width = `${Math.abs(a[0] - b[0])}px`;
    box.style.height = `${Math.abs(a[1] - b[1])}px`;
  };
  img.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    img.setPointerCapture(e.pointerId);
    start = at(e);
    box.hidden = false;
    draw(start, start);
  });
  img.addEventListener("pointermove", (e) => { if (start) draw(start, at(e)); });
  img.addEventListener("pointerup", (e) => {
    if (!start) return;
    const a = start, b = at(e);
    start = null;
    const k = img.naturalWidth / img.getBoundingClientRect().width;
    const set = (name, v) => { const f = document.getElementById(`${name}-${id}`); if (f) f.value = String(Math.round(v * k)); };
    set("x", Math.min(a[0], b[0]));
    set("y", Math.min(a[1], b[1]));
    set("width", Math.max(1, Math.abs(a[0] - b[0])));
    set("height", Math.max(1, Math.abs(a[1] - b[1])));
    const d = document.getElementById(`cover-${id}`);
    if (d) { d.open = true; d.querySelector("button[type=submit]")?.focus(); }
  });
}
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
    ("candour.css", "text/css; charset=utf-8", CANDOUR_CSS.as_bytes()),
];

/// Candour's own few styles (the CSP allows no inline styles): risk ratings coloured as in the heat maps
/// (`ui::safety::rating_colour`), and the heat maps side by side where there is room.
const CANDOUR_CSS: &str =
    ".candour-rating{display:inline-block;min-width:1.6em;padding:0 6px;font-weight:700;text-align:center}\
.candour-rating--1{background:#007f3b;color:#fff}.candour-rating--2{background:#78be20;color:#212b32}\
.candour-rating--3{background:#ffeb3b;color:#212b32}.candour-rating--4{background:#ed8b00;color:#212b32}\
.candour-rating--5{background:#d5281b;color:#fff}\
.candour-heatmaps{display:flex;flex-wrap:wrap;gap:24px}.candour-heatmap{max-width:100%;height:auto}\
.candour-hazard-log{font-size:1rem}\n";

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
