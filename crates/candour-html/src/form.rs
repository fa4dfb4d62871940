//! Pieces shared by the form components: the form group options and the hint/error message block.

use serde::Deserialize;

use crate::attributes::Attributes;
use crate::error_message::ErrorMessageParams;
use crate::hint::HintParams;
use crate::util::{html_or_text, nonempty};

/// Options for the `nhsuk-form-group` wrapper of a form component.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormGroup {
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
    /// Content before the input (input, textarea, character count, file upload).
    pub before_input: Option<TextOrHtml>,
    /// Content after the input (input, textarea, character count, file upload).
    pub after_input: Option<TextOrHtml>,
    /// Content before the inputs (radios, checkboxes, date input).
    pub before_inputs: Option<TextOrHtml>,
    /// Content after the inputs (radios, checkboxes, date input).
    pub after_inputs: Option<TextOrHtml>,
}

/// Content given as text (escaped) or markup.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextOrHtml {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
}

impl TextOrHtml {
    /// Markup if given, else the escaped text.
    pub(crate) fn to_html(&self) -> String {
        html_or_text(&self.html, &self.text).unwrap_or_default()
    }

    /// The "text or html is set" test.
    pub(crate) fn has_content(&self) -> bool {
        nonempty(&self.text).is_some() || nonempty(&self.html).is_some()
    }
}

/// Render a form group's optional before/after content.
pub(crate) fn extra(content: Option<&TextOrHtml>) -> Option<String> {
    content.map(TextOrHtml::to_html)
}

/// `describedBy ~ " " ~ id | trim`.
pub(crate) fn add_described_by(described_by: &mut String, id: &str) {
    *described_by = format!("{described_by} {id}").trim().to_owned();
}

/// Render the hint and error message of a form component, adding their ids to `described_by`.
/// `id_base` is the component's id (or id prefix).
pub(crate) fn hint_and_error(
    hint: &Option<HintParams>,
    error: &Option<ErrorMessageParams>,
    id_base: &str,
    described_by: &mut String,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(h) = hint.as_ref().filter(|h| h.has_content()) {
        let hint_id = h.id.clone().unwrap_or_else(|| format!("{id_base}-hint"));
        add_described_by(described_by, &hint_id);
        out.push(
            HintParams {
                id: Some(hint_id),
                ..h.clone()
            }
            .render(),
        );
    }
    if let Some(e) = error.as_ref().filter(|e| e.has_content()) {
        let error_id = e.id.clone().unwrap_or_else(|| format!("{id_base}-error"));
        add_described_by(described_by, &error_id);
        out.push(
            ErrorMessageParams {
                id: Some(error_id),
                ..e.clone()
            }
            .render(),
        );
    }
    out
}
