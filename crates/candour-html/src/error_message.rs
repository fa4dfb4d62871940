//! Error message (`components/error-message`).

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::de::{from_str, FromText};
use crate::util::{escape, nonempty, push_classes};

/// Params of the error message macro.
///
/// Form components also accept `errorMessage` as a plain string (meaning `{ text }`) or `true` (error
/// styling without a message); in Rust, `Some(ErrorMessageParams)` puts the component in its error
/// state and a message is shown when `text` or `html` is set.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErrorMessageParams {
    /// Error text (escaped).
    pub text: Option<String>,
    /// Error markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Visually hidden prefix (default `Error`; an empty string removes it).
    pub visually_hidden_text: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl FromText for ErrorMessageParams {
    fn from_text(text: String) -> Self {
        Self {
            text: Some(text),
            ..Self::default()
        }
    }
    fn from_true() -> Option<Self> {
        Some(Self::default())
    }
}

from_str!(ErrorMessageParams);

impl ErrorMessageParams {
    /// An error message with text.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: Some(text.into()),
            ..Self::default()
        }
    }

    /// Render the error message.
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
        let mut class_names = "nhsuk-error-message".to_owned();
        push_classes(&mut class_names, &self.classes);
        let id = nonempty(&self.id)
            .map(|id| format!(" id=\"{}\"", escape(id)))
            .unwrap_or_default();
        let body = match caller {
            Some(c) => c.trim().to_owned(),
            None => match nonempty(&self.html) {
                Some(h) => h.trim().to_owned(),
                None => escape(self.text.as_deref().unwrap_or_default().trim()),
            },
        };
        let vht = self.visually_hidden_text.as_deref().unwrap_or("Error");
        let prefix = if vht.is_empty() {
            String::new()
        } else {
            format!("<span class=\"nhsuk-u-visually-hidden\">{}: </span>", escape(vht))
        };
        format!(
            "<span class=\"{}\"{id}{}>\n{prefix}{body}\n</span>",
            escape(&class_names),
            attrs_html(&self.attributes)
        )
    }
}
