//! Back link (`components/back-link`).

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::util::{classes_contain, escape, nonempty, push_classes, truthy};

/// Params of the back link macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackLinkParams {
    /// Link text (escaped; default `Back`).
    pub text: Option<String>,
    /// Link markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Visually hidden text before the link text.
    pub visually_hidden_text: Option<String>,
    /// Link target; without it (or with `type`) the back link is a `<button>`.
    pub href: Option<String>,
    /// `type` of the `<button>` (default `submit`).
    pub r#type: Option<String>,
    /// Element: `a` or `button`.
    pub element: Option<String>,
    /// Variant: `reverse`.
    pub variant: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl BackLinkParams {
    /// Render the back link.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-back-link".to_owned();
        if self.variant.as_deref() == Some("reverse") && !classes_contain(&self.classes, "nhsuk-back-link--reverse") {
            class_names.push_str(" nhsuk-back-link--reverse");
        }
        push_classes(&mut class_names, &self.classes);
        let element = match nonempty(&self.element) {
            Some(e) => escape(&e.to_lowercase()),
            None if truthy(&self.href) && !truthy(&self.r#type) => "a".to_owned(),
            None => "button".to_owned(),
        };
        let mut attrs = Attrs::new();
        attrs.set("class", &class_names).opt("id", self.id.as_deref());
        if element == "button" {
            attrs.set("type", self.r#type.as_deref().unwrap_or("submit"));
        } else if element == "a" {
            attrs.set("href", self.href.as_deref().unwrap_or("#"));
        }
        let attrs = attrs.extend(&self.attributes).build();
        let inner = match caller {
            Some(c) => c.trim().to_owned(),
            None => match nonempty(&self.html) {
                Some(h) => h.trim().to_owned(),
                None => escape(nonempty(&self.text).unwrap_or("Back").trim()),
            },
        };
        let vht = nonempty(&self.visually_hidden_text)
            .map(|v| format!("<span class=\"nhsuk-u-visually-hidden\">{} </span>", escape(v)))
            .unwrap_or_default();
        format!("<{element}{attrs}>\n{vht}{inner}\n</{element}>")
    }
}
