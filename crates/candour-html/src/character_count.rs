//! Character count (`components/character-count`): a textarea that counts characters or words.

use serde::Deserialize;

use crate::attributes::{AttrValue, Attributes, Attrs};
use crate::de;
use crate::error_message::ErrorMessageParams;
use crate::form::{FormGroup, TextOrHtml};
use crate::hint::HintParams;
use crate::i18n::{self, PluralMessages};
use crate::label::LabelParams;
use crate::textarea::TextareaParams;
use crate::util::{nonempty, push_classes};

/// Params of the character count macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CharacterCountParams {
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
    /// Maximum number of characters.
    #[serde(default, deserialize_with = "de::loose")]
    pub maxlength: Option<String>,
    /// Maximum number of words.
    #[serde(default, deserialize_with = "de::loose")]
    pub maxwords: Option<String>,
    /// Percentage of the limit at which the count appears.
    #[serde(default, deserialize_with = "de::loose")]
    pub threshold: Option<String>,
    /// `characters` or `words` (default: `words` when `maxwords` is set).
    pub count_type: Option<String>,
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
    /// Options for the count message.
    pub count_message: Option<CountMessage>,
    /// Description shown without JavaScript; `%{count}` is replaced with the limit.
    pub textarea_description_text: Option<String>,
    /// JavaScript translations by plural rule: characters under the limit.
    pub characters_under_limit_text: Option<PluralMessages>,
    /// JavaScript translation: at the character limit.
    pub characters_at_limit_text: Option<String>,
    /// JavaScript translations by plural rule: characters over the limit.
    pub characters_over_limit_text: Option<PluralMessages>,
    /// JavaScript translations by plural rule: words under the limit.
    pub words_under_limit_text: Option<PluralMessages>,
    /// JavaScript translation: at the word limit.
    pub words_at_limit_text: Option<String>,
    /// JavaScript translations by plural rule: words over the limit.
    pub words_over_limit_text: Option<PluralMessages>,
    /// `spellcheck` attribute.
    pub spellcheck: Option<bool>,
    /// Disable the textarea.
    pub disabled: Option<bool>,
    /// `autocomplete` attribute.
    pub autocomplete: Option<String>,
    /// Extra classes of the textarea.
    pub classes: Option<String>,
    /// Extra attributes of the textarea.
    pub attributes: Option<Attributes>,
}

/// Options for the count message.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CountMessage {
    /// Extra classes.
    pub classes: Option<String>,
}

impl CharacterCountParams {
    /// Render the character count.
    pub fn render(&self) -> String {
        let fg = self.form_group.clone().unwrap_or_default();
        let mut class_names = "nhsuk-js-character-count".to_owned();
        push_classes(&mut class_names, &self.classes);
        let class_names_fg = match nonempty(&fg.classes) {
            Some(c) => format!("{c} nhsuk-character-count"),
            None => "nhsuk-character-count".to_owned(),
        };
        let count_type = nonempty(&self.count_type)
            .map(str::to_owned)
            .or_else(|| nonempty(&self.maxwords).map(|_| "words".to_owned()));
        let limit = nonempty(&self.maxwords).or(nonempty(&self.maxlength));
        let description = nonempty(&self.textarea_description_text).map_or_else(
            || {
                let unit = if count_type.as_deref() == Some("words") {
                    "words"
                } else {
                    "characters"
                };
                format!("You can enter up to %{{count}} {unit}")
            },
            str::to_owned,
        );
        let description = limit.map(|l| description.replace("%{count}", l));
        let id = nonempty(&self.id)
            .or(nonempty(&self.name))
            .unwrap_or_default()
            .to_owned();

        let mut message_classes = "nhsuk-character-count__message".to_owned();
        push_classes(
            &mut message_classes,
            &self.count_message.as_ref().and_then(|c| c.classes.clone()),
        );
        let has_description = description.as_deref().is_some_and(|d| !d.is_empty());
        let mut count_message = HintParams {
            text: description,
            id: Some(format!("{id}-info")),
            classes: Some(message_classes),
            attributes: Some(Attributes::new().with("hidden", AttrValue::optional(!has_description))),
            ..HintParams::default()
        }
        .render();
        if let Some(after) = &fg.after_input {
            count_message.push('\n');
            count_message.push_str(&after.to_html());
        }

        let mut attrs = Attrs::new();
        attrs
            .set("data-module", "nhsuk-character-count")
            .opt("data-maxlength", self.maxlength.as_deref())
            .opt("data-maxwords", self.maxwords.as_deref())
            .opt("data-threshold", self.threshold.as_deref())
            .opt("data-count-type", count_type.as_deref());
        if limit.is_none() {
            if let Some(text) = nonempty(&self.textarea_description_text) {
                attrs.raw(&i18n::messages(
                    "textarea-description",
                    &Some(PluralMessages(vec![("other".to_owned(), text.to_owned())])),
                ));
            }
        }
        attrs
            .raw(&i18n::messages(
                "characters-under-limit",
                &self.characters_under_limit_text,
            ))
            .raw(&i18n::message("characters-at-limit", &self.characters_at_limit_text))
            .raw(&i18n::messages(
                "characters-over-limit",
                &self.characters_over_limit_text,
            ))
            .raw(&i18n::messages("words-under-limit", &self.words_under_limit_text))
            .raw(&i18n::message("words-at-limit", &self.words_at_limit_text))
            .raw(&i18n::messages("words-over-limit", &self.words_over_limit_text))
            .extend(&fg.attributes);
        let fg_attrs = attrs.build();

        let label = self.label.clone().unwrap_or_default();
        TextareaParams {
            id: Some(id.clone()),
            name: self.name.clone(),
            described_by: Some(format!("{id}-info")),
            rows: self.rows.clone(),
            spellcheck: self.spellcheck,
            value: self.value.clone(),
            form_group: Some(FormGroup {
                classes: Some(class_names_fg),
                before_input: fg.before_input.clone(),
                after_input: Some(TextOrHtml {
                    html: Some(count_message),
                    text: None,
                }),
                ..FormGroup::default()
            }),
            classes: Some(class_names),
            label: Some(LabelParams {
                r#for: label.r#for.clone().or_else(|| Some(id.clone())),
                ..label
            }),
            hint: self.hint.clone(),
            error_message: self.error_message.clone(),
            disabled: self.disabled,
            autocomplete: self.autocomplete.clone(),
            attributes: self.attributes.clone(),
        }
        .render_with(Some(&fg_attrs))
    }
}
