//! Radios (`components/radios`) and checkboxes (`components/checkboxes`): the two templates are the
//! same apart from the checkbox-only options, so they share this implementation.

use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::de;
use crate::error_message::ErrorMessageParams;
use crate::fieldset::FieldsetParams;
use crate::form::{extra, hint_and_error, FormGroup};
use crate::hint::HintParams;
use crate::label::LabelParams;
use crate::util::{escape, nonempty, push_classes, truthy};

/// Params of the radios macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RadiosParams {
    /// `name` of every radio.
    pub name: Option<String>,
    /// Prefix for the item ids (default: `name`). The first item gets the prefix itself, the n-th
    /// `{prefix}-{n}`.
    pub id_prefix: Option<String>,
    /// The items (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub items: Vec<ChoiceItem>,
    /// The selected value.
    #[serde(default, deserialize_with = "de::loose")]
    pub value: Option<String>,
    /// Wrap the radios in a fieldset (`null`/`false`: no fieldset).
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
    /// Lay the radios out in a row.
    pub inline: Option<bool>,
    /// Smaller radios.
    pub small: Option<bool>,
    /// Disable every radio (items can opt out with `disabled: false`).
    pub disabled: Option<bool>,
    /// `id` of the radios container.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// Params of the checkboxes macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckboxesParams {
    /// `name` of every checkbox (items may override it).
    pub name: Option<String>,
    /// Prefix for the item ids (default: `name`). The first item gets the prefix itself, the n-th
    /// `{prefix}-{n}`.
    pub id_prefix: Option<String>,
    /// The items (falsy entries are skipped).
    #[serde(default, deserialize_with = "de::items")]
    pub items: Vec<ChoiceItem>,
    /// The checked values.
    #[serde(default, deserialize_with = "de::items")]
    pub values: Vec<LooseString>,
    /// Wrap the checkboxes in a fieldset (`null`/`false`: no fieldset).
    #[serde(default, deserialize_with = "de::obj_or_bool")]
    pub fieldset: Option<FieldsetParams>,
    /// Ids of other elements describing the checkboxes, before the hint and error ids.
    pub described_by: Option<String>,
    /// Hint (string or hint params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub hint: Option<HintParams>,
    /// Error message (string, `true` for error styling only, or error message params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub error_message: Option<ErrorMessageParams>,
    /// Form group options.
    pub form_group: Option<FormGroup>,
    /// Lay the checkboxes out in a row.
    pub inline: Option<bool>,
    /// Smaller checkboxes.
    pub small: Option<bool>,
    /// Disable every checkbox (items can opt out with `disabled: false`).
    pub disabled: Option<bool>,
    /// `id` of the checkboxes container.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A string that may be given as a number in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LooseString(pub String);

impl<'de> Deserialize<'de> for LooseString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self(de::loose(d)?.unwrap_or_default()))
    }
}

impl From<&str> for LooseString {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// A radio or checkbox (or a divider between them).
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChoiceItem {
    /// Label text (escaped).
    pub text: Option<String>,
    /// Label markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Label options (string or label params), overriding `text`/`html`.
    #[serde(default, deserialize_with = "de::text_or")]
    pub label: Option<LabelParams>,
    /// Hint for this item (string or hint params).
    #[serde(default, deserialize_with = "de::text_or")]
    pub hint: Option<HintParams>,
    /// `value` attribute.
    #[serde(default, deserialize_with = "de::loose")]
    pub value: Option<String>,
    /// `id` (default derived from the id prefix).
    pub id: Option<String>,
    /// Checkboxes only: `name` overriding the group's.
    pub name: Option<String>,
    /// Checked (default: from the group's `value`/`values`).
    pub checked: Option<bool>,
    /// Disabled.
    pub disabled: Option<bool>,
    /// Makes this item a divider with this text (for example `or`).
    pub divider: Option<String>,
    /// Content revealed when the item is selected.
    pub conditional: Option<Conditional>,
    /// Checkboxes only: `exclusive` (unchecks the others) or `inclusive` (checks them all).
    pub behaviour: Option<String>,
    /// Checkboxes only: the group the behaviour applies to.
    pub behaviour_group: Option<String>,
    /// Checkboxes only, deprecated: `behaviour: "exclusive"`.
    pub exclusive: Option<bool>,
    /// Checkboxes only, deprecated: `behaviourGroup`.
    pub exclusive_group: Option<String>,
    /// Extra classes of the input.
    pub classes: Option<String>,
    /// Extra attributes of the input.
    pub attributes: Option<Attributes>,
}

/// Conditionally revealed content.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Conditional {
    /// The content. Trusted: callers must only pass markup they built from escaped parts.
    pub html: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Radios,
    Checkboxes,
}

struct Common<'a> {
    kind: Kind,
    name: &'a Option<String>,
    id_prefix: &'a Option<String>,
    items: &'a [ChoiceItem],
    fieldset: &'a Option<FieldsetParams>,
    described_by: String,
    hint: &'a Option<HintParams>,
    error_message: &'a Option<ErrorMessageParams>,
    form_group: &'a Option<FormGroup>,
    inline: Option<bool>,
    small: Option<bool>,
    disabled: Option<bool>,
    id: &'a Option<String>,
    classes: &'a Option<String>,
    attributes: &'a Option<Attributes>,
    is_checked: &'a dyn Fn(&ChoiceItem) -> bool,
}

impl RadiosParams {
    /// Render the radios with their form group, fieldset, hint and error message.
    pub fn render(&self) -> String {
        let is_checked = |item: &ChoiceItem| -> bool {
            item.checked == Some(true)
                || (truthy(&self.value) && item.value == self.value && item.checked != Some(false))
        };
        render(&Common {
            kind: Kind::Radios,
            name: &self.name,
            id_prefix: &self.id_prefix,
            items: &self.items,
            fieldset: &self.fieldset,
            described_by: self
                .fieldset
                .as_ref()
                .and_then(|f| nonempty(&f.described_by))
                .unwrap_or_default()
                .to_owned(),
            hint: &self.hint,
            error_message: &self.error_message,
            form_group: &self.form_group,
            inline: self.inline,
            small: self.small,
            disabled: self.disabled,
            id: &self.id,
            classes: &self.classes,
            attributes: &self.attributes,
            is_checked: &is_checked,
        })
    }
}

impl CheckboxesParams {
    /// Render the checkboxes with their form group, fieldset, hint and error message.
    pub fn render(&self) -> String {
        let is_checked = |item: &ChoiceItem| -> bool {
            item.checked == Some(true)
                || (!self.values.is_empty()
                    && self.values.iter().any(|v| Some(&v.0) == item.value.as_ref())
                    && item.checked != Some(false))
        };
        let fieldset_described_by = self.fieldset.as_ref().and_then(|f| nonempty(&f.described_by));
        let described_by = fieldset_described_by
            .or(nonempty(&self.described_by))
            .unwrap_or_default()
            .to_owned();
        render(&Common {
            kind: Kind::Checkboxes,
            name: &self.name,
            id_prefix: &self.id_prefix,
            items: &self.items,
            fieldset: &self.fieldset,
            described_by,
            hint: &self.hint,
            error_message: &self.error_message,
            form_group: &self.form_group,
            inline: self.inline,
            small: self.small,
            disabled: self.disabled,
            id: &self.id,
            classes: &self.classes,
            attributes: &self.attributes,
            is_checked: &is_checked,
        })
    }
}

fn render(p: &Common<'_>) -> String {
    let block = match p.kind {
        Kind::Radios => "nhsuk-radios",
        Kind::Checkboxes => "nhsuk-checkboxes",
    };
    let fg = p.form_group.clone().unwrap_or_default();
    let mut class_names = block.to_owned();
    let mut class_names_fg = "nhsuk-form-group".to_owned();
    if p.small == Some(true) && !crate::util::classes_contain(p.classes, &format!("{block}--small")) {
        class_names.push_str(&format!(" {block}--small"));
    }
    if p.inline == Some(true) && !crate::util::classes_contain(p.classes, &format!("{block}--inline")) {
        class_names.push_str(&format!(" {block}--inline"));
    }
    if p.error_message.is_some() {
        class_names_fg.push_str(" nhsuk-form-group--error");
    }
    push_classes(&mut class_names, p.classes);
    push_classes(&mut class_names_fg, &fg.classes);

    let id_prefix = nonempty(p.id_prefix).or(nonempty(p.name)).unwrap_or_default();
    let has_fieldset = p.fieldset.is_some();
    let mut described_by = p.described_by.clone();

    let mut inner = hint_and_error(p.hint, p.error_message, id_prefix, &mut described_by);

    let mut items = Vec::new();
    items.extend(extra(fg.before_inputs.as_ref()));
    for (i, item) in p.items.iter().enumerate() {
        items.push(render_item(p, item, i + 1, id_prefix, has_fieldset, &described_by));
    }
    items.extend(extra(fg.after_inputs.as_ref()));
    let attrs = Attrs::new()
        .set("class", &class_names)
        .opt("id", p.id.as_deref())
        .set("data-module", block)
        .extend(p.attributes)
        .build();
    inner.push(format!("<div{attrs}>\n{}\n</div>", items.join("\n")));
    let inner = inner.join("\n");

    let body = match p.fieldset {
        Some(f) => FieldsetParams {
            html: Some(inner),
            described_by: Some(described_by),
            ..f.clone()
        }
        .render(),
        None => inner,
    };
    format!(
        "<div class=\"{}\"{}>\n{body}\n</div>",
        escape(&class_names_fg),
        crate::attributes::attrs_html(&fg.attributes)
    )
}

fn render_item(
    p: &Common<'_>,
    item: &ChoiceItem,
    index: usize,
    id_prefix: &str,
    has_fieldset: bool,
    described_by: &str,
) -> String {
    let (block, input_type) = match p.kind {
        Kind::Radios => ("nhsuk-radios", "radio"),
        Kind::Checkboxes => ("nhsuk-checkboxes", "checkbox"),
    };
    let inclusive = p.kind == Kind::Checkboxes && item.behaviour.as_deref() == Some("inclusive");
    let hidden_class = if inclusive {
        " nhsuk-u-frontend-not-supported-hidden"
    } else {
        ""
    };
    let item_id = match nonempty(&item.id) {
        Some(id) => id.to_owned(),
        None if index > 1 => format!("{id_prefix}-{index}"),
        None => id_prefix.to_owned(),
    };
    let conditional_id = format!("conditional-{item_id}");
    if let Some(divider) = nonempty(&item.divider) {
        return format!(
            "<div class=\"{block}__divider{hidden_class}\">{}</div>",
            escape(divider)
        );
    }
    let item_label = item.label.clone().unwrap_or_default();
    let item_hint = item.hint.clone().unwrap_or_default();
    let is_checked = (p.is_checked)(item);
    let has_hint = item_hint.has_content();
    let item_hint_id = item_hint.id.clone().unwrap_or_else(|| format!("{item_id}-item-hint"));
    let mut input_classes = format!("{block}__input");
    push_classes(&mut input_classes, &item.classes);
    let disabled = item.disabled == Some(true) || (item.disabled != Some(false) && p.disabled == Some(true));
    let conditional = item.conditional.as_ref().and_then(|c| nonempty(&c.html));

    let mut attrs = format!(
        " class=\"{}\" id=\"{}\" name=\"{}\" type=\"{input_type}\" value=\"{}\"",
        escape(&input_classes),
        escape(&item_id),
        escape(match p.kind {
            Kind::Checkboxes => nonempty(&item.name).or(p.name.as_deref()).unwrap_or_default(),
            Kind::Radios => p.name.as_deref().unwrap_or_default(),
        }),
        escape(item.value.as_deref().unwrap_or_default())
    );
    if is_checked {
        attrs.push_str(" checked");
    }
    if disabled {
        attrs.push_str(" disabled");
    }
    if p.kind == Kind::Checkboxes {
        let behaviour = if item.exclusive == Some(true) {
            Some("exclusive")
        } else {
            nonempty(&item.behaviour)
        };
        if let Some(b) = behaviour {
            attrs.push_str(&format!(" data-behaviour=\"{}\"", escape(b)));
        }
        let group = item.exclusive_group.as_deref().or(item.behaviour_group.as_deref());
        if let Some(g) = group.filter(|g| !g.is_empty()) {
            attrs.push_str(&format!(" data-behaviour-group=\"{}\"", escape(g)));
        }
    }
    if conditional.is_some() {
        attrs.push_str(&format!(" data-aria-controls=\"{}\"", escape(&conditional_id)));
    }
    let item_described_by = match p.kind {
        Kind::Radios => has_hint.then(|| item_hint_id.clone()),
        Kind::Checkboxes => {
            let base = if has_fieldset { "" } else { described_by };
            let hint_id = if has_hint { item_hint_id.as_str() } else { "" };
            Some(format!("{base} {hint_id}").trim().to_owned()).filter(|s| !s.is_empty())
        }
    };
    if let Some(d) = item_described_by {
        attrs.push_str(&format!(" aria-describedby=\"{}\"", escape(&d)));
    }
    attrs.push_str(&crate::attributes::attrs_html(&item.attributes));

    let mut label_classes = format!("{block}__label");
    push_classes(&mut label_classes, &item_label.classes);
    let label = LabelParams {
        html: item_label.html.clone().or_else(|| item.html.clone()),
        text: item_label.text.clone().or_else(|| item.text.clone()),
        visually_hidden_text: item_label.visually_hidden_text.clone(),
        id: item_label.id.clone(),
        r#for: Some(item_id.clone()),
        classes: Some(label_classes),
        attributes: item_label.attributes.clone(),
        ..LabelParams::default()
    }
    .render();

    let mut out = format!("<div class=\"{block}__item{hidden_class}\">\n<input{attrs}>\n{label}\n");
    if has_hint {
        let mut hint_classes = format!("{block}__hint");
        push_classes(&mut hint_classes, &item_hint.classes);
        out.push_str(
            &HintParams {
                id: Some(item_hint_id),
                classes: Some(hint_classes),
                ..item_hint
            }
            .render(),
        );
        out.push('\n');
    }
    out.push_str("</div>");
    if let Some(html) = conditional {
        let hidden = if is_checked {
            String::new()
        } else {
            format!(" {block}__conditional--hidden")
        };
        out.push_str(&format!(
            "\n<div class=\"{block}__conditional{hidden}\" id=\"{}\">\n{}\n</div>",
            escape(&conditional_id),
            html.trim()
        ));
    }
    out
}
