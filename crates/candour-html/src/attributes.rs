//! The `nhsukAttributes` macro (`macros/attributes.njk`): extra HTML attributes for a component.
//!
//! An attribute is either a plain value (rendered as ` name="value"`, always escaped) or an options
//! object `{ value, type, optional }`:
//!
//! * `optional: true` omits the attribute when the value is `null`/missing or `false`, and renders a
//!   bare boolean attribute (` name`) when the value is `true`;
//! * `type: "array"` renders the value as JSON (with `< > & '` as `\u00XX` escapes) in single quotes.
//!
//! Attribute maps keep their document order: [`Attributes`] deserializes with a map visitor into a
//! `Vec`, so `{"b": 1, "a": 2}` renders ` b="1" a="2"` whatever the `serde_json` features.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::util::{escape, js_string};

/// Extra attributes for a component's main element, in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attributes(pub Vec<(String, AttrValue)>);

impl Attributes {
    /// No attributes.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Builder: append an attribute.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// Append an attribute.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<AttrValue>) {
        self.0.push((name.into(), value.into()));
    }

    /// True when there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rendered attributes (each with a leading space), as `nhsukAttributes` outputs them.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    pub(crate) fn render_into(&self, out: &mut String) {
        for (name, value) in &self.0 {
            value.render_into(name, out);
        }
    }
}

/// Render optional attributes (nothing when `None`).
pub(crate) fn attrs_html(attributes: &Option<Attributes>) -> String {
    attributes.as_ref().map(Attributes::to_html).unwrap_or_default()
}

/// One attribute value: the value plus the `type` and `optional` options of `nhsukAttributes`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrValue {
    /// The value; `null` means "not provided".
    pub value: Value,
    /// `type: "array"`: render the value as JSON.
    pub array: bool,
    /// `optional: true`: omit when `null`/`false`, render a bare attribute when `true`.
    pub optional: bool,
}

impl AttrValue {
    /// A plain (non-optional) value.
    pub fn plain(value: impl Into<Value>) -> Self {
        Self {
            value: value.into(),
            array: false,
            optional: false,
        }
    }

    /// An optional value (`{ value, optional: true }`).
    pub fn optional(value: impl Into<Value>) -> Self {
        Self {
            value: value.into(),
            array: false,
            optional: true,
        }
    }

    /// A JSON array value (`{ value, type: "array", optional: true }`).
    pub fn array(values: Vec<Value>) -> Self {
        Self {
            value: Value::Array(values),
            array: true,
            optional: true,
        }
    }

    pub(crate) fn render_into(&self, name: &str, out: &mut String) {
        let value_escaped = match &self.value {
            Value::Null => String::new(),
            Value::Array(_) if self.array => serde_json::to_string(&self.value)
                .unwrap_or_default()
                .replace('<', "\\u003c")
                .replace('>', "\\u003e")
                .replace('&', "\\u0026")
                .replace('\'', "\\u0027"),
            v => escape(&js_string(v)),
        };
        if self.optional && self.value == Value::Bool(true) {
            out.push(' ');
            out.push_str(&escape(name));
        } else if !self.optional || !matches!(self.value, Value::Null | Value::Bool(false)) {
            out.push(' ');
            out.push_str(&escape(name));
            if value_escaped.contains('"') {
                out.push_str("='");
                out.push_str(&value_escaped);
                out.push('\'');
            } else {
                out.push_str("=\"");
                out.push_str(&value_escaped);
                out.push('"');
            }
        }
    }
}

impl From<&str> for AttrValue {
    fn from(s: &str) -> Self {
        Self::plain(s)
    }
}

impl From<String> for AttrValue {
    fn from(s: String) -> Self {
        Self::plain(s)
    }
}

impl From<bool> for AttrValue {
    fn from(b: bool) -> Self {
        Self::plain(b)
    }
}

impl From<i64> for AttrValue {
    fn from(n: i64) -> Self {
        Self::plain(n)
    }
}

impl From<Value> for AttrValue {
    fn from(v: Value) -> Self {
        Self::plain(v)
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attributes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute names to values")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Attributes, E> {
                Ok(Attributes::new())
            }
            fn visit_none<E: de::Error>(self) -> Result<Attributes, E> {
                Ok(Attributes::new())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Attributes, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attributes, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, AttrValue>()? {
                    out.push((k, v));
                }
                Ok(Attributes(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for AttrValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttrValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute value or { value, type, optional }")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(Value::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<AttrValue, E> {
                Ok(AttrValue::plain(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<AttrValue, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AttrValue, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element::<Value>()? {
                    items.push(v);
                }
                Ok(AttrValue::plain(Value::Array(items)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttrValue, A::Error> {
                let mut out = AttrValue::plain(Value::Null);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "value" => out.value = map.next_value()?,
                        "type" => out.array = map.next_value::<Option<String>>()?.as_deref() == Some("array"),
                        "optional" => out.optional = map.next_value::<Option<bool>>()? == Some(true),
                        other => return Err(de::Error::unknown_field(other, &["value", "type", "optional"])),
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// Builder for a component's own attributes, mirroring the literal maps passed to `nhsukAttributes`
/// inside the templates.
#[derive(Default)]
pub(crate) struct Attrs(String);

impl Attrs {
    pub(crate) fn new() -> Self {
        Self(String::new())
    }

    /// ` name="value"` (value escaped).
    pub(crate) fn set(&mut self, name: &str, value: &str) -> &mut Self {
        AttrValue::plain(value).render_into(name, &mut self.0);
        self
    }

    /// Optional string attribute: omitted when `None`; `Some("")` renders `name=""`.
    pub(crate) fn opt(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.set(name, v);
        }
        self
    }

    /// Optional attribute given only when the value is truthy (the `value if value else false` idiom).
    pub(crate) fn opt_truthy(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        self.opt(name, value.filter(|v| !v.is_empty()))
    }

    /// Optional boolean attribute: bare ` name` when true, nothing when false.
    pub(crate) fn flag(&mut self, name: &str, on: bool) -> &mut Self {
        if on {
            self.0.push(' ');
            self.0.push_str(&escape(name));
        }
        self
    }

    /// Append a caller-provided attribute map.
    pub(crate) fn extend(&mut self, attributes: &Option<Attributes>) -> &mut Self {
        if let Some(a) = attributes {
            a.render_into(&mut self.0);
        }
        self
    }

    /// Append already-rendered attributes.
    pub(crate) fn raw(&mut self, html: &str) -> &mut Self {
        self.0.push_str(html);
        self
    }

    pub(crate) fn build(&mut self) -> String {
        std::mem::take(&mut self.0)
    }
}
