//! Button (`components/button`): a `<button>`, a link styled as a button, or an `<input>`.

use std::fmt;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::attributes::{Attributes, Attrs};
use crate::icon::icon;
use crate::util::{classes_contain, escape, nonempty, push_classes, truthy};

/// Params of the button macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ButtonParams {
    /// Button text (escaped).
    pub text: Option<String>,
    /// Button markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Element: `button`, `a` or `input` (default: `a` when `href` is set without `type`, else `button`).
    pub element: Option<String>,
    /// Link target; makes the button a link.
    pub href: Option<String>,
    /// `type` of a `<button>`/`<input>` (default `submit`).
    pub r#type: Option<String>,
    /// `name` of a `<button>`/`<input>`.
    pub name: Option<String>,
    /// `value` of a `<button>`.
    pub value: Option<String>,
    /// Variant: `brand`, `login`, `reverse`, `secondary`, `secondary-solid` or `warning`.
    pub variant: Option<String>,
    /// Smaller button.
    pub small: Option<bool>,
    /// Icon: a name (placed at the start) or `{ name, placement, html }`.
    pub icon: Option<ButtonIcon>,
    /// Disable the button.
    pub disabled: Option<bool>,
    /// Prevent double clicks (`data-prevent-double-click`).
    pub prevent_double_click: Option<bool>,
    /// `aria-label`.
    pub aria_label: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A button icon.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ButtonIconParams {
    /// Icon name (see `nhsukIcon`).
    pub name: Option<String>,
    /// `start` or `end`.
    pub placement: Option<String>,
    /// Custom icon markup. Trusted: callers must only pass markup they built from escaped parts.
    pub html: Option<String>,
}

/// `icon` accepts a name (`"search"` = `{ name: "search", placement: "start" }`) or the full options.
#[derive(Debug, Clone)]
pub struct ButtonIcon(pub ButtonIconParams);

impl<'de> Deserialize<'de> for ButtonIcon {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ButtonIcon;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an icon name or { name, placement, html }")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ButtonIcon, E> {
                Ok(ButtonIcon::named(s))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ButtonIcon, A::Error> {
                ButtonIconParams::deserialize(MapAccessDeserializer::new(map)).map(ButtonIcon)
            }
        }
        d.deserialize_any(V)
    }
}

impl ButtonIcon {
    /// An icon by name, at the start of the button.
    pub fn named(name: &str) -> Self {
        Self(ButtonIconParams {
            name: Some(name.to_owned()),
            placement: Some("start".to_owned()),
            html: None,
        })
    }
}

const VARIANTS: &[&str] = &["brand", "login", "reverse", "secondary", "secondary-solid", "warning"];

impl ButtonParams {
    /// Render the button.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-button".to_owned();
        if let Some(v) = nonempty(&self.variant) {
            let taken = VARIANTS
                .iter()
                .any(|x| classes_contain(&self.classes, &format!("nhsuk-button--{x}")));
            if VARIANTS.contains(&v) && !taken {
                class_names.push_str(" nhsuk-button--");
                class_names.push_str(v);
            }
        }
        let icon_params = self.icon.as_ref().map(|i| &i.0);
        if icon_params.is_some() && !classes_contain(&self.classes, "nhsuk-button--icon") {
            class_names.push_str(" nhsuk-button--icon");
        }
        if self.small == Some(true) && !classes_contain(&self.classes, "nhsuk-button--small") {
            class_names.push_str(" nhsuk-button--small");
        }
        push_classes(&mut class_names, &self.classes);

        let element = match nonempty(&self.element) {
            Some(e) => e.to_lowercase(),
            None if truthy(&self.href) && !truthy(&self.r#type) => "a".to_owned(),
            None => "button".to_owned(),
        };
        let is_control = element == "button" || element == "input";

        let mut attrs = Attrs::new();
        attrs
            .set("class", &class_names)
            .opt("id", self.id.as_deref())
            .opt("name", self.name.as_deref().filter(|_| is_control))
            .set("data-module", "nhsuk-button")
            .opt(
                "data-prevent-double-click",
                self.prevent_double_click.map(|b| if b { "true" } else { "false" }),
            );
        let disabled = self.disabled == Some(true);
        if is_control {
            let value = if element == "input" { &self.text } else { &self.value };
            attrs
                .set("type", self.r#type.as_deref().unwrap_or("submit"))
                .opt("value", value.as_deref())
                .flag("disabled", disabled)
                .opt("aria-label", self.aria_label.as_deref())
                .opt("aria-disabled", disabled.then_some("true"));
        } else if element == "a" {
            attrs
                .set("href", self.href.as_deref().unwrap_or("#"))
                .set("role", "button")
                .set("draggable", "false")
                .opt("aria-label", self.aria_label.as_deref());
        }
        attrs.extend(&self.attributes);
        let attrs = attrs.build();

        match element.as_str() {
            "input" => return format!("<input{attrs}>"),
            "a" | "button" => {}
            // The template renders nothing for any other element.
            _ => return String::new(),
        }

        let button_text = if let Some(h) = nonempty(&self.html) {
            Some(h.trim().to_owned())
        } else {
            nonempty(&self.text).map(|t| escape(t.trim()))
        };
        let button_icon = icon_params.and_then(|i| {
            nonempty(&i.html)
                .map(str::to_owned)
                .or_else(|| nonempty(&i.name).map(icon))
        });
        let placement = icon_params.and_then(|i| i.placement.as_deref());

        let mut inner = Vec::new();
        if let (Some(i), Some("start")) = (&button_icon, placement) {
            inner.push(i.trim().to_owned());
        }
        if let Some(c) = caller {
            inner.push(c.trim().to_owned());
        } else if let Some(t) = &button_text {
            if button_icon.is_some() {
                inner.push(format!("<span class=\"nhsuk-button__content\">{t}</span>"));
            } else {
                inner.push(t.clone());
            }
        }
        if let (Some(i), Some("end")) = (&button_icon, placement) {
            inner.push(i.trim().to_owned());
        }
        format!("<{element}{attrs}>\n{}\n</{element}>", inner.join("\n"))
    }
}
