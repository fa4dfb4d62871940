//! Notification banner (`components/notification-banner`).

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::caption::CaptionParams;
use crate::de::{self, from_text};
use crate::heading::{HeadingOpts, HeadingParams};
use crate::util::{classes_contain, escape, nonempty, push_classes, truthy};

/// Params of the notification banner macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationBannerParams {
    /// Title (default "Important", or "Success" for the success variant): string or title options.
    #[serde(default, deserialize_with = "de::text_or")]
    pub title: Option<BannerTitle>,
    /// Heading of the content (string or heading options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub heading: Option<BannerHeading>,
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Content markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Variant: `success` (which also gets `role="alert"`).
    pub variant: Option<String>,
    /// Deprecated: `variant`.
    pub r#type: Option<String>,
    /// `role` (default `region`, or `alert` for success).
    pub role: Option<String>,
    /// Do not move focus to a success banner on page load (`data-disable-auto-focus`).
    pub disable_auto_focus: Option<bool>,
    /// Deprecated: `title: { id }`.
    pub title_id: Option<String>,
    /// Deprecated: `title: { text }`.
    pub title_text: Option<String>,
    /// Deprecated: `title: { html }`. Trusted markup.
    pub title_html: Option<String>,
    /// Deprecated: `title: { level }`.
    #[serde(default, deserialize_with = "de::loose")]
    pub title_heading_level: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// The banner title.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BannerTitle {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden text.
    pub visually_hidden_text: Option<String>,
    /// Heading level (default 2).
    #[serde(default, deserialize_with = "de::loose")]
    pub level: Option<String>,
    /// `id` (default `nhsuk-notification-banner-title`).
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(BannerTitle);

/// The heading of the banner content.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BannerHeading {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden text.
    pub visually_hidden_text: Option<String>,
    /// Caption (string or caption params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<CaptionParams>,
    /// Link the heading.
    pub href: Option<String>,
    /// Heading level (default 3).
    #[serde(default, deserialize_with = "de::loose")]
    pub level: Option<String>,
    /// Element instead of `h{level}` (for example `p`).
    pub element: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(BannerHeading);

impl NotificationBannerParams {
    /// Render the notification banner.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let variant = nonempty(&self.variant).or(nonempty(&self.r#type));
        let success = variant == Some("success");
        let title = self.title.clone().unwrap_or_else(|| BannerTitle {
            id: self.title_id.clone(),
            text: self.title_text.clone(),
            html: self.title_html.clone(),
            level: self.title_heading_level.clone(),
            ..BannerTitle::default()
        });
        let heading = self.heading.clone().unwrap_or_default();

        let mut class_names = "nhsuk-notification-banner".to_owned();
        push_classes(&mut class_names, &self.classes);
        if success && !classes_contain(&self.classes, "nhsuk-notification-banner--success") {
            class_names.push_str(" nhsuk-notification-banner--success");
        }
        let role = nonempty(&self.role).unwrap_or(if success { "alert" } else { "region" });
        let title_id = nonempty(&title.id)
            .unwrap_or("nhsuk-notification-banner-title")
            .to_owned();
        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .set("data-module", "nhsuk-notification-banner")
            .opt(
                "data-disable-auto-focus",
                self.disable_auto_focus.map(|b| if b { "true" } else { "false" }),
            )
            .set("role", role)
            .set("aria-labelledby", &title_id)
            .extend(&self.attributes)
            .build();

        let title_html = HeadingParams {
            id: Some(title_id),
            text: Some(
                title
                    .text
                    .clone()
                    .unwrap_or_else(|| if success { "Success" } else { "Important" }.to_owned()),
            ),
            html: title.html.clone(),
            visually_hidden_text: title.visually_hidden_text.clone(),
            level: Some(title.level.clone().unwrap_or_else(|| "2".to_owned())),
            classes: title.classes.clone(),
            attributes: title.attributes.clone(),
            ..HeadingParams::default()
        }
        .render_with(&HeadingOpts {
            class_name: "nhsuk-notification-banner__title",
            ..HeadingOpts::default()
        });

        let has_heading = truthy(&heading.text) || truthy(&heading.html);
        let mut content = Vec::new();
        if has_heading {
            content.push(
                HeadingParams {
                    id: heading.id.clone(),
                    text: heading.text.clone(),
                    html: heading.html.clone(),
                    visually_hidden_text: heading.visually_hidden_text.clone(),
                    caption: heading.caption.clone(),
                    href: heading.href.clone(),
                    level: Some(heading.level.clone().unwrap_or_else(|| "3".to_owned())),
                    classes: heading.classes.clone(),
                    attributes: heading.attributes.clone(),
                    element: heading.element.clone(),
                    ..HeadingParams::default()
                }
                .render_with(&HeadingOpts {
                    class_name: "nhsuk-notification-banner__heading",
                    ..HeadingOpts::default()
                }),
            );
        }
        if let Some(c) = caller {
            content.push(c.trim().to_owned());
        } else if let Some(h) = nonempty(&self.html) {
            content.push(h.trim().to_owned());
        } else if let Some(t) = nonempty(&self.text) {
            let class = if has_heading {
                "nhsuk-body"
            } else {
                "nhsuk-notification-banner__heading"
            };
            content.push(format!("<p class=\"{class}\">\n{}\n</p>", escape(t.trim())));
        }
        format!(
            "<div{attrs}>\n<div class=\"nhsuk-notification-banner__header\">\n{title_html}\n</div>\n<div class=\"nhsuk-notification-banner__content\">\n{}\n</div>\n</div>",
            content.join("\n")
        )
    }
}
