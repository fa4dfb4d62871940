//! Legend (`components/legend`): the caption of a fieldset.

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::caption::CaptionParams;
use crate::de::{self, from_text};
use crate::heading::{HeadingOpts, HeadingParams};
use crate::label::{resolve, LabelHeading};
use crate::util::{classes_contain_any, escape, nonempty, push_classes, truthy};

/// Params of the legend macro (also accepted as a plain string, meaning `{ text }`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LegendParams {
    /// Legend text (escaped).
    pub text: Option<String>,
    /// Legend markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Visually hidden text appended to the legend.
    pub visually_hidden_text: Option<String>,
    /// Caption (string or caption params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub caption: Option<CaptionParams>,
    /// Size: `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
    /// Wrap the legend text in a heading: a string (the legend text), `true`, or heading options.
    #[serde(default, deserialize_with = "de::text_or")]
    pub heading: Option<LabelHeading>,
    /// Deprecated: wrap the legend text in a `<h1>`.
    pub is_page_heading: Option<bool>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(LegendParams);

impl LegendParams {
    /// Render the legend.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut r = resolve(
            &self.heading,
            self.is_page_heading,
            &self.text,
            &self.html,
            &self.visually_hidden_text,
            &self.caption,
            &self.size,
        );
        if r.caption.placement.as_deref() == Some("before") {
            r.caption.placement = Some("start".to_owned());
        }
        let placement = nonempty(&r.caption.placement).map(str::to_owned);
        let inner_caption = match placement.as_deref() {
            None | Some("start" | "end") => Some(r.caption.clone()),
            _ => None,
        };

        let mut class_names = "nhsuk-fieldset__legend".to_owned();
        if let Some(size) = nonempty(&r.size) {
            if ["s", "m", "l", "xl"].contains(&size)
                && !classes_contain_any(
                    &self.classes,
                    &[
                        "nhsuk-fieldset__legend--s",
                        "nhsuk-fieldset__legend--m",
                        "nhsuk-fieldset__legend--l",
                        "nhsuk-fieldset__legend--xl",
                    ],
                )
            {
                class_names.push_str(" nhsuk-fieldset__legend--");
                class_names.push_str(size);
            }
        }
        push_classes(&mut class_names, &self.classes);

        if caller.is_none() && !truthy(&r.html) && !truthy(&r.text) {
            return String::new();
        }
        let inner_html = match caller {
            Some(c) => c.trim().to_owned(),
            None => match nonempty(&r.html) {
                Some(h) => h.to_owned(),
                None => escape(r.text.as_deref().unwrap_or_default()),
            },
        };

        let mut out = if r.has_heading {
            let heading = HeadingParams {
                id: r.heading.id.clone(),
                html: Some(inner_html),
                visually_hidden_text: r.visually_hidden_text.clone(),
                caption: inner_caption,
                level: r.heading.level.clone(),
                attributes: r.heading.attributes.clone(),
                ..HeadingParams::default()
            }
            .render_with(&HeadingOpts {
                class_name: "nhsuk-fieldset__heading",
                ..HeadingOpts::default()
            });
            let id = nonempty(&self.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default();
            let attrs = Attrs::new().extend(&self.attributes).build();
            format!(
                "<legend class=\"{}\"{id}{attrs}>\n{heading}\n</legend>",
                escape(&class_names)
            )
        } else {
            HeadingParams {
                id: self.id.clone(),
                html: Some(inner_html),
                visually_hidden_text: r.visually_hidden_text.clone(),
                caption: inner_caption,
                attributes: self.attributes.clone(),
                element: Some("legend".to_owned()),
                ..HeadingParams::default()
            }
            .render_with(&HeadingOpts {
                class_name: &class_names,
                ..HeadingOpts::default()
            })
        };
        if placement.as_deref() == Some("after") {
            out.push('\n');
            out.push_str(&r.caption.render());
        }
        out
    }
}
