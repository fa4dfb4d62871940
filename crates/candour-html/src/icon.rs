//! The `nhsukIcon` macro (`macros/icon.njk`): inline SVG icons.

/// SVG path data for each icon name.
const PATHS: &[(&str, &[&str])] = &[
    ("arrow-left", &["M10.7 6.3c.4.4.4 1 0 1.4L7.4 11H19a1 1 0 0 1 0 2H7.4l3.3 3.3c.4.4.4 1 0 1.4a1 1 0 0 1-1.4 0l-5-5A1 1 0 0 1 4 12c0-.3.1-.5.3-.7l5-5a1 1 0 0 1 1.4 0Z"]),
    ("arrow-right", &["m14.7 6.3 5 5c.2.2.3.4.3.7 0 .3-.1.5-.3.7l-5 5a1 1 0 0 1-1.4-1.4l3.3-3.3H5a1 1 0 0 1 0-2h11.6l-3.3-3.3a1 1 0 1 1 1.4-1.4Z"]),
    ("arrow-up", &["M6.3 9.3l5-5c.2-.2.4-.3.7-.3.3 0 .5.1.7.3l5 5a1 1 0 0 1-1.4 1.4l-3.3-3.3L13 19a1 1 0 0 1-2 0L11 7.4l-3.3 3.3a1 1 0 1 1-1.4-1.4Z"]),
    ("arrow-down", &["M17.7 14.7l-5 5c-.2.2-.4.3-.7.3-.3 0-.5-.1-.7-.3l-5-5a1 1 0 0 1 1.4-1.4l3.3 3.3L11 5a1 1 0 0 1 2 0L13 16.6l3.3-3.3a1 1 0 1 1 1.4 1.4Z"]),
    ("arrow-up-down", &["M1.5 9.3l5-5c.2-.2.4-.3.7-.3.3 0 .5.1.7.3l5 5a1 1 0 0 1-1.4 1.4l-3.3-3.3L8.2 19a1 1 0 0 1-2 0L6.2 7.4l-3.3 3.3a1 1 0 1 1-1.4-1.4Z", "M22.5 14.7l-5 5c-.2.2-.4.3-.7.3-.3 0-.5-.1-.7-.3l-5-5a1 1 0 0 1 1.4-1.4l3.3 3.3L15.8 5a1 1 0 0 1 2 0L17.8 16.6l3.3-3.3a1 1 0 1 1 1.4 1.4Z"]),
    ("arrow-right-circle", &["M12 2a10 10 0 0 0-10 9h11.7l-4-4a1 1 0 0 1 1.5-1.4l5.6 5.7a1 1 0 0 1 0 1.4l-5.6 5.7a1 1 0 0 1-1.5 0 1 1 0 0 1 0-1.4l4-4H2A10 10 0 1 0 12 2z"]),
    ("arrow-left-circle", &["M12 22a10 10 0 0 0 10-9L10.3 13l4 4a1 1 0 0 1-1.5 1.4l-5.6-5.7a1 1 0 0 1 0-1.4l5.6-5.7a1 1 0 0 1 1.5 0 1 1 0 0 1 0 1.4l-4 4L22 11A10 10 0 1 0 12 22z"]),
    ("arrow-up-circle", &["M2 12a10 10 0 0 0 9 10L11 10.3l-4 4a1 1 0 0 1-1.4-1.5l5.7-5.6a1 1 0 0 1 1.4 0l5.7 5.6a1 1 0 0 1 0 1.5 1 1 0 0 1-1.4 0l-4-4L13 22A10 10 0 1 0 2 12z"]),
    ("arrow-down-circle", &["M22 12a10 10 0 0 0-9-10L13 13.7l4-4a1 1 0 0 1 1.4 1.5l-5.7 5.6a1 1 0 0 1-1.4 0l-5.7-5.6a1 1 0 0 1 0-1.5 1 1 0 0 1 1.4 0l4 4L11 2A10 10 0 1 0 22 12z"]),
    ("chevron-right-circle", &["M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20Zm-.3 5.8a1 1 0 1 0-1.5 1.4l2.9 2.8-2.9 2.8a1 1 0 0 0 1.5 1.4l3.5-3.5c.4-.4.4-1 0-1.4Z"]),
    ("chevron-left-circle", &["M12 22a10 10 0 1 1 0-20 10 10 0 0 1 0 20Zm.3-5.8a1 1 0 1 0 1.5-1.4l-2.9-2.8 2.9-2.8a1 1 0 0 0-1.5-1.4l-3.5 3.5c-.4.4-.4 1 0 1.4Z"]),
    ("chevron-up-circle", &["M2 12a10 10 0 1 1 20 0 10 10 0 0 1-20 0Zm5.8.3a1 1 0 1 0 1.4 1.5l2.8-2.9 2.8 2.9a1 1 0 0 0 1.4-1.5l-3.5-3.5c-.4-.4-1-.4-1.4 0Z"]),
    ("chevron-down-circle", &["M22 12a10 10 0 1 1-20 0 10 10 0 0 1 20 0Zm-5.8-.3a1 1 0 1 0-1.4-1.5l-2.8 2.9-2.8-2.9a1 1 0 0 0-1.4 1.5l3.5 3.5c.4.4 1 .4 1.4 0Z"]),
    ("cross", &["M17 18.5c-.4 0-.8-.1-1.1-.4l-10-10c-.6-.6-.6-1.6 0-2.1.6-.6 1.5-.6 2.1 0l10 10c.6.6.6 1.5 0 2.1-.3.3-.6.4-1 .4z M7 18.5c-.4 0-.8-.1-1.1-.4-.6-.6-.6-1.5 0-2.1l10-10c.6-.6 1.5-.6 2.1 0 .6.6.6 1.5 0 2.1l-10 10c-.3.3-.6.4-1 .4z"]),
    ("tick", &["M11.4 17.5a2 2 0 0 1-2.7.1h-.1L4 12.8a1.5 1.5 0 0 1 2.1-2L10 14.7l8.1-8.1a1.5 1.5 0 1 1 2.2 2l-8.9 9Z"]),
    ("minus", &["M5.5 10.5a1.5 1.5 0 0 0 0 3h13a1.5 1.5 0 0 0 0-3h-13Z"]),
    ("plus", &["M13.5 5.5a1.5 1.5 0 0 0-3 0v5h-5a1.5 1.5 0 0 0 0 3h5v5a1.5 1.5 0 0 0 3 0v-5h5a1.5 1.5 0 0 0 0-3h-5v-5Z"]),
    ("search", &["m20.7 18.9-4.1-4.1a7 7 0 1 0-1.4 1.4l4 4.1a1 1 0 0 0 1.5 0c.4-.4.4-1 0-1.4ZM6 10.6a5 5 0 1 1 10 0 5 5 0 0 1-10 0Z"]),
    ("user", &["M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4 0 0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z"]),
];

/// Render `nhsukIcon(name)`: a decorative (`aria-hidden`) 16×16 SVG icon. Unknown names give an empty
/// `<svg>`, as the macro does.
pub fn icon(name: &str) -> String {
    icon_with(name, None, None)
}

/// Render `nhsukIcon(name, { title, classes })`. With a title the icon is exposed as `role="img"` with an
/// accessible name instead of being hidden.
pub fn icon_with(name: &str, title: Option<&str>, classes: Option<&str>) -> String {
    let title = title.filter(|t| !t.is_empty());
    let mut class_names = format!("nhsuk-icon nhsuk-icon--{name}");
    if let Some(c) = classes.filter(|c| !c.is_empty()) {
        class_names.push(' ');
        class_names.push_str(c);
    }
    let attrs = crate::attributes::Attrs::new()
        .set("class", &class_names)
        .set("xmlns", "http://www.w3.org/2000/svg")
        .set("viewBox", "0 0 24 24")
        .set("width", "16")
        .set("height", "16")
        .set("focusable", "false")
        .opt("role", title.map(|_| "img"))
        .opt("aria-label", title)
        .opt("aria-hidden", if title.is_some() { None } else { Some("true") })
        .build();
    let mut out = format!("<svg{attrs}>\n");
    if let Some(t) = title {
        out.push_str(&format!("  <title>{}</title>\n", crate::escape(t)));
    }
    if let Some((_, paths)) = PATHS.iter().find(|(n, _)| *n == name) {
        for p in paths.iter() {
            out.push_str(&format!("  <path d=\"{p}\"/>\n"));
        }
    }
    out.push_str("</svg>");
    out
}
