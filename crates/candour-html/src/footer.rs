//! Footer (`components/footer`): navigation groups, meta links and the copyright notice.

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::caption::CaptionParams;
use crate::de::{self, from_text};
use crate::heading::{HeadingOpts, HeadingParams};
use crate::util::{escape, html_or_text, nonempty, truthy};

/// Params of the footer macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FooterParams {
    /// Navigation groups (a single group or a list).
    #[serde(default, deserialize_with = "de::one_or_many")]
    pub navigation: Vec<FooterNavigation>,
    /// Number of navigation columns: 1 to 4 (default 4).
    #[serde(default, deserialize_with = "de::loose")]
    pub columns: Option<String>,
    /// Meta links and text (string or meta options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub meta: Option<FooterMeta>,
    /// Copyright notice (default "© NHS England"; an empty string removes it): string or
    /// `{ text, html }`.
    #[serde(default, deserialize_with = "de::text_or_keep_empty")]
    pub copyright: Option<FooterCopyright>,
    /// Extra classes of the width container.
    pub container_classes: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A footer navigation group.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FooterNavigation {
    /// Heading (string or heading options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub heading: Option<FooterHeading>,
    /// Deprecated: `heading`.
    pub title: Option<String>,
    /// Links (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::opt_items")]
    pub items: Option<Vec<FooterLink>>,
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Column width (default from `columns`).
    pub width: Option<String>,
}

/// A footer navigation heading.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FooterHeading {
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
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(FooterHeading);

/// A footer link.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FooterLink {
    /// Link text (escaped).
    pub text: Option<String>,
    /// Link markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Link target.
    pub href: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// Footer meta links and text.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FooterMeta {
    /// Links (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::opt_items")]
    pub items: Option<Vec<FooterLink>>,
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden heading of the links (default `Support links`).
    pub visually_hidden_text: Option<String>,
    /// Deprecated: `visuallyHiddenText`.
    pub visually_hidden_title: Option<String>,
}
from_text!(FooterMeta);

/// The copyright notice.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FooterCopyright {
    /// Text (escaped; default "© NHS England", `""` removes the notice).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
}
from_text!(FooterCopyright);

fn footer_list(items: &[FooterLink]) -> String {
    let mut out = "<ul class=\"nhsuk-footer__list\">\n".to_owned();
    for item in items {
        out.push_str(&format!(
            "<li class=\"nhsuk-footer__list-item\">\n<a class=\"nhsuk-footer__list-item-link\" href=\"{}\"{}>{}</a>\n</li>\n",
            escape(item.href.as_deref().unwrap_or_default()),
            attrs_html(&item.attributes),
            html_or_text(&item.html, &item.text).unwrap_or_default()
        ));
    }
    out.push_str("</ul>");
    out
}

impl FooterParams {
    /// Render the footer.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of the meta text/html.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-footer".to_owned();
        crate::util::push_classes(&mut class_names, &self.classes);
        let (columns, width) = match nonempty(&self.columns).filter(|c| *c != "0") {
            Some("1") => (1, "full"),
            Some("2") => (2, "one-half"),
            Some("3") => (3, "one-third"),
            _ => (4, "one-quarter"),
        };

        let mut parts = Vec::new();
        for row in self.navigation.chunks(columns) {
            let mut cols = Vec::new();
            for nav in row {
                let mut col = Vec::new();
                let heading = nav.heading.clone().or_else(|| {
                    nonempty(&nav.title).map(|t| FooterHeading {
                        text: Some(t.to_owned()),
                        ..FooterHeading::default()
                    })
                });
                if let Some(h) = heading {
                    col.push(
                        HeadingParams {
                            id: h.id,
                            text: h.text,
                            html: h.html,
                            visually_hidden_text: h.visually_hidden_text,
                            caption: h.caption,
                            href: h.href,
                            level: Some("2".to_owned()),
                            size: Some("s".to_owned()),
                            classes: h.classes,
                            attributes: h.attributes,
                            ..HeadingParams::default()
                        }
                        .render_with(&HeadingOpts {
                            class_name: "nhsuk-footer__heading",
                            class_prefix: Some("nhsuk-heading-"),
                            ..HeadingOpts::default()
                        }),
                    );
                }
                if let Some(h) = nonempty(&nav.html) {
                    col.push(h.trim().to_owned());
                } else if let Some(t) = nonempty(&nav.text) {
                    col.push(format!("<p class=\"nhsuk-body-s\">{}</p>", escape(t.trim())));
                }
                if let Some(items) = &nav.items {
                    col.push(footer_list(items));
                }
                cols.push(format!(
                    "<div class=\"nhsuk-grid-column-{}\">\n{}\n</div>",
                    escape(nonempty(&nav.width).unwrap_or(width)),
                    col.join("\n")
                ));
            }
            parts.push(format!(
                "<div class=\"nhsuk-footer__navigation nhsuk-grid-row\">\n{}\n</div>",
                cols.join("\n")
            ));
        }

        let mut meta_parts = Vec::new();
        let meta = self.meta.clone().unwrap_or_default();
        let has_meta_items = meta.items.as_ref().is_some_and(|i| !i.is_empty());
        if caller.is_some() || has_meta_items || truthy(&meta.text) || truthy(&meta.html) {
            if let Some(items) = &meta.items {
                let vht = meta
                    .visually_hidden_text
                    .as_deref()
                    .or(meta.visually_hidden_title.as_deref())
                    .unwrap_or("Support links");
                meta_parts.push(format!("<h2 class=\"nhsuk-u-visually-hidden\">{}</h2>", escape(vht)));
                meta_parts.push(footer_list(items));
            }
            if let Some(c) = caller {
                meta_parts.push(c.trim().to_owned());
            } else if let Some(h) = nonempty(&meta.html) {
                meta_parts.push(h.trim().to_owned());
            } else if let Some(t) = nonempty(&meta.text) {
                meta_parts.push(format!("<p class=\"nhsuk-body-s\">{}</p>", escape(t.trim())));
            }
        }
        let copyright = self.copyright.clone().unwrap_or_default();
        if let Some(h) = nonempty(&copyright.html) {
            meta_parts.push(h.trim().to_owned());
        } else if copyright.text.as_deref() != Some("") {
            meta_parts.push(format!(
                "<p class=\"nhsuk-body-s\">{}</p>",
                escape(nonempty(&copyright.text).unwrap_or("© NHS England"))
            ));
        }
        parts.push(format!(
            "<div class=\"nhsuk-footer__meta\">\n{}\n</div>",
            meta_parts.join("\n")
        ));

        let container_classes = nonempty(&self.container_classes)
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        format!(
            "<footer class=\"{}\"{} role=\"contentinfo\"{}>\n<div class=\"nhsuk-width-container{}\">\n{}\n</div>\n</footer>",
            escape(&class_names),
            nonempty(&self.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default(),
            attrs_html(&self.attributes),
            escape(&container_classes),
            parts.join("\n")
        )
    }
}
