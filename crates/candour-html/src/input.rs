//! Text input (`components/input`).

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes, Attrs};
use crate::de::{self, from_text};
use crate::error_message::ErrorMessageParams;
use crate::form::{extra, hint_and_error, FormGroup};
use crate::hint::HintParams;
use crate::label::LabelParams;
use crate::util::{classes_contain, classes_contain_any, escape, html_or_text, nonempty, push_classes};

/// Params of the input macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InputParams {
    /// `id` (default: `name`).
    pub id: Option<String>,
    /// `name` attribute.
    pub name: Option<String>,
    /// `type` attribute (default `text`).
    pub r#type: Option<String>,
    /// `inputmode` attribute.
    pub inputmode: Option<String>,
    /// Current value.
    #[serde(default, deserialize_with = "de::loose")]
    pub value: Option<String>,
    /// Disable the input.
    pub disabled: Option<bool>,
    /// Ids of other elements describing the input (`aria-describedby`), before the hint and error ids.
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
    /// Prefix shown before the input (string or `{ text, html, classes, attributes }`).
    #[serde(default, deserialize_with = "de::text_or")]
    pub prefix: Option<Affix>,
    /// Suffix shown after the input (string or `{ text, html, classes, attributes }`).
    #[serde(default, deserialize_with = "de::text_or")]
    pub suffix: Option<Affix>,
    /// Form group options.
    pub form_group: Option<FormGroup>,
    /// Input wrapper options.
    pub input_wrapper: Option<InputWrapper>,
    /// Fixed width: 2, 3, 4, 5, 10, 20 or 30 characters.
    #[serde(default, deserialize_with = "de::loose")]
    pub width: Option<String>,
    /// Larger input.
    pub large: Option<bool>,
    /// Monospaced input for codes and numbers.
    pub code: Option<bool>,
    /// `spellcheck` attribute.
    pub spellcheck: Option<bool>,
    /// `autocomplete` attribute.
    pub autocomplete: Option<String>,
    /// `autocapitalize` attribute.
    pub autocapitalize: Option<String>,
    /// `pattern` attribute.
    pub pattern: Option<String>,
    /// `placeholder` attribute.
    pub placeholder: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// Input prefix or suffix.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Affix {
    /// Text (escaped).
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(Affix);

/// Options for the wrapper around the input and its prefix/suffix.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InputWrapper {
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

const WIDTHS: &[&str] = &["2", "3", "4", "5", "10", "20", "30"];

impl InputParams {
    /// Render the input with its form group, label, hint and error message.
    pub fn render(&self) -> String {
        let fg = self.form_group.clone().unwrap_or_default();
        let wrapper = self.input_wrapper.clone().unwrap_or_default();
        let mut class_names = "nhsuk-input".to_owned();
        let mut class_names_wrapper = "nhsuk-input-wrapper".to_owned();
        let mut class_names_fg = "nhsuk-form-group".to_owned();
        if self.large == Some(true) && !classes_contain(&self.classes, "nhsuk-input--large") {
            class_names.push_str(" nhsuk-input--large");
            class_names_wrapper.push_str(" nhsuk-input-wrapper--large");
        }
        if self.code == Some(true) && !classes_contain(&self.classes, "nhsuk-input--code") {
            class_names.push_str(" nhsuk-input--code");
        }
        if self.error_message.is_some() {
            class_names.push_str(" nhsuk-input--error");
            class_names_fg.push_str(" nhsuk-form-group--error");
        }
        if let Some(w) = nonempty(&self.width) {
            let taken: Vec<String> = WIDTHS.iter().map(|w| format!("nhsuk-input--width-{w}")).collect();
            let taken: Vec<&str> = taken.iter().map(String::as_str).collect();
            if WIDTHS.contains(&w) && !classes_contain_any(&self.classes, &taken) {
                class_names.push_str(" nhsuk-input--width-");
                class_names.push_str(w);
            }
        }
        push_classes(&mut class_names, &self.classes);
        push_classes(&mut class_names_wrapper, &wrapper.classes);
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

        let input = Attrs::new()
            .set("class", &class_names)
            .set("id", &id)
            .set("name", self.name.as_deref().unwrap_or_default())
            .set("type", nonempty(&self.r#type).unwrap_or("text"))
            .opt("spellcheck", self.spellcheck.map(|b| if b { "true" } else { "false" }))
            .opt("value", self.value.as_deref())
            .flag("disabled", self.disabled == Some(true))
            .opt_truthy("aria-describedby", Some(&described_by))
            .opt("autocomplete", self.autocomplete.as_deref())
            .opt("autocapitalize", self.autocapitalize.as_deref())
            .opt("pattern", self.pattern.as_deref())
            .opt("placeholder", self.placeholder.as_deref())
            .opt("inputmode", self.inputmode.as_deref())
            .extend(&self.attributes)
            .build();
        let input = format!("<input{input}>");

        let prefix = self.prefix.as_ref().and_then(|a| affix(a, "prefix"));
        let suffix = self.suffix.as_ref().and_then(|a| affix(a, "suffix"));
        let before = fg.before_input.as_ref().filter(|b| b.has_content());
        let after = fg.after_input.as_ref().filter(|b| b.has_content());
        if prefix.is_some()
            || suffix.is_some()
            || before.is_some()
            || after.is_some()
            || nonempty(&wrapper.classes).is_some()
            || wrapper.attributes.is_some()
        {
            let mut inner = Vec::new();
            inner.extend(extra(before));
            inner.extend(prefix);
            inner.push(input);
            inner.extend(suffix);
            inner.extend(extra(after));
            parts.push(format!(
                "<div class=\"{}\"{}>\n{}\n</div>",
                escape(&class_names_wrapper),
                attrs_html(&wrapper.attributes),
                inner.join("\n")
            ));
        } else {
            parts.push(input);
        }
        format!(
            "<div class=\"{}\"{}>\n{}\n</div>",
            escape(&class_names_fg),
            attrs_html(&fg.attributes),
            parts.join("\n")
        )
    }
}

fn affix(a: &Affix, kind: &str) -> Option<String> {
    let content = html_or_text(&a.html, &a.text)?;
    let mut class_names = format!("nhsuk-input-wrapper__{kind}");
    push_classes(&mut class_names, &a.classes);
    Some(format!(
        "<div class=\"{}\" aria-hidden=\"true\"{}>{content}</div>",
        escape(&class_names),
        attrs_html(&a.attributes)
    ))
}
