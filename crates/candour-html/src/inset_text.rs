//! Inset text (`components/inset-text`).

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::util::{escape, nonempty, push_classes};

/// Params of the inset text macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InsetTextParams {
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden prefix (default `Information`).
    pub visually_hidden_text: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl InsetTextParams {
    /// Render the inset text.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-inset-text".to_owned();
        push_classes(&mut class_names, &self.classes);
        let body = match caller {
            Some(c) => c.trim().to_owned(),
            None => match (nonempty(&self.html), nonempty(&self.text)) {
                (Some(h), _) => h.trim().to_owned(),
                (None, Some(t)) => format!("<p>{}</p>", escape(t.trim())),
                (None, None) => String::new(),
            },
        };
        format!(
            "<div class=\"{}\"{}{}>\n<span class=\"nhsuk-u-visually-hidden\">{}: </span>\n{body}\n</div>",
            escape(&class_names),
            nonempty(&self.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default(),
            attrs_html(&self.attributes),
            escape(nonempty(&self.visually_hidden_text).unwrap_or("Information"))
        )
    }
}
