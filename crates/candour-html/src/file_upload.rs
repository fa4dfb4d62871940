//! File upload (`components/file-upload`).

use serde::Deserialize;

use crate::attributes::{attrs_html, AttrValue, Attributes, Attrs};
use crate::de;
use crate::error_message::ErrorMessageParams;
use crate::form::{extra, hint_and_error, FormGroup};
use crate::hint::HintParams;
use crate::i18n::{self, PluralMessages};
use crate::label::LabelParams;
use crate::util::{escape, nonempty, push_classes};

/// Params of the file upload macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileUploadParams {
    /// `id` (default: `name`).
    pub id: Option<String>,
    /// `name` attribute.
    pub name: Option<String>,
    /// Allow several files.
    pub multiple: Option<bool>,
    /// Disable the input.
    pub disabled: Option<bool>,
    /// Ids of other elements describing the input, before the hint and error ids.
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
    /// Classes for the "Choose file" button the JavaScript adds.
    pub choose_files_button_class_list: Option<Vec<String>>,
    /// JavaScript translation: the "Choose file" button.
    pub choose_files_button_text: Option<String>,
    /// JavaScript translation: "No file chosen".
    pub no_file_chosen_text: Option<String>,
    /// JavaScript translations by plural rule: "%{count} files chosen".
    pub multiple_files_chosen_text: Option<PluralMessages>,
    /// JavaScript translation: "or drop file".
    pub drop_instruction_text: Option<String>,
    /// JavaScript translation: "Entered drop zone".
    pub entered_drop_zone_text: Option<String>,
    /// JavaScript translation: "Left drop zone".
    pub left_drop_zone_text: Option<String>,
    /// Extra classes of the input.
    pub classes: Option<String>,
    /// Extra attributes of the input.
    pub attributes: Option<Attributes>,
}

impl FileUploadParams {
    /// Render the file upload.
    pub fn render(&self) -> String {
        let fg = self.form_group.clone().unwrap_or_default();
        let mut class_names = "nhsuk-file-upload__input".to_owned();
        let mut class_names_fg = "nhsuk-form-group".to_owned();
        if self.error_message.is_some() {
            class_names_fg.push_str(" nhsuk-form-group--error");
        }
        push_classes(&mut class_names, &self.classes);
        push_classes(&mut class_names_fg, &fg.classes);
        let mut described_by = nonempty(&self.described_by).unwrap_or_default().to_owned();
        let id = nonempty(&self.id)
            .or(nonempty(&self.name))
            .unwrap_or_default()
            .to_owned();

        let mut fg_attrs = Attrs::new();
        fg_attrs
            .set("class", &format!("{class_names_fg} nhsuk-file-upload"))
            .set("data-module", "nhsuk-file-upload");
        if let Some(list) = &self.choose_files_button_class_list {
            let mut a = String::new();
            AttrValue::array(list.iter().map(|s| serde_json::Value::String(s.clone())).collect())
                .render_into("data-choose-files-button-class-list", &mut a);
            fg_attrs.raw(&a);
        }
        fg_attrs
            .raw(&i18n::message("choose-files-button", &self.choose_files_button_text))
            .raw(&i18n::message("no-file-chosen", &self.no_file_chosen_text))
            .raw(&i18n::messages(
                "multiple-files-chosen",
                &self.multiple_files_chosen_text,
            ))
            .raw(&i18n::message("drop-instruction", &self.drop_instruction_text))
            .raw(&i18n::message("entered-drop-zone", &self.entered_drop_zone_text))
            .raw(&i18n::message("left-drop-zone", &self.left_drop_zone_text))
            .extend(&fg.attributes);
        let fg_attrs = fg_attrs.build();

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
            " class=\"{}\" id=\"{}\" name=\"{}\" type=\"file\"",
            escape(&class_names),
            escape(&id),
            escape(self.name.as_deref().unwrap_or_default())
        );
        if self.disabled == Some(true) {
            attrs.push_str(" disabled");
        }
        if self.multiple == Some(true) {
            attrs.push_str(" multiple");
        }
        if !described_by.is_empty() {
            attrs.push_str(&format!(" aria-describedby=\"{}\"", escape(&described_by)));
        }
        attrs.push_str(&attrs_html(&self.attributes));
        parts.push(format!("<input{attrs}>"));
        parts.extend(extra(fg.after_input.as_ref()));
        format!("<div{fg_attrs}>\n{}\n</div>", parts.join("\n"))
    }
}
