//! NHS.UK design system components, ported from the Nunjucks macros of the `nhsuk-frontend` npm package
//! so Candour's server-rendered pages produce the same HTML as the official macros.
//!
//! The markup follows nhsuk-frontend 10.6.1 (MIT licence, © NHS England); each module names the
//! template it ports. `tests/fixtures.rs` renders every fixture the package ships for the ported
//! components and compares the result with the package's own expected HTML.
//!
//! # Params
//!
//! Each component has a params struct mirroring its macro's params (same camelCase names when
//! deserialized, so the JSON you would pass to the macro works as-is) and a `render` method:
//!
//! ```
//! use candour_html::{ButtonParams, escape};
//!
//! let button = ButtonParams { text: Some("Save & continue".into()), ..Default::default() };
//! assert!(button.render().contains("Save &amp; continue"));
//! assert_eq!(escape("<b>"), "&lt;b&gt;");
//! ```
//!
//! A question with radios, a hint and an error, and the error summary linking to it:
//!
//! ```
//! use candour_html::{
//!     ChoiceItem, ErrorMessageParams, ErrorSummaryItem, ErrorSummaryParams, FieldsetParams, LegendParams,
//!     RadiosParams,
//! };
//!
//! let item = |value: &str, text: &str| ChoiceItem {
//!     value: Some(value.into()),
//!     text: Some(text.into()),
//!     ..Default::default()
//! };
//! let radios = RadiosParams {
//!     name: Some("harm".into()),
//!     fieldset: Some(FieldsetParams {
//!         legend: Some(LegendParams { size: Some("m".into()), ..LegendParams::from("Was anyone harmed?") }),
//!         ..Default::default()
//!     }),
//!     hint: Some("Include near misses".into()),
//!     error_message: Some(ErrorMessageParams::text("Select whether anyone was harmed")),
//!     items: vec![item("yes", "Yes"), item("no", "No")],
//!     value: Some("no".into()),
//!     ..Default::default()
//! };
//! let summary = ErrorSummaryParams {
//!     heading: Some("There is a problem".into()),
//!     error_list: vec![ErrorSummaryItem::new("Select whether anyone was harmed", "#harm")],
//!     ..Default::default()
//! };
//! let html = format!("{}{}", summary.render(), radios.render());
//! assert!(html.contains(r##"<a href="#harm">"##));
//! assert!(html.contains(r#"aria-describedby="harm-hint harm-error""#));
//! assert!(html.contains(r#"id="harm-2" name="harm" type="radio" value="no" checked"#));
//!
//! // The same from macro-style JSON params:
//! let same = candour_html::render_json("radios", serde_json::json!({
//!     "name": "harm",
//!     "fieldset": { "legend": { "text": "Was anyone harmed?", "size": "m" } },
//!     "hint": "Include near misses",
//!     "errorMessage": "Select whether anyone was harmed",
//!     "items": [{ "value": "yes", "text": "Yes" }, { "value": "no", "text": "No" }],
//!     "value": "no"
//! }));
//! assert_eq!(same.as_deref(), Ok(radios.render().as_str()));
//! ```
//!
//! # Escaping
//!
//! `text` params (and every other string that is not called `html`) are HTML-escaped as Nunjucks
//! autoescape does. `html` params (and the `render_with_caller` content, the equivalent of a Nunjucks
//! call block) are trusted markup inserted as-is: callers must only pass markup they built from escaped
//! parts, for example another component's output or literal markup around [`escape`]d values. Attribute
//! values are always escaped.

#![forbid(unsafe_code)]

pub mod attributes;
mod de;
mod util;

pub mod back_link;
pub mod button;
pub mod caption;
pub mod card;
pub mod character_count;
pub mod choices;
pub mod date_input;
pub mod error_message;
pub mod error_summary;
pub mod fieldset;
pub mod file_upload;
pub mod footer;
pub mod form;
pub mod header;
pub mod heading;
pub mod hint;
pub mod i18n;
pub mod icon;
pub mod input;
pub mod inset_text;
pub mod label;
pub mod legend;
pub mod notification_banner;
pub mod scroll;
pub mod skip_link;
pub mod summary_list;
pub mod tables;
pub mod tag;
pub mod textarea;
pub mod warning_callout;

pub use attributes::{AttrValue, Attributes};
pub use back_link::BackLinkParams;
pub use button::{ButtonIcon, ButtonIconParams, ButtonParams};
pub use caption::CaptionParams;
pub use card::{ActionParams, Actions, ActionsParams, CardDescription, CardHeading, CardImage, CardParams};
pub use character_count::{CharacterCountParams, CountMessage};
pub use choices::{CheckboxesParams, ChoiceItem, Conditional, LooseString, RadiosParams};
pub use date_input::{DateInputItem, DateInputParams};
pub use error_message::ErrorMessageParams;
pub use error_summary::{ErrorSummaryHeading, ErrorSummaryItem, ErrorSummaryParams};
pub use fieldset::FieldsetParams;
pub use file_upload::FileUploadParams;
pub use footer::{FooterCopyright, FooterHeading, FooterLink, FooterMeta, FooterNavigation, FooterParams};
pub use form::{FormGroup, TextOrHtml};
pub use header::{
    HeaderAccount, HeaderAccountItem, HeaderLogo, HeaderNavigation, HeaderNavigationItem, HeaderOrganisation,
    HeaderParams, HeaderSearch, HeaderSearchButton, HeaderSearchInput, HeaderSearchLabel, HeaderService,
};
pub use heading::HeadingParams;
pub use hint::HintParams;
pub use i18n::PluralMessages;
pub use input::{Affix, InputParams, InputWrapper};
pub use inset_text::InsetTextParams;
pub use label::{LabelHeading, LabelParams};
pub use legend::LegendParams;
pub use notification_banner::{BannerHeading, BannerTitle, NotificationBannerParams};
pub use scroll::ScrollParams;
pub use skip_link::SkipLinkParams;
pub use summary_list::{SummaryListCell, SummaryListParams, SummaryListRow};
pub use tables::{TableCaption, TableCell, TableParams, TableRow};
pub use tag::{TagColour, TagParams};
pub use textarea::TextareaParams;
pub use util::escape;
pub use warning_callout::{WarningCalloutHeading, WarningCalloutParams};

/// Render a component by its nhsuk-frontend name (`"radios"`, `"back-link"`, …) from its macro params
/// as JSON. Errors name the component and say what was wrong with the params.
///
/// Note that a `serde_json::Value` built without the `preserve_order` feature sorts object keys, so
/// `attributes` maps passed this way render in alphabetical order; deserialize params from JSON text
/// (or build the structs) to keep their order.
pub fn render_json(name: &str, params: serde_json::Value) -> Result<String, String> {
    fn go<P: serde::de::DeserializeOwned>(
        params: serde_json::Value,
        render: fn(&P) -> String,
    ) -> Result<String, String> {
        serde_json::from_value::<P>(params)
            .map(|p| render(&p))
            .map_err(|e| e.to_string())
    }
    let out = match name {
        "back-link" => go(params, BackLinkParams::render),
        "button" => go(params, ButtonParams::render),
        "caption" => go(params, CaptionParams::render),
        "card" => go(params, CardParams::render),
        "character-count" => go(params, CharacterCountParams::render),
        "checkboxes" => go(params, CheckboxesParams::render),
        "date-input" => go(params, DateInputParams::render),
        "error-message" => go(params, ErrorMessageParams::render),
        "error-summary" => go(params, ErrorSummaryParams::render),
        "fieldset" => go(params, FieldsetParams::render),
        "file-upload" => go(params, FileUploadParams::render),
        "footer" => go(params, FooterParams::render),
        "header" => go(params, HeaderParams::render),
        "heading" => go(params, HeadingParams::render),
        "hint" => go(params, HintParams::render),
        "input" => go(params, InputParams::render),
        "inset-text" => go(params, InsetTextParams::render),
        "label" => go(params, LabelParams::render),
        "legend" => go(params, LegendParams::render),
        "notification-banner" => go(params, NotificationBannerParams::render),
        "radios" => go(params, RadiosParams::render),
        "scroll" => go(params, ScrollParams::render),
        "skip-link" => go(params, SkipLinkParams::render),
        "summary-list" => go(params, SummaryListParams::render),
        "tables" | "table" => go(params, TableParams::render),
        "tag" => go(params, TagParams::render),
        "textarea" => go(params, TextareaParams::render),
        "warning-callout" => go(params, WarningCalloutParams::render),
        _ => return Err(format!("unknown component {name:?}")),
    };
    out.map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_matches_nunjucks() {
        assert_eq!(
            escape(r#"<script>alert('x') & "y" \</script>"#),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot; &#92;&lt;/script&gt;"
        );
        assert_eq!(escape("plain text, £5 – ok"), "plain text, £5 – ok");
    }

    #[test]
    fn text_params_are_escaped_and_html_params_are_not() {
        let evil = "<script>alert(1)</script>";
        let hint = HintParams {
            text: Some(evil.into()),
            ..HintParams::default()
        }
        .render();
        assert!(hint.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{hint}");
        assert!(!hint.contains("<script>"), "{hint}");

        let hint = HintParams {
            html: Some("<strong>bold</strong>".into()),
            ..HintParams::default()
        }
        .render();
        assert!(hint.contains("<strong>bold</strong>"), "{hint}");

        // Nested components escape too: a radio label, an error message, a table cell, a summary list value.
        let radios = render_json(
            "radios",
            serde_json::json!({
                "name": "q",
                "errorMessage": evil,
                "items": [{ "value": "a", "text": evil }]
            }),
        )
        .unwrap_or_default();
        assert!(!radios.contains("<script>"), "{radios}");
        assert_eq!(radios.matches("&lt;script&gt;").count(), 2, "{radios}");

        let table = render_json("tables", serde_json::json!({ "head": [evil], "rows": [[evil]] })).unwrap_or_default();
        assert!(!table.contains("<script>"), "{table}");
        let list = render_json(
            "summary-list",
            serde_json::json!({ "rows": [{ "key": evil, "value": evil }] }),
        )
        .unwrap_or_default();
        assert!(!list.contains("<script>"), "{list}");
    }

    #[test]
    fn attribute_values_are_always_escaped() {
        let input = InputParams {
            name: Some("n".into()),
            value: Some(r#""><script>alert(1)</script>"#.into()),
            attributes: Some(Attributes::new().with("data-x", "a'b\"c<d>&")),
            ..InputParams::default()
        }
        .render();
        assert!(
            input.contains(r#"value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#),
            "{input}"
        );
        assert!(input.contains(r#"data-x="a&#39;b&quot;c&lt;d&gt;&amp;""#), "{input}");
        assert!(!input.contains("<script>"), "{input}");

        // Attribute names are escaped as well.
        let attrs = Attributes::new().with(r#"x"><script>"#, "v").to_html();
        assert_eq!(attrs, r#" x&quot;&gt;&lt;script&gt;="v""#);
    }

    #[test]
    fn element_names_from_params_cannot_break_out() {
        let heading = render_json(
            "heading",
            serde_json::json!({ "text": "Hi", "level": "1 onclick=\"x()\"" }),
        )
        .unwrap_or_default();
        assert!(heading.starts_with("<h1 onclick=&quot;x()&quot; class="), "{heading}");
        assert!(!heading.contains("\"x()\""), "{heading}");
        // Like the template, the button renders nothing for elements other than a, button and input.
        assert_eq!(
            render_json("button", serde_json::json!({ "text": "Go", "element": "div" })).as_deref(),
            Ok("")
        );
    }

    #[test]
    fn attributes_follow_nhsuk_attributes_semantics() {
        let attrs: Attributes = serde_json::from_str(
            r#"{
                "z-first": "1",
                "hidden": { "value": true, "optional": true },
                "absent": { "value": false, "optional": true },
                "missing": { "value": null, "optional": true },
                "empty": { "value": "", "optional": true },
                "plain-false": false,
                "number": 2,
                "list": { "value": ["a", "b<c"], "type": "array" },
                "a-last": null
            }"#,
        )
        .unwrap_or_default();
        assert_eq!(
            attrs.to_html(),
            r#" z-first="1" hidden empty="" plain-false="false" number="2" list='["a","b\u003cc"]' a-last="""#
        );
        assert!(serde_json::from_str::<Attributes>(r#"{ "x": { "value": 1, "bogus": 2 } }"#).is_err());
    }

    #[test]
    fn page_furniture_params_render() {
        // The shapes candour-web's layout passes.
        let header = render_json(
            "header",
            serde_json::json!({
                "logo": { "href": "/", "ariaLabel": "Candour homepage" },
                "service": { "text": "Candour: report a safety problem", "href": "/" }
            }),
        );
        let header = header.unwrap_or_else(|e| e);
        assert!(
            header.contains(r#"<a class="nhsuk-header__service-logo" href="/" aria-label="Candour homepage">"#),
            "{header}"
        );
        assert!(
            header.contains(r#"<span class="nhsuk-header__service-name">Candour: report a safety problem</span>"#),
            "{header}"
        );
        let footer = render_json(
            "footer",
            serde_json::json!({
                "meta": { "items": [{ "href": "/report", "text": "Report a problem" }] },
                "copyright": { "text": "Candour (open source). Fictional demo data." }
            }),
        )
        .unwrap_or_else(|e| e);
        assert!(
            footer.contains(r#"<p class="nhsuk-body-s">Candour (open source). Fictional demo data.</p>"#),
            "{footer}"
        );
        let back =
            render_json("back-link", serde_json::json!({ "href": "/report", "text": "Back" })).unwrap_or_else(|e| e);
        assert_eq!(back, "<a class=\"nhsuk-back-link\" href=\"/report\">\nBack\n</a>");
    }

    #[test]
    fn render_json_reports_bad_params() {
        assert_eq!(
            render_json("skip-link", serde_json::json!({})).as_deref(),
            Ok("<a class=\"nhsuk-skip-link\" data-module=\"nhsuk-skip-link\" href=\"#maincontent\">\nSkip to main content\n</a>")
        );
        let err = render_json("button", serde_json::json!({ "txet": "Save" }))
            .err()
            .unwrap_or_default();
        assert!(err.starts_with("button: ") && err.contains("txet"), "{err}");
        assert!(render_json("no-such-thing", serde_json::json!({})).is_err());
    }
}
