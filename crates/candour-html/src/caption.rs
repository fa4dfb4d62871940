//! Caption (`components/caption`): the secondary text shown with a heading, label or legend.

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::de::from_text;
use crate::util::{classes_contain_any, html_or_text, nonempty, push_classes};

/// Params of the caption macro (also accepted as a plain string, meaning `{ text }`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaptionParams {
    /// Caption text (escaped).
    pub text: Option<String>,
    /// Caption markup, used instead of `text`. Trusted: callers must only pass markup they built
    /// from escaped parts.
    pub html: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Size: `m`, `l`, `xl` or `xxl`.
    pub size: Option<String>,
    /// Where it goes relative to the heading: `before`, `start` (default), `end` or `after`.
    pub placement: Option<String>,
    /// Element to use (default `span`).
    pub element: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(CaptionParams);

impl CaptionParams {
    /// Render the caption.
    pub fn render(&self) -> String {
        let mut class_names = "nhsuk-caption".to_owned();
        if let Some(size) = nonempty(&self.size) {
            if ["m", "l", "xl", "xxl"].contains(&size)
                && !classes_contain_any(
                    &self.classes,
                    &[
                        "nhsuk-caption-m",
                        "nhsuk-caption-l",
                        "nhsuk-caption-xl",
                        "nhsuk-caption-xxl",
                    ],
                )
            {
                class_names = format!("nhsuk-caption-{size}");
            }
        }
        if matches!(nonempty(&self.placement), Some("after" | "end")) {
            class_names.push_str(" nhsuk-caption--bottom");
        }
        push_classes(&mut class_names, &self.classes);
        let element = crate::escape(&self.element.as_deref().unwrap_or("span").to_lowercase());
        let id = nonempty(&self.id)
            .map(|id| format!(" id=\"{}\"", crate::escape(id)))
            .unwrap_or_default();
        format!(
            "<{element} class=\"{}\"{id}{}>\n{}\n</{element}>",
            crate::escape(&class_names),
            attrs_html(&self.attributes),
            html_or_text(&self.html, &self.text).unwrap_or_default()
        )
    }
}
