//! Tag (`components/tag`).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::attributes::{attrs_html, Attributes};
use crate::util::{classes_contain, escape, html_or_text, nonempty, push_classes};

/// Params of the tag macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagParams {
    /// Tag text (escaped).
    pub text: Option<String>,
    /// Tag markup, used instead of `text`. Trusted: callers must only pass markup they built from
    /// escaped parts.
    pub html: Option<String>,
    /// Colour: `white`, `grey`, `green`, `aqua-green`, `blue`, `purple`, `pink`, `red`, `orange`,
    /// `yellow`; or `false` for no colour.
    pub colour: Option<TagColour>,
    /// `false` removes the border.
    pub border: Option<bool>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// A tag colour (`"blue"`) or no colour (`false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagColour {
    /// A named colour.
    Colour(String),
    /// `colour: false`: no colour.
    NoColour,
}

impl<'de> Deserialize<'de> for TagColour {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TagColour;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a colour name or false")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<TagColour, E> {
                Ok(TagColour::Colour(s.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<TagColour, E> {
                if b {
                    Err(E::invalid_value(de::Unexpected::Bool(true), &self))
                } else {
                    Ok(TagColour::NoColour)
                }
            }
        }
        d.deserialize_any(V)
    }
}

const COLOURS: &[&str] = &[
    "white",
    "grey",
    "green",
    "aqua-green",
    "blue",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
];

impl TagParams {
    /// Render the tag.
    pub fn render(&self) -> String {
        self.render_inner(None)
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.render_inner(Some(caller))
    }

    fn render_inner(&self, caller: Option<&str>) -> String {
        let mut class_names = "nhsuk-tag".to_owned();
        match &self.colour {
            Some(TagColour::Colour(c)) if !c.is_empty() => {
                let taken = COLOURS
                    .iter()
                    .any(|x| classes_contain(&self.classes, &format!("nhsuk-tag--{x}")));
                if COLOURS.contains(&c.as_str()) && !taken {
                    class_names.push_str(" nhsuk-tag--");
                    class_names.push_str(c);
                }
            }
            Some(TagColour::NoColour) if !classes_contain(&self.classes, "nhsuk-tag--no-colour") => {
                class_names.push_str(" nhsuk-tag--no-colour");
            }
            _ => {}
        }
        if self.border == Some(false) && !classes_contain(&self.classes, "nhsuk-tag--no-border") {
            class_names.push_str(" nhsuk-tag--no-border");
        }
        push_classes(&mut class_names, &self.classes);
        let body = match caller {
            Some(c) => c.trim().to_owned(),
            None => html_or_text(&self.html, &self.text).unwrap_or_default(),
        };
        format!(
            "<strong class=\"{}\"{}{}>\n{body}\n</strong>",
            escape(&class_names),
            nonempty(&self.id)
                .map(|id| format!(" id=\"{}\"", escape(id)))
                .unwrap_or_default(),
            attrs_html(&self.attributes)
        )
    }
}
