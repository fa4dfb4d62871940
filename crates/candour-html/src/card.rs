//! Card (`components/card`, with `components/card/action`).

use std::fmt;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes, Attrs};
use crate::caption::CaptionParams;
use crate::de::{self as de_util, from_text, Falsy};
use crate::heading::{HeadingOpts, HeadingParams};
use crate::icon::icon;
use crate::util::{classes_contain, classes_contain_any, escape, html_or_text, nonempty, push_classes, truthy};

/// Params of the card macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardParams {
    /// Heading (string or heading options).
    #[serde(default, deserialize_with = "de_util::text_or")]
    pub heading: Option<CardHeading>,
    /// Description (string or `{ text, html, classes, attributes }`).
    #[serde(default, deserialize_with = "de_util::text_or")]
    pub description: Option<CardDescription>,
    /// Link for the heading (the whole card when `clickable`).
    pub href: Option<String>,
    /// Make the whole card clickable.
    pub clickable: Option<bool>,
    /// Variant: `feature`, `primary`, `secondary`, `warning`, or a care card: `non-urgent`, `urgent`,
    /// `emergency`.
    pub variant: Option<String>,
    /// Actions in the heading: a list of actions or `{ items, classes }`.
    pub actions: Option<Actions>,
    /// Image: `{ src, alt }` or `{ html }`.
    pub image: Option<CardImage>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A card heading.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardHeading {
    /// Heading text (escaped).
    pub text: Option<String>,
    /// Extra markup rendered after the heading. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Visually hidden text before the heading text.
    pub visually_hidden_text: Option<String>,
    /// Caption (string or caption params).
    #[serde(default, deserialize_with = "de_util::text_or")]
    pub caption: Option<CaptionParams>,
    /// Size (`xxs` … `xl`).
    pub size: Option<String>,
    /// Heading level (default 2).
    #[serde(default, deserialize_with = "de_util::loose")]
    pub level: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(CardHeading);

/// A card description.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardDescription {
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Extra classes of the content container.
    pub classes: Option<String>,
    /// Extra attributes of the content container.
    pub attributes: Option<Attributes>,
}
from_text!(CardDescription);

/// A card image.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CardImage {
    /// Image URL.
    pub src: Option<String>,
    /// Alternative text.
    pub alt: Option<String>,
    /// Custom image markup. Trusted: callers must only pass markup they built from escaped parts.
    pub html: Option<String>,
}

/// Actions of a card or a summary list row: given as a list of actions or as `{ items, classes, … }`.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionsParams {
    /// The actions (falsy entries are skipped).
    #[serde(default, deserialize_with = "de_util::items")]
    pub items: Vec<ActionParams>,
    /// Extra classes of the actions container.
    pub classes: Option<String>,
    /// Summary list rows only: width of the actions column (for example `one-quarter`).
    pub width: Option<String>,
    /// Summary list rows only: `id` of the actions cell.
    pub id: Option<String>,
    /// Summary list rows only: extra attributes of the actions cell.
    pub attributes: Option<Attributes>,
}

/// Card or summary list actions, keeping whether they were given as a list (which the summary list
/// template treats differently when deciding whether any row has actions).
#[derive(Debug, Clone, Default)]
pub struct Actions {
    /// The actions and their options.
    pub params: ActionsParams,
    /// Given as a plain list.
    pub list_form: bool,
}

impl From<Vec<ActionParams>> for Actions {
    fn from(items: Vec<ActionParams>) -> Self {
        Self {
            params: ActionsParams {
                items,
                ..ActionsParams::default()
            },
            list_form: true,
        }
    }
}

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Actions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of actions or { items, classes }")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Actions, E> {
                Ok(Actions::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Actions, E> {
                Ok(Actions::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Actions, A::Error> {
                let mut items = Vec::new();
                while let Some(Falsy(item)) = seq.next_element::<Falsy<ActionParams>>()? {
                    items.extend(item);
                }
                Ok(Actions::from(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Actions, A::Error> {
                ActionsParams::deserialize(MapAccessDeserializer::new(map)).map(|params| Actions {
                    params,
                    list_form: false,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One action link or button (`components/card/action`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionParams {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden text after the action text (for example what is being changed).
    pub visually_hidden_text: Option<String>,
    /// Link target (a link unless `type` is set).
    pub href: Option<String>,
    /// `type` of a `<button>` (default `submit`); setting it makes the action a button.
    pub r#type: Option<String>,
    /// `name` of a button.
    pub name: Option<String>,
    /// `value` of a button.
    pub value: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl ActionParams {
    /// Render the action; `heading` is the card heading, appended visually hidden for context.
    pub(crate) fn render(&self, heading: Option<&CardHeading>) -> String {
        let mut class_names = "nhsuk-link".to_owned();
        push_classes(&mut class_names, &self.classes);
        let element = if truthy(&self.href) && !truthy(&self.r#type) {
            "a"
        } else {
            "button"
        };
        let mut attrs = Attrs::new();
        attrs.set("class", &class_names).opt("id", self.id.as_deref());
        if element == "button" {
            attrs
                .opt("name", self.name.as_deref())
                .set("type", self.r#type.as_deref().unwrap_or("submit"))
                .opt("value", self.value.as_deref());
        } else {
            attrs.set("href", self.href.as_deref().unwrap_or("#"));
        }
        let attrs = attrs.extend(&self.attributes).build();
        let mut out = format!(
            "<{element}{attrs}>{}",
            html_or_text(&self.html, &self.text).unwrap_or_default()
        );
        let heading_html = heading.and_then(|h| {
            nonempty(&h.html)
                .map(str::to_owned)
                .or_else(|| nonempty(&h.text).map(escape))
        });
        let vht = nonempty(&self.visually_hidden_text);
        if vht.is_some() || heading_html.is_some() {
            out.push_str("<span class=\"nhsuk-u-visually-hidden\">");
            if let Some(v) = vht {
                out.push(' ');
                out.push_str(&escape(v));
            }
            if let Some(h) = heading_html {
                out.push_str(&format!(" ({h})"));
            }
            out.push_str("</span>");
        }
        out.push_str(&format!("</{element}>"));
        out
    }
}

impl CardParams {
    /// Render the card.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of the description.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let variant = nonempty(&self.variant);
        let heading = self.heading.clone().unwrap_or_default();
        let description = self.description.clone().unwrap_or_default();
        let has_heading = truthy(&heading.text) || truthy(&heading.html);

        let mut class_names = "nhsuk-card".to_owned();
        if self.clickable == Some(true) {
            class_names.push_str(" nhsuk-card--clickable");
        }
        let styles = ["feature", "primary", "secondary", "warning"];
        if let Some(v) = variant {
            let taken = styles
                .iter()
                .any(|s| classes_contain(&self.classes, &format!("nhsuk-card--{s}")));
            if styles.contains(&v) && !taken {
                class_names.push_str(" nhsuk-card--");
                class_names.push_str(v);
            }
        }
        let care = ["non-urgent", "urgent", "emergency"];
        let is_care_card = variant.is_some_and(|v| care.contains(&v)) && has_heading;
        if is_care_card
            && !classes_contain_any(
                &self.classes,
                &[
                    "nhsuk-card--care--non-urgent",
                    "nhsuk-card--care--urgent",
                    "nhsuk-card--care--emergency",
                ],
            )
        {
            class_names.push_str(&format!(
                " nhsuk-card--care nhsuk-card--care--{}",
                variant.unwrap_or_default()
            ));
        }
        push_classes(&mut class_names, &self.classes);

        let empty = ActionsParams::default();
        let actions = self.actions.as_ref().map_or(&empty, |a| &a.params);

        let mut out = format!(
            "<div class=\"{}\"{}{}>\n",
            escape(&class_names),
            nonempty(&self.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default(),
            attrs_html(&self.attributes)
        );
        if let Some(image) = &self.image {
            if let Some(h) = nonempty(&image.html) {
                out.push_str(h.trim());
                out.push('\n');
            } else if let Some(src) = nonempty(&image.src) {
                let attrs = Attrs::new()
                    .set("class", "nhsuk-card__img")
                    .set("src", src)
                    .set("alt", image.alt.as_deref().unwrap_or_default())
                    .build();
                out.push_str(&format!("<img{attrs}>\n"));
            }
        }

        let heading_html = |vht: Option<String>| self.card_heading(&heading, vht, is_care_card, &class_names);
        if is_care_card || !actions.items.is_empty() {
            out.push_str("<div class=\"nhsuk-card__heading-container\">\n");
            if is_care_card {
                let vht = nonempty(&heading.visually_hidden_text).map_or_else(
                    || {
                        match variant {
                            Some("emergency") => "Immediate action required",
                            Some("urgent") => "Urgent advice",
                            _ => "Non-urgent advice",
                        }
                        .to_owned()
                    },
                    |v| v.trim().to_owned(),
                );
                out.push_str(&heading_html(Some(vht)));
                out.push('\n');
            } else if has_heading {
                out.push_str(&heading_html(heading.visually_hidden_text.clone()));
                out.push('\n');
            }
            let mut actions_class = "nhsuk-card__actions".to_owned();
            push_classes(&mut actions_class, &actions.classes);
            let card_heading = self.heading.as_ref();
            if actions.items.len() == 1 {
                out.push_str(&format!(
                    "<div class=\"{}\">\n{}\n</div>\n",
                    escape(&actions_class),
                    actions.items[0].render(card_heading)
                ));
            } else if !actions.items.is_empty() {
                out.push_str(&format!("<ul class=\"{}\">\n", escape(&actions_class)));
                for action in &actions.items {
                    out.push_str(&format!(
                        "<li class=\"nhsuk-card__action\">\n{}\n</li>\n",
                        action.render(card_heading)
                    ));
                }
                out.push_str("</ul>\n");
            }
            out.push_str("</div>\n");
        }

        let mut content_class = "nhsuk-card__content".to_owned();
        push_classes(&mut content_class, &description.classes);
        out.push_str(&format!(
            "<div class=\"{}\"{}>\n",
            escape(&content_class),
            attrs_html(&description.attributes)
        ));
        if !is_care_card && actions.items.is_empty() && has_heading {
            out.push_str(&heading_html(heading.visually_hidden_text.clone()));
            out.push('\n');
        }
        if let Some(c) = caller {
            out.push_str(c.trim());
            out.push('\n');
        } else if let Some(h) = nonempty(&description.html) {
            out.push_str(h.trim());
            out.push('\n');
        } else if let Some(t) = nonempty(&description.text) {
            out.push_str(&format!(
                "<p class=\"nhsuk-card__description\">{}</p>\n",
                escape(t.trim())
            ));
        }
        if class_names.contains("nhsuk-card--primary") {
            out.push_str(&icon("chevron-right-circle"));
            out.push('\n');
        }
        out.push_str("</div>\n</div>");
        out
    }

    /// The `_cardHeading` macro: the heading element (when there is text), the heading's extra markup,
    /// and the care card arrow.
    fn card_heading(&self, h: &CardHeading, vht: Option<String>, is_care_card: bool, class_names: &str) -> String {
        let mut parts = Vec::new();
        if let Some(text) = nonempty(&h.text) {
            let text = escape(text.trim());
            let body = match (nonempty(&self.href), vht.as_deref().filter(|v| !v.is_empty())) {
                (Some(href), _) if !class_names.contains("nhsuk-card--feature") => {
                    format!("<a class=\"nhsuk-card__link\" href=\"{}\">{text}</a>", escape(href))
                }
                (_, Some(v)) => format!(
                    "<span role=\"text\">\n<span class=\"nhsuk-u-visually-hidden\">{}: </span>{text}\n</span>",
                    escape(v)
                ),
                _ => text,
            };
            parts.push(
                HeadingParams {
                    id: h.id.clone(),
                    caption: h.caption.clone(),
                    size: h.size.clone(),
                    level: Some(h.level.clone().unwrap_or_else(|| "2".to_owned())),
                    classes: h.classes.clone(),
                    attributes: h.attributes.clone(),
                    ..HeadingParams::default()
                }
                .render_with(&HeadingOpts {
                    class_name: "nhsuk-card__heading",
                    class_prefix: Some("nhsuk-heading-"),
                    caller: Some(&body),
                    ..HeadingOpts::default()
                }),
            );
        }
        if let Some(html) = nonempty(&h.html) {
            parts.push(html.trim().to_owned());
        }
        if is_care_card {
            parts.push("<span class=\"nhsuk-card--care__arrow\" aria-hidden=\"true\"></span>".to_owned());
        }
        parts.join("\n")
    }
}
