//! Date input (`components/date-input`): day, month and year fields in a fieldset.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes, Attrs};
use crate::choices::LooseString;
use crate::de;
use crate::error_message::ErrorMessageParams;
use crate::fieldset::FieldsetParams;
use crate::form::{extra, hint_and_error, FormGroup};
use crate::hint::HintParams;
use crate::input::{Affix, InputParams};
use crate::label::LabelParams;
use crate::util::{capitalize, classes_contain, escape, nonempty, push_classes};

/// Params of the date input macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DateInputParams {
    /// `id` of the date input; the fields get `{id}-day`, `{id}-month`, `{id}-year`.
    pub id: Option<String>,
    /// Prefix for the field names: `{prefix}[day]` and so on.
    pub name_prefix: Option<String>,
    /// The fields (default: day, month and year; falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub items: Vec<DateInputItem>,
    /// The day field, when `items` is not given (`false` leaves it out).
    #[serde(default, deserialize_with = "de::present_or_false")]
    pub day: Option<Option<DateInputItem>>,
    /// The month field, when `items` is not given (`false` leaves it out).
    #[serde(default, deserialize_with = "de::present_or_false")]
    pub month: Option<Option<DateInputItem>>,
    /// The year field, when `items` is not given (`false` leaves it out).
    #[serde(default, deserialize_with = "de::present_or_false")]
    pub year: Option<Option<DateInputItem>>,
    /// Values by field name (`day`, `month`, `year`).
    #[serde(default)]
    pub values: BTreeMap<String, LooseString>,
    /// Wrap the fields in a fieldset (with `role="group"` by default).
    #[serde(default, deserialize_with = "de::obj_or_bool")]
    pub fieldset: Option<FieldsetParams>,
    /// Hint (string or hint params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub hint: Option<HintParams>,
    /// Error message (string, `true` for error styling only, or error message params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub error_message: Option<ErrorMessageParams>,
    /// Form group options.
    pub form_group: Option<FormGroup>,
    /// Disable every field (fields can opt out with `disabled: false`).
    pub disabled: Option<bool>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// One date field.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DateInputItem {
    /// Field name (`day`, `month`, `year` or custom).
    pub name: Option<String>,
    /// Label (string or label params; default: the capitalised name).
    #[serde(default, deserialize_with = "de::text_or")]
    pub label: Option<LabelParams>,
    /// Value.
    #[serde(default, deserialize_with = "de::loose")]
    pub value: Option<String>,
    /// Width in characters (default 2, or 4 for the year).
    #[serde(default, deserialize_with = "de::loose")]
    pub width: Option<String>,
    /// Show this field in its error state.
    pub error: Option<bool>,
    /// `id` (default `{id}-{name}`).
    pub id: Option<String>,
    /// `type` (default `text`).
    pub r#type: Option<String>,
    /// `inputmode` (default `numeric`).
    pub inputmode: Option<String>,
    /// `autocomplete` attribute (for example `bday-day`).
    pub autocomplete: Option<String>,
    /// `autocapitalize` attribute.
    pub autocapitalize: Option<String>,
    /// `pattern` attribute.
    pub pattern: Option<String>,
    /// `spellcheck` attribute.
    pub spellcheck: Option<bool>,
    /// Disabled (default: the date input's `disabled`).
    pub disabled: Option<bool>,
    /// Prefix (string or affix options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub prefix: Option<Affix>,
    /// Suffix (string or affix options).
    #[serde(default, deserialize_with = "de::text_or")]
    pub suffix: Option<Affix>,
    /// Ids describing the field.
    pub described_by: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

#[derive(Clone, Copy, PartialEq)]
enum Slot {
    Day,
    Month,
    Year,
}

fn has_error(item: &DateInputItem) -> bool {
    item.error == Some(true) || classes_contain(&item.classes, "nhsuk-input--error")
}

impl DateInputParams {
    /// Render the date input.
    pub fn render(&self) -> String {
        let default_item = |name: &str, width: &str| DateInputItem {
            name: Some(name.to_owned()),
            value: self.values.get(name).map(|v| v.0.clone()),
            width: Some(width.to_owned()),
            ..DateInputItem::default()
        };
        let slot_item = |slot: &Option<Option<DateInputItem>>, name: &str, width: &str| match slot {
            None => Some(default_item(name, width)),
            Some(item) => item.clone(),
        };
        let day = slot_item(&self.day, "day", "2");
        let month = slot_item(&self.month, "month", "2");
        let year = slot_item(&self.year, "year", "4");

        // Each item with the slot it stands for (by identity in the default list, by name otherwise).
        let items: Vec<(DateInputItem, Option<Slot>)> = if self.items.is_empty() {
            [
                (day.clone(), Slot::Day),
                (month.clone(), Slot::Month),
                (year.clone(), Slot::Year),
            ]
            .into_iter()
            .filter_map(|(item, slot)| item.map(|i| (i, Some(slot))))
            .collect()
        } else {
            let slot_name = |s: &Option<DateInputItem>| s.as_ref().and_then(|i| i.name.clone());
            self.items
                .iter()
                .map(|item| {
                    let name = nonempty(&item.name);
                    let is = |fixed: &str, s: &Option<DateInputItem>| {
                        name.is_some_and(|n| n == fixed || Some(n) == slot_name(s).as_deref())
                    };
                    let slot = if is("day", &day) {
                        Some(Slot::Day)
                    } else if is("month", &month) {
                        Some(Slot::Month)
                    } else if is("year", &year) {
                        Some(Slot::Year)
                    } else {
                        None
                    };
                    (item.clone(), slot)
                })
                .collect()
        };
        let any_item_has_error = items.iter().any(|(i, _)| has_error(i));
        let error_state = self.error_message.is_some();

        let mut described_by = self
            .fieldset
            .as_ref()
            .and_then(|f| nonempty(&f.described_by))
            .unwrap_or_default()
            .to_owned();
        let id = self.id.as_deref().unwrap_or_default();
        let mut inner = hint_and_error(&self.hint, &self.error_message, id, &mut described_by);

        let fg = self.form_group.clone().unwrap_or_default();
        let mut class_names = "nhsuk-date-input".to_owned();
        push_classes(&mut class_names, &self.classes);
        let mut fields = Vec::new();
        fields.extend(extra(fg.before_inputs.as_ref()));
        for (item, slot) in &items {
            let (slot_default, default_width) = match slot {
                Some(Slot::Day) => (day.as_ref(), None),
                Some(Slot::Month) => (month.as_ref(), None),
                Some(Slot::Year) => (year.as_ref(), Some("4")),
                None => (None, None),
            };
            let item_name = match slot {
                Some(Slot::Day) => item.name.clone().unwrap_or_else(|| "day".to_owned()),
                Some(Slot::Month) => item.name.clone().unwrap_or_else(|| "month".to_owned()),
                Some(Slot::Year) => item.name.clone().unwrap_or_else(|| "year".to_owned()),
                None => item.name.clone().unwrap_or_default(),
            };
            let item_value = item
                .value
                .clone()
                .or_else(|| slot_default.and_then(|d| d.value.clone()))
                .or_else(|| self.values.get(&item_name).map(|v| v.0.clone()));
            let item_width = item
                .width
                .clone()
                .unwrap_or_else(|| default_width.unwrap_or("2").to_owned());
            let item_classes = item.classes.as_deref().unwrap_or_default().trim().to_owned();
            let error = !item_classes.contains("nhsuk-input--error")
                && (has_error(item) || (item.error != Some(false) && error_state && !any_item_has_error));

            let item_label = item.label.clone().unwrap_or_default();
            let mut label_classes = "nhsuk-date-input__label".to_owned();
            push_classes(&mut label_classes, &item_label.classes);
            let input = InputParams {
                label: Some(LabelParams {
                    html: item_label.html.clone(),
                    text: item_label.text.clone().or_else(|| Some(capitalize(&item_name))),
                    visually_hidden_text: item_label.visually_hidden_text.clone(),
                    id: item_label.id.clone(),
                    r#for: item_label.r#for.clone(),
                    classes: Some(label_classes),
                    attributes: item_label.attributes.clone(),
                    ..LabelParams::default()
                }),
                error_message: error.then(ErrorMessageParams::default),
                id: Some(nonempty(&item.id).map_or_else(|| format!("{id}-{item_name}"), str::to_owned)),
                name: Some(match nonempty(&self.name_prefix) {
                    Some(prefix) => format!("{prefix}[{item_name}]"),
                    None => item_name.clone(),
                }),
                value: item_value,
                r#type: Some(nonempty(&item.r#type).unwrap_or("text").to_owned()),
                prefix: item.prefix.clone(),
                suffix: item.suffix.clone(),
                width: Some(item_width),
                inputmode: Some(nonempty(&item.inputmode).unwrap_or("numeric").to_owned()),
                spellcheck: item.spellcheck,
                autocomplete: item.autocomplete.clone(),
                autocapitalize: item.autocapitalize.clone(),
                pattern: item.pattern.clone(),
                disabled: item.disabled.or(self.disabled),
                described_by: item.described_by.clone(),
                classes: Some(format!("nhsuk-date-input__input {item_classes}").trim().to_owned()),
                attributes: item.attributes.clone(),
                ..InputParams::default()
            }
            .render();
            fields.push(format!("<div class=\"nhsuk-date-input__item\">\n{input}\n</div>"));
        }
        fields.extend(extra(fg.after_inputs.as_ref()));
        let attrs = Attrs::new()
            .set("class", &class_names)
            .opt_truthy("id", self.id.as_deref())
            .extend(&self.attributes)
            .build();
        inner.push(format!("<div{attrs}>\n{}\n</div>", fields.join("\n")));
        let inner = inner.join("\n");

        let mut class_names_fg = "nhsuk-form-group".to_owned();
        if error_state || any_item_has_error {
            class_names_fg.push_str(" nhsuk-form-group--error");
        }
        push_classes(&mut class_names_fg, &fg.classes);
        let body = match &self.fieldset {
            Some(f) => FieldsetParams {
                html: Some(inner),
                role: Some(f.role.clone().unwrap_or_else(|| "group".to_owned())),
                described_by: Some(described_by),
                ..f.clone()
            }
            .render(),
            None => inner,
        };
        format!(
            "<div class=\"{}\"{}>\n{body}\n</div>",
            escape(&class_names_fg),
            attrs_html(&fg.attributes)
        )
    }
}
