//! Textarea (`components/textarea`).

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::de;
use crate::error_message::ErrorMessageParams;
use crate::form::{extra, hint_and_error, FormGroup};
use crate::hint::HintParams;
use crate::label::LabelParams;
use crate::util::{escape, nonempty, push_classes, truthy};

/// Params of the textarea macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextareaParams {
    /// `id` (default: `name`).
    pub id: Option<String>,
    /// `name` attribute.
    pub name: Option<String>,
    /// Number of rows (default 5).
    #[serde(default, deserialize_with = "de::loose")]
    pub rows: Option<String>,
    /// Current value.
    #[serde(default, deserialize_with = "de::loose")]
    pub value: Option<String>,
    /// Disable the textarea.
    pub disabled: Option<bool>,
    /// Ids of other elements describing the textarea (`aria-describedby`), before the hint and error ids.
    pub described_by: Option<String>,
    /// Label (string or label params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub label: Option<LabelParams>,
    /// Hint (string or hint params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub hint: Option<HintParams>,
    /// Error message (string, `true` for error styling only, or error message params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub error_message: Option<ErrorMessageParams>,
    /// Form group options.
    pub form_group: Option<FormGroup>,
    /// `spellcheck` attribute.
    pub spellcheck: Option<bool>,
    /// `autocomplete` attribute.
    pub autocomplete: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

impl TextareaParams {
    /// Render the textarea with its form group, label, hint and error message.
    pub fn render(&self) -> String {
        self.render_with(None)
    }

    /// Render, with already-rendered form group attributes in place of `formGroup.attributes`.
    pub(crate) fn render_with(&self, form_group_attrs: Option<&str>) -> String {
        let fg = self.form_group.clone().unwrap_or_default();
        let mut class_names = "nhsuk-textarea".to_owned();
        let mut class_names_fg = "nhsuk-form-group".to_owned();
        if self.error_message.is_some() {
            class_names.push_str(" nhsuk-textarea--error");
            class_names_fg.push_str(" nhsuk-form-group--error");
        }
        push_classes(&mut class_names, &self.classes);
        push_classes(&mut class_names_fg, &fg.classes);

        let mut described_by = nonempty(&self.described_by).unwrap_or_default().to_owned();
        let id = nonempty(&self.id)
            .or(nonempty(&self.name))
            .unwrap_or_default()
            .to_owned();

        let mut parts = Vec::new();
        if let Some(label) = &self.label {
            parts.push(
                LabelParams {
                    r#for: label.r#for.clone().or_else(|| Some(id.clone())),
                    ..label.clone()
                }
                .render(),
            );
        }
        parts.extend(hint_and_error(&self.hint, &self.error_message, &id, &mut described_by));
        parts.extend(extra(fg.before_input.as_ref()));

        let mut attrs = format!(
            " class=\"{}\" id=\"{}\" name=\"{}\" rows=\"{}\"",
            escape(&class_names),
            escape(&id),
            escape(self.name.as_deref().unwrap_or_default()),
            escape(nonempty(&self.rows).unwrap_or("5"))
        );
        if let Some(s) = self.spellcheck {
            attrs.push_str(&format!(" spellcheck=\"{s}\""));
        }
        if self.disabled == Some(true) {
            attrs.push_str(" disabled");
        }
        if !described_by.is_empty() {
            attrs.push_str(&format!(" aria-describedby=\"{}\"", escape(&described_by)));
        }
        if truthy(&self.autocomplete) {
            attrs.push_str(&format!(
                " autocomplete=\"{}\"",
                escape(self.autocomplete.as_deref().unwrap_or_default())
            ));
        }
        attrs.push_str(&attrs_html(&self.attributes));
        parts.push(format!(
            "<textarea{attrs}>{}</textarea>",
            escape(self.value.as_deref().unwrap_or_default())
        ));
        parts.extend(extra(fg.after_input.as_ref()));

        let fg_attrs = form_group_attrs.map_or_else(|| attrs_html(&fg.attributes), str::to_owned);
        format!(
            "<div class=\"{}\"{fg_attrs}>\n{}\n</div>",
            escape(&class_names_fg),
            parts.join("\n")
        )
    }
}
