//! The `nhsukI18nAttributes` macro (`macros/i18n.njk`): translated strings for the JavaScript, as
//! `data-i18n.*` attributes.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::util::escape;

/// Translation text for a count, by CLDR plural rule (`one`, `other`, …), in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PluralMessages(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for PluralMessages {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PluralMessages;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of plural rules to messages")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PluralMessages, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(PluralMessages(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<PluralMessages, E> {
                Ok(PluralMessages::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// ` data-i18n.{key}="{message}"` when a message is given.
pub(crate) fn message(key: &str, message: &Option<String>) -> String {
    match message.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => format!(" data-i18n.{key}=\"{}\"", escape(m)),
        None => String::new(),
    }
}

/// ` data-i18n.{key}.{rule}="{message}"` for each plural rule.
pub(crate) fn messages(key: &str, messages: &Option<PluralMessages>) -> String {
    let mut out = String::new();
    if let Some(m) = messages.as_ref().filter(|m| !m.0.is_empty()) {
        for (rule, text) in &m.0 {
            out.push_str(&format!(" data-i18n.{key}.{}=\"{}\"", escape(rule), escape(text)));
        }
    }
    out
}
