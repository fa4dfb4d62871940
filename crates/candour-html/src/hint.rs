//! Hint text (`components/hint`).

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::de::from_text;
use crate::util::{escape, html_or_text, nonempty, push_classes};

/// Params of the hint macro (also accepted as a plain string, meaning `{ text }`).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HintParams {
    /// Hint text (escaped).
    pub text: Option<String>,
    /// Hint markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(HintParams);

impl HintParams {
    /// Render the hint.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    pub(crate) fn has_content(&self) -> bool {
        nonempty(&self.text).is_some() || nonempty(&self.html).is_some()
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-hint".to_owned();
        push_classes(&mut class_names, &self.classes);
        let id = nonempty(&self.id)
            .map(|id| format!(" id=\"{}\"", escape(id)))
            .unwrap_or_default();
        let body = match caller {
            Some(c) => c.trim().to_owned(),
            None => html_or_text(&self.html, &self.text).unwrap_or_default(),
        };
        format!(
            "<div class=\"{}\"{id}{}>\n{body}\n</div>",
            escape(&class_names),
            attrs_html(&self.attributes)
        )
    }
}
