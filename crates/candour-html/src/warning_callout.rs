//! Warning callout (`components/warning-callout`): a warning card with an "Important" heading.

use serde::Deserialize;

use crate::attributes::Attributes;
use crate::card::{Actions, CardDescription, CardHeading, CardParams};
use crate::de::{self, from_text};
use crate::util::nonempty;

/// Params of the warning callout macro.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WarningCalloutParams {
    /// Heading (string or heading options). Unless it contains "Important", it is prefixed with a
    /// visually hidden "Important: ".
    #[serde(default, deserialize_with = "de::text_or")]
    pub heading: Option<WarningCalloutHeading>,
    /// Text (escaped), shown as a paragraph.
    pub text: Option<String>,
    /// Markup, used instead of `text`. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden heading prefix (default `Important`).
    pub visually_hidden_text: Option<String>,
    /// Heading level (default 3).
    #[serde(default, deserialize_with = "de::loose")]
    pub heading_level: Option<String>,
    /// Extra heading classes.
    pub heading_classes: Option<String>,
    /// Actions (see the card).
    pub actions: Option<Actions>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}

/// The warning callout heading.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WarningCalloutHeading {
    /// Text (escaped).
    pub text: Option<String>,
    /// Extra markup after the heading. Trusted: callers must only pass markup they built from escaped
    /// parts.
    pub html: Option<String>,
    /// Visually hidden prefix (default `Important`).
    pub visually_hidden_text: Option<String>,
    /// Heading level (default 3).
    #[serde(default, deserialize_with = "de::loose")]
    pub level: Option<String>,
    /// `id` attribute.
    pub id: Option<String>,
    /// Extra classes.
    pub classes: Option<String>,
    /// Extra attributes.
    pub attributes: Option<Attributes>,
}
from_text!(WarningCalloutHeading);

impl WarningCalloutParams {
    /// Render the warning callout.
    pub fn render(&self) -> String {
        self.card().render()
    }

    /// Render with call block content (trusted markup) in place of `text`/`html`.
    pub fn render_with_caller(&self, caller: &str) -> String {
        self.card().render_with_caller(caller)
    }

    fn card(&self) -> CardParams {
        let h = self.heading.clone().unwrap_or_default();
        let vht = nonempty(&h.text)
            .filter(|t| !t.contains("Important") && !t.contains("important"))
            .map(|_| {
                nonempty(&h.visually_hidden_text)
                    .or(nonempty(&self.visually_hidden_text))
                    .unwrap_or("Important")
                    .to_owned()
            });
        CardParams {
            id: self.id.clone(),
            heading: Some(CardHeading {
                id: h.id,
                text: h.text,
                html: h.html,
                visually_hidden_text: vht,
                level: h
                    .level
                    .or_else(|| self.heading_level.clone())
                    .or_else(|| Some("3".to_owned())),
                classes: h.classes.or_else(|| self.heading_classes.clone()),
                attributes: h.attributes,
                ..CardHeading::default()
            }),
            description: Some(CardDescription {
                text: self.text.clone(),
                html: self.html.clone(),
                ..CardDescription::default()
            }),
            actions: self.actions.clone(),
            classes: self.classes.clone(),
            attributes: self.attributes.clone(),
            variant: Some("warning".to_owned()),
            ..CardParams::default()
        }
    }
}
