//! Error summary (`components/error-summary`).

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::de::{self, from_text};
use crate::heading::{HeadingOpts, HeadingParams};
use crate::util::{html_or_text, nonempty, push_classes};

/// Params of the error summary macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorSummaryParams {
    /// Heading, usually "There is a problem" (string or `{ text, html, id, attributes }`).
    #[serde(default, deserialize_with = "de::text_or")]
    pub heading: Option<ErrorSummaryHeading>,
    /// Description (string or `{ text, html }`).
    #[serde(default, deserialize_with = "de::text_or")]
    pub description: Option<crate::form::TextOrHtml>,
    /// The errors, each linking to its field (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub error_list: Vec<ErrorSummaryItem>,
    /// Do not move focus to the summary on page load (`data-disable-auto-focus`).
    pub disable_auto_focus: Option<bool>,
    /// Deprecated: `heading: { text }`.
    pub title_text: Option<String>,
    /// Deprecated: `heading: { html }`. Trusted markup.
    pub title_html: Option<String>,
    /// Deprecated: `description: { text }`.
    pub description_text: Option<String>,
    /// Deprecated: `description: { html }`. Trusted markup.
    pub description_html: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// The error summary heading.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorSummaryHeading {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(ErrorSummaryHeading, crate::form::TextOrHtml);

/// One error in the summary.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorSummaryItem {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Link to the field with the error (for example `#date-of-birth-day`).
    pub href: Option<String>,
    /// Extra attributes of the link.
    pub attributes: Option<Attributes>,
}

impl ErrorSummaryItem {
    /// An error linking to a field.
    pub fn new(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            href: Some(href.into()),
            ..Self::default()
        }
    }
}

impl ErrorSummaryParams {
    /// Render the error summary.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of the description.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let heading = self.heading.clone().unwrap_or_else(|| ErrorSummaryHeading {
            text: self.title_text.clone(),
            html: self.title_html.clone(),
            ..ErrorSummaryHeading::default()
        });
        let description = self.description.clone().unwrap_or_else(|| crate::form::TextOrHtml {
            text: self.description_text.clone(),
            html: self.description_html.clone(),
        });
        let mut class_names = "nhsuk-error-summary".to_owned();
        push_classes(&mut class_names, &self.classes);
        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .set("data-module", "nhsuk-error-summary")
            .opt(
                "data-disable-auto-focus",
                self.disable_auto_focus.map(|b| if b { "true" } else { "false" }),
            )
            .extend(&self.attributes)
            .build();
        let heading_html = HeadingParams {
            id: heading.id.clone(),
            text: heading.text.clone(),
            html: heading.html.clone(),
            level: Some("2".to_owned()),
            attributes: heading.attributes.clone(),
            ..HeadingParams::default()
        }
        .render_with(&HeadingOpts {
            class_name: "nhsuk-error-summary__heading",
            ..HeadingOpts::default()
        });
        let mut body = Vec::new();
        let description_html = match caller {
            Some(c) => Some(c.trim().to_owned()),
            None => html_or_text(&description.html, &description.text),
        };
        if let Some(d) = description_html {
            body.push(format!("<p>\n{d}\n</p>"));
        }
        if !self.error_list.is_empty() {
            let mut list = "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n".to_owned();
            for item in &self.error_list {
                let content = html_or_text(&item.html, &item.text).unwrap_or_default();
                let content = match nonempty(&item.href) {
                    Some(href) => {
                        let attrs = Attrs::new().set("href", href).extend(&item.attributes).build();
                        format!("<a{attrs}>\n{content}\n</a>")
                    }
                    None => content,
                };
                list.push_str(&format!("<li>\n{content}\n</li>\n"));
            }
            list.push_str("</ul>");
            body.push(list);
        }
        format!(
            "<div{attrs}>\n<div role=\"alert\">\n{heading_html}\n<div class=\"nhsuk-error-summary__body\">\n{}\n</div>\n</div>\n</div>",
            body.join("\n")
        )
    }
}
